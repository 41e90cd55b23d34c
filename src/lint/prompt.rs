//! The message the model gets each round: the instruction text of `prompts/lint_fix.md`, then
//! the diagnostics grouped by file, each file's reported lines shown with the lines around them,
//! then whatever output no parser understood.
//!
//! Reads the named files (through the workspace jail, so a diagnostic naming `/etc/passwd` or
//! `../x` shows no source) and nothing else; never writes. Invariant: the message is bounded —
//! at most [`MAX_SHOWN`] diagnostics with source and [`MAX_UNPARSED`] bytes of unread output —
//! however much the linter printed, and says how many were left out.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::diag::{Diagnostic, Parsed};
use crate::edit::Workspace;
use crate::prompts::fill;

/// Lines shown before and after each reported line.
pub const CONTEXT: usize = 2;
/// Diagnostics shown in one round's message.
pub const MAX_SHOWN: usize = 200;
/// Bytes of unparsed output shown.
pub const MAX_UNPARSED: usize = 8 * 1024;
/// Characters of one source line shown.
const MAX_LINE: usize = 300;

/// A section of `prompts/lint_fix.md` (the text after `<!-- name -->` up to the next marker).
pub fn section(name: &str) -> &'static str {
    let text = crate::prompts::LINT_FIX;
    let marker = format!("<!-- {name} -->\n");
    let Some(start) = text.find(&marker).map(|i| i + marker.len()) else {
        return "";
    };
    let end = text[start..]
        .find("<!-- ")
        .map_or(text.len(), |i| start + i);
    &text[start..end]
}

/// What happened in the round before, told at the top of the next message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// The first round.
    First,
    /// The round's edits raised the count and were undone.
    RolledBack { before: usize, after: usize },
    /// Nothing was applied.
    NoEdits,
    /// The edits were kept; this many remain.
    Progress { before: usize, after: usize },
}

/// The round's header facts.
#[derive(Debug, Clone)]
pub struct Round<'a> {
    pub number: u32,
    pub max_rounds: u32,
    pub command: &'a str,
    pub note: Note,
    /// `, and the paths …` or empty: how the scope was widened, for the rules list.
    pub scope: &'a str,
}

/// The whole message of one round.
pub fn render(round: &Round<'_>, parsed: &Parsed, ws: &Workspace) -> String {
    let note = match round.note {
        Note::First => String::new(),
        Note::RolledBack { before, after } => fill(
            section("rolled_back"),
            &[
                ("before", &before.to_string()),
                ("after", &after.to_string()),
            ],
        ),
        Note::NoEdits => section("no_edits").to_string(),
        Note::Progress { before, after } => fill(
            section("progress"),
            &[
                ("before", &before.to_string()),
                ("after", &after.to_string()),
            ],
        ),
    };
    let summary = if parsed.diagnostics.is_empty() {
        "its output (below) could not be read as diagnostics".to_string()
    } else {
        let files = parsed.files().len();
        format!(
            "{} diagnostic{} in {files} file{} ({})",
            parsed.diagnostics.len(),
            plural(parsed.diagnostics.len()),
            plural(files),
            parsed.rule_summary(8)
        )
    };
    let unparsed = if parsed.unparsed.is_empty() {
        String::new()
    } else {
        let mut text = parsed.unparsed.join("\n");
        if text.len() > MAX_UNPARSED {
            let mut cut = MAX_UNPARSED;
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text.truncate(cut);
            text.push_str("\n[… cut …]");
        }
        fill(section("unparsed"), &[("text", &text)])
    };
    let text = fill(
        section("round"),
        &[
            ("note", &note),
            ("round", &round.number.to_string()),
            ("max_rounds", &round.max_rounds.to_string()),
            ("command", round.command),
            ("summary", &summary),
            ("scope", round.scope),
            ("diagnostics", &by_file(parsed, ws)),
            ("unparsed", &unparsed),
        ],
    );
    format!("{}\n", text.trim_end())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The diagnostics grouped by file, with source excerpts.
pub fn by_file(parsed: &Parsed, ws: &Workspace) -> String {
    let mut groups: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for d in &parsed.diagnostics {
        groups.entry(d.file.as_str()).or_default().push(d);
    }
    let mut out = String::new();
    let mut shown = 0;
    for (file, mut diags) in groups {
        if shown >= MAX_SHOWN {
            break;
        }
        diags.sort_by_key(|d| (d.line, d.column));
        diags.truncate(MAX_SHOWN - shown);
        shown += diags.len();
        let _ = writeln!(out, "### {file}");
        for d in &diags {
            let at = match (d.line, d.column) {
                (Some(l), Some(c)) => format!("{l}:{c} "),
                (Some(l), None) => format!("{l} "),
                _ => String::new(),
            };
            let rule = d
                .rule
                .as_deref()
                .map(|r| format!("{r}: "))
                .unwrap_or_default();
            let _ = writeln!(out, "- {at}{rule}{}", d.message);
            for l in d.detail.lines() {
                let _ = writeln!(out, "    {l}");
            }
        }
        let lines: Vec<u32> = diags.iter().filter_map(|d| d.line).collect();
        if let Some(excerpt) = excerpt(ws, file, &lines) {
            let _ = writeln!(out, "```\n{excerpt}```");
        }
        out.push('\n');
    }
    let more = parsed.diagnostics.len().saturating_sub(shown);
    if more > 0 {
        out.push_str(&fill(section("more"), &[("more", &more.to_string())]));
    }
    out
}

/// The lines around `marked` (1-based) in `file`, numbered; `None` when the file cannot be read
/// inside the workspace or nothing is marked.
fn excerpt(ws: &Workspace, file: &str, marked: &[u32]) -> Option<String> {
    if marked.is_empty() {
        return None;
    }
    let abs = ws.resolve(file).ok()?;
    let text = std::fs::read_to_string(abs).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for &m in marked {
        let m = (m as usize).clamp(1, lines.len().max(1));
        let (lo, hi) = (
            m.saturating_sub(CONTEXT).max(1),
            (m + CONTEXT).min(lines.len()),
        );
        match windows.last_mut() {
            Some(last) if lo <= last.1 + 1 => last.1 = last.1.max(hi),
            _ => windows.push((lo, hi)),
        }
    }
    let mut out = String::new();
    for (i, (lo, hi)) in windows.iter().enumerate() {
        if i > 0 {
            out.push_str("      ⋮\n");
        }
        for n in *lo..=*hi {
            let Some(line) = lines.get(n - 1) else {
                continue;
            };
            let mark = if marked.contains(&(n as u32)) {
                '>'
            } else {
                ' '
            };
            let shown: String = line.chars().take(MAX_LINE).collect();
            let _ = writeln!(out, "{mark}{n:>5} | {shown}");
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(file: &str, line: u32, rule: &str, msg: &str) -> Diagnostic {
        Diagnostic::new(file.into(), Some(line), Some(1), msg).with_rule(Some(rule))
    }

    #[test]
    fn every_section_exists() {
        for s in [
            "round",
            "rolled_back",
            "no_edits",
            "progress",
            "unparsed",
            "more",
        ] {
            assert!(!section(s).trim().is_empty(), "{s}");
            assert!(!section(s).contains("<!--"), "{s}");
        }
        assert_eq!(section("nope"), "");
    }

    #[test]
    fn groups_by_file_with_merged_excerpts_and_marks() {
        let d = tempfile::tempdir().unwrap();
        let src: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        std::fs::write(d.path().join("a.py"), &src).unwrap();
        let ws = Workspace::new(d.path()).unwrap();
        let parsed = Parsed {
            diagnostics: vec![
                diag("a.py", 10, "E1", "ten"),
                diag("a.py", 3, "E2", "three"),
                diag("a.py", 5, "E3", "five"),
                diag("/etc/passwd", 1, "X", "outside"),
            ],
            unparsed: vec![],
        };
        let text = by_file(&parsed, &ws);
        assert!(
            text.starts_with("### /etc/passwd\n- 1:1 X: outside\n\n### a.py\n"),
            "{text}"
        );
        assert!(
            text.contains("- 3:1 E2: three\n- 5:1 E3: five\n- 10:1 E1: ten\n"),
            "{text}"
        );
        // 3 and 5 share a window (1..=7), 10 has its own (8..=12), adjacent: merged.
        assert!(
            text.contains(">    3 | line 3\n     4 | line 4\n>    5 | line 5\n"),
            "{text}"
        );
        assert!(text.contains("     1 | line 1\n"), "{text}");
        assert!(
            text.contains(">   10 | line 10\n    11 | line 11\n    12 | line 12\n```"),
            "{text}"
        );
        assert!(!text.contains("line 13"), "{text}");
        assert!(
            !text.contains("root:"),
            "no source read outside the workspace"
        );
    }

    #[test]
    fn distant_lines_get_separate_windows() {
        let d = tempfile::tempdir().unwrap();
        let src: String = (1..=50).map(|i| format!("l{i}\n")).collect();
        std::fs::write(d.path().join("b.rs"), &src).unwrap();
        let ws = Workspace::new(d.path()).unwrap();
        let x = excerpt(&ws, "b.rs", &[2, 40]).unwrap();
        assert_eq!(
            x,
            "     1 | l1\n>    2 | l2\n     3 | l3\n     4 | l4\n      ⋮\n    38 | l38\n    39 | l39\n>   40 | l40\n    41 | l41\n    42 | l42\n"
        );
        assert!(excerpt(&ws, "missing.rs", &[1]).is_none());
        assert!(excerpt(&ws, "b.rs", &[]).is_none());
    }

    #[test]
    fn round_message_is_bounded_and_names_the_rest() {
        let d = tempfile::tempdir().unwrap();
        let ws = Workspace::new(d.path()).unwrap();
        let parsed = Parsed {
            diagnostics: (0..(MAX_SHOWN as u32 + 7))
                .map(|i| diag(&format!("f{}.py", i % 3), i + 1, "E501", "long"))
                .collect(),
            unparsed: vec!["x".repeat(MAX_UNPARSED * 2)],
        };
        let round = Round {
            number: 2,
            max_rounds: 3,
            command: "ruff check .",
            note: Note::RolledBack {
                before: 4,
                after: 9,
            },
            scope: "",
        };
        let text = render(&round, &parsed, &ws);
        assert!(text.starts_with("Your edits of the previous round were undone: they raised the linter's count from 4 to 9."), "{}", &text[..200]);
        assert!(text.contains("round 2 of 3"));
        assert!(text.contains(&format!(
            "{} diagnostics in 3 files (E501 ×{})",
            MAX_SHOWN + 7,
            MAX_SHOWN + 7
        )));
        assert!(text.contains("… 7 more diagnostics are not shown"));
        assert!(text.contains("[… cut …]"));
        assert!(
            text.len() < MAX_UNPARSED + MAX_SHOWN * 80 + 4000,
            "{}",
            text.len()
        );
        assert!(!text.contains("{"), "every hole is filled");
    }
}
