//! The JSON readers: cargo's `--message-format json` lines (rustc and clippy), ESLint's
//! `-f json` array and ruff's `--output-format json` array.
//!
//! Each reader takes one already-parsed JSON value and says whether it knew the shape; a value
//! nobody knows is left to the caller to pass on as text. Fields are read leniently (missing
//! ones default), so a newer tool's extra fields or a missing one never fail the whole run.

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::super::diag::{Diagnostic, Parsed, normalise_path};

/// Reads one JSON value; `false` when its shape is none of the known ones.
pub(super) fn read_value(v: Value, root: &Path, out: &mut Parsed) -> bool {
    match v {
        Value::Object(ref o) if o.contains_key("reason") => {
            if o.get("reason").and_then(Value::as_str) == Some("compiler-message")
                && let Ok(m) = serde_json::from_value::<CargoLine>(v)
            {
                cargo_message(&m.message, root, out);
            }
            // Other cargo lines (artifacts, build-finished) carry no diagnostic.
            true
        }
        Value::Array(items) => {
            let mut known = true;
            for item in items {
                known &= read_item(item, root, out);
            }
            known
        }
        _ => false,
    }
}

fn read_item(item: Value, root: &Path, out: &mut Parsed) -> bool {
    let Value::Object(o) = &item else {
        return false;
    };
    if o.contains_key("filePath") && o.contains_key("messages") {
        if let Ok(f) = serde_json::from_value::<EslintFile>(item) {
            eslint_file(&f, root, out);
            return true;
        }
        return false;
    }
    if o.contains_key("filename")
        && o.contains_key("location")
        && let Ok(r) = serde_json::from_value::<RuffItem>(item)
    {
        ruff_item(&r, root, out);
        return true;
    }
    false
}

#[derive(Deserialize)]
struct CargoLine {
    message: CargoMessage,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CargoMessage {
    message: String,
    level: String,
    code: Option<CargoCode>,
    spans: Vec<CargoSpan>,
    children: Vec<CargoMessage>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CargoCode {
    code: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CargoSpan {
    file_name: String,
    line_start: u32,
    column_start: u32,
    line_end: u32,
    column_end: u32,
    is_primary: bool,
    suggested_replacement: Option<String>,
}

fn cargo_message(m: &CargoMessage, root: &Path, out: &mut Parsed) {
    if !matches!(m.level.as_str(), "error" | "warning") {
        return;
    }
    let Some(span) = m
        .spans
        .iter()
        .find(|s| s.is_primary)
        .or_else(|| m.spans.first())
    else {
        // "aborting due to 3 previous errors", "2 warnings emitted": summaries, no place.
        return;
    };
    let mut d = Diagnostic::new(
        normalise_path(&span.file_name, root),
        (span.line_start > 0).then_some(span.line_start),
        (span.column_start > 0).then_some(span.column_start),
        &m.message,
    )
    .with_rule(m.code.as_ref().map(|c| c.code.as_str()));
    for child in &m.children {
        // The `-D warnings` notes only teach how to silence the lint.
        if child.message.is_empty() || child.message.contains("-D warnings") {
            continue;
        }
        d.add_detail(&format!("{}: {}", child.level, child.message));
        for s in &child.spans {
            if let Some(r) = &s.suggested_replacement {
                let at = format!(
                    "{}:{}:{}-{}:{}",
                    normalise_path(&s.file_name, root),
                    s.line_start,
                    s.column_start,
                    s.line_end,
                    s.column_end
                );
                d.add_detail(&if r.is_empty() {
                    format!("  suggestion: delete {at}")
                } else {
                    format!("  suggestion: replace {at} with `{r}`")
                });
            }
        }
    }
    out.push(d);
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct EslintFile {
    file_path: String,
    messages: Vec<EslintMessage>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct EslintMessage {
    rule_id: Option<String>,
    message: String,
    line: u32,
    column: u32,
}

fn eslint_file(f: &EslintFile, root: &Path, out: &mut Parsed) {
    let file = normalise_path(&f.file_path, root);
    for m in &f.messages {
        out.push(
            Diagnostic::new(
                file.clone(),
                (m.line > 0).then_some(m.line),
                (m.column > 0).then_some(m.column),
                &m.message,
            )
            .with_rule(m.rule_id.as_deref()),
        );
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuffItem {
    code: Option<String>,
    message: String,
    filename: String,
    location: RuffLocation,
    fix: Option<RuffFix>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuffLocation {
    row: u32,
    column: u32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuffFix {
    message: Option<String>,
}

fn ruff_item(r: &RuffItem, root: &Path, out: &mut Parsed) {
    let mut d = Diagnostic::new(
        normalise_path(&r.filename, root),
        (r.location.row > 0).then_some(r.location.row),
        (r.location.column > 0).then_some(r.location.column),
        &r.message,
    )
    .with_rule(r.code.as_deref());
    if let Some(m) = r.fix.as_ref().and_then(|f| f.message.as_deref()) {
        d.add_detail(&format!("fix: {m}"));
    }
    out.push(d);
}
