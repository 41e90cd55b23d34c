//! Shared helpers for the end-to-end tests: the mock server and a temporary workspace.
#![allow(dead_code)]

pub mod mock;
pub mod sandbox;
