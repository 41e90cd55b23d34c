//! Files a person names to go with a request: `hone fix PATHS`, and the REPL's `/add` and
//! `@path`. One resolution serves all three, so a file refused by one is refused by every one.
//!
//! A name is taken relative to the workspace root (or absolute inside it) and canonicalised
//! before it is judged, so `..` and symbolic links that lead out of the workspace are refused
//! however the path is spelt. Only regular files are read: a directory is a distinct outcome
//! (a front end may tell the model the person pointed at it), and a FIFO, socket or device is
//! refused because reading it could block. Binary and non-UTF-8 files and files over
//! [`MAX_FILE_BYTES`] are refused too (a larger file is read in parts through the tools).
//!
//! Must not print or word a refusal for a front end: it returns the file or why not. Invariant:
//! a [`TextFile`]'s `rel` is `/`-separated, relative to the canonical root, and names the file
//! whose content it holds.

use std::io::Read as _;
use std::path::{Path, PathBuf};

/// The largest file attached to a request.
pub const MAX_FILE_BYTES: u64 = 256 * 1024;

/// Why a named file cannot be attached.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("{path} is outside the workspace")]
    Outside { path: String },
    #[error("cannot read {path}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is a directory; name the files in it")]
    Directory { path: String },
    #[error("{path} is not a regular file")]
    NotRegular { path: String },
    #[error("{path} is not a text file")]
    Binary { path: String },
    #[error("{path} is {size} bytes, over the {limit}-byte limit for attached files")]
    TooLarge { path: String, size: u64, limit: u64 },
}

/// A readable text file of the workspace: its `/`-separated relative path and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextFile {
    pub rel: String,
    pub content: String,
    /// It looks like it holds secrets, by the rule the model's tools obey
    /// ([`crate::context::is_secret_path`] on the name given and on the file it resolves to):
    /// every front end warns the person who named it, the same way.
    pub secret: bool,
}

/// Reads the file a person named (relative to `root`, or absolute inside it) as text to attach.
/// A directory is [`AttachError::Directory`], with its relative path (`.` for the root).
pub fn read_text(root: &Path, named: &Path) -> Result<TextFile, AttachError> {
    let (full, rel) = resolve(root, named)?;
    let meta = std::fs::metadata(&full).map_err(|source| AttachError::Read {
        path: rel.clone(),
        source,
    })?;
    if meta.is_dir() {
        let path = if rel.is_empty() { ".".to_string() } else { rel };
        return Err(AttachError::Directory { path });
    }
    if !meta.is_file() {
        return Err(AttachError::NotRegular { path: rel });
    }
    let content = read_capped(&full, &rel, meta.len())?;
    let secret = super::is_secret_path(&named.to_string_lossy()) || super::is_secret_path(&rel);
    Ok(TextFile {
        rel,
        content,
        secret,
    })
}

/// The canonical path of `named` and its `/`-separated path relative to the canonical root;
/// [`AttachError::Outside`] when the canonical path is not under the root.
fn resolve(root: &Path, named: &Path) -> Result<(PathBuf, String), AttachError> {
    let display = || named.to_string_lossy().into_owned();
    let full = if named.is_absolute() {
        named.to_path_buf()
    } else {
        root.join(named)
    };
    let full = full.canonicalize().map_err(|source| AttachError::Read {
        path: display(),
        source,
    })?;
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let rel = full
        .strip_prefix(&root)
        .map_err(|_| AttachError::Outside { path: display() })?
        .to_string_lossy()
        .replace('\\', "/");
    Ok((full, rel))
}

/// The content of the regular file `full` (`len` bytes by its metadata): refused over the cap,
/// also when it grew past it since, and when it holds a NUL byte or is not UTF-8.
fn read_capped(full: &Path, rel: &str, len: u64) -> Result<String, AttachError> {
    let too_large = |size| AttachError::TooLarge {
        path: rel.to_string(),
        size,
        limit: MAX_FILE_BYTES,
    };
    if len > MAX_FILE_BYTES {
        return Err(too_large(len));
    }
    let read_err = |source| AttachError::Read {
        path: rel.to_string(),
        source,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(full)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let binary = || AttachError::Binary {
        path: rel.to_string(),
    };
    if bytes.contains(&0) {
        return Err(binary());
    }
    String::from_utf8(bytes).map_err(|_| binary())
}

/// `rel`, then `content` in a fence longer than any backtick run inside it.
pub fn fenced(rel: &str, content: &str) -> String {
    let longest = content.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let mut out = format!("{rel}\n{fence}\n{content}");
    if !content.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace `ws` with `src/a.rs`, beside a file `outside.txt` it must not reach.
    fn setup() -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let ws = d.path().join("ws");
        std::fs::create_dir_all(ws.join("src")).unwrap();
        std::fs::write(ws.join("src/a.rs"), "fn a() {}\n").unwrap();
        std::fs::write(d.path().join("outside.txt"), "secret\n").unwrap();
        (d, ws)
    }

    fn read(ws: &Path, named: &str) -> Result<TextFile, AttachError> {
        read_text(ws, Path::new(named))
    }

    #[test]
    fn reads_a_text_file_by_relative_or_absolute_path() {
        let (_d, ws) = setup();
        let f = read(&ws, "src/a.rs").unwrap();
        assert_eq!(f.rel, "src/a.rs");
        assert_eq!(f.content, "fn a() {}\n");
        let abs = ws.join("src/a.rs");
        assert_eq!(read_text(&ws, &abs).unwrap().rel, "src/a.rs");
        assert_eq!(read(&ws, "./src/../src/a.rs").unwrap().rel, "src/a.rs");
    }

    #[test]
    fn refuses_a_path_that_leads_out_through_dot_dot() {
        let (_d, ws) = setup();
        assert!(matches!(
            read(&ws, "../outside.txt"),
            Err(AttachError::Outside { path }) if path == "../outside.txt"
        ));
        assert!(matches!(
            read(&ws, "src/../../outside.txt"),
            Err(AttachError::Outside { .. })
        ));
    }

    #[test]
    fn refuses_an_absolute_path_outside() {
        let (d, ws) = setup();
        let abs = d.path().join("outside.txt");
        assert!(matches!(
            read_text(&ws, &abs),
            Err(AttachError::Outside { .. })
        ));
    }

    #[test]
    fn refuses_a_symlink_that_leads_out() {
        let (d, ws) = setup();
        std::os::unix::fs::symlink(d.path().join("outside.txt"), ws.join("link")).unwrap();
        assert!(matches!(
            read(&ws, "link"),
            Err(AttachError::Outside { .. })
        ));
    }

    #[test]
    fn a_file_that_looks_like_it_holds_secrets_says_so_by_name_or_target() {
        let (_d, ws) = setup();
        std::fs::write(ws.join(".env"), "TOKEN=x\n").unwrap();
        std::fs::write(ws.join("plain.txt"), "x\n").unwrap();
        std::os::unix::fs::symlink(ws.join(".env"), ws.join("notes.txt")).unwrap();
        std::os::unix::fs::symlink(ws.join("plain.txt"), ws.join("id_rsa.pem")).unwrap();
        assert!(read(&ws, ".env").unwrap().secret);
        assert!(read(&ws, "./.env").unwrap().secret);
        assert!(read(&ws, "notes.txt").unwrap().secret, "resolves to .env");
        assert!(read(&ws, "id_rsa.pem").unwrap().secret, "named like a key");
        assert!(!read(&ws, "src/a.rs").unwrap().secret);
    }

    #[test]
    fn a_directory_is_its_own_outcome() {
        let (_d, ws) = setup();
        assert!(matches!(
            read(&ws, "src"),
            Err(AttachError::Directory { path }) if path == "src"
        ));
        assert!(matches!(
            read(&ws, "."),
            Err(AttachError::Directory { path }) if path == "."
        ));
    }

    #[test]
    fn refuses_a_fifo_without_blocking() {
        let (_d, ws) = setup();
        let made = std::process::Command::new("mkfifo")
            .arg(ws.join("pipe"))
            .status()
            .unwrap();
        assert!(made.success());
        assert!(matches!(
            read(&ws, "pipe"),
            Err(AttachError::NotRegular { path }) if path == "pipe"
        ));
    }

    #[test]
    fn refuses_binary_non_utf8_missing_and_large_files() {
        let (_d, ws) = setup();
        std::fs::write(ws.join("bin"), b"\x00\x01").unwrap();
        std::fs::write(ws.join("latin1"), b"caf\xe9\n").unwrap();
        std::fs::write(ws.join("big"), "x".repeat(MAX_FILE_BYTES as usize + 1)).unwrap();
        assert!(matches!(read(&ws, "bin"), Err(AttachError::Binary { .. })));
        assert!(matches!(
            read(&ws, "latin1"),
            Err(AttachError::Binary { .. })
        ));
        assert!(matches!(read(&ws, "nope"), Err(AttachError::Read { .. })));
        assert!(matches!(
            read(&ws, "big"),
            Err(AttachError::TooLarge { size, .. }) if size == MAX_FILE_BYTES + 1
        ));
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        assert_eq!(fenced("a.rs", "fn a() {}"), "a.rs\n```\nfn a() {}\n```");
        assert_eq!(fenced("b.md", "````x\n"), "b.md\n`````\n````x\n`````");
    }
}
