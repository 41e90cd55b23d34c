//! Benchmarks of the edit engine through its public API (`cargo bench --bench edit`):
//! - `batch50_20k/plan`: locating 50 replacements in a 20,000-line file and computing the new
//!   content (issue 4 asks for under 10 ms); `batch50_20k/plan_apply` adds the atomic write and
//!   the journal entry.
//! - `cascade/exact/N` and `cascade/fuzzy/N` for N = 2k, 20k, 200k lines: one edit found by the
//!   first rule, and one that falls through every rule to the fuzzy match (the worst case, every
//!   normalised view built), including reading the file, so the growth with size is visible.

use std::hint::black_box;

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use hone::edit::{EditOp, Journal, Workspace, apply, plan};

/// A Rust-looking file of `n` distinct lines.
fn source(n: usize) -> String {
    let mut s = String::with_capacity(n * 48);
    for i in 0..n {
        match i % 5 {
            0 => s.push_str(&format!("pub fn item_{i}(x: u32) -> u32 {{\n")),
            1 => s.push_str(&format!("    let scaled_{i} = x.wrapping_mul({i});\n")),
            2 => s.push_str(&format!(
                "    let label_{i} = format!(\"item {{}}\", scaled_{});\n",
                i - 1
            )),
            3 => s.push_str(&format!("    scaled_{} + label_{i}.len() as u32\n", i - 2)),
            _ => s.push_str("}\n"),
        }
    }
    s
}

fn workspace_with(body: &str) -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    std::fs::write(dir.path().join("big.rs"), body).unwrap_or_else(|e| panic!("write: {e}"));
    let ws = Workspace::new(dir.path()).unwrap_or_else(|e| panic!("workspace: {e}"));
    (dir, ws)
}

/// 50 unique two-line replacements spread evenly over a 20k-line file.
fn batch_ops(n_lines: usize) -> Vec<EditOp> {
    (0..50)
        .map(|k| {
            let i = k * (n_lines / 50) / 5 * 5 + 1;
            let old = format!("    let scaled_{i} = x.wrapping_mul({i});\n    let label_{} = format!(\"item {{}}\", scaled_{i});\n", i + 1);
            let new = format!("    let scaled_{i} = x.saturating_mul({i});\n    let label_{} = scaled_{i}.to_string();\n", i + 1);
            EditOp::replace("big.rs", old, new)
        })
        .collect()
}

fn batch(c: &mut Criterion) {
    let body = source(20_000);
    let ops = batch_ops(20_000);
    let (dir, ws) = workspace_with(&body);
    let mut g = c.benchmark_group("batch50_20k");
    g.bench_function("plan", |b| {
        b.iter(|| black_box(plan(&ws, black_box(&ops)).unwrap_or_else(|e| panic!("{e}"))))
    });
    let state = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let journal = Journal::at(state.path().join("journal"));
    let file = dir.path().join("big.rs");
    g.bench_function("plan_apply", |b| {
        b.iter_batched(
            || std::fs::write(&file, &body).unwrap_or_else(|e| panic!("reset: {e}")),
            |()| {
                let p = plan(&ws, &ops).unwrap_or_else(|e| panic!("{e}"));
                black_box(apply(&ws, &p, &journal).unwrap_or_else(|e| panic!("{e}")))
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn cascade(c: &mut Criterion) {
    let mut g = c.benchmark_group("cascade");
    g.sample_size(10);
    for n in [2_000usize, 20_000, 200_000] {
        let body = source(n);
        let (_dir, ws) = workspace_with(&body);
        let i = n - 9;
        // Near the end, so a scan cannot stop early.
        let exact = EditOp::replace(
            "big.rs",
            format!("    let scaled_{i} = x.wrapping_mul({i});\n"),
            "    let y = 0;\n",
        );
        // Misremembered identifiers: only the fuzzy rule finds it.
        let fuzzy = EditOp::replace(
            "big.rs",
            format!(
                "    let scaled_{i} = x.wrapping_mul({i});\n    let lable_{} = format!(\"item {{}}\", scaled_{i});\n    scaled_{i} + lable_{}.len() as u32\n",
                i + 1,
                i + 1
            ),
            "    x\n",
        );
        for (name, op) in [("exact", exact), ("fuzzy", fuzzy)] {
            let ops = vec![op];
            g.bench_with_input(BenchmarkId::new(name, n), &ops, |b, ops| {
                b.iter(|| black_box(plan(&ws, ops).unwrap_or_else(|e| panic!("{name} {n}: {e}"))))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, batch, cascade);
criterion_main!(benches);
