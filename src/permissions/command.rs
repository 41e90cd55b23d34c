//! Judging a shell command against command rules (`cargo test:*` as a prefix of words, `make`
//! exactly). Interim: the separator check this replaces is kept until the allowlist judge lands.

/// What the rules say of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Judgement {
    Allowed,
    NotAllowed { why: String },
    Unjudgeable { why: String },
}

fn matches_one(command: &str, pattern: &str) -> bool {
    let rule = match pattern.strip_suffix(":*") {
        Some(p) => crate::agent::CommandRule {
            exact: Vec::new(),
            prefixes: vec![p.trim().to_string()],
        },
        None => crate::agent::CommandRule {
            exact: vec![pattern.trim().to_string()],
            prefixes: Vec::new(),
        },
    };
    rule.allows(command)
}

/// Whether the allow patterns allow `command`.
pub fn judge(command: &str, patterns: &[&str]) -> Judgement {
    if patterns.iter().any(|p| matches_one(command, p)) {
        Judgement::Allowed
    } else {
        Judgement::NotAllowed {
            why: format!("`{command}` is not allowed by any rule"),
        }
    }
}

/// Whether any part of `command` matches `pattern` (for deny and ask rules).
pub fn any_part_matches(command: &str, pattern: &str) -> bool {
    let head = pattern.trim_end_matches(":*").trim();
    command.split(['&', ';', '|', '\n']).any(|part| {
        let part = part.trim();
        part == head || part.starts_with(&format!("{head} "))
    })
}
