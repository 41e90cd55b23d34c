//! The one palette. Every colour hone prints is named here, so a theme change is one diff and a
//! colour cannot sneak into a module that must not print.

use anstyle::{AnsiColor, Style};

pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
pub const HINT: Style = AnsiColor::Cyan.on_default();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();
pub const ADDED: Style = AnsiColor::Green.on_default();
pub const REMOVED: Style = AnsiColor::Red.on_default();
pub const ADDED_WORD: Style = AnsiColor::Green.on_default().bold().underline();
pub const REMOVED_WORD: Style = AnsiColor::Red.on_default().bold().underline();
pub const HUNK: Style = AnsiColor::Cyan.on_default();
pub const HEADER: Style = Style::new().bold();
pub const TOOL: Style = AnsiColor::Magenta.on_default();
pub const PROMPT: Style = AnsiColor::Blue.on_default().bold();

// Markdown in answers (`ui::markdown`). ANSI colours, so the person's terminal theme decides the
// exact shades and a light background stays readable.
pub const MD_HEADING: Style = AnsiColor::Cyan.on_default().bold();
pub const MD_EMPH: Style = Style::new().italic();
pub const MD_STRONG: Style = Style::new().bold();
pub const MD_STRIKE: Style = Style::new().strikethrough();
pub const MD_CODE: Style = AnsiColor::Yellow.on_default();
pub const MD_LINK: Style = AnsiColor::Blue.on_default().underline();
pub const MD_BULLET: Style = AnsiColor::Cyan.on_default();
pub const MD_QUOTE: Style = Style::new().dimmed().italic();

// Syntax highlighting of code blocks, by the kind of token.
pub const CODE_COMMENT: Style = Style::new().dimmed().italic();
pub const CODE_STRING: Style = AnsiColor::Green.on_default();
pub const CODE_NUMBER: Style = AnsiColor::Magenta.on_default();
pub const CODE_KEYWORD: Style = AnsiColor::Blue.on_default().bold();
pub const CODE_TYPE: Style = AnsiColor::Yellow.on_default();
pub const CODE_FUNCTION: Style = AnsiColor::Cyan.on_default();
pub const CODE_MACRO: Style = AnsiColor::Magenta.on_default().bold();

/// Wraps `text` in `style` when `color` is on; plain otherwise.
pub fn paint(style: Style, text: &str, color: bool) -> String {
    if color && !text.is_empty() {
        format!("{}{text}{}", style.render(), style.render_reset())
    } else {
        text.to_string()
    }
}

/// Colours the `error:` / `caused by:` / `hint:` prefixes of a rendered failure. Every error a
/// person sees passes here, so it is also where the control characters an error may quote (a
/// server's malformed line, a model's path) are made visible instead of acting on the terminal.
pub fn paint_report(text: &str, color: bool) -> String {
    let text = crate::ui::escape_controls(text);
    if !color {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 32);
    for line in text.split_inclusive('\n') {
        let styled = [("error:", ERROR), ("caused by:", WARN), ("hint:", HINT)]
            .into_iter()
            .find_map(|(p, s)| {
                line.strip_prefix(p)
                    .map(|rest| format!("{}{rest}", paint(s, p, true)))
            });
        out.push_str(&styled.unwrap_or_else(|| line.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_asked() {
        assert_eq!(paint(ERROR, "x", false), "x");
        let c = paint(ERROR, "x", true);
        assert!(c.starts_with('\u{1b}') && c.contains('x') && c.ends_with('m'));
        assert_eq!(paint(ERROR, "", true), "");
    }
}
