//! Repository context: what the model is told about the workspace besides the conversation — a
//! ranked map of the code and the project's own instructions.
//!
//! Owns the scan ([`scan`], its skip rules in [`filter`]), symbol extraction ([`symbols`],
//! tree-sitter grammars in [`lang`]), the index, its persisted cache and its background build
//! ([`index`], [`cache`], [`handle`]), recent git changes ([`git`]), the reference graph and
//! ranking ([`graph`], [`rank`]), rendering within a token budget ([`render`]), `AGENTS.md`
//! loading ([`instructions`]) and the files a person names to go with a request ([`attach`]). It
//! must not talk to the model, print, or assemble prompts (that is the agent's job: this module
//! hands it strings), and it never changes what an earlier request already sent: an index is
//! immutable, a refresh is a new index, and rendering is deterministic.
//!
//! # How a map is made
//! 1. **Scan.** `ignore`'s parallel walker lists the files that may enter the context
//!    ([`scan::scan`]), honouring `.gitignore`, `.ignore`, git's global and per-repository
//!    excludes and `.honeignore`, and skipping secret-looking files, lock files, generated and
//!    minified files, vendored directories, binaries and oversized files ([`ScanOptions`]).
//! 2. **Index.** Each file whose size and mtime match the cache is taken as is; the rest are read
//!    and parsed in parallel ([`RepoIndex::build`]): definitions (kind, name, signature line,
//!    line number, nesting) and the identifiers each file references. Files in languages without
//!    a grammar are kept by path only.
//! 3. **Graph.** File A links to file B for every name A uses that B defines, weighted as Aider's
//!    repo map weights them.
//! 4. **Rank.** Personalised PageRank seeded by the chat files, the files and identifiers the
//!    conversation mentions ([`Focus`]); mentioned files first; recent git commits break ties.
//! 5. **Render.** The best files and definitions as an outline that fits the budget
//!    ([`render_map`]), measured with [`estimate_tokens`].
//!
//! # Not waiting for the index
//! [`RepoIndex::spawn_build`] runs steps 1–3 on a background thread and returns an
//! [`IndexHandle`] at once. The agent starts it when the session starts. For the first request
//! it waits a bounded time ([`IndexHandle::wait_timeout`], e.g. 250 ms — a warm start on 10,000
//! files takes well under that). If the index is ready, the map goes into the request in its
//! place in the prefix; if not, the request goes without a map, and when
//! [`IndexHandle::try_get`] later yields the index, the map is appended as a new message — the
//! prefix already sent is never rewritten. After edits, another `spawn_build` is a cheap refresh
//! (only changed files are parsed), and a changed map is again appended, not substituted.
//!
//! # Token estimate
//! [`estimate_tokens`] counts one token per [`CHARS_PER_TOKEN`] characters (3.5, rounded up): BPE
//! tokenizers such as DeepSeek's and OpenAI's average close to 4 characters per token on English
//! and 3–3.5 on source code, so 3.5 errs towards overestimating code, which keeps a map within
//! its budget.

pub mod attach;
pub mod cache;
pub mod filter;
pub mod git;
pub mod graph;
pub mod handle;
pub mod index;
pub mod instructions;
pub mod lang;
pub mod rank;
pub mod render;
pub mod scan;
pub mod symbols;

use std::path::PathBuf;

pub use handle::IndexHandle;
pub use index::{BuildTimings, Definition, FileId, IndexStats, IndexedFile, NameId, RepoIndex};
pub use instructions::{InstructionFile, Instructions, load_instructions};
pub use lang::Language;
pub use rank::{DEFAULT_MAP_TOKENS, Focus, NO_CHAT_MAP_TOKENS, Ranking, rank};
pub use render::{render_map, render_ranking};
pub use scan::{CacheLocation, ScanOptions, SkipReason, is_secret_path};
pub use symbols::SymbolKind;

/// Characters per token assumed by [`estimate_tokens`] (see the module docs).
pub const CHARS_PER_TOKEN: f64 = 3.5;

/// An estimate of how many tokens `s` costs: its characters divided by [`CHARS_PER_TOKEN`],
/// rounded up.
pub fn estimate_tokens(s: &str) -> usize {
    tokens_for_chars(s.chars().count())
}

/// [`estimate_tokens`] for a text of `chars` characters: the one estimate hone uses, for the
/// map's budget, `/tokens` and when to compact alike.
pub fn tokens_for_chars(chars: usize) -> usize {
    // chars / 3.5 == chars * 2 / 7, in integers.
    (chars * 2).div_ceil(7)
}

/// Why the index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("cannot open the workspace {path}")]
    Root {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the workspace {path} is not a directory")]
    NotADirectory { path: PathBuf },
    #[error("cannot start the indexing thread")]
    Thread {
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the index cache {path}")]
    CacheWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode the index cache: {reason}")]
    CacheEncode { reason: String },
}

/// Helpers for this module's unit tests: a workspace in a temporary directory.
#[cfg(test)]
pub(crate) mod testutil {
    use std::path::Path;

    use super::{CacheLocation, RepoIndex, ScanOptions};

    pub fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Options for tests: no cache, no git, two threads.
    pub fn opts() -> ScanOptions {
        ScanOptions {
            cache: CacheLocation::Off,
            git_recency: false,
            threads: 2,
            ..ScanOptions::default()
        }
    }

    /// A workspace holding `files`, and its index.
    pub fn index_of(files: &[(&str, &str)]) -> (tempfile::TempDir, RepoIndex) {
        let dir = tempfile::tempdir().unwrap();
        for (rel, text) in files {
            write(dir.path(), rel, text);
        }
        let index = RepoIndex::build(dir.path(), &opts()).unwrap();
        (dir, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_characters_over_three_and_a_half_rounded_up() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("a"), 1);
        assert_eq!(estimate_tokens("abcdefg"), 2);
        assert_eq!(estimate_tokens("abcdefgh"), 3);
        assert_eq!(estimate_tokens(&"x".repeat(3500)), 1000);
        // Characters, not bytes.
        assert_eq!(estimate_tokens("ééééééé"), 2);
    }
}
