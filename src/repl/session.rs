//! The REPL loop: read a line, run a slash command or send the message to the agent, render,
//! repeat — until `/exit`, Ctrl-D, or Ctrl-C twice on an empty prompt.
//!
//! Owns the session's front-end state (the editor, the added files, the repository map job, the
//! approval answers) and nothing of the conversation itself, which is the agent's.
//! Invariants: Ctrl-C during a run drops the run's future (cancelling the request or tool in
//! flight; writes are atomic, so files stay whole) and closes the conversation with
//! [`Agent::interrupted`], so the next request is valid; nothing here scans the repository on
//! the way to the first prompt (a `hone map` child makes the map, which is queued for a message
//! when ready), and the repository index never lives in this process.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustyline::error::ReadlineError;

use super::approve::Approve;
use super::command::{self, Command};
use super::files::{self, Files};
use super::input::{self, InputHelper, LineEditor, ModeSwitch, Words};
use super::map_job::{MapJob, MapOutcome};
use crate::agent::{Agent, AgentError, ContextKind};
use crate::config::{Config, Overrides, PermissionMode};
use crate::context::attach::{self, AttachError};
use crate::permissions::{Gate, Permissions};
use crate::provider::Role;
use crate::ui::ColorChoice;
use crate::ui::palette::{self, paint};
use crate::ui::render::{Look, Reasoning, Summary, Terminal};

/// How long the first message waits for the repository map before it goes without one (the map
/// then rides with a later message). A warm start on 10,000 files is well under this.
const FIRST_MAP_WAIT: Duration = Duration::from_millis(300);

/// Errors that end the REPL (everything else is shown and the session goes on).
#[derive(Debug, thiserror::Error)]
pub enum ReplError {
    #[error("the line editor failed")]
    Editor(#[from] ReadlineError),
    #[error("could not start the async runtime")]
    Runtime(#[source] std::io::Error),
}

/// What the REPL starts from.
pub struct Setup {
    /// The settings given on the command line; the session's commands change them.
    pub overrides: Overrides,
    pub color: ColorChoice,
    pub config: Config,
    pub agent: Agent,
    /// The repository map being made in the background, if any.
    pub map: Option<MapJob>,
    /// Whether the conversation was resumed (its tail is shown first).
    pub resumed: bool,
    /// The session's permission mode and rules.
    pub permissions: Permissions,
    /// Whether bypass may be chosen with Shift-Tab.
    pub bypass_allowed: bool,
}

/// A running REPL session.
pub struct Repl {
    pub(super) overrides: Overrides,
    pub(super) config: Config,
    pub(super) agent: Agent,
    pub(super) editor: LineEditor,
    history: Option<PathBuf>,
    pub(super) files: Files,
    /// The map job in flight (for the next message), and whether a map was sent.
    pub(super) map: Option<MapJob>,
    pub(super) map_sent: bool,
    runs: usize,
    pub(super) look: Look,
    pub(super) rt: tokio::runtime::Runtime,
    pub(super) approve: Approve,
    pub(super) permissions: Permissions,
    pub(super) bypass_allowed: bool,
    /// Where Shift-Tab leaves the line it interrupted.
    mode_switch: ModeSwitch,
    resumed: bool,
    /// Keeps tokio's SIGINT handler installed for the whole session, so a Ctrl-C that lands
    /// between two runs never kills the process.
    #[cfg(unix)]
    _sigint: Option<tokio::signal::unix::Signal>,
}

/// The history file: `$XDG_STATE_HOME/hone/history`, one per person, shared by workspaces.
pub fn history_path() -> Option<PathBuf> {
    crate::paths::state_dir().map(|d| d.join("history"))
}

impl Repl {
    pub fn new(setup: Setup) -> Result<Repl, ReplError> {
        let Setup {
            overrides,
            color,
            config,
            agent,
            map,
            resumed,
            permissions,
            bypass_allowed,
        } = setup;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(ReplError::Runtime)?;
        #[cfg(unix)]
        let sigint = {
            let _guard = rt.enter();
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).ok()
        };
        let words = words(&config);
        let history = history_path();
        let mut editor = input::editor(
            InputHelper::new(agent.workspace(), words),
            history.as_deref(),
        )?;
        let mode_switch = ModeSwitch::default();
        input::bind_mode_switch(&mut editor, &mode_switch);
        let color_out = color.enabled(crate::ui::Stream::Stdout);
        let color_err = color.enabled(crate::ui::Stream::Stderr);
        let look = Look {
            color_answer: color_out,
            color_err,
            stderr_tty: std::io::IsTerminal::is_terminal(&std::io::stderr()),
            width: None,
            dry_run: false,
            reasoning: Reasoning::Show,
            summary: Summary::Run,
            turn_limit_hint: " (raise max_turns in the config file)",
        };
        // A resumed conversation that already carries a map is not sent another.
        let map_sent = resumed && agent.map_sent();
        let map = if map_sent { None } else { map };
        Ok(Repl {
            files: Files::new(agent.workspace()),
            overrides,
            config,
            agent,
            editor,
            history,
            map,
            map_sent,
            runs: 0,
            look,
            rt,
            approve: super::approve::new(color_err),
            permissions,
            bypass_allowed,
            mode_switch,
            resumed,
            #[cfg(unix)]
            _sigint: sigint,
        })
    }

    /// Runs the loop until the person leaves.
    pub fn run(&mut self) -> Result<(), ReplError> {
        self.banner();
        let mut interrupts = 0;
        let mut initial: Option<(String, usize)> = None;
        loop {
            let (raw, styled) = super::modes::prompt(self.permissions.mode, self.look.color_answer);
            let prompt = (raw.as_str(), styled.as_str());
            let read = match initial.take() {
                Some((line, pos)) => {
                    let (left, right) = line.split_at(pos.min(line.len()));
                    self.editor.readline_with_initial(&prompt, (left, right))
                }
                None => self.editor.readline(&prompt),
            };
            match read {
                Ok(line) => {
                    interrupts = 0;
                    let text = input::join_continuations(&line);
                    if text.trim().is_empty() {
                        continue;
                    }
                    self.remember(&line);
                    match command::parse(&text) {
                        Some(Ok(Command::Exit)) => break,
                        Some(Ok(cmd)) => self.command(cmd),
                        Some(Err(e)) => {
                            self.warn(&e.to_string());
                            self.hint("/help lists the commands");
                        }
                        None => self.turn(&text),
                    }
                }
                Err(ReadlineError::Interrupted) if self.mode_switch_pending(&mut initial) => {
                    self.cycle_mode();
                }
                Err(ReadlineError::Interrupted) => {
                    interrupts += 1;
                    if interrupts >= 2 {
                        break;
                    }
                    self.hint("press Ctrl-C again to leave (or Ctrl-D)");
                }
                Err(ReadlineError::Eof) => break,
                Err(e) => return Err(e.into()),
            }
        }
        if !self.drop_empty_transcript() {
            self.farewell();
        }
        Ok(())
    }

    /// Whether Shift-Tab ended the last `readline`; the line it interrupted goes to `initial`.
    fn mode_switch_pending(&mut self, initial: &mut Option<(String, usize)>) -> bool {
        let taken = self.mode_switch.lock().ok().and_then(|mut s| s.take());
        let pending = taken.is_some();
        *initial = taken;
        pending
    }

    /// A session in which nothing was asked leaves no transcript behind, so `hone --continue`
    /// finds the last real conversation rather than an empty one.
    /// Says whether it did.
    fn drop_empty_transcript(&self) -> bool {
        if !self.resumed
            && !self.agent.messages().iter().any(|m| m.role == Role::User)
            && let Some(path) = self.agent.transcript_path()
        {
            return std::fs::remove_file(path).is_ok();
        }
        false
    }

    /// Adds a line to the history, and the history file (typed lines only: a script piped into
    /// stdin does not fill the person's history).
    fn remember(&mut self, line: &str) {
        if !std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return;
        }
        if self.editor.add_history_entry(line).unwrap_or(false)
            && let Some(path) = &self.history
        {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = self.editor.append_history(path);
        }
    }

    /// One request: queue the map, changed added files and `@path` mentions, run the agent
    /// under Ctrl-C, and keep what the run tells `/diff`.
    pub(super) fn turn(&mut self, text: &str) {
        let message = text.to_string();
        // Queued context rides in front of the typed text, map first (it changes least).
        self.queue_map();
        for n in self.files.refresh() {
            self.agent.queue_context(ContextKind::File, n);
        }
        for a in self.attach_mentions(text) {
            self.agent.queue_context(ContextKind::File, a);
        }
        self.runs += 1;
        let look = Look {
            width: self.editor.dimensions().map(|(w, _)| usize::from(w)),
            ..self.look
        };
        let mut sink = Terminal::new(look, self.agent.cost());
        sink.waiting("thinking…");
        let cancel = Arc::clone(&self.approve.source.cancel);
        let Repl {
            rt,
            agent,
            approve,
            permissions,
            ..
        } = self;
        let planning = permissions.mode == PermissionMode::Plan;
        let mut gate = Gate::new(permissions, Some(approve));
        let approve = &mut gate;
        let result = rt.block_on(async {
            // Biased, cancels first: once Ctrl-C came (at a question, say), the run is not
            // polled again, even when its next answer is already in.
            tokio::select! {
                biased;
                _ = tokio::signal::ctrl_c() => None,
                _ = cancel.notified() => None,
                r = agent.run(&message, &mut sink, approve) => Some(r),
            }
        });
        let mut plan_done = false;
        let closed = match result {
            Some(Ok(outcome)) => {
                plan_done = planning && outcome == crate::agent::Outcome::Done;
                Ok(())
            }
            Some(Err(e)) => {
                sink.failed();
                self.error(e);
                self.agent.failed(sink.answer.streaming())
            }
            None => {
                sink.interrupted();
                self.agent.interrupted(sink.answer.streaming())
            }
        };
        for (path, before) in std::mem::take(&mut sink.befores) {
            self.files.note_before(&path, before.as_deref());
        }
        drop(sink);
        if let Err(e) = closed {
            self.error(e);
        } else if plan_done {
            self.after_plan();
        }
    }

    /// The fenced content of each `@path` the message mentions that names a readable file;
    /// mentions that name nothing are left as text.
    fn attach_mentions(&mut self, text: &str) -> Vec<String> {
        let root = self.agent.workspace().to_path_buf();
        let mut out = Vec::new();
        for m in files::mentions(text) {
            match attach::read_text(&root, Path::new(&m)) {
                Ok(f) => {
                    self.dim(&format!("attached {}", f.rel));
                    out.push(attach::fenced(&f.rel, &f.content));
                }
                Err(AttachError::Read { .. }) => {}
                Err(e) => self.warn(&format!("not attached: {e}")),
            }
        }
        out
    }

    /// Queues the repository map once it is ready (waiting briefly before the first message).
    /// The map is focused on the files added so far when a job can start for them.
    fn queue_map(&mut self) {
        if self.map_sent {
            return;
        }
        let terms: Vec<String> = self.files.added().map(str::to_string).collect();
        let stale = match &mut self.map {
            // A job for other files that already finished: the cache is warm, ask again.
            Some(job) => job.terms != terms && job.is_done(),
            None => true,
        };
        if stale {
            self.map = self.map_job(&terms);
        }
        let wait = if self.runs == 0 {
            FIRST_MAP_WAIT
        } else {
            Duration::ZERO
        };
        let Some(outcome) = self.map.as_mut().and_then(|j| j.wait(wait)).cloned() else {
            return;
        };
        self.map = None;
        self.map_sent = true;
        match outcome {
            MapOutcome::Map(map) if !map.trim().is_empty() => {
                self.agent.queue_context(
                    ContextKind::Map,
                    format!(
                        "{}\n{map}",
                        crate::prompts::text(crate::prompts::Text::Map, &[])
                    ),
                );
            }
            MapOutcome::Map(_) => {}
            MapOutcome::Failed(why) => self.warn(&format!("no repository map: {why}")),
        }
    }

    /// A `hone map` job for `terms` in this workspace.
    pub(super) fn map_job(&self, terms: &[String]) -> Option<MapJob> {
        let exe = std::env::current_exe().ok()?;
        Some(MapJob::spawn(&exe, self.agent.workspace(), terms))
    }

    fn banner(&mut self) {
        let line = format!(
            "hone {} · {} via {} · {} · /help for commands, Ctrl-D to leave",
            env!("CARGO_PKG_VERSION"),
            self.agent.model(),
            self.config.provider.name,
            self.agent.workspace().display()
        );
        self.dim(&line);
        if self.resumed {
            self.show_history();
        }
    }

    /// The tail of a resumed conversation: the person's messages and the model's answers.
    fn show_history(&mut self) {
        let shown: Vec<(Role, String)> = self
            .agent
            .messages()
            .iter()
            .filter(|m| matches!(m.role, Role::User | Role::Assistant) && !m.text().is_empty())
            .map(|m| (m.role, crate::ui::strip_controls(m.text())))
            .collect();
        let skip = shown.len().saturating_sub(10);
        self.dim(&format!(
            "resumed session {} ({} messages{})",
            self.agent.session_id(),
            self.agent.messages().len(),
            if skip > 0 {
                format!("; the last {} shown", shown.len() - skip)
            } else {
                String::new()
            }
        ));
        for (role, text) in shown.into_iter().skip(skip) {
            match role {
                Role::User => {
                    // Context the session queued rides in front of what the person typed.
                    let typed = text.trim_end().rsplit("\n\n").next().unwrap_or("");
                    for line in typed.lines().take(3) {
                        let line: String = line.chars().take(200).collect();
                        let line = format!("> {line}");
                        self.say(&paint(palette::BOLD, &line, self.look.color_err));
                    }
                }
                _ => {
                    let mut stream = crate::ui::markdown::Stream::new(self.look.color_answer, None);
                    let mut out = stream.push(&text);
                    out.push_str(&stream.finish());
                    self.out(&out);
                }
            }
        }
    }

    fn farewell(&mut self) {
        let id = self.agent.session_id().to_string();
        if self.agent.transcript_path().is_some() {
            self.dim(&format!(
                "session {id} saved; `hone --continue` picks it up again"
            ));
        }
    }

    /// A line on stdout (the product: answers, diffs, maps).
    pub(super) fn out(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A line on stderr.
    pub(super) fn say(&self, text: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{text}");
    }

    pub(super) fn dim(&self, text: &str) {
        self.say(&paint(palette::DIM, text, self.look.color_err));
    }

    pub(super) fn hint(&self, text: &str) {
        self.say(&paint(palette::HINT, text, self.look.color_err));
    }

    pub(super) fn warn(&self, text: &str) {
        self.say(&paint(palette::WARN, text, self.look.color_err));
    }

    /// Reports an error as `error:` / `caused by:` / `hint:` lines; the session goes on.
    pub(super) fn error(&self, e: impl Into<ShownError>) {
        let ShownError(error, hints) = e.into();
        let mut text = format!("error: {error}\n");
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(&format!("caused by: {cause}\n"));
            source = cause.source();
        }
        for h in hints {
            text.push_str(&format!("hint: {h}\n"));
        }
        let _ = write!(
            std::io::stderr().lock(),
            "{}",
            palette::paint_report(&text, self.look.color_err)
        );
    }
}

/// An error to show, with the hints its kind carries.
pub struct ShownError(Box<dyn std::error::Error + Send + Sync>, Vec<String>);

impl From<AgentError> for ShownError {
    fn from(e: AgentError) -> Self {
        let hints = match &e {
            AgentError::Provider(p) => crate::exit::provider_hints(p),
            _ => Vec::new(),
        };
        ShownError(Box::new(e), hints)
    }
}

impl From<crate::config::ConfigError> for ShownError {
    fn from(e: crate::config::ConfigError) -> Self {
        let hints = crate::exit::config_hints(&e);
        ShownError(Box::new(e), hints)
    }
}

impl From<crate::edit::EditError> for ShownError {
    fn from(e: crate::edit::EditError) -> Self {
        ShownError(Box::new(e), Vec::new())
    }
}

/// What completion offers for `/provider` and `/model`.
pub(super) fn words(config: &Config) -> Words {
    let mut models = config.provider.models.clone();
    if !models.contains(&config.model) {
        models.push(config.model.clone());
    }
    Words {
        providers: crate::config::presets::builtin().into_keys().collect(),
        models,
    }
}
