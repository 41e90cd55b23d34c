//! `hone undo`: reverts the last batch of edits hone applied in this workspace, from any front
//! end (`hone apply`, `hone fix`, the REPL), byte for byte, from the journal in hone's state
//! directory. Refuses, restoring nothing, when a file changed after hone wrote it.
//!
//! stdout lists what was restored; the summary goes to stderr. Exit 0 when undone, 1 when there
//! was nothing to undo or it was refused.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use crate::cli::GlobalArgs;
use crate::edit::{EditError, Journal};
use crate::exit::{Exit, Failure};

/// Revert the last change hone applied in this workspace.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

/// Runs `hone undo`.
pub fn run(global: &GlobalArgs, _args: &Args) -> Result<Exit, Failure> {
    let ws = super::apply::workspace(global)?;
    let journal = Journal::open(&ws).map_err(|e| Failure::new(Exit::Failed, e))?;
    let report = match journal.undo(&ws) {
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
    for p in &report.restored {
        println!("restored {p}");
    }
    for p in &report.removed {
        println!("removed {p}");
    }
    eprintln!(
        "hone: undid the change applied {}; {} earlier change(s) can still be undone",
        ago(report.time),
        report.remaining
    );
    Ok(Exit::Success)
}

fn ago(time: u64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(time);
    describe(now.saturating_sub(time))
}

fn describe(secs: u64) -> String {
    match secs {
        0..=59 => "just now".to_string(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(describe(5), "just now");
        assert_eq!(describe(125), "2 min ago");
        assert_eq!(describe(7200), "2 h ago");
        assert_eq!(describe(3 * 86_400), "3 days ago");
    }
}
