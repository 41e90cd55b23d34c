//! Asking the person: the approval policy of the interactive front ends. Questions go to stderr
//! and answers come from an [`AnswerSource`] (stdin here, the line editor in the REPL), one line
//! each; end of input or a cancel counts as "no", so a closed pipe can never approve anything.

use std::io::{BufRead as _, Write as _};

use super::palette::{self, paint};
use crate::agent::{Approver, Decision};
use crate::edit::Plan;

/// Where answers come from: a line of input per question, `None` when the person cancelled or
/// input ended (both decline).
pub trait AnswerSource: Send {
    /// Shows `styled` (the question, coloured when asked) and reads one line.
    fn read_line(&mut self, question: &str, styled: &str) -> Option<String>;
}

/// Answers from stdin, the question on stderr (`hone fix`, `hone apply`).
#[derive(Debug, Default)]
pub struct Stdin;

impl AnswerSource for Stdin {
    fn read_line(&mut self, _question: &str, styled: &str) -> Option<String> {
        {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "{styled}");
            let _ = err.flush();
        }
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line),
        }
    }
}

/// Asks a yes/no question on stderr and reads the answer from stdin; anything but yes is no.
pub fn yes_no(question: &str) -> bool {
    let mut src = Stdin;
    let q = format!("{question} ");
    src.read_line(&q, &q)
        .is_some_and(|l| matches!(l.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Asks before every edit and command, remembering "yes to all for this run" and "always this
/// command" (for the session).
#[derive(Debug, Default)]
pub struct Ask<S = Stdin> {
    pub color: bool,
    pub source: S,
    all_edits_this_run: bool,
    always_commands: Vec<String>,
}

/// A parsed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    All,
    Full,
    Always,
}

/// Reads an answer from a line of input; `None` for an unknown answer (ask again).
pub fn parse_answer(line: &str, allowed: &[Answer]) -> Option<Answer> {
    let a = match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        "" | "n" | "no" => Answer::No,
        "a" | "all" => Answer::All,
        "f" | "full" => Answer::Full,
        "!" | "always" => Answer::Always,
        _ => return None,
    };
    allowed.contains(&a).then_some(a)
}

impl Ask<Stdin> {
    pub fn new(color: bool) -> Ask<Stdin> {
        Ask::with_source(color, Stdin)
    }
}

impl<S: AnswerSource> Ask<S> {
    pub fn with_source(color: bool, source: S) -> Ask<S> {
        Ask {
            color,
            source,
            all_edits_this_run: false,
            always_commands: Vec::new(),
        }
    }

    /// Commands the person allowed for the whole session.
    pub fn always_allowed(&self) -> &[String] {
        &self.always_commands
    }

    /// Asks until an allowed answer comes; `None` (cancelled, end of input) declines.
    fn ask(&mut self, question: &str, allowed: &[Answer]) -> Option<Answer> {
        let styled = format!("{} ", paint(palette::PROMPT, question, self.color));
        let plain = format!("{question} ");
        loop {
            let line = self.source.read_line(&plain, &styled)?;
            if let Some(a) = parse_answer(&line, allowed) {
                return Some(a);
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

impl<S: AnswerSource> Approver for Ask<S> {
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
                Some(Answer::No | Answer::Always) | None => return Decision::declined_by_person(),
            }
        }
    }

    fn approve_command(&mut self, command: &str) -> Decision {
        if self.always_commands.iter().any(|c| c == command) {
            return Decision::Yes;
        }
        let q = format!(
            "Run `{}`? [y]es / [n]o / [!] always this command:",
            crate::ui::strip_controls(command)
        );
        match self.ask(&q, &[Answer::Yes, Answer::No, Answer::Always]) {
            Some(Answer::Yes) => Decision::Yes,
            Some(Answer::Always) => {
                self.always_commands.push(command.to_string());
                Decision::Yes
            }
            _ => Decision::declined_by_person(),
        }
    }

    /// Its own question, never answered by "always this command": the command runs with
    /// nothing between it and the person's files and network.
    fn approve_unsandboxed(&mut self, command: &str, why: &crate::sandbox::Blocked) -> Decision {
        let q = format!(
            "Blocked by the sandbox: {}. Run `{}` again WITHOUT the sandbox? [y]es / [n]o:",
            crate::ui::escape_controls(&why.to_string()),
            crate::ui::strip_controls(command)
        );
        match self.ask(&q, &[Answer::Yes, Answer::No]) {
            Some(Answer::Yes) => Decision::Yes,
            _ => Decision::declined_by_person(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers() {
        let all = [
            Answer::Yes,
            Answer::No,
            Answer::All,
            Answer::Full,
            Answer::Always,
        ];
        assert_eq!(parse_answer("y\n", &all), Some(Answer::Yes));
        assert_eq!(parse_answer(" YES ", &all), Some(Answer::Yes));
        assert_eq!(parse_answer("\n", &all), Some(Answer::No));
        assert_eq!(parse_answer("a", &all), Some(Answer::All));
        assert_eq!(parse_answer("!", &all), Some(Answer::Always));
        assert_eq!(parse_answer("maybe", &all), None);
        assert_eq!(parse_answer("a", &[Answer::Yes, Answer::No]), None);
    }
}
