//! Turns the JSON chunks of a Chat Completions stream into [`StreamEvent`]s and, at the end, one
//! [`Completion`]. Pure: the HTTP and SSE framing live in `client`; this sees one `data:` payload
//! at a time.
//!
//! Tolerates what real servers do: reasoning in `reasoning_content` or `reasoning` or inline
//! `<think>`; tool calls assembled by `index` with the id and name only in the first delta, or a
//! whole call in one chunk, or no `index` or no `id` at all; usage in a chunk with no choices;
//! an `error` object instead of a chunk. Invariant: nothing here panics on any input (proptest),
//! and the events emitted, concatenated, are exactly the completion's text, reasoning and calls.

use serde_json::Value;

use super::think::{Piece, ThinkSplitter};
use super::types::{Completion, FinishReason, Message, StreamEvent, ToolCall, Usage};
use crate::config::ReasoningFormat;

/// DeepSeek's finish reason for a request it dropped for lack of capacity: transient, retried.
pub const INSUFFICIENT_RESOURCE: &str = "insufficient_system_resource";

/// Why a chunk could not be taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The server sent `{"error": …}` inside the stream.
    ErrorObject {
        message: String,
        code: Option<String>,
    },
    /// `finish_reason: insufficient_system_resource`.
    InsufficientResource,
    /// Not a JSON object.
    Malformed(String),
}

#[derive(Debug, Clone, Default)]
struct PartialCall {
    server_index: Option<u64>,
    id: String,
    name: String,
    arguments: String,
    started: bool,
}

/// The state of one completion being received.
#[derive(Debug, Clone)]
pub struct Assembler {
    think: Option<ThinkSplitter>,
    content: String,
    reasoning: String,
    calls: Vec<PartialCall>,
    finish: Option<String>,
    usage: Option<Usage>,
    shown: bool,
    events: usize,
}

impl Assembler {
    pub fn new(format: ReasoningFormat) -> Assembler {
        Assembler {
            think: match format {
                ReasoningFormat::InlineThink => Some(ThinkSplitter::default()),
                ReasoningFormat::Fields => None,
            },
            content: String::new(),
            reasoning: String::new(),
            calls: Vec::new(),
            finish: None,
            usage: None,
            shown: false,
            events: 0,
        }
    }

    /// Whether any text, reasoning or tool call has been emitted.
    pub fn shown(&self) -> bool {
        self.shown
    }

    /// Whether a `finish_reason` has arrived.
    pub fn finished(&self) -> bool {
        self.finish.is_some()
    }

    /// How many chunks have been taken.
    pub fn chunks(&self) -> usize {
        self.events
    }

    /// Takes one `data:` payload of the stream (not `[DONE]`).
    pub fn push(&mut self, data: &str, emit: &mut dyn FnMut(StreamEvent)) -> Result<(), Fault> {
        let v: Value = serde_json::from_str(data)
            .map_err(|e| Fault::Malformed(format!("{e}: {}", clip(data))))?;
        self.push_value(&v, "delta", emit)
    }

    /// Takes one parsed chunk (`part` = `"delta"`), or a whole non-streamed response
    /// (`part` = `"message"`).
    pub fn push_value(
        &mut self,
        v: &Value,
        part: &str,
        emit: &mut dyn FnMut(StreamEvent),
    ) -> Result<(), Fault> {
        if !v.is_object() {
            return Err(Fault::Malformed(clip(&v.to_string())));
        }
        self.events += 1;
        if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
            return Err(error_object(err));
        }
        if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
            self.usage = Some(Usage::from_wire(u));
        }
        let Some(choice) = v["choices"].as_array().and_then(|c| c.first()) else {
            return Ok(());
        };
        let d = &choice[part];
        if let Some(r) = d["reasoning_content"]
            .as_str()
            .or_else(|| d["reasoning"].as_str())
        {
            self.reasoning(r, emit);
        }
        if let Some(c) = d["content"].as_str() {
            let pieces = match &mut self.think {
                Some(s) => s.push(c),
                None => vec![Piece::Text(c.to_string())],
            };
            self.pieces(pieces, emit);
        }
        if let Some(calls) = d["tool_calls"].as_array() {
            for tc in calls {
                self.tool_call(tc, emit);
            }
        }
        if let Some(f) = choice["finish_reason"].as_str() {
            if f == INSUFFICIENT_RESOURCE {
                return Err(Fault::InsufficientResource);
            }
            self.finish = Some(f.to_string());
        }
        Ok(())
    }

    fn reasoning(&mut self, r: &str, emit: &mut dyn FnMut(StreamEvent)) {
        if !r.is_empty() {
            self.shown = true;
            self.reasoning.push_str(r);
            emit(StreamEvent::Reasoning(r.to_string()));
        }
    }

    fn pieces(&mut self, pieces: Vec<Piece>, emit: &mut dyn FnMut(StreamEvent)) {
        for p in pieces {
            match p {
                Piece::Reasoning(r) => self.reasoning(&r, emit),
                Piece::Text(t) if !t.is_empty() => {
                    self.shown = true;
                    self.content.push_str(&t);
                    emit(StreamEvent::Text(t));
                }
                Piece::Text(_) => {}
            }
        }
    }

    fn tool_call(&mut self, tc: &Value, emit: &mut dyn FnMut(StreamEvent)) {
        let index = tc["index"].as_u64();
        let id = tc["id"].as_str().filter(|s| !s.is_empty());
        let f = &tc["function"];
        let name = f["name"].as_str().filter(|s| !s.is_empty());
        let args = match &f["arguments"] {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            // Some servers send the arguments as an object rather than JSON text.
            other => other.to_string(),
        };
        let same_id =
            |c: &PartialCall| id.is_none() || c.id.is_empty() || Some(c.id.as_str()) == id;
        let found = match (index, id) {
            (Some(i), _) => self
                .calls
                .iter()
                .rposition(|c| c.server_index == Some(i) && same_id(c)),
            (None, Some(id)) => self.calls.iter().rposition(|c| c.id == id),
            (None, None) => self.calls.len().checked_sub(1),
        };
        let pos = found.unwrap_or_else(|| {
            self.calls.push(PartialCall {
                server_index: index,
                ..PartialCall::default()
            });
            self.calls.len() - 1
        });
        let call = &mut self.calls[pos];
        if let (Some(id), true) = (id, call.id.is_empty()) {
            call.id = id.to_string();
        }
        if let (Some(name), true) = (name, call.name.is_empty()) {
            call.name = name.to_string();
        }
        call.arguments.push_str(&args);
        if !call.started && !call.name.is_empty() {
            call.started = true;
            self.shown = true;
            if call.id.is_empty() {
                call.id = format!("call_{pos}");
            }
            emit(StreamEvent::ToolCallStarted {
                index: pos,
                id: call.id.clone(),
                name: call.name.clone(),
            });
            if !call.arguments.is_empty() {
                emit(StreamEvent::ToolCallArgs {
                    index: pos,
                    delta: call.arguments.clone(),
                });
            }
        } else if call.started && !args.is_empty() {
            emit(StreamEvent::ToolCallArgs {
                index: pos,
                delta: args,
            });
        }
    }

    /// The message received so far (for a stream cut after text was shown).
    pub fn partial(&self) -> Message {
        Message::assistant(
            Some(self.content.clone()).filter(|c| !c.is_empty()),
            Some(self.reasoning.clone()).filter(|r| !r.is_empty()),
            self.calls().collect(),
        )
    }

    fn calls(&self) -> impl Iterator<Item = ToolCall> + '_ {
        self.calls
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.name.is_empty() || !c.arguments.is_empty())
            .map(|(i, c)| ToolCall {
                id: if c.id.is_empty() {
                    format!("call_{i}")
                } else {
                    c.id.clone()
                },
                name: c.name.clone(),
                arguments: c.arguments.clone(),
            })
    }

    /// Ends the stream: flushes held-back text, emits the usage, builds the completion. A stream
    /// that ended with `[DONE]` but no finish reason finished with tool calls if it made any.
    pub fn finish(mut self, emit: &mut dyn FnMut(StreamEvent)) -> Completion {
        if let Some(mut s) = self.think.take() {
            let rest = s.finish();
            self.pieces(rest, emit);
        }
        if let Some(u) = self.usage {
            emit(StreamEvent::Usage(u));
        }
        let message = self.partial();
        let finish_reason = match &self.finish {
            Some(f) => FinishReason::parse(f),
            None if !message.tool_calls.is_empty() => FinishReason::ToolCalls,
            None => FinishReason::Stop,
        };
        Completion {
            message,
            finish_reason,
            usage: self.usage,
        }
    }
}

/// Reads `{"message": …, "code": …}` (or a bare string) from an error object.
pub fn error_object(err: &Value) -> Fault {
    let message = err["message"]
        .as_str()
        .map(str::to_string)
        .or_else(|| err.as_str().map(str::to_string))
        .unwrap_or_else(|| clip(&err.to_string()));
    let code = match (&err["code"], &err["type"]) {
        (Value::String(c), _) => Some(c.clone()),
        (Value::Number(n), _) => Some(n.to_string()),
        (_, Value::String(t)) => Some(t.clone()),
        _ => None,
    };
    Fault::ErrorObject { message, code }
}

/// At most 200 characters of foreign text, for error messages.
pub fn clip(s: &str) -> String {
    let mut out: String = s.chars().take(200).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn chunk(delta: Value) -> String {
        json!({"choices": [{"index": 0, "delta": delta, "finish_reason": null}]}).to_string()
    }

    fn finish(reason: &str) -> String {
        json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}).to_string()
    }

    fn run(
        format: ReasoningFormat,
        chunks: &[String],
    ) -> (Vec<StreamEvent>, Result<Completion, Fault>) {
        let mut a = Assembler::new(format);
        let mut events = Vec::new();
        let mut emit = |e| events.push(e);
        for c in chunks {
            if let Err(f) = a.push(c, &mut emit) {
                return (events, Err(f));
            }
        }
        let c = a.finish(&mut emit);
        (events, Ok(c))
    }

    #[test]
    fn text_reasoning_and_usage() {
        let (ev, c) = run(
            ReasoningFormat::Fields,
            &[
                chunk(json!({"role": "assistant", "content": ""})),
                chunk(json!({"reasoning_content": "think "})),
                chunk(json!({"reasoning": "more"})),
                chunk(json!({"content": "Hel"})),
                chunk(json!({"content": "lo"})),
                finish("stop"),
                json!({"choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 3,
                    "prompt_cache_hit_tokens": 4, "prompt_cache_miss_tokens": 1}})
                .to_string(),
            ],
        );
        let c = c.unwrap();
        assert_eq!(c.message.text(), "Hello");
        assert_eq!(c.message.reasoning_content.as_deref(), Some("think more"));
        assert_eq!(c.finish_reason, FinishReason::Stop);
        assert_eq!(c.usage.unwrap().cache_hit_tokens, 4);
        assert_eq!(ev[0], StreamEvent::Reasoning("think ".into()));
        assert!(matches!(ev.last(), Some(StreamEvent::Usage(_))));
    }

    #[test]
    fn tool_calls_by_index_with_id_and_name_only_first() {
        let (ev, c) = run(
            ReasoningFormat::Fields,
            &[
                chunk(
                    json!({"tool_calls": [{"index": 0, "id": "call_a", "type": "function",
                    "function": {"name": "read_file", "arguments": ""}}]}),
                ),
                chunk(
                    json!({"tool_calls": [{"index": 1, "id": "call_b", "type": "function",
                    "function": {"name": "search", "arguments": "{\"q\":"}}]}),
                ),
                chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"path\":"}}]}),
                ),
                chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": "\"a.rs\"}"}}]}),
                ),
                chunk(json!({"tool_calls": [{"index": 1, "function": {"arguments": "\"x\"}"}}]})),
                finish("tool_calls"),
            ],
        );
        let c = c.unwrap();
        assert_eq!(c.finish_reason, FinishReason::ToolCalls);
        assert_eq!(
            c.message.tool_calls,
            vec![
                ToolCall {
                    id: "call_a".into(),
                    name: "read_file".into(),
                    arguments: "{\"path\":\"a.rs\"}".into()
                },
                ToolCall {
                    id: "call_b".into(),
                    name: "search".into(),
                    arguments: "{\"q\":\"x\"}".into()
                },
            ]
        );
        assert_eq!(
            ev[0],
            StreamEvent::ToolCallStarted {
                index: 0,
                id: "call_a".into(),
                name: "read_file".into()
            }
        );
        assert!(ev.contains(&StreamEvent::ToolCallArgs {
            index: 1,
            delta: "\"x\"}".into()
        }));
    }

    #[test]
    fn whole_call_in_one_chunk_and_missing_index_or_id() {
        let (_, c) = run(
            ReasoningFormat::Fields,
            &[
                chunk(
                    json!({"tool_calls": [{"id": "x1", "function": {"name": "a", "arguments": {"k": 1}}}]}),
                ),
                chunk(
                    json!({"tool_calls": [{"function": {"name": "b", "arguments": "{}"}, "index": 5}]}),
                ),
                chunk(json!({"tool_calls": [{"function": {"arguments": " "}}]})),
            ],
        );
        let calls = c.unwrap().message.tool_calls;
        assert_eq!(calls.len(), 2);
        assert_eq!(
            (calls[0].id.as_str(), calls[0].arguments.as_str()),
            ("x1", "{\"k\":1}")
        );
        assert_eq!(
            (
                calls[1].id.as_str(),
                calls[1].name.as_str(),
                calls[1].arguments.as_str()
            ),
            ("call_1", "b", "{} ")
        );
    }

    #[test]
    fn reused_index_with_a_new_id_is_a_new_call() {
        let (_, c) = run(
            ReasoningFormat::Fields,
            &[
                chunk(
                    json!({"tool_calls": [{"index": 0, "id": "a", "function": {"name": "f", "arguments": "{}"}}]}),
                ),
                chunk(
                    json!({"tool_calls": [{"index": 0, "id": "b", "function": {"name": "g", "arguments": "{}"}}]}),
                ),
            ],
        );
        let names: Vec<String> = c
            .unwrap()
            .message
            .tool_calls
            .into_iter()
            .map(|t| t.name)
            .collect();
        assert_eq!(names, ["f", "g"]);
    }

    #[test]
    fn inline_think_only_when_the_preset_says_so() {
        let chunks = [
            chunk(json!({"content": "<think>r</think>A"})),
            finish("stop"),
        ];
        let (_, c) = run(ReasoningFormat::InlineThink, &chunks);
        let m = c.unwrap().message;
        assert_eq!((m.text(), m.reasoning_content.as_deref()), ("A", Some("r")));
        let (_, c) = run(ReasoningFormat::Fields, &chunks);
        assert_eq!(c.unwrap().message.text(), "<think>r</think>A");
    }

    #[test]
    fn faults() {
        let (_, c) = run(
            ReasoningFormat::Fields,
            &[json!({"error": {"message": "boom", "code": 500}}).to_string()],
        );
        assert_eq!(
            c.unwrap_err(),
            Fault::ErrorObject {
                message: "boom".into(),
                code: Some("500".into())
            }
        );
        let (_, c) = run(ReasoningFormat::Fields, &[finish(INSUFFICIENT_RESOURCE)]);
        assert_eq!(c.unwrap_err(), Fault::InsufficientResource);
        let (_, c) = run(ReasoningFormat::Fields, &["{not json".to_string()]);
        assert!(matches!(c.unwrap_err(), Fault::Malformed(_)));
        let (_, c) = run(ReasoningFormat::Fields, &["[1]".to_string()]);
        assert!(matches!(c.unwrap_err(), Fault::Malformed(_)));
    }

    #[test]
    fn done_without_finish_reason() {
        let (_, c) = run(ReasoningFormat::Fields, &[chunk(json!({"content": "x"}))]);
        assert_eq!(c.unwrap().finish_reason, FinishReason::Stop);
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-z<>/ ]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(
                    prop_oneof![
                        Just("choices".to_string()),
                        Just("delta".to_string()),
                        Just("content".to_string()),
                        Just("tool_calls".to_string()),
                        Just("index".to_string()),
                        Just("id".to_string()),
                        Just("function".to_string()),
                        Just("name".to_string()),
                        Just("arguments".to_string()),
                        Just("finish_reason".to_string()),
                        Just("usage".to_string()),
                        Just("error".to_string()),
                        Just("reasoning_content".to_string()),
                    ],
                    inner,
                    0..5
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn never_panics_on_any_json(chunks in proptest::collection::vec(json_value(), 0..8)) {
            let mut a = Assembler::new(ReasoningFormat::InlineThink);
            let mut n = 0;
            for c in &chunks {
                let _ = a.push(&c.to_string(), &mut |_| n += 1);
            }
            let _ = a.finish(&mut |_| n += 1);
        }

        #[test]
        fn never_panics_on_any_text(s in "\\PC{0,100}") {
            let mut a = Assembler::new(ReasoningFormat::Fields);
            let _ = a.push(&s, &mut |_| {});
        }
    }
}
