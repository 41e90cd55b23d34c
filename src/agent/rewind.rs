//! The person's requests in a session, where each starts in the conversation, and rewinding the
//! conversation to before one of them.
//!
//! [`Marks`] keeps, for each request (one [`Agent::run`]), its typed text, the journal run its
//! edits were recorded under (so a front end can undo that request's code), and the index of
//! the user message that carried it; and where each piece of queued context rode, so the
//! counts of files and maps sent stay true after a rewind. Compaction moves the marks with the
//! messages it keeps; a request it summarised can no longer be rewound to (its message is gone).
//!
//! Invariant for the prefix cache: a rewind only truncates. The conversation after it is
//! exactly the first messages of the request rewound to, so the next request starts with that
//! earlier request byte for byte, up to its user message. The transcript records the rewind as
//! a line of its own (`rewound`), never by rewriting earlier lines.

use serde::{Deserialize, Serialize};

use super::budget::ContextKind;
use super::transcript::Line;
use super::{Agent, AgentError};

/// One request of the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// What the person typed (context the session queued is not part of it).
    pub text: String,
    /// The journal run its edits were recorded under.
    pub run: String,
    /// The index of its user message; `None` once a compaction summarised it.
    pub message: Option<usize>,
}

/// The requests of a conversation and where queued context rode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    requests: Vec<Request>,
    /// (message index, kind, characters) of each context sent; index 0 once compacted away.
    contexts: Vec<(usize, ContextKind, usize)>,
}

impl Marks {
    /// A request whose user message will be message `at`.
    pub fn request(&mut self, at: usize, run: String, text: String) {
        self.requests.push(Request {
            text,
            run,
            message: Some(at),
        });
    }

    /// Context of `chars` characters riding in message `at`.
    pub fn context(&mut self, at: usize, kind: ContextKind, chars: usize) {
        self.contexts.push((at, kind, chars));
    }

    /// The messages from `cut` on were kept and now start at `tail_start`; those before were
    /// summarised.
    pub fn compacted(&mut self, cut: usize, tail_start: usize) {
        for r in &mut self.requests {
            r.message = r
                .message
                .filter(|&m| m >= cut)
                .map(|m| m - cut + tail_start);
        }
        for c in &mut self.contexts {
            c.0 = if c.0 >= cut {
                c.0 - cut + tail_start
            } else {
                0
            };
        }
    }

    /// The conversation was cut to its first `n` messages.
    pub fn truncate(&mut self, n: usize) {
        self.requests.retain(|r| r.message.is_none_or(|m| m < n));
        self.contexts.retain(|c| c.0 < n);
    }

    /// Characters of files and of maps sent, in the conversation as it is.
    pub fn sent(&self) -> (usize, usize) {
        self.contexts
            .iter()
            .fold((0, 0), |(files, maps), (_, kind, chars)| match kind {
                ContextKind::File => (files + chars, maps),
                ContextKind::Map => (files, maps + chars),
            })
    }

    pub fn requests(&self) -> &[Request] {
        &self.requests
    }
}

/// Why the conversation cannot be rewound as asked.
#[derive(Debug, thiserror::Error)]
pub enum RewindError {
    #[error("there is no request {number} in this conversation (it has {count})")]
    NoSuchRequest { number: usize, count: usize },
    #[error(
        "request {number} was summarised when the conversation was compacted; the conversation \
         cannot go back before the summary"
    )]
    Compacted { number: usize },
}

impl Agent {
    /// The person's requests in this conversation, oldest first.
    pub fn requests(&self) -> &[Request] {
        self.marks.requests()
    }

    /// Records that the user message about to be pushed carries the request `text`, whose
    /// edits the journal records under `run`.
    pub(super) fn mark_request(&mut self, run: String, text: &str) -> Result<(), AgentError> {
        if let Some(t) = self.transcript.as_mut() {
            t.append(&Line::Request {
                text: text.to_string(),
                run: run.clone(),
            })?;
        }
        self.marks
            .request(self.messages.len(), run, text.to_string());
        Ok(())
    }

    /// Cuts the conversation back to just before request `number` (1-based, as
    /// [`Agent::requests`] lists them): that request and everything after it are gone, from
    /// the transcript too. Files are not touched (the journal undoes code).
    pub fn rewind_conversation(&mut self, number: usize) -> Result<(), AgentError> {
        let count = self.marks.requests().len();
        let request = number
            .checked_sub(1)
            .and_then(|i| self.marks.requests().get(i))
            .ok_or(RewindError::NoSuchRequest { number, count })?;
        let n = request.message.ok_or(RewindError::Compacted { number })?;
        self.messages.truncate(n);
        self.marks.truncate(n);
        (self.file_chars, self.map_chars) = self.marks.sent();
        self.map_sent = self.system_parts.map > 0 || self.map_chars > 0;
        // The next request repeats an earlier one, not the last.
        self.last_request_chars = None;
        self.prefix_share = None;
        self.last_finish = None;
        if let Some(t) = self.transcript.as_mut() {
            t.append(&Line::Rewound { messages: n })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_follow_compaction_and_truncation() {
        let mut m = Marks::default();
        m.context(1, ContextKind::Map, 100);
        m.request(1, "r1".into(), "one".into());
        m.request(3, "r2".into(), "two".into());
        m.context(5, ContextKind::File, 10);
        m.request(5, "r3".into(), "three".into());
        assert_eq!(m.sent(), (10, 100));
        // Messages 1..4 summarised into two messages at 1 and 2; the tail from 4 starts at 3.
        m.compacted(4, 3);
        let at: Vec<Option<usize>> = m.requests().iter().map(|r| r.message).collect();
        assert_eq!(at, [None, None, Some(4)]);
        assert_eq!(m.sent(), (10, 100), "what was compacted still counts");
        m.truncate(4);
        assert_eq!(m.requests().len(), 2, "the summarised requests stay listed");
        assert_eq!(m.sent(), (0, 100));
    }
}
