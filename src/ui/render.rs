//! The one renderer of the agent's events on a terminal, for `hone fix` and the REPL alike: the
//! answer streams (as Markdown when coloured) to stdout, or to stderr when stdout carries a patch
//! (`fix --dry-run`); reasoning (dimmed), tool activity, diffs, notices and the usage line go to
//! stderr, so stdout carries only the product. A spinner with elapsed time runs on a terminal
//! while the model has not yet said anything. The lines for activity and notices come from
//! [`activity_line`] and [`notice`], which `-p` and lint-fix use too.
//!
//! Rendering only: it decides nothing, reads the events' types (never their English), and keeps
//! just what a front end needs afterwards (the answer collected, the files' before-images for
//! `/diff`). Every foreign text is cleaned of escape sequences, or escaped, before it is written.

use std::io::Write as _;
use std::time::Instant;

use super::palette::{self, paint};
use super::spinner::Spinner;
use crate::agent::{Answer, Event, EventSink};
use crate::edit::PreviewOptions;
use crate::provider::{FinishReason, Usage};
use crate::tools::{Effect, Outcome, Refusal};

/// Whether reasoning is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reasoning {
    Show,
    Hide,
}

/// What the line after a run says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Summary {
    /// The session's tokens and cost, when stderr is a terminal (`hone fix`).
    Session,
    /// This run's tokens and cost, the session's cost, and the time it took (the REPL).
    Run,
}

/// How a front end wants its terminal.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Colour (and so rendered Markdown) on the stream the answer goes to.
    pub color_answer: bool,
    /// Colour on stderr.
    pub color_err: bool,
    /// stderr is a terminal: draw the spinner (and, with [`Summary::Session`], the usage line).
    pub stderr_tty: bool,
    /// Columns of the terminal, for the Markdown stream's preview.
    pub width: Option<usize>,
    /// The answer goes to stderr and edits land in a scratch copy (`fix --dry-run`).
    pub dry_run: bool,
    pub reasoning: Reasoning,
    pub summary: Summary,
    /// What the front end tells the person when the turn limit stops a run (how to raise it).
    pub turn_limit_hint: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    Text,
    Reasoning,
    Line,
}

/// The [`EventSink`] for people.
pub struct Terminal {
    look: Look,
    spinner: Option<Spinner>,
    /// What was printed last, to place line breaks between reasoning and answer.
    last: Last,
    started: Instant,
    run_usage: Usage,
    run_cost: f64,
    session_usage: Usage,
    session_cost: f64,
    /// The answer as collected (messages apart, a discarded one dropped).
    pub answer: Answer,
    /// (path, content before) of every file an edit batch proposed to change, for `/diff`.
    pub befores: Vec<(String, Option<Vec<u8>>)>,
    /// Text and reasoning cleaned of control characters as they stream.
    clean: crate::ui::AnswerCleaners,
    /// The answer rendered as Markdown a line at a time (untouched without colour).
    md: crate::ui::markdown::Stream,
}

impl Terminal {
    /// `session_cost`: what the session cost before this run (the REPL's running total).
    pub fn new(look: Look, session_cost: f64) -> Terminal {
        Terminal {
            look,
            spinner: None,
            last: Last::Nothing,
            started: Instant::now(),
            run_usage: Usage::default(),
            run_cost: 0.0,
            session_usage: Usage::default(),
            session_cost,
            answer: Answer::default(),
            befores: Vec::new(),
            clean: Default::default(),
            md: crate::ui::markdown::Stream::new(look.color_answer, look.width),
        }
    }

    /// Shows the spinner at once (compaction may precede the first request).
    pub fn waiting(&mut self, label: &str) {
        self.stop_spinner();
        self.spinner = Some(Spinner::start(label, self.look.stderr_tty));
    }

    fn stop_spinner(&mut self) {
        if let Some(mut s) = self.spinner.take() {
            s.stop();
        }
    }

    /// Prints a full line on stderr, after ending any half-printed answer or reasoning line.
    fn line(&mut self, text: &str) {
        self.stop_spinner();
        self.end_partial();
        let _ = writeln!(std::io::stderr().lock(), "{text}");
        self.last = Last::Line;
    }

    fn end_partial(&mut self) {
        match self.last {
            Last::Text => {
                let tail = self.md.finish();
                self.write_answer(&tail);
            }
            Last::Reasoning => {
                let _ = writeln!(std::io::stderr().lock());
            }
            Last::Nothing | Last::Line => {}
        }
        self.last = Last::Line;
    }

    fn write_answer(&self, text: &str) {
        if self.look.dry_run {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            let _ = err.flush();
        } else {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    fn paint_err(&self, style: anstyle::Style, text: &str) -> String {
        paint(style, text, self.look.color_err)
    }

    fn summary(&self) -> Option<String> {
        match self.look.summary {
            Summary::Session if self.look.stderr_tty => {
                Some(usage_summary(&self.session_usage, self.session_cost))
            }
            Summary::Session => None,
            Summary::Run => Some(format!(
                "{} · session ${:.4} · {:.1}s",
                usage_summary(&self.run_usage, self.run_cost),
                self.session_cost,
                self.started.elapsed().as_secs_f64()
            )),
        }
    }

    fn finish_lines(&mut self) {
        self.stop_spinner();
        self.end_partial();
        if let Some(s) = self.summary() {
            let s = self.paint_err(palette::DIM, &s);
            self.line(&s);
        }
    }

    /// The run was cancelled: close what is open and say so, with what it used.
    pub fn interrupted(&mut self) {
        let text = self.paint_err(palette::WARN, "cancelled");
        self.line(&text);
        self.finish_lines();
    }

    /// The run failed: close what is open (the caller reports the error).
    pub fn failed(&mut self) {
        self.stop_spinner();
        self.end_partial();
    }

    pub fn session_usage(&self) -> (&Usage, f64) {
        (&self.session_usage, self.session_cost)
    }

    fn remember_befores(&mut self, plan: &crate::edit::Plan) {
        for f in plan.files() {
            if let Some(from) = f.from() {
                self.befores
                    .push((from.to_string(), f.before().map(<[u8]>::to_vec)));
                self.befores.push((f.path().to_string(), None));
            } else {
                self.befores
                    .push((f.path().to_string(), f.before().map(<[u8]>::to_vec)));
            }
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.stop_spinner();
    }
}

impl EventSink for Terminal {
    fn emit(&mut self, event: Event) {
        self.answer.push(&event);
        match event {
            Event::RequestStarted { .. } => {
                self.clean.reset();
                if self.last == Last::Text {
                    self.end_partial();
                }
                self.waiting("thinking…");
            }
            Event::Text(t) => {
                self.stop_spinner();
                if self.last == Last::Reasoning {
                    let _ = writeln!(std::io::stderr().lock());
                }
                let t = self.clean.text.push(&t);
                let shown = self.md.push(&t);
                self.write_answer(&shown);
                self.last = Last::Text;
            }
            Event::Reasoning(t) => {
                if self.look.reasoning == Reasoning::Hide {
                    return;
                }
                self.stop_spinner();
                if self.last == Last::Text {
                    self.end_partial();
                }
                let t = self.clean.reasoning.push(&t);
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(paint(palette::DIM, &t, self.look.color_err).as_bytes());
                let _ = err.flush();
                self.last = Last::Reasoning;
            }
            Event::EditProposed { plan, .. } => {
                self.remember_befores(&plan);
                let preview = plan.preview(&PreviewOptions {
                    words: self.look.color_err,
                    ..PreviewOptions::default()
                });
                let text = super::preview::render(&preview, self.look.color_err);
                self.line(text.trim_end());
            }
            Event::EditApplied { files, .. } if self.look.dry_run => {
                let text = format!(
                    "✓ applied {} in the scratch copy",
                    crate::ui::escape_controls(&files.join(", "))
                );
                let text = self.paint_err(palette::ADDED, &text);
                self.line(&text);
            }
            Event::Usage {
                request,
                request_cost,
                session,
                session_cost,
                ..
            } => {
                self.run_usage += request;
                self.run_cost += request_cost;
                self.session_usage = session;
                self.session_cost = session_cost;
            }
            Event::TurnLimit { limit } => {
                let text = format!(
                    "ℹ stopped after {limit} requests without a final answer{}",
                    self.look.turn_limit_hint
                );
                let text = self.paint_err(palette::HINT, &text);
                self.line(&text);
            }
            Event::Finished { .. } => self.finish_lines(),
            e => {
                if let Some(line) = activity_line(&e, self.look.color_err) {
                    self.line(&line);
                } else if let Some(text) = notice(&e) {
                    let text = self.paint_err(palette::HINT, &format!("ℹ {text}"));
                    self.line(&text);
                }
                match e {
                    Event::Retrying { .. } => self.waiting("waiting…"),
                    Event::CommandStarted { .. } => self.waiting("running…"),
                    Event::AnswerDiscarded => {
                        self.md = crate::ui::markdown::Stream::new(
                            self.look.color_answer,
                            self.look.width,
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}

/// `12.3k in (10.1k cached) · 456 out · $0.0012` (see [`Usage::summary`]).
pub fn usage_summary(u: &Usage, cost: f64) -> String {
    u.summary(cost)
}

/// The line a terminal shows for an activity event (a retry, a tool call and its result, an
/// applied edit, a command starting, blocks that failed), painted when `color`; `None` for every
/// other event, and for a successful edit's result, which the preview and the "applied" line
/// already told. Shared by [`Terminal`], `-p` and lint-fix, so every front end reads alike.
pub fn activity_line(event: &Event, color: bool) -> Option<String> {
    let esc = crate::ui::escape_controls;
    let (style, text) = match event {
        Event::Retrying {
            attempt,
            delay,
            reason,
        } => (
            palette::WARN,
            format!(
                "retrying in {:.1}s (attempt {attempt}): {}",
                delay.as_secs_f64(),
                esc(reason)
            ),
        ),
        Event::AnswerDiscarded => (
            palette::WARN,
            "↻ the answer above was cut off and is discarded; it starts over".to_string(),
        ),
        Event::ToolCall { description, .. } => {
            let one: String = esc(description).chars().take(120).collect();
            let one = one.lines().next().unwrap_or_default().to_string();
            (palette::TOOL, format!("● {one}"))
        }
        Event::EditApplied {
            files,
            added,
            removed,
            ..
        } => (
            palette::ADDED,
            format!("✓ applied {} (+{added} -{removed})", esc(&files.join(", "))),
        ),
        Event::CommandStarted { command, .. } => (
            palette::BOLD,
            format!("$ {}", crate::sanitize::escape_line(command)),
        ),
        Event::ToolResult { reply, effect, .. } => {
            let first = |t: &str| -> String {
                crate::ui::strip_controls(t.lines().next().unwrap_or(""))
                    .chars()
                    .take(200)
                    .collect()
            };
            match &reply.outcome {
                Outcome::Done => match effect {
                    Some(Effect::Command) => (palette::DIM, format!("  {}", first(&reply.text))),
                    Some(Effect::Edit) => return None,
                    _ => (
                        palette::DIM,
                        format!("  → {} lines", reply.text.lines().count()),
                    ),
                },
                Outcome::Refused(by) => (palette::REMOVED, format!("  ✗ {}", refusal(by))),
                Outcome::Invalid => (
                    palette::REMOVED,
                    format!("  ✗ invalid call: {}", first(&reply.text)),
                ),
                // A failed edit says why in full: the closest region and how it differs.
                Outcome::Failed if *effect == Some(Effect::Edit) => (
                    palette::REMOVED,
                    format!("  ✗ {}", crate::ui::strip_controls(reply.text.trim_end())),
                ),
                Outcome::Failed => (palette::REMOVED, format!("  ✗ {}", first(&reply.text))),
            }
        }
        Event::BlocksFailed { reply } => (
            palette::REMOVED,
            format!(
                "  ✗ edit blocks: {}",
                crate::ui::strip_controls(reply.text.trim_end())
            ),
        ),
        _ => return None,
    };
    Some(paint(style, &text, color))
}

/// The warning for a file the person named (`hone fix PATHS`, `/add`, `@path`) that looks like
/// it holds secrets ([`crate::context::attach::TextFile::secret`]): the same words everywhere.
pub fn secret_note(path: &str) -> String {
    format!(
        "{} looks like it holds secrets; it is sent to the model because you named it",
        crate::ui::escape_controls(path)
    )
}

/// A refusal as the person reads it (the model reads another text, from `prompts/`).
pub fn refusal(by: &Refusal) -> String {
    let esc = crate::ui::escape_controls;
    match by {
        Refusal::Person { reason } if reason.trim().is_empty() => "declined".to_string(),
        Refusal::Person { reason } => format!("declined: {}", esc(reason.trim())),
        Refusal::Policy { reason } => format!("not allowed {}", esc(reason.trim())),
        Refusal::SecretFile { path } => format!(
            "refused: {} looks like it holds secrets; the model may not read or change it",
            esc(path)
        ),
        Refusal::OutsideWorkspace { path } => {
            format!("refused: {} is not a path inside the workspace", esc(path))
        }
        Refusal::Repeated { count } => {
            format!("stopped: the same call came {count} times")
        }
        Refusal::Cancelled => "cancelled".to_string(),
        Refusal::Sandbox(blocked) => {
            format!("blocked by the sandbox: {}", esc(&blocked.to_string()))
        }
    }
}

/// The text of a notice event (something the person should know that is not an error), for
/// every front end to show its way; `None` for other events. The turn limit is the front end's
/// to word, since only it knows how the limit is raised.
pub fn notice(event: &Event) -> Option<String> {
    Some(match event {
        Event::Truncated { reason } => format!(
            "the answer ended with finish_reason `{}`{}",
            crate::ui::escape_controls(reason.as_str()),
            if *reason == FinishReason::Length {
                " (cut by the output token limit)"
            } else {
                ""
            }
        ),
        Event::Compacted { before, after } => {
            format!("compacted the conversation: ~{before} → ~{after} tokens")
        }
        Event::LoopBroken { name, count } => format!(
            "stopped: the model made the same `{}` call {count} times",
            crate::ui::escape_controls(name)
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_summary_reads_well() {
        let u = Usage {
            prompt_tokens: 12_300,
            completion_tokens: 456,
            cache_hit_tokens: 10_100,
            cache_miss_tokens: 2_200,
            reasoning_tokens: 0,
        };
        assert_eq!(
            usage_summary(&u, 0.00123),
            "12.3k in (10.1k cached) · 456 out · $0.0012"
        );
        let u = Usage {
            prompt_tokens: 5,
            completion_tokens: 7,
            reasoning_tokens: 3,
            ..Usage::default()
        };
        assert_eq!(
            usage_summary(&u, 0.0),
            "5 in · 7 out (3 reasoning) · $0.0000"
        );
    }

    #[test]
    fn activity_lines() {
        use crate::tools::Reply;
        let result = |effect: Option<Effect>, reply: Reply| Event::ToolResult {
            id: "c1".into(),
            name: "any".into(),
            effect,
            reply,
        };
        let line = |e: &Event| activity_line(e, false);
        assert_eq!(
            line(&result(Some(Effect::Read), Reply::done("a\nb\nc\n"))).as_deref(),
            Some("  → 3 lines")
        );
        assert_eq!(
            line(&result(
                Some(Effect::Command),
                Reply::done("ok\x1b[2J\nmore")
            ))
            .as_deref(),
            Some("  ok")
        );
        assert_eq!(
            line(&result(
                Some(Effect::Read),
                Reply::failed("no such file\nmore")
            ))
            .as_deref(),
            Some("  ✗ no such file")
        );
        // The preview and the "applied" line already told what an edit did.
        assert_eq!(line(&result(Some(Effect::Edit), Reply::done("done"))), None);
        // A failed edit shows the person the whole why, diff included.
        assert_eq!(
            line(&result(
                Some(Effect::Edit),
                Reply::failed("not found; closest:\n-a\n+b\n")
            ))
            .as_deref(),
            Some("  ✗ not found; closest:\n-a\n+b")
        );
        // A decline reads as one for the person, not as the model's instruction.
        let declined = Reply::refused(
            Refusal::Person {
                reason: String::new(),
            },
            "the user declined this edit. Do not send the same edit again; ask the user",
        );
        assert_eq!(
            line(&result(Some(Effect::Edit), declined)).as_deref(),
            Some("  ✗ declined")
        );
        let retry = Event::Retrying {
            attempt: 2,
            delay: std::time::Duration::from_millis(1500),
            reason: "429\x07".into(),
        };
        assert_eq!(
            line(&retry).as_deref(),
            Some("retrying in 1.5s (attempt 2): 429\\u{7}")
        );
        assert!(activity_line(&retry, true).is_some_and(|l| l.contains('\x1b')));
        assert_eq!(line(&Event::MapAdded { chars: 3 }), None);
    }

    #[test]
    fn notices_are_typed_events_worded_here() {
        assert_eq!(
            notice(&Event::Truncated {
                reason: FinishReason::Length
            })
            .as_deref(),
            Some("the answer ended with finish_reason `length` (cut by the output token limit)")
        );
        assert_eq!(
            notice(&Event::Compacted {
                before: 900,
                after: 100
            })
            .as_deref(),
            Some("compacted the conversation: ~900 → ~100 tokens")
        );
        assert_eq!(notice(&Event::TurnLimit { limit: 3 }), None);
    }
}
