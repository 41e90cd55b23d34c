//! One module per capability under test.
mod config;
mod print;
mod provider;
mod real_llm;
mod map;
