//! One permission rule, parsed: what it is about (edits to paths, reads of paths, commands, or a
//! tool hone does not have yet) in hone's syntax and Claude Code's (`Bash(cargo test:*)`,
//! `Edit(src/**)`, `Read(./secrets/**)`, `Write(…)`), and whether a path matches it.
//!
//! Paths follow Claude Code's rules: `//abs/path` is absolute, `~/path` is under the home
//! directory, `/path`, `./path` and `path` are relative to the workspace, and a pattern without
//! a `/` matches a file name at any depth (`*.env`, `.env`) as in `.gitignore`. A pattern also
//! covers everything under a directory it names. `*` stays within one directory, `**` crosses
//! them. Must not decide anything: `Permissions` weighs the rules.

use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::config::{RuleEntry, RuleList, Source};
use crate::tools::{Effect, Registry};

/// What a rule is about.
#[derive(Debug, Clone)]
pub enum Target {
    /// Edits (any edit tool), to paths matching the pattern, or any path.
    Edit(Option<PathPattern>),
    /// Reads (read_file, list_files, search), of paths matching the pattern, or any path.
    Read(Option<PathPattern>),
    /// Commands matching the pattern (`cargo test:*`, `make`), or any command.
    Command(Option<String>),
}

/// A parsed rule and where it came from.
#[derive(Debug, Clone)]
pub struct Rule {
    pub list: RuleList,
    pub target: Target,
    /// As written, for messages.
    pub text: String,
    pub source: Source,
}

/// A rule string that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot understand the tool rule `{rule}` ({origin}): {why}")]
pub struct RuleError {
    pub rule: String,
    pub origin: String,
    pub why: String,
}

/// A path glob, in Claude Code's syntax.
#[derive(Debug, Clone)]
pub struct PathPattern {
    set: GlobSet,
    /// Matched against absolute paths (`//…`, `~/…`) rather than workspace-relative ones.
    absolute: bool,
}

impl PathPattern {
    pub fn parse(pattern: &str, home: Option<&Path>) -> Result<PathPattern, String> {
        let (glob, absolute) = if let Some(abs) = pattern.strip_prefix("//") {
            (format!("/{abs}"), true)
        } else if let Some(rest) = pattern.strip_prefix("~/") {
            let home = home.ok_or("`~/` needs a home directory (HOME is not set)")?;
            (format!("{}/{rest}", home.display()), true)
        } else {
            let rel = pattern
                .trim_start_matches("./")
                .trim_start_matches('/')
                .trim_end_matches('/');
            if rel.is_empty() {
                ("**".to_string(), false)
            } else if rel.contains('/') {
                (rel.to_string(), false)
            } else {
                (format!("**/{rel}"), false)
            }
        };
        let mut b = GlobSetBuilder::new();
        for g in [glob.clone(), format!("{}/**", glob.trim_end_matches('/'))] {
            let g = GlobBuilder::new(&g)
                .literal_separator(true)
                .build()
                .map_err(|e| e.to_string())?;
            b.add(g);
        }
        let set = b.build().map_err(|e| e.to_string())?;
        Ok(PathPattern { set, absolute })
    }

    /// Whether the path (`rel` inside the workspace at `root`) matches.
    pub fn matches(&self, root: &Path, rel: &str) -> bool {
        if self.absolute {
            self.set.is_match(root.join(rel))
        } else {
            self.set.is_match(rel)
        }
    }
}

/// Claude Code's tool names and hone's, by what they affect. `None` for a tool hone does not
/// have.
fn effect(registry: &Registry, tool: &str) -> Option<Effect> {
    match tool {
        "edit" | "Edit" | "Write" | "MultiEdit" | "NotebookEdit" => Some(Effect::Edit),
        "Bash" => Some(Effect::Command),
        "Read" | "Grep" | "Glob" | "LS" => Some(Effect::Read),
        name => registry.get(name).map(|t| t.effect()),
    }
}

/// Parses the rules of the settings. A Claude Code file's rule for a tool hone lacks
/// (`WebFetch`, `mcp__…`) is returned as a note, not an error: the file is Claude Code's too.
pub fn parse_all(
    entries: &[RuleEntry],
    home: Option<&Path>,
) -> Result<(Vec<Rule>, Vec<String>), RuleError> {
    let registry = Registry::builtin();
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for e in entries {
        for text in split_rules(&e.rule) {
            match parse_one(&registry, &text, e.list, &e.source, home) {
                Ok(rule) => rules.push(rule),
                Err(why) if e.claude && why.starts_with("unknown tool") => notes.push(format!(
                    "{} rule `{text}` ({}) is for a tool hone does not have",
                    e.list.as_str(),
                    e.source
                )),
                Err(why) => {
                    return Err(RuleError {
                        rule: text,
                        origin: e.source.to_string(),
                        why,
                    });
                }
            }
        }
    }
    Ok((rules, notes))
}

fn parse_one(
    registry: &Registry,
    text: &str,
    list: RuleList,
    source: &Source,
    home: Option<&Path>,
) -> Result<Rule, String> {
    let (tool, arg) = match text.find('(') {
        Some(i) if text.ends_with(')') => (&text[..i], Some(&text[i + 1..text.len() - 1])),
        Some(_) => return Err("missing the closing `)`".into()),
        None => (text, None),
    };
    let arg = arg.map(str::trim).filter(|a| !a.is_empty() && *a != "*");
    let target = match effect(registry, tool) {
        Some(Effect::Edit) => Target::Edit(arg.map(|a| PathPattern::parse(a, home)).transpose()?),
        Some(Effect::Read) => Target::Read(arg.map(|a| PathPattern::parse(a, home)).transpose()?),
        Some(Effect::Command) => Target::Command(arg.map(str::to_string)),
        None => {
            return Err(format!(
                "unknown tool; the tools are {} (and Claude Code's Bash, Edit, Write, Read, Grep, Glob)",
                registry.names().join(", ")
            ));
        }
    };
    Ok(Rule {
        list,
        target,
        text: text.to_string(),
        source: source.clone(),
    })
}

/// Splits `a, b(c, d) e` into `a`, `b(c, d)`, `e`.
pub fn split_rules(spec: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    for c in spec.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth = depth.saturating_sub(1);
                cur.push(c);
            }
            ',' | ' ' if depth == 0 => {
                if !cur.trim().is_empty() {
                    out.push(cur.trim().to_string());
                }
                cur.clear();
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// The home directory, for `~/` patterns.
pub fn home() -> Option<PathBuf> {
    std::env::var_os("HOME").map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(list: RuleList, rule: &str, claude: bool) -> RuleEntry {
        RuleEntry {
            list,
            rule: rule.into(),
            source: Source::Flag("flag --allowed-tools"),
            claude,
        }
    }

    #[test]
    fn splits_rules_outside_parentheses() {
        assert_eq!(
            split_rules("edit_file(src/**), run_command(cargo test:*) read_file"),
            [
                "edit_file(src/**)",
                "run_command(cargo test:*)",
                "read_file"
            ]
        );
    }

    #[test]
    fn claude_names_are_aliases() {
        let (rules, notes) = parse_all(
            &[
                entry(
                    RuleList::Allow,
                    "Bash(cargo test:*) Edit(src/**) Write",
                    false,
                ),
                entry(RuleList::Deny, "Read(./secrets/**)", false),
                entry(
                    RuleList::Allow,
                    "WebFetch(domain:x.org) mcp__gh__list",
                    true,
                ),
            ],
            None,
        )
        .unwrap();
        assert!(matches!(&rules[0].target, Target::Command(Some(c)) if c == "cargo test:*"));
        assert!(matches!(&rules[1].target, Target::Edit(Some(_))));
        assert!(matches!(&rules[2].target, Target::Edit(None)));
        assert!(matches!(&rules[3].target, Target::Read(Some(_))));
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn rule_errors_are_precise() {
        let e = parse_all(&[entry(RuleList::Allow, "frob(x)", false)], None).unwrap_err();
        assert!(e.why.contains("unknown tool"), "{e}");
        let e = parse_all(&[entry(RuleList::Allow, "edit_file(src/**", false)], None).unwrap_err();
        assert!(e.why.contains("closing"), "{e}");
        assert!(e.to_string().contains("flag --allowed-tools"), "{e}");
    }

    #[test]
    fn path_patterns_follow_claude_code() {
        let root = Path::new("/ws");
        let p = |s: &str| PathPattern::parse(s, Some(Path::new("/home/u"))).unwrap();
        assert!(p("src/**").matches(root, "src/a/b.rs"));
        assert!(!p("src/**").matches(root, "Cargo.toml"));
        // As in .gitignore: `src/*` names `src/a` too, and so what it holds.
        assert!(p("src/*").matches(root, "src/a/b.rs"));
        assert!(!p("src/*.rs").matches(root, "src/a/b.rs"));
        assert!(p("src/*.rs").matches(root, "src/b.rs"));
        // No slash: any depth, and a directory covers what it holds.
        assert!(p(".env").matches(root, "config/.env"));
        assert!(p("*.pem").matches(root, "a/b/key.pem"));
        assert!(p("./secrets").matches(root, "secrets/db/pass.txt"));
        assert!(p("./secrets/**").matches(root, "secrets/x"));
        assert!(!p("./secrets/**").matches(root, "other/secrets/x"));
        assert!(p("/docs/*.md").matches(root, "docs/a.md"));
        assert!(p("//ws/build.rs").matches(root, "build.rs"));
        assert!(p("~/ws/x").matches(Path::new("/home/u/ws"), "x"));
        assert!(p("*").matches(root, "anything/at/all"));
    }
}
