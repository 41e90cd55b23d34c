//! Line diffs grouped into unified-diff hunks, shared by the preview, the `git apply` patch and
//! the "closest region" shown when old text is not found. Built on `similar` (Myers, with a
//! deadline so a pathological pair of files degrades to a coarser diff instead of hanging).
//!
//! Lines keep their terminators (`split_inclusive`), so a CRLF line and an LF line differ and a
//! missing final newline is visible to the renderers.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffOp, DiffTag};

use super::text::lines_inclusive;

/// How long one file's diff may take before `similar` settles for a coarser result.
const DEADLINE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Equal,
    Delete,
    Insert,
}

/// One hunk: 0-based starts, and its lines as (tag, index into old or new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub old_start: usize,
    pub old_len: usize,
    pub new_start: usize,
    pub new_len: usize,
    pub lines: Vec<(Tag, usize)>,
}

impl Hunk {
    /// The `@@ -a,b +c,d @@` header, numbered as `diff -u` does (a zero-length side names the
    /// line before it).
    pub fn header(&self) -> String {
        fn side(start: usize, len: usize) -> String {
            let first = if len == 0 { start } else { start + 1 };
            if len == 1 {
                format!("{first}")
            } else {
                format!("{first},{len}")
            }
        }
        format!(
            "@@ -{} +{} @@",
            side(self.old_start, self.old_len),
            side(self.new_start, self.new_len)
        )
    }
}

/// Splits text into lines that keep their terminators.
pub fn lines(text: &str) -> Vec<&str> {
    lines_inclusive(text).collect()
}

/// The operations turning the token sequence `old` into `new`, giving up on finesse after
/// `budget`. Every diff in hone (lines, words, characters) goes through here, on `&str` tokens:
/// `similar` monomorphises its algorithms for each element type and entry point it is called
/// with, and five call sites had grown 25 copies of Myers' `conquer` (0.6 MB of the binary).
pub fn ops(old: &[&str], new: &[&str], budget: Duration) -> Vec<DiffOp> {
    let deadline = Instant::now().checked_add(budget);
    similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, deadline)
}

/// `similar`'s ratio, 2·matches / (tokens in both), of two token sequences: 1 when equal.
pub fn ratio(old: &[&str], new: &[&str], budget: Duration) -> f32 {
    similar::diff_ratio(&ops(old, new, budget), old.len(), new.len())
}

/// A text's characters as tokens, for [`ratio`].
pub fn chars(text: &str) -> Vec<&str> {
    text.char_indices()
        .map(|(i, c)| &text[i..i + c.len_utf8()])
        .collect()
}

/// A text's words and the whitespace runs between them, as tokens.
pub fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut space = None;
    for (i, c) in text.char_indices() {
        let is_space = c.is_whitespace();
        if space.is_some_and(|s| s != is_space) {
            out.push(&text[start..i]);
            start = i;
        }
        space = Some(is_space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The hunks turning `old` into `new`, with `context` unchanged lines around each change.
pub fn hunks(old: &[&str], new: &[&str], context: usize) -> Vec<Hunk> {
    let ops = ops(old, new, DEADLINE);
    let mut out = Vec::new();
    for group in similar::group_diff_ops(ops, context) {
        let (Some(first), Some(last)) = (group.first(), group.last()) else {
            continue;
        };
        let old_start = first.old_range().start;
        let new_start = first.new_range().start;
        let old_len = last.old_range().end - old_start;
        let new_len = last.new_range().end - new_start;
        let mut lines = Vec::new();
        for op in &group {
            let (tag, o, n) = op.as_tag_tuple();
            match tag {
                DiffTag::Equal => lines.extend(o.map(|i| (Tag::Equal, i))),
                DiffTag::Delete => lines.extend(o.map(|i| (Tag::Delete, i))),
                DiffTag::Insert => lines.extend(n.map(|i| (Tag::Insert, i))),
                DiffTag::Replace => {
                    lines.extend(o.map(|i| (Tag::Delete, i)));
                    lines.extend(n.map(|i| (Tag::Insert, i)));
                }
            }
        }
        out.push(Hunk {
            old_start,
            old_len,
            new_start,
            new_len,
            lines,
        });
    }
    out
}

/// What `diff -u` writes after a file's missing final newline.
pub const NO_NEWLINE: &str = "\\ No newline at end of file";

/// The hunks of a unified diff of two texts, as `diff -u` writes them after the `---`/`+++`
/// lines: `@@` headers, then each line signed, a missing final newline marked.
pub fn write_unified(out: &mut String, old_text: &str, new_text: &str, context: usize) {
    let old = lines(old_text);
    let new = lines(new_text);
    for h in hunks(&old, &new, context) {
        out.push_str(&h.header());
        out.push('\n');
        for (tag, i) in &h.lines {
            let (sign, line) = match tag {
                Tag::Equal => (' ', old[*i]),
                Tag::Delete => ('-', old[*i]),
                Tag::Insert => ('+', new[*i]),
            };
            out.push(sign);
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push('\n');
                out.push_str(NO_NEWLINE);
                out.push('\n');
            }
        }
    }
}

/// Lines added and removed between two texts.
pub fn counts(old: &str, new: &str) -> (usize, usize) {
    let (o, n) = (lines(old), lines(new));
    let mut added = 0;
    let mut removed = 0;
    for h in hunks(&o, &n, 0) {
        for (tag, _) in h.lines {
            match tag {
                Tag::Insert => added += 1,
                Tag::Delete => removed += 1,
                Tag::Equal => {}
            }
        }
    }
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunk_headers_follow_diff_u() {
        let old = lines("a\nb\nc\n");
        let new = lines("a\nB\nc\n");
        let h = hunks(&old, &new, 1);
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].header(), "@@ -1,3 +1,3 @@");
        let h = hunks(&[], &lines("x\n"), 3);
        assert_eq!(h[0].header(), "@@ -0,0 +1 @@");
    }

    #[test]
    fn tokens_and_ratio() {
        assert_eq!(
            words("let  x = 1;\n"),
            ["let", "  ", "x", " ", "=", " ", "1;", "\n"]
        );
        assert_eq!(words(""), Vec::<&str>::new());
        assert_eq!(chars("aé"), ["a", "é"]);
        let budget = Duration::from_millis(100);
        assert_eq!(ratio(&chars("abcd"), &chars("abcd"), budget), 1.0);
        assert_eq!(ratio(&chars("abcd"), &chars("abxy"), budget), 0.5);
        assert_eq!(ratio(&[], &[], budget), 1.0);
    }

    #[test]
    fn unified_marks_a_missing_final_newline() {
        let mut out = String::new();
        write_unified(&mut out, "a\nb", "a\nc\n", 3);
        assert_eq!(
            out,
            "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n"
        );
    }

    #[test]
    fn counts_added_and_removed() {
        assert_eq!(counts("a\nb\n", "a\nc\nd\n"), (2, 1));
        assert_eq!(counts("same\n", "same\n"), (0, 0));
        // A changed line ending is a change.
        assert_eq!(counts("a\r\n", "a\n"), (1, 1));
    }
}
