//! The `*** Begin Patch` envelope (the format of codex's `apply_patch`): Add, Delete and Update
//! sections, `*** Move to:` for renames, `@@ anchor` chunks located by their context lines, and
//! a required `*** End Patch` (a reply cut off mid-patch must not half-apply).

use super::{Scan, Step, join};
use crate::edit::error::ParseError;
use crate::edit::op::{EditOp, ReplaceMode};
use crate::prompts::{Text, text};

const FORMAT: &str = "patch";

fn marker<'a>(line: &'a str, name: &str) -> Option<&'a str> {
    line.trim()
        .strip_prefix("*** ")?
        .trim_start()
        .strip_prefix(name)
        .map(str::trim)
}

fn is_section_marker(line: &str) -> bool {
    ["Add File:", "Delete File:", "Update File:", "End Patch"]
        .iter()
        .any(|m| marker(line, m).is_some())
}

fn err(line: usize, message: String) -> ParseError {
    ParseError::Syntax {
        format: FORMAT,
        line,
        message,
    }
}

/// `*** {marker}` at line index `j` with no path after it.
fn needs_path(j: usize, marker: &str) -> ParseError {
    err(j + 1, text(Text::PatchNeedsPath, &[("marker", marker)]))
}

/// A `*** Begin Patch` envelope starting at line `i`: its operations and the line after
/// `*** End Patch`.
pub(super) fn parse(scan: &Scan<'_>, i: usize) -> Step {
    let lines = &scan.lines;
    if marker(lines.get(i)?, "Begin Patch") != Some("") {
        return None;
    }
    let mut ops = Vec::new();
    let mut j = i + 1;
    loop {
        let Some(&line) = lines.get(j) else {
            return Some(Err(err(i + 1, text(Text::PatchUnended, &[]))));
        };
        if marker(line, "End Patch") == Some("") {
            if ops.is_empty() {
                return Some(Err(err(j + 1, text(Text::PatchEmpty, &[]))));
            }
            return Some(Ok((ops, j + 1)));
        }
        if line.trim().is_empty() {
            j += 1;
        } else if let Some(path) = marker(line, "Add File:") {
            if path.is_empty() {
                return Some(Err(needs_path(j, "Add File:")));
            }
            let mut content = Vec::new();
            j += 1;
            while let Some(&l) = lines.get(j) {
                if is_section_marker(l) {
                    break;
                }
                match l.strip_prefix('+') {
                    Some(rest) => content.push(rest),
                    None if l.is_empty() => content.push(""),
                    None => {
                        return Some(Err(err(j + 1, text(Text::PatchAddLine, &[("path", path)]))));
                    }
                }
                j += 1;
            }
            ops.push(EditOp::Create {
                path: path.to_string(),
                content: join(&content),
            });
        } else if let Some(path) = marker(line, "Delete File:") {
            if path.is_empty() {
                return Some(Err(needs_path(j, "Delete File:")));
            }
            ops.push(EditOp::Delete {
                path: path.to_string(),
            });
            j += 1;
        } else if let Some(path) = marker(line, "Update File:") {
            match update(lines, j, path) {
                Ok((found, next)) => {
                    ops.extend(found);
                    j = next;
                }
                Err(e) => return Some(Err(e)),
            }
        } else {
            return Some(Err(err(
                j + 1,
                text(Text::PatchUnexpected, &[("line", line.trim())]),
            )));
        }
    }
}

struct Chunk<'a> {
    anchor: Option<String>,
    old: Vec<&'a str>,
    new: Vec<&'a str>,
    changed: bool,
}

impl Chunk<'_> {
    fn new(anchor: Option<String>) -> Self {
        Chunk {
            anchor,
            old: Vec::new(),
            new: Vec::new(),
            changed: false,
        }
    }
}

/// An `*** Update File:` section at line `start`: a replacement per chunk that changes
/// something, then the rename if `*** Move to:` follows the header. Returns them and the line
/// after the section.
fn update(lines: &[&str], start: usize, path: &str) -> Result<(Vec<EditOp>, usize), ParseError> {
    if path.is_empty() {
        return Err(needs_path(start, "Update File:"));
    }
    let (move_to, j) = move_to(lines, start + 1)?;
    let (chunks, next) = read_chunks(lines, j, path)?;
    let mut ops: Vec<EditOp> = chunks
        .into_iter()
        .filter(|c| c.changed)
        .map(|c| EditOp::Replace {
            path: path.to_string(),
            old: join(&c.old),
            new: join(&c.new),
            mode: ReplaceMode::Unique,
            anchor: c.anchor,
        })
        .collect();
    match move_to {
        Some(to) => ops.push(EditOp::Rename {
            from: path.to_string(),
            to,
        }),
        None if ops.is_empty() => {
            return Err(err(
                start + 1,
                text(Text::PatchUpdateNothing, &[("path", path)]),
            ));
        }
        None => {}
    }
    Ok((ops, next))
}

/// The `*** Move to:` line at `j`, if there is one: the new path and the line after it.
fn move_to(lines: &[&str], j: usize) -> Result<(Option<String>, usize), ParseError> {
    match lines.get(j).and_then(|l| marker(l, "Move to:")) {
        Some("") => Err(needs_path(j, "Move to:")),
        Some(to) => Ok((Some(to.to_string()), j + 1)),
        None => Ok((None, j)),
    }
}

/// The chunks of the update of `path` from line `j` to the next section marker, without the
/// blank lines that close them; lines before any `@@` form a chunk with no anchor. Returns them
/// and the line of the next section.
fn read_chunks<'a>(
    lines: &[&'a str],
    mut j: usize,
    path: &str,
) -> Result<(Vec<Chunk<'a>>, usize), ParseError> {
    let mut chunks: Vec<Chunk<'a>> = Vec::new();
    while let Some(&l) = lines.get(j) {
        if is_section_marker(l) {
            break;
        }
        if marker(l, "End of File") == Some("") {
            j += 1;
            continue;
        }
        if let Some(rest) = l.trim_start().strip_prefix("@@") {
            let anchor = rest.trim().trim_end_matches("@@").trim();
            let anchor = (!anchor.is_empty()).then(|| anchor.to_string());
            chunks.push(Chunk::new(anchor));
            j += 1;
            continue;
        }
        if chunks.is_empty() {
            chunks.push(Chunk::new(None));
        }
        let Some(c) = chunks.last_mut() else { break };
        match l.chars().next() {
            Some(' ') | None => {
                let body = l.get(1..).unwrap_or("");
                c.old.push(body);
                c.new.push(body);
            }
            Some('-') => {
                c.old.push(l.get(1..).unwrap_or(""));
                c.changed = true;
            }
            Some('+') => {
                c.new.push(l.get(1..).unwrap_or(""));
                c.changed = true;
            }
            _ => {
                return Err(err(j + 1, text(Text::PatchUpdateLine, &[("path", path)])));
            }
        }
        j += 1;
    }
    for c in &mut chunks {
        while c.old.last() == Some(&"") && c.new.last() == Some(&"") {
            c.old.pop();
            c.new.pop();
        }
    }
    Ok((chunks, j))
}
