//! The agent core: the conversation, the turn loop, tool dispatch, the loop breaker, compaction
//! and cost accounting — the one engine under every front end.
//!
//! A *run* answers one request of the person: it appends the user message, then sends the
//! conversation and executes the model's tool calls until the model answers without one or
//! `max_turns` requests were made. The core never prints and never reads the keyboard: it emits
//! [`Event`]s and asks an [`Approver`]; it never touches a file except through `crate::edit`.
//!
//! Invariant for the provider's prefix cache: the system message and the tool schemas are fixed
//! when the agent is built and `messages` is only ever appended to, so every request begins with
//! the previous request byte for byte. The exceptions are [`Agent::compact`], which replaces
//! older turns with a summary when the context window fills, and
//! [`Agent::rewind_conversation`], which cuts the conversation back to before an earlier request
//! (so the next request begins with that earlier one, byte for byte).

mod answer;
pub mod budget;
mod command;
mod compact;
pub mod control;
pub mod cost;
pub mod event;
mod region;
pub mod rewind;
mod run;
pub mod transcript;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub use answer::Answer;
pub use budget::{Breakdown, ContextKind};
pub use cost::Bill;
pub use event::{Approver, Collect, Decision, Event, EventSink, Outcome};
pub use rewind::{Request, RewindError};
pub use transcript::SessionKind;

use crate::config::Config;
use crate::edit::{Journal, Workspace};
use crate::prompts::{Text, text};
use crate::provider::{ChatRequest, Client, Message, Role, Usage};
use crate::tools::{Effect, Registry};
use transcript::{Line, Transcript};

/// Polled before each request for context that became ready late (the repo map of a large
/// repository); `Some` once, then `None`.
pub type ContextPoll = Box<dyn FnMut() -> Option<String> + Send>;

/// How the model proposes edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EditFormat {
    /// Through tool calls (edit_file, write_file, apply_patch), when the provider supports them.
    #[default]
    Tools,
    /// As SEARCH/REPLACE blocks in the reply text, for models without tool calling.
    Blocks,
}

/// Everything that shapes a session besides the provider settings.
#[derive(Debug, Clone)]
pub struct Options {
    pub edit_format: EditFormat,
    pub max_turns: u32,
    /// Project instructions (`AGENTS.md` …), part of the system message from the start.
    pub instructions: Option<String>,
    /// The repository map, part of the system message from the start when it is ready then.
    pub map: Option<String>,
    /// Compact when the estimated prompt passes this share of the context window.
    pub compact_at: f64,
    /// Default `run_command` timeout.
    pub command_timeout_s: u64,
    /// Write a transcript (off in tests that do not want state).
    pub transcript: bool,
    /// Tools of this effect are left out (`lint-fix` runs no command). `None`: every tool, the
    /// schema list byte-identical to `prompts/tools.json`.
    pub without: Option<Effect>,
    /// What the transcript is listed as (`--continue` resumes only interactive sessions).
    pub kind: SessionKind,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            edit_format: EditFormat::Tools,
            max_turns: 30,
            instructions: None,
            map: None,
            compact_at: 0.8,
            command_timeout_s: 120,
            transcript: true,
            without: None,
            kind: SessionKind::Repl,
        }
    }
}

/// Errors that end a run (everything else goes back to the model as a tool result).
#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Provider(#[from] crate::provider::ProviderError),
    #[error(transparent)]
    Edit(#[from] crate::edit::EditError),
    #[error(transparent)]
    Transcript(#[from] transcript::TranscriptError),
    #[error(transparent)]
    Rewind(#[from] RewindError),
}

/// One conversation with the model over one workspace.
pub struct Agent {
    client: Client,
    tools: Registry,
    /// Characters of the system message's parts, known from how it was built.
    system_parts: SystemParts,
    ws: Workspace,
    journal: Journal,
    opts: Options,
    context_window: u64,
    prices: crate::config::ModelPrices,
    /// What the session's requests cost, each priced when it was sent.
    bill: Bill,
    /// The time a request is stamped with; the system clock unless a test sets one.
    clock: fn() -> std::time::SystemTime,
    secret_vars: Vec<String>,
    messages: Vec<Message>,
    /// Messages that are the fixed head of every request (the system message).
    head: usize,
    session_usage: Usage,
    session_id: String,
    transcript: Option<Transcript>,
    changed: BTreeSet<String>,
    model: String,
    /// Context waiting for the next user message (see `budget`).
    pending: Vec<(ContextKind, String)>,
    /// Characters of files and maps sent through `pending`, for the breakdown.
    file_chars: usize,
    map_chars: usize,
    /// A repository map is part of the conversation (in the system message or sent since).
    map_sent: bool,
    /// The person's requests and where queued context rode (see `rewind`).
    marks: rewind::Marks,
    /// Characters of the last request sent, and the share of it that repeated the one before.
    last_request_chars: Option<usize>,
    prefix_share: Option<f64>,
    context_poll: Option<ContextPoll>,
    last_finish: Option<crate::provider::FinishReason>,
    /// The OS sandbox of every command the model runs, from the settings.
    sandbox: crate::sandbox::Policy,
}

impl Agent {
    /// Starts a new session.
    pub fn new(cfg: &Config, opts: Options) -> Result<Agent, AgentError> {
        let ws = Workspace::new(&cfg.workspace)?;
        let journal = Journal::open(&ws)?;
        let client = Client::new(cfg)?;
        let edit_format = if cfg.provider.tool_calls {
            opts.edit_format
        } else {
            EditFormat::Blocks
        };
        let opts = Options {
            edit_format,
            ..opts
        };
        let (system, system_parts) = system_message(
            edit_format,
            opts.instructions.as_deref(),
            opts.map.as_deref(),
        );
        let tools = Registry::builtin();
        let session_id = transcript::new_session_id();
        let transcript = if opts.transcript {
            let dir = transcript::sessions_dir(ws.root())?;
            Some(Transcript::create(
                &dir,
                &session_id,
                ws.root(),
                &cfg.model,
                opts.kind,
            )?)
        } else {
            None
        };
        let mut agent = Agent {
            client,
            tools,
            map_sent: system_parts.map > 0,
            system_parts,
            journal,
            context_window: cfg.provider.context_window,
            prices: cfg.prices().unwrap_or(crate::config::ModelPrices::FREE),
            bill: Bill::default(),
            clock: std::time::SystemTime::now,
            secret_vars: cfg.secret_env_vars(),
            messages: Vec::new(),
            head: 1,
            session_usage: Usage::default(),
            session_id,
            transcript,
            changed: BTreeSet::new(),
            model: cfg.model.clone(),
            pending: Vec::new(),
            file_chars: 0,
            map_chars: 0,
            marks: rewind::Marks::default(),
            last_request_chars: None,
            prefix_share: None,
            context_poll: None,
            last_finish: None,
            sandbox: crate::sandbox::Policy::new(&cfg.sandbox, ws.root()),
            ws,
            opts,
        };
        agent.push(Message::system(system))?;
        Ok(agent)
    }

    /// Resumes a saved session: its messages become this agent's conversation.
    pub fn resume(cfg: &Config, opts: Options, id: Option<&str>) -> Result<Agent, AgentError> {
        let mut agent = Agent::new(
            cfg,
            Options {
                transcript: false,
                ..opts.clone()
            },
        )?;
        let dir = transcript::sessions_dir(agent.ws.root())?;
        let path = transcript::find(&dir, id)?;
        let saved = transcript::load(&path)?;
        if !saved.messages.is_empty() {
            agent.messages = saved.messages;
        }
        agent.session_usage = saved.usage;
        // The saved requests' send times were not kept: they are priced off-peak.
        agent.bill = Bill::carried(saved.usage.cost(&agent.prices.rates.off_peak));
        agent.session_id = saved.id;
        agent.file_chars = saved.file_chars;
        agent.map_chars = saved.map_chars;
        agent.map_sent |= saved.map_chars > 0;
        agent.marks = saved.marks;
        if opts.transcript {
            agent.transcript = Some(Transcript::reopen(&path)?);
        }
        Ok(agent)
    }

    /// Sets the poll for late context (see [`ContextPoll`]).
    pub fn set_context_poll(&mut self, poll: ContextPoll) {
        self.context_poll = Some(poll);
    }

    /// Appends late context as its own message, if it has arrived: appended, so the requests
    /// already sent stay a prefix of the next one.
    fn poll_context(&mut self, events: &mut dyn EventSink) -> Result<(), AgentError> {
        let Some(poll) = self.context_poll.as_mut() else {
            return Ok(());
        };
        if let Some(map) = poll() {
            self.context_poll = None;
            let message = format!(
                "{}\n{}\n{map}",
                text(Text::MapReady, &[]),
                text(Text::Map, &[])
            );
            self.note_context(ContextKind::Map, message.len())?;
            self.push(Message::user(message))?;
            events.emit(Event::MapAdded { chars: map.len() });
        }
        Ok(())
    }

    /// Whether a repository map is part of the conversation already.
    pub fn map_sent(&self) -> bool {
        self.map_sent
    }

    /// Why the model stopped its last answer (`stop`, `length`, `tool_calls`, …).
    pub fn last_finish_reason(&self) -> Option<&crate::provider::FinishReason> {
        self.last_finish.as_ref()
    }

    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    pub fn workspace(&self) -> &Path {
        self.ws.root()
    }

    /// The OS sandbox the model's commands run under, with what this system enforces of it.
    pub fn sandbox(&self) -> &crate::sandbox::Policy {
        &self.sandbox
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    pub fn usage(&self) -> &Usage {
        &self.session_usage
    }

    pub fn cost(&self) -> f64 {
        self.bill.usd
    }

    /// The session's bill: its cost and the bands its requests were priced in.
    pub fn bill(&self) -> Bill {
        self.bill
    }

    /// Replaces the clock requests are stamped with (tests price at a chosen moment).
    pub fn set_clock(&mut self, clock: fn() -> std::time::SystemTime) {
        self.clock = clock;
    }

    /// Adds one request's usage to the session, priced at the moment it was sent.
    fn charge(
        &mut self,
        usage: Usage,
        sent_at: std::time::SystemTime,
    ) -> (f64, crate::config::Rate) {
        let (usd, rate) = cost::price(&self.prices, &usage, sent_at);
        self.session_usage += usage;
        self.bill.add(usd, rate);
        (usd, rate)
    }

    /// Files this session changed, relative to the workspace.
    pub fn changed_files(&self) -> impl Iterator<Item = &str> {
        self.changed.iter().map(String::as_str)
    }

    pub fn transcript_path(&self) -> Option<PathBuf> {
        self.transcript.as_ref().map(|t| t.path().to_path_buf())
    }

    /// The request the next turn would send (exactly; the provider adds model and options).
    pub fn request(&self) -> ChatRequest {
        let tools = match self.opts.edit_format {
            EditFormat::Tools => self.tools.schemas(self.opts.without),
            EditFormat::Blocks => Vec::new(),
        };
        ChatRequest {
            messages: self.messages.clone(),
            tools,
            tool_choice: None,
            cache_key: Some(self.session_id.clone()),
        }
    }

    /// Appends a message to the conversation and the transcript.
    fn push(&mut self, message: Message) -> Result<(), AgentError> {
        if let Some(t) = self.transcript.as_mut() {
            t.append(&Line::Message {
                message: message.clone(),
            })?;
        }
        self.messages.push(message);
        Ok(())
    }

    /// After a cancelled run, an assistant message may have tool calls without results, which
    /// every provider rejects; answer them as cancelled so the conversation stays valid.
    fn repair(&mut self) -> Result<(), AgentError> {
        for id in unanswered(&self.messages) {
            self.push(Message::tool(id, text(Text::Cancelled, &[])))?;
        }
        Ok(())
    }

    /// Estimated tokens of the next request (the conversation and the tool schemas).
    pub fn estimated_tokens(&self) -> u64 {
        let chars: usize = self.messages.iter().map(message_chars).sum();
        let schema_chars = if self.opts.edit_format == EditFormat::Tools {
            crate::prompts::TOOLS_JSON.len()
        } else {
            0
        };
        budget::tokens(chars + schema_chars)
    }

    pub fn context_window(&self) -> u64 {
        self.context_window
    }
}

/// The characters of the system message's parts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemParts {
    pub prompt: usize,
    pub instructions: usize,
    pub map: usize,
}

/// The system message: the prompt for the edit format, then, when there is any, the project
/// context (its heading, the instructions, the map under its own heading). Returns it with the
/// size of each part, so nothing has to find the parts again by searching for a heading.
pub fn system_message(
    format: EditFormat,
    instructions: Option<&str>,
    map: Option<&str>,
) -> (String, SystemParts) {
    let mut system = match format {
        EditFormat::Tools => crate::prompts::SYSTEM.to_string(),
        EditFormat::Blocks => crate::prompts::SYSTEM_BLOCKS.to_string(),
    };
    let mut parts = SystemParts {
        prompt: system.len(),
        ..SystemParts::default()
    };
    let instructions = instructions.filter(|i| !i.trim().is_empty());
    let map = map.filter(|m| !m.trim().is_empty());
    if instructions.is_none() && map.is_none() {
        return (system, parts);
    }
    system.push_str("\n\n");
    system.push_str(crate::prompts::PROJECT_CONTEXT.trim_end());
    system.push('\n');
    let start = system.len();
    if let Some(i) = instructions {
        system.push_str(i);
    }
    parts.instructions = system.len() - start;
    if let Some(m) = map {
        let start = system.len();
        system.push_str("\n\n");
        system.push_str(&text(Text::Map, &[]));
        system.push('\n');
        system.push_str(m);
        parts.map = system.len() - start;
    }
    parts.prompt = system.len() - parts.instructions - parts.map;
    (system, parts)
}

/// The ids of the last assistant message's tool calls that have no result: a cancelled run
/// leaves them, and every provider rejects a conversation holding one.
pub(crate) fn unanswered(messages: &[Message]) -> Vec<String> {
    let Some(last) = messages.iter().rposition(|m| m.role == Role::Assistant) else {
        return Vec::new();
    };
    let answered: BTreeSet<&str> = messages[last..]
        .iter()
        .filter_map(|m| m.tool_call_id.as_deref())
        .collect();
    messages[last]
        .tool_calls
        .iter()
        .filter(|c| !answered.contains(c.id.as_str()))
        .map(|c| c.id.clone())
        .collect()
}

/// Characters a message contributes to a request (text, reasoning, tool-call arguments).
pub(crate) fn message_chars(m: &Message) -> usize {
    m.text().len()
        + m.reasoning_content.as_deref().map_or(0, str::len)
        + m.tool_calls
            .iter()
            .map(|c| c.name.len() + c.arguments.len())
            .sum::<usize>()
}

/// The relative paths an edit batch touches (both ends of a rename).
pub fn touched_paths(plan: &crate::edit::Plan) -> Vec<String> {
    let mut out = Vec::new();
    for f in plan.files() {
        if let Some(from) = f.from() {
            out.push(from.to_string());
        }
        out.push(f.path().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ToolCall;
    use crate::tools::Outcome;

    fn call(id: &str, name: &str, arguments: &str) -> ToolCall {
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
        }
    }

    #[test]
    fn a_cancelled_runs_unanswered_calls_are_found_for_repair() {
        let mut m = vec![
            Message::system("s"),
            Message::user("go"),
            Message::assistant(None, None, vec![call("a", "read_file", "{}")]),
            Message::tool("a", "done"),
            Message::assistant(
                None,
                None,
                vec![call("b", "read_file", "{}"), call("c", "search", "{}")],
            ),
            Message::tool("b", "done"),
        ];
        // Only the last assistant message counts, and only its calls without a result.
        assert_eq!(unanswered(&m), vec!["c".to_string()]);
        m.push(Message::tool("c", "cancelled"));
        assert!(unanswered(&m).is_empty());
        assert!(unanswered(&[Message::system("s")]).is_empty());
    }

    #[test]
    fn arguments_are_repaired_where_the_meaning_is_clear_and_refused_where_not() {
        let tools = Registry::builtin();
        // Some servers send "" for a call without arguments.
        let (_, c) = tools.parse("list_files", "").unwrap();
        assert_eq!(
            c,
            crate::tools::Call::ListFiles {
                path: None,
                pattern: None
            }
        );
        // Double-encoded arguments (a JSON string holding the object) and other harnesses'
        // names for the same arguments.
        let twice =
            serde_json::to_string(r#"{"file_path":"a.py","old_str":"x","new_str":"y"}"#).unwrap();
        let (_, c) = tools.parse("edit_file", &twice).unwrap();
        assert!(matches!(c, crate::tools::Call::Edit { ref ops } if ops.len() == 1));
        // What cannot be read is the model's to fix: an invalid call, told why.
        let Err(bad) = tools.parse("read_file", "{\"path\": ") else {
            panic!("a call cut mid-JSON must not parse");
        };
        assert_eq!(bad.outcome, Outcome::Invalid);
        assert!(bad.text.contains("invalid JSON"), "{}", bad.text);
    }
}
