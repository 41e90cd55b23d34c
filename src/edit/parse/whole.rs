//! A whole file in a fence under its path: the path on the line before the opening fence (or in
//! its info string), the content up to the closing fence. In automatic detection a fence whose
//! content is itself a diff, a patch or SEARCH/REPLACE blocks is not a whole file: the scan
//! goes inside it instead.

use super::search_replace::is_search;
use super::{Scan, Step, clean_path, fence_open, is_fence_close, join, path_in_info};
use crate::edit::error::ParseError;
use crate::edit::op::EditOp;
use crate::prompts::{Text, text};

fn holds_other_format(info: &str, body: &[&str]) -> bool {
    let lang = info.split_whitespace().next().unwrap_or("");
    if lang.eq_ignore_ascii_case("diff")
        || lang.eq_ignore_ascii_case("patch")
        || lang.eq_ignore_ascii_case("udiff")
    {
        return true;
    }
    let first = body
        .iter()
        .find(|l| !l.trim().is_empty())
        .copied()
        .unwrap_or("");
    first.starts_with("--- ")
        || first.starts_with("diff --git")
        || first.starts_with("@@")
        || body
            .iter()
            .any(|l| is_search(l) || l.trim() == "*** Begin Patch")
}

pub(super) fn parse(scan: &Scan<'_>, i: usize, explicit: bool) -> Step {
    let lines = &scan.lines;
    let (c, n, info) = fence_open(lines.get(i)?)?;
    let path = path_in_info(info).or_else(|| {
        let mut j = i;
        while j > scan.floor {
            j -= 1;
            let l = lines.get(j)?;
            if !l.trim().is_empty() {
                return clean_path(l);
            }
        }
        None
    })?;
    let Some(close) = (i + 1..lines.len()).find(|&j| is_fence_close(lines[j], c, n)) else {
        if explicit {
            return Some(Err(ParseError::Syntax {
                format: "whole file",
                line: i + 1,
                message: text(Text::FenceUnclosed, &[("path", &path)]),
            }));
        }
        return None;
    };
    let body = &lines[i + 1..close];
    if !explicit && holds_other_format(info, body) {
        return None;
    }
    Some(Ok((
        vec![EditOp::Overwrite {
            path,
            content: join(body),
        }],
        close + 1,
    )))
}
