//! The workspace scan: which files may enter the repository context at all.
//!
//! Walks the workspace with `ignore`'s parallel walker (`.gitignore`, `.ignore`, `.git/info/exclude`,
//! the global git excludes file and `.honeignore` are all honoured, even outside a git
//! repository) and decides from paths and metadata alone what to skip: secret-looking files, lock
//! files, generated and minified names, vendored directories, known binary extensions, oversized
//! files. It never reads file contents — the checks that need the text (binary sniffing, generated
//! markers, minified lines) are [`content_verdict`], applied by the index when it reads a file it
//! has to parse anyway. Invariant: a path [`is_secret_path`] matches is never returned unless the
//! person named it in [`ScanOptions::explicit`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::UNIX_EPOCH;

use ignore::{DirEntry, WalkBuilder, WalkState};
use serde::{Deserialize, Serialize};

pub use crate::context::filter::{
    content_verdict, is_generated_name, is_lock_file, is_secret_path, path_verdict,
};

/// The name of hone's own ignore file, read like `.gitignore` in every directory.
pub const IGNORE_FILE: &str = ".honeignore";

/// What the scan (and the index built on it) includes, and where the index is cached.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Files larger than this are skipped (a source file this big is almost always generated).
    pub max_file_bytes: u64,
    /// The walk stops after this many candidate files; the rest of a huge tree is left out.
    pub max_files: usize,
    /// Walk dot-files and dot-directories (`.git` itself is always skipped).
    pub include_hidden: bool,
    /// Skip the directories in `vendored_dirs`.
    pub skip_vendored: bool,
    /// Directory names treated as vendored or third-party code, at any depth.
    pub vendored_dirs: Vec<String>,
    /// Skip lock files (`Cargo.lock`, `package-lock.json`, …).
    pub skip_lock_files: bool,
    /// Skip generated and minified files, by name and by content markers.
    pub skip_generated: bool,
    /// Files the person added explicitly (relative to the root, or absolute inside it): included
    /// even when secret-looking or ignored.
    pub explicit: Vec<PathBuf>,
    /// Threads for walking and parsing; 0 means one per available core.
    pub threads: usize,
    /// Where the parsed index is persisted between runs.
    pub cache: CacheLocation,
    /// Ask `git log` which files changed recently, as a ranking tie-breaker.
    pub git_recency: bool,
}

/// Where the index cache lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheLocation {
    /// The workspace's state folder ([`crate::paths::workspace_state_dir`]).
    StateDir,
    /// This file.
    File(PathBuf),
    /// No cache: every build parses every file.
    Off,
}

/// Directory names skipped as vendored, third-party or build output by default.
pub const DEFAULT_VENDORED_DIRS: [&str; 16] = [
    "node_modules",
    "vendor",
    "third_party",
    "third-party",
    "thirdparty",
    "external",
    "bower_components",
    "jspm_packages",
    "site-packages",
    "__pycache__",
    ".venv",
    "venv",
    "target",
    "dist",
    "build",
    "Pods",
];

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            max_file_bytes: 512 * 1024,
            max_files: 100_000,
            include_hidden: false,
            skip_vendored: true,
            vendored_dirs: DEFAULT_VENDORED_DIRS
                .iter()
                .map(|s| (*s).to_string())
                .collect(),
            skip_lock_files: true,
            skip_generated: true,
            explicit: Vec::new(),
            threads: 0,
            cache: CacheLocation::StateDir,
            git_recency: true,
        }
    }
}

impl ScanOptions {
    pub(crate) fn thread_count(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(2, usize::from)
        }
    }
}

/// A file's modification time, as seconds and nanoseconds since the Unix epoch.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Mtime {
    pub secs: i64,
    pub nanos: u32,
}

impl Mtime {
    pub fn of(meta: &std::fs::Metadata) -> Mtime {
        match meta.modified() {
            Ok(t) => match t.duration_since(UNIX_EPOCH) {
                Ok(d) => Mtime {
                    secs: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
                    nanos: d.subsec_nanos(),
                },
                Err(e) => Mtime {
                    secs: -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
                    nanos: 0,
                },
            },
            Err(_) => Mtime::default(),
        }
    }
}

/// A file the scan let through, identified by its `/`-separated path relative to the root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub path: String,
    pub size: u64,
    pub mtime: Mtime,
    /// Named in [`ScanOptions::explicit`].
    pub explicit: bool,
}

/// Why a file was left out of the context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum SkipReason {
    Secret,
    LockFile,
    Generated,
    Minified,
    Binary,
    TooLarge,
    /// A vendored directory (counted once per directory, not per file).
    VendoredDir,
    Unreadable,
    OverFileLimit,
}

impl SkipReason {
    /// How `hone -v map` names the reason.
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::Secret => "secrets",
            SkipReason::LockFile => "lock files",
            SkipReason::Generated => "generated",
            SkipReason::Minified => "minified",
            SkipReason::Binary => "binary",
            SkipReason::TooLarge => "too large",
            SkipReason::VendoredDir => "vendored directories",
            SkipReason::Unreadable => "unreadable",
            SkipReason::OverFileLimit => "over the file limit",
        }
    }
}

/// The walk's result: candidates sorted by path, and how many files were skipped for what.
#[derive(Debug, Clone, Default)]
pub struct ScanReport {
    pub candidates: Vec<Candidate>,
    pub skipped: BTreeMap<SkipReason, usize>,
}

/// Walks `root` and returns the files that may enter the context.
pub fn scan(root: &Path, opts: &ScanOptions) -> ScanReport {
    let vendored_skips = Arc::new(AtomicUsize::new(0));
    let builder = walker(root, opts, &vendored_skips);
    let found: Mutex<Vec<Candidate>> = Mutex::new(Vec::new());
    let skipped: Mutex<BTreeMap<SkipReason, usize>> = Mutex::new(BTreeMap::new());
    let count = AtomicUsize::new(0);
    builder.build_parallel().run(|| {
        let mut local = Local {
            found: Vec::new(),
            skipped: BTreeMap::new(),
            sink: (&found, &skipped),
        };
        let count = &count;
        Box::new(move |entry| visit(root, opts, count, &mut local, entry))
    });

    let mut candidates = found
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut skipped = skipped
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dirs = vendored_skips.load(Ordering::Relaxed);
    if dirs > 0 {
        skipped.insert(SkipReason::VendoredDir, dirs);
    }
    for path in &opts.explicit {
        add_explicit(root, path, &mut candidates);
    }
    candidates.sort_unstable_by(|a, b| a.path.cmp(&b.path));
    candidates.dedup_by(|a, b| {
        // Keep the explicit flag when a named file was also found by the walk.
        if a.path == b.path {
            b.explicit |= a.explicit;
            true
        } else {
            false
        }
    });
    ScanReport {
        candidates,
        skipped,
    }
}

/// The walker over `root`: ignore files honoured (`.gitignore`, `.ignore`, git's excludes,
/// `.honeignore`), hidden files as the options say, symbolic links not followed, and `.git` and
/// vendored directories not entered (the latter counted in `vendored_skips`).
fn walker(root: &Path, opts: &ScanOptions, vendored_skips: &Arc<AtomicUsize>) -> WalkBuilder {
    let vendored: Vec<String> = if opts.skip_vendored {
        opts.vendored_dirs.clone()
    } else {
        Vec::new()
    };
    let mut builder = WalkBuilder::new(root);
    builder
        .hidden(!opts.include_hidden)
        .git_ignore(true)
        .git_global(true)
        .git_exclude(true)
        .ignore(true)
        .parents(true)
        .require_git(false)
        .follow_links(false)
        .threads(opts.thread_count())
        .add_custom_ignore_filename(IGNORE_FILE);
    let vendored_skips = Arc::clone(vendored_skips);
    builder.filter_entry(move |entry| {
        if entry.depth() == 0 || !entry.file_type().is_some_and(|t| t.is_dir()) {
            return true;
        }
        let name = entry.file_name().to_string_lossy();
        if name == ".git" {
            return false;
        }
        if vendored.iter().any(|v| *v == name) {
            vendored_skips.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        true
    });
    builder
}

/// One entry of the walk, on a walker thread: a candidate, a skip counted by reason, or nothing
/// (directories, hone's temporary files). Stops the walk once `count` passes the file limit.
fn visit(
    root: &Path,
    opts: &ScanOptions,
    count: &AtomicUsize,
    local: &mut Local<'_>,
    entry: Result<DirEntry, ignore::Error>,
) -> WalkState {
    let mut skip = |reason: SkipReason| *local.skipped.entry(reason).or_insert(0) += 1;
    let Ok(entry) = entry else {
        skip(SkipReason::Unreadable);
        return WalkState::Continue;
    };
    // A write in progress (or one a killed hone left): not part of the repository.
    if !entry.file_type().is_some_and(|t| t.is_file())
        || entry
            .file_name()
            .to_str()
            .is_some_and(crate::edit::is_temp_name)
    {
        return WalkState::Continue;
    }
    let Some(rel) = relative(root, entry.path()) else {
        return WalkState::Continue;
    };
    if let Some(reason) = path_verdict(&rel, opts) {
        skip(reason);
        return WalkState::Continue;
    }
    let Ok(meta) = entry.metadata() else {
        skip(SkipReason::Unreadable);
        return WalkState::Continue;
    };
    if meta.len() > opts.max_file_bytes {
        skip(SkipReason::TooLarge);
        return WalkState::Continue;
    }
    if count.fetch_add(1, Ordering::Relaxed) >= opts.max_files {
        skip(SkipReason::OverFileLimit);
        return WalkState::Quit;
    }
    local.found.push(Candidate {
        path: rel,
        size: meta.len(),
        mtime: Mtime::of(&meta),
        explicit: false,
    });
    WalkState::Continue
}

/// A walker thread's findings, handed over when the thread's visitor is dropped.
struct Local<'a> {
    found: Vec<Candidate>,
    skipped: BTreeMap<SkipReason, usize>,
    sink: (
        &'a Mutex<Vec<Candidate>>,
        &'a Mutex<BTreeMap<SkipReason, usize>>,
    ),
}

impl Drop for Local<'_> {
    fn drop(&mut self) {
        let mut found = self
            .sink
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        found.append(&mut self.found);
        let mut skipped = self
            .sink
            .1
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (reason, n) in &self.skipped {
            *skipped.entry(*reason).or_insert(0) += n;
        }
    }
}

fn add_explicit(root: &Path, path: &Path, candidates: &mut Vec<Candidate>) {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    };
    let Ok(meta) = std::fs::metadata(&full) else {
        return;
    };
    if !meta.is_file() {
        return;
    }
    let Some(rel) = relative(root, &full) else {
        return;
    };
    candidates.push(Candidate {
        path: rel,
        size: meta.len(),
        mtime: Mtime::of(&meta),
        explicit: true,
    });
}

/// `path` relative to `root` with `/` separators; `None` outside the root or not UTF-8.
pub(crate) fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for part in rel.components() {
        match part {
            std::path::Component::Normal(p) => {
                if !out.is_empty() {
                    out.push('/');
                }
                out.push_str(p.to_str()?);
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, bytes: &[u8]) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    fn paths(report: &ScanReport) -> Vec<&str> {
        report.candidates.iter().map(|c| c.path.as_str()).collect()
    }

    #[test]
    fn ignore_files_vendored_dirs_binaries_and_secrets_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, ".gitignore", b"ignored_by_git/\n*.log\n");
        write(root, "sub/.ignore", b"by_dot_ignore.rs\n");
        write(root, ".honeignore", b"private/\n");
        write(root, "src/main.rs", b"fn main() {}\n");
        write(root, "sub/kept.py", b"x = 1\n");
        write(root, "sub/by_dot_ignore.rs", b"fn x() {}\n");
        write(root, "ignored_by_git/a.rs", b"fn a() {}\n");
        write(root, "debug.log", b"log\n");
        write(root, "private/notes.md", b"secret plans\n");
        write(root, "node_modules/lib/index.js", b"module.exports = 1;\n");
        write(root, "vendor/dep/dep.go", b"package dep\n");
        write(root, "logo.png", b"\x89PNG\r\n");
        write(root, "config/.env", b"KEY=1\n");
        write(root, "config/prod.env", b"KEY=1\n");
        write(root, ".env.example", b"KEY=\n");
        write(root, "keys/server.pem", b"-----BEGIN\n");
        write(root, "Cargo.lock", b"# lock\n");
        write(root, "web/app.min.js", b"var a=1;\n");
        write(root, "big.txt", &vec![b'a'; 600 * 1024]);
        let mut opts = ScanOptions {
            include_hidden: true,
            ..ScanOptions::default()
        };
        let report = scan(root, &opts);
        assert_eq!(
            paths(&report),
            [
                ".env.example",
                ".gitignore",
                ".honeignore",
                "src/main.rs",
                "sub/.ignore",
                "sub/kept.py"
            ]
        );
        let s = &report.skipped;
        assert_eq!(s.get(&SkipReason::Secret), Some(&3));
        assert_eq!(s.get(&SkipReason::VendoredDir), Some(&2));
        assert_eq!(s.get(&SkipReason::Binary), Some(&1));
        assert_eq!(s.get(&SkipReason::LockFile), Some(&1));
        assert_eq!(s.get(&SkipReason::Generated), Some(&1));
        assert_eq!(s.get(&SkipReason::TooLarge), Some(&1));

        // Everything configurable: vendored code, lock and generated files can be let in.
        opts.include_hidden = false;
        opts.skip_vendored = false;
        opts.skip_lock_files = false;
        opts.skip_generated = false;
        let report = scan(root, &opts);
        let p = paths(&report);
        for want in [
            "node_modules/lib/index.js",
            "vendor/dep/dep.go",
            "Cargo.lock",
            "web/app.min.js",
        ] {
            assert!(p.contains(&want), "{want} missing from {p:?}");
        }
        assert!(
            !p.iter().any(|p| p.starts_with('.')),
            "hidden files are skipped by default: {p:?}"
        );
    }

    #[test]
    fn secret_files_enter_only_when_named_explicitly() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "deploy/id_rsa", b"key\n");
        write(root, "ignored/x.rs", b"fn x() {}\n");
        write(root, ".gitignore", b"ignored/\n");
        let opts = ScanOptions {
            explicit: vec![
                PathBuf::from("deploy/id_rsa"),
                root.join("ignored/x.rs"),
                PathBuf::from("missing.rs"),
            ],
            ..ScanOptions::default()
        };
        let report = scan(root, &opts);
        assert_eq!(paths(&report), ["deploy/id_rsa", "ignored/x.rs"]);
        assert!(report.candidates.iter().all(|c| c.explicit));
        assert!(scan(root, &ScanOptions::default()).candidates.is_empty());
    }

    #[test]
    fn file_limit_stops_the_walk() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..10 {
            write(dir.path(), &format!("f{i}.rs"), b"fn f() {}\n");
        }
        let report = scan(
            dir.path(),
            &ScanOptions {
                max_files: 4,
                threads: 1,
                ..ScanOptions::default()
            },
        );
        assert_eq!(report.candidates.len(), 4);
        assert!(report.skipped.contains_key(&SkipReason::OverFileLimit));
    }

    #[test]
    fn relative_paths_use_slashes_and_stay_inside() {
        let root = Path::new("/r");
        assert_eq!(
            relative(root, Path::new("/r/a/b.rs")).as_deref(),
            Some("a/b.rs")
        );
        assert_eq!(relative(root, Path::new("/other/b.rs")), None);
        assert_eq!(relative(root, Path::new("/r")), None);
    }
}
