//! Syntax highlighting of fenced code for [`super::Markdown`]. Code in a language hone indexes
//! (Rust, Python, JavaScript, TypeScript, TSX, Go, Java, C, C++) is coloured with the tree-sitter
//! grammar the repository map already carries and that grammar's own highlight query
//! (`tree-sitter-highlight`); JSON, common in answers and tiny as a grammar (about 30 KB), has
//! one of its own; a `diff` or `patch` block is coloured by line prefix. Anything else is shown
//! plain: a second engine with grammars of its own (syntect) cost 0.7 MB of a binary that
//! must stay under 15 MB (ARCHITECTURE.md, "What the binary weighs").
//!
//! Lines are coloured as they stream in, each in the light of the lines just before it (up to
//! [`WINDOW_LINES`]), so the work per line is bounded however long the block. Tree-sitter reads an
//! unclosed `"""`, `/*` or backtick as an error, not as the start of a long token, so the newest
//! line is highlighted with the language's closers after it ([`closers`]): a line inside a
//! docstring or block comment whose end has not arrived is coloured as one. A line more than a
//! window below the start of its comment may still be coloured as code.
//!
//! Must not load anything before a code block appears, and must never lose text: every line comes
//! back with all its characters, coloured or not.

use std::collections::VecDeque;
use std::sync::OnceLock;

use anstyle::Style;
use tree_sitter_highlight::{Highlight, HighlightConfiguration, HighlightEvent};

use super::push_styled;
use crate::context::lang::Language;
use crate::ui::palette;

/// The capture names coloured, each with the palette style it gets. A capture takes the entry
/// all of whose dot-separated parts it contains, the one with the most parts if several do
/// (`function.method` takes `function`, `function.macro` takes `function.macro`). Captures that
/// match no entry (variables, properties, punctuation, operators) are switched off in the query:
/// in `tree-sitter-highlight` the last pattern matching a node wins, and a catch-all
/// `(identifier) @variable` late in a grammar's query would otherwise blank its function names.
const KINDS: [(&str, Style); 12] = [
    ("comment", palette::CODE_COMMENT),
    ("string", palette::CODE_STRING),
    ("escape", palette::CODE_STRING),
    ("number", palette::CODE_NUMBER),
    ("boolean", palette::CODE_NUMBER),
    ("constant.builtin", palette::CODE_NUMBER),
    ("keyword", palette::CODE_KEYWORD),
    ("type", palette::CODE_TYPE),
    ("constructor", palette::CODE_TYPE),
    ("function", palette::CODE_FUNCTION),
    ("function.macro", palette::CODE_MACRO),
    ("attribute", palette::CODE_MACRO),
];

/// How many lines before the newest one are re-read to colour it.
const WINDOW_LINES: usize = 100;

/// At most this many bytes are re-read for one line; a line longer than this alone is plain.
const WINDOW_BYTES: usize = 32 * 1024;

/// How the lines of one open code block are coloured.
pub(super) enum Highlighter {
    Syntax(Block),
    Diff,
}

/// A grammar code blocks are coloured with: one the map indexes with, or JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Code(Language),
    Json,
}

impl Syntax {
    /// Its place among [`config`]'s slots: the languages in their enum order, then JSON.
    fn slot(self) -> usize {
        match self {
            Syntax::Code(language) => language as usize,
            Syntax::Json => Language::ALL.len(),
        }
    }
}

/// A block in a language with a grammar: its latest lines, re-highlighted as each line arrives
/// (tree-sitter needs the lines before to know what a line is inside).
pub(super) struct Block {
    syntax: Syntax,
    window: VecDeque<String>,
    /// Bytes in `window`, line breaks included.
    bytes: usize,
    engine: tree_sitter_highlight::Highlighter,
}

/// A highlighter for a fence's info string (`rust`, `py title="x"`, …); `None` for a language
/// without a grammar or no language at all.
pub(super) fn highlighter_for(info: &str) -> Option<Highlighter> {
    let token = info
        .split([' ', ',', '{'])
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_ascii_lowercase();
    if token == "diff" || token == "patch" {
        return Some(Highlighter::Diff);
    }
    let syntax = syntax_of(&token)?;
    config(syntax)?;
    Some(Highlighter::Syntax(Block {
        syntax,
        window: VecDeque::new(),
        bytes: 0,
        engine: tree_sitter_highlight::Highlighter::new(),
    }))
}

/// One line of code, coloured by token kind.
pub(super) fn highlight(h: &mut Highlighter, line: &str) -> String {
    match h {
        Highlighter::Diff => diff_line(line),
        Highlighter::Syntax(block) => block.line(line),
    }
}

/// The syntax a fence names, by name or by file extension (`rust`, `rs`, `c++`, `golang`).
fn syntax_of(token: &str) -> Option<Syntax> {
    match token {
        "json" | "jsonc" | "json5" | "geojson" => Some(Syntax::Json),
        other => language_of(other).map(Syntax::Code),
    }
}

fn language_of(token: &str) -> Option<Language> {
    match token {
        "" => None,
        "rust" => Some(Language::Rust),
        "python" | "python3" | "py3" => Some(Language::Python),
        "javascript" | "node" => Some(Language::JavaScript),
        "typescript" => Some(Language::TypeScript),
        "go" | "golang" => Some(Language::Go),
        "java" => Some(Language::Java),
        "c" => Some(Language::C),
        "cpp" => Some(Language::Cpp),
        ext => Language::from_path(&format!("x.{ext}")),
    }
}

impl Block {
    fn line(&mut self, line: &str) -> String {
        if line.len() >= WINDOW_BYTES {
            self.window.clear();
            self.bytes = 0;
            return line.to_string();
        }
        self.window.push_back(line.to_string());
        self.bytes += line.len() + 1;
        while self.window.len() > WINDOW_LINES + 1 || self.bytes > WINDOW_BYTES {
            let Some(old) = self.window.pop_front() else {
                break;
            };
            self.bytes -= old.len() + 1;
        }
        let mut source = String::with_capacity(self.bytes);
        for l in &self.window {
            source.push_str(l);
            source.push('\n');
        }
        let end = source.len() - 1;
        let start = end - line.len();
        source.push_str(closers(self.syntax));
        let Some(config) = config(self.syntax) else {
            return line.to_string();
        };
        let Ok(events) = self
            .engine
            .highlight(config, source.as_bytes(), None, None, |_| None)
        else {
            return line.to_string();
        };
        let mut out = String::with_capacity(line.len() + 32);
        let mut open: Vec<usize> = Vec::new();
        let mut done = start;
        for event in events {
            match event {
                Ok(HighlightEvent::HighlightStart(Highlight(i))) => open.push(i),
                Ok(HighlightEvent::HighlightEnd) => {
                    open.pop();
                }
                Ok(HighlightEvent::Source { start: s, end: e }) => {
                    let (s, e) = (s.max(done), e.min(end));
                    if s >= e {
                        if s >= end {
                            break;
                        }
                        continue;
                    }
                    let style = open
                        .last()
                        .and_then(|&i| KINDS.get(i))
                        .map_or(Style::new(), |(_, style)| *style);
                    // Token edges are character edges; if one were not, the line goes plain
                    // rather than lose or split a character.
                    let (Some(gap), Some(piece)) = (source.get(done..s), source.get(s..e)) else {
                        return line.to_string();
                    };
                    out.push_str(gap);
                    push_styled(&mut out, style, piece);
                    done = e;
                }
                Err(_) => break,
            }
        }
        match source.get(done..end) {
            Some(rest) => out.push_str(rest),
            None => return line.to_string(),
        }
        out
    }
}

/// A line of a unified diff: additions green, removals red, hunk headers and file headers marked.
fn diff_line(line: &str) -> String {
    let style = if line.starts_with("+++") || line.starts_with("---") || line.starts_with("diff ") {
        palette::HEADER
    } else if line.starts_with('+') {
        palette::ADDED
    } else if line.starts_with('-') {
        palette::REMOVED
    } else if line.starts_with("@@") {
        palette::HUNK
    } else {
        Style::new()
    };
    let mut out = String::with_capacity(line.len() + 16);
    push_styled(&mut out, style, line);
    out
}

/// Text put after the newest line before highlighting, so that a string or comment still open
/// there reads as one (its end has not arrived yet). Whatever the closers open or leave dangling
/// lies after the line and is not shown.
fn closers(syntax: Syntax) -> &'static str {
    match syntax {
        Syntax::Code(Language::Python) => "\"\"\"'''\n",
        Syntax::Code(
            Language::JavaScript | Language::TypeScript | Language::Tsx | Language::Go,
        ) => "*/`\n",
        Syntax::Code(Language::Rust | Language::Java | Language::C | Language::Cpp) => "*/\n",
        Syntax::Json => "",
    }
}

/// Each syntax's highlight configuration, built on its first code block and shared after.
/// `None` if the query does not compile against the grammar (a unit test proves they all do).
fn config(syntax: Syntax) -> Option<&'static HighlightConfiguration> {
    static SLOTS: [OnceLock<Option<HighlightConfiguration>>; Language::ALL.len() + 1] =
        [const { OnceLock::new() }; Language::ALL.len() + 1];
    SLOTS
        .get(syntax.slot())?
        .get_or_init(|| {
            let (grammar, name) = match syntax {
                Syntax::Code(language) => (language.grammar(), language.name()),
                Syntax::Json => (tree_sitter_json::LANGUAGE.into(), "json"),
            };
            let mut config =
                HighlightConfiguration::new(grammar, name, &query(syntax), "", "").ok()?;
            let plain: Vec<String> = config
                .query
                .capture_names()
                .iter()
                .filter(|name| !coloured(name))
                .map(|name| name.to_string())
                .collect();
            for name in &plain {
                config.query.disable_capture(name);
            }
            config.configure(&KINDS.map(|(name, _)| name));
            Some(config)
        })
        .as_ref()
}

/// Whether `tree-sitter-highlight` would give a capture one of [`KINDS`] (its matching rule).
fn coloured(capture: &str) -> bool {
    KINDS.iter().any(|(kind, _)| {
        kind.split('.')
            .all(|part| capture.split('.').any(|c| c == part))
    })
}

/// The highlight query: each grammar crate's own, with C++'s after C's (the C++ grammar extends
/// C's, and so does its query) and the TypeScript crate's after hone's JavaScript query (it only
/// adds what TypeScript adds). Later patterns win, so the extension comes last, as in the
/// grammar repositories' own `tree-sitter.json`.
fn query(syntax: Syntax) -> String {
    let Syntax::Code(language) = syntax else {
        return tree_sitter_json::HIGHLIGHTS_QUERY.to_string();
    };
    match language {
        Language::Rust => tree_sitter_rust::HIGHLIGHTS_QUERY.to_string(),
        Language::Python => tree_sitter_python::HIGHLIGHTS_QUERY.to_string(),
        Language::Go => tree_sitter_go::HIGHLIGHTS_QUERY.to_string(),
        Language::Java => tree_sitter_java::HIGHLIGHTS_QUERY.to_string(),
        Language::C => tree_sitter_c::HIGHLIGHT_QUERY.to_string(),
        Language::Cpp => [
            tree_sitter_cpp::HIGHLIGHT_QUERY,
            tree_sitter_c::HIGHLIGHT_QUERY,
        ]
        .concat(),
        Language::JavaScript | Language::TypeScript | Language::Tsx => [
            tree_sitter_typescript::HIGHLIGHTS_QUERY,
            include_str!("javascript.scm"),
        ]
        .concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::markdown::strip_sgr;

    #[test]
    fn every_syntax_has_a_working_query() {
        let every = Language::ALL.map(Syntax::Code);
        for syntax in every.into_iter().chain([Syntax::Json]) {
            assert!(config(syntax).is_some(), "{syntax:?}");
        }
    }

    #[test]
    fn fence_names_and_extensions_pick_the_grammar() {
        for (token, language) in [
            ("rust", Language::Rust),
            ("rs", Language::Rust),
            ("py", Language::Python),
            ("python3", Language::Python),
            ("js", Language::JavaScript),
            ("jsx", Language::JavaScript),
            ("ts", Language::TypeScript),
            ("tsx", Language::Tsx),
            ("golang", Language::Go),
            ("h", Language::C),
            ("c++", Language::Cpp),
            ("hpp", Language::Cpp),
        ] {
            assert_eq!(language_of(token), Some(language), "{token}");
        }
        assert_eq!(syntax_of("json"), Some(Syntax::Json));
        for token in ["", "sh", "text", "yaml"] {
            assert!(highlighter_for(token).is_none(), "{token}");
        }
    }

    fn styled(lang: &str, lines: &[&str]) -> Vec<String> {
        let mut h = highlighter_for(lang).unwrap_or_else(|| panic!("{lang}"));
        lines.iter().map(|l| highlight(&mut h, l)).collect()
    }

    fn has(out: &str, style: Style) -> bool {
        out.contains(&style.render().to_string())
    }

    #[test]
    fn each_language_colours_keywords_strings_comments_and_function_names() {
        for (lang, line) in [
            ("rust", r#"fn main() { let s = "hi"; } // c"#),
            ("python", r#"def f(): return "hi"  # c"#),
            ("js", r#"function f() { return "hi"; } // c"#),
            ("ts", r#"function f(): string { return "hi"; } // c"#),
            ("tsx", r#"function f() { return "hi"; } // c"#),
            ("go", r#"func f() string { return "hi" } // c"#),
            ("java", r#"class A { String f() { return "hi"; } } // c"#),
            ("c", r#"int f(void) { return puts("hi"); } // c"#),
            (
                "cpp",
                r#"class A { const char* f() { return "hi"; } }; // c"#,
            ),
        ] {
            let out = &styled(lang, &[line])[0];
            assert_eq!(strip_sgr(out), line, "{lang}");
            for style in [
                palette::CODE_KEYWORD,
                palette::CODE_STRING,
                palette::CODE_COMMENT,
            ] {
                assert!(has(out, style), "{lang}: {style:?} missing in {out:?}");
            }
            let function = format!(
                "{}f{}",
                palette::CODE_FUNCTION.render(),
                palette::CODE_FUNCTION.render_reset()
            );
            let main = format!(
                "{}main{}",
                palette::CODE_FUNCTION.render(),
                palette::CODE_FUNCTION.render_reset()
            );
            assert!(
                out.contains(&function) || out.contains(&main),
                "{lang}: the function name is not coloured in {out:?}"
            );
        }
    }

    #[test]
    fn json_colours_strings_numbers_and_literals() {
        let out = &styled("json", &[r#"{"a": [1, true, null, "x"]}"#])[0];
        assert_eq!(strip_sgr(out), r#"{"a": [1, true, null, "x"]}"#);
        for style in [palette::CODE_STRING, palette::CODE_NUMBER] {
            assert!(has(out, style), "{style:?} missing in {out:?}");
        }
    }

    #[test]
    fn cpp_keeps_its_own_captures_over_c_ones() {
        let out = &styled("cpp", &["void Foo::bar() { ns::f(); }"])[0];
        let function = palette::CODE_FUNCTION.render().to_string();
        assert!(out.contains(&format!("{function}bar")), "{out:?}");
    }

    #[test]
    fn a_line_is_coloured_by_what_came_before_it() {
        // The second line closes a comment the first opened: its start is comment, not code.
        let out = styled("rust", &["/* a comment", "still comment */ fn f() {}"]);
        assert_eq!(strip_sgr(&out[1]), "still comment */ fn f() {}");
        let comment = palette::CODE_COMMENT.render().to_string();
        assert!(
            out[1].starts_with(&format!("{comment}still comment */")),
            "{:?}",
            out[1]
        );
        assert!(has(&out[1], palette::CODE_KEYWORD), "{:?}", out[1]);
    }

    #[test]
    fn lines_inside_an_unfinished_docstring_comment_or_raw_string_are_coloured_as_such() {
        let cases: [(&str, &[&str], Style); 5] = [
            (
                "python",
                &["def f():", "    \"\"\"First line.", "    More text if any."],
                palette::CODE_STRING,
            ),
            ("js", &["/**", " * Returns x if y."], palette::CODE_COMMENT),
            (
                "rust",
                &["/* a comment", "   if let Some(x) = y {"],
                palette::CODE_COMMENT,
            ),
            (
                "go",
                &["var s = `raw", "func notCode() {}"],
                palette::CODE_STRING,
            ),
            ("java", &["/*", " * class Foo"], palette::CODE_COMMENT),
        ];
        for (lang, lines, inside) in cases {
            let out = styled(lang, lines);
            let last = out.last().map(String::as_str).unwrap_or_default();
            assert_eq!(strip_sgr(last), lines[lines.len() - 1], "{lang}");
            assert!(
                last.contains(&inside.render().to_string()),
                "{lang}: {last:?}"
            );
            assert!(!has(last, palette::CODE_KEYWORD), "{lang}: {last:?}");
        }
        // Nothing open: the closers change nothing on the line itself.
        let out = styled("python", &["x = 1  # one"]);
        assert!(has(&out[0], palette::CODE_COMMENT) && has(&out[0], palette::CODE_NUMBER));
    }

    #[test]
    fn diff_blocks_are_coloured_by_line_prefix() {
        let out = styled(
            "diff",
            &["--- a/x", "+++ b/x", "@@ -1 +1 @@", "-old", "+new", " same"],
        );
        assert!(has(&out[0], palette::HEADER));
        assert!(has(&out[2], palette::HUNK));
        assert!(has(&out[3], palette::REMOVED));
        assert!(has(&out[4], palette::ADDED));
        assert_eq!(out[5], " same");
    }

    #[test]
    fn long_blocks_and_long_lines_cost_a_bounded_window() {
        let mut h = highlighter_for("rust").unwrap_or_else(|| panic!("rust"));
        for _ in 0..3 * WINDOW_LINES {
            let _ = highlight(&mut h, "let a = 1;");
        }
        let Highlighter::Syntax(block) = &h else {
            panic!("a syntax highlighter")
        };
        assert_eq!(block.window.len(), WINDOW_LINES + 1);
        let long = "x".repeat(WINDOW_BYTES);
        assert_eq!(highlight(&mut h, &long), long, "a giant line is plain");
        let out = highlight(&mut h, "let b = \"s\";");
        assert_eq!(strip_sgr(&out), "let b = \"s\";");
        assert!(
            has(&out, palette::CODE_KEYWORD),
            "highlighting resumes after it: {out:?}"
        );
    }

    proptest::proptest! {
        #[test]
        fn highlighted_lines_keep_every_character(
            lines in proptest::collection::vec("\\PC{0,40}", 1..8),
            lang in proptest::sample::select(vec!["rust", "python", "ts", "tsx", "go", "java", "c", "cpp", "json", "diff"]),
        ) {
            let mut h = highlighter_for(lang).unwrap_or_else(|| panic!("{lang}"));
            for line in &lines {
                proptest::prop_assert_eq!(&strip_sgr(&highlight(&mut h, line)), line);
            }
        }
    }
}
