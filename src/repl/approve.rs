//! Asking the person in the REPL: each edit batch (yes / no / all this turn / show the whole
//! file) and each command (yes / no / always this exact command in this session).
//!
//! Answers are read with a line editor in raw mode, so Ctrl-C at a question is seen as a key: it
//! declines and asks the REPL to cancel the run (through [`Approve::cancel`]). End of input
//! declines. "Always" answers last for the session; "all" for the current run.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write as _;
use std::sync::Arc;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::agent::{Approver, Decision};
use crate::edit::Plan;
use crate::ui::ask::{Answer, parse_answer};
use crate::ui::palette::{self, paint};

/// The REPL's approval policy: ask.
pub struct Approve {
    color: bool,
    editor: Option<DefaultEditor>,
    all_edits_this_run: bool,
    always: Vec<String>,
    /// Notified when the person pressed Ctrl-C at a question.
    pub cancel: Arc<tokio::sync::Notify>,
}

impl Approve {
    pub fn new(color: bool) -> Approve {
        Approve {
            color,
            editor: None,
            all_edits_this_run: false,
            always: Vec::new(),
            cancel: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Commands the person allowed for the whole session.
    pub fn always_allowed(&self) -> &[String] {
        &self.always
    }

    /// Asks until an allowed answer comes; `None` when the person cancelled or input ended.
    fn ask(&mut self, question: &str, allowed: &[Answer]) -> Option<Answer> {
        if self.editor.is_none() {
            self.editor = DefaultEditor::new().ok();
        }
        let prompt = format!("{question} ");
        let styled = paint(palette::PROMPT, question, self.color) + " ";
        loop {
            let line = match self.editor.as_mut() {
                Some(ed) => ed.readline(&(prompt.as_str(), styled.as_str())),
                None => return None,
            };
            match line {
                Ok(l) => {
                    if let Some(a) = parse_answer(&l, allowed) {
                        return Some(a);
                    }
                }
                Err(ReadlineError::Interrupted) => {
                    self.cancel.notify_one();
                    return None;
                }
                Err(_) => return None,
            }
        }
    }

    fn show_full(&self, plan: &Plan) {
        let mut err = std::io::stderr().lock();
        for f in plan.files() {
            let header = format!("── {}", f.path());
            let _ = writeln!(err, "{}", paint(palette::HEADER, &header, self.color));
            match f.after() {
                Some(bytes) => {
                    let text = String::from_utf8_lossy(bytes);
                    let _ = writeln!(err, "{}", crate::ui::strip_controls(&text).trim_end());
                }
                None => {
                    let _ = writeln!(err, "(deleted)");
                }
            }
        }
    }
}

impl Approver for Approve {
    fn run_started(&mut self) {
        self.all_edits_this_run = false;
    }

    fn approve_edit(&mut self, plan: &Plan) -> Decision {
        if self.all_edits_this_run {
            return Decision::Yes;
        }
        loop {
            let allowed = [Answer::Yes, Answer::No, Answer::All, Answer::Full];
            match self.ask(
                "Apply? [y]es / [n]o / [a]ll this turn / [f]ull file:",
                &allowed,
            ) {
                Some(Answer::Yes) => return Decision::Yes,
                Some(Answer::All) => {
                    self.all_edits_this_run = true;
                    return Decision::Yes;
                }
                Some(Answer::Full) => self.show_full(plan),
                Some(Answer::No | Answer::Always) | None => {
                    return Decision::declined_by_person();
                }
            }
        }
    }

    fn approve_command(&mut self, command: &str) -> Decision {
        if self.always.iter().any(|c| c == command) {
            return Decision::Yes;
        }
        let q = format!(
            "Run `{}`? [y]es / [n]o / [!] always this command:",
            crate::ui::strip_controls(command)
        );
        match self.ask(&q, &[Answer::Yes, Answer::No, Answer::Always]) {
            Some(Answer::Yes) => Decision::Yes,
            Some(Answer::Always) => {
                self.always.push(command.to_string());
                Decision::Yes
            }
            _ => Decision::declined_by_person(),
        }
    }
}
