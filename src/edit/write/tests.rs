//! Unit tests of applying and undoing over real temporary workspaces: atomicity, preservation of
//! permission bits, refusal of stale plans, the journal across restarts, and the properties
//! apply∘undo = identity and "git apply of the preview patch gives the engine's bytes".

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use proptest::prelude::*;

use super::*;
use crate::edit::op::EditOp;
use crate::edit::parse::parse_text;
use crate::edit::plan::plan;

struct Fixture {
    dir: tempfile::TempDir,
    state: tempfile::TempDir,
    ws: Workspace,
}

impl Fixture {
    fn new(files: &[(&str, &[u8])]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for (path, bytes) in files {
            let p = dir.path().join(path);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, bytes).unwrap();
        }
        let ws = Workspace::new(dir.path()).unwrap();
        Fixture {
            dir,
            state: tempfile::tempdir().unwrap(),
            ws,
        }
    }

    /// A journal as a fresh hone process would open it.
    fn journal(&self) -> Journal {
        Journal::at(self.state.path().join("journal"))
    }

    fn apply(&self, ops: &[EditOp]) -> Result<Applied, EditError> {
        let p = plan(&self.ws, ops)?;
        apply(&self.ws, &p, &self.journal())
    }

    fn read(&self, path: &str) -> Option<Vec<u8>> {
        fs::read(self.dir.path().join(path)).ok()
    }

    fn snapshot(&self) -> BTreeMap<String, Vec<u8>> {
        snapshot(self.dir.path())
    }
}

fn snapshot(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(format!("{rel}/"), Vec::new());
                stack.push(p);
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn apply_writes_and_undo_restores_byte_for_byte() {
    let fx = Fixture::new(&[("a.txt", b"one\r\ntwo\r\n"), ("gone.txt", b"bye")]);
    let before = fx.snapshot();
    let applied = fx
        .apply(&[
            EditOp::replace("a.txt", "two\n", "2\n"),
            EditOp::Create {
                path: "new/dir/n.txt".into(),
                content: "n\n".into(),
            },
            EditOp::Delete {
                path: "gone.txt".into(),
            },
        ])
        .unwrap();
    assert_eq!(applied.files, vec!["a.txt", "new/dir/n.txt", "gone.txt"]);
    assert_eq!((applied.added, applied.removed), (2, 2));
    assert_eq!(fx.read("a.txt").unwrap(), b"one\r\n2\r\n");
    assert_eq!(fx.read("new/dir/n.txt").unwrap(), b"n\n");
    assert_eq!(fx.read("gone.txt"), None);
    let report = fx.journal().undo(&fx.ws).unwrap();
    assert_eq!(report.restored, vec!["a.txt", "gone.txt"]);
    assert_eq!(report.removed, vec!["new/dir/n.txt"]);
    assert_eq!(fx.snapshot(), before, "created directories are removed too");
    assert!(matches!(
        fx.journal().undo(&fx.ws),
        Err(EditError::NothingToUndo)
    ));
}

#[test]
fn permission_bits_are_kept_and_restored() {
    let fx = Fixture::new(&[("run.sh", b"#!/bin/sh\necho hi\n")]);
    let p = fx.dir.path().join("run.sh");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o750)).unwrap();
    fx.apply(&[EditOp::replace("run.sh", "hi", "hello")])
        .unwrap();
    assert_eq!(mode(&p), 0o750);
    fx.apply(&[EditOp::Rename {
        from: "run.sh".into(),
        to: "bin/run.sh".into(),
    }])
    .unwrap();
    assert_eq!(mode(&fx.dir.path().join("bin/run.sh")), 0o750);
    fx.journal().undo(&fx.ws).unwrap();
    fx.journal().undo(&fx.ws).unwrap();
    assert_eq!(mode(&p), 0o750);
    assert_eq!(fx.read("run.sh").unwrap(), b"#!/bin/sh\necho hi\n");
}

#[test]
fn a_file_changed_since_the_preview_is_refused() {
    let fx = Fixture::new(&[("a.txt", b"x\n"), ("b.txt", b"y\n")]);
    let p = plan(
        &fx.ws,
        &[
            EditOp::replace("a.txt", "x", "X"),
            EditOp::replace("b.txt", "y", "Y"),
        ],
    )
    .unwrap();
    fs::write(fx.dir.path().join("b.txt"), "someone else\n").unwrap();
    let e = apply(&fx.ws, &p, &fx.journal()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "b.txt changed on disk after the preview; nothing was written. Read it again and propose the edit anew"
    );
    assert_eq!(fx.read("a.txt").unwrap(), b"x\n");
    assert!(fx.journal().is_empty().unwrap());
    // A file created meanwhile where the plan creates one is a change too.
    let p = plan(
        &fx.ws,
        &[EditOp::Create {
            path: "c.txt".into(),
            content: "c".into(),
        }],
    )
    .unwrap();
    fs::write(fx.dir.path().join("c.txt"), "mine").unwrap();
    assert!(matches!(
        apply(&fx.ws, &p, &fx.journal()),
        Err(EditError::ChangedSincePreview { .. })
    ));
}

#[test]
fn a_patch_whose_second_file_fails_applies_nothing() {
    let fx = Fixture::new(&[("a.txt", b"a\n"), ("b.txt", b"b\n")]);
    let before = fx.snapshot();
    let ops = parse_text(
        "*** Begin Patch\n*** Update File: a.txt\n-a\n+A\n*** Update File: b.txt\n-missing\n+B\n*** End Patch\n",
        crate::edit::TextFormat::Auto,
    )
    .unwrap();
    let e = fx.apply(&ops).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("edit 2 of 2 (replace in b.txt): the old text was not found"),
        "{e}"
    );
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn a_failure_while_renaming_rolls_back_the_files_already_replaced() {
    let fx = Fixture::new(&[("a.txt", b"a\n"), ("b.txt", b"b\n")]);
    let before = fx.snapshot();
    let ops = [
        EditOp::replace("a.txt", "a", "A"),
        EditOp::Create {
            path: "sub/c.txt".into(),
            content: "c\n".into(),
        },
        EditOp::replace("b.txt", "b", "B"),
    ];
    FAIL_RENAME_AT.with(|f| f.set(Some(2)));
    let e = fx.apply(&ops).unwrap_err();
    assert!(e.to_string().contains("injected failure"), "{e}");
    assert_eq!(
        fx.snapshot(),
        before,
        "no temporary file, new directory or change is left"
    );
    assert!(
        fx.journal().is_empty().unwrap(),
        "the batch is not journalled"
    );
}

#[test]
fn a_rollback_that_fails_names_the_files_left_changed_and_undo_restores_them() {
    let fx = Fixture::new(&[("a.txt", b"a\n"), ("b.txt", b"b\n"), ("gone.txt", b"bye\n")]);
    let before = fx.snapshot();
    let ops = [
        EditOp::replace("a.txt", "a", "A"),
        EditOp::Create {
            path: "sub/c.txt".into(),
            content: "c\n".into(),
        },
        EditOp::replace("b.txt", "b", "B"),
        EditOp::Delete {
            path: "gone.txt".into(),
        },
    ];
    // The third rename fails; of the two files already replaced, the first cannot be put back.
    FAIL_RENAME_AT.with(|f| f.set(Some(2)));
    FAIL_RESTORE_AT.with(|f| f.set(Some(0)));
    let e = fx.apply(&ops).unwrap_err();
    let EditError::RollbackFailed {
        left_changed,
        batch,
        ..
    } = &e
    else {
        panic!("expected a failed rollback, got {e}");
    };
    assert_eq!(left_changed, &["a.txt"]);
    assert!(batch.starts_with(fx.journal().dir()), "{}", batch.display());
    let text = e.to_string();
    assert!(
        text.starts_with("could not replace b.txt: injected failure; "),
        "{text}"
    );
    assert!(
        text.contains("so a.txt is left changed: run `hone undo` to restore it"),
        "{text}"
    );
    assert!(text.ends_with(&batch.display().to_string()), "{text}");
    assert!(!text.contains("nothing was"), "{text}");
    assert_eq!(fx.read("a.txt").unwrap(), b"A\n", "left as written");
    assert_eq!(fx.read("sub/c.txt"), None, "the other one was put back");
    assert_eq!(fx.read("b.txt").unwrap(), b"b\n");
    // The batch is kept, so undo restores the file left changed.
    assert_eq!(fx.journal().len().unwrap(), 1);
    let report = fx.journal().undo(&fx.ws).unwrap();
    assert_eq!(report.restored, vec!["a.txt"]);
    assert_eq!(fx.snapshot(), before);
}

#[test]
fn several_undos_walk_back_in_order_across_restarts() {
    let fx = Fixture::new(&[("a.txt", b"v0\n")]);
    for v in 1..=3 {
        fx.apply(&[EditOp::Overwrite {
            path: "a.txt".into(),
            content: format!("v{v}\n"),
        }])
        .unwrap();
    }
    assert_eq!(fx.journal().len().unwrap(), 3);
    for v in (0..3).rev() {
        // A new Journal value each time: nothing is kept in memory between undos.
        let report = fx.journal().undo(&fx.ws).unwrap();
        assert_eq!(report.remaining, v);
        assert_eq!(fx.read("a.txt").unwrap(), format!("v{v}\n").into_bytes());
    }
}

#[test]
fn undo_refuses_when_a_file_changed_since() {
    let fx = Fixture::new(&[("a.txt", b"a\n"), ("b.txt", b"b\n")]);
    fx.apply(&[
        EditOp::replace("a.txt", "a", "A"),
        EditOp::replace("b.txt", "b", "B"),
    ])
    .unwrap();
    fs::write(fx.dir.path().join("b.txt"), "my later work\n").unwrap();
    let e = fx.journal().undo(&fx.ws).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot undo the last change: b.txt changed after hone wrote it, and undo would lose that work; nothing was restored"
    );
    assert_eq!(
        fx.read("a.txt").unwrap(),
        b"A\n",
        "nothing is restored when anything conflicts"
    );
    assert_eq!(
        fx.journal().len().unwrap(),
        1,
        "the batch stays for a later undo"
    );
}

#[test]
fn the_journal_lives_outside_the_workspace() {
    let fx = Fixture::new(&[("a.txt", b"a\n")]);
    fx.apply(&[EditOp::replace("a.txt", "a", "b")]).unwrap();
    assert_eq!(fx.snapshot().keys().collect::<Vec<_>>(), vec!["a.txt"]);
    assert!(fx.journal().dir().starts_with(fx.state.path()));
}

/// Small files with the conventions the engine must keep: CRLF, BOM, no final newline.
fn content() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec("[a-d]{0,3}", 0..6),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(lines, crlf, bom, final_nl)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut s = if bom {
                "\u{feff}".to_string()
            } else {
                String::new()
            };
            s.push_str(&lines.join(eol));
            if final_nl && !lines.is_empty() {
                s.push_str(eol);
            }
            s
        })
}

#[derive(Debug, Clone)]
enum Pick {
    Replace(usize, usize, usize, String),
    Create(String),
    Overwrite(usize, String),
    Delete(usize),
    Rename(usize),
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        (0usize..3, 0usize..40, 1usize..6, "[a-e\n]{0,6}")
            .prop_map(|(f, s, l, n)| Pick::Replace(f, s, l, n)),
        content().prop_map(Pick::Create),
        (0usize..3, content()).prop_map(|(f, c)| Pick::Overwrite(f, c)),
        (0usize..3).prop_map(Pick::Delete),
        (0usize..3).prop_map(Pick::Rename),
    ]
}

const NAMES: [&str; 3] = ["f0.txt", "dir/f1.txt", "f2.txt"];

/// Turns picks into operations valid for the files as they start (a replacement takes a slice
/// of its file as old text).
fn ops_for(files: &[String], picks: &[Pick]) -> Vec<EditOp> {
    picks
        .iter()
        .enumerate()
        .filter_map(|(k, p)| match p {
            Pick::Replace(f, s, l, new) => {
                let body = files[*f].trim_start_matches('\u{feff}');
                let chars: Vec<char> = body.chars().collect();
                if chars.is_empty() {
                    return None;
                }
                let s = (*s).min(chars.len() - 1);
                let old: String = chars[s..(s + l).min(chars.len())].iter().collect();
                Some(EditOp::replace(NAMES[*f], old, new.clone()))
            }
            Pick::Create(c) => Some(EditOp::Create {
                path: format!("new{k}.txt"),
                content: c.clone(),
            }),
            Pick::Overwrite(f, c) => Some(EditOp::Overwrite {
                path: NAMES[*f].into(),
                content: c.clone(),
            }),
            Pick::Delete(f) => Some(EditOp::Delete {
                path: NAMES[*f].into(),
            }),
            Pick::Rename(f) => Some(EditOp::Rename {
                from: NAMES[*f].into(),
                to: format!("moved/{k}.txt"),
            }),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn apply_then_undo_is_the_identity(files in proptest::collection::vec(content(), 3), picks in proptest::collection::vec(pick(), 1..5)) {
        let fx = Fixture::new(&[(NAMES[0], files[0].as_bytes()), (NAMES[1], files[1].as_bytes()), (NAMES[2], files[2].as_bytes())]);
        let before = fx.snapshot();
        let ops = ops_for(&files, &picks);
        let Ok(p) = plan(&fx.ws, &ops) else {
            prop_assert_eq!(fx.snapshot(), before);
            return Ok(());
        };
        prop_assume!(!p.is_empty());
        apply(&fx.ws, &p, &fx.journal()).unwrap();
        fx.journal().undo(&fx.ws).unwrap();
        prop_assert_eq!(fx.snapshot(), before);
    }

    #[test]
    fn git_apply_of_the_patch_gives_the_engines_bytes(files in proptest::collection::vec(content(), 3), picks in proptest::collection::vec(pick(), 1..5)) {
        let fx = Fixture::new(&[(NAMES[0], files[0].as_bytes()), (NAMES[1], files[1].as_bytes()), (NAMES[2], files[2].as_bytes())]);
        let ops = ops_for(&files, &picks);
        let Ok(p) = plan(&fx.ws, &ops) else { return Ok(()) };
        prop_assume!(!p.is_empty());
        // A second copy of the original tree, patched by git.
        let other = tempfile::tempdir().unwrap();
        for (name, body) in NAMES.iter().zip(&files) {
            let dest = other.path().join(name);
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            fs::write(dest, body).unwrap();
        }
        let patch = other.path().join("..").join(format!("{}.patch", other.path().file_name().unwrap().to_string_lossy()));
        fs::write(&patch, p.to_patch()).unwrap();
        let out = std::process::Command::new("git")
            .args(["apply", "--whitespace=nowarn"])
            .arg(&patch)
            .current_dir(other.path())
            .output()
            .unwrap();
        let _ = fs::remove_file(&patch);
        prop_assert!(out.status.success(), "git apply failed: {}\n{}", String::from_utf8_lossy(&out.stderr), p.to_patch());
        apply(&fx.ws, &p, &fx.journal()).unwrap();
        // Files only: git also removes directories a deletion leaves empty; the engine keeps them.
        let files = |m: BTreeMap<String, Vec<u8>>| m.into_iter().filter(|(k, _)| !k.ends_with('/')).collect::<BTreeMap<_, _>>();
        prop_assert_eq!(files(snapshot(other.path())), files(fx.snapshot()), "patch:\n{}", p.to_patch());
    }
}

#[test]
fn a_run_is_undone_whole_and_only_that_run() {
    let fx = Fixture::new(&[("a.txt", b"a1\n"), ("b.txt", b"b1\n")]);
    // An earlier change outside the run.
    fx.apply(&[EditOp::replace("a.txt", "a1", "a2")]).unwrap();
    let mut journal = fx.journal();
    journal.start_run(None);
    // The run: three batches, touching a.txt twice and creating c.txt then editing it.
    for ops in [
        vec![EditOp::replace("a.txt", "a2", "a3")],
        vec![EditOp::replace("b.txt", "b1", "b2")],
        vec![EditOp::replace("a.txt", "a3", "a4")],
    ] {
        apply(&fx.ws, &plan(&fx.ws, &ops).unwrap(), &journal).unwrap();
    }
    let add = parse_text(
        "*** Begin Patch\n*** Add File: c.txt\n+c1\n*** End Patch\n",
        crate::edit::TextFormat::Auto,
    )
    .unwrap();
    let created = plan(&fx.ws, &add).unwrap();
    apply(&fx.ws, &created, &journal).unwrap();
    let report = fx.journal().undo_run(&fx.ws).unwrap();
    assert_eq!(report.batches, 4);
    assert_eq!(report.remaining, 1);
    assert_eq!(report.restored, vec!["a.txt", "b.txt"]);
    assert_eq!(report.removed, vec!["c.txt"]);
    assert_eq!(fx.read("a.txt").unwrap(), b"a2\n", "back to before the run");
    assert_eq!(fx.read("b.txt").unwrap(), b"b1\n");
    assert_eq!(fx.read("c.txt"), None);
    // The earlier change is its own run.
    let report = fx.journal().undo_run(&fx.ws).unwrap();
    assert_eq!((report.batches, report.remaining), (1, 0));
    assert_eq!(fx.read("a.txt").unwrap(), b"a1\n");
}

#[test]
fn a_run_with_a_conflict_restores_nothing() {
    let fx = Fixture::new(&[("a.txt", b"a1\n"), ("b.txt", b"b1\n")]);
    let mut journal = fx.journal();
    journal.start_run(None);
    for ops in [
        vec![EditOp::replace("a.txt", "a1", "a2")],
        vec![EditOp::replace("b.txt", "b1", "b2")],
    ] {
        apply(&fx.ws, &plan(&fx.ws, &ops).unwrap(), &journal).unwrap();
    }
    // The person edits a.txt afterwards: the older batch cannot be undone, so neither is.
    fs::write(fx.dir.path().join("a.txt"), b"mine\n").unwrap();
    let e = fx.journal().undo_run(&fx.ws).unwrap_err();
    let EditError::UndoStale { entries } = &e else {
        panic!("{e:?}")
    };
    let files: Vec<&str> = entries[0].files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(files, ["a.txt"]);
    assert_eq!(fx.read("b.txt").unwrap(), b"b2\n", "nothing restored");
    assert_eq!(fx.journal().len().unwrap(), 2);
}

#[test]
fn pruning_never_splits_the_run_being_recorded() {
    let fx = Fixture::new(&[("a.txt", b"0\n")]);
    let mut journal = fx.journal();
    journal.start_run(None);
    let n = crate::edit::journal::KEEP + 5;
    for i in 0..n {
        let ops = [EditOp::replace(
            "a.txt",
            format!("{i}\n"),
            format!("{}\n", i + 1),
        )];
        apply(&fx.ws, &plan(&fx.ws, &ops).unwrap(), &journal).unwrap();
    }
    assert_eq!(fx.journal().len().unwrap(), n, "the run is kept whole");
    let report = fx.journal().undo_run(&fx.ws).unwrap();
    assert_eq!(report.batches, n);
    assert_eq!(fx.read("a.txt").unwrap(), b"0\n");
}
