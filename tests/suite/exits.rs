//! Output into a closed pipe (`hone map | head -1`): the reader left, which is its choice, so
//! every command that writes a product to stdout exits 0 and says nothing more on stderr (no
//! "error:", no report of a bug). Each output here is far larger than a pipe's buffer, so hone is
//! still writing when the reader goes.

use std::io::{BufRead as _, BufReader, Read as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

use super::agent::call;
use crate::support::mock::*;
use crate::support::sandbox::Sandbox;

/// Runs `cmd` with stdout piped, reads its first line and closes the read end; returns the exit
/// code and everything hone wrote to stderr.
fn close_after_first_line(mut cmd: Command) -> (Option<i32>, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained apart, so that hone never waits on a full stderr while this waits on stdout.
    let mut err = child.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).unwrap();
        s
    });
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.ends_with('\n'), "no whole first line: {first:?}");
    drop(out);
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("hone did not end after its reader left");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status.code(), stderr.join().unwrap())
}

/// Asserts a quiet exit 0, showing stderr when it was not.
fn assert_quiet_success((code, stderr): (Option<i32>, String)) {
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
}

/// 20,000 numbered lines.
fn long_text() -> String {
    (1..=20_000)
        .map(|i| format!("line {i} of a long text\n"))
        .collect()
}

/// An `*** Add File:` patch of `files` (path, content).
fn add_patch(files: &[(String, String)]) -> String {
    let mut p = String::from("*** Begin Patch\n");
    for (path, content) in files {
        p.push_str(&format!("*** Add File: {path}\n"));
        for l in content.lines() {
            p.push_str(&format!("+{l}\n"));
        }
    }
    p.push_str("*** End Patch\n");
    p
}

#[test]
fn config_into_a_closed_pipe_exits_0_quietly() {
    let sb = Sandbox::new();
    // A model name of 300,000 characters makes a long enough report.
    sb.user_config(&format!("model = \"{}\"\n", "m".repeat(300_000)));
    let mut cmd = sb.std_cmd();
    cmd.arg("config");
    assert_quiet_success(close_after_first_line(cmd));
}

#[test]
fn map_into_a_closed_pipe_exits_0_quietly() {
    let sb = Sandbox::new();
    for i in 0..300 {
        let text: String = (0..10)
            .map(|j| {
                format!("def function_{j}_of_module_{i}(first, second):\n    return first\n\n")
            })
            .collect();
        std::fs::write(sb.workspace.join(format!("module_{i:04}.py")), text).unwrap();
    }
    let mut cmd = sb.std_cmd();
    cmd.args(["map", "--tokens", "10000000"]);
    assert_quiet_success(close_after_first_line(cmd));
}

#[test]
fn apply_dry_run_into_a_closed_pipe_exits_0_quietly() {
    let sb = Sandbox::new();
    let patch = sb.home.join("big.patch");
    std::fs::write(&patch, add_patch(&[("big.txt".into(), long_text())])).unwrap();
    let mut cmd = sb.std_cmd();
    cmd.args(["apply", "--dry-run"]).arg(&patch);
    assert_quiet_success(close_after_first_line(cmd));
    assert!(!sb.workspace.join("big.txt").exists());
}

#[test]
fn apply_yes_into_a_closed_pipe_still_applies() {
    let sb = Sandbox::new();
    let patch = sb.home.join("big.patch");
    std::fs::write(&patch, add_patch(&[("big.txt".into(), long_text())])).unwrap();
    let mut cmd = sb.std_cmd();
    cmd.args(["apply", "--yes"]).arg(&patch);
    let (code, stderr) = close_after_first_line(cmd);
    // The preview is cut short, but the change is the product: applied, and said so.
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.starts_with("hone: applied to 1 file(s)"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(sb.workspace.join("big.txt")).unwrap(),
        long_text()
    );
}

#[test]
fn undo_into_a_closed_pipe_exits_0_quietly_and_undoes() {
    let sb = Sandbox::new();
    // 150 files with paths of about 1,000 characters: `removed <path>` makes 150 KB.
    let dir: Vec<String> = ["a", "b", "c", "d"].iter().map(|c| c.repeat(200)).collect();
    let dir = dir.join("/");
    let files: Vec<(String, String)> = (0..150)
        .map(|i| {
            (
                format!("{dir}/{i:03}_{}.txt", "f".repeat(200)),
                "x\n".into(),
            )
        })
        .collect();
    let patch = sb.home.join("many.patch");
    std::fs::write(&patch, add_patch(&files)).unwrap();
    let o = sb
        .cmd()
        .args(["apply", "--yes"])
        .arg(&patch)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(sb.workspace.join(&files[0].0).exists());

    let mut cmd = sb.std_cmd();
    cmd.arg("undo");
    assert_quiet_success(close_after_first_line(cmd));
    assert!(
        !sb.workspace.join(&files[0].0).exists(),
        "undone all the same"
    );
    assert!(!sb.workspace.join("a".repeat(200)).exists());
}

#[test]
fn fix_dry_run_into_a_closed_pipe_exits_0_and_adds_nothing_to_stderr() {
    let write = || {
        call(
            "c1",
            "write_file",
            json!({"path": "big.txt", "content": long_text()}),
        )
    };
    let mock = MockServer::start(vec![
        write(),
        Reply::answer("Wrote it."),
        write(),
        Reply::answer("Wrote it."),
    ]);
    let sb = Sandbox::new();
    let args = ["fix", "write big.txt", "--dry-run"];
    let whole = sb.against(&mock).args(args).output().unwrap();
    assert_eq!(whole.status.code(), Some(0), "{whole:?}");
    assert!(whole.stdout.len() > 300_000);

    let mut cmd = sb.std_against(&mock);
    cmd.args(args);
    let (code, stderr) = close_after_first_line(cmd);
    assert_eq!(code, Some(0), "{stderr}");
    // What the run says on stderr (the diff, the answer) is as when stdout is read to the end.
    assert!(
        stderr == String::from_utf8_lossy(&whole.stderr),
        "stderr differs from a whole run's:\n{}",
        stderr.lines().rev().take(5).collect::<Vec<_>>().join("\n")
    );
    assert!(!sb.workspace.join("big.txt").exists());
}

#[test]
fn print_into_a_closed_pipe_exits_0_quietly() {
    let mock = MockServer::start(vec![Reply::answer(&long_text())]);
    let sb = Sandbox::new();
    let mut cmd = sb.std_against(&mock);
    cmd.args(["-p", "q"]);
    assert_quiet_success(close_after_first_line(cmd));
}
