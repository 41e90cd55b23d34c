//! `run_command`: one shell command in the workspace, with a timeout and capped output.
//!
//! Whether a command may run is decided before this is called (the agent asks the approval
//! policy). Here the command gets a clean run: under the session's OS sandbox
//! ([`crate::sandbox::Policy`]: hone's own executable restricts itself, then becomes `sh`), the
//! API key variables removed from its environment (a command the model wrote must not be able
//! to read the key), stdin closed, the process group killed on timeout or cancellation, and the
//! output the model receives capped to its head and tail with a notice of what was cut.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;
use tokio::sync::mpsc::UnboundedSender;

use crate::prompts::{Text, text};
use crate::sandbox::{Blocked, Policy};

/// A piece of a running command's output, as it arrives (for a front end to show live).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputChunk {
    /// From stderr rather than stdout.
    pub stderr: bool,
    /// The bytes read, as lossy UTF-8 (a character cut by the read shows as U+FFFD).
    pub text: String,
}

/// The result of a command, as reported to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// The exit code, `None` when killed by a signal or the timeout.
    pub code: Option<i32>,
    pub timed_out: bool,
    /// stdout and stderr, interleaved as read, capped.
    pub output: String,
    /// What the sandbox stopped, as far as the output tells (`Policy::detect`).
    pub blocked: Option<Blocked>,
}

impl CommandOutput {
    /// The text sent back to the model.
    pub fn to_tool_result(&self, timeout: Duration) -> String {
        let status = match (self.timed_out, self.code) {
            (true, _) => text(
                Text::CommandTimedOut,
                &[("secs", &timeout.as_secs().to_string())],
            ),
            (false, Some(c)) => text(Text::CommandExit, &[("code", &c.to_string())]),
            (false, None) => text(Text::CommandSignal, &[]),
        };
        if self.output.is_empty() {
            text(Text::CommandNoOutput, &[("status", &status)])
        } else {
            format!("{status}\n{}", self.output)
        }
    }
}

/// Bytes of output kept: the head and the tail (errors tend to be at the end).
const HEAD: usize = 4 * 1024;
const TAIL: usize = 12 * 1024;

/// A shell command that finished before its timeout.
#[derive(Debug)]
pub struct Finished {
    pub status: std::process::ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Bytes read from each stream at most, so a runaway command cannot exhaust memory; the rest
/// is drained unread.
pub const STREAM_LIMIT: u64 = 32 * 1024 * 1024;

/// Runs `command` with `sh -c` in `dir` under `sandbox`: stdin closed, `secret_vars` removed
/// from its environment, stdout and stderr captured apart (up to [`STREAM_LIMIT`] each), in its
/// own process group. `Ok(None)` when it outlived `timeout`; the whole group is then killed, as
/// it is when this future is dropped (Ctrl-C cancelling a run), so no child outlives the
/// command. The one way hone starts a shell: the model's `run_command` and the lint command both
/// use it. With `live`, each piece of output is also sent there as it is read. A sandbox this
/// system cannot give is an error (`PermissionDenied`): callers check [`Policy::check`] first
/// to say so in their own terms.
pub async fn shell(
    dir: &Path,
    command: &str,
    timeout: Duration,
    secret_vars: &[String],
    sandbox: &Policy,
    live: Option<UnboundedSender<OutputChunk>>,
) -> std::io::Result<Option<Finished>> {
    if let Err(blocked) = sandbox.check() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            blocked.to_string(),
        ));
    }
    let argv = sandbox.argv(command);
    let Some((program, args)) = argv.split_first() else {
        return Err(std::io::Error::other("no program"));
    };
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .process_group(0);
    for v in secret_vars {
        cmd.env_remove(v);
    }
    let mut child = cmd.spawn()?;
    let mut guard = GroupGuard(child.id().map(crate::crash::track));
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let collect = async {
        let (out, err) = tokio::join!(
            read_limited(stdout, live.clone(), false),
            read_limited(stderr, live, true)
        );
        (out, err, child.wait().await)
    };
    match tokio::time::timeout(timeout, collect).await {
        Ok((stdout, stderr, status)) => {
            // Finished: a child it started in the background and detached from its output
            // is left alone, as a shell would.
            guard.0 = None;
            Ok(Some(Finished {
                status: status?,
                stdout,
                stderr,
            }))
        }
        Err(_) => {
            drop(guard);
            Ok(None)
        }
    }
}

async fn read_limited<R: tokio::io::AsyncRead + Unpin>(
    stream: Option<R>,
    live: Option<UnboundedSender<OutputChunk>>,
    stderr: bool,
) -> Vec<u8> {
    let mut buf = Vec::new();
    let Some(mut s) = stream else {
        return buf;
    };
    let mut chunk = [0u8; 8192];
    while (buf.len() as u64) < STREAM_LIMIT {
        let want = chunk
            .len()
            .min(usize::try_from(STREAM_LIMIT - buf.len() as u64).unwrap_or(chunk.len()));
        match s.read(&mut chunk[..want]).await {
            Ok(0) | Err(_) => return buf,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if let Some(tx) = &live {
                    let _ = tx.send(OutputChunk {
                        stderr,
                        text: String::from_utf8_lossy(&chunk[..n]).into_owned(),
                    });
                }
            }
        }
    }
    // Drain what is over the limit, so the command is not blocked writing to a full pipe.
    let _ = tokio::io::copy(&mut s, &mut tokio::io::sink()).await;
    buf
}

/// Runs the model's `command` (see [`shell`]) and reports it as the model sees it: stdout then
/// stderr, capped to head and tail, and what the sandbox stopped.
pub async fn run_command(
    dir: &Path,
    command: &str,
    timeout: Duration,
    secret_vars: &[String],
    sandbox: &Policy,
    live: Option<UnboundedSender<OutputChunk>>,
) -> std::io::Result<CommandOutput> {
    let Some(done) = shell(dir, command, timeout, secret_vars, sandbox, live).await? else {
        return Ok(CommandOutput {
            code: None,
            timed_out: true,
            output: String::new(),
            blocked: None,
        });
    };
    let mut all = done.stdout;
    if !done.stderr.is_empty() {
        if !all.is_empty() && !all.ends_with(b"\n") {
            all.push(b'\n');
        }
        all.extend_from_slice(&done.stderr);
    }
    let output = cap(&all);
    let code = done.status.code();
    Ok(CommandOutput {
        code,
        timed_out: false,
        blocked: sandbox.detect(code, &output),
        output,
    })
}

/// A running command's process group: killed when this is dropped while armed, and by the
/// crash hook while it lives (`crate::crash`: an aborting process runs no destructors).
struct GroupGuard(Option<crate::crash::Tracked>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(tracked) = self.0.take() {
            crate::crash::kill_group(Some(tracked.pgid()));
        }
    }
}

/// Keeps the head and tail of the output, as lossy UTF-8 without escape sequences.
pub fn cap(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let text = crate::sanitize::strip_controls(&text);
    if text.len() <= HEAD + TAIL {
        return text;
    }
    let head_end = floor_char(&text, HEAD);
    let tail_start = ceil_char(&text, text.len() - TAIL);
    let cut = text[head_end..tail_start].lines().count().to_string();
    format!(
        "{}\n{}\n{}",
        &text[..head_end],
        crate::prompts::text(Text::OutputCut, &[("lines", &cut)]),
        &text[tail_start..]
    )
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The runner's own behaviour, without a sandbox: the wrapper is hone's executable, which a
    /// unit test's binary is not (the sandboxed runs are `tests/suite/sandbox.rs`).
    fn off(dir: &Path) -> Policy {
        Policy::off(dir)
    }

    #[tokio::test]
    async fn runs_and_reports_exit_code_and_both_streams() {
        let dir = tempfile::tempdir().unwrap();
        let out = run_command(
            dir.path(),
            "echo out; echo err >&2; exit 3",
            Duration::from_secs(10),
            &[],
            &off(dir.path()),
            None,
        )
        .await
        .unwrap();
        assert_eq!(out.code, Some(3));
        assert_eq!(out.output, "out\nerr\n");
        assert_eq!(
            out.to_tool_result(Duration::from_secs(1)),
            "exit code 3\nout\nerr\n"
        );
    }

    #[tokio::test]
    async fn output_arrives_live_as_it_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let policy = off(dir.path());
        let run = run_command(
            dir.path(),
            "echo first; sleep 0.3; echo second >&2",
            Duration::from_secs(10),
            &[],
            &policy,
            Some(tx),
        );
        tokio::pin!(run);
        // The first line is seen while the command still runs.
        let first = tokio::select! {
            c = rx.recv() => c.unwrap(),
            _ = &mut run => panic!("the command ended before its first output was seen"),
        };
        assert_eq!(
            first,
            OutputChunk {
                stderr: false,
                text: "first\n".into()
            }
        );
        let out = run.await.unwrap();
        assert_eq!(out.output, "first\nsecond\n");
        assert_eq!(rx.recv().await.unwrap().text, "second\n");
    }

    #[tokio::test]
    async fn times_out_and_kills() {
        let dir = tempfile::tempdir().unwrap();
        let start = std::time::Instant::now();
        let out = run_command(
            dir.path(),
            "sleep 30",
            Duration::from_millis(200),
            &[],
            &off(dir.path()),
            None,
        )
        .await
        .unwrap();
        assert!(out.timed_out);
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(
            out.to_tool_result(Duration::from_secs(1))
                .starts_with("timed out")
        );
    }

    #[tokio::test]
    async fn secret_variables_are_removed() {
        // HOME stands in for a key variable: it is set in any test environment, so the
        // assertion fails if removal does not happen.
        assert!(std::env::var_os("HOME").is_some());
        let dir = tempfile::tempdir().unwrap();
        let cmd = "echo \"[${HOME:-unset}][${PATH:+path}]\"";
        let out = run_command(
            dir.path(),
            cmd,
            Duration::from_secs(10),
            &["HOME".to_string()],
            &off(dir.path()),
            None,
        )
        .await
        .unwrap();
        assert_eq!(out.output, "[unset][path]\n");
    }

    #[tokio::test]
    async fn a_cancelled_command_takes_its_children_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("child.pid");
        let cmd = format!("sleep 30 & echo $! > {}; wait", marker.display());
        let policy = off(dir.path());
        let run = run_command(
            dir.path(),
            &cmd,
            Duration::from_secs(60),
            &[],
            &policy,
            None,
        );
        // Drop the future once the background child exists.
        let _ = tokio::time::timeout(Duration::from_millis(500), run).await;
        let pid = std::fs::read_to_string(&marker).unwrap().trim().to_string();
        std::thread::sleep(Duration::from_millis(100));
        let pid: i32 = pid.parse().unwrap();
        assert!(pid > 1);
        // Gone, or a zombie waiting for a reaper: either way no longer running.
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        let state = stat.rsplit(") ").next().and_then(|r| r.chars().next());
        let alive = !stat.is_empty() && state != Some('Z');
        assert!(!alive, "the child {pid} outlived the cancelled command");
    }

    /// A sandbox the system cannot give is refused before anything starts.
    #[tokio::test]
    async fn a_sandbox_that_cannot_be_had_runs_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut policy = Policy::new(&crate::sandbox::Settings::default(), dir.path());
        policy.enforcement.files = crate::sandbox::Layer::Missing {
            why: "no Landlock here".into(),
        };
        let marker = dir.path().join("ran");
        let cmd = format!("touch {}", marker.display());
        let e = shell(
            dir.path(),
            &cmd,
            Duration::from_secs(10),
            &[],
            &policy,
            None,
        )
        .await
        .unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::PermissionDenied);
        assert!(e.to_string().contains("no Landlock here"), "{e}");
        assert!(!marker.exists());
    }

    #[test]
    fn cap_keeps_head_and_tail() {
        let big: String = (0..10_000).map(|i| format!("line {i}\n")).collect();
        let c = cap(big.as_bytes());
        assert!(c.starts_with("line 0\n"));
        assert!(c.ends_with("line 9999\n"));
        assert!(c.contains("lines cut"));
        assert!(c.len() < HEAD + TAIL + 100);
        assert_eq!(cap(b"\x1b[31mred\x1b[0m"), "red");
    }
}
