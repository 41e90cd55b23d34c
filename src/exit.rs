//! Exit codes and the error type that carries one to the edge of the program.
//!
//! Inside modules errors are `thiserror` enums; a front end wraps them into a [`Failure`] with the
//! [`Exit`] code the error means and hints for the person. [`report`] is the one place that turns
//! a failure into text: `error:`, then each `caused by:`, then `hint:` lines.

use std::fmt::Write as _;

/// hone's documented exit codes (see `hone --help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success: the request was answered or the change applied (or none was needed).
    Success = 0,
    /// The work did not finish: nothing applied, diagnostics remain, the turn limit was hit.
    Failed = 1,
    /// A usage or configuration error: fix the command line or the config file.
    Usage = 2,
    /// The model provider failed after retries.
    Provider = 3,
    /// `lint-fix`: the lint command itself could not run.
    LintCommand = 4,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error on its way out of the program, with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
    pub hints: Vec<String>,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Failure {
            exit,
            error: error.into(),
            hints: Vec::new(),
        }
    }

    pub fn usage(msg: impl std::fmt::Display) -> Self {
        Failure::new(Exit::Usage, anyhow::anyhow!("{msg}"))
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::new(Exit::Failed, e)
    }
}

/// Renders a failure as the person sees it on stderr.
pub fn report(f: &Failure) -> String {
    let mut out = String::new();
    let mut chain = f.error.chain();
    if let Some(top) = chain.next() {
        let _ = writeln!(out, "error: {top}");
    }
    for cause in chain {
        let _ = writeln!(out, "caused by: {cause}");
    }
    for h in &f.hints {
        let _ = writeln!(out, "hint: {h}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn report_prints_chain_then_hints() {
        let err: anyhow::Result<()> = Err(anyhow::anyhow!("connection refused"));
        let err = err
            .context("could not reach http://127.0.0.1:1")
            .unwrap_err();
        let f = Failure::new(Exit::Provider, err).hint("is the server running?");
        assert_eq!(
            report(&f),
            "error: could not reach http://127.0.0.1:1\ncaused by: connection refused\nhint: is the server running?\n"
        );
        assert_eq!(f.exit.code(), 3);
    }
}
