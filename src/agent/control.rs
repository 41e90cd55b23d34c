//! What an interactive front end may do to a session between runs: start a new conversation,
//! switch the model or provider settings, close off a run the person interrupted, and ask the
//! model one question on the side (a commit message).
//!
//! Must not print or touch the terminal. Invariant: none of these rewrites a message already
//! sent — `clear` starts a new session (a new transcript) instead of editing this one,
//! `interrupted` only appends, and a question on the side never joins the conversation.

use super::transcript::{self, Transcript};
use super::{Agent, AgentError};
use crate::config::{Config, ModelPrices};
use crate::provider::{ChatRequest, Client, Message, Role, Usage};

impl Agent {
    /// Starts a new conversation in place: the same system message and settings, no messages
    /// after it, zero usage, a new session id and (when transcripts are on) a new transcript.
    pub fn clear(&mut self) -> Result<(), AgentError> {
        self.messages.truncate(self.head);
        self.pending.clear();
        self.file_chars = 0;
        self.map_chars = 0;
        self.marks = super::rewind::Marks::default();
        self.last_request_chars = None;
        self.prefix_share = None;
        self.session_usage = Usage::default();
        self.bill = super::Bill::default();
        self.changed.clear();
        self.session_id = transcript::new_session_id();
        if self.transcript.is_some() {
            let dir = transcript::sessions_dir(self.ws.root())?;
            let mut t = Transcript::create(
                &dir,
                &self.session_id,
                self.ws.root(),
                &self.model,
                self.opts.kind,
            )?;
            for m in &self.messages {
                t.append(&transcript::Line::Message { message: m.clone() })?;
            }
            self.transcript = Some(t);
        }
        Ok(())
    }

    /// Sends the next requests with `cfg`'s provider, model and thinking settings. The
    /// conversation is kept. The caller checks that the new provider takes tool calls when the
    /// session uses them (the system prompt, fixed at the start, says how edits are sent).
    pub fn reconfigure(&mut self, cfg: &Config) -> Result<(), AgentError> {
        self.client = Client::new(cfg)?;
        self.model = cfg.model.clone();
        self.context_window = cfg.provider.context_window;
        self.prices = cfg.prices().unwrap_or(ModelPrices::FREE);
        self.secret_vars = cfg.secret_env_vars();
        Ok(())
    }

    /// Asks the model one question outside the conversation (`system`, then `user`, no tools):
    /// nothing of it joins the conversation, and its usage counts toward the session's.
    /// Returns the answer's text.
    pub async fn ask_aside(&mut self, system: &str, user: String) -> Result<String, AgentError> {
        let request = ChatRequest {
            messages: vec![Message::system(system), Message::user(user)],
            tools: Vec::new(),
            tool_choice: None,
            cache_key: None,
        };
        let sent_at = (self.clock)();
        let completion = self.client.complete(&request, &mut |_| {}).await?;
        if let Some(usage) = completion.usage {
            self.charge(usage, sent_at);
            if let Some(t) = self.transcript.as_mut() {
                t.append(&transcript::Line::Usage { usage })?;
            }
        }
        Ok(completion.message.content.unwrap_or_default())
    }

    /// Whether the session sends edits as tool calls.
    pub fn uses_tools(&self) -> bool {
        self.opts.edit_format == super::EditFormat::Tools
    }

    /// Closes off a run that was cancelled: answers dangling tool calls as cancelled, and when
    /// the conversation ends without an answer, appends one holding what had been streamed
    /// (`partial`) and a note that the person interrupted it, so the next request is valid for
    /// providers that want user and assistant turns to alternate.
    pub fn interrupted(&mut self, partial: &str) -> Result<(), AgentError> {
        self.close_unanswered(partial, crate::prompts::Text::Interrupted)
    }

    /// Closes off a run that ended in an error, as [`Agent::interrupted`] does, with a note
    /// that the answer was cut off.
    pub fn failed(&mut self, partial: &str) -> Result<(), AgentError> {
        self.close_unanswered(partial, crate::prompts::Text::Failed)
    }

    fn close_unanswered(
        &mut self,
        partial: &str,
        why: crate::prompts::Text,
    ) -> Result<(), AgentError> {
        self.repair()?;
        let last = self.messages.last().map(|m| m.role);
        if matches!(last, Some(Role::User | Role::Tool)) {
            let mut text = partial.trim_end().to_string();
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(&crate::prompts::text(why, &[]));
            self.push(Message::assistant(Some(text), None, Vec::new()))?;
        }
        Ok(())
    }
}
