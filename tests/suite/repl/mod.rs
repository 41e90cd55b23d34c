//! The interactive REPL driven through a pseudo-terminal as a person types (rexpect), against the
//! mock server: requests and streamed answers, diffs and approvals, `/undo`, `/diff` and
//! `/rewind`, `/commit`, Ctrl-C during a stream, slash commands, multi-line input and `@path`
//! mentions, `--continue` and what a resumed session shows, leaving.

pub use std::time::Duration;

use rexpect::session::PtySession;
use serde_json::{Value, json};

use crate::support::calls::call;
use crate::support::mock::*;
use crate::support::output::{stderr, stdout};
use crate::support::read;
use crate::support::sandbox::Sandbox;

const GREET: &str = "def greet():\n    print('helo')\n";

/// `hone` in a pty, aimed at `mock`, waiting at its first prompt.
fn start(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> PtySession {
    let mut cmd = sb.std_against(mock);
    cmd.args(args).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn hone in a pty");
    p.exp_string("/help for commands").expect("banner");
    prompt(&mut p);
    p
}

/// Waits for a new prompt: rustyline turns bracketed paste on as each `readline` starts, then
/// draws `> ` after cursor movements only. Returns what came before it.
fn prompt(p: &mut PtySession) -> String {
    p.exp_regex(r"\x1b\[\?2004h(\x1b\[[0-9;?]*[a-zA-Z]|\r)*>(\x1b\[[0-9;]*m)* ")
        .expect("prompt")
        .0
}

fn sandbox_with_greet() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("greet.py"), GREET).unwrap();
    sb
}

fn greet(sb: &Sandbox) -> String {
    read(sb, "greet.py")
}

fn fix_typo() -> Reply {
    call(
        "c1",
        "edit_file",
        json!({"path": "greet.py", "old_string": "'helo'", "new_string": "'hello'"}),
    )
}

fn leave(mut p: PtySession) {
    p.send_line("/exit").unwrap();
    // "session … saved" only when something was asked (an empty session leaves nothing).
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
}

/// The messages of the `n`th chat request (0-based).
fn messages(mock: &MockServer, n: usize) -> Vec<Value> {
    mock.chat_requests()[n].json()["messages"]
        .as_array()
        .unwrap()
        .clone()
}

mod approvals;
mod commit;
mod control;
mod edits;
mod input;
mod journal;
mod modes;
mod sandbox;
mod sessions;
