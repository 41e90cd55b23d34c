//! The tools the model can call, as one registry of [`Tool`]s: each says its name, its schema
//! and description (from `prompts/tools.json`), what it may affect, how a call reads to a person,
//! and how it runs. The built-in tools are in `builtin`; tools of other origins (MCP servers)
//! implement the same trait and join the same [`Registry`].
//!
//! This module never applies an edit and never decides whether a command may run: a tool that
//! would change the workspace or run something returns an [`Action`] asking for it, and the agent
//! previews it, asks the approval policy, and carries it out through `crate::edit` or [`shell`].
//! What became of a call is a typed [`Outcome`]; its text for the model comes from `prompts/`.
//! Tool names and argument names are a contract (transcripts, tests and scripts depend on them).

mod builtin;
mod command;
mod read;

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

pub use builtin::{APPLY_PATCH, EDIT_FILE, LIST_FILES, READ_FILE, RUN_COMMAND, SEARCH, WRITE_FILE};
pub use command::{CommandOutput, Finished, OutputChunk, STREAM_LIMIT, run_command, shell};
pub use read::{ReadFilter, ReadLimits, list_files, read_file, search, secret};

use crate::edit::{EditOp, Workspace};
use crate::prompts::{Text, text};

/// What a tool may affect, which decides what approval its calls need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Reads the workspace; never changes anything.
    Read,
    /// Changes files (through the edit engine, after approval).
    Edit,
    /// Runs a command (after approval).
    Command,
}

/// A parsed tool call: the typed arguments of one of the tools.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    ReadFile {
        path: String,
        offset: Option<usize>,
        limit: Option<usize>,
    },
    ListFiles {
        path: Option<String>,
        pattern: Option<String>,
    },
    Search {
        pattern: String,
        path: Option<String>,
        glob: Option<String>,
    },
    /// `edit_file`, `write_file` or `apply_patch`, already turned into edit operations.
    Edit { ops: Vec<EditOp> },
    RunCommand {
        command: String,
        timeout_s: Option<u64>,
    },
}

/// What a tool asks for when it runs.
#[derive(Debug)]
pub enum Action {
    /// It ran: its reply.
    Reply(Reply),
    /// Apply these edits (after a preview and approval).
    Edit(Vec<EditOp>),
    /// Run this command in the workspace (after approval).
    Command {
        command: String,
        timeout_s: Option<u64>,
    },
}

/// Who or what refused a call. Each is its own case, so no front end reads a sentence to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The person said no (`reason` may be empty).
    Person { reason: String },
    /// A rule of the session's policy (`reason` says which).
    Policy { reason: String },
    /// The path looks like it holds secrets.
    SecretFile { path: String },
    /// The path leads outside the workspace (or into `.git/`, or holds control characters).
    OutsideWorkspace { path: String },
    /// The same call came too often in one run; hone stopped the run.
    Repeated { count: usize },
    /// The run was cancelled before the call finished.
    Cancelled,
    /// The OS sandbox stopped the command (or could not be had, and it did not run).
    Sandbox(crate::sandbox::Blocked),
}

/// What became of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It ran; the reply is its content.
    Done,
    /// It was not allowed to run.
    Refused(Refusal),
    /// The call itself was wrong (no such tool, arguments that do not fit the schema).
    Invalid,
    /// It ran and failed (a missing file, an edit that does not match, a command's non-zero
    /// exit).
    Failed,
}

/// A call's result: its outcome, and the text the model receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub outcome: Outcome,
    pub text: String,
}

impl Reply {
    pub fn done(text: impl Into<String>) -> Reply {
        Reply {
            outcome: Outcome::Done,
            text: text.into(),
        }
    }

    pub fn failed(text: impl Into<String>) -> Reply {
        Reply {
            outcome: Outcome::Failed,
            text: text.into(),
        }
    }

    pub fn invalid(text: impl Into<String>) -> Reply {
        Reply {
            outcome: Outcome::Invalid,
            text: text.into(),
        }
    }

    /// A refusal, with `text` for the model (from `prompts/`).
    pub fn refused(by: Refusal, text: impl Into<String>) -> Reply {
        Reply {
            outcome: Outcome::Refused(by),
            text: text.into(),
        }
    }

    /// Whether the model should read it as an error.
    pub fn is_error(&self) -> bool {
        self.outcome != Outcome::Done
    }

    /// A refusal of the secrets rule for `path`.
    pub fn secret(path: &str) -> Reply {
        Reply::refused(
            Refusal::SecretFile {
                path: path.to_string(),
            },
            text(Text::SecretFile, &[("path", path)]),
        )
    }

    /// A command the sandbox stopped (`result`: what it printed and how it ended) or, with
    /// [`Blocked::Unavailable`](crate::sandbox::Blocked::Unavailable), never ran.
    pub fn sandboxed(
        command: &str,
        blocked: &crate::sandbox::Blocked,
        policy: &crate::sandbox::Policy,
        result: &str,
    ) -> Reply {
        use crate::sandbox::Blocked;
        let what = match blocked {
            Blocked::Write {
                path,
                inside_workspace: false,
            } => text(Text::BlockedWrite, &[("path", path)]),
            Blocked::Write {
                path,
                inside_workspace: true,
            } => text(Text::BlockedReadOnly, &[("path", path)]),
            Blocked::Network => text(Text::BlockedNetwork, &[]),
            Blocked::Unavailable { why } => {
                return Reply::refused(
                    Refusal::Sandbox(blocked.clone()),
                    text(
                        Text::SandboxUnavailable,
                        &[
                            ("command", command),
                            ("mode", policy.mode().as_str()),
                            ("why", why),
                        ],
                    ),
                );
            }
        };
        let network = if policy.rules.network.allowed() {
            "allowed"
        } else {
            "denied"
        };
        Reply::refused(
            Refusal::Sandbox(blocked.clone()),
            text(
                Text::SandboxBlocked,
                &[
                    ("what", &what),
                    ("mode", policy.mode().as_str()),
                    ("network", network),
                    ("result", result),
                ],
            ),
        )
    }

    /// An error of the edit engine: a jail refusal is its own case, the rest are failures.
    pub fn from_edit(e: &crate::edit::EditError) -> Reply {
        match e {
            crate::edit::EditError::Jail { path, .. } => Reply::refused(
                Refusal::OutsideWorkspace { path: path.clone() },
                text(Text::OutsideWorkspace, &[("message", &e.to_string())]),
            ),
            _ => Reply::failed(e.to_string()),
        }
    }
}

/// A boxed future, for tools whose work is asynchronous (an MCP server's call).
pub type Running<'a> = Pin<Box<dyn Future<Output = Action> + Send + 'a>>;

/// One tool the model can call.
pub trait Tool: Send + Sync {
    /// The name the model calls it by.
    fn name(&self) -> &str;
    /// Its schema as sent in every request (`{"type": "function", "function": {…}}`).
    fn schema(&self) -> &Value;
    /// What it may affect.
    fn effect(&self) -> Effect;
    /// The typed call for these JSON arguments, or what is wrong with them (for the model).
    fn parse(&self, args: &Value) -> Result<Call, String>;
    /// The call as one line for a person: `read_file src/main.rs`.
    fn describe(&self, call: &Call) -> String;
    /// Runs the call: read-only tools answer at once, the others ask for their effect.
    fn run<'a>(&'a self, call: Call, ws: &'a Workspace, limits: &'a ReadLimits) -> Running<'a>;
}

/// The tools of a session, in the order their schemas are sent.
pub struct Registry {
    tools: Vec<Box<dyn Tool>>,
}

impl Registry {
    /// The built-in tools, every one.
    pub fn builtin() -> Registry {
        Registry {
            tools: builtin::all(),
        }
    }

    pub fn get(&self, name: &str) -> Option<&dyn Tool> {
        self.tools
            .iter()
            .find(|t| t.name() == name)
            .map(|t| t.as_ref())
    }

    pub fn iter(&self) -> impl Iterator<Item = &dyn Tool> {
        self.tools.iter().map(|t| t.as_ref())
    }

    /// Every tool's name, in schema order.
    pub fn names(&self) -> Vec<&str> {
        self.iter().map(|t| t.name()).collect()
    }

    /// The schemas sent with every request, without the tools of effect `without` (lint-fix
    /// offers no command tool; a call of one still parses, and its policy says why it is
    /// refused).
    pub fn schemas(&self, without: Option<Effect>) -> Vec<Value> {
        self.iter()
            .filter(|t| Some(t.effect()) != without)
            .map(|t| t.schema().clone())
            .collect()
    }

    /// Parses a call from its name and raw JSON arguments (as the model streamed them); the
    /// error is the reply the model gets.
    pub fn parse(&self, name: &str, arguments: &str) -> Result<(&dyn Tool, Call), Reply> {
        let Some(tool) = self.get(name) else {
            return Err(Reply::invalid(text(
                Text::UnknownTool,
                &[("name", name), ("tools", &self.names().join(", "))],
            )));
        };
        let bad = |error: String| {
            Reply::invalid(text(
                Text::BadArguments,
                &[("name", name), ("error", &error)],
            ))
        };
        // Some servers send "" for a call without arguments.
        let raw = if arguments.trim().is_empty() {
            "{}"
        } else {
            arguments
        };
        let value: Value =
            serde_json::from_str(raw).map_err(|e| bad(format!("invalid JSON ({e})")))?;
        tool.parse(&value).map(|c| (tool, c)).map_err(bad)
    }
}

#[cfg(test)]
mod tests;
