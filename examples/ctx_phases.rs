//! Temporary profiling harness (to be deleted).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]
use hone::context::Language;
use hone::context::symbols::Extractor;
use std::time::Instant;

fn main() {
    let root = std::env::args().nth(1).unwrap();
    let mut files = Vec::new();
    for e in ignore::Walk::new(&root) {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            let p = e.path().to_string_lossy().into_owned();
            if let Some(l) = Language::from_path(&p) {
                files.push((l, std::fs::read_to_string(&p).unwrap()));
            }
        }
    }
    files.truncate(3000);
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    println!("{} files, {} bytes", files.len(), bytes);
    let mut by_lang: std::collections::BTreeMap<&str, (f64, f64, usize)> = Default::default();
    let mut ex = Extractor::new();
    let mut parser = tree_sitter::Parser::new();
    for (l, text) in &files {
        let g: tree_sitter::Language = match l {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        };
        parser.set_language(&g).unwrap();
        let t = Instant::now();
        let tree = parser.parse(text, None).unwrap();
        let parse = t.elapsed().as_secs_f64();
        drop(tree);
        let t = Instant::now();
        let _ = ex.extract(*l, text).unwrap();
        let all = t.elapsed().as_secs_f64();
        let e = by_lang.entry(l.name()).or_default();
        e.0 += parse;
        e.1 += all;
        e.2 += text.len();
    }
    for (l, (p, a, b)) in by_lang {
        println!("{l:12} {b:>9} bytes  parse {:7.1} ms ({:5.1} MB/s)  extract {:7.1} ms", p * 1e3, b as f64 / p / 1e6, a * 1e3);
    }
}
