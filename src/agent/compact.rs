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
use crate::prompts::{Text, text};
use crate::provider::{ChatRequest, Message, Role};

/// The share of the context window the verbatim tail may fill after a compaction.
const KEEP_SHARE: f64 = 0.4;

/// Where the kept tail of `messages` starts (`head` messages are the fixed system part). Cuts are
/// allowed only before a user or an assistant message, never before a tool message, so every
/// tool call stays with its results. The tail keeps as many recent messages as fit in
/// [`KEEP_SHARE`] of `window` tokens, and at least the latest round; `None` when nothing before
/// the tail is left to summarise.
pub(super) fn cut_point(messages: &[Message], head: usize, window: u64) -> Option<usize> {
    let candidates: Vec<usize> = messages
        .iter()
        .enumerate()
        .skip(head + 1)
        .filter(|(_, m)| matches!(m.role, Role::User | Role::Assistant))
        .map(|(i, _)| i)
        .collect();
    let budget = (window as f64 * KEEP_SHARE) as usize;
    let mut cut = *candidates.last()?;
    for &c in candidates.iter().rev().skip(1) {
        let tail =
            crate::context::tokens_for_chars(messages[c..].iter().map(super::message_chars).sum());
        if tail > budget {
            break;
        }
        cut = c;
    }
    (cut > head).then_some(cut)
}

impl Agent {
    pub(super) fn should_compact(&self) -> bool {
        self.context_window > 0
            && self.estimated_tokens() as f64 > self.opts.compact_at * self.context_window as f64
            && self.cut_point().is_some()
    }

    fn cut_point(&self) -> Option<usize> {
        cut_point(&self.messages, self.head, self.context_window)
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
            cache_key: Some(self.session_id.clone()),
        };
        let sent_at = (self.clock)();
        let completion = self.client.complete(&request, &mut |_| {}).await?;
        if let Some(u) = completion.usage {
            self.charge(u, sent_at);
        }
        let mut summary = completion.message.content.unwrap_or_default();
        if !self.changed.is_empty() {
            let files = self.changed.iter().cloned().collect::<Vec<_>>().join(", ");
            summary.push_str("\n\n");
            summary.push_str(&text(Text::CompactFiles, &[("files", &files)]));
        }
        let mut next = self.messages[..self.head].to_vec();
        next.push(Message::user(format!(
            "{}\n{summary}",
            text(Text::CompactSummary, &[])
        )));
        next.push(Message::assistant(
            Some(text(Text::CompactAck, &[])),
            None,
            Vec::new(),
        ));
        let tail = self.messages.len() - cut;
        self.marks.compacted(cut, next.len());
        next.extend_from_slice(&self.messages[cut..]);
        self.messages = next;
        if let Some(t) = self.transcript.as_mut() {
            t.append(&Line::Compacted {
                messages: self.messages.clone(),
                tail: Some(tail),
            })?;
        }
        let after = self.estimated_tokens();
        // The next request shares only the head with the last one.
        self.last_request_chars = None;
        events.emit(Event::Compacted { before, after });
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::ToolCall;

    fn call(id: &str) -> ToolCall {
        ToolCall {
            id: id.into(),
            name: "read_file".into(),
            arguments: "{}".into(),
        }
    }

    fn conversation(body: usize) -> Vec<Message> {
        let big = "x".repeat(body);
        vec![
            Message::system("system"),
            Message::user(big.clone()),
            Message::assistant(None, None, vec![call("a")]),
            Message::tool("a", big.clone()),
            Message::assistant(Some(big.clone()), None, vec![]),
            Message::user("latest"),
            Message::assistant(None, None, vec![call("b")]),
            Message::tool("b", "result"),
        ]
    }

    #[test]
    fn the_cut_never_separates_a_call_from_its_result_and_keeps_the_latest_round() {
        let m = conversation(10_000);
        // A small window keeps only the latest round (from the latest user message on): the
        // big messages before it go to the summary.
        let cut = cut_point(&m, 1, 1_000).unwrap();
        assert_eq!(cut, 5);
        // However small the window, the cut is before a user or assistant message, never
        // between a call and its result.
        for window in [0, 10, 3_000, 6_000] {
            let cut = cut_point(&m, 1, window).unwrap();
            assert!(
                matches!(m[cut].role, Role::User | Role::Assistant),
                "{window}"
            );
        }
        // A large window keeps more of the tail, still cutting before a user/assistant message.
        let cut = cut_point(&m, 1, 1_000_000).unwrap();
        assert_eq!(cut, 2);
        // Nothing before the tail to summarise: no cut.
        assert_eq!(cut_point(&m[..2], 1, 1_000), None);
    }
}
