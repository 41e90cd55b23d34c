//! The `*** Begin Patch` envelope (the format of codex's `apply_patch`): Add, Delete and Update
//! sections, `*** Move to:` for renames, `@@ anchor` chunks located by their context lines, and
//! a required `*** End Patch` (a reply cut off mid-patch must not half-apply).

use super::{Scan, Step, join};
use crate::edit::error::ParseError;
use crate::edit::op::{EditOp, ReplaceMode};

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

pub(super) fn parse(scan: &Scan<'_>, i: usize) -> Step {
    let lines = &scan.lines;
    if marker(lines.get(i)?, "Begin Patch") != Some("") {
        return None;
    }
    let mut ops = Vec::new();
    let mut j = i + 1;
    loop {
        let Some(&line) = lines.get(j) else {
            return Some(Err(err(
                i + 1,
                "the patch begun here has no `*** End Patch` line; the reply may have been cut off"
                    .to_string(),
            )));
        };
        if marker(line, "End Patch") == Some("") {
            if ops.is_empty() {
                return Some(Err(err(j + 1, "the patch is empty".to_string())));
            }
            return Some(Ok((ops, j + 1)));
        }
        if line.trim().is_empty() {
            j += 1;
        } else if let Some(path) = marker(line, "Add File:") {
            if path.is_empty() {
                return Some(Err(err(j + 1, "`*** Add File:` needs a path".to_string())));
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
                        return Some(Err(err(
                            j + 1,
                            format!("every line of an added file starts with `+` ({path})"),
                        )));
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
                return Some(Err(err(
                    j + 1,
                    "`*** Delete File:` needs a path".to_string(),
                )));
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
                format!(
                    "expected `*** Add File:`, `*** Update File:`, `*** Delete File:` or `*** End Patch`, found `{}`",
                    line.trim()
                ),
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

fn update(lines: &[&str], start: usize, path: &str) -> Result<(Vec<EditOp>, usize), ParseError> {
    if path.is_empty() {
        return Err(err(
            start + 1,
            "`*** Update File:` needs a path".to_string(),
        ));
    }
    let mut j = start + 1;
    let mut move_to = None;
    if let Some(to) = lines.get(j).and_then(|l| marker(l, "Move to:")) {
        if to.is_empty() {
            return Err(err(j + 1, "`*** Move to:` needs a path".to_string()));
        }
        move_to = Some(to.to_string());
        j += 1;
    }
    let mut chunks: Vec<Chunk<'_>> = Vec::new();
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
            chunks.push(Chunk {
                anchor,
                old: Vec::new(),
                new: Vec::new(),
                changed: false,
            });
            j += 1;
            continue;
        }
        if chunks.is_empty() {
            chunks.push(Chunk {
                anchor: None,
                old: Vec::new(),
                new: Vec::new(),
                changed: false,
            });
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
                return Err(err(
                    j + 1,
                    format!(
                        "in the update of {path}, expected a line starting with ` `, `-`, `+` or `@@`"
                    ),
                ));
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
                format!(
                    "`*** Update File: {path}` changes nothing; add `@@` chunks with - and + lines"
                ),
            ));
        }
        None => {}
    }
    Ok((ops, j))
}
