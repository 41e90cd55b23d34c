//! `hone lint-fix --cmd <linter|command> [paths…]`: run a linter, have the model fix what it
//! reports under a strict policy, re-run it, repeat up to `--max-rounds`; for CI and pre-commit
//! hooks, where nobody is there to confirm anything.
//!
//! This front end resolves the arguments, runs the first lint (a passing linter exits 0 before
//! any model or key is needed), builds the agent without `run_command`, drives
//! [`lint::Fixer`], and writes the outputs: plain log lines (stdout; stderr under `--dry-run`,
//! where stdout is the patch), `--patch-out`, `--report`, and under `GITHUB_ACTIONS=true` the
//! step summary and `::warning` annotations (written with the log). It sends the model the
//! project's `AGENTS.md` instructions but no repository map: each diagnostic comes with its
//! source lines, and the read and search tools remain. It holds no loop logic: that is
//! `crate::lint`.
#![allow(clippy::print_stderr)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::common;
use crate::agent::{self, Agent, Event};
use crate::cli::{EditFormatArg, GlobalArgs};
use crate::edit::{Journal, Workspace};
use crate::exit::{Exit, Failure};
use crate::lint::report;
use crate::lint::{
    End, Fixer, Interrupt, Lint, LintCommand, LintError, LintPolicy, Log, Progress, Summary, preset,
};
use outputs::Outputs;

/// Run a linter and let the model fix what it reports, in rounds, under a strict policy.
///
/// Edits are allowed only to files the linter names, the PATHS given and --allow-path globs; the
/// model runs no command (hone runs the linter). A round that makes the linter report more is
/// undone. Exit 0: the linter passes at the end; 1: diagnostics remain; 3: the provider failed
/// (the round in progress undone); 4: the lint command could not run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lint command: a preset (clippy, rustfmt, ruff, eslint, flake8, mypy, golangci-lint,
    /// shellcheck) or any command line, run with `sh -c` in the workspace. It passes when it
    /// exits 0.
    #[arg(long = "cmd", value_name = "LINTER|COMMAND")]
    pub cmd: String,

    /// Paths the model may edit besides the files the linter names; a preset lints only these.
    pub paths: Vec<PathBuf>,

    /// Rounds of fixing and re-linting before giving up.
    #[arg(long, default_value_t = 3, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub max_rounds: u32,

    /// Also allow edits to paths matching GLOB, relative to the workspace (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub allow_path: Vec<String>,

    /// Ask before each edit the policy allows (needs a terminal). Without it, never ask.
    #[arg(long)]
    pub interactive: bool,

    /// Change nothing: work on a scratch copy, run the linter there, print the patch to stdout.
    #[arg(long)]
    pub dry_run: bool,

    /// Write the patch of every change to FILE (`git apply` takes it).
    #[arg(long, value_name = "FILE")]
    pub patch_out: Option<PathBuf>,

    /// Write a JSON report to FILE: rounds, diagnostics before and after per rule, files
    /// changed, usage, cost, duration.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,

    /// Seconds each run of the lint command may take.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    pub timeout: u64,

    /// Requests to the model per round.
    #[arg(long, value_name = "N")]
    pub max_turns: Option<u32>,

    /// How the model writes edits (tool calls, or SEARCH/REPLACE blocks for models without tools).
    #[arg(long, value_enum, default_value_t = EditFormatArg::Tools)]
    pub edit_format: EditFormatArg,
}

/// The log: plain lines, one per step, to stdout (stderr when stdout carries the patch).
struct Out {
    to_stderr: bool,
    answer: crate::agent::Answer,
    /// `--interactive`: show each proposed diff on stderr before the question (with colour or not).
    diffs: Option<bool>,
}

impl Out {
    fn line(&mut self, text: &str) {
        let line = format!("lint-fix: {text}\n");
        // A closed pipe must not stop the run; the outcome is in the exit code and the report.
        if self.to_stderr {
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
        } else {
            let _ = std::io::stdout().lock().write_all(line.as_bytes());
        }
    }

    fn raw(&mut self, text: &str) {
        if self.to_stderr {
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
        } else {
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
    }
}

impl Log for Out {
    fn progress(&mut self, p: Progress<'_>) {
        match &p {
            Progress::Agent(Event::EditProposed { plan, .. }) => {
                if let Some(color) = self.diffs {
                    let opts = crate::edit::PreviewOptions {
                        context: 3,
                        words: color,
                    };
                    let text = crate::ui::preview::render(&plan.preview(&opts), color);
                    let _ = std::io::stderr().lock().write_all(text.as_bytes());
                }
            }
            Progress::Agent(e @ Event::Finished { .. }) => {
                self.answer.push(e);
                let answer = std::mem::take(&mut self.answer).text();
                let answer = crate::ui::strip_controls(&answer);
                for l in answer.lines().filter(|l| !l.trim().is_empty()).take(20) {
                    self.line(&format!("  answer: {l}"));
                }
            }
            Progress::Agent(e) => self.answer.push(e),
            _ => {}
        }
        let text = match &p {
            Progress::Agent(e) => agent_line(e),
            other => report::log_line(other),
        };
        if let Some(text) = text {
            self.line(&text);
        }
    }
}

/// One plain log line for an agent event (a CI log: words, no symbols or colour).
fn agent_line(e: &Event) -> Option<String> {
    let clean = |t: &str| -> String {
        let first = crate::ui::strip_controls(t.lines().next().unwrap_or_default());
        first.chars().take(200).collect()
    };
    Some(match e {
        Event::ToolCall { description, .. } => {
            format!("  model: {}", crate::ui::escape_controls(description))
        }
        Event::EditApplied {
            files,
            added,
            removed,
            ..
        } => format!(
            "  applied: {} (+{added} -{removed})",
            crate::ui::escape_controls(&files.join(", "))
        ),
        Event::ToolResult { reply, .. } => match &reply.outcome {
            crate::tools::Outcome::Done => return None,
            crate::tools::Outcome::Refused(by) => {
                format!("  refused: {}", crate::ui::render::refusal(by))
            }
            _ => format!("  failed: {}", clean(&reply.text)),
        },
        Event::BlocksFailed { reply } => format!("  failed: {}", clean(&reply.text)),
        Event::Retrying {
            attempt,
            delay,
            reason,
        } => format!(
            "  provider: {} — retry {attempt} in {:.1} s",
            clean(reason),
            delay.as_secs_f64()
        ),
        Event::TurnLimit { limit } => {
            format!("  note: stopped after {limit} requests without a final answer")
        }
        other => format!("  note: {}", crate::ui::render::notice(other)?),
    })
}

/// What `hone lint-fix` resolved before the first lint.
struct Setup {
    config: crate::config::Config,
    /// The paths given, relative to the workspace.
    paths: Vec<String>,
    policy: LintPolicy,
    /// Under `--dry-run`, the copy the run works on; dropping it removes it.
    scratch: Option<common::Scratch>,
    ws: Workspace,
    lint: LintCommand,
}

pub async fn run(global: &GlobalArgs, args: Args) -> Result<Exit, Failure> {
    let started = Instant::now();
    let Setup {
        config,
        paths,
        mut policy,
        scratch: _scratch,
        ws,
        lint: lint_cmd,
    } = set_up(global, &args)?;
    let color_err = global.color.enabled(crate::ui::Stream::Stderr);
    let mut out = Out {
        to_stderr: args.dry_run,
        answer: crate::agent::Answer::default(),
        diffs: args.interactive.then_some(color_err),
    };
    let mut outputs = Outputs {
        args: &args,
        command: &lint_cmd.command,
        preset: lint_cmd.preset.map(|p| p.name),
        started,
    };

    out.line(&format!("running `{}`", lint_cmd.command));
    let first = match Lint::run(&lint_cmd, &ws).await {
        Ok(l) => l,
        Err(e) => {
            // The error itself, with its output and hints, is the report on stderr.
            out.line("stopped: the lint command could not run (exit 4; why is on stderr)");
            outputs.write(&mut out, None, ("lint_error", lint_exit(&e)), &[], "", None)?;
            return Err(lint_failure(e));
        }
    };
    out.line(&report::lint_summary(&first));
    if first.passed() {
        let ending = (End::Clean.label(), Exit::Success);
        outputs.write(&mut out, Some((&first, &first, &[])), ending, &[], "", None)?;
        out.line("done: the linter passes; nothing to fix");
        return Ok(Exit::Success);
    }

    let mut agent = agent_for(&config, &args, &ws, &first)?;
    if args.interactive {
        policy = policy.with_person(Box::new(crate::ui::ask::Ask::new(color_err)));
    }
    let journal = Journal::open(&ws).map_err(|e| Failure::new(Exit::Failed, e))?;
    let fixer = Fixer {
        lint: &lint_cmd,
        ws: &ws,
        journal: &journal,
        max_rounds: args.max_rounds,
        scope: scope_text(&paths, &args.allow_path),
        interrupt: Interrupt::CtrlC,
    };
    let summary = fixer
        .fix(&mut agent, &mut policy, first.clone(), &mut out)
        .await;
    let (patch, changed) =
        report::patch(policy.originals(), ws.root()).map_err(|e| Failure::new(Exit::Failed, e))?;
    outputs.write(
        &mut out,
        Some((&first, &summary.last, &summary.rounds)),
        (summary.end.label(), exit_of(&summary.end)),
        &changed,
        &patch,
        Some(&agent),
    )?;
    conclude(&mut out, summary, changed.len())
}

/// Everything before the first lint: the settings, `--interactive` refused without a terminal,
/// the paths given (inside the workspace), the lint command (a preset's or the one given), the
/// edit policy, and under `--dry-run` the scratch copy the run works on.
fn set_up(global: &GlobalArgs, args: &Args) -> Result<Setup, Failure> {
    let mut config = common::load_config(&global.overrides())?;
    if args.interactive && !crate::ui::interactive() {
        return Err(Failure::usage("--interactive needs a terminal to ask on")
            .hint("drop --interactive: lint-fix applies what its policy allows without asking"));
    }
    let original_root = config.workspace.clone();
    let paths = relative_paths(&original_root, &args.paths)?;
    let preset = preset::find(&args.cmd);
    let command = match preset {
        Some(p) => p.command_for(&paths),
        None => args.cmd.trim().to_string(),
    };
    if command.is_empty() {
        return Err(Failure::usage("--cmd is empty").hint(format!(
            "name a preset ({}) or a command line",
            preset::names()
        )));
    }
    let policy = LintPolicy::new(&paths, &args.allow_path).map_err(lint_failure)?;
    let scratch = if args.dry_run {
        Some(common::scratch_copy(&original_root)?)
    } else {
        None
    };
    if let Some(s) = &scratch {
        link_installed_tools(&original_root, s.path());
        config.workspace = s.path().to_path_buf();
    }
    let ws = Workspace::new(&config.workspace).map_err(|e| Failure::new(Exit::Usage, e))?;
    let lint = LintCommand {
        command,
        preset,
        timeout: Duration::from_secs(args.timeout.max(1)),
        secret_vars: config.secret_env_vars(),
        sandbox: crate::sandbox::Policy::new(&config.sandbox, &config.workspace),
    };
    if let Some(line) = common::sandbox_notice(&lint.sandbox, global.verbose) {
        eprintln!("hone: {line}");
    }
    Ok(Setup {
        config,
        paths,
        policy,
        scratch,
        ws,
        lint,
    })
}

/// The agent that fixes: the project's instructions for the files `first` names, no repository
/// map, and no `run_command` (hone runs the linter).
fn agent_for(
    config: &crate::config::Config,
    args: &Args,
    ws: &Workspace,
    first: &Lint,
) -> Result<Agent, Failure> {
    let named: Vec<PathBuf> = first
        .parsed
        .files()
        .into_iter()
        .map(PathBuf::from)
        .collect();
    let instructions = crate::context::load_instructions(ws.root(), &named);
    let opts = agent::Options {
        edit_format: args.edit_format.into(),
        max_turns: args.max_turns.unwrap_or(config.max_turns),
        instructions: (!instructions.is_empty()).then(|| instructions.text()),
        without: Some(crate::tools::Effect::Command),
        kind: agent::SessionKind::LintFix,
        ..agent::Options::default()
    };
    Agent::new(config, opts).map_err(common::agent_failure)
}

/// The last log line and the exit code for how the rounds ended (`files` changed), or the
/// error that ended them.
fn conclude(out: &mut Out, summary: Summary, files: usize) -> Result<Exit, Failure> {
    let exit = match summary.end {
        End::Clean => {
            out.line(&format!("done: the linter passes; {files} file{} changed", plural(files)));
            Exit::Success
        }
        End::Remaining | End::GaveUp => {
            let n = summary.last.count();
            let why = if matches!(summary.end, End::GaveUp) {
                "the model made no edit"
            } else {
                "the rounds ran out"
            };
            let remain = if n == 1 {
                "1 diagnostic remains".to_string()
            } else {
                format!("{n} diagnostics remain")
            };
            out.line(&format!(
                "done: {remain} ({why}); {files} file{} changed",
                plural(files)
            ));
            Exit::Failed
        }
        End::Interrupted => {
            out.line("interrupted; the round in progress was undone");
            Exit::Interrupted
        }
        End::Agent(e) => return Err(common::agent_failure(e).hint(
            "the round in progress was undone; earlier rounds' edits are kept (`hone undo` reverts them one batch at a time)",
        )),
        End::Lint(e) => return Err(lint_failure(e)),
    };
    Ok(exit)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The exit code an ending means (see `hone --help`).
fn exit_of(end: &End) -> Exit {
    match end {
        End::Clean => Exit::Success,
        End::Remaining | End::GaveUp => Exit::Failed,
        End::Agent(e) => match e {
            agent::AgentError::Provider(p) => crate::exit::provider_exit(p),
            _ => Exit::Failed,
        },
        End::Lint(e) => lint_exit(e),
        End::Interrupted => Exit::Interrupted,
    }
}

fn lint_exit(e: &LintError) -> Exit {
    match e {
        LintError::Spawn { .. }
        | LintError::Timeout { .. }
        | LintError::Broken { .. }
        | LintError::Sandbox { .. } => Exit::LintCommand,
        LintError::BadGlob { .. } => Exit::Usage,
        LintError::Rollback(_) | LintError::Patch { .. } => Exit::Failed,
    }
}

/// What the person can do about a lint-fix error (the flags are the front end's to name).
fn lint_hints(e: &LintError) -> Vec<String> {
    match e {
        LintError::Spawn { .. } => vec!["check that `sh` is available".into()],
        LintError::Timeout { .. } => vec!["raise the limit with --timeout SECONDS".into()],
        LintError::Broken { install, .. } => {
            let mut h =
                vec!["run the lint command yourself in the workspace to see why it fails".into()];
            if let Some(i) = install {
                h.push(format!("to install the linter: {i}"));
            }
            h
        }
        LintError::Sandbox { .. } => vec![
            "the sandbox's writable paths and network are set by [sandbox] in hone's config \
             file or --sandbox (read-only, workspace-write, off)"
                .into(),
        ],
        LintError::BadGlob { .. } => {
            vec!["--allow-path globs are relative to the workspace, e.g. `src/**/*.py`".into()]
        }
        LintError::Patch { .. } => vec![],
        LintError::Rollback(_) => {
            vec!["`hone undo` reverts hone's batches one at a time; check `git status`".into()]
        }
    }
}

fn lint_failure(e: LintError) -> Failure {
    let hints = lint_hints(&e);
    let mut f = Failure::new(lint_exit(&e), e);
    f.hints = hints;
    f
}

/// Directories of installed tools the scratch copy leaves out (they are git-ignored) but a
/// linter needs to run there: `npx --no-install eslint` finds nothing without `node_modules`.
const TOOL_DIRS: [&str; 3] = ["node_modules", ".venv", "venv"];

/// Links each of [`TOOL_DIRS`] present in the workspace into the dry run's scratch copy. The
/// links point outside the scratch directory, so the workspace jail keeps the model's edits out
/// of them. Best effort: a linter that then cannot run says so itself (exit 4).
fn link_installed_tools(original: &Path, scratch: &Path) {
    for name in TOOL_DIRS {
        let (from, to) = (original.join(name), scratch.join(name));
        if from.is_dir() && !to.exists() {
            let _ = std::os::unix::fs::symlink(&from, &to);
        }
    }
}

/// The paths given, relative to the workspace (`.` for the workspace itself).
fn relative_paths(root: &Path, paths: &[PathBuf]) -> Result<Vec<String>, Failure> {
    let croot = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    paths
        .iter()
        .map(|p| {
            let full = if p.is_absolute() {
                p.clone()
            } else {
                root.join(p)
            };
            let full = full.canonicalize().map_err(|e| {
                Failure::usage(format!("cannot use the path {}: {e}", p.display()))
                    .hint("name files or directories inside the workspace")
            })?;
            let rel = full.strip_prefix(&croot).map_err(|_| {
                Failure::usage(format!(
                    "{} is outside the workspace {}",
                    p.display(),
                    root.display()
                ))
            })?;
            let rel = rel.to_string_lossy().replace('\\', "/");
            Ok(if rel.is_empty() { ".".to_string() } else { rel })
        })
        .collect()
}

/// How the paths and globs widen the edit scope, in the words of the round message.
fn scope_text(paths: &[String], globs: &[String]) -> String {
    let mut parts = Vec::new();
    if !paths.is_empty() {
        parts.push(format!("and anything under {}", paths.join(", ")));
    }
    if !globs.is_empty() {
        parts.push(format!("and paths matching {}", globs.join(", ")));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(" "))
    }
}

mod outputs;
#[cfg(test)]
mod tests;
