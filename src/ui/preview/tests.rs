//! Unit tests of the preview as a person reads it.

use super::*;
use crate::edit::{EditOp, Plan, PreviewOptions};

fn plan_for(files: &[(&str, &str)], ops: &[EditOp]) -> (tempfile::TempDir, Plan) {
    crate::edit::plan_in(files, ops)
}

/// The preview as the front ends render it: coloured, with changed words, or plain.
fn shown(plan: &Plan, opts: &PreviewOptions) -> String {
    render(&plan.preview(opts), opts.words)
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
        words: false,
    };
    assert_eq!(
        shown(&plan, &opts),
        "x.txt  +2 -1\n@@ -4,3 +4,4 @@\n d\n-e\n+E\n+E2\n f\n"
    );
    let wide = shown(&plan, &PreviewOptions::default());
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
    let text = shown(&plan, &PreviewOptions::default());
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
    let text = shown(&plan, &PreviewOptions::default());
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
    let plain = shown(
        &plan,
        &PreviewOptions {
            context: 3,
            words: false,
        },
    );
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    let colored = shown(
        &plan,
        &PreviewOptions {
            context: 3,
            words: true,
        },
    );
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
    assert!(shown(&plan, &PreviewOptions::default()).contains("+ab\n"));
    assert!(
        plan.to_patch().contains("+a\u{1b}[2Jb\n"),
        "the patch is exact"
    );
}
