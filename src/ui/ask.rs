//! Asking the person: the approval policy of the interactive front ends (`hone fix`, the REPL,
//! lint-fix with a person). Questions go to stderr; answers come from an [`AnswerSource`].
//!
//! On a terminal an answer is one key, without Enter, read after everything typed before the
//! question appeared was thrown away (`ui::tty`): a `y` typed while the model was thinking never
//! approves an edit nobody has seen. Enter takes the default, always "no" (shown as `[N]o`).
//! Elsewhere (a script piping answers) an answer is a line. `t` declines and asks for one line
//! the model receives with the refusal. Ctrl-C at a question declines and cancels the run
//! ([`Approver::cancelled`]: the agent sends nothing more); end of input declines. So nothing
//! but a key or line meant as yes can ever approve anything.
//!
//! What a question shows of the model's text (a command, a path) has its control characters
//! escaped, so a command holding `ESC[2K` or a CR cannot redraw the question into another.

use std::io::{BufRead as _, Write as _};

use super::palette::{self, paint};
use super::tty;
use crate::agent::{Approver, Decision};
use crate::edit::Plan;

/// What a person gave at a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A key (its character; `""` for Enter) or a line of text.
    Text(String),
    /// Ctrl-C: decline, and cancel the run.
    Cancelled,
    /// Input ended (Ctrl-D, a closed pipe): decline.
    Ended,
}

/// Where answers come from.
pub trait AnswerSource: Send {
    /// Shows the question (`styled`: coloured when asked) and reads one answer: on a terminal
    /// one of `keys` or Enter, without Enter, pending input discarded first; elsewhere a line.
    fn answer(&mut self, question: &str, styled: &str, keys: &str) -> Input;
    /// Shows `styled` and reads one line of text.
    fn line(&mut self, prompt: &str, styled: &str) -> Input;
}

/// Answers from stdin — keys on a terminal, lines from a pipe — with questions on stderr. The
/// one source of every front end.
#[derive(Debug, Default)]
pub struct Stdin;

impl Stdin {
    fn show(styled: &str) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{styled}");
        let _ = err.flush();
    }

    fn piped_line() -> Input {
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => Input::Ended,
            Ok(_) => Input::Text(line),
        }
    }
}

impl AnswerSource for Stdin {
    fn answer(&mut self, _question: &str, styled: &str, keys: &str) -> Input {
        if !tty::stdin_is_terminal() {
            Stdin::show(styled);
            return Stdin::piped_line();
        }
        tty::discard_typed_ahead();
        Stdin::show(styled);
        let key = tty::read_key(keys);
        // The key pressed stays on the question's line, and the line ends.
        let echo = match &key {
            Ok(tty::Key::Char(c)) => c.to_string(),
            Ok(tty::Key::Interrupt) => "^C".to_string(),
            _ => String::new(),
        };
        let _ = writeln!(std::io::stderr().lock(), "{echo}");
        match key {
            Ok(tty::Key::Char(c)) => Input::Text(c.to_string()),
            Ok(tty::Key::Enter) => Input::Text(String::new()),
            Ok(tty::Key::Interrupt) => Input::Cancelled,
            Ok(tty::Key::End) | Err(_) => Input::Ended,
        }
    }

    fn line(&mut self, _prompt: &str, styled: &str) -> Input {
        Stdin::show(styled);
        if !tty::stdin_is_terminal() {
            return Stdin::piped_line();
        }
        match tty::read_line() {
            Ok(tty::Line::Text(t)) => Input::Text(t),
            Ok(tty::Line::Interrupt) => {
                let _ = writeln!(std::io::stderr().lock());
                Input::Cancelled
            }
            Ok(tty::Line::End) | Err(_) => Input::Ended,
        }
    }
}

/// Asks a yes/no question on stderr and reads the answer from stdin; anything but yes is no.
pub fn yes_no(question: &str) -> bool {
    let q = format!("{question} ");
    matches!(Stdin.answer(&q, &q, "yn"), Input::Text(l) if matches!(l.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
}

/// Asks before every edit and command, remembering "yes to all for this run" and "always this
/// command" (for the session).
#[derive(Debug, Default)]
pub struct Ask<S = Stdin> {
    pub color: bool,
    pub source: S,
    all_edits_this_run: bool,
    always_commands: Vec<String>,
    /// The person pressed Ctrl-C at a question of this run.
    cancelled: bool,
    /// What the person told the model with their last `t` answer.
    told: Option<String>,
}

/// A parsed answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Yes,
    No,
    All,
    Full,
    Always,
    /// No, and tell the model something.
    Tell,
}

impl Answer {
    /// The key that gives it.
    pub fn key(self) -> char {
        match self {
            Answer::Yes => 'y',
            Answer::No => 'n',
            Answer::All => 'a',
            Answer::Full => 'f',
            Answer::Always => '!',
            Answer::Tell => 't',
        }
    }
}

/// Reads an answer from a key or a line of input; `None` for an unknown answer (ask again).
/// An empty answer (Enter) is the default, "no"; `t …` on one line is "no, and tell the model …".
pub fn parse_answer(line: &str, allowed: &[Answer]) -> Option<Answer> {
    let a = match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        "" | "n" | "no" => Answer::No,
        "a" | "all" => Answer::All,
        "f" | "full" => Answer::Full,
        "!" | "always" => Answer::Always,
        "t" | "tell" => Answer::Tell,
        _ if told_inline(line).is_some() => Answer::Tell,
        _ => return None,
    };
    allowed.contains(&a).then_some(a)
}

/// What a `t …` line tells the model (line mode: `t run the tests first`).
pub fn told_inline(line: &str) -> Option<&str> {
    let (word, rest) = line.trim().split_once(char::is_whitespace)?;
    let tell = word.eq_ignore_ascii_case("t") || word.eq_ignore_ascii_case("tell");
    Some(rest.trim()).filter(|r| tell && !r.is_empty())
}

/// The `t` answer as every question offers it.
const TELL: &str = "[t] no, tell the model";

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
            cancelled: false,
            told: None,
        }
    }

    /// Commands the person allowed for the whole session.
    pub fn always_allowed(&self) -> &[String] {
        &self.always_commands
    }

    /// Asks until an allowed answer comes; `None` declines (cancelled, end of input, or any
    /// question after a cancel in the same run). [`Answer::Tell`] comes with what to tell, kept
    /// for [`Ask::declined`].
    fn ask(&mut self, question: &str, allowed: &[Answer]) -> Option<Answer> {
        if self.cancelled {
            return None;
        }
        let styled = format!("{} ", paint(palette::PROMPT, question, self.color));
        let plain = format!("{question} ");
        let keys: String = allowed.iter().map(|a| a.key()).collect();
        loop {
            let line = match self.source.answer(&plain, &styled, &keys) {
                Input::Text(line) => line,
                Input::Cancelled => {
                    self.cancelled = true;
                    return None;
                }
                Input::Ended => return None,
            };
            match parse_answer(&line, allowed) {
                Some(Answer::Tell) => return self.tell(told_inline(&line).map(str::to_string)),
                Some(a) => return Some(a),
                None => {}
            }
        }
    }

    /// Reads what the person tells the model (unless it came with the answer); an empty line is
    /// a plain "no".
    fn tell(&mut self, inline: Option<String>) -> Option<Answer> {
        let said = match inline {
            Some(said) => said,
            None => {
                let prompt = "Tell the model:";
                let styled = format!("{} ", paint(palette::PROMPT, prompt, self.color));
                match self.source.line(&format!("{prompt} "), &styled) {
                    Input::Text(t) => t,
                    Input::Cancelled => {
                        self.cancelled = true;
                        return None;
                    }
                    Input::Ended => String::new(),
                }
            }
        };
        let said = said.trim();
        if said.is_empty() {
            return Some(Answer::No);
        }
        self.told = Some(said.to_string());
        Some(Answer::Tell)
    }

    /// The person's "no", with what they told the model, if anything.
    fn declined(&mut self) -> Decision {
        Decision::No {
            reason: self.told.take().unwrap_or_default(),
            by_policy: false,
        }
    }

    fn show_full(&self, plan: &Plan) {
        let mut err = std::io::stderr().lock();
        for f in plan.files() {
            let header = format!("── {}", crate::sanitize::escape_line(f.path()));
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
        self.cancelled = false;
        self.told = None;
    }

    fn approve_edit(&mut self, plan: &Plan) -> Decision {
        if self.all_edits_this_run {
            return Decision::Yes;
        }
        loop {
            let allowed = [
                Answer::Yes,
                Answer::No,
                Answer::All,
                Answer::Full,
                Answer::Tell,
            ];
            let q = format!("Apply? [y]es / [N]o / [a]ll this turn / [f]ull file / {TELL}:");
            match self.ask(&q, &allowed) {
                Some(Answer::Yes) => return Decision::Yes,
                Some(Answer::All) => {
                    self.all_edits_this_run = true;
                    return Decision::Yes;
                }
                Some(Answer::Full) => self.show_full(plan),
                Some(Answer::No | Answer::Always | Answer::Tell) | None => return self.declined(),
            }
        }
    }

    fn approve_command(&mut self, command: &str) -> Decision {
        if self.always_commands.iter().any(|c| c == command) {
            return Decision::Yes;
        }
        let q = format!(
            "Run `{}`? [y]es / [N]o / [!] always this command / {TELL}:",
            crate::sanitize::escape_line(command)
        );
        match self.ask(&q, &[Answer::Yes, Answer::No, Answer::Always, Answer::Tell]) {
            Some(Answer::Yes) => Decision::Yes,
            Some(Answer::Always) => {
                self.always_commands.push(command.to_string());
                Decision::Yes
            }
            _ => self.declined(),
        }
    }

    fn cancelled(&self) -> bool {
        self.cancelled
    }

    /// Its own question, never answered by "always this command": the command runs with
    /// nothing between it and the person's files and network.
    fn approve_unsandboxed(&mut self, command: &str, why: &crate::sandbox::Blocked) -> Decision {
        let q = format!(
            "Blocked by the sandbox: {}. Run `{}` again WITHOUT the sandbox? [y]es / [N]o:",
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
mod tests;
