//! The client's failures through the real `hone -p` binary: HTTP error kinds and their hints,
//! retries (429 with `Retry-After`, 5xx, resets) within one shared budget, the two timeouts, and
//! the non-streaming fallback.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::json;

use super::provider::{quick, result_json, run};
use crate::support::mock::*;
use crate::support::output::{stderr, stdout};
use crate::support::sandbox::{Sandbox, TEST_KEY};

#[test]
fn model_not_exist_lists_the_servers_models() {
    let mock = MockServer::start(vec![Reply::error(400, "Model Not Exist")]);
    mock.set_models(&["deepseek-flash", "deepseek-v4-pro"]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &["--model", "deepseek-chatt"]);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(
        err.contains("the model `deepseek-chatt` does not exist"),
        "{err}"
    );
    assert!(
        err.contains("hint: models this provider offers: deepseek-flash, deepseek-v4-pro"),
        "{err}"
    );
    let models = mock
        .requests()
        .into_iter()
        .find(|r| r.method == "GET")
        .unwrap();
    assert_eq!(models.path, "/v1/models");
    assert_eq!(
        models.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
}

#[test]
fn http_errors_become_kinds_a_person_can_act_on() {
    let cases: Vec<(Reply, &[&str])> = vec![
        (
            Reply::error(
                400,
                "This model's maximum context length is 131072 tokens. However, you requested 140000 tokens",
            ),
            &[
                "request is longer than the model's context window",
                "hint: send less",
            ],
        ),
        (
            Reply::error(400, "Invalid tool schema"),
            &["rejected the request (400): Invalid tool schema"],
        ),
        (
            Reply::error(401, "Authentication Fails"),
            &["API key was refused (401)", "DEEPSEEK_API_KEY"],
        ),
        (
            Reply::error(403, "forbidden"),
            &["API key was refused (403)", "DEEPSEEK_API_KEY"],
        ),
        (
            Reply::error(402, "Insufficient Balance"),
            &["no balance left (402): Insufficient Balance", "top up"],
        ),
        (
            Reply::status(404, "Not Found"),
            &[
                "answered 404 for model `deepseek-flash`",
                "/chat/completions",
                "--base-url",
            ],
        ),
        (
            Reply::status(422, "{\"detail\":\"messages: field required\"}"),
            &["(422): messages: field required"],
        ),
    ];
    let sb = Sandbox::new();
    for (reply, needles) in cases {
        let mock = MockServer::start(vec![reply]);
        let o = run(&sb, &mock, &[]);
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        let err = stderr(&o);
        for n in needles {
            assert!(err.contains(n), "{n:?} missing from:\n{err}");
        }
        assert_eq!(mock.chat_requests().len(), 1, "not retried: {err}");
    }
}

#[test]
fn rate_limits_honour_retry_after() {
    let mock = MockServer::start(vec![
        Reply::error(429, "Rate limit reached").header("Retry-After", "1"),
        Reply::answer("ok"),
    ]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "ok\n"),
        "{}",
        stderr(&o)
    );
    let reqs = mock.chat_requests();
    let gap = reqs[1].at.duration_since(reqs[0].at);
    assert!(gap >= Duration::from_millis(950), "waited only {gap:?}");
    assert!(stderr(&o).contains("rate limited (429)"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("retrying in 1.0s (retry 1 of 5)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn server_errors_and_connection_resets_are_retried() {
    let mock = MockServer::start(vec![
        Reply::error(500, "a"),
        Reply::error(502, "b"),
        Reply::error(503, "c"),
        Reply::error(504, "d"),
        Reply::answer("up"),
    ]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "up\n"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests().len(), 5);

    let mock = MockServer::start(vec![Reply::answer("after reset")]);
    mock.reset_connections(2);
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "after reset\n"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("the connection to"), "{}", stderr(&o));

    // Nothing listening: reported at once, not retried.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let start = Instant::now();
    let o = sb
        .cmd()
        .env("DEEPSEEK_API_KEY", TEST_KEY)
        .args([
            "-p",
            "q",
            "--base-url",
            &format!("http://127.0.0.1:{port}/v1"),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("could not connect to"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("retrying"), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(5));
}

#[test]
fn one_retry_budget_is_shared_by_every_kind_of_failure() {
    let mock = MockServer::start(vec![
        Reply::error(503, "busy"),
        Reply::error(429, "slow down"),
        Reply::sse(vec![ev_role(), Frame::Drop]),
        Reply::answer("never reached"),
    ]);
    let sb = Sandbox::new();
    quick(&sb, "max_retries = 2\n");
    let o = run(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert_eq!(
        mock.chat_requests().len(),
        3,
        "two retries in all, not two per kind"
    );
    assert!(stderr(&o).contains("cut off"), "{}", stderr(&o));
}

#[test]
fn first_byte_timeout_and_idle_timeout_are_separate() {
    let mock = MockServer::start(vec![
        Reply::sse(vec![delay_ms(5_000), ev_text("too late")]),
        Reply::sse(vec![ev_text("started "), delay_ms(5_000), ev_text("never")]),
    ]);
    let sb = Sandbox::new();
    sb.project_config(
        "[retry]\nbase_delay_ms = 10\n[timeouts]\nfirst_byte_secs = 0.5\nidle_secs = 0.4\n",
    );
    let start = Instant::now();
    let o = run(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("no answer within 0.5s"),
        "{}",
        stderr(&o)
    );
    assert!(
        start.elapsed() < Duration::from_secs(4),
        "a first-byte timeout is not retried"
    );
    assert_eq!(mock.chat_requests().len(), 1);

    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(3), "started \n")
    );
    assert!(
        stderr(&o).contains("the answer stalled: nothing for 0.4s"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        mock.chat_requests().len(),
        2,
        "a stall after text is not retried"
    );

    // A stall before anything was shown is retried.
    mock.push(Reply::sse(vec![ev_role(), delay_ms(5_000), ev_done()]));
    mock.push(Reply::answer("second wind"));
    let o = run(&sb, &mock, &[]);
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "second wind\n"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests().len(), 4);
}

#[test]
fn the_non_streaming_fallback() {
    let mock = MockServer::start(vec![Reply::json(json!({
        "id": "x", "object": "chat.completion", "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "whole", "reasoning_content": "r"}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "prompt_cache_hit_tokens": 0, "prompt_cache_miss_tokens": 3}
    }))]);
    let sb = Sandbox::new();
    sb.project_config("stream = false\n");
    let o = run(&sb, &mock, &["--output-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = result_json(&o);
    assert_eq!(
        (r["result"].as_str(), r["reasoning"].as_str()),
        (Some("whole"), Some("r"))
    );
    let body = mock.chat_requests()[0].json();
    assert_eq!(body["stream"], false);
    assert!(body.get("stream_options").is_none());
}

const NGINX: &str = "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n<style>\nhtml { color-scheme: light dark; }\n</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n</body>\n</html>\n";

#[test]
fn an_html_page_at_the_base_url_fails_at_once_and_says_what_came_back() {
    // The user's report: a base URL without /v1 reached nginx's welcome page, which hone
    // retried for 20 s as a cut-off answer with advice about timeouts.
    let mock = MockServer::start(vec![
        Reply::body(200, Some("text/html"), NGINX),
        Reply::body(200, Some("text/plain; charset=utf-8"), NGINX),
        Reply::body(
            200,
            Some("text/plain"),
            "\u{1b}[31mHello\r\n from the proxy\u{7}\n",
        ),
        Reply::body(200, None, NGINX),
    ]);
    let sb = Sandbox::new();
    quick(&sb, "");
    let url = format!("{}/chat/completions", mock.base_url);
    for (n, content_type, start) in [
        (
            1,
            "text/html",
            "<!DOCTYPE html> <html> <head> <title>Welcome to nginx!</title> <style> html",
        ),
        (2, "text/plain; charset=utf-8", "<!DOCTYPE html> <html>"),
        (3, "text/plain", "[31mHello from the proxy"),
        (4, "no content type", "<!DOCTYPE html> <html>"),
    ] {
        let start_time = Instant::now();
        let o = run(&sb, &mock, &[]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(3), "{err}");
        assert_eq!(mock.chat_requests().len(), n, "not retried: {err}");
        assert!(start_time.elapsed() < Duration::from_secs(5));
        assert!(
            err.contains(&format!(
                "{url} answered 200 with {content_type}, not a Chat Completions event stream: {start}"
            )),
            "{err}"
        );
        assert!(
            err.contains("hint: is --base-url the API root (often ending in /v1)?"),
            "{err}"
        );
        assert!(
            !err.contains("retrying") && !err.contains("idle_secs"),
            "{err}"
        );
        assert!(
            !err.contains('\u{1b}'),
            "control characters are stripped: {err:?}"
        );
        assert_eq!(stdout(&o), "");
    }
}

#[test]
fn an_html_page_in_the_non_streaming_fallback_is_named_too() {
    let mock = MockServer::start(vec![
        Reply::body(200, Some("text/html"), NGINX),
        Reply::body(200, Some("text/plain"), "not json"),
    ]);
    let sb = Sandbox::new();
    sb.project_config("stream = false\n");
    let o = run(&sb, &mock, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains(
            "answered 200 with text/html, not a Chat Completions JSON response: <!DOCTYPE html>"
        ),
        "{err}"
    );
    assert!(err.contains("hint: is --base-url the API root"), "{err}");
    // Text that is neither JSON nor a page stays a protocol error.
    let o = run(&sb, &mock, &[]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o)
            .contains("not a Chat Completions stream: expected ident at line 1 column 2: not json"),
        "{}",
        stderr(&o)
    );
    assert_eq!(mock.chat_requests().len(), 2);
}

#[test]
fn a_stream_of_only_done_is_no_answer_and_is_retried() {
    let only_done = || Reply::sse(vec![ev_done()]);
    let mock = MockServer::start(vec![
        only_done(),
        Reply::sse(vec![ev_role(), ev_usage(5, 0, 0, 5, 0), ev_done()]),
        Reply::answer("third time"),
    ]);
    let sb = Sandbox::new();
    quick(&sb, "max_retries = 2\n");
    let o = run(&sb, &mock, &["--output-format", "json"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(result_json(&o)["result"], "third time");
    assert_eq!(
        err.matches("the server ended the stream without sending an answer; retrying")
            .count(),
        2,
        "{err}"
    );

    // Out of retries: exit 3, with the kind and a hint.
    mock.set_fallback(only_done());
    let o = run(&sb, &mock, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("caused by: the server ended the stream without sending an answer"),
        "{err}"
    );
    assert!(err.contains("hint: the server's own log"), "{err}");
    assert_eq!(mock.chat_requests().len(), 3 + 3);
}

#[test]
fn text_then_done_without_a_finish_reason_is_still_an_answer() {
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_role(),
            ev_text("just "),
            ev_text("text"),
            ev_done(),
        ]),
        Reply::sse(vec![ev_reasoning("only thought"), ev_done()]),
    ]);
    let sb = Sandbox::new();
    let o = run(&sb, &mock, &["--output-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = result_json(&o);
    assert_eq!(
        (r["result"].as_str(), r["finish_reason"].as_str()),
        (Some("just text"), Some("stop"))
    );
    let o = run(&sb, &mock, &["--output-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(result_json(&o)["reasoning"], "only thought");
    assert_eq!(mock.chat_requests().len(), 2);
}
