//! The interactive REPL driven through a pseudo-terminal as a person types (rexpect), against the
//! mock server: requests and streamed answers, diffs and approvals, `/undo`, Ctrl-C during a
//! stream, slash commands, multi-line input and `@path` mentions, `--continue`, leaving.

use std::time::Duration;

use rexpect::session::PtySession;
use serde_json::{Value, json};

use super::agent::call;
use crate::support::mock::*;
use crate::support::sandbox::Sandbox;

const GREET: &str = "def greet():\n    print('helo')\n";

/// `hone` in a pty, aimed at `mock`, waiting at its first prompt.
fn start(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> PtySession {
    let mut cmd = sb.std_against(mock);
    cmd.args(args).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).expect("spawn hone in a pty");
    p.exp_string("/help for commands").expect("banner");
    prompt(&mut p);
    p
}

/// Waits for a new prompt: rustyline turns bracketed paste on as each `readline` starts, then
/// draws `> ` after cursor movements only. Returns what came before it.
fn prompt(p: &mut PtySession) -> String {
    p.exp_regex(r"\x1b\[\?2004h(\x1b\[[0-9;?]*[a-zA-Z]|\r)*>(\x1b\[[0-9;]*m)* ")
        .expect("prompt")
        .0
}

fn sandbox_with_greet() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("greet.py"), GREET).unwrap();
    sb
}

fn greet(sb: &Sandbox) -> String {
    std::fs::read_to_string(sb.workspace.join("greet.py")).unwrap()
}

fn fix_typo() -> Reply {
    call(
        "c1",
        "edit_file",
        json!({"path": "greet.py", "old_string": "'helo'", "new_string": "'hello'"}),
    )
}

fn leave(mut p: PtySession) {
    p.send_line("/exit").unwrap();
    p.exp_string("saved").unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
}

/// The messages of the `n`th chat request (0-based).
fn messages(mock: &MockServer, n: usize) -> Vec<Value> {
    mock.chat_requests()[n].json()["messages"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn yes_applies_the_diff_and_undo_restores_it() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Fixed the typo.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo in greet.py").unwrap();
    let shown = p
        .exp_string("Apply? [y]es / [n]o / [a]ll this turn / [f]ull file:")
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
        diff.contains("--- a/greet.py") && diff.contains("+    print('hello')"),
        "{diff}"
    );

    p.send_line("/undo").unwrap();
    p.exp_string("restored greet.py").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    p.send_line("/diff").unwrap();
    p.exp_string("no changes in this session").unwrap();
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
fn commands_ask_and_always_allows_the_same_command() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        call("c1", "run_command", json!({"command": "echo first-run"})),
        call("c2", "run_command", json!({"command": "echo first-run"})),
        Reply::answer("Ran it twice."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("run echo twice").unwrap();
    p.exp_string("Run `echo first-run`? [y]es / [n]o / [!] always this command:")
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
    leave(p);

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
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no saved session"), "{err}");
}

#[test]
fn ctrl_d_and_ctrl_c_twice_leave() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let mut p = start(&sb, &mock, &[]);
    p.send_control('d').unwrap();
    p.exp_eof().unwrap();

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
fn history_persists_and_tab_completes_commands() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let mut p = start(&sb, &mock, &[]);
    p.send("/to\t").unwrap();
    p.send_line("").unwrap();
    p.exp_string("context: ~").unwrap();
    prompt(&mut p);
    leave(p);
    let history =
        std::fs::read_to_string(sb.home.join(".local/state/hone/history")).unwrap();
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
    let out = String::from_utf8_lossy(&o.stdout);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(out.contains("**Plain** answer."), "{out}");
    assert!(err.contains("session: 20 in"), "{err}");
    assert!(!out.contains('\u{1b}') && !err.contains('\u{1b}'), "{out:?} {err:?}");
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
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&id) && err.contains("keep this"), "{err}");

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
