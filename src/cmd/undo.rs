//! `hone undo`: reverts the last change hone applied in this workspace (every edit made for one
//! request: a `hone fix`, a REPL turn, a lint-fix round, a `hone apply`), from any front end,
//! byte for byte, from the journal in hone's state directory. Refuses, restoring nothing, when a
//! file changed after hone wrote it.
//!
//! stdout lists what was restored; the summary goes to stderr. Exit 0 when undone, 1 when there
//! was nothing to undo or it was refused.

#![allow(clippy::print_stderr)]

use crate::cli::GlobalArgs;
use crate::edit::{EditError, Journal};
use crate::exit::{Exit, Failure};

/// Revert the last change hone applied in this workspace: every edit made for the last request
/// (a `hone fix`, a REPL turn, a lint-fix round, a `hone apply`). Run it again to go further back.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

/// Runs `hone undo`.
pub fn run(global: &GlobalArgs, _args: &Args) -> Result<Exit, Failure> {
    let ws = super::apply::workspace(global)?;
    let journal = Journal::open(&ws).map_err(|e| Failure::new(Exit::Failed, e))?;
    let report = match journal.undo_run(&ws) {
        Ok(r) => r,
        Err(e @ EditError::NothingToUndo) => {
            return Err(Failure::new(Exit::Failed, e)
                .hint("hone keeps a journal only of the changes it applied itself"));
        }
        Err(e @ EditError::UndoConflict { .. }) => {
            return Err(Failure::new(Exit::Failed, e).hint(
                "save or revert your later changes to those files, then run `hone undo` again",
            ));
        }
        Err(e) => return Err(Failure::new(Exit::Failed, e)),
    };
    let mut listed = String::new();
    for p in &report.restored {
        listed.push_str(&format!("restored {p}\n"));
    }
    for p in &report.removed {
        listed.push_str(&format!("removed {p}\n"));
    }
    super::common::print(&listed)?;
    let edits = match report.batches {
        1 => String::new(),
        n => format!(" ({n} edits)"),
    };
    eprintln!(
        "hone: undid the change applied {}{edits}; {} earlier change(s) can still be undone",
        crate::ui::ago(std::time::UNIX_EPOCH + std::time::Duration::from_secs(report.time)),
        report.remaining
    );
    Ok(Exit::Success)
}
