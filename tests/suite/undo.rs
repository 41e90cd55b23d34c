//! `hone undo` after agent runs: one undo reverts every edit a run made, across files and tool
//! calls, and the next undo walks back to the run before; `--list` shows each entry's request
//! and files; `--to N` reverts an entry and everything after it; an entry whose file the person
//! changed since is explained, and `--skip-stale` leaves it and undoes the rest.

use serde_json::json;

use crate::support::calls::{call, calls, edit};
use crate::support::mock::*;
use crate::support::output::{stderr, stdout};
use crate::support::sandbox::Sandbox;
use crate::support::{fix, read};

#[test]
fn one_undo_reverts_the_whole_fix_run() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.py"), "A = 1\n").unwrap();
    std::fs::write(sb.workspace.join("b.ts"), "export const b = 1;\n").unwrap();
    let mock = MockServer::start(vec![
        // First run: one edit.
        call(
            "c0",
            "edit_file",
            json!({"path": "a.py", "old_string": "A = 1", "new_string": "A = 2"}),
        ),
        Reply::answer("first"),
        // Second run: two parallel edits, then a third edit and a new file.
        calls(&[
            (
                "c1",
                "edit_file",
                json!({"path": "a.py", "old_string": "A = 2", "new_string": "A = 3"}),
            ),
            (
                "c2",
                "edit_file",
                json!({"path": "b.ts", "old_string": "b = 1", "new_string": "b = 2"}),
            ),
        ]),
        calls(&[
            (
                "c3",
                "edit_file",
                json!({"path": "a.py", "old_string": "A = 3", "new_string": "A = 4"}),
            ),
            (
                "c4",
                "write_file",
                json!({"path": "c.rs", "content": "fn c() {}\n"}),
            ),
        ]),
        Reply::answer("second"),
    ]);
    for task in ["first", "second"] {
        let o = fix(&sb, &mock, &[task, "--yes"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(read(&sb, "a.py"), "A = 4\n");

    let u = sb.cmd().arg("undo").output().unwrap();
    let stdout = stdout(&u);
    let stderr = stderr(&u);
    assert_eq!(u.status.code(), Some(0), "{stderr}");
    assert_eq!(read(&sb, "a.py"), "A = 2\n", "back to after the first run");
    assert_eq!(read(&sb, "b.ts"), "export const b = 1;\n");
    assert!(!sb.workspace.join("c.rs").exists());
    assert_eq!(
        stdout, "restored a.py\nrestored b.ts\nremoved c.rs\n",
        "{stderr}"
    );
    assert!(stderr.contains("4 edits"), "{stderr}");
    assert!(stderr.contains("1 earlier change"), "{stderr}");

    let u = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(u.status.code(), Some(0));
    assert_eq!(read(&sb, "a.py"), "A = 1\n");
    let u = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(u.status.code(), Some(1), "nothing left to undo");
}

/// Two `hone fix --yes` runs, each editing one file: "A = 1" → "A = 2" in a.py, then
/// "B = 1" → "B = 2" in b.py.
fn two_runs(sb: &Sandbox) -> MockServer {
    std::fs::write(sb.workspace.join("a.py"), "A = 1\n").unwrap();
    std::fs::write(sb.workspace.join("b.py"), "B = 1\n").unwrap();
    let mock = MockServer::start(vec![
        edit("c1", "a.py", "A = 1", "A = 2"),
        Reply::answer("done a"),
        edit("c2", "b.py", "B = 1", "B = 2"),
        Reply::answer("done b"),
    ]);
    for task in ["raise A in a.py", "raise B in b.py"] {
        let o = fix(sb, &mock, &[task, "--yes"]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    mock
}

#[test]
fn the_list_shows_when_which_request_and_which_files() {
    let sb = Sandbox::new();
    let _mock = two_runs(&sb);
    let o = sb.cmd().args(["undo", "--list"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    // Newest first: number, when, the request, the files.
    assert_eq!(lines[0], "#2  just now  \"raise B in b.py\"  b.py", "{out}");
    assert_eq!(lines[1], "#1  just now  \"raise A in a.py\"  a.py", "{out}");
    assert!(
        stderr(&o).contains("`hone undo --to N` reverts #N and everything after it"),
        "{}",
        stderr(&o)
    );
    // Listing changes nothing.
    assert_eq!(read(&sb, "b.py"), "B = 2\n");
}

#[test]
fn undo_to_an_entry_reverts_it_and_everything_after_it() {
    let sb = Sandbox::new();
    let _mock = two_runs(&sb);
    let o = sb.cmd().args(["undo", "--to", "#1"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "restored a.py\nrestored b.py\n");
    assert!(
        stderr(&o).contains("undid #2 \"raise B in b.py\", #1 \"raise A in a.py\""),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        (read(&sb, "a.py"), read(&sb, "b.py")),
        ("A = 1\n".into(), "B = 1\n".into())
    );
    let o = sb.cmd().args(["undo", "--to", "5"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nothing to undo"), "{}", stderr(&o));
}

#[test]
fn a_stale_entry_is_explained_and_skipped_and_the_rest_is_undone() {
    let sb = Sandbox::new();
    let _mock = two_runs(&sb);
    // The person edits b.py after hone did.
    std::fs::write(sb.workspace.join("b.py"), "B = 2  # mine\n").unwrap();

    // Refused, restoring nothing, saying which file and what happened to it.
    let o = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "cannot undo #2: b.py was changed after hone wrote it (by you or another program)"
        ),
        "{err}"
    );
    assert!(err.contains("hone undo --skip-stale"), "{err}");
    assert_eq!(read(&sb, "a.py"), "A = 2\n");

    // The list says it too.
    let list = stdout(&sb.cmd().args(["undo", "--list"]).output().unwrap());
    assert!(
        list.contains("#2  just now  \"raise B in b.py\"  b.py\n    cannot be undone as is: b.py was changed after hone wrote it"),
        "{list}"
    );

    // Skipped: the one before is undone, the person's work stays.
    let o = sb.cmd().args(["undo", "--skip-stale"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "restored a.py\n");
    let err = stderr(&o);
    assert!(
        err.contains("left #2 \"raise B in b.py\" as it is: b.py was changed after hone wrote it"),
        "{err}"
    );
    assert!(err.contains("undid #1 \"raise A in a.py\""), "{err}");
    assert_eq!(read(&sb, "a.py"), "A = 1\n");
    assert_eq!(read(&sb, "b.py"), "B = 2  # mine\n");

    // The stale entry stays listed; once the person's change is gone it can be undone.
    std::fs::write(sb.workspace.join("b.py"), "B = 2\n").unwrap();
    let o = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(read(&sb, "b.py"), "B = 1\n");
}
