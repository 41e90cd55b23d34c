//! The repository map for the REPL, made by a child process (`hone map`), so that neither the
//! scan nor the index's memory ever sits in the long-lived session: the REPL stays small (a
//! person keeps it open for hours) and the prompt never waits for the repository.
//!
//! A [`MapJob`] starts `hone -C ROOT map [FOCUS…]` (at a lower priority, through `nice`) with
//! its output captured by a thread, and hands the map over when it is ready; [`MapJob::wait`] never waits longer than asked. The
//! child writes the index cache as `hone map` always does, so later jobs are warm starts.
//! Invariant: a job's child is killed when the job is dropped. If the session crashes instead
//! (`crate::crash`: no destructor runs), the child is left to finish: it only indexes, writes
//! the cache and exits.

use std::io::Read as _;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

/// The `nice` increment of the map child.
const NICENESS: &str = "10";

/// How a map job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MapOutcome {
    /// The map as the model sees it (empty when there is nothing to map).
    Map(String),
    /// The job could not run or failed; the text says why.
    Failed(String),
}

/// A `hone map` child running in the background.
pub struct MapJob {
    child: Option<Child>,
    /// What the child wrote: its stdout (`None` if it could not be read) and its stderr.
    rx: Receiver<(Option<String>, String)>,
    done: Option<MapOutcome>,
    /// The focus terms it was started with.
    pub terms: Vec<String>,
}

impl MapJob {
    /// Starts `exe -C root map terms…`. Never blocks on the child.
    pub fn spawn(exe: &Path, root: &Path, terms: &[String]) -> MapJob {
        let (tx, rx) = mpsc::channel();
        let command = |program: &Path, niced: bool| {
            let mut c = Command::new(program);
            if niced {
                c.arg("-n").arg(NICENESS).arg(exe);
            }
            c.arg("-C")
                .arg(root)
                .arg("--color")
                .arg("never")
                .arg("map")
                .arg("--")
                .args(terms)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            c
        };
        // Background work at a low priority, so that on two cores a cold index never slows the
        // session's own start or typing; without `nice`, at the normal one.
        let spawned = match command(Path::new("nice"), true).spawn() {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => command(exe, false).spawn(),
            other => other,
        };
        let mut child = match spawned {
            Ok(c) => c,
            Err(e) => {
                drop(tx);
                return MapJob {
                    child: None,
                    rx,
                    done: Some(MapOutcome::Failed(format!(
                        "could not start `hone map`: {e}"
                    ))),
                    terms: terms.to_vec(),
                };
            }
        };
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let reader = std::thread::Builder::new()
            .name("hone-map".into())
            .spawn(move || {
                let mut out = String::new();
                let mut err = String::new();
                let read_ok = stdout.is_some_and(|mut s| s.read_to_string(&mut out).is_ok());
                if let Some(mut s) = stderr {
                    let _ = s.read_to_string(&mut err);
                }
                let _ = tx.send((read_ok.then_some(out), err));
            });
        if reader.is_err() {
            let _ = child.kill();
            let _ = child.wait();
        }
        MapJob {
            child: Some(child),
            rx,
            done: None,
            terms: terms.to_vec(),
        }
    }

    /// The outcome, waiting at most `timeout` for it; `None` while the child still works.
    pub fn wait(&mut self, timeout: Duration) -> Option<&MapOutcome> {
        if self.done.is_none() {
            match self.rx.recv_timeout(timeout) {
                Ok((out, err)) => {
                    // The child's exit status decides, never its words: `hone map` exits 0 with
                    // a map, or with nothing to map; anything else is a failure.
                    let ok = self.reap().is_some_and(|s| s.success());
                    self.done = Some(match out {
                        Some(out) if ok => MapOutcome::Map(out),
                        _ => MapOutcome::Failed(first_line(&err)),
                    });
                }
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => {
                    self.done = Some(MapOutcome::Failed("`hone map` ended without a map".into()));
                    let _ = self.reap();
                }
            }
        }
        self.done.as_ref()
    }

    /// Whether the outcome is in.
    pub fn is_done(&mut self) -> bool {
        self.wait(Duration::ZERO).is_some()
    }

    fn reap(&mut self) -> Option<std::process::ExitStatus> {
        self.child.take().and_then(|mut c| c.wait().ok())
    }
}

impl Drop for MapJob {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn first_line(s: &str) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("`hone map` failed");
    crate::ui::strip_controls(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_program_fails_without_blocking() {
        let mut job = MapJob::spawn(Path::new("/nonexistent/hone"), Path::new("/tmp"), &[]);
        match job.wait(Duration::from_secs(5)) {
            // Either the spawn fails or `nice` says the program is missing.
            Some(MapOutcome::Failed(why)) => {
                assert!(
                    why.contains("could not start") || why.contains("nonexistent"),
                    "{why}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn output_and_failures_of_the_child_are_told_apart() {
        // `sh -c` stands in for hone: its arguments are ignored after the script.
        let script = |s: &str| {
            let dir = tempfile::tempdir().unwrap();
            let exe = dir.path().join("fake-hone");
            std::fs::write(&exe, format!("#!/bin/sh\n{s}\n")).unwrap();
            let mut perms = std::fs::metadata(&exe).unwrap().permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&exe, perms).unwrap();
            (dir, exe)
        };
        let (_d, exe) = script("echo 'src/a.rs:'; echo '  1: fn a()'");
        let mut job = MapJob::spawn(&exe, Path::new("/tmp"), &["a".into()]);
        assert_eq!(
            job.wait(Duration::from_secs(10)),
            Some(&MapOutcome::Map("src/a.rs:\n  1: fn a()\n".into()))
        );
        let (_d, exe) = script("echo 'error: cannot open the workspace' >&2; exit 2");
        let mut job = MapJob::spawn(&exe, Path::new("/tmp"), &[]);
        assert_eq!(
            job.wait(Duration::from_secs(10)),
            Some(&MapOutcome::Failed(
                "error: cannot open the workspace".into()
            ))
        );
        // Decided by the exit status, not by what stderr says.
        let (_d, exe) = script("echo 'hone: nothing to map in /tmp' >&2; exit 0");
        let mut job = MapJob::spawn(&exe, Path::new("/tmp"), &[]);
        assert_eq!(
            job.wait(Duration::from_secs(10)),
            Some(&MapOutcome::Map(String::new()))
        );
        let (_d, exe) = script("echo 'half a map'; echo 'index failed' >&2; exit 1");
        let mut job = MapJob::spawn(&exe, Path::new("/tmp"), &[]);
        assert_eq!(
            job.wait(Duration::from_secs(10)),
            Some(&MapOutcome::Failed("index failed".into()))
        );
        let (_d, exe) = script("sleep 30");
        let mut job = MapJob::spawn(&exe, Path::new("/tmp"), &[]);
        assert_eq!(job.wait(Duration::from_millis(50)), None);
        assert!(!job.is_done());
        drop(job); // kills the child at once
    }
}
