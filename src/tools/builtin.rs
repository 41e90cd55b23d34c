//! The built-in tools: `read_file`, `list_files`, `search` (run here, read-only), `edit_file`,
//! `write_file`, `apply_patch` (ask the agent for an edit) and `run_command` (asks for a
//! command). Each name is written once, as the constant below; the schema and description each
//! tool sends are its entry of `prompts/tools.json`, which a unit test checks against the
//! arguments the tool parses.

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::{Action, Call, Effect, ReadLimits, Running, Tool};
use crate::edit::{EditTool, Workspace};

pub const READ_FILE: &str = "read_file";
pub const LIST_FILES: &str = "list_files";
pub const SEARCH: &str = "search";
pub const EDIT_FILE: &str = "edit_file";
pub const WRITE_FILE: &str = "write_file";
pub const APPLY_PATCH: &str = "apply_patch";
pub const RUN_COMMAND: &str = "run_command";

/// Every built-in tool, in the order of `prompts/tools.json`.
pub(super) fn all() -> Vec<Box<dyn Tool>> {
    [
        (READ_FILE, Kind::ReadFile),
        (LIST_FILES, Kind::ListFiles),
        (SEARCH, Kind::Search),
        (EDIT_FILE, Kind::Edit(EditTool::EditFile)),
        (WRITE_FILE, Kind::Edit(EditTool::WriteFile)),
        (APPLY_PATCH, Kind::Edit(EditTool::ApplyPatch)),
        (RUN_COMMAND, Kind::RunCommand),
    ]
    .into_iter()
    .map(|(name, kind)| Box::new(Builtin { name, kind }) as Box<dyn Tool>)
    .collect()
}

/// Which built-in tool, by what it does.
#[derive(Debug, Clone, Copy)]
enum Kind {
    ReadFile,
    ListFiles,
    Search,
    Edit(EditTool),
    RunCommand,
}

/// A built-in tool: its name and kind; the rest follows from them.
struct Builtin {
    name: &'static str,
    kind: Kind,
}

/// The schemas of `prompts/tools.json`, parsed once.
fn schemas() -> &'static [Value] {
    static SCHEMAS: OnceLock<Vec<Value>> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        // The file is checked by the unit tests; an empty list is the safe fallback.
        serde_json::from_str(crate::prompts::TOOLS_JSON).unwrap_or_default()
    })
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

fn typed<T: for<'de> Deserialize<'de>>(v: &Value) -> Result<T, String> {
    T::deserialize(v).map_err(|e| e.to_string())
}

impl Tool for Builtin {
    fn name(&self) -> &str {
        self.name
    }

    fn schema(&self) -> &Value {
        static NULL: Value = Value::Null;
        schemas()
            .iter()
            .find(|s| s["function"]["name"] == self.name)
            .unwrap_or(&NULL)
    }

    fn effect(&self) -> Effect {
        match self.kind {
            Kind::ReadFile | Kind::ListFiles | Kind::Search => Effect::Read,
            Kind::Edit(_) => Effect::Edit,
            Kind::RunCommand => Effect::Command,
        }
    }

    fn parse(&self, value: &Value) -> Result<Call, String> {
        match self.kind {
            Kind::ReadFile => {
                let a: ReadArgs = typed(value)?;
                Ok(Call::ReadFile {
                    path: a.path,
                    offset: a.offset,
                    limit: a.limit,
                })
            }
            Kind::ListFiles => {
                let a: ListArgs = typed(value)?;
                Ok(Call::ListFiles {
                    path: a.path,
                    pattern: a.pattern,
                })
            }
            Kind::Search => {
                let a: SearchArgs = typed(value)?;
                Ok(Call::Search {
                    pattern: a.pattern,
                    path: a.path,
                    glob: a.glob,
                })
            }
            Kind::RunCommand => {
                let a: CommandArgs = typed(value)?;
                if a.command.trim().is_empty() {
                    return Err("`command` is empty".to_string());
                }
                Ok(Call::RunCommand {
                    command: a.command,
                    timeout_s: a.timeout_s,
                })
            }
            // The edit engine reads its own arguments (with the aliases models use, such as
            // `file_path`).
            Kind::Edit(tool) => crate::edit::parse_tool_call(tool, value)
                .map(|ops| Call::Edit { ops })
                .map_err(|e| e.to_string()),
        }
    }

    fn describe(&self, call: &Call) -> String {
        let detail = match call {
            Call::ReadFile { path, .. } => path.clone(),
            Call::ListFiles { path, pattern } => [path.as_deref(), pattern.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
            Call::Search {
                pattern,
                path,
                glob,
            } => {
                let mut d = format!("/{pattern}/");
                if let Some(p) = path.as_ref().or(glob.as_ref()) {
                    d.push(' ');
                    d.push_str(p);
                }
                d
            }
            Call::Edit { ops } => {
                let mut paths: Vec<&str> = ops.iter().map(|o| o.path()).collect();
                paths.dedup();
                paths.join(", ")
            }
            Call::RunCommand { command, .. } => command.clone(),
        };
        if detail.is_empty() {
            self.name.to_string()
        } else {
            format!("{} {detail}", self.name)
        }
    }

    fn run<'a>(&'a self, call: Call, ws: &'a Workspace, limits: &'a ReadLimits) -> Running<'a> {
        Box::pin(async move {
            match call {
                Call::ReadFile {
                    path,
                    offset,
                    limit,
                } => Action::Reply(super::read_file(ws, &path, offset, limit, limits)),
                Call::ListFiles { path, pattern } => Action::Reply(super::list_files(
                    ws,
                    path.as_deref(),
                    pattern.as_deref(),
                    limits,
                )),
                Call::Search {
                    pattern,
                    path,
                    glob,
                } => Action::Reply(super::search(
                    ws,
                    &pattern,
                    path.as_deref(),
                    glob.as_deref(),
                    limits,
                )),
                Call::Edit { ops } => Action::Edit(ops),
                Call::RunCommand { command, timeout_s } => Action::Command { command, timeout_s },
            }
        })
    }
}
