//! The paths that hold hone's and Claude Code's own settings — `.hone/`, `.claude/`, `.mcp.json`,
//! `.codex/` — and the hook scripts those settings name. A write there changes what hone allows
//! and runs, so it is always asked (in every mode but bypass) and never passed by an allow rule:
//! a prompt injection must not be able to persist by rewriting the rules. Pure: paths in, yes or
//! no out.

use std::path::Path;

/// Directories (and files) at the workspace root that hold settings.
const SETTINGS: &[&str] = &[".hone", ".claude", ".codex", ".mcp.json"];

/// Whether the workspace-relative `rel` is a settings path or one of `extra` (hook scripts).
pub fn is_protected(rel: &str, extra: &[String]) -> bool {
    let rel = rel.trim_start_matches("./");
    let first = rel.split('/').next().unwrap_or(rel);
    SETTINGS.contains(&first) || extra.iter().any(|e| e == rel)
}

/// The workspace-relative paths of the scripts that hook `commands` run: each word that names a
/// file inside the workspace, with `$CLAUDE_PROJECT_DIR` standing for its root.
pub fn hook_scripts(root: &Path, commands: &[String]) -> Vec<String> {
    let root_s = root.to_string_lossy();
    let mut out = Vec::new();
    for c in commands {
        let c = c
            .replace("${CLAUDE_PROJECT_DIR}", &root_s)
            .replace("$CLAUDE_PROJECT_DIR", &root_s);
        for word in c.split_whitespace() {
            let word = word.replace(['"', '\''], "");
            let word = word.as_str();
            let path = Path::new(word);
            let rel = if path.is_absolute() {
                match path.strip_prefix(root) {
                    Ok(r) => r.to_string_lossy().into_owned(),
                    Err(_) => continue,
                }
            } else if word.contains('/') {
                word.trim_start_matches("./").to_string()
            } else {
                continue;
            };
            if !rel.is_empty() && !out.contains(&rel) {
                out.push(rel);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_paths_are_protected() {
        for p in [
            ".hone/config.toml",
            ".claude/settings.json",
            ".claude/settings.local.json",
            ".claude/hooks/x.sh",
            ".mcp.json",
            "./.hone/x",
        ] {
            assert!(is_protected(p, &[]), "{p}");
        }
        for p in ["src/.hone", "hone.toml", ".mcp.json.bak", "README.md"] {
            assert!(!is_protected(p, &[]), "{p}");
        }
        assert!(is_protected("scripts/lint.sh", &["scripts/lint.sh".into()]));
    }

    #[test]
    fn hook_scripts_are_found_in_commands() {
        let got = hook_scripts(
            Path::new("/ws"),
            &[
                "\"$CLAUDE_PROJECT_DIR\"/scripts/check.sh --fast".into(),
                "python3 tools/fmt.py".into(),
                "/usr/bin/jq . /ws/hooks/a.sh".into(),
                "echo hi".into(),
            ],
        );
        assert_eq!(got, ["scripts/check.sh", "tools/fmt.py", "hooks/a.sh"]);
    }
}
