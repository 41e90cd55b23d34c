//! Unit tests of undoing journal entries over real temporary workspaces: entries as a person
//! sees them, undoing one and everything after it, stale entries explained and skipped, the
//! entries of chosen runs, and the preview agreeing with the undo.

use super::*;
use crate::edit::op::EditOp;
use crate::edit::plan::plan;
use crate::edit::write::apply;

struct Fixture {
    dir: tempfile::TempDir,
    state: tempfile::TempDir,
    ws: Workspace,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        for (path, body) in files {
            fs::write(dir.path().join(path), body).unwrap();
        }
        let ws = Workspace::new(dir.path()).unwrap();
        Fixture {
            dir,
            state: tempfile::tempdir().unwrap(),
            ws,
        }
    }

    fn journal(&self) -> Journal {
        Journal::at(self.state.path().join("journal"))
    }

    /// One request: its edits, each a batch, in one run. Returns the run's id.
    fn request(&self, text: &str, edits: &[(&str, &str, &str)]) -> String {
        let mut journal = self.journal();
        let run = journal.start_run(Some(text));
        for (path, old, new) in edits {
            let p = plan(&self.ws, &[EditOp::replace(*path, *old, *new)]).unwrap();
            apply(&self.ws, &p, &journal).unwrap();
        }
        run
    }

    fn read(&self, path: &str) -> String {
        fs::read_to_string(self.dir.path().join(path)).unwrap()
    }

    fn write(&self, path: &str, body: &str) {
        fs::write(self.dir.path().join(path), body).unwrap();
    }

    fn ids(&self) -> Vec<u64> {
        self.journal()
            .entries()
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect()
    }
}

#[test]
fn entries_are_requests_with_their_text_and_files() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    fx.request(
        "fix a\nwith more words",
        &[("a.txt", "a1", "a2"), ("b.txt", "b1", "b2")],
    );
    fx.request("second", &[("a.txt", "a2", "a3")]);
    let entries = fx.journal().entries().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].id, 1);
    assert_eq!(entries[0].request.as_deref(), Some("fix a"));
    assert_eq!(entries[0].files, ["a.txt", "b.txt"]);
    assert_eq!(entries[0].batches, 2);
    assert_eq!(entries[1].id, 3, "numbered by its first batch");
    assert_eq!(entries[1].request.as_deref(), Some("second"));
}

#[test]
fn undoing_an_entry_undoes_everything_after_it() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    fx.request("one", &[("a.txt", "a1", "a2")]);
    fx.request("two", &[("b.txt", "b1", "b2")]);
    fx.request("three", &[("a.txt", "a2", "a3")]);
    let r = fx
        .journal()
        .undo_entries(&fx.ws, Selection::From(2), OnStale::Refuse)
        .unwrap();
    assert_eq!(r.undone.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 2]);
    assert_eq!((r.batches, r.remaining), (2, 1));
    assert_eq!(r.restored, ["a.txt", "b.txt"]);
    assert_eq!(
        (fx.read("a.txt"), fx.read("b.txt")),
        ("a2\n".into(), "b1\n".into())
    );
    assert_eq!(fx.ids(), [1]);
    let e = fx
        .journal()
        .undo_entries(&fx.ws, Selection::From(7), OnStale::Refuse)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "there is no entry #7 in the undo journal (the newest is #1)"
    );
}

#[test]
fn a_stale_entry_is_explained_and_refused_whole() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    fx.request("one", &[("b.txt", "b1", "b2")]);
    fx.request("two", &[("a.txt", "a1", "a2")]);
    fx.write("a.txt", "mine\n");
    let e = fx
        .journal()
        .undo_entries(&fx.ws, Selection::From(1), OnStale::Refuse)
        .unwrap_err();
    let EditError::UndoStale { entries } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.id, 2);
    assert_eq!(
        entries[0].files,
        [StaleFile {
            path: "a.txt".into(),
            why: Why::Changed
        }]
    );
    assert_eq!(
        e.to_string(),
        "cannot undo #2: a.txt was changed after hone wrote it (by you or another program), \
         and undoing would lose that work; nothing was restored"
    );
    assert_eq!(fx.read("b.txt"), "b2\n", "nothing restored");
    assert_eq!(fx.ids(), [1, 2]);
}

#[test]
fn skipping_a_stale_entry_undoes_the_rest_and_keeps_it() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n"), ("c.txt", "c1\n")]);
    fx.request("one", &[("a.txt", "a1", "a2")]);
    fx.request("two", &[("b.txt", "b1", "b2")]);
    fx.request("three", &[("a.txt", "a2", "a3"), ("c.txt", "c1", "c2")]);
    fx.write("c.txt", "mine\n");
    let r = fx
        .journal()
        .undo_entries(&fx.ws, Selection::From(1), OnStale::Skip)
        .unwrap();
    // #3 stays (c.txt is the person's); #1 touched a.txt, which #3 changed again, so it stays
    // too, and says why; #2 is undone.
    assert_eq!(r.undone.iter().map(|e| e.id).collect::<Vec<_>>(), [2]);
    let skipped: Vec<String> = r.skipped.iter().map(ToString::to_string).collect();
    assert_eq!(
        skipped,
        [
            "#3: c.txt was changed after hone wrote it (by you or another program)",
            "#1: a.txt was changed again by #3, which stays",
        ]
    );
    assert_eq!(fx.read("b.txt"), "b1\n");
    assert_eq!(fx.read("a.txt"), "a3\n");
    assert_eq!(fx.ids(), [1, 3], "skipped entries stay in the journal");
}

#[test]
fn the_last_undoable_entry_is_found_past_a_stale_one() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    fx.request("one", &[("a.txt", "a1", "a2")]);
    fx.request("two", &[("b.txt", "b1", "b2")]);
    fx.write("b.txt", "mine\n");
    let e = fx.journal().undo_run(&fx.ws).unwrap_err();
    assert!(matches!(e, EditError::UndoStale { .. }), "{e:?}");
    let r = fx
        .journal()
        .undo_entries(&fx.ws, Selection::Last, OnStale::Skip)
        .unwrap();
    assert_eq!(r.undone[0].id, 1);
    assert_eq!(r.skipped[0].entry.id, 2);
    assert_eq!(
        (fx.read("a.txt"), fx.read("b.txt")),
        ("a1\n".into(), "mine\n".into())
    );
    // Nothing left that can be undone: said as the stale entry.
    let e = fx
        .journal()
        .undo_entries(&fx.ws, Selection::Last, OnStale::Skip)
        .unwrap_err();
    assert!(
        matches!(e, EditError::UndoStale { ref entries } if entries.len() == 1),
        "{e:?}"
    );
}

#[test]
fn the_entries_of_chosen_runs_are_undone_and_others_stay() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    let mine = fx.request("mine", &[("a.txt", "a1", "a2")]);
    // Another process's request, after mine.
    fx.request("theirs", &[("b.txt", "b1", "b2")]);
    let runs = [mine];
    let preview = fx
        .journal()
        .preview(&fx.ws, Selection::Runs(&runs), OnStale::Refuse)
        .unwrap();
    assert_eq!(
        preview.files,
        [Reverted {
            path: "a.txt".into(),
            now: Some(b"a2\n".to_vec()),
            restored: Some(b"a1\n".to_vec()),
        }]
    );
    let r = fx
        .journal()
        .undo_entries(&fx.ws, Selection::Runs(&runs), OnStale::Refuse)
        .unwrap();
    assert_eq!(r.undone[0].request.as_deref(), Some("mine"));
    assert_eq!(
        (fx.read("a.txt"), fx.read("b.txt")),
        ("a1\n".into(), "b2\n".into())
    );
    assert_eq!(fx.ids(), [2]);
}

#[test]
fn the_preview_shows_what_the_undo_writes_and_where_it_would_stop() {
    let fx = Fixture::new(&[("a.txt", "a1\n"), ("b.txt", "b1\n")]);
    fx.request("one", &[("a.txt", "a1", "a2"), ("a.txt", "a2", "a3")]);
    fx.request("two", &[("b.txt", "b1", "b2")]);
    let p = fx
        .journal()
        .preview(&fx.ws, Selection::From(1), OnStale::Refuse)
        .unwrap();
    assert_eq!(p.entries.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 1]);
    let files: Vec<(&str, Option<&[u8]>)> = p
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.restored.as_deref()))
        .collect();
    assert_eq!(
        files,
        [("a.txt", Some(&b"a1\n"[..])), ("b.txt", Some(&b"b1\n"[..]))]
    );
    fx.write("b.txt", "mine\n");
    let p = fx
        .journal()
        .preview(&fx.ws, Selection::Last, OnStale::Refuse)
        .unwrap();
    assert!(p.entries.is_empty() && p.files.is_empty());
    assert_eq!(p.stale[0].entry.id, 3);
    // All or nothing: refused as a whole, it would revert nothing; leaving #3, it reverts #1.
    let p = fx
        .journal()
        .preview(&fx.ws, Selection::From(1), OnStale::Refuse)
        .unwrap();
    assert!(p.entries.is_empty() && p.files.is_empty());
    let p = fx
        .journal()
        .preview(&fx.ws, Selection::From(1), OnStale::Skip)
        .unwrap();
    assert_eq!(p.entries[0].id, 1);
    assert_eq!(p.files[0].restored.as_deref(), Some(&b"a1\n"[..]));
    assert_eq!(fx.ids(), [1, 3], "a preview changes nothing");
}
