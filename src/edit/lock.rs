//! The workspace write lock, and the clean-up of what a killed writer left behind.
//!
//! One hone process at a time writes a workspace's files and its journal. [`WriteLock::acquire`]
//! takes an exclusive advisory lock (`flock(2)` through `File::lock`) on `<journal>/lock` and
//! waits for it at most [`WAIT`]; it is held for the write step only (verify, journal, stage,
//! rename; or an undo), never while a person or a model is awaited. Whoever waited then verifies
//! the files against its own preview, so of two batches planned on the same bytes the second is
//! refused as "changed since the preview" instead of half overwriting the first.
//!
//! The lock file also carries a note, written before the first temporary file is created: the
//! directories where this batch stages files (`.NAME.hone-XXXXXXXX.tmp`). A writer that ends
//! normally clears it. The note is not synced to disk: a killed process's writes are in the page
//! cache for the next one to read, and an fsync per batch would cost more than the lock's whole
//! budget (1 ms on a 50-edit batch). After a power loss a note may be missing; the temporary
//! files it named then stay, still hidden from the model, the map and `list_files`. A note found by the next holder means a writer was killed mid-batch: its
//! temporary files in those directories, and any half-written journal batch (`.tmp-*`), are
//! removed before anything else happens. [`recover`] does that eagerly when a journal is opened,
//! so the next hone run in the workspace cleans up even if it never writes.
//!
//! Invariant: temporary files and journal scratch folders are only ever removed by a holder of
//! the lock, so no live writer loses one.

use std::fs::{self, File, OpenOptions};
use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::error::EditError;

/// How long a writer waits for another hone process to finish its write step. A write step
/// takes milliseconds; this covers a slow disk, not a person.
pub const WAIT: Duration = Duration::from_secs(20);

const POLL: Duration = Duration::from_millis(10);

/// Whether `name` is one of the temporary files hone stages a write in:
/// `.{name}.hone-{8 hex digits}.tmp`. Such files are never shown to the model or the map.
pub fn is_temp_name(name: &str) -> bool {
    let Some(stem) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((base, hex)) = stem.rsplit_once(".hone-") else {
        return false;
    };
    !base.is_empty() && hex.len() == 8 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The temporary name a write to `dest` is staged under (see [`is_temp_name`]).
pub(crate) fn temp_name(name: &str) -> String {
    format!(".{name}.hone-{:08x}.tmp", fastrand::u32(..))
}

/// What the lock file says.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Note {
    /// The process holding (or last holding) the lock, for the message of whoever waits.
    pid: u32,
    /// Directories holding this writer's temporary files; empty when none are pending.
    #[serde(default)]
    dirs: Vec<PathBuf>,
}

/// The held lock; released on drop (or when the process ends, however it ends).
#[derive(Debug)]
pub(crate) struct WriteLock {
    file: File,
    journal: PathBuf,
}

impl WriteLock {
    /// Takes the lock of the journal in `journal_dir`, waiting at most `wait` for another
    /// process, then cleans up after a writer that was killed.
    pub(crate) fn acquire(journal_dir: &Path, wait: Duration) -> Result<WriteLock, EditError> {
        let file = open(journal_dir)?;
        let start = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(POLL);
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(EditError::Busy {
                        pid: read_note(&file).map(|n| n.pid).filter(|&p| p != 0),
                        waited: wait,
                    });
                }
                Err(fs::TryLockError::Error(source)) => {
                    return Err(io("lock", &journal_dir.join("lock"), source));
                }
            }
        }
        let mut lock = WriteLock {
            file,
            journal: journal_dir.to_path_buf(),
        };
        lock.clean_up();
        Ok(lock)
    }

    /// Takes the lock only if nobody holds it.
    fn try_acquire(journal_dir: &Path) -> Option<WriteLock> {
        let file = open(journal_dir).ok()?;
        file.try_lock().ok()?;
        let mut lock = WriteLock {
            file,
            journal: journal_dir.to_path_buf(),
        };
        lock.clean_up();
        Some(lock)
    }

    /// Records that temporary files are about to be staged in `dirs`.
    pub(crate) fn staging_in(&mut self, dirs: Vec<PathBuf>) -> Result<(), EditError> {
        let note = Note {
            pid: std::process::id(),
            dirs,
        };
        self.write_note(&note)
            .map_err(|e| io("write", &self.journal.join("lock"), e))
    }

    /// Removes what the last holder left: temporary files in the directories its note names,
    /// and unfinished journal batches. Then marks the lock as this process's.
    fn clean_up(&mut self) {
        if let Some(note) = read_note(&self.file) {
            for dir in &note.dirs {
                remove_temps(dir);
            }
            if !note.dirs.is_empty() {
                remove_scratch(&self.journal);
            }
        }
        let _ = self.write_note(&Note {
            pid: std::process::id(),
            dirs: Vec::new(),
        });
    }

    fn write_note(&mut self, note: &Note) -> std::io::Result<()> {
        let json = serde_json::to_vec(note).map_err(std::io::Error::other)?;
        self.file.set_len(0)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&json)
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // The batch finished: nothing is pending.
        let _ = self.write_note(&Note {
            pid: std::process::id(),
            dirs: Vec::new(),
        });
        let _ = self.file.unlock();
    }
}

/// Cleans up after a killed writer if one left a note and nobody holds the lock now. Cheap when
/// there is nothing to do: one small file read, no lock taken.
pub(crate) fn recover(journal_dir: &Path) {
    if pending(journal_dir) {
        drop(WriteLock::try_acquire(journal_dir));
    }
}

/// Whether the lock file's note names directories with temporary files in them.
fn pending(journal_dir: &Path) -> bool {
    File::open(journal_dir.join("lock"))
        .ok()
        .and_then(|f| read_note(&f))
        .is_some_and(|n| !n.dirs.is_empty())
}

fn open(journal_dir: &Path) -> Result<File, EditError> {
    fs::create_dir_all(journal_dir).map_err(|e| io("create", journal_dir, e))?;
    let path = journal_dir.join("lock");
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| io("open", &path, e))
}

fn read_note(mut file: &File) -> Option<Note> {
    let mut raw = Vec::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_end(&mut raw).ok()?;
    serde_json::from_slice(&raw).ok()
}

/// Removes hone's temporary files directly in `dir`.
fn remove_temps(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let temp = e.file_name().to_str().is_some_and(is_temp_name);
        if temp && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
    }
}

/// Removes journal batches that were being written (`.tmp-*` folders) when a writer died.
fn remove_scratch(journal: &Path) {
    let Ok(entries) = fs::read_dir(journal) else {
        return;
    };
    for e in entries.flatten() {
        if e.file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(".tmp-"))
        {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> EditError {
    EditError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names() {
        assert!(is_temp_name(".main.rs.hone-0a1b2c3d.tmp"));
        assert!(is_temp_name(&temp_name("x.py")));
        assert!(!is_temp_name("main.rs"));
        assert!(!is_temp_name(".main.rs.hone-0a1b2c3.tmp"));
        assert!(!is_temp_name(".main.rs.hone-0a1b2c3g.tmp"));
        assert!(!is_temp_name("..hone-0a1b2c3d.tmp"));
        assert!(!is_temp_name(".x.hone-0a1b2c3d.tmpx"));
    }

    #[test]
    fn a_second_holder_waits_then_gives_up_naming_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let first = WriteLock::acquire(dir.path(), WAIT).unwrap();
        let err = WriteLock::acquire(dir.path(), Duration::from_millis(50)).unwrap_err();
        let EditError::Busy { pid, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*pid, Some(std::process::id()));
        assert!(err.to_string().contains("another hone process"), "{err}");
        drop(first);
        WriteLock::acquire(dir.path(), Duration::from_millis(50)).unwrap();
    }

    #[test]
    fn a_killed_writers_temporary_files_are_removed_by_the_next_holder() {
        let ws = tempfile::tempdir().unwrap();
        let journal = tempfile::tempdir().unwrap();
        let temp = ws.path().join(temp_name("a.txt"));
        let kept = ws.path().join(".a.txt.hone-notes.tmp");
        fs::write(&temp, "half").unwrap();
        fs::write(&kept, "not ours").unwrap();
        fs::create_dir(journal.path().join(".tmp-0011")).unwrap();
        let mut lock = WriteLock::acquire(journal.path(), WAIT).unwrap();
        lock.staging_in(vec![ws.path().to_path_buf()]).unwrap();
        // What a killed writer leaves: the note (its lock goes with its process).
        let note = fs::read(journal.path().join("lock")).unwrap();
        drop(lock);
        fs::write(journal.path().join("lock"), &note).unwrap();
        assert!(pending(journal.path()));

        recover(journal.path());
        assert!(!temp.exists());
        assert!(kept.exists(), "only hone's temporary names are removed");
        assert!(!journal.path().join(".tmp-0011").exists());
        // The note is cleared: the next open does not even take the lock.
        assert!(!pending(journal.path()));
    }
}
