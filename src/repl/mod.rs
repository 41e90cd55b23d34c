//! The interactive REPL (`hone` with no subcommand): line editing with history, completion and
//! multi-line input ([`input`]), slash commands ([`command`], [`slash`]), files added to the
//! conversation and `@path` mentions ([`files`]), the repository map made by a child process
//! ([`map_job`]), the rendering of a run (`ui::render::Terminal`, shared with `hone fix`),
//! asking the person before edits and commands ([`approve`]), and the loop that ties them
//! together ([`session`]).
//!
//! A thin front end: an event renderer plus an approval policy over the agent core. It holds no
//! agent logic — what the conversation contains is the agent's, what the repository map says is
//! the context module's. It may print (it is a front end, like `cmd`). Invariant: the prompt
//! appears without waiting for anything that scales with the repository.

// A front end: it may write to the terminal (clippy.toml refuses it everywhere else).
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

pub mod approve;
pub mod command;
pub mod files;
pub mod input;
pub mod map_job;
mod modes;
pub mod session;
mod slash;

pub use session::{Repl, ReplError, Setup};
