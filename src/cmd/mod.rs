//! The front ends: one module per subcommand, each an event renderer plus an approval policy
//! over the library. They may print; nothing below them may.

pub mod apply;
pub mod common;
pub mod config;
pub mod fix;
pub mod map;
pub mod print;
pub mod undo;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::context::{self, Focus, ScanOptions};

/// How long a one-shot front end waits for the repository index before sending the first request
/// without a map. A warm cache answers in well under this; a cold scan of a large repository does
/// not, and the first request is not held for it.
pub const MAP_WAIT: Duration = Duration::from_millis(1500);

/// The project context for the system message: `AGENTS.md` instructions, then the ranked map,
/// focused on the files the person named.
pub fn context_for(root: &Path, paths: &[PathBuf]) -> Option<String> {
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
    let mut out = String::new();
    if !instructions.is_empty() {
        out.push_str(&instructions.text());
    }
    if let Some(index) = handle.wait_timeout(MAP_WAIT) {
        let terms: Vec<String> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let focus = if terms.is_empty() {
            Focus::new()
        } else {
            Focus::from_terms(&index, &terms)
        };
        let map = context::render_map(&index, &focus, focus.default_budget());
        if !map.trim().is_empty() {
            out.push_str(crate::agent::budget::MAP_MARK);
            out.push_str("paths, then the signatures each file defines):\n");
            out.push_str(&map);
        }
    }
    (!out.trim().is_empty()).then_some(out)
}
