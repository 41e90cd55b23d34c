//! `hone apply [--format F] [--dry-run] [--yes] [FILE|-]`: applies edit text a model wrote
//! elsewhere (pasted from a chat, saved by another tool, produced by a script) through the edit
//! engine, with no model involved.
//!
//! stdout carries the product (the preview, or the patch with `--dry-run`); notes, the question
//! and the summary go to stderr. On a non-TTY it never waits for an answer: without `--yes` or
//! `--dry-run` it refuses and names the flags. Exit codes: 0 applied or nothing to do, 1 nothing
//! applied (input that is not UTF-8, a parse or locate failure, a read-only file under `--yes`, or
//! the person said no), 2 usage error.

#![allow(clippy::print_stderr)]

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;

use crate::cli::{GlobalArgs, TextFormatArg};
use crate::edit::{self, EditError, Journal, PreviewOptions, Workspace};
use crate::exit::{Exit, Failure};
use crate::ui::Stream;

/// Apply edit text a model wrote (SEARCH/REPLACE blocks, a unified diff, a `*** Begin Patch`
/// envelope, or whole files in fences) to the workspace, after showing the change.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// The format of the edit text.
    #[arg(long, value_enum, default_value_t = TextFormatArg::Auto, value_name = "FORMAT")]
    pub format: TextFormatArg,

    /// Print the combined patch (as `git apply` takes it) and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Unchanged lines shown around each change in the preview.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub context: usize,

    /// File holding the edit text; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    pub input: Option<PathBuf>,
}

/// The workspace `-C` names, or the current directory.
pub(crate) fn workspace(global: &GlobalArgs) -> Result<Workspace, Failure> {
    let root = super::common::workspace_root(global)?;
    Workspace::new(&root).map_err(Failure::usage)
}

fn read_input(args: &Args) -> Result<String, Failure> {
    let (bytes, name) = match args.input.as_deref() {
        Some(path) if path.as_os_str() != "-" => (
            std::fs::read(path)
                .map_err(|e| Failure::usage(format!("could not read {}: {e}", path.display())))?,
            path.display().to_string(),
        ),
        _ => {
            if std::io::stdin().is_terminal() {
                return Err(Failure::usage("no edit text given")
                    .hint("pass a FILE, or pipe the text on standard input"));
            }
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::usage(format!("could not read standard input: {e}")))?;
            (bytes, "standard input".to_string())
        }
    };
    // Text that is not UTF-8 is input hone cannot read, not a mistake on the command line:
    // it fails like edit text that does not parse (1), naming the first bad byte.
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..at];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = at
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        Failure::new(
            Exit::Failed,
            anyhow::anyhow!(
                "{name} is not UTF-8 text: the byte at offset {at} (line {line}, column {column}) \
                 is invalid; nothing was applied"
            ),
        )
        .hint("save the edit text as UTF-8")
    })
}

/// Runs `hone apply`.
pub fn run(global: &GlobalArgs, args: &Args) -> Result<Exit, Failure> {
    if !args.dry_run && !args.yes && !crate::ui::interactive() {
        return Err(Failure::usage(
            "`hone apply` asks before writing, and there is no terminal to ask on",
        )
        .hint(
            "pass --yes to apply without asking, or --dry-run to print the patch and write nothing",
        ));
    }
    let text = read_input(args)?;
    let ws = workspace(global)?;
    let ops = edit::parse_text(&text, args.format.into()).map_err(|e| {
        Failure::new(
            Exit::Failed,
            anyhow::Error::new(e).context("could not read the edits; nothing was applied"),
        )
    })?;
    let plan = edit::plan(&ws, &ops).map_err(|e| {
        Failure::new(
            Exit::Failed,
            anyhow::Error::new(e).context("could not place the edits; nothing was applied"),
        )
    })?;
    let err_color = global.color.enabled(Stream::Stderr);
    for note in plan.notes() {
        eprintln!(
            "{} {note}",
            crate::ui::palette::paint(crate::ui::palette::HINT, "note:", err_color)
        );
    }
    if plan.is_empty() {
        eprintln!("hone: nothing to change: the edits leave every file as it is");
        return Ok(Exit::Success);
    }
    if args.dry_run {
        super::common::print(&plan.to_patch())?;
        return Ok(Exit::Success);
    }
    let color = global.color.enabled(Stream::Stdout);
    let opts = PreviewOptions {
        context: args.context,
        words: color,
    };
    // The change is the product here: a preview that could not be written all (a closed pipe)
    // stops nothing, and is reported once the change is applied.
    let shown = super::common::print(&crate::ui::preview::render(&plan.preview(&opts), color));
    let files = plan.files().len();
    let read_only = plan.read_only();
    if args.yes && !read_only.is_empty() {
        return Err(Failure::new(
            Exit::Failed,
            anyhow::anyhow!(
                "{} is read-only; --yes does not write through that, and nothing was applied",
                read_only.join(", ")
            ),
        )
        .hint("make it writable (chmod u+w), or run without --yes to be asked"));
    }
    if !args.yes && !confirm(&format!("Apply these changes to {files} file(s)? [y/N] "))? {
        eprintln!("hone: nothing applied");
        return Ok(Exit::Failed);
    }
    let mut journal = Journal::open(&ws).map_err(|e| Failure::new(Exit::Failed, e))?;
    // What `hone undo --list` shows for this entry.
    let source = match args.input.as_deref() {
        Some(path) if path.as_os_str() != "-" => format!("hone apply {}", path.display()),
        _ => "hone apply (from standard input)".to_string(),
    };
    journal.start_run(Some(&source));
    let applied = edit::apply(&ws, &plan, &journal).map_err(write_failure)?;
    eprintln!(
        "hone: applied to {} file(s) (+{} -{}): {}; `hone undo` reverts it",
        applied.files.len(),
        applied.added,
        applied.removed,
        applied.files.join(", ")
    );
    shown?;
    Ok(Exit::Success)
}

/// The edits could not be written. Nothing was changed, unless putting back the files already
/// replaced failed too: then the error names the files left changed and how to restore them.
fn write_failure(e: EditError) -> Failure {
    let context = match e {
        EditError::RollbackFailed { .. } => {
            "could not write the edits, and putting back the files already replaced failed"
        }
        _ => "could not write the edits; nothing was changed",
    };
    Failure::new(Exit::Failed, anyhow::Error::new(e).context(context))
}

/// Asks a yes/no question on stderr and reads the answer from stdin.
fn confirm(question: &str) -> Result<bool, Failure> {
    eprint!("{question}");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("could not read the answer")?;
    Ok(parse_answer(&answer))
}

fn parse_answer(answer: &str) -> bool {
    matches!(answer.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_rollback_is_not_reported_as_nothing_changed() {
        let cause = || EditError::Io {
            action: "replace",
            path: "b.txt".into(),
            source: std::io::Error::other("disk full"),
        };
        let report = |e| crate::exit::report(&write_failure(e));
        assert!(
            report(cause()).starts_with("error: could not write the edits; nothing was changed\n")
        );
        let failed = EditError::RollbackFailed {
            cause: Box::new(cause()),
            left_changed: vec!["a.txt".into()],
            batch: "/state/journal/0000000001".into(),
            source: std::io::Error::other("read-only file system"),
        };
        let text = report(failed);
        assert!(!text.contains("nothing was changed"), "{text}");
        assert!(text.contains("a.txt is left changed"), "{text}");
        assert!(text.contains("`hone undo`"), "{text}");
    }

    #[test]
    fn only_yes_confirms() {
        assert!(parse_answer("y\n"));
        assert!(parse_answer(" YES "));
        assert!(!parse_answer("\n"));
        assert!(!parse_answer("no"));
        assert!(!parse_answer("yep"));
    }
}
