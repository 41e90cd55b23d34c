//! A scripted OpenAI-compatible server, to try `hone -p` offline: the same mock the end-to-end
//! tests use (`tests/support/mock.rs`), playing a short conversation with reasoning, keep-alive
//! comments and a streamed answer.
//!
//! ```text
//! cargo run --example mock_server            # listens on 127.0.0.1:8788 (or pass ADDR)
//! hone --provider llamacpp --base-url http://127.0.0.1:8788/v1 -p "What is hone?"
//! ```
//! The `llamacpp` preset needs no key. Stop the server with Ctrl-C.
//!
//! `--script FILE` plays your own conversation instead, one reply per line of JSON:
//! `{"text": "…"}` is a streamed answer, `{"calls": [{"name": "read_file", "arguments": {…}}]}`
//! asks for tool calls — enough to try `hone fix` offline (`examples/fix-session.jsonl`). `--instant` skips the
//! scripted conversation and answers every request at once (`scripts/bench.sh` uses it).

#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mock.rs"]
#[allow(dead_code)]
mod mock;

use mock::*;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let instant = args.iter().any(|a| a == "--instant");
    let addr = args
        .iter()
        .enumerate()
        .find(|(i, a)| !a.starts_with("--") && (*i == 0 || args[i - 1] != "--script"))
        .map(|(_, a)| a)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8788".to_string());
    let words = "hone is a terminal coding assistant. This answer comes from a scripted mock \
                 server, streamed a few words at a time, so you can see how hone shows reasoning, \
                 the answer, and the usage line without a real model.";
    let mut frames = vec![keep_alive(), delay_ms(300), ev_role()];
    for r in ["The user asks what hone is. ", "I will answer briefly."] {
        frames.extend([ev_reasoning(r), delay_ms(150)]);
    }
    for w in words.split_inclusive(' ') {
        frames.extend([ev_text(w), delay_ms(40)]);
    }
    frames.extend([ev_finish("stop"), ev_usage(120, 48, 96, 24, 12), ev_done()]);
    let script_file = args
        .iter()
        .position(|a| a == "--script")
        .and_then(|i| args.get(i + 1));
    let script = match script_file {
        Some(path) => read_script(path),
        None if instant => Vec::new(),
        None => vec![Reply::sse(frames)],
    };
    let server = MockServer::start_on(&addr, script);
    server.set_fallback(Reply::answer(
        "(mock) The scripted conversation is over; every further question gets this answer.",
    ));
    server.set_models(&["mock-model"]);
    println!("mock server on {}", server.base_url);
    println!(
        "try: hone --provider llamacpp --base-url {} -p \"What is hone?\"",
        server.base_url
    );
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}

/// Reads a script: one reply a line, `{"text": …}` or `{"calls": [{"name", "arguments"}]}`.
fn read_script(path: &str) -> Vec<Reply> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"));
    let mut replies = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}:{}: {e}", n + 1));
        if let Some(t) = v["text"].as_str() {
            replies.push(Reply::answer(t));
            continue;
        }
        let mut frames = vec![ev_role()];
        for (i, c) in v["calls"].as_array().into_iter().flatten().enumerate() {
            let id = format!("call_{}_{i}", n + 1);
            let name = c["name"].as_str().unwrap_or("read_file");
            frames.push(ev_tool_call(
                i as u32,
                &id,
                name,
                &c["arguments"].to_string(),
            ));
        }
        frames.extend([
            ev_finish("tool_calls"),
            ev_usage(1000, 30, 900, 100, 0),
            ev_done(),
        ]);
        replies.push(Reply::sse(frames));
    }
    replies
}
