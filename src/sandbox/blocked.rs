//! Naming what the sandbox stopped: a heuristic over a failed command's output.
//!
//! The kernel does not tell a parent why its child failed, so this reads what the command said.
//! What it can tell:
//! - a write refused by Landlock, when the program names the path in an `EACCES`/`EROFS`
//!   message (`Permission denied`, `Read-only file system`, Python's `[Errno 13]`) on the line or up to three lines above it (`touch: cannot touch '/x'`,
//!   `sh: 1: cannot create /x`, `PermissionError: … '/x'`, cargo's `failed to open: /x` then
//!   `Caused by: Permission denied`), and that path lies outside the writable paths and either
//!   does not exist or can be read (so it was no read that failed: reads are never restricted);
//! - a socket refused by seccomp or what follows from it, when the network is denied: name
//!   resolution failures (`Temporary failure in name resolution`, `Could not resolve host`,
//!   `EAI_AGAIN`, …) or `Operation not permitted` in output that speaks of sockets,
//!   connections or hosts;
//! - the wrapper's own refusal (`wrapper::UNAVAILABLE`).
//!
//! What it cannot tell: a program that fails without naming the path (`Permission denied (os
//! error 13)` alone), or says it in other words or another language; a denial outside the
//! writable paths that would have happened without the sandbox too (a file another user owns);
//! a command that succeeded despite a refused write (exit 0 is never "blocked"). And the output
//! is the command's own, so a command can fake a block: the consequence is only a question to
//! the person, who sees the command again before anything runs unsandboxed.

use std::fmt;
use std::path::{Path, PathBuf};

use super::Rules;
use super::wrapper::UNAVAILABLE;

/// What the sandbox stopped, or why it could not hold a command at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocked {
    /// A write the sandbox refused, at `path` (absolute).
    Write {
        path: String,
        /// The path is in the workspace (the mode is `read-only`).
        inside_workspace: bool,
    },
    /// A network connection, with the network denied.
    Network,
    /// The kernel cannot give the sandbox the mode needs (`why`), so the command did not run.
    Unavailable { why: String },
}

impl fmt::Display for Blocked {
    /// As a person reads it after "blocked by the sandbox: ".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Blocked::Write {
                path,
                inside_workspace: false,
            } => write!(f, "write outside the workspace: {path}"),
            Blocked::Write {
                path,
                inside_workspace: true,
            } => write!(f, "write in the read-only workspace: {path}"),
            Blocked::Network => f.write_str("network access"),
            Blocked::Unavailable { why } => write!(f, "the sandbox is unavailable: {why}"),
        }
    }
}

/// Lines that say a write was refused as Landlock refuses it (`EACCES`; `EROFS` from programs
/// that word it so). Not `EPERM` ("Operation not permitted"): Landlock never answers with it,
/// and the network filter does.
const DENIED: [&str; 6] = [
    "permission denied",
    "read-only file system",
    "eacces",
    "erofs",
    "[errno 13]",
    "[errno 30]",
];

/// Words of a name-resolution or connection failure that a denied socket causes.
const RESOLVE: [&str; 10] = [
    "temporary failure in name resolution",
    "could not resolve host",
    "couldn't resolve host",
    "name or service not known",
    "no address associated with hostname",
    "eai_again",
    "failed to lookup address",
    "dns error",
    "network is unreachable",
    "failed to resolve",
];

/// Words that put an `Operation not permitted` in the network's context.
const NETWORK_WORDS: [&str; 6] = ["socket", "connect", "network", "http", "host", "[errno 1]"];

/// What stopped a command that exited with `code` and said `output`, run in `workspace` under
/// `rules`; `None` when nothing points at the sandbox.
pub(super) fn detect(
    rules: &Rules,
    workspace: &Path,
    code: Option<i32>,
    output: &str,
) -> Option<Blocked> {
    if code == Some(0) || (!rules.restricts_files() && !rules.denies_network()) {
        return None;
    }
    if let Some(why) = output.lines().find_map(|l| l.strip_prefix(UNAVAILABLE)) {
        return Some(Blocked::Unavailable {
            why: why.trim().to_string(),
        });
    }
    let lines: Vec<&str> = output.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let lower = line.to_ascii_lowercase();
        if !DENIED.iter().any(|d| lower.contains(d)) {
            continue;
        }
        let mut candidates = paths_in(line);
        if candidates.is_empty() {
            candidates = lines[i.saturating_sub(3)..i]
                .iter()
                .rev()
                .flat_map(|l| paths_in(l))
                .collect();
        }
        for c in candidates {
            let path = absolute(workspace, &c);
            if rules.restricts_files() && !rules.may_write(&path) && not_a_read(&path) {
                return Some(Blocked::Write {
                    inside_workspace: path.starts_with(workspace),
                    path: path.display().to_string(),
                });
            }
        }
    }
    if rules.denies_network() {
        let lower = output.to_ascii_lowercase();
        let resolve = RESOLVE.iter().any(|r| lower.contains(r));
        let refused = lower.contains("operation not permitted")
            && NETWORK_WORDS.iter().any(|w| lower.contains(w));
        if resolve || refused {
            return Some(Blocked::Network);
        }
    }
    None
}

/// Whether a refusal at `path` can have been of a write: the sandbox never refuses a read, so a
/// path that exists and cannot be read was refused by something else.
fn not_a_read(path: &Path) -> bool {
    match std::fs::File::open(path) {
        Ok(_) => true,
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn absolute(workspace: &Path, path: &str) -> PathBuf {
    let expanded = match path.strip_prefix("~/") {
        Some(rest) => std::env::home_dir().map(|h| h.join(rest)),
        None => None,
    };
    let p = expanded.unwrap_or_else(|| PathBuf::from(path));
    if p.is_absolute() {
        p
    } else {
        workspace.join(p)
    }
}

/// The words of `line` that may be the path a message is about: quoted text (`'x'`, `"x"`,
/// `‘x’`, `` `x' ``), or when there is none, the last word of each part between `: `s
/// (`sh: 1: cannot create x: …`, `failed to open: /x`) that holds a `/` or a `.`.
fn paths_in(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (open, close) in [('\'', '\''), ('"', '"'), ('‘', '’'), ('`', '\'')] {
        let mut rest = line;
        while let Some(start) = rest.find(open) {
            let after = &rest[start + open.len_utf8()..];
            let Some(end) = after.find(close) else { break };
            let quoted = &after[..end];
            if !quoted.is_empty() && !quoted.contains('\n') {
                out.push(quoted.to_string());
            }
            rest = &after[end + close.len_utf8()..];
        }
    }
    if !out.is_empty() {
        return out;
    }
    for seg in line.split(": ") {
        let Some(word) = seg.split_whitespace().last() else {
            continue;
        };
        let word = word.trim_matches(|c: char| "'\"‘’`,;()[]".contains(c));
        if (word.contains('/') || word.contains('.')) && !out.iter().any(|o| o == word) {
            out.push(word.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::{Mode, Network, Settings};

    fn rules(mode: Mode, network: Network) -> Rules {
        Rules::new(
            &Settings {
                mode,
                network,
                writable: Vec::new(),
            },
            Path::new("/ws"),
        )
    }

    fn ww() -> Rules {
        rules(Mode::WorkspaceWrite, Network::Denied)
    }

    fn detect_ww(output: &str) -> Option<Blocked> {
        detect(&ww(), Path::new("/ws"), Some(1), output)
    }

    fn write(path: &str, inside: bool) -> Option<Blocked> {
        Some(Blocked::Write {
            path: path.into(),
            inside_workspace: inside,
        })
    }

    #[test]
    fn names_the_path_of_a_refused_write_in_the_usual_wordings() {
        // Paths that do not exist: whatever was refused there was a write.
        let cases = [
            (
                "touch: cannot touch '/nonexistent-hone/x': Permission denied",
                "/nonexistent-hone/x",
            ),
            (
                "sh: 1: cannot create /nonexistent-hone/y: Permission denied",
                "/nonexistent-hone/y",
            ),
            (
                "PermissionError: [Errno 13] Permission denied: '/nonexistent-hone/z'",
                "/nonexistent-hone/z",
            ),
            (
                "mkdir: cannot create directory ‘/nonexistent-hone/d’: Permission denied",
                "/nonexistent-hone/d",
            ),
            (
                "error: failed to open: /nonexistent-hone/c\n\nCaused by:\n  Permission denied (os error 13)",
                "/nonexistent-hone/c",
            ),
        ];
        for (output, path) in cases {
            assert_eq!(detect_ww(output), write(path, false), "{output}");
        }
    }

    #[test]
    fn a_refusal_inside_the_writable_paths_or_of_a_read_is_not_the_sandbox() {
        assert_eq!(
            detect_ww("touch: cannot touch '/ws/a': Permission denied"),
            None
        );
        assert_eq!(
            detect_ww("sh: 1: cannot create /tmp/x: Permission denied"),
            None
        );
        // Exists, and this test can read it: a write. (/etc/hostname is readable everywhere.)
        if std::fs::File::open("/etc/hostname").is_ok() {
            assert_eq!(
                detect_ww("sh: 1: cannot create /etc/hostname: Permission denied"),
                write("/etc/hostname", false)
            );
        }
        // No path at all: nothing to name.
        assert_eq!(detect_ww("Permission denied (os error 13)"), None);
        // Success is never blocked.
        assert_eq!(
            detect(
                &ww(),
                Path::new("/ws"),
                Some(0),
                "touch: cannot touch '/nonexistent-hone/x': Permission denied"
            ),
            None
        );
    }

    #[test]
    fn read_only_names_writes_inside_the_workspace_by_their_relative_path() {
        let ro = rules(Mode::ReadOnly, Network::Denied);
        assert_eq!(
            detect(
                &ro,
                Path::new("/ws"),
                Some(2),
                "sh: 1: cannot create a.txt: Permission denied"
            ),
            write("/ws/a.txt", true)
        );
        assert_eq!(
            write("/ws/a.txt", true).unwrap().to_string(),
            "write in the read-only workspace: /ws/a.txt"
        );
    }

    #[test]
    fn network_failures_count_only_when_the_network_is_denied() {
        let py = "Traceback (most recent call last):\n  File \"/usr/lib/python3/socket.py\", line 1, in create_connection\nPermissionError: [Errno 1] Operation not permitted";
        assert_eq!(detect_ww(py), Some(Blocked::Network));
        assert_eq!(
            detect_ww("curl: (6) Could not resolve host: example.com"),
            Some(Blocked::Network)
        );
        assert_eq!(
            detect_ww("chmod: changing permissions of 'x': Operation not permitted"),
            None
        );
        let open = rules(Mode::WorkspaceWrite, Network::Allowed);
        assert_eq!(detect(&open, Path::new("/ws"), Some(1), py), None);
        let off = rules(Mode::Off, Network::Denied);
        assert_eq!(detect(&off, Path::new("/ws"), Some(1), py), None);
    }

    #[test]
    fn the_wrappers_refusal_is_read_back() {
        let out = format!("{UNAVAILABLE}this kernel has no Landlock\n");
        assert_eq!(
            detect_ww(&out),
            Some(Blocked::Unavailable {
                why: "this kernel has no Landlock".into()
            })
        );
    }

    #[test]
    fn candidate_paths() {
        assert_eq!(
            paths_in("touch: cannot touch '/a b/c': Permission denied"),
            vec!["/a b/c".to_string()]
        );
        assert_eq!(
            paths_in("bash: ./x.sh: Permission denied"),
            vec!["./x.sh".to_string()]
        );
        assert!(paths_in("Permission denied").is_empty());
    }
}
