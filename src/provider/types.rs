//! The Chat Completions data hone keeps: messages (with the assistant's `reasoning_content`),
//! tool calls, requests, the events of a stream, the finished completion and its usage.
//!
//! These are hone's own types, not the wire's: the wire form is built in `body` and read in
//! `stream`, so a server's quirks never leak into the agent's history. Must not know what a tool
//! does or how anything is shown.

use std::ops::Add;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::Prices;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Tool => "tool",
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Option<String>,
    /// The assistant's reasoning, kept so the provider's echo rule can send it back.
    pub reasoning_content: Option<String>,
    pub tool_calls: Vec<ToolCall>,
    /// For `Role::Tool`: the call this message answers.
    pub tool_call_id: Option<String>,
}

impl Message {
    fn new(role: Role, content: Option<String>) -> Message {
        Message {
            role,
            content,
            reasoning_content: None,
            tool_calls: Vec::new(),
            tool_call_id: None,
        }
    }

    pub fn system(text: impl Into<String>) -> Message {
        Message::new(Role::System, Some(text.into()))
    }

    pub fn user(text: impl Into<String>) -> Message {
        Message::new(Role::User, Some(text.into()))
    }

    /// An assistant message as the model produced it.
    pub fn assistant(
        content: Option<String>,
        reasoning_content: Option<String>,
        tool_calls: Vec<ToolCall>,
    ) -> Message {
        Message {
            reasoning_content,
            tool_calls,
            ..Message::new(Role::Assistant, content)
        }
    }

    /// A tool's result, answering call `tool_call_id`.
    pub fn tool(tool_call_id: impl Into<String>, content: impl Into<String>) -> Message {
        Message {
            tool_call_id: Some(tool_call_id.into()),
            ..Message::new(Role::Tool, Some(content.into()))
        }
    }

    /// The text content, or `""`.
    pub fn text(&self) -> &str {
        self.content.as_deref().unwrap_or("")
    }
}

/// A call the model asked for. `arguments` is the JSON text as the model wrote it; it may not
/// parse (the agent reports that back to the model).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// One request: the conversation so far and the tools on offer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChatRequest {
    pub messages: Vec<Message>,
    /// Tool schemas, as sent (`{"type": "function", "function": {...}}`).
    pub tools: Vec<serde_json::Value>,
    /// `"auto"`, `"required"`, `{"type": "function", ...}`; `None` sends nothing.
    pub tool_choice: Option<serde_json::Value>,
    /// The session's id, sent as `prompt_cache_key` where the preset says the provider routes
    /// its cache by it.
    pub cache_key: Option<String>,
}

/// What happens while a completion streams in, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A piece of the answer.
    Text(String),
    /// A piece of the model's reasoning.
    Reasoning(String),
    /// A tool call began; `index` counts the calls of this completion from 0.
    ToolCallStarted {
        index: usize,
        id: String,
        name: String,
    },
    /// More of call `index`'s JSON arguments.
    ToolCallArgs { index: usize, delta: String },
    /// Token counts, usually at the end.
    Usage(Usage),
    /// An attempt failed with a transient error; the request is sent again after `delay`.
    /// Anything shown since the last attempt began belongs to the failed attempt.
    Retrying {
        attempt: u32,
        delay: Duration,
        reason: String,
    },
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    Stop,
    /// The max-tokens cap cut the answer.
    Length,
    ToolCalls,
    ContentFilter,
    /// A reason hone does not know, as the server spelled it.
    Other(String),
}

impl FinishReason {
    pub fn parse(s: &str) -> FinishReason {
        match s {
            "stop" => FinishReason::Stop,
            "length" => FinishReason::Length,
            "tool_calls" | "function_call" => FinishReason::ToolCalls,
            "content_filter" => FinishReason::ContentFilter,
            other => FinishReason::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::Other(s) => s,
        }
    }
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub message: Message,
    pub finish_reason: FinishReason,
    pub usage: Option<Usage>,
}

/// Token counts of one request (or, added up, of several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Usage {
    pub prompt_tokens: u64,
    /// Completion tokens, reasoning included.
    pub completion_tokens: u64,
    /// Prompt tokens served from the prefix cache.
    pub cache_hit_tokens: u64,
    /// Prompt tokens not in the cache.
    pub cache_miss_tokens: u64,
    /// The part of `completion_tokens` spent reasoning.
    pub reasoning_tokens: u64,
}

impl Usage {
    /// Reads a wire `usage` object: DeepSeek's `prompt_cache_hit_tokens` /
    /// `prompt_cache_miss_tokens`, or OpenAI's `prompt_tokens_details.cached_tokens`, and
    /// `completion_tokens_details.reasoning_tokens`. Missing counts are 0; a prompt with no cache
    /// figures counts as all misses.
    pub fn from_wire(u: &serde_json::Value) -> Usage {
        let n = |v: &serde_json::Value| v.as_u64().unwrap_or(0);
        let prompt = n(&u["prompt_tokens"]);
        let hit = u
            .get("prompt_cache_hit_tokens")
            .or_else(|| u.pointer("/prompt_tokens_details/cached_tokens"))
            .map_or(0, n);
        let miss = match u.get("prompt_cache_miss_tokens") {
            Some(v) => n(v),
            None => prompt.saturating_sub(hit),
        };
        let reasoning = u
            .pointer("/completion_tokens_details/reasoning_tokens")
            .or_else(|| u.get("reasoning_tokens"))
            .map_or(0, n);
        Usage {
            prompt_tokens: prompt,
            completion_tokens: n(&u["completion_tokens"]),
            cache_hit_tokens: hit,
            cache_miss_tokens: miss,
            reasoning_tokens: reasoning,
        }
    }

    /// The cost in US dollars: cache hits and misses priced apart, reasoning as output.
    pub fn cost(&self, p: &Prices) -> f64 {
        (self.cache_hit_tokens as f64 * p.cache_hit
            + self.cache_miss_tokens as f64 * p.cache_miss
            + self.completion_tokens as f64 * p.output)
            / 1_000_000.0
    }
}

impl Add for Usage {
    type Output = Usage;
    fn add(self, o: Usage) -> Usage {
        Usage {
            prompt_tokens: self.prompt_tokens + o.prompt_tokens,
            completion_tokens: self.completion_tokens + o.completion_tokens,
            cache_hit_tokens: self.cache_hit_tokens + o.cache_hit_tokens,
            cache_miss_tokens: self.cache_miss_tokens + o.cache_miss_tokens,
            reasoning_tokens: self.reasoning_tokens + o.reasoning_tokens,
        }
    }
}

impl std::ops::AddAssign for Usage {
    fn add_assign(&mut self, o: Usage) {
        *self = *self + o;
    }
}

impl Usage {
    /// One line for a person: `12.3k in (10.1k cached) · 456 out · $0.0012`.
    pub fn summary(&self, cost: f64) -> String {
        let u = self;
        let mut s = format!("{} in", human(u.prompt_tokens));
        if u.cache_hit_tokens > 0 {
            s.push_str(&format!(" ({} cached)", human(u.cache_hit_tokens)));
        }
        s.push_str(&format!(" · {} out", human(u.completion_tokens)));
        if u.reasoning_tokens > 0 {
            s.push_str(&format!(" ({} reasoning)", human(u.reasoning_tokens)));
        }
        s.push_str(&format!(" · ${cost:.4}"));
        s
    }
}

fn human(n: u64) -> String {
    if n >= 1_000_000 {
        format!("{:.1}M", n as f64 / 1e6)
    } else if n >= 1_000 {
        format!("{:.1}k", n as f64 / 1e3)
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deepseek_usage_with_cache_and_reasoning() {
        let u = Usage::from_wire(&json!({
            "prompt_tokens": 100, "completion_tokens": 40, "total_tokens": 140,
            "prompt_cache_hit_tokens": 64, "prompt_cache_miss_tokens": 36,
            "completion_tokens_details": {"reasoning_tokens": 25}
        }));
        assert_eq!(
            u,
            Usage {
                prompt_tokens: 100,
                completion_tokens: 40,
                cache_hit_tokens: 64,
                cache_miss_tokens: 36,
                reasoning_tokens: 25
            }
        );
        let p = Prices {
            cache_hit: 1.0,
            cache_miss: 10.0,
            output: 100.0,
        };
        assert!((u.cost(&p) - (64.0 + 360.0 + 4000.0) / 1e6).abs() < 1e-12);
    }

    #[test]
    fn openai_usage_and_missing_fields() {
        let u = Usage::from_wire(&json!({"prompt_tokens": 10, "completion_tokens": 2,
            "prompt_tokens_details": {"cached_tokens": 4}}));
        assert_eq!((u.cache_hit_tokens, u.cache_miss_tokens), (4, 6));
        let u = Usage::from_wire(&json!({"prompt_tokens": 10}));
        assert_eq!(
            (u.cache_hit_tokens, u.cache_miss_tokens, u.completion_tokens),
            (0, 10, 0)
        );
        assert_eq!(Usage::from_wire(&json!("nonsense")), Usage::default());
    }

    #[test]
    fn usage_adds_up() {
        let a = Usage {
            prompt_tokens: 1,
            completion_tokens: 2,
            cache_hit_tokens: 3,
            cache_miss_tokens: 4,
            reasoning_tokens: 5,
        };
        let mut b = a + a;
        assert_eq!(b.reasoning_tokens, 10);
        b += a;
        assert_eq!(b.prompt_tokens, 3);
    }

    #[test]
    fn finish_reasons_round_trip() {
        for s in ["stop", "length", "tool_calls", "content_filter", "weird"] {
            assert_eq!(FinishReason::parse(s).as_str(), s);
        }
    }
}
