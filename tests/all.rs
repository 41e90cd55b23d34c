//! The one integration-test binary: every end-to-end test drives the real `hone` binary, most of
//! them against the project's own mock OpenAI-compatible server in `support::mock`.

mod suite;
mod support;
