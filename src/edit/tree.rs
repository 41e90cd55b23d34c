//! The difference between two copies of a workspace as one patch, for dry runs that let the
//! agent work on a scratch copy: the changed files are compared and rendered by the same patch
//! writer as every preview, so `git apply` takes the result.

use std::path::Path;

use super::plan::{ChangeKind, FileChange, Plan};

/// Error reading one side of a compared file.
#[derive(Debug, thiserror::Error)]
#[error("could not read {path} to compare it")]
pub struct TreeDiffError {
    pub path: String,
    pub source: std::io::Error,
}

/// The patch that turns `original` into `changed` for the relative `paths` given.
pub fn diff_trees(
    original: &Path,
    changed: &Path,
    paths: &[String],
) -> Result<String, TreeDiffError> {
    let read = |root: &Path, rel: &str| -> Result<Option<Vec<u8>>, TreeDiffError> {
        match std::fs::read(root.join(rel)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(TreeDiffError {
                path: rel.to_string(),
                source,
            }),
        }
    };
    let mut plan = Plan::default();
    for rel in paths {
        let before = read(original, rel)?;
        let after = read(changed, rel)?;
        let kind = match (&before, &after) {
            (None, None) => continue,
            (Some(b), Some(a)) if a == b => continue,
            (None, Some(_)) => ChangeKind::Create,
            (Some(_), None) => ChangeKind::Delete,
            (Some(_), Some(_)) => ChangeKind::Modify,
        };
        plan.files.push(FileChange {
            path: rel.clone(),
            from: None,
            abs: original.join(rel),
            from_abs: None,
            kind,
            before,
            after,
            mode: None,
            stats: Default::default(),
        });
    }
    Ok(plan.to_patch())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_of_modified_created_and_deleted_files() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        std::fs::write(a.path().join("m.txt"), "one\ntwo\n").unwrap();
        std::fs::write(b.path().join("m.txt"), "one\nTWO\n").unwrap();
        std::fs::write(b.path().join("new.txt"), "hi\n").unwrap();
        std::fs::write(a.path().join("gone.txt"), "bye\n").unwrap();
        std::fs::write(a.path().join("same.txt"), "s\n").unwrap();
        std::fs::write(b.path().join("same.txt"), "s\n").unwrap();
        let paths: Vec<String> = ["m.txt", "new.txt", "gone.txt", "same.txt"]
            .map(String::from)
            .to_vec();
        let p = diff_trees(a.path(), b.path(), &paths).unwrap();
        assert!(p.contains("-two\n+TWO\n"), "{p}");
        assert!(p.contains("+++ b/new.txt") && p.contains("+hi"), "{p}");
        assert!(p.contains("--- a/gone.txt") && p.contains("-bye"), "{p}");
        assert!(!p.contains("same.txt"), "{p}");
    }
}
