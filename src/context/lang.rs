//! The languages hone understands well enough to list definitions: which file is which language,
//! and each language's tree-sitter grammar, definitions query and identifier node kinds.
//!
//! Must not read files or parse: it only answers "what language is this path (and, for `.h`, this
//! header text)" and hands out the compiled grammar pieces. Invariant: every query compiles against
//! its grammar (a unit test checks all of them), and each compiled query is built once per
//! process and shared by every parsing thread (`tree_sitter::Query` is `Send + Sync`).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tree_sitter::{Language as Grammar, Query};

/// A source language with a tree-sitter grammar compiled into hone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    C,
    Cpp,
}

impl Language {
    pub const ALL: [Language; 9] = [
        Language::Rust,
        Language::Python,
        Language::JavaScript,
        Language::TypeScript,
        Language::Tsx,
        Language::Go,
        Language::Java,
        Language::C,
        Language::Cpp,
    ];

    /// The language of a file by its extension. `.h` is answered by [`Language::for_header`] once
    /// the text is known, so it maps to C here.
    pub fn from_path(path: &str) -> Option<Language> {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name.rsplit_once('.')?.1;
        let lang = match ext {
            "rs" => Language::Rust,
            "py" | "pyi" => Language::Python,
            "js" | "mjs" | "cjs" | "jsx" => Language::JavaScript,
            "ts" | "mts" | "cts" => Language::TypeScript,
            "tsx" => Language::Tsx,
            "go" => Language::Go,
            "java" => Language::Java,
            "c" | "h" => Language::C,
            "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "h++" | "ipp" | "tpp" => {
                Language::Cpp
            }
            _ => return None,
        };
        Some(lang)
    }

    /// A `.h` file is C unless its text uses C++-only syntax: the C grammar would lose the classes
    /// and namespaces, while the C++ grammar is slower on the (more common) plain C header.
    pub fn for_header(text: &str) -> Language {
        const CPP_MARKERS: [&str; 6] = [
            "class ",
            "namespace ",
            "template<",
            "template <",
            "public:",
            "std::",
        ];
        if CPP_MARKERS.iter().any(|m| text.contains(m)) {
            Language::Cpp
        } else {
            Language::C
        }
    }

    /// A short lowercase name, as used in logs and the cache.
    pub fn name(self) -> &'static str {
        match self {
            Language::Rust => "rust",
            Language::Python => "python",
            Language::JavaScript => "javascript",
            Language::TypeScript => "typescript",
            Language::Tsx => "tsx",
            Language::Go => "go",
            Language::Java => "java",
            Language::C => "c",
            Language::Cpp => "cpp",
        }
    }

    /// Which compiled grammar and query the language uses: JavaScript shares TSX's (see
    /// [`Language::grammar`]).
    fn slot(self) -> usize {
        match self {
            Language::JavaScript => Language::Tsx as usize,
            other => other as usize,
        }
    }

    /// The grammar a file of this language is parsed with, by name (part of the cache key).
    pub(crate) fn grammar_name(self) -> &'static str {
        match self {
            Language::JavaScript | Language::Tsx => "tsx",
            other => other.name(),
        }
    }

    /// The grammar. JavaScript is parsed with the TSX grammar, a superset of it (JavaScript's
    /// syntax and JSX, plus TypeScript's types, which plain JavaScript never writes): one
    /// grammar fewer keeps 0.7 MB of parse tables out of the binary (issue 3's size budget).
    /// TypeScript keeps its own grammar: TSX reads the old `<Type>value` cast as an unclosed
    /// JSX element and would lose every definition after it.
    pub(crate) fn grammar(self) -> Grammar {
        match self {
            Language::Rust => tree_sitter_rust::LANGUAGE.into(),
            Language::Python => tree_sitter_python::LANGUAGE.into(),
            Language::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Language::JavaScript | Language::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
            Language::Go => tree_sitter_go::LANGUAGE.into(),
            Language::Java => tree_sitter_java::LANGUAGE.into(),
            Language::C => tree_sitter_c::LANGUAGE.into(),
            Language::Cpp => tree_sitter_cpp::LANGUAGE.into(),
        }
    }

    /// The definitions query source (`queries/<lang>.scm`): `@name` captures the defined name,
    /// `@definition.<kind>` the whole definition. TypeScript and C++ extend the JavaScript and C
    /// queries and come first (JavaScript files use the TypeScript query, as they use its grammar), because where two patterns match one node the earlier one wins.
    pub(crate) fn query_source(self) -> &'static str {
        match self {
            Language::Rust => include_str!("queries/rust.scm"),
            Language::Python => include_str!("queries/python.scm"),
            Language::JavaScript | Language::TypeScript | Language::Tsx => {
                concat!(
                    include_str!("queries/typescript.scm"),
                    include_str!("queries/javascript.scm")
                )
            }
            Language::Go => include_str!("queries/go.scm"),
            Language::Java => include_str!("queries/java.scm"),
            Language::C => include_str!("queries/c.scm"),
            Language::Cpp => concat!(
                include_str!("queries/cpp.scm"),
                include_str!("queries/c.scm")
            ),
        }
    }

    /// Node kinds whose text is a name another file may define.
    fn identifier_kinds(self) -> &'static [&'static str] {
        match self {
            Language::Rust => &["identifier", "type_identifier", "field_identifier"],
            Language::Python => &["identifier"],
            Language::JavaScript | Language::TypeScript | Language::Tsx => &[
                "identifier",
                "property_identifier",
                "shorthand_property_identifier",
                "type_identifier",
            ],
            Language::Go => &[
                "identifier",
                "type_identifier",
                "field_identifier",
                "package_identifier",
            ],
            Language::Java => &["identifier", "type_identifier"],
            Language::C => &["identifier", "type_identifier", "field_identifier"],
            Language::Cpp => &[
                "identifier",
                "type_identifier",
                "field_identifier",
                "namespace_identifier",
            ],
        }
    }

    /// The compiled grammar pieces, built on first use and shared by all threads.
    pub(crate) fn compiled(self) -> Result<&'static Compiled, &'static str> {
        static SLOTS: [OnceLock<Result<Compiled, String>>; 9] = [const { OnceLock::new() }; 9];
        SLOTS[self.slot()]
            .get_or_init(|| Compiled::new(self))
            .as_ref()
            .map_err(String::as_str)
    }
}

/// A grammar with its definitions query and a table of identifier node kinds.
pub(crate) struct Compiled {
    pub grammar: Grammar,
    pub query: Query,
    /// For each capture index of `query`: the definition kind it marks, if any.
    pub capture_kinds: Vec<Option<crate::context::symbols::SymbolKind>>,
    /// The capture index of `@name`.
    pub name_capture: u32,
    /// Indexed by node kind id: whether that kind is an identifier worth recording as a reference.
    pub is_identifier: Vec<bool>,
    /// Indexed by node kind id: whether some query pattern starts at a node of that kind. The
    /// query runs only from such nodes (see `symbols`).
    pub is_root: Vec<bool>,
}

/// The node kind a query pattern starts with: `(function_item name: …)` gives `function_item`.
fn pattern_root(source: &str, start: usize) -> Option<&str> {
    let rest = source.get(start..)?.strip_prefix('(')?;
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    let kind = &rest[..end];
    (!kind.is_empty() && kind != "_").then_some(kind)
}

impl Compiled {
    fn new(lang: Language) -> Result<Compiled, String> {
        let grammar = lang.grammar();
        let query = Query::new(&grammar, lang.query_source())
            .map_err(|e| format!("{} query: {e}", lang.name()))?;
        let mut name_capture = None;
        let mut capture_kinds = Vec::with_capacity(query.capture_names().len());
        for (i, name) in query.capture_names().iter().enumerate() {
            if *name == "name" {
                name_capture = u32::try_from(i).ok();
            }
            capture_kinds.push(
                name.strip_prefix("definition.")
                    .and_then(crate::context::symbols::SymbolKind::from_capture),
            );
        }
        let name_capture =
            name_capture.ok_or_else(|| format!("{} query has no @name capture", lang.name()))?;
        let source = lang.query_source();
        let roots = (0..query.pattern_count())
            .map(|i| pattern_root(source, query.start_byte_for_pattern(i)))
            .collect::<Option<Vec<&str>>>()
            .ok_or_else(|| {
                format!(
                    "{} query: every pattern must start with a node kind",
                    lang.name()
                )
            })?;
        let wanted = lang.identifier_kinds();
        let table = |set: &[&str]| -> Vec<bool> {
            (0..grammar.node_kind_count())
                .map(|id| {
                    let id = u16::try_from(id).unwrap_or(u16::MAX);
                    grammar.node_kind_is_named(id)
                        && grammar
                            .node_kind_for_id(id)
                            .is_some_and(|k| set.contains(&k))
                })
                .collect()
        };
        let is_identifier = table(wanted);
        let is_root = table(&roots);
        Ok(Compiled {
            grammar,
            query,
            capture_kinds,
            name_capture,
            is_identifier,
            is_root,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_query_compiles_against_its_grammar() {
        for lang in Language::ALL {
            let compiled = lang.compiled().unwrap_or_else(|e| panic!("{e}"));
            assert!(
                compiled.capture_kinds.iter().any(Option::is_some),
                "{}",
                lang.name()
            );
            assert!(compiled.is_identifier.iter().any(|b| *b), "{}", lang.name());
            assert!(compiled.is_root.iter().any(|b| *b), "{}", lang.name());
        }
    }

    #[test]
    fn pattern_roots_are_read_from_the_source() {
        assert_eq!(
            pattern_root("(function_item name: (identifier) @name)", 0),
            Some("function_item")
        );
        assert_eq!(pattern_root("x\n(module\n  (a))", 2), Some("module"));
        assert_eq!(pattern_root("[(a) (b)]", 0), None);
        assert_eq!(pattern_root("(_ (a))", 0), None);
    }

    #[test]
    fn languages_by_extension() {
        assert_eq!(Language::from_path("src/main.rs"), Some(Language::Rust));
        assert_eq!(Language::from_path("a/b.tsx"), Some(Language::Tsx));
        assert_eq!(Language::from_path("lib.hpp"), Some(Language::Cpp));
        assert_eq!(Language::from_path("x.h"), Some(Language::C));
        assert_eq!(Language::from_path("Makefile"), None);
        assert_eq!(Language::from_path("dir.rs/README"), None);
    }

    #[test]
    fn headers_with_cpp_syntax_are_cpp() {
        assert_eq!(
            Language::for_header("int add(int a, int b);\n"),
            Language::C
        );
        assert_eq!(
            Language::for_header("namespace geo {\nclass Point {};\n}\n"),
            Language::Cpp
        );
    }
}
