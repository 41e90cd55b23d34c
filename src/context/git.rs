//! Recent git changes, as a ranking tie-breaker: which files the last commits touched.
//!
//! Runs `git log --name-only` as a subprocess started at the beginning of a build, so it runs
//! while the tree is walked and parsed; [`GitProbe::finish`] waits only a few milliseconds more
//! and then kills it. A missing `git`, a directory outside any repository or a slow history all
//! mean the same thing: no recency, and the build goes on. Invariant: never blocks a build for
//! longer than the grace period it is given, and never prompts (no terminal, no pager, no locks).

use std::collections::HashMap;
use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

/// How many recent commits count.
const COMMITS: usize = 50;
/// The line `git log` prints before each commit's file list.
const MARKER: &str = "@@hone-commit";

/// A running `git log`.
pub(crate) struct GitProbe {
    child: Child,
    output: Receiver<Vec<u8>>,
}

impl GitProbe {
    /// Starts `git log` in `root`; `None` when git cannot be started.
    pub fn start(root: &Path) -> Option<GitProbe> {
        let mut child = Command::new("git")
            .current_dir(root)
            .args([
                "--no-pager",
                "log",
                "--no-color",
                "--no-renames",
                "--relative",
                "--name-only",
            ])
            .arg(format!("--format=tformat:{MARKER}"))
            .arg(format!("-n{COMMITS}"))
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let mut stdout = child.stdout.take()?;
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("hone-git-log".into())
            .spawn(move || {
                let mut buf = Vec::new();
                if stdout.read_to_end(&mut buf).is_ok() {
                    let _ = tx.send(buf);
                }
            })
            .ok()?;
        Some(GitProbe { child, output: rx })
    }

    /// The recency of each changed path (1.0 for the newest commit, falling towards 0), or `None`
    /// if git failed or did not answer within `grace`.
    pub fn finish(mut self, grace: Duration) -> Option<HashMap<String, f32>> {
        let out = self.output.recv_timeout(grace).ok();
        let status = match out {
            Some(_) => self.child.wait().ok(),
            None => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                None
            }
        };
        if !status.is_some_and(|s| s.success()) {
            return None;
        }
        out.map(|bytes| parse_log(&String::from_utf8_lossy(&bytes)))
    }
}

/// Parses `git log --name-only --format=MARKER` output into path → recency.
pub(crate) fn parse_log(text: &str) -> HashMap<String, f32> {
    let mut out = HashMap::new();
    let mut commit = 0usize;
    for line in text.lines() {
        if line == MARKER {
            commit += 1;
            continue;
        }
        let path = line.trim();
        if path.is_empty() || commit == 0 {
            continue;
        }
        let score = 1.0 - (commit - 1) as f32 / COMMITS as f32;
        out.entry(path.to_string()).or_insert(score);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_commits_score_higher_and_first_sighting_wins() {
        let log = format!("{MARKER}\n\nsrc/a.rs\nsrc/b.rs\n{MARKER}\n\nsrc/c.rs\nsrc/a.rs\n");
        let r = parse_log(&log);
        assert_eq!(r["src/a.rs"], 1.0);
        assert_eq!(r["src/b.rs"], 1.0);
        assert!(r["src/c.rs"] < 1.0 && r["src/c.rs"] > 0.9);
        assert_eq!(r.len(), 3);
    }

    #[test]
    fn probe_in_a_repository_sees_committed_files() {
        let dir = tempfile::tempdir().unwrap();
        let git = |args: &[&str]| {
            Command::new("git")
                .current_dir(dir.path())
                .args([
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@t",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false)
        };
        if !git(&["init", "-q"]) {
            return; // no git on this machine: nothing to probe
        }
        std::fs::write(dir.path().join("a.txt"), "a").unwrap();
        assert!(git(&["add", "a.txt"]));
        assert!(git(&["commit", "-q", "-m", "a"]));
        let probe = GitProbe::start(dir.path()).unwrap();
        let r = probe.finish(Duration::from_secs(10)).unwrap();
        assert_eq!(r.get("a.txt"), Some(&1.0));
    }

    #[test]
    fn probe_outside_a_repository_gives_nothing() {
        let dir = tempfile::tempdir().unwrap();
        if let Some(probe) = GitProbe::start(dir.path()) {
            assert_eq!(probe.finish(Duration::from_secs(10)), None);
        }
    }
}
