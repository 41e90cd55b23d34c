//! The layering rules of ARCHITECTURE.md, checked on the source: the core modules import nothing
//! from the front ends, know nothing of clap, and no two modules import each other except `cli`
//! and `cmd` (argument parsing and dispatch).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const CORE: [&str; 10] = [
    "edit",
    "tools",
    "agent",
    "provider",
    "config",
    "context",
    "lint",
    "permissions",
    "git",
    "sandbox",
];
const EDGE: [&str; 5] = ["ui", "cli", "cmd", "repl", "exit"];

/// Each top-level module's source, tests left out.
fn modules() -> BTreeMap<String, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(&src).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" || name == "main" {
            continue;
        }
        let files = if p.is_dir() {
            crate::support::walk(&p)
        } else {
            vec![p.clone()]
        };
        let mut text = String::new();
        for f in files {
            if f.extension().is_none_or(|x| x != "rs") || f.ends_with("tests.rs") {
                continue;
            }
            let s = std::fs::read_to_string(&f).unwrap();
            let code = s.split("#[cfg(test)]\nmod tests {").next().unwrap_or("");
            // Comments may name other modules; only code counts.
            for line in code.lines() {
                let l = line.trim_start();
                if !l.starts_with("//") {
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
        out.insert(name, text);
    }
    out
}

fn imports(text: &str, names: &BTreeSet<String>) -> BTreeSet<String> {
    names
        .iter()
        .filter(|n| {
            text.contains(&format!("crate::{n}::"))
                || text.contains(&format!("crate::{n};"))
                || text.contains(&format!("crate::{n}}}"))
                || text.contains(&format!("crate::{n},"))
        })
        .cloned()
        .collect()
}

#[test]
fn the_core_imports_no_front_end_and_no_clap() {
    let mods = modules();
    let edge: BTreeSet<String> = EDGE.iter().map(|s| s.to_string()).collect();
    for m in CORE {
        let text = &mods[m];
        let bad = imports(text, &edge);
        assert!(bad.is_empty(), "`{m}` imports {bad:?}");
        assert!(!text.contains("clap::"), "`{m}` uses clap");
    }
}

#[test]
fn no_two_modules_import_each_other_but_cli_and_cmd() {
    let mods = modules();
    let names: BTreeSet<String> = mods.keys().cloned().collect();
    let deps: BTreeMap<&String, BTreeSet<String>> = mods
        .iter()
        .map(|(m, text)| {
            let mut d = imports(text, &names);
            d.remove(m);
            (m, d)
        })
        .collect();
    // Any cycle shows as a module reachable from itself.
    for start in deps.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<String> = deps[start].iter().cloned().collect();
        while let Some(m) = stack.pop() {
            if !seen.insert(m.clone()) {
                continue;
            }
            if &m == *start && !["cli", "cmd"].contains(&start.as_str()) {
                panic!("`{start}` imports itself through {seen:?}");
            }
            if let Some(next) = deps.get(&m) {
                if ["cli", "cmd"].contains(&start.as_str()) && ["cli", "cmd"].contains(&m.as_str())
                {
                    continue;
                }
                stack.extend(next.iter().cloned());
            }
        }
    }
}
