//! hone as the sandbox of one command: the hidden arguments `tools::shell` gives hone's own
//! executable ([`encode`]), and what that process does with them ([`enter`]): read them,
//! restrict itself, `exec` the command.
//!
//! The arguments are `MARKER mode=M network=N write=PATH… -- PROGRAM ARGS…`. [`MARKER`] is the
//! first argument or nothing here applies; `cmd::sandboxed` checks for it before anything else
//! in `main` runs (no clap, no runtime, no panic hook), so a sandboxed command costs one `exec`
//! of hone and a few system calls. Must not print: a failure is returned, and the front end
//! writes it as `UNAVAILABLE` says, which `Policy::detect` recognises.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt as _, OsStringExt as _};
use std::path::PathBuf;

use super::{Layer, Mode, Network, Rules};

/// The first argument that makes hone a command's sandbox. Nobody types it: it is no subcommand.
pub const MARKER: &str = "__hone-sandbox";

/// The program `tools::shell` starts as the wrapper: the executable running now, even when its
/// file was replaced or removed since hone started (an upgrade during a session).
pub const SELF_EXE: &str = "/proc/self/exe";

/// How the wrapper's stderr starts when it cannot give the sandbox (followed by why).
pub const UNAVAILABLE: &str = "hone: sandbox unavailable: ";

/// The wrapper's exit code when it did not run the command: the sandbox could not be had, or
/// its arguments were not its own (as a shell says it could not execute something).
pub const EXIT_UNAVAILABLE: u8 = 126;
/// The wrapper's exit code when the program could not be started (as a shell's "not found").
pub const EXIT_EXEC: u8 = 127;

/// Why the wrapper did not run the command.
#[derive(Debug, thiserror::Error)]
pub enum WrapperError {
    #[error("bad wrapper arguments: {0}")]
    Arguments(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("could not run `{program}`: {source}")]
    Exec {
        program: String,
        source: std::io::Error,
    },
}

impl WrapperError {
    pub fn exit_code(&self) -> u8 {
        match self {
            WrapperError::Arguments(_) | WrapperError::Unavailable(_) => EXIT_UNAVAILABLE,
            WrapperError::Exec { .. } => EXIT_EXEC,
        }
    }
}

/// The arguments after the executable that carry `rules`, up to and including `--`.
pub fn encode(rules: &Rules) -> Vec<OsString> {
    let mut args = vec![
        OsString::from(MARKER),
        OsString::from(format!("mode={}", rules.mode.as_str())),
        OsString::from(match rules.network {
            Network::Denied => "network=denied",
            Network::Allowed => "network=allowed",
        }),
    ];
    for p in &rules.writable {
        let mut arg = b"write=".to_vec();
        arg.extend_from_slice(p.as_os_str().as_bytes());
        args.push(OsString::from_vec(arg));
    }
    args.push(OsString::from("--"));
    args
}

/// The rules and the command from the arguments after the executable (`MARKER` first).
pub fn decode(
    args: impl IntoIterator<Item = OsString>,
) -> Result<(Rules, Vec<OsString>), WrapperError> {
    let bad = |what: &str| WrapperError::Arguments(what.to_string());
    let mut args = args.into_iter();
    if args.next().as_deref() != Some(OsStr::new(MARKER)) {
        return Err(bad("no marker"));
    }
    let mut mode = None;
    let mut network = None;
    let mut writable = Vec::new();
    for arg in args.by_ref() {
        let bytes = arg.as_bytes();
        if bytes == b"--" {
            let command: Vec<OsString> = args.collect();
            if command.is_empty() {
                return Err(bad("no command"));
            }
            let (Some(mode), Some(network)) = (mode, network) else {
                return Err(bad("no mode or network"));
            };
            return Ok((
                Rules {
                    mode,
                    network,
                    writable,
                },
                command,
            ));
        }
        if let Some(path) = bytes.strip_prefix(b"write=") {
            writable.push(PathBuf::from(OsStr::from_bytes(path)));
        } else if let Some(m) = bytes.strip_prefix(b"mode=") {
            mode = std::str::from_utf8(m).ok().and_then(Mode::parse);
        } else if let Some(n) = bytes.strip_prefix(b"network=") {
            network = match n {
                b"denied" => Some(Network::Denied),
                b"allowed" => Some(Network::Allowed),
                _ => None,
            };
        } else {
            return Err(bad(&format!("unknown `{}`", arg.to_string_lossy())));
        }
    }
    Err(bad("no `--`"))
}

/// Becomes the sandboxed command: reads the arguments (after the executable), restricts this
/// process, and `exec`s the command. Returns only if the command did not start.
pub fn enter(args: impl IntoIterator<Item = OsString>) -> WrapperError {
    let (rules, command) = match decode(args) {
        Ok(x) => x,
        Err(e) => return e,
    };
    let got = super::restrict_self(&rules);
    for layer in [&got.files, &got.network] {
        if let Layer::Missing { why } = layer {
            return WrapperError::Unavailable(why.clone());
        }
    }
    exec(&command)
}

fn exec(command: &[OsString]) -> WrapperError {
    use std::os::unix::process::CommandExt as _;
    let Some((program, args)) = command.split_first() else {
        return WrapperError::Arguments("no command".into());
    };
    let source = std::process::Command::new(program).args(args).exec();
    WrapperError::Exec {
        program: program.to_string_lossy().into_owned(),
        source,
    }
}
