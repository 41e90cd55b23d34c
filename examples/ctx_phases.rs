//! Temporary profiling harness (to be deleted).
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]
use hone::context::Language;
use hone::context::symbols::Extractor;
use std::time::Instant;

thread_local! {
    static QUERIES: std::cell::RefCell<std::collections::HashMap<&'static str, std::rc::Rc<tree_sitter::Query>>> = Default::default();
    static QT: std::cell::RefCell<(f64, f64)> = Default::default();
}

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
        let q = match l {
            Language::Rust => include_str!("../src/context/queries/rust.scm").to_string(),
            Language::Python => include_str!("../src/context/queries/python.scm").to_string(),
            Language::JavaScript => {
                include_str!("../src/context/queries/javascript.scm").to_string()
            }
            Language::TypeScript | Language::Tsx => format!(
                "{}{}",
                include_str!("../src/context/queries/typescript.scm"),
                include_str!("../src/context/queries/javascript.scm")
            ),
            Language::Go => include_str!("../src/context/queries/go.scm").to_string(),
            Language::Java => include_str!("../src/context/queries/java.scm").to_string(),
            Language::C => include_str!("../src/context/queries/c.scm").to_string(),
            Language::Cpp => format!(
                "{}{}",
                include_str!("../src/context/queries/cpp.scm"),
                include_str!("../src/context/queries/c.scm")
            ),
        };
        let query = QUERIES.with(|m| {
            m.borrow_mut()
                .entry(l.name())
                .or_insert_with(|| std::rc::Rc::new(tree_sitter::Query::new(&g, &q).unwrap()))
                .clone()
        });
        let tree = parser.parse(text, None).unwrap();
        let t = Instant::now();
        let mut cur = tree_sitter::QueryCursor::new();
        if let Ok(d) = std::env::var("DEPTH") {
            cur.set_max_start_depth(Some(d.parse().unwrap()));
        }
        let mut m = cur.matches(&query, tree.root_node(), text.as_bytes());
        let mut n = 0;
        use streaming_iterator::StreamingIterator;
        while m.next().is_some() {
            n += 1;
        }
        let qt = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut c = tree.root_node().walk();
        let mut leaves = 0usize;
        'w: loop {
            if c.goto_first_child() {
                continue;
            }
            leaves += 1;
            loop {
                if c.goto_next_sibling() {
                    continue 'w;
                }
                if !c.goto_parent() {
                    break 'w;
                }
            }
        }
        let wt = t.elapsed().as_secs_f64();
        std::hint::black_box((n, leaves));
        QT.with(|x| {
            let mut x = x.borrow_mut();
            x.0 += qt;
            x.1 += wt;
        });
        let t = Instant::now();
        let _ = ex.extract(*l, text).unwrap();
        let all = t.elapsed().as_secs_f64();
        let e = by_lang.entry(l.name()).or_default();
        e.0 += parse;
        e.1 += all;
        e.2 += text.len();
    }
    QT.with(|x| {
        println!(
            "query {:.1} ms, walk {:.1} ms",
            x.borrow().0 * 1e3,
            x.borrow().1 * 1e3
        )
    });
    for (l, (p, a, b)) in by_lang {
        println!(
            "{l:12} {b:>9} bytes  parse {:7.1} ms ({:5.1} MB/s)  extract {:7.1} ms",
            p * 1e3,
            b as f64 / p / 1e6,
            a * 1e3
        );
    }
}
