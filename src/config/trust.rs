//! Which repositories the person trusts, remembered outside every repository (in hone's state
//! directory, `trusted-projects.json`), keyed by the workspace's canonical path.
//!
//! Trust is what lets a repository's own files loosen anything: allow rules, a looser starting
//! mode, the provider and where the key goes (and, later, hooks and MCP servers). It is asked
//! once per repository and remembered; `--trust-project` grants it for one run (CI). Must not
//! decide what trust unlocks (that is the merge's) nor ask anyone (the front end asks).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Serialize, Deserialize)]
struct Store {
    #[serde(default)]
    projects: Vec<String>,
}

/// The file trust is kept in.
pub fn store_path() -> Option<PathBuf> {
    crate::paths::state_dir().map(|d| d.join("trusted-projects.json"))
}

fn key(root: &Path) -> String {
    std::fs::canonicalize(root)
        .unwrap_or_else(|_| root.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

fn load(path: &Path) -> Store {
    std::fs::read(path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Whether the person trusts the repository at `root`. An unreadable store trusts nothing.
pub fn is_trusted(root: &Path) -> bool {
    let Some(path) = store_path() else {
        return false;
    };
    is_trusted_in(&path, root)
}

fn is_trusted_in(store: &Path, root: &Path) -> bool {
    let k = key(root);
    load(store).projects.contains(&k)
}

/// Remembers (or, with `trusted == false`, forgets) the person's trust in `root`.
pub fn set_trusted(root: &Path, trusted: bool) -> std::io::Result<PathBuf> {
    let path = store_path().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no state directory (set HOME or XDG_STATE_HOME)",
        )
    })?;
    set_trusted_in(&path, root, trusted)?;
    Ok(path)
}

fn set_trusted_in(store: &Path, root: &Path, trusted: bool) -> std::io::Result<()> {
    let k = key(root);
    let mut s = load(store);
    s.projects.retain(|p| *p != k);
    if trusted {
        s.projects.push(k);
    }
    let dir = store.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    serde_json::to_writer_pretty(&mut tmp, &s)?;
    tmp.persist(store).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_is_remembered_and_revoked() {
        let d = tempfile::tempdir().unwrap();
        let store = d.path().join("state/trusted-projects.json");
        let ws = d.path().join("repo");
        std::fs::create_dir(&ws).unwrap();
        assert!(!is_trusted_in(&store, &ws));
        set_trusted_in(&store, &ws, true).unwrap();
        assert!(is_trusted_in(&store, &ws));
        // Another spelling of the same directory.
        assert!(is_trusted_in(&store, &d.path().join("repo/../repo")));
        assert!(!is_trusted_in(&store, d.path()));
        set_trusted_in(&store, &ws, false).unwrap();
        assert!(!is_trusted_in(&store, &ws));
    }
}
