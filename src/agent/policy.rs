//! Approval policies for when nobody is asked: rules written on the command line.
//!
//! Rules use Claude Code's `--allowedTools` syntax so scripts carry over: `edit_file(src/**)`
//! allows edits to paths matching the glob (any edit tool: `edit_file`, `write_file`,
//! `apply_patch`, or the alias `edit`), a bare `edit_file` allows every path, `run_command(cargo
//! test:*)` allows the command `cargo test` with any further words, `run_command(make)` exactly
//! `make`. Commands are judged by `permissions::command` (each simple command of a line must be
//! allowed; what a rule cannot see through is never allowed). A policy never asks anything; what
//! it does not allow is declined with a reason the model reads.

use globset::{Glob, GlobSet, GlobSetBuilder};

use super::event::{Approver, Decision};
use crate::edit::Plan;
use crate::permissions::command::{self, CommandPattern, Judgement};
use crate::tools::{Effect, Registry};

/// Which edits a policy allows.
#[derive(Debug, Clone, Default)]
pub enum EditRule {
    /// None: read-only.
    #[default]
    Never,
    /// Any path in the workspace.
    Any,
    /// Paths (relative, `/`-separated) matching one of the globs.
    Paths(GlobSet, Vec<String>),
}

/// Which commands a policy allows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandRule {
    /// Rules' patterns as written: `make` (exactly), `cargo test:*`, `npm run *`.
    pub exact: Vec<String>,
    /// Commands allowed by prefix (`cargo test` allows `cargo test -q`, not `cargo testx`).
    pub prefixes: Vec<String>,
}

impl CommandRule {
    /// The rule's patterns (one that does not parse allows nothing; `Rules::parse` refuses it).
    pub fn patterns(&self) -> Vec<CommandPattern> {
        let exact = self.exact.iter().map(|e| CommandPattern::parse(e));
        let prefixes = self.prefixes.iter().map(|p| CommandPattern::prefix(p));
        exact.chain(prefixes).filter_map(Result::ok).collect()
    }

    /// What the rule says of `command`: every simple command in it must be allowed.
    pub fn judge(&self, command: &str) -> Judgement {
        command::allowed(command, &self.patterns())
    }

    pub fn allows(&self, command: &str) -> bool {
        self.judge(command).is_allowed()
    }
}

/// A policy made of rules.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub edits: EditRule,
    pub commands: CommandRule,
    /// Appended to a refusal so the model (and the log) says how to allow it.
    pub how_to_allow: String,
}

/// A rule string that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot understand the tool rule `{rule}`: {why}")]
pub struct RuleError {
    pub rule: String,
    pub why: String,
}

impl Rules {
    /// Parses `--allowed-tools` values (each may hold several rules separated by commas or
    /// spaces outside parentheses).
    pub fn parse(specs: &[String]) -> Result<Rules, RuleError> {
        let registry = Registry::builtin();
        let mut rules = Rules::default();
        let mut globs = Vec::new();
        let mut any_edit = false;
        for spec in specs {
            for rule in split_rules(spec) {
                let (tool, arg) = match rule.find('(') {
                    Some(i) if rule.ends_with(')') => {
                        (&rule[..i], Some(&rule[i + 1..rule.len() - 1]))
                    }
                    Some(_) => {
                        return Err(RuleError {
                            rule: rule.clone(),
                            why: "missing the closing `)`".into(),
                        });
                    }
                    None => (rule.as_str(), None),
                };
                match (effect(&registry, tool), arg) {
                    (Some(Effect::Edit), None) => any_edit = true,
                    (Some(Effect::Edit), Some(g)) => {
                        Glob::new(g).map_err(|e| RuleError {
                            rule: rule.clone(),
                            why: e.to_string(),
                        })?;
                        globs.push(g.to_string());
                    }
                    (Some(Effect::Command), Some(c)) => {
                        CommandPattern::parse(c).map_err(|e| RuleError {
                            rule: rule.clone(),
                            why: e.to_string(),
                        })?;
                        rules.commands.exact.push(c.trim().to_string());
                    }
                    (Some(Effect::Command), None) => {
                        return Err(RuleError {
                            rule: rule.clone(),
                            why: "name the commands, e.g. `run_command(cargo test:*)`".into(),
                        });
                    }
                    (Some(Effect::Read), _) => {}
                    (None, _) => {
                        return Err(RuleError {
                            rule: rule.clone(),
                            why: format!(
                                "unknown tool; the tools are {}",
                                registry.names().join(", ")
                            ),
                        });
                    }
                }
            }
        }
        rules.edits = if any_edit {
            EditRule::Any
        } else if globs.is_empty() {
            EditRule::Never
        } else {
            let mut b = GlobSetBuilder::new();
            for g in &globs {
                // Checked above.
                if let Ok(glob) = Glob::new(g) {
                    b.add(glob);
                }
            }
            let set = b.build().map_err(|e| RuleError {
                rule: globs.join(","),
                why: e.to_string(),
            })?;
            EditRule::Paths(set, globs)
        };
        Ok(rules)
    }

    fn refusal(&self, what: &str) -> Decision {
        let mut reason = format!(" ({what})");
        if !self.how_to_allow.is_empty() {
            reason = format!(" ({what}; {})", self.how_to_allow);
        }
        Decision::denied_by_policy(reason)
    }
}

impl Approver for Rules {
    fn approve_edit(&mut self, plan: &Plan) -> Decision {
        let paths = super::touched_paths(plan);
        if let Some(p) = plan.read_only().first()
            && !matches!(self.edits, EditRule::Never)
        {
            return Decision::denied_by_policy(format!(
                " (`{p}` is read-only: a policy never writes through that; ask the user to make \
                 it writable)"
            ));
        }
        match &self.edits {
            EditRule::Never => self.refusal("this session is read-only"),
            EditRule::Any => Decision::Yes,
            EditRule::Paths(set, globs) => match paths.iter().find(|p| !set.is_match(p.as_str())) {
                None => Decision::Yes,
                Some(p) => self.refusal(&format!(
                    "`{p}` is outside the allowed paths {}",
                    globs.join(", ")
                )),
            },
        }
    }

    fn approve_command(&mut self, command: &str) -> Decision {
        match self.commands.judge(command).reason() {
            None => Decision::Yes,
            Some(why) => self.refusal(&why),
        }
    }
}

/// What a rule's tool name allows: a tool of the registry, or one of Claude Code's names for the
/// same kinds of tool (`Edit`, `Write`, `Bash`, `Read`, `Grep`, `Glob`; `edit` for any edit tool),
/// so `--allowedTools` lines carry over.
fn effect(registry: &Registry, tool: &str) -> Option<Effect> {
    match tool {
        "edit" | "Edit" | "Write" => Some(Effect::Edit),
        "Bash" => Some(Effect::Command),
        "Read" | "Grep" | "Glob" => Some(Effect::Read),
        name => registry.get(name).map(|t| t.effect()),
    }
}

/// Splits `a, b(c, d) e` into `a`, `b(c, d)`, `e`.
fn split_rules(spec: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn command_rules() {
        let r = Rules::parse(&[
            "run_command(cargo test:*)".into(),
            "run_command(make)".into(),
        ])
        .unwrap();
        assert!(r.commands.allows("cargo test"));
        assert!(r.commands.allows("cargo test -q --lib"));
        assert!(!r.commands.allows("cargo testx"));
        assert!(!r.commands.allows("cargo test; rm -rf /"));
        assert!(!r.commands.allows("cargo test && curl x"));
        assert!(r.commands.allows("make"));
        assert!(!r.commands.allows("make install"));
        assert!(!r.commands.allows("rm -rf /"));
    }

    #[test]
    fn rule_errors_are_precise() {
        let e = Rules::parse(&["frob(x)".into()]).unwrap_err();
        assert!(e.to_string().contains("unknown tool"), "{e}");
        let e = Rules::parse(&["run_command".into()]).unwrap_err();
        assert!(e.to_string().contains("name the commands"), "{e}");
        let e = Rules::parse(&["edit_file(src/**".into()]).unwrap_err();
        assert!(e.to_string().contains("closing"), "{e}");
    }

    #[test]
    fn edit_rules() {
        assert!(matches!(Rules::parse(&[]).unwrap().edits, EditRule::Never));
        assert!(matches!(
            Rules::parse(&["edit_file".into()]).unwrap().edits,
            EditRule::Any
        ));
        let r = Rules::parse(&["edit_file(src/**)".into()]).unwrap();
        let EditRule::Paths(set, _) = &r.edits else {
            panic!("{:?}", r.edits)
        };
        assert!(set.is_match("src/a/b.rs"));
        assert!(!set.is_match("Cargo.toml"));
    }
}
