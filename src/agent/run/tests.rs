//! Tests of the agent's turn loop.
use super::*;

#[test]
fn args_normalise_by_meaning() {
    assert_eq!(
        normalise_args(r#"{"a": 1, "b": "x"}"#),
        normalise_args(r#"{"a":1,"b":"x"}"#)
    );
    assert_eq!(normalise_args(" not json "), "not json");
}

#[test]
fn edit_markers_are_recognised() {
    assert!(looks_like_edit("a\n<<<<<<< SEARCH\n"));
    assert!(!looks_like_edit("just prose"));
}

#[test]
fn the_loop_breaker_fires_on_the_third_same_call_by_meaning() {
    let mut b = LoopBreaker::default();
    assert_eq!(b.record("read_file", r#"{"path": "a"}"#), None);
    assert_eq!(b.record("read_file", r#"{"path":"b"}"#), None);
    assert_eq!(b.record("read_file", r#"{"path":"a"}"#), None);
    assert_eq!(b.record("search", r#"{"path":"a"}"#), None);
    assert_eq!(b.record("read_file", r#"{ "path" : "a" }"#), Some(3));
    assert_eq!(b.record("read_file", r#"{"path":"a"}"#), Some(4));
}

#[test]
fn blocks_refused_by_a_person_or_policy_stop_and_the_rest_go_back_to_the_model() {
    assert_eq!(blocks_next(None), BlocksNext::Stop);
    assert_eq!(blocks_next(Some(&Reply::done("applied"))), BlocksNext::Stop);
    let person = Reply::refused(
        Refusal::Person {
            reason: String::new(),
        },
        "declined",
    );
    assert_eq!(blocks_next(Some(&person)), BlocksNext::Stop);
    let policy = Reply::refused(
        Refusal::Policy {
            reason: "read-only".into(),
        },
        "not allowed",
    );
    assert_eq!(blocks_next(Some(&policy)), BlocksNext::Stop);
    // A path outside the workspace is the model's to correct, not hidden from it.
    let outside = Reply::refused(
        Refusal::OutsideWorkspace {
            path: "/etc/passwd".into(),
        },
        "refused path `/etc/passwd`",
    );
    let BlocksNext::Retry(feedback) = blocks_next(Some(&outside)) else {
        panic!("a refused path must go back to the model");
    };
    assert!(
        feedback.contains("refused path `/etc/passwd`"),
        "{feedback}"
    );
    assert!(matches!(
        blocks_next(Some(&Reply::failed("no match"))),
        BlocksNext::Retry(_)
    ));
}

#[test]
fn reasons_read_as_the_prompts_expect() {
    assert_eq!(reason_suffix(""), "");
    assert_eq!(reason_suffix("too big"), ": too big");
    assert_eq!(reason_suffix(" (read-only)"), " (read-only)");
}
