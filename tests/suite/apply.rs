//! `hone apply` and `hone undo` end to end, through the real binary.
//!
//! The fixture cases live in `tests/fixtures/edit/<case>/`: `before/` (the workspace), the model
//! text in `input.txt`, optional extra flags one per line in `args`, and either `after/` (the
//! exact workspace afterwards) or `expected_error` (text stderr must contain; exit 1 and the
//! workspace untouched). Every successful case is then undone with `hone undo` and must give
//! `before/` back byte for byte.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::output::{stderr, stdout};
use crate::support::sandbox::Sandbox;
use crate::support::{copy_tree, read, tree};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/edit")
}

fn show(t: &BTreeMap<String, Vec<u8>>) -> String {
    t.iter()
        .map(|(k, v)| format!("{k}: {:?}\n", String::from_utf8_lossy(v)))
        .collect()
}

/// Runs one fixture case; returns a description of what went wrong, if anything.
fn run_case(dir: &Path) -> Option<String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let sb = Sandbox::new();
    copy_tree(&dir.join("before"), &sb.workspace);
    let before = tree(&sb.workspace);
    let args: Vec<String> = std::fs::read_to_string(dir.join("args"))
        .map(|a| a.lines().map(String::from).collect())
        .unwrap_or_default();
    let out = sb
        .cmd()
        .arg("apply")
        .arg("--yes")
        .args(&args)
        .arg(dir.join("input.txt"))
        .output()
        .unwrap();
    let err = stderr(&out);
    let code = out.status.code();
    if let Ok(expected) = std::fs::read_to_string(dir.join("expected_error")) {
        let expected = expected.trim();
        if code != Some(1) || !err.contains(expected) {
            return Some(format!(
                "{name}: expected exit 1 with {expected:?} on stderr, got {code:?}:\n{err}"
            ));
        }
        if tree(&sb.workspace) != before {
            return Some(format!(
                "{name}: a failed apply changed the workspace:\n{}",
                show(&tree(&sb.workspace))
            ));
        }
        return None;
    }
    if code != Some(0) {
        return Some(format!("{name}: expected exit 0, got {code:?}:\n{err}"));
    }
    let expected = tree(&dir.join("after"));
    let got = tree(&sb.workspace);
    if got != expected {
        return Some(format!(
            "{name}: workspace differs.\nexpected:\n{}got:\n{}",
            show(&expected),
            show(&got)
        ));
    }
    let undo = sb.cmd().arg("undo").output().unwrap();
    if undo.status.code() != Some(0) || tree(&sb.workspace) != before {
        return Some(format!(
            "{name}: undo did not restore before/ ({:?}): {}\n{}",
            undo.status.code(),
            stderr(&undo),
            show(&tree(&sb.workspace))
        ));
    }
    None
}

#[test]
fn fixture_cases() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(fixtures())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "fixture cases missing: {}", cases.len());
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

const EDIT: &str = "a.txt\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n";

fn sandbox_with_a() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "old\n").unwrap();
    sb
}

#[test]
fn a_non_tty_without_yes_or_dry_run_is_refused_naming_the_flag() {
    let sb = sandbox_with_a();
    let out = sb
        .cmd()
        .args(["apply", "-"])
        .write_stdin(EDIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = stderr(&out);
    assert!(
        stderr.contains("--yes") && stderr.contains("--dry-run"),
        "{stderr}"
    );
    assert_eq!(read(&sb, "a.txt"), "old\n");
}

#[test]
fn dry_run_prints_a_patch_git_applies_and_writes_nothing() {
    let sb = sandbox_with_a();
    let out = sb
        .cmd()
        .args(["apply", "--dry-run"])
        .write_stdin(EDIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let patch = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        patch,
        "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-old\n+new\n"
    );
    assert_eq!(read(&sb, "a.txt"), "old\n");
    std::fs::write(sb.home.join("p.patch"), &patch).unwrap();
    let git = std::process::Command::new("git")
        .arg("apply")
        .arg(sb.home.join("p.patch"))
        .current_dir(&sb.workspace)
        .output()
        .unwrap();
    assert!(git.status.success(), "{}", stderr(&git));
    assert_eq!(read(&sb, "a.txt"), "new\n");
}

#[test]
fn yes_applies_from_stdin_with_the_preview_on_stdout() {
    let sb = sandbox_with_a();
    let out = sb
        .cmd()
        .args(["apply", "--yes"])
        .write_stdin(EDIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "a.txt  +1 -1\n@@ -1 +1 @@\n-old\n+new\n");
    let stderr = stderr(&out);
    assert!(
        stderr.contains("applied to 1 file(s) (+1 -1): a.txt; `hone undo` reverts it"),
        "{stderr}"
    );
    assert_eq!(read(&sb, "a.txt"), "new\n");
}

#[test]
fn workspace_flag_picks_the_root_and_the_journal_stays_outside_it() {
    let sb = sandbox_with_a();
    let sub = sb.workspace.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(sub.join("a.txt"), "old\n").unwrap();
    let out = sb
        .cmd()
        .arg("-C")
        .arg(&sub)
        .args(["apply", "--yes"])
        .write_stdin(EDIT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(sub.join("a.txt")).unwrap(), "new\n");
    assert_eq!(read(&sb, "a.txt"), "old\n");
    assert_eq!(
        tree(&sub).keys().collect::<Vec<_>>(),
        vec!["a.txt"],
        "nothing but the edit lands in the workspace"
    );
    assert!(
        !tree(&sb.home.join(".local/state/hone")).is_empty(),
        "the journal is in XDG_STATE_HOME"
    );
}

#[test]
fn undo_walks_back_and_then_has_nothing_left() {
    let sb = sandbox_with_a();
    let second = "a.txt\n<<<<<<< SEARCH\nnew\n=======\nnewer\n>>>>>>> REPLACE\n";
    for text in [EDIT, second] {
        let out = sb
            .cmd()
            .args(["apply", "--yes"])
            .write_stdin(text)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
    }
    let a = || read(&sb, "a.txt");
    assert_eq!(a(), "newer\n");
    let out = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(
        (out.status.code(), stdout(&out).as_str()),
        (Some(0), "restored a.txt\n")
    );
    assert_eq!(a(), "new\n");
    sb.cmd().arg("undo").assert().code(0);
    assert_eq!(a(), "old\n");
    let out = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("nothing to undo in this workspace"));
}

#[test]
fn undo_refuses_when_the_file_changed_since() {
    let sb = sandbox_with_a();
    sb.cmd()
        .args(["apply", "--yes"])
        .write_stdin(EDIT)
        .assert()
        .code(0);
    std::fs::write(sb.workspace.join("a.txt"), "my own edit\n").unwrap();
    let out = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr(&out);
    assert!(
        stderr.contains("a.txt was changed after hone wrote it (by you or another program)"),
        "{stderr}"
    );
    assert_eq!(read(&sb, "a.txt"), "my own edit\n");
}

#[test]
fn a_symlink_out_of_the_workspace_is_refused() {
    let sb = Sandbox::new();
    let outside = sb.home.join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.txt"), "s\n").unwrap();
    std::os::unix::fs::symlink(&outside, sb.workspace.join("link")).unwrap();
    let text = "*** Begin Patch\n*** Update File: link/secret.txt\n@@\n-s\n+pwned\n*** End Patch\n";
    let out = sb
        .cmd()
        .args(["apply", "--yes"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = stderr(&out);
    assert!(
        stderr.contains("`link` is a symbolic link that leads outside the workspace"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("secret.txt")).unwrap(),
        "s\n"
    );
}

#[test]
fn permission_bits_survive_apply_and_undo() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let script = sb.workspace.join("run.sh");
    std::fs::write(&script, "#!/bin/sh\necho old\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = "run.sh\n<<<<<<< SEARCH\necho old\n=======\necho new\n>>>>>>> REPLACE\n";
    sb.cmd()
        .args(["apply", "--yes"])
        .write_stdin(text)
        .assert()
        .code(0);
    let mode = || std::fs::metadata(&script).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(), 0o755);
    sb.cmd().arg("undo").assert().code(0);
    assert_eq!(mode(), 0o755);
}

#[test]
fn usage_errors_exit_2() {
    let sb = sandbox_with_a();
    sb.cmd()
        .args(["apply", "--format", "xml", "--yes"])
        .write_stdin(EDIT)
        .assert()
        .code(2);
    sb.cmd()
        .args(["apply", "--yes", "missing-file.txt"])
        .assert()
        .code(2);
    sb.cmd()
        .args(["-C", "/nonexistent/dir", "apply", "--yes"])
        .write_stdin(EDIT)
        .assert()
        .code(2);
}

#[test]
fn nothing_to_change_exits_0() {
    let sb = sandbox_with_a();
    let same = "a.txt\n<<<<<<< SEARCH\nold\n=======\nold\n>>>>>>> REPLACE\n";
    let out = sb
        .cmd()
        .args(["apply", "--yes"])
        .write_stdin(same)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("nothing to change"));
}
