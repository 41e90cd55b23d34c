//! The turn loop of one run, and the execution of each tool call in it.
//!
//! Every tool call gets exactly one tool message in reply, in the order the model sent them,
//! whatever happens (bad arguments, refusal, failure, loop breaker): providers reject a
//! conversation with an unanswered call, and the model learns from the precise error.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::event::{Approver, Decision, Event, EventSink, Outcome};
use super::transcript::Line;
use super::{Agent, AgentError, EditFormat};
use crate::edit::{self, EditOp, TextFormat};
use crate::provider::{Message, StreamEvent, ToolCall};
use crate::tools::{self, Call, ReadLimits};

/// The loop breaker fires when the same call (name and arguments) comes this many times in a run.
const LOOP_LIMIT: usize = 3;

impl Agent {
    /// Answers one request of the person. Returns how the run ended; errors are only those that
    /// make going on pointless (the provider failed after retries, the transcript cannot be
    /// written).
    pub async fn run(
        &mut self,
        input: &str,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Result<Outcome, AgentError> {
        self.repair()?;
        // The edits of this request are one change to undo.
        self.journal.start_run();
        approver.run_started();
        let input = self.take_pending(input);
        self.push(Message::user(input))?;
        let mut seen: HashMap<(String, String), usize> = HashMap::new();
        for turn in 1..=self.opts.max_turns {
            if self.should_compact() {
                self.compact(events).await?;
            }
            self.poll_context()?;
            events.emit(Event::RequestStarted { turn });
            let request = self.request();
            self.note_request_size(&request);
            let completion = {
                let mut on_event = |ev: StreamEvent| match ev {
                    StreamEvent::Text(t) => events.emit(Event::Text(t)),
                    StreamEvent::Reasoning(t) => events.emit(Event::Reasoning(t)),
                    StreamEvent::Retrying {
                        attempt,
                        delay,
                        reason,
                    } => events.emit(Event::Retrying {
                        attempt,
                        delay,
                        reason,
                    }),
                    _ => {}
                };
                self.client.complete(&request, &mut on_event).await?
            };
            if let Some(usage) = completion.usage {
                self.session_usage += usage;
                if let Some(t) = self.transcript.as_mut() {
                    t.append(&Line::Usage { usage })?;
                }
                events.emit(Event::Usage {
                    request_cost: usage.cost(&self.prices),
                    session_cost: self.session_usage.cost(&self.prices),
                    request: usage,
                    session: self.session_usage,
                });
            }
            use crate::provider::FinishReason;
            if !matches!(
                completion.finish_reason,
                FinishReason::Stop | FinishReason::ToolCalls
            ) {
                events.emit(Event::Notice(format!(
                    "the answer ended with finish_reason `{}`{}",
                    completion.finish_reason.as_str(),
                    if completion.finish_reason == FinishReason::Length {
                        " (cut by the output token limit)"
                    } else {
                        ""
                    }
                )));
            }
            self.last_finish = Some(completion.finish_reason);
            let message = completion.message;
            let calls = message.tool_calls.clone();
            let text = message.content.clone().unwrap_or_default();
            self.push(message)?;
            events.emit(Event::MessageComplete {
                tool_calls: calls.clone(),
            });
            if calls.is_empty() {
                if self.opts.edit_format == EditFormat::Blocks
                    && let Some(feedback) = self.apply_text_edits(&text, events, approver)?
                {
                    self.push(Message::user(feedback))?;
                    continue;
                }
                events.emit(Event::Finished {
                    outcome: Outcome::Done,
                });
                return Ok(Outcome::Done);
            }
            let mut looped = None;
            for call in &calls {
                let key = (call.name.clone(), normalise_args(&call.arguments));
                let count = seen.entry(key).or_insert(0);
                *count += 1;
                if looped.is_some() || *count >= LOOP_LIMIT {
                    let n = count.to_string();
                    let text =
                        crate::prompts::tool_error("loop", &[("name", &call.name), ("count", &n)]);
                    looped.get_or_insert(text.clone());
                    self.answer(call, text, true, events)?;
                    continue;
                }
                events.emit(Event::ToolCall {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    arguments: call.arguments.clone(),
                });
                let (output, is_error) = self.execute(call, events, approver).await;
                self.answer(call, output, is_error, events)?;
            }
            if let Some(text) = looped {
                events.emit(Event::Notice(format!("stopped: {text}")));
                events.emit(Event::Finished {
                    outcome: Outcome::Loop,
                });
                return Ok(Outcome::Loop);
            }
        }
        events.emit(Event::Notice(format!(
            "stopped after {} requests without a final answer (raise it with --max-turns)",
            self.opts.max_turns
        )));
        events.emit(Event::Finished {
            outcome: Outcome::TurnLimit,
        });
        Ok(Outcome::TurnLimit)
    }

    /// Records the request's size and, while the conversation only grew, the share of it that
    /// the previous request already sent (what a prefix cache can serve).
    fn note_request_size(&mut self, request: &crate::provider::ChatRequest) {
        let chars: usize = request.messages.iter().map(super::message_chars).sum();
        if let Some(prev) = self.last_request_chars.filter(|p| *p <= chars && chars > 0) {
            self.prefix_share = Some(prev as f64 / chars as f64);
        }
        self.last_request_chars = Some(chars);
    }

    fn answer(
        &mut self,
        call: &ToolCall,
        output: String,
        is_error: bool,
        events: &mut dyn EventSink,
    ) -> Result<(), AgentError> {
        events.emit(Event::ToolResult {
            id: call.id.clone(),
            name: call.name.clone(),
            output: output.clone(),
            is_error,
        });
        self.push(Message::tool(call.id.clone(), output))
    }

    /// Runs one call; returns the tool result text and whether it is an error.
    async fn execute(
        &mut self,
        call: &ToolCall,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> (String, bool) {
        let parsed = match tools::parse_call(&call.name, &call.arguments) {
            Ok(p) => p,
            Err(e) => return (e.to_string(), true),
        };
        let limits = ReadLimits::default();
        let ws = &self.ws;
        let result = match parsed {
            Call::ReadFile {
                path,
                offset,
                limit,
            } => tools::read_file(ws, &path, offset, limit, &limits),
            Call::ListFiles { path, pattern } => {
                tools::list_files(ws, path.as_deref(), pattern.as_deref(), &limits)
            }
            Call::Search {
                pattern,
                path,
                glob,
            } => tools::search(ws, &pattern, path.as_deref(), glob.as_deref(), &limits),
            Call::Edit { ops } => self.edit(&call.id, &ops, events, approver),
            Call::RunCommand { command, timeout_s } => {
                self.command(&call.id, &command, timeout_s, events, approver)
                    .await
            }
        };
        match result {
            Ok(out) => (out, false),
            Err(e) => (e, true),
        }
    }

    /// Locates, previews, asks and applies one edit batch.
    fn edit(
        &mut self,
        id: &str,
        ops: &[EditOp],
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Result<String, String> {
        // Checked before locating: a failed match would show the file's closest lines.
        let secret = ops
            .iter()
            .flat_map(|op| match op {
                EditOp::Rename { from, to } => vec![from.as_str(), to.as_str()],
                other => vec![other.path()],
            })
            .find(|p| crate::tools::secret(&self.ws, p));
        if let Some(path) = secret {
            return Err(crate::prompts::tool_error("secret_file", &[("path", path)]));
        }
        let plan = edit::plan(&self.ws, ops).map_err(|e| e.to_string())?;
        if plan.is_empty() {
            return Ok("no change: the new text equals the old text.".to_string());
        }
        let plan = Arc::new(plan);
        events.emit(Event::EditProposed {
            id: id.to_string(),
            plan: Arc::clone(&plan),
        });
        match approver.approve_edit(&plan) {
            Decision::Yes => {}
            Decision::No {
                reason,
                by_policy: true,
            } => {
                let path = super::touched_paths(&plan).join(", ");
                return Err(crate::prompts::tool_error(
                    "not_allowed_path",
                    &[("path", &path), ("reason", &reason)],
                ));
            }
            Decision::No {
                reason,
                by_policy: false,
            } => {
                let reason = if reason.is_empty() {
                    reason
                } else {
                    format!(": {reason}")
                };
                return Err(crate::prompts::tool_error(
                    "declined_edit",
                    &[("reason", &reason)],
                ));
            }
        }
        let applied = edit::apply(&self.ws, &plan, &self.journal).map_err(|e| e.to_string())?;
        let files = super::touched_paths(&plan);
        let (added, removed) = plan.stats();
        self.changed.extend(files.iter().cloned());
        events.emit(Event::EditApplied {
            id: id.to_string(),
            files: files.clone(),
            added,
            removed,
        });
        drop(applied);
        Ok(format!(
            "applied: {} (+{added} -{removed}).",
            files.join(", ")
        ))
    }

    async fn command(
        &mut self,
        id: &str,
        command: &str,
        timeout_s: Option<u64>,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Result<String, String> {
        match approver.approve_command(command) {
            Decision::Yes => {}
            Decision::No {
                reason,
                by_policy: true,
            } => {
                return Err(crate::prompts::tool_error(
                    "not_allowed_command",
                    &[("command", command), ("reason", &reason)],
                ));
            }
            Decision::No {
                reason,
                by_policy: false,
            } => {
                let reason = if reason.is_empty() {
                    reason
                } else {
                    format!(": {reason}")
                };
                return Err(crate::prompts::tool_error(
                    "declined_command",
                    &[("command", command), ("reason", &reason)],
                ));
            }
        }
        events.emit(Event::CommandStarted {
            id: id.to_string(),
            command: command.to_string(),
        });
        let timeout = Duration::from_secs(
            timeout_s
                .unwrap_or(self.opts.command_timeout_s)
                .clamp(1, 3600),
        );
        match tools::run_command(self.ws.root(), command, timeout, &self.secret_vars).await {
            Ok(out) => {
                let text = out.to_tool_result(timeout);
                if out.code == Some(0) {
                    Ok(text)
                } else {
                    Err(text)
                }
            }
            Err(e) => Err(format!("could not start `{command}`: {e}")),
        }
    }

    /// Blocks mode: parses edit blocks from the answer and applies them. Returns feedback for
    /// the model when something failed (so it can correct it), `None` when all went well or
    /// there were no blocks.
    fn apply_text_edits(
        &mut self,
        text: &str,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Result<Option<String>, AgentError> {
        let ops = match edit::parse_text(text, TextFormat::Auto) {
            Ok(ops) if ops.is_empty() => return Ok(None),
            Ok(ops) => ops,
            Err(e) if !looks_like_edit(text) => {
                drop(e);
                return Ok(None);
            }
            Err(e) => {
                return Ok(Some(format!(
                    "Your edit blocks could not be read: {e}. Send them again, corrected."
                )));
            }
        };
        match self.edit("blocks", &ops, events, approver) {
            Ok(done) => {
                events.emit(Event::Notice(done));
                Ok(None)
            }
            Err(e) if e.contains("declined") || e.contains("not allowed") => {
                events.emit(Event::Notice(e));
                Ok(None)
            }
            Err(e) => Ok(Some(format!(
                "Your edits were not applied (none of them): {e}"
            ))),
        }
    }
}

fn looks_like_edit(text: &str) -> bool {
    text.contains("<<<<<<< SEARCH") || text.contains("*** Begin Patch") || text.contains("\n+++ ")
}

/// Arguments compared by meaning, not spacing: `{"a": 1}` and `{"a":1}` are the same call.
fn normalise_args(raw: &str) -> String {
    serde_json::from_str::<serde_json::Value>(raw)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| raw.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_normalise_by_meaning() {
        assert_eq!(
            normalise_args(r#"{"a": 1, "b": "x"}"#),
            normalise_args(r#"{"a":1,"b":"x"}"#)
        );
        assert_eq!(normalise_args(" not json "), "not json");
    }

    #[test]
    fn edit_markers_are_recognised() {
        assert!(looks_like_edit("a\n<<<<<<< SEARCH\n"));
        assert!(!looks_like_edit("just prose"));
    }
}
