//! The one integration-test binary: every end-to-end test drives the real `hone` binary, most of
//! them against the project's own mock OpenAI-compatible server in `support::mock`.

#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]
// Helpers outside `#[test]` functions unwrap too; a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod suite;
mod support;
