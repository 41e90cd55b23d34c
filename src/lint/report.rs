//! What `lint-fix` leaves for CI: the JSON report, the patch of every change, the plain log
//! lines, and in GitHub Actions the step summary (Markdown) and `::warning` annotations.
//!
//! All pure renderers except [`patch`], which reads the workspace. Must not print (the front
//! end writes what these return). Invariant: every text that came from a linter or the model is
//! escaped for where it goes (workflow-command encoding, Markdown), so a diagnostic message can
//! neither inject a workflow command nor break the summary's layout.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use super::LintError;
use super::diag::Diagnostic;
use super::rounds::{Lint, Progress, RoundReport};
use crate::provider::Usage;

/// Diagnostics at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub total: usize,
    pub by_rule: BTreeMap<String, usize>,
}

impl Counts {
    pub fn of(lint: &Lint) -> Counts {
        if lint.passed() {
            return Counts {
                total: 0,
                by_rule: BTreeMap::new(),
            };
        }
        Counts {
            total: lint.count(),
            by_rule: lint.parsed.by_rule(),
        }
    }
}

/// Before the first round and at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BeforeAfter {
    pub before: Counts,
    pub after: Counts,
}

/// The `--report` file.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub command: String,
    pub preset: Option<String>,
    /// `clean`, `remaining`, `gave_up`, `provider_error`, `lint_error`, `interrupted`.
    pub outcome: String,
    pub exit_code: u8,
    pub dry_run: bool,
    pub rounds: Vec<RoundReport>,
    pub diagnostics: BeforeAfter,
    /// What the linter still reports (empty when it passes).
    pub remaining: Vec<Diagnostic>,
    pub files_changed: Vec<String>,
    pub usage: Usage,
    pub cost_usd: f64,
    pub duration_ms: u64,
    pub model: Option<String>,
    pub session_id: Option<String>,
}

/// The patch from each file's original content to what it is now, and the files that differ.
pub fn patch(
    originals: &BTreeMap<String, Option<Vec<u8>>>,
    root: &Path,
) -> Result<(String, Vec<String>), LintError> {
    let io = |path: &str, source| LintError::Patch {
        path: path.to_string(),
        source,
    };
    let before = tempfile::Builder::new()
        .prefix("hone-lint-before-")
        .tempdir()
        .map_err(|e| io("a temporary directory", e))?;
    let mut changed = Vec::new();
    for (rel, bytes) in originals {
        let now = match std::fs::read(root.join(rel)) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(rel, e)),
        };
        if now.as_ref() != bytes.as_ref() {
            changed.push(rel.clone());
        }
        if let Some(b) = bytes {
            let p = before.path().join(rel);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).map_err(|e| io(rel, e))?;
            }
            std::fs::write(&p, b).map_err(|e| io(rel, e))?;
        }
    }
    let text = crate::edit::diff_trees(before.path(), root, &changed)
        .map_err(|e| io(&e.path.clone(), e.source))?;
    Ok((text, changed))
}

/// `5 diagnostics in 2 files (F401 ×3, F841, I001)`, or that the linter passes.
pub fn lint_summary(lint: &Lint) -> String {
    let secs = lint.run.elapsed.as_secs_f64();
    if lint.passed() {
        return format!("the linter passes ({secs:.1} s)");
    }
    let p = &lint.parsed;
    let code = lint.run.code.map_or("?".to_string(), |c| c.to_string());
    if p.diagnostics.is_empty() {
        return format!(
            "the linter fails (exit {code}, {secs:.1} s) with {} lines of output hone could not read as diagnostics",
            p.unparsed.len()
        );
    }
    let files = p.files().len();
    format!(
        "{} diagnostic{} in {files} file{} ({}) — exit {code}, {secs:.1} s",
        p.diagnostics.len(),
        s(p.diagnostics.len()),
        s(files),
        p.rule_summary(6)
    )
}

fn s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// One plain log line for a step of the loop; `None` for steps not worth a line (streamed text
/// is collected by the front end and shown whole).
pub fn log_line(p: &Progress<'_>) -> Option<String> {
    Some(match p {
        Progress::RoundStarted {
            round,
            max_rounds,
            count,
        } => format!(
            "round {round}/{max_rounds}: asking the model to fix {count} diagnostic{}",
            s(*count)
        ),
        // The front end shows the agent's events its own way.
        Progress::Agent(_) => return None,
        Progress::Relinted { round, lint } => format!("round {round}: {}", lint_summary(lint)),
        Progress::RolledBack { round, files, why } => format!(
            "round {round}: undone because {why}; restored {}",
            if files.is_empty() {
                "nothing".to_string()
            } else {
                files.join(", ")
            }
        ),
        Progress::RoundEnded(r) => format!(
            "round {}: {} → {} diagnostics{}; {} edit{} applied, {} refused; hone {} ms, model {} ms, linter {} ms",
            r.round,
            r.before,
            r.after,
            if r.rolled_back { " (undone)" } else { "" },
            r.edits_applied,
            s(r.edits_applied),
            r.edits_declined,
            r.overhead_ms,
            r.model_ms,
            r.lint_ms
        ),
    })
}

/// Encodes text for a workflow command's message (after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Encodes text for a workflow command's property (`file=…`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Annotations shown in a GitHub run: at most this many, the rest counted in one line.
pub const MAX_ANNOTATIONS: usize = 50;

/// `::warning file=…,line=…,col=…,title=…::message` lines for the diagnostics that remain.
pub fn annotations(remaining: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in remaining.iter().take(MAX_ANNOTATIONS) {
        let mut props = format!("file={}", escape_property(&d.file));
        if let Some(l) = d.line {
            let _ = write!(props, ",line={l}");
        }
        if let Some(c) = d.column {
            let _ = write!(props, ",col={c}");
        }
        if let Some(r) = &d.rule {
            let _ = write!(props, ",title={}", escape_property(r));
        }
        let _ = writeln!(out, "::warning {props}::{}", escape_data(&d.message));
    }
    if remaining.len() > MAX_ANNOTATIONS {
        let _ = writeln!(
            out,
            "{} more diagnostics are in the report and the step summary",
            remaining.len() - MAX_ANNOTATIONS
        );
    }
    out
}

/// Markdown-safe inline text: no HTML, no table breaks, no code-span breaks.
fn md(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace('`', "'")
}

/// The `$GITHUB_STEP_SUMMARY` section.
pub fn markdown(r: &Report) -> String {
    let mut out = String::from("## hone lint-fix\n\n");
    let _ = writeln!(out, "`{}` {}.\n", md(&r.command), headline(r));
    if r.dry_run {
        out.push_str(
            "Dry run: nothing was changed in the working tree; the patch shows what would be.\n\n",
        );
    }
    rule_table(&mut out, &r.diagnostics);
    round_table(&mut out, &r.rounds);
    if !r.files_changed.is_empty() {
        let files: Vec<String> = r
            .files_changed
            .iter()
            .map(|f| format!("`{}`", md(f)))
            .collect();
        let _ = writeln!(out, "Files changed: {}\n", files.join(", "));
    }
    remaining_list(&mut out, &r.remaining);
    let model = r
        .model
        .as_deref()
        .map(|m| format!("{} · ", md(m)))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "{model}{} · {:.1} s",
        r.usage.summary(r.cost_usd),
        r.duration_ms as f64 / 1000.0
    );
    out
}

/// The summary's first sentence, after the command: how the run ended.
fn headline(r: &Report) -> String {
    let rounds = r.rounds.len();
    let (before, after) = (r.diagnostics.before.total, r.diagnostics.after.total);
    match r.outcome.as_str() {
        "clean" if rounds == 0 => "passes; nothing to fix".to_string(),
        "clean" => format!(
            "**passes** now: {before} → 0 diagnostics in {rounds} round{}, {} file{} changed",
            s(rounds),
            r.files_changed.len(),
            s(r.files_changed.len())
        ),
        "provider_error" => {
            "**stopped**: the model provider failed; the round in progress was undone".into()
        }
        "lint_error" => "**stopped**: the lint command could not run".into(),
        "interrupted" => "**interrupted**; the round in progress was undone".into(),
        _ => format!(
            "**{after} diagnostic{} remain{}** after {rounds} round{} (from {before})",
            s(after),
            if after == 1 { "s" } else { "" },
            s(rounds)
        ),
    }
}

/// The count of each rule before and after, as a table (nothing when no rule was named).
fn rule_table(out: &mut String, d: &BeforeAfter) {
    let mut rules: Vec<&String> = d
        .before
        .by_rule
        .keys()
        .chain(d.after.by_rule.keys())
        .collect();
    rules.sort();
    rules.dedup();
    if rules.is_empty() {
        return;
    }
    out.push_str("| rule | before | after |\n|---|---:|---:|\n");
    for rule in rules {
        let n = |m: &BTreeMap<String, usize>| m.get(rule).copied().unwrap_or(0);
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md(rule),
            n(&d.before.by_rule),
            n(&d.after.by_rule)
        );
    }
    out.push('\n');
}

/// Each round's counts, edits and fate, as a table (nothing when no round ran).
fn round_table(out: &mut String, rounds: &[RoundReport]) {
    if rounds.is_empty() {
        return;
    }
    out.push_str("| round | before | after | edits | result |\n|---:|---:|---:|---:|---|\n");
    for x in rounds {
        let result = if x.rolled_back {
            "undone (count went up)"
        } else if x.outcome.is_none() {
            "undone (did not finish)"
        } else if x.edits_applied == 0 {
            "no edit"
        } else {
            "kept"
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {result} |",
            x.round, x.before, x.after, x.edits_applied
        );
    }
    out.push('\n');
}

/// The diagnostics that remain, folded, the first 200 listed (nothing when none remain).
fn remaining_list(out: &mut String, remaining: &[Diagnostic]) {
    if remaining.is_empty() {
        return;
    }
    let n = remaining.len();
    let _ = writeln!(
        out,
        "<details><summary>{n} diagnostic{} remain{}</summary>\n",
        s(n),
        if n == 1 { "s" } else { "" }
    );
    for d in remaining.iter().take(200) {
        let rule = d
            .rule
            .as_deref()
            .map(|x| format!(" **{}**", md(x)))
            .unwrap_or_default();
        let _ = writeln!(out, "- `{}`{rule} {}", md(&d.location()), md(&d.message));
    }
    if n > 200 {
        let _ = writeln!(out, "- … {} more in the report", n - 200);
    }
    out.push_str("\n</details>\n\n");
}

/// The diagnostics still reported at the end, for the report and the annotations.
pub fn remaining(last: &Lint) -> Vec<Diagnostic> {
    if last.passed() {
        Vec::new()
    } else {
        last.parsed.diagnostics.clone()
    }
}

/// Counts for a run that never got past the first lint.
pub fn unchanged(first: &Lint) -> BeforeAfter {
    BeforeAfter {
        before: Counts::of(first),
        after: Counts::of(first),
    }
}

#[cfg(test)]
mod tests;
