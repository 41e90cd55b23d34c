//! The edit engine: turns what a model proposed into an exact, previewable, reversible change of
//! files in the workspace. It owns parsing the edit formats, locating old text, previews,
//! atomic application, the undo journal and the workspace jail; it never talks to the model and
//! never touches the terminal (a [`Preview`] is data that `ui::preview` styles).
//!
//! The flow: [`parse_tool_call`] or [`parse_text`] → [`EditOp`]s → [`plan`] (jail, locate,
//! compute new bytes; nothing written) → [`Plan::preview`] / [`Plan::to_patch`] → approval by
//! the caller → [`apply`] (verify unchanged since the plan, journal, stage, rename) →
//! [`Journal::undo_entries`].
//!
//! Locating follows the cascade documented in `locate`: exact, then trailing whitespace, line
//! endings, indentation shift, collapsed whitespace, look-alike characters, `...` elisions, and
//! last a fuzzy match that applies only at a similarity of at least [`FUZZY_THRESHOLD`] (0.85,
//! `similar`'s character ratio of the whitespace-normalised lines) for old text of two or more
//! non-blank lines, and only when no second region also reaches it. Any rule that finds two or
//! more places reports them (count and line numbers) instead of applying.
//!
//! Invariants: every byte outside an edited region is kept (line endings, BOM, final newline,
//! permission bits included); binary and non-UTF-8 files are refused, never rewritten; a batch
//! applies completely or not at all; error texts ([`EditError`], [`ParseError`]) are written for
//! the model to act on and are sent to it verbatim.

pub(crate) mod diff;
mod error;
mod jail;
mod journal;
mod locate;
mod lock;
mod op;
mod parse;
mod plan;
mod preview;
mod text;
mod tree;
mod undo;
mod write;

pub use diff::NO_NEWLINE;
pub use error::{Closest, EditError, JailRule, OpLabel, ParseError};
pub use jail::{Resolved, Workspace};
pub use journal::{Journal, JournalEntry};
pub use locate::Rule;
pub use lock::is_temp_name;
pub use op::{EditOp, ReplaceMode};
pub use parse::{EditTool, TextFormat, parse_text, parse_tool_call};
pub use plan::{ChangeKind, FileChange, Plan, plan};
pub use preview::{FilePreview, Line, Preview, PreviewOptions, Span, Title};
pub use tree::{TreeDiffError, diff_trees};
pub use undo::{OnStale, Reverted, Selection, StaleEntry, StaleFile, UndoPreview, UndoReport, Why};
pub use write::{Applied, apply};

/// The similarity the fuzzy rule needs to apply an edit (see the module docs).
pub const FUZZY_THRESHOLD: f32 = locate::THRESHOLD;

/// A plan over a temporary workspace holding `files`, for the unit tests of the preview (here
/// and in `ui::preview`).
#[cfg(test)]
pub(crate) fn plan_in(files: &[(&str, &str)], ops: &[EditOp]) -> (tempfile::TempDir, Plan) {
    let dir = tempfile::tempdir().unwrap();
    for (path, body) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    let ws = Workspace::new(dir.path()).unwrap();
    let plan = plan(&ws, ops).unwrap();
    (dir, plan)
}
