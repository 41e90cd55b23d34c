//! A scripted OpenAI-compatible server, to try `hone -p` offline: the same mock the end-to-end
//! tests use (`tests/support/mock.rs`), playing a short conversation with reasoning, keep-alive
//! comments and a streamed answer.
//!
//! ```text
//! cargo run --example mock_server            # listens on 127.0.0.1:8788 (or pass ADDR)
//! hone --provider llamacpp --base-url http://127.0.0.1:8788/v1 -p "What is hone?"
//! ```
//! The `llamacpp` preset needs no key. Stop the server with Ctrl-C. `--instant` skips the
//! scripted conversation and answers every request at once (`scripts/bench.sh` uses it).

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
        .find(|a| !a.starts_with("--"))
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
    let script = if instant {
        Vec::new()
    } else {
        vec![Reply::sse(frames)]
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
