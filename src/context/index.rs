//! The repository index: every file the scan let in, with its definitions and references, the
//! reference graph over them, and git recency — the input to ranking and rendering.
//!
//! Building it is [`RepoIndex::build`] (synchronous) or [`RepoIndex::spawn_build`] (background,
//! see [`crate::context::handle`]). A build walks the tree, takes every file whose size and mtime
//! match the persisted cache as is, parses only the rest on `threads` workers, then builds the
//! graph. An index never changes after it is built: a refreshed one is a new value, so a map
//! already rendered into a request stays true to what was sent. Names are interned ([`NameId`])
//! so that 10,000 files' references cost a few megabytes, not tens.

use std::collections::BTreeMap;

use foldhash::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::context::ContextError;
use crate::context::cache::{self, CacheOutcome, LoadedCache};
use crate::context::git::GitProbe;
use crate::context::graph::Graph;
use crate::context::lang::Language;
use crate::context::scan::{self, Candidate, Mtime, ScanOptions, ScanReport, SkipReason};
use crate::context::symbols::SymbolKind;

pub(crate) use self::parse::Slot;
use self::parse::{Parsed, compact_names, intern_file, parse_all};

/// Index of a file in [`RepoIndex::files`].
pub type FileId = u32;
/// Index of an interned name ([`RepoIndex::name`]).
pub type NameId = u32;

/// One definition in an indexed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Definition {
    pub name: NameId,
    pub kind: SymbolKind,
    /// 1-based line.
    pub line: u32,
    /// Nesting under other definitions of the same file (a method in a class is 1).
    pub depth: u8,
    pub signature: Box<str>,
}

/// One file of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexedFile {
    /// `/`-separated, relative to the root.
    pub path: String,
    pub size: u64,
    pub mtime: Mtime,
    /// `None` for text files hone has no grammar for: they appear in the map by path only.
    pub language: Option<Language>,
    pub defs: Vec<Definition>,
    /// Referenced names with their occurrence counts, sorted by id.
    pub refs: Vec<(NameId, u32)>,
}

/// A file whose content ruled it out (binary, generated, minified), remembered so a warm start
/// need not read it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedFile {
    pub path: String,
    pub size: u64,
    pub mtime: Mtime,
    pub reason: SkipReason,
}

/// Interned identifier names.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    pub names: Vec<Box<str>>,
    lookup: HashMap<Box<str>, NameId>,
}

impl Interner {
    pub fn from_names(names: Vec<Box<str>>) -> Interner {
        let lookup = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as NameId))
            .collect();
        Interner { names, lookup }
    }

    pub fn intern(&mut self, name: &str) -> NameId {
        if let Some(id) = self.lookup.get(name) {
            return *id;
        }
        let id = self.names.len() as NameId;
        self.names.push(name.into());
        self.lookup.insert(name.into(), id);
        id
    }

    pub fn get(&self, name: &str) -> Option<NameId> {
        self.lookup.get(name).copied()
    }
}

/// What a build did, for logs, `hone map -v` and the cache-reuse tests.
#[derive(Debug, Clone, Default)]
pub struct IndexStats {
    /// Files in the index.
    pub files: usize,
    /// Files read and parsed by this build.
    pub parsed: usize,
    /// Files taken from the cache without reading them.
    pub reused: usize,
    /// Files left out, by reason (directories for [`SkipReason::VendoredDir`]).
    pub skipped: BTreeMap<SkipReason, usize>,
    pub cache: CacheOutcome,
    /// Whether `git log` answered in time to rank by recency.
    pub git_recency: bool,
    pub elapsed: Duration,
    pub timings: BuildTimings,
}

/// Where a build's time went (the walk and the cache load run at the same time).
#[derive(Debug, Clone, Copy, Default)]
pub struct BuildTimings {
    pub walk: Duration,
    pub cache_load: Duration,
    /// Reading, parsing and interning the files the cache did not have.
    pub parse: Duration,
    pub graph: Duration,
    /// Writing the cache afterwards (only [`RepoIndex::build`]; a background build publishes
    /// the index first and writes the cache after).
    pub save: Duration,
}

/// Progress of a running build, readable from another thread.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files the walk let through (set once the walk ends).
    pub found: AtomicUsize,
    /// Files parsed or taken from the cache so far.
    pub done: AtomicUsize,
}

/// The symbol index of one workspace. Immutable once built.
#[derive(Debug)]
pub struct RepoIndex {
    root: PathBuf,
    files: Vec<IndexedFile>,
    names: Interner,
    skipped_files: Vec<SkippedFile>,
    pub(crate) graph: Graph,
    /// Per file: 0 when git knows of no recent change, up to 1 for the latest commit.
    recency: Vec<f32>,
    stats: IndexStats,
    /// The cache fingerprint this index was built under (see [`cache::fingerprint`]).
    fingerprint: String,
}

/// Where a finished build should write its cache (only when something changed).
pub(crate) struct PendingSave {
    pub path: PathBuf,
}

impl RepoIndex {
    /// Scans and indexes `root`, reusing the cache for unchanged files and updating it.
    pub fn build(root: &Path, opts: &ScanOptions) -> Result<RepoIndex, ContextError> {
        let (mut index, save) = RepoIndex::build_unsaved(root, opts, &Progress::default())?;
        if let Some(save) = save {
            let t = Instant::now();
            // A cache that cannot be written costs the next start time, not correctness.
            let _ = index.save_cache(&save.path);
            index.stats.timings.save = t.elapsed();
        }
        Ok(index)
    }

    /// The build without the cache write, so a background build can publish first.
    pub(crate) fn build_unsaved(
        root: &Path,
        opts: &ScanOptions,
        progress: &Progress,
    ) -> Result<(RepoIndex, Option<PendingSave>), ContextError> {
        let started = Instant::now();
        let root = open_root(root)?;
        let git = opts.git_recency.then(|| GitProbe::start(&root)).flatten();
        let cache_path = cache::location(&root, &opts.cache);
        let fingerprint = cache::fingerprint(opts);
        let mut timings = BuildTimings::default();
        let (report, mut cached, cache_outcome) = walk_and_load(
            &root,
            opts,
            cache_path.as_deref(),
            &fingerprint,
            &mut timings,
        );
        progress
            .found
            .store(report.candidates.len(), Ordering::Relaxed);
        let mut names = Interner::from_names(std::mem::take(&mut cached.names));
        let (mut slots, to_parse) = reuse_cached(&report.candidates, &mut cached);
        let reused = slots.len() - to_parse.len();
        progress.done.store(reused, Ordering::Relaxed);
        let removed = cached.remaining();

        let t = Instant::now();
        parse_pending(
            &root,
            &report.candidates,
            &to_parse,
            &mut slots,
            &mut names,
            opts,
            progress,
        );
        let (mut files, skipped_files, skipped) = settle(report, slots);
        let changed = !to_parse.is_empty() || removed > 0 || cache_outcome != CacheOutcome::Loaded;
        if changed {
            compact_names(&mut names, &mut files);
        }
        timings.parse = t.elapsed();
        let t = Instant::now();
        let graph = Graph::build(&files, &names.names);
        timings.graph = t.elapsed();
        let recency = git.and_then(|probe| git_recency(probe, &files));
        let stats = IndexStats {
            files: files.len(),
            parsed: to_parse.len(),
            reused,
            skipped,
            cache: cache_outcome,
            git_recency: recency.is_some(),
            elapsed: started.elapsed(),
            timings,
        };
        let recency = recency.unwrap_or_else(|| vec![0.0; files.len()]);
        let index = RepoIndex {
            root,
            files,
            names,
            skipped_files,
            graph,
            recency,
            stats,
            fingerprint,
        };
        let save = if changed {
            cache_path.map(|path| PendingSave { path })
        } else {
            None
        };
        Ok((index, save))
    }

    pub(crate) fn save_cache(&self, path: &Path) -> Result<(), ContextError> {
        cache::save(
            path,
            &self.fingerprint,
            &self.names.names,
            &self.files,
            &self.skipped_files,
        )
    }

    /// The canonical workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// All indexed files, sorted by path.
    pub fn files(&self) -> &[IndexedFile] {
        &self.files
    }

    pub fn file(&self, id: FileId) -> Option<&IndexedFile> {
        self.files.get(id as usize)
    }

    /// The id of the file at `path` (relative `/`-separated, or absolute inside the root).
    pub fn file_id(&self, path: &str) -> Option<FileId> {
        let rel = self.relative(path)?;
        self.files
            .binary_search_by(|f| f.path.as_str().cmp(&rel))
            .ok()
            .map(|i| i as FileId)
    }

    /// `path` as a root-relative `/`-separated path, `None` when it points outside the root.
    pub fn relative(&self, path: &str) -> Option<String> {
        let p = Path::new(path);
        let p = if p.is_absolute() {
            p.strip_prefix(&self.root).ok()?
        } else {
            p
        };
        let mut parts: Vec<&str> = Vec::new();
        for c in p.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_str()?),
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::RootDir | Component::Prefix(_) => return None,
            }
        }
        (!parts.is_empty()).then(|| parts.join("/"))
    }

    /// The text of an interned name.
    pub fn name(&self, id: NameId) -> &str {
        self.names.names.get(id as usize).map_or("", |n| n)
    }

    /// The id of a name, if any file defines or references it.
    pub fn name_id(&self, name: &str) -> Option<NameId> {
        self.names.get(name)
    }

    /// The files that define `name`.
    pub fn definers(&self, name: &str) -> &[FileId] {
        self.name_id(name).map_or(&[], |id| self.graph.definers(id))
    }

    pub(crate) fn recency(&self, id: FileId) -> f32 {
        self.recency.get(id as usize).copied().unwrap_or(0.0)
    }

    pub fn stats(&self) -> &IndexStats {
        &self.stats
    }
}

/// The workspace root, canonical; it must be a directory.
fn open_root(root: &Path) -> Result<PathBuf, ContextError> {
    let root = root.canonicalize().map_err(|source| ContextError::Root {
        path: root.to_path_buf(),
        source,
    })?;
    if !root.is_dir() {
        return Err(ContextError::NotADirectory { path: root });
    }
    Ok(root)
}

/// The scan of `root` and the cache at `cache_path` (if any, else empty), loaded at the same
/// time: neither needs the other until both are done. Records both times in `timings`.
fn walk_and_load(
    root: &Path,
    opts: &ScanOptions,
    cache_path: Option<&Path>,
    fingerprint: &str,
    timings: &mut BuildTimings,
) -> (ScanReport, LoadedCache, CacheOutcome) {
    let (report, loaded) = std::thread::scope(|s| {
        let loader = s.spawn(|| {
            let t = Instant::now();
            let loaded = cache_path.map(|p| cache::load(p, fingerprint));
            (loaded, t.elapsed())
        });
        let t = Instant::now();
        let report = scan::scan(root, opts);
        timings.walk = t.elapsed();
        let (loaded, load_time) = loader.join().unwrap_or((None, Duration::ZERO));
        timings.cache_load = load_time;
        (report, loaded)
    });
    let (cached, outcome) = match loaded {
        None => (LoadedCache::default(), CacheOutcome::Off),
        Some(Ok(c)) => (c, CacheOutcome::Loaded),
        Some(Err(outcome)) => (LoadedCache::default(), outcome),
    };
    (report, cached, outcome)
}

/// A slot per candidate: the cache's entry where its size and mtime still match, else
/// [`Slot::Pending`]; and the indices of the pending ones, to read and parse.
fn reuse_cached(candidates: &[Candidate], cached: &mut LoadedCache) -> (Vec<Slot>, Vec<usize>) {
    let mut slots: Vec<Slot> = Vec::with_capacity(candidates.len());
    let mut to_parse: Vec<usize> = Vec::new();
    for (i, cand) in candidates.iter().enumerate() {
        match cached.take(cand) {
            Some(hit) => slots.push(hit),
            None => {
                slots.push(Slot::Pending);
                to_parse.push(i);
            }
        }
    }
    (slots, to_parse)
}

/// Reads and parses the candidates `to_parse` names on worker threads, filling their slots
/// (interning the names they define and use).
fn parse_pending(
    root: &Path,
    candidates: &[Candidate],
    to_parse: &[usize],
    slots: &mut [Slot],
    names: &mut Interner,
    opts: &ScanOptions,
    progress: &Progress,
) {
    parse_all(root, candidates, to_parse, opts, progress, |k, outcome| {
        let i = to_parse[k];
        slots[i] = match outcome {
            Parsed::File { language, symbols } => {
                Slot::File(intern_file(names, &candidates[i], language, symbols))
            }
            Parsed::Skipped(reason) => Slot::Skipped(reason),
        };
    });
}

/// The indexed files, the files skipped for their content (remembered for the cache), and
/// every skip counted by reason, from the scan and the filled slots.
fn settle(
    report: ScanReport,
    slots: Vec<Slot>,
) -> (
    Vec<IndexedFile>,
    Vec<SkippedFile>,
    BTreeMap<SkipReason, usize>,
) {
    let mut skipped = report.skipped;
    let mut files = Vec::with_capacity(slots.len());
    let mut skipped_files = Vec::new();
    for (cand, slot) in report.candidates.into_iter().zip(slots) {
        match slot {
            Slot::File(f) => files.push(f),
            Slot::Skipped(reason) => {
                *skipped.entry(reason).or_insert(0) += 1;
                if reason != SkipReason::Unreadable {
                    skipped_files.push(SkippedFile {
                        path: cand.path,
                        size: cand.size,
                        mtime: cand.mtime,
                        reason,
                    });
                }
            }
            // Not reached: a panic in a parsing worker ends the process (`crate::crash`).
            // Were it ever reached, the file counts as unreadable rather than vanishing.
            Slot::Pending => *skipped.entry(SkipReason::Unreadable).or_insert(0) += 1,
        }
    }
    (files, skipped_files, skipped)
}

/// Per file, how recently git saw it change (0 to 1), if git answers within 25 ms.
fn git_recency(probe: GitProbe, files: &[IndexedFile]) -> Option<Vec<f32>> {
    probe.finish(Duration::from_millis(25)).map(|changes| {
        files
            .iter()
            .map(|f| changes.get(f.path.as_str()).copied().unwrap_or(0.0))
            .collect()
    })
}

mod parse;

#[cfg(test)]
mod tests;
