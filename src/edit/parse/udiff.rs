//! Unified diffs as models write them: `--- a/x` / `+++ b/x` headers, hunks whose `@@` line
//! numbers may be wrong or missing (the context lines locate each hunk, the numbers never do),
//! context lines whose leading space was lost, and git's `rename from`/`rename to`.

use super::{Scan, Step, join};
use crate::edit::error::ParseError;
use crate::edit::op::EditOp;

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

pub(super) fn parse(scan: &Scan<'_>, i: usize) -> Step {
    let lines = &scan.lines;
    if let (Some(from), Some(to)) = (
        lines.get(i).and_then(|l| l.strip_prefix("rename from ")),
        lines.get(i + 1).and_then(|l| l.strip_prefix("rename to ")),
    ) {
        // A pure rename; a rename with changes is followed by its own ---/+++ section.
        if !is_file_header(lines, i + 2)
            && !lines
                .get(i + 2)
                .is_some_and(|l| l.starts_with("similarity"))
        {
            let op = EditOp::Rename {
                from: from.trim().to_string(),
                to: to.trim().to_string(),
            };
            return Some(Ok((vec![op], i + 2)));
        }
        return None;
    }
    if !is_file_header(lines, i) {
        return None;
    }
    let old_path = header_path(lines[i].get(4..).unwrap_or(""), "a/");
    let new_path = header_path(lines[i + 1].get(4..).unwrap_or(""), "b/");
    let mut hunks: Vec<Hunk<'_>> = Vec::new();
    let mut j = i + 2;
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
    let hunks: Vec<Hunk<'_>> = hunks.into_iter().filter(|h| h.changed).collect();
    let ops = match (old_path, new_path) {
        (None, None) => {
            return Some(Err(ParseError::Syntax {
                format: FORMAT,
                line: i + 1,
                message: "both sides of the diff are /dev/null".to_string(),
            }));
        }
        (None, Some(path)) => {
            let mut content = Vec::new();
            for h in &hunks {
                content.extend(h.new.iter().copied());
            }
            vec![EditOp::Create {
                path,
                content: join(&content),
            }]
        }
        (Some(path), None) => vec![EditOp::Delete { path }],
        (Some(from), Some(to)) => {
            let mut ops = Vec::new();
            for h in &hunks {
                if h.old.is_empty() {
                    return Some(Err(ParseError::Syntax {
                        format: FORMAT,
                        line: h.line,
                        message: format!(
                            "this hunk of {from} only adds lines and has no context line to place them; \
                             include the unchanged line before the insertion"
                        ),
                    }));
                }
                ops.push(EditOp::replace(from.clone(), join(&h.old), join(&h.new)));
            }
            if from != to {
                ops.push(EditOp::Rename {
                    from: from.clone(),
                    to,
                });
            } else if ops.is_empty() {
                return Some(Err(ParseError::Syntax {
                    format: FORMAT,
                    line: i + 1,
                    message: format!("the diff of {from} has no hunk that changes anything"),
                }));
            }
            ops
        }
    };
    Some(Ok((ops, j)))
}
