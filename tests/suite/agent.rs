//! The agent core end to end through `hone fix`: scripted multi-turn sessions against the mock
//! server, asserting both what hone did to the workspace and what it sent on the wire.

use serde_json::{Value, json};

// `integrity` (which this branch leaves as it is) takes `call` from here.
use crate::support::calls::tool_result;
pub use crate::support::calls::{call, calls};
use crate::support::mock::*;
use crate::support::output::{stderr, stdout};
use crate::support::sandbox::{Sandbox, TEST_KEY};
use crate::support::{fix, read};

/// Every request begins with the previous request's messages, unchanged (the prefix cache).
fn assert_append_only(mock: &MockServer) {
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    for pair in reqs.windows(2) {
        let (a, b) = (
            pair[0]["messages"].as_array().unwrap(),
            pair[1]["messages"].as_array().unwrap(),
        );
        assert!(b.len() > a.len());
        assert_eq!(
            &b[..a.len()],
            &a[..],
            "a later request rewrote an earlier message"
        );
        assert_eq!(
            pair[0]["tools"], pair[1]["tools"],
            "tool schemas changed between requests"
        );
    }
}

#[test]
fn read_edit_apply_changes_the_file_and_keeps_the_prefix() {
    let sb = Sandbox::new();
    std::fs::write(
        sb.workspace.join("greet.py"),
        "def greet():\n    print('helo')\n",
    )
    .unwrap();
    let mock = MockServer::start(vec![
        call("c1", "read_file", json!({"path": "greet.py"})),
        call(
            "c2",
            "edit_file",
            json!({"path": "greet.py", "old_string": "'helo'", "new_string": "'hello'"}),
        ),
        Reply::answer("Fixed the typo."),
    ]);
    let o = fix(&sb, &mock, &["fix the typo", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "greet.py"), "def greet():\n    print('hello')\n");
    assert!(stdout(&o).contains("Fixed the typo."), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("+    print('hello')"),
        "the diff is shown: {}",
        stderr(&o)
    );
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert_eq!(reqs.len(), 3);
    assert_eq!(
        tool_result(&reqs[1], "c1"),
        "1\tdef greet():\n2\t    print('helo')\n"
    );
    // The changed region, numbered as read_file numbers it, so no second read is needed.
    assert_eq!(
        tool_result(&reqs[2], "c2"),
        "applied: greet.py (+1 -1).\ngreet.py:\n1\tdef greet():\n2\t    print('hello')"
    );
    let names: Vec<&str> = reqs[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "read_file",
            "list_files",
            "search",
            "edit_file",
            "write_file",
            "apply_patch",
            "run_command"
        ]
    );
    assert_append_only(&mock);

    // The change is journalled: `hone undo` restores the file byte for byte.
    let u = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(u.status.code(), Some(0), "{}", stderr(&u));
    assert_eq!(read(&sb, "greet.py"), "def greet():\n    print('helo')\n");
}

#[test]
fn a_failed_match_goes_back_to_the_model_and_its_retry_succeeds() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "alpha\nbeta\ngamma\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "a.txt", "old_string": "delta", "new_string": "DELTA"}),
        ),
        call(
            "c2",
            "edit_file",
            json!({"path": "a.txt", "old_string": "beta", "new_string": "BETA"}),
        ),
        Reply::answer("done"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "a.txt"), "alpha\nBETA\ngamma\n");
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    let miss = tool_result(&reqs[1], "c1");
    assert!(
        miss.contains("a.txt") && miss.to_lowercase().contains("not found"),
        "{miss}"
    );
}

#[test]
fn two_parallel_calls_are_answered_in_order() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("one.txt"), "1\n").unwrap();
    std::fs::write(sb.workspace.join("two.txt"), "2\n").unwrap();
    let mock = MockServer::start(vec![
        calls(&[
            ("c1", "read_file", json!({"path": "one.txt"})),
            ("c2", "read_file", json!({"path": "two.txt"})),
        ]),
        Reply::answer("read both"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let last = mock.chat_requests()[1].json();
    let msgs = last["messages"].as_array().unwrap();
    let n = msgs.len();
    assert_eq!(msgs[n - 3]["tool_calls"].as_array().unwrap().len(), 2);
    assert_eq!(msgs[n - 2]["tool_call_id"], "c1");
    assert_eq!(msgs[n - 2]["content"], "1\t1\n");
    assert_eq!(msgs[n - 1]["tool_call_id"], "c2");
    assert_eq!(msgs[n - 1]["content"], "1\t2\n");
}

#[test]
fn paths_outside_the_workspace_are_refused_and_the_session_goes_on() {
    let sb = Sandbox::new();
    let outside = sb.workspace.parent().unwrap().join("outside.txt");
    std::fs::write(&outside, "keep\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "write_file",
            json!({"path": "../outside.txt", "content": "pwned\n"}),
        ),
        call(
            "c2",
            "read_file",
            json!({"path": outside.to_str().unwrap()}),
        ),
        call("c3", "bogus_tool", json!({})),
        call("c4", "read_file", json!({"path": 7})),
        Reply::answer("ok"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    // Nothing was applied: the run says so (exit 1), and the session went on to an answer.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("refused: ../outside.txt is not a path inside the workspace"));
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "keep\n");
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert!(
        tool_result(&reqs[1], "c1").contains(".."),
        "{}",
        tool_result(&reqs[1], "c1")
    );
    assert!(
        tool_result(&reqs[2], "c2").contains("outside"),
        "{}",
        tool_result(&reqs[2], "c2")
    );
    assert!(tool_result(&reqs[3], "c3").contains("no tool named `bogus_tool`"));
    assert!(
        tool_result(&reqs[4], "c4").contains("not valid"),
        "{}",
        tool_result(&reqs[4], "c4")
    );
}

#[test]
fn commands_are_declined_without_a_rule_and_run_with_one() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "run_command",
            json!({"command": "echo hi > made.txt"}),
        ),
        call("c2", "run_command", json!({"command": "echo allowed"})),
        Reply::answer("ok"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes", "--allow-command", "echo"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        !sb.workspace.join("made.txt").exists(),
        "a chained command slipped past the prefix rule"
    );
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert!(
        tool_result(&reqs[1], "c1").contains("not allowed"),
        "{}",
        tool_result(&reqs[1], "c1")
    );
    assert_eq!(tool_result(&reqs[2], "c2"), "exit code 0\nallowed\n");
}

#[test]
fn reasoning_is_sent_back_on_tool_call_turns_only() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "a\n").unwrap();
    let mut first = vec![ev_role(), ev_reasoning("I should read a.txt")];
    first.extend([
        ev_tool_call(0, "c1", "read_file", r#"{"path":"a.txt"}"#),
        ev_finish("tool_calls"),
        ev_done(),
    ]);
    let mock = MockServer::start(vec![
        Reply::sse(first),
        Reply::sse(vec![
            ev_role(),
            ev_reasoning("thinking more"),
            ev_text("first answer"),
            ev_finish("stop"),
            ev_done(),
        ]),
        Reply::answer("second answer"),
    ]);
    // Two runs in one session need the REPL; a second `fix` is a new session, so assert on the
    // one session's requests: the assistant message with tool calls carries its reasoning.
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let req = mock.chat_requests()[1].json();
    let assistant = req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "assistant")
        .unwrap()
        .clone();
    assert_eq!(
        assistant["reasoning_content"], "I should read a.txt",
        "{assistant:#}"
    );
    assert!(
        stderr(&o).contains("I should read a.txt"),
        "reasoning is shown on stderr"
    );
}

#[test]
fn a_429_in_the_middle_of_a_session_is_retried() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "a\n").unwrap();
    let mock = MockServer::start(vec![
        call("c1", "read_file", json!({"path": "a.txt"})),
        Reply::error(429, "rate limited").header("retry-after", "0"),
        Reply::answer("done after retry"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("done after retry"));
    assert_eq!(mock.chat_requests().len(), 3);
    assert!(stderr(&o).contains("retrying"), "{}", stderr(&o));
}

#[test]
fn the_loop_breaker_stops_a_repeated_call() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "a\n").unwrap();
    let same = || call("c", "read_file", json!({"path": "a.txt"}));
    let mock = MockServer::start(vec![same(), same(), same(), Reply::answer("never reached")]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("3 times"), "{}", stderr(&o));
    assert_eq!(mock.chat_requests().len(), 3);
}

#[test]
fn the_turn_limit_ends_the_run_with_exit_1() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "a\n").unwrap();
    let mock = MockServer::start(vec![
        call("c1", "read_file", json!({"path": "a.txt"})),
        call("c2", "list_files", json!({})),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes", "--max-turns", "2"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("--max-turns"), "{}", stderr(&o));
}

#[test]
fn fix_without_a_person_or_a_flag_refuses_with_exit_2() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let o = fix(&sb, &mock, &["x"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--yes") && stderr(&o).contains("--dry-run"),
        "{}",
        stderr(&o)
    );
    assert!(mock.chat_requests().is_empty());
}

#[test]
fn dry_run_prints_the_patch_and_leaves_the_tree_untouched() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "one\ntwo\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "a.txt", "old_string": "two", "new_string": "TWO"}),
        ),
        call(
            "c2",
            "write_file",
            json!({"path": "new.txt", "content": "fresh\n"}),
        ),
        Reply::answer("done"),
    ]);
    let o = fix(&sb, &mock, &["x", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "a.txt"), "one\ntwo\n");
    assert!(!sb.workspace.join("new.txt").exists());
    let patch = stdout(&o);
    assert!(
        patch.contains("-two\n+TWO") && patch.contains("+fresh"),
        "{patch}"
    );
    // stdout is the patch alone, so `hone fix --dry-run … > fix.patch` is a clean patch; the
    // answer and the activity go to stderr, saying where the edits landed.
    assert!(patch.starts_with("diff --git"), "{patch}");
    assert!(stderr(&o).contains("done"), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("✓ applied a.txt in the scratch copy"),
        "{}",
        stderr(&o)
    );
    // The scratch copy's state (journal, transcript, index cache) is gone with it.
    let workspaces = sb.home.join(".local/state/hone/workspaces");
    let left: Vec<String> = std::fs::read_dir(&workspaces)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(
        left.iter().all(|k| !k.starts_with("hone-dry-run-")),
        "{left:?}"
    );
    // The patch applies to the original tree.
    let p = sb.workspace.join("fix.patch");
    std::fs::write(&p, &patch).unwrap();
    let g = std::process::Command::new("git")
        .args(["apply", "--check", "fix.patch"])
        .current_dir(&sb.workspace)
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", stderr(&g));
}

#[test]
fn json_report_names_files_usage_and_cost() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "a.txt", "old_string": "x", "new_string": "y"}),
        ),
        Reply::answer("done"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes", "--output-format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(v["files_changed"], json!(["a.txt"]));
    assert_eq!(v["diff"]["added"], 1);
    assert_eq!(v["outcome"], "done");
    assert_eq!(v["answer"], "done");
    assert_eq!(v["usage"]["prompt_tokens"], 120);
    // The same usage fields as `-p --output-format json`.
    assert_eq!(
        v["usage"]["input_tokens"].as_u64().unwrap()
            + v["usage"]["cache_read_input_tokens"].as_u64().unwrap(),
        120
    );
    assert!(v["total_cost_usd"].as_f64().unwrap() > 0.0);
}

#[test]
fn compaction_keeps_tool_calls_with_their_results() {
    let sb = Sandbox::new();
    sb.project_config(
        "[retry]\nbase_delay_ms = 10\n\n[providers.deepseek]\ncontext_window = 4500\n",
    );
    // 100 lines of 60 characters: ~1,500 tokens a read. The first read stays under 80 % of the
    // window; the second passes it, so exactly one compaction runs before the third request.
    let big: String = (0..100)
        .map(|i| format!("{i:03} {}\n", "word ".repeat(11)))
        .collect();
    std::fs::write(sb.workspace.join("big.txt"), &big).unwrap();
    let mock = MockServer::start(vec![
        call("c1", "read_file", json!({"path": "big.txt"})),
        call("c2", "read_file", json!({"path": "big.txt", "offset": 1})),
        Reply::answer("summary: read big.txt twice"),
        Reply::answer("done"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("compacted"), "{}", stderr(&o));
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    let last = reqs.last().unwrap()["messages"].as_array().unwrap().clone();
    // Every tool message answers a call of the assistant message before it.
    for (i, m) in last.iter().enumerate() {
        if m["role"] == "tool" {
            let id = m["tool_call_id"].as_str().unwrap();
            let owner = last[..i]
                .iter()
                .rev()
                .find(|p| p["role"] == "assistant")
                .unwrap();
            assert!(
                owner["tool_calls"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| c["id"] == id),
                "orphaned tool result {id}"
            );
        }
    }
    assert!(last.iter().any(|m| {
        m["content"]
            .as_str()
            .is_some_and(|c| c.contains("summary: read big.txt twice"))
    }));
}

/// What a provider's prefix cache sees: the tool schemas, then each message, in order.
fn rendered_prompt(req: &Value) -> String {
    let mut s = req["tools"].to_string();
    for m in req["messages"].as_array().unwrap() {
        s.push_str(&m.to_string());
    }
    s
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count()
}

/// Issue 5's figures: the first request's fixed part under 12 KB, and from the third request on
/// at least 90 % of each request repeating the previous one byte for byte. Run with
/// `cargo test --test all prefix_share -- --nocapture` to see them.
#[test]
fn prefix_share_of_a_ten_turn_session_with_edits() {
    let sb = Sandbox::new();
    // A small but real-looking crate, so the system message carries a repo map as it would.
    let src: String = (0..40)
        .map(|i| format!("fn f{i}() -> u32 {{ {i} }}\n"))
        .collect();
    std::fs::write(sb.workspace.join("lib.rs"), &src).unwrap();
    std::fs::create_dir_all(sb.workspace.join("src")).unwrap();
    for m in 0..30 {
        let body: String = (0..6)
            .map(|k| format!("pub fn handler_{m}_{k}(input: &str) -> Result<String, Error> {{\n    todo_{k}(input)\n}}\n\n"))
            .collect();
        std::fs::write(
            sb.workspace.join(format!("src/module_{m}.rs")),
            format!("use crate::Error;\n\n{body}"),
        )
        .unwrap();
    }
    let mock = MockServer::start(vec![
        call("c1", "list_files", json!({})),
        call("c2", "read_file", json!({"path": "lib.rs"})),
        call("c3", "search", json!({"pattern": "fn f1"})),
        call(
            "c4",
            "edit_file",
            json!({"path": "lib.rs", "old_string": "{ 3 }", "new_string": "{ 30 }"}),
        ),
        call(
            "c5",
            "read_file",
            json!({"path": "lib.rs", "offset": 1, "limit": 5}),
        ),
        call(
            "c6",
            "edit_file",
            json!({"path": "lib.rs", "old_string": "{ 7 }", "new_string": "{ 70 }"}),
        ),
        call("c7", "search", json!({"pattern": "70"})),
        call(
            "c8",
            "edit_file",
            json!({"path": "lib.rs", "old_string": "{ 9 }", "new_string": "{ 90 }"}),
        ),
        call(
            "c9",
            "read_file",
            json!({"path": "lib.rs", "offset": 8, "limit": 3}),
        ),
        Reply::answer("Changed three constants."),
    ]);
    let o = fix(&sb, &mock, &["bump some constants", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert_eq!(reqs.len(), 10);
    assert_append_only(&mock);

    let first = &reqs[0];
    let system = first["messages"][0]["content"].as_str().unwrap();
    let (prompt, context) = system.split_once("\n\nProject context follows").unwrap();
    let fixed = first["tools"].to_string().len() + prompt.len();
    eprintln!(
        "first request: system prompt + tool schemas = {fixed} bytes; project context (map) {} bytes",
        context.len()
    );
    assert!(fixed < 12 * 1024, "system + tools = {fixed} bytes");
    for (i, pair) in reqs.windows(2).enumerate() {
        let (a, b) = (rendered_prompt(&pair[0]), rendered_prompt(&pair[1]));
        let share = common_prefix(&a, &b) as f64 / b.len() as f64;
        eprintln!(
            "request {}: {} bytes, ~{} tokens, {:.1} % repeats request {}",
            i + 2,
            b.len(),
            b.len() / 4,
            share * 100.0,
            i + 1
        );
        if i + 2 >= 3 {
            assert!(
                share >= 0.90,
                "request {} repeats only {:.1} %",
                i + 2,
                share * 100.0
            );
        }
    }
}

#[test]
fn without_tool_calling_edit_blocks_in_the_reply_are_applied_and_failures_sent_back() {
    let sb = Sandbox::new();
    sb.project_config("[retry]\nbase_delay_ms = 10\n\n[providers.deepseek]\ntool_calls = false\n");
    std::fs::write(sb.workspace.join("app.py"), "x = 1\ny = 2\n").unwrap();
    let bad = "app.py\n<<<<<<< SEARCH\nz = 3\n=======\nz = 4\n>>>>>>> REPLACE\n";
    let good =
        "Here is the fix.\n\napp.py\n<<<<<<< SEARCH\ny = 2\n=======\ny = 20\n>>>>>>> REPLACE\n";
    let mock = MockServer::start(vec![Reply::answer(bad), Reply::answer(good)]);
    let o = fix(&sb, &mock, &["change y", "--yes"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "app.py"), "x = 1\ny = 20\n");
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert_eq!(reqs.len(), 2);
    assert!(
        reqs[0]
            .get("tools")
            .is_none_or(|t| t.as_array().is_none_or(|a| a.is_empty())),
        "no tools sent: {}",
        reqs[0]["tools"]
    );
    assert!(
        reqs[0]["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("<<<<<<< SEARCH")
    );
    let feedback = reqs[1]["messages"].as_array().unwrap().last().unwrap()["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        feedback.contains("not applied") && feedback.contains("app.py"),
        "{feedback}"
    );
}

fn p(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> std::process::Output {
    sb.against(mock).arg("-p").args(args).output().unwrap()
}

#[test]
fn print_is_read_only_by_default_and_tells_the_model_why() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "a.txt", "old_string": "x", "new_string": "y"}),
        ),
        Reply::answer("I could not edit."),
    ]);
    let o = p(&sb, &mock, &["change x"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "a.txt"), "x\n");
    let why = tool_result(&mock.chat_requests()[1].json(), "c1");
    assert!(why.contains("read-only") && why.contains("--yes"), "{why}");
}

#[test]
fn print_allowed_tools_rules_pick_paths_and_commands() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.workspace.join("src")).unwrap();
    std::fs::write(sb.workspace.join("src/a.txt"), "x\n").unwrap();
    std::fs::write(sb.workspace.join("b.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![
        calls(&[
            (
                "c1",
                "edit_file",
                json!({"path": "src/a.txt", "old_string": "x", "new_string": "y"}),
            ),
            (
                "c2",
                "edit_file",
                json!({"path": "b.txt", "old_string": "x", "new_string": "y"}),
            ),
            ("c3", "run_command", json!({"command": "echo ok"})),
            ("c4", "run_command", json!({"command": "rm b.txt"})),
        ]),
        Reply::answer("done"),
    ]);
    let o = p(
        &sb,
        &mock,
        &[
            "x",
            "--allowed-tools",
            "edit_file(src/**) run_command(echo:*)",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "src/a.txt"), "y\n");
    assert_eq!(read(&sb, "b.txt"), "x\n");
    let req = mock.chat_requests()[1].json();
    assert!(
        tool_result(&req, "c2").contains("outside the allowed paths"),
        "{}",
        tool_result(&req, "c2")
    );
    assert_eq!(tool_result(&req, "c3"), "exit code 0\nok\n");
    assert!(tool_result(&req, "c4").contains("not allowed"));
    let bad = p(&sb, &mock, &["x", "--allowed-tools", "frobnicate(x)"]);
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
}

#[test]
fn print_stream_json_has_claude_code_shaped_events() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "a.txt", "old_string": "x", "new_string": "y"}),
        ),
        Reply::answer("changed"),
    ]);
    let o = p(
        &sb,
        &mock,
        &["x", "--yes", "--output-format", "stream-json"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let events: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        (events[0]["type"].as_str(), events[0]["subtype"].as_str()),
        (Some("system"), Some("init"))
    );
    let tool_use = events
        .iter()
        .find(|e| e["type"] == "assistant" && e["message"]["content"][0]["type"] == "tool_use")
        .unwrap();
    assert_eq!(tool_use["message"]["content"][0]["name"], "edit_file");
    assert_eq!(tool_use["message"]["content"][0]["input"]["path"], "a.txt");
    let result = events.iter().find(|e| e["type"] == "user").unwrap();
    let block = &result["message"]["content"][0];
    assert_eq!(
        (
            block["type"].as_str(),
            block["tool_use_id"].as_str(),
            block["is_error"].as_bool()
        ),
        (Some("tool_result"), Some("c1"), Some(false))
    );
    let last = events.last().unwrap();
    assert_eq!(last["type"], "result");
    assert_eq!(last["subtype"], "success");
    assert_eq!(last["is_error"], false);
    assert_eq!(last["num_turns"], 2);
    assert_eq!(last["result"], "changed");
    assert!(last["usage"]["output_tokens"].as_u64().unwrap() > 0);
    assert!(last["total_cost_usd"].as_f64().unwrap() > 0.0);
    let id = &events[0]["session_id"];
    assert!(events.iter().all(|e| &e["session_id"] == id));
    assert_eq!(read(&sb, "a.txt"), "y\n");
}

#[test]
fn print_json_reports_the_turn_limit_as_an_error() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![call("c1", "read_file", json!({"path": "a.txt"}))]);
    let o = p(
        &sb,
        &mock,
        &["x", "--max-turns", "1", "--output-format", "json"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r: Value = serde_json::from_str(stdout(&o).trim()).unwrap();
    assert_eq!(
        (r["subtype"].as_str(), r["is_error"].as_bool()),
        (Some("error_max_turns"), Some(true))
    );
}

#[test]
fn empty_reasoning_is_sent_back_as_empty_string_on_tool_call_turns() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![
        call("c1", "read_file", json!({"path": "a.txt"})),
        Reply::answer("ok"),
    ]);
    let o = p(&sb, &mock, &["x"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let req = mock.chat_requests()[1].json();
    let assistant = req["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "assistant")
        .unwrap()
        .clone();
    assert_eq!(assistant["reasoning_content"], "", "{assistant:#}");
}

/// `hone fix` on a terminal asks before each edit; "n" leaves the file untouched, the model is
/// told, and a run whose every edit was declined exits 1.
#[test]
fn fix_on_a_terminal_asks_and_a_declined_edit_is_reported_to_the_model() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "a.txt", "old_string": "x", "new_string": "y"}),
        ),
        Reply::answer("Understood, leaving it."),
    ]);
    let mut cmd = sb.std_against(&mock);
    cmd.args(["fix", "change x"]).env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    let shown = p
        .exp_string("Apply? [y]es / [N]o / [a]ll this turn / [f]ull file / [t] no, tell the model:")
        .unwrap();
    assert!(shown.contains("-x") && shown.contains("+y"), "{shown}");
    p.send_line("n").unwrap();
    p.exp_string("Understood, leaving it.").unwrap();
    p.exp_eof().unwrap();
    let status = p.process().wait().unwrap();
    assert!(
        matches!(status, rexpect::process::WaitStatus::Exited(_, 1)),
        "{status:?}"
    );
    assert_eq!(read(&sb, "a.txt"), "x\n");
    let why = tool_result(&mock.chat_requests()[1].json(), "c1");
    assert!(
        why.contains("declined") && why.contains("unchanged"),
        "{why}"
    );
}

/// Ctrl-C while the model streams: exit 130, files whole, the transcript saved.
#[test]
fn fix_interrupted_exits_130_with_files_whole() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_text("thinking about it"),
        delay_ms(30_000),
        ev_done(),
    ])]);
    let mut child = sb
        .std_against(&mock)
        .args(["fix", "x", "--yes"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    mock.wait_for_requests(1, std::time::Duration::from_secs(20));
    std::thread::sleep(std::time::Duration::from_millis(300));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_eq!(read(&sb, "a.txt"), "x\n");
    let sessions = sb.home.join(".local/state/hone/sessions");
    let saved: Vec<_> = crate::support::walk(&sessions)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(
        std::fs::read_to_string(&saved[0])
            .unwrap()
            .contains("\"role\":\"user\"")
    );
}

#[test]
fn a_secrets_file_named_by_the_person_is_sent_with_a_note() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join(".env"), "TOKEN=abc123\n").unwrap();
    let mock = MockServer::start(vec![Reply::answer("noted")]);
    let o = fix(&sb, &mock, &["check the token name", ".env", "--dry-run"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            ".env looks like it holds secrets; it is sent to the model because you named it"
        ),
        "{}",
        stderr(&o)
    );
    let sent = mock.chat_requests()[0].json().to_string();
    assert!(sent.contains("TOKEN=abc123"), "named explicitly, so sent");
}

/// `hone fix` resolved the files it attaches lexically, so `../x` was sent to the model.
#[test]
fn a_named_file_outside_the_workspace_is_a_usage_error() {
    let sb = Sandbox::new();
    let outside = sb.workspace.parent().unwrap().join("outside.txt");
    std::fs::write(&outside, "not yours\n").unwrap();
    let mock = MockServer::start(vec![Reply::answer("read it")]);
    let o = fix(&sb, &mock, &["x", "../outside.txt", "--dry-run"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("../outside.txt is outside the workspace"),
        "{}",
        stderr(&o)
    );
    assert!(mock.chat_requests().is_empty(), "nothing was sent");
}

#[test]
fn the_model_can_neither_read_nor_edit_a_secrets_file() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join(".env"), "OPENAI_API_KEY=sk-live-123456\n").unwrap();
    std::os::unix::fs::symlink(".env", sb.workspace.join("notes.txt")).unwrap();
    let mock = MockServer::start(vec![
        // A wrong old text would make the engine show the closest lines of the file.
        call(
            "c1",
            "edit_file",
            json!({"path": ".env", "old_string": "OPENAI_API_KEY=xxxxxxxxxx", "new_string": "X=1"}),
        ),
        call("c2", "read_file", json!({"path": "notes.txt"})),
        call(
            "c3",
            "apply_patch",
            json!({"patch": "*** Begin Patch\n*** Update File: .env\n*** Move to: plain.txt\n*** End Patch\n"}),
        ),
        Reply::answer("ok"),
    ]);
    let o = fix(&sb, &mock, &["x", "--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("refused: .env looks like it holds secrets"));
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    for (i, id) in ["c1", "c2", "c3"].iter().enumerate() {
        let result = tool_result(&reqs[i + 1], id);
        assert!(
            result.contains("looks like a file that holds secrets"),
            "{id}: {result}"
        );
    }
    for r in &reqs {
        assert!(
            !r.to_string().contains("sk-live"),
            "the secret was sent: {r}"
        );
    }
    assert_eq!(read(&sb, ".env"), "OPENAI_API_KEY=sk-live-123456\n");
    assert!(!sb.workspace.join("plain.txt").exists());
}

#[test]
fn verbose_fix_logs_every_request_body_without_the_key() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "old\n").unwrap();
    let mock = MockServer::start(vec![Reply::answer("nothing to change")]);
    let o = fix(&sb, &mock, &["look at a.txt", "a.txt", "--yes", "-v"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let logged = stderr(&o)
        .lines()
        .filter(|l| l.starts_with("hone: request body: {"))
        .count();
    assert!(logged >= 1, "{}", stderr(&o));
    assert_eq!(logged, mock.chat_requests().len(), "{}", stderr(&o));
    assert!(stderr(&o).contains("\"messages\""), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "hone: POST {}/chat/completions (authorization: ",
            mock.base_url
        )),
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains(TEST_KEY));
}

#[test]
fn fix_renders_the_answer_as_markdown_when_colour_is_on() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "old\n").unwrap();
    let text = "# Done\n\nThe **fix** is `none`.\n\n```python\ndef f(): pass\n```\n";
    let mock = MockServer::start(vec![Reply::answer(text)]);
    let o = fix(&sb, &mock, &["look", "a.txt", "--yes", "--color", "always"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(shown.contains('\u{1b}'), "{shown:?}");
    assert!(
        !shown.contains("# Done") && !shown.contains("**fix**"),
        "{shown:?}"
    );
    // Without colour the answer is the model's text, byte for byte.
    let mock = MockServer::start(vec![Reply::answer(text)]);
    let o = fix(&sb, &mock, &["look", "a.txt", "--yes", "--color", "never"]);
    assert_eq!(stdout(&o), text);
}
