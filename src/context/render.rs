//! Rendering the repo map: the best-ranked files and definitions as a compact outline that fits
//! a token budget.
//!
//! The outline is a file's path on its own line, then one line per shown definition: two spaces,
//! its 1-based line number, a colon, two more spaces per nesting level and its signature. A
//! method shown without its class (or `impl`) would be ambiguous, so a shown definition always
//! brings its enclosing definitions along. Files are in rank order, definitions in line order.
//! If files are left out, a last line says how many. Pure: no I/O, and deterministic (the map is
//! part of a prompt prefix that must stay byte-identical).
//!
//! Selection follows Aider's repo map: every candidate file and definition gets a score — a file's
//! path line a tenth of its rank, a definition the rank that flows into it from the files using its name (plus a
//! small share of its file's rank, so unreferenced definitions of a top file come before a weak
//! file's), with mentioned identifiers first — and the map shows the best N items for the largest
//! N that fits, found by binary search over N.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use crate::context::estimate_tokens;
use crate::context::index::{FileId, NameId, RepoIndex};
use crate::context::rank::{Focus, Ranking, rank};
use crate::context::symbols::SymbolKind;

/// Renders the map of `index` for `focus` within `budget_tokens` (see [`estimate_tokens`]).
pub fn render_map(index: &RepoIndex, focus: &Focus, budget_tokens: usize) -> String {
    render_ranking(index, &rank(index, focus), budget_tokens)
}

/// Renders an existing ranking (lets a caller rank once and render at several budgets).
pub fn render_ranking(index: &RepoIndex, ranking: &Ranking, budget_tokens: usize) -> String {
    if budget_tokens == 0 || ranking.order.is_empty() {
        return String::new();
    }
    let candidates = candidates(index, ranking, budget_tokens);
    let items = score_items(index, ranking, &candidates);
    let total_files = ranking.order.len();

    // The largest prefix of `items` whose rendering fits.
    let fits = |k: usize| -> Option<String> {
        let text = render_items(index, &candidates, &items[..k], total_files);
        (estimate_tokens(&text) <= budget_tokens).then_some(text)
    };
    let (mut lo, mut hi) = (0usize, items.len());
    let mut best = String::new();
    while lo < hi {
        let mid = lo + (hi - lo).div_ceil(2);
        match fits(mid) {
            Some(text) => {
                best = text;
                lo = mid;
            }
            None => hi = mid - 1,
        }
    }
    best
}

/// A candidate file: its id, position in the ranking and score.
struct Candidate {
    id: FileId,
    score: f64,
}

/// The best-ranked files whose full outline adds up to a few budgets' worth: nothing below them
/// could make it into the map.
fn candidates(index: &RepoIndex, ranking: &Ranking, budget_tokens: usize) -> Vec<Candidate> {
    let limit = budget_tokens.saturating_mul(4).saturating_mul(4);
    let mut chars = 0usize;
    let mut out = Vec::new();
    for (id, score) in &ranking.order {
        let Some(f) = index.file(*id) else { continue };
        chars += f.path.len() + 1 + f.defs.iter().map(|d| d.signature.len() + 10).sum::<usize>();
        out.push(Candidate {
            id: *id,
            score: *score,
        });
        if chars > limit {
            break;
        }
    }
    out
}

#[derive(Debug, Clone, Copy)]
enum Item {
    /// The file's path line (candidate position).
    Path(usize),
    /// A definition (candidate position, definition index in the file).
    Def(usize, usize),
}

/// A path-only line is worth this share of its file's rank: cheap, but it says less than the
/// definitions of a better file.
const PATH_SHARE: f64 = 0.1;

fn score_items(index: &RepoIndex, ranking: &Ranking, candidates: &[Candidate]) -> Vec<Item> {
    let mut flows: HashMap<NameId, f64> = HashMap::new();
    let mut scored: Vec<(f64, usize, u32, Item)> = Vec::new();
    for (pos, cand) in candidates.iter().enumerate() {
        scored.push((PATH_SHARE * cand.score, pos, 0, Item::Path(pos)));
        let Some(file) = index.file(cand.id) else {
            continue;
        };
        for (i, def) in file.defs.iter().enumerate() {
            let mut score = 0.01 * cand.score * kind_weight(def.kind);
            if def.kind.defines_name() {
                let total = *flows
                    .entry(def.name)
                    .or_insert_with(|| name_flow(index, ranking, def.name));
                score += (total - self_flow(index, ranking, def.name, cand.id)).max(0.0);
            }
            if ranking.mentioned_names.contains(&def.name) {
                score += 10.0;
            }
            scored.push((score, pos, def.line, Item::Def(pos, i)));
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    scored.into_iter().map(|s| s.3).collect()
}

/// The rank flowing into one definition of `name`: each user's rank times the share of its
/// weight on `name`, split among the files defining it.
fn name_flow(index: &RepoIndex, ranking: &Ranking, name: NameId) -> f64 {
    let definers = index.graph.definers(name);
    index
        .graph
        .referrers(name)
        .map(|(src, w)| {
            let own = definers.binary_search(&src).is_ok();
            let others = definers.len() - usize::from(own);
            if others == 0 {
                0.0
            } else {
                ranking.rank[src as usize] * f64::from(w) / others as f64
            }
        })
        .sum()
}

/// The part of [`name_flow`] that comes from `file` itself (which never flows to its own
/// definition).
fn self_flow(index: &RepoIndex, ranking: &Ranking, name: NameId, file: FileId) -> f64 {
    let definers = index.graph.definers(name);
    index
        .graph
        .referrers(name)
        .find(|(src, _)| *src == file)
        .map_or(0.0, |(src, w)| {
            let others = definers.len() - usize::from(definers.binary_search(&src).is_ok());
            if others == 0 {
                0.0
            } else {
                ranking.rank[src as usize] * f64::from(w) / others as f64
            }
        })
}

/// Types and free functions say more about a file than its constants and impl blocks.
fn kind_weight(kind: SymbolKind) -> f64 {
    match kind {
        SymbolKind::Class
        | SymbolKind::Struct
        | SymbolKind::Enum
        | SymbolKind::Interface
        | SymbolKind::Trait => 1.0,
        SymbolKind::Function | SymbolKind::Type | SymbolKind::Module | SymbolKind::Macro => 0.8,
        SymbolKind::Method => 0.6,
        SymbolKind::Constant => 0.4,
        SymbolKind::Impl => 0.2,
    }
}

fn render_items(
    index: &RepoIndex,
    candidates: &[Candidate],
    items: &[Item],
    total_files: usize,
) -> String {
    // Candidate position -> shown definition indices.
    let mut shown: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for item in items {
        match item {
            Item::Path(pos) => {
                shown.entry(*pos).or_default();
            }
            Item::Def(pos, i) => shown.entry(*pos).or_default().push(*i),
        }
    }
    let mut out = String::new();
    for (pos, mut defs) in shown.iter_mut().map(|(p, d)| (*p, std::mem::take(d))) {
        let Some(file) = candidates.get(pos).and_then(|c| index.file(c.id)) else {
            continue;
        };
        out.push_str(&file.path);
        out.push('\n');
        add_enclosing(file, &mut defs);
        for i in defs {
            let Some(d) = file.defs.get(i) else { continue };
            let indent = "  ".repeat(usize::from(d.depth.min(8)));
            let _ = writeln!(out, "  {}: {indent}{}", d.line, d.signature);
        }
    }
    let left_out = total_files.saturating_sub(shown.len());
    if left_out > 0 && !out.is_empty() {
        let _ = writeln!(out, "… {left_out} more files");
    }
    out
}

/// Adds to `defs` (indices into `file.defs`, which are in source order) the definitions that
/// enclose each of them, then sorts and dedups.
fn add_enclosing(file: &crate::context::index::IndexedFile, defs: &mut Vec<usize>) {
    let mut extra = Vec::new();
    for &i in defs.iter() {
        let Some(mut depth) = file.defs.get(i).map(|d| d.depth) else {
            continue;
        };
        let mut j = i;
        while depth > 0 && j > 0 {
            j -= 1;
            if file.defs[j].depth < depth {
                depth = file.defs[j].depth;
                extra.push(j);
            }
        }
    }
    defs.extend(extra);
    defs.sort_unstable();
    defs.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::estimate_tokens;
    use crate::context::index::{Definition, IndexedFile};
    use crate::context::scan::Mtime;

    fn file(defs: &[(u32, u8)]) -> IndexedFile {
        IndexedFile {
            path: "a.rs".into(),
            size: 0,
            mtime: Mtime::default(),
            language: None,
            defs: defs
                .iter()
                .map(|(line, depth)| Definition {
                    name: 0,
                    kind: SymbolKind::Method,
                    line: *line,
                    depth: *depth,
                    signature: "".into(),
                })
                .collect(),
            refs: vec![],
        }
    }

    #[test]
    fn shown_methods_bring_their_containers() {
        // impl (0) { fn (1), fn (2) }, struct (3) { nested (4) { deep (5) } }
        let f = file(&[(1, 0), (2, 1), (3, 1), (10, 0), (11, 1), (12, 2)]);
        let mut defs = vec![2, 5];
        add_enclosing(&f, &mut defs);
        assert_eq!(defs, vec![0, 2, 3, 4, 5]);
    }

    #[test]
    fn top_level_definitions_stand_alone() {
        let f = file(&[(1, 0), (2, 0)]);
        let mut defs = vec![1];
        add_enclosing(&f, &mut defs);
        assert_eq!(defs, vec![1]);
    }

    fn repo() -> (tempfile::TempDir, RepoIndex) {
        crate::context::testutil::index_of(&[
            (
                "src/main.rs",
                "mod store;\nfn main() {\n    let s = store::OrderStore::open();\n    s.save_order(1);\n}\n",
            ),
            (
                "src/store.rs",
                "pub struct OrderStore;\n\nimpl OrderStore {\n    pub fn open() -> Self {\n        OrderStore\n    }\n\n    pub fn save_order(&self, id: u64) {\n        let _ = id;\n    }\n\n    fn vacuum(&self) {}\n}\n",
            ),
            (
                "src/report.rs",
                "pub fn render_report() -> String {\n    String::new()\n}\n",
            ),
            ("docs/guide.md", "# Guide\n"),
        ])
    }

    #[test]
    fn outline_of_a_small_repository() {
        let (_dir, index) = repo();
        let focus = Focus {
            chat_files: vec!["src/main.rs".into()],
            ..Focus::default()
        };
        assert_eq!(
            render_map(&index, &focus, 1000),
            "\
src/store.rs
  1: pub struct OrderStore;
  3: impl OrderStore
  4:   pub fn open() -> Self
  8:   pub fn save_order(&self, id: u64)
  12:   fn vacuum(&self)
docs/guide.md
src/report.rs
  1: pub fn render_report() -> String
"
        );
    }

    #[test]
    fn every_budget_is_respected() {
        let (_dir, index) = repo();
        let focus = Focus::default();
        let full = render_map(&index, &focus, 10_000);
        for budget in 0..estimate_tokens(&full) + 5 {
            let map = render_map(&index, &focus, budget);
            assert!(estimate_tokens(&map) <= budget, "budget {budget}: {map}");
        }
        assert_eq!(render_map(&index, &focus, 0), "");
    }

    #[test]
    fn small_budgets_keep_the_most_used_definitions_and_count_the_rest() {
        let (_dir, index) = repo();
        let focus = Focus {
            chat_files: vec!["src/main.rs".into()],
            ..Focus::default()
        };
        let map = render_map(&index, &focus, 25);
        assert!(map.starts_with("src/store.rs\n"), "{map}");
        assert!(map.contains("  1: pub struct OrderStore;\n"), "{map}");
        assert!(!map.contains("vacuum"), "{map}");
        assert!(map.ends_with(" more files\n"), "{map}");
    }

    #[test]
    fn mentioned_identifiers_come_first() {
        let (_dir, index) = repo();
        let focus = Focus {
            mentioned_idents: vec!["render_report".into()],
            ..Focus::default()
        };
        let map = render_map(&index, &focus, 20);
        assert!(
            map.starts_with("src/report.rs\n  1: pub fn render_report() -> String\n"),
            "{map}"
        );
    }
}
