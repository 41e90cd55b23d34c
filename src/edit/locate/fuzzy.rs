//! The last rule of the cascade, and the "closest region" shown when nothing matched.
//!
//! Compares the old text's non-blank lines with every window of as many consecutive non-blank
//! file lines. A cheap estimate ranks all windows (per line, a 256-bit set of hashed character
//! trigrams; a window's estimate is the summed intersection over the summed union), and only the
//! best few are scored exactly: `similar`'s character ratio (2·matches / total length) of the
//! whitespace-collapsed, look-alike-normalised, trimmed lines. The cost grows linearly with the
//! file's line count times the old text's line count.
//!
//! Invariant: a region is applied only when its score is at least [`THRESHOLD`], the old text
//! has at least [`MIN_LINES`] non-blank lines, and no other non-overlapping window also reaches
//! the threshold (that is reported as an ambiguity instead).

use std::ops::Range;
use std::time::Duration;

use super::lines::{reindent_plain, shift_for};
use super::normalize::{Level, normalize};
use super::{Found, Haystack};
use crate::edit::diff;
use crate::edit::error::Closest;
use crate::edit::text::{lines_inclusive, with_eol};

/// The similarity (0..=1, `similar`'s character ratio after normalisation) a region needs for
/// the fuzzy rule to apply an edit there.
pub const THRESHOLD: f32 = 0.85;

/// Old text with fewer non-blank lines is never applied fuzzily: one similar line is too weak
/// a signal to edit on.
pub const MIN_LINES: usize = 2;

/// Windows scored exactly, after the estimate.
const CANDIDATES: usize = 8;
/// The least similarity worth showing as "closest region".
const CLOSEST_MIN: f32 = 0.4;
/// Lines of diff shown in a not-found error.
const DIFF_LINES: usize = 30;

type Fp = [u64; 4];

/// Per non-blank line of a file: its line number, key (a range of the file's look-alike view)
/// and fingerprint.
#[derive(Debug)]
pub struct Index {
    lines: Vec<usize>,
    keys: Vec<Range<usize>>,
    fps: Vec<Fp>,
}

impl Index {
    pub fn build(hay: &Haystack) -> Index {
        let text = hay.view(Level::Unicode).text.as_str();
        let mut idx = Index {
            lines: Vec::new(),
            keys: Vec::new(),
            fps: Vec::new(),
        };
        let mut at = 0;
        for (i, line) in lines_inclusive(text).take(hay.line_count()).enumerate() {
            let start = at + (line.len() - line.trim_start().len());
            let key = line.trim();
            at += line.len();
            if !key.is_empty() {
                idx.lines.push(i);
                idx.fps.push(fingerprint(key));
                idx.keys.push(start..start + key.len());
            }
        }
        idx
    }

    /// Keys `from..to` joined by newlines.
    fn joined(&self, hay: &Haystack, from: usize, to: usize) -> String {
        let text = hay.view(Level::Unicode).text.as_str();
        let mut out = String::new();
        for (k, r) in self.keys[from..to].iter().enumerate() {
            if k > 0 {
                out.push('\n');
            }
            out.push_str(&text[r.clone()]);
        }
        out
    }
}

fn fingerprint(key: &str) -> Fp {
    let mut fp = [0u64; 4];
    let b = key.as_bytes();
    let mut set = |h: u32| {
        let bit = (h.wrapping_mul(0x9e37_79b1) >> 24) as usize;
        fp[bit >> 6] |= 1 << (bit & 63);
    };
    if b.len() < 3 {
        set(b
            .iter()
            .fold(7u32, |h, &c| h.wrapping_mul(31).wrapping_add(u32::from(c))));
    }
    // Each trigram as the 24-bit number `b0 << 16 | b1 << 8 | b2`, rolled along the line.
    let mut tri = 0u32;
    for (i, &c) in b.iter().enumerate() {
        tri = ((tri << 8) | u32::from(c)) & 0xff_ffff;
        if i >= 2 {
            set(tri);
        }
    }
    fp
}

fn overlap(a: &Fp, b: &Fp) -> (u32, u32) {
    let mut inter = 0;
    let mut union = 0;
    for i in 0..4 {
        inter += (a[i] & b[i]).count_ones();
        union += (a[i] | b[i]).count_ones();
    }
    (inter, union)
}

/// The old text prepared for comparison.
struct Needle {
    keys: Vec<String>,
    fps: Vec<Fp>,
    /// The first non-blank line as sent, for the indentation shift.
    first_raw: String,
    joined: String,
}

impl Needle {
    fn new(old: &str) -> Needle {
        let norm = normalize(old, Level::Unicode);
        let keys: Vec<String> = norm
            .split('\n')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(String::from)
            .collect();
        let fps = keys.iter().map(|k| fingerprint(k)).collect();
        let first_raw = old
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        let joined = keys.join("\n");
        Needle {
            keys,
            fps,
            first_raw,
            joined,
        }
    }
}

/// Windows (index into the non-blank lines) with their exact scores, best first, non-overlapping.
fn ranked(hay: &Haystack, idx: &Index, needle: &Needle) -> Vec<(usize, f32)> {
    let n = needle.keys.len();
    if n == 0 || idx.lines.len() < n {
        return Vec::new();
    }
    let windows = idx.lines.len() - n + 1;
    let mut est: Vec<(usize, f32)> = (0..windows)
        .map(|w| {
            let (mut i, mut u) = (0u32, 0u32);
            for (k, fp) in needle.fps.iter().enumerate() {
                let (a, b) = overlap(fp, &idx.fps[w + k]);
                i += a;
                u += b;
            }
            (w, if u == 0 { 1.0 } else { i as f32 / u as f32 })
        })
        .collect();
    let keep = (CANDIDATES * 8).min(est.len());
    if est.len() > keep {
        est.select_nth_unstable_by(keep - 1, |a, b| b.1.total_cmp(&a.1));
        est.truncate(keep);
    }
    est.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut picked: Vec<usize> = Vec::new();
    for (w, _) in est {
        if picked.iter().all(|&p| w + n <= p || p + n <= w) {
            picked.push(w);
            if picked.len() == CANDIDATES {
                break;
            }
        }
    }
    let mut scored: Vec<(usize, f32)> = picked
        .into_iter()
        .map(|w| {
            let window = idx.joined(hay, w, w + n);
            (w, ratio(&needle.joined, &window))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
}

fn ratio(a: &str, b: &str) -> f32 {
    diff::ratio(&diff::chars(a), &diff::chars(b), Duration::from_millis(100))
}

pub enum Outcome {
    None,
    One(Found, f32),
    Many(Vec<Found>),
}

pub fn find(hay: &Haystack, idx: &Index, old: &str, new: &str) -> Outcome {
    let needle = Needle::new(old);
    if needle.keys.len() < MIN_LINES {
        return Outcome::None;
    }
    let n = needle.keys.len();
    let passing: Vec<(usize, f32)> = ranked(hay, idx, &needle)
        .into_iter()
        .filter(|(_, s)| *s >= THRESHOLD)
        .collect();
    let region = |w: usize| {
        let first = idx.lines[w];
        let last = idx.lines[w + n - 1];
        let range = hay.line_range(first, last + 1, true);
        let shift = shift_for(hay.line(first), &needle.first_raw);
        let mut replacement = reindent_plain(new, &shift);
        if !replacement.is_empty() && !replacement.ends_with('\n') {
            replacement.push('\n');
        }
        let replacement = with_eol(&replacement, hay.eol_for(&range));
        Found { range, replacement }
    };
    match passing.as_slice() {
        [] => Outcome::None,
        [(w, s)] => Outcome::One(region(*w), *s),
        many => Outcome::Many(many.iter().map(|(w, _)| region(*w)).collect()),
    }
}

/// The region most like `old`, for a not-found error.
pub fn closest(hay: &Haystack, idx: &Index, old: &str) -> Option<Closest> {
    let needle = Needle::new(old);
    let n = needle.keys.len();
    if n == 0 || idx.lines.is_empty() {
        return None;
    }
    let (first, last, similarity) = if idx.lines.len() < n {
        let whole = idx.joined(hay, 0, idx.keys.len());
        (
            idx.lines[0],
            idx.lines[idx.lines.len() - 1],
            ratio(&needle.joined, &whole),
        )
    } else {
        let (w, s) = *ranked(hay, idx, &needle).first()?;
        (idx.lines[w], idx.lines[w + n - 1], s)
    };
    if similarity < CLOSEST_MIN {
        return None;
    }
    let sent: Vec<String> = old.lines().map(|l| format!("{}\n", l.trim_end())).collect();
    let sent = trim_blank_edges(sent);
    let file: Vec<String> = (first..=last)
        .map(|i| format!("{}\n", hay.line(i).trim_end()))
        .collect();
    Some(Closest {
        start_line: first + 1,
        end_line: last + 1,
        similarity,
        diff: short_diff(&sent, &file),
    })
}

fn trim_blank_edges(mut v: Vec<String>) -> Vec<String> {
    while v.last().is_some_and(|l| l.trim().is_empty()) {
        v.pop();
    }
    let lead = v.iter().take_while(|l| l.trim().is_empty()).count();
    v.drain(..lead);
    v
}

/// A compact diff: `-` the old text as sent, `+` the file, ` ` lines both share.
fn short_diff(sent: &[String], file: &[String]) -> String {
    let a: Vec<&str> = sent.iter().map(String::as_str).collect();
    let b: Vec<&str> = file.iter().map(String::as_str).collect();
    let mut out = Vec::new();
    for h in diff::hunks(&a, &b, 2) {
        for (tag, i) in h.lines {
            out.push(match tag {
                diff::Tag::Equal => format!(" {}", a[i]),
                diff::Tag::Delete => format!("-{}", a[i]),
                diff::Tag::Insert => format!("+{}", b[i]),
            });
        }
    }
    if out.is_empty() {
        // Equal after trimming: the difference is in whitespace or invisible characters.
        return "(the lines differ only in whitespace or invisible characters)\n".to_string();
    }
    let extra = out.len().saturating_sub(DIFF_LINES);
    out.truncate(DIFF_LINES);
    let mut s: String = out.concat();
    if extra > 0 {
        s.push_str(&format!("… ({extra} more diff lines)\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn rolled_trigrams_are_the_windows_of_three(key in "[a-c é(]{3,12}") {
            let b = key.as_bytes();
            let mut want = [0u64; 4];
            for w in b.windows(3) {
                let h = (u32::from(w[0]) << 16) | (u32::from(w[1]) << 8) | u32::from(w[2]);
                let bit = (h.wrapping_mul(0x9e37_79b1) >> 24) as usize;
                want[bit >> 6] |= 1 << (bit & 63);
            }
            prop_assert_eq!(fingerprint(&key), want);
        }
    }
}
