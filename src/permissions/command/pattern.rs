//! A command rule's pattern, in Claude Code's syntax, matched against a simple command's words
//! (never against the raw text, so quoting or spacing cannot make a command look like another).
//!
//! - `make`: exactly the words `make`.
//! - `cargo test:*` (the legacy form) and `cargo test *`: the words `cargo test`, then any
//!   words (or none): `cargo test -q` yes, `cargo testx` no.
//! - `ls*`: a `*` ending the last word without a space: `ls`, `lsof`, `ls -la`.
//! - `git * main`: a `*` standing alone inside the pattern is one or more whole words.
//! - `*.rs` or `v*` inside a word matches within that word only.
//!
//! Words are written as in a command line (quotes allowed, same tokenizer), so a rule saved from
//! an approved command, `git commit -m "fix"`, reads as its words. Not accepted: a pattern that
//! starts with a wildcard (`* install`, `*`: it names no program; Claude Code allows these), `?`
//! and `[…]`, and anything that makes a command line unjudgeable (operators, `$`, …): a rule is
//! one simple command. Matching takes time linear in the words for each pattern word, whatever
//! the rule (a rule may come from a repository).

use super::{Mode, Piece, SimpleCommand, Token, Unjudgeable, tokenize};

/// A rule's pattern for one simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandPattern {
    /// As written.
    text: String,
    words: Vec<PatternWord>,
    /// Any further words (or none) may follow.
    open: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternWord {
    /// Exactly this word.
    Literal(String),
    /// One word matching the pieces (`*` within the word).
    Glob(Vec<Piece>),
    /// One or more whole words (a `*` on its own).
    Words,
}

/// Why a pattern cannot be a command rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    #[error("the rule names no command")]
    Empty,
    #[error("a rule starts with the name of the program it allows, not with a wildcard")]
    LeadingWildcard,
    #[error("a rule is one command; write one rule for each")]
    Compound,
    #[error("{0}")]
    Shell(Unjudgeable),
}

impl CommandPattern {
    /// Reads a rule's pattern (what is inside `run_command(…)` or `Bash(…)`).
    pub fn parse(pattern: &str) -> Result<CommandPattern, PatternError> {
        let text = pattern.trim().to_string();
        let (body, legacy) = match text.strip_suffix(":*") {
            Some(body) => (body, true),
            None => (text.as_str(), false),
        };
        let mut words = Vec::new();
        for token in tokenize(body, Mode::Pattern).map_err(PatternError::Shell)? {
            match token {
                Token::Word(w) => words.push(w.pieces),
                Token::Joint(_) => return Err(PatternError::Compound),
            }
        }
        let mut open = legacy;
        if !open && words.last().is_some_and(|w| *w == [Piece::Star]) {
            // `npm run *`: the trailing wildcard may match nothing, as in Claude Code.
            words.pop();
            open = true;
        } else if !open && words.last().is_some_and(|w| w.last() == Some(&Piece::Star)) {
            // `ls*`: `ls`, `lsof` and `ls -la`.
            open = true;
        }
        let words: Vec<PatternWord> = words.into_iter().map(pattern_word).collect();
        match words.first() {
            None if text.contains('*') => Err(PatternError::LeadingWildcard),
            None => Err(PatternError::Empty),
            Some(PatternWord::Words) => Err(PatternError::LeadingWildcard),
            Some(PatternWord::Glob(p)) if p.first() == Some(&Piece::Star) => {
                Err(PatternError::LeadingWildcard)
            }
            Some(_) => Ok(CommandPattern { text, words, open }),
        }
    }

    /// Reads a prefix rule (`--allow-command cargo test`): the pattern's words, then any words.
    pub fn prefix(prefix: &str) -> Result<CommandPattern, PatternError> {
        let mut p = CommandPattern::parse(prefix)?;
        p.open = true;
        Ok(p)
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the simple command's words (wrappers left off) match.
    pub fn matches(&self, command: &SimpleCommand) -> bool {
        self.matches_words(&command.words)
    }

    /// Whether `words` match: each pattern word in turn, a `*` word taking one or more words,
    /// and, when the pattern is open, any words after (dynamic programming, no backtracking).
    fn matches_words(&self, words: &[String]) -> bool {
        // can[j]: the pattern words so far can end just before words[j].
        let mut can = vec![false; words.len() + 1];
        can[0] = true;
        for pw in &self.words {
            let mut next = vec![false; words.len() + 1];
            match pw {
                PatternWord::Words => {
                    let mut reached = false;
                    for j in 1..=words.len() {
                        reached |= can[j - 1];
                        next[j] = reached;
                    }
                }
                one => {
                    for j in 1..=words.len() {
                        next[j] = can[j - 1] && word_matches(one, &words[j - 1]);
                    }
                }
            }
            can = next;
        }
        if self.open {
            can.iter().any(|c| *c)
        } else {
            can[words.len()]
        }
    }
}

fn pattern_word(pieces: Vec<Piece>) -> PatternWord {
    if pieces == [Piece::Star] {
        PatternWord::Words
    } else if pieces.contains(&Piece::Star) {
        PatternWord::Glob(pieces)
    } else {
        PatternWord::Literal(
            pieces
                .into_iter()
                .map(|p| match p {
                    Piece::Text(t) => t,
                    Piece::Star => String::new(),
                })
                .collect(),
        )
    }
}

fn word_matches(pw: &PatternWord, word: &str) -> bool {
    match pw {
        PatternWord::Literal(l) => l == word,
        PatternWord::Glob(pieces) => glob_matches(pieces, word),
        PatternWord::Words => true,
    }
}

/// A wildcard match within one word: the first text piece anchors the start, the last the end,
/// the others are found left to right (greedy leftmost matching is exact for `*` alone).
fn glob_matches(pieces: &[Piece], word: &str) -> bool {
    let texts: Vec<&str> = pieces
        .iter()
        .filter_map(|p| match p {
            Piece::Text(t) if !t.is_empty() => Some(t.as_str()),
            _ => None,
        })
        .collect();
    let starts_star = pieces
        .iter()
        .find(|p| !matches!(p, Piece::Text(t) if t.is_empty()))
        == Some(&Piece::Star);
    let ends_star = pieces
        .iter()
        .rev()
        .find(|p| !matches!(p, Piece::Text(t) if t.is_empty()))
        == Some(&Piece::Star);
    let mut rest = word;
    for (k, t) in texts.iter().enumerate() {
        let first = k == 0 && !starts_star;
        let last = k + 1 == texts.len() && !ends_star;
        if first {
            let Some(r) = rest.strip_prefix(t) else {
                return false;
            };
            rest = r;
            if last {
                return rest.is_empty();
            }
        } else if last {
            return rest.ends_with(t);
        } else {
            let Some(at) = rest.find(t) else {
                return false;
            };
            rest = &rest[at + t.len()..];
        }
    }
    // Only wildcards, or a trailing one: anything left matches.
    ends_star || rest.is_empty()
}
