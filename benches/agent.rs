//! hone's own overhead per tool round trip: one `Agent::run` of ten tool rounds plus a final
//! answer against the in-process mock server on 127.0.0.1, divided by the eleven requests. The
//! figure includes loopback HTTP and SSE parsing (an upper bound on hone's share); the model's
//! time is zero because the mock answers at once.
//!
//! `XDG_STATE_HOME=$(mktemp -d) cargo bench --bench agent` (the edit rounds write the undo
//! journal into the state directory).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/mock.rs"]
#[allow(dead_code)]
mod mock;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use hone::agent::{self, Agent, Collect};
use hone::config::{Config, Overrides};
use hone::config::{PermissionConfig, PermissionMode};
use hone::permissions::{Gate, Permissions};
use mock::*;
use serde_json::json;

fn tool_reply(i: usize, name: &str, args: serde_json::Value) -> Reply {
    Reply::sse(vec![
        ev_role(),
        ev_tool_call(0, &format!("c{i}"), name, &args.to_string()),
        ev_finish("tool_calls"),
        ev_usage(1000, 20, 900, 100, 0),
        ev_done(),
    ])
}

fn config(url: &str, root: &std::path::Path) -> Config {
    let overrides = Overrides {
        provider: Some("llamacpp".into()),
        base_url: Some(url.to_string()),
        workspace: Some(root.to_path_buf()),
        ..Default::default()
    };
    Config::load(&overrides).unwrap()
}

fn rounds(c: &mut Criterion, label: &str, edit: bool) {
    let dir = tempfile::tempdir().unwrap();
    let src: String = (0..400)
        .map(|i| format!("fn f{i}() -> u32 {{ {i} }}\n"))
        .collect();
    std::fs::write(dir.path().join("lib.rs"), &src).unwrap();
    let server = MockServer::start(vec![]);
    let cfg = config(&server.base_url, dir.path());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    c.bench_function(label, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for it in 0..iters {
                for i in 0..10 {
                    let reply = if edit {
                        let (old, new) = if (it + i as u64).is_multiple_of(2) {
                            ("{ 5 }", "{ 55 }")
                        } else {
                            ("{ 55 }", "{ 5 }")
                        };
                        tool_reply(
                            i,
                            "edit_file",
                            json!({"path": "lib.rs", "old_string": old, "new_string": new}),
                        )
                    } else {
                        tool_reply(
                            i,
                            "read_file",
                            json!({"path": "lib.rs", "offset": i * 10 + 1, "limit": 40}),
                        )
                    };
                    server.push(reply);
                }
                server.push(Reply::answer("done"));
                let opts = agent::Options {
                    transcript: false,
                    ..agent::Options::default()
                };
                let mut a = Agent::new(&cfg, opts).unwrap();
                let mut sink = Collect::default();
                let settings = PermissionConfig {
                    mode: PermissionMode::AcceptEdits,
                    ..PermissionConfig::default()
                };
                let perms = Permissions::new(&cfg.workspace, &settings).unwrap();
                let mut gate = Gate::new(&perms, None);
                let start = Instant::now();
                rt.block_on(a.run("go", &mut sink, &mut gate)).unwrap();
                total += start.elapsed() / 11;
            }
            total
        })
    });
}

fn bench(c: &mut Criterion) {
    rounds(c, "round trip: read_file (per request)", false);
    rounds(c, "round trip: edit_file with journal (per request)", true);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
