//! The `-p` event sink: renders one run's agent events as text (answer on stdout, the rest on
//! stderr), one JSON `result` at the end, or stream-JSON lines in Claude Code's shapes, plus the
//! JSON pieces other front ends share (`usage_json`, `tool_use`).
//!
//! Rendering only: it decides nothing about the run, and stdout carries only the product.

use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Args, OutputFormat};
use crate::agent::{Event, EventSink, Outcome};
use crate::cli::GlobalArgs;
use crate::config::Config;
use crate::provider::Usage;
use crate::ui::{self, palette};

/// Renders the agent's events of one `-p` run.
pub(super) struct Printer {
    format: OutputFormat,
    show_reasoning: bool,
    verbose: bool,
    dim: bool,
    usage_line: bool,
    session_id: String,
    model: String,
    provider: String,
    workspace: String,
    /// Whether the model's prices are known (else the cost is unknown, not zero).
    priced: bool,
    /// The run's cost, each request priced in the band it was sent in.
    bill: crate::agent::Bill,
    max_retries: u32,
    started: Instant,
    first_event: Option<Duration>,
    /// The answer text of the current request (the last one's is the result).
    text: String,
    reasoning: String,
    /// The whole run's answer (every message's reasoning goes into the result).
    answer: crate::agent::Answer,
    /// Reasoning was written to stderr and its line is still open.
    reasoning_open: bool,
    /// Text was written to stdout and its line is still open.
    text_open: bool,
    /// Text and reasoning cleaned of control characters as they stream (`ui::StreamCleaner`).
    clean: ui::AnswerCleaners,
    /// stream-json: the `tool_use` blocks of the current message (see [`Printer::message_done`]).
    tool_uses: Vec<Value>,
    /// stream-json: a request was sent and its message not yet written.
    message_open: bool,
    usage: Usage,
    turns: u32,
    pub(super) finish_reason: Option<String>,
    /// The permission mode, in Claude Code's spelling (the init event's `permissionMode`).
    pub(super) permission_mode: &'static str,
    /// Why writing to stdout failed (a reader that closed the pipe, `| head`): nothing more is
    /// written there, and the run ends with this error (see [`Printer::write_error`]).
    write_error: Option<std::io::Error>,
}

impl Printer {
    pub(super) fn new(global: &GlobalArgs, args: &Args, cfg: &Config, session_id: &str) -> Printer {
        let stderr_tty = std::io::stderr().is_terminal();
        Printer {
            format: args.output_format,
            show_reasoning: !args.no_reasoning,
            verbose: global.verbose,
            dim: global.color.enabled(ui::Stream::Stderr),
            usage_line: stderr_tty || global.verbose,
            session_id: session_id.to_string(),
            model: cfg.model.clone(),
            provider: cfg.provider.name.clone(),
            workspace: cfg.workspace.display().to_string(),
            permission_mode: cfg.permissions.mode.claude_name(),
            priced: cfg.prices().is_some(),
            bill: crate::agent::Bill::default(),
            max_retries: cfg.retry.max_retries,
            started: Instant::now(),
            first_event: None,
            text: String::new(),
            reasoning: String::new(),
            answer: crate::agent::Answer::default(),
            reasoning_open: false,
            text_open: false,
            clean: Default::default(),
            tool_uses: Vec::new(),
            message_open: false,
            usage: Usage::default(),
            turns: 0,
            finish_reason: None,
            write_error: None,
        }
    }

    pub(super) fn init(&mut self, sandbox: &crate::sandbox::Policy) {
        if let Some(line) = crate::cmd::common::sandbox_notice(sandbox, self.verbose) {
            self.note(&line);
        }
        if self.format == OutputFormat::StreamJson {
            let registry = crate::tools::Registry::builtin();
            let tools = registry.names();
            self.line(&json!({
                "type": "system", "subtype": "init", "session_id": self.session_id, "model": self.model,
                "cwd": self.workspace, "tools": tools, "provider": self.provider,
                "permissionMode": self.permission_mode,
                "sandbox": sandbox_json(sandbox),
            }));
        }
    }

    pub(super) fn done(&mut self, outcome: Outcome) {
        self.close_lines();
        self.message_done(Ended::Whole);
        if self.format != OutputFormat::Text {
            let error = match outcome {
                Outcome::Done => None,
                Outcome::TurnLimit => Some("the turn limit was reached without a final answer"),
                Outcome::Loop => Some("the model repeated the same tool call; hone stopped it"),
                Outcome::Cancelled => Some("the run was cancelled at a question"),
            };
            let mut r = self.result(&self.text.clone(), error);
            r["subtype"] = json!(match outcome {
                Outcome::Done => "success",
                Outcome::TurnLimit => "error_max_turns",
                Outcome::Loop => "error_loop",
                Outcome::Cancelled => "error_cancelled",
            });
            self.line(&r);
        }
        if self.usage_line {
            let cost = self.priced.then_some(self.bill);
            self.note(&usage_line(&self.model, &self.usage, cost));
        }
        if self.verbose {
            self.note(&format!(
                "done in {} ms",
                self.started.elapsed().as_millis()
            ));
        }
    }

    pub(super) fn failed(&mut self, error: &str, partial: String) {
        self.close_lines();
        self.message_done(Ended::Cut);
        if self.format != OutputFormat::Text {
            let text = if partial.is_empty() {
                self.text.clone()
            } else {
                partial
            };
            let r = self.result(&text, Some(error));
            self.line(&r);
        }
    }

    pub(super) fn interrupted(&mut self) {
        self.close_lines();
        self.message_done(Ended::Cut);
        if self.format != OutputFormat::Text {
            let mut r = self.result(&self.text.clone(), Some("interrupted"));
            r["subtype"] = json!("error_interrupted");
            self.line(&r);
        }
        self.note("interrupted");
    }

    /// The final `result` object (Claude Code's shape, plus hone's reasoning and model).
    fn result(&self, text: &str, error: Option<&str>) -> Value {
        let u = self.usage;
        let mut r = json!({
            "type": "result",
            "subtype": if error.is_some() { "error_during_execution" } else { "success" },
            "is_error": error.is_some(),
            "result": text,
            "reasoning": if self.show_reasoning { json!(self.answer.reasoning()) } else { Value::Null },
            "num_turns": self.turns,
            "duration_ms": self.started.elapsed().as_millis() as u64,
            "session_id": self.session_id,
            "model": self.model,
            "provider": self.provider,
            "finish_reason": self.finish_reason,
            "total_cost_usd": self.priced.then_some(self.bill.usd),
            "rate": if self.priced { self.bill.rate() } else { None },
            "usage": usage_json(&u),
        });
        if let Some(e) = error {
            r["error"] = json!(e);
        }
        r
    }

    /// stream-json: writes the current model message as one `assistant` event, as Claude Code
    /// does: its thinking, text and `tool_use` blocks together, as soon as the agent reports it
    /// complete (before its tools run; their results follow as `user` events). A message cut
    /// by Ctrl-C or an error is written with what arrived, an empty one only if it was whole.
    fn message_done(&mut self, ended: Ended) {
        if self.format != OutputFormat::StreamJson || !self.message_open {
            return;
        }
        self.message_open = false;
        let mut content = Vec::new();
        if self.show_reasoning && !self.reasoning.is_empty() {
            content.push(json!({"type": "thinking", "thinking": self.reasoning}));
        }
        if !self.text.is_empty() {
            content.push(json!({"type": "text", "text": self.text}));
        }
        content.append(&mut self.tool_uses);
        if !content.is_empty() || ended == Ended::Whole {
            let ev = json!({
                "type": "assistant",
                "message": {"role": "assistant", "model": self.model, "content": content},
                "parent_tool_use_id": null,
                "session_id": self.session_id,
            });
            self.line(&ev);
        }
    }

    fn close_lines(&mut self) {
        if self.reasoning_open {
            self.reasoning_open = false;
            self.err("\n");
        }
        if self.text_open {
            self.text_open = false;
            self.out("\n");
        }
    }

    fn line(&mut self, v: &Value) {
        self.out(&format!("{v}\n"));
    }

    fn out(&mut self, s: &str) {
        if self.write_error.is_some() {
            return;
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
            self.write_error = Some(e);
        }
    }

    /// The error that stopped the writes to stdout, if one did: the run goes on (its edits are
    /// its own business), and the front end passes this up when it ends, so `cli::main` decides
    /// what a closed pipe means.
    pub(super) fn write_error(&mut self) -> Option<std::io::Error> {
        self.write_error.take()
    }

    fn err(&self, s: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(s.as_bytes()).and_then(|()| err.flush());
    }

    /// A `hone: …` line on stderr.
    pub(super) fn note(&self, s: &str) {
        self.err(&format!("hone: {s}\n"));
    }

    /// A line of tool activity on stderr (text mode), as `ui::render::activity_line` wrote it.
    fn activity(&mut self, line: &str) {
        if self.format == OutputFormat::Text {
            self.close_lines();
            self.err(&format!("{line}\n"));
        }
    }
}

impl EventSink for Printer {
    fn emit(&mut self, ev: Event) {
        self.answer.push(&ev);
        if self.first_event.is_none() && matches!(ev, Event::Text(_) | Event::Reasoning(_)) {
            self.first_event = Some(self.started.elapsed());
            if self.verbose {
                self.note(&format!(
                    "first token after {} ms",
                    self.started.elapsed().as_millis()
                ));
            }
        }
        match ev {
            Event::RequestStarted { turn } => {
                self.message_done(Ended::Whole);
                self.message_open = true;
                self.turns = turn;
                self.text.clear();
                self.reasoning.clear();
                self.clean.reset();
            }
            Event::Text(t) => {
                self.text.push_str(&t);
                match self.format {
                    OutputFormat::Text => {
                        if self.reasoning_open {
                            self.reasoning_open = false;
                            self.err("\n");
                        }
                        let t = self.clean.text.push(&t);
                        self.text_open = !t.ends_with('\n');
                        self.out(&t);
                    }
                    OutputFormat::StreamJson | OutputFormat::Json => {}
                }
            }
            Event::Reasoning(r) if self.show_reasoning => {
                self.reasoning.push_str(&r);
                match self.format {
                    OutputFormat::Text => {
                        let r = self.clean.reasoning.push(&r);
                        self.err(&palette::paint(palette::DIM, &r, self.dim));
                        self.reasoning_open = !r.ends_with('\n');
                    }
                    OutputFormat::StreamJson | OutputFormat::Json => {}
                }
            }
            Event::Reasoning(_) => {}
            Event::AnswerDiscarded => {
                // The answer starts over: what streamed of it is void (it was shown on a
                // terminal; in JSON it is dropped, never concatenated).
                self.close_lines();
                self.text.clear();
                self.reasoning.clear();
                self.tool_uses.clear();
                self.note("the answer was cut off and starts over");
            }
            Event::Retrying {
                attempt,
                delay,
                reason,
            } => {
                self.close_lines();
                self.note(&format!(
                    "{}; retrying in {:.1}s (retry {attempt} of {})",
                    ui::escape_controls(&reason),
                    delay.as_secs_f64(),
                    self.max_retries,
                ));
                if self.format == OutputFormat::StreamJson {
                    self.line(&json!({
                        "type": "system", "subtype": "retry", "attempt": attempt,
                        "delay_ms": delay.as_millis() as u64, "reason": reason, "session_id": self.session_id,
                    }));
                }
            }
            Event::MessageComplete { tool_calls } => {
                self.tool_uses = tool_calls.iter().map(tool_use).collect();
                self.message_done(Ended::Whole);
            }
            Event::EditProposed { plan, .. } => {
                if self.format == OutputFormat::Text {
                    self.close_lines();
                    let opts = crate::edit::PreviewOptions {
                        words: self.dim,
                        ..Default::default()
                    };
                    self.err(&ui::preview::render(&plan.preview(&opts), self.dim));
                }
            }
            Event::ToolResult {
                ref id, ref reply, ..
            } => {
                if reply.is_error()
                    && let Some(line) = ui::render::activity_line(&ev, self.dim)
                {
                    self.activity(&line);
                }
                if self.format == OutputFormat::StreamJson {
                    // The message with its `tool_use` blocks went out when it completed; each
                    // result follows as soon as its tool has run.
                    self.line(&json!({
                        "type": "user",
                        "message": {"role": "user", "content": [
                            {"type": "tool_result", "tool_use_id": id, "content": reply.text, "is_error": reply.is_error()}
                        ]},
                        "parent_tool_use_id": null,
                        "session_id": self.session_id,
                    }));
                }
            }
            Event::Usage { session, bill, .. } => {
                self.usage = session;
                self.bill = bill;
            }
            Event::TurnLimit { limit } => {
                self.close_lines();
                self.note(&format!(
                    "stopped after {limit} requests without a final answer (raise it with --max-turns)"
                ));
            }
            ref e @ (Event::ToolCall { .. }
            | Event::EditApplied { .. }
            | Event::CommandStarted { .. }
            | Event::BlocksFailed { .. }) => {
                if let Some(line) = ui::render::activity_line(e, self.dim) {
                    self.activity(&line);
                }
            }
            Event::Finished { .. } => self.message_done(Ended::Whole),
            ref e => {
                if let Some(n) = ui::render::notice(e) {
                    self.close_lines();
                    self.note(&n);
                }
            }
        }
    }
}

/// How the current model message ended, for [`Printer::message_done`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// The model finished it.
    Whole,
    /// A failure or Ctrl-C cut it.
    Cut,
}

/// The sandbox in `-p`'s init event: the mode, the network, and the enforcement obtained here
/// (`full`, `partial`, `none`) with what it rests on or lacks.
pub fn sandbox_json(p: &crate::sandbox::Policy) -> Value {
    json!({
        "mode": p.mode().as_str(),
        "network": if p.rules.network.allowed() || !p.rules.restricts_files() { "allowed" } else { "denied" },
        "enforcement": p.enforcement.level().as_str(),
        "detail": p.enforcement.to_string(),
    })
}

/// A tool call as Claude Code's `tool_use` block; `input` is the parsed arguments, or the raw
/// text when they are not JSON.
pub fn tool_use(call: &crate::provider::ToolCall) -> Value {
    let input =
        serde_json::from_str::<Value>(&call.arguments).unwrap_or_else(|_| json!(call.arguments));
    json!({"type": "tool_use", "id": call.id, "name": call.name, "input": input})
}

/// Usage in the result object: Claude Code's names (`input_tokens` are the uncached prompt
/// tokens), plus the totals and reasoning tokens.
/// Token use in every JSON output (`-p`'s result, `fix`'s report): Claude Code's names first,
/// then the OpenAI and DeepSeek names the provider reported, so either kind of script reads it.
pub fn usage_json(u: &Usage) -> Value {
    json!({
        "input_tokens": u.cache_miss_tokens,
        "cache_read_input_tokens": u.cache_hit_tokens,
        "output_tokens": u.completion_tokens,
        "reasoning_tokens": u.reasoning_tokens,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
        "cache_hit_tokens": u.cache_hit_tokens,
        "cache_miss_tokens": u.cache_miss_tokens,
    })
}

/// The line shown after an answer: tokens in (cached), out (reasoning), and the cost with the
/// band it was priced in.
pub fn usage_line(model: &str, u: &Usage, bill: Option<crate::agent::Bill>) -> String {
    let cost = match bill {
        Some(b) => match b.rate() {
            Some(rate) => format!("${:.4} ({rate})", b.usd),
            None => format!("${:.4}", b.usd),
        },
        None => "cost unknown".to_string(),
    };
    format!(
        "{model}: {} tokens in ({} cached), {} out ({} reasoning), {cost}",
        u.prompt_tokens, u.cache_hit_tokens, u.completion_tokens, u.reasoning_tokens
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_line_prices_cache_hits_apart() {
        let u = Usage {
            prompt_tokens: 1000,
            completion_tokens: 100,
            cache_hit_tokens: 800,
            cache_miss_tokens: 200,
            reasoning_tokens: 40,
        };
        let mut bill = crate::agent::Bill::default();
        bill.add(0.0005, crate::config::Rate::Peak);
        assert_eq!(
            usage_line("m", &u, Some(bill)),
            "m: 1000 tokens in (800 cached), 100 out (40 reasoning), $0.0005 (peak)"
        );
        assert!(usage_line("m", &u, None).ends_with("cost unknown"));
        let j = usage_json(&u);
        assert_eq!(
            (
                j["input_tokens"].as_u64(),
                j["cache_read_input_tokens"].as_u64()
            ),
            (Some(200), Some(800))
        );
    }
}
