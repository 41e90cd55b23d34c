//! What a plan looks like before it is applied, as data: per file a title (new, changed,
//! read-only, deleted, renamed), the `+N -M` counts and the lines of a unified diff, with the
//! changed words of paired lines marked when asked — and the whole batch as one git-style patch
//! that `git apply` accepts.
//!
//! No styling here: `ui::preview` turns a [`Preview`] into coloured or plain text. The preview
//! strips control characters from file text (a model could have written escape sequences); the
//! patch is exact.

use std::borrow::Cow;
use std::fmt::Write as _;

use similar::DiffTag;

use super::diff::{self, Hunk, Tag};
use super::plan::{ChangeKind, FileChange, Plan};

/// How to compute a preview.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PreviewOptions {
    /// Unchanged lines shown around each change.
    pub context: usize,
    /// Mark the changed words of paired lines (cosmetic: only worth it when they are coloured).
    pub words: bool,
}

impl Default for PreviewOptions {
    fn default() -> Self {
        PreviewOptions {
            context: 3,
            words: false,
        }
    }
}

/// A plan as a person is shown it before it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub files: Vec<FilePreview>,
}

/// One file of a [`Preview`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilePreview {
    pub title: Title,
    pub added: usize,
    pub removed: usize,
    /// The diff's lines (empty for a deletion).
    pub lines: Vec<Line>,
}

/// What happens to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Title {
    Created { path: String },
    Modified { path: String, read_only: bool },
    Deleted { path: String },
    Renamed { from: String, to: String },
}

/// One line of a file's preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// `@@ -a,b +c,d @@`
    Hunk(String),
    /// An unchanged line.
    Context(String),
    /// A removed line, in spans (several when changed words are marked).
    Removed(Vec<Span>),
    /// An added line, in spans.
    Added(Vec<Span>),
    /// The line before has no final newline.
    NoNewline,
    /// A rename or mode change that leaves the content as it was.
    Unchanged,
}

/// Part of a changed line; `changed` marks the words that differ from its pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub text: String,
    pub changed: bool,
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

    /// The preview of every file.
    pub fn preview(&self, opts: &PreviewOptions) -> Preview {
        Preview {
            files: self.files.iter().map(|f| file_preview(f, opts)).collect(),
        }
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

fn file_preview(f: &FileChange, opts: &PreviewOptions) -> FilePreview {
    let (added, removed) = f.stats();
    let title = match f.kind {
        ChangeKind::Create => Title::Created {
            path: f.path.clone(),
        },
        ChangeKind::Modify => Title::Modified {
            path: f.path.clone(),
            read_only: f.read_only(),
        },
        ChangeKind::Delete => Title::Deleted {
            path: f.path.clone(),
        },
        ChangeKind::Rename => Title::Renamed {
            from: f.from.clone().unwrap_or_default(),
            to: f.path.clone(),
        },
    };
    let mut lines = Vec::new();
    if f.kind != ChangeKind::Delete {
        let before = text(f.before());
        let after = text(f.after());
        if before == after {
            lines.push(Line::Unchanged);
        } else {
            let old = diff::lines(&before);
            let new = diff::lines(&after);
            for h in diff::hunks(&old, &new, opts.context) {
                hunk_lines(&mut lines, &h, &old, &new, opts.words);
            }
        }
    }
    FilePreview {
        title,
        added,
        removed,
        lines,
    }
}

fn display_line(line: &str) -> String {
    let content = line.strip_suffix('\n').unwrap_or(line);
    let content = content.strip_suffix('\r').unwrap_or(content);
    crate::sanitize::strip_controls(content)
}

fn whole(line: &str) -> Vec<Span> {
    vec![Span {
        text: display_line(line),
        changed: false,
    }]
}

fn hunk_lines(out: &mut Vec<Line>, h: &Hunk, old: &[&str], new: &[&str], words: bool) {
    out.push(Line::Hunk(h.header()));
    let mut i = 0;
    while i < h.lines.len() {
        let (tag, idx) = h.lines[i];
        if tag == Tag::Equal {
            let line = old[idx];
            out.push(Line::Context(display_line(line)));
            no_newline(out, line);
            i += 1;
            continue;
        }
        // A run of deletions then insertions: pair them up for word marking.
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
        let paired = words && !dels.is_empty() && dels.len() == ins.len();
        for (k, &d) in dels.iter().enumerate() {
            let line = old[d];
            let spans = match (paired, ins.get(k)) {
                (true, Some(&n)) => word_spans(line, new[n], Tag::Delete),
                _ => whole(line),
            };
            out.push(Line::Removed(spans));
            no_newline(out, line);
        }
        for (k, &n) in ins.iter().enumerate() {
            let line = new[n];
            let spans = match (paired, dels.get(k)) {
                (true, Some(&d)) => word_spans(old[d], line, Tag::Insert),
                _ => whole(line),
            };
            out.push(Line::Added(spans));
            no_newline(out, line);
        }
    }
}

fn no_newline(out: &mut Vec<Line>, line: &str) {
    if !line.ends_with('\n') {
        out.push(Line::NoNewline);
    }
}

/// One side of a changed line pair, in runs of changed and unchanged words; the whole line as
/// one unchanged run when the two sides have little in common.
fn word_spans(old: &str, new: &str, side: Tag) -> Vec<Span> {
    let (o, n) = (display_line(old), display_line(new));
    let (ow, nw) = (diff::words(&o), diff::words(&n));
    let ops = diff::ops(&ow, &nw, WORD_DIFF_BUDGET);
    if similar::diff_ratio(&ops, ow.len(), nw.len()) < 0.4 {
        let whole = if side == Tag::Delete { o } else { n };
        return vec![Span {
            text: whole,
            changed: false,
        }];
    }
    let mut runs: Vec<Span> = Vec::new();
    for op in &ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let (changed, tokens) = match (tag, side) {
            (DiffTag::Equal, _) => (false, &ow[old_range]),
            (DiffTag::Delete | DiffTag::Replace, Tag::Delete) => (true, &ow[old_range]),
            (DiffTag::Insert | DiffTag::Replace, Tag::Insert) => (true, &nw[new_range]),
            _ => continue,
        };
        for token in tokens {
            match runs.last_mut() {
                Some(run) if run.changed == changed => run.text.push_str(token),
                _ => runs.push(Span {
                    text: (*token).to_string(),
                    changed,
                }),
            }
        }
    }
    runs
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
