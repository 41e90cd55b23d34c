//! Unit tests of the `git apply` patch (the preview's rendering is tested in `ui::preview`).

use super::*;
use crate::edit::EditOp;

fn plan_for(files: &[(&str, &str)], ops: &[EditOp]) -> (tempfile::TempDir, Plan) {
    crate::edit::plan_in(files, ops)
}

#[test]
fn patch_headers_follow_git() {
    let files = [("m.txt", "1\n"), ("d.sh", "rm\n"), ("r.txt", "same\n")];
    let ops = [
        EditOp::replace("m.txt", "1", "2"),
        EditOp::Create {
            path: "dir with space/n.txt".into(),
            content: "".into(),
        },
        EditOp::Delete {
            path: "d.sh".into(),
        },
        EditOp::Rename {
            from: "r.txt".into(),
            to: "ü.txt".into(),
        },
    ];
    let (_d, plan) = plan_for(&files, &ops);
    let patch = plan.to_patch();
    assert_eq!(
        patch,
        "diff --git a/m.txt b/m.txt\n--- a/m.txt\n+++ b/m.txt\n@@ -1 +1 @@\n-1\n+2\n\
         diff --git a/dir with space/n.txt b/dir with space/n.txt\nnew file mode 100644\n\
         diff --git a/d.sh b/d.sh\ndeleted file mode 100644\n--- a/d.sh\n+++ /dev/null\n@@ -1 +0,0 @@\n-rm\n\
         diff --git a/r.txt \"b/\\303\\274.txt\"\nrename from r.txt\nrename to \"\\303\\274.txt\"\n"
    );
}

#[test]
fn the_patch_applies_with_git() {
    let files = [
        ("a.txt", "one\r\ntwo\r\n"),
        ("b.txt", "\u{feff}x\ny"),
        ("c.txt", "c\n"),
    ];
    let ops = [
        EditOp::replace("a.txt", "two\n", "2\n"),
        EditOp::replace("b.txt", "y", "Y"),
        EditOp::Rename {
            from: "c.txt".into(),
            to: "sub dir/c.txt".into(),
        },
        EditOp::replace("sub dir/c.txt", "c", "C"),
    ];
    let (dir, plan) = plan_for(&files, &ops);
    let patch = dir.path().join("change.patch");
    std::fs::write(&patch, plan.to_patch()).unwrap();
    let out = std::process::Command::new("git")
        .args(["apply", "--whitespace=nowarn", "change.patch"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in plan.files() {
        assert_eq!(
            std::fs::read(dir.path().join(f.path())).unwrap(),
            f.after().unwrap(),
            "{}",
            f.path()
        );
    }
    assert!(!dir.path().join("c.txt").exists());
}
