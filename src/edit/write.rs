//! Applying a plan: check that nothing changed since the preview, journal the before-images,
//! stage every new file beside its destination (temporary file, fsync), then rename them into
//! place and remove deleted files. A failure while staging leaves the workspace untouched; a
//! failure while renaming restores what was already replaced.
//!
//! Invariant: when [`apply`] returns an error, every file of the batch has its bytes from before
//! the call, except when restoring itself fails: then the error is
//! [`EditError::RollbackFailed`], naming the files left changed, and their journal batch is kept
//! so that `hone undo` restores them.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::error::EditError;
use super::jail::Workspace;
use super::journal::{Entry, Journal};
use super::lock::{WriteLock, temp_name};
use super::plan::{ChangeKind, Plan};

/// What [`apply`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// Paths changed, relative to the workspace (renames as "from → to").
    pub files: Vec<String>,
    pub added: usize,
    pub removed: usize,
    /// The journal entry that `undo` reverts.
    pub batch: String,
}

/// Writes `plan` into the workspace, all or nothing, and journals it for undo.
///
/// Holds the workspace's write lock from the check to the last rename: another hone process
/// that planned on the same bytes waits, then finds them changed and refuses.
pub fn apply(ws: &Workspace, plan: &Plan, journal: &Journal) -> Result<Applied, EditError> {
    let mut lock = journal.lock()?;
    verify(ws, plan)?;
    // The line counts need a diff of every file: CPU work, done while this thread waits for
    // the disk (and cached in the plan for the callers that ask again).
    std::thread::scope(|s| {
        let stats = s.spawn(|| plan.stats());
        let written = write(ws, plan, journal, &mut lock);
        let (added, removed) = match stats.join() {
            Ok(counts) => counts,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        let batch = written?;
        let files = plan
            .files
            .iter()
            .map(|f| match (&f.kind, &f.from) {
                (ChangeKind::Rename, Some(from)) => format!("{from} → {}", f.path),
                _ => f.path.clone(),
            })
            .collect();
        Ok(Applied {
            files,
            added,
            removed,
            batch,
        })
    })
}

/// Journals, stages and commits a verified plan; returns the journal entry.
fn write(
    ws: &Workspace,
    plan: &Plan,
    journal: &Journal,
    lock: &mut WriteLock,
) -> Result<String, EditError> {
    let mut entries = Vec::new();
    let mut writes: Vec<(PathBuf, &[u8], Option<u32>, String)> = Vec::new();
    let mut removals: Vec<(PathBuf, String)> = Vec::new();
    for f in &plan.files {
        match (&f.from_abs, &f.from) {
            (Some(from_abs), Some(from)) => {
                entries.push(Entry::new(from, f.before(), f.mode, None));
                entries.push(Entry::new(&f.path, None, None, f.after()));
                removals.push((from_abs.clone(), from.clone()));
            }
            _ => {
                entries.push(Entry::new(&f.path, f.before(), f.mode, f.after()));
                if f.after.is_none() {
                    removals.push((f.abs.clone(), f.path.clone()));
                }
            }
        }
        if let Some(after) = f.after() {
            writes.push((f.abs.clone(), after, f.mode, f.path.clone()));
        }
    }
    // Every directory a temporary file may appear in (the writes', and the rollback's of a
    // rename source), noted before the first one is created.
    let mut dirs: Vec<PathBuf> = writes
        .iter()
        .map(|w| &w.0)
        .chain(removals.iter().map(|r| &r.0))
        .filter_map(|p| p.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    lock.staging_in(dirs.clone())?;
    let new_dirs = missing_dirs(ws, &writes);
    let created: Vec<String> = new_dirs.iter().map(|(_, d)| d.clone()).collect();
    let batch = journal.record(&entries, &created)?;

    let staged = match stage(&new_dirs, &writes) {
        Ok(s) => s,
        Err(e) => {
            remove_dirs(&new_dirs);
            journal.discard(&batch);
            return Err(e);
        }
    };
    if let Err(e) = commit(&staged, &removals, plan, &journal.dir().join(&batch)) {
        remove_dirs(&new_dirs);
        // Files left changed keep their before-images for `hone undo`.
        if !matches!(e, EditError::RollbackFailed { .. }) {
            journal.discard(&batch);
        }
        return Err(e);
    }
    for d in &dirs {
        sync_dir(d);
    }
    Ok(batch)
}

/// Refuses the batch when any file differs from what the plan read (or the jail now resolves
/// a path elsewhere).
fn verify(ws: &Workspace, plan: &Plan) -> Result<(), EditError> {
    for f in &plan.files {
        let changed = |path: &str| EditError::ChangedSincePreview {
            path: path.to_string(),
        };
        if ws.resolve_full(&f.path)?.abs != f.abs {
            return Err(changed(&f.path));
        }
        match (&f.from_abs, &f.from) {
            (Some(from_abs), Some(from)) => {
                if ws.resolve_full(from)?.abs != *from_abs
                    || read_now(from_abs, from)?.as_deref() != f.before()
                {
                    return Err(changed(from));
                }
                if read_now(&f.abs, &f.path)?.is_some() {
                    return Err(changed(&f.path));
                }
            }
            _ => {
                if read_now(&f.abs, &f.path)?.as_deref() != f.before() {
                    return Err(changed(&f.path));
                }
            }
        }
    }
    Ok(())
}

/// A file's bytes now, or None if it does not exist.
pub(crate) fn read_now(abs: &Path, display: &str) -> Result<Option<Vec<u8>>, EditError> {
    match fs::read(abs) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(EditError::Io {
            action: "read",
            path: display.to_string(),
            source,
        }),
    }
}

/// Directories that must be created for the writes, outermost first, with display paths.
fn missing_dirs(
    ws: &Workspace,
    writes: &[(PathBuf, &[u8], Option<u32>, String)],
) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    for (abs, ..) in writes {
        let mut missing = Vec::new();
        let mut dir = abs.parent();
        while let Some(d) = dir {
            if d.exists() || d == ws.root() {
                break;
            }
            missing.push(d.to_path_buf());
            dir = d.parent();
        }
        for d in missing.into_iter().rev() {
            if !out.iter().any(|(p, _)| *p == d) {
                let shown = d
                    .strip_prefix(ws.root())
                    .unwrap_or(&d)
                    .to_string_lossy()
                    .into_owned();
                out.push((d, shown));
            }
        }
    }
    out
}

struct Staged {
    temp: PathBuf,
    dest: PathBuf,
    display: String,
}

fn stage(
    dirs: &[(PathBuf, String)],
    writes: &[(PathBuf, &[u8], Option<u32>, String)],
) -> Result<Vec<Staged>, EditError> {
    for (d, shown) in dirs {
        if let Err(source) = fs::create_dir(d)
            && source.kind() != std::io::ErrorKind::AlreadyExists
        {
            return Err(EditError::Io {
                action: "create the directory",
                path: shown.clone(),
                source,
            });
        }
    }
    let mut staged: Vec<Staged> = Vec::new();
    for (dest, bytes, mode, display) in writes {
        match write_temp(dest, bytes, *mode) {
            Ok(temp) => staged.push(Staged {
                temp,
                dest: dest.clone(),
                display: display.clone(),
            }),
            Err(source) => {
                for s in &staged {
                    let _ = fs::remove_file(&s.temp);
                }
                return Err(EditError::Io {
                    action: "write",
                    path: display.clone(),
                    source,
                });
            }
        }
    }
    Ok(staged)
}

/// Renames the staged files into place and removes the deleted ones; on a failure, puts back
/// what was already changed, from the plan's before-images. `batch` is the journal batch that
/// holds them, named when a file cannot be put back.
fn commit(
    staged: &[Staged],
    removals: &[(PathBuf, String)],
    plan: &Plan,
    batch: &Path,
) -> Result<(), EditError> {
    let mut done: Vec<&Path> = Vec::new();
    let mut failure = None;
    for (i, s) in staged.iter().enumerate() {
        if let Err(source) = rename_step(i, &s.temp, &s.dest) {
            failure = Some(EditError::Io {
                action: "replace",
                path: s.display.clone(),
                source,
            });
            break;
        }
        done.push(&s.dest);
    }
    let mut removed: Vec<&Path> = Vec::new();
    if failure.is_none() {
        for (abs, display) in removals {
            if let Err(source) = fs::remove_file(abs) {
                failure = Some(EditError::Io {
                    action: "delete",
                    path: display.clone(),
                    source,
                });
                break;
            }
            removed.push(abs);
        }
    }
    let Some(err) = failure else {
        return Ok(());
    };
    for s in staged {
        let _ = fs::remove_file(&s.temp);
    }
    let mut left_changed = Vec::new();
    let mut first_error = None;
    let mut step = 0;
    for f in &plan.files {
        let sources = [
            (Some((&f.abs, &f.path)), f.from_abs.is_none()),
            (f.from_abs.as_ref().zip(f.from.as_ref()), true),
        ];
        for (path, holds_before) in sources {
            let Some((path, display)) = path else {
                continue;
            };
            let touched = done.contains(&path.as_path()) || removed.contains(&path.as_path());
            if !touched {
                continue;
            }
            let restored = restore_step(step, || match (holds_before, f.before()) {
                (true, Some(bytes)) => write_atomic(path, bytes, f.mode),
                _ => fs::remove_file(path),
            });
            step += 1;
            if let Err(e) = restored {
                left_changed.push(display.clone());
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        None => Err(err),
        Some(source) => Err(EditError::RollbackFailed {
            cause: Box::new(err),
            left_changed,
            batch: batch.to_path_buf(),
            source,
        }),
    }
}

#[cfg(test)]
thread_local! {
    /// Makes the n-th rename of the next commit fail, to test the rollback.
    pub(crate) static FAIL_RENAME_AT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

#[cfg(test)]
thread_local! {
    /// Makes the n-th restore of the next rollback fail, to test a rollback that fails.
    pub(crate) static FAIL_RESTORE_AT: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

/// In tests, fails step `i` once when `hook` names it (the rollback tests' injected failures).
#[cfg(test)]
fn injected(
    hook: &'static std::thread::LocalKey<std::cell::Cell<Option<usize>>>,
    i: usize,
    what: &str,
) -> std::io::Result<()> {
    if hook.with(|f| f.get()) == Some(i) {
        hook.with(|f| f.set(None));
        return Err(std::io::Error::other(what.to_string()));
    }
    Ok(())
}

/// Puts back one file during a rollback.
fn restore_step(i: usize, restore: impl FnOnce() -> std::io::Result<()>) -> std::io::Result<()> {
    #[cfg(test)]
    injected(&FAIL_RESTORE_AT, i, "injected restore failure")?;
    #[cfg(not(test))]
    let _ = i;
    restore()
}

fn rename_step(i: usize, from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(test)]
    injected(&FAIL_RENAME_AT, i, "injected failure")?;
    #[cfg(not(test))]
    let _ = i;
    fs::rename(from, to)
}

fn remove_dirs(dirs: &[(PathBuf, String)]) {
    for (d, _) in dirs.iter().rev() {
        let _ = fs::remove_dir(d);
    }
}

/// Writes `bytes` to a new temporary file beside `dest` (same directory, so the rename is
/// atomic), with `mode` or the default permissions, synced to disk.
fn write_temp(dest: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<PathBuf> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut attempt = 0;
    let (temp, mut file) = loop {
        let temp = dir.join(temp_name(&name));
        match OpenOptions::new().write(true).create_new(true).open(&temp) {
            Ok(f) => break (temp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 16 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = (|| {
        file.write_all(bytes)?;
        keep_owner(&file, dest)?;
        if let Some(mode) = mode {
            set_mode(&file, mode)?;
        }
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(temp),
        Err(e) => {
            let _ = fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Gives the new file the owner and group of the one it replaces, where the process may: hone
/// running as root (containers, CI) must not leave a person's file owned by root. Without the
/// right to (the common case of editing one's own files) nothing changes. Called before the mode
/// is set, since a change of owner clears set-id bits.
#[cfg(unix)]
fn keep_owner(file: &fs::File, dest: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let Ok(old) = fs::metadata(dest) else {
        return Ok(());
    };
    let new = file.metadata()?;
    if (old.uid(), old.gid()) == (new.uid(), new.gid()) {
        return Ok(());
    }
    match std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            // Not ours to give away; keep at least the group when we belong to it.
            let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

#[cfg(not(unix))]
fn keep_owner(_file: &fs::File, _dest: &Path) -> std::io::Result<()> {
    Ok(())
}

#[cfg(unix)]
fn set_mode(file: &fs::File, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_file: &fs::File, _mode: u32) -> std::io::Result<()> {
    Ok(())
}

/// Replaces `dest` with `bytes` atomically (temporary file, fsync, rename).
pub(crate) fn write_atomic(dest: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let temp = write_temp(dest, bytes, mode)?;
    fs::rename(&temp, dest).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })?;
    if let Some(d) = dest.parent() {
        sync_dir(d);
    }
    Ok(())
}

/// Makes a rename durable; best effort (not every filesystem lets a directory be synced).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;
