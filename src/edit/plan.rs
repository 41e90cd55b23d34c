//! Planning a batch: every operation is checked against the jail, located in its file and turned
//! into the file's new bytes, in memory. Nothing is written.
//!
//! Semantics of a batch: operations run in order over a virtual copy of the workspace. Runs of
//! replacements in one file are located against the same text and must not overlap (an overlap
//! is an error naming both edits); a replacement whose old text exists only after the earlier
//! ones of the run is located after applying them. Create, overwrite, delete and rename act on
//! the file as the earlier operations left it.
//!
//! Invariant: a [`Plan`] holds, for each file it changes, the exact bytes read from disk (or
//! their absence), so [`crate::edit::apply`] can refuse a file that changed since.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use super::error::{EditError, OpLabel};
use super::jail::{Resolved, Workspace};
use super::locate::{self, Miss, Query, Rule};
use super::op::{EditOp, ReplaceMode};
use super::text::{self, Eol, FileText, with_eol};
use doc::{Disk, Doc, Pending};

/// What happens to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Create,
    Modify,
    Delete,
    Rename,
}

/// One file's change: its bytes before (None: did not exist) and after (None: deleted).
#[derive(Debug, Clone)]
pub struct FileChange {
    pub(crate) path: String,
    pub(crate) from: Option<String>,
    pub(crate) abs: PathBuf,
    pub(crate) from_abs: Option<PathBuf>,
    pub(crate) kind: ChangeKind,
    pub(crate) before: Option<Vec<u8>>,
    pub(crate) after: Option<Vec<u8>>,
    pub(crate) mode: Option<u32>,
    /// Lines added and removed, computed on first use (the preview, `apply` and its callers
    /// all ask, and the diff behind it is the costly part of a large file's change).
    pub(crate) stats: OnceLock<(usize, usize)>,
}

impl FileChange {
    /// The file's path relative to the workspace (the destination, for a rename).
    pub fn path(&self) -> &str {
        &self.path
    }
    /// For a rename, the source path.
    pub fn from(&self) -> Option<&str> {
        self.from.as_deref()
    }
    pub fn kind(&self) -> ChangeKind {
        self.kind
    }
    /// The bytes on disk when the plan was made (of the source, for a rename).
    pub fn before(&self) -> Option<&[u8]> {
        self.before.as_deref()
    }
    /// The bytes the file will have; None when it is deleted.
    pub fn after(&self) -> Option<&[u8]> {
        self.after.as_deref()
    }
    /// Permission bits the file keeps (None: a new file, created with the default mode).
    pub fn mode(&self) -> Option<u32> {
        self.mode
    }
    /// Whether the file exists with no write permission for anyone: someone marked it as not
    /// to be changed, and only a person's yes (never a policy) writes through that.
    pub fn read_only(&self) -> bool {
        self.kind != ChangeKind::Create && self.mode.is_some_and(|m| m & 0o222 == 0)
    }
}

/// A located, computed batch, ready to preview and apply.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub(crate) files: Vec<FileChange>,
    pub(crate) notes: Vec<String>,
}

impl Plan {
    pub fn files(&self) -> &[FileChange] {
        &self.files
    }
    /// Edits located by a rule other than an exact match, one line each (for the person and
    /// the model to know what was assumed).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
    /// The files of the batch that are read-only ([`FileChange::read_only`]), as shown.
    pub fn read_only(&self) -> Vec<&str> {
        self.files
            .iter()
            .filter(|f| f.read_only())
            .map(|f| f.from.as_deref().unwrap_or(&f.path))
            .collect()
    }
}

struct Node {
    abs: PathBuf,
    display: String,
    disk: Option<Disk>,
    doc: Option<Doc>,
    renamed_from: Option<usize>,
}

struct Batch {
    nodes: Vec<Node>,
    by_path: HashMap<PathBuf, usize>,
    notes: Vec<String>,
}

/// Locates every operation and computes every file's new content; writes nothing.
pub fn plan(ws: &Workspace, ops: &[EditOp]) -> Result<Plan, EditError> {
    let mut b = Batch {
        nodes: Vec::new(),
        by_path: HashMap::new(),
        notes: Vec::new(),
    };
    for (i, op) in ops.iter().enumerate() {
        let label = OpLabel {
            index: i + 1,
            total: ops.len(),
            action: op.action(),
            path: op.path().trim().to_string(),
        };
        b.run(ws, op, &label)?;
    }
    b.finish()
}

impl Batch {
    fn node(&mut self, r: Resolved) -> Result<usize, EditError> {
        if let Some(&i) = self.by_path.get(&r.abs) {
            return Ok(i);
        }
        let (disk, doc) = match read_disk(&r)? {
            Some((bytes, mode)) => {
                let (content, bom) = text::decode(&r.display, bytes)?;
                let content = Arc::new(content);
                let doc = Doc::new(Arc::clone(&content), bom);
                (Some(Disk { content, mode }), Some(doc))
            }
            None => (None, None),
        };
        self.nodes.push(Node {
            abs: r.abs.clone(),
            display: r.display,
            disk,
            doc,
            renamed_from: None,
        });
        let i = self.nodes.len() - 1;
        self.by_path.insert(r.abs, i);
        Ok(i)
    }

    /// Applies one operation to the batch's virtual copy of the workspace.
    fn run(&mut self, ws: &Workspace, op: &EditOp, label: &OpLabel) -> Result<(), EditError> {
        match op {
            EditOp::Replace {
                path,
                old,
                new,
                mode,
                anchor,
            } => {
                let i = self.node(ws.resolve_full(path)?)?;
                let q = Query {
                    old,
                    new,
                    mode: *mode,
                    anchor: anchor.as_deref(),
                };
                self.replace_in(i, &q, label)
            }
            EditOp::Create { path, content } => {
                let i = self.node(ws.resolve_full(path)?)?;
                self.create(i, content, label)
            }
            EditOp::Overwrite { path, content } => {
                let i = self.node(ws.resolve_full(path)?)?;
                set_whole(&mut self.nodes[i], content);
                Ok(())
            }
            EditOp::Delete { path } => {
                let i = self.node(ws.resolve_full(path)?)?;
                let node = &mut self.nodes[i];
                if node.doc.take().is_none() {
                    return Err(EditError::MissingFile {
                        op: label.clone(),
                        path: node.display.clone(),
                    });
                }
                Ok(())
            }
            EditOp::Rename { from, to } => {
                let src = self.node(ws.resolve_full(from)?)?;
                let dst = self.node(ws.resolve_full(to)?)?;
                self.rename(src, dst, label)
            }
        }
    }

    /// Replaces old text by new in node `i`, which must exist; a note when it was located by
    /// a rule other than an exact match.
    fn replace_in(&mut self, i: usize, q: &Query<'_>, label: &OpLabel) -> Result<(), EditError> {
        let display = self.nodes[i].display.clone();
        let Some(doc) = self.nodes[i].doc.as_mut() else {
            return Err(EditError::MissingFile {
                op: label.clone(),
                path: display,
            });
        };
        if let Some(note) = replace(doc, q, label)? {
            self.notes.push(note);
        }
        Ok(())
    }

    /// Gives node `i` the content of a new file; an existing file must be empty.
    fn create(&mut self, i: usize, content: &str, label: &OpLabel) -> Result<(), EditError> {
        let node = &mut self.nodes[i];
        if let Some(doc) = node.doc.as_mut() {
            doc.flush();
            if !doc.body().is_empty() {
                return Err(EditError::AlreadyExists {
                    op: label.clone(),
                    path: node.display.clone(),
                });
            }
        }
        set_whole(node, content);
        Ok(())
    }

    /// Moves node `src`'s content to node `dst`, which must not exist (renaming a file to
    /// itself does nothing).
    fn rename(&mut self, src: usize, dst: usize, label: &OpLabel) -> Result<(), EditError> {
        if src == dst {
            return Ok(());
        }
        if self.nodes[dst].doc.is_some() {
            let path = self.nodes[dst].display.clone();
            return Err(EditError::AlreadyExists {
                op: label.clone(),
                path,
            });
        }
        let Some(mut doc) = self.nodes[src].doc.take() else {
            let path = self.nodes[src].display.clone();
            return Err(EditError::MissingFile {
                op: label.clone(),
                path,
            });
        };
        doc.flush();
        self.nodes[dst].doc = Some(doc);
        self.nodes[dst].renamed_from = Some(src);
        Ok(())
    }

    /// The plan: each file whose content differs from the disk's, as a change with its bytes
    /// before and after.
    fn finish(mut self) -> Result<Plan, EditError> {
        let finals = self.take_finals();
        let paired = self.pair_renames(&finals);
        let changes = self.gather(finals, &paired);
        drop(self.nodes);
        let files = changes
            .into_iter()
            .map(|(mut f, before, after)| {
                f.before = before.map(into_bytes);
                f.after = after.map(into_bytes);
                f
            })
            .collect();
        Ok(Plan {
            files,
            notes: self.notes,
        })
    }

    /// Each node's final content (`None`: it does not exist at the end). Taking the docs drops
    /// their haystacks, so the content each holds is shared only with the disk image it may
    /// still equal.
    fn take_finals(&mut self) -> Vec<Option<Arc<String>>> {
        self.nodes
            .iter_mut()
            .map(|n| {
                n.doc.take().map(|mut d| {
                    d.flush();
                    d.text
                })
            })
            .collect()
    }

    /// New files paired with the file on disk they were renamed from (through any chain of
    /// renames), when that file is gone at the end: a file that moved to a path that did not
    /// exist is one rename, not a delete and a create. Destination node → source node.
    fn pair_renames(&self, finals: &[Option<Arc<String>>]) -> HashMap<usize, usize> {
        let mut paired: HashMap<usize, usize> = HashMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.disk.is_some() || finals[i].is_none() {
                continue;
            }
            let mut origin = n.renamed_from;
            while let Some(o) = origin {
                if self.nodes[o].disk.is_some() {
                    break;
                }
                origin = self.nodes[o].renamed_from;
            }
            if let Some(o) =
                origin.filter(|&o| finals[o].is_none() && !paired.values().any(|&v| v == o))
            {
                paired.insert(i, o);
            }
        }
        paired
    }

    /// The changes, with shared contents: they are turned into bytes once nothing else holds
    /// them, so a content is copied only when two changes need it.
    fn gather(
        &self,
        finals: Vec<Option<Arc<String>>>,
        paired: &HashMap<usize, usize>,
    ) -> Vec<Gathered> {
        let consumed: Vec<usize> = paired.values().copied().collect();
        let mut changes: Vec<Gathered> = Vec::new();
        for (i, (n, after)) in self.nodes.iter().zip(finals).enumerate() {
            if consumed.contains(&i) {
                continue;
            }
            let change = |kind, from: Option<&Node>, mode| FileChange {
                path: n.display.clone(),
                from: from.map(|f| f.display.clone()),
                abs: n.abs.clone(),
                from_abs: from.map(|f| f.abs.clone()),
                kind,
                before: None,
                after: None,
                mode,
                stats: OnceLock::new(),
            };
            let entry = match (&n.disk, after) {
                (None, None) => continue,
                (Some(d), Some(a)) if same(&d.content, &a) => continue,
                (None, Some(a)) => match paired.get(&i).map(|&o| &self.nodes[o]) {
                    Some(src) => (
                        change(
                            ChangeKind::Rename,
                            Some(src),
                            src.disk.as_ref().map(|d| d.mode),
                        ),
                        src.disk.as_ref().map(|d| Arc::clone(&d.content)),
                        Some(a),
                    ),
                    None => (change(ChangeKind::Create, None, None), None, Some(a)),
                },
                (Some(d), after) => {
                    let kind = if after.is_some() {
                        ChangeKind::Modify
                    } else {
                        ChangeKind::Delete
                    };
                    (
                        change(kind, None, Some(d.mode)),
                        Some(Arc::clone(&d.content)),
                        after,
                    )
                }
            };
            changes.push(entry);
        }
        changes
    }
}

/// Gives `node` content a model wrote whole: conformed to the file's byte-order mark and line
/// endings when the file exists.
fn set_whole(node: &mut Node, content: &str) {
    match node.doc.as_mut() {
        Some(doc) => {
            doc.flush();
            let conformed = text::conform(doc.bom > 0, doc.body(), content);
            doc.set(conformed);
        }
        None => node.doc = Some(Doc::from_text(FileText::from_model(content))),
    }
}

/// A change with its contents before and after, still shared.
type Gathered = (FileChange, Option<Arc<String>>, Option<Arc<String>>);

/// Whether two contents are equal, without comparing when they are one.
fn same(a: &Arc<String>, b: &Arc<String>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// The bytes of a shared content, copied only if something else still holds it.
fn into_bytes(content: Arc<String>) -> Vec<u8> {
    Arc::try_unwrap(content)
        .map(String::into_bytes)
        .unwrap_or_else(|shared| shared.as_bytes().to_vec())
}

/// A file's bytes and permission bits, or None if it does not exist.
fn read_disk(r: &Resolved) -> Result<Option<(Vec<u8>, u32)>, EditError> {
    let io = |source| EditError::Io {
        action: "read",
        path: r.display.clone(),
        source,
    };
    let meta = match std::fs::metadata(&r.abs) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    };
    if !meta.is_file() {
        return Err(EditError::NotAFile {
            path: r.display.clone(),
        });
    }
    let bytes = std::fs::read(&r.abs).map_err(io)?;
    Ok(Some((bytes, mode_of(&meta))))
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o7777
}

#[cfg(not(unix))]
fn mode_of(_meta: &std::fs::Metadata) -> u32 {
    0o644
}

/// Locates one replacement in `doc` and records it; returns a note when a tolerant rule was used.
fn replace(doc: &mut Doc, q: &Query<'_>, label: &OpLabel) -> Result<Option<String>, EditError> {
    if q.old.is_empty() {
        append(doc, q.new, label.index);
        return Ok(None);
    }
    let located = locate::locate(doc.haystack(), q);
    let located = match located {
        Ok(l) => l,
        Err(Miss::NotFound { .. }) if !doc.pending.is_empty() => {
            // The old text may be what an earlier edit of this run wrote.
            doc.flush();
            locate::locate(doc.haystack(), q).map_err(|m| miss_error(m, label, q.mode))?
        }
        Err(m) => return Err(miss_error(m, label, q.mode)),
    };
    let hay = doc.haystack();
    for f in &located.found {
        if let Some(p) = doc
            .pending
            .iter()
            .find(|p| p.range.start < f.range.end && f.range.start < p.range.end)
        {
            let first = hay.line_of(f.range.start);
            let last = hay.line_of(f.range.end.saturating_sub(1).max(f.range.start));
            return Err(EditError::Overlap {
                op: label.clone(),
                other: p.op,
                lines: (first, last),
            });
        }
    }
    let note = (located.rule != Rule::Exact).then(|| {
        let lines: Vec<String> = located
            .found
            .iter()
            .map(|f| hay.line_of(f.range.start).to_string())
            .collect();
        let score = located
            .similarity
            .map(|s| format!(", {:.0}% similar", s * 100.0))
            .unwrap_or_default();
        format!(
            "{label}: located {} at line {}{score}",
            located.rule,
            lines.join(", ")
        )
    });
    for f in located.found {
        doc.pending.push(Pending {
            range: f.range,
            replacement: f.replacement,
            op: label.index,
        });
    }
    Ok(note)
}

/// An empty old text: `new` goes at the end of the file. A file without a final newline keeps
/// lacking one, the new lines going after a line break.
fn append(doc: &mut Doc, new: &str, op: usize) {
    let body = doc.body();
    let eol = Eol::detect(body);
    let mut replacement = with_eol(new, eol);
    if !body.is_empty() && !body.ends_with('\n') && !replacement.is_empty() {
        let trimmed = replacement
            .strip_suffix(eol.as_str())
            .unwrap_or(&replacement)
            .to_string();
        replacement = format!("{}{trimmed}", eol.as_str());
    }
    let end = body.len();
    doc.pending.push(Pending {
        range: end..end,
        replacement,
        op,
    });
}

fn miss_error(m: Miss, label: &OpLabel, mode: ReplaceMode) -> EditError {
    let op = label.clone();
    match m {
        Miss::NotFound {
            closest,
            empty_file,
        } => EditError::NotFound {
            op,
            closest,
            empty_file,
        },
        Miss::Ambiguous { rule, lines } => EditError::Ambiguous {
            op,
            count: lines.len(),
            lines,
            rule,
        },
        Miss::Count { found, lines } => {
            let expected = match mode {
                ReplaceMode::Count(n) => n,
                ReplaceMode::Unique | ReplaceMode::All => 1,
            };
            EditError::CountMismatch {
                op,
                expected,
                found,
                lines,
            }
        }
        Miss::Elision {
            old_markers,
            new_markers,
        } => EditError::Elision {
            op,
            old_markers,
            new_markers,
        },
    }
}

mod doc;
#[cfg(test)]
mod tests;
