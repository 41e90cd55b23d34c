//! Per-language extraction tests over the fixture sources in `tests/fixtures/context/symbols/`.

use super::*;

fn dump(lang: Language, text: &str) -> String {
    let syms = Extractor::new().extract(lang, text).unwrap();
    let mut out = String::new();
    for d in &syms.defs {
        out.push_str(&format!(
            "{} {} {} {} | {}\n",
            d.line,
            d.depth,
            d.kind.name(),
            d.name,
            d.signature
        ));
    }
    out.push_str(&format!("refs: {:?}\n", syms.refs));
    out
}

#[test]
fn dump_all() {
    for (lang, text) in [
        (
            Language::Rust,
            include_str!("../../../tests/fixtures/context/symbols/sample.rs"),
        ),
        (
            Language::Python,
            include_str!("../../../tests/fixtures/context/symbols/sample.py"),
        ),
        (
            Language::JavaScript,
            include_str!("../../../tests/fixtures/context/symbols/sample.js"),
        ),
        (
            Language::TypeScript,
            include_str!("../../../tests/fixtures/context/symbols/sample.ts"),
        ),
        (
            Language::Go,
            include_str!("../../../tests/fixtures/context/symbols/sample.go"),
        ),
        (
            Language::Java,
            include_str!("../../../tests/fixtures/context/symbols/Sample.java"),
        ),
        (
            Language::C,
            include_str!("../../../tests/fixtures/context/symbols/sample.c"),
        ),
        (
            Language::Cpp,
            include_str!("../../../tests/fixtures/context/symbols/sample.cpp"),
        ),
    ] {
        println!("== {}\n{}", lang.name(), dump(lang, text));
    }
}

#[test]
fn zz_sexp() {
    let mut p = tree_sitter::Parser::new();
    p.set_language(&Language::Cpp.grammar()).unwrap();
    let t = p.parse("class P {\npublic:\n    explicit P(int xs);\n};\n", None).unwrap();
    println!("{}", t.root_node().to_sexp());
}
