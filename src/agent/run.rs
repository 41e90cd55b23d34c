//! The turn loop of one run, and the execution of each tool call in it.
//!
//! Every tool call gets exactly one tool message in reply, in the order the model sent them,
//! whatever happens (bad arguments, refusal, failure, loop breaker): providers reject a
//! conversation with an unanswered call, and the model learns from the precise error. What
//! happened reaches the front end as typed events ([`Event`]); the model's texts come from
//! `prompts/`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use super::event::{Approver, Decision, Event, EventSink, Outcome};
use super::transcript::Line;
use super::{Agent, AgentError, EditFormat};
use crate::edit::{self, EditOp, TextFormat};
use crate::prompts::{Text, text};
use crate::provider::{Completion, FinishReason, Message, StreamEvent, ToolCall};
use crate::tools::{Action, Call, ReadLimits, Refusal, Reply};

/// The loop breaker fires when the same call (name and arguments) comes this many times in a run.
const LOOP_LIMIT: usize = 3;

/// Counts the calls of one run by meaning, to stop a model that repeats itself.
#[derive(Debug, Default)]
pub(super) struct LoopBreaker {
    seen: HashMap<(String, String), usize>,
}

impl LoopBreaker {
    /// Records a call; returns how often it has now been made, when that is too often.
    pub(super) fn record(&mut self, name: &str, arguments: &str) -> Option<usize> {
        let count = self
            .seen
            .entry((name.to_string(), normalise_args(arguments)))
            .or_insert(0);
        *count += 1;
        (*count >= LOOP_LIMIT).then_some(*count)
    }
}

/// How the calls of one message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallsEnd {
    /// Every call was answered; the next request goes out.
    Next,
    /// The loop breaker fired.
    Loop,
    /// The person cancelled the run at a question.
    Cancelled,
}

/// What a run does after edit blocks in an answer (`--edit-format blocks`) were handled.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum BlocksNext {
    /// Nothing more to do: applied, no blocks, or refused by the person or a policy (which the
    /// model cannot fix by trying again; the refusal was shown and the run ends).
    Stop,
    /// Send this back to the model, which can correct it (a block that did not parse or
    /// match, a path outside the workspace, a secrets file).
    Retry(String),
}

/// The step after blocks were handled with `reply` (`None`: there were none).
pub(super) fn blocks_next(reply: Option<&Reply>) -> BlocksNext {
    match reply.map(|r| (&r.outcome, r)) {
        None => BlocksNext::Stop,
        Some((crate::tools::Outcome::Done, _)) => BlocksNext::Stop,
        Some((
            crate::tools::Outcome::Refused(Refusal::Person { .. } | Refusal::Policy { .. }),
            _,
        )) => BlocksNext::Stop,
        Some((_, r)) => BlocksNext::Retry(text(Text::BlocksFailed, &[("error", &r.text)])),
    }
}

/// A read the approval policy refuses (a deny rule on the path), as the model's reply.
fn read_refusal(call: &Call, approver: &mut dyn Approver) -> Option<Reply> {
    let path = match call {
        Call::ReadFile { path, .. } => path.as_str(),
        Call::ListFiles { path, .. } | Call::Search { path, .. } => path.as_deref().unwrap_or("."),
        _ => return None,
    };
    match approver.approve_read(path) {
        Decision::Yes => None,
        Decision::No { reason, by_policy } => {
            let model = text(
                Text::ReadDenied,
                &[("path", path), ("reason", &reason_suffix(&reason))],
            );
            let by = if by_policy {
                Refusal::Policy { reason }
            } else {
                Refusal::Person { reason }
            };
            Some(Reply::refused(by, model))
        }
    }
}

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
        let run = self.journal.start_run(Some(input));
        approver.run_started();
        let mut message = self.take_pending(input)?;
        if let Some(note) = approver.message_note() {
            message = format!("{message}\n\n{note}");
        }
        self.mark_request(run, input)?;
        self.push(Message::user(message))?;
        let mut breaker = LoopBreaker::default();
        for turn in 1..=self.opts.max_turns {
            if self.should_compact() {
                self.compact(events).await?;
            }
            self.poll_context(events)?;
            let completion = self.request_turn(turn, events).await?;
            let message = completion.message;
            let calls = message.tool_calls.clone();
            let answer = message.content.clone().unwrap_or_default();
            self.push(message)?;
            events.emit(Event::MessageComplete {
                tool_calls: calls.clone(),
            });
            if calls.is_empty() {
                if self.opts.edit_format == EditFormat::Blocks {
                    let reply = self.apply_text_edits(&answer, events, approver)?;
                    if approver.cancelled() {
                        return Ok(self.finish(Outcome::Cancelled, events));
                    }
                    if let BlocksNext::Retry(feedback) = blocks_next(reply.as_ref()) {
                        self.push(Message::user(feedback))?;
                        continue;
                    }
                }
                return Ok(self.finish(Outcome::Done, events));
            }
            match self
                .run_calls(&calls, &mut breaker, events, approver)
                .await?
            {
                CallsEnd::Next => {}
                CallsEnd::Loop => return Ok(self.finish(Outcome::Loop, events)),
                CallsEnd::Cancelled => return Ok(self.finish(Outcome::Cancelled, events)),
            }
        }
        events.emit(Event::TurnLimit {
            limit: self.opts.max_turns,
        });
        Ok(self.finish(Outcome::TurnLimit, events))
    }

    fn finish(&self, outcome: Outcome, events: &mut dyn EventSink) -> Outcome {
        events.emit(Event::Finished { outcome });
        outcome
    }

    /// Sends one request, streaming its answer as events; records usage and says when the
    /// answer was cut short.
    async fn request_turn(
        &mut self,
        turn: u32,
        events: &mut dyn EventSink,
    ) -> Result<Completion, AgentError> {
        events.emit(Event::RequestStarted { turn });
        let request = self.request();
        self.note_request_size(&request);
        let sent_at = (self.clock)();
        let completion = {
            // Whether anything of this attempt's answer was shown: a retry then voids it.
            let mut streamed = false;
            let mut on_event = |ev: StreamEvent| match ev {
                StreamEvent::Text(t) => {
                    streamed = true;
                    events.emit(Event::Text(t));
                }
                StreamEvent::Reasoning(t) => {
                    streamed = true;
                    events.emit(Event::Reasoning(t));
                }
                StreamEvent::Retrying {
                    attempt,
                    delay,
                    reason,
                } => {
                    if std::mem::take(&mut streamed) {
                        events.emit(Event::AnswerDiscarded);
                    }
                    events.emit(Event::Retrying {
                        attempt,
                        delay,
                        reason,
                    });
                }
                _ => {}
            };
            self.client.complete(&request, &mut on_event).await?
        };
        if let Some(usage) = completion.usage {
            let (request_cost, rate) = self.charge(usage, sent_at);
            if let Some(t) = self.transcript.as_mut() {
                t.append(&Line::Usage { usage })?;
            }
            events.emit(Event::Usage {
                request_cost,
                session_cost: self.bill.usd,
                request: usage,
                session: self.session_usage,
                rate,
                bill: self.bill,
            });
        }
        if !matches!(
            completion.finish_reason,
            FinishReason::Stop | FinishReason::ToolCalls
        ) {
            events.emit(Event::Truncated {
                reason: completion.finish_reason.clone(),
            });
        }
        self.last_finish = Some(completion.finish_reason.clone());
        Ok(completion)
    }

    /// Runs the calls of one message in order; says whether the run goes on, the loop breaker
    /// fired (every call is still answered) or the person cancelled the run at a question (the
    /// calls after that one stay unanswered: nothing more runs, and closing the run answers them).
    async fn run_calls(
        &mut self,
        calls: &[ToolCall],
        breaker: &mut LoopBreaker,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Result<CallsEnd, AgentError> {
        let mut looped: Option<(String, usize)> = None;
        for call in calls {
            let repeated = breaker.record(&call.name, &call.arguments);
            if let Some(count) = repeated.or(looped.as_ref().map(|l| l.1)) {
                let n = count.to_string();
                let reply = Reply::refused(
                    Refusal::Repeated { count },
                    text(Text::Loop, &[("name", &call.name), ("count", &n)]),
                );
                looped.get_or_insert((call.name.clone(), count));
                self.answer(call, reply, events)?;
                continue;
            }
            let reply = self.execute(call, events, approver).await;
            self.answer(call, reply, events)?;
            if approver.cancelled() {
                return Ok(CallsEnd::Cancelled);
            }
        }
        match looped {
            Some((name, count)) => {
                events.emit(Event::LoopBroken { name, count });
                Ok(CallsEnd::Loop)
            }
            None => Ok(CallsEnd::Next),
        }
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
        reply: Reply,
        events: &mut dyn EventSink,
    ) -> Result<(), AgentError> {
        let text = reply.text.clone();
        events.emit(Event::ToolResult {
            id: call.id.clone(),
            name: call.name.clone(),
            effect: self.tools.get(&call.name).map(|t| t.effect()),
            reply,
        });
        self.push(Message::tool(call.id.clone(), text))
    }

    /// Parses and runs one call through the registry.
    async fn execute(
        &mut self,
        call: &ToolCall,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Reply {
        let input = serde_json::from_str(&call.arguments).unwrap_or(serde_json::Value::Null);
        let parsed = self.tools.parse(&call.name, &call.arguments);
        let action = match parsed {
            Err(reply) => {
                events.emit(Event::ToolCall {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    call: None,
                    description: call.name.clone(),
                    input,
                });
                return reply;
            }
            Ok((tool, parsed)) => {
                events.emit(Event::ToolCall {
                    id: call.id.clone(),
                    name: call.name.clone(),
                    call: Some(parsed.clone()),
                    description: tool.describe(&parsed),
                    input,
                });
                if let Some(reply) = read_refusal(&parsed, approver) {
                    return reply;
                }
                let limits = ReadLimits {
                    hidden: approver.read_filter(),
                    ..ReadLimits::default()
                };
                tool.run(parsed, &self.ws, &limits).await
            }
        };
        match action {
            Action::Reply(reply) => reply,
            Action::Edit(ops) => self.edit(&call.id, &ops, events, approver),
            Action::Command { command, timeout_s } => {
                self.command(&call.id, &command, timeout_s, events, approver)
                    .await
            }
        }
    }

    /// Locates, previews, asks and applies one edit batch.
    fn edit(
        &mut self,
        id: &str,
        ops: &[EditOp],
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Reply {
        // Checked before locating: a failed match would show the file's closest lines.
        let secret = ops
            .iter()
            .flat_map(|op| match op {
                EditOp::Rename { from, to } => vec![from.as_str(), to.as_str()],
                other => vec![other.path()],
            })
            .find(|p| crate::tools::secret(&self.ws, p));
        if let Some(path) = secret {
            return Reply::secret(path);
        }
        let plan = match edit::plan(&self.ws, ops) {
            Ok(plan) => plan,
            Err(e) => return Reply::from_edit(&e),
        };
        if plan.is_empty() {
            return Reply::done(text(Text::NoChange, &[]));
        }
        let plan = Arc::new(plan);
        events.emit(Event::EditProposed {
            id: id.to_string(),
            plan: Arc::clone(&plan),
        });
        let files = super::touched_paths(&plan);
        if let Decision::No { reason, by_policy } = approver.approve_edit(&plan) {
            let path = files.join(", ");
            let (by, model) = if approver.cancelled() {
                (Refusal::Cancelled, text(Text::Cancelled, &[]))
            } else if by_policy {
                let suffix = reason_suffix(&reason);
                let model = text(
                    Text::NotAllowedPath,
                    &[("path", &path), ("reason", &suffix)],
                );
                (Refusal::Policy { reason }, model)
            } else if reason.trim().is_empty() {
                let model = text(Text::DeclinedEdit, &[("path", &path), ("reason", "")]);
                (Refusal::Person { reason }, model)
            } else {
                let model = text(Text::DeclinedEditSaid, &[("said", reason.trim())]);
                (Refusal::Person { reason }, model)
            };
            events.emit(Event::EditDeclined {
                id: id.to_string(),
                files,
                by: by.clone(),
            });
            return Reply::refused(by, model);
        }
        if let Err(e) = edit::apply(&self.ws, &plan, &self.journal) {
            return Reply::from_edit(&e);
        }
        let (added, removed) = plan.stats();
        self.changed.extend(files.iter().cloned());
        events.emit(Event::EditApplied {
            id: id.to_string(),
            files: files.clone(),
            added,
            removed,
        });
        let applied = text(
            Text::Applied,
            &[
                ("files", &files.join(", ")),
                ("added", &added.to_string()),
                ("removed", &removed.to_string()),
            ],
        );
        // The changed regions, so the model need not read the files again.
        let regions = super::region::describe(&plan);
        if regions.is_empty() {
            Reply::done(applied)
        } else {
            Reply::done(format!("{applied}\n{regions}"))
        }
    }

    /// Asks, then runs one command, its output streamed as events while it runs.
    async fn command(
        &mut self,
        id: &str,
        command: &str,
        timeout_s: Option<u64>,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Reply {
        if let Decision::No { reason, by_policy } = approver.approve_command(command) {
            let suffix = reason_suffix(&reason);
            let vars = [("command", command), ("reason", suffix.as_str())];
            return if approver.cancelled() {
                Reply::refused(Refusal::Cancelled, text(Text::Cancelled, &[]))
            } else if by_policy {
                Reply::refused(
                    Refusal::Policy { reason },
                    text(Text::NotAllowedCommand, &vars),
                )
            } else if reason.trim().is_empty() {
                Reply::refused(
                    Refusal::Person { reason },
                    text(Text::DeclinedCommand, &vars),
                )
            } else {
                let said = [("command", command), ("said", reason.trim())];
                Reply::refused(
                    Refusal::Person {
                        reason: reason.clone(),
                    },
                    text(Text::DeclinedCommandSaid, &said),
                )
            };
        }
        let timeout = Duration::from_secs(
            timeout_s
                .unwrap_or(self.opts.command_timeout_s)
                .clamp(1, 3600),
        );
        self.run_approved(id, command, timeout, events, approver)
            .await
    }

    /// Blocks mode: parses edit blocks from the answer and applies them. Returns the reply
    /// (`None` when the answer holds no edits).
    fn apply_text_edits(
        &mut self,
        answer: &str,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Result<Option<Reply>, AgentError> {
        let reply = match edit::parse_text(answer, TextFormat::Auto) {
            Ok(ops) if ops.is_empty() => return Ok(None),
            Ok(ops) => self.edit("blocks", &ops, events, approver),
            Err(_) if !looks_like_edit(answer) => return Ok(None),
            Err(e) => Reply::invalid(text(Text::BlocksUnreadable, &[("error", &e.to_string())])),
        };
        if matches!(
            reply.outcome,
            crate::tools::Outcome::Invalid | crate::tools::Outcome::Failed
        ) || matches!(
            reply.outcome,
            crate::tools::Outcome::Refused(
                Refusal::SecretFile { .. } | Refusal::OutsideWorkspace { .. }
            )
        ) {
            events.emit(Event::BlocksFailed {
                reply: reply.clone(),
            });
        }
        Ok(Some(reply))
    }
}

/// A refusal's reason as the prompt texts take it: `: reason`, or nothing.
fn reason_suffix(reason: &str) -> String {
    let reason = reason.trim();
    if reason.is_empty() {
        String::new()
    } else if reason.starts_with('(') {
        format!(" {reason}")
    } else {
        format!(": {reason}")
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
mod tests;
