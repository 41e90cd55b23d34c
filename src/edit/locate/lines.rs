//! The line-based rules of the cascade: a block shifted by a constant indentation, and old text
//! with elision lines (`...`) standing for runs of lines. Both compare whole lines, ignore
//! trailing whitespace and line endings, and return regions of whole lines.
//!
//! Invariant: a returned region starts at a line start and ends at a line end (with its
//! terminator when the old text ended with a newline).

use std::sync::LazyLock;

use regex::Regex;

use super::normalize::{Level, normalize};
use super::{Found, Haystack, Miss};
use crate::edit::text::with_eol;

/// How indentation differs between the old text and the file: a prefix the file has in addition,
/// or one the old text has that the file lacks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shift {
    None,
    Add(String),
    Remove(String),
}

/// Re-indentation of the old and new text before the shift: tabs and spaces converted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    Keep,
    SpacesToTabs(usize),
    TabsToSpaces(usize),
}

fn split_indent(line: &str) -> (&str, &str) {
    let rest = line.trim_start_matches([' ', '\t']);
    (&line[..line.len() - rest.len()], rest)
}

fn columns(indent: &str, tab: usize) -> usize {
    indent.chars().fold(0, |col, c| {
        if c == '\t' {
            col + tab - col % tab
        } else {
            col + 1
        }
    })
}

fn convert(line: &str, conv: Conv) -> String {
    let (indent, rest) = split_indent(line);
    match conv {
        Conv::Keep => line.to_string(),
        Conv::SpacesToTabs(w) => {
            let col = columns(indent, w);
            format!("{}{}{rest}", "\t".repeat(col / w), " ".repeat(col % w))
        }
        Conv::TabsToSpaces(w) => format!("{}{rest}", " ".repeat(columns(indent, w))),
    }
}

/// The needle's lines: one trailing newline dropped, `\r` and trailing blanks removed.
fn needle_lines(old: &str) -> Vec<String> {
    let body = old.strip_suffix('\n').unwrap_or(old);
    body.split('\n')
        .map(|l| l.trim_end_matches([' ', '\t', '\r']).to_string())
        .collect()
}

fn shift_between(file_indent: &str, needle_indent: &str) -> Option<Shift> {
    if file_indent == needle_indent {
        Some(Shift::None)
    } else if let Some(p) = file_indent.strip_suffix(needle_indent) {
        Some(Shift::Add(p.to_string()))
    } else {
        needle_indent
            .strip_suffix(file_indent)
            .map(|p| Shift::Remove(p.to_string()))
    }
}

/// Rule 4: the old text's lines, shifted by one constant indentation.
pub fn find_indented(hay: &Haystack, old: &str, new: &str) -> Vec<Found> {
    let raw = needle_lines(old);
    if raw.iter().all(|l| l.trim().is_empty()) || hay.line_count() == 0 {
        return Vec::new();
    }
    let needle_tabs = raw.iter().any(|l| l.starts_with('\t'));
    let needle_spaces = raw.iter().any(|l| l.starts_with(' '));
    let (file_tabs, file_spaces) = file_indent_kinds(hay);
    let mut convs = vec![Conv::Keep];
    if needle_spaces && file_tabs {
        convs.extend([
            Conv::SpacesToTabs(4),
            Conv::SpacesToTabs(2),
            Conv::SpacesToTabs(8),
        ]);
    }
    if needle_tabs && file_spaces {
        convs.extend([
            Conv::TabsToSpaces(4),
            Conv::TabsToSpaces(2),
            Conv::TabsToSpaces(8),
        ]);
    }
    for conv in convs {
        let lines: Vec<String> = raw.iter().map(|l| convert(l, conv)).collect();
        let hits = scan_shifted(hay, &lines);
        if !hits.is_empty() {
            return hits
                .into_iter()
                .map(|(start, shift)| {
                    let range = hay.line_range(start, start + lines.len(), old.ends_with('\n'));
                    let replacement = reindent(new, conv, &shift);
                    let replacement = with_eol(&replacement, hay.eol_for(&range));
                    Found { range, replacement }
                })
                .collect();
        }
    }
    Vec::new()
}

fn file_indent_kinds(hay: &Haystack) -> (bool, bool) {
    let (mut tabs, mut spaces) = (false, false);
    for i in 0..hay.line_count() {
        match hay.line(i).as_bytes().first() {
            Some(b'\t') => tabs = true,
            Some(b' ') => spaces = true,
            _ => {}
        }
        if tabs && spaces {
            break;
        }
    }
    (tabs, spaces)
}

/// Start lines (non-overlapping) where `lines` match with one constant shift.
fn scan_shifted(hay: &Haystack, lines: &[String]) -> Vec<(usize, Shift)> {
    let n = lines.len();
    let total = hay.line_count();
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return Vec::new();
    };
    let first_rest = split_indent(&lines[first]).1;
    let mut out = Vec::new();
    let mut s = 0;
    while s + n <= total {
        let candidate =
            split_indent(hay.line(s + first).trim_end_matches([' ', '\t'])).1 == first_rest;
        if candidate && let Some(shift) = shifted_match(hay, lines, s) {
            out.push((s, shift));
            s += n;
            continue;
        }
        s += 1;
    }
    out
}

fn shifted_match(hay: &Haystack, lines: &[String], s: usize) -> Option<Shift> {
    let mut shift: Option<Shift> = None;
    for (i, want) in lines.iter().enumerate() {
        let have = hay.line(s + i).trim_end_matches([' ', '\t']);
        match (have.is_empty(), want.is_empty()) {
            (true, true) => continue,
            (false, false) => {}
            _ => return None,
        }
        let (hi, hr) = split_indent(have);
        let (wi, wr) = split_indent(want);
        if hr != wr {
            return None;
        }
        let this = shift_between(hi, wi)?;
        match &shift {
            None => shift = Some(this),
            Some(prev) if *prev == this => {}
            Some(_) => return None,
        }
    }
    shift
}

/// The new text with the conversion and shift that made the old text match.
fn reindent(new: &str, conv: Conv, shift: &Shift) -> String {
    let mut out = String::with_capacity(new.len() + 16);
    for line in new.split_inclusive('\n') {
        let (content, term) = match line.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (line, ""),
        };
        if content.trim().is_empty() {
            out.push_str(content);
            out.push_str(term);
            continue;
        }
        let converted = convert(content, conv);
        match shift {
            Shift::None => out.push_str(&converted),
            Shift::Add(p) => {
                out.push_str(p);
                out.push_str(&converted);
            }
            Shift::Remove(p) => match converted.strip_prefix(p.as_str()) {
                Some(rest) => out.push_str(rest),
                None => out.push_str(converted.trim_start_matches([' ', '\t'])),
            },
        }
        out.push_str(term);
    }
    out
}

/// The shift that maps needle line `want` onto file line `have` (used by the fuzzy rule).
pub fn shift_for(have: &str, want: &str) -> Shift {
    shift_between(split_indent(have).0, split_indent(want).0).unwrap_or(Shift::None)
}

/// Re-indents `new` by `shift` with no tab conversion.
pub fn reindent_plain(new: &str, shift: &Shift) -> String {
    reindent(new, Conv::Keep, shift)
}

static ELISION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"^\s*(?://+|#+|--|;+|\*|/\*+|<!--|\{/\*)?\s*(?:\.\.\.|…)(?:[^\n]*)$").ok()
});

/// Whether a line stands for elided code: `...`, `// ... existing code ...`, `# ...`, `/* ... */`.
pub fn is_elision(line: &str) -> bool {
    ELISION
        .as_ref()
        .is_some_and(|re| re.is_match(line.trim_end()))
}

/// A match of elided old text: first line, end line (exclusive), and the gaps (line ranges)
/// the elision markers stood for.
type ElidedHit = (usize, usize, Vec<(usize, usize)>);

/// Rule 7: old text whose elision lines match any run of lines.
pub fn find_elided(hay: &Haystack, old: &str, new: &str) -> Result<Vec<Found>, Miss> {
    let raw = needle_lines(old);
    if !raw.iter().any(|l| is_elision(l)) {
        return Ok(Vec::new());
    }
    // Segments of real lines between elisions, compared as trimmed normalised keys.
    let mut segments: Vec<Vec<String>> = vec![Vec::new()];
    for l in &raw {
        if is_elision(l) {
            if segments.last().is_some_and(|s| !s.is_empty()) {
                segments.push(Vec::new());
            }
        } else {
            let key = normalize(l, Level::Unicode).trim().to_string();
            if let Some(seg) = segments.last_mut() {
                seg.push(key);
            }
        }
    }
    segments.retain(|s| !s.is_empty());
    if segments.is_empty() {
        return Ok(Vec::new());
    }
    let view = hay.view(Level::Unicode);
    let keys: Vec<&str> = view
        .text
        .split('\n')
        .take(hay.line_count())
        .map(str::trim)
        .collect();
    let seg_at = |seg: &[String], at: usize| {
        at + seg.len() <= keys.len() && seg.iter().zip(&keys[at..]).all(|(a, b)| a == b)
    };
    let mut hits: Vec<ElidedHit> = Vec::new();
    let mut s = 0;
    while s < keys.len() {
        if seg_at(&segments[0], s) {
            let mut end = s + segments[0].len();
            let mut gaps = Vec::new();
            let mut ok = true;
            for seg in &segments[1..] {
                match (end..keys.len()).find(|&j| seg_at(seg, j)) {
                    Some(j) => {
                        gaps.push((end, j));
                        end = j + seg.len();
                    }
                    None => {
                        ok = false;
                        break;
                    }
                }
            }
            if ok {
                hits.push((s, end, gaps));
                s = end;
                continue;
            }
        }
        s += 1;
    }
    let mut out = Vec::new();
    for (start, end, gaps) in hits {
        let range = hay.line_range(start, end, old.ends_with('\n'));
        let eol = hay.eol_for(&range);
        let replacement = fill_elisions(hay, &raw, new, &gaps, eol)?;
        out.push(Found { range, replacement });
    }
    Ok(out)
}

/// The new text with each elision marker replaced by the file lines its counterpart in the old
/// text stood for.
fn fill_elisions(
    hay: &Haystack,
    old_lines: &[String],
    new: &str,
    gaps: &[(usize, usize)],
    eol: crate::edit::text::Eol,
) -> Result<String, Miss> {
    let new_markers = new.lines().filter(|l| is_elision(l)).count();
    if new_markers == 0 {
        return Ok(with_eol(new, eol));
    }
    // What each old marker stands for: leading and trailing ones nothing, an inner run its gap
    // (only the first marker of a run of consecutive markers carries it).
    let mut old_meaning: Vec<Option<usize>> = Vec::new();
    let mut gap = 0;
    let mut seen_real = false;
    let mut prev_marker = false;
    for l in old_lines {
        if is_elision(l) {
            let inner = seen_real && gap < gaps.len();
            old_meaning.push(if inner && !prev_marker {
                Some(gap)
            } else {
                None
            });
            prev_marker = true;
        } else {
            if prev_marker && seen_real {
                gap += 1;
            }
            seen_real = true;
            prev_marker = false;
        }
    }
    let inner_only: Vec<usize> = old_meaning.iter().flatten().copied().collect();
    let meaning: Vec<Option<usize>> = if new_markers == old_meaning.len() {
        old_meaning.clone()
    } else if new_markers == inner_only.len() {
        inner_only.iter().map(|g| Some(*g)).collect()
    } else {
        return Err(Miss::Elision {
            old_markers: old_meaning.len(),
            new_markers,
        });
    };
    let starts = hay.line_starts();
    let mut out = String::new();
    let mut k = 0;
    for line in new.split_inclusive('\n') {
        if is_elision(line) {
            if let Some(Some(g)) = meaning.get(k)
                && let Some(&(a, b)) = gaps.get(*g)
            {
                out.push_str(&hay.text()[starts[a]..starts[b]]);
            }
            k += 1;
        } else {
            out.push_str(&with_eol(line, eol));
        }
    }
    Ok(out)
}
