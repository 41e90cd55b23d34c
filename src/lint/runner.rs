//! Running the lint command through [`crate::tools::shell`], the one way hone starts a shell:
//! `sh -c` in the workspace under the session's OS sandbox, stdin closed, the API key variables
//! removed from its environment, stdout and stderr captured apart (JSON readers want stdout
//! alone), killed with its whole process group at the timeout. A linter the sandbox stopped is
//! a [`LintError::Sandbox`], never re-run without it: lint-fix asks nobody.
//!
//! Unlike the model's `run_command`, the output is not cut to a few kilobytes: every diagnostic
//! counts. It is capped at [`crate::tools::STREAM_LIMIT`] per stream only so a runaway linter
//! cannot exhaust memory. Decides nothing about what the output means beyond "could it run at
//! all".

use std::path::Path;
use std::time::{Duration, Instant};

use super::LintError;
use super::preset::Preset;

/// One finished run of the lint command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintRun {
    pub command: String,
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl LintRun {
    pub fn passed(&self) -> bool {
        self.code == Some(0)
    }
}

/// What the lint command is and how to tell it could not run.
#[derive(Debug, Clone)]
pub struct LintCommand {
    pub command: String,
    pub preset: Option<&'static Preset>,
    pub timeout: Duration,
    /// Environment variables the linter must not see (the API keys).
    pub secret_vars: Vec<String>,
    /// The OS sandbox it runs under.
    pub sandbox: crate::sandbox::Policy,
}

impl LintCommand {
    /// Runs the command in `dir`. Errors: it could not start, timed out, was killed, or said
    /// in its own way that it could not run (sh's 126/127, a preset's broken codes or output).
    pub async fn run(&self, dir: &Path) -> Result<LintRun, LintError> {
        let started = Instant::now();
        let spawn_error = |source| LintError::Spawn {
            command: self.command.clone(),
            source,
        };
        let sandboxed = |blocked| LintError::Sandbox {
            command: self.command.clone(),
            blocked,
        };
        self.sandbox.check().map_err(sandboxed)?;
        let (secrets, sandbox) = (&self.secret_vars, &self.sandbox);
        let done = crate::tools::shell(dir, &self.command, self.timeout, secrets, sandbox, None)
            .await
            .map_err(spawn_error)?
            .ok_or_else(|| LintError::Timeout {
                command: self.command.clone(),
                after: self.timeout,
            })?;
        let (status, out, err) = (done.status, done.stdout, done.stderr);
        let run = LintRun {
            command: self.command.clone(),
            code: status.code(),
            stdout: String::from_utf8_lossy(&out).into_owned(),
            stderr: String::from_utf8_lossy(&err).into_owned(),
            elapsed: started.elapsed(),
        };
        self.check(run)
    }

    /// Tells "found problems" from "could not run" (the sandbox stopping it included).
    fn check(&self, run: LintRun) -> Result<LintRun, LintError> {
        let output = format!("{}\n{}", run.stdout, run.stderr);
        if let Some(blocked) = self.sandbox.detect(run.code, &output) {
            return Err(LintError::Sandbox {
                command: self.command.clone(),
                blocked,
            });
        }
        let broken = |why: String| LintError::Broken {
            command: self.command.clone(),
            why,
            output: tail(&run.stdout, &run.stderr),
            install: self.preset.map(|p| p.install.to_string()),
        };
        match run.code {
            None => return Err(broken("it was killed by a signal".into())),
            Some(126) => return Err(broken("sh could not execute it (exit 126)".into())),
            Some(127) => return Err(broken("the program was not found (exit 127)".into())),
            Some(c) if self.preset.is_some_and(|p| p.broken_codes.contains(&c)) => {
                return Err(broken(format!(
                    "exit code {c} means the linter itself failed"
                )));
            }
            Some(_) => {}
        }
        if !run.passed()
            && let Some(p) = self.preset
            && let Some(hit) = p
                .broken_output
                .iter()
                .find(|s| run.stdout.contains(**s) || run.stderr.contains(**s))
        {
            return Err(broken(format!("it said \"{hit}\"")));
        }
        Ok(run)
    }
}

/// The last lines of output, for an error message.
fn tail(stdout: &str, stderr: &str) -> String {
    let all = format!("{stdout}\n{stderr}");
    let text = crate::sanitize::strip_controls(&all);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(8)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(c: &str, preset: Option<&'static Preset>) -> LintCommand {
        LintCommand {
            command: c.to_string(),
            preset,
            timeout: Duration::from_secs(20),
            secret_vars: vec!["HONE_TEST_SECRET".into()],
            // The runner's own behaviour; the sandboxed lint command is tested end to end,
            // where hone's executable is the wrapper.
            sandbox: crate::sandbox::Policy::off(Path::new("/")),
        }
    }

    #[tokio::test]
    async fn captures_streams_apart_and_the_exit_code() {
        let d = tempfile::tempdir().unwrap();
        let r = cmd("echo out; echo err >&2; exit 1", None)
            .run(d.path())
            .await
            .unwrap();
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (Some(1), "out\n", "err\n")
        );
        assert!(!r.passed());
        let ok = cmd("true", None).run(d.path()).await.unwrap();
        assert!(ok.passed());
    }

    #[tokio::test]
    async fn missing_programs_timeouts_and_broken_codes_are_errors() {
        let d = tempfile::tempdir().unwrap();
        let e = cmd("no-such-linter-here --check", None)
            .run(d.path())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not found"), "{e}");
        let mut slow = cmd("sleep 30", None);
        slow.timeout = Duration::from_millis(200);
        let start = Instant::now();
        let e = slow.run(d.path()).await.unwrap_err();
        assert!(matches!(e, LintError::Timeout { .. }), "{e}");
        assert!(start.elapsed() < Duration::from_secs(10));
        let ruff = super::super::preset::find("ruff");
        let e = cmd("echo 'bad config' >&2; exit 2", ruff)
            .run(d.path())
            .await
            .unwrap_err();
        assert!(e.to_string().contains("exit code 2"), "{e}");
        let LintError::Broken {
            output, install, ..
        } = e
        else {
            panic!("{e:?}")
        };
        assert_eq!(output, "bad config");
        assert_eq!(install.as_deref(), Some("pip install ruff"));
        // Without a preset, exit 2 is just a failing lint.
        assert!(cmd("exit 2", None).run(d.path()).await.is_ok());
        let eslint = super::super::preset::find("eslint");
        let e = cmd(
            "echo 'npm error npx canceled due to missing packages and no YES option' >&2; exit 1",
            eslint,
        )
        .run(d.path())
        .await
        .unwrap_err();
        assert!(e.to_string().contains("could not run"), "{e}");
    }

    /// Regression: `kill -KILL -PGID` without `--` is read by procps-ng 4.0 as a kill of group
    /// 1..9 (group 1 meaning every process); the timeout must kill exactly the linter's group.
    #[tokio::test]
    async fn a_timeout_kills_the_linters_whole_group_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let mut c = cmd("sleep 30 & echo $! > bg.pid; wait", None);
        c.timeout = Duration::from_millis(500);
        let e = c.run(d.path()).await.unwrap_err();
        assert!(matches!(e, LintError::Timeout { .. }), "{e}");
        let pid = std::fs::read_to_string(d.path().join("bg.pid")).unwrap();
        let proc = std::path::PathBuf::from(format!("/proc/{}", pid.trim()));
        let start = Instant::now();
        while proc.exists() && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let zombie = std::fs::read_to_string(proc.join("stat"))
            .map(|s| s.contains(") Z "))
            .unwrap_or(true);
        assert!(zombie, "the linter's background child survived the timeout");
    }

    #[tokio::test]
    async fn secret_variables_are_hidden_from_the_linter() {
        // HOME stands in for a key variable: it is set in any test environment.
        assert!(std::env::var_os("HOME").is_some());
        let d = tempfile::tempdir().unwrap();
        let mut c = cmd("echo \"[${HOME:-unset}]\"", None);
        c.secret_vars = vec!["HOME".into()];
        let r = c.run(d.path()).await.unwrap();
        assert_eq!(r.stdout, "[unset]\n");
    }
}
