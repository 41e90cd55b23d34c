//! Whether a tool call may happen: the permission mode, the allow / ask / deny rules from every
//! settings file and flag, and the paths that hold hone's and Claude Code's own settings, weighed
//! the same way in every front end. [`Permissions`] is the one approval policy; the person (when
//! there is one) is asked only what the rules leave open.
//!
//! The order, for every call: a write to a protected path is asked (never passed by a rule or a
//! mode other than bypass); a deny rule refuses; plan mode refuses anything but reading; an ask
//! rule asks; bypass allows; accept-edits allows edits; an allow rule allows; anything else is
//! asked — or refused, with how to allow it, when nobody can be asked. Paths are judged where they
//! resolve (a symlink `src/up -> ..` does not put `src/up/build.rs` under `src/**`). Must not
//! print or read the keyboard: asking is the person's [`Approver`]'s job.

pub mod command;
mod protect;
mod rule;

use std::path::Path;

pub use protect::is_protected;
pub use rule::{PathPattern, Rule, RuleError, Target, split_rules};

use crate::agent::{Approver, Decision};
use crate::config::{PermissionConfig, PermissionMode, RuleList};
use crate::edit::{Plan, Workspace};
use crate::prompts::{Text, text};
use crate::tools::ReadFilter;

/// The session's permissions: mode, rules and protected paths. A [`Gate`] pairs them with the
/// person (if any) to make the approval policy of a run.
pub struct Permissions {
    pub mode: PermissionMode,
    rules: Vec<Rule>,
    /// Notes on rules that were read but do nothing in hone (another tool's).
    pub notes: Vec<String>,
    ws: Option<Workspace>,
    /// Files the settings name that must be protected like settings (hook scripts).
    protected_files: Vec<String>,
    /// Appended to a refusal when nobody could be asked: how the user allows it.
    pub how_to_allow: String,
}

impl Permissions {
    /// The permissions of a workspace, from its settings.
    pub fn new(root: &Path, settings: &PermissionConfig) -> Result<Permissions, RuleError> {
        let home = rule::home();
        let (rules, notes) = rule::parse_all(&settings.rules, home.as_deref())?;
        Ok(Permissions {
            mode: settings.mode,
            rules,
            notes,
            ws: Workspace::new(root).ok(),
            protected_files: protect::hook_scripts(root, &settings.hook_commands),
            how_to_allow: String::new(),
        })
    }

    /// Every rule in force, for `hone config` and `/permissions`.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    fn root(&self) -> &Path {
        self.ws.as_ref().map_or(Path::new(""), |w| w.root())
    }

    fn judged_paths(&self, rel: &str) -> Vec<String> {
        judged_paths(self.ws.as_ref(), rel)
    }

    /// The first rule of `list` about edits (or reads) that matches any of `paths`.
    fn path_rule(&self, list: RuleList, edit: bool, paths: &[String]) -> Option<&Rule> {
        path_rule(&self.rules, self.root(), list, edit, paths)
    }

    /// Whether allow rules cover every one of `paths` (each as typed and as resolved).
    fn edits_allowed(&self, paths: &[Vec<String>]) -> bool {
        paths.iter().all(|forms| {
            forms.iter().all(|f| {
                self.path_rule(RuleList::Allow, true, std::slice::from_ref(f))
                    .is_some()
            })
        })
    }

    /// Why no rule allows these edits, for a refusal when nobody can be asked.
    fn unallowed_edit(&self, forms: &[Vec<String>]) -> String {
        let globs: Vec<&str> = self
            .rules
            .iter()
            .filter(|r| r.list == RuleList::Allow && matches!(r.target, Target::Edit(_)))
            .map(|r| r.text.as_str())
            .collect();
        let outside = forms.iter().flatten().find(|f| {
            self.path_rule(RuleList::Allow, true, std::slice::from_ref(*f))
                .is_none()
        });
        let why = match outside {
            Some(path) if !globs.is_empty() => text(
                Text::RuleOutsidePaths,
                &[("path", path), ("rules", &globs.join(", "))],
            ),
            _ => text(Text::RuleReadOnlySession, &[]),
        };
        if self.how_to_allow.is_empty() {
            why
        } else {
            format!("{why}; {}", self.how_to_allow)
        }
    }

    /// The first rule of `list` that matches a part of `command`. `Err` when the command
    /// cannot be read for rules at all (`$(…)`, redirections) while such rules exist: the
    /// caller must not take that for "no rule matched".
    fn command_rule(&self, list: RuleList, command: &str) -> Result<Option<&Rule>, String> {
        let mut unjudgeable = None;
        for r in self.rules.iter().filter(|r| r.list == list) {
            match &r.target {
                Target::Command(None) => return Ok(Some(r)),
                Target::Command(Some(p)) => {
                    match command::any_part_matches(command, std::slice::from_ref(p)) {
                        Ok(Some(_)) => return Ok(Some(r)),
                        Ok(None) => {}
                        Err(why) => unjudgeable = Some(why.to_string()),
                    }
                }
                _ => {}
            }
        }
        match unjudgeable {
            Some(why) => Err(why),
            None => Ok(None),
        }
    }

    /// The allow rules' command patterns; `None` when a bare rule allows every command.
    fn allowed_commands(&self) -> Option<Vec<command::CommandPattern>> {
        let mut out = Vec::new();
        for r in self.rules.iter().filter(|r| r.list == RuleList::Allow) {
            match &r.target {
                Target::Command(None) => return None,
                Target::Command(Some(p)) => out.push(p.clone()),
                _ => {}
            }
        }
        Some(out)
    }
}

/// The approval policy of a run: the permissions, and the person who is asked what they leave
/// open (`None`: nobody can be asked, so it is refused with how to allow it).
pub struct Gate<'a> {
    pub permissions: &'a Permissions,
    pub person: Option<&'a mut dyn Approver>,
}

impl<'a> Gate<'a> {
    pub fn new(permissions: &'a Permissions, person: Option<&'a mut dyn Approver>) -> Gate<'a> {
        Gate {
            permissions,
            person,
        }
    }

    fn denied(rule: &Rule) -> Decision {
        Decision::denied_by_policy(format!(
            " ({})",
            text(
                Text::RuleDenied,
                &[("rule", &rule.text), ("source", &rule.source.to_string())]
            )
        ))
    }

    fn plan_refusal() -> Decision {
        Decision::denied_by_policy(format!(" ({})", text(Text::RulePlanMode, &[])))
    }

    /// Asks the person, or refuses with `why` (or how to allow it) when nobody can be asked.
    fn ask_or(
        &mut self,
        why: Option<String>,
        ask: impl FnOnce(&mut dyn Approver) -> Decision,
    ) -> Decision {
        match self.person.as_mut() {
            Some(p) => ask(&mut **p),
            None => {
                let why = why.unwrap_or_else(|| self.permissions.how_to_allow.clone());
                Decision::denied_by_policy(if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                })
            }
        }
    }
}

impl Approver for Gate<'_> {
    fn run_started(&mut self) {
        if let Some(p) = self.person.as_mut() {
            p.run_started();
        }
    }

    fn cancelled(&self) -> bool {
        self.person.as_ref().is_some_and(|p| p.cancelled())
    }

    fn message_note(&self) -> Option<String> {
        let perms = self.permissions;
        (perms.mode == PermissionMode::Plan).then(|| text(Text::PlanModeNote, &[]))
    }

    fn approve_edit(&mut self, plan: &Plan) -> Decision {
        let perms = self.permissions;
        let forms: Vec<Vec<String>> = crate::agent::touched_paths(plan)
            .iter()
            .map(|p| perms.judged_paths(p))
            .collect();
        let all: Vec<String> = forms.iter().flatten().cloned().collect();
        if let Some(rule) = perms.path_rule(RuleList::Deny, true, &all) {
            return Self::denied(rule);
        }
        if perms.mode == PermissionMode::Plan {
            return Self::plan_refusal();
        }
        let protected = all
            .iter()
            .find(|p| is_protected(p, &perms.protected_files))
            .cloned();
        if let Some(path) = protected {
            if perms.mode == PermissionMode::Bypass {
                return Decision::Yes;
            }
            let why = text(Text::RuleProtected, &[("path", &path)]);
            return self.ask_or(Some(why), |p| p.approve_edit(plan));
        }
        if let Some(rule) = perms.path_rule(RuleList::Ask, true, &all) {
            let why = text(
                Text::RuleAskNobody,
                &[("rule", &rule.text), ("source", &rule.source.to_string())],
            );
            return self.ask_or(Some(why), |p| p.approve_edit(plan));
        }
        if let Some(p) = plan.read_only().first() {
            // A policy never writes through a file's missing write bit; a person may.
            let why = text(Text::RuleReadOnly, &[("path", p)]);
            return self.ask_or(Some(why), |person| person.approve_edit(plan));
        }
        if matches!(
            perms.mode,
            PermissionMode::Bypass | PermissionMode::AcceptEdits
        ) || perms.edits_allowed(&forms)
        {
            return Decision::Yes;
        }
        let why = perms.unallowed_edit(&forms);
        self.ask_or(Some(why), |p| p.approve_edit(plan))
    }

    fn approve_command(&mut self, command: &str) -> Decision {
        let perms = self.permissions;
        // A deny rule that cannot see through the command never lets it pass unasked.
        let deny_blind = match perms.command_rule(RuleList::Deny, command) {
            Ok(Some(rule)) => return Self::denied(rule),
            Ok(None) => None,
            Err(why) => Some(why),
        };
        if perms.mode == PermissionMode::Plan {
            return Self::plan_refusal();
        }
        if let Some(why) = deny_blind {
            let why = text(Text::RuleDenyBlind, &[("why", &why)]);
            return self.ask_or(Some(why), |p| p.approve_command(command));
        }
        // (An ask rule that cannot see through the command: the allow check below refuses to
        // judge it too, so it is asked all the same.)
        if let Ok(Some(rule)) = perms.command_rule(RuleList::Ask, command) {
            let why = text(
                Text::RuleAskNobody,
                &[("rule", &rule.text), ("source", &rule.source.to_string())],
            );
            return self.ask_or(Some(why), |p| p.approve_command(command));
        }
        if perms.mode == PermissionMode::Bypass {
            return Decision::Yes;
        }
        let Some(patterns) = perms.allowed_commands() else {
            return Decision::Yes;
        };
        let judgement = command::allowed(command, &patterns);
        match judgement.reason() {
            None => Decision::Yes,
            Some(why) => {
                let how = &perms.how_to_allow;
                let why = if how.is_empty() {
                    why
                } else {
                    format!("{why}; {how}")
                };
                self.ask_or(Some(why), |p| p.approve_command(command))
            }
        }
    }

    fn approve_read(&mut self, path: &str) -> Decision {
        let perms = self.permissions;
        let forms = perms.judged_paths(path);
        if let Some(rule) = perms.path_rule(RuleList::Deny, false, &forms) {
            return Self::denied(rule);
        }
        if let Some(rule) = perms.path_rule(RuleList::Ask, false, &forms) {
            let why = text(
                Text::RuleAskNobody,
                &[("rule", &rule.text), ("source", &rule.source.to_string())],
            );
            return self.ask_or(Some(why), |p| p.approve_read(path));
        }
        Decision::Yes
    }

    fn read_filter(&self) -> Option<ReadFilter> {
        let perms = self.permissions;
        let deny: Vec<Rule> = perms
            .rules
            .iter()
            .filter(|r| r.list == RuleList::Deny && matches!(r.target, Target::Read(_)))
            .cloned()
            .collect();
        if deny.is_empty() {
            return None;
        }
        let ws = perms.ws.clone();
        let root = perms.root().to_path_buf();
        Some(ReadFilter(std::sync::Arc::new(move |rel: &str| {
            let forms = judged_paths(ws.as_ref(), rel);
            path_rule(&deny, &root, RuleList::Deny, false, &forms).is_some()
        })))
    }

    fn approve_unsandboxed(&mut self, command: &str, why: &crate::sandbox::Blocked) -> Decision {
        let perms = self.permissions;
        if perms.mode == PermissionMode::Plan {
            return Self::plan_refusal();
        }
        match self.person.as_mut() {
            Some(p) => p.approve_unsandboxed(command, why),
            None => Decision::denied_by_policy(String::new()),
        }
    }
}

/// The paths a path names: as typed (normalised) and where it resolves, both relative to the
/// workspace. A path the jail refuses is judged as typed (the jail refuses it anyway).
fn judged_paths(ws: Option<&Workspace>, rel: &str) -> Vec<String> {
    let mut out = vec![rel.trim_start_matches("./").to_string()];
    if let Some(r) = ws.and_then(|ws| ws.resolved_relative(rel))
        && !out.contains(&r)
    {
        out.push(r);
    }
    out
}

/// The first rule of `list` about edits (`edit`) or reads that matches any of `paths`.
fn path_rule<'r>(
    rules: &'r [Rule],
    root: &Path,
    list: RuleList,
    edit: bool,
    paths: &[String],
) -> Option<&'r Rule> {
    rules.iter().filter(|r| r.list == list).find(|r| {
        let pattern = match (&r.target, edit) {
            (Target::Edit(p), true) | (Target::Read(p), false) => p,
            _ => return false,
        };
        match pattern {
            None => true,
            Some(p) => paths.iter().any(|path| p.matches(root, path)),
        }
    })
}

#[cfg(test)]
mod tests;
