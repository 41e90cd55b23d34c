//! The tools the model can call: their schemas (from `prompts/tools.json`), the parsing of a
//! call's JSON arguments into a typed [`Call`], and the execution of the read-only tools and of
//! commands.
//!
//! This module never applies an edit itself: edit calls are parsed into the edit engine's
//! operations and handed back to the agent, which previews them, asks the approval policy and
//! applies them through `crate::edit`. It never decides whether a command may run either; the
//! agent asks first. Tool names and argument names are a contract (transcripts, tests and
//! scripts depend on them).

mod command;
mod read;

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

pub use command::{CommandOutput, Finished, STREAM_LIMIT, kill_group, run_command, shell};
pub use read::{ReadLimits, list_files, read_file, search, secret};

use crate::edit::EditOp;

/// The tool schemas exactly as sent in every request.
pub fn schemas() -> &'static [Value] {
    static SCHEMAS: OnceLock<Vec<Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        // The file is checked by a unit test in `prompts`; an empty list is the safe fallback.
        serde_json::from_str(crate::prompts::TOOLS_JSON).unwrap_or_default()
    })
}

/// Every tool's name, in schema order.
pub const NAMES: [&str; 7] = [
    "read_file",
    "list_files",
    "search",
    "edit_file",
    "write_file",
    "apply_patch",
    "run_command",
];

/// The tools that cannot change anything.
pub const READ_ONLY: [&str; 3] = ["read_file", "list_files", "search"];

/// A parsed tool call.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    ReadFile {
        path: String,
        offset: Option<usize>,
        limit: Option<usize>,
    },
    ListFiles {
        path: Option<String>,
        pattern: Option<String>,
    },
    Search {
        pattern: String,
        path: Option<String>,
        glob: Option<String>,
    },
    /// `edit_file`, `write_file` or `apply_patch`, already turned into edit operations.
    Edit { ops: Vec<EditOp> },
    RunCommand {
        command: String,
        timeout_s: Option<u64>,
    },
}

/// Why a call could not be parsed: the text goes back to the model as the tool's result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    #[error("{}", crate::prompts::tool_error("unknown_tool", &[("name", .name), ("tools", &NAMES.join(", "))]))]
    UnknownTool { name: String },
    #[error("{}", crate::prompts::tool_error("bad_arguments", &[("name", .name), ("error", .error)]))]
    BadArguments { name: String, error: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadArgs {
    path: String,
    offset: Option<usize>,
    limit: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListArgs {
    path: Option<String>,
    pattern: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchArgs {
    pattern: String,
    path: Option<String>,
    glob: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommandArgs {
    command: String,
    timeout_s: Option<u64>,
}

/// Parses a call from its name and raw JSON arguments (as the model streamed them).
pub fn parse_call(name: &str, arguments: &str) -> Result<Call, ToolError> {
    let bad = |error: String| ToolError::BadArguments {
        name: name.to_string(),
        error,
    };
    // Some servers send "" for a call without arguments.
    let raw = if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    };
    let value: Value = serde_json::from_str(raw).map_err(|e| bad(format!("invalid JSON ({e})")))?;
    fn typed<T: for<'de> Deserialize<'de>>(v: Value) -> Result<T, String> {
        serde_json::from_value(v).map_err(|e| e.to_string())
    }
    match name {
        "read_file" => {
            let a: ReadArgs = typed(value).map_err(bad)?;
            Ok(Call::ReadFile {
                path: a.path,
                offset: a.offset,
                limit: a.limit,
            })
        }
        "list_files" => {
            let a: ListArgs = typed(value).map_err(bad)?;
            Ok(Call::ListFiles {
                path: a.path,
                pattern: a.pattern,
            })
        }
        "search" => {
            let a: SearchArgs = typed(value).map_err(bad)?;
            Ok(Call::Search {
                pattern: a.pattern,
                path: a.path,
                glob: a.glob,
            })
        }
        "run_command" => {
            let a: CommandArgs = typed(value).map_err(bad)?;
            if a.command.trim().is_empty() {
                return Err(bad("`command` is empty".to_string()));
            }
            Ok(Call::RunCommand {
                command: a.command,
                timeout_s: a.timeout_s,
            })
        }
        "edit_file" | "write_file" | "apply_patch" => crate::edit::parse_tool_call(name, &value)
            .map(|ops| Call::Edit { ops })
            .map_err(|e| bad(e.to_string())),
        _ => Err(ToolError::UnknownTool {
            name: name.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn schema_names_match_the_contract() {
        let names: Vec<&str> = schemas()
            .iter()
            .filter_map(|s| s["function"]["name"].as_str())
            .collect();
        assert_eq!(names, NAMES);
    }

    #[test]
    fn parses_read_with_and_without_paging() {
        assert_eq!(
            parse_call("read_file", r#"{"path":"a.rs"}"#).unwrap(),
            Call::ReadFile {
                path: "a.rs".into(),
                offset: None,
                limit: None
            }
        );
        assert_eq!(
            parse_call("read_file", r#"{"path":"a.rs","offset":5,"limit":10}"#).unwrap(),
            Call::ReadFile {
                path: "a.rs".into(),
                offset: Some(5),
                limit: Some(10)
            }
        );
    }

    #[test]
    fn empty_arguments_are_an_empty_object() {
        assert_eq!(
            parse_call("list_files", "").unwrap(),
            Call::ListFiles {
                path: None,
                pattern: None
            }
        );
    }

    #[test]
    fn bad_calls_say_what_to_fix() {
        let e = parse_call("read_file", "{\"path\": ")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`read_file`") && e.contains("invalid JSON"),
            "{e}"
        );
        let e = parse_call("read_file", r#"{"file":"a"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown field `file`"), "{e}");
        let e = parse_call("frobnicate", "{}").unwrap_err().to_string();
        assert!(
            e.contains("no tool named `frobnicate`") && e.contains("read_file"),
            "{e}"
        );
        let e = parse_call("run_command", r#"{"command":"  "}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("empty"), "{e}");
    }

    #[test]
    fn edit_calls_become_operations() {
        let c = parse_call(
            "edit_file",
            r#"{"path":"a","old_string":"x","new_string":"y"}"#,
        )
        .unwrap();
        assert!(
            matches!(c, Call::Edit { ref ops } if ops.len() == 1),
            "{c:?}"
        );
    }

    proptest! {
        #[test]
        fn parse_call_never_panics(name in "[a-z_]{0,12}", args in ".{0,200}") {
            let _ = parse_call(&name, &args);
        }

        #[test]
        fn parse_call_never_panics_on_known_tools(i in 0usize..7, args in ".{0,200}") {
            let _ = parse_call(NAMES[i], &args);
        }
    }
}
