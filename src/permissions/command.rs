//! Command rules that cannot be smuggled: whether a command line is allowed by a list of
//! [`CommandPattern`]s (`cargo test:*`, `make`, `npm run *`), judged by an allowlist of what a
//! rule can see, never by a list of forbidden separators.
//!
//! A command line is read the way `sh` reads it, as far as a rule needs: words of *safe*
//! characters (letters, digits and `_ - . / = : , + @ % ^ ~`), single-quoted strings (literal),
//! and double-quoted strings holding no `$`, backtick or backslash, split into simple commands
//! at `&&`, `||`, `;`, `|`, `&` and line breaks. Anything else the shell would act on — `$(…)`,
//! backticks, `$VAR`, `<(…)`, redirections and here-documents, a backslash outside quotes,
//! unquoted `*`, `?` and `[` (a file-name pattern expands to names no rule has seen, such as a
//! file called `--upload-pack=…`), parentheses and braces, `#`, `!`, shell keywords, a leading
//! `NAME=value` — makes the whole line [`Unjudgeable`]: no rule allows it (a person may still be
//! asked). A line is allowed only when every simple command in it is allowed on its own.
//!
//! Wrappers that only change how a command runs are judged by the command they run, so
//! `timeout 5 cargo test` is `cargo test`: `timeout [-s SIG] [-k DUR] [--preserve-status]
//! [--foreground] [-v] DURATION`, `nice [-n N]`, `time [-p]`, `nohup`, and `env` with neither
//! options nor assignments (`env -i …`, `env -C dir …` and `env VAR=x …` change what runs, so
//! they are unjudgeable). `xargs`, `sudo`, `exec`, `sh -c` and the like are not wrappers: a rule
//! must name them.
//!
//! Pure functions: no I/O. Invariant: whenever [`allowed`] says [`Judgement::Allowed`], every
//! simple command the shell could run from the line is one of the parts judged, with the words
//! judged (a syntax error only means less runs).

mod pattern;
#[cfg(test)]
mod tests;

use std::fmt;

pub use pattern::{CommandPattern, PatternError};

use crate::prompts::{Text, text};

/// How a simple command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Joint {
    /// The first command of the line.
    First,
    And,
    Or,
    Semicolon,
    Pipe,
    Background,
    Newline,
}

impl Joint {
    /// The operator as written (`None` for the first command and a line break).
    pub fn operator(self) -> Option<&'static str> {
        match self {
            Joint::First | Joint::Newline => None,
            Joint::And => Some("&&"),
            Joint::Or => Some("||"),
            Joint::Semicolon => Some(";"),
            Joint::Pipe => Some("|"),
            Joint::Background => Some("&"),
        }
    }
}

/// One simple command of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Its words with quotes resolved, wrappers (`timeout 5`, `env`, …) left off.
    pub words: Vec<String>,
    /// The part as written, wrappers included.
    pub text: String,
    /// What joins it to the part before.
    pub joint: Joint,
}

/// Why a command line cannot be judged by a rule. Its `Display` is for the model (from
/// `prompts/permission_texts.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unjudgeable {
    /// Nothing to run.
    Empty,
    /// `$(`, a backtick, `<(` or `>(`: text that runs another command.
    Substitution {
        op: String,
    },
    /// `$NAME`, `${…}`, `$((…))`: a value no rule has seen.
    Expansion,
    /// `>`, `>>`, `<`, `<<`, `2>&1`, `&>`, `|&`: input or output elsewhere.
    Redirection {
        op: String,
    },
    /// A backslash outside single quotes (including a line continuation).
    Backslash,
    UnclosedQuote,
    /// Unquoted `*`, `?` or `[`.
    Glob,
    /// `(`, `)`, `{` or `}`.
    Grouping,
    Comment,
    /// `NAME=value` before the command.
    Assignment {
        word: String,
    },
    /// `if`, `for`, `while`, … in a command's place.
    Keyword {
        word: String,
    },
    /// Another character outside quotes (`!`, a control character, …).
    Character {
        c: char,
    },
    /// A wrapper given something other than what it is judged through.
    Wrapper {
        wrapper: String,
        word: String,
    },
}

impl fmt::Display for Unjudgeable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Unjudgeable::Empty => text(Text::WhyEmpty, &[]),
            Unjudgeable::Substitution { op } if op == "`" => text(Text::WhyBacktick, &[]),
            Unjudgeable::Substitution { op } => text(Text::WhySubstitution, &[("op", op)]),
            Unjudgeable::Expansion => text(Text::WhyExpansion, &[]),
            Unjudgeable::Redirection { op } => text(Text::WhyRedirection, &[("op", op)]),
            Unjudgeable::Backslash => text(Text::WhyBackslash, &[]),
            Unjudgeable::UnclosedQuote => text(Text::WhyUnclosedQuote, &[]),
            Unjudgeable::Glob => text(Text::WhyGlob, &[]),
            Unjudgeable::Grouping => text(Text::WhyGrouping, &[]),
            Unjudgeable::Comment => text(Text::WhyComment, &[]),
            Unjudgeable::Assignment { word } => text(Text::WhyAssignment, &[("word", word)]),
            Unjudgeable::Keyword { word } => text(Text::WhyKeyword, &[("word", word)]),
            Unjudgeable::Character { c } => {
                let shown: String = c.escape_debug().collect();
                text(Text::WhyCharacter, &[("char", &shown)])
            }
            Unjudgeable::Wrapper { wrapper, word } => text(
                Text::WhyWrapper,
                &[("wrapper", wrapper.as_str()), ("word", word.as_str())],
            ),
        };
        f.write_str(&s)
    }
}

impl std::error::Error for Unjudgeable {}

/// What the rules say of a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    /// Every simple command in it is allowed by a rule.
    Allowed,
    /// This part (the first such) is allowed by no rule.
    NotAllowed { part: SimpleCommand },
    /// No rule can allow it.
    Unjudgeable { why: Unjudgeable },
}

impl Judgement {
    pub fn is_allowed(&self) -> bool {
        matches!(self, Judgement::Allowed)
    }

    /// Why it is not allowed, for the model (`None` when it is).
    pub fn reason(&self) -> Option<String> {
        match self {
            Judgement::Allowed => None,
            Judgement::NotAllowed { part } => {
                let after = match (part.joint, part.joint.operator()) {
                    (Joint::First, _) => String::new(),
                    (_, Some(op)) => format!(" {}", text(Text::AfterOperator, &[("op", op)])),
                    (_, None) => format!(" {}", text(Text::AfterNewline, &[])),
                };
                Some(text(
                    Text::PartNotAllowed,
                    &[("part", &part.text), ("after", &after)],
                ))
            }
            Judgement::Unjudgeable { why } => {
                Some(text(Text::Unjudgeable, &[("why", &why.to_string())]))
            }
        }
    }
}

/// Judges `command` by allow rules: allowed only when every simple command in it matches one of
/// `patterns`.
pub fn allowed(command: &str, patterns: &[CommandPattern]) -> Judgement {
    let parts = match simple_commands(command) {
        Ok(parts) => parts,
        Err(why) => return Judgement::Unjudgeable { why },
    };
    match parts
        .into_iter()
        .find(|part| !patterns.iter().any(|p| p.matches(part)))
    {
        Some(part) => Judgement::NotAllowed { part },
        None => Judgement::Allowed,
    }
}

/// The first simple command of `command` that one of `patterns` matches (for deny and ask
/// rules). An unjudgeable line is an error: the caller must not read it as "no rule matched".
pub fn any_part_matches(
    command: &str,
    patterns: &[CommandPattern],
) -> Result<Option<SimpleCommand>, Unjudgeable> {
    Ok(simple_commands(command)?
        .into_iter()
        .find(|part| patterns.iter().any(|p| p.matches(part))))
}

/// The simple commands of a command line, wrappers unwrapped; [`Unjudgeable`] when the line holds
/// anything a rule cannot see through.
pub fn simple_commands(command: &str) -> Result<Vec<SimpleCommand>, Unjudgeable> {
    let mut parts = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut joint = Joint::First;
    let mut next_joint = Joint::First;
    for token in tokenize(command, Mode::Command)? {
        match token {
            Token::Word(w) => {
                if words.is_empty() {
                    joint = next_joint;
                }
                words.push(w);
            }
            Token::Joint(j) => {
                if !words.is_empty() {
                    parts.push(simple(command, std::mem::take(&mut words), joint)?);
                }
                next_joint = j;
            }
        }
    }
    if !words.is_empty() {
        parts.push(simple(command, words, joint)?);
    }
    if parts.is_empty() {
        return Err(Unjudgeable::Empty);
    }
    Ok(parts)
}

/// A simple command from its words: no keyword or assignment in the command's place, wrappers
/// left off.
fn simple(command: &str, words: Vec<Word>, joint: Joint) -> Result<SimpleCommand, Unjudgeable> {
    let start = words.first().map_or(0, |w| w.start);
    let end = words.last().map_or(0, |w| w.end);
    let text = command.get(start..end).unwrap_or_default().to_string();
    let mut words: Vec<String> = words.into_iter().map(|w| w.literal()).collect();
    loop {
        check_command_word(&words)?;
        let skip = wrapper_len(&words)?;
        if skip == 0 || skip >= words.len() {
            break;
        }
        words.drain(..skip);
    }
    Ok(SimpleCommand { words, text, joint })
}

/// The shell's reserved words, which make a line more than simple commands.
const KEYWORDS: [&str; 18] = [
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "coproc", "[[", "]]",
];

fn check_command_word(words: &[String]) -> Result<(), Unjudgeable> {
    let Some(first) = words.first() else {
        return Ok(());
    };
    if KEYWORDS.contains(&first.as_str()) {
        return Err(Unjudgeable::Keyword {
            word: first.clone(),
        });
    }
    if first.contains('=') {
        return Err(Unjudgeable::Assignment {
            word: first.clone(),
        });
    }
    Ok(())
}

/// How many leading words are a wrapper and its options (0: no wrapper).
fn wrapper_len(words: &[String]) -> Result<usize, Unjudgeable> {
    let Some(first) = words.first() else {
        return Ok(0);
    };
    let bad = |word: &str| Unjudgeable::Wrapper {
        wrapper: first.clone(),
        word: word.to_string(),
    };
    let mut i = 1;
    let word = |i: usize| words.get(i).map(String::as_str);
    match first.as_str() {
        "timeout" => {
            while let Some(w) = word(i).filter(|w| w.starts_with('-')) {
                match w {
                    "--" => {
                        i += 1;
                        break;
                    }
                    "--preserve-status" | "--foreground" | "-v" | "--verbose" => i += 1,
                    "-s" | "-k" | "--signal" | "--kill-after" => i += 2,
                    w if w.starts_with("--signal=")
                        || w.starts_with("--kill-after=")
                        || (w.len() > 2 && (w.starts_with("-s") || w.starts_with("-k"))) =>
                    {
                        i += 1
                    }
                    w => return Err(bad(w)),
                }
            }
            match word(i) {
                Some(d) if is_duration(d) => i += 1,
                Some(w) => return Err(bad(w)),
                None => return Ok(0),
            }
        }
        "nice" => match word(1) {
            Some("-n") => i = 3,
            Some(w) if w.starts_with("-n") || w.starts_with("--adjustment=") => i = 2,
            Some(w) if w.starts_with('-') && w[1..].parse::<i32>().is_ok() => i = 2,
            Some(w) if w.starts_with('-') => return Err(bad(w)),
            _ => {}
        },
        "time" => match word(1) {
            Some("-p") => i = 2,
            Some(w) if w.starts_with('-') => return Err(bad(w)),
            _ => {}
        },
        "nohup" => match word(1) {
            Some("--") => i = 2,
            Some(w) if w.starts_with('-') => return Err(bad(w)),
            _ => {}
        },
        "env" => match word(1) {
            Some(w) if w.contains('=') => {
                return Err(Unjudgeable::Assignment {
                    word: w.to_string(),
                });
            }
            Some(w) if w.starts_with('-') => return Err(bad(w)),
            _ => {}
        },
        _ => return Ok(0),
    }
    // A wrapper with nothing after it runs nothing but itself.
    Ok(if i < words.len() { i } else { 0 })
}

/// `timeout`'s duration: a number with an optional unit (`5`, `1.5`, `10s`, `2m`).
fn is_duration(word: &str) -> bool {
    let number = word.strip_suffix(['s', 'm', 'h', 'd']).unwrap_or(word);
    !number.is_empty()
        && number.chars().all(|c| c.is_ascii_digit() || c == '.')
        && number.chars().filter(|c| *c == '.').count() <= 1
        && number != "."
}

/// Characters a word may hold outside quotes.
fn is_safe(c: char) -> bool {
    c.is_alphanumeric() || "_-./=:,+@%^~".contains(c)
}

/// What the tokenizer reads: a command line, or a rule, where an unquoted `*` is a wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Command,
    Pattern,
}

/// A piece of a word: literal text, or (in a rule) a wildcard.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Star,
}

/// One word: its pieces and where it stands in the line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    pieces: Vec<Piece>,
    start: usize,
    end: usize,
}

impl Word {
    /// The word's text (wildcards, which only a rule has, dropped).
    fn literal(self) -> String {
        self.pieces
            .into_iter()
            .filter_map(|p| match p {
                Piece::Text(t) => Some(t),
                Piece::Star => None,
            })
            .collect()
    }

    fn push_char(&mut self, c: char) {
        match self.pieces.last_mut() {
            Some(Piece::Text(t)) => t.push(c),
            _ => self.pieces.push(Piece::Text(c.to_string())),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(Word),
    Joint(Joint),
}

/// Splits a line into words and joints, or says what in it no rule can see through.
fn tokenize(line: &str, mode: Mode) -> Result<Vec<Token>, Unjudgeable> {
    let mut out = Vec::new();
    let mut word: Option<Word> = None;
    let mut chars = line.char_indices().peekable();
    let end_word = |word: &mut Option<Word>, out: &mut Vec<Token>, at: usize| {
        if let Some(mut w) = word.take() {
            w.end = at;
            out.push(Token::Word(w));
        }
    };
    while let Some((i, c)) = chars.next() {
        let peek = chars.peek().map(|(_, c)| *c);
        let joint = match c {
            ' ' | '\t' => {
                end_word(&mut word, &mut out, i);
                continue;
            }
            '\n' => Some(Joint::Newline),
            ';' => Some(Joint::Semicolon),
            '&' if peek == Some('&') => {
                chars.next();
                Some(Joint::And)
            }
            '&' if peek == Some('>') => return Err(redirection(c, peek)),
            '&' => Some(Joint::Background),
            '|' if peek == Some('|') => {
                chars.next();
                Some(Joint::Or)
            }
            '|' if peek == Some('&') => return Err(redirection(c, peek)),
            '|' => Some(Joint::Pipe),
            _ => None,
        };
        if let Some(j) = joint {
            end_word(&mut word, &mut out, i);
            out.push(Token::Joint(j));
            continue;
        }
        let w = word.get_or_insert_with(|| Word {
            pieces: Vec::new(),
            start: i,
            end: i,
        });
        match c {
            '\'' => {
                // A quoted string may be empty (`''`): the word exists all the same.
                w.pieces.push(Piece::Text(String::new()));
                loop {
                    match chars.next() {
                        Some((_, '\'')) => break,
                        Some((_, q)) => w.push_char(q),
                        None => return Err(Unjudgeable::UnclosedQuote),
                    }
                }
            }
            '"' => {
                w.pieces.push(Piece::Text(String::new()));
                loop {
                    match chars.next() {
                        Some((_, '"')) => break,
                        Some((_, '$')) => {
                            let next = chars.peek().map(|(_, c)| *c);
                            return Err(dollar(next));
                        }
                        Some((_, '`')) => {
                            return Err(Unjudgeable::Substitution { op: "`".into() });
                        }
                        Some((_, '\\')) => return Err(Unjudgeable::Backslash),
                        Some((_, q)) => w.push_char(q),
                        None => return Err(Unjudgeable::UnclosedQuote),
                    }
                }
            }
            '\\' => return Err(Unjudgeable::Backslash),
            '$' => return Err(dollar(peek)),
            '`' => return Err(Unjudgeable::Substitution { op: "`".into() }),
            '<' | '>' if peek == Some('(') => {
                return Err(Unjudgeable::Substitution {
                    op: format!("{c}("),
                });
            }
            '<' | '>' => return Err(redirection(c, peek)),
            '*' if mode == Mode::Pattern => w.pieces.push(Piece::Star),
            '*' | '?' | '[' => return Err(Unjudgeable::Glob),
            '(' | ')' | '{' | '}' => return Err(Unjudgeable::Grouping),
            '#' => return Err(Unjudgeable::Comment),
            c if is_safe(c) => w.push_char(c),
            c => return Err(Unjudgeable::Character { c }),
        }
    }
    end_word(&mut word, &mut out, line.len());
    Ok(out)
}

fn dollar(next: Option<char>) -> Unjudgeable {
    if next == Some('(') {
        Unjudgeable::Substitution { op: "$(".into() }
    } else {
        Unjudgeable::Expansion
    }
}

fn redirection(c: char, next: Option<char>) -> Unjudgeable {
    let mut op = c.to_string();
    if let Some(n) = next.filter(|n| "<>&|".contains(*n)) {
        op.push(n);
    }
    Unjudgeable::Redirection { op }
}
