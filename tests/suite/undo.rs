//! `hone undo` after an agent run: one undo reverts every edit the run made, across files and
//! tool calls, and the next undo walks back to the run before.

use serde_json::json;

use crate::support::calls::{call, calls};
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
