//! Project instructions: the `AGENTS.md` files (the cross-tool convention; `CLAUDE.md` where a
//! directory has no `AGENTS.md`) at the workspace root and in every directory between the root
//! and the files in play.
//!
//! Reads those few files and nothing else; never follows a path outside the root. The text lists
//! the files from the root down, each under a heading naming it, and says that the deeper file
//! wins on conflict. Invariants: the same files give byte-identical text (it sits in the cached
//! prompt prefix); the text never exceeds the cap by more than the headings and truncation notes,
//! and when it is cut, [`Instructions::is_capped`] says so. The cap is shared out nearest file
//! first, because the nearest file is the most specific and wins conflicts; the root file is the
//! one shortened when they do not all fit.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

/// File names read as project instructions, in order of preference within one directory.
pub const INSTRUCTION_FILE_NAMES: [&str; 2] = ["AGENTS.md", "CLAUDE.md"];
/// The default cap on instruction text, in bytes (Codex uses the same 32 KiB).
pub const DEFAULT_INSTRUCTIONS_CAP: usize = 32 * 1024;

/// One instruction file as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionFile {
    /// Root-relative path of the file (`AGENTS.md`, `src/api/CLAUDE.md`).
    pub path: String,
    /// Root-relative directory it applies to (`""` for the root).
    pub dir: String,
    /// The text kept (all of it unless `truncated`).
    pub text: String,
    pub truncated: bool,
    /// The file's full size in bytes.
    pub full_bytes: usize,
}

/// The project instructions for a set of files in play.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Instructions {
    files: Vec<InstructionFile>,
    cap: usize,
}

impl Instructions {
    /// The files read, from the root down.
    pub fn files(&self) -> &[InstructionFile] {
        &self.files
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Whether any file was cut to fit the cap.
    pub fn is_capped(&self) -> bool {
        self.files.iter().any(|f| f.truncated)
    }

    /// A line for the person when the instructions were cut, e.g. for the REPL's start-up notes.
    pub fn notice(&self) -> Option<String> {
        let cut: Vec<&str> = self
            .files
            .iter()
            .filter(|f| f.truncated)
            .map(|f| f.path.as_str())
            .collect();
        (!cut.is_empty()).then(|| {
            format!(
                "project instructions exceed {} KiB; cut: {} (the model sees the start of each)",
                self.cap / 1024,
                cut.join(", ")
            )
        })
    }

    /// The text for the model's system context; empty when there are no instruction files.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.files.is_empty() {
            return out;
        }
        if self.files.len() > 1 {
            out.push_str(
                "Project instructions from several directories follow, from the root down. Where they conflict, \
                 the file in the deeper directory wins for files under that directory.\n\n",
            );
        }
        for f in &self.files {
            let scope = if f.dir.is_empty() {
                "the whole repository".to_string()
            } else {
                format!("{}/", f.dir)
            };
            let _ = writeln!(out, "## {} (applies to {scope})\n", f.path);
            out.push_str(f.text.trim_end());
            out.push('\n');
            if f.truncated {
                let _ = writeln!(
                    out,
                    "[hone: cut here; {} of {} bytes shown]",
                    f.text.len(),
                    f.full_bytes
                );
            }
            out.push('\n');
        }
        let trimmed = out.trim_end().len();
        out.truncate(trimmed);
        out.push('\n');
        out
    }
}

/// The instructions for `paths_in_play` (files or directories, relative to `root` or absolute
/// inside it), capped at [`DEFAULT_INSTRUCTIONS_CAP`].
pub fn load_instructions(root: &Path, paths_in_play: &[PathBuf]) -> Instructions {
    load_instructions_capped(root, paths_in_play, DEFAULT_INSTRUCTIONS_CAP)
}

/// [`load_instructions`] with an explicit cap in bytes.
pub fn load_instructions_capped(
    root: &Path,
    paths_in_play: &[PathBuf],
    cap: usize,
) -> Instructions {
    let mut dirs: BTreeSet<(usize, String)> = BTreeSet::new();
    dirs.insert((0, String::new()));
    for path in paths_in_play {
        let Some(parts) = relative_parts(root, path) else {
            continue;
        };
        let is_dir = root.join(parts.join("/")).is_dir();
        let keep = if is_dir {
            parts.len()
        } else {
            parts.len().saturating_sub(1)
        };
        for depth in 1..=keep {
            dirs.insert((depth, parts[..depth].join("/")));
        }
    }
    let mut files: Vec<InstructionFile> = Vec::new();
    for (_, dir) in dirs {
        let base = if dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&dir)
        };
        for name in INSTRUCTION_FILE_NAMES {
            let Ok(bytes) = std::fs::read(base.join(name)) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let path = if dir.is_empty() {
                name.to_string()
            } else {
                format!("{dir}/{name}")
            };
            files.push(InstructionFile {
                path,
                dir: dir.clone(),
                full_bytes: text.len(),
                text,
                truncated: false,
            });
            break;
        }
    }
    // Share the cap out nearest first.
    let mut left = cap;
    for f in files.iter_mut().rev() {
        if f.text.len() > left {
            let cut = cut_point(&f.text, left);
            f.text.truncate(cut);
            f.truncated = true;
        }
        left -= f.text.len();
    }
    Instructions { files, cap }
}

/// The root-relative components of `path`, or `None` if it leaves the root.
fn relative_parts(root: &Path, path: &Path) -> Option<Vec<String>> {
    let rel = if path.is_absolute() {
        path.strip_prefix(root).ok()?
    } else {
        path
    };
    let mut parts: Vec<String> = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?.to_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts)
}

/// The largest byte offset ≤ `max` that is a char boundary, preferring the end of a line.
fn cut_point(text: &str, max: usize) -> usize {
    let mut at = max.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    match text[..at].rfind('\n') {
        Some(nl) if nl + 1 >= at / 2 => nl + 1,
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    #[test]
    fn nested_files_from_root_down_and_deeper_wins() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "AGENTS.md", "Use tabs.\n");
        write(root, "src/AGENTS.md", "Use spaces in src.\n");
        write(root, "src/api/CLAUDE.md", "API: no panics.\n");
        write(root, "docs/AGENTS.md", "Not in play.\n");
        write(root, "src/api/handlers/x.rs", "");
        let ins = load_instructions(root, &[PathBuf::from("src/api/handlers/x.rs")]);
        let paths: Vec<&str> = ins.files().iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["AGENTS.md", "src/AGENTS.md", "src/api/CLAUDE.md"]);
        let text = ins.text();
        assert!(text.starts_with("Project instructions from several directories"));
        assert!(text.contains("the file in the deeper directory wins"));
        let (tabs, spaces, api) = (
            text.find("Use tabs.").unwrap(),
            text.find("Use spaces").unwrap(),
            text.find("API: no panics").unwrap(),
        );
        assert!(tabs < spaces && spaces < api, "{text}");
        assert!(text.contains("## src/api/CLAUDE.md (applies to src/api/)"));
        assert!(!text.contains("Not in play"));
        assert!(!ins.is_capped());
        assert_eq!(ins.notice(), None);
    }

    #[test]
    fn agents_md_is_preferred_over_claude_md_in_one_directory() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "AGENTS.md", "agents\n");
        write(dir.path(), "CLAUDE.md", "claude\n");
        let ins = load_instructions(dir.path(), &[]);
        assert_eq!(
            ins.text(),
            "## AGENTS.md (applies to the whole repository)\n\nagents\n"
        );
    }

    #[test]
    fn cap_cuts_the_root_file_first_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "AGENTS.md", &"root line\n".repeat(100));
        write(root, "pkg/AGENTS.md", "near\n");
        let ins = load_instructions_capped(root, &[root.join("pkg/lib.rs")], 205);
        assert!(ins.is_capped());
        let files = ins.files();
        assert_eq!(files[1].text, "near\n");
        assert!(files[0].truncated && files[0].text.len() <= 200 && files[0].text.ends_with('\n'));
        assert!(
            ins.text()
                .contains("[hone: cut here; 200 of 1000 bytes shown]"),
            "{}",
            ins.text()
        );
        assert!(ins.notice().unwrap().contains("AGENTS.md"));
    }

    #[test]
    fn paths_outside_the_root_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "AGENTS.md", "root\n");
        let ins = load_instructions(
            dir.path(),
            &[
                PathBuf::from("../elsewhere/x.rs"),
                PathBuf::from("/etc/passwd"),
            ],
        );
        assert_eq!(ins.files().len(), 1);
    }

    #[test]
    fn no_files_no_text() {
        let dir = tempfile::tempdir().unwrap();
        let ins = load_instructions(dir.path(), &[PathBuf::from("a/b.rs")]);
        assert!(ins.is_empty());
        assert_eq!(ins.text(), "");
    }

    #[test]
    fn cut_point_respects_char_boundaries() {
        assert_eq!(cut_point("héllo", 2), 1);
        assert_eq!(cut_point("ab\ncd\nef", 7), 6);
        assert_eq!(cut_point("abc", 10), 3);
    }
}
