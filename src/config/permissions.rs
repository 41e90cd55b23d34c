//! Permission settings as written: the starting mode and the allow / ask / deny rule lists, from
//! hone's own config files (`[permissions]`), Claude Code's settings files (`permissions` in
//! `~/.claude/settings.json`, `.claude/settings.json`, `.claude/settings.local.json`) and the
//! flags, each rule kept with where it came from.
//!
//! Owns one rule of trust: a repository's own files (`.hone/config.toml`, `.claude/settings*.json`)
//! may tighten — add deny and ask rules, start in a stricter mode — but an allow rule or a looser
//! starting mode from them counts only once the person trusts the repository; until then it is
//! set aside and listed, never silently dropped. Must not judge a rule (that is
//! `crate::permissions`): here rules are strings.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, Source};

/// How much runs without asking. Ordered from the strictest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum PermissionMode {
    /// The model may only read; it ends with a plan for the person.
    Plan,
    /// Edits and commands are asked (or refused when nobody can be asked).
    #[default]
    Default,
    /// Edits are applied (and journalled); commands are asked.
    AcceptEdits,
    /// Nothing is asked (only with the sandbox on, or a dangerous flag).
    Bypass,
}

impl PermissionMode {
    pub const ALL: [PermissionMode; 4] = [
        PermissionMode::Default,
        PermissionMode::AcceptEdits,
        PermissionMode::Plan,
        PermissionMode::Bypass,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PermissionMode::Default => "default",
            PermissionMode::AcceptEdits => "accept-edits",
            PermissionMode::Plan => "plan",
            PermissionMode::Bypass => "bypass",
        }
    }

    /// Claude Code's name of the mode (`-p`'s init event uses it).
    pub fn claude_name(self) -> &'static str {
        match self {
            PermissionMode::Default => "default",
            PermissionMode::AcceptEdits => "acceptEdits",
            PermissionMode::Plan => "plan",
            PermissionMode::Bypass => "bypassPermissions",
        }
    }

    /// hone's names and Claude Code's (`acceptEdits`, `bypassPermissions`).
    pub fn parse(s: &str) -> Option<PermissionMode> {
        Some(match s {
            "default" => PermissionMode::Default,
            "accept-edits" | "acceptEdits" => PermissionMode::AcceptEdits,
            "plan" => PermissionMode::Plan,
            "bypass" | "bypassPermissions" => PermissionMode::Bypass,
            _ => return None,
        })
    }
}

/// Which list a rule is in. Deny wins over ask, ask over allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleList {
    Allow,
    Ask,
    Deny,
}

impl RuleList {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleList::Allow => "allow",
            RuleList::Ask => "ask",
            RuleList::Deny => "deny",
        }
    }
}

/// One rule as written, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleEntry {
    pub list: RuleList,
    pub rule: String,
    pub source: Source,
    /// From a Claude Code settings file: a rule for a tool hone does not have is noted, not an
    /// error (the file is shared with Claude Code).
    pub claude: bool,
}

/// What a repository's files asked for and did not get, because it is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetAside {
    /// As a person reads it: "allow rule `Bash(make:*)`", "mode accept-edits".
    pub what: String,
    pub source: Source,
    /// Trusting the repository would let it count (a mode hone lacks never counts).
    pub needs_trust: bool,
}

/// The permission settings, merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PermissionConfig {
    pub mode: PermissionMode,
    pub mode_source: Source,
    /// Every rule in force, lowest layer first.
    pub rules: Vec<RuleEntry>,
    /// A repository's loosening wishes, set aside until it is trusted.
    pub set_aside: Vec<SetAside>,
    /// Whether this workspace is trusted (remembered, or `--trust-project`).
    pub trusted: bool,
    /// The commands of the hooks the settings files name (their scripts are protected like the
    /// settings themselves).
    pub hook_commands: Vec<String>,
}

/// `[permissions]` in hone's config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionsTable {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub ask: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
    pub default_mode: Option<String>,
}

/// The part of a Claude Code settings file hone reads; everything else in it is Claude Code's.
#[derive(Debug, Clone, Default, Deserialize)]
struct ClaudeSettings {
    #[serde(default)]
    permissions: ClaudePermissions,
    #[serde(default)]
    hooks: serde_json::Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClaudePermissions {
    #[serde(default)]
    allow: Vec<String>,
    #[serde(default)]
    ask: Vec<String>,
    #[serde(default)]
    deny: Vec<String>,
    default_mode: Option<String>,
}

/// One file's permission settings, before the merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub source: Source,
    /// A repository's own file (needs trust to loosen anything).
    pub project: bool,
    pub claude: bool,
    pub allow: Vec<String>,
    pub ask: Vec<String>,
    pub deny: Vec<String>,
    pub mode: Option<String>,
    /// Every `command` of the file's `hooks`.
    pub hook_commands: Vec<String>,
}

impl Layer {
    /// From hone's own config file's `[permissions]`.
    pub fn from_table(source: Source, project: bool, t: &PermissionsTable) -> Layer {
        Layer {
            source,
            project,
            claude: false,
            allow: t.allow.clone(),
            ask: t.ask.clone(),
            deny: t.deny.clone(),
            mode: t.default_mode.clone(),
            hook_commands: Vec::new(),
        }
    }
}

/// Reads a Claude Code settings file; `None` when it does not exist.
pub fn read_claude(path: &Path, project: bool) -> Result<Option<Layer>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    parse_claude(path, &text, project).map(Some)
}

/// Parses a Claude Code settings file's text.
pub fn parse_claude(path: &Path, text: &str, project: bool) -> Result<Layer, ConfigError> {
    let s: ClaudeSettings = serde_json::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.to_path_buf(),
        line: e.line(),
        column: e.column(),
        field: Some("permissions".to_string()),
        message: e.to_string(),
    })?;
    let p = s.permissions;
    let mut hook_commands = Vec::new();
    collect_commands(&s.hooks, &mut hook_commands);
    let source = if project {
        Source::Project(path.to_path_buf())
    } else {
        Source::User(path.to_path_buf())
    };
    Ok(Layer {
        source,
        project,
        claude: true,
        allow: p.allow,
        ask: p.ask,
        deny: p.deny,
        mode: p.default_mode,
        hook_commands,
    })
}

/// Every string under a `command` key, at any depth (Claude Code's hooks nest them in matcher
/// groups).
fn collect_commands(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match v {
                    serde_json::Value::String(s) if k == "command" => out.push(s.clone()),
                    other => collect_commands(other, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_commands(v, out)),
        _ => {}
    }
}

/// The flags' part: `--permission-mode`, `--allowed-tools`, `--disallowed-tools`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlagRules {
    pub mode: Option<(PermissionMode, &'static str)>,
    pub allow: Vec<(String, &'static str)>,
    pub deny: Vec<(String, &'static str)>,
}

/// Merges the layers (lowest first) and the flags. A repository's file adds deny and ask rules
/// and may start in a stricter mode; its allow rules and looser modes wait for trust.
pub fn merge(
    layers: &[Layer],
    flags: &FlagRules,
    trusted: bool,
) -> Result<PermissionConfig, ConfigError> {
    let mut c = PermissionConfig {
        trusted,
        ..PermissionConfig::default()
    };
    for l in layers {
        c.hook_commands.extend(l.hook_commands.iter().cloned());
        let gated = l.project && !trusted;
        for (list, rules) in [
            (RuleList::Deny, &l.deny),
            (RuleList::Ask, &l.ask),
            (RuleList::Allow, &l.allow),
        ] {
            for rule in rules {
                if gated && list == RuleList::Allow {
                    c.set_aside.push(SetAside {
                        what: format!("allow rule `{rule}`"),
                        source: l.source.clone(),
                        needs_trust: true,
                    });
                    continue;
                }
                c.rules.push(RuleEntry {
                    list,
                    rule: rule.clone(),
                    source: l.source.clone(),
                    claude: l.claude,
                });
            }
        }
        if let Some(m) = &l.mode {
            let Some(mode) = PermissionMode::parse(m) else {
                if l.claude {
                    // Claude Code's own modes hone does not have (`auto`, `dontAsk`): the file
                    // is shared, so this is not an error; the mode stays.
                    c.set_aside.push(SetAside {
                        what: format!("mode `{m}` (hone does not have it)"),
                        source: l.source.clone(),
                        needs_trust: false,
                    });
                    continue;
                }
                return Err(invalid_mode(&l.source, m));
            };
            // Bypass is never a repository's to choose; a looser mode needs trust.
            if l.project && (mode == PermissionMode::Bypass || (gated && mode > c.mode)) {
                c.set_aside.push(SetAside {
                    what: format!("mode {}", mode.as_str()),
                    source: l.source.clone(),
                    needs_trust: mode != PermissionMode::Bypass,
                });
                continue;
            }
            c.mode = mode;
            c.mode_source = l.source.clone();
        }
    }
    for (list, rules) in [
        (RuleList::Deny, &flags.deny),
        (RuleList::Allow, &flags.allow),
    ] {
        for (rule, label) in rules {
            c.rules.push(RuleEntry {
                list,
                rule: rule.clone(),
                source: Source::Flag(label),
                claude: false,
            });
        }
    }
    if let Some((mode, label)) = flags.mode {
        c.mode = mode;
        c.mode_source = Source::Flag(label);
    }
    Ok(c)
}

fn invalid_mode(source: &Source, m: &str) -> ConfigError {
    let path = match source {
        Source::User(p) | Source::Project(p) => p.clone(),
        _ => PathBuf::new(),
    };
    ConfigError::Invalid {
        path,
        line: None,
        field: "permissions.default_mode".to_string(),
        message: format!(
            "unknown mode `{m}`; the modes are {}",
            PermissionMode::ALL.map(PermissionMode::as_str).join(", ")
        ),
    }
}

/// The Claude Code settings files hone reads, lowest layer first: the user's, then the
/// repository's shared and local ones.
pub fn claude_files(home: Option<&Path>, workspace: &Path) -> Vec<(PathBuf, bool)> {
    let mut files = Vec::new();
    if let Some(h) = home {
        files.push((h.join(".claude").join("settings.json"), false));
    }
    let dir = workspace.join(".claude");
    files.push((dir.join("settings.json"), true));
    files.push((dir.join("settings.local.json"), true));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(project: bool, allow: &[&str], deny: &[&str], mode: Option<&str>) -> Layer {
        let path = if project {
            "/ws/.claude/settings.json"
        } else {
            "/home/u/.claude/settings.json"
        };
        Layer {
            source: if project {
                Source::Project(path.into())
            } else {
                Source::User(path.into())
            },
            project,
            claude: true,
            allow: allow.iter().map(|s| s.to_string()).collect(),
            ask: Vec::new(),
            deny: deny.iter().map(|s| s.to_string()).collect(),
            mode: mode.map(str::to_string),
            hook_commands: Vec::new(),
        }
    }

    #[test]
    fn an_untrusted_repository_tightens_but_does_not_loosen() {
        let layers = [
            layer(false, &["Bash(make:*)"], &[], Some("acceptEdits")),
            layer(
                true,
                &["Bash(rm:*)"],
                &["Read(./secrets/**)"],
                Some("bypassPermissions"),
            ),
        ];
        let c = merge(&layers, &FlagRules::default(), false).unwrap();
        let rules: Vec<_> = c.rules.iter().map(|r| (r.list, r.rule.as_str())).collect();
        assert_eq!(
            rules,
            [
                (RuleList::Allow, "Bash(make:*)"),
                (RuleList::Deny, "Read(./secrets/**)")
            ]
        );
        assert_eq!(c.mode, PermissionMode::AcceptEdits);
        let aside: Vec<_> = c.set_aside.iter().map(|s| s.what.as_str()).collect();
        assert_eq!(aside, ["allow rule `Bash(rm:*)`", "mode bypass"]);
        // A stricter mode from the repository applies.
        let c = merge(
            &[layer(true, &[], &[], Some("plan"))],
            &FlagRules::default(),
            false,
        )
        .unwrap();
        assert_eq!(c.mode, PermissionMode::Plan);
    }

    #[test]
    fn a_trusted_repository_adds_allow_rules_and_modes_but_never_bypass() {
        let layers = [layer(true, &["Bash(make:*)"], &[], Some("acceptEdits"))];
        let c = merge(&layers, &FlagRules::default(), true).unwrap();
        assert_eq!(c.rules.len(), 1);
        assert_eq!(c.mode, PermissionMode::AcceptEdits);
        let c = merge(
            &[layer(true, &[], &[], Some("bypass"))],
            &FlagRules::default(),
            true,
        )
        .unwrap();
        assert_eq!(c.mode, PermissionMode::Default);
    }

    #[test]
    fn flags_come_last() {
        let flags = FlagRules {
            mode: Some((PermissionMode::Plan, "flag --permission-mode")),
            allow: vec![("Edit".into(), "flag --allowed-tools")],
            deny: vec![("Bash".into(), "flag --disallowed-tools")],
        };
        let c = merge(
            &[layer(false, &[], &[], Some("acceptEdits"))],
            &flags,
            false,
        )
        .unwrap();
        assert_eq!(c.mode, PermissionMode::Plan);
        assert_eq!(c.mode_source, Source::Flag("flag --permission-mode"));
        assert_eq!(c.rules.len(), 2);
    }

    #[test]
    fn claude_files_parse_and_unknown_modes_are_noted() {
        let l = parse_claude(
            Path::new("/ws/.claude/settings.json"),
            r#"{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/check.sh"}]}]}, "permissions": {"allow": ["Bash(npm run test:*)"], "defaultMode": "dontAsk"}}"#,
            true,
        )
        .unwrap();
        assert_eq!(l.allow, ["Bash(npm run test:*)"]);
        assert_eq!(
            l.hook_commands,
            ["\"$CLAUDE_PROJECT_DIR\"/.claude/hooks/check.sh"]
        );
        let c = merge(&[l], &FlagRules::default(), true).unwrap();
        assert_eq!(c.mode, PermissionMode::Default);
        assert!(c.set_aside[0].what.contains("dontAsk"), "{:?}", c.set_aside);
        let e = parse_claude(Path::new("/x.json"), "{\n  \"permissions\": [", true).unwrap_err();
        assert!(e.to_string().starts_with("/x.json:2:"), "{e}");
    }

    #[test]
    fn modes_parse_in_both_spellings() {
        for m in PermissionMode::ALL {
            assert_eq!(PermissionMode::parse(m.as_str()), Some(m));
            assert_eq!(PermissionMode::parse(m.claude_name()), Some(m));
        }
        assert!(PermissionMode::Plan < PermissionMode::Default);
        assert!(PermissionMode::AcceptEdits < PermissionMode::Bypass);
    }
}
