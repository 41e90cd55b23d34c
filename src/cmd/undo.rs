//! `hone undo`: reverts changes hone applied in this workspace (every edit made for one request:
//! a `hone fix`, a REPL turn, a lint-fix round, a `hone apply`), from any front end and any hone
//! process, byte for byte, from the journal in hone's state directory. `--list` shows the
//! entries; `--to N` reverts entry #N and everything after it; an entry whose files changed
//! after hone wrote them is explained and, with `--skip-stale`, left as it is while the rest are
//! undone. Without it such an entry refuses the undo, restoring nothing.
//!
//! stdout lists what was restored (or the entries); the summary goes to stderr. Exit 0 when
//! undone or listed, 1 when there was nothing to undo or it was refused.

#![allow(clippy::print_stderr)]

use crate::cli::GlobalArgs;
use crate::edit::{EditError, Journal, OnStale, Selection, Workspace};
use crate::exit::{Exit, Failure};
use crate::ui::journal as show;

/// Revert changes hone applied in this workspace. Without options: the last change (every edit
/// made for the last request: a `hone fix`, a REPL turn, a lint-fix round, a `hone apply`); run
/// it again to go further back.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// List what can be undone, newest first: each entry's number, when it was applied, the
    /// request it answered and the files it changed, and why an entry cannot be undone.
    #[arg(long, conflicts_with_all = ["to", "skip_stale"])]
    pub list: bool,

    /// Undo entry #N (a number from `--list`) and every entry after it.
    #[arg(long, value_name = "N", value_parser = entry_number)]
    pub to: Option<u64>,

    /// Leave entries whose files changed after hone wrote them as they are (and in the
    /// journal), and undo the rest.
    #[arg(long)]
    pub skip_stale: bool,
}

/// `12` or `#12`.
fn entry_number(s: &str) -> Result<u64, String> {
    s.trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| format!("`{s}` is not an entry number (see `hone undo --list`)"))
}

/// Runs `hone undo`.
pub fn run(global: &GlobalArgs, args: &Args) -> Result<Exit, Failure> {
    let ws = super::apply::workspace(global)?;
    let journal = Journal::open(&ws).map_err(|e| Failure::new(Exit::Failed, e))?;
    if args.list {
        return list(global, &ws, &journal);
    }
    let selection = match args.to {
        Some(id) => Selection::From(id),
        None => Selection::Last,
    };
    let on_stale = if args.skip_stale {
        OnStale::Skip
    } else {
        OnStale::Refuse
    };
    let report = match journal.undo_entries(&ws, selection, on_stale) {
        Ok(r) => r,
        Err(e @ EditError::NothingToUndo) => {
            return Err(Failure::new(Exit::Failed, e)
                .hint("hone keeps a journal only of the changes it applied itself"));
        }
        Err(e @ EditError::UndoStale { .. }) if args.skip_stale => {
            return Err(Failure::new(Exit::Failed, e).hint(
                "save or revert your later changes to those files, then run `hone undo` again",
            ));
        }
        Err(e @ EditError::UndoStale { .. }) => {
            let rest = match selection {
                Selection::Last => "undoes the change before it",
                _ => "undoes the rest",
            };
            return Err(Failure::new(Exit::Failed, e)
                .hint(format!(
                    "`hone undo {}--skip-stale` leaves such a change as it is and {rest}",
                    args.to.map(|n| format!("--to {n} ")).unwrap_or_default()
                ))
                .hint("`hone undo --list` shows every change recorded"));
        }
        Err(e @ EditError::NoSuchEntry { .. }) => {
            return Err(Failure::new(Exit::Failed, e)
                .hint("`hone undo --list` shows the numbers of the changes recorded"));
        }
        Err(e) => return Err(Failure::new(Exit::Failed, e)),
    };
    super::common::print(&show::restored(&report))?;
    for s in &report.skipped {
        eprintln!("hone: {}", show::left_line(s));
    }
    eprintln!("hone: {}", show::summary(&report));
    Ok(Exit::Success)
}

/// `hone undo --list`: the entries on stdout, newest first, and how to undo them on stderr.
fn list(global: &GlobalArgs, ws: &Workspace, journal: &Journal) -> Result<Exit, Failure> {
    let entries = journal
        .entries()
        .map_err(|e| Failure::new(Exit::Failed, e))?;
    let Some(oldest) = entries.first() else {
        eprintln!("hone: nothing to undo in this workspace");
        return Ok(Exit::Success);
    };
    // Weighed as if undoing everything, skipping what cannot be undone: what each entry meets.
    // Entries are listed even when that cannot be weighed.
    let stale = journal
        .preview(ws, Selection::From(oldest.id), OnStale::Skip)
        .map(|p| p.stale)
        .unwrap_or_default();
    let color = global.color.enabled(crate::ui::Stream::Stdout);
    super::common::print(&show::list(&entries, &stale, color))?;
    if let Some(newest) = entries.last() {
        let last = if stale.iter().any(|s| s.entry.id == newest.id) {
            format!(
                "`hone undo` stops at #{} (see why above), `hone undo --skip-stale` leaves it and undoes the one before",
                newest.id
            )
        } else {
            format!("`hone undo` reverts #{}", newest.id)
        };
        eprintln!("hone: {last}; `hone undo --to N` reverts #N and everything after it");
    }
    Ok(Exit::Success)
}
