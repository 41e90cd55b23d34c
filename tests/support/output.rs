//! Reading what a run of `hone` printed.

use std::process::Output;

use super::sandbox::TEST_KEY;

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Both streams, labelled, for an assertion's message.
pub fn both(o: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", stdout(o), stderr(o))
}

/// Asserts the key appears nowhere in what hone printed.
pub fn assert_no_key(o: &Output) {
    for (name, text) in [("stdout", stdout(o)), ("stderr", stderr(o))] {
        assert!(
            !text.contains(TEST_KEY),
            "the key leaked into {name}:\n{text}"
        );
        assert!(
            !text.contains("0123456789abcdef"),
            "part of the key leaked into {name}:\n{text}"
        );
    }
}
