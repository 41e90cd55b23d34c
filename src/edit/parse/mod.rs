//! Parsing what a model wrote into [`EditOp`]s: tool-call arguments, and the text formats of a
//! reply without tool calls, detected automatically (several formats may share one reply).
//!
//! Grammar of the text formats (line-based; markers may carry surrounding whitespace):
//!
//! ```text
//! reply        := { prose | sr-block | udiff-file | envelope | whole-file }
//! sr-block     := [path-line [fence-open]] "<<<<<<< SEARCH" {line} "=======" {line} ">>>>>>> REPLACE"
//!                 (5 to 9 marker characters; path also accepted in the fence's info string, or
//!                 inherited from the previous block; an empty SEARCH creates the file or fills
//!                 an empty one)
//! udiff-file   := "--- " old-path NL "+++ " new-path NL { hunk }
//! hunk         := ("@@" [anything] NL | implicit) { " " line | "-" line | "+" line | "" | "\" line }
//!                 (the numbers in "@@ -a,b +c,d @@" are ignored: context lines locate the hunk;
//!                 "a/" and "b/" prefixes are dropped; /dev/null means create or delete)
//! envelope     := "*** Begin Patch" { add | delete | update } "*** End Patch"
//! add          := "*** Add File: " path { "+" line }
//! delete       := "*** Delete File: " path
//! update       := "*** Update File: " path ["*** Move to: " path] { chunk }
//! chunk        := ["@@" [anchor]] { " " line | "-" line | "+" line | "" | "*** End of File" }
//! whole-file   := path-line fence-open {line} fence-close        (fence: 3+ ` or ~)
//! ```
//!
//! Every parser is total: any input yields operations or a [`ParseError`] naming the line,
//! never a panic (property-tested).

mod envelope;
mod search_replace;
mod udiff;
mod whole;

use serde_json::Value;

use super::error::ParseError;
use super::op::{EditOp, ReplaceMode};

/// Which text format to read (`hone apply --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// Detect every format in the text.
    #[default]
    Auto,
    /// `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks.
    SearchReplace,
    /// Unified diffs (`--- a/x`, `+++ b/x`, `@@`).
    Udiff,
    /// The `*** Begin Patch` envelope.
    Patch,
    /// Whole files in fences under their paths.
    Whole,
}

impl TextFormat {
    fn name(self) -> Option<&'static str> {
        match self {
            TextFormat::Auto => None,
            TextFormat::SearchReplace => Some("search-replace"),
            TextFormat::Udiff => Some("udiff"),
            TextFormat::Patch => Some("patch"),
            TextFormat::Whole => Some("whole"),
        }
    }
}

/// State shared by the block parsers while scanning one reply.
struct Scan<'a> {
    lines: Vec<&'a str>,
    /// Lines before this index belong to an earlier block.
    floor: usize,
    /// The path of the previous SEARCH/REPLACE block, for blocks that omit it.
    last_path: Option<String>,
}

type Step = Option<Result<(Vec<EditOp>, usize), ParseError>>;

/// Parses edit text a model wrote.
pub fn parse_text(text: &str, format: TextFormat) -> Result<Vec<EditOp>, ParseError> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut scan = Scan {
        lines,
        floor: 0,
        last_path: None,
    };
    let on = |f: TextFormat| format == TextFormat::Auto || format == f;
    let mut ops = Vec::new();
    let mut i = 0;
    while i < scan.lines.len() {
        let mut step: Step = None;
        if on(TextFormat::Patch) {
            step = envelope::parse(&scan, i);
        }
        if step.is_none() && on(TextFormat::SearchReplace) {
            step = search_replace::parse(&mut scan, i);
        }
        if step.is_none() && on(TextFormat::Udiff) {
            step = udiff::parse(&scan, i);
        }
        if step.is_none() && on(TextFormat::Whole) {
            step = whole::parse(&scan, i, format == TextFormat::Whole);
        }
        match step {
            Some(Ok((found, next))) => {
                ops.extend(found);
                i = next.max(i + 1);
                scan.floor = i;
            }
            Some(Err(e)) => return Err(e),
            None => i += 1,
        }
    }
    if ops.is_empty() {
        return Err(ParseError::NoEdits {
            format: format.name(),
        });
    }
    Ok(ops)
}

/// Which edit tool a call is of (the tool registry owns the names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditTool {
    /// Old text → new text in one file (`path`, `old_string`, `new_string`, `replace_all`).
    EditFile,
    /// A whole file's new content (`path`, `content`).
    WriteFile,
    /// A `*** Begin Patch` envelope (`patch`).
    ApplyPatch,
}

/// Parses the arguments of an edit tool call. Arguments sent as a JSON string holding the object
/// (some providers double-encode) are accepted too, and so are the names other harnesses give
/// the same arguments (`file_path`, `old_str`, …).
pub fn parse_tool_call(tool: EditTool, args: &Value) -> Result<Vec<EditOp>, ParseError> {
    let bad = |message: String| ParseError::Arguments { message };
    let decoded;
    let args = match args {
        Value::String(s) => {
            decoded = serde_json::from_str::<Value>(s)
                .map_err(|e| bad(format!("the arguments are not a JSON object: {e}")))?;
            &decoded
        }
        other => other,
    };
    let Some(obj) = args.as_object() else {
        return Err(bad("the arguments must be a JSON object".to_string()));
    };
    let text = |keys: &[&str], required: bool| -> Result<Option<String>, ParseError> {
        for k in keys {
            match obj.get(*k) {
                Some(Value::String(s)) => return Ok(Some(s.clone())),
                Some(Value::Null) | None => continue,
                Some(other) => {
                    return Err(bad(format!(
                        "argument `{k}` must be a string, not {}",
                        json_kind(other)
                    )));
                }
            }
        }
        if required {
            Err(bad(format!(
                "missing required argument `{}` (a string)",
                keys[0]
            )))
        } else {
            Ok(None)
        }
    };
    let path = || -> Result<String, ParseError> {
        let p = text(&["path", "file_path", "filename"], true)?.unwrap_or_default();
        if p.trim().is_empty() {
            return Err(bad("argument `path` is empty".to_string()));
        }
        Ok(p)
    };
    match tool {
        EditTool::EditFile => {
            let path = path()?;
            let old = text(&["old_string", "old_str", "old"], true)?.unwrap_or_default();
            let new = text(&["new_string", "new_str", "new"], true)?.unwrap_or_default();
            let replace_all = match obj.get("replace_all") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) if s == "true" || s == "false" => s == "true",
                Some(other) => {
                    return Err(bad(format!(
                        "argument `replace_all` must be true or false, not {}",
                        json_kind(other)
                    )));
                }
            };
            let expected =
                match obj.get("expected_replacements") {
                    None | Some(Value::Null) => None,
                    Some(v) => match v.as_u64() {
                        Some(n) if n >= 1 => Some(n as usize),
                        _ => return Err(bad(
                            "argument `expected_replacements` must be a whole number of at least 1"
                                .to_string(),
                        )),
                    },
                };
            if old.is_empty() {
                return Ok(vec![EditOp::Create { path, content: new }]);
            }
            if old == new {
                return Err(bad(
                    "`old_string` and `new_string` are identical, so nothing would change"
                        .to_string(),
                ));
            }
            let mode = match (replace_all, expected) {
                (true, _) => ReplaceMode::All,
                (false, Some(n)) => ReplaceMode::Count(n),
                (false, None) => ReplaceMode::Unique,
            };
            Ok(vec![EditOp::Replace {
                path,
                old,
                new,
                mode,
                anchor: None,
            }])
        }
        EditTool::WriteFile => {
            let path = path()?;
            let content = text(&["content", "contents", "text"], true)?.unwrap_or_default();
            Ok(vec![EditOp::Overwrite { path, content }])
        }
        EditTool::ApplyPatch => {
            let patch = text(&["patch", "input", "diff"], true)?.unwrap_or_default();
            parse_text(&patch, TextFormat::Auto).map_err(|e| bad(e.to_string()))
        }
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A path as a model decorates it on its own line: `**src/a.rs**`, `` `src/a.rs`: ``,
/// `### File: src/a.rs`. None unless what remains looks like a file path.
fn clean_path(line: &str) -> Option<String> {
    let mut s = line.trim().trim_start_matches('#').trim();
    for prefix in [
        "File:",
        "file:",
        "FILE:",
        "Path:",
        "path:",
        "Filename:",
        "filename:",
    ] {
        if let Some(rest) = s.strip_prefix(prefix) {
            s = rest.trim();
        }
    }
    let s = s.trim_end_matches(':').trim();
    let s = s
        .trim_matches(|c| c == '*' || c == '`' || c == '"' || c == '\'')
        .trim();
    let s = s.trim_end_matches(':').trim();
    looks_like_path(s).then(|| s.to_string())
}

fn looks_like_path(s: &str) -> bool {
    const BARE: [&str; 10] = [
        "Makefile",
        "Dockerfile",
        "Justfile",
        "Rakefile",
        "Gemfile",
        "Procfile",
        "Vagrantfile",
        "LICENSE",
        "README",
        "Containerfile",
    ];
    if s.is_empty() || s.len() > 255 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    if s.contains("://")
        || s.starts_with("```")
        || s.starts_with("~~~")
        || s.ends_with('.')
        || s.ends_with(',')
    {
        return false;
    }
    if ["<<<", "===", ">>>", "---", "+++", "@@", "***"]
        .iter()
        .any(|m| s.starts_with(m))
    {
        return false;
    }
    let base = s.rsplit('/').next().unwrap_or(s);
    let has_alnum = s.chars().any(|c| c.is_alphanumeric());
    has_alnum && (s.contains('.') || s.contains('/') || BARE.contains(&base))
}

/// A fence-opening line: the fence characters and the info string.
fn fence_open(line: &str) -> Option<(char, usize, &str)> {
    let t = line.trim_start();
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    if n < 3 {
        return None;
    }
    let info = t[n..].trim();
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((c, n, info))
}

fn is_fence_close(line: &str, c: char, n: usize) -> bool {
    let t = line.trim();
    t.chars().count() >= n && t.chars().all(|x| x == c)
}

/// A path given in a fence's info string: "```rust src/a.rs", "```src/a.rs", "```py:a.py".
fn path_in_info(info: &str) -> Option<String> {
    info.split(|c: char| c.is_whitespace() || c == ':')
        .filter(|t| !t.is_empty())
        .find(|t| (t.contains('.') || t.contains('/')) && looks_like_path(t))
        .map(String::from)
}

/// Joins lines into text with a final newline (none for no lines).
fn join(lines: &[&str]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests;
