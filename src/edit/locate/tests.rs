//! Unit tests of the matching cascade: one per rule, and the hard cases of issue 4.

use super::*;
use proptest::prelude::*;

fn q<'a>(old: &'a str, new: &'a str) -> Query<'a> {
    Query {
        old,
        new,
        mode: ReplaceMode::Unique,
        anchor: None,
    }
}

/// Applies a located edit to `body`.
fn run(body: &str, query: Query<'_>) -> Result<(Rule, String), Miss> {
    let hay = Haystack::new(body);
    let loc = locate(&hay, &query)?;
    let mut out = body.to_string();
    let mut found = loc.found.clone();
    found.sort_by_key(|f| std::cmp::Reverse(f.range.start));
    for f in found {
        out.replace_range(f.range, &f.replacement);
    }
    Ok((loc.rule, out))
}

fn ok(body: &str, old: &str, new: &str) -> (Rule, String) {
    run(body, q(old, new)).unwrap_or_else(|m| panic!("expected a match, got {m:?}"))
}

#[test]
fn exact_match_replaces_only_the_region() {
    let (rule, out) = ok("a\nb\nc\n", "b\n", "B\n");
    assert_eq!((rule, out.as_str()), (Rule::Exact, "a\nB\nc\n"));
    // A fragment inside a line.
    assert_eq!(
        ok("let x = foo(1);\n", "foo(1)", "foo(2)").1,
        "let x = foo(2);\n"
    );
}

#[test]
fn trailing_whitespace_rule() {
    let (rule, out) = ok(
        "fn a() {   \n    x();\t\n}\n",
        "fn a() {\n    x();\n",
        "fn a() {\n    y();\n",
    );
    assert_eq!(rule, Rule::TrailingWhitespace);
    assert_eq!(out, "fn a() {\n    y();\n}\n");
}

#[test]
fn crlf_file_with_lf_edit_text_stays_crlf() {
    let body = "one\r\ntwo\r\nthree\r\n";
    let (rule, out) = ok(body, "two\nthree\n", "2\n3\nthree-and-a-half\n");
    assert_eq!(rule, Rule::LineEndings);
    assert_eq!(out, "one\r\n2\r\n3\r\nthree-and-a-half\r\n");
    // Single-line edits in a CRLF file keep CRLF for added lines too.
    assert_eq!(
        ok(body, "one", "zero\none").1,
        "zero\r\none\r\ntwo\r\nthree\r\n"
    );
}

#[test]
fn indentation_shift_reindents_the_replacement() {
    let body = "impl A {\n    fn f() {\n        a();\n        b();\n    }\n}\n";
    let (rule, out) = ok(
        body,
        "fn f() {\n    a();\n    b();\n}\n",
        "fn f() {\n    a();\n    c();\n}\n",
    );
    assert_eq!(rule, Rule::Indentation);
    assert_eq!(
        out,
        "impl A {\n    fn f() {\n        a();\n        c();\n    }\n}\n"
    );
    // The other direction: the model indented more than the file.
    let (rule, out) = ok(
        "x\nif a:\n    b()\n",
        "    if a:\n        b()\n",
        "    if a:\n        c()\n",
    );
    assert_eq!(rule, Rule::Indentation);
    assert_eq!(out, "x\nif a:\n    c()\n");
}

#[test]
fn tabs_in_the_file_spaces_in_the_edit() {
    let body = "func main() {\n\tif x {\n\t\tdo()\n\t}\n}\n";
    let (rule, out) = ok(
        body,
        "    if x {\n        do()\n    }\n",
        "    if x {\n        done()\n    }\n",
    );
    assert_eq!(rule, Rule::Indentation);
    assert_eq!(out, "func main() {\n\tif x {\n\t\tdone()\n\t}\n}\n");
}

#[test]
fn whitespace_runs_collapse() {
    let (rule, out) = ok("let  x  =  1;\n", "let x = 1;", "let x = 2;");
    assert_eq!(rule, Rule::Whitespace);
    assert_eq!(out, "let x = 2;\n");
}

#[test]
fn lookalike_characters_normalise() {
    let body = "msg = \u{201c}it\u{2019}s done\u{201d}\u{a0}\u{2014} ok\n";
    let (rule, out) = ok(body, "msg = \"it's done\" - ok\n", "msg = \"finished\"\n");
    assert_eq!(rule, Rule::Unicode);
    assert_eq!(out, "msg = \"finished\"\n");
    // And the other way: the file is ASCII, the model typed curly quotes.
    assert_eq!(
        ok("s = 'a'\n", "s = \u{2018}a\u{2019}", "s = 'b'").1,
        "s = 'b'\n"
    );
}

#[test]
fn unicode_content_is_matched_on_char_boundaries() {
    let body = "naïve = \"héllo\"\n日本 = 1\n";
    assert_eq!(
        ok(body, "日本 = 1", "日本 = 2").1,
        "naïve = \"héllo\"\n日本 = 2\n"
    );
    assert_eq!(
        ok(body, "héllo", "wörld").1,
        "naïve = \"wörld\"\n日本 = 1\n"
    );
}

#[test]
fn elision_lines_match_any_run_and_keep_it() {
    let body = "fn f() {\n    let a = 1;\n    let b = 2;\n    let c = 3;\n    a + b + c\n}\n";
    let old = "fn f() {\n    // ... existing code ...\n    a + b + c\n}\n";
    let new = "fn f() {\n    // ... existing code ...\n    a * b * c\n}\n";
    let (rule, out) = ok(body, old, new);
    assert_eq!(rule, Rule::Elision);
    assert_eq!(
        out,
        "fn f() {\n    let a = 1;\n    let b = 2;\n    let c = 3;\n    a * b * c\n}\n"
    );
}

#[test]
fn elision_marker_count_mismatch_is_an_error() {
    let body = "a\nb\nc\nd\ne\n";
    let old = "a\n...\nc\n...\ne\n";
    let new = "A\n...\nE\n";
    assert_eq!(
        run(body, q(old, new)),
        Err(Miss::Elision {
            old_markers: 2,
            new_markers: 1
        })
    );
}

#[test]
fn fuzzy_match_above_threshold_applies() {
    let body = "fn total(items: &[Item]) -> u32 {\n    let mut sum = 0;\n    for item in items {\n        sum += item.price;\n    }\n    sum\n}\n";
    // The model misremembered one identifier.
    let old = "    let mut sum = 0;\n    for item in items {\n        sum += item.cost;\n    }\n";
    let new = "    items.iter().map(|i| i.price).sum()\n";
    let hay = Haystack::new(body);
    let loc = locate(&hay, &q(old, new)).unwrap();
    assert_eq!(loc.rule, Rule::Fuzzy);
    assert!(loc.similarity.unwrap() >= THRESHOLD);
    let (_, out) = ok(body, old, new);
    assert_eq!(
        out,
        "fn total(items: &[Item]) -> u32 {\n    items.iter().map(|i| i.price).sum()\n    sum\n}\n"
    );
}

#[test]
fn fuzzy_never_applies_to_one_line() {
    let body = "let value = compute(alpha, beta);\n";
    let m = run(body, q("let value = compute(alpha, gamma);\n", "x\n")).unwrap_err();
    assert!(
        matches!(
            m,
            Miss::NotFound {
                closest: Some(_),
                ..
            }
        ),
        "{m:?}"
    );
}

#[test]
fn a_block_that_appears_twice_is_ambiguous_with_lines() {
    let body = "a\nx = 1\nb\nx = 1\nc\n";
    assert_eq!(
        run(body, q("x = 1\n", "x = 2\n")),
        Err(Miss::Ambiguous {
            rule: Rule::Exact,
            lines: vec![2, 4]
        })
    );
    // Ambiguity at a tolerant rule is reported with that rule.
    let body = "if a:\n    go()\nif b:\n    go()\n";
    let m = run(body, q("  go()  \n", "stop()\n")).unwrap_err();
    assert_eq!(
        m,
        Miss::Ambiguous {
            rule: Rule::TrailingWhitespace,
            lines: vec![2, 4]
        }
    );
}

#[test]
fn replace_all_and_expected_counts() {
    let body = "x = 1\ny\nx = 1\n";
    let all = Query {
        old: "x = 1",
        new: "x = 2",
        mode: ReplaceMode::All,
        anchor: None,
    };
    assert_eq!(run(body, all).unwrap().1, "x = 2\ny\nx = 2\n");
    let two = Query {
        mode: ReplaceMode::Count(2),
        ..all
    };
    assert_eq!(run(body, two).unwrap().1, "x = 2\ny\nx = 2\n");
    let three = Query {
        mode: ReplaceMode::Count(3),
        ..all
    };
    assert_eq!(
        run(body, three),
        Err(Miss::Count {
            found: 2,
            lines: vec![1, 3]
        })
    );
}

#[test]
fn anchor_picks_the_match_after_it() {
    let body = "def a():\n    return 1\n\ndef b():\n    return 1\n";
    let query = Query {
        old: "    return 1\n",
        new: "    return 2\n",
        mode: ReplaceMode::Unique,
        anchor: Some("def b():"),
    };
    assert_eq!(
        run(body, query).unwrap().1,
        "def a():\n    return 1\n\ndef b():\n    return 2\n"
    );
}

#[test]
fn search_at_end_of_file_without_final_newline() {
    let body = "first\nlast";
    let (rule, out) = ok(body, "last\n", "final\n");
    assert_eq!(rule, Rule::Exact);
    assert_eq!(out, "first\nfinal");
    // The file keeps lacking a final newline even when more lines are added.
    assert_eq!(ok(body, "first\nlast\n", "a\nb\nc\n").1, "a\nb\nc");
}

#[test]
fn empty_file_reports_emptiness() {
    assert_eq!(
        run("", q("x\n", "y\n")),
        Err(Miss::NotFound {
            closest: None,
            empty_file: true
        })
    );
}

#[test]
fn not_found_names_the_closest_region_with_a_diff() {
    let body = "fn a() {}\nfn compute(x: u32) -> u32 {\n    x * 2\n}\nfn z() {}\n";
    let m = run(body, q("fn compute(x: i64) -> i64 {\n    x * 3\n}\n", "")).unwrap_err();
    let Miss::NotFound {
        closest: Some(c), ..
    } = m
    else {
        panic!("{m:?}")
    };
    assert_eq!((c.start_line, c.end_line), (2, 4));
    let expected =
        "-fn compute(x: i64) -> i64 {\n-    x * 3\n+fn compute(x: u32) -> u32 {\n+    x * 2\n }\n";
    assert_eq!(c.diff, expected);
}

#[test]
fn twenty_thousand_line_file() {
    let mut body = String::new();
    for i in 0..20_000 {
        body.push_str(&format!(
            "    let value_{i} = compute({i}, \"item {i}\");\n"
        ));
    }
    let (rule, out) = ok(
        &body,
        "    let value_12345 = compute(12345, \"item 12345\");\n",
        "    let v = 0;\n",
    );
    assert_eq!(rule, Rule::Exact);
    assert!(out.contains("\n    let v = 0;\n    let value_12346"));
    assert_eq!(
        out.len(),
        body.len() - "    let value_12345 = compute(12345, \"item 12345\");\n".len()
            + "    let v = 0;\n".len()
    );
    // Near misses in such repetitive text resemble many places: reported, never applied.
    let old = "    let value_19000 = compute(19000, \"item 19000\");\n    let value_19001 = compute(19001, \"itm 19001\");\n";
    let m = run(&body, q(old, "x\n")).unwrap_err();
    assert!(
        matches!(&m, Miss::Ambiguous { rule: Rule::Fuzzy, lines } if lines.contains(&19001)),
        "{m:?}"
    );
    // A near miss of distinctive code deep in the file is found fuzzily.
    let body = body.replacen(
        "    let value_15000",
        "fn distinctive(a: u8) -> u8 {\n    a.wrapping_mul(7)\n}\n    let value_15000",
        1,
    );
    let (rule, out) = ok(
        &body,
        "fn distinctive(a: u8) -> u8 {\n    a.wrapping_mul(9)\n}\n",
        "fn distinctive(a: u8) -> u8 {\n    a\n}\n",
    );
    assert_eq!(rule, Rule::Fuzzy);
    assert!(out.contains("fn distinctive(a: u8) -> u8 {\n    a\n}\n    let value_15000"));
}

proptest! {
    #[test]
    fn unique_exact_replacement_equals_replacen(
        body in "[a-c\n ]{0,60}",
        start in 0usize..60,
        len in 1usize..8,
        new in "[a-d\n ]{0,10}",
    ) {
        let start = start.min(body.len());
        let end = (start + len).min(body.len());
        let old = &body[start..end];
        prop_assume!(!old.is_empty() && body.matches(old).count() == 1);
        // A file without a final newline also matches old text ending in one at its end;
        // that extension is covered by its own test.
        prop_assume!(body.ends_with('\n') || !old.ends_with('\n'));
        let (rule, out) = ok(&body, old, &new);
        prop_assert_eq!(rule, Rule::Exact);
        prop_assert_eq!(out, body.replacen(old, &new, 1));
    }

    #[test]
    fn cascade_never_panics(body in "[a-c\t \r\n.…’]{0,80}", old in "[a-c\t \r\n.…’]{1,20}", new in "[a-c\n]{0,10}") {
        let hay = Haystack::new(&body);
        for mode in [ReplaceMode::Unique, ReplaceMode::All, ReplaceMode::Count(2)] {
            if let Ok(loc) = locate(&hay, &Query { old: &old, new: &new, mode, anchor: Some("a") }) {
                for f in loc.found {
                    prop_assert!(f.range.start <= f.range.end && f.range.end <= body.len());
                    prop_assert!(body.is_char_boundary(f.range.start) && body.is_char_boundary(f.range.end));
                }
            }
        }
    }

    #[test]
    fn shared_views_equal_their_own_level(body in "[a \t\r\n’…é]{0,60}") {
        let hay = Haystack::new(&body);
        let text = hay.text();
        for level in [Level::Trailing, Level::Eol, Level::Whitespace, Level::Unicode] {
            let own = View::build(text, level);
            let ends = 0..=own.text.len();
            match hay.source(level) {
                None => {
                    prop_assert_eq!(own.text.as_str(), text);
                    for p in ends {
                        prop_assert_eq!((own.raw_start(p), own.raw_end(p)), (p, p));
                    }
                }
                Some(_) => {
                    let shared = hay.view(level);
                    prop_assert_eq!(&shared.text, &own.text);
                    for p in ends {
                        prop_assert_eq!(
                            (shared.raw_start(p), shared.raw_end(p)),
                            (own.raw_start(p), own.raw_end(p))
                        );
                    }
                }
            }
        }
    }
}
