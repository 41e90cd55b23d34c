//! Turning a linter's output into [`Diagnostic`]s: the JSON readers (`json`) and the line
//! formats (`text`), chosen per stream by what the text looks like, so a preset and any other
//! command line are read the same way.
//!
//! Must never panic, whatever bytes a linter prints (proptest below). Invariant: every line of
//! output either becomes (part of) a diagnostic, is a known summary or progress line and is
//! dropped, or is kept in [`Parsed::unparsed`] for the model to read.
//!
//! [`Diagnostic`]: super::Diagnostic

mod json;
mod text;

use std::path::Path;

use super::diag::Parsed;

/// Reads a lint run's stdout and stderr. Paths become relative to `root` where they are inside.
pub fn parse(stdout: &str, stderr: &str, root: &Path) -> Parsed {
    let mut out = Parsed::default();
    for stream in [stdout, stderr] {
        let plain = crate::sanitize::strip_controls(&strip_charset_escapes(stream));
        read_stream(&plain, root, &mut out);
    }
    out
}

/// Removes `ESC ( B`-style sequences (an escape, intermediate bytes 0x20–0x2F, one final byte),
/// which rustfmt's terminal library writes after each coloured line even into a pipe and which
/// `ui::strip_controls` takes for two-character escapes, leaving the final byte behind.
fn strip_charset_escapes(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\u{1b}') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}'
            && chars
                .peek()
                .is_some_and(|n| ('\u{20}'..='\u{2f}').contains(n))
        {
            while chars
                .peek()
                .is_some_and(|n| ('\u{20}'..='\u{2f}').contains(n))
            {
                chars.next();
            }
            // The final byte.
            chars.next();
            continue;
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

fn read_stream(s: &str, root: &Path, out: &mut Parsed) {
    let trimmed = s.trim_start();
    // One JSON document (ESLint's and ruff's arrays), possibly followed by text.
    if trimmed.starts_with('[') {
        let mut values =
            serde_json::Deserializer::from_str(trimmed).into_iter::<serde_json::Value>();
        if let Some(Ok(v)) = values.next() {
            let rest = &trimmed[values.byte_offset()..];
            if json::read_value(v, root, out) {
                text::read(rest, root, out);
                return;
            }
        }
    }
    // JSON lines (cargo's messages) mixed with text: the text lines are read together, in
    // order, so multi-line formats stay whole.
    let mut plain = String::new();
    for line in s.lines() {
        let t = line.trim();
        if t.starts_with('{')
            && let Ok(v) = serde_json::from_str::<serde_json::Value>(t)
            && json::read_value(v, root, out)
        {
            continue;
        }
        plain.push_str(line);
        plain.push('\n');
    }
    text::read(&plain, root, out);
}

#[cfg(test)]
mod tests;
