//! Approvals a person can rely on (issue 15 §5), in the REPL and in `hone fix` through a pty:
//! input typed before a question never answers it, single keys, "no, and tell the model …",
//! Ctrl-C at a question sends nothing more, a question shows a command's control characters
//! escaped, and files that look like secrets are warned about whichever way they are named.

use serde_json::json;

use super::*;

/// The typo fix, streamed only after `delay` (the model "thinks" while the person types).
fn fix_typo_after(delay: Duration) -> Reply {
    let args = json!({"path": "greet.py", "old_string": "'helo'", "new_string": "'hello'"});
    Reply::sse(vec![
        Frame::Delay(delay),
        ev_role(),
        ev_tool_call(0, "c1", "edit_file", &args.to_string()),
        ev_finish("tool_calls"),
        ev_usage(100, 10, 80, 20, 0),
        ev_done(),
    ])
}

/// `hone fix ARGS` in a pty, aimed at `mock`.
fn fix_in_pty(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> PtySession {
    let mut cmd = sb.std_against(mock);
    cmd.arg("fix").args(args).env("TERM", "xterm");
    rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn hone fix in a pty")
}

/// Presses a key (rexpect buffers what it sends until flushed).
fn key(p: &mut PtySession, k: &str) {
    p.send(k).unwrap();
    p.flush().unwrap();
}

fn exit_code(mut p: PtySession) -> i32 {
    p.exp_eof().unwrap();
    match p.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    }
}

/// The tool result of the edit call `c1` in the second request.
fn c1_result(mock: &MockServer) -> String {
    let msgs = messages(mock, 1);
    let tool = msgs.iter().find(|m| m["tool_call_id"] == "c1").unwrap();
    tool["content"].as_str().unwrap().to_string()
}

/// The pty trial's bug: a `y` typed (with Enter) while the model thinks approved the edit the
/// moment its question appeared, unseen.
#[test]
fn a_yes_typed_before_the_question_appears_does_not_answer_it() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![
        fix_typo_after(Duration::from_millis(1200)),
        Reply::answer("Left it."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    mock.wait_for_requests(1, Duration::from_secs(10));
    p.send_line("y").unwrap();
    p.exp_string("Apply?").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(greet(&sb), GREET, "typed-ahead input answered the question");
    assert_eq!(mock.chat_requests().len(), 1);
    key(&mut p, "n");
    p.exp_string("Left it.").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    leave(p);
}

#[test]
fn a_single_key_answers_without_enter() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Fixed.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("[t] no, tell the model:").unwrap();
    key(&mut p, "y");
    p.exp_string("Fixed.").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), "def greet():\n    print('hello')\n");
    leave(p);
}

#[test]
fn enter_takes_the_default_no() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Left it.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("[t] no, tell the model:").unwrap();
    key(&mut p, "\r");
    p.exp_string("Left it.").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    assert!(c1_result(&mock).contains("declined"));
    leave(p);
}

#[test]
fn no_and_tell_the_model_reaches_the_model_with_the_refusal() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Will do.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("[t] no, tell the model:").unwrap();
    key(&mut p, "t");
    p.exp_string("Tell the model:").unwrap();
    p.send_line("keep helo, it is a name").unwrap();
    p.exp_string("Will do.").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    assert_eq!(
        c1_result(&mock),
        "the user declined this edit (the file is unchanged) and says: keep helo, it is a name"
    );
    leave(p);
}

#[test]
fn a_command_question_shows_control_characters_escaped() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "run_command",
            json!({"command": "echo safe\u{1b}[2K\rrm -rf pwned"}),
        ),
        Reply::answer("Not run."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("run it").unwrap();
    let before = p
        .exp_string("Run `echo safe\\u{1b}[2K\\rrm -rf pwned`? [y]es / [N]o")
        .unwrap();
    // (The spinner clears its own line with ESC[2K; the command's never reaches the terminal.)
    assert!(!before.contains("safe\u{1b}"), "{before:?}");
    key(&mut p, "n");
    let after = p.exp_string("Not run.").unwrap();
    assert!(!after.contains("safe\u{1b}"), "{after:?}");
    assert!(!after.contains("\rrm -rf"), "{after:?}");
    prompt(&mut p);
    leave(p);
}

#[test]
fn add_and_at_mentions_warn_about_files_that_look_like_secrets() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join(".env"), "TOKEN=abc123\n").unwrap();
    let mock = MockServer::start(vec![Reply::answer("Seen.")]);
    let mut p = start(&sb, &mock, &[]);
    let note = ".env looks like it holds secrets; it is sent to the model because you named it";
    p.send_line("/add .env").unwrap();
    p.exp_string(note).unwrap();
    p.exp_string("added .env").unwrap();
    prompt(&mut p);
    p.send_line("/drop").unwrap();
    prompt(&mut p);
    p.send_line("what is in @.env").unwrap();
    p.exp_string(note).unwrap();
    p.exp_string("Seen.").unwrap();
    prompt(&mut p);
    leave(p);
}

#[test]
fn fix_ignores_a_yes_typed_before_the_question() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![
        fix_typo_after(Duration::from_millis(1200)),
        Reply::answer("Left it."),
    ]);
    let mut p = fix_in_pty(&sb, &mock, &["fix the typo"]);
    mock.wait_for_requests(1, Duration::from_secs(10));
    p.send_line("y").unwrap();
    p.exp_string("Apply?").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(greet(&sb), GREET, "typed-ahead input answered the question");
    key(&mut p, "n");
    p.exp_string("Left it.").unwrap();
    assert_eq!(exit_code(p), 1);
    assert_eq!(greet(&sb), GREET);
}

#[test]
fn fix_takes_a_single_key() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Fixed.")]);
    let mut p = fix_in_pty(&sb, &mock, &["fix the typo"]);
    p.exp_string("[t] no, tell the model:").unwrap();
    key(&mut p, "y");
    p.exp_string("Fixed.").unwrap();
    assert_eq!(exit_code(p), 0);
    assert_eq!(greet(&sb), "def greet():\n    print('hello')\n");
}

/// Ctrl-C at `hone fix`'s question ends the run: exit 130, the file whole, no further request.
#[test]
fn fix_ctrl_c_at_the_question_ends_the_run_without_another_request() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo()]);
    mock.set_fallback(Reply::answer("should not be asked"));
    let mut p = fix_in_pty(&sb, &mock, &["fix the typo"]);
    p.exp_string("Apply?").unwrap();
    p.send_control('c').unwrap();
    // Read as a key, not a signal: the call's result says so before the run ends.
    p.exp_string("cancelled").unwrap();
    p.exp_string("interrupted").unwrap();
    assert_eq!(exit_code(p), 130);
    assert_eq!(greet(&sb), GREET);
    assert_eq!(
        mock.chat_requests().len(),
        1,
        "a request went out after Ctrl-C"
    );
}

/// After Ctrl-C at the first of two calls, the second is neither asked about nor run; the next
/// message's request answers both, so the conversation stays valid.
#[test]
fn ctrl_c_at_the_first_call_leaves_the_rest_of_the_message_unrun() {
    let sb = sandbox_with_greet();
    let args = json!({"path": "greet.py", "old_string": "'helo'", "new_string": "'hello'"});
    let mock = MockServer::start(vec![crate::support::calls::calls(&[
        ("c1", "edit_file", args),
        ("c2", "run_command", json!({"command": "touch pwned"})),
    ])]);
    mock.set_fallback(Reply::answer("Next one."));
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix and touch").unwrap();
    p.exp_string("Apply?").unwrap();
    p.send_control('c').unwrap();
    let shown = prompt(&mut p);
    assert!(
        !shown.contains("Run `touch"),
        "asked about the second call: {shown}"
    );
    assert!(!sb.workspace.join("pwned").exists());
    assert_eq!(mock.chat_requests().len(), 1);
    p.send_line("go on").unwrap();
    p.exp_string("Next one.").unwrap();
    prompt(&mut p);
    let msgs = messages(&mock, 1);
    for id in ["c1", "c2"] {
        let tool = msgs.iter().find(|m| m["tool_call_id"] == id).unwrap();
        assert!(
            tool["content"].as_str().unwrap().contains("cancelled"),
            "{tool}"
        );
    }
    leave(p);
}

/// Ctrl-C while typing what to tell the model cancels as at the question itself.
#[test]
fn fix_ctrl_c_while_telling_the_model_ends_the_run() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo()]);
    mock.set_fallback(Reply::answer("should not be asked"));
    let mut p = fix_in_pty(&sb, &mock, &["fix the typo"]);
    p.exp_string("Apply?").unwrap();
    key(&mut p, "t");
    p.exp_string("Tell the model:").unwrap();
    key(&mut p, "half a thou");
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    p.exp_string("interrupted").unwrap();
    assert_eq!(exit_code(p), 130);
    assert_eq!(greet(&sb), GREET);
    assert_eq!(mock.chat_requests().len(), 1);
}
