//! Command rules that cannot be smuggled (issue 15 §4), end to end: `hone -p` with
//! `--allowed-tools "run_command(echo:*)"` gets `run_command` calls that hide a second command
//! (`touch pwned-…`) behind an allowed `echo`. Nothing of them runs, and the model is told why;
//! a compound of allowed parts and a wrapped allowed command do run.

use serde_json::json;

use crate::support::calls::{calls, tool_result};
use crate::support::mock::*;
use crate::support::output::stderr;
use crate::support::sandbox::Sandbox;

const RULES: &str = "run_command(echo:*) run_command(cargo test:*)";

/// Each bypass of issue 15 §4: the command, and what the model must be told.
const BYPASSES: &[(&str, &str)] = &[
    (
        "cargo test & touch pwned-bg",
        "`touch pwned-bg` (after `&`) is not allowed by any rule",
    ),
    (
        "echo hi & touch pwned-amp",
        "`touch pwned-amp` (after `&`) is not allowed by any rule",
    ),
    (
        "echo hi; touch pwned-semi",
        "`touch pwned-semi` (after `;`) is not allowed by any rule",
    ),
    (
        "echo hi | touch pwned-pipe",
        "`touch pwned-pipe` (after `|`) is not allowed by any rule",
    ),
    (
        "echo hi && touch pwned-and",
        "`touch pwned-and` (after `&&`) is not allowed by any rule",
    ),
    (
        "false || touch pwned-or",
        "`false` is not allowed by any rule",
    ),
    (
        "echo hi || touch pwned-or2",
        "`touch pwned-or2` (after `||`) is not allowed by any rule",
    ),
    (
        "echo hi\ntouch pwned-newline",
        "`touch pwned-newline` (on its own line) is not allowed by any rule",
    ),
    (
        "echo $(touch pwned-subst)",
        "it runs another command inside it (`$(`)",
    ),
    (
        "echo `touch pwned-backtick`",
        "it runs another command inside it (between backticks)",
    ),
    (
        "echo <(touch pwned-procsubst)",
        "it runs another command inside it (`<(`)",
    ),
    (
        "echo hi > pwned-redirect",
        "it redirects input or output (`>`)",
    ),
    (
        "echo hi 2>&1 >> pwned-redirect2",
        "it redirects input or output (`>&`)",
    ),
    (
        "echo hi <<EOF\n$(touch pwned-heredoc)\nEOF",
        "it redirects input or output (`<<`)",
    ),
    (
        "PATH=. echo hi",
        "it sets a variable for the command (`PATH=.`)",
    ),
    (
        "echo hi\\\n; touch pwned-continued",
        "it holds a backslash outside single quotes",
    ),
];

#[test]
fn no_bypass_of_a_prefix_rule_runs_and_the_model_is_told_why() {
    let sb = Sandbox::new();
    let list: Vec<(String, &str, serde_json::Value)> = BYPASSES
        .iter()
        .enumerate()
        .map(|(i, (command, _))| {
            (
                format!("c{i}"),
                "run_command",
                json!({ "command": command }),
            )
        })
        .collect();
    let borrowed: Vec<(&str, &str, serde_json::Value)> = list
        .iter()
        .map(|(id, name, args)| (id.as_str(), *name, args.clone()))
        .collect();
    let mock = MockServer::start(vec![calls(&borrowed), Reply::answer("done")]);
    let o = sb
        .against(&mock)
        .args(["-p", "run these", "--allowed-tools", RULES])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left: Vec<String> = std::fs::read_dir(&sb.workspace)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("pwned"))
        .collect();
    assert!(left.is_empty(), "these ran: {left:?}");
    let req = mock.chat_requests()[1].json();
    for (i, (command, why)) in BYPASSES.iter().enumerate() {
        let result = tool_result(&req, &format!("c{i}"));
        assert!(
            result.contains(&format!(
                "`{command}` is not allowed by this session's policy"
            )),
            "{command:?}: {result}"
        );
        assert!(result.contains(why), "{command:?}: {result}");
    }
}

#[test]
fn a_compound_of_allowed_parts_and_a_wrapped_allowed_command_run() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        calls(&[
            (
                "c1",
                "run_command",
                json!({"command": "echo one && echo 'two  words'"}),
            ),
            ("c2", "run_command", json!({"command": "timeout 5 echo hi"})),
            (
                "c3",
                "run_command",
                json!({"command": "nice -n 5 env echo wrapped"}),
            ),
        ]),
        Reply::answer("done"),
    ]);
    let o = sb
        .against(&mock)
        .args(["-p", "run these", "--allowed-tools", RULES])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let req = mock.chat_requests()[1].json();
    assert_eq!(tool_result(&req, "c1"), "exit code 0\none\ntwo  words\n");
    assert_eq!(tool_result(&req, "c2"), "exit code 0\nhi\n");
    assert_eq!(tool_result(&req, "c3"), "exit code 0\nwrapped\n");
}

#[test]
fn a_rule_a_command_line_could_not_match_is_a_usage_error() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    for rule in [
        "run_command(* install)",
        "run_command(echo hi > x)",
        "run_command(a && b)",
    ] {
        let o = sb
            .against(&mock)
            .args(["-p", "x", "--allowed-tools", rule])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{rule}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("cannot understand the tool rule"),
            "{}",
            stderr(&o)
        );
    }
    assert!(mock.chat_requests().is_empty());
}
