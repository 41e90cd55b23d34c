//! Shared helpers for the end-to-end tests: the mock server and a temporary workspace.
#![allow(dead_code)]

pub mod mock;
pub mod sandbox;

/// Every file below `dir` (none if it does not exist).
pub fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
