//! What a plan looks like before it is applied: a per-file unified diff with a `+N -M` summary
//! (new files shown whole, deletions and renames stated), optionally coloured with changed words
//! highlighted, and the whole batch as one git-style patch that `git apply` accepts.
//!
//! Pure rendering: colour comes only from [`PreviewOptions::color`] through
//! [`crate::ui::palette`], never from looking at a terminal. The preview strips control
//! characters from file text (a model could have written escape sequences); the patch is exact.

use std::borrow::Cow;
use std::fmt::Write as _;

use similar::DiffTag;

use super::diff::{self, Hunk, Tag};
use super::plan::{ChangeKind, FileChange, Plan};
use crate::ui::palette::{self, paint};

/// How to render a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewOptions {
    /// Unchanged lines shown around each change.
    pub context: usize,
    /// Colour and changed-word highlighting (only when the caller knows the reader is a
    /// terminal that wants it).
    pub color: bool,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        PreviewOptions {
            context: 3,
            color: false,
        }
    }
}

/// How long a changed line's word diff may take (it is cosmetic).
const WORD_DIFF_BUDGET: std::time::Duration = std::time::Duration::from_millis(50);
/// Lines of context in the `git apply` patch, as `git diff` writes.
const PATCH_CONTEXT: usize = 3;

/// A side of a change as text: borrowed when it is UTF-8 (as every file the engine edits is).
fn text(bytes: Option<&[u8]>) -> Cow<'_, str> {
    match bytes.map(std::str::from_utf8) {
        None => Cow::Borrowed(""),
        Some(Ok(s)) => Cow::Borrowed(s),
        Some(Err(_)) => bytes.map_or(Cow::Borrowed(""), String::from_utf8_lossy),
    }
}

impl FileChange {
    /// Lines added and removed in this file.
    pub fn stats(&self) -> (usize, usize) {
        *self
            .stats
            .get_or_init(|| diff::counts(&text(self.before()), &text(self.after())))
    }
}

impl Plan {
    /// Lines added and removed over the batch.
    pub fn stats(&self) -> (usize, usize) {
        self.files
            .iter()
            .map(FileChange::stats)
            .fold((0, 0), |(a, r), (x, y)| (a + x, r + y))
    }

    /// The human-readable preview of every file.
    pub fn preview(&self, opts: &PreviewOptions) -> String {
        let mut out = String::new();
        for f in &self.files {
            render_file(&mut out, f, opts);
        }
        out
    }

    /// The whole batch as one patch in `git diff` format, applicable with `git apply`.
    pub fn to_patch(&self) -> String {
        let mut out = String::new();
        for f in &self.files {
            patch_file(&mut out, f);
        }
        out
    }
}

fn summary(added: usize, removed: usize, color: bool) -> String {
    let mut parts = Vec::new();
    if added > 0 || removed == 0 {
        parts.push(paint(palette::ADDED, &format!("+{added}"), color));
    }
    if removed > 0 {
        parts.push(paint(palette::REMOVED, &format!("-{removed}"), color));
    }
    parts.join(" ")
}

fn render_file(out: &mut String, f: &FileChange, opts: &PreviewOptions) {
    let c = opts.color;
    let (added, removed) = f.stats();
    let head = match f.kind {
        ChangeKind::Create => format!("{} (new file)", f.path),
        ChangeKind::Modify if f.read_only() => format!("{} (read-only)", f.path),
        ChangeKind::Modify => f.path.clone(),
        ChangeKind::Delete => {
            let title = paint(
                palette::HEADER,
                &format!("{} (deleted, {removed} lines)", f.path),
                c,
            );
            let _ = writeln!(out, "{title}");
            return;
        }
        ChangeKind::Rename => format!("{} → {} (renamed)", f.from.as_deref().unwrap_or(""), f.path),
    };
    let _ = writeln!(
        out,
        "{}  {}",
        paint(palette::HEADER, &head, c),
        summary(added, removed, c)
    );
    let before = text(f.before());
    let after = text(f.after());
    if before == after {
        let _ = writeln!(out, "(content unchanged)");
        return;
    }
    let old = diff::lines(&before);
    let new = diff::lines(&after);
    for h in diff::hunks(&old, &new, opts.context) {
        render_hunk(out, &h, &old, &new, c);
    }
}

fn display_line(line: &str) -> String {
    let content = line.strip_suffix('\n').unwrap_or(line);
    let content = content.strip_suffix('\r').unwrap_or(content);
    crate::sanitize::strip_controls(content)
}

fn render_hunk(out: &mut String, h: &Hunk, old: &[&str], new: &[&str], color: bool) {
    let _ = writeln!(out, "{}", paint(palette::HUNK, &h.header(), color));
    let mut i = 0;
    while i < h.lines.len() {
        let (tag, idx) = h.lines[i];
        if tag == Tag::Equal {
            let line = old[idx];
            let _ = writeln!(out, " {}", display_line(line));
            no_newline(out, line, color);
            i += 1;
            continue;
        }
        // A run of deletions then insertions: pair them up for word highlighting.
        let dels: Vec<usize> = h.lines[i..]
            .iter()
            .take_while(|(t, _)| *t == Tag::Delete)
            .map(|(_, x)| *x)
            .collect();
        i += dels.len();
        let ins: Vec<usize> = h.lines[i..]
            .iter()
            .take_while(|(t, _)| *t == Tag::Insert)
            .map(|(_, x)| *x)
            .collect();
        i += ins.len();
        let paired = color && !dels.is_empty() && dels.len() == ins.len();
        for (k, &d) in dels.iter().enumerate() {
            let line = old[d];
            let body = match (paired, ins.get(k)) {
                (true, Some(&n)) => words(line, new[n], Tag::Delete),
                _ => paint(palette::REMOVED, &format!("-{}", display_line(line)), color),
            };
            let _ = writeln!(out, "{body}");
            no_newline(out, line, color);
        }
        for (k, &n) in ins.iter().enumerate() {
            let line = new[n];
            let body = match (paired, dels.get(k)) {
                (true, Some(&d)) => words(old[d], line, Tag::Insert),
                _ => paint(palette::ADDED, &format!("+{}", display_line(line)), color),
            };
            let _ = writeln!(out, "{body}");
            no_newline(out, line, color);
        }
    }
}

fn no_newline(out: &mut String, line: &str, color: bool) {
    if !line.ends_with('\n') {
        let _ = writeln!(out, "{}", paint(palette::DIM, diff::NO_NEWLINE, color));
    }
}

/// One side of a changed line pair with the changed words emphasised.
fn words(old: &str, new: &str, side: Tag) -> String {
    let (o, n) = (display_line(old), display_line(new));
    let (ow, nw) = (diff::words(&o), diff::words(&n));
    let ops = diff::ops(&ow, &nw, WORD_DIFF_BUDGET);
    let (line_style, word_style, sign) = match side {
        Tag::Delete => (palette::REMOVED, palette::REMOVED_WORD, "-"),
        _ => (palette::ADDED, palette::ADDED_WORD, "+"),
    };
    if similar::diff_ratio(&ops, ow.len(), nw.len()) < 0.4 {
        let whole = if side == Tag::Delete { &o } else { &n };
        return paint(line_style, &format!("{sign}{whole}"), true);
    }
    // This side's words, each marked changed or not; runs of one style are painted once, so the
    // escape codes stay few.
    let mut runs: Vec<(bool, String)> = vec![(false, sign.to_string())];
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let (emphasised, tokens) = match (tag, side) {
            (DiffTag::Equal, _) => (false, &ow[old_range]),
            (DiffTag::Delete | DiffTag::Replace, Tag::Delete) => (true, &ow[old_range]),
            (DiffTag::Insert | DiffTag::Replace, Tag::Insert) => (true, &nw[new_range]),
            _ => continue,
        };
        for token in tokens {
            match runs.last_mut() {
                Some((e, text)) if *e == emphasised => text.push_str(token),
                _ => runs.push((emphasised, (*token).to_string())),
            }
        }
    }
    runs.iter()
        .map(|(e, text)| paint(if *e { word_style } else { line_style }, text, true))
        .collect()
}

/// A path as git writes it in a patch header: C-quoted when it holds special bytes.
fn git_path(prefix: &str, path: &str) -> String {
    let full = format!("{prefix}{path}");
    let special = full
        .bytes()
        .any(|b| b == b'"' || b == b'\\' || !(0x20..0x7f).contains(&b));
    if !special {
        return full;
    }
    let mut q = String::from("\"");
    for b in full.bytes() {
        match b {
            b'"' => q.push_str("\\\""),
            b'\\' => q.push_str("\\\\"),
            b'\t' => q.push_str("\\t"),
            b'\n' => q.push_str("\\n"),
            0x20..=0x7e => q.push(char::from(b)),
            _ => {
                let _ = write!(q, "\\{b:03o}");
            }
        }
    }
    q.push('"');
    q
}

/// A `---`/`+++` name: git ends one containing a space with a tab, so the name's end is clear.
fn file_line(marker: &str, name: &str) -> String {
    let tab = if name.contains(' ') && !name.starts_with('"') {
        "\t"
    } else {
        ""
    };
    format!("{marker} {name}{tab}\n")
}

fn git_mode(mode: Option<u32>) -> &'static str {
    match mode {
        Some(m) if m & 0o111 != 0 => "100755",
        _ => "100644",
    }
}

fn patch_file(out: &mut String, f: &FileChange) {
    let src = f.from.as_deref().unwrap_or(&f.path);
    let a = git_path("a/", src);
    let b = git_path("b/", &f.path);
    let _ = writeln!(out, "diff --git {a} {b}");
    let (minus, plus) = match f.kind {
        ChangeKind::Create => {
            let _ = writeln!(out, "new file mode {}", git_mode(f.mode));
            ("/dev/null".to_string(), b.clone())
        }
        ChangeKind::Delete => {
            let _ = writeln!(out, "deleted file mode {}", git_mode(f.mode));
            (a.clone(), "/dev/null".to_string())
        }
        ChangeKind::Rename => {
            let _ = writeln!(out, "rename from {}", git_path("", src));
            let _ = writeln!(out, "rename to {}", git_path("", &f.path));
            (a.clone(), b.clone())
        }
        ChangeKind::Modify => (a.clone(), b.clone()),
    };
    let before = text(f.before());
    let after = text(f.after());
    if before == after {
        return;
    }
    out.push_str(&file_line("---", &minus));
    out.push_str(&file_line("+++", &plus));
    diff::write_unified(out, &before, &after, PATCH_CONTEXT);
}

#[cfg(test)]
mod tests;
