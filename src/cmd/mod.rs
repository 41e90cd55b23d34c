//! The front ends: one module per subcommand, each an event renderer plus an approval policy
//! over the library. They may print; nothing below them may.

// A front end: it may write to the terminal (clippy.toml refuses it everywhere else).
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

pub mod apply;
pub mod common;
pub mod config;
pub mod fix;
pub mod lint_fix;
pub mod map;
pub mod print;
pub mod repl;
pub mod sandboxed;
pub mod trust;
pub mod undo;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::context::{self, Focus, ScanOptions};

/// How long `hone fix` waits for the repository index before sending the first request without
/// a map. A warm cache answers well within this; a cold scan of a large repository does not, and
/// the map then follows as soon as it is ready (see [`project_context`]).
pub const MAP_WAIT: Duration = Duration::from_millis(300);

/// The project context without a repo map: the `AGENTS.md` instructions only. `hone -p` uses it,
/// so a script's one question starts no index build (no start-up work or memory that scales with
/// the repository); the model finds its way with `list_files` and `search`.
pub fn instructions_only(root: &Path) -> Option<String> {
    let instructions = context::load_instructions(root, &[]);
    (!instructions.is_empty()).then(|| instructions.text())
}

/// What the project tells the model at the start of a session.
pub struct ProjectContext {
    /// The `AGENTS.md` instructions.
    pub instructions: Option<String>,
    /// The ranked repository map, when the index was ready in time.
    pub map: Option<String>,
    /// Polls for the map when it was not ready in time.
    pub late_map: Option<crate::agent::ContextPoll>,
}

/// The project context for the system message — `AGENTS.md` instructions, then the ranked map
/// focused on the files the person named — waiting at most `wait` for the map. When the index is
/// not ready by then, `late_map` polls for it, and the agent appends the map to the conversation
/// once it is (never holding a request for it).
pub fn project_context(root: &Path, paths: &[PathBuf], wait: Duration) -> ProjectContext {
    let handle = context::RepoIndex::spawn_build(root.to_path_buf(), ScanOptions::default());
    let in_play: Vec<PathBuf> = paths
        .iter()
        .map(|p| {
            if p.is_absolute() {
                p.clone()
            } else {
                root.join(p)
            }
        })
        .collect();
    let instructions = context::load_instructions(root, &in_play);
    let terms: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let render = move |index: &context::RepoIndex| -> Option<String> {
        let focus = if terms.is_empty() {
            Focus::new()
        } else {
            Focus::from_terms(index, &terms)
        };
        let map = context::render_map(index, &focus, focus.default_budget());
        (!map.trim().is_empty()).then_some(map)
    };
    let mut out = ProjectContext {
        instructions: (!instructions.is_empty()).then(|| instructions.text()),
        map: None,
        late_map: None,
    };
    match handle.wait_timeout(wait) {
        Some(index) => out.map = render(&index),
        None => {
            let mut handle = Some(handle);
            out.late_map = Some(Box::new(move || {
                let index = handle.as_ref()?.try_get()?;
                handle = None;
                render(&index)
            }));
        }
    }
    out
}
