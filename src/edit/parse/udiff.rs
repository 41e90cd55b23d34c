//! Unified diffs as models write them: `--- a/x` / `+++ b/x` headers, hunks whose `@@` line
//! numbers may be wrong or missing (the context lines locate each hunk, the numbers never do),
//! context lines whose leading space was lost, and git's `rename from`/`rename to`.

use super::{Scan, Step, join};
use crate::edit::error::ParseError;
use crate::edit::op::EditOp;
use crate::prompts::{Text, text};

const FORMAT: &str = "unified diff";

/// The path of a `---`/`+++` header: timestamp dropped, quotes removed, `a/`/`b/` stripped.
fn header_path(rest: &str, prefix: &str) -> Option<String> {
    let p = rest.split('\t').next().unwrap_or(rest).trim();
    let p = p
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .unwrap_or(p);
    if p == "/dev/null" {
        return None;
    }
    Some(p.strip_prefix(prefix).unwrap_or(p).to_string())
}

fn is_file_header(lines: &[&str], j: usize) -> bool {
    lines.get(j).is_some_and(|l| l.starts_with("--- "))
        && lines.get(j + 1).is_some_and(|l| l.starts_with("+++ "))
}

#[derive(Default)]
struct Hunk<'a> {
    line: usize,
    old: Vec<&'a str>,
    new: Vec<&'a str>,
    changed: bool,
}

/// A file's diff starting at line `i` (or a pure git rename): its operations and the line after
/// it.
pub(super) fn parse(scan: &Scan<'_>, i: usize) -> Step {
    let lines = &scan.lines;
    if let Some(step) = pure_rename(lines, i) {
        return step;
    }
    if !is_file_header(lines, i) {
        return None;
    }
    let old_path = header_path(lines[i].get(4..).unwrap_or(""), "a/");
    let new_path = header_path(lines[i + 1].get(4..).unwrap_or(""), "b/");
    let (hunks, next) = read_hunks(lines, i + 2);
    Some(ops(old_path, new_path, &hunks, i).map(|ops| (ops, next)))
}

/// git's `rename from` / `rename to` lines at `i`: a rename with no changes, or (followed by its
/// own `---`/`+++` section) nothing to read here. None when line `i` starts no rename.
fn pure_rename(lines: &[&str], i: usize) -> Option<Step> {
    let from = lines.get(i)?.strip_prefix("rename from ")?;
    let to = lines.get(i + 1)?.strip_prefix("rename to ")?;
    if is_file_header(lines, i + 2)
        || lines
            .get(i + 2)
            .is_some_and(|l| l.starts_with("similarity"))
    {
        return Some(None);
    }
    let op = EditOp::Rename {
        from: from.trim().to_string(),
        to: to.trim().to_string(),
    };
    Some(Some(Ok((vec![op], i + 2))))
}

/// The hunks of one file's diff from line `start` up to the next file header or a line that is
/// no diff; only hunks that change something, without the blank lines that close them. Returns
/// them and the line after the diff.
fn read_hunks<'a>(lines: &[&'a str], start: usize) -> (Vec<Hunk<'a>>, usize) {
    let mut hunks: Vec<Hunk<'a>> = Vec::new();
    let mut j = start;
    while j < lines.len() {
        let l = lines[j];
        if is_file_header(lines, j) || l.starts_with("diff --git ") {
            break;
        }
        if l.starts_with("@@") {
            hunks.push(Hunk {
                line: j + 1,
                ..Hunk::default()
            });
            j += 1;
            continue;
        }
        let kind = l.chars().next();
        let is_body = matches!(kind, Some(' ' | '-' | '+' | '\\') | None);
        if !is_body {
            break;
        }
        if hunks.is_empty() {
            if kind.is_none() {
                j += 1;
                continue;
            }
            // Lines before any "@@": a hunk whose header the model left out.
            hunks.push(Hunk {
                line: j + 1,
                ..Hunk::default()
            });
        }
        let Some(h) = hunks.last_mut() else { break };
        let body = l.get(1..).unwrap_or("");
        match kind {
            Some(' ') | None => {
                h.old.push(body);
                h.new.push(body);
            }
            Some('-') => {
                h.old.push(body);
                h.changed = true;
            }
            Some('+') => {
                h.new.push(body);
                h.changed = true;
            }
            _ => {} // "\ No newline at end of file": the engine keeps the file's own convention.
        }
        j += 1;
    }
    // Blank lines closing a hunk are separators, not context.
    for h in &mut hunks {
        while h.old.last() == Some(&"") && h.new.last() == Some(&"") {
            h.old.pop();
            h.new.pop();
        }
    }
    (hunks.into_iter().filter(|h| h.changed).collect(), j)
}

/// What a file's diff (headed at line `i`) does: create (from /dev/null), delete (to
/// /dev/null), or change and perhaps rename.
fn ops(
    old_path: Option<String>,
    new_path: Option<String>,
    hunks: &[Hunk<'_>],
    i: usize,
) -> Result<Vec<EditOp>, ParseError> {
    match (old_path, new_path) {
        (None, None) => Err(syntax(i + 1, text(Text::DiffBothNull, &[]))),
        (None, Some(path)) => {
            let mut content = Vec::new();
            for h in hunks {
                content.extend(h.new.iter().copied());
            }
            Ok(vec![EditOp::Create {
                path,
                content: join(&content),
            }])
        }
        (Some(path), None) => Ok(vec![EditOp::Delete { path }]),
        (Some(from), Some(to)) => change(from, to, hunks, i),
    }
}

/// A diff of `from` (renamed to `to` if they differ): one replacement per hunk, each placed by
/// its context lines.
fn change(
    from: String,
    to: String,
    hunks: &[Hunk<'_>],
    i: usize,
) -> Result<Vec<EditOp>, ParseError> {
    let mut ops = Vec::new();
    for h in hunks {
        if h.old.is_empty() {
            return Err(syntax(h.line, text(Text::DiffOnlyAdds, &[("path", &from)])));
        }
        ops.push(EditOp::replace(from.clone(), join(&h.old), join(&h.new)));
    }
    if from != to {
        ops.push(EditOp::Rename { from, to });
    } else if ops.is_empty() {
        return Err(syntax(i + 1, text(Text::DiffNoChange, &[("path", &from)])));
    }
    Ok(ops)
}

fn syntax(line: usize, message: String) -> ParseError {
    ParseError::Syntax {
        format: FORMAT,
        line,
        message,
    }
}
