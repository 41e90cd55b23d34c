//! How the undo journal reads to a person, in `hone undo` and the REPL alike: the entries
//! (`hone undo --list`, `/undo list`: when, which request, which files, and why one cannot be
//! undone), what an undo did, and what an undo would revert as a diff (`/diff`).
//!
//! Text only, no I/O and no decisions: what to undo is the journal's (`edit::undo`), when to
//! ask is the front end's. Requests and paths are foreign text and are escaped here.

use std::time::{Duration, UNIX_EPOCH};

use super::palette::{self, paint};
use crate::edit::{JournalEntry, StaleEntry, UndoPreview, UndoReport};

/// How much of a request a line shows.
const REQUEST_CHARS: usize = 50;
/// How many files a line names before "and N more".
const FILES_SHOWN: usize = 4;

/// When an entry was applied, as a person says it.
pub fn when(entry: &JournalEntry) -> String {
    super::ago(UNIX_EPOCH + Duration::from_secs(entry.time))
}

/// The request an entry answered, quoted and shortened, or a note that none was recorded.
pub fn request(entry: &JournalEntry) -> String {
    match &entry.request {
        Some(r) => quote(r),
        None => "(request not recorded)".to_string(),
    }
}

/// A request as a line shows it: its first line, escaped, shortened, in quotes.
pub fn quote(request: &str) -> String {
    let line = super::escape_controls(request.lines().next().unwrap_or(""));
    let mut short: String = line.chars().take(REQUEST_CHARS).collect();
    if line.chars().count() > REQUEST_CHARS {
        short.push('…');
    }
    format!("\"{short}\"")
}

/// Files named in a line: the first few, then how many more.
pub fn files(paths: &[String]) -> String {
    let mut shown: Vec<String> = paths
        .iter()
        .take(FILES_SHOWN)
        .map(|p| super::escape_controls(p))
        .collect();
    if paths.len() > FILES_SHOWN {
        shown.push(format!("and {} more", paths.len() - FILES_SHOWN));
    }
    shown.join(", ")
}

/// One entry on one line: `#12  2 min ago  "the request"  a.rs, b.rs`.
pub fn entry_line(entry: &JournalEntry) -> String {
    if let Some(why) = &entry.unreadable {
        return format!("#{}  (its record is unreadable: {why})", entry.id);
    }
    format!(
        "#{}  {}  {}  {}",
        entry.id,
        when(entry),
        request(entry),
        files(&entry.files)
    )
}

/// An entry named in a sentence: `#12 "the request"`.
pub fn entry_name(entry: &JournalEntry) -> String {
    format!("#{} {}", entry.id, request(entry))
}

/// The journal's entries, newest first, each stale one followed by why (`stale` from weighing
/// every entry, newest first). Empty when there are none.
pub fn list(entries: &[JournalEntry], stale: &[StaleEntry], color: bool) -> String {
    let mut out = String::new();
    for e in entries.iter().rev() {
        out.push_str(&entry_line(e));
        out.push('\n');
        if let Some(s) = stale.iter().find(|s| s.entry.id == e.id) {
            for why in stale_reasons(s) {
                let line = format!("    cannot be undone as is: {why}");
                out.push_str(&paint(palette::WARN, &line, color));
                out.push('\n');
            }
        }
    }
    out
}

/// Why an entry cannot be undone, one reason a line.
pub fn stale_reasons(s: &StaleEntry) -> Vec<String> {
    if let Some(why) = &s.entry.unreadable {
        return vec![format!("its record is unreadable ({why})")];
    }
    s.files
        .iter()
        .map(|f| super::escape_controls(&f.to_string()))
        .collect()
}

/// Lines explaining stale entries: the entry, then each file and what happened to it.
pub fn stale_lines(stale: &[StaleEntry]) -> Vec<String> {
    let mut out = Vec::new();
    for s in stale {
        out.push(format!(
            "{} ({}) cannot be undone as is:",
            entry_name(&s.entry),
            when(&s.entry)
        ));
        for why in stale_reasons(s) {
            out.push(format!("  {why}"));
        }
    }
    out
}

/// A stale entry an undo left as it is, on one line: `left #12 "…" as it is: a.rs was changed …`.
pub fn left_line(s: &StaleEntry) -> String {
    format!(
        "left {} as it is: {}",
        entry_name(&s.entry),
        stale_reasons(s).join("; ")
    )
}

/// The files an undo restored and removed, a line each (the product: stdout).
pub fn restored(report: &UndoReport) -> String {
    let mut out = String::new();
    for p in &report.restored {
        out.push_str(&format!("restored {}\n", super::escape_controls(p)));
    }
    for p in &report.removed {
        out.push_str(&format!("removed {}\n", super::escape_controls(p)));
    }
    out
}

/// What an undo did, in a sentence: which entries (the newest and the oldest of many), how many
/// edits, what is left.
pub fn summary(report: &UndoReport) -> String {
    let names: Vec<String> = match report.undone.as_slice() {
        [newest, .., oldest] if report.undone.len() > 3 => vec![format!(
            "{} changes, {} back to {}",
            report.undone.len(),
            entry_name(newest),
            entry_name(oldest)
        )],
        undone => undone.iter().map(entry_name).collect(),
    };
    let edits = match report.batches {
        1 => String::new(),
        n => format!(" ({n} edits)"),
    };
    let when = super::ago(UNIX_EPOCH + Duration::from_secs(report.time));
    format!(
        "undid {}{edits}, applied {when}; {} earlier change(s) can still be undone",
        names.join(", "),
        report.remaining
    )
}

/// What an undo would revert, as unified diffs from the content it brings back (`a/`) to the
/// content now (`b/`), headed by the entries it undoes; and where it would stop.
pub fn preview_diff(p: &UndoPreview, color: bool) -> String {
    let mut out = String::new();
    for s in &p.stale {
        for line in stale_lines(std::slice::from_ref(s)) {
            out.push_str(&paint(palette::WARN, &line, color));
            out.push('\n');
        }
    }
    if !p.entries.is_empty() {
        let names: Vec<String> = p.entries.iter().map(entry_name).collect();
        let head = format!("/undo would revert {}:", names.join(", "));
        out.push_str(&paint(palette::BOLD, &head, color));
        out.push('\n');
    }
    for f in &p.files {
        let a = if f.restored.is_some() {
            format!("a/{}", f.path)
        } else {
            "/dev/null".to_string()
        };
        let b = if f.now.is_some() {
            format!("b/{}", f.path)
        } else {
            "/dev/null".to_string()
        };
        let old = String::from_utf8_lossy(f.restored.as_deref().unwrap_or_default());
        let new = String::from_utf8_lossy(f.now.as_deref().unwrap_or_default());
        let mut diff = format!("--- {a}\n+++ {b}\n");
        crate::edit::diff::write_unified(&mut diff, &old, &new, 3);
        out.push_str(&colour_diff(&super::strip_controls(&diff), color));
    }
    out
}

/// Colours a unified diff line by line.
pub fn colour_diff(diff: &str, color: bool) -> String {
    if !color {
        return diff.to_string();
    }
    let mut out = String::with_capacity(diff.len() + 64);
    for line in diff.split_inclusive('\n') {
        let body = line.strip_suffix('\n').unwrap_or(line);
        let style = if body.starts_with("+++") || body.starts_with("---") {
            Some(palette::HEADER)
        } else if body.starts_with('+') {
            Some(palette::ADDED)
        } else if body.starts_with('-') {
            Some(palette::REMOVED)
        } else if body.starts_with("@@") {
            Some(palette::HUNK)
        } else {
            None
        };
        match style {
            Some(s) => out.push_str(&paint(s, body, true)),
            None => out.push_str(body),
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{Reverted, StaleFile, Why};

    fn entry(id: u64, request: Option<&str>, files: &[&str]) -> JournalEntry {
        JournalEntry {
            id,
            time: 0,
            request: request.map(str::to_string),
            run: None,
            files: files.iter().map(|f| f.to_string()).collect(),
            batches: 1,
            unreadable: None,
        }
    }

    #[test]
    fn the_list_is_newest_first_with_why_an_entry_is_stale() {
        let entries = [
            entry(1, Some("fix the typo"), &["a.py"]),
            entry(2, None, &["a", "b", "c", "d", "e", "f"]),
        ];
        let stale = [StaleEntry {
            entry: entries[0].clone(),
            files: vec![StaleFile {
                path: "a.py".into(),
                why: Why::Changed,
            }],
        }];
        let text = list(&entries, &stale, false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("#2  "), "{text}");
        assert!(
            lines[0].ends_with("(request not recorded)  a, b, c, d, and 2 more"),
            "{text}"
        );
        assert!(
            lines[1].starts_with("#1  ") && lines[1].ends_with("\"fix the typo\"  a.py"),
            "{text}"
        );
        assert_eq!(
            lines[2],
            "    cannot be undone as is: a.py was changed after hone wrote it (by you or another program)"
        );
    }

    #[test]
    fn a_summary_names_a_few_entries_or_the_ends_of_many() {
        let report = |n: u64| UndoReport {
            restored: Vec::new(),
            removed: Vec::new(),
            time: 0,
            remaining: 1,
            batches: n as usize,
            undone: (1..=n).rev().map(|i| entry(i, Some("r"), &[])).collect(),
            skipped: Vec::new(),
        };
        let two = summary(&report(2));
        assert!(
            two.starts_with("undid #2 \"r\", #1 \"r\" (2 edits), applied "),
            "{two}"
        );
        let many = summary(&report(5));
        assert!(
            many.starts_with("undid 5 changes, #5 \"r\" back to #1 \"r\" (5 edits)"),
            "{many}"
        );
        assert!(
            many.ends_with("1 earlier change(s) can still be undone"),
            "{many}"
        );
    }

    #[test]
    fn a_request_is_shortened_and_escaped() {
        let long = format!("\u{1b}[2J{}", "x".repeat(80));
        let r = request(&entry(1, Some(&long), &[]));
        assert!(r.starts_with("\"\\u{1b}[2J"), "{r}");
        assert!(r.ends_with("…\""), "{r}");
    }

    #[test]
    fn the_preview_diff_goes_from_what_undo_restores_to_now() {
        let p = UndoPreview {
            entries: vec![entry(3, Some("greet"), &["g.py", "new.py"])],
            files: vec![
                Reverted {
                    path: "g.py".into(),
                    now: Some(b"hello\n".to_vec()),
                    restored: Some(b"helo\n".to_vec()),
                },
                Reverted {
                    path: "new.py".into(),
                    now: Some(b"x\n".to_vec()),
                    restored: None,
                },
            ],
            stale: Vec::new(),
        };
        let d = preview_diff(&p, false);
        assert!(d.starts_with("/undo would revert #3 \"greet\":\n"), "{d}");
        assert!(
            d.contains("--- a/g.py\n+++ b/g.py\n@@ -1 +1 @@\n-helo\n+hello\n"),
            "{d}"
        );
        assert!(d.contains("--- /dev/null\n+++ b/new.py\n"), "{d}");
    }
}
