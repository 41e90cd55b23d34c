//! Permission modes in the REPL, as a person uses them: Shift-Tab cycles the mode and the prompt
//! shows it; plan mode refuses the edit, then asks what to do with the plan, and accepting it
//! carries the plan out in the same conversation; a repository's settings ask for trust once.

use serde_json::json;

use super::*;

#[test]
fn shift_tab_to_plan_then_accept_carries_the_plan_out() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![
        fix_typo(),
        Reply::answer("1. Fix the typo in greet.py."),
        call(
            "c2",
            "edit_file",
            json!({"path": "greet.py", "old_string": "'helo'", "new_string": "'hello'"}),
        ),
        Reply::answer("Fixed."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    // Shift-Tab twice: accept-edits, then plan; the typed text survives the switch.
    p.send("fix the").unwrap();
    p.flush().unwrap();
    p.send("\x1b[Z").unwrap();
    p.flush().unwrap();
    p.exp_string("mode accept-edits").unwrap();
    p.send("\x1b[Z").unwrap();
    p.flush().unwrap();
    p.exp_string("mode plan").unwrap();
    p.exp_string("plan > ").unwrap();
    p.send_line(" typo").unwrap();
    p.exp_string("Carry out the plan?").unwrap();
    assert_eq!(greet(&sb), GREET, "plan mode changed a file");
    let first = messages(&mock, 0);
    let asked = first.last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(asked.contains("\n\nfix the typo\n\n"), "{asked}");
    assert!(asked.contains("Plan mode"), "{asked}");
    let refused = messages(&mock, 1);
    assert!(
        refused
            .iter()
            .any(|m| m["role"] == "tool"
                && m["content"].as_str().unwrap_or("").contains("plan mode")),
        "{refused:?}"
    );
    p.send_line("y").unwrap();
    // Back in the default mode: the edit is asked.
    p.exp_string("Apply?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("Fixed.").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), "def greet():\n    print('hello')\n");
    // The plan stayed in the conversation: the acceptance extends it.
    let third = messages(&mock, 2);
    assert_eq!(&third[..refused.len()], &refused[..]);
    assert!(
        third.last().unwrap()["content"]
            .as_str()
            .unwrap()
            .contains("accepted the plan"),
        "{third:?}"
    );
    leave(p);
}

#[test]
fn a_repository_asks_for_trust_once() {
    let sb = sandbox_with_greet();
    std::fs::create_dir_all(sb.workspace.join(".claude")).unwrap();
    std::fs::write(
        sb.workspace.join(".claude/settings.json"),
        r#"{"permissions": {"allow": ["Bash(make:*)"]}}"#,
    )
    .unwrap();
    let mock = MockServer::start(vec![]);
    let mut cmd = sb.std_against(&mock);
    cmd.env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("allow rule `Bash(make:*)`").unwrap();
    p.exp_string("Trust this repository's settings").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("/help for commands").unwrap();
    prompt(&mut p);
    leave(p);
    // Remembered: the second start asks nothing.
    let mut p = start(&sb, &mock, &[]);
    p.send_line("/exit").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(!rest.contains("Trust this"), "{rest}");
}

#[test]
fn fix_in_plan_mode_asks_then_applies_the_accepted_plan() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![
        Reply::answer("1. Fix the typo in greet.py."),
        fix_typo(),
        Reply::answer("Fixed."),
    ]);
    let mut cmd = sb.std_against(&mock);
    cmd.args(["fix", "fix the typo", "--permission-mode", "plan"])
        .env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("Carry out the plan?").unwrap();
    assert_eq!(greet(&sb), GREET);
    // `e`: carried out with edits applied unasked.
    p.send_line("e").unwrap();
    p.exp_string("Fixed.").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(greet(&sb), "def greet():\n    print('hello')\n");
    let last = messages(&mock, 1);
    assert!(
        last.last().unwrap()["content"]
            .as_str()
            .unwrap()
            .contains("applied without asking"),
        "{last:?}"
    );
}
