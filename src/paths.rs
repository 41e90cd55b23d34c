//! Where hone keeps things outside the repository: the XDG config and state directories, and the
//! per-workspace state folder (undo journal, transcripts, index cache, history).
//!
//! Nothing here creates directories or touches the disk; callers create what they write into.
//! A workspace's state folder is keyed by a hash of its canonical path, so two checkouts never
//! share a journal and nothing hone writes ever lands inside the repository.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// `$XDG_CONFIG_HOME/hone`, falling back to `~/.config/hone`.
pub fn config_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CONFIG_HOME", ".config")
}

/// `$XDG_STATE_HOME/hone`, falling back to `~/.local/state/hone`.
pub fn state_dir() -> Option<PathBuf> {
    xdg_dir("XDG_STATE_HOME", ".local/state")
}

/// `$XDG_CACHE_HOME/hone`, falling back to `~/.cache/hone`.
pub fn cache_dir() -> Option<PathBuf> {
    xdg_dir("XDG_CACHE_HOME", ".cache")
}

fn xdg_dir(var: &str, fallback: &str) -> Option<PathBuf> {
    // The XDG spec says a relative value must be ignored.
    let base = std::env::var_os(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| std::env::home_dir().map(|h| h.join(fallback)))?;
    Some(base.join("hone"))
}

/// The state folder of one workspace: `<state>/workspaces/<name>-<hash>`.
pub fn workspace_state_dir(root: &Path) -> Option<PathBuf> {
    Some(state_dir()?.join("workspaces").join(workspace_key(root)))
}

/// A stable, readable key for a workspace path: its last component plus 16 hex digits of the
/// SHA-256 of the full path.
pub fn workspace_key(root: &Path) -> String {
    let digest = Sha256::digest(root.as_os_str().as_encoded_bytes());
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "root".to_string())
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    format!("{name}-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_key_is_stable_and_distinct() {
        let a = workspace_key(Path::new("/home/u/proj"));
        let b = workspace_key(Path::new("/home/v/proj"));
        assert_eq!(a, workspace_key(Path::new("/home/u/proj")));
        assert_ne!(a, b);
        assert!(a.starts_with("proj-"));
    }

    #[test]
    fn workspace_key_sanitises_names() {
        let k = workspace_key(Path::new("/tmp/my proj!"));
        assert!(k.starts_with("my_proj_-"), "{k}");
    }
}
