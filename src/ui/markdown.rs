//! Markdown for the terminal, rendered a line at a time so an answer can be shown while it
//! streams: headings, lists, block quotes, rules, emphasis, inline code and links, and fenced code
//! blocks highlighted with hone's tree-sitter grammars (`highlight`).
//!
//! [`Markdown`] turns one complete line into styled text, keeping only the state that crosses
//! lines (an open code fence and its highlighter). [`Stream`] feeds it from the chunks a model
//! sends: on a terminal it shows the unfinished line raw as it arrives, then replaces it by the
//! rendered line once the newline comes, so nothing waits for the whole answer.
//!
//! Must not print (it returns strings) or decide whether to colour: the caller says. Invariants:
//! without colour the output is the input byte for byte (markdown is readable as it is, and what
//! a person copies must be what the model wrote); with colour, removing the escape sequences
//! leaves every character of code blocks and of inline text, only markdown's own markers go.
//! Input must already be stripped of control characters (`ui::strip_controls`).

use std::fmt::Write as _;

use anstyle::Style;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use unicode_width::UnicodeWidthStr as _;

use super::palette;
use highlight::{Highlighter, highlight, highlighter_for};

mod highlight;

/// Renders markdown one complete line at a time.
pub struct Markdown {
    color: bool,
    code: Option<Fence>,
}

/// An open fenced code block.
struct Fence {
    marker: char,
    len: usize,
    highlighter: Option<Highlighter>,
}

impl Markdown {
    pub fn new(color: bool) -> Markdown {
        Markdown { color, code: None }
    }

    /// Forgets any open code block (a new message starts).
    pub fn reset(&mut self) {
        self.code = None;
    }

    /// Whether a fenced code block is open.
    pub fn in_code(&self) -> bool {
        self.code.is_some()
    }

    /// Renders one line, given without its line break.
    pub fn line(&mut self, line: &str) -> String {
        let fence = fence_of(line);
        if let Some(code) = &mut self.code {
            if let Some((marker, len, info)) = fence
                && marker == code.marker
                && len >= code.len
                && info.is_empty()
            {
                self.code = None;
                return self.paint(palette::DIM, line);
            }
            if !self.color {
                return line.to_string();
            }
            return match &mut code.highlighter {
                Some(h) => highlight(h, line),
                None => line.to_string(),
            };
        }
        if let Some((marker, len, info)) = fence {
            let highlighter = if self.color {
                highlighter_for(info)
            } else {
                None
            };
            self.code = Some(Fence {
                marker,
                len,
                highlighter,
            });
            return self.paint(palette::DIM, line);
        }
        if !self.color {
            return line.to_string();
        }
        render_block_line(line)
    }

    fn paint(&self, style: Style, text: &str) -> String {
        palette::paint(style, text, self.color)
    }
}

/// A fence line: (marker char, marker length, info string), for ```` ``` ```` or `~~~` runs of
/// three or more, indented at most three spaces (CommonMark).
fn fence_of(line: &str) -> Option<(char, usize, &str)> {
    let trimmed = line.trim_start_matches(' ');
    if line.len() - trimmed.len() > 3 {
        return None;
    }
    let marker = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = trimmed.chars().take_while(|c| *c == marker).count();
    if len < 3 {
        return None;
    }
    let info = trimmed[len..].trim();
    // A backtick fence's info string may not contain a backtick (it would be inline code).
    if marker == '`' && info.contains('`') {
        return None;
    }
    Some((marker, len, info))
}

/// A line outside code blocks, coloured: the block marker (heading, list, quote, rule) styled,
/// the rest rendered inline.
fn render_block_line(line: &str) -> String {
    let indent_len = line.len() - line.trim_start().len();
    let (indent, body) = line.split_at(indent_len);
    if body.is_empty() {
        return line.to_string();
    }
    if is_rule(body) {
        return format!(
            "{indent}{}",
            palette::paint(palette::DIM, &"─".repeat(40), true)
        );
    }
    if let Some((level, text)) = heading(body) {
        let text = inline(text, palette::MD_HEADING);
        let mut style = palette::MD_HEADING;
        if level == 1 {
            style = style.underline();
        }
        return format!("{indent}{}", palette::paint(style, &strip_sgr(&text), true));
    }
    if let Some(rest) = body.strip_prefix('>') {
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        return format!(
            "{indent}{}{}",
            palette::paint(palette::DIM, "│ ", true),
            inline(rest, palette::MD_QUOTE)
        );
    }
    if let Some((marker, rest)) = list_item(body) {
        let bullet = if marker.ends_with(['.', ')']) {
            marker.to_string()
        } else {
            "•".to_string()
        };
        let (check, rest) = task_box(rest);
        return format!(
            "{indent}{} {check}{}",
            palette::paint(palette::MD_BULLET, &bullet, true),
            inline(rest, Style::new())
        );
    }
    format!("{indent}{}", inline(body, Style::new()))
}

/// `---`, `***`, `___` (three or more, spaces allowed between).
fn is_rule(body: &str) -> bool {
    let chars: Vec<char> = body.chars().filter(|c| *c != ' ').collect();
    chars.len() >= 3 && matches!(chars[0], '-' | '*' | '_') && chars.iter().all(|c| *c == chars[0])
}

/// `## Title` → (2, "Title").
fn heading(body: &str) -> Option<(usize, &str)> {
    let level = body.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &body[level..];
    if rest.is_empty() {
        return Some((level, ""));
    }
    let text = rest.strip_prefix(' ')?;
    // Closing hashes are decoration (`## Title ##`).
    let text = text.trim_end().trim_end_matches('#').trim_end();
    Some((level, text))
}

/// `- x`, `* x`, `+ x`, `1. x`, `1) x` → (marker, rest).
fn list_item(body: &str) -> Option<(&str, &str)> {
    if let Some(rest) = body
        .strip_prefix("- ")
        .or_else(|| body.strip_prefix("* "))
        .or_else(|| body.strip_prefix("+ "))
    {
        return Some((&body[..1], rest));
    }
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    if (1..=9).contains(&digits) {
        let after = &body[digits..];
        if let Some(rest) = after
            .strip_prefix(". ")
            .or_else(|| after.strip_prefix(") "))
        {
            return Some((&body[..digits + 1], rest));
        }
    }
    None
}

/// `[ ] x` / `[x] x` at the start of a list item → (box, rest).
fn task_box(rest: &str) -> (&'static str, &str) {
    if let Some(r) = rest.strip_prefix("[ ] ") {
        ("☐ ", r)
    } else if let Some(r) = rest
        .strip_prefix("[x] ")
        .or_else(|| rest.strip_prefix("[X] "))
    {
        ("☑ ", r)
    } else {
        ("", rest)
    }
}

/// Inline markdown (emphasis, strong, strikethrough, code spans, links) as styled text, on top of
/// `base`. Block structure inside `text` is ignored: the caller has taken the line's marker.
pub fn inline(text: &str, base: Style) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut emph = 0usize;
    let mut strong = 0usize;
    let mut strike = 0usize;
    let mut links: Vec<(String, usize)> = Vec::new();
    let style = |emph: usize, strong: usize, strike: usize, link: bool| {
        let mut s = base;
        if emph > 0 {
            s = add_effects(s, palette::MD_EMPH);
        }
        if strong > 0 {
            s = add_effects(s, palette::MD_STRONG);
        }
        if strike > 0 {
            s = add_effects(s, palette::MD_STRIKE);
        }
        if link {
            s = add_effects(palette::MD_LINK, s);
        }
        s
    };
    // Leading spaces would make CommonMark see an indented code block.
    let source = text.trim_start();
    let parser = Parser::new_ext(source, Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        match event {
            Event::Text(t) | Event::Html(t) | Event::InlineHtml(t) => {
                let s = style(emph, strong, strike, !links.is_empty());
                push_styled(&mut out, s, &t);
            }
            Event::Code(t) => push_styled(&mut out, palette::MD_CODE, &t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::Start(Tag::Emphasis) => emph += 1,
            Event::End(TagEnd::Emphasis) => emph = emph.saturating_sub(1),
            Event::Start(Tag::Strong) => strong += 1,
            Event::End(TagEnd::Strong) => strong = strong.saturating_sub(1),
            Event::Start(Tag::Strikethrough) => strike += 1,
            Event::End(TagEnd::Strikethrough) => strike = strike.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) => {
                links.push((dest_url.to_string(), out.len()))
            }
            Event::End(TagEnd::Link) => {
                if let Some((url, at)) = links.pop() {
                    let shown = strip_sgr(&out[at..]);
                    if !url.is_empty() && shown != url && !url.starts_with('#') {
                        push_styled(&mut out, palette::DIM, &format!(" ({url})"));
                    }
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                push_styled(&mut out, palette::DIM, &format!("[image {dest_url}] "));
            }
            Event::FootnoteReference(t) => push_styled(&mut out, base, &format!("[^{t}]")),
            Event::TaskListMarker(done) => out.push_str(if done { "☑ " } else { "☐ " }),
            Event::Rule => out.push_str(&"─".repeat(3)),
            // Block starts and ends inside one line carry no text of their own.
            _ => {}
        }
    }
    out
}

fn add_effects(base: Style, more: Style) -> Style {
    let mut s = base.effects(base.get_effects() | more.get_effects());
    if s.get_fg_color().is_none() {
        s = s.fg_color(more.get_fg_color());
    }
    s
}

fn push_styled(out: &mut String, style: Style, text: &str) {
    if text.is_empty() {
        return;
    }
    if style == Style::new() {
        out.push_str(text);
    } else {
        let _ = write!(out, "{}{text}{}", style.render(), style.render_reset());
    }
}

/// Removes SGR sequences hone itself added (used to measure and restyle rendered text).
pub fn strip_sgr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Rows an unfinished line may take on screen while it is previewed raw.
const PREVIEW_ROWS: usize = 8;

/// Feeds streamed chunks to a [`Markdown`] renderer and says what to write.
///
/// With colour and a known terminal width, the unfinished line is shown raw as it arrives and
/// erased (cursor up over its wrapped rows, clear to the end of the screen) when its rendered form
/// is written. Without colour, chunks pass through untouched.
pub struct Stream {
    md: Markdown,
    color: bool,
    /// Columns of the terminal, for the live preview; 0 turns the preview off.
    width: usize,
    partial: String,
    /// Bytes of `partial` already shown raw.
    previewed: usize,
    /// Display columns the raw preview occupies.
    preview_cols: usize,
    /// Whether the last byte written ended a line (or nothing was written).
    at_line_start: bool,
}

impl Stream {
    pub fn new(color: bool, width: Option<usize>) -> Stream {
        Stream {
            md: Markdown::new(color),
            color,
            width: width.unwrap_or(0),
            partial: String::new(),
            previewed: 0,
            preview_cols: 0,
            at_line_start: true,
        }
    }

    /// Takes a chunk of answer text; returns what to write now.
    pub fn push(&mut self, chunk: &str) -> String {
        if chunk.is_empty() {
            return String::new();
        }
        if !self.color {
            self.at_line_start = chunk.ends_with('\n');
            return chunk.to_string();
        }
        self.partial.push_str(chunk);
        let mut out = String::new();
        while let Some(nl) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=nl).collect();
            let line = line.trim_end_matches(['\n', '\r']);
            self.erase_preview(&mut out);
            out.push_str(&self.md.line(line));
            out.push('\n');
            self.previewed = 0;
        }
        if self.width > 0 && self.previewed < self.partial.len() {
            let fresh = self.partial[self.previewed..].replace('\t', "    ");
            let cols = fresh.width();
            // The preview is erased by moving the cursor up its rows, which cannot go above the
            // top of the screen: a line too long to preview in a few rows waits for its end.
            if self.preview_cols + cols <= self.width * PREVIEW_ROWS {
                self.preview_cols += cols;
                self.previewed = self.partial.len();
                out.push_str(&fresh);
            }
        }
        self.at_line_start = self.partial.is_empty();
        out
    }

    /// Ends the answer: renders an unfinished last line and closes the line, so whatever comes
    /// next starts on a fresh line. Forgets any open code block.
    pub fn finish(&mut self) -> String {
        let mut out = String::new();
        if self.color && !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.erase_preview(&mut out);
            out.push_str(&self.md.line(&line));
            out.push('\n');
        } else if !self.at_line_start {
            out.push('\n');
        }
        self.partial.clear();
        self.previewed = 0;
        self.preview_cols = 0;
        self.at_line_start = true;
        self.md.reset();
        out
    }

    /// Whether the last thing written left a line open.
    pub fn mid_line(&self) -> bool {
        !self.at_line_start
    }

    fn erase_preview(&mut self, out: &mut String) {
        if self.preview_cols == 0 || self.width == 0 {
            self.preview_cols = 0;
            return;
        }
        let rows = self.preview_cols.div_ceil(self.width);
        if rows > 1 {
            let _ = write!(out, "\x1b[{}A", rows - 1);
        }
        out.push_str("\r\x1b[J");
        self.preview_cols = 0;
    }
}

#[cfg(test)]
mod tests;
