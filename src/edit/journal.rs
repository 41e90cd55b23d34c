//! The undo journal: for every applied batch, the before-image of each file it touched (its
//! bytes and permission bits, or "did not exist") and a hash of what hone wrote, kept in the
//! workspace's state folder (`paths::workspace_state_dir`), never inside the repository.
//!
//! Layout: `<state>/journal/<seq>/manifest.json` plus one blob per before-image. A batch is
//! written into a temporary folder (each file synced, then the folder) and renamed to its number
//! (then the journal folder synced), so a half-written batch is never seen and a recorded one
//! survives a crash. [`Journal::undo`] takes the highest number, refuses if any file is neither as
//! hone left it nor as it was before, restores byte for byte, and removes the batch; the next
//! undo walks one further back. [`Journal::undo_run`] does the same for every batch of the last
//! run (one request's edits, tagged by [`Journal::start_run`]), all or nothing: what a person
//! means by "undo". The oldest batches beyond [`KEEP`] are dropped.
//!
//! Invariant: a batch's manifest is durable before any of its files is replaced.

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::EditError;
use super::jail::Workspace;
use super::lock::WriteLock;
use super::write::{read_now, sync_dir, write_atomic};

/// Batches kept per workspace.
pub const KEEP: usize = 100;

/// One file of a batch, as recorded before writing (borrowing the plan's bytes).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    path: &'a str,
    before: Option<(&'a [u8], Option<u32>)>,
    after: Option<String>,
}

impl<'a> Entry<'a> {
    pub fn new(
        path: &'a str,
        before: Option<&'a [u8]>,
        mode: Option<u32>,
        after: Option<&[u8]>,
    ) -> Entry<'a> {
        Entry {
            path,
            before: before.map(|b| (b, mode)),
            after: after.map(sha),
        }
    }
}

/// Writes a new file and syncs it. A batch is written into a new folder that is renamed into
/// place only when complete, so its files need no temporary name of their own.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    version: u32,
    /// Seconds since the Unix epoch.
    time: u64,
    files: Vec<FileRecord>,
    created_dirs: Vec<String>,
    /// The run that applied this batch; batches of one run are undone together.
    #[serde(default)]
    run: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct FileRecord {
    path: String,
    /// None: the file did not exist.
    before: Option<Before>,
    /// Hash of the bytes hone wrote; None: hone removed the file.
    after: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Before {
    blob: String,
    sha256: String,
    mode: Option<u32>,
}

/// What an undo restored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoReport {
    /// Files written back to their earlier content.
    pub restored: Vec<String>,
    /// Files removed because they did not exist before.
    pub removed: Vec<String>,
    /// When the undone batch was applied (seconds since the Unix epoch).
    pub time: u64,
    /// Changes that can still be undone: runs after [`Journal::undo_run`], batches after
    /// [`Journal::undo`].
    pub remaining: usize,
    /// Batches this undo reverted.
    pub batches: usize,
}

/// A workspace's undo journal.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
    /// The run batches recorded now belong to (see [`Journal::start_run`]).
    run: Option<String>,
}

impl Journal {
    /// The journal of `ws`, under hone's state directory.
    pub fn open(ws: &Workspace) -> Result<Journal, EditError> {
        let dir = crate::paths::workspace_state_dir(ws.root()).ok_or(EditError::NoStateDir)?;
        let dir = dir.join("journal");
        // The next hone run in a workspace cleans up after one that was killed mid-write.
        super::lock::recover(&dir);
        Ok(Journal { dir, run: None })
    }

    /// Takes the workspace's write lock (see `edit::lock`), waiting for another hone process
    /// to finish its write step.
    pub(crate) fn lock(&self) -> Result<WriteLock, EditError> {
        WriteLock::acquire(&self.dir, super::lock::WAIT)
    }

    /// A journal kept in `dir` (tests and benchmarks).
    pub fn at(dir: impl Into<PathBuf>) -> Journal {
        Journal {
            dir: dir.into(),
            run: None,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Tags the batches recorded from now on as one new run (one request and the edits made
    /// for it), so [`Journal::undo_run`] reverts them together.
    pub fn start_run(&mut self) {
        self.run = Some(format!("{:016x}", fastrand::u64(..)));
    }

    fn io(&self, action: &'static str, path: &Path, source: std::io::Error) -> EditError {
        EditError::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// Batch numbers present, ascending.
    fn batches(&self) -> Result<Vec<u64>, EditError> {
        let rd = match fs::read_dir(&self.dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(self.io("read", &self.dir, e)),
        };
        let mut v: Vec<u64> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse().ok()))
            .collect();
        v.sort_unstable();
        Ok(v)
    }

    /// How many batches can be undone.
    pub fn len(&self) -> Result<usize, EditError> {
        Ok(self.batches()?.len())
    }

    pub fn is_empty(&self) -> Result<bool, EditError> {
        Ok(self.batches()?.is_empty())
    }

    /// Writes a batch; returns its name for [`Journal::discard`].
    pub(crate) fn record(
        &self,
        entries: &[Entry<'_>],
        created_dirs: &[String],
    ) -> Result<String, EditError> {
        fs::create_dir_all(&self.dir).map_err(|e| self.io("create", &self.dir, e))?;
        let tmp = self.dir.join(format!(".tmp-{:016x}", fastrand::u64(..)));
        fs::create_dir(&tmp).map_err(|e| self.io("create", &tmp, e))?;
        let written = self.fill(&tmp, entries, created_dirs);
        if let Err(e) = written {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let mut seq = self.batches()?.last().map_or(1, |n| n + 1);
        loop {
            let name = format!("{seq:010}");
            let dest = self.dir.join(&name);
            match fs::rename(&tmp, &dest) {
                Ok(()) => {
                    sync_dir(&self.dir);
                    self.prune();
                    return Ok(name);
                }
                // Another hone took this number meanwhile.
                Err(_) if dest.exists() && seq < u64::MAX => seq += 1,
                Err(e) => {
                    let _ = fs::remove_dir_all(&tmp);
                    return Err(self.io("write", &dest, e));
                }
            }
        }
    }

    fn fill(
        &self,
        tmp: &Path,
        entries: &[Entry<'_>],
        created_dirs: &[String],
    ) -> Result<(), EditError> {
        let mut files = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let before = match &e.before {
                Some((bytes, mode)) => {
                    let blob = format!("{i}.blob");
                    let p = tmp.join(&blob);
                    write_new(&p, bytes).map_err(|err| self.io("write", &p, err))?;
                    Some(Before {
                        blob,
                        sha256: sha(bytes),
                        mode: *mode,
                    })
                }
                None => None,
            };
            files.push(FileRecord {
                path: e.path.to_string(),
                before,
                after: e.after.clone(),
            });
        }
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let manifest = Manifest {
            version: 1,
            time,
            files,
            created_dirs: created_dirs.to_vec(),
            run: self.run.clone(),
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| EditError::Journal {
            path: tmp.display().to_string(),
            message: e.to_string(),
        })?;
        let p = tmp.join("manifest.json");
        write_new(&p, &json).map_err(|e| self.io("write", &p, e))?;
        // The batch folder is renamed into place next: its entries must be durable first.
        sync_dir(tmp);
        Ok(())
    }

    /// Removes a batch whose files were not (or no longer) changed.
    pub(crate) fn discard(&self, name: &str) {
        let _ = fs::remove_dir_all(self.dir.join(name));
    }

    /// Drops the oldest batches beyond [`KEEP`], except those of the run being recorded: a long
    /// run may pass the limit, and undoing it must still find all of it.
    fn prune(&self) {
        if let Ok(all) = self.batches() {
            for &old in all.iter().take(all.len().saturating_sub(KEEP)) {
                let current =
                    self.run.is_some() && self.manifest(old).is_ok_and(|(_, m)| m.run == self.run);
                if !current {
                    self.discard(&format!("{old:010}"));
                }
            }
        }
    }

    fn manifest(&self, seq: u64) -> Result<(PathBuf, Manifest), EditError> {
        let dir = self.dir.join(format!("{seq:010}"));
        let mpath = dir.join("manifest.json");
        let bad = |message: String| EditError::Journal {
            path: mpath.display().to_string(),
            message,
        };
        let raw = fs::read(&mpath).map_err(|e| bad(e.to_string()))?;
        let manifest = serde_json::from_slice(&raw).map_err(|e| bad(e.to_string()))?;
        Ok((dir, manifest))
    }

    /// How many runs the batches `seqs` (ascending) make: neighbours of one run count once, and
    /// an unreadable manifest counts as a run of its own.
    fn count_runs(&self, seqs: &[u64]) -> usize {
        let mut runs = 0;
        let mut previous: Option<String> = None;
        for &seq in seqs {
            let run = self.manifest(seq).ok().and_then(|(_, m)| m.run);
            if run.is_none() || run != previous {
                runs += 1;
            }
            previous = run;
        }
        runs
    }

    /// Reverts the last applied batch, or explains why it cannot.
    pub fn undo(&self, ws: &Workspace) -> Result<UndoReport, EditError> {
        self.undo_last(ws, false)
    }

    /// Reverts every batch of the last run (a batch recorded outside a run is a run of its
    /// own), all or nothing.
    pub fn undo_run(&self, ws: &Workspace) -> Result<UndoReport, EditError> {
        self.undo_last(ws, true)
    }

    /// Takes the workspace's write lock, then undoes the last batch (or, with `whole_run`, every
    /// batch of the last run): checked whole first, then restored newest batch first.
    fn undo_last(&self, ws: &Workspace, whole_run: bool) -> Result<UndoReport, EditError> {
        let mut lock = self.lock()?;
        let all = self.batches()?;
        let group = self.last_group(&all, whole_run)?;
        let plans = plan_undo(ws, &group)?;
        let mut dirs: Vec<PathBuf> = plans
            .iter()
            .flatten()
            .filter_map(|(abs, ..)| abs.parent().map(Path::to_path_buf))
            .collect();
        dirs.sort();
        dirs.dedup();
        lock.staging_in(dirs)?;
        let mut report = UndoReport {
            restored: Vec::new(),
            removed: Vec::new(),
            time: group[0].2.time,
            remaining: if whole_run {
                self.count_runs(&all[..all.len() - group.len()])
            } else {
                all.len() - group.len()
            },
            batches: group.len(),
        };
        for ((seq, _, manifest), plan) in group.iter().zip(plans) {
            restore(plan, &mut report)?;
            for d in manifest.created_dirs.iter().rev() {
                if let Ok(abs) = ws.resolve(d) {
                    let _ = fs::remove_dir(abs);
                }
            }
            self.discard(&format!("{seq:010}"));
        }
        report.restored.sort();
        report.removed.sort();
        Ok(report)
    }

    /// The batches an undo reverts, newest first: the last of `all`, and with `whole_run` the
    /// older ones of its run up to the first of another run (or an unreadable one).
    fn last_group(&self, all: &[u64], whole_run: bool) -> Result<Vec<Batch>, EditError> {
        let Some(&last) = all.last() else {
            return Err(EditError::NothingToUndo);
        };
        let (dir, newest) = self.manifest(last)?;
        let run = newest.run.clone().filter(|_| whole_run);
        let mut group = vec![(last, dir, newest)];
        if let Some(run) = &run {
            for &seq in all.iter().rev().skip(1) {
                // An unreadable or vanished older entry ends the run, as another run would.
                let Ok((dir, m)) = self.manifest(seq) else {
                    break;
                };
                if m.run.as_ref() != Some(run) {
                    break;
                }
                group.push((seq, dir, m));
            }
        }
        Ok(group)
    }
}

/// A batch of the journal: its number, its directory and its manifest.
type Batch = (u64, PathBuf, Manifest);

/// What undoing `group` restores, batch by batch. Every file of every batch is checked first,
/// newest batch first, against the state the later batches' undo leaves it in: nothing is
/// planned unless everything can be restored ([`EditError::UndoConflict`] names the files that
/// changed since).
fn plan_undo(ws: &Workspace, group: &[Batch]) -> Result<Vec<Vec<Restore>>, EditError> {
    let mut state: std::collections::HashMap<String, Option<String>> =
        std::collections::HashMap::new();
    let mut conflicts = Vec::new();
    let mut plans = Vec::new();
    for (_, dir, manifest) in group {
        let mut plan = Vec::new();
        for rec in &manifest.files {
            let abs = ws.resolve(&rec.path)?;
            let now_sha = match state.get(&rec.path) {
                Some(sha) => sha.clone(),
                None => read_now(&abs, &rec.path)?.as_deref().map(sha),
            };
            let before_sha = rec.before.as_ref().map(|b| b.sha256.clone());
            if now_sha == before_sha {
                continue; // Already as it was (the batch never reached this file).
            }
            if now_sha != rec.after {
                conflicts.push(rec.path.clone());
                continue;
            }
            state.insert(rec.path.clone(), before_sha);
            let bytes = match &rec.before {
                Some(b) => Some(before_bytes(dir, b)?),
                None => None,
            };
            plan.push((abs, rec.path.clone(), bytes));
        }
        plans.push(plan);
    }
    if !conflicts.is_empty() {
        conflicts.sort();
        conflicts.dedup();
        return Err(EditError::UndoConflict { files: conflicts });
    }
    Ok(plans)
}

/// A file's bytes before a batch, from the batch directory `dir`, checked against their hash;
/// and its mode.
fn before_bytes(dir: &Path, b: &Before) -> Result<(Vec<u8>, Option<u32>), EditError> {
    let bad = |message: String| EditError::Journal {
        path: dir.join(&b.blob).display().to_string(),
        message,
    };
    let blob = fs::read(dir.join(&b.blob)).map_err(|e| bad(e.to_string()))?;
    if sha(&blob) != b.sha256 {
        return Err(bad("does not match its recorded hash".to_string()));
    }
    Ok((blob, b.mode))
}

/// One file to put back: its absolute path, its workspace path, and its bytes and mode (or
/// `None` when it did not exist).
type Restore = (PathBuf, String, Option<(Vec<u8>, Option<u32>)>);

/// Puts back one batch's files, newest batch first; a file an older batch touches again is
/// reported by what the oldest did to it (its state before the run).
fn restore(plan: Vec<Restore>, report: &mut UndoReport) -> Result<(), EditError> {
    for (abs, path, bytes) in plan {
        report.restored.retain(|p| *p != path);
        report.removed.retain(|p| *p != path);
        match bytes {
            Some((blob, mode)) => {
                if let Some(parent) = abs.parent() {
                    fs::create_dir_all(parent).map_err(|e| EditError::Io {
                        action: "restore",
                        path: path.clone(),
                        source: e,
                    })?;
                }
                write_atomic(&abs, &blob, mode).map_err(|e| EditError::Io {
                    action: "restore",
                    path: path.clone(),
                    source: e,
                })?;
                report.restored.push(path);
            }
            None => {
                fs::remove_file(&abs).map_err(|e| EditError::Io {
                    action: "remove",
                    path: path.clone(),
                    source: e,
                })?;
                report.removed.push(path);
            }
        }
    }
    Ok(())
}
