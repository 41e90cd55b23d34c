//! What the agent core tells a front end, and what it asks of one.
//!
//! The core never prints and never reads the keyboard. It reports progress as [`Event`]s to an
//! [`EventSink`] and asks an [`Approver`] before anything changes the workspace or runs. The
//! REPL, `hone fix`, `hone lint-fix` and `hone -p` are each one sink plus one approver.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::edit::Plan;
use crate::provider::{FinishReason, ToolCall, Usage};
use crate::tools::{Call, Effect, OutputChunk, Refusal, Reply};

/// One thing that happened during a run. Every decision of the core is one of these, with its
/// data: no front end reads a sentence to learn what happened.
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
    /// What streamed since the request started (text and reasoning) is void: the answer was
    /// cut and the request is being sent again. Whatever a front end collected of it must go.
    AnswerDiscarded,
    /// The model's message is complete (its text and reasoning streamed before this), with
    /// every tool call it makes; the calls run next, each announced by [`Event::ToolCall`].
    MessageComplete { tool_calls: Vec<ToolCall> },
    /// The answer ended for another reason than finishing or calling tools (`length`: cut by
    /// the output token limit; `content_filter`; …).
    Truncated { reason: FinishReason },
    /// The model asked for a tool. `call` is the parsed call (`None` when the call is invalid,
    /// whose [`Event::ToolResult`] says why); `description` is the tool's one line for a person;
    /// `input` the arguments as parsed JSON (for JSON output).
    ToolCall {
        id: String,
        name: String,
        call: Option<Call>,
        description: String,
        input: Value,
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
    /// An edit batch was refused before anything was written.
    EditDeclined {
        id: String,
        files: Vec<String>,
        by: Refusal,
    },
    /// A command is about to run (after approval).
    CommandStarted { id: String, command: String },
    /// A running command's output, as it arrives.
    CommandOutput { id: String, chunk: OutputChunk },
    /// A tool's result: its typed outcome and the text the model receives; `effect` is what
    /// the tool may affect (`None` for a call of no known tool).
    ToolResult {
        id: String,
        name: String,
        effect: Option<Effect>,
        reply: Reply,
    },
    /// Edit blocks in an answer (`--edit-format blocks`) could not be read or placed; the reply
    /// goes back to the model.
    BlocksFailed { reply: Reply },
    /// Token use after each request: this request's, and the session's so far.
    Usage {
        request: Usage,
        session: Usage,
        request_cost: f64,
        session_cost: f64,
        /// The band this request was priced in.
        rate: crate::config::Rate,
        /// The session's cost and the bands it paid.
        bill: super::Bill,
    },
    /// The conversation was summarised to fit the window (estimated tokens before and after).
    Compacted { before: u64, after: u64 },
    /// The repository map became ready and rides with the next request.
    MapAdded { chars: usize },
    /// The model made the same call `count` times; the loop breaker ended the run.
    LoopBroken { name: String, count: usize },
    /// `limit` requests were made without a final answer; the run ended.
    TurnLimit { limit: u32 },
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
    /// The person cancelled the run at a question (Ctrl-C); nothing more was sent.
    Cancelled,
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
    /// May the model read this workspace path (`read_file`, `list_files`, `search`)?
    fn approve_read(&mut self, _path: &str) -> Decision {
        Decision::Yes
    }
    /// The paths listings and searches leave out (deny rules on reading them).
    fn read_filter(&self) -> Option<crate::tools::ReadFilter> {
        None
    }
    /// A note the person's next message carries to the model (plan mode says what it allows).
    fn message_note(&self) -> Option<String> {
        None
    }
    /// Whether the person, at a question of this run, asked to cancel the whole run (Ctrl-C):
    /// the run then ends at once and sends nothing more. The decision that came with it is a
    /// "no", so an agent that never asks still refuses. A policy never cancels.
    fn cancelled(&self) -> bool {
        false
    }
    /// May this command, which the OS sandbox stopped or cannot hold (`why`), run again without
    /// the sandbox? Its own question, apart from [`Approver::approve_command`]'s yes (an
    /// "always" answer there never covers it). Only a person may say yes: a policy keeps this
    /// default, no.
    fn approve_unsandboxed(&mut self, command: &str, why: &crate::sandbox::Blocked) -> Decision {
        let _ = (command, why);
        Decision::denied_by_policy("")
    }
}
