//! The OS sandbox of every command hone runs for the model or a linter: what a command may
//! write and whether it may reach the network, and what the kernel actually enforces of it.
//!
//! Owns the [`Policy`] (a [`Mode`], a [`Network`] rule, the writable paths it implies, and the
//! [`Enforcement`] found on this kernel), the argument list that runs a shell command under it
//! ([`Policy::argv`]), the sandboxing itself, and the heuristic that names a command the
//! sandbox stopped ([`Policy::detect`]). It must not decide whether a command may run at all
//! (that is the approver's), start a command (that is `tools::shell`), or print.
//!
//! How: on Linux, `tools::shell` runs hone's own executable with [`wrapper::MARKER`] instead of
//! `sh`; that process (see `cmd::sandboxed`) restricts itself with **Landlock** (writes only
//! beneath the writable paths; reading stays open) and **seccomp** (no socket but `AF_UNIX`:
//! no IP, packet or netlink sockets, no io_uring), then `exec`s `sh -c COMMAND`, which inherits
//! both. No `pre_exec` and no `unsafe`: the restrictions are the crates' safe calls on the
//! process itself. Elsewhere nothing is enforced, and [`Enforcement`] says so.
//!
//! What a command may write, by mode (reading is never restricted):
//! - `workspace-write` (the default): the workspace, the system temp dir (`$TMPDIR` and
//!   `/tmp`), `/dev/shm`, the devices below, and the paths the person's own settings add
//!   (`[sandbox] writable`). Not `~/.cargo` nor `~/.cache`: a command that could write there
//!   could poison what later unsandboxed builds run (a registry source, a build cache), and the
//!   tools that matter work without them (cargo writes `~/.cargo/registry` only when fetching,
//!   which needs the network anyway; ruff keeps its cache in the workspace; pip goes on without
//!   its cache). A person who wants them adds them to `writable`.
//! - `read-only`: only the devices.
//! - `off`: anything, and the network too; nothing is sandboxed.
//! - Devices, in both sandboxed modes: `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/random`,
//!   `/dev/urandom`, `/dev/tty`, `/dev/ptmx`, `/dev/pts`.
//!
//! Known limits: the workspace's `.git/` (hooks) and `.hone/` are writable in `workspace-write`
//! (Landlock only grants, so a directory cannot be carved out of a writable one); Unix sockets
//! stay open, so a local daemon's socket (a Docker daemon's) reaches whatever that daemon does;
//! with the network denied, 32-bit (i386) programs are killed by the filter (their `socketcall`
//! would get around it).
//!
//! Invariant: a command runs under a mode that needs a layer the kernel cannot give only with
//! the person's own yes for that command ([`Policy::check`] says when).

mod blocked;
#[cfg(target_os = "linux")]
mod linux;
pub mod wrapper;

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

pub use blocked::Blocked;

/// How much a sandboxed command may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Nothing but the devices.
    ReadOnly,
    /// The workspace, the temp dir and the devices.
    #[default]
    WorkspaceWrite,
    /// Anything: no sandbox.
    Off,
}

impl Mode {
    /// The mode as the config file and `--sandbox` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::ReadOnly => "read-only",
            Mode::WorkspaceWrite => "workspace-write",
            Mode::Off => "off",
        }
    }

    /// The mode spelt as [`Mode::as_str`] does.
    pub fn parse(s: &str) -> Option<Mode> {
        [Mode::ReadOnly, Mode::WorkspaceWrite, Mode::Off]
            .into_iter()
            .find(|m| m.as_str() == s)
    }

    /// Higher is stricter: a project's file may only raise it (`config::sandbox`).
    pub fn strictness(self) -> u8 {
        match self {
            Mode::Off => 0,
            Mode::WorkspaceWrite => 1,
            Mode::ReadOnly => 2,
        }
    }
}

/// Whether a sandboxed command may open network sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Network {
    #[default]
    Denied,
    Allowed,
}

impl Network {
    /// The config file's `network = true | false`.
    pub fn from_allowed(allowed: bool) -> Network {
        if allowed {
            Network::Allowed
        } else {
            Network::Denied
        }
    }

    pub fn allowed(self) -> bool {
        self == Network::Allowed
    }
}

/// The sandbox as the settings give it (`[sandbox]`, `--sandbox`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Settings {
    pub mode: Mode,
    pub network: Network,
    /// Paths writable besides the mode's own (`workspace-write` only), from the person's file.
    pub writable: Vec<PathBuf>,
}

/// What a sandboxed command is held to: what the wrapper process enforces on itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub mode: Mode,
    pub network: Network,
    /// Where writes are allowed (with everything beneath); absent paths are skipped.
    pub writable: Vec<PathBuf>,
}

/// Devices any sandboxed command may write (or open for writing): sinks, sources and the
/// terminal. `/dev/pts` so a program that opens its terminal by name still works.
pub const DEVICES: [&str; 8] = [
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/tty",
    "/dev/ptmx",
    "/dev/pts",
];

impl Rules {
    /// The rules `settings` give for commands run in `workspace`: see the module's doc for the
    /// writable paths of each mode.
    pub fn new(settings: &Settings, workspace: &Path) -> Rules {
        let mut writable: Vec<PathBuf> = DEVICES.iter().map(PathBuf::from).collect();
        if settings.mode == Mode::WorkspaceWrite {
            writable.push(workspace.to_path_buf());
            writable.push(std::env::temp_dir());
            writable.push(PathBuf::from("/tmp"));
            writable.push(PathBuf::from("/dev/shm"));
            writable.extend(settings.writable.iter().cloned());
        }
        let mut seen = Vec::new();
        writable.retain(|p| {
            let new = !seen.contains(p);
            seen.push(p.clone());
            new
        });
        Rules {
            mode: settings.mode,
            network: settings.network,
            writable,
        }
    }

    /// No sandbox.
    pub fn off() -> Rules {
        Rules {
            mode: Mode::Off,
            network: Network::Allowed,
            writable: Vec::new(),
        }
    }

    /// The file system is restricted (Landlock).
    pub fn restricts_files(&self) -> bool {
        self.mode != Mode::Off
    }

    /// The network is cut (seccomp).
    pub fn denies_network(&self) -> bool {
        self.mode != Mode::Off && self.network == Network::Denied
    }

    /// Whether `path` (absolute, as written) lies beneath a writable path. Lexical: `..` is
    /// resolved by dropping the component before it; symlinks are not followed.
    pub fn may_write(&self, path: &Path) -> bool {
        if !self.restricts_files() {
            return true;
        }
        let path = lexical(path);
        self.writable.iter().any(|w| path.starts_with(lexical(w)))
    }
}

/// `path` with `.` dropped and `..` taking away the component before it.
fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// How well one layer of the sandbox (the file system's, the network's) is enforced here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layer {
    /// The mode does not ask for it.
    NotNeeded,
    /// Enforced as asked; `by` names the mechanism (`Landlock ABI 7`, `seccomp`).
    Full { by: String },
    /// Enforced with a gap the kernel leaves (`gap` says what gets through).
    Partial { by: String, gap: String },
    /// Not enforced at all, and why.
    Missing { why: String },
}

/// The sandbox obtained on this system for a policy: found by applying the very rules a command
/// would get, on a thread of hone's own that ends at once (Landlock and seccomp restrict only
/// the calling thread), so what is reported is what commands get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enforcement {
    /// Writes, by Landlock.
    pub files: Layer,
    /// The network, by seccomp.
    pub network: Layer,
}

/// The overall level: `full`, `partial` or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Every layer the mode needs is enforced as asked.
    Full,
    /// Some are, or one has a gap.
    Partial,
    /// Nothing is enforced (the mode is `off`, or the system cannot sandbox).
    Unenforced,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Full => "full",
            Level::Partial => "partial",
            Level::Unenforced => "none",
        }
    }
}

impl Enforcement {
    /// Nothing asked, nothing enforced (`off`).
    pub fn not_needed() -> Enforcement {
        Enforcement {
            files: Layer::NotNeeded,
            network: Layer::NotNeeded,
        }
    }

    pub fn level(&self) -> Level {
        let layers = [&self.files, &self.network];
        let needed = layers.iter().filter(|l| **l != &Layer::NotNeeded).count();
        let full = layers
            .iter()
            .filter(|l| matches!(l, Layer::Full { .. }))
            .count();
        let missing = layers
            .iter()
            .filter(|l| matches!(l, Layer::Missing { .. }))
            .count();
        if needed == 0 || missing == needed {
            Level::Unenforced
        } else if full == needed {
            Level::Full
        } else {
            Level::Partial
        }
    }
}

impl fmt::Display for Enforcement {
    /// `full (Landlock ABI 7 for writes, seccomp for the network)`, and what is missing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut by = Vec::new();
        let mut gaps = Vec::new();
        for (layer, what) in [(&self.files, "writes"), (&self.network, "the network")] {
            match layer {
                Layer::NotNeeded => {}
                Layer::Full { by: b } => by.push(format!("{b} for {what}")),
                Layer::Partial { by: b, gap } => {
                    by.push(format!("{b} for {what}"));
                    gaps.push(gap.clone());
                }
                Layer::Missing { why } => gaps.push(format!("no sandbox for {what}: {why}")),
            }
        }
        write!(f, "{}", self.level().as_str())?;
        match (by.is_empty(), gaps.is_empty()) {
            (true, true) => f.write_str(" (the sandbox is off)"),
            (false, true) => write!(f, " ({})", by.join(", ")),
            (true, false) => write!(f, ": {}", gaps.join("; ")),
            (false, false) => write!(f, " ({}): {}", by.join(", "), gaps.join("; ")),
        }
    }
}

/// The sandbox of a session's commands: its rules and what this system enforces of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub rules: Rules,
    /// The directory commands run in, for the paths a command's errors name.
    pub workspace: PathBuf,
    pub enforcement: Enforcement,
    /// The program that becomes the sandboxed command: hone's own executable
    /// ([`wrapper::SELF_EXE`]). A program that embeds hone's agent either calls
    /// `cmd::sandboxed::run_if_asked` first in its `main`, as hone's does, or points this at an
    /// installed `hone` (the benchmarks do).
    pub wrapper: PathBuf,
}

impl Policy {
    /// The policy for commands in `workspace`, its enforcement found on this system.
    pub fn new(settings: &Settings, workspace: &Path) -> Policy {
        let rules = Rules::new(settings, workspace);
        let enforcement = probe(&rules);
        Policy {
            rules,
            workspace: workspace.to_path_buf(),
            enforcement,
            wrapper: PathBuf::from(wrapper::SELF_EXE),
        }
    }

    /// No sandbox: a command the person chose to run unsandboxed, and `off`.
    pub fn off(workspace: &Path) -> Policy {
        Policy {
            rules: Rules::off(),
            workspace: workspace.to_path_buf(),
            enforcement: Enforcement::not_needed(),
            wrapper: PathBuf::from(wrapper::SELF_EXE),
        }
    }

    pub fn mode(&self) -> Mode {
        self.rules.mode
    }

    /// Whether commands may run under this policy: not when a layer the mode needs is missing
    /// (the person chose a sandbox; running without it would be a silent downgrade). A layer
    /// with a gap runs, and the gap is reported wherever the enforcement is shown.
    pub fn check(&self) -> Result<(), Blocked> {
        for layer in [&self.enforcement.files, &self.enforcement.network] {
            if let Layer::Missing { why } = layer {
                return Err(Blocked::Unavailable { why: why.clone() });
            }
        }
        Ok(())
    }

    /// The program and arguments that run `sh -c command` under this policy: `sh` itself when
    /// nothing is restricted, else [`Policy::wrapper`] (hone's own executable: `/proc/self/exe`,
    /// the binary running now even if its file was replaced since).
    pub fn argv(&self, command: &str) -> Vec<OsString> {
        let shell = ["sh", "-c", command].map(OsString::from);
        if !self.rules.restricts_files() && !self.rules.denies_network() {
            return shell.to_vec();
        }
        let mut argv = vec![self.wrapper.clone().into_os_string()];
        argv.extend(wrapper::encode(&self.rules));
        argv.extend(shell);
        argv
    }

    /// Whether a finished command was stopped by the sandbox, judged from its exit code and
    /// output (see `blocked` for what this can and cannot tell).
    pub fn detect(&self, code: Option<i32>, output: &str) -> Option<Blocked> {
        blocked::detect(&self.rules, &self.workspace, code, output)
    }
}

/// The enforcement `rules` get here: applied on a thread that ends at once (see
/// [`Enforcement`]).
#[cfg(target_os = "linux")]
fn probe(rules: &Rules) -> Enforcement {
    if !rules.restricts_files() && !rules.denies_network() {
        return Enforcement::not_needed();
    }
    let probe_rules = rules.clone();
    std::thread::Builder::new()
        .name("sandbox-probe".into())
        .spawn(move || linux::restrict(&probe_rules))
        .ok()
        .and_then(|t| t.join().ok())
        .unwrap_or_else(|| {
            let missing = Layer::Missing {
                why: "the sandbox could not be tried (no thread)".into(),
            };
            Enforcement {
                files: missing.clone(),
                network: missing,
            }
        })
}

/// Other systems: nothing is enforced yet (macOS's `sandbox-exec` profile is not built).
#[cfg(not(target_os = "linux"))]
fn probe(rules: &Rules) -> Enforcement {
    let missing = || Layer::Missing {
        why: "hone has no sandbox for this system yet (Linux only)".into(),
    };
    Enforcement {
        files: if rules.restricts_files() {
            missing()
        } else {
            Layer::NotNeeded
        },
        network: if rules.denies_network() {
            missing()
        } else {
            Layer::NotNeeded
        },
    }
}

/// Restricts this process as `rules` say, for the wrapper before it runs the command: the
/// enforcement obtained, or why the mode's sandbox cannot be had.
pub fn restrict_self(rules: &Rules) -> Enforcement {
    #[cfg(target_os = "linux")]
    {
        linux::restrict(rules)
    }
    #[cfg(not(target_os = "linux"))]
    {
        probe(rules)
    }
}

#[cfg(test)]
mod tests;
