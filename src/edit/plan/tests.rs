//! Unit tests of batch planning over a real temporary workspace: operation semantics, overlap,
//! preservation of file conventions, refusals.

use super::*;
use crate::edit::error::JailRule;
use crate::edit::op::ReplaceMode;

fn workspace(files: &[(&str, &[u8])]) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let ws = Workspace::new(dir.path()).unwrap();
    (dir, ws)
}

fn after<'a>(plan: &'a Plan, path: &str) -> Option<&'a [u8]> {
    plan.files()
        .iter()
        .find(|f| f.path() == path)
        .and_then(|f| f.after())
}

#[test]
fn replace_in_one_file() {
    let (_d, ws) = workspace(&[("a.rs", b"fn a() {}\nfn b() {}\n")]);
    let plan = plan(&ws, &[EditOp::replace("a.rs", "fn b() {}", "fn c() {}")]).unwrap();
    assert_eq!(plan.files().len(), 1);
    assert_eq!(plan.files()[0].kind(), ChangeKind::Modify);
    assert_eq!(after(&plan, "a.rs"), Some(&b"fn a() {}\nfn c() {}\n"[..]));
    assert!(plan.notes().is_empty());
}

#[test]
fn several_edits_in_one_file_locate_against_the_same_text() {
    let (_d, ws) = workspace(&[("a.txt", b"one\ntwo\nthree\nfour\n")]);
    let ops = [
        EditOp::replace("a.txt", "four\n", "4\n"),
        EditOp::replace("a.txt", "one\n", "1\n"),
    ];
    let plan = plan(&ws, &ops).unwrap();
    assert_eq!(after(&plan, "a.txt"), Some(&b"1\ntwo\nthree\n4\n"[..]));
}

#[test]
fn a_later_edit_may_target_text_an_earlier_one_wrote() {
    let (_d, ws) = workspace(&[("a.txt", b"alpha\nbeta\n")]);
    let ops = [
        EditOp::replace("a.txt", "alpha\n", "gamma\n"),
        EditOp::replace("a.txt", "gamma\nbeta\n", "delta\n"),
    ];
    let plan = plan(&ws, &ops).unwrap();
    assert_eq!(after(&plan, "a.txt"), Some(&b"delta\n"[..]));
}

#[test]
fn overlapping_edits_are_an_error() {
    let (_d, ws) = workspace(&[("a.txt", b"l1\nl2\nl3\nl4\n")]);
    let ops = [
        EditOp::replace("a.txt", "l2\nl3\n", "x\n"),
        EditOp::replace("a.txt", "l3\nl4\n", "y\n"),
    ];
    let e = plan(&ws, &ops).unwrap_err();
    assert!(
        matches!(
            e,
            EditError::Overlap {
                other: 1,
                lines: (3, 4),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .starts_with("edit 2 of 2 (replace in a.txt): its old text (lines 3-4) overlaps"),
        "{e}"
    );
}

#[test]
fn create_overwrite_delete() {
    let (_d, ws) = workspace(&[
        ("old.txt", b"x\n"),
        ("keep.txt", b"k\n"),
        ("empty.txt", b""),
    ]);
    let ops = [
        EditOp::Create {
            path: "dir/new.txt".into(),
            content: "n\n".into(),
        },
        EditOp::Overwrite {
            path: "keep.txt".into(),
            content: "K\n".into(),
        },
        EditOp::Delete {
            path: "old.txt".into(),
        },
        EditOp::Create {
            path: "empty.txt".into(),
            content: "filled\n".into(),
        },
    ];
    let plan = plan(&ws, &ops).unwrap();
    let kinds: Vec<(&str, ChangeKind)> =
        plan.files().iter().map(|f| (f.path(), f.kind())).collect();
    assert_eq!(
        kinds,
        vec![
            ("dir/new.txt", ChangeKind::Create),
            ("keep.txt", ChangeKind::Modify),
            ("old.txt", ChangeKind::Delete),
            ("empty.txt", ChangeKind::Modify)
        ]
    );
    assert_eq!(after(&plan, "empty.txt"), Some(&b"filled\n"[..]));
}

#[test]
fn create_refuses_a_file_with_content() {
    let (_d, ws) = workspace(&[("a.txt", b"x\n")]);
    let e = plan(
        &ws,
        &[EditOp::Create {
            path: "a.txt".into(),
            content: "y".into(),
        }],
    )
    .unwrap_err();
    assert!(matches!(e, EditError::AlreadyExists { .. }), "{e:?}");
}

#[test]
fn missing_file_is_named() {
    let (_d, ws) = workspace(&[]);
    let e = plan(&ws, &[EditOp::replace("nope.rs", "a", "b")]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("replace in nope.rs: nope.rs does not exist"),
        "{e}"
    );
    let e = plan(
        &ws,
        &[EditOp::Delete {
            path: "nope.rs".into(),
        }],
    )
    .unwrap_err();
    assert!(matches!(e, EditError::MissingFile { .. }), "{e:?}");
}

#[test]
fn rename_plus_edit_is_one_rename() {
    let (_d, ws) = workspace(&[("src/a.py", b"def f():\n    return 1\n")]);
    let ops = [
        EditOp::replace("src/a.py", "return 1", "return 2"),
        EditOp::Rename {
            from: "src/a.py".into(),
            to: "src/b.py".into(),
        },
    ];
    let plan = plan(&ws, &ops).unwrap();
    assert_eq!(plan.files().len(), 1);
    let f = &plan.files()[0];
    assert_eq!(
        (f.kind(), f.from(), f.path()),
        (ChangeKind::Rename, Some("src/a.py"), "src/b.py")
    );
    assert_eq!(f.before(), Some(&b"def f():\n    return 1\n"[..]));
    assert_eq!(f.after(), Some(&b"def f():\n    return 2\n"[..]));
    // And an edit after the move, through the new name.
    let ops = [
        EditOp::Rename {
            from: "src/a.py".into(),
            to: "src/b.py".into(),
        },
        EditOp::replace("src/b.py", "return 1", "return 3"),
    ];
    let plan = super::plan(&ws, &ops).unwrap();
    assert_eq!(
        plan.files()[0].after(),
        Some(&b"def f():\n    return 3\n"[..])
    );
}

#[test]
fn rename_onto_an_existing_file_is_refused() {
    let (_d, ws) = workspace(&[("a", b"a"), ("b", b"b")]);
    let e = plan(
        &ws,
        &[EditOp::Rename {
            from: "a".into(),
            to: "b".into(),
        }],
    )
    .unwrap_err();
    assert!(matches!(e, EditError::AlreadyExists { .. }), "{e:?}");
}

#[test]
fn crlf_bom_and_missing_final_newline_survive() {
    let (_d, ws) = workspace(&[("w.cs", "\u{feff}class A\r\n{\r\n    int x;\r\n}".as_bytes())]);
    let ops = [EditOp::replace(
        "w.cs",
        "    int x;\n}\n",
        "    int x;\n    int y;\n}\n",
    )];
    let plan = plan(&ws, &ops).unwrap();
    assert_eq!(
        after(&plan, "w.cs"),
        Some("\u{feff}class A\r\n{\r\n    int x;\r\n    int y;\r\n}".as_bytes())
    );
    // An overwrite keeps them too.
    let ops = [EditOp::Overwrite {
        path: "w.cs".into(),
        content: "class B\n{\n}\n".into(),
    }];
    let plan = super::plan(&ws, &ops).unwrap();
    assert_eq!(
        after(&plan, "w.cs"),
        Some("\u{feff}class B\r\n{\r\n}".as_bytes())
    );
}

#[test]
fn bom_file_edit_near_the_start() {
    let (_d, ws) = workspace(&[("b.txt", "\u{feff}first\nsecond\n".as_bytes())]);
    let plan = plan(&ws, &[EditOp::replace("b.txt", "first\n", "1st\n")]).unwrap();
    assert_eq!(
        after(&plan, "b.txt"),
        Some("\u{feff}1st\nsecond\n".as_bytes())
    );
}

#[test]
fn appending_to_a_file_without_final_newline() {
    let (_d, ws) = workspace(&[("a.txt", b"x")]);
    let plan = plan(&ws, &[EditOp::replace("a.txt", "", "y\n")]).unwrap();
    assert_eq!(after(&plan, "a.txt"), Some(&b"x\ny"[..]));
}

#[test]
fn binary_and_non_utf8_files_are_refused() {
    let (_d, ws) = workspace(&[
        ("img.png", b"\x89PNG\r\n\x1a\n\0\0"),
        ("latin1.txt", b"caf\xe9\n"),
    ]);
    let e = plan(&ws, &[EditOp::replace("img.png", "PNG", "JPG")]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "img.png is a binary file; hone edits only UTF-8 text and leaves it untouched"
    );
    let e = plan(
        &ws,
        &[EditOp::Overwrite {
            path: "latin1.txt".into(),
            content: "x".into(),
        }],
    )
    .unwrap_err();
    assert!(matches!(e, EditError::NotUtf8 { offset: 3, .. }), "{e:?}");
}

#[test]
fn directories_are_not_files() {
    let (_d, ws) = workspace(&[("dir/a", b"a")]);
    let e = plan(
        &ws,
        &[EditOp::Overwrite {
            path: "dir".into(),
            content: "x".into(),
        }],
    )
    .unwrap_err();
    assert!(matches!(e, EditError::NotAFile { .. }), "{e:?}");
}

#[test]
fn a_path_through_a_symlink_out_of_the_workspace_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("victim.txt"), "v\n").unwrap();
    let (d, ws) = workspace(&[]);
    std::os::unix::fs::symlink(outside.path(), d.path().join("escape")).unwrap();
    let e = plan(
        &ws,
        &[EditOp::Overwrite {
            path: "escape/victim.txt".into(),
            content: "pwned".into(),
        }],
    )
    .unwrap_err();
    assert!(
        matches!(&e, EditError::Jail { rule: JailRule::SymlinkOutside { link }, .. } if link == "escape"),
        "{e:?}"
    );
    assert_eq!(
        std::fs::read(outside.path().join("victim.txt")).unwrap(),
        b"v\n"
    );
}

#[test]
fn a_change_that_changes_nothing_is_an_empty_plan() {
    let (_d, ws) = workspace(&[("a", b"x\n")]);
    let plan = plan(
        &ws,
        &[EditOp::Overwrite {
            path: "a".into(),
            content: "x\n".into(),
        }],
    )
    .unwrap();
    assert!(plan.is_empty());
}

#[test]
fn tolerant_matches_leave_a_note() {
    let (_d, ws) = workspace(&[("a.rs", b"fn f() {\n\tx();\n}\n")]);
    let plan = plan(
        &ws,
        &[EditOp::replace(
            "a.rs",
            "fn f() {\n    x();\n}\n",
            "fn f() {\n    y();\n}\n",
        )],
    )
    .unwrap();
    assert_eq!(after(&plan, "a.rs"), Some(&b"fn f() {\n\ty();\n}\n"[..]));
    assert_eq!(
        plan.notes(),
        ["replace in a.rs: located with indentation shifted at line 1"]
    );
}

#[test]
fn count_mismatch_reports_expected_and_found() {
    let (_d, ws) = workspace(&[("a", b"x\nx\nx\n")]);
    let op = EditOp::Replace {
        path: "a".into(),
        old: "x".into(),
        new: "y".into(),
        mode: ReplaceMode::Count(2),
        anchor: None,
    };
    let e = plan(&ws, &[op]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "replace in a: expected 2 occurrence(s) of the old text but found 3 (lines 1, 2, 3); nothing was changed"
    );
}
