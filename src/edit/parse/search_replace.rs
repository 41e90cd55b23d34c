//! SEARCH/REPLACE blocks (aider's edit format): the file path on the line before the block (or
//! before its opening fence, or in the fence's info string, or inherited from the previous
//! block), then `<<<<<<< SEARCH`, the old lines, `=======`, the new lines, `>>>>>>> REPLACE`.
//! An empty SEARCH creates the file (or fills an empty one).

use super::{Scan, Step, clean_path, fence_open, join, path_in_info};
use crate::edit::error::ParseError;
use crate::edit::op::EditOp;
use crate::prompts::{Text, text};

const FORMAT: &str = "SEARCH/REPLACE block";

fn marker(line: &str, c: char, word: &str) -> bool {
    let t = line.trim();
    let n = t.chars().take_while(|x| *x == c).count();
    (5..=9).contains(&n) && t[n..].trim().eq_ignore_ascii_case(word)
}

pub(super) fn is_search(line: &str) -> bool {
    marker(line, '<', "SEARCH")
}

fn is_divider(line: &str) -> bool {
    marker(line, '=', "")
}

fn is_replace(line: &str) -> bool {
    marker(line, '>', "REPLACE")
}

/// The path for a block starting at line `i`: looked for above it, down to `floor`.
fn find_path(scan: &Scan<'_>, i: usize) -> Option<String> {
    let mut j = i;
    let mut seen_fence = false;
    while j > scan.floor {
        j -= 1;
        let line = scan.lines.get(j)?;
        if line.trim().is_empty() {
            continue;
        }
        if let Some((_, _, info)) = fence_open(line) {
            if seen_fence {
                return None;
            }
            if let Some(p) = path_in_info(info) {
                return Some(p);
            }
            seen_fence = true;
            continue;
        }
        return clean_path(line);
    }
    None
}

pub(super) fn parse(scan: &mut Scan<'_>, i: usize) -> Step {
    let line = scan.lines.get(i)?;
    if !is_search(line) {
        return None;
    }
    let path = match find_path(scan, i).or_else(|| scan.last_path.clone()) {
        Some(p) => p,
        None => {
            return Some(Err(ParseError::Syntax {
                format: FORMAT,
                line: i + 1,
                message: text(Text::BlockNoPath, &[]),
            }));
        }
    };
    let lines = &scan.lines;
    let Some(div) = (i + 1..lines.len())
        .find(|&j| is_divider(lines[j]) || is_search(lines[j]) || is_replace(lines[j]))
    else {
        return Some(Err(unterminated(i, "`=======`")));
    };
    if !is_divider(lines[div]) {
        return Some(Err(ParseError::Syntax {
            format: FORMAT,
            line: div + 1,
            message: text(Text::BlockNoDivider, &[("start", &(i + 1).to_string())]),
        }));
    }
    let Some(end) = (div + 1..lines.len())
        .find(|&j| is_replace(lines[j]) || is_search(lines[j]) || is_divider(lines[j]))
    else {
        return Some(Err(unterminated(i, "`>>>>>>> REPLACE`")));
    };
    if !is_replace(lines[end]) {
        return Some(Err(ParseError::Syntax {
            format: FORMAT,
            line: end + 1,
            message: text(Text::BlockNoReplace, &[("start", &(i + 1).to_string())]),
        }));
    }
    let search = &lines[i + 1..div];
    let replace = &lines[div + 1..end];
    let op = if search.iter().all(|l| l.trim().is_empty()) {
        EditOp::Create {
            path: path.clone(),
            content: join(replace),
        }
    } else {
        EditOp::replace(path.clone(), join(search), join(replace))
    };
    scan.last_path = Some(path);
    Some(Ok((vec![op], end + 1)))
}

fn unterminated(i: usize, what: &str) -> ParseError {
    ParseError::Syntax {
        format: FORMAT,
        line: i + 1,
        message: text(Text::BlockUnterminated, &[("marker", what)]),
    }
}
