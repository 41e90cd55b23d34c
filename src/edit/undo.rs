//! Undoing journal entries: which entries an undo reverts ([`Selection`]), which of them cannot
//! be undone because a file changed after hone wrote it ([`StaleEntry`], and why, file by file),
//! what the undo would write ([`Journal::preview`], for `/diff`), and the undo itself
//! ([`Journal::undo_entries`]), under the workspace's write lock.
//!
//! An entry is undone whole or not at all. Entries are weighed newest first, each against the
//! state the undo of the newer ones leaves: a file is restorable when it holds what hone wrote
//! (or already its earlier content). An entry that is not undone — stale and skipped, or not
//! selected — keeps its files, so an older entry touching them again is stale too, and says by
//! which entry. With [`OnStale::Refuse`] a stale entry stops everything (nothing is restored);
//! with [`OnStale::Skip`] it stays in the journal as it is and the others are undone, so one
//! stale entry never blocks the rest.
//!
//! Must not talk to the model or style text: the explanations are data, with a plain
//! `Display` for a person.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use super::error::EditError;
use super::jail::Workspace;
use super::journal::{Batch, Before, Group, Journal, JournalEntry, sha};
use super::write::{read_now, write_atomic};

/// Which entries an undo reverts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection<'a> {
    /// The newest entry (with [`OnStale::Skip`]: the newest one that can be undone).
    Last,
    /// Entry `#id` and every entry after it.
    From(u64),
    /// The entries of these runs (a session's requests), wherever they are in the journal.
    Runs(&'a [String]),
}

/// What a stale entry does to an undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnStale {
    /// Nothing is restored; the error explains every stale entry.
    Refuse,
    /// Stale entries stay as they are (and in the journal); the rest are undone.
    Skip,
}

/// Why a file keeps an entry from being undone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// Its content is neither what hone wrote nor what it was before.
    Changed,
    /// hone wrote it; it no longer exists.
    Deleted,
    /// hone removed it; it exists again.
    Recreated,
    /// A newer entry, which is not undone, changed it again.
    KeptBy(u64),
}

/// A file that changed since hone wrote it, and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleFile {
    pub path: String,
    pub why: Why,
}

impl fmt::Display for StaleFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.path;
        match self.why {
            Why::Changed => write!(
                f,
                "{p} was changed after hone wrote it (by you or another program)"
            ),
            Why::Deleted => write!(f, "{p} was deleted after hone wrote it"),
            Why::Recreated => write!(f, "{p} was created again after hone removed it"),
            Why::KeptBy(id) => write!(f, "{p} was changed again by #{id}, which stays"),
        }
    }
}

/// An entry that cannot be undone as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleEntry {
    pub entry: JournalEntry,
    /// The files that changed since (empty when the record is unreadable).
    pub files: Vec<StaleFile>,
}

impl fmt::Display for StaleEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}: ", self.entry.id)?;
        if let Some(why) = &self.entry.unreadable {
            return write!(f, "its record is unreadable ({why})");
        }
        let files: Vec<String> = self.files.iter().map(ToString::to_string).collect();
        f.write_str(&files.join("; "))
    }
}

/// What an undo did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoReport {
    /// Files written back to their earlier content.
    pub restored: Vec<String>,
    /// Files removed because they did not exist before.
    pub removed: Vec<String>,
    /// When the newest undone entry was applied (seconds since the Unix epoch).
    pub time: u64,
    /// Entries left in the journal.
    pub remaining: usize,
    /// Batches this undo reverted.
    pub batches: usize,
    /// The entries undone, newest first.
    pub undone: Vec<JournalEntry>,
    /// Stale entries left as they are ([`OnStale::Skip`]), newest first.
    pub skipped: Vec<StaleEntry>,
}

/// One file an undo would put back: its content now and after the undo (`None`: absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reverted {
    pub path: String,
    pub now: Option<Vec<u8>>,
    pub restored: Option<Vec<u8>>,
}

/// What an undo would do, without doing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoPreview {
    /// The entries it would undo, newest first.
    pub entries: Vec<JournalEntry>,
    /// The files it would write back, by path.
    pub files: Vec<Reverted>,
    /// Stale entries among those selected: with [`OnStale::Refuse`] the undo would stop at
    /// them, with [`OnStale::Skip`] leave them.
    pub stale: Vec<StaleEntry>,
}

/// One file to put back: its absolute path, its workspace path, and its bytes and mode (or
/// `None` when it did not exist).
type Restore = (PathBuf, String, Option<(Vec<u8>, Option<u32>)>);

/// An entry the undo will revert: its index among the groups, and per batch (newest first)
/// the files to put back.
struct Planned {
    group: usize,
    batches: Vec<Vec<Restore>>,
}

/// The outcome of weighing the selected entries.
struct Assessment {
    /// Newest first.
    planned: Vec<Planned>,
    /// Newest first.
    stale: Vec<StaleEntry>,
    /// Current content of every file read, by workspace path.
    disk: HashMap<String, Option<Vec<u8>>>,
}

impl Journal {
    /// Reverts the last applied batch (not the whole entry), or explains why it cannot: what a
    /// lint-fix round uses to take its own edits back one by one.
    pub fn undo(&self, ws: &Workspace) -> Result<UndoReport, EditError> {
        let mut lock = self.lock()?;
        let all = self.batches()?;
        let Some(&last) = all.last() else {
            return Err(EditError::NothingToUndo);
        };
        let (dir, manifest) = self.manifest(last)?;
        let batch = (last, dir, manifest);
        let (plan, stale) = plan_batch(ws, &batch, &mut HashMap::new(), &mut HashMap::new())?;
        if !stale.is_empty() {
            let mut files: Vec<String> = stale.into_iter().map(|s| s.path).collect();
            files.sort();
            files.dedup();
            return Err(EditError::UndoConflict { files });
        }
        lock.staging_in(parents(plan.iter()))?;
        let mut report = empty_report(batch.2.time, all.len() - 1, 1);
        restore(plan, &mut report)?;
        remove_created(ws, &batch.2);
        self.discard(&format!("{last:010}"));
        Ok(report)
    }

    /// Reverts the newest entry (every batch of the last request), all or nothing.
    pub fn undo_run(&self, ws: &Workspace) -> Result<UndoReport, EditError> {
        self.undo_entries(ws, Selection::Last, OnStale::Refuse)
    }

    /// Reverts the selected entries, newest first, each whole. Takes the workspace's write
    /// lock; everything is weighed (and every before-image read and checked) before the first
    /// file is written.
    pub fn undo_entries(
        &self,
        ws: &Workspace,
        selection: Selection<'_>,
        on_stale: OnStale,
    ) -> Result<UndoReport, EditError> {
        let mut lock = self.lock()?;
        let groups = self.groups()?;
        let a = assess(ws, &groups, selection, on_stale)?;
        if a.planned.is_empty() || (on_stale == OnStale::Refuse && !a.stale.is_empty()) {
            return Err(if a.stale.is_empty() {
                EditError::NothingToUndo
            } else {
                EditError::UndoStale { entries: a.stale }
            });
        }
        lock.staging_in(parents(
            a.planned.iter().flat_map(|p| p.batches.iter().flatten()),
        ))?;
        let newest = &groups[a.planned[0].group];
        let mut report = empty_report(
            newest.entry.time,
            groups.len() - a.planned.len(),
            a.planned
                .iter()
                .map(|p| groups[p.group].batches.len())
                .sum(),
        );
        for planned in a.planned {
            let group = &groups[planned.group];
            for ((seq, _, manifest), plan) in group.batches.iter().rev().zip(planned.batches) {
                restore(plan, &mut report)?;
                remove_created(ws, manifest);
                self.discard(&format!("{seq:010}"));
            }
            report.undone.push(group.entry.clone());
        }
        report.skipped = a.stale;
        report.restored.sort();
        report.removed.sort();
        Ok(report)
    }

    /// What [`Journal::undo_entries`] would do now, without the lock and without writing: with
    /// [`OnStale::Refuse`] and a stale entry, nothing but the stale entries.
    pub fn preview(
        &self,
        ws: &Workspace,
        selection: Selection<'_>,
        on_stale: OnStale,
    ) -> Result<UndoPreview, EditError> {
        let groups = self.groups()?;
        let mut a = assess(ws, &groups, selection, on_stale)?;
        if on_stale == OnStale::Refuse && !a.stale.is_empty() {
            a.planned.clear();
        }
        let mut restored: HashMap<String, Option<Vec<u8>>> = HashMap::new();
        let mut entries = Vec::new();
        for planned in &a.planned {
            entries.push(groups[planned.group].entry.clone());
            // Newest first: what the oldest entry puts back is what stays.
            for (_, path, bytes) in planned.batches.iter().flatten() {
                restored.insert(path.clone(), bytes.as_ref().map(|(b, _)| b.clone()));
            }
        }
        let mut files: Vec<Reverted> = restored
            .into_iter()
            .map(|(path, restored)| Reverted {
                now: a.disk.get(&path).cloned().flatten(),
                path,
                restored,
            })
            .filter(|r| r.now != r.restored)
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(UndoPreview {
            entries,
            files,
            stale: a.stale,
        })
    }
}

fn empty_report(time: u64, remaining: usize, batches: usize) -> UndoReport {
    UndoReport {
        restored: Vec::new(),
        removed: Vec::new(),
        time,
        remaining,
        batches,
        undone: Vec::new(),
        skipped: Vec::new(),
    }
}

/// The directories files will be staged in, for the lock's note.
fn parents<'a>(plans: impl Iterator<Item = &'a Restore>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = plans
        .filter_map(|(abs, ..)| abs.parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    dirs
}

/// Removes the directories a batch created, deepest first, when they are empty again.
fn remove_created(ws: &Workspace, manifest: &super::journal::Manifest) {
    for d in manifest.created_dirs.iter().rev() {
        if let Ok(abs) = ws.resolve(d) {
            let _ = fs::remove_dir(abs);
        }
    }
}

/// Weighs the entries `selection` names, newest first (see the module docs).
fn assess(
    ws: &Workspace,
    groups: &[Group],
    selection: Selection<'_>,
    on_stale: OnStale,
) -> Result<Assessment, EditError> {
    if groups.is_empty() {
        return Err(EditError::NothingToUndo);
    }
    if let Selection::From(id) = selection
        && !groups.iter().any(|g| g.entry.id == id)
    {
        return Err(EditError::NoSuchEntry {
            id,
            newest: groups.last().map(|g| g.entry.id),
        });
    }
    let mut a = Assessment {
        planned: Vec::new(),
        stale: Vec::new(),
        disk: HashMap::new(),
    };
    // What each file holds once the entries planned so far are undone.
    let mut state: HashMap<String, Option<String>> = HashMap::new();
    // Files a newer entry that stays has changed, and which entry.
    let mut kept: HashMap<String, u64> = HashMap::new();
    for (index, group) in groups.iter().enumerate().rev() {
        let entry = &group.entry;
        let selected = match selection {
            // The newest; with Skip, the newest that can be undone.
            Selection::Last => {
                a.planned.is_empty() && (on_stale == OnStale::Skip || a.stale.is_empty())
            }
            Selection::From(id) => entry.id >= id,
            Selection::Runs(runs) => entry.run.as_ref().is_some_and(|r| runs.contains(r)),
        };
        if !selected {
            if matches!(selection, Selection::Last) {
                break;
            }
            for f in &entry.files {
                kept.entry(f.clone()).or_insert(entry.id);
            }
            continue;
        }
        if entry.unreadable.is_some() {
            a.stale.push(StaleEntry {
                entry: entry.clone(),
                files: Vec::new(),
            });
            continue;
        }
        // Weighed on a copy: an entry is planned whole or not at all.
        let mut local = state.clone();
        let mut batches = Vec::new();
        let mut stale = Vec::new();
        for batch in group.batches.iter().rev() {
            let (plan, s) = plan_batch(ws, batch, &mut local, &mut a.disk)?;
            batches.push(plan);
            stale.extend(s);
        }
        if stale.is_empty() {
            state = local;
            a.planned.push(Planned {
                group: index,
                batches,
            });
            continue;
        }
        for s in &mut stale {
            if let Some(&by) = kept.get(&s.path) {
                s.why = Why::KeptBy(by);
            }
        }
        stale.sort_by(|x, y| x.path.cmp(&y.path));
        stale.dedup_by(|x, y| x.path == y.path);
        for f in &entry.files {
            kept.entry(f.clone()).or_insert(entry.id);
        }
        a.stale.push(StaleEntry {
            entry: entry.clone(),
            files: stale,
        });
    }
    Ok(a)
}

/// What undoing one batch puts back, checked against `state` (what the newer undos leave,
/// updated here) and the disk (read once per file into `disk`); and the files that changed
/// since hone wrote them.
fn plan_batch(
    ws: &Workspace,
    batch: &Batch,
    state: &mut HashMap<String, Option<String>>,
    disk: &mut HashMap<String, Option<Vec<u8>>>,
) -> Result<(Vec<Restore>, Vec<StaleFile>), EditError> {
    let (_, dir, manifest) = batch;
    let mut plan = Vec::new();
    let mut stale = Vec::new();
    for rec in &manifest.files {
        let abs = ws.resolve(&rec.path)?;
        let now_sha = match state.get(&rec.path) {
            Some(sha) => sha.clone(),
            None => {
                if !disk.contains_key(&rec.path) {
                    disk.insert(rec.path.clone(), read_now(&abs, &rec.path)?);
                }
                disk.get(&rec.path).cloned().flatten().as_deref().map(sha)
            }
        };
        let before_sha = rec.before.as_ref().map(|b| b.sha256.clone());
        if now_sha == before_sha {
            continue; // Already as it was (the batch never reached this file).
        }
        if now_sha != rec.after {
            let why = match (&now_sha, &rec.after) {
                (None, _) => Why::Deleted,
                (Some(_), None) => Why::Recreated,
                (Some(_), Some(_)) => Why::Changed,
            };
            stale.push(StaleFile {
                path: rec.path.clone(),
                why,
            });
            continue;
        }
        state.insert(rec.path.clone(), before_sha);
        let bytes = match &rec.before {
            Some(b) => Some(before_bytes(dir, b)?),
            None => None,
        };
        plan.push((abs, rec.path.clone(), bytes));
    }
    Ok((plan, stale))
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

#[cfg(test)]
mod tests;
