//! The edit engine's errors. Their `Display` text is what a model reads when an edit fails (the
//! agent returns it verbatim as the tool result), so every message names the operation, the
//! file, what went wrong and what to send instead. No message may depend on terminal state.
//!
//! Invariant: an error returned before [`crate::edit::apply`] finished renaming means no file in
//! the workspace was changed.

use std::fmt;
use std::path::PathBuf;

use super::locate::Rule;

/// Which operation of a batch an error is about, as "edit 2 of 5 (replace in src/a.rs)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpLabel {
    /// 1-based position in the batch.
    pub index: usize,
    pub total: usize,
    /// "replace in", "create", "overwrite", "delete", "rename".
    pub action: &'static str,
    pub path: String,
}

impl fmt::Display for OpLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let OpLabel {
            index,
            total,
            action,
            path,
        } = self;
        if *total <= 1 {
            write!(f, "{action} {path}")
        } else {
            write!(f, "edit {index} of {total} ({action} {path})")
        }
    }
}

/// The rule of the workspace jail a path broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JailRule {
    Empty,
    ParentEscape,
    AbsoluteOutside,
    SymlinkOutside { link: String },
    GitDir,
    ControlCharacter,
}

impl fmt::Display for JailRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JailRule::Empty => write!(f, "the path is empty"),
            JailRule::ParentEscape => write!(f, "`..` would lead outside the workspace"),
            JailRule::AbsoluteOutside => {
                write!(
                    f,
                    "absolute paths outside the workspace are not allowed; use a path relative to the workspace root"
                )
            }
            JailRule::SymlinkOutside { link } => {
                write!(
                    f,
                    "`{link}` is a symbolic link that leads outside the workspace"
                )
            }
            JailRule::GitDir => write!(f, "files inside `.git/` are never edited"),
            JailRule::ControlCharacter => write!(
                f,
                "a path may not hold control characters (escape sequences, carriage returns, tabs)"
            ),
        }
    }
}

/// The region that came closest to old text that was not found.
#[derive(Debug, Clone, PartialEq)]
pub struct Closest {
    /// 1-based, inclusive.
    pub start_line: usize,
    pub end_line: usize,
    /// 0..=1, the `similar` character ratio after whitespace normalisation.
    pub similarity: f32,
    /// A short unified diff: `-` lines are the old text as sent, `+` lines the file.
    pub diff: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("cannot use {} as the workspace: {source}", path.display())]
    WorkspaceRoot {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("refused path `{path}`: {rule}")]
    Jail { path: String, rule: JailRule },

    #[error("{}", not_found_text(op, closest.as_ref(), *empty_file))]
    NotFound {
        op: OpLabel,
        closest: Option<Closest>,
        empty_file: bool,
    },

    #[error(
        "{op}: the old text matches {count} places ({rule}) at lines {}; nothing was changed. \
         Include more surrounding lines so it matches exactly one place",
        join_lines(lines)
    )]
    Ambiguous {
        op: OpLabel,
        count: usize,
        lines: Vec<usize>,
        rule: Rule,
    },

    #[error(
        "{op}: expected {expected} occurrence(s) of the old text but found {found}{}; nothing was changed",
        if lines.is_empty() { String::new() } else { format!(" (lines {})", join_lines(lines)) }
    )]
    CountMismatch {
        op: OpLabel,
        expected: usize,
        found: usize,
        lines: Vec<usize>,
    },

    #[error(
        "{op}: its old text (lines {}-{}) overlaps the region changed by edit {other} of this batch; \
         merge the two edits into one",
        lines.0, lines.1
    )]
    Overlap {
        op: OpLabel,
        other: usize,
        lines: (usize, usize),
    },

    #[error(
        "{op}: the new text has {new_markers} elision marker(s) (`...`) but the old text has {old_markers}; \
         write the replacement in full or use the same markers in both"
    )]
    Elision {
        op: OpLabel,
        old_markers: usize,
        new_markers: usize,
    },

    #[error(
        "{op}: {path} does not exist; create it first (a SEARCH/REPLACE block with an empty SEARCH, `*** Add File:`, or the write_file tool)"
    )]
    MissingFile { op: OpLabel, path: String },

    #[error(
        "{op}: {path} already exists and is not empty; edit it with old/new text or overwrite it with write_file"
    )]
    AlreadyExists { op: OpLabel, path: String },

    #[error("{path} is a binary file; hone edits only UTF-8 text and leaves it untouched")]
    Binary { path: String },

    #[error(
        "{path} is not valid UTF-8 (first bad byte at offset {offset}); hone edits only UTF-8 text and leaves it untouched"
    )]
    NotUtf8 { path: String, offset: usize },

    #[error("{path} is not a regular file")]
    NotAFile { path: String },

    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },

    #[error(
        "{path} changed on disk after the preview; nothing was written. Read it again and propose the edit anew"
    )]
    ChangedSincePreview { path: String },

    #[error("cannot find hone's state directory for the undo journal: set XDG_STATE_HOME or HOME")]
    NoStateDir,

    #[error("the undo journal entry {path} is unreadable: {message}")]
    Journal { path: String, message: String },

    #[error(
        "another hone process{} has been writing to this workspace for {}s; nothing was written. \
         Try again when it has finished",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
        waited.as_secs()
    )]
    Busy {
        pid: Option<u32>,
        waited: std::time::Duration,
    },

    #[error("nothing to undo in this workspace")]
    NothingToUndo,

    #[error(
        "cannot undo the last change: {} changed after hone wrote it, and undo would lose that work; \
         nothing was restored",
        files.join(", ")
    )]
    UndoConflict { files: Vec<String> },
}

fn join_lines(lines: &[usize]) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = lines.iter().take(SHOWN).map(|l| l.to_string()).collect();
    if lines.len() > SHOWN {
        out.push(format!("and {} more", lines.len() - SHOWN));
    }
    out.join(", ")
}

fn not_found_text(op: &OpLabel, closest: Option<&Closest>, empty_file: bool) -> String {
    let path = &op.path;
    if empty_file {
        return format!(
            "{op}: the old text was not found: {path} is empty. To add text to it, send an empty old text"
        );
    }
    match closest {
        Some(c) => format!(
            "{op}: the old text was not found in {path}. The closest region is lines {}-{} ({:.0}% similar); \
             it differs from your old text like this (- your old text, + the file):\n{}\
             Copy the old text exactly from the file (read it again if unsure) and try again",
            c.start_line,
            c.end_line,
            c.similarity * 100.0,
            c.diff
        ),
        None => format!(
            "{op}: the old text was not found in {path}, and no region of the file resembles it. \
             Read the file again and copy the old text exactly"
        ),
    }
}

/// A model's edit text or tool arguments that could not be read as edits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown edit tool `{name}`; the edit tools are edit_file, write_file and apply_patch")]
    UnknownTool { name: String },

    #[error("{tool}: {message}")]
    Arguments { tool: String, message: String },

    #[error("{format}, line {line}: {message}")]
    Syntax {
        format: &'static str,
        line: usize,
        message: String,
    },

    #[error(
        "no edits found{}: expected SEARCH/REPLACE blocks, a unified diff (--- a/x, +++ b/x, @@), \
         a `*** Begin Patch` envelope, or a whole file in a fence under its path",
        match format { Some(f) => format!(" in {f} format"), None => String::new() }
    )]
    NoEdits { format: Option<&'static str> },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(total: usize) -> OpLabel {
        OpLabel {
            index: 2,
            total,
            action: "replace in",
            path: "src/a.rs".into(),
        }
    }

    #[test]
    fn op_label_reads_naturally() {
        assert_eq!(label(1).to_string(), "replace in src/a.rs");
        assert_eq!(label(5).to_string(), "edit 2 of 5 (replace in src/a.rs)");
    }

    #[test]
    fn ambiguous_names_count_and_lines() {
        let e = EditError::Ambiguous {
            op: label(1),
            count: 2,
            lines: vec![3, 9],
            rule: Rule::Exact,
        };
        let s = e.to_string();
        assert!(
            s.contains("matches 2 places (exact match) at lines 3, 9"),
            "{s}"
        );
        assert!(s.ends_with("so it matches exactly one place"), "{s}");
    }

    #[test]
    fn not_found_shows_closest_region() {
        let e = EditError::NotFound {
            op: label(1),
            closest: Some(Closest {
                start_line: 4,
                end_line: 6,
                similarity: 0.8,
                diff: "-a\n+b\n".into(),
            }),
            empty_file: false,
        };
        let s = e.to_string();
        assert!(s.contains("not found in src/a.rs"), "{s}");
        assert!(s.contains("lines 4-6 (80% similar)"), "{s}");
        assert!(s.contains("-a\n+b\n"), "{s}");
    }

    #[test]
    fn jail_message_names_rule() {
        let e = EditError::Jail {
            path: "../x".into(),
            rule: JailRule::ParentEscape,
        };
        assert_eq!(
            e.to_string(),
            "refused path `../x`: `..` would lead outside the workspace"
        );
    }

    #[test]
    fn many_lines_are_capped() {
        let lines: Vec<usize> = (1..=14).collect();
        assert_eq!(
            join_lines(&lines),
            "1, 2, 3, 4, 5, 6, 7, 8, 9, 10, and 4 more"
        );
    }
}
