//! `hone lint-fix` end to end: the real binary, real linters (ruff from PyPI, installed by
//! `.ci/run`; rustfmt from the toolchain) on small projects written into the sandbox, and the
//! model's side played by the mock server's scripted replies.

mod helpers;

use serde_json::{Value, json};

use crate::support::calls::{call, calls, edit, tool_result, user_messages};
use crate::support::mock::*;
use crate::support::output::{both, stderr, stdout};
use crate::support::read;
use crate::support::sandbox::Sandbox;
use helpers::*;

const APP: &str = "import os\nimport sys\n\n\ndef main():\n    print(sys.argv)\n";
const APP_FIXED: &str = "import sys\n\n\ndef main():\n    print(sys.argv)\n";

fn python_project(sb: &Sandbox) {
    std::fs::write(sb.workspace.join("app.py"), APP).unwrap();
    std::fs::write(sb.workspace.join("notes.txt"), "keep me\n").unwrap();
}

#[test]
fn ruff_warnings_fixed_in_one_round_exit_0_with_report() {
    require_ruff();
    let sb = Sandbox::new();
    python_project(&sb);
    let mock = MockServer::start(vec![
        edit("c1", "app.py", "import os\nimport sys\n", "import sys\n"),
        Reply::answer("app.py: removed the unused `os` import."),
    ]);
    let report = sb.workspace.join("report.json");
    let o = lint_fix(
        &sb,
        &mock,
        &["--cmd", "ruff", "--report", report.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(read(&sb, "app.py"), APP_FIXED);

    let log = stdout(&o);
    assert!(
        log.contains("lint-fix: running `ruff check --no-fix --output-format concise .`"),
        "{log}"
    );
    assert!(log.contains("1 diagnostic in 1 file (F401)"), "{log}");
    assert!(log.contains("applied: app.py (+0 -1)"), "{log}");
    assert!(log.contains("round 1: the linter passes"), "{log}");
    assert!(
        log.contains("answer: app.py: removed the unused `os` import."),
        "{log}"
    );
    assert!(
        log.contains("done: the linter passes; 1 file changed"),
        "{log}"
    );
    assert!(!log.contains('\u{1b}'), "plain lines, no colour: {log:?}");

    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert_eq!(reqs.len(), 2);
    let tools: Vec<&str> = reqs[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(!tools.contains(&"run_command"), "{tools:?}");
    assert!(tools.contains(&"edit_file") && tools.contains(&"read_file"));
    let prompt = &user_messages(&reqs[0])[0];
    assert!(prompt.contains("round 1 of 3"), "{prompt}");
    assert!(
        prompt.contains("### app.py\n- 1:8 F401: `os` imported but unused"),
        "{prompt}"
    );
    assert!(
        prompt.contains(">    1 | import os\n     2 | import sys\n"),
        "{prompt}"
    );

    let v: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["outcome"], "clean");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["preset"], "ruff");
    assert_eq!(v["files_changed"], json!(["app.py"]));
    assert_eq!(v["diagnostics"]["before"]["by_rule"]["F401"], 1);
    assert_eq!(v["diagnostics"]["after"]["total"], 0);
    assert_eq!(v["rounds"].as_array().unwrap().len(), 1);
    assert_eq!(v["rounds"][0]["edits_applied"], 1);
    assert_eq!(v["usage"]["prompt_tokens"], 120);
    assert!(v["cost_usd"].as_f64().unwrap() > 0.0);
    assert!(v["duration_ms"].as_u64().is_some());
    assert!(v["rounds"][0]["overhead_ms"].as_u64().is_some());

    // The change is in the undo journal like any other.
    let u = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(u.status.code(), Some(0), "{}", both(&u));
    assert_eq!(read(&sb, "app.py"), APP);
}

#[test]
fn the_log_shows_each_message_of_the_answer_on_its_own_line() {
    require_ruff();
    let sb = Sandbox::new();
    python_project(&sb);
    let args = json!({"path": "app.py", "old_string": "import os\nimport sys\n", "new_string": "import sys\n"});
    let mock = MockServer::start(vec![
        Reply::sse(vec![
            ev_role(),
            ev_text("Fixing."),
            ev_tool_call(0, "c1", "edit_file", &args.to_string()),
            ev_finish("tool_calls"),
            ev_usage(100, 10, 80, 20, 0),
            ev_done(),
        ]),
        Reply::answer("Fixed mean."),
    ]);
    let o = lint_fix(&sb, &mock, &["--cmd", "ruff"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let log = stdout(&o);
    let answer: Vec<&str> = log.lines().filter(|l| l.contains("answer:")).collect();
    assert_eq!(
        answer,
        [
            "lint-fix:   answer: Fixing.",
            "lint-fix:   answer: Fixed mean."
        ],
        "{log}"
    );
}

#[test]
fn a_round_that_adds_diagnostics_is_undone_and_the_model_told() {
    require_ruff();
    let sb = Sandbox::new();
    python_project(&sb);
    let mock = MockServer::start(vec![
        // Round 1: a "fix" that adds two unused imports (and E401): the count goes up.
        edit("c1", "app.py", "import sys\n", "import sys, json, re\n"),
        Reply::answer("done"),
        // Round 2: the real fix.
        edit("c2", "app.py", "import os\n", ""),
        Reply::answer("removed it"),
    ]);
    let o = lint_fix(&sb, &mock, &["--cmd", "ruff", "--max-rounds", "2"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(read(&sb, "app.py"), APP_FIXED);
    let log = stdout(&o);
    assert!(
        log.contains("round 1: undone because the count went up from 1 to"),
        "{log}"
    );
    assert!(log.contains("restored app.py"), "{log}");

    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    assert_eq!(reqs.len(), 4);
    // Round 2's message tells the model, and shows the file as it is again.
    let users = user_messages(&reqs[2]);
    let round2 = users.last().unwrap();
    assert!(
        round2.starts_with(
            "Your edits of the previous round were undone: they raised the linter's count from 1 to"
        ),
        "{round2}"
    );
    assert!(round2.contains("round 2 of 2"), "{round2}");
    assert!(
        round2.contains(">    1 | import os\n     2 | import sys\n"),
        "{round2}"
    );
    // The same conversation: round 1 is still in it.
    assert!(user_messages(&reqs[2]).len() >= 2);
}

#[test]
fn edits_outside_the_named_files_and_commands_are_refused() {
    require_ruff();
    let sb = Sandbox::new();
    python_project(&sb);
    std::fs::create_dir_all(sb.workspace.join("docs")).unwrap();
    std::fs::write(sb.workspace.join("docs/usage.md"), "old\n").unwrap();
    let mock = MockServer::start(vec![
        calls(&[
            (
                "c1",
                "edit_file",
                json!({"path": "notes.txt", "old_string": "keep me", "new_string": "changed"}),
            ),
            (
                "c2",
                "run_command",
                json!({"command": "ruff check --fix ."}),
            ),
            (
                "c3",
                "edit_file",
                json!({"path": "docs/usage.md", "old_string": "old", "new_string": "new"}),
            ),
        ]),
        edit("c4", "app.py", "import os\n", ""),
        Reply::answer("fixed"),
    ]);
    let o = lint_fix(&sb, &mock, &["--cmd", "ruff", "--allow-path", "docs/*.md"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(read(&sb, "notes.txt"), "keep me\n");
    assert_eq!(
        read(&sb, "docs/usage.md"),
        "new\n",
        "--allow-path widens the scope"
    );
    assert_eq!(read(&sb, "app.py"), APP_FIXED);
    let reqs: Vec<Value> = mock.chat_requests().iter().map(|r| r.json()).collect();
    let refused = tool_result(&reqs[1], "c1");
    assert!(
        refused.contains("not allowed by this session's policy"),
        "{refused}"
    );
    assert!(refused.contains("`notes.txt` is none of them"), "{refused}");
    let command = tool_result(&reqs[1], "c2");
    assert!(command.contains("lint-fix runs no commands"), "{command}");
    assert!(
        stdout(&o).contains("refused: not allowed (lint-fix edits only the files the linter named"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn dry_run_leaves_the_tree_untouched_and_prints_an_applicable_patch() {
    require_ruff();
    let sb = Sandbox::new();
    python_project(&sb);
    let mock = MockServer::start(vec![
        edit("c1", "app.py", "import os\n", ""),
        Reply::answer("done"),
    ]);
    let patch_file = sb.home.join("fix.patch");
    let o = lint_fix(
        &sb,
        &mock,
        &[
            "--cmd",
            "ruff",
            "--dry-run",
            "--patch-out",
            patch_file.to_str().unwrap(),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(read(&sb, "app.py"), APP, "the working tree is untouched");
    let patch = stdout(&o);
    assert!(
        patch.starts_with("diff --git a/app.py b/app.py\n"),
        "stdout is only the patch: {patch}"
    );
    assert!(patch.contains("-import os\n"), "{patch}");
    assert_eq!(std::fs::read_to_string(&patch_file).unwrap(), patch);
    assert!(
        stderr(&o).contains("lint-fix: done: the linter passes"),
        "{}",
        stderr(&o)
    );
    let g = std::process::Command::new("git")
        .args(["apply", "--check"])
        .arg(&patch_file)
        .current_dir(&sb.workspace)
        .output()
        .unwrap();
    assert!(g.status.success(), "{}", stderr(&g));
}

#[test]
fn github_actions_get_a_step_summary_and_annotations_for_what_remains() {
    require_ruff();
    let sb = Sandbox::new();
    python_project(&sb);
    let summary = sb.home.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    // The model answers without editing: nothing more can happen, exit 1.
    let mock = MockServer::start(vec![Reply::answer("I cannot fix this.")]);
    let mut c = sb.against(&mock);
    with_tools(&mut c);
    let o = c
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["lint-fix", "--cmd", "ruff"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    assert!(
        stdout(&o)
            .contains("::warning file=app.py,line=1,col=8,title=F401::`os` imported but unused\n"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("done: 1 diagnostic remains (the model made no edit)"),
        "{}",
        stdout(&o)
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("earlier step\n## hone lint-fix\n"),
        "appended: {md}"
    );
    assert!(
        md.contains("**1 diagnostic remains** after 1 round"),
        "{md}"
    );
    assert!(md.contains("| F401 | 1 | 1 |"), "{md}");
    assert!(
        md.contains("- `app.py:1:8` **F401** 'os' imported but unused"),
        "{md}"
    );
    assert_eq!(
        mock.chat_requests().len(),
        1,
        "no further round after giving up"
    );
}

#[test]
fn rustfmt_check_on_a_crate_is_fixed() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.workspace.join("src")).unwrap();
    std::fs::write(
        sb.workspace.join("Cargo.toml"),
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    )
    .unwrap();
    let messy = "pub fn   add( a:u32 ,b:u32)->u32{a+b}\n";
    let tidy = "pub fn add(a: u32, b: u32) -> u32 {\n    a + b\n}\n";
    std::fs::write(sb.workspace.join("src/lib.rs"), messy).unwrap();
    let mock = MockServer::start(vec![
        call(
            "c1",
            "write_file",
            json!({"path": "src/lib.rs", "content": tidy}),
        ),
        Reply::answer("formatted"),
    ]);
    let report = sb.home.join("r.json");
    let o = lint_fix(
        &sb,
        &mock,
        &["--cmd", "rustfmt", "--report", report.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(read(&sb, "src/lib.rs"), tidy);
    let prompt = &user_messages(&mock.chat_requests()[0].json())[0];
    assert!(
        prompt.contains("### src/lib.rs\n- 1 rustfmt: not formatted as rustfmt formats it"),
        "{prompt}"
    );
    assert!(
        prompt.contains("    +pub fn add(a: u32, b: u32) -> u32 {"),
        "rustfmt's diff is shown: {prompt}"
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["diagnostics"]["before"]["by_rule"]["rustfmt"], 1);
    assert_eq!(v["files_changed"], json!(["src/lib.rs"]));
}

#[test]
fn clippy_json_diagnostics_are_fixed() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.workspace.join("src")).unwrap();
    std::fs::write(
        sb.workspace.join("Cargo.toml"),
        "[package]\nname = \"fixture\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n",
    )
    .unwrap();
    std::fs::write(
        sb.workspace.join("src/lib.rs"),
        "pub fn double(x: u32) -> u32 {\n    return x * 2;\n}\n",
    )
    .unwrap();
    let mock = MockServer::start(vec![
        edit("c1", "src/lib.rs", "    return x * 2;", "    x * 2"),
        Reply::answer("src/lib.rs: dropped the needless return"),
    ]);
    let o = lint_fix(&sb, &mock, &["--cmd", "clippy"]);
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert_eq!(
        read(&sb, "src/lib.rs"),
        "pub fn double(x: u32) -> u32 {\n    x * 2\n}\n"
    );
    let prompt = &user_messages(&mock.chat_requests()[0].json())[0];
    assert!(
        prompt.contains("- 2:5 clippy::needless_return: unneeded `return` statement"),
        "{prompt}"
    );
    assert!(prompt.contains(">    2 |     return x * 2;"), "{prompt}");
    assert!(
        prompt.contains("suggestion: replace src/lib.rs:2:5-2:17 with `x * 2`"),
        "{prompt}"
    );
    assert!(
        !prompt.contains("to override"),
        "no advice to silence the lint: {prompt}"
    );
}

#[test]
fn a_passing_linter_exits_0_without_a_model_or_a_key() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("ok.txt"), "fine\n").unwrap();
    let report = sb.home.join("r.json");
    let mut c = sb.cmd();
    with_tools(&mut c);
    let o = c
        .args(["lint-fix", "--cmd", "true", "--report"])
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    assert!(
        stdout(&o).contains("done: the linter passes; nothing to fix"),
        "{}",
        stdout(&o)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["outcome"], "clean");
    assert_eq!(v["rounds"], json!([]));
}

#[test]
fn a_lint_command_that_cannot_run_exits_4() {
    let sb = Sandbox::new();
    let mock = MockServer::start(vec![]);
    let o = lint_fix(&sb, &mock, &["--cmd", "no-such-linter-anywhere --check ."]);
    assert_eq!(o.status.code(), Some(4), "{}", both(&o));
    assert!(stderr(&o).contains("error: the lint command `no-such-linter-anywhere --check .` could not run: the program was not found"), "{}", stderr(&o));
    assert!(mock.chat_requests().is_empty());
    let o = lint_fix(&sb, &mock, &["--cmd", "sleep 5", "--timeout", "1"]);
    assert_eq!(o.status.code(), Some(4), "{}", both(&o));
    assert!(
        stderr(&o).contains("did not finish within 1.0 s"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_provider_failure_undoes_the_round_and_exits_3() {
    let sb = Sandbox::new();
    sb.project_config("[retry]\nbase_delay_ms = 1\nmax_retries = 1\n");
    std::fs::write(sb.workspace.join("a.txt"), "BAD line\n").unwrap();
    // A linter made of grep: every line with BAD is a `file:line: message` diagnostic.
    let linter = "! grep -Hn BAD a.txt";
    let mock = MockServer::start(vec![edit("c1", "a.txt", "BAD line", "good line")]);
    // After the edit, every request fails: the round cannot finish.
    mock.set_fallback(Reply::error(500, "upstream exploded"));
    let report = sb.home.join("r.json");
    let o = lint_fix(
        &sb,
        &mock,
        &["--cmd", linter, "--report", report.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(3), "{}", both(&o));
    assert_eq!(
        read(&sb, "a.txt"),
        "BAD line\n",
        "no partial round left applied"
    );
    assert!(
        stdout(&o).contains("round 1: undone because the model's provider failed; restored a.txt"),
        "{}",
        stdout(&o)
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(v["outcome"], "provider_error");
    assert_eq!(v["exit_code"], 3);
    assert_eq!(v["files_changed"], json!([]));
}

#[test]
fn custom_commands_with_unreadable_output_still_reach_the_model() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "x\n").unwrap();
    let mock = MockServer::start(vec![Reply::answer("nothing I can do")]);
    let o = lint_fix(
        &sb,
        &mock,
        &[
            "--cmd",
            "echo 'Something went wrong in module frobnicate'; exit 1",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", both(&o));
    let prompt = &user_messages(&mock.chat_requests()[0].json())[0];
    assert!(prompt.contains("could not read as diagnostics"), "{prompt}");
    assert!(
        prompt.contains("```text\nSomething went wrong in module frobnicate\n```"),
        "{prompt}"
    );
}
