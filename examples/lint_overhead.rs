//! Timing harness for `hone lint-fix`: hone's own overhead per round (everything except the
//! linter and the model) on a fixture with 50 diagnostics across 10 files.
//!
//! ```text
//! XDG_STATE_HOME=$(mktemp -d) cargo run --profile bench --example lint_overhead [RUNS]
//! ```
//! Each run builds a fresh fixture (10 Python files, 5 flagged lines each), starts the project's
//! mock server (tests/support/mock.rs) scripted to answer with ten `edit_file` calls in one
//! message (one per file) and then a final answer, and drives one real round of
//! `hone::lint::Fixer` with a real lint command (an `awk` script printing flake8-style lines).
//! The round's `overhead_ms` is its wall time minus the linter's run and the model's time (from
//! a request being sent to its answer being complete, which for the mock is loopback HTTP and
//! SSE only); it covers the prompt with source excerpts, tool dispatch, ten journalled edits,
//! parsing the re-lint and the comparison. Prints the median and the worst of RUNS (default 20).
//! The edit journal goes to `$XDG_STATE_HOME`: point it at a temporary directory.

#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mock.rs"]
#[allow(dead_code)]
mod mock;

use std::time::{Duration, Instant};

use hone::agent::{self, Agent};
use hone::config::{Config, Overrides};
use hone::edit::{Journal, Workspace};
use hone::lint::{Fixer, Interrupt, Lint, LintCommand, LintPolicy, Log, Progress};
use mock::*;
use serde_json::json;

/// Prints `file:line:col: E999 message` for every line holding `BAD`; fails when there is one.
const LINTER: &str = "awk '/BAD/ { printf \"%s:%d:5: E999 flagged line\\n\", FILENAME, FNR; n++ } END { exit (n > 0) }' src/*.py";

/// Sums the time between an edit being proposed and applied: the edit engine's journalled,
/// fsynced write, shown apart because it depends on the disk more than on hone.
#[derive(Default)]
struct EditTimer {
    since: Option<Instant>,
    total: Duration,
}

impl Log for EditTimer {
    fn progress(&mut self, p: Progress<'_>) {
        match p {
            Progress::Agent(agent::Event::EditProposed { .. }) => self.since = Some(Instant::now()),
            Progress::Agent(agent::Event::EditApplied { .. }) => {
                if let Some(t) = self.since.take() {
                    self.total += t.elapsed();
                }
            }
            _ => {}
        }
    }
}

fn fixture(root: &std::path::Path) {
    std::fs::create_dir_all(root.join("src")).unwrap();
    for f in 0..10 {
        let mut text = String::new();
        for l in 0..60 {
            if (20..25).contains(&l) {
                text.push_str(&format!("value_{l} = compute({l})  # BAD\n"));
            } else {
                text.push_str(&format!("def helper_{f}_{l}(x):\n"));
            }
        }
        std::fs::write(root.join(format!("src/f{f}.py")), text).unwrap();
    }
}

fn edits_reply() -> Reply {
    let mut frames = vec![ev_role()];
    for f in 0..10u32 {
        let old: String = (20..25)
            .map(|l| format!("value_{l} = compute({l})  # BAD\n"))
            .collect();
        let new: String = (20..25)
            .map(|l| format!("value_{l} = compute({l})  # ok\n"))
            .collect();
        let args = json!({"path": format!("src/f{f}.py"), "old_string": old, "new_string": new});
        frames.push(ev_tool_call(
            f,
            &format!("c{f}"),
            "edit_file",
            &args.to_string(),
        ));
    }
    frames.extend([
        ev_finish("tool_calls"),
        ev_usage(3000, 400, 2000, 1000, 0),
        ev_done(),
    ]);
    Reply::sse(frames)
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    if std::env::var_os("XDG_STATE_HOME").is_none() {
        println!("note: XDG_STATE_HOME is unset; the edit journal goes to ~/.local/state/hone");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = MockServer::start(vec![]);
    let mut overheads = Vec::new();
    let mut walls = Vec::new();
    for _ in 0..runs {
        let dir = tempfile::tempdir().unwrap();
        fixture(dir.path());
        server.push(edits_reply());
        server.push(Reply::answer("flagged lines fixed in all ten files"));
        let overrides = Overrides {
            provider: Some("llamacpp".into()),
            base_url: Some(server.base_url.clone()),
            workspace: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let cfg = Config::load(&overrides).unwrap();
        let ws = Workspace::new(dir.path()).unwrap();
        let journal = Journal::open(&ws).unwrap();
        let cmd = LintCommand {
            command: LINTER.to_string(),
            preset: None,
            timeout: Duration::from_secs(60),
            secret_vars: Vec::new(),
            // The linter's own time is left out of the overhead, and the sandbox's wrapper is
            // the `hone` binary, which this example is not.
            sandbox: hone::sandbox::Policy::off(dir.path()),
        };
        let first = rt.block_on(Lint::run(&cmd, &ws)).unwrap();
        assert_eq!(first.parsed.diagnostics.len(), 50, "{:?}", first.parsed);
        assert_eq!(first.parsed.files().len(), 10);
        let opts = agent::Options {
            transcript: false,
            without: Some(hone::tools::Effect::Command),
            ..agent::Options::default()
        };
        let mut agent = Agent::new(&cfg, opts).unwrap();
        let mut policy = LintPolicy::new(&[], &[]).unwrap();
        let fixer = Fixer {
            lint: &cmd,
            ws: &ws,
            journal: &journal,
            max_rounds: 1,
            scope: String::new(),
            interrupt: Interrupt::Never,
        };
        let mut timer = EditTimer::default();
        let start = Instant::now();
        let summary = rt.block_on(fixer.fix(&mut agent, &mut policy, first, &mut timer));
        let wall = start.elapsed();
        assert!(
            matches!(summary.end, hone::lint::End::Clean),
            "{:?}",
            summary.end
        );
        let r = &summary.rounds[0];
        assert_eq!(r.edits_applied, 10);
        overheads.push((r.overhead_ms, timer.total.as_millis() as u64));
        walls.push((wall.as_millis() as u64, r.lint_ms, r.model_ms));
    }
    let mut total: Vec<u64> = overheads.iter().map(|o| o.0).collect();
    let mut rest: Vec<u64> = overheads.iter().map(|o| o.0.saturating_sub(o.1)).collect();
    let mut writes: Vec<u64> = overheads.iter().map(|o| o.1).collect();
    for v in [&mut total, &mut rest, &mut writes] {
        v.sort_unstable();
    }
    let mid = |v: &[u64]| v[v.len() / 2];
    let max = |v: &[u64]| v[v.len() - 1];
    walls.sort_unstable();
    let (wall, lint, model) = walls[walls.len() / 2];
    println!("lint-fix round: 50 diagnostics in 10 files, 10 edits, {runs} runs");
    println!(
        "  hone overhead per round: median {} ms, worst {} ms",
        mid(&total),
        max(&total)
    );
    println!(
        "    of which durable edit writes (journal, atomic write, fsync): median {} ms, worst {} ms",
        mid(&writes),
        max(&writes)
    );
    println!(
        "    everything else (prompt, dispatch, parse, compare): median {} ms, worst {} ms",
        mid(&rest),
        max(&rest)
    );
    println!("  a median round: {wall} ms wall = linter {lint} ms + model {model} ms + hone");
}
