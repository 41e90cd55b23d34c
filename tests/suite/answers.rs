//! A run's answer reads the same in every front end (`hone fix` as text and JSON, `hone -p`
//! JSON; the REPL and lint-fix in their own suites): one test per way they once differed. An
//! answer restarted after a retry counts once, several messages are never glued, and reasoning
//! streamed before a tool call is kept.

use serde_json::{Value, json};

use crate::support::mock::*;
use crate::support::sandbox::Sandbox;

const MEAN: &str = "def mean(xs):\n    return sum(xs) / len(xs) + 1\n";

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The one JSON object hone printed.
fn json_out(o: &std::process::Output) -> Value {
    let text = String::from_utf8_lossy(&o.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// One streamed model message: reasoning, text, then a tool call, each if given.
fn message(
    reasoning: Option<&str>,
    text: Option<&str>,
    call: Option<(&str, &str, Value)>,
) -> Reply {
    let mut frames = vec![ev_role()];
    frames.extend(reasoning.map(ev_reasoning));
    frames.extend(text.map(ev_text));
    let finish = match &call {
        Some((id, name, args)) => {
            frames.push(ev_tool_call(0, id, name, &args.to_string()));
            "tool_calls"
        }
        None => "stop",
    };
    frames.extend([ev_finish(finish), ev_usage(100, 10, 80, 20, 0), ev_done()]);
    Reply::sse(frames)
}

/// An answer DeepSeek gives up on after some of it was shown (`insufficient_system_resource`,
/// which hone retries), then the whole answer.
fn restarted() -> [Reply; 2] {
    [
        Reply::sse(vec![
            ev_role(),
            ev_reasoning("Doomed thinking."),
            ev_text("Doomed answer."),
            ev_finish("insufficient_system_resource"),
            ev_done(),
        ]),
        message(Some("Fresh thinking."), Some("Fresh answer."), None),
    ]
}

const DISCARDED: &str = "↻ the answer above was cut off and is discarded; it starts over";

#[test]
fn an_answer_restarted_after_a_retry_counts_once_and_is_shown_discarded() {
    let mut replies = Vec::new();
    for _ in 0..3 {
        replies.extend(restarted());
    }
    let mock = MockServer::start(replies);
    let sb = Sandbox::new();

    let o = sb
        .against(&mock)
        .args(["fix", "q", "--yes", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_out(&o);
    assert_eq!(v["answer"], "Fresh answer.");
    assert_eq!(v["reasoning"], "Fresh thinking.");

    // In text, the discarded answer was shown, so the person is told it is void, between the
    // two (`--dry-run` puts the answer on stderr beside the notice).
    let o = sb
        .against(&mock)
        .args(["fix", "q", "--dry-run"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    let at = |needle: &str| {
        err.find(needle)
            .unwrap_or_else(|| panic!("no {needle:?} in:\n{err}"))
    };
    assert!(
        at("Doomed answer.") < at(DISCARDED) && at(DISCARDED) < at("Fresh answer."),
        "{err}"
    );
    assert!(
        err.lines().any(|l| l == DISCARDED),
        "a line of its own:\n{err}"
    );

    let o = sb
        .against(&mock)
        .args(["-p", "q", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json_out(&o);
    assert_eq!(r["result"], "Fresh answer.");
    assert_eq!(r["reasoning"], "Fresh thinking.");
    assert_eq!(mock.chat_requests().len(), 6);
}

#[test]
fn several_messages_of_a_fix_are_not_glued_in_its_json_answer() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("stats.py"), MEAN).unwrap();
    let mock = MockServer::start(vec![
        message(
            None,
            Some("Fixing."),
            Some((
                "c1",
                "edit_file",
                json!({"path": "stats.py", "old_string": " + 1\n", "new_string": "\n"}),
            )),
        ),
        message(None, Some("Fixed mean."), None),
    ]);
    let o = sb
        .against(&mock)
        .args(["fix", "fix mean", "--yes", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_out(&o);
    assert_eq!(v["answer"], "Fixing.\n\nFixed mean.");
    assert_eq!(v["files_changed"], json!(["stats.py"]));
}

#[test]
fn reasoning_streamed_before_a_tool_call_is_in_the_json_results() {
    let first = || {
        message(
            Some("I should read stats.py first."),
            None,
            Some(("c1", "read_file", json!({"path": "stats.py"}))),
        )
    };
    let mock = MockServer::start(vec![
        first(),
        message(None, Some("It adds one."), None),
        first(),
        message(None, Some("It adds one."), None),
    ]);
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("stats.py"), MEAN).unwrap();

    let o = sb
        .against(&mock)
        .args(["-p", "what is wrong?", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = json_out(&o);
    assert_eq!(r["result"], "It adds one.");
    assert_eq!(r["reasoning"], "I should read stats.py first.");

    let o = sb
        .against(&mock)
        .args(["fix", "what is wrong?", "--yes", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_out(&o);
    assert_eq!(v["answer"], "It adds one.");
    assert_eq!(v["reasoning"], "I should read stats.py first.");
}
