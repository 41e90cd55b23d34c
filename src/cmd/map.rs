//! `hone map [--tokens N] [FOCUS…]`: prints the repository map exactly as the model would see it.
//!
//! A front end over [`crate::context`]: builds (or refreshes from the cache) the workspace index,
//! ranks it for the focus terms and prints the rendered map to stdout, plain. With `-v`, the
//! index statistics and timings go to stderr. Needs no provider, key or network.

#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;

use crate::cli::GlobalArgs;
use crate::context::{Focus, RepoIndex, ScanOptions, estimate_tokens, rank, render_ranking};
use crate::exit::{Exit, Failure};

/// Print the repository map as the model sees it.
///
/// Each FOCUS term that names a file (a path, or a unique file name) is treated as a file in the
/// chat: it steers the ranking and is left out of the map, since the model would see it whole.
/// Any other term is an identifier to focus on.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Token budget for the map (default: 2000 when FOCUS names a file, 4000 otherwise).
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub tokens: Option<usize>,

    /// Files to treat as in the chat, or identifiers to focus on.
    #[arg(value_name = "FOCUS")]
    pub focus: Vec<String>,
}

/// Runs `hone map`.
pub fn run(global: &GlobalArgs, args: &Args) -> Result<Exit, Failure> {
    let root = workspace(global)?;
    let index = RepoIndex::build(&root, &ScanOptions::default()).map_err(|e| {
        Failure::new(
            Exit::Failed,
            anyhow::Error::new(e).context("could not index the workspace"),
        )
    })?;
    let terms: Vec<String> = args.focus.iter().map(|t| resolve_term(&root, t)).collect();
    for (term, resolved) in args.focus.iter().zip(&terms) {
        // A term written like a path that names no file is most likely a typo.
        if term == resolved && term.contains(['/', '.']) && !term.starts_with('.') {
            eprintln!(
                "hone: {term} is not a file in {}; it is treated as a name to focus on",
                root.display()
            );
        }
    }
    let focus = Focus::from_terms(&index, &terms);
    let budget = args.tokens.unwrap_or_else(|| focus.default_budget());

    let started = Instant::now();
    let ranking = rank(&index, &focus);
    let map = render_ranking(&index, &ranking, budget);
    let render_time = started.elapsed();

    if global.verbose {
        let s = index.stats();
        let skipped: Vec<String> = s
            .skipped
            .iter()
            .map(|(r, n)| format!("{} {n}", r.label()))
            .collect();
        eprintln!(
            "hone: indexed {} files in {} ms ({} parsed, {} from cache; cache {}; git recency {})",
            s.files,
            s.elapsed.as_millis(),
            s.parsed,
            s.reused,
            s.cache.label(),
            if s.git_recency { "on" } else { "off" },
        );
        let t = s.timings;
        eprintln!(
            "hone: walk {} ms, cache load {} ms, parse {} ms, graph {} ms, cache write {} ms",
            t.walk.as_millis(),
            t.cache_load.as_millis(),
            t.parse.as_millis(),
            t.graph.as_millis(),
            t.save.as_millis()
        );
        if !skipped.is_empty() {
            eprintln!("hone: skipped: {}", skipped.join(", "));
        }
        eprintln!(
            "hone: map of {} tokens (budget {budget}) ranked and rendered in {:.1} ms",
            estimate_tokens(&map),
            render_time.as_secs_f64() * 1000.0
        );
    }
    if map.is_empty() {
        eprintln!("hone: nothing to map in {}", root.display());
        return Ok(Exit::Success);
    }
    super::common::print(&map)?;
    Ok(Exit::Success)
}

/// The workspace, checked as every command checks `-C`, as a canonical path (the index keys
/// files by it).
fn workspace(global: &GlobalArgs) -> Result<PathBuf, Failure> {
    let dir = super::common::workspace_root(global)?;
    dir.canonicalize()
        .with_context(|| format!("cannot open the workspace {}", dir.display()))
        .map_err(|e| Failure::new(Exit::Usage, e))
}

/// A term naming an existing file or directory becomes its canonical path, so that `./src/a.rs`
/// and an absolute path through a symlink both match the index; anything else stays as given.
fn resolve_term(root: &Path, term: &str) -> String {
    let p = Path::new(term);
    let candidate = if p.is_absolute() {
        p.to_path_buf()
    } else {
        root.join(p)
    };
    match candidate.canonicalize() {
        Ok(full) => full.to_string_lossy().into_owned(),
        _ => term.to_string(),
    }
}
