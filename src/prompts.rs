//! Every text the model sees, compiled in from `prompts/` so that a prompt change is a reviewable
//! diff of a text file, never a string buried in code.
//!
//! Texts with `{name}` holes are filled by [`fill`]; nothing else edits them, which keeps the
//! system prompt and tool schemas byte-identical across the requests of a session (the provider's
//! prefix cache depends on it).

/// The agent's system prompt when the model calls tools.
pub const SYSTEM: &str = include_str!("../prompts/system.md");
/// The agent's system prompt when edits travel as text blocks (no tool calling).
pub const SYSTEM_BLOCKS: &str = include_str!("../prompts/system_blocks.md");
/// The heading of the project-context message (instructions and repo map).
pub const PROJECT_CONTEXT: &str = include_str!("../prompts/project_context.md");
/// The instruction for summarising older turns when the context window fills.
pub const COMPACT: &str = include_str!("../prompts/compact.md");
/// `hone lint-fix`'s instruction to the model, in sections (see `lint::prompt::section`).
pub const LINT_FIX: &str = include_str!("../prompts/lint_fix.md");
/// The JSON schemas of the tools, as sent in every request.
pub const TOOLS_JSON: &str = include_str!("../prompts/tools.json");
/// Model-facing error texts, one `key: text` per line.
const TOOL_ERRORS: &str = include_str!("../prompts/tool_errors.md");

/// The model-facing error text for `key`, with `{name}` holes filled from `vars`.
pub fn tool_error(key: &str, vars: &[(&str, &str)]) -> String {
    let template = TOOL_ERRORS
        .lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(": ")))
        .unwrap_or(key);
    fill(template, vars)
}

/// Replaces each `{name}` in `template` with its value; unknown holes stay as they are.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_schemas_parse_and_name_the_contract() {
        let v: serde_json::Value = serde_json::from_str(TOOLS_JSON).unwrap();
        let names: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["function"]["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "read_file",
                "list_files",
                "search",
                "edit_file",
                "write_file",
                "apply_patch",
                "run_command"
            ]
        );
    }

    #[test]
    fn tool_error_fills_holes() {
        let t = tool_error("unknown_tool", &[("name", "frob"), ("tools", "a, b")]);
        assert_eq!(t, "there is no tool named `frob`. The tools are: a, b.");
        assert_eq!(tool_error("no_such_key", &[]), "no_such_key");
    }

    #[test]
    fn every_error_key_is_present() {
        for key in [
            "unknown_tool",
            "bad_arguments",
            "declined_edit",
            "declined_command",
            "not_allowed_command",
            "not_allowed_path",
            "loop",
            "cancelled",
        ] {
            assert_ne!(tool_error(key, &[]), key, "{key}");
        }
    }
}
