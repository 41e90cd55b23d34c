//! The reference graph: file A links to file B for each name A uses that B defines.
//!
//! Built once per index (it does not depend on the conversation) in compressed sparse rows:
//! per name, the files defining it; per file, its out-edges merged by target with weights
//! normalised to sum to one; per name, the files referring to it with the share of their weight
//! that name carries (to score single definitions after ranking). Must not know about focus or
//! budgets. Invariant: no self-edges, every weight finite and positive, every id in range.
//!
//! Edge weights follow Aider's repo map, which showed what works: a name counts √(uses), a name
//! defined in more than five files (`new`, `get`, `init`) a tenth, a private `_name` a tenth, and
//! a long distinctive name (snake_case or camelCase, eight characters or more) three times; a
//! use of a name defined in k files gives each of them 1/k. Unlike Aider, a name defined in more
//! than [`MAX_DEFINERS`] files links nothing, which keeps the edge count linear in the repository.

use crate::context::index::{FileId, IndexedFile, NameId};

/// A name defined in more files than this links nothing. Which of 3,000 `total` methods a use of
/// `total` means cannot be told from the name, and linking them all would cost users × definers
/// edges — quadratic in the size of the repository.
pub(crate) const MAX_DEFINERS: usize = 32;

#[derive(Debug, Default)]
pub(crate) struct Graph {
    def_offsets: Vec<u32>,
    def_files: Vec<FileId>,
    out_offsets: Vec<u32>,
    out_dst: Vec<FileId>,
    out_w: Vec<f32>,
    ref_offsets: Vec<u32>,
    ref_src: Vec<FileId>,
    ref_w: Vec<f32>,
}

impl Graph {
    pub fn build(files: &[IndexedFile], names: &[Box<str>]) -> Graph {
        let (def_offsets, def_files) = definers_by_name(files, names.len());
        let name_weight: Vec<f32> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let definers = (def_offsets[i + 1] - def_offsets[i]) as usize;
                weight_of_name(n, definers)
            })
            .collect();
        let out = OutEdges::build(files, (&def_offsets, &def_files), &name_weight);
        let (ref_offsets, refs) = csr(names.len(), out.refs);
        let (ref_src, ref_w) = refs.into_iter().unzip();
        Graph {
            def_offsets,
            def_files,
            out_offsets: out.offsets,
            out_dst: out.dst,
            out_w: out.w,
            ref_offsets,
            ref_src,
            ref_w,
        }
    }

    /// The files defining `name`, sorted.
    pub fn definers(&self, name: NameId) -> &[FileId] {
        if (name as usize) + 1 >= self.def_offsets.len() {
            return &[];
        }
        slice(&self.def_offsets, &self.def_files, name as usize)
    }

    /// `src`'s out-edges as (target, normalised weight).
    pub fn out_edges(&self, src: FileId) -> impl Iterator<Item = (FileId, f32)> + '_ {
        let (a, b) = bounds(&self.out_offsets, src as usize);
        self.out_dst[a..b]
            .iter()
            .copied()
            .zip(self.out_w[a..b].iter().copied())
    }

    /// The files using `name`, each with the share of its out-weight that goes to `name`.
    pub fn referrers(&self, name: NameId) -> impl Iterator<Item = (FileId, f32)> + '_ {
        let (a, b) = bounds(&self.ref_offsets, name as usize);
        self.ref_src[a..b]
            .iter()
            .copied()
            .zip(self.ref_w[a..b].iter().copied())
    }
}

/// Per name, the files defining it (each file once per name), in compressed rows.
fn definers_by_name(files: &[IndexedFile], n_names: usize) -> (Vec<u32>, Vec<FileId>) {
    let mut pairs: Vec<(NameId, FileId)> = Vec::new();
    for (fid, f) in files.iter().enumerate() {
        let start = pairs.len();
        pairs.extend(
            f.defs
                .iter()
                .filter(|d| d.kind.defines_name())
                .map(|d| (d.name, fid as FileId)),
        );
        pairs[start..].sort_unstable();
        let mut tail = pairs.split_off(start);
        tail.dedup();
        pairs.extend(tail);
    }
    csr(n_names, pairs)
}

/// The out-edges in compressed rows, built file by file, and the references behind them as
/// (name, (file, share of the file's weight)).
#[derive(Default)]
struct OutEdges {
    offsets: Vec<u32>,
    dst: Vec<FileId>,
    w: Vec<f32>,
    refs: Vec<(NameId, (FileId, f32))>,
    /// The current file's edges before they are merged by target.
    scratch: Vec<(FileId, f32)>,
}

impl OutEdges {
    /// Every file's out-edges, given the definers of each name (offsets and files) and each
    /// name's weight.
    fn build(
        files: &[IndexedFile],
        definers: (&[u32], &[FileId]),
        name_weight: &[f32],
    ) -> OutEdges {
        let mut out = OutEdges {
            offsets: Vec::with_capacity(files.len() + 1),
            ..OutEdges::default()
        };
        out.offsets.push(0u32);
        for (fid, f) in files.iter().enumerate() {
            out.add_file(fid as FileId, f, definers, name_weight);
            out.offsets.push(out.dst.len() as u32);
        }
        out
    }

    /// `src`'s edges: each name it uses sends √(uses) × the name's weight, split among the other
    /// files defining it (none for a name defined only by `src` or by too many files).
    fn add_file(
        &mut self,
        src: FileId,
        f: &IndexedFile,
        (def_offsets, def_files): (&[u32], &[FileId]),
        name_weight: &[f32],
    ) {
        self.scratch.clear();
        let first_ref = self.refs.len();
        let mut total = 0f32;
        for (name, count) in &f.refs {
            let definers = slice(def_offsets, def_files, *name as usize);
            let own = definers.binary_search(&src).is_ok();
            let others = definers.len() - usize::from(own);
            if others == 0 || definers.len() > MAX_DEFINERS {
                continue;
            }
            let w = name_weight[*name as usize] * (*count as f32).sqrt();
            if w <= 0.0 || !w.is_finite() {
                continue;
            }
            total += w;
            self.refs.push((*name, (src, w)));
            let share = w / others as f32;
            self.scratch
                .extend(definers.iter().filter(|d| **d != src).map(|d| (*d, share)));
        }
        if total > 0.0 {
            for t in &mut self.refs[first_ref..] {
                t.1.1 /= total;
            }
            self.merge(total);
        }
    }

    /// Appends the current file's edges summed by target, normalised by `total`.
    fn merge(&mut self, total: f32) {
        self.scratch.sort_unstable_by_key(|e| e.0);
        let edges = &self.scratch;
        let mut i = 0;
        while i < edges.len() {
            let dst = edges[i].0;
            let mut w = 0f32;
            while i < edges.len() && edges[i].0 == dst {
                w += edges[i].1;
                i += 1;
            }
            self.dst.push(dst);
            self.w.push(w / total);
        }
    }
}

fn bounds(offsets: &[u32], i: usize) -> (usize, usize) {
    match (offsets.get(i), offsets.get(i + 1)) {
        (Some(a), Some(b)) => (*a as usize, *b as usize),
        _ => (0, 0),
    }
}

fn slice<'a, T>(offsets: &[u32], items: &'a [T], i: usize) -> &'a [T] {
    let (a, b) = bounds(offsets, i);
    &items[a..b]
}

/// Groups `(key, value)` pairs by key into offsets (`n + 1` of them) and values, keeping the
/// pairs' order within each key.
fn csr<T>(n: usize, pairs: Vec<(u32, T)>) -> (Vec<u32>, Vec<T>) {
    let mut offsets = vec![0u32; n + 1];
    for (k, _) in &pairs {
        offsets[*k as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut next: Vec<u32> = offsets[..n].to_vec();
    let mut slots: Vec<Option<T>> = std::iter::repeat_with(|| None).take(pairs.len()).collect();
    for (k, v) in pairs {
        let at = &mut next[k as usize];
        slots[*at as usize] = Some(v);
        *at += 1;
    }
    (offsets, slots.into_iter().flatten().collect())
}

/// How much one use of `name` counts (see the module docs).
pub(crate) fn weight_of_name(name: &str, definers: usize) -> f32 {
    let mut w = 1.0;
    if definers > 5 {
        w *= 0.1;
    }
    if name.starts_with('_') {
        w *= 0.1;
    }
    let snake = name.contains('_') && name.chars().any(|c| c.is_ascii_alphabetic());
    let camel = name.chars().skip(1).any(|c| c.is_ascii_uppercase())
        && name.chars().any(|c| c.is_ascii_lowercase());
    if name.len() >= 8 && (snake || camel) && !name.starts_with('_') {
        w *= 3.0;
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::index::Definition;
    use crate::context::scan::Mtime;
    use crate::context::symbols::SymbolKind;

    fn file(path: &str, defs: &[NameId], refs: &[(NameId, u32)]) -> IndexedFile {
        IndexedFile {
            path: path.into(),
            size: 0,
            mtime: Mtime::default(),
            language: None,
            defs: defs
                .iter()
                .map(|n| Definition {
                    name: *n,
                    kind: SymbolKind::Function,
                    line: 1,
                    depth: 0,
                    signature: "".into(),
                })
                .collect(),
            refs: refs.to_vec(),
        }
    }

    #[test]
    fn edges_go_from_user_to_definer_and_are_normalised() {
        let names: Vec<Box<str>> = vec!["parse_config".into(), "helper".into(), "unused".into()];
        let files = vec![
            file("main.rs", &[], &[(0, 4), (1, 1), (2, 1)]),
            file("config.rs", &[0], &[]),
            file("util.rs", &[1], &[(1, 3)]),
        ];
        let g = Graph::build(&files, &names);
        assert_eq!(g.definers(0), &[1]);
        let out: Vec<_> = g.out_edges(0).collect();
        assert_eq!(out.len(), 2);
        let sum: f32 = out.iter().map(|e| e.1).sum();
        assert!((sum - 1.0).abs() < 1e-5);
        // parse_config: distinctive and used 4 times, so it outweighs helper.
        assert!(out[0].0 == 1 && out[0].1 > out[1].1);
        // util.rs only uses its own name: no self edge.
        assert_eq!(g.out_edges(2).count(), 0);
        let refs: Vec<_> = g.referrers(0).collect();
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].0, 0);
    }

    #[test]
    fn names_defined_everywhere_link_nothing() {
        let names: Vec<Box<str>> = vec!["total".into(), "rare_name".into()];
        let mut files: Vec<IndexedFile> = (0..=MAX_DEFINERS)
            .map(|i| file(&format!("d{i}.rs"), &[0], &[]))
            .collect();
        files.push(file("rare.rs", &[1], &[]));
        files.push(file("user.rs", &[], &[(0, 1), (1, 1)]));
        let g = Graph::build(&files, &names);
        assert_eq!(g.definers(0).len(), MAX_DEFINERS + 1);
        let out: Vec<_> = g.out_edges(files.len() as FileId - 1).collect();
        assert_eq!(out, [(MAX_DEFINERS as FileId + 1, 1.0)]);
    }

    #[test]
    fn common_and_private_names_weigh_less() {
        assert!(weight_of_name("new", 20) < weight_of_name("new", 1));
        assert!(weight_of_name("_hidden", 1) < weight_of_name("hidden", 1));
        assert!(weight_of_name("render_map", 1) > weight_of_name("render", 1));
        assert!(weight_of_name("RepoIndex", 1) > weight_of_name("Index", 1));
    }

    #[test]
    fn csr_groups_by_key_in_order() {
        let (off, vals) = csr(3, vec![(2, 'a'), (0, 'b'), (2, 'c')]);
        assert_eq!(off, vec![0, 1, 1, 3]);
        assert_eq!(vals, vec!['b', 'a', 'c']);
    }
}
