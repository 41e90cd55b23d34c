//! Helpers of the `lint-fix` end-to-end tests: running the binary with the machine's linters
//! reachable. Scripted tool calls and reading output are `crate::support`'s.

use std::process::Output;

use crate::support::mock::*;
use crate::support::sandbox::Sandbox;

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
