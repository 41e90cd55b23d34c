//! A diagnostic as every linter's output becomes it: file, line, column, rule, message. Owns the
//! type, the path normalisation that makes the files of different linters comparable (relative
//! to the workspace, `/`-separated, no `./`), and the counts the loop and the report use.
//!
//! Must not read files or run anything. Invariant: a [`Diagnostic`]'s `file` is never empty and
//! its `message` is one line; anything longer the linter said goes to `detail`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;

/// One problem the linter reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    /// Relative to the workspace when inside it, `/`-separated; as the linter wrote it otherwise.
    pub file: String,
    /// 1-based; `None` for a whole-file problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    /// The rule or check that fired (`F401`, `clippy::needless_return`, `no-unused-vars`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub message: String,
    /// What else the linter said about it (notes, suggestions, a diff), for the model only.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Diagnostic {
    pub fn new(file: String, line: Option<u32>, column: Option<u32>, message: &str) -> Diagnostic {
        Diagnostic {
            file,
            line,
            column,
            rule: None,
            message: one_line(message),
            detail: String::new(),
        }
    }

    pub fn with_rule(mut self, rule: Option<&str>) -> Diagnostic {
        self.rule = rule
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        self
    }

    /// Adds a line to `detail`, up to [`DETAIL_LINES`] lines.
    pub fn add_detail(&mut self, line: &str) {
        if self.detail.lines().count() >= DETAIL_LINES {
            return;
        }
        if !self.detail.is_empty() {
            self.detail.push('\n');
        }
        self.detail.push_str(line.trim_end());
    }

    /// `file:line:col`, as far as known.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}", self.file),
            (Some(l), None) => format!("{}:{l}", self.file),
            _ => self.file.clone(),
        }
    }

    /// The rule, or a stand-in for counting.
    pub fn rule_or_none(&self) -> &str {
        self.rule.as_deref().unwrap_or(NO_RULE)
    }
}

/// Lines of `detail` kept per diagnostic: enough for a suggestion or a short diff hunk.
pub const DETAIL_LINES: usize = 24;

/// The key diagnostics without a rule are counted under.
pub const NO_RULE: &str = "(no rule)";

/// What hone read from one lint run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// In the order the linter reported them, without exact duplicates.
    pub diagnostics: Vec<Diagnostic>,
    /// The output lines no parser understood (summaries and progress dropped), still shown to
    /// the model.
    pub unparsed: Vec<String>,
}

impl Parsed {
    pub fn push(&mut self, d: Diagnostic) {
        if !d.file.is_empty() && !self.diagnostics.contains(&d) {
            self.diagnostics.push(d);
        }
    }

    /// The files named, sorted and without repeats.
    pub fn files(&self) -> Vec<String> {
        let mut v: Vec<String> = self.diagnostics.iter().map(|d| d.file.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// How many problems this run counts: the diagnostics, or when none could be read, the
    /// lines of output nobody parsed (so a round that makes unreadable output longer still
    /// counts as worse).
    pub fn count(&self) -> usize {
        if self.diagnostics.is_empty() {
            self.unparsed
                .iter()
                .filter(|l| !l.trim().is_empty())
                .count()
        } else {
            self.diagnostics.len()
        }
    }

    /// Diagnostics per rule.
    pub fn by_rule(&self) -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for d in &self.diagnostics {
            *m.entry(d.rule_or_none().to_string()).or_insert(0) += 1;
        }
        m
    }

    /// `F401 ×3, E501, …`: the rules, most frequent first, for a log line.
    pub fn rule_summary(&self, max: usize) -> String {
        let mut v: Vec<(String, usize)> = self.by_rule().into_iter().collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let more = v.len().saturating_sub(max);
        let mut parts: Vec<String> = v
            .into_iter()
            .take(max)
            .map(|(r, n)| if n > 1 { format!("{r} ×{n}") } else { r })
            .collect();
        if more > 0 {
            parts.push(format!("{more} more"));
        }
        parts.join(", ")
    }
}

/// A path as a linter wrote it, made relative to `root` when it is inside it.
pub fn normalise_path(raw: &str, root: &Path) -> String {
    let raw = raw.trim();
    let p = Path::new(raw);
    if p.is_absolute() {
        let canonical = root.canonicalize().ok();
        let inside = p
            .strip_prefix(root)
            .ok()
            .or_else(|| canonical.as_deref().and_then(|c| p.strip_prefix(c).ok()));
        if let Some(rel) = inside {
            return rel.to_string_lossy().replace('\\', "/");
        }
        return raw.to_string();
    }
    let mut s = raw.replace('\\', "/");
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/').to_string();
    }
    s
}

/// The first line of `s`, trimmed (linters put continuation text on later lines).
fn one_line(s: &str) -> String {
    s.lines().next().unwrap_or_default().trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_relative_and_slashed() {
        let root = Path::new("/w/proj");
        assert_eq!(normalise_path("./src/a.py", root), "src/a.py");
        assert_eq!(normalise_path("/w/proj/src/a.py", root), "src/a.py");
        assert_eq!(normalise_path("/elsewhere/a.py", root), "/elsewhere/a.py");
        assert_eq!(normalise_path("src\\b.rs", root), "src/b.rs");
        assert_eq!(normalise_path(" a.sh ", root), "a.sh");
    }

    #[test]
    fn counts_dedups_and_summaries() {
        let mut p = Parsed::default();
        let d = |f: &str, r: &str| {
            Diagnostic::new(f.into(), Some(1), None, "m\nsecond line").with_rule(Some(r))
        };
        p.push(d("b.py", "F401"));
        p.push(d("b.py", "F401"));
        p.push(d("a.py", "F401").with_rule(Some("E501")));
        p.push(Diagnostic::new(String::new(), None, None, "no file"));
        assert_eq!(p.diagnostics.len(), 2);
        assert_eq!(p.diagnostics[0].message, "m");
        assert_eq!(p.files(), ["a.py", "b.py"]);
        assert_eq!(p.count(), 2);
        assert_eq!(p.rule_summary(5), "E501, F401");
        let unread = Parsed {
            diagnostics: vec![],
            unparsed: vec!["boom".into(), " ".into(), "bang".into()],
        };
        assert_eq!(unread.count(), 2);
    }

    #[test]
    fn detail_is_capped() {
        let mut d = Diagnostic::new("a".into(), None, None, "m");
        for i in 0..100 {
            d.add_detail(&format!("line {i}  "));
        }
        assert_eq!(d.detail.lines().count(), DETAIL_LINES);
        assert!(d.detail.starts_with("line 0\nline 1\n"));
        assert_eq!(d.location(), "a");
    }
}
