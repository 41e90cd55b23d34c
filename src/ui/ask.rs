//! Asking the person: the approval policy of the interactive front ends. Questions go to stderr
//! and answers come from stdin, one line each; end of input counts as "no", so a closed pipe can
//! never approve anything.

use std::io::{BufRead as _, Write as _};

use super::palette::{self, paint};
use crate::agent::{Approver, Decision};
use crate::edit::Plan;

/// Asks before every edit and command, remembering "yes to all for this run" and "always this
/// command".
#[derive(Debug, Default)]
pub struct Ask {
    pub color: bool,
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

impl Ask {
    pub fn new(color: bool) -> Ask {
        Ask {
            color,
            ..Ask::default()
        }
    }

    fn ask(&self, question: &str, allowed: &[Answer]) -> Answer {
        let stdin = std::io::stdin();
        loop {
            {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{} ", paint(palette::PROMPT, question, self.color));
                let _ = err.flush();
            }
            let mut line = String::new();
            match stdin.lock().read_line(&mut line) {
                Ok(0) | Err(_) => return Answer::No,
                Ok(_) => {}
            }
            if let Some(a) = parse_answer(&line, allowed) {
                return a;
            }
        }
    }
}

impl Approver for Ask {
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
                Answer::Yes => return Decision::Yes,
                Answer::All => {
                    self.all_edits_this_run = true;
                    return Decision::Yes;
                }
                Answer::Full => {
                    let mut err = std::io::stderr().lock();
                    for f in plan.files() {
                        let header = format!("── {}", f.path());
                        let _ = writeln!(err, "{}", paint(palette::HEADER, &header, self.color));
                        match f.after() {
                            Some(bytes) => {
                                let text = String::from_utf8_lossy(bytes);
                                let _ = writeln!(err, "{}", crate::ui::strip_controls(&text));
                            }
                            None => {
                                let _ = writeln!(err, "(deleted)");
                            }
                        }
                    }
                }
                Answer::No | Answer::Always => return Decision::declined_by_person(),
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
            Answer::Yes => Decision::Yes,
            Answer::Always => {
                self.always_commands.push(command.to_string());
                Decision::Yes
            }
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
