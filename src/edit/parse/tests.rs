//! Unit tests of every edit format, automatic detection, tool-call arguments, and the promise
//! that no input makes a parser panic.

use super::*;
use proptest::prelude::*;
use serde_json::json;

fn auto(text: &str) -> Vec<EditOp> {
    parse_text(text, TextFormat::Auto).unwrap_or_else(|e| panic!("{e}"))
}

fn syntax_line(e: ParseError) -> usize {
    match e {
        ParseError::Syntax { line, .. } => line,
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn search_replace_with_path_before_the_fence() {
    let text = "Change it:\n\nsrc/main.rs\n```rust\n<<<<<<< SEARCH\nfn a() {}\n=======\nfn b() {}\n>>>>>>> REPLACE\n```\n";
    assert_eq!(
        auto(text),
        vec![EditOp::replace("src/main.rs", "fn a() {}\n", "fn b() {}\n")]
    );
}

#[test]
fn search_replace_path_variants() {
    // In the info string, decorated, and inherited by the next block.
    let text = "```python app/x.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n<<<<<<< SEARCH\nc\n=======\n>>>>>>> REPLACE\n```\n\n**lib/y.py**:\n<<<<<<< SEARCH\nd\n=======\ne\n>>>>>>> REPLACE\n";
    assert_eq!(
        auto(text),
        vec![
            EditOp::replace("app/x.py", "a\n", "b\n"),
            EditOp::replace("app/x.py", "c\n", ""),
            EditOp::replace("lib/y.py", "d\n", "e\n"),
        ]
    );
}

#[test]
fn empty_search_creates() {
    let text = "new.txt\n```\n<<<<<<< SEARCH\n=======\nhello\n>>>>>>> REPLACE\n```\n";
    assert_eq!(
        auto(text),
        vec![EditOp::Create {
            path: "new.txt".into(),
            content: "hello\n".into()
        }]
    );
}

#[test]
fn search_replace_errors_name_the_line() {
    let cut = "a.rs\n<<<<<<< SEARCH\nx\n=======\ny\n";
    assert_eq!(
        syntax_line(parse_text(cut, TextFormat::Auto).unwrap_err()),
        2
    );
    let no_path = "<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n";
    let e = parse_text(no_path, TextFormat::Auto).unwrap_err();
    assert!(e.to_string().contains("names no file"), "{e}");
    let doubled = "a.rs\n<<<<<<< SEARCH\nx\n<<<<<<< SEARCH\n";
    assert_eq!(
        syntax_line(parse_text(doubled, TextFormat::Auto).unwrap_err()),
        4
    );
}

#[test]
fn unified_diff_as_models_write_it() {
    // Wrong numbers, a context line whose space was lost, a second hunk with a bare "@@".
    let text = "```diff\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -10,7 +10,7 @@ fn main\n fn a() {\n-    1\n+    2\n\n }\n@@\n-old\n+new\n```\n";
    assert_eq!(
        auto(text),
        vec![
            EditOp::replace(
                "src/lib.rs",
                "fn a() {\n    1\n\n}\n",
                "fn a() {\n    2\n\n}\n"
            ),
            EditOp::replace("src/lib.rs", "old\n", "new\n"),
        ]
    );
}

#[test]
fn unified_diff_create_delete_rename() {
    let text = "--- /dev/null\n+++ b/new.rs\n@@ -0,0 +1,2 @@\n+a\n+b\n--- a/gone.rs\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\ndiff --git a/old.rs b/new_name.rs\nrename from old.rs\nrename to new_name.rs\n";
    assert_eq!(
        auto(text),
        vec![
            EditOp::Create {
                path: "new.rs".into(),
                content: "a\nb\n".into()
            },
            EditOp::Delete {
                path: "gone.rs".into()
            },
            EditOp::Rename {
                from: "old.rs".into(),
                to: "new_name.rs".into()
            },
        ]
    );
}

#[test]
fn unified_diff_pure_insertion_needs_context() {
    let text = "--- a/x\n+++ b/x\n@@ -3,0 +4 @@\n+new line\n";
    let e = parse_text(text, TextFormat::Udiff).unwrap_err();
    assert_eq!(syntax_line(e.clone()), 3);
    assert!(e.to_string().contains("no context line"), "{e}");
}

#[test]
fn begin_patch_envelope() {
    let text = "*** Begin Patch\n*** Add File: docs/new.md\n+# Title\n+\n+body\n*** Delete File: old.txt\n*** Update File: src/a.py\n*** Move to: src/b.py\n@@ def f():\n-    return 1\n+    return 2\n@@\n+tail\n*** End of File\n*** End Patch\n";
    assert_eq!(
        auto(text),
        vec![
            EditOp::Create {
                path: "docs/new.md".into(),
                content: "# Title\n\nbody\n".into()
            },
            EditOp::Delete {
                path: "old.txt".into()
            },
            EditOp::Replace {
                path: "src/a.py".into(),
                old: "    return 1\n".into(),
                new: "    return 2\n".into(),
                mode: ReplaceMode::Unique,
                anchor: Some("def f():".into()),
            },
            EditOp::replace("src/a.py", "", "tail\n"),
            EditOp::Rename {
                from: "src/a.py".into(),
                to: "src/b.py".into()
            },
        ]
    );
}

#[test]
fn begin_patch_errors() {
    let cut = "*** Begin Patch\n*** Update File: a\n-x\n+y\n";
    let e = parse_text(cut, TextFormat::Patch).unwrap_err();
    assert_eq!(syntax_line(e.clone()), 1);
    assert!(e.to_string().contains("End Patch"), "{e}");
    let empty_update = "*** Begin Patch\n*** Update File: a\n*** End Patch\n";
    assert_eq!(
        syntax_line(parse_text(empty_update, TextFormat::Patch).unwrap_err()),
        2
    );
    let stray = "*** Begin Patch\nhello\n*** End Patch\n";
    assert_eq!(
        syntax_line(parse_text(stray, TextFormat::Patch).unwrap_err()),
        2
    );
    let bad_chunk = "*** Begin Patch\n*** Update File: a\n@@\n x\n?y\n*** End Patch\n";
    assert_eq!(
        syntax_line(parse_text(bad_chunk, TextFormat::Patch).unwrap_err()),
        5
    );
    let empty = "*** Begin Patch\n*** End Patch\n";
    assert!(parse_text(empty, TextFormat::Patch).is_err());
}

#[test]
fn whole_file_fence() {
    let text = "Here is the file:\n\n`config/app.toml`\n```toml\nname = \"x\"\n```\n";
    assert_eq!(
        auto(text),
        vec![EditOp::Overwrite {
            path: "config/app.toml".into(),
            content: "name = \"x\"\n".into()
        }]
    );
    // A longer fence holds a shorter one.
    let text = "README.md\n````markdown\n# T\n```sh\nls\n```\n````\n";
    assert_eq!(
        auto(text),
        vec![EditOp::Overwrite {
            path: "README.md".into(),
            content: "# T\n```sh\nls\n```\n".into()
        }]
    );
}

#[test]
fn prose_and_example_code_are_not_edits() {
    let text = "You could call it like this:\n```rust\nfoo();\n```\nThat is all.\n";
    assert_eq!(
        parse_text(text, TextFormat::Auto),
        Err(ParseError::NoEdits { format: None })
    );
    assert_eq!(
        parse_text("", TextFormat::Udiff),
        Err(ParseError::NoEdits {
            format: Some("udiff")
        })
    );
}

#[test]
fn several_formats_in_one_reply() {
    let text = "First:\n\na.rs\n```rust\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n```\n\nThen:\n\n```diff\n--- a/b.rs\n+++ b/b.rs\n@@\n-p\n+q\n```\n\n*** Begin Patch\n*** Delete File: c.rs\n*** End Patch\n\nd.txt\n```\nwhole\n```\n";
    assert_eq!(
        auto(text),
        vec![
            EditOp::replace("a.rs", "x\n", "y\n"),
            EditOp::replace("b.rs", "p\n", "q\n"),
            EditOp::Delete {
                path: "c.rs".into()
            },
            EditOp::Overwrite {
                path: "d.txt".into(),
                content: "whole\n".into()
            },
        ]
    );
}

#[test]
fn explicit_format_ignores_the_others() {
    let text = "a.rs\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n";
    assert!(parse_text(text, TextFormat::Udiff).is_err());
    assert_eq!(
        parse_text(text, TextFormat::SearchReplace).unwrap().len(),
        1
    );
}

#[test]
fn crlf_replies_parse_like_lf() {
    let text = "a.rs\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n";
    assert_eq!(auto(text), vec![EditOp::replace("a.rs", "x\n", "y\n")]);
}

#[test]
fn tool_calls() {
    let edit = json!({"path": "a.rs", "old_string": "x", "new_string": "y"});
    assert_eq!(
        parse_tool_call(EditTool::EditFile, &edit).unwrap(),
        vec![EditOp::replace("a.rs", "x", "y")]
    );
    let all =
        json!({"file_path": "a.rs", "old_string": "x", "new_string": "y", "replace_all": true});
    assert!(matches!(
        &parse_tool_call(EditTool::EditFile, &all).unwrap()[0],
        EditOp::Replace {
            mode: ReplaceMode::All,
            ..
        }
    ));
    let count =
        json!({"path": "a.rs", "old_string": "x", "new_string": "y", "expected_replacements": 3});
    assert!(matches!(
        &parse_tool_call(EditTool::EditFile, &count).unwrap()[0],
        EditOp::Replace {
            mode: ReplaceMode::Count(3),
            ..
        }
    ));
    let create = json!({"path": "n.rs", "old_string": "", "new_string": "fn x() {}\n"});
    assert_eq!(
        parse_tool_call(EditTool::EditFile, &create).unwrap(),
        vec![EditOp::Create {
            path: "n.rs".into(),
            content: "fn x() {}\n".into()
        }]
    );
    let write = json!({"path": "w.rs", "content": "w"});
    assert_eq!(
        parse_tool_call(EditTool::WriteFile, &write).unwrap(),
        vec![EditOp::Overwrite {
            path: "w.rs".into(),
            content: "w".into()
        }]
    );
    let patch = json!({"patch": "*** Begin Patch\n*** Delete File: d\n*** End Patch\n"});
    assert_eq!(
        parse_tool_call(EditTool::ApplyPatch, &patch).unwrap(),
        vec![EditOp::Delete { path: "d".into() }]
    );
    // Double-encoded arguments.
    let encoded = json!(edit.to_string());
    assert_eq!(
        parse_tool_call(EditTool::EditFile, &encoded).unwrap().len(),
        1
    );
}

#[test]
fn tool_call_errors_say_what_to_send() {
    let e =
        parse_tool_call(EditTool::EditFile, &json!({"path": "a", "new_string": "y"})).unwrap_err();
    assert_eq!(
        e.to_string(),
        "missing required argument `old_string` (a string)"
    );
    let e = parse_tool_call(
        EditTool::EditFile,
        &json!({"path": "a", "old_string": 3, "new_string": "y"}),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "argument `old_string` must be a string, not a number"
    );
    let e = parse_tool_call(
        EditTool::EditFile,
        &json!({"path": "a", "old_string": "s", "new_string": "s"}),
    )
    .unwrap_err();
    assert!(e.to_string().contains("identical"), "{e}");
    let e = parse_tool_call(EditTool::WriteFile, &json!(["x"])).unwrap_err();
    assert_eq!(e.to_string(), "the arguments must be a JSON object");
    let e = parse_tool_call(EditTool::ApplyPatch, &json!({"patch": "nothing"})).unwrap_err();
    assert!(e.to_string().starts_with("no edits found"), "{e}");
}

#[test]
fn path_cleaning() {
    assert_eq!(clean_path("**src/a.rs**").as_deref(), Some("src/a.rs"));
    assert_eq!(
        clean_path("### File: `web/index.html`:").as_deref(),
        Some("web/index.html")
    );
    assert_eq!(clean_path("Makefile").as_deref(), Some("Makefile"));
    assert_eq!(clean_path("Here is the fix."), None);
    assert_eq!(clean_path("https://example.com/a.rs"), None);
    assert_eq!(path_in_info("rust src/a.rs").as_deref(), Some("src/a.rs"));
    assert_eq!(path_in_info("python"), None);
}

/// Lines that reach deep into every parser.
fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<<<<<<< SEARCH".to_string()),
        Just("=======".to_string()),
        Just(">>>>>>> REPLACE".to_string()),
        Just("*** Begin Patch".to_string()),
        Just("*** End Patch".to_string()),
        Just("*** Update File: a.rs".to_string()),
        Just("*** Add File: b.rs".to_string()),
        Just("*** Move to: c.rs".to_string()),
        Just("*** End of File".to_string()),
        Just("--- a/x.rs".to_string()),
        Just("+++ b/x.rs".to_string()),
        Just("--- /dev/null".to_string()),
        Just("+++ /dev/null".to_string()),
        Just("@@ -1,2 +1,2 @@".to_string()),
        Just("@@".to_string()),
        Just("```".to_string()),
        Just("```rust a.rs".to_string()),
        Just("rename from a".to_string()),
        Just("rename to b".to_string()),
        Just("src/x.rs".to_string()),
        "[ +\\-@*`<=>a-z./\\\\]{0,12}",
    ]
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_text(text in "\\PC{0,400}") {
        for f in [TextFormat::Auto, TextFormat::SearchReplace, TextFormat::Udiff, TextFormat::Patch, TextFormat::Whole] {
            let _ = parse_text(&text, f);
        }
    }

    #[test]
    fn parsers_never_panic_on_marker_soup(lines in proptest::collection::vec(line_strategy(), 0..40)) {
        let text = lines.join("\n");
        for f in [TextFormat::Auto, TextFormat::SearchReplace, TextFormat::Udiff, TextFormat::Patch, TextFormat::Whole] {
            let _ = parse_text(&text, f);
        }
    }

    #[test]
    fn tool_call_parser_never_panics(tool in 0usize..3, s in "\\PC{0,40}", n in any::<i64>(), b in any::<bool>()) {
        let variants = [
            json!({"path": s, "old_string": s, "new_string": "", "replace_all": b}),
            json!({"path": s, "old_string": "a", "new_string": s, "expected_replacements": n}),
            json!({"path": s, "content": n}),
            json!({"patch": s}),
            json!(s),
            json!(n),
        ];
        for v in &variants {
            let kind = [EditTool::EditFile, EditTool::WriteFile, EditTool::ApplyPatch][tool];
            let _ = parse_tool_call(kind, v);
        }
    }
}
