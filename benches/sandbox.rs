//! What the OS sandbox costs a command: `tools::shell` running `true` with the sandbox off
//! (`sh -c true`) and under `workspace-write` with the network denied (hone's executable as the
//! wrapper: Landlock and seccomp, then `exec sh -c true`). The difference is the sandbox's cost
//! per command; the target is under 5 ms. Criterion reports the mean and its spread; the median
//! over 100 whole runs each way, with the release binary, is `scripts/bench-sandbox.sh`'s.
//!
//! `cargo bench --bench sandbox`, or with a release binary as the wrapper:
//! `cp target/release/hone /tmp/hone-release && HONE_WRAPPER=/tmp/hone-release cargo bench
//! --bench sandbox` (`cargo bench` rebuilds `target/release/hone` for its own profile).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use hone::sandbox::{Level, Policy, Settings};

fn shell(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut sandboxed = Policy::new(&Settings::default(), dir.path());
    assert_eq!(
        sandboxed.enforcement.level(),
        Level::Full,
        "{}",
        sandboxed.enforcement
    );
    // This benchmark's own binary is not hone: the wrapper is the hone binary cargo built for
    // the bench profile (no LTO, not stripped: slower to start than the release binary), or
    // the one `HONE_WRAPPER` names (a release build, for the figure that counts).
    sandboxed.wrapper = std::env::var_os("HONE_WRAPPER")
        .map_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hone")), PathBuf::from);
    let off = Policy::off(dir.path());
    let mut group = c.benchmark_group("shell true");
    group.sample_size(100);
    for (label, policy) in [
        ("sandbox off", &off),
        ("workspace-write, network denied", &sandboxed),
    ] {
        group.bench_function(label, |b| {
            b.iter(|| {
                let done = rt
                    .block_on(hone::tools::shell(
                        dir.path(),
                        "true",
                        Duration::from_secs(10),
                        &[],
                        policy,
                        None,
                    ))
                    .unwrap()
                    .unwrap();
                assert!(done.status.success());
            })
        });
    }
    group.finish();
}

criterion_group!(benches, shell);
criterion_main!(benches);
