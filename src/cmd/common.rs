//! What the agent front ends share: loading settings into a [`Failure`]-shaped error, building
//! the project context, copying the workspace for a dry run, attaching files to a request, and
//! running the agent under Ctrl-C, and writing the product to stdout. Asks the one question
//! of trust when a repository's settings need it.
#![allow(clippy::print_stderr)]

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::agent::{Agent, AgentError, Approver, EventSink, Outcome};
use crate::cli::GlobalArgs;
use crate::config::PermissionMode;
use crate::config::{Config, ConfigError, Overrides};
use crate::context::attach::{self, AttachError};
use crate::exit::{self, Exit, Failure};
use crate::permissions::Permissions;

/// Loads the settings; a configuration problem is a usage error with its hints. Values of the
/// project's file that were ignored (a loosened sandbox) are said on stderr.
pub fn load_config(overrides: &Overrides) -> Result<Config, Failure> {
    let cfg = Config::load(overrides).map_err(config_failure)?;
    note_ignored(&cfg);
    Ok(cfg)
}

/// Says on stderr what of the project's file was ignored (`hone config` lists it too).
pub fn note_ignored(cfg: &Config) {
    let mut err = std::io::stderr().lock();
    for i in &cfg.ignored {
        let _ = writeln!(err, "hone: {}", crate::ui::escape_controls(&i.to_string()));
    }
}

/// The sandbox of a session's commands in one line, for `-v` and warnings: the mode, the
/// network, and the enforcement obtained on this system.
pub fn sandbox_line(p: &crate::sandbox::Policy) -> String {
    let network = match (p.rules.restricts_files(), p.rules.network.allowed()) {
        (false, _) => "",
        (true, true) => ", network allowed",
        (true, false) => ", network denied",
    };
    format!(
        "sandbox: {}{network}; enforcement {}",
        p.mode().as_str(),
        p.enforcement
    )
}

/// What a front end says of the sandbox at the start: the whole line under `-v`; otherwise only
/// when commands cannot run as the mode asks (they will be refused, and this says why at once)
/// or run with a gap.
pub fn sandbox_notice(p: &crate::sandbox::Policy, verbose: bool) -> Option<String> {
    let short = p.enforcement.level() != crate::sandbox::Level::Full;
    (verbose || (p.rules.restricts_files() && short)).then(|| sandbox_line(p))
}

/// Loads the settings. When the repository's own files ask for what needs the person's trust —
/// allow rules, a looser starting mode, the provider or where the key goes — and `ask` (someone
/// is at a terminal), it shows what they ask for and asks once; a yes is remembered
/// (`config::trust`). Otherwise what needs trust stays set aside, with a note saying so.
pub fn load_config_trusting(overrides: &Overrides, ask: bool) -> Result<Config, Failure> {
    let (asks, refused) = match Config::load(overrides) {
        Ok(cfg) => {
            let wants: Vec<String> = cfg
                .permissions
                .set_aside
                .iter()
                .filter(|s| s.needs_trust)
                .map(|s| format!("{} ({})", s.what, s.source))
                .collect();
            if wants.is_empty() {
                note_ignored(&cfg);
                return Ok(cfg);
            }
            if !ask {
                note_ignored(&cfg);
                eprintln!(
                    "hone: note: set aside until you trust this repository (`hone trust`, or \
                     --trust-project): {}",
                    wants.join("; ")
                );
                return Ok(cfg);
            }
            (wants, None)
        }
        Err(e @ ConfigError::Untrusted { .. }) if ask => (vec![e.to_string()], Some(e)),
        Err(e) => return Err(config_failure(e)),
    };
    let root =
        crate::config::workspace_root(overrides.workspace.as_deref()).map_err(config_failure)?;
    eprintln!("This repository's own settings ask for what only you can allow:");
    for w in &asks {
        eprintln!("  - {w}");
    }
    if crate::ui::ask::yes_no("Trust this repository's settings (remembered)? [y/N]") {
        crate::config::trust::set_trusted(&root, true).map_err(|e| {
            Failure::new(
                Exit::Failed,
                anyhow::Error::new(e).context("could not remember the trust"),
            )
        })?;
        return load_config(overrides);
    }
    match refused {
        Some(e) => Err(config_failure(e)),
        None => load_config(overrides),
    }
}

/// The session's permissions from the settings, with `--permission-mode bypass` refused unless
/// the person took the risk by name.
pub fn permissions(global: &GlobalArgs, cfg: &Config) -> Result<Permissions, Failure> {
    let perms = Permissions::new(&cfg.workspace, &cfg.permissions).map_err(|e| {
        Failure::usage(e).hint("see `hone --help` (Permissions) for the rule syntax")
    })?;
    if perms.mode == PermissionMode::Bypass && !bypass_allowed(global, cfg) {
        return Err(Failure::usage(format!(
            "permission mode bypass (from {}) runs every edit and command unasked, and the \
             sandbox is off",
            cfg.permissions.mode_source
        ))
        .hint("turn the sandbox on (`--sandbox workspace-write`), or add --dangerously-skip-permissions if this is a throwaway container or VM")
        .hint("or use --permission-mode accept-edits, which still asks before commands"));
    }
    Ok(perms)
}

/// Whether bypass may be used: with the OS sandbox on (commands confined, or refused where the
/// kernel cannot confine them), or when the person took the risk by name.
pub fn bypass_allowed(global: &GlobalArgs, cfg: &Config) -> bool {
    global.permissions.dangerously_skip_permissions || cfg.sandbox.mode != crate::sandbox::Mode::Off
}

/// The workspace `-C` names (else the current directory), checked the one way every command
/// checks it.
pub fn workspace_root(global: &GlobalArgs) -> Result<std::path::PathBuf, Failure> {
    crate::config::workspace_root(global.workspace.as_deref()).map_err(config_failure)
}

/// A configuration error on its way out: exit code 2, with its hints. A bad `-C` is said as it
/// is; anything else is introduced as the configuration being unusable.
pub fn config_failure(e: ConfigError) -> Failure {
    let hints = exit::config_hints(&e);
    let error = match e {
        e @ ConfigError::Workspace { .. } => anyhow::Error::new(e),
        e => anyhow::Error::new(e).context("the configuration is not usable"),
    };
    let mut f = Failure::new(Exit::Usage, error);
    f.hints = hints;
    f
}

/// Writes the product (a map, a patch, a JSON report) to stdout. A front end passes the error
/// up with `?`: `cli::main` ends the run with exit 0 and no message when the reader closed the
/// pipe (`hone map | head -1`), and reports any other write error.
pub fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("could not write to standard output")
}

/// Maps an agent error to the exit code it means.
pub fn agent_failure(e: AgentError) -> Failure {
    match e {
        AgentError::Provider(p) => {
            let hints = exit::provider_hints(&p);
            let mut f = Failure::new(exit::provider_exit(&p), p);
            f.hints = hints;
            f
        }
        other => Failure::new(Exit::Failed, other),
    }
}

/// How a run under Ctrl-C ended.
pub enum Ran {
    Finished(Outcome),
    Interrupted,
}

/// Runs the agent until it finishes or the person presses Ctrl-C (as a signal, or as a key at a
/// question); dropping the run future on Ctrl-C cancels the request in flight, and every file
/// stays whole (writes are atomic).
pub async fn run_interruptible(
    agent: &mut Agent,
    input: &str,
    sink: &mut dyn EventSink,
    approver: &mut dyn Approver,
) -> Result<Ran, Failure> {
    tokio::select! {
        r = agent.run(input, sink, approver) => match r {
            // Ctrl-C at a question: the run ended itself, sending nothing more.
            Ok(Outcome::Cancelled) => Ok(Ran::Interrupted),
            r => r.map(Ran::Finished).map_err(agent_failure),
        },
        _ = tokio::signal::ctrl_c() => Ok(Ran::Interrupted),
    }
}

/// The request text with the named files attached (their current content, fenced), and the
/// attached files that look like they hold secrets (for the front end to warn about); a named
/// directory becomes a note that the person points at it. A file that cannot be attached
/// (outside the workspace, missing, not text, too large) is a usage error naming it.
pub fn attach_files(
    instruction: &str,
    root: &Path,
    paths: &[PathBuf],
) -> Result<(String, Vec<String>), Failure> {
    let mut text = instruction.trim().to_string();
    let mut secrets = Vec::new();
    for p in paths {
        let part = match attach::read_text(root, p) {
            Ok(file) => {
                if file.secret {
                    secrets.push(file.rel.clone());
                }
                attach::fenced(&file.rel, &file.content)
            }
            Err(AttachError::Directory { path }) => {
                crate::prompts::text(crate::prompts::Text::DirectoryNamed, &[("path", &path)])
            }
            Err(AttachError::Outside { .. }) => {
                return Err(Failure::usage(format!(
                    "{} is outside the workspace {}",
                    p.display(),
                    root.display()
                )));
            }
            Err(e) => {
                let cause = match e {
                    AttachError::Read { source, .. } => anyhow::Error::new(source),
                    e => anyhow::Error::new(e),
                };
                let error = cause.context(format!("cannot attach {}", p.display()));
                return Err(
                    Failure::new(Exit::Usage, error).hint("name a text file inside the workspace")
                );
            }
        };
        text.push_str("\n\n");
        text.push_str(&part);
    }
    Ok((text, secrets))
}

/// Copies the workspace's files (respecting ignore rules, without `.git`) into a fresh
/// temporary directory, for dry runs that must not touch the working tree.
/// A dry run's scratch copy of the workspace. Dropping it removes the copy and the state hone
/// kept for it (its undo journal and transcript), so dry runs leave nothing behind.
pub struct Scratch {
    dir: tempfile::TempDir,
}

impl Scratch {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let root = self
            .dir
            .path()
            .canonicalize()
            .unwrap_or_else(|_| self.dir.path().to_path_buf());
        if let Some(state) = crate::paths::workspace_state_dir(&root) {
            let _ = std::fs::remove_dir_all(state);
        }
    }
}

pub fn scratch_copy(root: &Path) -> Result<Scratch, Failure> {
    let dir = tempfile::Builder::new()
        .prefix("hone-dry-run-")
        .tempdir()
        .map_err(|e| {
            Failure::new(
                Exit::Failed,
                anyhow::Error::new(e).context("could not create a scratch directory"),
            )
        })?;
    let mut walk = ignore::WalkBuilder::new(root);
    walk.hidden(false).require_git(false).filter_entry(|e| {
        e.file_name() != ".git"
            && !e
                .file_name()
                .to_str()
                .is_some_and(crate::edit::is_temp_name)
    });
    for entry in walk.build().flatten() {
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        if rel.as_os_str().is_empty() {
            continue;
        }
        let target = dir.path().join(rel);
        let ty = entry.file_type();
        let copied = if ty.is_some_and(|t| t.is_dir()) {
            std::fs::create_dir_all(&target)
        } else if ty.is_some_and(|t| t.is_file()) {
            std::fs::copy(entry.path(), &target).map(|_| ())
        } else {
            Ok(())
        };
        copied.map_err(|e| {
            Failure::new(
                Exit::Failed,
                anyhow::Error::new(e)
                    .context(format!("could not copy {} for the dry run", rel.display())),
            )
        })?;
    }
    Ok(Scratch { dir })
}

/// `-v`, for every command: each request is written to stderr as it is sent, where it goes and
/// its body (the provider has masked the key; control characters are stripped here).
pub fn log_request_body(target: &str, body: &str) {
    use std::io::Write as _;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "hone: {}", crate::ui::strip_controls(target));
    let _ = writeln!(
        err,
        "hone: request body: {}",
        crate::ui::strip_controls(body)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attaches_files_fenced_with_relative_paths() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.rs"), "fn a() {}").unwrap();
        std::fs::write(d.path().join("b.md"), "```x```\n").unwrap();
        std::fs::write(d.path().join("id.pem"), "k").unwrap();
        let (t, secrets) = attach_files(
            " fix it ",
            d.path(),
            &[PathBuf::from("a.rs"), PathBuf::from("b.md")],
        )
        .unwrap();
        assert!(secrets.is_empty());
        let (_, secrets) = attach_files("x", d.path(), &[PathBuf::from("./id.pem")]).unwrap();
        assert_eq!(secrets, ["id.pem"]);
        assert_eq!(
            t,
            "fix it\n\na.rs\n```\nfn a() {}\n```\n\nb.md\n````\n```x```\n````"
        );
        assert!(attach_files("x", d.path(), &[PathBuf::from("/etc/passwd")]).is_err());
        assert!(attach_files("x", d.path(), &[PathBuf::from("missing.rs")]).is_err());
    }

    #[test]
    fn scratch_copy_skips_git_and_ignored() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        std::fs::write(d.path().join(".git/HEAD"), "x").unwrap();
        std::fs::write(d.path().join(".gitignore"), "target/\n").unwrap();
        std::fs::create_dir_all(d.path().join("target")).unwrap();
        std::fs::write(d.path().join("target/big"), "x").unwrap();
        std::fs::create_dir_all(d.path().join("src")).unwrap();
        std::fs::write(d.path().join("src/a.rs"), "a").unwrap();
        let s = scratch_copy(d.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(s.path().join("src/a.rs")).unwrap(),
            "a"
        );
        assert!(!s.path().join(".git").exists());
        assert!(!s.path().join("target").exists());
    }
}
