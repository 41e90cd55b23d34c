//! hone as the sandbox of one command (`sandbox::wrapper`): when the first argument is
//! [`MARKER`], this process restricts itself and becomes the command, before anything else of
//! hone starts. The only front end whose output is not hone's: on success nothing is printed at
//! all, since the command's own output is what the runner reads.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use crate::sandbox::wrapper::{self, MARKER, UNAVAILABLE, WrapperError};

/// Becomes the sandboxed command when hone was started as its wrapper; `None` (at the cost of
/// one look at the first argument) when it was not. Returns only when the command did not start.
pub fn run_if_asked() -> Option<ExitCode> {
    let mut args = std::env::args_os();
    let _program = args.next();
    let first = args.next()?;
    if first != MARKER {
        return None;
    }
    let error = wrapper::enter(std::iter::once(OsString::from(MARKER)).chain(args));
    let line = match &error {
        WrapperError::Unavailable(why) => format!("{UNAVAILABLE}{why}"),
        other => format!("hone: sandbox: {other}"),
    };
    let _ = writeln!(std::io::stderr().lock(), "{line}");
    Some(ExitCode::from(error.exit_code()))
}
