//! The parsing half of an index build: reading and parsing files on worker threads, interning
//! their names, and dropping names no file uses any more.
//!
//! Owns no state between builds and never touches the cache or the graph. Invariant: every name
//! id in the files it hands back indexes the interner it was given.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::context::index::{Definition, IndexedFile, Interner, NameId, Progress};
use crate::context::lang::Language;
use crate::context::scan::{self, Candidate, ScanOptions, SkipReason};
use crate::context::symbols::{Extractor, FileSymbols};

/// Where each candidate stands while the index is assembled.
pub(crate) enum Slot {
    Pending,
    File(IndexedFile),
    Skipped(SkipReason),
}

pub(super) enum Parsed {
    File {
        language: Option<Language>,
        symbols: FileSymbols,
    },
    Skipped(SkipReason),
}

/// Parsed files a worker hands over at a time. One message per file woke the interning thread
/// ten thousand times on a large repository, and on two cores those wake-ups and context
/// switches cost about a tenth of a cold build; batches keep interning overlapped with parsing
/// without the churn.
const BATCH: usize = 32;

/// Reads and parses the candidates at `which` on the configured number of threads, handing each
/// result to `sink` (with its position in `which`) on the calling thread as soon as it is ready,
/// so interning overlaps with parsing.
pub(super) fn parse_all(
    root: &Path,
    candidates: &[Candidate],
    which: &[usize],
    opts: &ScanOptions,
    progress: &Progress,
    mut sink: impl FnMut(usize, Parsed),
) {
    let next = AtomicUsize::new(0);
    let threads = opts.thread_count().min(which.len()).max(1);
    let (tx, rx) = std::sync::mpsc::channel::<Vec<(usize, Parsed)>>();
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let tx = tx.clone();
                let next = &next;
                s.spawn(move || {
                    let mut extractor = Extractor::new();
                    let mut batch = Vec::with_capacity(BATCH);
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = which.get(k) else { break };
                        let parsed = parse_one(root, &candidates[i], opts, &mut extractor);
                        progress.done.fetch_add(1, Ordering::Relaxed);
                        batch.push((k, parsed));
                        if batch.len() == BATCH
                            && tx
                                .send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                                .is_err()
                        {
                            return;
                        }
                    }
                    let _ = tx.send(batch);
                })
            })
            .collect();
        drop(tx);
        for (k, parsed) in rx.into_iter().flatten() {
            sink(k, parsed);
        }
        for w in workers {
            let _ = w.join();
        }
    });
}

fn parse_one(
    root: &Path,
    cand: &Candidate,
    opts: &ScanOptions,
    extractor: &mut Extractor,
) -> Parsed {
    let Ok(bytes) = std::fs::read(root.join(&cand.path)) else {
        return Parsed::Skipped(SkipReason::Unreadable);
    };
    if let Some(reason) = scan::content_verdict(&bytes, opts)
        && !(cand.explicit && reason != SkipReason::Binary)
    {
        return Parsed::Skipped(reason);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    let language = Language::from_path(&cand.path).map(|lang| {
        if lang == Language::C && cand.path.ends_with(".h") {
            Language::for_header(&text)
        } else {
            lang
        }
    });
    let symbols = match language {
        // A file the grammar cannot take still appears by path.
        Some(lang) => extractor.extract(lang, &text).unwrap_or_default(),
        None => FileSymbols::default(),
    };
    Parsed::File { language, symbols }
}

pub(super) fn intern_file(
    names: &mut Interner,
    cand: &Candidate,
    language: Option<Language>,
    symbols: FileSymbols,
) -> IndexedFile {
    let defs = symbols
        .defs
        .into_iter()
        .map(|d| Definition {
            name: names.intern(&d.name),
            kind: d.kind,
            line: d.line,
            depth: d.depth,
            signature: d.signature.into_boxed_str(),
        })
        .collect();
    let mut refs: Vec<(NameId, u32)> = symbols
        .refs
        .iter()
        .map(|(n, c)| (names.intern(n), *c))
        .collect();
    refs.sort_unstable();
    IndexedFile {
        path: cand.path.clone(),
        size: cand.size,
        mtime: cand.mtime,
        language,
        defs,
        refs,
    }
}

/// Drops names no file uses any more (from deleted or changed files) and renumbers the rest.
pub(super) fn compact_names(names: &mut Interner, files: &mut [IndexedFile]) {
    let mut used = vec![false; names.names.len()];
    for f in files.iter() {
        for d in &f.defs {
            used[d.name as usize] = true;
        }
        for (n, _) in &f.refs {
            used[*n as usize] = true;
        }
    }
    if used.iter().all(|u| *u) {
        return;
    }
    let mut remap = vec![NameId::MAX; used.len()];
    let mut kept = Vec::with_capacity(used.len());
    for (i, name) in std::mem::take(&mut names.names).into_iter().enumerate() {
        if used[i] {
            remap[i] = kept.len() as NameId;
            kept.push(name);
        }
    }
    for f in files.iter_mut() {
        for d in &mut f.defs {
            d.name = remap[d.name as usize];
        }
        for (n, _) in &mut f.refs {
            *n = remap[*n as usize];
        }
        f.refs.sort_unstable();
    }
    *names = Interner::from_names(kept);
}
