//! Syntax highlighting of fenced code for [`super::Markdown`]: `syntect`'s default grammars
//! (loaded once, on the first code block) under a theme of ANSI colours from the palette.
//!
//! Must not load anything before a code block appears, and must never lose text: a line the
//! grammar cannot handle is returned plain.

use std::sync::OnceLock;

use anstyle::Style;
use syntect::easy::HighlightLines;
use syntect::highlighting::{Color, ScopeSelectors, StyleModifier, Theme, ThemeItem};
use syntect::parsing::SyntaxSet;

use super::push_styled;
use crate::ui::palette;

/// Grammars, loaded on the first code block (a few milliseconds and a few megabytes that an
/// answer without code never pays).
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The token kinds coloured, each with the palette style it gets. A theme colour encodes the
/// index into this table in its red channel with alpha 0 (bat's trick for ANSI themes), so the
/// terminal's own palette decides the shades.
const KINDS: [(&str, Style); 7] = [
    (
        "comment, punctuation.definition.comment",
        palette::CODE_COMMENT,
    ),
    (
        "string, constant.character, punctuation.definition.string",
        palette::CODE_STRING,
    ),
    ("constant.numeric, constant.language", palette::CODE_NUMBER),
    (
        "keyword, storage.modifier, storage.type.function, storage.type.struct, storage.type.enum, \
         storage.type.impl, storage.type.trait, storage.type.class, variable.language",
        palette::CODE_KEYWORD,
    ),
    (
        "entity.name.type, entity.name.class, entity.name.struct, entity.name.enum, \
         support.type, support.class, storage.type",
        palette::CODE_TYPE,
    ),
    (
        "entity.name.function, support.function, variable.function",
        palette::CODE_FUNCTION,
    ),
    (
        "support.macro, entity.name.macro, meta.preprocessor, keyword.directive",
        palette::CODE_MACRO,
    ),
];

fn theme() -> &'static Theme {
    static THEME: OnceLock<Theme> = OnceLock::new();
    THEME.get_or_init(|| Theme {
        name: Some("hone-ansi".to_string()),
        scopes: KINDS
            .iter()
            .enumerate()
            .filter_map(|(i, (selectors, _))| {
                Some(ThemeItem {
                    scope: selectors.parse::<ScopeSelectors>().ok()?,
                    style: StyleModifier {
                        foreground: Some(Color {
                            r: i as u8,
                            g: 0,
                            b: 0,
                            a: 0,
                        }),
                        background: None,
                        font_style: None,
                    },
                })
            })
            .collect(),
        ..Theme::default()
    })
}

/// Languages the default grammars lack, mapped to the nearest one they have.
fn language_alias(lang: &str) -> &str {
    match lang {
        "ts" | "typescript" | "tsx" | "jsx" | "mjs" | "cjs" => "js",
        "shell" | "console" | "zsh" | "fish" => "sh",
        "golang" => "go",
        "py3" | "python3" => "py",
        "c++" | "hpp" | "cc" => "cpp",
        "yml" => "yaml",
        "rs" => "rust",
        other => other,
    }
}

/// A highlighter for a fence's info string (`rust`, `py title="x"`, …); `None` for an unknown or
/// missing language.
pub(super) fn highlighter_for(info: &str) -> Option<HighlightLines<'static>> {
    let lang = info
        .split([' ', ',', '{'])
        .next()
        .unwrap_or("")
        .trim_start_matches('.')
        .to_ascii_lowercase();
    if lang.is_empty() || lang == "text" || lang == "txt" || lang == "plain" {
        return None;
    }
    let set = syntaxes();
    let syntax = set.find_syntax_by_token(language_alias(&lang))?;
    Some(HighlightLines::new(syntax, theme()))
}

/// One line of code, coloured by token kind. The grammar may fail on odd input; the line is
/// then shown plain (never lost).
pub(super) fn highlight(h: &mut HighlightLines<'static>, line: &str) -> String {
    let with_newline = format!("{line}\n");
    let Ok(ranges) = h.highlight_line(&with_newline, syntaxes()) else {
        return line.to_string();
    };
    let mut out = String::with_capacity(line.len() + 32);
    for (style, piece) in ranges {
        let piece = piece.strip_suffix('\n').unwrap_or(piece);
        let kind = (style.foreground.a == 0)
            .then(|| KINDS.get(usize::from(style.foreground.r)))
            .flatten();
        match kind {
            Some((_, s)) => push_styled(&mut out, *s, piece),
            None => out.push_str(piece),
        }
    }
    out
}
