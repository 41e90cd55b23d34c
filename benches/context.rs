//! Benchmarks of the repository context on the generated 10,000-file repository
//! (`examples/gen_repo.rs`): a cold index (no cache), a warm start (cache hit, nothing changed)
//! and ranking plus rendering of the map.
//!
//! `cargo bench --bench context` generates the repository into a temporary directory (or uses
//! `HONE_BENCH_REPO` if set). Under `cargo test` (no `--bench` argument) each case runs once on a
//! 200-file repository, so the suite stays quick. Targets (issue 7, on 2 cores): cold < 3 s, warm
//! < 150 ms, rank + render < 50 ms.

// A benchmark that cannot set up its repository has nothing to measure: failing loudly is right.
#![allow(clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use hone::context::{CacheLocation, Focus, RepoIndex, ScanOptions, render_map};

#[path = "../examples/gen_repo.rs"]
mod gen_repo;

struct Repo {
    root: PathBuf,
    _dir: Option<tempfile::TempDir>,
    state: tempfile::TempDir,
}

fn repo() -> Repo {
    let state = tempfile::tempdir().expect("temp dir");
    if let Some(root) = std::env::var_os("HONE_BENCH_REPO") {
        return Repo {
            root: PathBuf::from(root),
            _dir: None,
            state,
        };
    }
    let full = std::env::args().any(|a| a == "--bench");
    let files = if full { 10_000 } else { 200 };
    let dir = tempfile::tempdir().expect("temp dir");
    gen_repo::generate(dir.path(), files, 7).expect("generate the repository");
    // The index does not trust a file changed within a second of its cache write (see
    // `context::cache`), so a repository written just now would never look warm.
    backdate(dir.path());
    Repo {
        root: dir.path().to_path_buf(),
        _dir: Some(dir),
        state,
    }
}

fn backdate(dir: &std::path::Path) {
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    for entry in std::fs::read_dir(dir).expect("read the repository") {
        let entry = entry.expect("directory entry");
        let path = entry.path();
        if entry.file_type().expect("file type").is_dir() {
            backdate(&path);
        } else {
            let file = std::fs::File::options()
                .write(true)
                .open(&path)
                .expect("open");
            file.set_modified(hour_ago).expect("set the mtime");
        }
    }
}

fn options(cache: CacheLocation) -> ScanOptions {
    ScanOptions {
        cache,
        git_recency: false,
        ..ScanOptions::default()
    }
}

fn context(c: &mut Criterion) {
    let repo = repo();
    let cache_file = repo.state.path().join("index.postcard");

    let mut group = c.benchmark_group("index");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(20));
    group.bench_function("cold", |b| {
        b.iter(|| {
            black_box(RepoIndex::build(&repo.root, &options(CacheLocation::Off)).expect("index"))
        })
    });
    // Write the cache once, then measure starts that find everything in it.
    let first = RepoIndex::build(
        &repo.root,
        &options(CacheLocation::File(cache_file.clone())),
    )
    .expect("index");
    let files = first.stats().files;
    group.bench_function("warm", |b| {
        b.iter(|| {
            let index = RepoIndex::build(
                &repo.root,
                &options(CacheLocation::File(cache_file.clone())),
            )
            .expect("index");
            assert_eq!(index.stats().reused, files, "a warm start parses nothing");
            black_box(index)
        })
    });
    group.finish();

    let index = first;
    let chat = index
        .files()
        .iter()
        .find(|f| f.path.ends_with(".rs"))
        .map(|f| f.path.clone())
        .unwrap_or_default();
    let with_chat = Focus {
        chat_files: vec![chat],
        ..Focus::default()
    };
    let mut group = c.benchmark_group("map");
    group.bench_function("rank_render_chat_2000", |b| {
        b.iter(|| black_box(render_map(&index, &with_chat, 2_000)))
    });
    let none = Focus::default();
    group.bench_function("rank_render_nofocus_4000", |b| {
        b.iter(|| black_box(render_map(&index, &none, 4_000)))
    });
    group.finish();
}

criterion_group!(benches, context);
criterion_main!(benches);
