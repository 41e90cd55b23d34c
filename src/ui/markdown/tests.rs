//! Unit tests of the markdown renderer: plain and coloured output, fences, the streaming
//! preview, and properties over arbitrary input.

use super::*;
use proptest::prelude::*;

fn render(color: bool, text: &str) -> Vec<String> {
    let mut md = Markdown::new(color);
    text.lines().map(|l| md.line(l)).collect()
}

#[test]
fn plain_output_is_the_markdown_unchanged() {
    let text = "# Title\n\nSome *emphasis*, `code` and [a link](http://x).\n- one\n1. two\n> quote\n```rust\nfn main() {}\n```\n---";
    assert_eq!(render(false, text).join("\n"), text);
}

#[test]
fn coloured_headings_lists_quotes_and_rules() {
    let out = render(
        true,
        "## Setup ##\n- item *one*\n3. third\n> said\n***\n- [x] done",
    );
    assert_eq!(strip_sgr(&out[0]), "Setup");
    assert!(out[0].contains("\u{1b}["), "{:?}", out[0]);
    assert_eq!(strip_sgr(&out[1]), "• item one");
    assert!(out[1].contains(&palette::MD_EMPH.render().to_string()));
    assert_eq!(strip_sgr(&out[2]), "3. third");
    assert_eq!(strip_sgr(&out[3]), "│ said");
    assert_eq!(strip_sgr(&out[4]), "─".repeat(40));
    assert_eq!(strip_sgr(&out[5]), "• ☑ done");
}

#[test]
fn coloured_inline_markup_loses_only_its_markers() {
    let out = inline(
        "a **b** `c` ~~d~~ [e](http://f) [http://g](http://g)",
        Style::new(),
    );
    assert_eq!(strip_sgr(&out), "a b c d e (http://f) http://g");
    assert!(out.contains(&format!("{}c", palette::MD_CODE.render())));
    // Unbalanced markers stay as written.
    assert_eq!(strip_sgr(&inline("2 * 3 = `6", Style::new())), "2 * 3 = `6");
}

#[test]
fn code_blocks_are_highlighted_and_keep_every_character() {
    let src = "```rust\nfn main() { let s = \"hi\"; } // c\n    # not a heading\n```\nafter";
    let out = render(true, src);
    assert_eq!(strip_sgr(&out[0]), "```rust");
    assert_eq!(strip_sgr(&out[1]), "fn main() { let s = \"hi\"; } // c");
    for style in [
        palette::CODE_KEYWORD,
        palette::CODE_STRING,
        palette::CODE_COMMENT,
    ] {
        assert!(
            out[1].contains(&style.render().to_string()),
            "{style:?} missing in {:?}",
            out[1]
        );
    }
    assert_eq!(strip_sgr(&out[2]), "    # not a heading");
    assert_eq!(strip_sgr(&out[3]), "```");
    assert_eq!(out[4], "after");
}

#[test]
fn unknown_languages_and_longer_fences() {
    let out = render(true, "````nosuchlang\n```\n**x**\n````\n**y**");
    assert_eq!(out[1], "```", "a shorter fence does not close");
    assert_eq!(out[2], "**x**", "code is not markdown");
    assert_eq!(strip_sgr(&out[4]), "y");
}

#[test]
fn fences_follow_commonmark() {
    assert_eq!(fence_of("```rust"), Some(('`', 3, "rust")));
    assert_eq!(fence_of("  ~~~~ py "), Some(('~', 4, "py")));
    assert_eq!(fence_of("    ```"), None);
    assert_eq!(fence_of("``"), None);
    assert_eq!(fence_of("```a`b"), None);
}

#[test]
fn plain_stream_passes_chunks_through() {
    let mut s = Stream::new(false, Some(80));
    assert_eq!(s.push("Hel"), "Hel");
    assert!(s.mid_line());
    assert_eq!(s.push("lo **x**\n"), "lo **x**\n");
    assert!(!s.mid_line());
    assert_eq!(s.push("end"), "end");
    assert_eq!(s.finish(), "\n");
    assert_eq!(s.finish(), "");
}

#[test]
fn coloured_stream_previews_then_replaces_the_line() {
    let mut s = Stream::new(true, Some(10));
    assert_eq!(s.push("# Ti"), "# Ti");
    let out = s.push("tle\nnext");
    // Erase the 4-column preview, write the rendered heading, preview the next line.
    assert!(out.starts_with("\r\x1b[J"), "{out:?}");
    assert_eq!(strip_sgr(&out), "\rTitle\nnext");
    // A preview that wrapped over two rows is erased from its first row.
    assert_eq!(s.push(" line"), " line");
    assert_eq!(s.push(" wraps"), " wraps");
    let out = s.push("\n");
    assert!(out.starts_with("\x1b[1A\r\x1b[J"), "{out:?}");
    assert_eq!(strip_sgr(&out), "\rnext line wraps\n");
    assert_eq!(s.finish(), "");
}

#[test]
fn coloured_stream_without_width_waits_for_lines() {
    let mut s = Stream::new(true, None);
    assert_eq!(s.push("**a"), "");
    assert_eq!(strip_sgr(&s.push("b**\n")), "ab\n");
    assert_eq!(s.push("tail"), "");
    assert_eq!(strip_sgr(&s.finish()), "tail\n");
}

proptest! {
    #[test]
    fn rendering_never_panics_and_plain_is_identity(text in "[ -~\n#*`_>\\[\\]()~-]{0,200}") {
        let mut plain = Stream::new(false, Some(20));
        let mut out = String::new();
        for chunk in text.as_bytes().chunks(7) {
            out.push_str(&plain.push(std::str::from_utf8(chunk).unwrap()));
        }
        prop_assert_eq!(out, text.clone());
        let mut coloured = Stream::new(true, Some(20));
        for chunk in text.as_bytes().chunks(5) {
            let _ = coloured.push(std::str::from_utf8(chunk).unwrap());
        }
        let _ = coloured.finish();
    }

    #[test]
    fn code_lines_keep_their_text(line in "[ -~]{0,80}") {
        let mut md = Markdown::new(true);
        let _ = md.line("```python");
        let out = md.line(&line);
        if fence_of(&line).is_none_or(|(m, n, info)| m != '`' || n < 3 || !info.is_empty()) {
            prop_assert_eq!(strip_sgr(&out), line);
        }
    }
}

#[test]
fn a_line_too_long_to_preview_in_a_few_rows_is_not_previewed() {
    let mut s = Stream::new(true, Some(10));
    let shown = s.push(&"x".repeat(10 * PREVIEW_ROWS));
    assert_eq!(shown.len(), 10 * PREVIEW_ROWS, "fits: previewed");
    assert_eq!(
        s.push("yy"),
        "",
        "one more column would not fit: not previewed"
    );
    let done = s.push("\n");
    // Erased over exactly the rows shown, then rendered whole.
    assert!(
        done.starts_with(&format!("\u{1b}[{}A\r\u{1b}[J", PREVIEW_ROWS - 1)),
        "{done:?}"
    );
    assert_eq!(
        strip_sgr(&done[done.find('x').unwrap_or(0)..]),
        format!("{}yy\n", "x".repeat(10 * PREVIEW_ROWS))
    );
}
