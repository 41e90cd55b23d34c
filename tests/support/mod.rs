//! Shared helpers for the end-to-end tests: the mock server, a temporary workspace, scripted tool
//! calls and what hone sent back, a run's output, and file trees.
#![allow(dead_code)]

pub mod calls;
pub mod mock;
pub mod output;
pub mod sandbox;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use mock::MockServer;
use sandbox::Sandbox;

/// `hone fix ARGS` in the sandbox, against `mock`.
pub fn fix(sb: &Sandbox, mock: &MockServer, args: &[&str]) -> Output {
    sb.against(mock).arg("fix").args(args).output().unwrap()
}

/// A file of the sandbox's workspace, as text.
pub fn read(sb: &Sandbox, rel: &str) -> String {
    std::fs::read_to_string(sb.workspace.join(rel)).unwrap()
}

/// Every file below `dir` (none if it does not exist).
pub fn walk(dir: &Path) -> Vec<PathBuf> {
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

/// Every file under `root` with its bytes, by relative path (directories are implied by their
/// files).
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walk(root)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).unwrap();
            (rel, bytes)
        })
        .collect()
}

/// Copies every file under `from` to the same place under `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in tree(from) {
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::write(dest, bytes).unwrap();
    }
}

/// Settings resolved as the library resolves them, for tests that drive `hone::provider`
/// directly: `provider`'s preset at `base_url`, with `key` as `HONE_API_KEY`, and no files.
pub fn library_config(provider: &str, base_url: &str, key: Option<&str>) -> hone::config::Config {
    let overrides = hone::config::Overrides {
        provider: Some(provider.into()),
        base_url: Some(base_url.into()),
        ..Default::default()
    };
    let env = |k: &str| key.filter(|_| k == "HONE_API_KEY").map(str::to_string);
    hone::config::resolve::resolve(&hone::config::resolve::Inputs {
        claude: &[],
        trusted: false,
        keys: true,
        overrides: &overrides,
        env: &env,
        user: None,
        project: None,
        files: hone::config::ConfigFiles {
            user: None,
            project: "/nonexistent/.hone/config.toml".into(),
        },
        workspace: "/".into(),
    })
    .unwrap()
}
