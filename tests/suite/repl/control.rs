//! Leaving, cancelling and coming back: Ctrl-C during a stream, Ctrl-D and Ctrl-C twice,
//! `--continue` and `--resume`, and the commands that change the session (`/model`, `/think`,
//! `/clear`, `/compact`, auto-compaction).

use super::*;

#[test]
fn ctrl_c_during_a_stream_returns_to_the_prompt_and_the_next_request_works() {
    let sb = Sandbox::new();
    let slow = Reply::sse(vec![
        ev_role(),
        ev_text("Starting a long answer"),
        delay_ms(30_000),
        ev_text(" that never ends."),
        ev_finish("stop"),
        ev_done(),
    ]);
    let mock = MockServer::start(vec![slow, Reply::answer("Second answer.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("tell me a long story").unwrap();
    p.exp_string("Starting a long answer").unwrap();
    p.send_control('c').unwrap();
    p.exp_string("cancelled").unwrap();
    prompt(&mut p);
    p.send_line("and now?").unwrap();
    p.exp_string("Second answer.").unwrap();
    prompt(&mut p);
    // The cancelled answer was closed off, so the conversation stays valid.
    let msgs = messages(&mock, 1);
    let roles: Vec<&str> = msgs.iter().map(|m| m["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["system", "user", "assistant", "user"]);
    let cut = msgs[2]["content"].as_str().unwrap();
    assert!(cut.starts_with("Starting a long answer"), "{cut}");
    assert!(cut.contains("interrupted"), "{cut}");
    assert!(msgs[3]["content"].as_str().unwrap().ends_with("and now?"));
    leave(p);
}

#[test]
fn continue_shows_the_earlier_conversation_and_keeps_it() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        Reply::answer("Noted: pineapple."),
        Reply::answer("You said pineapple."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("remember the word pineapple").unwrap();
    p.exp_string("Noted: pineapple.").unwrap();
    prompt(&mut p);
    p.send_line("/exit").unwrap();
    p.exp_string("saved; `hone --continue` picks it up again")
        .unwrap();
    p.exp_eof().unwrap();

    let mut p = start(&sb, &mock, &["--continue"]);
    p.send_line("which word?").unwrap();
    p.exp_string("You said pineapple.").unwrap();
    prompt(&mut p);
    let msgs = messages(&mock, 1);
    let texts: Vec<&str> = msgs.iter().filter_map(|m| m["content"].as_str()).collect();
    assert!(
        texts
            .iter()
            .any(|t| t.ends_with("remember the word pineapple")),
        "{texts:?}"
    );
    assert!(texts.contains(&"Noted: pineapple."), "{texts:?}");
    leave(p);

    // The earlier conversation is shown on resuming.
    let mut cmd = sb.std_against(&mock);
    cmd.args(["--continue"]).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("resumed session").unwrap();
    let shown = p.exp_string("You said pineapple.").unwrap();
    assert!(shown.contains("> remember the word pineapple"), "{shown}");
    prompt(&mut p);
    leave(p);
}

#[test]
fn resume_without_a_saved_session_is_a_usage_error() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let o = sb.against(&mock).arg("--continue").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no saved session"), "{err}");
}

#[test]
fn ctrl_d_and_ctrl_c_twice_leave() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let mut p = start(&sb, &mock, &[]);
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();
    // Nothing was asked: no empty session is left for `--continue` to find.
    let sessions = sb.home.join(".local/state/hone/sessions");
    let saved = crate::support::walk(&sessions);
    assert!(saved.is_empty(), "{saved:?}");

    let mut p = start(&sb, &mock, &[]);
    p.send("half a line").unwrap();
    p.send_control('c').unwrap();
    std::thread::sleep(Duration::from_millis(100));
    p.send_control('c').unwrap();
    p.exp_string("press Ctrl-C again to leave").unwrap();
    p.send_control('c').unwrap();
    p.exp_eof().unwrap();
    assert!(mock.chat_requests().is_empty());
}

#[test]
fn resume_by_id_and_the_list_without_one() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![Reply::answer("Kept."), Reply::answer("Back.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("keep this").unwrap();
    p.exp_string("Kept.").unwrap();
    prompt(&mut p);
    p.send_line("/exit").unwrap();
    let (_, id) = p.exp_regex(r"session [0-9a-z-]+ saved").unwrap();
    p.exp_eof().unwrap();
    let id = id
        .trim_start_matches("session ")
        .trim_end_matches(" saved")
        .to_string();

    // Without a terminal, `--resume` lists the sessions and asks for an id.
    let o = sb.against(&mock).arg("--resume").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(&id) && err.contains("keep this"), "{err}");

    // On a terminal, it asks which one.
    let mut cmd = sb.std_against(&mock);
    cmd.args(["--resume"]).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("resume which? [1-1]").unwrap();
    p.send_line("1").unwrap();
    p.exp_string(&format!("resumed session {id}")).unwrap();
    prompt(&mut p);
    leave(p);

    let mut p = start(&sb, &mock, &["--resume", &id]);
    p.send_line("again").unwrap();
    p.exp_string("Back.").unwrap();
    prompt(&mut p);
    let texts: Vec<String> = messages(&mock, 1)
        .iter()
        .filter_map(|m| m["content"].as_str().map(str::to_string))
        .collect();
    assert!(texts.iter().any(|t| t == "Kept."), "{texts:?}");
    leave(p);
}

#[test]
fn model_think_clear_and_compact() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        Reply::answer("First."),
        Reply::answer("Second."),
        Reply::answer("A summary of the talk."),
        Reply::answer("After clear."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("/model deepseek-v4-pro").unwrap();
    p.exp_string("now asking deepseek-v4-pro").unwrap();
    prompt(&mut p);
    p.send_line("/think off").unwrap();
    p.exp_string("thinking off").unwrap();
    prompt(&mut p);
    p.send_line("one").unwrap();
    p.exp_string("First.").unwrap();
    prompt(&mut p);
    p.send_line("two").unwrap();
    p.exp_string("Second.").unwrap();
    prompt(&mut p);
    let req = mock.chat_requests()[0].json();
    assert_eq!(req["model"], "deepseek-v4-pro");
    assert_eq!(req["thinking"]["type"], "disabled", "{req}");

    p.send_line("/compact").unwrap();
    p.exp_string("compacted the conversation").unwrap();
    prompt(&mut p);
    p.send_line("/clear").unwrap();
    p.exp_string("new conversation").unwrap();
    prompt(&mut p);
    p.send_line("three").unwrap();
    p.exp_string("After clear.").unwrap();
    prompt(&mut p);
    let roles: Vec<String> = messages(&mock, 3)
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(roles, ["system", "user"], "a new conversation");
    leave(p);
}

#[test]
fn auto_compaction_near_the_window_says_so() {
    let sb = Sandbox::new();
    sb.project_config(
        "[retry]\nbase_delay_ms = 10\n\n[providers.deepseek]\ncontext_window = 2500\n",
    );
    let long = "word ".repeat(900);
    let mock = MockServer::start(vec![
        Reply::answer(&long),
        Reply::answer("Summary of the earlier talk."),
        Reply::answer("Still here."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("talk a lot").unwrap();
    prompt(&mut p);
    p.send_line("and now?").unwrap();
    p.exp_string("compacted the conversation").unwrap();
    p.exp_string("Still here.").unwrap();
    prompt(&mut p);
    leave(p);
}
