//! DeepSeek's current terms through the real binary: prices per model and per time band named in
//! the JSON outputs, the effort levels on the wire, retired model names refused before any
//! request, and `prompt_cache_key` only where the preset sends it.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::SystemTime;

use crate::suite::provider::{result_json, run};
use crate::support::mock::*;
use crate::support::output::{stderr, stdout};
use crate::support::sandbox::{Sandbox, TEST_KEY};

/// The band hone must have priced a request in, when the clock did not cross a band's edge
/// while the run lasted (`None` when it did: then either is right).
fn band_during(run: impl FnOnce()) -> Option<&'static str> {
    let peak = hone::config::prices::BEIJING_PEAK;
    let before = peak.rate_at(SystemTime::now());
    run();
    let after = peak.rate_at(SystemTime::now());
    (before == after).then_some(before.as_str())
}

#[test]
fn json_output_prices_by_the_band_and_names_it() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_text("4"),
        ev_finish("stop"),
        ev_usage(1000, 100, 800, 200, 0),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let mut o = None;
    let band = band_during(|| o = Some(run(&sb, &mock, &["--output-format", "json"])));
    let o = o.unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = result_json(&o);
    let rate = r["rate"].as_str().unwrap();
    assert!(rate == "off-peak" || rate == "peak", "{r}");
    if let Some(band) = band {
        assert_eq!(rate, band);
    }
    // deepseek-flash: 800 hits, 200 misses, 100 out; peak prices are twice the off-peak ones.
    let off_peak = (800.0 * 0.003 + 200.0 * 0.15 + 100.0 * 0.60) / 1e6;
    let factor = if rate == "peak" { 2.0 } else { 1.0 };
    let cost = r["total_cost_usd"].as_f64().unwrap();
    assert!((cost - off_peak * factor).abs() < 1e-12, "{cost} at {rate}");
}

#[test]
fn per_model_prices_from_the_config_file_apply_to_that_model_only() {
    let mock = MockServer::start(vec![Reply::answer("a"), Reply::answer("b")]);
    let sb = Sandbox::new();
    // The same figures off-peak and at peak, so the band cannot change the cost.
    sb.user_config(
        "[providers.deepseek.prices.deepseek-v4-pro]\n\
         cache_hit = 1.0\ncache_miss = 10.0\noutput = 100.0\n\
         peak = { cache_hit = 1.0, cache_miss = 10.0, output = 100.0 }\n",
    );
    let pro = run(
        &sb,
        &mock,
        &["--model", "deepseek-v4-pro", "--output-format", "json"],
    );
    assert_eq!(pro.status.code(), Some(0), "{}", stderr(&pro));
    // Reply::answer reports 20 prompt tokens (16 cached) and 5 completion tokens.
    let cost = result_json(&pro)["total_cost_usd"].as_f64().unwrap();
    assert!((cost - (16.0 + 40.0 + 500.0) / 1e6).abs() < 1e-12, "{cost}");
    let flash = run(&sb, &mock, &["--output-format", "json"]);
    let cost = result_json(&flash)["total_cost_usd"].as_f64().unwrap();
    assert!(cost < 1e-5, "flash keeps its built-in prices: {cost}");
}

#[test]
fn every_effort_level_reaches_the_request_body() {
    let mock = MockServer::start(vec![
        Reply::answer("a"),
        Reply::answer("b"),
        Reply::answer("c"),
    ]);
    let sb = Sandbox::new();
    for level in ["low", "high", "max"] {
        let o = run(&sb, &mock, &["--effort", level]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let sent: Vec<String> = mock
        .chat_requests()
        .iter()
        .map(|r| r.json()["reasoning_effort"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, ["low", "high", "max"]);
}

#[test]
fn a_retired_model_name_is_refused_before_any_request() {
    let mock = MockServer::start(vec![Reply::answer("never")]);
    let sb = Sandbox::new();
    for name in ["deepseek-chat", "deepseek-reasoner"] {
        let o = run(&sb, &mock, &["--model", name]);
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains(&format!("`{name}`")), "{err}");
        assert!(
            err.contains("deepseek-flash") && err.contains("deepseek-v4-pro"),
            "{err}"
        );
        assert!(stdout(&o).is_empty());
    }
    assert!(mock.requests().is_empty(), "no request reached the server");
    // Another provider's model of that name is its own business.
    let o = sb
        .cmd()
        .args(["-p", "q", "--provider", "vllm", "--model", "deepseek-chat"])
        .args(["--base-url", &mock.base_url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn prompt_cache_key_is_the_session_for_openai_and_absent_for_deepseek() {
    let mock = MockServer::start(vec![Reply::answer("a"), Reply::answer("b")]);
    let sb = Sandbox::new();
    run(&sb, &mock, &[]);
    let o = sb
        .cmd()
        .env("OPENAI_API_KEY", TEST_KEY)
        .args(["-p", "q", "--provider", "openai", "--output-format", "json"])
        .args(["--base-url", &mock.base_url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reqs = mock.chat_requests();
    assert!(reqs[0].json().get("prompt_cache_key").is_none());
    let session = result_json(&o)["session_id"].as_str().unwrap().to_string();
    assert_eq!(reqs[1].json()["prompt_cache_key"], session.as_str());
}
