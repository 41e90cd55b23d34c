//! Compaction: when the conversation nears the model's context window, older turns are replaced
//! by a summary the model writes (with the prompt in `prompts/compact.md`).
//!
//! What stays: the system message (instructions and map), the most recent messages that fit in
//! 40 % of the window (at least the latest round) verbatim, and the list of files the session changed. The cut is always placed before a user or assistant
//! message, so an assistant message with tool calls is never separated from its results. This is
//! the one place where earlier messages change; the transcript records the new conversation
//! whole.

use super::event::{Event, EventSink};
use super::transcript::Line;
use super::{Agent, AgentError};
use crate::provider::{ChatRequest, Message, Role};

/// The share of the context window the verbatim tail may fill after a compaction.
const KEEP_SHARE: f64 = 0.4;

impl Agent {
    pub(super) fn should_compact(&self) -> bool {
        self.context_window > 0
            && self.estimated_tokens() as f64 > self.opts.compact_at * self.context_window as f64
            && self.cut_point().is_some()
    }

    /// Where the kept tail starts. Cuts are allowed only before a user or an assistant message,
    /// never before a tool message, so every tool call stays with its results. The tail keeps
    /// as many recent messages as fit in `keep_share` of the window, and at least the latest
    /// round; `None` when nothing before the tail is left to summarise.
    fn cut_point(&self) -> Option<usize> {
        let candidates: Vec<usize> = self
            .messages
            .iter()
            .enumerate()
            .skip(self.head + 1)
            .filter(|(_, m)| matches!(m.role, Role::User | Role::Assistant))
            .map(|(i, _)| i)
            .collect();
        let budget = (self.context_window as f64 * KEEP_SHARE) as usize;
        let mut cut = *candidates.last()?;
        for &c in candidates.iter().rev().skip(1) {
            let tail: usize = self.messages[c..]
                .iter()
                .map(super::message_chars)
                .sum::<usize>()
                / 4;
            if tail > budget {
                break;
            }
            cut = c;
        }
        (cut > self.head).then_some(cut)
    }

    /// Summarises the messages between the head and the kept tail. Returns whether it compacted.
    pub async fn compact(&mut self, events: &mut dyn EventSink) -> Result<bool, AgentError> {
        let Some(cut) = self.cut_point() else {
            return Ok(false);
        };
        let before = self.estimated_tokens();
        // The same head and tools as every other request, so the summary request hits the cache.
        let mut messages = self.messages[..cut].to_vec();
        messages.push(Message::user(crate::prompts::COMPACT));
        let request = ChatRequest {
            messages,
            tools: self.request().tools,
            tool_choice: None,
        };
        let completion = self.client.complete(&request, &mut |_| {}).await?;
        if let Some(u) = completion.usage {
            self.session_usage += u;
        }
        let mut summary = completion.message.content.unwrap_or_default();
        if !self.changed.is_empty() {
            summary.push_str("\n\nFiles changed so far in this session: ");
            summary.push_str(&self.changed.iter().cloned().collect::<Vec<_>>().join(", "));
        }
        let mut next = self.messages[..self.head].to_vec();
        next.push(Message::user(format!(
            "[Summary of the earlier conversation]\n{summary}"
        )));
        next.push(Message::assistant(
            Some("Understood; continuing from the summary.".to_string()),
            None,
            Vec::new(),
        ));
        next.extend_from_slice(&self.messages[cut..]);
        self.messages = next;
        if let Some(t) = self.transcript.as_mut() {
            t.append(&Line::Compacted {
                messages: self.messages.clone(),
            })?;
        }
        let after = self.estimated_tokens();
        // The next request shares only the head with the last one.
        self.last_request_chars = None;
        events.emit(Event::Notice(format!(
            "compacted the conversation: ~{before} → ~{after} tokens"
        )));
        Ok(true)
    }
}
