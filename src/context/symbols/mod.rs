//! Symbol extraction: one source text in, the definitions it makes (kind, name, one-line
//! signature, 1-based line, nesting) and the identifiers it references out. Definitions inside
//! function bodies (closures, local helpers) are local and not extracted.
//!
//! Pure apart from tree-sitter: no file access, no interning, no ranking. A [`Parser`] is reused
//! per thread (tree-sitter parsers are cheap to keep and costly to rebuild per file). Invariant:
//! a file's own definition names are never counted among its references, so a name only links a
//! file to *other* files; and extraction never panics on any input (malformed text yields
//! whatever the error-tolerant grammar recovers).

use foldhash::{HashMap, HashMapExt as _, HashSet, HashSetExt as _};

use serde::{Deserialize, Serialize};
use streaming_iterator::StreamingIterator as _;
use tree_sitter::{Node, QueryCursor};

use crate::context::lang::{Compiled, Language};

/// What a definition defines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SymbolKind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Interface,
    Trait,
    Type,
    Constant,
    Module,
    Macro,
    /// A Rust `impl` block: shown as context for its methods, but it does not define its name.
    Impl,
}

impl SymbolKind {
    pub(crate) fn from_capture(suffix: &str) -> Option<SymbolKind> {
        Some(match suffix {
            "function" => SymbolKind::Function,
            "method" => SymbolKind::Method,
            "class" => SymbolKind::Class,
            "struct" => SymbolKind::Struct,
            "enum" => SymbolKind::Enum,
            "interface" => SymbolKind::Interface,
            "trait" => SymbolKind::Trait,
            "type" => SymbolKind::Type,
            "constant" => SymbolKind::Constant,
            "module" => SymbolKind::Module,
            "macro" => SymbolKind::Macro,
            "impl" => SymbolKind::Impl,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SymbolKind::Function => "function",
            SymbolKind::Method => "method",
            SymbolKind::Class => "class",
            SymbolKind::Struct => "struct",
            SymbolKind::Enum => "enum",
            SymbolKind::Interface => "interface",
            SymbolKind::Trait => "trait",
            SymbolKind::Type => "type",
            SymbolKind::Constant => "constant",
            SymbolKind::Module => "module",
            SymbolKind::Macro => "macro",
            SymbolKind::Impl => "impl",
        }
    }

    /// Whether other files that use this name are linked to the file defining it.
    pub fn defines_name(self) -> bool {
        self != SymbolKind::Impl
    }
}

/// One definition as extracted, before its name is interned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDefinition {
    pub kind: SymbolKind,
    pub name: String,
    /// 1-based line of the definition's first line.
    pub line: u32,
    /// How many enclosing definitions (class, impl, namespace …) surround this one.
    pub depth: u8,
    /// The definition's signature on one line (see [`signature`]).
    pub signature: String,
}

/// What one file defines and references.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSymbols {
    pub defs: Vec<RawDefinition>,
    /// Each referenced identifier with how often it occurs, sorted by name.
    pub refs: Vec<(String, u32)>,
}

/// Names longer than this are not identifiers anyone will mention; skipping them keeps a
/// minified or data-heavy file from bloating the index.
const MAX_NAME_LEN: usize = 96;
/// The signature shown for a definition is cut to this many characters.
pub const MAX_SIGNATURE_CHARS: usize = 160;
/// A signature that spans more lines than this before the body starts is shown by its first line.
const MAX_SIGNATURE_LINES: usize = 6;

/// Extraction state one thread keeps across files.
pub struct Extractor {
    parser: tree_sitter::Parser,
    cursor: QueryCursor,
    /// The grammar the parser holds, by [`Language::grammar_name`].
    current: Option<&'static str>,
}

impl Default for Extractor {
    fn default() -> Self {
        Extractor::new()
    }
}

/// Why a file could not be parsed.
#[derive(Debug, thiserror::Error)]
pub enum SymbolsError {
    #[error("the {language} grammar could not be loaded: {reason}")]
    Grammar {
        language: &'static str,
        reason: String,
    },
    #[error("tree-sitter gave up on the file")]
    Parse,
}

impl Extractor {
    pub fn new() -> Extractor {
        let mut cursor = QueryCursor::new();
        // Only patterns starting at the node the cursor is given (see `walk`).
        cursor.set_max_start_depth(Some(0));
        Extractor {
            parser: tree_sitter::Parser::new(),
            cursor,
            current: None,
        }
    }

    /// The definitions and references of `text`, a file in `lang`.
    pub fn extract(&mut self, lang: Language, text: &str) -> Result<FileSymbols, SymbolsError> {
        let compiled = lang.compiled().map_err(|reason| SymbolsError::Grammar {
            language: lang.name(),
            reason: reason.to_string(),
        })?;
        if self.current != Some(lang.grammar_name()) {
            self.parser
                .set_language(&compiled.grammar)
                .map_err(|e| SymbolsError::Grammar {
                    language: lang.name(),
                    reason: e.to_string(),
                })?;
            self.current = Some(lang.grammar_name());
        }
        let tree = self.parser.parse(text, None).ok_or(SymbolsError::Parse)?;
        let (mut found, identifiers) = walk(&tree, text, compiled, &mut self.cursor);
        // One definition per node: the earliest pattern (the most specific) wins.
        found.sort_by_key(|f| (f.start, std::cmp::Reverse(f.end), f.pattern));
        found.dedup_by_key(|f| (f.start, f.end));

        let line_starts = LineIndex::new(text);
        let mut defs = Vec::with_capacity(found.len());
        let mut def_name_starts = Vec::with_capacity(found.len());
        // Enclosing definitions, innermost last, as (end byte).
        let mut open: Vec<usize> = Vec::new();
        let mut seen: HashSet<(String, u32)> = HashSet::new();
        for f in &found {
            while open.last().is_some_and(|end| *end <= f.start) {
                open.pop();
            }
            let depth = u8::try_from(open.len()).unwrap_or(u8::MAX);
            open.push(f.end);
            def_name_starts.push(f.name_start);
            let Some(raw_name) = text.get(f.name_start..f.name_end) else {
                continue;
            };
            let name = clean_name(f.kind, raw_name);
            if name.is_empty() || name.len() > MAX_NAME_LEN {
                continue;
            }
            let line = u32::try_from(f.row + 1).unwrap_or(u32::MAX);
            // `typedef struct point {…} point;` matches twice on one line with one name.
            if !seen.insert((name.clone(), line)) {
                continue;
            }
            let sig_end = match f.body_start {
                Some((byte, row)) if row.saturating_sub(f.row) < MAX_SIGNATURE_LINES => byte,
                _ => line_starts.line_end(text, f.row),
            };
            let sig_start = line_starts.line_start(f.row);
            let signature = signature(text.get(sig_start..sig_end.max(sig_start)).unwrap_or(""));
            defs.push(RawDefinition {
                kind: f.kind,
                name,
                line,
                depth,
                signature,
            });
        }

        def_name_starts.sort_unstable();
        let refs = count_refs(text, &identifiers, &def_name_starts);
        Ok(FileSymbols { defs, refs })
    }
}

/// A definition the query found: the defining node's range and row, the pattern that matched,
/// its kind, its name's range and where its body starts (byte, row).
struct Found {
    start: usize,
    end: usize,
    row: usize,
    pattern: usize,
    kind: SymbolKind,
    name_start: usize,
    name_end: usize,
    body_start: Option<(usize, usize)>,
}

/// One pre-order walk over the tree: runs the definitions query from every node a pattern can
/// start at (the cursor is limited to patterns starting at the node it is given), except inside
/// function bodies, and collects the byte ranges of identifier nodes. Running the query only
/// where a file-level definition can begin, instead of over the whole tree, skips the
/// expression-heavy function bodies and makes the query cost a small fraction of the parse.
fn walk(
    tree: &tree_sitter::Tree,
    text: &str,
    compiled: &Compiled,
    cursor: &mut QueryCursor,
) -> (Vec<Found>, Vec<(usize, usize)>) {
    let source = text.as_bytes();
    let mut found = Vec::new();
    let mut identifiers = Vec::new();
    let mut walker = tree.walk();
    // The end of the function whose body the walk is in: definitions there are local (closures,
    // helpers, local variables) and not looked for, which also spares the query most nodes.
    let mut in_function_until = 0usize;
    'walk: loop {
        let node = walker.node();
        let kind = usize::from(node.kind_id());
        if node.start_byte() >= in_function_until
            && compiled.is_root.get(kind).copied().unwrap_or(false)
        {
            let before = found.len();
            collect_matches(cursor, compiled, node, source, &mut found);
            let (start, end) = (node.start_byte(), node.end_byte());
            let is_function = found[before..].iter().any(|f| {
                f.start == start
                    && f.end == end
                    && matches!(f.kind, SymbolKind::Function | SymbolKind::Method)
            });
            if is_function {
                in_function_until = end;
            }
        }
        if compiled.is_identifier.get(kind).copied().unwrap_or(false) {
            identifiers.push((node.start_byte(), node.end_byte()));
        } else if walker.goto_first_child() {
            continue;
        }
        loop {
            if walker.goto_next_sibling() {
                continue 'walk;
            }
            if !walker.goto_parent() {
                break 'walk;
            }
        }
    }
    (found, identifiers)
}

fn collect_matches(
    cursor: &mut QueryCursor,
    compiled: &Compiled,
    node: Node<'_>,
    source: &[u8],
    found: &mut Vec<Found>,
) {
    let mut matches = cursor.matches(&compiled.query, node, source);
    while let Some(m) = matches.next() {
        let mut def: Option<(Node<'_>, SymbolKind)> = None;
        let mut name: Option<Node<'_>> = None;
        for cap in m.captures() {
            if cap.index == compiled.name_capture {
                name = Some(cap.node);
            } else if let Some(Some(kind)) = compiled.capture_kinds.get(cap.index as usize) {
                def = Some((cap.node, *kind));
            }
        }
        if let (Some((node, kind)), Some(name)) = (def, name) {
            let body_start = node
                .child_by_field_name("body")
                .map(|b| (b.start_byte(), b.start_position().row));
            found.push(Found {
                start: node.start_byte(),
                end: node.end_byte(),
                row: node.start_position().row,
                pattern: m.pattern_index,
                kind,
                name_start: name.start_byte(),
                name_end: name.end_byte(),
                body_start,
            });
        }
    }
}

/// The identifiers' texts, counted, minus the ones that name a definition of this file.
fn count_refs(
    text: &str,
    identifiers: &[(usize, usize)],
    def_name_starts: &[usize],
) -> Vec<(String, u32)> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for &(start, end) in identifiers {
        if def_name_starts.binary_search(&start).is_err()
            && let Some(name) = text.get(start..end)
            && !name.is_empty()
            && name.len() <= MAX_NAME_LEN
        {
            *counts.entry(name).or_insert(0) += 1;
        }
    }
    let mut refs: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    refs.sort_unstable();
    refs
}

/// The name a definition is known by: an `impl Foo<T>` block is filed under `Foo`.
fn clean_name(kind: SymbolKind, raw: &str) -> String {
    let raw = raw.trim();
    if kind == SymbolKind::Impl {
        let base = raw.split('<').next().unwrap_or(raw);
        return base.rsplit("::").next().unwrap_or(base).trim().to_string();
    }
    raw.to_string()
}

/// A definition's header collapsed onto one line: each whitespace run becomes one space, except
/// that a line break right inside brackets or before a comma disappears (`fn f(\n    a: u32,\n)`
/// reads `fn f(a: u32)`); a trailing `{` or `:` goes, and the result is cut at [`MAX_SIGNATURE_CHARS`]
/// with an ellipsis.
pub fn signature(header: &str) -> String {
    let mut out = String::with_capacity(header.len().min(MAX_SIGNATURE_CHARS + 4));
    // The pending whitespace run: none, spaces only, or containing a line break.
    let mut pending: Option<bool> = None;
    for c in header.chars() {
        if c.is_whitespace() {
            if !out.is_empty() {
                pending = Some(pending.unwrap_or(false) || c == '\n');
            }
            continue;
        }
        if let Some(newline) = pending.take() {
            let glue = newline
                && (out.ends_with(['(', '[', '<', '{'])
                    || matches!(c, ')' | ']' | '>' | ',' | '}'));
            if !glue {
                out.push(' ');
            }
        }
        out.push(c);
    }
    // The body's opener is not part of the signature: `{`, or Python's `:`.
    let trimmed = out.trim_end_matches('{').trim_end();
    let trimmed = trimmed.strip_suffix(':').unwrap_or(trimmed).trim_end();
    let cleaned = trimmed.replace(",)", ")");
    if cleaned.chars().count() > MAX_SIGNATURE_CHARS {
        let mut cut: String = cleaned.chars().take(MAX_SIGNATURE_CHARS - 1).collect();
        cut.push('…');
        cut
    } else {
        cleaned
    }
}

/// Byte offsets of line starts, for turning a row into its text.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    fn line_start(&self, row: usize) -> usize {
        self.starts.get(row).copied().unwrap_or(0)
    }

    fn line_end(&self, text: &str, row: usize) -> usize {
        self.starts
            .get(row + 1)
            .map_or(text.len(), |next| next.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests;
