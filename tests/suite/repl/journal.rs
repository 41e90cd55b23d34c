//! The way back in the REPL: `/undo list` and `/undo N`, a stale change explained and skipped at
//! a question, `/diff` showing what `/undo` would revert (another hone process's change
//! included), and `/rewind` of the code, the conversation, or both — the next request then
//! starting with the earlier request byte for byte.

use serde_json::json;

use super::*;
use crate::support::calls::edit;

/// Answers "y" to the next edit question.
fn approve(p: &mut PtySession) {
    p.exp_string("Apply?").unwrap();
    p.send_line("y").unwrap();
}

/// Two requests: the typo fix in greet.py, then a new file b.py.
fn two_requests(sb: &Sandbox) -> (MockServer, PtySession) {
    let mock = MockServer::start(vec![
        fix_typo(),
        Reply::answer("Fixed the typo."),
        call(
            "c2",
            "write_file",
            json!({"path": "b.py", "content": "B = 1\n"}),
        ),
        Reply::answer("Wrote b.py."),
    ]);
    let mut p = start(sb, &mock, &[]);
    p.send_line("fix the typo in greet.py").unwrap();
    approve(&mut p);
    p.exp_string("Fixed the typo.").unwrap();
    prompt(&mut p);
    p.send_line("add b.py").unwrap();
    approve(&mut p);
    p.exp_string("Wrote b.py.").unwrap();
    prompt(&mut p);
    (mock, p)
}

#[test]
fn undo_list_and_undo_an_entry_with_everything_after_it() {
    let sb = sandbox_with_greet();
    let (_mock, mut p) = two_requests(&sb);
    p.send_line("/undo list").unwrap();
    let list = prompt(&mut p);
    let second = list.find("#2  just now  \"add b.py\"  b.py").expect(&list);
    let first = list
        .find("#1  just now  \"fix the typo in greet.py\"  greet.py")
        .expect(&list);
    assert!(second < first, "newest first: {list}");

    p.send_line("/undo 1").unwrap();
    let out = prompt(&mut p);
    assert!(
        out.contains("restored greet.py") && out.contains("removed b.py"),
        "{out}"
    );
    assert!(out.contains("undid #2 \"add b.py\", #1"), "{out}");
    assert_eq!(greet(&sb), GREET);
    assert!(!sb.workspace.join("b.py").exists());
    p.send_line("/undo").unwrap();
    p.exp_string("nothing to undo").unwrap();
    prompt(&mut p);
    leave(p);
}

#[test]
fn a_stale_change_is_explained_and_can_be_left_while_the_one_before_is_undone() {
    let sb = sandbox_with_greet();
    let (mock, mut p) = two_requests(&sb);
    std::fs::write(sb.workspace.join("b.py"), "B = 1  # mine\n").unwrap();
    // /diff says where /undo stops, and what it reverts if the stale change is left.
    p.send_line("/diff").unwrap();
    let diff = prompt(&mut p);
    let stops = diff
        .find("b.py was changed after hone wrote it")
        .expect(&diff);
    let rest = diff.find("leaving that as it is").expect(&diff);
    let reverted = diff.find("+    print('hello')").expect(&diff);
    assert!(stops < rest && rest < reverted, "{diff}");
    assert!(!diff.contains("+B = 1"), "{diff}");
    p.send_line("/undo").unwrap();
    p.exp_string("#2 \"add b.py\"").unwrap();
    p.exp_string("b.py was changed after hone wrote it (by you or another program)")
        .unwrap();
    p.exp_string("Leave #2 as it is and undo #1 \"fix the typo in greet.py\" instead? [y/N]")
        .unwrap();
    p.send_line("y").unwrap();
    p.exp_string("restored greet.py").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    assert_eq!(
        read(&sb, "b.py"),
        "B = 1  # mine\n",
        "the person's work stays"
    );

    // The model is told which files went back.
    mock.push(Reply::answer("Noted."));
    p.send_line("go on").unwrap();
    p.exp_string("Noted.").unwrap();
    prompt(&mut p);
    let last = messages(&mock, mock.chat_requests().len() - 1);
    let user = last.last().unwrap()["content"].as_str().unwrap();
    assert!(
        user.contains("reverted changes with /undo: `greet.py`") && user.ends_with("go on"),
        "{user}"
    );
    leave(p);
}

#[test]
fn diff_shows_what_undo_would_revert_including_another_processes_change() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![
        edit("c1", "greet.py", "greet", "welcome"),
        Reply::answer("Renamed."),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("/diff").unwrap();
    p.exp_string("nothing to undo").unwrap();
    prompt(&mut p);
    // Another hone, in the same workspace, while this session waits at its prompt.
    let o = crate::support::fix(&sb, &mock, &["rename greet", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    p.send_line("/diff").unwrap();
    let diff = prompt(&mut p);
    assert!(
        diff.contains("/undo would revert #1 \"rename greet\":"),
        "{diff}"
    );
    for line in [
        "--- a/greet.py",
        "+++ b/greet.py",
        "-def greet():",
        "+def welcome():",
    ] {
        assert!(diff.contains(line), "{line} missing: {diff:?}");
    }
    p.send_line("/undo").unwrap();
    p.exp_string("restored greet.py").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    leave(p);
}

/// The recorded body of chat request `n`.
fn body(mock: &MockServer, n: usize) -> String {
    mock.chat_requests()[n].body.clone()
}

/// The bytes of `body` up to the end of its first `k` messages, and the `,` a later request has
/// after them: what that request must repeat to hit the prefix cache.
fn prefix(body: &str, k: usize) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    let start = body.find("\"messages\":[").unwrap() + "\"messages\":[".len();
    let mut p = body[..start].to_string();
    for m in &v["messages"].as_array().unwrap()[..k] {
        p.push_str(&m.to_string());
        p.push(',');
    }
    let whole = p.strip_suffix(',').unwrap_or(&p);
    assert!(
        body.starts_with(whole),
        "the body is serialised as serde_json does"
    );
    p
}

/// A conversation of three requests: the typo fix (two chat requests), then two questions.
fn three_requests(sb: &Sandbox, last: Reply) -> (MockServer, PtySession) {
    let mock = MockServer::start(vec![
        fix_typo(),
        Reply::answer("Fixed the typo."),
        call(
            "c2",
            "write_file",
            json!({"path": "b.py", "content": "B = 1\n"}),
        ),
        Reply::answer("Wrote b.py."),
        Reply::answer("It prints hello."),
        last,
    ]);
    let mut p = start(sb, &mock, &[]);
    p.send_line("fix the typo in greet.py").unwrap();
    approve(&mut p);
    p.exp_string("Fixed the typo.").unwrap();
    prompt(&mut p);
    p.send_line("add b.py").unwrap();
    approve(&mut p);
    p.exp_string("Wrote b.py.").unwrap();
    prompt(&mut p);
    p.send_line("what does greet do?").unwrap();
    p.exp_string("It prints hello.").unwrap();
    prompt(&mut p);
    (mock, p)
}

#[test]
fn rewind_both_restores_the_files_and_cuts_the_conversation_keeping_the_prefix() {
    let sb = sandbox_with_greet();
    let (mock, mut p) = three_requests(&sb, Reply::answer("Back before b.py."));
    // Asked which request, then what.
    p.send_line("/rewind").unwrap();
    p.exp_string("\"add b.py\"  b.py").unwrap();
    p.exp_string("Rewind to before which request? [1-3]")
        .unwrap();
    p.send_line("2").unwrap();
    p.exp_string("Rewind [b]oth / the [c]ode only / the c[o]nversation only?")
        .unwrap();
    p.send_line("b").unwrap();
    p.exp_string("removed b.py").unwrap();
    p.exp_string("code and conversation rewound to before request 2")
        .unwrap();
    prompt(&mut p);
    assert!(!sb.workspace.join("b.py").exists());
    assert_eq!(read(&sb, "greet.py"), "def greet():\n    print('hello')\n");

    p.send_line("and now?").unwrap();
    p.exp_string("Back before b.py.").unwrap();
    prompt(&mut p);
    // Request 2's first chat request was the third one; the new one repeats it up to its user
    // message, byte for byte, then asks the new question.
    let earlier = messages(&mock, 2);
    let k = earlier.len() - 1;
    let common = prefix(&body(&mock, 2), k);
    let next = body(&mock, 5);
    assert!(next.starts_with(&common), "{next}");
    let now = messages(&mock, 5);
    assert_eq!(now.len(), k + 1, "{now:#?}");
    assert!(now[k]["content"].as_str().unwrap().ends_with("and now?"));
    leave(p);

    // The saved session is the rewound one.
    let mut p = start(&sb, &mock, &["--continue"]);
    mock.push(Reply::answer("Resumed."));
    p.send_line("still there?").unwrap();
    p.exp_string("Resumed.").unwrap();
    prompt(&mut p);
    let resumed = messages(&mock, 6);
    assert_eq!(resumed.len(), k + 3, "{resumed:#?}");
    assert!(
        !resumed.iter().any(|m| m["content"] == "add b.py"),
        "{resumed:#?}"
    );
    leave(p);
}

#[test]
fn rewind_the_conversation_only_keeps_the_files_and_tells_the_model() {
    let sb = sandbox_with_greet();
    let (mock, mut p) = three_requests(&sb, Reply::answer("Conversation rewound."));
    p.send_line("/rewind 2 conversation").unwrap();
    p.exp_string("conversation rewound to before request 2")
        .unwrap();
    prompt(&mut p);
    assert_eq!(read(&sb, "b.py"), "B = 1\n", "the files stay");

    p.send_line("and now?").unwrap();
    p.exp_string("Conversation rewound.").unwrap();
    prompt(&mut p);
    let k = messages(&mock, 2).len() - 1;
    let common = prefix(&body(&mock, 2), k);
    assert!(body(&mock, 5).starts_with(&common));
    let now = messages(&mock, 5);
    assert_eq!(now.len(), k + 1);
    let user = now[k]["content"].as_str().unwrap();
    assert!(
        user.contains("the files were not rewound, so `b.py` keep the changes")
            && user.ends_with("and now?"),
        "{user}"
    );
    leave(p);
}

#[test]
fn rewind_the_code_only_keeps_the_conversation() {
    let sb = sandbox_with_greet();
    let (mock, mut p) = three_requests(&sb, Reply::answer("Code rewound."));
    p.send_line("/rewind 1 code").unwrap();
    p.exp_string("restored greet.py").unwrap();
    p.exp_string("code rewound to before request 1").unwrap();
    prompt(&mut p);
    assert_eq!(greet(&sb), GREET);
    assert!(!sb.workspace.join("b.py").exists());

    p.send_line("and now?").unwrap();
    p.exp_string("Code rewound.").unwrap();
    prompt(&mut p);
    // The whole conversation is kept: the new request repeats the last one entirely.
    let k = messages(&mock, 4).len();
    let common = prefix(&body(&mock, 4), k);
    assert!(body(&mock, 5).starts_with(&common));
    let now = messages(&mock, 5);
    let user = now.last().unwrap()["content"].as_str().unwrap();
    assert!(
        user.contains("rewound the files to before their request \"fix the typo in greet.py\"")
            && user.contains("`b.py`")
            && user.contains("`greet.py`"),
        "{user}"
    );
    leave(p);
}
