//! Where a request's tokens go, and context that waits for the next user message.
//!
//! [`Breakdown`] splits the next request by part — system prompt, tool schemas, project
//! instructions, repo map, files added during the session, conversation — against the model's
//! window, for `/tokens`. Estimates use four characters a token (the figure tokenizers of code
//! models average on source text); the provider's own count arrives with each answer's usage.
//!
//! Context that arrives mid-session (a refreshed map, a file's new content, a newly added file)
//! is never spliced into messages already sent: it is queued and rides at the front of the next
//! user message, so every request still starts with the previous one byte for byte.

use super::{Agent, message_chars};
use crate::provider::Role;

/// Marker between the system prompt and the project context in the system message.
pub const CONTEXT_MARK: &str = "\n\nProject context follows";
/// Marker before the repo map inside the project context.
pub const MAP_MARK: &str = "\n\nRepository map (";

/// What kind of context is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContextKind {
    /// A file's content, added by the person or refreshed after a change.
    File,
    /// A repo map that became ready or was refreshed.
    Map,
}

/// Estimated tokens of the next request, by part.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Breakdown {
    pub system: u64,
    pub tools: u64,
    pub instructions: u64,
    pub map: u64,
    pub files: u64,
    pub conversation: u64,
    /// The model's context window (0 when unknown).
    pub window: u64,
}

impl Breakdown {
    pub fn total(&self) -> u64 {
        self.system + self.tools + self.instructions + self.map + self.files + self.conversation
    }
}

/// Estimated tokens of a text.
pub fn tokens(chars: usize) -> u64 {
    chars.div_ceil(4) as u64
}

/// Splits a system message into (prompt, instructions, map) character counts.
pub fn split_system(system: &str) -> (usize, usize, usize) {
    let Some(at) = system.find(CONTEXT_MARK) else {
        return (system.len(), 0, 0);
    };
    let context = &system[at..];
    match context.find(MAP_MARK) {
        Some(m) => (at, m, context.len() - m),
        None => (at, context.len(), 0),
    }
}

impl Agent {
    /// Queues context for the front of the next user message.
    pub fn queue_context(&mut self, kind: ContextKind, text: String) {
        self.pending.push((kind, text));
    }

    /// Takes the queued context, prefixed to `input`; counts file and map characters sent.
    pub(super) fn take_pending(&mut self, input: &str) -> String {
        if self.pending.is_empty() {
            return input.to_string();
        }
        let mut out = String::new();
        for (kind, text) in self.pending.drain(..) {
            match kind {
                ContextKind::File => self.file_chars += text.len(),
                ContextKind::Map => self.map_chars += text.len(),
            }
            out.push_str(&text);
            out.push_str("\n\n");
        }
        out.push_str(input);
        out
    }

    /// The next request, by part.
    pub fn breakdown(&self) -> Breakdown {
        let system = self
            .messages
            .first()
            .filter(|m| m.role == Role::System)
            .map_or("", |m| m.text());
        let (prompt, instructions, map) = split_system(system);
        let all: usize = self.messages.iter().map(message_chars).sum();
        let tools = match self.opts.edit_format {
            super::EditFormat::Tools => crate::prompts::TOOLS_JSON.len(),
            super::EditFormat::Blocks => 0,
        };
        let conversation = all.saturating_sub(system.len() + self.file_chars + self.map_chars);
        Breakdown {
            system: tokens(prompt),
            tools: tokens(tools),
            instructions: tokens(instructions),
            map: tokens(map + self.map_chars),
            files: tokens(self.file_chars),
            conversation: tokens(conversation),
            window: self.context_window,
        }
    }

    /// The share of the last request that repeated the request before it byte for byte
    /// (`None` before the second request).
    pub fn last_prefix_share(&self) -> Option<f64> {
        self.prefix_share
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_the_system_message() {
        assert_eq!(split_system("prompt"), (6, 0, 0));
        let s = format!("prompt{CONTEXT_MARK} x\nrules{MAP_MARK}map)");
        let (p, i, m) = split_system(&s);
        assert_eq!(p, 6);
        assert_eq!(p + i + m, s.len());
        assert_eq!(&s[p + i..], format!("{MAP_MARK}map)"));
    }

    #[test]
    fn token_estimate_rounds_up() {
        assert_eq!(tokens(0), 0);
        assert_eq!(tokens(1), 1);
        assert_eq!(tokens(8), 2);
    }
}
