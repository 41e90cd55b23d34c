//! The model client: Chat Completions types (with `reasoning_content` and cache usage), the SSE
//! stream turned into [`StreamEvent`]s, tool-call assembly, retries and error kinds.
//!
//! Must not know what a tool means or how anything is shown: it emits events and returns a
//! [`Completion`] or a [`ProviderError`]; the front ends render them. Every difference between
//! providers is data in [`crate::config::ProviderPreset`], never a branch on a name.
//!
//! Layout: `types` (hone's data), `body` (the request as sent), `stream` + `think` (chunks in,
//! events out), `client` (HTTP, timeouts, the retry loop), `retry` (backoff), `sniff` (what a 2xx
//! body is), `status` (HTTP errors into kinds), `error` (the kinds).

mod body;
mod client;
mod error;
mod retry;
mod sniff;
mod sse;
mod status;
mod stream;
mod think;
mod types;

pub use body::Wire;
pub use client::{Client, log_request_bodies};
pub use error::ProviderError;
pub use types::{
    ChatRequest, Completion, FinishReason, Message, Role, StreamEvent, ToolCall, Usage,
};
