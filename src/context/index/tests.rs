//! Index builds over temporary workspaces: what is indexed, cache reuse, background builds.

use std::time::{Duration, SystemTime};

use super::*;
use crate::context::CacheLocation;
use crate::context::testutil::{index_of, opts, write};

/// Writes a file with an mtime in the past, so the cache trusts it (see `cache`).
fn write_old(root: &Path, rel: &str, text: &str, age_secs: u64) {
    write(root, rel, text);
    let t = SystemTime::now() - Duration::from_secs(age_secs);
    std::fs::File::options()
        .write(true)
        .open(root.join(rel))
        .unwrap()
        .set_modified(t)
        .unwrap();
}

#[test]
fn definitions_references_and_path_only_files() {
    let (_dir, index) = index_of(&[
        ("src/lib.rs", "pub fn parse_config() {}\n"),
        ("src/main.rs", "fn main() { parse_config(); }\n"),
        ("include/geo.h", "namespace geo { class Point {}; }\n"),
        ("notes.txt", "plain text\n"),
    ]);
    let paths: Vec<&str> = index.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["include/geo.h", "notes.txt", "src/lib.rs", "src/main.rs"]
    );
    assert_eq!(
        index.files()[0].language,
        Some(Language::Cpp),
        "a header with C++ syntax"
    );
    assert_eq!(index.files()[1].language, None);
    assert!(index.files()[1].defs.is_empty());
    let lib = index.file_id("src/lib.rs").unwrap();
    assert_eq!(index.definers("parse_config"), &[lib]);
    let main = index.file(index.file_id("./src/main.rs").unwrap()).unwrap();
    assert!(
        main.refs
            .iter()
            .any(|(n, _)| index.name(*n) == "parse_config")
    );
    assert_eq!(
        index.file_id(&index.root().join("src/lib.rs").to_string_lossy()),
        Some(lib)
    );
    assert_eq!(index.file_id("../outside.rs"), None);
}

#[test]
fn second_build_reparses_only_the_changed_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for i in 0..5 {
        write_old(
            root,
            &format!("m{i}.py"),
            &format!("def f{i}():\n    return {i}\n"),
            3600,
        );
    }
    write_old(root, "blob.dat", "bin\0ary", 3600);
    let state = tempfile::tempdir().unwrap();
    let opts = ScanOptions {
        cache: CacheLocation::File(state.path().join("index")),
        ..opts()
    };

    let first = RepoIndex::build(root, &opts).unwrap();
    assert_eq!((first.stats().parsed, first.stats().reused), (6, 0));
    assert_eq!(first.stats().cache, CacheOutcome::Missing);
    assert_eq!(first.stats().skipped.get(&SkipReason::Binary), Some(&1));

    let second = RepoIndex::build(root, &opts).unwrap();
    assert_eq!(
        (second.stats().parsed, second.stats().reused),
        (0, 6),
        "nothing changed"
    );
    assert_eq!(second.files(), first.files());
    assert_eq!(
        second.stats().skipped.get(&SkipReason::Binary),
        Some(&1),
        "verdict cached"
    );

    write_old(root, "m2.py", "def g2():\n    return 2\n", 1800);
    std::fs::remove_file(root.join("m4.py")).unwrap();
    write_old(root, "new.py", "def h():\n    return f0()\n", 1800);
    let third = RepoIndex::build(root, &opts).unwrap();
    assert_eq!(
        (third.stats().parsed, third.stats().reused),
        (2, 4),
        "m2.py and new.py"
    );
    assert_eq!(third.stats().files, 5);
    assert!(third.definers("f2").is_empty());
    assert_eq!(third.definers("g2").len(), 1);
    assert_eq!(third.definers("f0").len(), 1);
    assert!(
        third.name_id("f4").is_none(),
        "names of deleted files are dropped"
    );

    let fourth = RepoIndex::build(root, &opts).unwrap();
    assert_eq!((fourth.stats().parsed, fourth.stats().reused), (0, 6));
}

#[test]
fn a_file_changed_just_before_the_cache_write_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "fresh.py", "def f():\n    pass\n");
    let state = tempfile::tempdir().unwrap();
    let opts = ScanOptions {
        cache: CacheLocation::File(state.path().join("index")),
        ..opts()
    };
    RepoIndex::build(dir.path(), &opts).unwrap();
    let again = RepoIndex::build(dir.path(), &opts).unwrap();
    assert_eq!(again.stats().parsed, 1);
}

#[test]
fn a_corrupt_cache_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write_old(dir.path(), "a.py", "def a():\n    pass\n", 3600);
    let state = tempfile::tempdir().unwrap();
    let cache = state.path().join("index");
    std::fs::write(&cache, b"not a cache").unwrap();
    let opts = ScanOptions {
        cache: CacheLocation::File(cache),
        ..opts()
    };
    let first = RepoIndex::build(dir.path(), &opts).unwrap();
    assert_eq!(first.stats().cache, CacheOutcome::Corrupt);
    let second = RepoIndex::build(dir.path(), &opts).unwrap();
    assert_eq!(
        (second.stats().cache, second.stats().parsed),
        (CacheOutcome::Loaded, 0)
    );
}

#[test]
fn background_build_publishes_the_index() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.go", "package a\n\nfunc Alpha() {}\n");
    let handle = RepoIndex::spawn_build(dir.path().to_path_buf(), opts());
    let index = handle.wait_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(index.definers("Alpha").len(), 1);
    assert!(handle.is_finished());
    assert!(handle.try_get().is_some());
    assert_eq!(handle.progress(), (1, 1));
    assert!(handle.error().is_none());
}

#[test]
fn background_build_reports_a_missing_root() {
    let handle = RepoIndex::spawn_build(PathBuf::from("/nonexistent/hone/root"), opts());
    let err = handle.wait().unwrap_err();
    assert!(matches!(*err, ContextError::Root { .. }), "{err}");
    assert!(handle.wait_timeout(Duration::ZERO).is_none());
    assert!(handle.try_get().is_none());
}
