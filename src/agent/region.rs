//! What the model is shown after an applied edit: each changed region of the new file with its
//! line numbers (as `read_file` numbers them) and two lines of context, so it need not read the
//! file again to know where its next edit lands.
//!
//! Short on purpose: the text stays in the conversation and is paid for on every later request,
//! so a file's regions are capped at [`MAX_LINES`] lines (beyond, one line says how many changed)
//! and a created, deleted or renamed file gets one line. Pure: works on the applied [`Plan`] and
//! the texts of `prompts/tool_texts.md`; must not read files.

use crate::edit::diff::{self, Tag};
use crate::edit::{ChangeKind, FileChange, Plan};
use crate::prompts::{Text, text};

/// Unchanged lines shown around each change.
const CONTEXT: usize = 2;
/// The most lines shown for one file; a larger change is only counted.
pub const MAX_LINES: usize = 40;
/// The longest line shown whole.
const LINE_CAP: usize = 200;

/// The regions every file of `plan` changed, one block per file, ready to follow the
/// "applied" line.
pub fn describe(plan: &Plan) -> String {
    plan.files()
        .iter()
        .map(file_block)
        .collect::<Vec<_>>()
        .join("\n")
}

fn file_block(f: &FileChange) -> String {
    let path = f.path();
    let after = f.after().map(String::from_utf8_lossy);
    match f.kind() {
        ChangeKind::Delete => return text(Text::RegionDeleted, &[("path", path)]),
        ChangeKind::Create => {
            let lines = after.as_deref().map_or(0, |a| diff::lines(a).len());
            return text(
                Text::RegionCreated,
                &[("path", path), ("lines", &lines.to_string())],
            );
        }
        ChangeKind::Rename | ChangeKind::Modify => {}
    }
    let renamed = match (f.kind(), f.from()) {
        (ChangeKind::Rename, Some(from)) => {
            Some(text(Text::RegionRenamed, &[("path", path), ("from", from)]))
        }
        _ => None,
    };
    let before = f.before().map(String::from_utf8_lossy).unwrap_or_default();
    let after = after.unwrap_or_default();
    let regions = regions(path, &before, &after);
    match (renamed, regions) {
        (Some(r), Some(body)) => format!("{r}\n{body}"),
        (Some(r), None) => r,
        (None, Some(body)) => body,
        (None, None) => String::new(),
    }
}

/// `path:` and the numbered regions of `after` that differ from `before`, `None` when none do.
fn regions(path: &str, before: &str, after: &str) -> Option<String> {
    let old = diff::lines(before);
    let new = diff::lines(after);
    let hunks = diff::hunks(&old, &new, CONTEXT);
    if hunks.is_empty() {
        return None;
    }
    let mut shown: Vec<Vec<usize>> = Vec::new();
    let mut changed = 0;
    for h in &hunks {
        let mut n = h.new_start;
        let mut rows = Vec::new();
        for (tag, _) in &h.lines {
            match tag {
                Tag::Delete => changed += 1,
                Tag::Insert | Tag::Equal => {
                    changed += usize::from(*tag == Tag::Insert);
                    rows.push(n);
                    n += 1;
                }
            }
        }
        shown.push(rows);
    }
    let total: usize = shown.iter().map(Vec::len).sum();
    if total > MAX_LINES {
        return Some(text(
            Text::RegionLong,
            &[("path", path), ("lines", &changed.to_string())],
        ));
    }
    let mut out = text(Text::RegionFile, &[("path", path)]);
    for (i, rows) in shown.iter().enumerate() {
        if i > 0 {
            out.push_str("\n…");
        }
        for &n in rows {
            out.push('\n');
            out.push_str(&numbered(n, new[n]));
        }
    }
    Some(out)
}

/// One line as `read_file` shows it: its 1-based number, a tab, the text (cut when very long).
fn numbered(index: usize, line: &str) -> String {
    let line = line.trim_end_matches(['\n', '\r']);
    let num = index + 1;
    match line.char_indices().nth(LINE_CAP) {
        Some((cut, _)) => format!(
            "{num}\t{}{}",
            &line[..cut],
            text(Text::LineCut, &[("limit", &LINE_CAP.to_string())])
        ),
        None => format!("{num}\t{line}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{EditOp, plan_in};

    fn replace(path: &str, old: &str, new: &str) -> EditOp {
        EditOp::replace(path, old, new)
    }

    fn numbered_file(n: usize) -> String {
        (1..=n).map(|i| format!("line {i}\n")).collect()
    }

    #[test]
    fn one_change_shows_its_line_and_two_around_it() {
        let (_d, plan) = plan_in(
            &[("a.txt", &numbered_file(10))],
            &[replace("a.txt", "line 5\n", "five\n")],
        );
        assert_eq!(
            describe(&plan),
            "a.txt:\n3\tline 3\n4\tline 4\n5\tfive\n6\tline 6\n7\tline 7"
        );
    }

    #[test]
    fn separate_changes_are_separate_regions_numbered_in_the_new_file() {
        let (_d, plan) = plan_in(
            &[("a.txt", &numbered_file(20))],
            &[
                replace("a.txt", "line 2\n", "two\nand a half\n"),
                replace("a.txt", "line 15\n", ""),
            ],
        );
        assert_eq!(
            describe(&plan),
            "a.txt:\n1\tline 1\n2\ttwo\n3\tand a half\n4\tline 3\n5\tline 4\n…\n\
             14\tline 13\n15\tline 14\n16\tline 16\n17\tline 17"
        );
    }

    #[test]
    fn a_large_change_is_counted_not_shown() {
        let big: String = (0..50).map(|i| format!("new {i}\n")).collect();
        let (_d, plan) = plan_in(
            &[("a.txt", &numbered_file(10))],
            &[replace("a.txt", "line 5\n", &big)],
        );
        let t = describe(&plan);
        assert!(t.starts_with("a.txt: 51 lines changed"), "{t}");
        assert!(!t.contains("new 1"), "{t}");
    }

    #[test]
    fn created_deleted_and_renamed_files_take_one_line() {
        let (_d, plan) = plan_in(
            &[("old.txt", "x\n"), ("gone.txt", "y\n")],
            &[
                EditOp::Create {
                    path: "new.txt".into(),
                    content: "1\n2\n".into(),
                },
                EditOp::Delete {
                    path: "gone.txt".into(),
                },
                EditOp::Rename {
                    from: "old.txt".into(),
                    to: "moved.txt".into(),
                },
            ],
        );
        let t = describe(&plan);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3, "{t}");
        assert!(t.contains("new.txt: created, 2 lines"), "{t}");
        assert!(t.contains("gone.txt: deleted"), "{t}");
        assert!(t.contains("moved.txt: renamed from old.txt"), "{t}");
    }
}
