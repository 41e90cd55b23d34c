//! What hone does when it hits a bug (a Rust panic). The release build aborts on a panic instead
//! of unwinding (0.6 MB smaller: ARCHITECTURE.md, "What the binary weighs"), so no destructor runs
//! on the way out; this hook does the cleanup that matters and tells the person where things
//! stand.
//!
//! On a panic, in this order: the terminal gets back the settings it had before the REPL's line
//! editor changed them; every command hone is running (the model's `run_command`, the lint
//! command) is killed with its whole process group; one message names the bug's place and says
//! that files are whole (every write is atomic and journalled) and the conversation saved; the
//! process exits with [`EXIT_CODE`]. Debug and test builds unwind, but the hook exits before
//! anything unwinds, so every build behaves alike.
//!
//! Must not block or panic itself: it runs on a thread that is already broken, so it only ever
//! tries its locks.

// A front end: it may write to the terminal (clippy.toml refuses it everywhere else).
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

use std::io::Write as _;
use std::panic::PanicHookInfo;
use std::sync::{Mutex, MutexGuard, TryLockError};

use nix::sys::termios::{SetArg, Termios, tcgetattr, tcsetattr};

/// The exit code of a bug, as for any Rust program that panics.
pub const EXIT_CODE: i32 = 101;

/// Process groups of the commands running now.
static GROUPS: Mutex<Vec<u32>> = Mutex::new(Vec::new());

/// The terminal's settings before the line editor first changed them.
static TERMINAL: Mutex<Option<Termios>> = Mutex::new(None);

/// Makes a panic anywhere in the process end in [`on_panic`]. Called once, first thing in `main`.
pub fn install() {
    std::panic::set_hook(Box::new(on_panic));
}

fn on_panic(info: &PanicHookInfo<'_>) {
    restore_terminal();
    kill_commands();
    let place = info
        .location()
        .map(|l| format!("{}:{}", l.file(), l.line()));
    let text = report(info.payload_as_str(), place.as_deref());
    let _ = std::io::stderr().write_all(text.as_bytes());
    std::process::exit(EXIT_CODE);
}

/// The message a person sees: what broke, where, and that nothing they had is lost.
pub fn report(what: Option<&str>, place: Option<&str>) -> String {
    let what = what.unwrap_or("a panic with no message");
    let place = place.map(|p| format!(" (at {p})")).unwrap_or_default();
    format!(
        "\nhone: internal error: {what}{place}\n\
         This is a bug in hone; please report it with the line above.\n\
         Files are whole: every write is atomic, and `hone undo` reverts the last request's \
         edits.\n\
         A conversation in the REPL is saved as it goes: `hone --continue` resumes it.\n"
    )
}

/// A command's process group, killed by the hook while this is alive.
pub struct Tracked(u32);

impl Tracked {
    pub fn pgid(&self) -> u32 {
        self.0
    }
}

/// Registers a running command's process group until the returned guard is dropped.
pub fn track(pgid: u32) -> Tracked {
    hold(&GROUPS).push(pgid);
    Tracked(pgid)
}

impl Drop for Tracked {
    fn drop(&mut self) {
        let mut groups = hold(&GROUPS);
        if let Some(at) = groups.iter().position(|&g| g == self.0) {
            groups.swap_remove(at);
        }
    }
}

fn kill_commands() {
    let groups = lock(&GROUPS).map(|g| g.clone()).unwrap_or_default();
    for pgid in groups {
        kill_group(Some(pgid));
    }
}

/// Remembers the terminal's settings, once, before the line editor changes them. Does nothing
/// when standard input is not a terminal.
pub fn save_terminal() {
    let mut saved = hold(&TERMINAL);
    if saved.is_none() {
        *saved = tcgetattr(std::io::stdin()).ok();
    }
}

/// Puts back the saved settings (echo, line mode) and turns off bracketed paste, which the line
/// editor turns on while it reads a line.
fn restore_terminal() {
    if let Some(saved) = lock(&TERMINAL)
        && let Some(termios) = saved.as_ref()
    {
        let _ = tcsetattr(std::io::stdin(), SetArg::TCSANOW, termios);
        let _ = std::io::stdout().write_all(b"\x1b[?2004l");
        let _ = std::io::stdout().flush();
    }
}

/// Takes a lock, outside the hook; the data stays usable after a panic elsewhere (in a test).
fn hold<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Takes a lock for the hook, waiting at most about 100 ms. Nothing done under these locks can
/// panic, so the panicking thread does not hold one; another thread may, for the moment it
/// takes to add or remove an entry.
fn lock<T>(m: &Mutex<T>) -> Option<MutexGuard<'_, T>> {
    for _ in 0..100 {
        match m.try_lock() {
            Ok(guard) => return Some(guard),
            Err(TryLockError::Poisoned(p)) => return Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(1))
            }
        }
    }
    None
}

/// Kills the whole process group, so a command's children do not outlive it. A direct
/// `killpg(2)`: the `kill` program of some procps versions reads `kill -KILL -PGID` as a signal
/// to every process (pid -1), and ids 0 and 1 are refused here for the same reason.
pub fn kill_group(pgid: Option<u32>) {
    use nix::sys::signal::{Signal, killpg};
    use nix::unistd::Pid;
    if let Some(id) = pgid
        .and_then(|id| i32::try_from(id).ok())
        .filter(|id| *id > 1)
    {
        // Failure (the group is already gone) is harmless.
        let _ = killpg(Pid::from_raw(id), Signal::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_names_the_bug_and_what_is_safe() {
        let text = report(Some("index out of bounds"), Some("src/x.rs:3"));
        assert!(text.contains("internal error: index out of bounds (at src/x.rs:3)"));
        assert!(text.contains("hone undo"));
        assert!(text.contains("hone --continue"));
        assert!(report(None, None).contains("internal error: a panic with no message\n"));
    }

    #[test]
    fn command_groups_are_tracked_while_their_guard_lives() {
        // Not `kill_commands()`: other tests run commands in parallel, and it would kill them.
        let pgid = u32::MAX - 7;
        let guard = track(pgid);
        assert!(hold(&GROUPS).contains(&pgid));
        drop(guard);
        assert!(!hold(&GROUPS).contains(&pgid));
    }
}
