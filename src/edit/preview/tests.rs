//! Unit tests of the preview and the `git apply` patch.

use super::*;
use crate::edit::{EditOp, Workspace, plan};

fn plan_for(files: &[(&str, &str)], ops: &[EditOp]) -> (tempfile::TempDir, Plan) {
    let dir = tempfile::tempdir().unwrap();
    for (path, body) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
    let ws = Workspace::new(dir.path()).unwrap();
    let plan = plan(&ws, ops).unwrap();
    (dir, plan)
}

#[test]
fn preview_shows_summary_and_hunks() {
    let body = "a\nb\nc\nd\ne\nf\ng\nh\n";
    let (_d, plan) = plan_for(
        &[("x.txt", body)],
        &[EditOp::replace("x.txt", "e\n", "E\nE2\n")],
    );
    assert_eq!(plan.stats(), (2, 1));
    let opts = PreviewOptions {
        context: 1,
        color: false,
    };
    assert_eq!(
        plan.preview(&opts),
        "x.txt  +2 -1\n@@ -4,3 +4,4 @@\n d\n-e\n+E\n+E2\n f\n"
    );
    let wide = plan.preview(&PreviewOptions::default());
    assert!(
        wide.starts_with("x.txt  +2 -1\n@@ -2,7 +2,8 @@\n b\n"),
        "{wide}"
    );
}

#[test]
fn new_files_whole_deletions_and_renames_stated() {
    let files = [("gone.txt", "1\n2\n3\n"), ("old.rs", "fn a() {}\n")];
    let ops = [
        EditOp::Create {
            path: "new.txt".into(),
            content: "n1\nn2\n".into(),
        },
        EditOp::Delete {
            path: "gone.txt".into(),
        },
        EditOp::Rename {
            from: "old.rs".into(),
            to: "src/new.rs".into(),
        },
    ];
    let (_d, plan) = plan_for(&files, &ops);
    let text = plan.preview(&PreviewOptions::default());
    assert_eq!(
        text,
        "new.txt (new file)  +2\n@@ -0,0 +1,2 @@\n+n1\n+n2\n\
         gone.txt (deleted, 3 lines)\n\
         old.rs → src/new.rs (renamed)  +0\n(content unchanged)\n"
    );
}

#[test]
fn missing_final_newline_is_shown() {
    let (_d, plan) = plan_for(&[("a", "x\ny")], &[EditOp::replace("a", "y", "z")]);
    let text = plan.preview(&PreviewOptions::default());
    assert!(
        text.ends_with("-y\n\\ No newline at end of file\n+z\n\\ No newline at end of file\n"),
        "{text}"
    );
}

#[test]
fn colour_and_word_highlighting_only_when_asked() {
    let (_d, plan) = plan_for(
        &[("a.rs", "let total = price * count;\n")],
        &[EditOp::replace("a.rs", "count", "quantity")],
    );
    let plain = plan.preview(&PreviewOptions {
        context: 3,
        color: false,
    });
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let colored = plan.preview(&PreviewOptions {
        context: 3,
        color: true,
    });
    assert!(colored.contains('\u{1b}'));
    // The changed word carries the word style; the unchanged part of the line does not.
    let word = palette::paint(palette::ADDED_WORD, "quantity;", true);
    assert!(colored.contains(&word), "{colored:?}");
    let unchanged = palette::paint(palette::ADDED, "+let total = price * ", true);
    assert!(colored.contains(&unchanged), "{colored:?}");
}

#[test]
fn escape_sequences_from_file_text_are_stripped_in_the_preview_only() {
    let (_d, plan) = plan_for(
        &[],
        &[EditOp::Create {
            path: "e.txt".into(),
            content: "a\u{1b}[2Jb\n".into(),
        }],
    );
    assert!(plan.preview(&PreviewOptions::default()).contains("+ab\n"));
    assert!(
        plan.to_patch().contains("+a\u{1b}[2Jb\n"),
        "the patch is exact"
    );
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
