//! The line formats, read by one pass over the output with a little state:
//!
//! - `file:line:col: [severity[code]:] message [rule]` — gcc and everything shaped like it:
//!   rustc/clippy `--message-format short`, ruff `concise`, flake8 (`F401 message`), mypy
//!   (`error: message  [code]`, its `note:` lines attach to the error before), ESLint `unix`
//!   (`message [Error/rule]`), go vet, golangci-lint (`message (linter)`), shellcheck `-f gcc`
//!   (`message [SC2086]`); the same without a column (`file:line: message`). Indented lines
//!   right after one (gcc's source excerpt, golangci-lint's issued lines) are its detail.
//! - ESLint `compact`: `file: line L, col C, Error - message (rule)`.
//! - ESLint `stylish` (its default): a path line, then `  L:C  error  message  rule` lines.
//! - rustc/clippy's default (human) format and ruff's `full` format: a header
//!   (`warning: message`, `error[E0308]: message`, `F401 [*] message`) followed by
//!   ` --> file:line:col`; the block up to the next blank line is the detail, and a clippy lint
//!   name found in it (`#[warn(clippy::x)]`) is the rule.
//! - `rustfmt --check`: `Diff in file:line:` (or `… at line N:`) and the diff lines after it.
//!
//! Summary and progress lines (`Checking x v0.1.0`, `Found 5 errors.`, `4 problems`) are dropped;
//! every other line no format claims is kept, in order, as unparsed text.

use std::path::Path;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::super::diag::{Diagnostic, Parsed, normalise_path};

type Re = LazyLock<Option<Regex>>;

static GCC: Re = LazyLock::new(|| {
    Regex::new(r"^(?P<file>[^\s:][^:]*?):(?P<line>\d+):(?:(?P<col>\d+):)?(?P<rest>.*)$").ok()
});
static SEVERITY: Re = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?P<sev>fatal error|error|warning|note|info|information|style|hint|remark|help)(?:\[(?P<code>[^\]]+)\])?\s*:\s*(?P<msg>.*)$",
    )
    .ok()
});
static LEADING_CODE: Re = LazyLock::new(|| {
    Regex::new(r"^(?P<rule>[A-Z]{1,8}[0-9]{1,5}):?\s+(?:\[\*\]\s+)?(?P<msg>\S.*)$").ok()
});
static TRAILING_BRACKET: Re =
    LazyLock::new(|| Regex::new(r"^(?P<msg>.*?)\s*\[(?P<rule>[^\[\]\s]+)\]$").ok());
static TRAILING_PAREN: Re =
    LazyLock::new(|| Regex::new(r"^(?P<msg>.*?)\s*\((?P<rule>[a-z][a-z0-9_-]*)\)$").ok());
static COMPACT: Re = LazyLock::new(|| {
    Regex::new(
        r"^(?P<file>.+?): line (?P<line>\d+), col (?P<col>\d+), (?:Error|Warning) - (?P<msg>.+?)(?: \((?P<rule>[^()\s]+)\))?$",
    )
    .ok()
});
static STYLISH: Re = LazyLock::new(|| {
    Regex::new(
        r"^\s+(?P<line>\d+):(?P<col>\d+)\s+(?:error|warning)\s+(?P<msg>.+?)(?:\s{2,}(?P<rule>[@\w/.-]+))?\s*$",
    )
    .ok()
});
static HEADER: Re = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:error|warning)(?:\[(?P<code>[^\]]+)\])?: (?P<msg>.+)|(?P<ruff>[A-Z]{1,8}[0-9]{1,5}) (?:\[\*\] )?(?P<msg2>.+))$",
    )
    .ok()
});
static ARROW: Re =
    LazyLock::new(|| Regex::new(r"^\s*-->\s*(?P<file>.+?):(?P<line>\d+):(?P<col>\d+)\s*$").ok());
static LINT_NAME: Re = LazyLock::new(|| {
    Regex::new(r"#\[(?:warn|deny|allow|forbid)\((?P<rule>[a-z_]+(?:::[a-z_]+)?)\)\]").ok()
});
static RUSTFMT: Re = LazyLock::new(|| {
    Regex::new(r"^Diff in (?P<file>.+?)(?::(?P<line>\d+):| at line (?P<line2>\d+):)\s*$").ok()
});
static NOISE: Re = LazyLock::new(|| {
    Regex::new(
        r"^(?:\s*(?:Compiling|Checking|Finished|Blocking|Updating|Locking|Downloading|Downloaded|Running|Fresh|Documenting|Adding)\s|error: could not compile|error: aborting due to|warning: .+ generated \d+ warnings?|warning: build failed|For more information about (?:this|an) error|Some errors have detailed explanations|Found \d+ errors?|\[\*\] \d+ fixable|No fixes available|All checks passed|✖ \d+ problems?|\d+ problems?\b|Success: no issues|\d+ issues?:$|\* [\w-]+: \d+$|npm warn |# \S+$)",
    )
    .ok()
});

/// Every pattern, for the test that checks they compile (`None` would mean an invalid one).
#[cfg(test)]
pub(super) fn patterns() -> [&'static Re; 12] {
    [
        &GCC,
        &SEVERITY,
        &LEADING_CODE,
        &TRAILING_BRACKET,
        &TRAILING_PAREN,
        &COMPACT,
        &STYLISH,
        &HEADER,
        &ARROW,
        &LINT_NAME,
        &RUSTFMT,
        &NOISE,
    ]
}

fn caps<'t>(re: &Re, text: &'t str) -> Option<Captures<'t>> {
    re.as_ref().and_then(|r| r.captures(text))
}

fn matches(re: &Re, text: &str) -> bool {
    re.as_ref().is_some_and(|r| r.is_match(text))
}

fn num(c: &Captures<'_>, name: &str) -> Option<u32> {
    c.name(name).and_then(|m| m.as_str().parse().ok())
}

fn text<'t>(c: &Captures<'t>, name: &str) -> Option<&'t str> {
    c.name(name).map(|m| m.as_str())
}

/// What the previous line was, for lines that continue it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    Nothing,
    /// A `file:line:` diagnostic: indented lines are its excerpt.
    LineDiagnostic,
}

/// Reads `text` (escape sequences already stripped) into `out`.
/// A `rustfmt --check` block starting at `lines[at]` (`Diff in FILE at line N:` and its diff),
/// as one diagnostic with the diff as detail; returns the index after it.
fn rustfmt_block(lines: &[&str], at: usize, root: &Path, out: &mut Parsed) -> Option<usize> {
    let c = caps(&RUSTFMT, lines[at])?;
    let mut d = Diagnostic::new(
        normalise_path(text(&c, "file").unwrap_or_default(), root),
        num(&c, "line").or_else(|| num(&c, "line2")),
        None,
        "not formatted as rustfmt formats it; the diff below shows rustfmt's version",
    )
    .with_rule(Some("rustfmt"));
    let mut i = at + 1;
    while i < lines.len() && !lines[i].trim().is_empty() && !matches(&RUSTFMT, lines[i]) {
        d.add_detail(lines[i]);
        i += 1;
    }
    out.push(d);
    Some(i)
}

/// A diagnostic of `file` from a line's `line`, `col`, `msg` and `rule` captures.
fn located(file: String, c: &Captures<'_>) -> Diagnostic {
    Diagnostic::new(
        file,
        num(c, "line"),
        num(c, "col"),
        text(c, "msg").unwrap_or_default(),
    )
    .with_rule(text(c, "rule"))
}

pub(super) fn read(output: &str, root: &Path, out: &mut Parsed) {
    let lines: Vec<&str> = output.lines().map(str::trim_end).collect();
    let mut stylish_file: Option<String> = None;
    let mut after = After::Nothing;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.trim().is_empty() {
            stylish_file = None;
            after = After::Nothing;
            continue;
        }
        if let Some(n) = rustfmt_block(&lines, i - 1, root, out) {
            i = n;
            after = After::Nothing;
            continue;
        }
        if let Some(n) = arrow_block(&lines, i - 1, root, out) {
            i = n;
            after = After::Nothing;
            continue;
        }
        if let Some(file) = &stylish_file
            && let Some(c) = caps(&STYLISH, line)
        {
            out.push(located(file.clone(), &c));
            continue;
        }
        if !line.starts_with(char::is_whitespace)
            && lines.get(i).is_some_and(|next| matches(&STYLISH, next))
        {
            stylish_file = Some(normalise_path(line, root));
            continue;
        }
        if let Some(c) = caps(&COMPACT, line) {
            let file = normalise_path(text(&c, "file").unwrap_or_default(), root);
            out.push(located(file, &c));
            after = After::Nothing;
            continue;
        }
        if let Some(c) = caps(&GCC, line)
            && let Some(done) = gcc_line(&c, root, out)
        {
            after = if done {
                After::LineDiagnostic
            } else {
                After::Nothing
            };
            if !done {
                out.unparsed.push(line.to_string());
            }
            continue;
        }
        if after == After::LineDiagnostic
            && line.starts_with(char::is_whitespace)
            && let Some(last) = out.diagnostics.last_mut()
        {
            last.add_detail(line);
            continue;
        }
        after = After::Nothing;
        if !matches(&NOISE, line) {
            out.unparsed.push(line.to_string());
        }
    }
}

/// A `file:line[:col]: rest` line. `Some(true)`: a diagnostic (or a note attached to one);
/// `Some(false)`: a note with nothing to attach to; `None`: not a diagnostic after all.
fn gcc_line(c: &Captures<'_>, root: &Path, out: &mut Parsed) -> Option<bool> {
    let file = text(c, "file")?.trim();
    if file.chars().all(|ch| ch.is_ascii_digit()) || file.contains("://") {
        return None;
    }
    let rest = text(c, "rest").unwrap_or_default().trim();
    let (severity, code, mut msg) = match caps(&SEVERITY, rest) {
        Some(s) => (
            text(&s, "sev").map(str::to_ascii_lowercase),
            text(&s, "code"),
            text(&s, "msg").unwrap_or_default(),
        ),
        None => (None, None, rest),
    };
    let mut rule = code.map(str::to_string);
    if rule.is_none()
        && let Some(l) = caps(&LEADING_CODE, msg)
    {
        rule = text(&l, "rule").map(str::to_string);
        msg = text(&l, "msg").unwrap_or_default();
    }
    if let Some(t) = caps(&TRAILING_BRACKET, msg) {
        let tag = text(&t, "rule").unwrap_or_default();
        // ESLint's unix formatter writes `[Error/rule]`.
        let tag = tag
            .strip_prefix("Error/")
            .or_else(|| tag.strip_prefix("Warning/"))
            .unwrap_or(tag);
        rule.get_or_insert_with(|| tag.to_string());
        msg = text(&t, "msg").unwrap_or_default();
    } else if let Some(t) = caps(&TRAILING_PAREN, msg)
        && rule.is_none()
    {
        rule = text(&t, "rule").map(str::to_string);
        msg = text(&t, "msg").unwrap_or_default();
    }
    if msg.is_empty() {
        return None;
    }
    // mypy's and gcc's notes belong to the diagnostic before; shellcheck's `note:` level is a
    // finding of its own and carries its code.
    if matches!(severity.as_deref(), Some("note" | "help")) && rule.is_none() {
        let Some(last) = out.diagnostics.last_mut() else {
            return Some(false);
        };
        last.add_detail(&format!("note: {msg}"));
        return Some(true);
    }
    out.push(
        Diagnostic::new(
            normalise_path(file, root),
            num(c, "line"),
            num(c, "col"),
            msg,
        )
        .with_rule(rule.as_deref()),
    );
    Some(true)
}

/// A rustc-style or ruff-style block starting at `lines[at]`: a header, ` --> file:line:col`
/// within the next two lines, then detail up to a blank line. Returns the index after it.
fn arrow_block(lines: &[&str], at: usize, root: &Path, out: &mut Parsed) -> Option<usize> {
    let h = caps(&HEADER, lines[at])?;
    let (arrow_at, a) =
        (at + 1..(at + 3).min(lines.len())).find_map(|j| caps(&ARROW, lines[j]).map(|a| (j, a)))?;
    let msg = text(&h, "msg")
        .or_else(|| text(&h, "msg2"))
        .unwrap_or_default();
    let code = text(&h, "code").or_else(|| text(&h, "ruff"));
    let mut d = Diagnostic::new(
        normalise_path(text(&a, "file").unwrap_or_default(), root),
        num(&a, "line"),
        num(&a, "col"),
        msg,
    );
    let mut j = arrow_at + 1;
    let mut lint = None;
    while j < lines.len() && !lines[j].trim().is_empty() {
        let l = lines[j];
        if lint.is_none() {
            lint = caps(&LINT_NAME, l).and_then(|c| text(&c, "rule").map(str::to_string));
        }
        if !l.contains("-D warnings") {
            d.add_detail(l);
        }
        j += 1;
    }
    out.push(d.with_rule(lint.as_deref().or(code)));
    Some(j)
}
