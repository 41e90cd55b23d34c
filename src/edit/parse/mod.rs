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
use crate::prompts::{Text, text};

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
    let decoded;
    let args = match args {
        Value::String(s) => {
            decoded = serde_json::from_str::<Value>(s)
                .map_err(|e| bad_args(text(Text::ArgsNotJson, &[("error", &e.to_string())])))?;
            &decoded
        }
        other => other,
    };
    let Some(obj) = args.as_object() else {
        return Err(bad_args(text(Text::ArgsNotObject, &[])));
    };
    let args = Args(obj);
    match tool {
        EditTool::EditFile => edit_file(&args),
        EditTool::WriteFile => {
            let path = args.path()?;
            let content = args.string(&["content", "contents", "text"])?;
            Ok(vec![EditOp::Overwrite { path, content }])
        }
        EditTool::ApplyPatch => {
            let patch = args.string(&["patch", "input", "diff"])?;
            parse_text(&patch, TextFormat::Auto).map_err(|e| bad_args(e.to_string()))
        }
    }
}

/// The arguments of `edit_file`: old text → new text, or a new file when the old text is empty.
fn edit_file(args: &Args<'_>) -> Result<Vec<EditOp>, ParseError> {
    let path = args.path()?;
    let old = args.string(&["old_string", "old_str", "old"])?;
    let new = args.string(&["new_string", "new_str", "new"])?;
    let replace_all = args.replace_all()?;
    let expected = args.expected_replacements()?;
    if old.is_empty() {
        return Ok(vec![EditOp::Create { path, content: new }]);
    }
    if old == new {
        return Err(bad_args(text(Text::ArgsIdentical, &[])));
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

fn bad_args(message: String) -> ParseError {
    ParseError::Arguments { message }
}

/// The argument object of an edit tool call, read by the names a model may give each argument.
struct Args<'a>(&'a serde_json::Map<String, Value>);

impl Args<'_> {
    /// The first of `keys` present as a string; an argument of another type is an error, and so
    /// is none (named by the first key).
    fn string(&self, keys: &[&str]) -> Result<String, ParseError> {
        for k in keys {
            match self.0.get(*k) {
                Some(Value::String(s)) => return Ok(s.clone()),
                Some(Value::Null) | None => continue,
                Some(other) => {
                    return Err(bad_args(text(
                        Text::ArgNotString,
                        &[("name", k), ("kind", json_kind(other))],
                    )));
                }
            }
        }
        let name = keys.first().copied().unwrap_or_default();
        Err(bad_args(text(Text::ArgMissing, &[("name", name)])))
    }

    /// The file the call edits: required, and not blank.
    fn path(&self) -> Result<String, ParseError> {
        let p = self.string(&["path", "file_path", "filename"])?;
        if p.trim().is_empty() {
            return Err(bad_args(text(Text::ArgPathEmpty, &[])));
        }
        Ok(p)
    }

    /// `replace_all`: a boolean, or the string "true" or "false"; absent means false.
    fn replace_all(&self) -> Result<bool, ParseError> {
        match self.0.get("replace_all") {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
            Some(other) => Err(bad_args(text(
                Text::ArgReplaceAll,
                &[("kind", json_kind(other))],
            ))),
        }
    }

    /// `expected_replacements`: a whole number of at least 1, if given.
    fn expected_replacements(&self) -> Result<Option<usize>, ParseError> {
        match self.0.get("expected_replacements") {
            None | Some(Value::Null) => Ok(None),
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 => Ok(Some(n as usize)),
                _ => Err(bad_args(text(Text::ArgExpectedReplacements, &[]))),
            },
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
