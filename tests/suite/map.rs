//! `hone map` through the real binary: the map of the fixture repository in
//! `tests/fixtures/context/repo`, focus terms, ignore rules and the index cache.

use std::path::Path;
use std::time::{Duration, SystemTime};

use crate::support::output::{stderr, stdout};
use crate::support::sandbox::Sandbox;
use crate::support::tree;

/// Copies the fixture repository into the sandbox's workspace, with file times an hour old so the
/// index cache trusts them (a file changed within a second of the cache write is re-read).
fn workspace() -> Sandbox {
    let sb = Sandbox::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/context/repo");
    for (rel, bytes) in tree(&repo) {
        write_old(&sb.workspace.join(rel), &bytes);
    }
    sb
}

fn write_old(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(hour_ago)
        .unwrap();
}

fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "hone failed: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn map_of_the_whole_repository() {
    let sb = workspace();
    let out = stdout_of(sb.cmd().arg("map"));
    assert_eq!(
        out,
        "\
lib/settings.py
  1: DEFAULT_PATH = \"settings.toml\"
  4: def load_settings(path=DEFAULT_PATH)
lib/store.py
  1: class Store
  2:   def __init__(self, settings)
  5:   def items(self)
  9: def unused_helper()
README.md
app/main.py
  5: def run(path)
web/chart.ts
  1: export interface ChartOptions
  5: export function renderChart(options: ChartOptions): string
"
    );
}

#[test]
fn a_chat_file_leaves_the_map_and_steers_it() {
    let sb = workspace();
    let out = stdout_of(sb.cmd().args(["map", "app/main.py"]));
    assert!(!out.contains("app/main.py"), "{out}");
    let settings = out.find("lib/settings.py").unwrap();
    let chart = out.find("web/chart.ts").unwrap();
    assert!(settings < chart, "{out}");

    let by_ident = stdout_of(sb.cmd().args(["map", "renderChart"]));
    assert!(by_ident.starts_with("web/chart.ts\n"), "{by_ident}");
}

#[test]
fn a_small_budget_shows_less_and_says_how_much_is_left_out() {
    let sb = workspace();
    let out = stdout_of(sb.cmd().args(["map", "--tokens", "30"]));
    assert!(out.chars().count() <= 30 * 7 / 2, "{out}");
    assert!(out.starts_with("lib/settings.py\n"), "{out}");
    assert!(out.ends_with(" more files\n"), "{out}");
}

#[test]
fn ignored_secret_and_vendored_files_stay_out() {
    let sb = workspace();
    let ws = &sb.workspace;
    write_old(&ws.join("build/out.py"), b"def built_output():\n    pass\n");
    write_old(&ws.join(".honeignore"), b"drafts/\n");
    write_old(
        &ws.join("drafts/plan.py"),
        b"def secret_plan():\n    pass\n",
    );
    write_old(
        &ws.join("node_modules/pkg/index.js"),
        b"function vendored() {}\n",
    );
    write_old(&ws.join("config.env"), b"API_KEY=sk-live-123\n");
    write_old(&ws.join("logo.bin"), b"\x00\x01\x02");
    let out = stdout_of(sb.cmd().args(["map", "--tokens", "5000"]));
    for absent in [
        "build/",
        "drafts/",
        "secret_plan",
        "node_modules",
        "config.env",
        "logo.bin",
        "sk-live",
    ] {
        assert!(!out.contains(absent), "{absent} in {out}");
    }
}

#[test]
fn second_run_reuses_the_cache_and_reparses_only_the_changed_file() {
    let sb = workspace();
    std::fs::write(sb.workspace.join("package-lock.json"), "{}\n").unwrap();
    let first = sb.cmd().args(["map", "-v"]).output().unwrap();
    let err = stderr(&first);
    assert!(
        err.contains("indexed 5 files") && err.contains("(5 parsed, 0 from cache; cache none yet;"),
        "{err}"
    );
    // Skip reasons are named for a person, not as the code's enum variants.
    assert!(err.contains("hone: skipped: lock files 1"), "{err}");

    write_old(
        &sb.workspace.join("lib/store.py"),
        b"class Store:\n    pass\n\n\ndef fresh_helper():\n    return 1\n",
    );
    let second = sb.cmd().args(["map", "-v"]).output().unwrap();
    let err = stderr(&second);
    assert!(
        err.contains("(1 parsed, 4 from cache; cache loaded;"),
        "{err}"
    );
    assert!(stdout(&second).contains("def fresh_helper()"));
}

#[test]
fn an_empty_workspace_prints_nothing_and_succeeds() {
    let sb = Sandbox::new();
    let out = sb.cmd().arg("map").output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).contains("nothing to map"));
}

#[test]
fn a_zero_budget_or_an_empty_model_is_a_usage_error() {
    let sb = workspace();
    let o = sb.cmd().args(["map", "--tokens", "0"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--tokens"));
    let o = sb.cmd().args(["-m", "", "config"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--model"));
}
