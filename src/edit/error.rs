//! The edit engine's errors. Their `Display` text is what a model reads when an edit fails (the
//! agent returns it verbatim as the tool result), so every message names the operation, the
//! file, what went wrong and what to send instead; the texts are `prompts/edit_texts.md`'s, by
//! key. No message may depend on terminal state.
//!
//! Invariant: an error returned by [`crate::edit::apply`] means no file in the workspace was
//! changed, except [`EditError::RollbackFailed`], which names the files left changed.

use std::fmt;
use std::path::PathBuf;

use super::locate::Rule;
use crate::prompts::{Text, text};

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
        let key = if *total <= 1 {
            Text::OpOne
        } else {
            Text::OpOfMany
        };
        let (index, total) = (index.to_string(), total.to_string());
        let vars = [
            ("action", *action),
            ("path", path.as_str()),
            ("index", index.as_str()),
            ("total", total.as_str()),
        ];
        f.write_str(&text(key, &vars))
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
        let t = match self {
            JailRule::Empty => text(Text::JailEmpty, &[]),
            JailRule::ParentEscape => text(Text::JailParent, &[]),
            JailRule::AbsoluteOutside => text(Text::JailAbsolute, &[]),
            JailRule::SymlinkOutside { link } => text(Text::JailSymlink, &[("link", link)]),
            JailRule::GitDir => text(Text::JailGit, &[]),
            JailRule::ControlCharacter => text(Text::JailControl, &[]),
        };
        f.write_str(&t)
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

    #[error("{}", text(Text::Refused, &[("path", path), ("rule", &rule.to_string())]))]
    Jail { path: String, rule: JailRule },

    #[error("{}", not_found_text(op, closest.as_ref(), *empty_file))]
    NotFound {
        op: OpLabel,
        closest: Option<Closest>,
        empty_file: bool,
    },

    #[error("{}", text(Text::Ambiguous, &[
        ("op", &op.to_string()),
        ("count", &count.to_string()),
        ("rule", &rule.to_string()),
        ("lines", &join_lines(lines)),
    ]))]
    Ambiguous {
        op: OpLabel,
        count: usize,
        lines: Vec<usize>,
        rule: Rule,
    },

    #[error("{}", text(Text::CountMismatch, &[
        ("op", &op.to_string()),
        ("expected", &expected.to_string()),
        ("found", &found.to_string()),
        ("where", &if lines.is_empty() { String::new() } else { format!(" (lines {})", join_lines(lines)) }),
    ]))]
    CountMismatch {
        op: OpLabel,
        expected: usize,
        found: usize,
        lines: Vec<usize>,
    },

    #[error("{}", text(Text::Overlap, &[
        ("op", &op.to_string()),
        ("start", &lines.0.to_string()),
        ("end", &lines.1.to_string()),
        ("other", &other.to_string()),
    ]))]
    Overlap {
        op: OpLabel,
        other: usize,
        lines: (usize, usize),
    },

    #[error("{}", text(Text::Elision, &[
        ("op", &op.to_string()),
        ("new", &new_markers.to_string()),
        ("old", &old_markers.to_string()),
    ]))]
    Elision {
        op: OpLabel,
        old_markers: usize,
        new_markers: usize,
    },

    #[error("{}", text(Text::MissingFile, &[("op", &op.to_string()), ("path", path)]))]
    MissingFile { op: OpLabel, path: String },

    #[error("{}", text(Text::AlreadyExists, &[("op", &op.to_string()), ("path", path)]))]
    AlreadyExists { op: OpLabel, path: String },

    #[error("{}", text(Text::EditBinary, &[("path", path)]))]
    Binary { path: String },

    #[error("{}", text(Text::NotUtf8, &[("path", path), ("offset", &offset.to_string())]))]
    NotUtf8 { path: String, offset: usize },

    #[error("{}", text(Text::NotAFile, &[("path", path)]))]
    NotAFile { path: String },

    #[error("could not {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },

    #[error("{}", text(Text::ChangedSincePreview, &[("path", path)]))]
    ChangedSincePreview { path: String },

    #[error("cannot find hone's state directory for the undo journal: set XDG_STATE_HOME or HOME")]
    NoStateDir,

    #[error("the undo journal entry {path} is unreadable: {message}")]
    Journal { path: String, message: String },

    #[error("{}", text(Text::Busy, &[
        ("pid", &pid.map(|p| format!(" (pid {p})")).unwrap_or_default()),
        ("secs", &waited.as_secs().to_string()),
    ]))]
    Busy {
        pid: Option<u32>,
        waited: std::time::Duration,
    },

    /// Writing failed midway and putting back the files already replaced failed too. Their
    /// journal batch is kept, so `hone undo` restores them. A message for the person: it names
    /// the next step rather than coming from `prompts/`.
    #[error("{}", rollback_failed_text(cause, left_changed, batch))]
    RollbackFailed {
        /// Why writing stopped.
        cause: Box<EditError>,
        /// Workspace paths that still hold the new bytes (or exist though they did not before).
        left_changed: Vec<String>,
        /// The journal batch holding their before-images.
        batch: PathBuf,
        /// Why the first of them could not be put back.
        source: std::io::Error,
    },

    #[error("nothing to undo in this workspace")]
    NothingToUndo,

    #[error(
        "cannot undo the last change: {} changed after hone wrote it, and undo would lose that work; \
         nothing was restored",
        files.join(", ")
    )]
    UndoConflict { files: Vec<String> },

    /// Undoing journal entries stopped at entries whose files changed since hone wrote them
    /// (or, skipping those, nothing was left to undo). Nothing was restored.
    #[error("{}", undo_stale_text(entries))]
    UndoStale {
        entries: Vec<super::undo::StaleEntry>,
    },

    #[error("there is no entry #{id} in the undo journal{}", newest.map(|n| format!(" (the newest is #{n})")).unwrap_or_default())]
    NoSuchEntry { id: u64, newest: Option<u64> },
}

fn undo_stale_text(entries: &[super::undo::StaleEntry]) -> String {
    let each: Vec<String> = entries.iter().map(ToString::to_string).collect();
    format!(
        "cannot undo {}, and undoing would lose that work; nothing was restored",
        each.join("; ")
    )
}

fn join_lines(lines: &[usize]) -> String {
    const SHOWN: usize = 10;
    let mut out: Vec<String> = lines.iter().take(SHOWN).map(|l| l.to_string()).collect();
    if lines.len() > SHOWN {
        out.push(format!("and {} more", lines.len() - SHOWN));
    }
    out.join(", ")
}

fn rollback_failed_text(
    cause: &EditError,
    left_changed: &[String],
    batch: &std::path::Path,
) -> String {
    let (verb, them) = match left_changed.len() {
        1 => ("is", "it"),
        _ => ("are", "them"),
    };
    format!(
        "{cause}; putting back the files already replaced failed too, so {} {verb} left changed: \
         run `hone undo` to restore {them} from the before-images in {}",
        left_changed.join(", "),
        batch.display()
    )
}

fn not_found_text(op: &OpLabel, closest: Option<&Closest>, empty_file: bool) -> String {
    let op_text = op.to_string();
    let vars = [("op", op_text.as_str()), ("path", op.path.as_str())];
    if empty_file {
        return text(Text::NotFoundEmpty, &vars);
    }
    match closest {
        Some(c) => {
            let (start, end) = (c.start_line.to_string(), c.end_line.to_string());
            let similar = format!("{:.0}", c.similarity * 100.0);
            let head = text(
                Text::NotFoundClosest,
                &[
                    vars[0],
                    vars[1],
                    ("start", &start),
                    ("end", &end),
                    ("similar", &similar),
                ],
            );
            format!("{head}\n{}{}", c.diff, text(Text::NotFoundRetry, &[]))
        }
        None => text(Text::NotFoundNothing, &vars),
    }
}

/// A model's edit text or tool arguments that could not be read as edits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The arguments of an edit tool call do not fit it (the tool layer names the tool).
    #[error("{message}")]
    Arguments { message: String },

    #[error("{format}, line {line}: {message}")]
    Syntax {
        format: &'static str,
        line: usize,
        message: String,
    },

    #[error("{}", text(Text::NoEdits, &[
        ("format", &match format { Some(f) => format!(" in {f} format"), None => String::new() }),
    ]))]
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
