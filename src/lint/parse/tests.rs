//! Every format against real output captured from the tool (see
//! `tests/fixtures/lint/README.md` for which were captured and which transcribed).

use std::path::Path;

use proptest::prelude::*;

use super::parse;
use crate::lint::diag::Parsed;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/lint/output/", $name))
    };
}

/// (location, rule, message) of each diagnostic, for compact assertions.
fn brief(p: &Parsed) -> Vec<(String, String, String)> {
    p.diagnostics
        .iter()
        .map(|d| {
            (
                d.location(),
                d.rule.clone().unwrap_or_default(),
                d.message.clone(),
            )
        })
        .collect()
}

fn row(loc: &str, rule: &str, msg: &str) -> (String, String, String) {
    (loc.to_string(), rule.to_string(), msg.to_string())
}

#[test]
fn every_pattern_compiles() {
    for re in super::text::patterns() {
        assert!(re.is_some());
    }
}

#[test]
fn clippy_short_format() {
    let p = parse(fixture!("clippy-short.txt"), "", Path::new("/tmp/cap/rs"));
    assert_eq!(
        brief(&p),
        [
            row(
                "src/lib.rs:10:9",
                "",
                "unused variable: `y`: help: if this is intentional, prefix it with an underscore: `_y`"
            ),
            row("src/lib.rs:2:5", "", "unneeded `return` statement"),
            row(
                "src/lib.rs:5:20",
                "",
                "writing `&Vec` instead of `&[_]` involves a new object where a slice will do"
            ),
        ]
    );
    assert!(p.unparsed.is_empty(), "{:?}", p.unparsed);
}

#[test]
fn clippy_human_format_finds_the_lint_names() {
    let p = parse("", fixture!("clippy-human.txt"), Path::new("/tmp/cap/rs"));
    assert_eq!(
        brief(&p),
        [
            row(
                "src/lib.rs:10:9",
                "unused_variables",
                "unused variable: `y`"
            ),
            row(
                "src/lib.rs:2:5",
                "clippy::needless_return",
                "unneeded `return` statement"
            ),
            row(
                "src/lib.rs:5:20",
                "clippy::ptr_arg",
                "writing `&Vec` instead of `&[_]` involves a new object where a slice will do"
            ),
        ]
    );
    assert!(p.diagnostics[1].detail.contains("help: remove `return`"));
    assert!(!p.diagnostics[1].detail.contains("-D warnings"));
    assert!(p.unparsed.is_empty(), "{:?}", p.unparsed);
}

#[test]
fn cargo_json_messages() {
    let p = parse(
        fixture!("clippy.jsonl"),
        fixture!("clippy.jsonl.stderr.txt"),
        Path::new("/tmp/cap/rs"),
    );
    assert_eq!(
        brief(&p),
        [
            row(
                "src/lib.rs:10:9",
                "unused_variables",
                "unused variable: `y`"
            ),
            row(
                "src/lib.rs:2:5",
                "clippy::needless_return",
                "unneeded `return` statement"
            ),
            row(
                "src/lib.rs:5:20",
                "clippy::ptr_arg",
                "writing `&Vec` instead of `&[_]` involves a new object where a slice will do"
            ),
        ]
    );
    let unused = &p.diagnostics[0].detail;
    assert!(
        unused.contains("suggestion: replace src/lib.rs:10:9-10:10 with `_y`"),
        "{unused}"
    );
    assert!(!unused.contains("-D warnings"), "{unused}");
    assert!(
        p.diagnostics[1]
            .detail
            .contains("suggestion: delete src/lib.rs:2:17-2:18"),
        "{}",
        p.diagnostics[1].detail
    );
    assert!(p.unparsed.is_empty(), "{:?}", p.unparsed);
}

#[test]
fn rustfmt_check_with_colour_codes() {
    let p = parse(fixture!("rustfmt-check.txt"), "", Path::new("/tmp/cap/rs"));
    assert_eq!(p.diagnostics.len(), 1);
    let d = &p.diagnostics[0];
    assert_eq!(d.location(), "src/fmt.rs:1");
    assert_eq!(d.rule.as_deref(), Some("rustfmt"));
    assert_eq!(
        d.detail,
        "-pub fn   spaced( a:u32 ,b:u32)->u32{a+b}\n+pub fn spaced(a: u32, b: u32) -> u32 {\n+    a + b\n+}"
    );
    // The older wording.
    let p = parse("Diff in /r/a.rs at line 4:\n-x\n+y\n", "", Path::new("/r"));
    assert_eq!(p.diagnostics[0].location(), "a.rs:4");
}

#[test]
fn ruff_concise_full_and_json_agree() {
    let root = Path::new("/tmp/cap/py");
    let expected = [
        row(
            "app.py:1:1",
            "I001",
            "Import block is un-sorted or un-formatted",
        ),
        row("app.py:1:8", "F401", "`json` imported but unused"),
        row("pkg/util.py:1:8", "F401", "`os` imported but unused"),
        row("pkg/util.py:2:8", "F401", "`sys` imported but unused"),
        row(
            "pkg/util.py:6:5",
            "F841",
            "Local variable `x` is assigned to but never used",
        ),
    ];
    let concise = parse(fixture!("ruff-concise.txt"), "", root);
    assert_eq!(brief(&concise), expected);
    assert!(concise.unparsed.is_empty(), "{:?}", concise.unparsed);
    let full = parse(fixture!("ruff-full.txt"), "", root);
    assert_eq!(brief(&full), expected);
    assert!(
        full.diagnostics[1]
            .detail
            .contains("help: Remove unused import")
    );
    assert!(full.unparsed.is_empty(), "{:?}", full.unparsed);
    let json = parse(fixture!("ruff.json"), "", root);
    assert_eq!(brief(&json), expected);
    assert_eq!(
        json.diagnostics[1].detail,
        "fix: Remove unused import: `json`"
    );
}

#[test]
fn flake8_default_format() {
    let p = parse(fixture!("flake8.txt"), "", Path::new("/x"));
    assert_eq!(p.diagnostics.len(), 12);
    assert_eq!(
        brief(&p)[..2],
        [
            row("app.py:1:1", "F401", "'json' imported but unused"),
            row("app.py:2:1", "E302", "expected 2 blank lines, found 0"),
        ]
    );
    assert_eq!(p.by_rule()["F401"], 4);
    assert_eq!(p.files(), ["app.py", "pkg/__init__.py", "pkg/util.py"]);
}

#[test]
fn mypy_with_and_without_columns_notes_attach() {
    for (text, loc) in [
        (fixture!("mypy.txt"), "extra.py:1"),
        (fixture!("mypy-columns.txt"), "extra.py:1:1"),
    ] {
        let p = parse(text, "", Path::new("/x"));
        assert_eq!(p.diagnostics.len(), 3, "{p:?}");
        let d = p
            .diagnostics
            .iter()
            .find(|d| d.location() == loc)
            .unwrap_or_else(|| panic!("{loc} in {p:?}"));
        assert_eq!(d.rule.as_deref(), Some("import-not-found"));
        assert_eq!(
            d.message,
            "Cannot find implementation or library stub for module named \"notamodule\""
        );
        assert!(
            d.detail.starts_with("note: See https://mypy"),
            "{}",
            d.detail
        );
        assert!(p.unparsed.is_empty(), "{:?}", p.unparsed);
    }
}

#[test]
fn eslint_unix_compact_stylish_and_json_agree() {
    let root = Path::new("/tmp/cap/eslint");
    let expected = [
        row(
            "src/app.js:1:7",
            "no-unused-vars",
            "'unused' is assigned a value but never used.",
        ),
        row(
            "src/app.js:3:12",
            "eqeqeq",
            "Expected '===' and instead saw '=='.",
        ),
        row("src/app.js:4:20", "no-undef", "'nme' is not defined."),
        row(
            "src/util.js:2:1",
            "no-debugger",
            "Unexpected 'debugger' statement.",
        ),
    ];
    for name in ["unix", "compact", "json"] {
        let text = match name {
            "unix" => fixture!("eslint-unix.txt"),
            "compact" => fixture!("eslint-compact.txt"),
            _ => fixture!("eslint.json"),
        };
        let p = parse(text, "", root);
        assert_eq!(brief(&p), expected, "{name}");
        assert!(p.unparsed.is_empty(), "{name}: {:?}", p.unparsed);
    }
    // Stylish drops the final period; otherwise the same.
    let p = parse(fixture!("eslint-stylish.txt"), "", root);
    let stylish: Vec<_> = expected
        .iter()
        .map(|(l, r, m)| (l.clone(), r.clone(), m.trim_end_matches('.').to_string()))
        .collect();
    assert_eq!(brief(&p), stylish);
    assert!(p.unparsed.is_empty(), "{:?}", p.unparsed);
}

#[test]
fn shellcheck_gcc_format() {
    let p = parse(fixture!("shellcheck-gcc.txt"), "", Path::new("/x"));
    assert_eq!(
        brief(&p),
        [
            row(
                "deploy.sh:3:4",
                "SC2086",
                "Double quote to prevent globbing and word splitting."
            ),
            row(
                "deploy.sh:4:1",
                "SC2164",
                "Use 'cd ... || exit' or 'cd ... || return' in case cd fails."
            ),
            row(
                "deploy.sh:5:13",
                "SC2006",
                "Use $(...) notation instead of legacy backticks `...`."
            ),
        ]
    );
}

#[test]
fn go_vet_and_golangci_lint() {
    let p = parse("", fixture!("go-vet.txt"), Path::new("/x"));
    assert_eq!(
        brief(&p),
        [
            row("main.go:10:2", "", "self-assignment of mu.n to mu.n"),
            row(
                "main.go:7:2",
                "",
                "fmt.Printf format %d has arg s of wrong type string"
            ),
        ]
    );
    assert!(p.unparsed.is_empty(), "{:?}", p.unparsed);
    let p = parse(fixture!("golangci-lint.txt"), "", Path::new("/x"));
    assert_eq!(
        brief(&p),
        [
            row(
                "main.go:10:2",
                "SA4018",
                "self-assignment of mu.n to mu.n (staticcheck)"
            ),
            row(
                "main.go:7:2",
                "govet",
                "printf: fmt.Printf format %d has arg s of wrong type string"
            ),
            row("main.go:12", "whitespace", "unnecessary trailing newline"),
        ]
    );
    assert_eq!(p.diagnostics[0].detail, "\tmu.n = mu.n\n\t^");
    // The issued line after a blank line is not claimed by any format.
    assert_eq!(p.unparsed, ["}"]);
}

#[test]
fn gcc_with_excerpts_and_rule_flags() {
    let p = parse("", fixture!("gcc.txt"), Path::new("/x"));
    assert_eq!(
        brief(&p),
        [
            row(
                "f.c:3:7",
                "-Wparentheses",
                "suggest parentheses around assignment used as truth value"
            ),
            row("f.c:2:7", "-Wunused-variable", "unused variable ‘unused’"),
        ]
    );
    assert!(p.diagnostics[0].detail.contains("if (a = 1)"));
    assert_eq!(p.unparsed, ["f.c: In function ‘f’:"]);
}

#[test]
fn unparsed_text_is_kept_and_noise_dropped() {
    let p = parse(
        "    Checking x v0.1.0\nsomething odd happened\nhttp://host:80/x\nFound 3 errors.\n",
        "Traceback (most recent call last):\n",
        Path::new("/x"),
    );
    assert!(p.diagnostics.is_empty());
    assert_eq!(
        p.unparsed,
        [
            "something odd happened",
            "http://host:80/x",
            "Traceback (most recent call last):"
        ]
    );
    assert_eq!(p.count(), 3);
}

#[test]
fn thousands_of_lines_parse_quickly() {
    let text: String = (0..5000)
        .map(|i| {
            format!(
                "src/f{}.py:{}:1: E501 Line too long (120 > 88)\n",
                i % 10,
                i
            )
        })
        .collect();
    let start = std::time::Instant::now();
    let p = parse(&text, "", Path::new("/x"));
    assert_eq!(p.diagnostics.len(), 5000);
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

proptest! {
    #[test]
    fn never_panics_on_any_output(out in ".{0,400}", err in "[ -~\n\t]{0,400}") {
        let p = parse(&out, &err, Path::new("/w"));
        for d in &p.diagnostics {
            prop_assert!(!d.file.is_empty());
            prop_assert!(!d.message.contains('\n'));
        }
    }

    #[test]
    fn never_panics_on_diagnostic_like_lines(
        lines in proptest::collection::vec(
            "(\\./)?[a-z/]{1,8}\\.(py|rs):[0-9]{1,4}(:[0-9]{1,3})?: (error|warning|note)?:? [A-Z]?[0-9]{0,3} .{0,30}",
            0..20,
        )
    ) {
        let text = lines.join("\n");
        let p = parse(&text, "", Path::new("/w"));
        prop_assert!(p.diagnostics.len() + p.unparsed.len() <= lines.len() + 1);
    }

    #[test]
    fn never_panics_on_json_like_output(s in "[\\[\\]{}\":,a-zA-Z0-9 \n]{0,300}") {
        let _ = parse(&s, &s, Path::new("/w"));
    }
}
