//! The request body, exactly as sent: the wire form of hone's messages plus the provider's
//! settings (model, stream options, the max-tokens field, the thinking switch).
//!
//! Every provider difference comes from the preset's data ([`crate::config::ProviderPreset`]);
//! nothing here looks at a provider's or model's name. The body of the same request is
//! byte-identical every time (serde_json's map keeps keys sorted), which the provider's prefix
//! cache rewards.

use serde_json::{Map, Value, json};

use super::types::{ChatRequest, Message, Role};
use crate::config::{
    Config, Effort, MaxTokensField, ReasoningEcho, Secret, Think, ThinkingControl,
};

/// The most of a body a log line shows: enough for any conversation worth reading in a
/// terminal, short of a whole repository pasted in.
pub const LOG_CAP: usize = 64 * 1024;

/// A sent body as a log line shows it: the key scrubbed (it travels in a header, but a prompt
/// may quote it), cut at [`LOG_CAP`] bytes with a note of what was left out.
pub fn for_log(body: &[u8], key: Option<&Secret>) -> String {
    let text = String::from_utf8_lossy(body);
    let text = match key {
        Some(k) => k.scrub(&text),
        None => text.into_owned(),
    };
    if text.len() <= LOG_CAP {
        return text;
    }
    let mut cut = LOG_CAP;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!(
        "{}… ({} more bytes not shown)",
        &text[..cut],
        text.len() - cut
    )
}

/// The settings that shape a body.
#[derive(Debug, Clone, PartialEq)]
pub struct Wire {
    pub model: String,
    pub stream: bool,
    pub stream_usage: bool,
    pub max_output_tokens: Option<u32>,
    pub max_tokens_field: MaxTokensField,
    pub thinking: ThinkingControl,
    pub think: Think,
    pub effort: Option<Effort>,
    pub reasoning_echo: ReasoningEcho,
    /// Send the request's `cache_key` as `prompt_cache_key`.
    pub prompt_cache_key: bool,
}

impl Wire {
    pub fn from_config(c: &Config) -> Wire {
        Wire {
            model: c.model.clone(),
            stream: c.stream,
            stream_usage: c.provider.stream_usage,
            max_output_tokens: c.max_output_tokens,
            max_tokens_field: c.provider.max_tokens_field,
            thinking: c.provider.thinking,
            think: c.think,
            effort: c.effort,
            reasoning_echo: c.provider.reasoning_echo,
            prompt_cache_key: c.provider.prompt_cache_key,
        }
    }

    /// The JSON body of `req`.
    pub fn body(&self, req: &ChatRequest) -> Value {
        let mut b = Map::new();
        b.insert("model".into(), json!(self.model));
        let messages = req
            .messages
            .iter()
            .map(|m| message(m, self.reasoning_echo))
            .collect();
        b.insert("messages".into(), Value::Array(messages));
        b.insert("stream".into(), json!(self.stream));
        if self.stream && self.stream_usage {
            b.insert("stream_options".into(), json!({"include_usage": true}));
        }
        if let Some(n) = self.max_output_tokens {
            b.insert(self.max_tokens_field.as_str().into(), json!(n));
        }
        if !req.tools.is_empty() {
            b.insert("tools".into(), Value::Array(req.tools.clone()));
        }
        if let Some(choice) = &req.tool_choice {
            b.insert("tool_choice".into(), choice.clone());
        }
        if let (true, Some(key)) = (self.prompt_cache_key, &req.cache_key) {
            b.insert("prompt_cache_key".into(), json!(key));
        }
        let effort = self.effort.map(|e| json!(e.as_str()));
        match self.thinking {
            ThinkingControl::None => {}
            ThinkingControl::ThinkingObject => {
                let kind = match self.think {
                    Think::On => "enabled",
                    Think::Off => "disabled",
                };
                b.insert("thinking".into(), json!({ "type": kind }));
                if let (Some(e), Think::On) = (effort, self.think) {
                    b.insert("reasoning_effort".into(), e);
                }
            }
            ThinkingControl::ReasoningEffort => {
                if let Some(e) = effort {
                    b.insert("reasoning_effort".into(), e);
                }
            }
        }
        Value::Object(b)
    }
}

/// One message on the wire, with the provider's rule for sending reasoning back.
pub fn message(m: &Message, echo: ReasoningEcho) -> Value {
    let mut o = Map::new();
    o.insert("role".into(), json!(m.role.as_str()));
    match m.role {
        Role::Assistant => {
            o.insert(
                "content".into(),
                m.content.as_ref().map_or(Value::Null, |c| json!(c)),
            );
            if !m.tool_calls.is_empty() {
                let calls = m
                    .tool_calls
                    .iter()
                    .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
                    .collect();
                o.insert("tool_calls".into(), Value::Array(calls));
            }
            let reasoning = match echo {
                ReasoningEcho::Never => None,
                ReasoningEcho::WithToolCalls if m.tool_calls.is_empty() => None,
                ReasoningEcho::WithToolCalls => {
                    Some(m.reasoning_content.clone().unwrap_or_default())
                }
                ReasoningEcho::Always => m.reasoning_content.clone(),
            };
            if let Some(r) = reasoning {
                o.insert("reasoning_content".into(), json!(r));
            }
        }
        Role::Tool => {
            o.insert(
                "tool_call_id".into(),
                json!(m.tool_call_id.as_deref().unwrap_or("")),
            );
            o.insert("content".into(), json!(m.text()));
        }
        Role::System | Role::User => {
            o.insert("content".into(), json!(m.text()));
        }
    }
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::types::ToolCall;

    fn wire() -> Wire {
        Wire {
            model: "m".into(),
            stream: true,
            stream_usage: true,
            max_output_tokens: Some(100),
            max_tokens_field: MaxTokensField::MaxTokens,
            thinking: ThinkingControl::ThinkingObject,
            think: Think::On,
            effort: Some(Effort::Max),
            reasoning_echo: ReasoningEcho::WithToolCalls,
            prompt_cache_key: false,
        }
    }

    fn convo() -> ChatRequest {
        let call = ToolCall {
            id: "c1".into(),
            name: "read_file".into(),
            arguments: "{}".into(),
        };
        ChatRequest {
            messages: vec![
                Message::system("s"),
                Message::user("u"),
                Message::assistant(None, None, vec![call.clone()]),
                Message::tool("c1", "file text"),
                Message::assistant(None, Some("why".into()), vec![call]),
                Message::assistant(Some("done".into()), Some("thought".into()), vec![]),
            ],
            tools: vec![json!({"type": "function", "function": {"name": "read_file"}})],
            tool_choice: Some(json!("auto")),
            cache_key: Some("s-1".into()),
        }
    }

    #[test]
    fn prompt_cache_key_only_where_the_preset_asks() {
        let mut w = wire();
        assert!(w.body(&convo()).get("prompt_cache_key").is_none());
        w.prompt_cache_key = true;
        assert_eq!(w.body(&convo())["prompt_cache_key"], "s-1");
    }

    #[test]
    fn every_effort_level_travels_as_its_name() {
        for (e, name) in [
            (Effort::Low, "low"),
            (Effort::High, "high"),
            (Effort::Max, "max"),
        ] {
            let mut w = wire();
            w.effort = Some(e);
            assert_eq!(w.body(&convo())["reasoning_effort"], name);
        }
    }

    #[test]
    fn deepseek_shape() {
        let b = wire().body(&convo());
        assert_eq!(b["thinking"], json!({"type": "enabled"}));
        assert_eq!(b["reasoning_effort"], "max");
        assert_eq!(b["max_tokens"], 100);
        assert_eq!(b["stream_options"], json!({"include_usage": true}));
        assert_eq!(b["tool_choice"], "auto");
        let m = &b["messages"];
        assert_eq!(
            m[2]["reasoning_content"], "",
            "tool-call turns carry reasoning, empty when none"
        );
        assert_eq!(m[4]["reasoning_content"], "why");
        assert!(
            m[5].get("reasoning_content").is_none(),
            "plain answers do not"
        );
        assert_eq!(
            m[3],
            json!({"role": "tool", "tool_call_id": "c1", "content": "file text"})
        );
        assert_eq!(m[2]["content"], Value::Null);
        assert_eq!(m[2]["tool_calls"][0]["function"]["name"], "read_file");
    }

    #[test]
    fn other_rules_and_fields() {
        let mut w = wire();
        w.reasoning_echo = ReasoningEcho::Never;
        w.max_tokens_field = MaxTokensField::MaxCompletionTokens;
        w.thinking = ThinkingControl::ReasoningEffort;
        w.stream = false;
        let b = w.body(&convo());
        assert!(
            b["messages"]
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m.get("reasoning_content").is_none())
        );
        assert_eq!(b["max_completion_tokens"], 100);
        assert!(
            b.get("max_tokens").is_none()
                && b.get("thinking").is_none()
                && b.get("stream_options").is_none()
        );
        assert_eq!(b["reasoning_effort"], "max");
        w.reasoning_echo = ReasoningEcho::Always;
        let b = w.body(&convo());
        assert_eq!(b["messages"][5]["reasoning_content"], "thought");
        assert!(b["messages"][2].get("reasoning_content").is_none());
    }

    #[test]
    fn thinking_off_sends_disabled_and_no_effort() {
        let mut w = wire();
        w.think = Think::Off;
        let b = w.body(&ChatRequest::default());
        assert_eq!(b["thinking"], json!({"type": "disabled"}));
        assert!(b.get("reasoning_effort").is_none());
        assert!(b.get("tools").is_none());
    }

    #[test]
    fn logged_bodies_are_scrubbed_and_capped() {
        let key = Secret::new("sk-0123456789abcdefXYZW");
        let b = br#"{"content":"my key is sk-0123456789abcdefXYZW"}"#;
        assert_eq!(
            for_log(b, Some(&key)),
            r#"{"content":"my key is ****XYZW"}"#
        );
        let big = format!("\"{}\"", "é".repeat(LOG_CAP));
        let shown = for_log(big.as_bytes(), None);
        let kept = LOG_CAP - 1;
        assert!(shown.starts_with(&big[..kept]), "cut on a char boundary");
        assert!(
            shown.ends_with(&format!("… ({} more bytes not shown)", big.len() - kept)),
            "{}",
            &shown[shown.len() - 40..]
        );
    }

    #[test]
    fn same_request_same_bytes() {
        let a = serde_json::to_string(&wire().body(&convo())).unwrap();
        let b = serde_json::to_string(&wire().body(&convo())).unwrap();
        assert_eq!(a, b);
    }
}
