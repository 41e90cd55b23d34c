//! Generates the synthetic multi-language repository the context benchmarks run on.
//!
//! `cargo run --release --example gen_repo -- DIR [--files N] [--seed S]` writes N source files
//! (default 10,000) in Rust, Python, JavaScript, TypeScript, Go, Java, C and C++ under DIR, about
//! 20 to a directory, each defining a type and a handful of functions and calling functions
//! defined in other files (mostly nearby ones, some anywhere), so the reference graph looks like
//! a real code base's. It also writes the things a scan must skip — a `.gitignore`d build
//! directory, `node_modules`, a lock file, a minified bundle, a binary and a `.env` — and a few
//! Markdown files that appear by path only. Deterministic: the same arguments give the same
//! bytes. Owns nothing hone runs; the benchmark (`benches/context.rs`) includes this file.

#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]
#![allow(clippy::print_stdout, clippy::print_stderr, dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const VERBS: [&str; 16] = [
    "parse", "load", "store", "render", "build", "merge", "split", "check", "apply", "fetch",
    "encode", "decode", "index", "rank", "flush", "scan",
];
const NOUNS: [&str; 16] = [
    "order", "invoice", "customer", "report", "session", "widget", "ledger", "token", "route",
    "packet", "config", "schema", "record", "batch", "stream", "cursor",
];
const TYPES: [&str; 12] = [
    "Manager", "Service", "Builder", "Parser", "Store", "Client", "Handler", "Cache", "Index",
    "Queue", "Router", "Pool",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Rust,
    Python,
    Js,
    Ts,
    Go,
    Java,
    C,
    Cpp,
}

/// Language mix, in twentieths.
const MIX: [Lang; 20] = [
    Lang::Rust,
    Lang::Rust,
    Lang::Rust,
    Lang::Rust,
    Lang::Python,
    Lang::Python,
    Lang::Python,
    Lang::Js,
    Lang::Js,
    Lang::Ts,
    Lang::Ts,
    Lang::Ts,
    Lang::Go,
    Lang::Go,
    Lang::Go,
    Lang::Java,
    Lang::Java,
    Lang::C,
    Lang::Cpp,
    Lang::Cpp,
];

fn ext(l: Lang) -> &'static str {
    match l {
        Lang::Rust => "rs",
        Lang::Python => "py",
        Lang::Js => "js",
        Lang::Ts => "ts",
        Lang::Go => "go",
        Lang::Java => "java",
        Lang::C => "c",
        Lang::Cpp => "cpp",
    }
}

/// A small deterministic hash (SplitMix64), so names and links depend only on the inputs.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

struct Gen {
    files: usize,
    seed: u64,
}

impl Gen {
    fn h(&self, a: usize, b: usize) -> u64 {
        mix(self.seed ^ mix(a as u64) ^ mix((b as u64) << 20).rotate_left(7))
    }

    fn lang(&self, i: usize) -> Lang {
        MIX[(self.h(i, 0) % 20) as usize]
    }

    fn fn_count(&self, i: usize) -> usize {
        3 + (self.h(i, 1) % 6) as usize
    }

    fn fn_name(&self, i: usize, k: usize) -> String {
        let v = VERBS[(self.h(i, 10 + k) % 16) as usize];
        let n = NOUNS[(self.h(i, 30 + k) % 16) as usize];
        format!("{v}_{n}_{i}_{k}")
    }

    fn type_name(&self, i: usize) -> String {
        let n = NOUNS[(self.h(i, 2) % 16) as usize];
        let t = TYPES[(self.h(i, 3) % 12) as usize];
        let mut c = n.chars();
        let first = c.next().map(|f| f.to_ascii_uppercase()).unwrap_or('X');
        format!("{first}{}{t}{i}", c.as_str())
    }

    /// The functions file `i` calls: mostly from its own directory and package, some anywhere.
    fn callees(&self, i: usize) -> Vec<String> {
        let count = 2 + (self.h(i, 4) % 5) as usize;
        (0..count)
            .map(|j| {
                let r = self.h(i, 50 + j);
                let target = match r % 10 {
                    0..=5 => (i / 20) * 20 + (r / 10 % 20) as usize,
                    6..=8 => (i / 200) * 200 + (r / 10 % 200) as usize,
                    _ => (r / 10) as usize,
                } % self.files;
                let target = if target == i {
                    (i + 1) % self.files
                } else {
                    target
                };
                self.fn_name(target, (r >> 32) as usize % self.fn_count(target))
            })
            .collect()
    }

    fn path(&self, i: usize) -> String {
        format!(
            "src/pkg{:03}/mod{:02}/{}_{i}.{}",
            i / 200,
            (i / 20) % 10,
            NOUNS[i % 16],
            ext(self.lang(i))
        )
    }

    fn source(&self, i: usize) -> String {
        let lang = self.lang(i);
        let ty = self.type_name(i);
        let fns: Vec<String> = (0..self.fn_count(i)).map(|k| self.fn_name(i, k)).collect();
        let calls = self.callees(i);
        let mut s = String::new();
        let body = |s: &mut String, k: usize, indent: &str, call_prefix: &str, end: &str| {
            let steps = 3 + (self.h(i, 70 + k) % 6) as usize;
            for j in 0..steps {
                let callee = &calls[(k + j) % calls.len()];
                let _ = writeln!(
                    s,
                    "{indent}total = total + {call_prefix}{callee}(total, {j}){end}"
                );
                if j % 2 == 0 {
                    let _ = writeln!(
                        s,
                        "{indent}// step {j} of {k}: keep the running total bounded"
                    );
                }
            }
        };
        match lang {
            Lang::Rust => {
                let _ = writeln!(
                    s,
                    "//! Generated module {i}.\n\nuse std::collections::HashMap;\n"
                );
                let _ = writeln!(
                    s,
                    "pub struct {ty} {{\n    pub items: HashMap<String, i64>,\n    pub limit: i64,\n}}\n"
                );
                let _ = writeln!(
                    s,
                    "impl {ty} {{\n    pub fn new(limit: i64) -> Self {{\n        {ty} {{ items: HashMap::new(), limit }}\n    }}\n"
                );
                let _ = writeln!(
                    s,
                    "    pub fn total(&self) -> i64 {{\n        self.items.values().sum::<i64>().min(self.limit)\n    }}\n}}\n"
                );
                for (k, f) in fns.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "pub fn {f}(seed: i64, step: i64) -> i64 {{\n    let mut total = seed + step;"
                    );
                    body(&mut s, k, "    ", "crate::", ";");
                    let _ = writeln!(s, "    total\n}}\n");
                }
            }
            Lang::Python => {
                let _ = writeln!(
                    s,
                    "\"\"\"Generated module {i}.\"\"\"\nimport math\n\nLIMIT_{i} = 1000\n\n"
                );
                let _ = writeln!(
                    s,
                    "class {ty}:\n    def __init__(self, limit):\n        self.items = {{}}\n        self.limit = limit\n"
                );
                let _ = writeln!(
                    s,
                    "    def total(self):\n        return min(sum(self.items.values()), self.limit)\n\n"
                );
                for (k, f) in fns.iter().enumerate() {
                    let _ = writeln!(s, "def {f}(seed, step):\n    total = seed + step");
                    body(&mut s, k, "    ", "", "");
                    let _ = writeln!(s, "    return total\n\n");
                }
                s = s.replace("    // step", "    # step");
            }
            Lang::Js | Lang::Ts => {
                let ann = if lang == Lang::Ts { ": number" } else { "" };
                let _ = writeln!(
                    s,
                    "// Generated module {i}.\n\nexport const LIMIT_{i} = 1000;\n"
                );
                if lang == Lang::Ts {
                    let _ = writeln!(
                        s,
                        "export interface {ty}Options {{\n  limit: number;\n  name: string;\n}}\n"
                    );
                }
                let _ = writeln!(
                    s,
                    "export class {ty} {{\n  constructor(limit{ann}) {{\n    this.items = new Map();\n    this.limit = limit;\n  }}\n"
                );
                let _ = writeln!(
                    s,
                    "  total(){ann} {{\n    let sum = 0;\n    for (const v of this.items.values()) sum += v;\n    return Math.min(sum, this.limit);\n  }}\n}}\n"
                );
                for (k, f) in fns.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "export function {f}(seed{ann}, step{ann}){ann} {{\n  let total = seed + step;"
                    );
                    body(&mut s, k, "  ", "", ";");
                    let _ = writeln!(s, "  return total;\n}}\n");
                }
            }
            Lang::Go => {
                let _ = writeln!(
                    s,
                    "// Package pkg{} is generated module {i}.\npackage pkg{}\n",
                    i / 200,
                    i / 200
                );
                let _ = writeln!(
                    s,
                    "const Limit{i} = 1000\n\ntype {ty} struct {{\n\tItems map[string]int64\n\tLimit int64\n}}\n"
                );
                let _ = writeln!(
                    s,
                    "func (m *{ty}) Total() int64 {{\n\tvar sum int64\n\tfor _, v := range m.Items {{\n\t\tsum += v\n\t}}\n\tif sum > m.Limit {{\n\t\treturn m.Limit\n\t}}\n\treturn sum\n}}\n"
                );
                for (k, f) in fns.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "func {f}(seed int64, step int64) int64 {{\n\ttotal := seed + step"
                    );
                    body(&mut s, k, "\t", "", "");
                    let _ = writeln!(s, "\treturn total\n}}\n");
                }
            }
            Lang::Java => {
                let _ = writeln!(
                    s,
                    "// Generated module {i}.\npackage gen.pkg{};\n\nimport java.util.HashMap;\nimport java.util.Map;\n",
                    i / 200
                );
                let _ = writeln!(
                    s,
                    "public class {ty} {{\n    private final Map<String, Long> items = new HashMap<>();\n    private final long limit;\n"
                );
                let _ = writeln!(
                    s,
                    "    public {ty}(long limit) {{\n        this.limit = limit;\n    }}\n"
                );
                let _ = writeln!(
                    s,
                    "    public long total() {{\n        long sum = 0;\n        for (long v : items.values()) sum += v;\n        return Math.min(sum, limit);\n    }}\n"
                );
                for (k, f) in fns.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "    public static long {f}(long seed, long step) {{\n        long total = seed + step;"
                    );
                    body(&mut s, k, "        ", "Calls.", ";");
                    let _ = writeln!(s, "        return total;\n    }}\n");
                }
                s.push_str("}\n");
            }
            Lang::C | Lang::Cpp => {
                let _ = writeln!(
                    s,
                    "/* Generated module {i}. */\n#include <stdint.h>\n#include <stdlib.h>\n\n#define LIMIT_{i} 1000\n"
                );
                if lang == Lang::Cpp {
                    let _ = writeln!(
                        s,
                        "namespace gen{} {{\n\nclass {ty} {{\npublic:\n    explicit {ty}(long limit) : limit_(limit) {{}}\n    long total() const;\n\nprivate:\n    long limit_;\n}};\n",
                        i / 200
                    );
                    let _ = writeln!(s, "long {ty}::total() const {{\n    return limit_;\n}}\n");
                } else {
                    let _ = writeln!(
                        s,
                        "typedef struct {ty} {{\n    int64_t limit;\n    int64_t count;\n}} {ty};\n"
                    );
                }
                for (k, f) in fns.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "int64_t {f}(int64_t seed, int64_t step)\n{{\n    int64_t total = seed + step;"
                    );
                    body(&mut s, k, "    ", "", ";");
                    let _ = writeln!(s, "    return total;\n}}\n");
                }
                if lang == Lang::Cpp {
                    let _ = writeln!(s, "}}  // namespace gen{}", i / 200);
                }
            }
        }
        s
    }
}

fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

/// Writes the repository into `dir`.
pub fn generate(dir: &Path, files: usize, seed: u64) -> std::io::Result<()> {
    let g = Gen {
        files: files.max(1),
        seed,
    };
    for i in 0..g.files {
        write(&dir.join(g.path(i)), g.source(i).as_bytes())?;
    }
    write(&dir.join(".gitignore"), b"/build/\n*.tmp\n")?;
    write(
        &dir.join("README.md"),
        b"# Generated repository\n\nA synthetic code base for hone's context benchmarks.\n",
    )?;
    for p in 0..g.files.div_ceil(200) {
        write(
            &dir.join(format!("src/pkg{p:03}/README.md")),
            format!("# Package {p}\n").as_bytes(),
        )?;
    }
    write(&dir.join("build/out/generated.rs"), b"pub fn built() {}\n")?;
    write(
        &dir.join("node_modules/left-pad/index.js"),
        b"module.exports = function leftPad() {};\n",
    )?;
    write(
        &dir.join("package-lock.json"),
        b"{\"lockfileVersion\": 3}\n",
    )?;
    write(
        &dir.join("web/bundle.min.js"),
        format!("var a={};", "1+".repeat(20_000)).as_bytes(),
    )?;
    write(
        &dir.join("assets/logo.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )?;
    write(&dir.join(".env"), b"API_KEY=not-a-real-key\n")?;
    Ok(())
}

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let mut dir: Option<PathBuf> = None;
    let (mut files, mut seed) = (10_000usize, 7u64);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--files" => files = args.next().and_then(|v| v.parse().ok()).unwrap_or(files),
            "--seed" => seed = args.next().and_then(|v| v.parse().ok()).unwrap_or(seed),
            _ => dir = Some(PathBuf::from(a)),
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: gen_repo DIR [--files N] [--seed S]");
        return std::process::ExitCode::from(2);
    };
    match generate(&dir, files, seed) {
        Ok(()) => {
            println!("wrote {files} source files to {}", dir.display());
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", dir.display());
            std::process::ExitCode::FAILURE
        }
    }
}
