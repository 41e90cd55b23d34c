//! hone: a terminal coding assistant for any OpenAI-compatible Chat Completions endpoint.
//!
//! The library holds every piece of hone's behaviour; `src/main.rs` only parses arguments and
//! hands them to [`cli::run`]. The crate denies `print_stdout`/`print_stderr` (see `Cargo.toml`):
//! only `ui` and the command front ends under `cmd` may write to the terminal, so the agent core
//! can never leak text into a script's stdout.

pub mod agent;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod context;
pub mod crash;
pub mod edit;
pub mod exit;
pub mod git;
pub mod lint;
pub mod paths;
pub mod permissions;
pub mod prompts;
pub mod provider;
pub mod repl;
pub mod sandbox;
pub mod sanitize;
pub mod tools;
pub mod ui;
