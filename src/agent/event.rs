//! What the agent core tells a front end, and what it asks of one.
//!
//! The core never prints and never reads the keyboard. It reports progress as [`Event`]s to an
//! [`EventSink`] and asks an [`Approver`] before anything changes the workspace or runs. The
//! REPL, `hone fix`, `hone lint-fix` and `hone -p` are each one sink plus one approver.

use std::sync::Arc;
use std::time::Duration;

use crate::edit::Plan;
use crate::provider::Usage;

/// One thing that happened during a run.
#[derive(Debug, Clone)]
pub enum Event {
    /// A request to the model is about to be sent (a spinner may start).
    RequestStarted { turn: u32 },
    /// Answer text, as it streams.
    Text(String),
    /// Reasoning ("thinking") text, as it streams.
    Reasoning(String),
    /// The provider is retrying after a transient failure.
    Retrying {
        attempt: u32,
        delay: Duration,
        reason: String,
    },
    /// The model's message is complete (its text and reasoning streamed before this), with
    /// every tool call it makes; the calls run next, each announced by [`Event::ToolCall`].
    MessageComplete {
        tool_calls: Vec<crate::provider::ToolCall>,
    },
    /// The model asked for a tool; `arguments` is its raw JSON.
    ToolCall {
        id: String,
        name: String,
        arguments: String,
    },
    /// An edit batch was located and is about to be decided on.
    EditProposed { id: String, plan: Arc<Plan> },
    /// An edit batch was written (and journalled: `hone undo` reverts it).
    EditApplied {
        id: String,
        files: Vec<String>,
        added: usize,
        removed: usize,
    },
    /// A command is about to run (after approval).
    CommandStarted { id: String, command: String },
    /// A tool's result, exactly as the model receives it.
    ToolResult {
        id: String,
        name: String,
        output: String,
        is_error: bool,
    },
    /// Token use after each request: this request's, and the session's so far.
    Usage {
        request: Usage,
        session: Usage,
        request_cost: f64,
        session_cost: f64,
    },
    /// Something the person should know that is not an error (loop breaker, compaction, …).
    Notice(String),
    /// The run ended.
    Finished { outcome: Outcome },
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The model answered without asking for a tool.
    Done,
    /// `max_turns` requests were made without a final answer.
    TurnLimit,
    /// The model repeated the same call; the loop breaker stopped it.
    Loop,
}

/// Receives the agent's events. Implementations render them; they must not block for long.
pub trait EventSink: Send {
    fn emit(&mut self, event: Event);
}

/// A sink that keeps every event, for tests and for front ends that report at the end.
#[derive(Debug, Default)]
pub struct Collect(pub Vec<Event>);

impl EventSink for Collect {
    fn emit(&mut self, event: Event) {
        self.0.push(event);
    }
}

/// An answer to "may this happen?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Yes, this one.
    Yes,
    /// No. `reason` (model-facing, may be empty) says why; `by_policy` tells a rule from a person.
    No { reason: String, by_policy: bool },
}

impl Decision {
    pub fn declined_by_person() -> Decision {
        Decision::No {
            reason: String::new(),
            by_policy: false,
        }
    }

    pub fn denied_by_policy(reason: impl Into<String>) -> Decision {
        Decision::No {
            reason: reason.into(),
            by_policy: true,
        }
    }
}

/// Decides whether edits are applied and commands run.
pub trait Approver: Send {
    /// A new run starts: forget per-run answers ("yes to all for this turn").
    fn run_started(&mut self) {}
    /// May this located edit batch be written?
    fn approve_edit(&mut self, plan: &Plan) -> Decision;
    /// May this command run in the workspace?
    fn approve_command(&mut self, command: &str) -> Decision;
}
