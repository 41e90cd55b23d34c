//! The OS sandbox of commands, on this kernel (Landlock and seccomp, as the project's machines
//! have): the model's `run_command` writing outside the workspace and opening a TCP socket to a
//! listener of the test's own, under each mode; a lint command under the sandbox; and the
//! enforcement as `hone config` and `-p`'s init event tell it. Every sandbox lives outside the
//! system temp dir, which sandboxed commands may write by design.

use std::net::TcpListener;

use serde_json::{Value, json};

use crate::support::calls::{call, calls, tool_result};
use crate::support::mock::*;
use crate::support::output::{both, stderr, stdout};
use crate::support::sandbox::Sandbox;

/// A script that connects to 127.0.0.1 on the port it is given, and says so.
const CONNECT: &str = "import socket, sys\n\
socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=5).close()\n\
print('connected')\n";

/// `hone [global] fix x --yes` allowing `touch` and `python3` commands, with the machine's PATH
/// (for python3).
fn fix(sb: &Sandbox, mock: &MockServer, global: &[&str]) -> std::process::Output {
    sb.against(mock)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .args(global)
        .args(["fix", "x", "--yes", "--allow-command", "touch"])
        .args(["--allow-command", "python3"])
        .output()
        .unwrap()
}

/// The tool results hone sent for `ids`, from the request after the calls.
fn results(mock: &MockServer, ids: &[&str]) -> Vec<String> {
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    let last = reqs.last().unwrap();
    ids.iter().map(|id| tool_result(last, id)).collect()
}

/// A listener on 127.0.0.1 that tells whether anyone connected.
struct Listener(TcpListener);

impl Listener {
    fn new() -> Listener {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        Listener(l)
    }

    fn port(&self) -> String {
        self.0.local_addr().unwrap().port().to_string()
    }

    /// Whether a connection arrived (it waits in the backlog even when the client has gone).
    fn connected(&self) -> bool {
        self.0.accept().is_ok()
    }
}

/// The model writes inside the workspace, outside it, and connects to a listener.
fn writes_and_connects(sb: &Sandbox, port: &str) -> MockServer {
    std::fs::write(sb.workspace.join("connect.py"), CONNECT).unwrap();
    let outside = sb.outside().join("x");
    MockServer::start(vec![
        calls(&[
            ("c1", "run_command", json!({"command": "touch inside.txt"})),
            (
                "c2",
                "run_command",
                json!({"command": format!("touch {}", outside.display())}),
            ),
            (
                "c3",
                "run_command",
                json!({"command": format!("python3 connect.py {port}")}),
            ),
        ]),
        Reply::answer("done"),
    ])
}

#[test]
fn workspace_write_allows_the_workspace_and_blocks_outside_writes_and_the_network() {
    let sb = Sandbox::outside_tmp();
    let l = Listener::new();
    let mock = writes_and_connects(&sb, &l.port());
    let o = fix(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(sb.workspace.join("inside.txt").exists());
    assert!(!sb.outside().join("x").exists(), "a write escaped");
    assert!(!l.connected(), "a connection escaped");

    let r = results(&mock, &["c1", "c2", "c3"]);
    assert_eq!(r[0], "exit code 0; no output");
    let outside = sb.outside().join("x");
    let blocked = format!(
        "blocked by the sandbox: write outside the workspace: {}.",
        outside.display()
    );
    assert!(r[1].starts_with(&blocked), "{}", r[1]);
    assert!(
        r[1].contains("(mode workspace-write, network denied)"),
        "{}",
        r[1]
    );
    assert!(
        r[1].contains("Permission denied"),
        "the command's own output: {}",
        r[1]
    );
    assert!(
        r[2].starts_with("blocked by the sandbox: network access."),
        "{}",
        r[2]
    );
    // The person is told in a person's words.
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "✗ blocked by the sandbox: write outside the workspace: {}",
            outside.display()
        )),
        "{err}"
    );
    assert!(
        err.contains("✗ blocked by the sandbox: network access"),
        "{err}"
    );
}

#[test]
fn read_only_blocks_even_a_write_inside_the_workspace() {
    let sb = Sandbox::outside_tmp();
    let mock = MockServer::start(vec![
        call("c1", "run_command", json!({"command": "touch inside.txt"})),
        Reply::answer("done"),
    ]);
    let o = fix(&sb, &mock, &["--sandbox", "read-only"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(!sb.workspace.join("inside.txt").exists());
    let r = results(&mock, &["c1"]);
    let want = format!(
        "blocked by the sandbox: write in the read-only workspace: {}",
        sb.workspace.join("inside.txt").display()
    );
    assert!(r[0].starts_with(&want), "{}", r[0]);
    assert!(
        r[0].contains("(mode read-only, network denied)"),
        "{}",
        r[0]
    );
}

#[test]
fn a_project_file_tightens_the_sandbox_but_cannot_loosen_it() {
    // Tighter: read-only from the repository's own file holds.
    let sb = Sandbox::outside_tmp();
    sb.project_config("[retry]\nbase_delay_ms = 10\n[sandbox]\nmode = \"read-only\"\n");
    let mock = MockServer::start(vec![
        call("c1", "run_command", json!({"command": "touch inside.txt"})),
        Reply::answer("done"),
    ]);
    let o = fix(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(!sb.workspace.join("inside.txt").exists());

    // Looser: `off` and the network from the repository's file are ignored, and said so.
    let sb = Sandbox::outside_tmp();
    sb.project_config("[retry]\nbase_delay_ms = 10\n[sandbox]\nmode = \"off\"\nnetwork = true\n");
    let l = Listener::new();
    let mock = writes_and_connects(&sb, &l.port());
    let o = fix(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(!sb.outside().join("x").exists(), "a write escaped");
    assert!(!l.connected(), "a connection escaped");
    let err = stderr(&o);
    let project = sb.project_config_path();
    assert!(
        err.contains(&format!(
            "hone: ignored `sandbox.mode = \"off\"` from {}: a project's own file may only \
             tighten the sandbox",
            project.display()
        )),
        "{err}"
    );
    assert!(err.contains("ignored `sandbox.network = true`"), "{err}");
}

#[test]
fn off_lets_everything_through() {
    let sb = Sandbox::outside_tmp();
    let l = Listener::new();
    let mock = writes_and_connects(&sb, &l.port());
    let o = fix(&sb, &mock, &["--sandbox", "off"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(sb.workspace.join("inside.txt").exists());
    assert!(sb.outside().join("x").exists());
    assert!(l.connected());
    let r = results(&mock, &["c1", "c2", "c3"]);
    assert_eq!(r[1], "exit code 0; no output");
    assert_eq!(r[2], "exit code 0\nconnected\n");
}

#[test]
fn the_network_setting_lets_a_connection_through_and_writes_stay_held() {
    let sb = Sandbox::outside_tmp();
    sb.user_config("[sandbox]\nnetwork = true\n");
    let l = Listener::new();
    let mock = writes_and_connects(&sb, &l.port());
    let o = fix(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(l.connected());
    assert!(!sb.outside().join("x").exists(), "a write escaped");
    let r = results(&mock, &["c2", "c3"]);
    assert!(
        r[0].contains("(mode workspace-write, network allowed)"),
        "{}",
        r[0]
    );
    assert_eq!(r[1], "exit code 0\nconnected\n");
}

#[test]
fn a_lint_command_runs_under_the_sandbox() {
    // A linter that writes in the workspace works (its cache); one that writes outside it is
    // stopped, named, and lint-fix says the lint command could not run (exit 4).
    let sb = Sandbox::outside_tmp();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![Reply::answer("nothing to do")]);
    let o = sb
        .against(&mock)
        .args([
            "lint-fix",
            "--cmd",
            "mkdir -p .cache && touch .cache/lint && true",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(sb.workspace.join(".cache/lint").exists());

    let outside = sb.outside().join("lint-cache");
    let o = sb
        .against(&mock)
        .args(["lint-fix", "--cmd", &format!("touch {}", outside.display())])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", both(&o));
    assert!(!outside.exists(), "the linter's write escaped");
    let err = stderr(&o);
    assert!(
        err.contains(&format!(
            "was blocked by the sandbox: write outside the workspace: {}",
            outside.display()
        )),
        "{err}"
    );
    assert!(mock.chat_requests().is_empty(), "no model was asked");
}

#[test]
fn hone_config_shows_the_sandbox_where_it_came_from_and_its_enforcement() {
    let sb = Sandbox::outside_tmp();
    sb.user_config("[sandbox]\nnetwork = true\nwritable = [\"~/.cache/go-build\"]\n");
    let o = sb
        .cmd()
        .args(["config", "--sandbox", "read-only"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let out = stdout(&o);
    let line = |k: &str| {
        out.lines()
            .find(|l| l.starts_with(k))
            .unwrap_or_else(|| panic!("no `{k}` in {out}"))
            .to_string()
    };
    let mode = line("sandbox.mode ");
    assert!(
        mode.contains("read-only") && mode.ends_with("flag --sandbox"),
        "{out}"
    );
    let network = line("sandbox.network ");
    assert!(
        network.contains("true") && network.contains("user file"),
        "{out}"
    );
    let writable = line("sandbox.writable ");
    assert!(
        writable.contains(&sb.home.join(".cache/go-build").display().to_string()),
        "{out}"
    );
    // This kernel gives the whole sandbox: Landlock for writes, seccomp for the network.
    let enforcement = line("sandbox  ");
    assert!(
        enforcement.contains("read-only, network allowed: enforcement full (Landlock ABI "),
        "{out}"
    );
    assert!(enforcement.ends_with(" for writes)"), "{out}");
    let o = sb.cmd().args(["config"]).output().unwrap();
    let out = stdout(&o);
    assert!(
        out.contains("sandbox.mode              workspace-write"),
        "{out}"
    );
}

#[test]
fn stream_json_init_tells_the_mode_and_the_enforcement() {
    let sb = Sandbox::outside_tmp();
    let mock = MockServer::start(vec![Reply::answer("hi")]);
    let o = sb
        .against(&mock)
        .args(["-p", "q", "--output-format", "stream-json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let init: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(init["subtype"], "init");
    let s = &init["sandbox"];
    assert_eq!(s["mode"], "workspace-write");
    assert_eq!(s["network"], "denied");
    assert_eq!(s["enforcement"], "full");
    let detail = s["detail"].as_str().unwrap();
    assert!(
        detail.contains("Landlock ABI") && detail.contains("seccomp for the network"),
        "{detail}"
    );
    // `-v` says the same on stderr; `off` is reported as no enforcement.
    let o = sb
        .against(&mock)
        .args([
            "-p",
            "q",
            "-v",
            "--sandbox",
            "off",
            "--output-format",
            "stream-json",
        ])
        .output()
        .unwrap();
    let init: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(init["sandbox"]["mode"], "off");
    assert_eq!(init["sandbox"]["enforcement"], "none");
    assert!(
        stderr(&o).contains("hone: sandbox: off; enforcement none (the sandbox is off)"),
        "{}",
        stderr(&o)
    );
}
