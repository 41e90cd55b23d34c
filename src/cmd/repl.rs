//! `hone` with no subcommand: the interactive session. Loads the settings, starts (or resumes,
//! with `--continue` / `--resume [ID]`) the agent with the project's instructions, starts the
//! repository index on a background thread, and hands everything to [`crate::repl::Repl`].
//!
//! Nothing on the way to the prompt scans the repository: a `hone map` child makes the map, which
//! is queued for a message once it is ready. Exit codes: 0 when the person leaves, 2 for usage or configuration errors
//! (no key, no such session), 1 when the terminal cannot be driven.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use super::common;
use crate::agent::transcript;
use crate::agent::{self, Agent, AgentError, SessionKind};
use crate::cli::GlobalArgs;
use crate::edit::Workspace;
use crate::exit::{Exit, Failure};
use crate::provider::Role;
use crate::repl::map_job::MapJob;
use crate::repl::{Repl, Setup};

/// Flags of the interactive session (on the top-level command).
#[derive(Debug, Clone, Default, clap::Args)]
#[group(id = "session")]
#[command(next_help_heading = "Options for the interactive session")]
pub struct Args {
    /// Resume the latest interactive session of this workspace (`hone fix` and `hone -p` runs
    /// are never picked; `--resume` lists them apart).
    #[arg(short = 'c', long = "continue", conflicts_with = "resume")]
    pub continue_latest: bool,

    /// Resume a saved session of this workspace by its id (or the start of it); without an id,
    /// list the saved sessions to pick one.
    #[arg(
        short = 'r',
        long,
        value_name = "ID",
        num_args = 0..=1,
        default_missing_value = ""
    )]
    pub resume: Option<String>,
}

/// Runs the interactive session.
pub fn run(global: &GlobalArgs, args: &Args) -> Result<Exit, Failure> {
    let overrides = global.overrides();
    let config = common::load_config_trusting(&overrides, crate::ui::interactive())?;
    let permissions = common::permissions(global, &config)?;
    let bypass_allowed = common::bypass_allowed(global, &config);
    let ws = Workspace::new(&config.workspace).map_err(|e| Failure::new(Exit::Usage, e))?;
    let root = ws.root().to_path_buf();
    // Started first: the map is made (by a `hone map` child, whose index memory never joins the
    // session's) while the rest starts up, and never holds up the prompt.
    let map = std::env::current_exe()
        .ok()
        .map(|exe| MapJob::spawn(&exe, &root, &[]));

    let instructions = crate::context::load_instructions(&root, &[]);
    if let Some(notice) = instructions.notice() {
        eprintln!("hone: {notice}");
    }
    let opts = agent::Options {
        max_turns: config.max_turns,
        instructions: (!instructions.is_empty()).then(|| instructions.text()),
        kind: SessionKind::Repl,
        ..agent::Options::default()
    };
    let resume: Option<Option<String>> = match (&args.resume, args.continue_latest) {
        (Some(id), _) if id.is_empty() => Some(Some(pick_session(&root)?)),
        (Some(id), _) => Some(Some(id.clone())),
        (None, true) => Some(None),
        (None, false) => None,
    };
    let agent = match &resume {
        None => Agent::new(&config, opts),
        Some(id) => Agent::resume(&config, opts, id.as_deref()),
    }
    .map_err(|e| match e {
        AgentError::Transcript(t @ transcript::TranscriptError::NotFound { .. }) => {
            Failure::new(Exit::Usage, t).hint(
                "`hone --resume` lists this workspace's saved sessions; `hone` starts a new one",
            )
        }
        other => common::agent_failure(other),
    })?;
    if let Some(line) = common::sandbox_notice(agent.sandbox(), global.verbose) {
        eprintln!("hone: {line}");
    }

    let mut repl = Repl::new(Setup {
        overrides,
        color: global.color,
        config,
        agent,
        map,
        resumed: resume.is_some(),
        permissions,
        bypass_allowed,
    })
    .map_err(|e| Failure::new(Exit::Failed, e))?;
    repl.run().map_err(|e| Failure::new(Exit::Failed, e))?;
    Ok(Exit::Success)
}

/// Lists the workspace's saved sessions, interactive ones first and one-shot runs apart, each
/// titled by its first request, and asks which to resume.
fn pick_session(root: &Path) -> Result<String, Failure> {
    let dir = transcript::sessions_dir(root).map_err(|e| Failure::new(Exit::Usage, e))?;
    let all = transcript::list(&dir);
    let (sessions, runs): (Vec<_>, Vec<_>) =
        all.into_iter().partition(|s| s.kind == SessionKind::Repl);
    let sessions: Vec<_> = sessions
        .into_iter()
        .take(20)
        .chain(runs.into_iter().take(10))
        .collect();
    if sessions.is_empty() {
        return Err(
            Failure::usage("there is no saved session for this workspace")
                .hint("`hone` starts a new one"),
        );
    }
    eprintln!("saved sessions of this workspace, newest first:");
    let mut heading_runs = true;
    for (i, s) in sessions.iter().enumerate() {
        if s.kind != SessionKind::Repl && std::mem::take(&mut heading_runs) {
            eprintln!(
                "one-shot runs (`hone fix`, `hone -p`, `hone lint-fix`; `--continue` skips them):"
            );
        }
        let (count, title) = match transcript::load(&s.path) {
            Ok(saved) => (saved.messages.len(), title(&saved)),
            Err(_) => (0, String::new()),
        };
        let kind = match s.kind {
            SessionKind::Repl => String::new(),
            other => format!("{}  ", other.label()),
        };
        eprintln!(
            "  {:>2}  {}  {:<12} {count:>4} messages  {kind}{title}",
            i + 1,
            s.id,
            crate::ui::ago(s.modified)
        );
    }
    if !crate::ui::interactive() {
        return Err(Failure::usage("name the session to resume")
            .hint("run `hone --resume ID` with an id from the list"));
    }
    let mut ed = rustyline::DefaultEditor::new().map_err(|e| Failure::new(Exit::Failed, e))?;
    loop {
        let answer = match ed.readline(&format!("resume which? [1-{}] ", sessions.len())) {
            Ok(a) => a,
            Err(_) => {
                return Err(Failure::new(
                    Exit::Interrupted,
                    anyhow::anyhow!("no session chosen"),
                ));
            }
        };
        let answer = answer.trim();
        let pick = if answer.is_empty() {
            Some(0)
        } else {
            answer.parse::<usize>().ok().and_then(|n| n.checked_sub(1))
        };
        if let Some(s) = pick.and_then(|n| sessions.get(n)) {
            return Ok(s.id.clone());
        }
        if let Some(s) = sessions.iter().find(|s| s.id.starts_with(answer)) {
            return Ok(s.id.clone());
        }
    }
}

/// A session's title: its first request, shortened to a line (for older transcripts, what the
/// first user message says the person typed).
fn title(saved: &transcript::Saved) -> String {
    match &saved.title {
        Some(t) => typed_text(t),
        None => saved
            .messages
            .iter()
            .find(|m| m.role == Role::User)
            .map(|m| typed_text(m.text()))
            .unwrap_or_default(),
    }
}

/// What the person typed in a user message: its last paragraph (context the session queued
/// rides in front of it), first line, shortened.
pub fn typed_text(message: &str) -> String {
    let last = message.trim_end().rsplit("\n\n").next().unwrap_or("");
    let line = last.lines().next().unwrap_or("");
    let mut short: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_skips_queued_context() {
        assert_eq!(
            typed_text("Repository map (…):\nsrc/a.rs\n\nfix the bug\nplease"),
            "fix the bug"
        );
        assert_eq!(typed_text(&"x".repeat(70)), format!("{}…", "x".repeat(60)));
        assert_eq!(typed_text(""), "");
    }
}
