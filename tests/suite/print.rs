//! `hone -p`: the answer streamed to stdout, reasoning to stderr, the JSON formats, exit codes,
//! Ctrl-C, and the key kept out of every output. Driven through the real binary against the mock.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::mock::*;
use crate::support::output::{assert_no_key, stderr, stdout};
use crate::support::sandbox::{Sandbox, TEST_KEY};

fn json_lines(o: &std::process::Output) -> Vec<Value> {
    stdout(o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `hone -p q --output-format stream-json` against `mock`: its events, after checking the exit
/// code.
fn stream_json(sb: &Sandbox, mock: &MockServer, code: i32) -> Vec<Value> {
    let o = sb
        .against(mock)
        .args(["-p", "q", "--output-format", "stream-json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(code), "{}", stderr(&o));
    json_lines(&o)
}

#[test]
fn streams_the_answer_to_stdout_and_sends_the_deepseek_request() {
    let mock = MockServer::start(vec![Reply::answer("Hello, world")]);
    let sb = Sandbox::new();
    let o = sb
        .against(&mock)
        .args(["-p", "Say hello"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Hello, world\n");
    assert_no_key(&o);

    let reqs = mock.chat_requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    let b = r.json();
    assert_eq!(b["model"], "deepseek-flash");
    assert_eq!(b["stream"], true);
    assert_eq!(b["stream_options"]["include_usage"], true);
    assert_eq!(b["thinking"]["type"], "enabled");
    assert!(b["max_tokens"].as_u64().is_some(), "{b}");
    assert_eq!(b["messages"][0]["role"], "system");
    assert!(
        b["messages"][0]["content"]
            .as_str()
            .unwrap()
            .starts_with(hone::prompts::SYSTEM)
    );
    assert_eq!(
        b["messages"][1],
        serde_json::json!({"role": "user", "content": "Say hello"})
    );
    assert_eq!(
        b["tools"].as_array().map(Vec::len),
        Some(7),
        "the agent's tools are offered"
    );
}

#[test]
fn reads_the_prompt_from_stdin() {
    let mock = MockServer::start(vec![Reply::answer("ok")]);
    let sb = Sandbox::new();
    let o = sb
        .against(&mock)
        .args(["-p", "-"])
        .write_stdin("from stdin\n")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        mock.chat_requests()[0].json()["messages"][1]["content"],
        "from stdin\n"
    );
}

#[test]
fn an_empty_prompt_is_a_usage_error() {
    let sb = Sandbox::new();
    let o = sb
        .cmd()
        .args(["-p", "-"])
        .write_stdin("  \n")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("error: the prompt is empty"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn reasoning_goes_to_stderr_or_nowhere() {
    let script = || {
        Reply::sse(vec![
            ev_role(),
            ev_reasoning("Let me think. "),
            ev_reasoning("Done."),
            ev_text("42"),
            ev_finish("stop"),
            ev_done(),
        ])
    };
    let mock = MockServer::start(vec![script(), script()]);
    let sb = Sandbox::new();
    let o = sb.against(&mock).args(["-p", "q"]).output().unwrap();
    assert_eq!((o.status.code(), stdout(&o).as_str()), (Some(0), "42\n"));
    assert!(
        stderr(&o).contains("Let me think. Done.\n"),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains('\u{1b}'), "no colour off a terminal");

    let o = sb
        .against(&mock)
        .args(["-p", "q", "--no-reasoning"])
        .output()
        .unwrap();
    assert_eq!(stdout(&o), "42\n");
    assert!(!stderr(&o).contains("Let me think"), "{}", stderr(&o));
}

#[test]
fn reasoning_is_dimmed_when_colour_is_on() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_reasoning("hmm"),
        ev_text("x"),
        ev_finish("stop"),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let o = sb
        .against(&mock)
        .args(["-p", "q", "--color", "always"])
        .output()
        .unwrap();
    assert!(stderr(&o).contains("\u{1b}[2mhmm"), "{:?}", stderr(&o));
}

#[test]
fn json_prints_one_object_with_text_reasoning_usage_and_cost() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_reasoning("because"),
        ev_text("The answer"),
        ev_text(" is 4."),
        ev_finish("stop"),
        ev_usage(1000, 100, 800, 200, 30),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let o = sb
        .against(&mock)
        .args(["-p", "2+2?", "--output-format", "json"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let lines = json_lines(&o);
    assert_eq!(lines.len(), 1, "{}", stdout(&o));
    let r = &lines[0];
    assert_eq!(r["type"], "result");
    assert_eq!(r["subtype"], "success");
    assert_eq!(r["is_error"], false);
    assert_eq!(r["result"], "The answer is 4.");
    assert_eq!(r["reasoning"], "because");
    assert_eq!(r["model"], "deepseek-flash");
    assert_eq!(r["finish_reason"], "stop");
    assert_eq!(r["num_turns"], 1);
    assert_eq!(r["usage"]["cache_read_input_tokens"], 800);
    assert_eq!(r["usage"]["input_tokens"], 200);
    assert_eq!(r["usage"]["output_tokens"], 100);
    assert_eq!(r["usage"]["reasoning_tokens"], 30);
    // The cost and its band: `suite::deepseek` checks the figures.
    assert!(r["total_cost_usd"].as_f64().unwrap() > 0.0);
    assert!(r["rate"].is_string(), "{r}");
    let id = r["session_id"].as_str().unwrap();
    assert!(id.len() >= 16 && !id.contains(' '), "{id}");
}

#[test]
fn stream_json_prints_the_init_the_message_and_the_result() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_reasoning("r1"),
        ev_text("a"),
        ev_text("b"),
        ev_finish("stop"),
        ev_usage(10, 2, 0, 10, 0),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let ev = stream_json(&sb, &mock, 0);
    assert_eq!(
        (ev[0]["type"].as_str(), ev[0]["subtype"].as_str()),
        (Some("system"), Some("init"))
    );
    assert_eq!(ev[0]["model"], "deepseek-flash");
    assert_eq!(ev[0]["tools"][0], "read_file");
    assert_eq!(ev[0]["cwd"], sb.workspace.display().to_string());
    // One assistant event for the message, however many chunks it came in.
    assert_eq!(ev.len(), 3, "{ev:#?}");
    assert_eq!(ev[1]["type"], "assistant");
    assert_eq!(
        ev[1]["message"]["content"],
        serde_json::json!([{"type": "thinking", "thinking": "r1"}, {"type": "text", "text": "ab"}])
    );
    let last = ev.last().unwrap();
    assert_eq!(
        (last["type"].as_str(), last["result"].as_str()),
        (Some("result"), Some("ab"))
    );
    assert_eq!(last["usage"]["input_tokens"], 10);
    let ids: Vec<&Value> = ev.iter().map(|e| &e["session_id"]).collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "one session id throughout"
    );
}

#[test]
fn verbose_shows_the_request_usage_and_cost_but_never_the_key() {
    let mock = MockServer::start(vec![Reply::answer("hi there")]);
    let sb = Sandbox::new();
    let o = sb
        .against(&mock)
        .args(["-p", "q", "--verbose"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("POST {}/chat/completions", mock.base_url)),
        "{err}"
    );
    assert!(err.contains("Bearer ****cdef"), "{err}");
    assert!(err.contains("request body: {"), "{err}");
    assert!(
        err.contains("deepseek-flash: 20 tokens in (16 cached), 5 out (0 reasoning), $0.0000 ("),
        "{err}"
    );
    assert_no_key(&o);
}

#[test]
fn the_key_never_appears_in_any_output() {
    // A server that echoes the key in its error, a retried failure, a verbose run, every format.
    let echo = format!("Incorrect API key provided: {TEST_KEY}");
    let mock = MockServer::start(vec![
        Reply::error(401, &echo),
        Reply::error(503, &echo),
        Reply::answer("fine"),
        Reply::sse(vec![ev_text("part"), ev_error(&echo, "server_error")]),
    ]);
    let sb = Sandbox::new();
    for args in [
        vec!["-p", "q", "--verbose"],
        vec!["-p", "q", "--verbose", "--output-format", "stream-json"],
        vec!["-p", "q", "--verbose", "--output-format", "json"],
    ] {
        let o = sb.against(&mock).args(&args).output().unwrap();
        assert_no_key(&o);
    }
    let o = sb.against(&mock).arg("config").output().unwrap();
    assert_no_key(&o);
    let o = sb
        .cmd()
        .env("HONE_API_KEY", TEST_KEY)
        .args(["config", "--verbose"])
        .output()
        .unwrap();
    assert_no_key(&o);
}

#[test]
fn ctrl_c_exits_130_and_cancels_the_request() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_text("thinking about it"),
        delay_ms(30_000),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let mut cmd = sb.std_against(&mock);
    let child = cmd
        .args(["-p", "q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    mock.wait_for_requests(1, Duration::from_secs(20));
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let killed = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", stderr(&o));
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(
        stdout(&o).starts_with("thinking about it"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("interrupted"), "{}", stderr(&o));
    // The connection was closed: the server saw its stream abandoned.
    let deadline = Instant::now() + Duration::from_secs(5);
    while mock.disconnects() == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(mock.disconnects(), 1);
}

#[test]
fn help_documents_print_and_the_exit_codes() {
    let o = Sandbox::new().cmd().arg("--help").output().unwrap();
    let out = stdout(&o);
    for needle in [
        "--print <PROMPT>",
        "--output-format",
        "--no-reasoning",
        "130",
        "provider failed after retries",
    ] {
        assert!(out.contains(needle), "{needle} missing from --help:\n{out}");
    }
}

#[test]
fn a_closed_stdout_exits_zero() {
    let long = "word ".repeat(20_000);
    let mock = MockServer::start(vec![Reply::answer(&long)]);
    let sb = Sandbox::new();
    let mut cmd = sb.std_against(&mock);
    let mut child = cmd
        .args(["-p", "q"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
}

/// The `type` of each stream-json event, `system` ones with their subtype.
fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e["subtype"].as_str() {
            Some(sub) if e["type"] == "system" => format!("system/{sub}"),
            _ => e["type"].as_str().unwrap_or("?").to_string(),
        })
        .collect()
}

#[test]
fn stream_json_writes_one_assistant_event_per_message() {
    // The user's report: one `assistant` event per streamed chunk, so the count depended on the
    // network. Claude Code writes one per message: thinking, text and tool_use blocks together,
    // before the `user` events of the tool results.
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "alpha\n").unwrap();
    let first = Reply::sse(vec![
        ev_role(),
        ev_reasoning("I should "),
        ev_reasoning("look."),
        ev_text("Let me "),
        ev_text("check."),
        ev_tool_start(0, "c1", "read_file"),
        ev_tool_args(0, "{\"path\":"),
        ev_tool_args(0, "\"a.txt\"}"),
        ev_tool_call(1, "c2", "list_files", "{}"),
        ev_finish("tool_calls"),
        ev_done(),
    ]);
    let mock = MockServer::start(vec![
        first,
        // A dropped attempt before anything was shown: retried, and not a message.
        Reply::sse(vec![ev_role(), Frame::Drop]),
        Reply::sse(vec![
            ev_text("It "),
            ev_text("says "),
            ev_text("alpha."),
            ev_finish("stop"),
            ev_done(),
        ]),
    ]);
    sb.project_config("[retry]\nbase_delay_ms = 10\n");
    let ev = stream_json(&sb, &mock, 0);
    assert_eq!(
        kinds(&ev),
        [
            "system/init",
            "assistant",
            "user",
            "user",
            "system/retry",
            "assistant",
            "result"
        ],
        "{ev:#?}"
    );
    assert_eq!(
        ev[1]["message"]["content"],
        serde_json::json!([
            {"type": "thinking", "thinking": "I should look."},
            {"type": "text", "text": "Let me check."},
            {"type": "tool_use", "id": "c1", "name": "read_file", "input": {"path": "a.txt"}},
            {"type": "tool_use", "id": "c2", "name": "list_files", "input": {}},
        ])
    );
    let results: Vec<&str> = ev[2..4]
        .iter()
        .map(|e| e["message"]["content"][0]["tool_use_id"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["c1", "c2"]);
    assert!(
        ev[2]["message"]["content"][0]["content"]
            .as_str()
            .unwrap()
            .contains("alpha"),
        "{}",
        ev[2]
    );
    assert_eq!(
        ev[5]["message"]["content"],
        serde_json::json!([{"type": "text", "text": "It says alpha."}])
    );
    assert_eq!(ev[6]["result"], "It says alpha.");
    assert_eq!(ev[6]["num_turns"], 2);
}

#[test]
fn stream_json_keeps_the_text_of_a_cut_message() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_text("half "),
        ev_text("an answer"),
        Frame::Drop,
    ])]);
    let sb = Sandbox::new();
    let ev = stream_json(&sb, &mock, 3);
    assert_eq!(kinds(&ev), ["system/init", "assistant", "result"]);
    assert_eq!(
        ev[1]["message"]["content"],
        serde_json::json!([{"type": "text", "text": "half an answer"}])
    );
    assert_eq!(ev[2]["is_error"], true);
}

#[test]
fn verbose_logs_every_request_body_as_sent() {
    // The user's report: `request body:` showed only the system message, logged before the
    // prompt was added; now each body is logged as it goes out.
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "alpha\n").unwrap();
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_tool_call(0, "c1", "read_file", "{\"path\":\"a.txt\"}"),
            ev_finish("tool_calls"),
            ev_done(),
        ]),
        Reply::answer("done"),
    ]);
    let o = sb
        .against(&mock)
        .args(["-p", "what is in a.txt?", "--verbose"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_no_key(&o);
    let logged: Vec<Value> = stderr(&o)
        .lines()
        .filter_map(|l| l.strip_prefix("hone: request body: "))
        .map(|b| serde_json::from_str(b).unwrap_or_else(|e| panic!("{e}: {b}")))
        .collect();
    let sent: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert_eq!(logged.len(), 2, "{}", stderr(&o));
    assert_eq!(logged, sent, "the bodies logged are the bodies sent");
    let first = &logged[0];
    assert_eq!(first["messages"][1]["content"], "what is in a.txt?");
    assert_eq!(first["tools"].as_array().map(Vec::len), Some(7));
    assert_eq!(first["model"], "deepseek-flash");
    assert_eq!(logged[1]["messages"][3]["role"], "tool");
}

#[test]
fn verbose_cuts_a_huge_request_body_and_says_how_much() {
    let mock = MockServer::start(vec![Reply::answer("ok")]);
    let sb = Sandbox::new();
    let prompt = "p".repeat(100_000);
    let o = sb
        .against(&mock)
        .args(["-p", &prompt, "--verbose"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let sent = mock.chat_requests()[0].body.len();
    let line = stderr(&o)
        .lines()
        .find_map(|l| l.strip_prefix("hone: request body: "))
        .unwrap()
        .to_string();
    assert!(
        line.ends_with(&format!("… ({} more bytes not shown)", sent - 64 * 1024)),
        "{}",
        &line[line.len().saturating_sub(80)..]
    );
}

#[test]
fn a_refused_command_under_yes_names_the_rule_that_allows_it() {
    // The user's report: the refusal said "--yes or --allowed-tools", but --yes never allows
    // commands.
    let refusal = |yes: bool| {
        let mock = MockServer::start(vec![
            Reply::sse(vec![
                ev_tool_call(0, "c1", "run_command", "{\"command\":\"cargo test\"}"),
                ev_finish("tool_calls"),
                ev_done(),
            ]),
            Reply::answer("ok"),
        ]);
        let sb = Sandbox::new();
        let mut args = vec!["-p", "q"];
        if yes {
            args.push("--yes");
        }
        let o = sb.against(&mock).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let req = mock.chat_requests()[1].json();
        req["messages"][3]["content"].as_str().unwrap().to_string()
    };
    let with_yes = refusal(true);
    assert!(
        with_yes.contains(
            "the user can allow commands with --allowed-tools 'run_command(<command prefix>:*)'; --yes does not cover commands"
        ),
        "{with_yes}"
    );
    let without = refusal(false);
    assert!(
        without.contains(
            "the user can allow edits with --yes, and commands with --allowed-tools 'run_command(<command prefix>:*)'"
        ),
        "{without}"
    );
}

#[test]
fn an_escape_sequence_split_across_chunks_is_removed_whole() {
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_text("esc \u{1b}[3"),
        ev_text("1mRED\u{1b}"),
        ev_text("[0m and CR\r"),
        ev_text("\nLF"),
        ev_finish("stop"),
        ev_done(),
    ])]);
    let sb = Sandbox::new();
    let o = sb.against(&mock).args(["-p", "q"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "esc RED and CR\nLF\n");
}
