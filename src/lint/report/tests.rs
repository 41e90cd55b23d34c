//! Tests of the lint-fix report: the JSON report, log lines, the GitHub step summary and the
//! `::warning` annotations, on diagnostics made here.

use std::time::Duration;

use super::*;
use crate::lint::diag::Parsed;
use crate::lint::runner::LintRun;

fn lint(code: i32, diags: Vec<Diagnostic>) -> Lint {
    Lint {
        run: LintRun {
            command: "ruff check .".into(),
            code: Some(code),
            stdout: String::new(),
            stderr: String::new(),
            elapsed: Duration::from_millis(120),
        },
        parsed: Parsed {
            diagnostics: diags,
            unparsed: vec![],
        },
    }
}

fn diag(file: &str, line: u32, rule: &str, msg: &str) -> Diagnostic {
    Diagnostic::new(file.into(), Some(line), Some(2), msg).with_rule(Some(rule))
}

fn report(outcome: &str, rounds: Vec<RoundReport>, remaining: Vec<Diagnostic>) -> Report {
    let first = lint(
        1,
        vec![
            diag("a.py", 1, "F401", "x"),
            diag("a.py", 2, "F401", "y"),
            diag("b.py", 3, "E501", "z"),
        ],
    );
    let last = lint(if remaining.is_empty() { 0 } else { 1 }, remaining.clone());
    Report {
        command: "ruff check .".into(),
        preset: Some("ruff".into()),
        outcome: outcome.into(),
        exit_code: if remaining.is_empty() { 0 } else { 1 },
        dry_run: false,
        rounds,
        diagnostics: BeforeAfter {
            before: Counts::of(&first),
            after: Counts::of(&last),
        },
        remaining,
        files_changed: vec!["a.py".into()],
        usage: Usage {
            prompt_tokens: 1200,
            completion_tokens: 50,
            cache_hit_tokens: 1000,
            cache_miss_tokens: 200,
            reasoning_tokens: 0,
        },
        cost_usd: 0.0012,
        duration_ms: 4200,
        model: Some("deepseek-chat".into()),
        session_id: None,
    }
}

fn round(n: u32, before: usize, after: usize, rolled_back: bool) -> RoundReport {
    RoundReport {
        round: n,
        before,
        after,
        rolled_back,
        edits_applied: 2,
        edits_declined: 0,
        outcome: Some(crate::agent::Outcome::Done),
        lint_ms: 100,
        model_ms: 900,
        overhead_ms: 7,
    }
}

#[test]
fn workflow_commands_are_escaped() {
    assert_eq!(escape_data("50% done\nnext\r"), "50%25 done%0Anext%0D");
    assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    let text = annotations(&[
        diag(
            "src/a,b.py",
            3,
            "F401",
            "100% `os` imported\n::error::injected",
        ),
        Diagnostic::new("whole.txt".into(), None, None, "whole file"),
    ]);
    assert_eq!(
        text,
        "::warning file=src/a%2Cb.py,line=3,col=2,title=F401::100%25 `os` imported\n::warning file=whole.txt::whole file\n"
    );
    let many: Vec<Diagnostic> = (0..60).map(|i| diag("a.py", i + 1, "E", "m")).collect();
    let text = annotations(&many);
    assert_eq!(text.lines().count(), MAX_ANNOTATIONS + 1);
    assert!(text.ends_with("10 more diagnostics are in the report and the step summary\n"));
}

#[test]
fn markdown_summary_of_a_clean_run() {
    let r = report("clean", vec![round(1, 3, 0, false)], vec![]);
    let md = markdown(&r);
    assert!(
        md.starts_with("## hone lint-fix\n\n`ruff check .` **passes** now: 3 → 0 diagnostics in 1 round, 1 file changed.\n"),
        "{md}"
    );
    assert!(md.contains("| E501 | 1 | 0 |\n| F401 | 2 | 0 |\n"), "{md}");
    assert!(md.contains("| 1 | 3 | 0 | 2 | kept |"), "{md}");
    assert!(md.contains("Files changed: `a.py`"), "{md}");
    assert!(!md.contains("<details>"), "{md}");
    assert!(
        md.contains("deepseek-chat · 1.2k in (1.0k cached) · 50 out · $0.0012 · 4.2 s"),
        "{md}"
    );
}

#[test]
fn markdown_summary_lists_what_remains_escaped() {
    let r = report(
        "remaining",
        vec![round(1, 3, 5, true), round(2, 3, 1, false)],
        vec![diag("b.py", 3, "E501", "line | too <long>")],
    );
    let md = markdown(&r);
    assert!(
        md.contains("**1 diagnostic remains** after 2 rounds (from 3)"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | 3 | 5 | 2 | undone (count went up) |"),
        "{md}"
    );
    assert!(
        md.contains("- `b.py:3:2` **E501** line \\| too &lt;long&gt;"),
        "{md}"
    );
    assert!(md.contains("| E501 | 1 | 1 |"), "{md}");
}

#[test]
fn report_json_has_the_documented_fields() {
    let r = report("clean", vec![round(1, 3, 0, false)], vec![]);
    let v = serde_json::to_value(&r).unwrap();
    for key in [
        "command",
        "preset",
        "outcome",
        "exit_code",
        "dry_run",
        "rounds",
        "diagnostics",
        "remaining",
        "files_changed",
        "usage",
        "cost_usd",
        "duration_ms",
        "model",
    ] {
        assert!(v.get(key).is_some(), "{key} missing in {v:#}");
    }
    assert_eq!(v["diagnostics"]["before"]["by_rule"]["F401"], 2);
    assert_eq!(v["diagnostics"]["after"]["total"], 0);
    assert_eq!(v["rounds"][0]["overhead_ms"], 7);
    assert_eq!(v["rounds"][0]["outcome"], "done");
}

#[test]
fn log_lines() {
    let l = lint(
        1,
        vec![diag("a.py", 1, "F401", "x"), diag("b.py", 1, "F401", "y")],
    );
    assert_eq!(
        lint_summary(&l),
        "2 diagnostics in 2 files (F401 ×2) — exit 1, 0.1 s"
    );
    assert_eq!(lint_summary(&lint(0, vec![])), "the linter passes (0.1 s)");
    assert_eq!(
        log_line(&Progress::RoundEnded(&round(1, 3, 0, false))).unwrap(),
        "round 1: 3 → 0 diagnostics; 2 edits applied, 0 refused; hone 7 ms, model 900 ms, linter 100 ms"
    );
    assert!(log_line(&Progress::Agent(&crate::agent::Event::Text("hi".into()))).is_none());
}

#[test]
fn patch_against_originals() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("src")).unwrap();
    std::fs::write(d.path().join("src/a.py"), "import os\nx = 1\n").unwrap();
    std::fs::write(d.path().join("same.py"), "s\n").unwrap();
    std::fs::write(d.path().join("new.py"), "fresh\n").unwrap();
    let mut originals = BTreeMap::new();
    originals.insert(
        "src/a.py".to_string(),
        Some(b"import os\nimport sys\nx = 1\n".to_vec()),
    );
    originals.insert("same.py".to_string(), Some(b"s\n".to_vec()));
    originals.insert("new.py".to_string(), None);
    let (text, changed) = patch(&originals, d.path()).unwrap();
    assert_eq!(changed, ["new.py", "src/a.py"]);
    assert!(text.contains("--- a/src/a.py\n+++ b/src/a.py"), "{text}");
    assert!(text.contains("-import sys\n"), "{text}");
    assert!(text.contains("+fresh"), "{text}");
    assert!(!text.contains("same.py"), "{text}");
}
