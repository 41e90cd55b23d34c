//! Locating a model's old text in a file: the matching cascade.
//!
//! Rules run in order and the first that finds anything decides: one place is applied, two or
//! more is an ambiguity (reported with the count and line numbers, never applied). The rules:
//! 1. exact bytes;
//! 2. ignoring trailing spaces and tabs;
//! 3. also ignoring CRLF/LF differences;
//! 4. the block shifted by a constant indentation (tabs and spaces converted at widths 4, 2, 8
//!    when the file and the old text indent differently); the new text gets the same shift;
//! 5. runs of whitespace collapsed;
//! 6. typographic look-alikes (curly quotes, dashes, non-breaking spaces, `…`) normalised;
//! 7. elision lines (`...`, `// ... existing code ...`) in the old text matching any run of
//!    lines, the same markers in the new text keeping what they stand for;
//! 8. fuzzy: the file region with the same non-blank lines most similar to the old text, if its
//!    similarity (see [`fuzzy::THRESHOLD`]) is at least 0.85 and the old text has two or more
//!    non-blank lines.
//!
//! Rules 7 and 8 apply only to unique replacements. A file without a final newline is matched
//! as if it had one, and keeps not having one. The new text takes the line endings of the
//! region it replaces.

mod fuzzy;
mod lines;
mod normalize;

use std::cell::OnceCell;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

pub use fuzzy::THRESHOLD;
use normalize::{Level, View};

use super::error::Closest;
use super::op::ReplaceMode;
use super::text::{Eol, with_eol};

/// The rule of the cascade that located an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Exact,
    TrailingWhitespace,
    LineEndings,
    Indentation,
    Whitespace,
    Unicode,
    Elision,
    Fuzzy,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::Exact => "exact match",
            Rule::TrailingWhitespace => "ignoring trailing whitespace",
            Rule::LineEndings => "ignoring line endings",
            Rule::Indentation => "with indentation shifted",
            Rule::Whitespace => "with whitespace collapsed",
            Rule::Unicode => "with look-alike characters normalised",
            Rule::Elision => "with `...` elisions",
            Rule::Fuzzy => "fuzzy match",
        })
    }
}

/// One place to change: a byte range of the file body and what goes there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub range: Range<usize>,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Located {
    pub rule: Rule,
    pub found: Vec<Found>,
    /// For fuzzy matches, the similarity of the region chosen.
    pub similarity: Option<f32>,
}

/// Why old text could not be placed.
#[derive(Debug, Clone, PartialEq)]
pub enum Miss {
    NotFound {
        closest: Option<Closest>,
        empty_file: bool,
    },
    Ambiguous {
        rule: Rule,
        lines: Vec<usize>,
    },
    Count {
        found: usize,
        lines: Vec<usize>,
    },
    Elision {
        old_markers: usize,
        new_markers: usize,
    },
}

/// What to look for.
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    pub old: &'a str,
    pub new: &'a str,
    pub mode: ReplaceMode,
    pub anchor: Option<&'a str>,
}

/// A file body prepared for matching, with normalised views built on first use.
///
/// The body is shared with the plan, not copied: matching a large file costs one pass of the
/// search, and only the rules that run pay for the views they use.
#[derive(Debug)]
pub struct Haystack {
    /// Holds the body at `start..`, plus a `\n` when it is non-empty and lacks a final newline
    /// (then this is a copy of the body with that newline, and `start` is 0).
    src: Arc<String>,
    start: usize,
    real_len: usize,
    views: [OnceCell<View>; 4],
    line_starts: OnceCell<Vec<usize>>,
    eol: OnceCell<Eol>,
    traits: OnceCell<Traits>,
    fuzzy: OnceCell<fuzzy::Index>,
}

/// What in a text the tolerant views would change.
#[derive(Debug, Clone, Copy)]
struct Traits {
    /// A line ends in spaces or tabs.
    trailing_blanks: bool,
    crlf: bool,
    /// A character [`normalize`] replaces at the look-alike level.
    lookalikes: bool,
}

impl Haystack {
    /// A haystack over a copy of `body`.
    #[cfg(test)]
    pub fn new(body: &str) -> Haystack {
        Haystack::shared(&Arc::new(body.to_string()), 0)
    }

    /// A haystack over `content[start..]` (`start` skips a BOM), sharing `content`.
    pub fn shared(content: &Arc<String>, start: usize) -> Haystack {
        let body = &content[start..];
        let (src, start) = if !body.is_empty() && !body.ends_with('\n') {
            let mut text = String::with_capacity(body.len() + 1);
            text.push_str(body);
            text.push('\n');
            (Arc::new(text), 0)
        } else {
            (Arc::clone(content), start)
        };
        Haystack {
            src,
            start,
            real_len: body.len(),
            views: Default::default(),
            line_starts: OnceCell::new(),
            eol: OnceCell::new(),
            traits: OnceCell::new(),
            fuzzy: OnceCell::new(),
        }
    }

    /// The body matched against (with the virtual final newline).
    fn text(&self) -> &str {
        &self.src[self.start..]
    }

    /// The body's dominant line ending.
    fn eol(&self) -> Eol {
        *self
            .eol
            .get_or_init(|| Eol::detect(&self.text()[..self.real_len]))
    }

    /// The view of `level`, built once for all the levels it equals.
    fn view(&self, level: Level) -> &View {
        let level = self.source(level).unwrap_or(level);
        self.views[level as usize].get_or_init(|| View::build(self.text(), level))
    }

    /// The lowest level whose view equals the view of `level` for this text, or None when that
    /// view is the raw text itself (mapped one to one): without trailing blanks the
    /// trailing-whitespace view is the text, without CRLF the line-ending view is the
    /// trailing-whitespace one, and without look-alikes the look-alike view is the collapsed one.
    fn source(&self, level: Level) -> Option<Level> {
        let t = self.traits();
        match level {
            Level::Trailing => t.trailing_blanks.then_some(Level::Trailing),
            Level::Eol if t.crlf => Some(Level::Eol),
            Level::Eol => self.source(Level::Trailing),
            Level::Whitespace => Some(Level::Whitespace),
            Level::Unicode if t.lookalikes => Some(Level::Unicode),
            Level::Unicode => Some(Level::Whitespace),
        }
    }

    fn traits(&self) -> Traits {
        *self.traits.get_or_init(|| {
            let text = self.text();
            let bytes = text.as_bytes();
            let trailing_blanks = memchr::memchr_iter(b'\n', bytes).any(|i| {
                let end = if i > 0 && bytes[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                end > 0 && matches!(bytes[end - 1], b' ' | b'\t')
            });
            Traits {
                trailing_blanks,
                crlf: memchr::memmem::find(bytes, b"\r\n").is_some(),
                lookalikes: !text.is_ascii() && text.chars().any(normalize::is_lookalike),
            }
        })
    }

    /// Byte offsets where each line of `text` starts (plus one past the end).
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let text = self.text();
            let mut v = vec![0];
            v.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
            if v.last() != Some(&text.len()) {
                v.push(text.len());
            }
            v
        })
    }

    fn line_count(&self) -> usize {
        self.line_starts().len() - 1
    }

    /// The 1-based line holding byte `at`.
    pub fn line_of(&self, at: usize) -> usize {
        match self.line_starts().binary_search(&at) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
        .min(self.line_count().max(1))
    }

    /// Line `i` (0-based) without its terminator.
    fn line(&self, i: usize) -> &str {
        let s = self.line_starts();
        let l = &self.text()[s[i]..s[i + 1]];
        l.strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(l)
    }

    /// The byte range of lines `a..b` (0-based), with or without the last line's terminator.
    fn line_range(&self, a: usize, b: usize, with_last_eol: bool) -> Range<usize> {
        let s = self.line_starts();
        let start = s[a];
        let end = if with_last_eol || b == a {
            s[b]
        } else {
            s[b - 1] + self.line(b - 1).len()
        };
        start..end
    }

    /// The line ending new text should take in `range`: the region's own, else the file's.
    fn eol_for(&self, range: &Range<usize>) -> Eol {
        let region = &self.text()[range.clone()];
        if region.contains("\r\n") {
            Eol::CrLf
        } else if region.contains('\n') {
            Eol::Lf
        } else {
            self.eol()
        }
    }
}

/// Runs the cascade for one query. `old` must be non-empty.
pub fn locate(hay: &Haystack, q: &Query<'_>) -> Result<Located, Miss> {
    let char_rules = [
        (Rule::Exact, None),
        (Rule::TrailingWhitespace, Some(Level::Trailing)),
        (Rule::LineEndings, Some(Level::Eol)),
        (Rule::Indentation, None),
        (Rule::Whitespace, Some(Level::Whitespace)),
        (Rule::Unicode, Some(Level::Unicode)),
    ];
    // The text searched and the needle of the last character rule, which found nothing: a rule
    // searching the same text for the same needle would find nothing either.
    let mut last: Option<(Option<Level>, String)> = None;
    for (rule, level) in char_rules {
        let found = if rule == Rule::Indentation {
            lines::find_indented(hay, q.old, q.new)
        } else {
            let source = level.and_then(|l| hay.source(l));
            let needle = match level {
                None => q.old.to_string(),
                Some(l) => normalize::normalize(q.old, l),
            };
            if last
                .as_ref()
                .is_some_and(|(s, n)| *s == source && *n == needle)
            {
                continue;
            }
            let found = if level.is_some() && needle.trim().is_empty() {
                Vec::new()
            } else {
                find_in(hay, q, source, &needle)
            };
            last = Some((source, needle));
            found
        };
        if !found.is_empty() {
            return decide(hay, q, rule, found, None);
        }
    }
    if q.mode == ReplaceMode::Unique {
        let found = lines::find_elided(hay, q.old, q.new)?;
        if !found.is_empty() {
            return decide(hay, q, Rule::Elision, found, None);
        }
        let idx = hay.fuzzy.get_or_init(|| fuzzy::Index::build(hay));
        match fuzzy::find(hay, idx, q.old, q.new) {
            fuzzy::Outcome::One(found, score) => {
                return decide(hay, q, Rule::Fuzzy, vec![found], Some(score));
            }
            fuzzy::Outcome::Many(found) => return decide(hay, q, Rule::Fuzzy, found, None),
            fuzzy::Outcome::None => {}
        }
    }
    if hay.real_len == 0 {
        return Err(Miss::NotFound {
            closest: None,
            empty_file: true,
        });
    }
    let idx = hay.fuzzy.get_or_init(|| fuzzy::Index::build(hay));
    Err(Miss::NotFound {
        closest: fuzzy::closest(hay, idx, q.old),
        empty_file: false,
    })
}

/// Every place `needle` occurs in the view of `source` (None: the raw text), as raw ranges.
fn find_in(hay: &Haystack, q: &Query<'_>, source: Option<Level>, needle: &str) -> Vec<Found> {
    let view = source.map(|l| hay.view(l));
    let text = view.map_or(hay.text(), |v| v.text.as_str());
    let mut out = Vec::new();
    for at in memchr::memmem::find_iter(text.as_bytes(), needle.as_bytes()) {
        let range = match view {
            None => at..at + needle.len(),
            Some(v) => v.raw_start(at)..v.raw_end(at + needle.len()),
        };
        if range.start > range.end
            || !hay.text().is_char_boundary(range.start)
            || !hay.text().is_char_boundary(range.end)
        {
            continue;
        }
        let replacement = with_eol(q.new, hay.eol_for(&range));
        out.push(Found { range, replacement });
    }
    out
}

/// Applies the replace mode and the anchor to what a rule found, and trims the virtual newline.
fn decide(
    hay: &Haystack,
    q: &Query<'_>,
    rule: Rule,
    found: Vec<Found>,
    score: Option<f32>,
) -> Result<Located, Miss> {
    let found: Vec<Found> = found.into_iter().map(|f| clip(hay, f)).collect();
    let lines = || {
        let mut l: Vec<usize> = found.iter().map(|f| hay.line_of(f.range.start)).collect();
        l.sort_unstable();
        l
    };
    match q.mode {
        ReplaceMode::All => Ok(Located {
            rule,
            found,
            similarity: score,
        }),
        ReplaceMode::Count(n) if found.len() == n => Ok(Located {
            rule,
            found,
            similarity: score,
        }),
        ReplaceMode::Count(_) => Err(Miss::Count {
            found: found.len(),
            lines: lines(),
        }),
        ReplaceMode::Unique if found.len() == 1 => Ok(Located {
            rule,
            found,
            similarity: score,
        }),
        ReplaceMode::Unique => {
            if let Some(after) = q.anchor.and_then(|a| anchor_offset(hay, a))
                && let Some(first) = found.iter().find(|f| f.range.start >= after)
            {
                return Ok(Located {
                    rule,
                    found: vec![first.clone()],
                    similarity: score,
                });
            }
            Err(Miss::Ambiguous {
                rule,
                lines: lines(),
            })
        }
    }
}

/// The offset just past the first line containing `anchor` (whitespace-insensitive).
fn anchor_offset(hay: &Haystack, anchor: &str) -> Option<usize> {
    let want = normalize::normalize(anchor, Level::Unicode);
    let want = want.trim();
    if want.is_empty() {
        return None;
    }
    let view = hay.view(Level::Unicode);
    let at = view.text.find(want)?;
    let line_end = view.text[at..]
        .find('\n')
        .map_or(view.text.len(), |e| at + e + 1);
    Some(view.raw_start(line_end.min(view.text.len())))
}

/// Keeps a match inside the real body: a region that reached the virtual final newline gives up
/// that newline, and so does its replacement, so a file without one stays without one.
fn clip(hay: &Haystack, mut f: Found) -> Found {
    if f.range.end > hay.real_len {
        f.range.end = hay.real_len;
        f.range.start = f.range.start.min(hay.real_len);
        if let Some(r) = f.replacement.strip_suffix('\n') {
            let r = r.strip_suffix('\r').unwrap_or(r);
            f.replacement.truncate(r.len());
        }
    }
    f
}

#[cfg(test)]
mod tests;
