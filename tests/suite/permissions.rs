//! Permissions end to end: rules from each settings file (hone's and Claude Code's, user and
//! project) and their precedence, what an untrusted repository may and may not do, plan mode
//! (nothing changes, the tool list is the default mode's byte for byte), protected settings
//! paths, path rules judged where a symlink leads, and `hone trust`.

use serde_json::{Value, json};

use crate::support::calls::{call, calls, tool_result, user_messages};
use crate::support::mock::*;
use crate::support::output::{both, stderr, stdout};
use crate::support::read;
use crate::support::sandbox::Sandbox;

fn p(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> std::process::Output {
    sb.against(mock).arg("-p").args(args).output().unwrap()
}

fn write(sb: &Sandbox, rel: &str, text: &str) {
    let path = sb.workspace.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn write_home(sb: &Sandbox, rel: &str, text: &str) {
    let path = sb.home.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// One edit of `a.txt` and one command, then an answer.
fn edit_and_command(command: &str) -> Vec<Reply> {
    vec![
        calls(&[
            (
                "e1",
                "edit_file",
                json!({"path": "a.txt", "old_string": "x", "new_string": "y"}),
            ),
            ("c1", "run_command", json!({"command": command})),
        ]),
        Reply::answer("done"),
    ]
}

#[test]
fn claude_code_settings_rules_apply_with_deny_over_allow() {
    let sb = Sandbox::new();
    write(&sb, "a.txt", "x\n");
    // The person's own Claude Code settings allow the command; the repository denies edits
    // to a.txt, which beats --yes.
    write_home(
        &sb,
        ".claude/settings.json",
        r#"{"permissions": {"allow": ["Bash(echo:*)"]}, "model": "opus"}"#,
    );
    write(
        &sb,
        ".claude/settings.json",
        r#"{"permissions": {"deny": ["Edit(a.txt)"]}}"#,
    );
    let mock = MockServer::start(edit_and_command("echo hi"));
    let o = p(&sb, &mock, &["go", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "a.txt"), "x\n");
    let req = mock.chat_requests()[1].json();
    let why = tool_result(&req, "e1");
    assert!(
        why.contains("`Edit(a.txt)`") && why.contains(".claude/settings.json"),
        "{why}"
    );
    assert_eq!(tool_result(&req, "c1"), "exit code 0\nhi\n");
}

#[test]
fn an_untrusted_repository_may_deny_but_not_allow() {
    let sb = Sandbox::new();
    write(&sb, "a.txt", "x\n");
    write(
        &sb,
        ".hone/config.toml",
        "[permissions]\nallow = [\"run_command(touch:*)\"]\ndeny = [\"run_command(echo:*)\"]\n",
    );
    let mock = MockServer::start(vec![
        calls(&[
            ("c1", "run_command", json!({"command": "touch made"})),
            ("c2", "run_command", json!({"command": "echo hi"})),
        ]),
        Reply::answer("done"),
    ]);
    let o = p(
        &sb,
        &mock,
        &["go", "--allowed-tools", "run_command(echo:*)"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // The allow rule was set aside, and said so; the deny rule beats the flag's allow.
    assert!(!sb.workspace.join("made").exists());
    assert!(
        stderr(&o).contains("set aside until you trust")
            && stderr(&o).contains("run_command(touch:*)"),
        "{}",
        stderr(&o)
    );
    let req = mock.chat_requests()[1].json();
    assert!(tool_result(&req, "c1").contains("not allowed"));
    assert!(tool_result(&req, "c2").contains("`run_command(echo:*)`"));

    // Trusted for this run: the allow rule counts.
    let mock = MockServer::start(vec![
        call("c1", "run_command", json!({"command": "touch made"})),
        Reply::answer("done"),
    ]);
    let o = p(&sb, &mock, &["go", "--trust-project"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(sb.workspace.join("made").exists());
}

#[test]
fn a_repository_may_not_pick_the_provider_the_key_goes_to_until_trusted() {
    let sb = Sandbox::new();
    write(&sb, ".hone/config.toml", "provider = \"ollama\"\n");
    let o = sb
        .cmd()
        .args(["config"])
        .env("HONE_API_KEY", "sk-test-key-123456")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
    assert!(stderr(&o).contains("sets `provider`"), "{}", stderr(&o));
    assert!(stderr(&o).contains("hone trust"), "{}", stderr(&o));
    assert!(!both(&o).contains("sk-test-key-123456"));
    // `hone trust` remembers it, outside the repository.
    let t = sb.cmd().arg("trust").output().unwrap();
    assert_eq!(t.status.code(), Some(0), "{}", both(&t));
    let o = sb
        .cmd()
        .args(["config"])
        .env("HONE_API_KEY", "sk-test-key-123456")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(stdout(&o).contains("ollama"));
    assert!(!sb.workspace.join(".hone/trusted-projects.json").exists());
    let t = sb.cmd().args(["trust", "--revoke"]).output().unwrap();
    assert_eq!(t.status.code(), Some(0), "{}", both(&t));
    let o = sb
        .cmd()
        .args(["config"])
        .env("HONE_API_KEY", "sk-test-key-123456")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", both(&o));
}

#[test]
fn plan_mode_changes_nothing_and_sends_the_same_tools() {
    let sb = Sandbox::new();
    write(&sb, "a.txt", "x\n");
    let mock = MockServer::start(edit_and_command("touch made"));
    let o = p(
        &sb,
        &mock,
        &[
            "go",
            "--permission-mode",
            "plan",
            "--yes",
            "--allowed-tools",
            "Bash(touch:*)",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "a.txt"), "x\n");
    assert!(!sb.workspace.join("made").exists());
    let reqs = mock.chat_requests();
    let req = reqs[1].json();
    assert!(tool_result(&req, "e1").contains("plan mode"));
    assert!(tool_result(&req, "c1").contains("plan mode"));
    assert!(user_messages(&req)[0].contains("Plan mode"));

    // The default mode's first request carries the same tools, byte for byte.
    let mock2 = MockServer::start(vec![Reply::answer("ok")]);
    let o = p(&sb, &mock2, &["go"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let tools = |r: &Value| serde_json::to_string(&r["tools"]).unwrap();
    assert_eq!(
        tools(&reqs[0].json()),
        tools(&mock2.chat_requests()[0].json())
    );
    let system = |r: &Value| r["messages"][0].to_string();
    assert_eq!(
        system(&reqs[0].json()),
        system(&mock2.chat_requests()[0].json())
    );
}

#[test]
fn settings_files_are_never_written_by_a_policy() {
    let sb = Sandbox::new();
    let state = |path: &str| std::fs::read_to_string(sb.workspace.join(path)).ok();
    for path in [".hone/config.toml", ".claude/settings.json", ".mcp.json"] {
        let mock = MockServer::start(vec![
            call(
                "w1",
                "write_file",
                json!({"path": path, "content": "[permissions]\nallow = [\"Bash\"]\n"}),
            ),
            Reply::answer("done"),
        ]);
        // (`against` writes the workspace's .hone/config.toml: its retry settings.)
        let o = p(&sb, &mock, &["go", "--yes", "--allowed-tools", "Edit"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let why = tool_result(&mock.chat_requests()[1].json(), "w1");
        assert!(why.contains("own settings"), "{why}");
        let written = |s: Option<String>| s.is_some_and(|s| s.contains("allow") || s == "x");
        assert!(!written(state(path)), "{path} was written");
        let mock = MockServer::start(vec![
            call("w1", "write_file", json!({"path": path, "content": "x"})),
            Reply::answer("done"),
        ]);
        let f = crate::support::fix(&sb, &mock, &["go", "--yes"]);
        assert!(!written(state(path)), "{path} written by fix: {}", both(&f));
    }
}

#[test]
fn path_rules_are_judged_where_a_symlink_leads() {
    let sb = Sandbox::new();
    write(&sb, "build.rs", "x\n");
    write(&sb, "src/lib.rs", "x\n");
    std::os::unix::fs::symlink("..", sb.workspace.join("src/up")).unwrap();
    let mock = MockServer::start(vec![
        calls(&[
            (
                "e1",
                "edit_file",
                json!({"path": "src/up/build.rs", "old_string": "x", "new_string": "y"}),
            ),
            (
                "e2",
                "edit_file",
                json!({"path": "src/lib.rs", "old_string": "x", "new_string": "y"}),
            ),
        ]),
        Reply::answer("done"),
    ]);
    let o = p(&sb, &mock, &["go", "--allowed-tools", "edit_file(src/**)"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "build.rs"), "x\n");
    assert_eq!(read(&sb, "src/lib.rs"), "y\n");
    let why = tool_result(&mock.chat_requests()[1].json(), "e1");
    assert!(why.contains("outside the allowed paths"), "{why}");
}

#[test]
fn read_deny_rules_refuse_and_hide() {
    let sb = Sandbox::new();
    write(&sb, "secrets/db.txt", "password=hunter2\n");
    write(&sb, "src/a.txt", "password lookup\n");
    write(
        &sb,
        ".claude/settings.json",
        r#"{"permissions": {"deny": ["Read(./secrets/**)"]}}"#,
    );
    let mock = MockServer::start(vec![
        calls(&[
            ("r1", "read_file", json!({"path": "secrets/db.txt"})),
            ("r2", "search", json!({"pattern": "password"})),
            ("r3", "list_files", json!({})),
        ]),
        Reply::answer("done"),
    ]);
    let o = p(&sb, &mock, &["go"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let req = mock.chat_requests()[1].json();
    assert!(tool_result(&req, "r1").contains("not allowed"));
    let found = tool_result(&req, "r2");
    assert!(
        found.contains("src/a.txt") && !found.contains("hunter2"),
        "{found}"
    );
    assert!(!tool_result(&req, "r3").contains("secrets/"));
}

#[test]
fn bypass_needs_the_dangerous_flag_and_init_names_the_mode() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![Reply::answer("ok"), Reply::answer("ok")]);
    let o = p(
        &sb,
        &mock,
        &["go", "--permission-mode", "bypass", "--sandbox", "off"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--dangerously-skip-permissions"),
        "{}",
        stderr(&o)
    );
    let o = p(
        &sb,
        &mock,
        &[
            "go",
            "--permission-mode",
            "accept-edits",
            "--output-format",
            "stream-json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let init: Value = serde_json::from_str(stdout(&o).lines().next().unwrap()).unwrap();
    assert_eq!(init["permissionMode"], "acceptEdits");
}

#[test]
fn hone_config_lists_every_rule_and_where_it_came_from() {
    let sb = Sandbox::new();
    write(
        &sb,
        ".claude/settings.json",
        r#"{"permissions": {"deny": ["Read(./secrets/**)"], "allow": ["Bash(make:*)"]}}"#,
    );
    write_home(
        &sb,
        ".config/hone/config.toml",
        "[permissions]\nallow = [\"Bash(cargo test:*)\"]\ndefault_mode = \"accept-edits\"\n",
    );
    let o = sb
        .cmd()
        .args(["config", "--disallowed-tools", "Bash(rm:*)"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let out = stdout(&o);
    for want in [
        "accept-edits",
        "allow  Bash(cargo test:*)",
        "deny   Read(./secrets/**)",
        "deny   Bash(rm:*)",
        "flag --disallowed-tools",
        "set aside until trusted: allow rule `Bash(make:*)`",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
}
