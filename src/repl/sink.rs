//! The REPL's event renderer: the answer streams into the normal scrollback as terminal markdown
//! (stdout), reasoning dimmed, tool activity, diffs and notices on stderr, a spinner with elapsed
//! time until the first token, and one usage line when the run ends.
//!
//! A renderer only: it keeps what the REPL needs after a run (the text streamed by the request
//! in flight, for an interrupted run; the files' before-images, for `/diff`) and decides
//! nothing. All foreign text is stripped of escape sequences before it is written.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::time::Instant;

use crate::agent::{Event, EventSink};
use crate::edit::PreviewOptions;
use crate::provider::Usage;
use crate::ui::markdown;
use crate::ui::palette::{self, paint};
use crate::ui::render::{activity_line, usage_summary};
use crate::ui::spinner::Spinner;

/// How the terminal is set up for this run.
#[derive(Debug, Clone, Copy)]
pub struct Look {
    /// Colour on stdout (the answer).
    pub color_out: bool,
    /// Colour on stderr (everything else).
    pub color_err: bool,
    /// stderr is a terminal: draw the spinner.
    pub spinner: bool,
    /// Columns of the terminal, for the streaming preview.
    pub width: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    Nothing,
    Text,
    Reasoning,
    Line,
}

/// Renders one run's events.
pub struct Sink {
    look: Look,
    stream: markdown::Stream,
    spinner: Option<Spinner>,
    last: Last,
    started: Instant,
    /// Answer text of the request in flight (reset when a request starts).
    partial: String,
    run_usage: Usage,
    run_cost: f64,
    session_cost: f64,
    /// (path, content before) of every file an edit batch proposed to change.
    pub befores: Vec<(String, Option<Vec<u8>>)>,
    /// Text and reasoning cleaned of control characters as they stream.
    clean: crate::ui::AnswerCleaners,
}

impl Sink {
    pub fn new(look: Look, session_cost: f64) -> Sink {
        Sink {
            look,
            stream: markdown::Stream::new(look.color_out, look.width),
            spinner: None,
            last: Last::Nothing,
            started: Instant::now(),
            partial: String::new(),
            run_usage: Usage::default(),
            run_cost: 0.0,
            session_cost,
            befores: Vec::new(),
            clean: Default::default(),
        }
    }

    /// Shows the spinner at once (compaction may precede the first request).
    pub fn waiting(&mut self, label: &str) {
        self.stop_spinner();
        self.spinner = Some(Spinner::start(label, self.look.spinner));
    }

    /// The answer text streamed by the request in flight.
    pub fn partial(&self) -> &str {
        &self.partial
    }

    fn stop_spinner(&mut self) {
        if let Some(mut s) = self.spinner.take() {
            s.stop();
        }
    }

    /// Ends a half-written answer or reasoning line.
    fn end_partial(&mut self) {
        match self.last {
            Last::Text => {
                let tail = self.stream.finish();
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(tail.as_bytes());
                let _ = out.flush();
            }
            Last::Reasoning => {
                let _ = writeln!(std::io::stderr().lock());
            }
            Last::Nothing | Last::Line => {}
        }
        self.last = Last::Line;
    }

    /// A full line on stderr.
    fn line(&mut self, text: &str) {
        self.stop_spinner();
        self.end_partial();
        let _ = writeln!(std::io::stderr().lock(), "{text}");
        self.last = Last::Line;
    }

    fn paint_err(&self, style: anstyle::Style, text: &str) -> String {
        paint(style, text, self.look.color_err)
    }

    fn summary(&self) -> String {
        format!(
            "{} · session ${:.4} · {:.1}s",
            usage_summary(&self.run_usage, self.run_cost),
            self.session_cost,
            self.started.elapsed().as_secs_f64()
        )
    }

    /// The run was cancelled: close what is open and say so, with what it used.
    pub fn interrupted(&mut self) {
        let text = self.paint_err(palette::WARN, "cancelled");
        self.line(&text);
        let summary = self.paint_err(palette::DIM, &self.summary());
        self.line(&summary);
    }

    /// The run failed: close what is open (the caller reports the error).
    pub fn failed(&mut self) {
        self.stop_spinner();
        self.end_partial();
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop_spinner();
    }
}

impl EventSink for Sink {
    fn emit(&mut self, event: Event) {
        match event {
            Event::RequestStarted { .. } => {
                self.partial.clear();
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
                self.partial.push_str(&t);
                let shown = self.stream.push(&t);
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(shown.as_bytes());
                let _ = out.flush();
                self.last = Last::Text;
            }
            Event::Reasoning(t) => {
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
            e @ (Event::Retrying { .. }
            | Event::ToolCall { .. }
            | Event::EditApplied { .. }
            | Event::CommandStarted { .. }
            | Event::ToolResult { .. }) => {
                match activity_line(&e, self.look.color_err) {
                    Some(line) => self.line(&line),
                    None => self.stop_spinner(),
                }
                match e {
                    Event::Retrying { .. } => self.waiting("waiting…"),
                    Event::CommandStarted { .. } => self.waiting("running…"),
                    _ => {}
                }
            }
            Event::EditProposed { plan, .. } => {
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
                let preview = plan.preview(&PreviewOptions {
                    color: self.look.color_err,
                    ..PreviewOptions::default()
                });
                self.line(preview.trim_end());
            }
            Event::Usage {
                request,
                request_cost,
                session_cost,
                ..
            } => {
                self.run_usage += request;
                self.run_cost += request_cost;
                self.session_cost = session_cost;
            }
            Event::Notice(text) => {
                let text = crate::ui::strip_controls(&text);
                let text = self.paint_err(palette::HINT, &format!("ℹ {text}"));
                self.line(&text);
            }
            // Its text has streamed and its calls are announced one by one.
            Event::MessageComplete { .. } => {}
            Event::Finished { .. } => {
                self.stop_spinner();
                self.end_partial();
                let summary = self.paint_err(palette::DIM, &self.summary());
                self.line(&summary);
            }
        }
    }
}
