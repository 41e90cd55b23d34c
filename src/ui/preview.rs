//! A plan's [`Preview`] as a person reads it: a header per file (`path  +N -M`, new, read-only,
//! deleted, renamed), then its unified diff, coloured with the changed words emphasised when
//! `color` is on, plain otherwise. Styling only: what the preview holds is `edit`'s.

use std::fmt::Write as _;

use super::palette::{self, paint};
use crate::edit::{Line, Preview, Span, Title};

/// Renders `preview`, coloured when `color`.
pub fn render(preview: &Preview, color: bool) -> String {
    let mut out = String::new();
    for f in &preview.files {
        let esc = crate::ui::escape_controls;
        let head = match &f.title {
            Title::Created { path } => format!("{} (new file)", esc(path)),
            Title::Modified {
                path,
                read_only: true,
            } => format!("{} (read-only)", esc(path)),
            Title::Modified { path, .. } => esc(path),
            Title::Deleted { path } => {
                let title = format!("{} (deleted, {} lines)", esc(path), f.removed);
                let _ = writeln!(out, "{}", paint(palette::HEADER, &title, color));
                continue;
            }
            Title::Renamed { from, to } => format!("{} → {} (renamed)", esc(from), esc(to)),
        };
        let _ = writeln!(
            out,
            "{}  {}",
            paint(palette::HEADER, &head, color),
            summary(f.added, f.removed, color)
        );
        for line in &f.lines {
            let _ = writeln!(out, "{}", render_line(line, color));
        }
    }
    out
}

fn render_line(line: &Line, color: bool) -> String {
    match line {
        Line::Hunk(h) => paint(palette::HUNK, h, color),
        Line::Context(t) => format!(" {t}"),
        Line::Removed(spans) => changed(spans, "-", palette::REMOVED, palette::REMOVED_WORD, color),
        Line::Added(spans) => changed(spans, "+", palette::ADDED, palette::ADDED_WORD, color),
        Line::NoNewline => paint(palette::DIM, crate::edit::NO_NEWLINE, color),
        Line::Unchanged => "(content unchanged)".to_string(),
    }
}

/// A changed line: the sign and unchanged words in the line's style, changed words in the word
/// style; runs of one style are painted once, so the escape codes stay few.
fn changed(
    spans: &[Span],
    sign: &str,
    line_style: anstyle::Style,
    word_style: anstyle::Style,
    color: bool,
) -> String {
    let mut runs: Vec<(bool, String)> = vec![(false, sign.to_string())];
    for s in spans {
        match runs.last_mut() {
            Some((changed, text)) if *changed == s.changed => text.push_str(&s.text),
            _ => runs.push((s.changed, s.text.clone())),
        }
    }
    runs.iter()
        .map(|(changed, text)| {
            let style = if *changed { word_style } else { line_style };
            paint(style, text, color)
        })
        .collect()
}

fn summary(added: usize, removed: usize, color: bool) -> String {
    let mut parts = Vec::new();
    if added > 0 || removed == 0 {
        parts.push(paint(palette::ADDED, &format!("+{added}"), color));
    }
    if removed > 0 {
        parts.push(paint(palette::REMOVED, &format!("-{removed}"), color));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests;
