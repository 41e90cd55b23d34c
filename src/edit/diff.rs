//! Line diffs grouped into unified-diff hunks, shared by the preview, the `git apply` patch and
//! the "closest region" shown when old text is not found. Built on `similar` (Myers, with a
//! deadline so a pathological pair of files degrades to a coarser diff instead of hanging).
//!
//! Lines keep their terminators (`split_inclusive`), so a CRLF line and an LF line differ and a
//! missing final newline is visible to the renderers.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag};

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

/// The hunks turning `old` into `new`, with `context` unchanged lines around each change.
pub fn hunks(old: &[&str], new: &[&str], context: usize) -> Vec<Hunk> {
    let deadline = Instant::now().checked_add(DEADLINE);
    let ops = similar::capture_diff_slices_deadline(Algorithm::Myers, old, new, deadline);
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
    fn counts_added_and_removed() {
        assert_eq!(counts("a\nb\n", "a\nc\nd\n"), (2, 1));
        assert_eq!(counts("same\n", "same\n"), (0, 0));
        // A changed line ending is a change.
        assert_eq!(counts("a\r\n", "a\n"), (1, 1));
    }
}
