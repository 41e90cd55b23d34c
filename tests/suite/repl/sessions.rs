//! Sessions a person can find: titled by their first request, `hone fix` and `hone -p` runs
//! listed apart and never picked by `--continue`, and a resumed session replaying requests
//! whole (a long one folded with a visible marker).

use super::*;

#[test]
fn sessions_are_titled_and_one_shot_runs_are_listed_apart_and_never_continued() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![
        Reply::answer("Pineapple noted."),
        Reply::answer("Nothing to fix."),
        Reply::answer("Printed."),
        Reply::answer("You said pineapple."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("remember the word pineapple").unwrap();
    p.exp_string("Pineapple noted.").unwrap();
    prompt(&mut p);
    leave(p);
    // Two one-shot runs after it, so they are the newest transcripts.
    crate::support::fix(&sb, &mock, &["look at greet.py", "--yes"]);
    sb.against(&mock)
        .args(["-p", "print something"])
        .output()
        .unwrap();
    assert_eq!(mock.chat_requests().len(), 3);

    let o = sb.against(&mock).arg("--resume").output().unwrap();
    let list = stderr(&o);
    let session = list.find("remember the word pineapple").expect(&list);
    let apart = list.find("one-shot runs").expect(&list);
    assert!(session < apart, "{list}");
    assert!(
        list[apart..].contains("hone fix  look at greet.py"),
        "{list}"
    );
    assert!(list[apart..].contains("hone -p  print something"), "{list}");

    // `--continue` takes the interactive session, not the newer runs.
    let mut p = start(&sb, &mock, &["--continue"]);
    p.send_line("which word?").unwrap();
    p.exp_string("You said pineapple.").unwrap();
    prompt(&mut p);
    let msgs = messages(&mock, 3);
    assert!(
        msgs.iter().any(|m| m["content"]
            .as_str()
            .is_some_and(|c| c.ends_with("pineapple"))),
        "{msgs:#?}"
    );
    assert!(
        !msgs.iter().any(|m| m["content"] == "Printed."),
        "{msgs:#?}"
    );
    leave(p);
}

#[test]
fn a_resumed_session_replays_requests_whole_and_folds_long_ones() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        Reply::answer("Read all thirty."),
        Reply::answer("Short answer."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    // A pasted request: two paragraphs, thirty lines.
    let mut lines: Vec<String> = (1..=30).map(|i| format!("pasted line {i}")).collect();
    lines.insert(2, String::new());
    p.send(&format!("\x1b[200~{}\x1b[201~", lines.join("\r")))
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string("Read all thirty.").unwrap();
    prompt(&mut p);
    p.send("\x1b[200~first line\r\rand a second paragraph\x1b[201~")
        .unwrap();
    p.send_line("").unwrap();
    p.exp_string("Short answer.").unwrap();
    prompt(&mut p);
    leave(p);

    let mut cmd = sb.std_against(&mock);
    cmd.args(["--continue"]).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("resumed session").unwrap();
    let shown = prompt(&mut p);
    // The first lines as typed, from the very first (not only the last paragraph), then the
    // marker; nothing cut silently.
    assert!(shown.contains("> pasted line 1\r\n"), "{shown}");
    assert!(shown.contains("> pasted line 9\r\n"), "{shown}");
    assert!(shown.contains("(21 more lines)"), "{shown}");
    assert!(!shown.contains("pasted line 10"), "{shown}");
    assert!(
        shown.contains("> first line\r\n> \r\n> and a second paragraph"),
        "{shown:?}"
    );
    leave(p);
}
