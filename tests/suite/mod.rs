//! One module per capability under test.
mod agent;
mod answers;
mod apply;
mod config;
mod exits;
mod integrity;
mod layering;
mod lint_fix;
mod map;
mod permissions;
mod print;
mod provider;
mod provider_errors;
mod real_llm;
mod repl;
mod sandbox;
mod undo;
