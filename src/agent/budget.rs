//! Where a request's tokens go, and context that waits for the next user message.
//!
//! [`Breakdown`] splits the next request by part — system prompt, tool schemas, project
//! instructions, repo map, files added during the session, conversation — against the model's
//! window, for `/tokens`. Estimates use [`crate::context::tokens_for_chars`], the one estimate
//! hone has; the provider's own count arrives with each answer's usage.
//!
//! Context that arrives mid-session (a refreshed map, a file's new content, a newly added file)
//! is never spliced into messages already sent: it is queued and rides at the front of the next
//! user message, so every request still starts with the previous one byte for byte.

use super::transcript::Line;
use super::{Agent, AgentError, SystemParts, message_chars};
use crate::provider::Role;

/// What kind of context is queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
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

/// Estimated tokens of a text of `chars` characters (the one estimate,
/// [`crate::context::tokens_for_chars`]).
pub fn tokens(chars: usize) -> u64 {
    crate::context::tokens_for_chars(chars) as u64
}

impl Agent {
    /// Queues context for the front of the next user message.
    pub fn queue_context(&mut self, kind: ContextKind, text: String) {
        self.pending.push((kind, text));
    }

    /// Takes the queued context, prefixed to `input`; counts file and map characters sent.
    pub(super) fn take_pending(&mut self, input: &str) -> Result<String, AgentError> {
        if self.pending.is_empty() {
            return Ok(input.to_string());
        }
        let mut out = String::new();
        for (kind, text) in std::mem::take(&mut self.pending) {
            self.note_context(kind, text.len())?;
            out.push_str(&text);
            out.push_str("\n\n");
        }
        out.push_str(input);
        Ok(out)
    }

    /// Counts context sent for the breakdown, and records it in the transcript so a resumed
    /// session knows it (a map already sent is not sent again).
    pub(super) fn note_context(
        &mut self,
        kind: ContextKind,
        chars: usize,
    ) -> Result<(), AgentError> {
        self.marks.context(self.messages.len(), kind, chars);
        match kind {
            ContextKind::File => self.file_chars += chars,
            ContextKind::Map => {
                self.map_chars += chars;
                self.map_sent = true;
            }
        }
        if let Some(t) = self.transcript.as_mut() {
            t.append(&Line::Context { kind, chars })?;
        }
        Ok(())
    }

    /// The next request, by part.
    pub fn breakdown(&self) -> Breakdown {
        let system = self
            .messages
            .first()
            .filter(|m| m.role == Role::System)
            .map_or("", |m| m.text());
        let SystemParts {
            prompt,
            instructions,
            map,
        } = self.system_parts;
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
    fn the_system_message_knows_its_parts_by_construction() {
        use super::super::{EditFormat, system_message};
        let (s, p) = system_message(EditFormat::Tools, None, None);
        assert_eq!((p.prompt, p.instructions, p.map), (s.len(), 0, 0));
        let (s, p) = system_message(EditFormat::Tools, Some("rules"), Some("a.rs\n  fn a()"));
        assert_eq!(p.prompt + p.instructions + p.map, s.len());
        assert_eq!(p.instructions, "rules".len());
        assert!(s[s.len() - p.map..].ends_with("fn a()"));
        // A heading in the instructions is only text: nothing searches for it.
        let (s, p) = system_message(EditFormat::Tools, Some("Repository map (x):\nrules"), None);
        assert_eq!(p.map, 0);
        assert_eq!(p.prompt + p.instructions, s.len());
    }

    #[test]
    fn token_estimate_rounds_up() {
        assert_eq!(tokens(0), 0);
        assert_eq!(tokens(1), 1);
        assert_eq!(tokens(7), 2);
        assert_eq!(tokens(8), 3);
    }
}
