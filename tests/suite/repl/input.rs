//! What the person types and sees: `/add`, `/tokens`, `/cost`, unknown commands, multi-line
//! input, bracketed paste, `@path`, history and completion, colour on a terminal and none off it.

use super::*;

#[test]
fn add_tokens_cost_and_an_unknown_command() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![Reply::answer("I see greet.py.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("/add greet.py").unwrap();
    p.exp_string("added greet.py").unwrap();
    prompt(&mut p);
    p.send_line("/files").unwrap();
    p.exp_string("added files: greet.py").unwrap();
    prompt(&mut p);
    p.send_line("/cmopact").unwrap();
    p.exp_string("unknown command /cmopact; did you mean /compact?")
        .unwrap();
    prompt(&mut p);
    p.send_line("what does it do?").unwrap();
    p.exp_string("I see greet.py.").unwrap();
    prompt(&mut p);
    let msgs = messages(&mock, 0);
    let user = msgs.last().unwrap()["content"].as_str().unwrap();
    assert!(
        user.contains("The user added `greet.py`") && user.contains("print('helo')"),
        "{user}"
    );
    assert!(user.ends_with("what does it do?"), "{user}");

    p.send_line("/tokens").unwrap();
    let tokens = prompt(&mut p);
    for part in [
        "context: ~",
        "system prompt",
        "tool schemas",
        "files",
        "conversation",
    ] {
        assert!(tokens.contains(part), "{part} missing: {tokens}");
    }
    p.send_line("/cost").unwrap();
    p.exp_regex(r"session: 20 in \(16 cached\) .{1,4} 5 out .{1,4} \$")
        .unwrap();
    prompt(&mut p);
    p.send_line("/help").unwrap();
    p.exp_string("/compact").unwrap();
    prompt(&mut p);
    leave(p);
}

#[test]
fn multi_line_input_and_at_mentions() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![Reply::answer("Two lines read.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("explain @greet.py \\").unwrap();
    p.send_line("in two lines").unwrap();
    p.exp_string("Two lines read.").unwrap();
    prompt(&mut p);
    let msgs = messages(&mock, 0);
    let user = msgs.last().unwrap()["content"].as_str().unwrap();
    assert!(
        user.ends_with("explain @greet.py \nin two lines"),
        "{user:?}"
    );
    assert!(user.contains("greet.py\n```\ndef greet():"), "{user}");
    leave(p);
}

#[test]
fn history_persists_and_tab_completes_commands() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let mut p = start(&sb, &mock, &[]);
    p.send("/to\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("context: ~").unwrap();
    prompt(&mut p);
    leave(p);
    let history = std::fs::read_to_string(sb.home.join(".local/state/hone/history")).unwrap();
    assert!(history.contains("/tokens"), "{history}");

    // Up recalls lines from the earlier session (`/exit` last, `/tokens` before it).
    let mut p = start(&sb, &mock, &[]);
    p.send("\x1b[A\x1b[A").unwrap();
    p.send_line("").unwrap();
    p.exp_string("context: ~").unwrap();
    prompt(&mut p);
    leave(p);
}

#[test]
fn pasted_lines_stay_one_message() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![Reply::answer("Pasted.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send("\x1b[200~first pasted line\rsecond pasted line\x1b[201~")
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string("Pasted.").unwrap();
    prompt(&mut p);
    let msgs = messages(&mock, 0);
    let user = msgs.last().unwrap()["content"].as_str().unwrap();
    assert!(
        user.ends_with("first pasted line\nsecond pasted line"),
        "{user:?}"
    );
    leave(p);
}

#[test]
fn colour_on_a_terminal_markdown_code_reasoning_and_diff() {
    let sb = sandbox_with_greet();
    let answer = Reply::sse(vec![
        ev_role(),
        ev_reasoning("Thinking about it."),
        ev_text("# Done\n\nThe **fix**:\n\n```python\ndef gr"),
        ev_text("eet():\n    pass\n```\n"),
        ev_finish("stop"),
        ev_usage(20, 5, 16, 4, 0),
        ev_done(),
    ]);
    let mock = MockServer::start(vec![fix_typo(), answer]);
    let mut cmd = sb.std_against(&mock);
    cmd.env("TERM", "xterm").env_remove("NO_COLOR");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("/help for commands").unwrap();
    prompt(&mut p);
    p.send_line("fix it").unwrap();
    let diff = p.exp_string("Apply?").unwrap();
    assert!(
        diff.contains("\u{1b}[32m+    ") && diff.contains("print('hello')"),
        "a green added line: {diff:?}"
    );
    p.send_line("y").unwrap();
    let out = prompt(&mut p);
    // Reasoning is dimmed; the heading is styled without its `#`; code is highlighted.
    assert!(out.contains("\u{1b}[2mThinking about it."), "{out:?}");
    assert!(out.contains("Done\u{1b}[0m"), "{out:?}");
    assert!(!out.contains("# Done"), "{out:?}");
    assert!(out.contains("fix"), "{out:?}");
    assert!(
        out.contains("def\u{1b}[0m") || out.contains("def\u{1b}[22m"),
        "the keyword is styled: {out:?}"
    );
    leave(p);
}

#[test]
fn without_a_terminal_there_is_no_colour_and_input_ends_the_session() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![Reply::answer("**Plain** answer.")]);
    let o = sb
        .against(&mock)
        .env_remove("NO_COLOR")
        .write_stdin("hello\n/cost\n")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    let err = stderr(&o);
    assert!(out.contains("**Plain** answer."), "{out}");
    assert!(err.contains("session: 20 in"), "{err}");
    assert!(
        !out.contains('\u{1b}') && !err.contains('\u{1b}'),
        "{out:?} {err:?}"
    );
}

#[test]
fn an_answer_restarted_after_a_retry_is_shown_discarded() {
    let sb = Sandbox::new();
    let doomed = Reply::sse(vec![
        ev_role(),
        ev_text("Doomed answer."),
        ev_finish("insufficient_system_resource"),
        ev_done(),
    ]);
    let mock = MockServer::start(vec![doomed, Reply::answer("Fresh answer.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("q").unwrap();
    p.exp_string("Doomed answer.").unwrap();
    // rexpect reads bytes one char each, so only the line's ASCII after "↻" is matched.
    p.exp_string(" the answer above was cut off and is discarded; it starts over")
        .unwrap();
    p.exp_string("Fresh answer.").unwrap();
    prompt(&mut p);
    leave(p);
}
