//! Committing the files hone changed, with git run as a subprocess (never a git library): which
//! of those files differ from the last commit ([`changes`], with their diff for a commit
//! message), and a commit of exactly those ([`commit`]).
//!
//! Must not print, ask, or name a flag; must never push, and never stage or commit a path it was
//! not given: the diff is taken in a temporary index, and the commit is `git commit -- PATHS`,
//! which leaves whatever else the person changed or staged as it was. git never prompts here
//! (no terminal, no pager, no credential helper).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// What can go wrong talking to git.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("could not run git")]
    NotFound(#[source] std::io::Error),
    #[error("{} is not inside a git repository", dir.display())]
    NotARepository { dir: PathBuf },
    #[error("`git {command}` failed: {stderr}")]
    Failed { command: String, stderr: String },
    #[error("could not make a temporary git index")]
    TempIndex(#[source] std::io::Error),
}

/// The files to commit and what changed in them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Those of the given paths that differ from the last commit (new, changed or deleted),
    /// in the order given; ignored files are left out.
    pub paths: Vec<String>,
    /// Their diff against the last commit (every path as new in a repository without one).
    pub diff: String,
}

/// Which of `paths` (relative to `root`) differ from the last commit, and their diff.
pub fn changes(root: &Path, paths: &[String]) -> Result<Changes, GitError> {
    repository(root)?;
    let mut changed = Vec::new();
    for p in paths {
        let out = git(
            root,
            &[
                "status",
                "--porcelain",
                "-z",
                "--untracked-files=all",
                "--",
                p,
            ],
            None,
        )?;
        if !out.stdout.is_empty() && !changed.contains(p) {
            changed.push(p.clone());
        }
    }
    if changed.is_empty() {
        return Ok(Changes {
            paths: changed,
            diff: String::new(),
        });
    }
    // The diff of only these paths, staged in a scratch index so the person's stays as it is.
    let scratch = tempfile::Builder::new()
        .prefix("hone-index-")
        .tempdir()
        .map_err(GitError::TempIndex)?;
    let index = scratch.path().join("index");
    if has_head(root)? {
        git(root, &["read-tree", "HEAD"], Some(&index))?;
    } else {
        git(root, &["read-tree", "--empty"], Some(&index))?;
    }
    git(root, &add_args(&changed), Some(&index))?;
    let out = git(
        root,
        &[
            "diff",
            "--cached",
            "--no-color",
            "--no-ext-diff",
            "--relative",
        ],
        Some(&index),
    )?;
    Ok(Changes {
        paths: changed,
        diff: String::from_utf8_lossy(&out.stdout).into_owned(),
    })
}

/// Commits exactly `paths` (their content now) with `message`; returns the new commit's short
/// hash. Whatever else is changed or staged stays so.
pub fn commit(root: &Path, paths: &[String], message: &str) -> Result<String, GitError> {
    repository(root)?;
    git(root, &add_args(paths), None)?;
    let mut args = vec!["commit", "--quiet", "--message", message, "--"];
    args.extend(paths.iter().map(String::as_str));
    git(root, &args, None)?;
    let out = git(root, &["rev-parse", "--short", "HEAD"], None)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn add_args(paths: &[String]) -> Vec<&str> {
    let mut args = vec!["add", "--all", "--"];
    args.extend(paths.iter().map(String::as_str));
    args
}

/// Fails with [`GitError::NotARepository`] unless `root` is in a work tree.
fn repository(root: &Path) -> Result<(), GitError> {
    match git(root, &["rev-parse", "--is-inside-work-tree"], None) {
        Ok(out) if out.stdout.starts_with(b"true") => Ok(()),
        Ok(_) | Err(GitError::Failed { .. }) => Err(GitError::NotARepository {
            dir: root.to_path_buf(),
        }),
        Err(e) => Err(e),
    }
}

/// Whether the repository has a commit yet.
fn has_head(root: &Path) -> Result<bool, GitError> {
    match git(root, &["rev-parse", "--verify", "--quiet", "HEAD"], None) {
        Ok(_) => Ok(true),
        Err(GitError::Failed { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Runs `git ARGS` in `root` (with `index` as its index file, when given); a non-zero exit is
/// [`GitError::Failed`] with git's own words.
fn git(root: &Path, args: &[&str], index: Option<&Path>) -> Result<Output, GitError> {
    let mut cmd = Command::new("git");
    cmd.current_dir(root)
        .args(["-c", "core.quotepath=off", "--no-pager"])
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        // A path is a path, never a pattern (`a*.txt` is one file).
        .env("GIT_LITERAL_PATHSPECS", "1")
        .stdin(Stdio::null());
    if let Some(index) = index {
        cmd.env("GIT_INDEX_FILE", index);
    }
    let out = cmd.output().map_err(GitError::NotFound)?;
    if out.status.success() {
        return Ok(out);
    }
    Err(GitError::Failed {
        command: args
            .iter()
            .take_while(|a| **a != "--")
            .copied()
            .collect::<Vec<_>>()
            .join(" "),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        for args in [
            &["init", "-q"][..],
            &["config", "user.email", "t@example.com"],
            &["config", "user.name", "t"],
            &["config", "commit.gpgsign", "false"],
        ] {
            git(d.path(), args, None).unwrap();
        }
        d
    }

    fn log(root: &Path) -> String {
        let out = git(root, &["log", "--format=%s", "--name-status"], None).unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn only_the_given_changed_paths_are_diffed_and_committed() {
        let d = repo();
        let root = d.path();
        std::fs::write(root.join("a.txt"), "a\n").unwrap();
        std::fs::write(root.join("other.txt"), "o\n").unwrap();
        git(root, &["add", "."], None).unwrap();
        git(root, &["commit", "-qm", "init"], None).unwrap();
        std::fs::write(root.join("a.txt"), "a2\n").unwrap();
        std::fs::write(root.join("new.txt"), "n\n").unwrap();
        std::fs::write(root.join("other.txt"), "mine\n").unwrap();
        let paths = ["a.txt", "new.txt", "same.txt"].map(String::from);
        let c = changes(root, &paths).unwrap();
        assert_eq!(c.paths, ["a.txt", "new.txt"]);
        assert!(
            c.diff.contains("+a2") && c.diff.contains("+++ b/new.txt"),
            "{}",
            c.diff
        );
        assert!(!c.diff.contains("other.txt"), "{}", c.diff);
        let hash = commit(root, &c.paths, "Change a and add new").unwrap();
        assert!(!hash.is_empty());
        let log = log(root);
        assert!(
            log.starts_with("Change a and add new\n\nM\ta.txt\nA\tnew.txt\n"),
            "{log}"
        );
        let status = git(root, &["status", "--porcelain"], None).unwrap();
        assert_eq!(String::from_utf8_lossy(&status.stdout), " M other.txt\n");
    }

    #[test]
    fn a_repository_without_commits_and_a_directory_outside_any() {
        let d = repo();
        std::fs::write(d.path().join("a.txt"), "a\n").unwrap();
        let c = changes(d.path(), &["a.txt".to_string()]).unwrap();
        assert!(c.diff.contains("+++ b/a.txt"), "{}", c.diff);
        commit(d.path(), &c.paths, "First").unwrap();
        assert!(log(d.path()).starts_with("First\n\nA\ta.txt"));

        let plain = tempfile::tempdir().unwrap();
        let e = changes(plain.path(), &["a.txt".to_string()]).unwrap_err();
        assert!(matches!(e, GitError::NotARepository { .. }), "{e:?}");
    }
}
