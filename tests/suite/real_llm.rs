//! hone against a real OpenAI-compatible server and a real (tiny) model: llama.cpp's own server
//! with SmolLM2-135M-Instruct, started by `scripts/real-llm.sh` (which `.ci/run` calls). Proves
//! the wire, not the model's wisdom: a streamed answer, `--output-format json`, and a request
//! with tool schemas the server accepts and answers with a well-formed call.
//!
//! `HONE_REAL_LLM_URL` is the server's base URL (`http://127.0.0.1:PORT/v1`). Without it the tests
//! print a notice and pass locally, but fail under CI (`CI=true`), so CI cannot skip them quietly.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::library_config;
use crate::support::output::{stderr, stdout};
use crate::support::sandbox::Sandbox;

fn server() -> Option<String> {
    match std::env::var("HONE_REAL_LLM_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("CI").ok().as_deref() != Some("true"),
                "HONE_REAL_LLM_URL is not set under CI: .ci/run must start scripts/real-llm.sh"
            );
            eprintln!(
                "real_llm: HONE_REAL_LLM_URL is not set; skipped (run scripts/real-llm.sh to enable)"
            );
            None
        }
    }
}

fn hone(sb: &Sandbox, url: &str) -> assert_cmd::Command {
    let mut c = sb.cmd();
    c.args(["--provider", "llamacpp", "--base-url", url])
        .timeout(Duration::from_secs(120));
    c
}

#[test]
fn real_server_streams_an_answer() {
    let Some(url) = server() else { return };
    let sb = Sandbox::new();
    let o = hone(&sb, &url)
        .args(["-p", "Say hello in one short sentence."])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !stdout(&o).trim().is_empty(),
        "no answer; stderr:\n{}",
        stderr(&o)
    );
}

#[test]
fn real_server_json_output_with_usage() {
    let Some(url) = server() else { return };
    let sb = Sandbox::new();
    let o = hone(&sb, &url)
        .args(["-p", "Name a colour.", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(r["type"], "result");
    assert_eq!(r["is_error"], false);
    assert!(!r["result"].as_str().unwrap().is_empty(), "{r}");
    // llama.cpp sends usage only when asked (stream_options.include_usage), in a chunk with no
    // choices; hone asks, so the counts are there.
    assert!(r["usage"]["prompt_tokens"].as_u64().unwrap() > 0, "{r}");
    assert!(r["usage"]["output_tokens"].as_u64().unwrap() > 0, "{r}");
    assert!(
        ["stop", "length"].contains(&r["finish_reason"].as_str().unwrap()),
        "{r}"
    );
}

#[test]
fn real_server_accepts_tool_schemas_and_returns_a_call() {
    let Some(url) = server() else { return };
    let cfg = library_config("llamacpp", &url, None);
    let client = hone::provider::Client::new(&cfg).unwrap();
    let tools: Vec<Value> = serde_json::from_str(hone::prompts::TOOLS_JSON).unwrap();
    let names: Vec<String> = tools
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap().to_string())
        .collect();
    let req = hone::provider::ChatRequest {
        messages: vec![
            hone::provider::Message::system("You are a helpful assistant that uses tools."),
            hone::provider::Message::user("Read the file src/main.rs."),
        ],
        tools,
        // This tiny model calls tools reliably only when required to.
        tool_choice: Some(json!("required")),
        cache_key: None,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut started = 0;
    let c = rt
        .block_on(client.complete(&req, &mut |e| {
            if matches!(e, hone::provider::StreamEvent::ToolCallStarted { .. }) {
                started += 1;
            }
        }))
        .unwrap();
    assert!(!c.message.tool_calls.is_empty(), "no tool call: {c:?}");
    assert_eq!(started, c.message.tool_calls.len());
    for call in &c.message.tool_calls {
        assert!(!call.id.is_empty(), "{call:?}");
        assert!(names.contains(&call.name), "unknown tool {call:?}");
        let args: Value =
            serde_json::from_str(&call.arguments).unwrap_or_else(|e| panic!("{e}: {call:?}"));
        assert!(args.is_object(), "{call:?}");
    }
    assert_eq!(c.finish_reason, hone::provider::FinishReason::ToolCalls);
}
