//! `hone lint-fix`'s engine: run a linter, read what it reports, have the model fix it under a
//! strict policy, and loop until the linter passes or the rounds run out.
//!
//! Pieces, in the order of a round: [`runner`] runs the lint command (timeout, stdout and stderr
//! apart, "could it run at all"); [`parse`] reads its output into [`Diagnostic`]s with the
//! built-in line formats and JSON readers, keeping what it cannot read as text; [`prompt`]
//! groups them by file with the source lines around them into the round's message; [`policy`]
//! decides the model's edits (files the linter named, paths given, `--allow-path` globs; never
//! a command); [`rounds`] drives the loop and undoes a round that made things worse through the
//! edit journal; [`report`] renders the JSON report, the log lines, the GitHub summary and
//! annotations. [`preset`] maps linter names to command lines.
//!
//! Must not print or read the keyboard (the front end `cmd::lint_fix` does); touches files only
//! through the agent's edit tools and the journal. Invariant: when a round ends in any way other
//! than a finished, re-linted, not-worse round, none of its edits stays applied.

pub mod diag;
pub mod parse;
pub mod policy;
pub mod preset;
pub mod prompt;
pub mod report;
pub mod rounds;
pub mod runner;

use std::time::Duration;

pub use diag::{Diagnostic, Parsed};
pub use parse::parse;
pub use policy::LintPolicy;
pub use preset::{PRESETS, Preset};
pub use rounds::{End, Fixer, Interrupt, Lint, Log, Progress, RoundReport, Summary};
pub use runner::{LintCommand, LintRun};

/// What can go wrong in `lint-fix` outside the model's conversation.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error("could not start the lint command `{command}`")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("the lint command `{command}` did not finish within {:.1} s and was killed", after.as_secs_f64())]
    Timeout { command: String, after: Duration },
    #[error("the lint command `{command}` could not run: {why}{}", if output.is_empty() { String::new() } else { format!("\n{output}") })]
    Broken {
        command: String,
        why: String,
        /// The last lines it printed.
        output: String,
        /// How to install the preset's linter.
        install: Option<String>,
    },
    #[error("the lint command `{command}` was blocked by the sandbox: {blocked}")]
    Sandbox {
        command: String,
        blocked: crate::sandbox::Blocked,
    },
    #[error("`{glob}` is not a valid glob: {why}")]
    BadGlob { glob: String, why: String },
    #[error("could not compute the patch: {path}")]
    Patch {
        path: String,
        source: std::io::Error,
    },
    #[error("could not undo the round's edits")]
    Rollback(#[source] crate::edit::EditError),
}
