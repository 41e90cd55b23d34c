//! Per-language extraction tests over the fixture sources in `tests/fixtures/context/symbols/`:
//! what is extracted, with kinds, 1-based lines and nesting depth.

use super::*;
use SymbolKind::*;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/context/symbols/", $name))
    };
}

fn extract(lang: Language, text: &str) -> FileSymbols {
    Extractor::new().extract(lang, text).unwrap()
}

/// (line, depth, kind, name) of each definition.
fn outline(syms: &FileSymbols) -> Vec<(u32, u8, SymbolKind, &str)> {
    syms.defs
        .iter()
        .map(|d| (d.line, d.depth, d.kind, d.name.as_str()))
        .collect()
}

fn signature_at(syms: &FileSymbols, line: u32) -> &str {
    &syms.defs.iter().find(|d| d.line == line).unwrap().signature
}

fn refs(syms: &FileSymbols) -> Vec<&str> {
    syms.refs.iter().map(|(n, _)| n.as_str()).collect()
}

#[test]
fn rust() {
    let s = extract(Language::Rust, fixture!("sample.rs"));
    assert_eq!(
        outline(&s),
        [
            (4, 0, Constant, "MAX_DEPTH"),
            (6, 0, Struct, "Point"),
            (11, 0, Enum, "Shape"),
            (16, 0, Trait, "Area"),
            (17, 1, Method, "area"),
            (20, 0, Impl, "Shape"),
            (21, 1, Method, "area"),
            (29, 0, Function, "render_shapes"),
            (39, 0, Type, "Shapes"),
            (41, 0, Module, "geometry"),
            (42, 1, Function, "distance"),
            (47, 0, Macro, "square"),
        ]
    );
    assert_eq!(
        signature_at(&s, 29),
        "pub fn render_shapes(shapes: &[Shape], out: &mut dyn fmt::Write) -> fmt::Result"
    );
    assert_eq!(signature_at(&s, 20), "impl Area for Shape");
    assert_eq!(signature_at(&s, 4), "pub const MAX_DEPTH: usize = 8;");
    let r = refs(&s);
    for used in ["Point", "Shape", "area", "fmt", "abs"] {
        assert!(r.contains(&used), "{used} missing from {r:?}");
    }
    // Definition names are not references of their own file.
    for defined in ["MAX_DEPTH", "render_shapes", "distance", "geometry"] {
        assert!(!r.contains(&defined), "{defined} in {r:?}");
    }
    let shape = s.refs.iter().find(|(n, _)| n == "Shape").unwrap();
    assert_eq!(
        shape.1, 4,
        "Shape is used four times besides its definition"
    );
}

#[test]
fn python() {
    let s = extract(Language::Python, fixture!("sample.py"));
    assert_eq!(
        outline(&s),
        [
            (4, 0, Constant, "DEFAULT_NAME"),
            (7, 0, Class, "Greeter"),
            (8, 1, Method, "__init__"),
            (12, 1, Method, "greeting"),
            (16, 0, Function, "format_greeting"),
            (20, 0, Function, "main"),
        ]
    );
    assert_eq!(
        signature_at(&s, 16),
        "def format_greeting(name: str) -> str"
    );
    assert_eq!(signature_at(&s, 12), "def greeting(self)");
    assert!(refs(&s).contains(&"format_greeting"));
    assert!(refs(&s).contains(&"Greeter"));
}

#[test]
fn javascript() {
    let s = extract(Language::JavaScript, fixture!("sample.js"));
    assert_eq!(
        outline(&s),
        [
            (4, 0, Constant, "RETRY_LIMIT"),
            (6, 0, Class, "UserStore"),
            (7, 1, Method, "constructor"),
            (11, 1, Method, "load"),
            (16, 0, Function, "createStore"),
            (20, 0, Function, "formatUser"),
        ]
    );
    assert_eq!(signature_at(&s, 11), "async load(id)");
    assert_eq!(signature_at(&s, 6), "export class UserStore");
    assert!(refs(&s).contains(&"fetchUser"));
}

#[test]
fn typescript() {
    let s = extract(Language::TypeScript, fixture!("sample.ts"));
    assert_eq!(
        outline(&s),
        [
            (2, 0, Interface, "Repository"),
            (3, 1, Method, "find"),
            (6, 0, Type, "UserId"),
            (8, 0, Enum, "Role"),
            (13, 0, Class, "MemoryRepository"),
            (16, 1, Method, "find"),
            (21, 0, Function, "makeRepository"),
            (25, 0, Module, "Internal"),
        ]
    );
    assert_eq!(
        signature_at(&s, 21),
        "export function makeRepository<T>(): Repository<T>"
    );
    assert!(refs(&s).contains(&"Repository"));
    // The TSX grammar takes the same query.
    let tsx = extract(
        Language::Tsx,
        "export const App = () => <div>{title}</div>;\n",
    );
    assert_eq!(outline(&tsx), [(1, 0, Function, "App")]);
}

#[test]
fn go() {
    let s = extract(Language::Go, fixture!("sample.go"));
    assert_eq!(
        outline(&s),
        [
            (6, 0, Constant, "MaxItems"),
            (8, 0, Constant, "ErrFull"),
            (10, 0, Struct, "Item"),
            (15, 0, Interface, "Store"),
            (16, 1, Method, "Put"),
            (19, 0, Struct, "Memory"),
            (23, 0, Method, "Put"),
            (31, 0, Function, "NewMemory"),
        ]
    );
    assert_eq!(
        signature_at(&s, 23),
        "func (m *Memory) Put(item Item) error"
    );
    assert_eq!(signature_at(&s, 10), "type Item struct");
    assert!(refs(&s).contains(&"Item") && refs(&s).contains(&"New"));
}

#[test]
fn java() {
    let s = extract(Language::Java, fixture!("Sample.java"));
    assert_eq!(
        outline(&s),
        [
            (6, 0, Interface, "Shape"),
            (7, 1, Method, "area"),
            (10, 0, Enum, "Unit"),
            (12, 0, Class, "Circle"),
            (15, 1, Method, "Circle"),
            (19, 1, Method, "area"),
            (24, 1, Method, "total"),
        ]
    );
    assert_eq!(
        signature_at(&s, 24),
        "static double total(List<Shape> shapes)"
    );
    assert_eq!(signature_at(&s, 12), "class Circle implements Shape");
    assert!(refs(&s).contains(&"Shape") && refs(&s).contains(&"List"));
}

#[test]
fn c() {
    let s = extract(Language::C, fixture!("sample.c"));
    assert_eq!(
        outline(&s),
        [
            (4, 0, Constant, "BUFFER_SIZE"),
            (5, 0, Macro, "MIN"),
            (7, 0, Type, "buffer"),
            (12, 0, Enum, "mode"),
            (14, 0, Function, "buffer_append"),
            (16, 0, Function, "buffer_take"),
            (23, 0, Function, "buffer_append"),
        ]
    );
    assert_eq!(
        signature_at(&s, 16),
        "static char *buffer_take(buffer *buf)"
    );
    assert_eq!(
        signature_at(&s, 5),
        "#define MIN(a, b) ((a) < (b) ? (a) : (b))"
    );
    assert!(refs(&s).contains(&"MIN") && refs(&s).contains(&"BUFFER_SIZE"));
}

#[test]
fn cpp() {
    let s = extract(Language::Cpp, fixture!("sample.cpp"));
    assert_eq!(
        outline(&s),
        [
            (5, 0, Module, "geo"),
            (7, 1, Class, "Polygon"),
            (9, 2, Method, "Polygon"),
            (10, 2, Method, "perimeter"),
            (11, 2, Method, "size"),
            (17, 1, Method, "perimeter"),
            (23, 1, Type, "Polygons"),
            (25, 1, Struct, "Bounds"),
            (30, 1, Function, "bounds_of"),
        ]
    );
    assert_eq!(signature_at(&s, 17), "double Polygon::perimeter() const");
    assert!(refs(&s).contains(&"Polygons") && refs(&s).contains(&"Bounds"));
}

#[test]
fn headers_pick_their_grammar_by_content() {
    let c = "typedef struct pt { int x; } pt;\nint pt_len(const pt *p);\n";
    assert_eq!(Language::for_header(c), Language::C);
    let s = extract(Language::for_header(c), c);
    assert_eq!(
        outline(&s),
        [(1, 0, Type, "pt"), (2, 0, Function, "pt_len")]
    );
}

#[test]
fn signatures_collapse_onto_one_line() {
    assert_eq!(
        signature("pub fn f(\n    a: u32,\n    b: &str,\n) -> bool {"),
        "pub fn f(a: u32, b: &str) -> bool"
    );
    assert_eq!(signature("  class A:  "), "class A");
    assert_eq!(signature("x < y"), "x < y");
    let long = format!("fn {}()", "a".repeat(300));
    let cut = signature(&long);
    assert_eq!(cut.chars().count(), MAX_SIGNATURE_CHARS);
    assert!(cut.ends_with('…'));
}

#[test]
fn empty_and_broken_sources_do_not_fail() {
    for lang in Language::ALL {
        assert_eq!(extract(lang, ""), FileSymbols::default(), "{}", lang.name());
        // Error recovery keeps what it can.
        let _ = extract(lang, "fn ( class { def :: }}} ((( \u{0} é");
    }
    let s = extract(Language::Rust, "fn good() {}\nfn broken( {\n");
    assert_eq!(s.defs[0].name, "good");
}

proptest::proptest! {
    #[test]
    fn extraction_never_panics(text in "\\PC{0,300}", which in 0usize..9) {
        let lang = Language::ALL[which];
        let s = Extractor::new().extract(lang, &text).unwrap();
        for d in &s.defs {
            proptest::prop_assert!(d.line >= 1);
            proptest::prop_assert!(!d.name.is_empty());
        }
    }
}

#[test]
fn definitions_inside_function_bodies_are_local_and_left_out() {
    let rust = extract(
        Language::Rust,
        "fn outer() {\n    fn inner() {}\n    struct Local;\n}\n",
    );
    assert_eq!(outline(&rust), [(1, 0, Function, "outer")]);
    let js = extract(
        Language::JavaScript,
        "function App() {\n  const onClick = () => helper();\n  return onClick;\n}\n",
    );
    assert_eq!(outline(&js), [(1, 0, Function, "App")]);
    assert!(
        refs(&js).contains(&"helper"),
        "identifiers in bodies still count"
    );
    let py = extract(
        Language::Python,
        "class A:\n    def m(self):\n        def local():\n            pass\n",
    );
    assert_eq!(outline(&py), [(1, 0, Class, "A"), (2, 1, Method, "m")]);
}

#[test]
fn javascript_is_parsed_with_the_tsx_grammar() {
    // JSX in a plain `.js` file, as React projects write it.
    let js = extract(
        Language::JavaScript,
        "import { h } from './h';\nexport function Button({ label }) {\n  return <button>{label}</button>;\n}\nexport const Icon = () => <i />;\n",
    );
    assert_eq!(
        outline(&js),
        [(2, 0, Function, "Button"), (5, 0, Function, "Icon")]
    );
    // TypeScript keeps its own grammar, where `<Type>value` is a cast, not an unclosed JSX
    // element swallowing the rest of the file.
    let ts = extract(
        Language::TypeScript,
        "export function first(): number {\n  return 1;\n}\nconst n = <number>value;\nexport function second(x: string): string {\n  return x;\n}\nexport interface Shape {\n  area(): number;\n}\n",
    );
    let names: Vec<&str> = outline(&ts).iter().map(|d| d.3).collect();
    assert_eq!(names, ["first", "n", "second", "Shape", "area"]);
}
