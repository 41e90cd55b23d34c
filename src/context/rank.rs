//! Ranking: which files (and which of their definitions) matter for the conversation right now.
//!
//! A personalised PageRank over the reference graph ([`crate::context::graph`]): the random walk
//! restarts at the chat files, the files the conversation named and the files defining the
//! identifiers it mentioned, so rank flows from what the person is working on to what that code
//! uses. With no focus at all the restart is uniform (plain PageRank: the most used code first).
//! Files named in the conversation are then lifted above all others; recent git changes break
//! ties. Pure over an index: no I/O. Invariant: the ranking is deterministic — equal inputs give
//! byte-equal maps, which the prompt cache depends on.

use std::collections::{HashMap, HashSet};

use crate::context::index::{FileId, RepoIndex};

/// Default map budget when files are in the chat (their content is already there).
pub const DEFAULT_MAP_TOKENS: usize = 2_000;
/// Default map budget with no file in the chat: the map is then the model's only view.
pub const NO_CHAT_MAP_TOKENS: usize = 4_000;

const DAMPING: f64 = 0.85;
const MAX_ITERATIONS: usize = 60;
const TOLERANCE: f64 = 1e-9;

/// What the conversation is about: the input to ranking.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Focus {
    /// Files whose content is in the chat (root-relative or absolute). They seed the ranking and
    /// are left out of the map, since the model already sees them whole.
    pub chat_files: Vec<String>,
    /// Files the conversation named: they seed the ranking and head the map.
    pub mentioned_files: Vec<String>,
    /// Identifiers the conversation mentioned: the files defining them seed the ranking and
    /// their definitions head their file's entry.
    pub mentioned_idents: Vec<String>,
}

impl Focus {
    pub fn new() -> Focus {
        Focus::default()
    }

    /// The default budget for this focus: larger when no file is in the chat.
    pub fn default_budget(&self) -> usize {
        if self.chat_files.is_empty() {
            NO_CHAT_MAP_TOKENS
        } else {
            DEFAULT_MAP_TOKENS
        }
    }

    /// Focus from command-line terms (`hone map src/a.rs src/net parse_config`): a term naming an
    /// indexed file (by path, or by file name when unique) is a chat file, a directory holding
    /// indexed files makes them all mentioned files, anything else is an identifier.
    pub fn from_terms(index: &RepoIndex, terms: &[String]) -> Focus {
        let mut focus = Focus::new();
        let by_name = file_names(index);
        for term in terms {
            if let Some(id) = index.file_id(term) {
                focus.chat_files.push(path_of(index, id));
            } else if let Some([id]) = by_name.get(term.as_str()).map(Vec::as_slice) {
                focus.chat_files.push(path_of(index, *id));
            } else if let Some(under) = files_under(index, term) {
                focus.mentioned_files.extend(under);
            } else {
                focus.mentioned_idents.push(term.clone());
            }
        }
        focus
    }

    /// Adds what a message mentions: paths or unique file names of indexed files, and words that
    /// name a definition somewhere in the index.
    pub fn mention_text(&mut self, index: &RepoIndex, text: &str) {
        let by_name = file_names(index);
        let mut files: HashSet<String> = self.mentioned_files.iter().cloned().collect();
        let mut idents: HashSet<String> = self.mentioned_idents.iter().cloned().collect();
        let is_path_char = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/');
        for word in text.split(|c: char| !is_path_char(c)) {
            let word = word.trim_matches(|c| c == '.' || c == '/' || c == '-');
            if word.is_empty() {
                continue;
            }
            if word.contains('.') || word.contains('/') {
                let id =
                    index
                        .file_id(word)
                        .or_else(|| match by_name.get(word).map(Vec::as_slice) {
                            Some([id]) => Some(*id),
                            _ => None,
                        });
                if let Some(id) = id {
                    let path = path_of(index, id);
                    if files.insert(path.clone()) {
                        self.mentioned_files.push(path);
                    }
                }
            }
            for ident in word.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if ident.len() >= 3
                    && !index.definers(ident).is_empty()
                    && idents.insert(ident.to_string())
                {
                    self.mentioned_idents.push(ident.to_string());
                }
            }
        }
    }
}

/// The indexed files under the directory `dir`, if there are any.
fn files_under(index: &RepoIndex, dir: &str) -> Option<Vec<String>> {
    let prefix = format!("{}/", index.relative(dir)?);
    let files = index.files();
    let first = files.partition_point(|f| f.path < prefix);
    let under: Vec<String> = files[first..]
        .iter()
        .take_while(|f| f.path.starts_with(&prefix))
        .map(|f| f.path.clone())
        .collect();
    (!under.is_empty()).then_some(under)
}

fn file_names(index: &RepoIndex) -> HashMap<&str, Vec<FileId>> {
    let mut by_name: HashMap<&str, Vec<FileId>> = HashMap::new();
    for (i, f) in index.files().iter().enumerate() {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        by_name.entry(name).or_default().push(i as FileId);
    }
    by_name
}

fn path_of(index: &RepoIndex, id: FileId) -> String {
    index.file(id).map(|f| f.path.clone()).unwrap_or_default()
}

/// The files of an index in order of relevance.
#[derive(Debug, Clone)]
pub struct Ranking {
    /// Every file not in the chat, best first, with its score.
    pub order: Vec<(FileId, f64)>,
    /// The PageRank of every file, by file id (chat files included).
    pub(crate) rank: Vec<f64>,
    pub(crate) mentioned_names: HashSet<u32>,
}

impl Ranking {
    /// The ranked paths, best first.
    pub fn paths<'a>(&self, index: &'a RepoIndex) -> Vec<&'a str> {
        self.order
            .iter()
            .filter_map(|(id, _)| index.file(*id).map(|f| f.path.as_str()))
            .collect()
    }
}

/// Ranks the files of `index` for `focus`.
pub fn rank(index: &RepoIndex, focus: &Focus) -> Ranking {
    let n = index.files().len();
    let resolve = |paths: &[String]| -> HashSet<FileId> {
        paths.iter().filter_map(|p| index.file_id(p)).collect()
    };
    let chat = resolve(&focus.chat_files);
    let mentioned = resolve(&focus.mentioned_files);
    let mentioned_names: HashSet<u32> = focus
        .mentioned_idents
        .iter()
        .filter_map(|i| index.name_id(i))
        .collect();

    let mut seed = vec![0f64; n];
    for id in chat.iter().chain(&mentioned) {
        seed[*id as usize] += 1.0;
    }
    for name in &mentioned_names {
        let definers = index.graph.definers(*name);
        for d in definers {
            seed[*d as usize] += 1.0 / definers.len() as f64;
        }
    }
    let rank = pagerank(index, seed);

    let mut order: Vec<(FileId, f64)> = (0..n as FileId)
        .filter(|id| !chat.contains(id))
        .map(|id| {
            let lift = if mentioned.contains(&id) { 1.0 } else { 0.0 };
            (id, rank[id as usize] + lift)
        })
        .collect();
    // Scores are compared at a resolution of a millionth of the mean rank, so that files the
    // walk cannot tell apart fall to the tie-breakers: recent changes, then the path.
    let scale = n.max(1) as f64 * 1e6;
    order.sort_by(|a, b| {
        let qa = (a.1 * scale).round() as i64;
        let qb = (b.1 * scale).round() as i64;
        qb.cmp(&qa)
            .then_with(|| index.recency(b.0).total_cmp(&index.recency(a.0)))
            .then_with(|| a.0.cmp(&b.0))
    });
    Ranking {
        order,
        rank,
        mentioned_names,
    }
}

/// Power iteration of PageRank with restart distribution `seed` (uniform when all zero).
fn pagerank(index: &RepoIndex, mut seed: Vec<f64>) -> Vec<f64> {
    let n = seed.len();
    if n == 0 {
        return seed;
    }
    let total: f64 = seed.iter().sum();
    if total <= 0.0 {
        seed.iter_mut().for_each(|s| *s = 1.0 / n as f64);
    } else {
        seed.iter_mut().for_each(|s| *s /= total);
    }
    let graph = &index.graph;
    let dangling: Vec<bool> = (0..n as FileId)
        .map(|id| graph.out_edges(id).next().is_none())
        .collect();
    let mut rank = seed.clone();
    let mut next = vec![0f64; n];
    for _ in 0..MAX_ITERATIONS {
        let lost: f64 = rank
            .iter()
            .zip(&dangling)
            .filter(|(_, d)| **d)
            .map(|(r, _)| r)
            .sum();
        for (i, slot) in next.iter_mut().enumerate() {
            *slot = (1.0 - DAMPING + DAMPING * lost) * seed[i];
        }
        for (src, r) in rank.iter().enumerate() {
            if *r == 0.0 {
                continue;
            }
            for (dst, w) in graph.out_edges(src as FileId) {
                next[dst as usize] += DAMPING * r * f64::from(w);
            }
        }
        let delta: f64 = rank.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut rank, &mut next);
        if delta < TOLERANCE {
            break;
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::ScanOptions;
    use crate::context::testutil::{index_of, opts, write};

    fn repo() -> (tempfile::TempDir, RepoIndex) {
        index_of(&[
            (
                "app/main.py",
                "from config import load_settings\n\ndef run():\n    cfg = load_settings('x')\n    return cfg\n",
            ),
            (
                "app/config.py",
                "def load_settings(path):\n    return {'path': path}\n",
            ),
            (
                "app/unrelated.py",
                "def render_chart(data):\n    return data\n",
            ),
            (
                "app/other.py",
                "def compute_totals(rows):\n    return sum(rows)\n",
            ),
            ("README.md", "# demo\n"),
        ])
    }

    fn position(index: &RepoIndex, r: &Ranking, path: &str) -> usize {
        r.paths(index)
            .iter()
            .position(|p| *p == path)
            .unwrap_or_else(|| panic!("{path} not ranked"))
    }

    #[test]
    fn the_file_defining_what_the_chat_file_uses_ranks_above_unrelated_ones() {
        let (_dir, index) = repo();
        let focus = Focus {
            chat_files: vec!["app/main.py".into()],
            ..Focus::default()
        };
        let r = rank(&index, &focus);
        assert_eq!(r.paths(&index)[0], "app/config.py");
        assert!(position(&index, &r, "app/config.py") < position(&index, &r, "app/unrelated.py"));
        assert!(
            !r.paths(&index).contains(&"app/main.py"),
            "chat files are not ranked"
        );
    }

    #[test]
    fn mentioned_identifiers_and_files_lead() {
        let (_dir, index) = repo();
        let by_ident = rank(
            &index,
            &Focus {
                mentioned_idents: vec!["render_chart".into()],
                ..Focus::default()
            },
        );
        assert_eq!(by_ident.paths(&index)[0], "app/unrelated.py");
        let by_file = rank(
            &index,
            &Focus {
                mentioned_files: vec!["app/other.py".into()],
                ..Focus::default()
            },
        );
        assert_eq!(by_file.paths(&index)[0], "app/other.py");
    }

    #[test]
    fn without_focus_the_most_used_file_leads() {
        let (_dir, index) = repo();
        let r = rank(&index, &Focus::default());
        assert_eq!(r.paths(&index)[0], "app/config.py");
        assert_eq!(r.order.len(), 5);
    }

    #[test]
    fn recent_git_changes_break_ties() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a.py", "def alpha_one():\n    pass\n");
        write(root, "b.py", "def beta_two():\n    pass\n");
        let git = |args: &[&str]| {
            let ok = std::process::Command::new("git")
                .current_dir(root)
                .args([
                    "-c",
                    "user.name=t",
                    "-c",
                    "user.email=t@t",
                    "-c",
                    "commit.gpgsign=false",
                ])
                .args(args)
                .output()
                .unwrap()
                .status
                .success();
            assert!(ok, "git {args:?}");
        };
        git(&["init", "-q"]);
        git(&["add", "a.py"]);
        git(&["commit", "-q", "-m", "a"]);
        git(&["add", "b.py"]);
        git(&["commit", "-q", "-m", "b"]);
        let no_git = RepoIndex::build(root, &opts()).unwrap();
        assert_eq!(
            rank(&no_git, &Focus::default()).paths(&no_git),
            ["a.py", "b.py"]
        );
        let index = RepoIndex::build(
            root,
            &ScanOptions {
                git_recency: true,
                ..opts()
            },
        )
        .unwrap();
        assert!(index.stats().git_recency);
        assert_eq!(
            rank(&index, &Focus::default()).paths(&index),
            ["b.py", "a.py"]
        );
    }

    #[test]
    fn terms_split_into_files_and_identifiers() {
        let (_dir, index) = repo();
        let terms: Vec<String> = [
            "app/main.py",
            "config.py",
            "load_settings",
            "nothing_here",
            "app/",
        ]
        .map(String::from)
        .into();
        let focus = Focus::from_terms(&index, &terms);
        assert_eq!(focus.chat_files, ["app/main.py", "app/config.py"]);
        assert_eq!(focus.mentioned_idents, ["load_settings", "nothing_here"]);
        assert_eq!(
            focus.mentioned_files,
            [
                "app/config.py",
                "app/main.py",
                "app/other.py",
                "app/unrelated.py"
            ]
        );
        assert_eq!(focus.default_budget(), DEFAULT_MAP_TOKENS);
        assert_eq!(Focus::default().default_budget(), NO_CHAT_MAP_TOKENS);
    }

    #[test]
    fn mentions_in_text_find_files_and_defined_names() {
        let (_dir, index) = repo();
        let mut focus = Focus::new();
        focus.mention_text(
            &index,
            "Why does `render_chart` break in app/other.py? See unrelated.py, and foo.",
        );
        assert_eq!(focus.mentioned_files, ["app/other.py", "app/unrelated.py"]);
        assert_eq!(focus.mentioned_idents, ["render_chart"]);
        focus.mention_text(&index, "render_chart again");
        assert_eq!(focus.mentioned_idents, ["render_chart"]);
    }

    #[test]
    fn ranking_is_deterministic() {
        let (_dir, index) = repo();
        let focus = Focus {
            chat_files: vec!["app/main.py".into()],
            ..Focus::default()
        };
        assert_eq!(rank(&index, &focus).order, rank(&index, &focus).order);
    }
}
