//! Helpers of the `lint-fix` end-to-end tests: scripted tool calls, reading what hone sent, and
//! running the binary with the machine's linters reachable.

use std::process::Output;

use serde_json::{Value, json};

use crate::support::mock::*;
use crate::support::sandbox::Sandbox;

pub fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn both(o: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", out(o), err(o))
}

/// A streamed assistant message asking for the given tool calls (id, name, JSON arguments).
pub fn calls(list: &[(&str, &str, Value)]) -> Reply {
    let mut frames = vec![ev_role()];
    for (i, (id, name, args)) in list.iter().enumerate() {
        frames.push(ev_tool_call(i as u32, id, name, &args.to_string()));
    }
    frames.extend([
        ev_finish("tool_calls"),
        ev_usage(100, 10, 80, 20, 0),
        ev_done(),
    ]);
    Reply::sse(frames)
}

pub fn call(id: &str, name: &str, args: Value) -> Reply {
    calls(&[(id, name, args)])
}

pub fn edit(id: &str, path: &str, old: &str, new: &str) -> Reply {
    call(
        id,
        "edit_file",
        json!({"path": path, "old_string": old, "new_string": new}),
    )
}

/// The tool message answering `id` in a recorded request.
pub fn tool_result(req: &Value, id: &str) -> String {
    req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool" && m["tool_call_id"] == id)
        .and_then(|m| m["content"].as_str())
        .unwrap_or_else(|| panic!("no tool result for {id} in {req:#}"))
        .to_string()
}

/// The user messages of a request, in order.
pub fn user_messages(req: &Value) -> Vec<String> {
    req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The real linters need the machine's PATH and tool homes, which the sandbox clears.
pub fn with_tools(c: &mut assert_cmd::Command) {
    let home = std::env::var("HOME").unwrap_or_default();
    c.env("PATH", std::env::var("PATH").unwrap_or_default());
    for (var, default) in [
        ("RUSTUP_HOME", format!("{home}/.rustup")),
        ("CARGO_HOME", format!("{home}/.cargo")),
        ("PYENV_ROOT", format!("{home}/.pyenv")),
    ] {
        c.env(var, std::env::var(var).unwrap_or(default));
    }
    if let Ok(t) = std::env::var("RUSTUP_TOOLCHAIN") {
        c.env("RUSTUP_TOOLCHAIN", t);
    }
}

pub fn lint_fix(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> Output {
    let mut c = sb.against(mock);
    with_tools(&mut c);
    c.arg("lint-fix").args(args).output().unwrap()
}

/// ruff must be installed (`.ci/run` does it: `pip install ruff`).
pub fn require_ruff() {
    let ok = std::process::Command::new("ruff")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "ruff is not installed: run `pip install ruff` (.ci/run does)"
    );
}

pub fn read(sb: &Sandbox, rel: &str) -> String {
    std::fs::read_to_string(sb.workspace.join(rel)).unwrap()
}
