//! The files of a REPL session: those the person added with `/add` (their content rides with the
//! conversation), the files `@path` mentions attach to one message, and the content each changed
//! file had before the session first touched it (for `/files`). Which files may be sent, and how,
//! is `context::attach`'s, the same as for `hone fix PATHS`.
//!
//! Must not talk to the model or the agent: it hands back texts for the caller to queue. The
//! invariant it keeps for the prefix cache: a file's content is sent again only when it differs
//! from what was last sent, and always as a new note, never by rewriting the earlier one.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash as _, Hasher as _};
use std::path::{Path, PathBuf};

use crate::context::attach::{AttachError, fenced, read_text};
use crate::prompts::{Text, text};

/// The `@path` mentions of a message, in order, without duplicates: an `@` at the start or after
/// whitespace, then the path up to the next whitespace, less trailing punctuation.
pub fn mentions(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev_space = true;
    for (i, c) in text.char_indices() {
        if c == '@' && prev_space {
            let rest = &text[i + 1..];
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let path = rest[..end].trim_end_matches([',', '.', ';', ':', '!', '?', ')', '\'', '"']);
            if !path.is_empty() && !out.iter().any(|p| p == path) {
                out.push(path.to_string());
            }
        }
        prev_space = c.is_whitespace();
    }
    out
}

fn hash(content: &str) -> u64 {
    let mut h = DefaultHasher::new();
    content.hash(&mut h);
    h.finish()
}

/// Files added to the conversation, and the before-images of changed files.
#[derive(Debug, Default)]
pub struct Files {
    root: PathBuf,
    /// Added files: relative path → hash of the content last sent (`None`: not sent yet).
    added: BTreeMap<String, Option<u64>>,
    /// Relative path → content before this session first changed it (`None`: did not exist).
    originals: BTreeMap<String, Option<Vec<u8>>>,
}

impl Files {
    pub fn new(root: &Path) -> Files {
        Files {
            root: root.to_path_buf(),
            ..Files::default()
        }
    }

    /// Adds a file; its content goes with the next message. Returns its relative path, and
    /// whether it looks like it holds secrets (the person is warned, as `hone fix` warns).
    pub fn add(&mut self, arg: &str) -> Result<(String, bool), AttachError> {
        let file = read_text(&self.root, Path::new(arg))?;
        self.added.entry(file.rel.clone()).or_insert(None);
        Ok((file.rel, file.secret))
    }

    /// Stops sending the named files (all, when none is named); returns those dropped.
    pub fn drop(&mut self, args: &[String]) -> Vec<String> {
        if args.is_empty() {
            return std::mem::take(&mut self.added).into_keys().collect();
        }
        let mut dropped = Vec::new();
        for arg in args {
            let rel = arg.trim_start_matches("./").replace('\\', "/");
            if self.added.remove(&rel).is_some() {
                dropped.push(rel);
            }
        }
        dropped
    }

    /// The added files, sorted.
    pub fn added(&self) -> impl Iterator<Item = &str> {
        self.added.keys().map(String::as_str)
    }

    /// Notes for the next message: the content of each added file not sent yet or changed since
    /// it was sent; a deleted file is reported once and dropped.
    pub fn refresh(&mut self) -> Vec<String> {
        let mut notes = Vec::new();
        let mut gone = Vec::new();
        for (rel, sent) in &mut self.added {
            match read_text(&self.root, Path::new(rel)) {
                Ok(file) => {
                    let h = hash(&file.content);
                    if *sent == Some(h) {
                        continue;
                    }
                    let key = if sent.is_none() {
                        Text::FileAdded
                    } else {
                        Text::FileChanged
                    };
                    notes.push(format!(
                        "{}\n{}",
                        text(key, &[("path", rel)]),
                        fenced(rel, &file.content)
                    ));
                    *sent = Some(h);
                }
                Err(_) => {
                    notes.push(text(Text::FileDeleted, &[("path", rel)]));
                    gone.push(rel.clone());
                }
            }
        }
        for rel in gone {
            self.added.remove(&rel);
        }
        notes
    }

    /// Forgets what was sent (a new conversation starts): every added file goes again.
    pub fn mark_unsent(&mut self) {
        for sent in self.added.values_mut() {
            *sent = None;
        }
    }

    /// Records a file's content before an edit, unless an earlier one is already recorded.
    pub fn note_before(&mut self, rel: &str, before: Option<&[u8]>) {
        self.originals
            .entry(rel.to_string())
            .or_insert_with(|| before.map(<[u8]>::to_vec));
    }

    /// The files this session changed (whose content differs from before the session).
    pub fn changed(&self) -> Vec<String> {
        self.originals
            .iter()
            .filter(|(rel, before)| self.current(rel) != **before)
            .map(|(rel, _)| rel.clone())
            .collect()
    }

    fn current(&self, rel: &str) -> Option<Vec<u8>> {
        std::fs::read(self.root.join(rel)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_at_word_starts_without_trailing_punctuation() {
        assert_eq!(
            mentions("look at @src/a.rs, and @b.py. mail a@b.com @src/a.rs"),
            ["src/a.rs", "b.py"]
        );
        assert_eq!(mentions("@x"), ["x"]);
        assert!(mentions("@ alone, email@host").is_empty());
    }

    #[test]
    fn added_files_are_sent_once_then_again_only_when_changed() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.txt"), "one\n").unwrap();
        let mut files = Files::new(d.path());
        assert_eq!(files.add("./a.txt").unwrap(), ("a.txt".to_string(), false));
        let notes = files.refresh();
        assert_eq!(notes.len(), 1);
        assert!(
            notes[0].starts_with("The user added `a.txt`"),
            "{}",
            notes[0]
        );
        assert!(notes[0].ends_with("```\none\n```"));
        assert!(files.refresh().is_empty(), "unchanged: nothing to send");
        std::fs::write(d.path().join("a.txt"), "two\n").unwrap();
        let notes = files.refresh();
        assert!(notes[0].starts_with("`a.txt` changed"), "{}", notes[0]);
        files.mark_unsent();
        assert_eq!(files.refresh().len(), 1);
        std::fs::remove_file(d.path().join("a.txt")).unwrap();
        assert!(files.refresh()[0].contains("no longer exists"));
        assert_eq!(files.added().count(), 0);
        files.add("b").unwrap_err();
    }

    #[test]
    fn drop_names_or_everything() {
        let d = tempfile::tempdir().unwrap();
        for f in ["a", "b", "c"] {
            std::fs::write(d.path().join(f), f).unwrap();
        }
        let mut files = Files::new(d.path());
        for f in ["a", "b", "c"] {
            files.add(f).unwrap();
        }
        assert_eq!(files.drop(&["./b".into(), "zz".into()]), ["b"]);
        assert_eq!(files.drop(&[]), ["a", "c"]);
    }

    #[test]
    fn changed_files_compare_with_the_first_before_image() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a.txt"), "new\n").unwrap();
        std::fs::write(d.path().join("n.txt"), "made\n").unwrap();
        let mut files = Files::new(d.path());
        files.note_before("a.txt", Some(b"old\n"));
        files.note_before("a.txt", Some(b"later\n"));
        files.note_before("n.txt", None);
        files.note_before("same.txt", None);
        assert_eq!(files.changed(), ["a.txt", "n.txt"]);
        files.note_before("b.txt", Some(b"b\n"));
        std::fs::write(d.path().join("b.txt"), "b\n").unwrap();
        assert_eq!(files.changed(), ["a.txt", "n.txt"], "b.txt is as it was");
    }
}
