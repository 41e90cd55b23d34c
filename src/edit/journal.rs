//! The undo journal: for every applied batch, the before-image of each file it touched (its
//! bytes and permission bits, or "did not exist") and a hash of what hone wrote, kept in the
//! workspace's state folder (`paths::workspace_state_dir`), never inside the repository, and
//! shared by every hone process working there.
//!
//! Layout: `<state>/journal/<seq>/manifest.json` plus one blob per before-image. A batch is
//! written into a temporary folder (each file synced, then the folder) and renamed to its number
//! (then the journal folder synced), so a half-written batch is never seen and a recorded one
//! survives a crash. A manifest names the run that applied it (one request's edits, tagged by
//! [`Journal::start_run`]) and that request's text, shortened; manifests written before the
//! request was recorded load without it. Adjacent batches of one run make one
//! [`JournalEntry`], what a person sees in `hone undo --list` and undoes as one change (see
//! `undo` for how entries are undone). The oldest batches beyond [`KEEP`] are dropped.
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
use super::write::sync_dir;

/// Batches kept per workspace.
pub const KEEP: usize = 100;

/// The most of a request's text a manifest keeps (its first line).
const REQUEST_CHARS: usize = 200;

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

pub(super) fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) version: u32,
    /// Seconds since the Unix epoch.
    pub(super) time: u64,
    pub(super) files: Vec<FileRecord>,
    pub(super) created_dirs: Vec<String>,
    /// The run that applied this batch; batches of one run are undone together.
    #[serde(default)]
    pub(super) run: Option<String>,
    /// The request the run answered, shortened (absent in journals written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) request: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct FileRecord {
    pub(super) path: String,
    /// None: the file did not exist.
    pub(super) before: Option<Before>,
    /// Hash of the bytes hone wrote; None: hone removed the file.
    pub(super) after: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Before {
    pub(super) blob: String,
    pub(super) sha256: String,
    pub(super) mode: Option<u32>,
}

/// One entry of the journal, as a person sees it: the batches one request applied, in a row
/// (a batch recorded outside a run is an entry of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Its number, `#id`: the journal number of its first batch, so it stays the same while the
    /// entry exists, whatever is recorded or undone after it.
    pub id: u64,
    /// When its last batch was applied (seconds since the Unix epoch).
    pub time: u64,
    /// The request it answered, shortened; `None` when not recorded.
    pub request: Option<String>,
    /// The run that applied it.
    pub run: Option<String>,
    /// The files it touched, sorted.
    pub files: Vec<String>,
    /// How many batches it holds.
    pub batches: usize,
    /// Why its record cannot be read, when it cannot.
    pub unreadable: Option<String>,
}

/// A batch of the journal: its number, its directory and its manifest.
pub(super) type Batch = (u64, PathBuf, Manifest);

/// An entry with what undoing it needs: its batches, oldest first (none when unreadable).
#[derive(Debug)]
pub(super) struct Group {
    pub(super) entry: JournalEntry,
    pub(super) batches: Vec<Batch>,
}

/// A workspace's undo journal.
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
    /// The run batches recorded now belong to (see [`Journal::start_run`]).
    run: Option<String>,
    /// The request of that run, shortened.
    request: Option<String>,
}

impl Journal {
    /// The journal of `ws`, under hone's state directory.
    pub fn open(ws: &Workspace) -> Result<Journal, EditError> {
        let dir = crate::paths::workspace_state_dir(ws.root()).ok_or(EditError::NoStateDir)?;
        let dir = dir.join("journal");
        // The next hone run in a workspace cleans up after one that was killed mid-write.
        super::lock::recover(&dir);
        Ok(Journal::at(dir))
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
            request: None,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Tags the batches recorded from now on as one new run (one request and the edits made
    /// for it, `request` its text), so they are listed and undone together. Returns the run's id.
    pub fn start_run(&mut self, request: Option<&str>) -> String {
        let run = format!("{:016x}", fastrand::u64(..));
        self.run = Some(run.clone());
        self.request = request.map(short_request).filter(|r| !r.is_empty());
        run
    }

    fn io(&self, action: &'static str, path: &Path, source: std::io::Error) -> EditError {
        EditError::Io {
            action,
            path: path.display().to_string(),
            source,
        }
    }

    /// Batch numbers present, ascending.
    pub(super) fn batches(&self) -> Result<Vec<u64>, EditError> {
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
            request: self.request.clone(),
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

    pub(super) fn manifest(&self, seq: u64) -> Result<(PathBuf, Manifest), EditError> {
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

    /// The entries of the journal, oldest first.
    pub fn entries(&self) -> Result<Vec<JournalEntry>, EditError> {
        Ok(self.groups()?.into_iter().map(|g| g.entry).collect())
    }

    /// The entries with their batches, oldest first: adjacent batches of one run make one
    /// entry; an unreadable batch is an entry of its own; a batch removed meanwhile (another
    /// process undid it) is left out.
    pub(super) fn groups(&self) -> Result<Vec<Group>, EditError> {
        let mut groups: Vec<Group> = Vec::new();
        for seq in self.batches()? {
            let (dir, manifest) = match self.manifest(seq) {
                Ok(m) => m,
                Err(_) if !self.dir.join(format!("{seq:010}")).exists() => continue,
                Err(e) => {
                    groups.push(Group {
                        entry: JournalEntry {
                            id: seq,
                            time: 0,
                            request: None,
                            run: None,
                            files: Vec::new(),
                            batches: 1,
                            unreadable: Some(e.to_string()),
                        },
                        batches: Vec::new(),
                    });
                    continue;
                }
            };
            let joins = groups.last().is_some_and(|g| {
                g.entry.unreadable.is_none()
                    && manifest.run.is_some()
                    && g.entry.run == manifest.run
            });
            if !joins {
                groups.push(Group {
                    entry: JournalEntry {
                        id: seq,
                        time: manifest.time,
                        request: manifest.request.clone(),
                        run: manifest.run.clone(),
                        files: Vec::new(),
                        batches: 0,
                        unreadable: None,
                    },
                    batches: Vec::new(),
                });
            }
            if let Some(g) = groups.last_mut() {
                g.entry.time = manifest.time;
                g.entry.batches += 1;
                for f in &manifest.files {
                    if !g.entry.files.contains(&f.path) {
                        g.entry.files.push(f.path.clone());
                    }
                }
                g.entry.files.sort();
                if g.entry.request.is_none() {
                    g.entry.request = manifest.request.clone();
                }
                g.batches.push((seq, dir, manifest));
            }
        }
        Ok(groups)
    }
}

/// A request as a manifest keeps it: its first non-blank line, trimmed, at most
/// [`REQUEST_CHARS`] characters (cut with `…`).
fn short_request(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= REQUEST_CHARS {
        return line.to_string();
    }
    let mut short: String = line.chars().take(REQUEST_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_kept_as_its_first_line_shortened() {
        assert_eq!(short_request("\n  fix the bug  \nin a.rs"), "fix the bug");
        let long = "x".repeat(300);
        let short = short_request(&long);
        assert_eq!(short.chars().count(), REQUEST_CHARS);
        assert!(short.ends_with('…'));
        assert_eq!(short_request(""), "");
    }

    #[test]
    fn a_manifest_written_before_requests_were_kept_still_loads() {
        let old = r#"{"version":1,"time":5,"files":[{"path":"a.txt","before":null,"after":"ab"}],"created_dirs":[],"run":"r1"}"#;
        let m: Manifest = serde_json::from_str(old).unwrap();
        assert_eq!((m.run.as_deref(), m.request), (Some("r1"), None));
        let older = r#"{"version":1,"time":5,"files":[],"created_dirs":[]}"#;
        let m: Manifest = serde_json::from_str(older).unwrap();
        assert_eq!(m.run, None);
    }
}
