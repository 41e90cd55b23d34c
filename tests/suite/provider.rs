//! The streaming client against the stream faults the mock can play: keep-alives, `[DONE]`,
//! reasoning fields, tool-call deltas, usage, errors in the stream, dropped streams, DeepSeek's
//! `insufficient_system_resource`, the per-preset request fields. Through the real `hone -p`
//! binary where the front end can show the effect, and through the library's `Client` for
//! multi-turn rules and cancellation. HTTP errors and retries are in `provider_errors`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::library_config;
use crate::support::mock::*;
use crate::support::output::{assert_no_key, stderr, stdout};
use crate::support::sandbox::{Sandbox, TEST_KEY};

pub fn run(sb: &Sandbox, mock: &MockServer, extra: &[&str]) -> std::process::Output {
    let o = sb
        .against(mock)
        .args(["-p", "q"])
        .args(extra)
        .output()
        .unwrap();
    assert_no_key(&o);
    o
}

pub fn result_json(o: &std::process::Output) -> Value {
    let line = stdout(o).lines().last().unwrap_or_default().to_string();
    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

pub fn quick(sb: &Sandbox, extra: &str) {
    sb.project_config(&format!("[retry]\nbase_delay_ms = 10\n{extra}"));
}

#[test]
fn keep_alives_and_blank_lines_before_the_answer_are_waited_through() {
    // Keep-alives for longer than the idle limit: before the first event only the first-byte
    // limit applies.
    let mut frames = vec![Frame::Raw("\n\n".into())];
    for _ in 0..6 {
        frames.extend([keep_alive(), delay_ms(100)]);
    }
    frames.extend([
        ev_role(),
        ev_text("late but whole"),
        Frame::Raw(": keep-alive\n\n\n".into()),
        ev_finish("stop"),
        ev_done(),
    ]);
    let mock = MockServer::start(vec![Reply::sse(frames)]);
    let sb = Sandbox::new();
    sb.project_config("[timeouts]\nidle_secs = 0.3\nfirst_byte_secs = 10\n");
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "late but whole\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_finish_reason_without_done_is_a_whole_answer() {
    let mock = MockServer::start(vec![Reply::sse(vec![ev_text("x"), ev_finish("stop")])]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "x\n"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn reasoning_field_and_inline_think() {
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_reasoning_field("via reasoning"),
            ev_text("A1"),
            ev_finish("stop"),
            ev_done(),
        ]),
        Reply::sse(vec![
            ev_text("<think>inline "),
            ev_text("thought</think>\n\nA2"),
            ev_finish("stop"),
            ev_done(),
        ]),
    ]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &["--output-format", "json"]);
    let r = result_json(&o);
    assert_eq!(
        (r["result"].as_str(), r["reasoning"].as_str()),
        (Some("A1"), Some("via reasoning"))
    );
    // llama.cpp's preset reads a leading <think> block as reasoning (and needs no key).
    let o = sb
        .cmd()
        .args([
            "-p",
            "q",
            "--provider",
            "llamacpp",
            "--base-url",
            &mock.base_url,
            "--output-format",
            "json",
        ])
        .output()
        .unwrap();
    let r = result_json(&o);
    assert_eq!(
        (r["result"].as_str(), r["reasoning"].as_str()),
        (Some("A2"), Some("inline thought")),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests()[1].header("authorization"), None);
}

#[test]
fn tool_call_deltas_are_assembled_by_index() {
    // Two parallel calls, id and name only in the first delta, arguments split across chunks and
    // interleaved; then a whole call in one chunk; then calls without index or id.
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_role(),
            ev_tool_start(0, "call_a", "read_file"),
            ev_tool_start(1, "call_b", "search"),
            ev_tool_args(0, "{\"pa"),
            ev_tool_args(1, "{\"pattern\":"),
            ev_tool_args(0, "th\":\"src/main.rs\"}"),
            ev_tool_args(1, "\"fn main\"}"),
            ev_finish("tool_calls"),
            ev_done(),
        ]),
        Reply::sse(vec![
            ev_tool_call(0, "whole", "list_files", "{\"path\":\".\"}"),
            ev_finish("tool_calls"),
            ev_done(),
        ]),
        Reply::sse(vec![
            ev(chunk(
                json!({"tool_calls": [{"function": {"name": "write_file", "arguments": "{\"path\":"}}]}),
                None,
            )),
            ev(chunk(
                json!({"tool_calls": [{"function": {"arguments": "\"x\"}"}}]}),
                None,
            )),
            ev_finish("tool_calls"),
            ev_done(),
        ]),
    ]);
    // Through the library client: `hone -p` would execute the calls (tested in suite::agent).
    use hone::provider::ToolCall;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = hone::provider::Client::new(&config_for(&mock, "deepseek")).unwrap();
    let complete = || {
        rt.block_on(client.complete(&history(), &mut |_| {}))
            .unwrap()
    };
    let tc = |id: &str, name: &str, args: &str| ToolCall {
        id: id.into(),
        name: name.into(),
        arguments: args.into(),
    };

    let c = complete();
    assert_eq!(c.finish_reason.as_str(), "tool_calls");
    assert_eq!(
        c.message.tool_calls,
        [
            tc("call_a", "read_file", r#"{"path":"src/main.rs"}"#),
            tc("call_b", "search", r#"{"pattern":"fn main"}"#)
        ]
    );
    assert_eq!(
        complete().message.tool_calls,
        [tc("whole", "list_files", r#"{"path":"."}"#)]
    );
    // No index and no id: one call, its id made up so the answer can name it.
    let calls = complete().message.tool_calls;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        (calls[0].name.as_str(), calls[0].arguments.as_str()),
        ("write_file", r#"{"path":"x"}"#)
    );
    assert!(!calls[0].id.is_empty());
}

#[test]
fn usage_counts_cache_hits_misses_and_reasoning() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_text("a"),
        ev_finish("stop"),
        ev_usage(5000, 300, 4096, 904, 120),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let r = result_json(&run(&sb, &mock, &["--output-format", "json"]));
    assert_eq!(
        r["usage"],
        json!({"input_tokens": 904, "cache_read_input_tokens": 4096, "output_tokens": 300, "reasoning_tokens": 120,
               "prompt_tokens": 5000, "completion_tokens": 300, "cache_hit_tokens": 4096, "cache_miss_tokens": 904})
    );
}

#[test]
fn an_error_object_in_the_stream_is_reported_with_the_partial_text() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_text("partial "),
        ev_error("model overloaded mid-answer", "server_error"),
    ])]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(stdout(&o), "partial \n");
    assert!(
        stderr(&o).contains("model overloaded mid-answer"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests().len(), 1);
}

#[test]
fn a_stream_that_ends_with_neither_done_nor_finish_reason_is_dropped() {
    // Before any text: retried. After text: reported, the partial text kept, not retried.
    let mock = MockServer::start(vec![
        Reply::sse(vec![ev_role()]),
        Reply::sse(vec![ev_role(), Frame::Drop]),
        Reply::answer("second try"),
        Reply::sse(vec![ev_text("half an ans"), Frame::Drop]),
        Reply::sse(vec![ev_text("cut clean")]),
    ]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "second try\n"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stderr(&o).matches("retrying in").count(),
        2,
        "{}",
        stderr(&o)
    );

    let o = run(&sb, &mock, &["--output-format", "json"]);
    assert_eq!(o.status.code(), Some(3));
    let r = result_json(&o);
    assert_eq!(
        (r["is_error"].as_bool(), r["result"].as_str()),
        (Some(true), Some("half an ans"))
    );
    assert!(stderr(&o).contains("cut off"), "{}", stderr(&o));
    // The transport's own error stays attached under the kind.
    assert!(
        stderr(&o).contains("cut off before it finished\ncaused by: "),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("partial answer above was kept"),
        "{}",
        stderr(&o)
    );

    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(3), "cut clean\n")
    );
    assert!(
        stderr(&o).contains("neither [DONE] nor a finish reason"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests().len(), 5);
}

#[test]
fn insufficient_system_resource_is_discarded_and_retried() {
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_text("doomed"),
            ev_finish("insufficient_system_resource"),
            ev_done(),
        ]),
        Reply::answer("fresh"),
    ]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &["--output-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(result_json(&o)["result"], "fresh");
    assert!(
        stderr(&o).contains("insufficient_system_resource"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests().len(), 2);
}

#[test]
fn the_max_tokens_field_and_thinking_switch_follow_the_preset() {
    let mock = MockServer::start(vec![
        Reply::answer("a"),
        Reply::answer("b"),
        Reply::answer("c"),
    ]);
    let sb = Sandbox::new();
    run(&sb, &mock, &["--think", "off"]);
    run(&sb, &mock, &["--effort", "max"]);
    let o = sb
        .cmd()
        .env("OPENAI_API_KEY", TEST_KEY)
        .args([
            "-p",
            "q",
            "--provider",
            "openai",
            "--base-url",
            &mock.base_url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reqs = mock.chat_requests();
    let (ds_off, ds_max, openai) = (reqs[0].json(), reqs[1].json(), reqs[2].json());
    assert_eq!(ds_off["thinking"], json!({"type": "disabled"}));
    assert!(ds_off.get("reasoning_effort").is_none());
    assert_eq!(
        (
            ds_max["thinking"]["type"].as_str(),
            ds_max["reasoning_effort"].as_str()
        ),
        (Some("enabled"), Some("max"))
    );
    assert!(ds_max["max_tokens"].is_u64() && ds_max.get("max_completion_tokens").is_none());
    assert!(
        openai["max_completion_tokens"].is_u64() && openai.get("max_tokens").is_none(),
        "{openai}"
    );
    assert!(openai.get("thinking").is_none());
    assert_eq!(openai["model"], "gpt-5-mini");
}

// ---- through the library: multi-turn history and cancellation ----

fn config_for(mock: &MockServer, provider: &str) -> hone::config::Config {
    library_config(provider, &mock.base_url, Some(TEST_KEY))
}

fn history() -> hone::provider::ChatRequest {
    use hone::provider::{Message, ToolCall};
    let call = ToolCall {
        id: "c1".into(),
        name: "read_file".into(),
        arguments: "{\"path\":\"a\"}".into(),
    };
    hone::provider::ChatRequest {
        messages: vec![
            Message::system("s"),
            Message::user("u"),
            Message::assistant(None, None, vec![call.clone()]),
            Message::tool("c1", "text of a"),
            Message::assistant(Some("done".into()), Some("I read it".into()), vec![]),
            Message::user("again"),
        ],
        tools: vec![
            json!({"type": "function", "function": {"name": "read_file", "parameters": {"type": "object"}}}),
        ],
        tool_choice: Some(json!("auto")),
        cache_key: None,
    }
}

#[test]
fn reasoning_is_echoed_by_the_presets_rule() {
    let mock = MockServer::start(vec![Reply::answer("x"), Reply::answer("y")]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    for provider in ["deepseek", "vllm"] {
        let client = hone::provider::Client::new(&config_for(&mock, provider)).unwrap();
        let sent = client.request_body(&history());
        let c = rt
            .block_on(client.complete(&history(), &mut |_| {}))
            .unwrap();
        assert_eq!(
            c.message.text(),
            if provider == "deepseek" { "x" } else { "y" }
        );
        let body = mock.chat_requests().last().unwrap().json();
        assert_eq!(body, sent, "request_body is exactly what is sent");
        let msgs = body["messages"].as_array().unwrap();
        match provider {
            // DeepSeek: on the tool-call turn, "" when there was none; not on the plain answer.
            "deepseek" => {
                assert_eq!(msgs[2]["reasoning_content"], "");
                assert!(msgs[4].get("reasoning_content").is_none());
            }
            _ => assert!(msgs.iter().all(|m| m.get("reasoning_content").is_none())),
        }
        assert_eq!(body["tools"][0]["function"]["name"], "read_file");
    }
}

#[test]
fn events_arrive_in_order_and_dropping_the_future_cancels() {
    use hone::provider::StreamEvent;
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_reasoning("r"),
            ev_text("t"),
            ev_tool_start(0, "id0", "f"),
            ev_tool_args(0, "{}"),
            ev_finish("tool_calls"),
            ev_usage(1, 1, 0, 1, 0),
            ev_done(),
        ]),
        Reply::sse(vec![ev_text("slow"), delay_ms(30_000), ev_done()]),
    ]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = hone::provider::Client::new(&config_for(&mock, "deepseek")).unwrap();
    let mut events = Vec::new();
    rt.block_on(client.complete(&history(), &mut |e| events.push(e)))
        .unwrap();
    assert_eq!(events[0], StreamEvent::Reasoning("r".into()));
    assert_eq!(events[1], StreamEvent::Text("t".into()));
    assert_eq!(
        events[2],
        StreamEvent::ToolCallStarted {
            index: 0,
            id: "id0".into(),
            name: "f".into()
        }
    );
    assert_eq!(
        events[3],
        StreamEvent::ToolCallArgs {
            index: 0,
            delta: "{}".into()
        }
    );
    assert!(matches!(events[4], StreamEvent::Usage(_)));

    let start = Instant::now();
    rt.block_on(async {
        let req = history();
        let mut ignore = |_| {};
        let r = tokio::time::timeout(
            Duration::from_millis(500),
            client.complete(&req, &mut ignore),
        )
        .await;
        assert!(r.is_err(), "still streaming");
    });
    assert!(start.elapsed() < Duration::from_secs(5));
    let deadline = Instant::now() + Duration::from_secs(5);
    while mock.disconnects() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(
        mock.disconnects(),
        1,
        "the server saw the request cancelled"
    );
}

#[test]
fn event_streams_with_a_charset_odd_label_or_no_content_type_are_read() {
    // llama.cpp, vLLM and Ollama label their streams in different ways; the check that refuses
    // web pages must not refuse these.
    let sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"fine\"},\"finish_reason\":null}]}\n\n\
               data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    let labels = [
        Some("text/event-stream; charset=utf-8"),
        Some("text/event-stream;charset=UTF-8"),
        None,
        Some("text/plain; charset=utf-8"),
        Some("application/octet-stream"),
    ];
    let mock = MockServer::start(
        labels
            .iter()
            .map(|ct| Reply::body(200, *ct, &format!(": keep-alive\n\n{sse}")))
            .collect(),
    );
    let sb = Sandbox::new();
    for ct in labels {
        let o = run(&sb, &mock, &[]);
        assert_eq!(
            (o.status.code(), stdout(&o).as_str()),
            (Some(0), "fine\n"),
            "{ct:?}: {}",
            stderr(&o)
        );
    }
    // An unlabelled stream need not open with a comment.
    mock.push(Reply::body(200, None, sse));
    let o = run(&sb, &mock, &[]);
    assert_eq!(stdout(&o), "fine\n", "{}", stderr(&o));
    assert_eq!(mock.chat_requests().len(), labels.len() + 1);
}
