//! The persisted index: one postcard file per workspace in its state folder, so a second start
//! re-parses only the files whose size or mtime changed.
//!
//! The file is a small header (format fingerprint, write time) followed by the body (interned
//! names, indexed files, content-skipped files). A header whose fingerprint differs — another hone
//! version, changed queries, different content-affecting options — makes the whole cache a miss
//! without decoding the body. Invariants: a loaded cache never hands out a name id outside its
//! name table (checked on load, so the rest of the index can index without bounds worries); an
//! entry whose mtime is within a second of the write time is not trusted, because a file edited
//! in that second could have kept its size and mtime (git's "racy clean" problem); writes go to a
//! temporary file renamed into place, so a concurrent reader sees the old cache or the new one.

use std::io::Write as _;
use std::iter::Peekable;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::context::ContextError;
use crate::context::index::{IndexedFile, SkippedFile, Slot};
use crate::context::lang::Language;
use crate::context::scan::{CacheLocation, Candidate, Mtime, ScanOptions};

/// The cache file's name inside the workspace state folder.
pub const CACHE_FILE: &str = "repo-index.postcard";

/// Bumped whenever the serialized shape of the index changes, or what extraction puts in it
/// (2: signatures lose Python's trailing `:`).
const FORMAT: u32 = 2;

/// What happened to the cache on this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CacheOutcome {
    /// No cache location (caching off, or no state folder).
    #[default]
    Off,
    Loaded,
    /// No cache file yet.
    Missing,
    /// Written by another version or with other options.
    Stale,
    /// Unreadable or undecodable; rebuilt from scratch.
    Corrupt,
}

impl CacheOutcome {
    /// How `hone -v map` says what the cache did.
    pub fn label(self) -> &'static str {
        match self {
            CacheOutcome::Off => "off",
            CacheOutcome::Loaded => "loaded",
            CacheOutcome::Missing => "none yet",
            CacheOutcome::Stale => "stale (another version or options), rebuilt",
            CacheOutcome::Corrupt => "unreadable, rebuilt",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Header {
    fingerprint: String,
    /// Seconds since the Unix epoch when the cache was written.
    written: i64,
}

#[derive(Serialize)]
struct BodyOut<'a> {
    names: &'a [Box<str>],
    files: &'a [IndexedFile],
    skipped: &'a [SkippedFile],
}

#[derive(Deserialize)]
struct BodyIn {
    names: Vec<Box<str>>,
    files: Vec<IndexedFile>,
    skipped: Vec<SkippedFile>,
}

/// A decoded cache, consumed entry by entry as the build matches candidates against it. Entries
/// are stored sorted by path (the index is), so matching is a merge: [`LoadedCache::take`] must
/// be called with candidates in path order.
pub(crate) struct LoadedCache {
    pub names: Vec<Box<str>>,
    files: Peekable<std::vec::IntoIter<IndexedFile>>,
    skipped: Peekable<std::vec::IntoIter<SkippedFile>>,
    /// Entries passed over: their files are gone.
    dropped: usize,
    written: i64,
}

impl Default for LoadedCache {
    fn default() -> Self {
        LoadedCache {
            names: Vec::new(),
            files: Vec::new().into_iter().peekable(),
            skipped: Vec::new().into_iter().peekable(),
            dropped: 0,
            written: 0,
        }
    }
}

impl LoadedCache {
    /// The cached entry for `cand` if its size and mtime still match (and it is not racy).
    pub fn take(&mut self, cand: &Candidate) -> Option<Slot> {
        let written = self.written;
        let trusted = |size: u64, mtime: Mtime| {
            size == cand.size && mtime == cand.mtime && mtime.secs < written - 1
        };
        while self.files.next_if(|f| f.path < cand.path).is_some() {
            self.dropped += 1;
        }
        while self.skipped.next_if(|f| f.path < cand.path).is_some() {
            self.dropped += 1;
        }
        if let Some(f) = self.files.next_if(|f| f.path == cand.path) {
            return trusted(f.size, f.mtime).then_some(Slot::File(f));
        }
        if let Some(s) = self.skipped.next_if(|s| s.path == cand.path) {
            return (trusted(s.size, s.mtime) && !cand.explicit).then_some(Slot::Skipped(s.reason));
        }
        None
    }

    /// Entries no candidate claimed: files deleted (or newly ignored) since the cache was written.
    pub fn remaining(&self) -> usize {
        self.dropped + self.files.len() + self.skipped.len()
    }
}

/// The cache file for `root` under `loc`, if caching is on and a state folder exists.
pub fn location(root: &Path, loc: &CacheLocation) -> Option<PathBuf> {
    match loc {
        CacheLocation::StateDir => {
            crate::paths::workspace_state_dir(root).map(|d| d.join(CACHE_FILE))
        }
        CacheLocation::File(p) => Some(p.clone()),
        CacheLocation::Off => None,
    }
}

/// Identifies what produced a cache: hone's version, the cache format, every query (a changed
/// query changes what a parse yields) and the options that change content verdicts.
pub fn fingerprint(opts: &ScanOptions) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(FORMAT.to_le_bytes());
    for lang in Language::ALL {
        h.update(lang.query_source().as_bytes());
        h.update(lang.grammar_name().as_bytes());
    }
    h.update([u8::from(opts.skip_generated)]);
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads the cache at `path`; the error is why it could not be used.
pub(crate) fn load(path: &Path, fingerprint: &str) -> Result<LoadedCache, CacheOutcome> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CacheOutcome::Missing),
        Err(_) => return Err(CacheOutcome::Corrupt),
    };
    decode(&bytes, fingerprint)
}

fn decode(bytes: &[u8], fingerprint: &str) -> Result<LoadedCache, CacheOutcome> {
    let (header, rest) =
        postcard::take_from_bytes::<Header>(bytes).map_err(|_| CacheOutcome::Corrupt)?;
    if header.fingerprint != fingerprint {
        return Err(CacheOutcome::Stale);
    }
    let body: BodyIn = postcard::from_bytes(rest).map_err(|_| CacheOutcome::Corrupt)?;
    let n = body.names.len();
    let in_range = |id: u32| (id as usize) < n;
    let valid = body.files.iter().all(|f| {
        f.defs.iter().all(|d| in_range(d.name)) && f.refs.iter().all(|(r, _)| in_range(*r))
    });
    if !valid {
        return Err(CacheOutcome::Corrupt);
    }
    let (mut files, mut skipped) = (body.files, body.skipped);
    // Written sorted; sorting again is a cheap guard for the merge in `take`.
    if !files.is_sorted_by(|a, b| a.path < b.path) {
        files.sort_by(|a, b| a.path.cmp(&b.path));
    }
    if !skipped.is_sorted_by(|a, b| a.path < b.path) {
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
    }
    Ok(LoadedCache {
        names: body.names,
        files: files.into_iter().peekable(),
        skipped: skipped.into_iter().peekable(),
        dropped: 0,
        written: header.written,
    })
}

/// Writes the cache atomically (temporary file in the same folder, then rename).
pub(crate) fn save(
    path: &Path,
    fingerprint: &str,
    names: &[Box<str>],
    files: &[IndexedFile],
    skipped: &[SkippedFile],
) -> Result<(), ContextError> {
    let written = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let bytes = encode(fingerprint, written, names, files, skipped).map_err(|e| {
        ContextError::CacheEncode {
            reason: e.to_string(),
        }
    })?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let io_err = |source| ContextError::CacheWrite {
        path: path.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io_err)?;
    tmp.write_all(&bytes).map_err(io_err)?;
    tmp.persist(path).map_err(|e| io_err(e.error))?;
    Ok(())
}

fn encode(
    fingerprint: &str,
    written: i64,
    names: &[Box<str>],
    files: &[IndexedFile],
    skipped: &[SkippedFile],
) -> Result<Vec<u8>, postcard::Error> {
    let mut bytes = postcard::to_stdvec(&Header {
        fingerprint: fingerprint.to_string(),
        written,
    })?;
    bytes.extend(postcard::to_stdvec(&BodyOut {
        names,
        files,
        skipped,
    })?);
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::index::Definition;
    use crate::context::scan::{Mtime, SkipReason};
    use crate::context::symbols::SymbolKind;

    fn file(path: &str, secs: i64) -> IndexedFile {
        IndexedFile {
            path: path.to_string(),
            size: 10,
            mtime: Mtime { secs, nanos: 5 },
            language: Some(Language::Rust),
            defs: vec![Definition {
                name: 0,
                kind: SymbolKind::Function,
                line: 3,
                depth: 0,
                signature: "fn a()".into(),
            }],
            refs: vec![(1, 2)],
        }
    }

    fn cand(path: &str, size: u64, secs: i64) -> Candidate {
        Candidate {
            path: path.to_string(),
            size,
            mtime: Mtime { secs, nanos: 5 },
            explicit: false,
        }
    }

    #[test]
    fn round_trip_and_hits_only_for_unchanged_files() {
        let names: Vec<Box<str>> = vec!["a".into(), "b".into()];
        let skipped = vec![SkippedFile {
            path: "x.bin".into(),
            size: 1,
            mtime: Mtime { secs: 50, nanos: 5 },
            reason: SkipReason::Binary,
        }];
        let bytes = encode(
            "fp",
            1000,
            &names,
            &[file("a.rs", 100), file("b.rs", 100), file("racy.rs", 999)],
            &skipped,
        )
        .unwrap();
        let mut c = decode(&bytes, "fp").unwrap();
        assert_eq!(c.names, names);
        assert!(matches!(c.take(&cand("a.rs", 10, 100)), Some(Slot::File(f)) if f.defs.len() == 1));
        assert!(c.take(&cand("b.rs", 11, 100)).is_none(), "size changed");
        assert!(
            c.take(&cand("racy.rs", 10, 999)).is_none(),
            "mtime too close to the write"
        );
        assert!(matches!(
            c.take(&cand("x.bin", 1, 50)),
            Some(Slot::Skipped(SkipReason::Binary))
        ));
        assert!(c.take(&cand("new.rs", 10, 100)).is_none());
        assert_eq!(c.remaining(), 0);
    }

    #[test]
    fn entries_no_candidate_claims_count_as_removed() {
        let names: Vec<Box<str>> = vec!["a".into(), "b".into()];
        let files = [
            file("a.rs", 100),
            file("b.rs", 100),
            file("c.rs", 100),
            file("d.rs", 100),
        ];
        let bytes = encode("fp", 1000, &names, &files, &[]).unwrap();
        let mut c = decode(&bytes, "fp").unwrap();
        assert!(c.take(&cand("a.rs", 10, 100)).is_some());
        assert!(c.take(&cand("c.rs", 10, 100)).is_some());
        assert_eq!(c.remaining(), 2, "b.rs passed over, d.rs left");
    }

    #[test]
    fn other_fingerprint_is_stale_and_garbage_is_corrupt() {
        let bytes = encode("fp", 1000, &[], &[], &[]).unwrap();
        assert_eq!(decode(&bytes, "other").err(), Some(CacheOutcome::Stale));
        assert_eq!(
            decode(b"\xff\xff\xff", "fp").err(),
            Some(CacheOutcome::Corrupt)
        );
        assert_eq!(
            decode(&bytes[..bytes.len() - 1], "fp").err(),
            Some(CacheOutcome::Corrupt)
        );
    }

    #[test]
    fn out_of_range_name_ids_are_corrupt() {
        let names: Vec<Box<str>> = vec!["a".into()];
        let bytes = encode("fp", 1000, &names, &[file("a.rs", 100)], &[]).unwrap();
        assert_eq!(decode(&bytes, "fp").err(), Some(CacheOutcome::Corrupt));
    }

    #[test]
    fn save_then_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state/cache.bin");
        let names: Vec<Box<str>> = vec!["a".into(), "b".into()];
        save(&path, "fp", &names, &[file("a.rs", 100)], &[]).unwrap();
        let mut c = load(&path, "fp").unwrap();
        assert!(c.take(&cand("a.rs", 10, 100)).is_some());
        assert_eq!(
            load(&dir.path().join("none"), "fp").err(),
            Some(CacheOutcome::Missing)
        );
    }
}
