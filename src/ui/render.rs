//! Renders the agent's events on a terminal or into pipes: the answer streams to stdout as it
//! arrives (to stderr when stdout carries something else, as `fix --dry-run`'s patch); reasoning
//! (dimmed), tool activity, diffs, notices and the usage line go to stderr, so stdout carries
//! only the product. A spinner with elapsed time runs on a terminal while the
//! model has not yet said anything. All foreign text is stripped of escape sequences first.

use std::io::Write as _;

use super::palette::{self, paint};
use super::spinner::Spinner;
use crate::agent::{Event, EventSink, Outcome};
use crate::edit::PreviewOptions;
use crate::provider::Usage;

/// Where reasoning text goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reasoning {
    Show,
    Hide,
}

/// An [`EventSink`] for people.
pub struct Terminal {
    /// The answer goes to stderr: stdout is kept for a patch (`fix --dry-run`), and edits
    /// land in a scratch copy, which the "applied" lines say.
    dry_run: bool,
    color_err: bool,
    spinner_enabled: bool,
    reasoning: Reasoning,
    spinner: Option<Spinner>,
    /// What was printed last, to place line breaks between reasoning and answer.
    last: Last,
    /// The usage line is printed after each run when stderr is a terminal.
    usage_line: bool,
    session_usage: Usage,
    session_cost: f64,
    pub outcome: Option<Outcome>,
    pub answer: String,
    /// Text and reasoning cleaned of control characters as they stream.
    clean: crate::ui::AnswerCleaners,
    /// The answer rendered as Markdown a line at a time (passed through untouched without
    /// colour).
    md: crate::ui::markdown::Stream,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    Text,
    Reasoning,
    Line,
}

impl Terminal {
    /// `color_answer`: whether the stream the answer goes to (stdout, or stderr under
    /// `dry_run`) gets colour, and so rendered Markdown.
    pub fn new(
        dry_run: bool,
        color_answer: bool,
        color_err: bool,
        stderr_tty: bool,
        reasoning: Reasoning,
    ) -> Terminal {
        Terminal {
            dry_run,
            color_err,
            spinner_enabled: stderr_tty,
            reasoning,
            spinner: None,
            last: Last::Nothing,
            usage_line: stderr_tty,
            session_usage: Usage::default(),
            session_cost: 0.0,
            outcome: None,
            answer: String::new(),
            clean: Default::default(),
            md: crate::ui::markdown::Stream::new(color_answer, None),
        }
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
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
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
        if self.dry_run {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(text.as_bytes());
            let _ = err.flush();
        } else {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }

    pub fn session_usage(&self) -> (&Usage, f64) {
        (&self.session_usage, self.session_cost)
    }
}

/// `12.3k in (10.1k cached) · 456 out · $0.0012`
pub fn usage_summary(u: &Usage, cost: f64) -> String {
    let mut s = format!("{} in", human(u.prompt_tokens));
    if u.cache_hit_tokens > 0 {
        s.push_str(&format!(" ({} cached)", human(u.cache_hit_tokens)));
    }
    s.push_str(&format!(" · {} out", human(u.completion_tokens)));
    if u.reasoning_tokens > 0 {
        s.push_str(&format!(" ({} reasoning)", human(u.reasoning_tokens)));
    }
    s.push_str(&format!(" · ${cost:.4}"));
    s
}

fn human(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1}M", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{:.1}k", n as f64 / 1e3)
    } else {
        n.to_string()
    }
}

/// The line a terminal shows for an activity event (a retry, a tool call and its result, an
/// applied edit, a command starting), painted when `color`; `None` for every other event, and
/// for an edit tool's result, which the preview and the "applied" line already told. Shared by
/// [`Terminal`] and the REPL's sink, so `hone fix` and a session read alike.
pub fn activity_line(event: &Event, color: bool) -> Option<String> {
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
                crate::ui::strip_controls(reason)
            ),
        ),
        Event::ToolCall {
            name, arguments, ..
        } => (
            palette::TOOL,
            format!("● {}", describe_call(name, arguments)),
        ),
        Event::EditApplied {
            files,
            added,
            removed,
            ..
        } => (
            palette::ADDED,
            format!("✓ applied {} (+{added} -{removed})", files.join(", ")),
        ),
        Event::CommandStarted { command, .. } => (
            palette::BOLD,
            format!("$ {}", crate::ui::strip_controls(command)),
        ),
        Event::ToolResult {
            output,
            is_error,
            name,
            ..
        } => {
            let first = crate::ui::strip_controls(output.lines().next().unwrap_or(""));
            let first: String = first.chars().take(200).collect();
            if *is_error {
                (palette::REMOVED, format!("  ✗ {first}"))
            } else if name == "run_command" {
                (palette::DIM, format!("  {first}"))
            } else if !matches!(name.as_str(), "edit_file" | "write_file" | "apply_patch") {
                let n = output.lines().count();
                (palette::DIM, format!("  → {n} lines"))
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(paint(style, &text, color))
}

/// A one-line description of a tool call: `read_file src/main.rs`.
pub fn describe_call(name: &str, arguments: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(arguments).unwrap_or_default();
    let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
    let detail = match name {
        "read_file" | "edit_file" | "write_file" => s("path").unwrap_or_default(),
        "list_files" => [s("path"), s("pattern")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        "search" => {
            let mut d = format!("/{}/", s("pattern").unwrap_or_default());
            if let Some(p) = s("path").or(s("glob")) {
                d.push(' ');
                d.push_str(&p);
            }
            d
        }
        "run_command" => s("command").unwrap_or_default(),
        _ => String::new(),
    };
    // Escaped, not stripped: a path must be shown as what it is, not as it would display.
    let detail: String = crate::ui::escape_controls(&detail)
        .chars()
        .take(120)
        .collect();
    if detail.is_empty() {
        name.to_string()
    } else {
        format!("{name} {detail}")
    }
}

impl EventSink for Terminal {
    fn emit(&mut self, event: Event) {
        match event {
            Event::RequestStarted { .. } => {
                self.stop_spinner();
                self.spinner = Some(Spinner::start("thinking…", self.spinner_enabled));
                self.clean.reset();
            }
            Event::Text(t) => {
                self.stop_spinner();
                if self.last == Last::Reasoning {
                    let _ = writeln!(std::io::stderr().lock());
                }
                let t = self.clean.text.push(&t);
                self.answer.push_str(&t);
                let shown = self.md.push(&t);
                self.write_answer(&shown);
                self.last = Last::Text;
            }
            Event::Reasoning(t) => {
                if self.reasoning == Reasoning::Hide {
                    return;
                }
                self.stop_spinner();
                if self.last == Last::Text {
                    self.end_partial();
                }
                let t = self.clean.reasoning.push(&t);
                let mut err = std::io::stderr().lock();
                let _ = err.write_all(paint(palette::DIM, &t, self.color_err).as_bytes());
                let _ = err.flush();
                self.last = Last::Reasoning;
            }
            Event::EditProposed { plan, .. } => {
                let preview = plan.preview(&PreviewOptions {
                    color: self.color_err,
                    ..PreviewOptions::default()
                });
                self.line(preview.trim_end());
            }
            e @ (Event::Retrying { .. }
            | Event::ToolCall { .. }
            | Event::EditApplied { .. }
            | Event::CommandStarted { .. }
            | Event::ToolResult { .. }) => {
                let line = match &e {
                    Event::EditApplied { files, .. } if self.dry_run => Some(paint(
                        palette::ADDED,
                        &format!("✓ applied {} in the scratch copy", files.join(", ")),
                        self.color_err,
                    )),
                    _ => activity_line(&e, self.color_err),
                };
                if let Some(line) = line {
                    self.line(&line);
                }
                if matches!(e, Event::Retrying { .. }) {
                    self.spinner = Some(Spinner::start("waiting…", self.spinner_enabled));
                }
            }
            Event::Usage {
                session,
                session_cost,
                ..
            } => {
                self.session_usage = session;
                self.session_cost = session_cost;
            }
            Event::Notice(text) => {
                let text = crate::ui::strip_controls(&text);
                self.line(&paint(palette::HINT, &text, self.color_err));
            }
            // Its text has streamed and its calls are announced one by one.
            Event::MessageComplete { .. } => {}
            Event::Finished { outcome } => {
                self.stop_spinner();
                self.end_partial();
                self.outcome = Some(outcome);
                if self.usage_line {
                    let text = usage_summary(&self.session_usage, self.session_cost);
                    self.line(&paint(palette::DIM, &text, self.color_err));
                }
            }
        }
    }
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
        let result = |name: &str, output: &str, is_error: bool| Event::ToolResult {
            id: "c1".into(),
            name: name.into(),
            output: output.into(),
            is_error,
        };
        assert_eq!(
            activity_line(&result("read_file", "a\nb\nc\n", false), false).as_deref(),
            Some("  → 3 lines")
        );
        assert_eq!(
            activity_line(&result("run_command", "ok\x1b[2J\nmore", false), false).as_deref(),
            Some("  ok")
        );
        assert_eq!(
            activity_line(&result("search", "no such file", true), false).as_deref(),
            Some("  ✗ no such file")
        );
        // The preview and the "applied" line already told what an edit did.
        assert_eq!(
            activity_line(&result("edit_file", "done", false), false),
            None
        );
        let retry = Event::Retrying {
            attempt: 2,
            delay: std::time::Duration::from_millis(1500),
            reason: "429\x07".into(),
        };
        assert_eq!(
            activity_line(&retry, false).as_deref(),
            Some("retrying in 1.5s (attempt 2): 429")
        );
        assert!(activity_line(&retry, true).is_some_and(|l| l.contains('\x1b')));
        assert_eq!(activity_line(&Event::Notice("x".into()), false), None);
    }

    #[test]
    fn calls_are_described_in_one_line() {
        assert_eq!(
            describe_call("read_file", r#"{"path":"src/a.rs"}"#),
            "read_file src/a.rs"
        );
        assert_eq!(
            describe_call("search", r#"{"pattern":"fn main","glob":"*.rs"}"#),
            "search /fn main/ *.rs"
        );
        assert_eq!(
            describe_call("run_command", r#"{"command":"ls\u001b[2J"}"#),
            "run_command ls\\u{1b}[2J"
        );
        assert_eq!(describe_call("list_files", "not json"), "list_files");
    }
}
