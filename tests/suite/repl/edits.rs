//! Edits and commands in the REPL: the coloured diff and its question, yes / no / Ctrl-C at
//! the question, `/diff` and `/undo`, and "always this command".

use serde_json::json;

use super::*;

#[test]
fn yes_applies_the_diff_and_undo_restores_it() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Fixed the typo.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo in greet.py").unwrap();
    let shown = p
        .exp_string("Apply? [y]es / [N]o / [a]ll this turn / [f]ull file / [t] no, tell the model:")
        .unwrap();
    assert!(shown.contains("-    print('helo')"), "{shown}");
    assert!(shown.contains("+    print('hello')"), "{shown}");
    assert!(
        !shown.contains("\u{1b}[32m"),
        "no colour with NO_COLOR: {shown:?}"
    );
    p.send_line("y").unwrap();
    let answer = p.exp_string("Fixed the typo.").unwrap();
    assert!(answer.contains("applied greet.py (+1 -1)"), "{answer}");
    // The one-line usage summary after the turn.
    // (rexpect reads bytes as Latin-1, so the `·` separators are matched as any text.)
    p.exp_regex(r"in \(\d+ cached\) .{1,4} \d+ out .{1,4} \$[0-9.]+ .{1,4} session \$")
        .unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), "def greet():\n    print('hello')\n");

    p.send_line("/diff").unwrap();
    let diff = prompt(&mut p);
    assert!(
        diff.contains("/undo would revert #1 \"fix the typo in greet.py\"")
            && diff.contains("--- a/greet.py")
            && diff.contains("+    print('hello')"),
        "{diff}"
    );

    p.send_line("/undo").unwrap();
    p.exp_string("restored greet.py").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    p.send_line("/diff").unwrap();
    p.exp_string("nothing to undo").unwrap();
    leave(p);
}

#[test]
fn no_leaves_the_file_untouched() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Left it alone.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("Apply?").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Left it alone.").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    let msgs = messages(&mock, 1);
    let result = msgs.iter().find(|m| m["role"] == "tool").unwrap();
    assert!(
        result["content"].as_str().unwrap().contains("declined"),
        "{result}"
    );
    leave(p);
}

#[test]
fn commands_ask_and_always_allows_the_same_command() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        call("c1", "run_command", json!({"command": "echo first-run"})),
        call("c2", "run_command", json!({"command": "echo first-run"})),
        Reply::answer("Ran it twice."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("run echo twice").unwrap();
    p.exp_string(
        "Run `echo first-run`? [y]es / [N]o / [!] always this command / [t] no, tell the model:",
    )
    .unwrap();
    p.send_line("!").unwrap();
    // The second identical call runs without a question.
    p.exp_string("Ran it twice.").unwrap();
    let out = prompt(&mut p);
    assert!(!out.contains("Run `echo"), "asked again: {out}");
    let msgs = messages(&mock, 2);
    let results: Vec<&str> = msgs
        .iter()
        .filter(|m| m["role"] == "tool")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(results.len(), 2);
    assert!(
        results.iter().all(|r| r.contains("first-run")),
        "{results:?}"
    );
    leave(p);
}

/// Regression: Ctrl-C at a question declined, and the run sent one more (paid) request before
/// the cancel was seen. Now the run ends at the question.
#[test]
fn ctrl_c_at_the_question_cancels_the_run_and_sends_nothing_more() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo()]);
    mock.set_fallback(Reply::answer("Next one."));
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("Apply?").unwrap();
    p.send_control('c').unwrap();
    // Read as a key, not a signal: the call's result (`✗ cancelled`), then the run's end.
    p.exp_string("cancelled").unwrap();
    p.exp_string("cancelled").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        mock.chat_requests().len(),
        1,
        "a request went out after Ctrl-C"
    );
    p.send_line("go on").unwrap();
    p.exp_string("Next one.").unwrap();
    prompt(&mut p);
    // The edit call got its answer (cancelled), so the conversation stays valid.
    let msgs = messages(&mock, 1);
    let tool = msgs.iter().find(|m| m["role"] == "tool").unwrap();
    assert!(
        tool["content"].as_str().unwrap().contains("cancelled"),
        "{tool}"
    );
    leave(p);
}
