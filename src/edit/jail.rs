//! The workspace jail: every path a model names resolves against the canonical workspace root,
//! and is refused when it escapes through `..`, is absolute outside the root, passes through a
//! symbolic link (of the file or of any parent) that leads outside, or lies inside `.git/`.
//!
//! Invariant: a path [`Workspace::resolve`] returns lies under the canonical root, with every
//! existing symlink on the way already resolved; a refusal names the rule that was broken.

use std::path::{Component, Path, PathBuf};

use super::error::{EditError, JailRule};

/// How many symbolic links one resolution may follow before it is treated as a loop.
const MAX_LINKS: usize = 40;

/// A workspace: the directory edits are confined to.
#[derive(Debug, Clone)]
pub struct Workspace {
    root: PathBuf,
}

/// A path that passed the jail: the resolved absolute path and the normalised relative path
/// the model's text is shown as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub abs: PathBuf,
    pub display: String,
}

impl Workspace {
    /// Opens the workspace at `root` (which must be an existing directory).
    pub fn new(root: &Path) -> Result<Workspace, EditError> {
        let root = root
            .canonicalize()
            .map_err(|source| EditError::WorkspaceRoot {
                path: root.to_path_buf(),
                source,
            })?;
        if !root.is_dir() {
            return Err(EditError::WorkspaceRoot {
                path: root,
                source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a directory"),
            });
        }
        Ok(Workspace { root })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The absolute path `rel` names, or the jail rule it breaks.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, EditError> {
        self.resolve_full(rel).map(|r| r.abs)
    }

    /// Where `rel` leads inside the workspace, as a `/`-separated relative path, every symlink
    /// on the way followed (`notes.txt -> .env` is `.env`); `None` when the jail refuses it.
    /// Rules about paths (secrets, permissions) judge this as well as the name the model used.
    pub fn resolved_relative(&self, rel: &str) -> Option<String> {
        let abs = self.resolve(rel).ok()?;
        let abs = abs.canonicalize().unwrap_or(abs);
        let inside = abs.strip_prefix(&self.root).ok()?;
        Some(
            inside
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/"),
        )
    }

    /// Like [`Workspace::resolve`], also returning the normalised relative display path.
    pub fn resolve_full(&self, rel: &str) -> Result<Resolved, EditError> {
        let refuse = |rule| EditError::Jail {
            path: rel.to_string(),
            rule,
        };
        let trimmed = rel.trim();
        if trimmed.is_empty() {
            return Err(refuse(JailRule::Empty));
        }
        // A control character in a path could rewrite the terminal line that shows it
        // (`ESC[2K`, a carriage return) so that one file is shown while another is written.
        if trimmed.chars().any(char::is_control) {
            return Err(EditError::Jail {
                path: rel.escape_debug().to_string(),
                rule: JailRule::ControlCharacter,
            });
        }
        let given = Path::new(trimmed);
        let relative: PathBuf = if given.is_absolute() {
            match given.strip_prefix(&self.root) {
                Ok(r) => r.to_path_buf(),
                // The root may have been named through a symlink (/tmp vs /private/tmp).
                Err(_) => match canonical_prefix_strip(given, &self.root) {
                    Some(r) => r,
                    None => return Err(refuse(JailRule::AbsoluteOutside)),
                },
            }
        } else {
            given.to_path_buf()
        };
        // Lexical normalisation first: `a/../../x` is an escape whatever exists on disk.
        let mut parts: Vec<String> = Vec::new();
        for c in relative.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    if parts.pop().is_none() {
                        return Err(refuse(JailRule::ParentEscape));
                    }
                }
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::RootDir | Component::Prefix(_) => {
                    return Err(refuse(JailRule::AbsoluteOutside));
                }
            }
        }
        if parts.is_empty() {
            return Err(refuse(JailRule::Empty));
        }
        if parts.iter().any(|p| p == ".git") {
            return Err(refuse(JailRule::GitDir));
        }
        let display = parts.join("/");
        let abs = self.follow(&parts).map_err(refuse)?;
        Ok(Resolved { abs, display })
    }

    /// Walks `parts` from the root, resolving each existing symlink and checking it stays inside.
    fn follow(&self, parts: &[String]) -> Result<PathBuf, JailRule> {
        let mut cur = self.root.clone();
        let mut shown = String::new();
        let mut links = 0;
        for (i, part) in parts.iter().enumerate() {
            if !shown.is_empty() {
                shown.push('/');
            }
            shown.push_str(part);
            let next = cur.join(part);
            match std::fs::symlink_metadata(&next) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    links += 1;
                    let outside = JailRule::SymlinkOutside {
                        link: shown.clone(),
                    };
                    if links > MAX_LINKS {
                        return Err(outside);
                    }
                    // A dangling link cannot be canonicalised: resolve its target lexically.
                    let target = match next.canonicalize() {
                        Ok(t) => t,
                        Err(_) => {
                            let raw = std::fs::read_link(&next).map_err(|_| outside.clone())?;
                            let joined = if raw.is_absolute() {
                                raw
                            } else {
                                cur.join(raw)
                            };
                            lexical(&joined).ok_or_else(|| outside.clone())?
                        }
                    };
                    let inside = target
                        .strip_prefix(&self.root)
                        .map_err(|_| outside.clone())?;
                    if inside.components().any(|c| c.as_os_str() == ".git") {
                        return Err(JailRule::GitDir);
                    }
                    cur = target;
                }
                Ok(_) => cur = next,
                Err(_) => {
                    // The rest does not exist yet (a file or directories to create).
                    cur = next;
                    for rest in &parts[i + 1..] {
                        cur.push(rest);
                    }
                    return Ok(cur);
                }
            }
        }
        Ok(cur)
    }
}

/// `path` with `.` and `..` resolved without touching the disk; None if it climbs above `/`.
fn lexical(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    Some(out)
}

/// For an absolute path that names the root through a symlinked ancestor: the part below the
/// root, found by canonicalising the longest existing ancestor.
fn canonical_prefix_strip(given: &Path, root: &Path) -> Option<PathBuf> {
    let mut ancestor = given;
    let mut rest: Vec<&std::ffi::OsStr> = Vec::new();
    loop {
        if let Ok(canon) = ancestor.canonicalize() {
            let below = canon.strip_prefix(root).ok()?;
            let mut out = below.to_path_buf();
            for r in rest.iter().rev() {
                out.push(r);
            }
            return Some(out);
        }
        rest.push(ancestor.file_name()?);
        ancestor = ancestor.parent()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    fn setup() -> (tempfile::TempDir, tempfile::TempDir, Workspace) {
        let ws_dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(ws_dir.path().join("src")).unwrap();
        std::fs::write(ws_dir.path().join("src/a.rs"), "a").unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        let ws = Workspace::new(ws_dir.path()).unwrap();
        (ws_dir, outside, ws)
    }

    fn rule(ws: &Workspace, p: &str) -> JailRule {
        match ws.resolve(p) {
            Err(EditError::Jail { rule, .. }) => rule,
            other => panic!("{p}: expected a jail refusal, got {other:?}"),
        }
    }

    #[test]
    fn plain_and_new_paths_resolve_inside() {
        let (_d, _o, ws) = setup();
        let r = ws.resolve_full("./src/../src/a.rs").unwrap();
        assert_eq!(r.display, "src/a.rs");
        assert_eq!(r.abs, ws.root().join("src/a.rs"));
        let n = ws.resolve_full("new/dir/b.rs").unwrap();
        assert_eq!(n.abs, ws.root().join("new/dir/b.rs"));
        let abs = ws.root().join("src/a.rs");
        assert_eq!(ws.resolve(abs.to_str().unwrap()).unwrap(), abs);
    }

    #[test]
    fn escapes_are_refused_with_their_rule() {
        let (_d, o, ws) = setup();
        assert_eq!(rule(&ws, "../x"), JailRule::ParentEscape);
        assert_eq!(rule(&ws, "src/../../x"), JailRule::ParentEscape);
        assert_eq!(
            rule(&ws, o.path().join("secret").to_str().unwrap()),
            JailRule::AbsoluteOutside
        );
        assert_eq!(rule(&ws, ".git/config"), JailRule::GitDir);
        assert_eq!(rule(&ws, "sub/.git/hooks/pre-commit"), JailRule::GitDir);
        assert_eq!(rule(&ws, ""), JailRule::Empty);
        assert_eq!(rule(&ws, "."), JailRule::Empty);
    }

    #[test]
    fn symlinks_out_of_the_workspace_are_refused() {
        let (d, o, ws) = setup();
        symlink(o.path().join("secret"), d.path().join("link")).unwrap();
        symlink(o.path(), d.path().join("src/out")).unwrap();
        symlink(d.path().join("src/a.rs"), d.path().join("inner")).unwrap();
        symlink("../nowhere/x", d.path().join("dangling")).unwrap();
        symlink(d.path().join(".git"), d.path().join("g")).unwrap();
        assert_eq!(
            rule(&ws, "link"),
            JailRule::SymlinkOutside {
                link: "link".into()
            }
        );
        assert_eq!(
            rule(&ws, "src/out/secret"),
            JailRule::SymlinkOutside {
                link: "src/out".into()
            }
        );
        assert_eq!(
            rule(&ws, "src/out/new.txt"),
            JailRule::SymlinkOutside {
                link: "src/out".into()
            }
        );
        assert_eq!(
            rule(&ws, "dangling"),
            JailRule::SymlinkOutside {
                link: "dangling".into()
            }
        );
        assert_eq!(rule(&ws, "g/config"), JailRule::GitDir);
        assert_eq!(ws.resolve("inner").unwrap(), ws.root().join("src/a.rs"));
    }
}
