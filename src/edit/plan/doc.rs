//! A file's content while a batch is planned: shared with the image read from disk until an
//! edit replaces it, with the replacements of the current run pending until they are applied
//! together. It must not read or write files; its invariant is that the pending ranges of a run
//! do not overlap (the planner refuses overlapping edits before recording them).

use std::cell::OnceCell;
use std::ops::Range;
use std::sync::Arc;

use crate::edit::locate::Haystack;
use crate::edit::text::FileText;

/// The length of a UTF-8 BOM.
const BOM_LEN: usize = 3;

/// A file as read when the plan was made: its whole content (a BOM included, accepted by
/// [`crate::edit::text::decode`]) and permission bits. The content is shared with the file's
/// [`Doc`] until an edit replaces it, so planning does not copy a file it only reads.
pub(super) struct Disk {
    pub content: Arc<String>,
    pub mode: u32,
}

/// A replacement located in the current run, not applied yet.
pub(super) struct Pending {
    pub range: Range<usize>,
    pub replacement: String,
    pub op: usize,
}

/// A file's content as the batch so far leaves it.
pub(super) struct Doc {
    /// The whole content, BOM included.
    pub text: Arc<String>,
    /// The length of the BOM at the start of `text` (0 or 3); ranges are relative to the body
    /// after it.
    pub bom: usize,
    hay: OnceCell<Haystack>,
    pub pending: Vec<Pending>,
}

impl Doc {
    pub fn new(text: Arc<String>, bom: usize) -> Doc {
        Doc {
            text,
            bom,
            hay: OnceCell::new(),
            pending: Vec::new(),
        }
    }

    pub fn from_text(text: FileText) -> Doc {
        let bom = if text.bom { BOM_LEN } else { 0 };
        Doc::new(Arc::new(text.into_content()), bom)
    }

    /// The content after the BOM.
    pub fn body(&self) -> &str {
        &self.text[self.bom..]
    }

    pub fn haystack(&self) -> &Haystack {
        self.hay
            .get_or_init(|| Haystack::shared(&self.text, self.bom))
    }

    /// Applies the pending replacements of the current run.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        self.pending
            .sort_by_key(|p| (p.range.start, p.range.end, p.op));
        let body = self.body();
        let len = self.pending.iter().fold(self.text.len(), |n, p| {
            (n + p.replacement.len()).saturating_sub(p.range.len())
        });
        let mut out = String::with_capacity(len);
        out.push_str(&self.text[..self.bom]);
        let mut at = 0;
        for p in &self.pending {
            out.push_str(&body[at..p.range.start]);
            out.push_str(&p.replacement);
            at = p.range.end;
        }
        out.push_str(&body[at..]);
        self.text = Arc::new(out);
        self.pending.clear();
        self.hay = OnceCell::new();
    }

    pub fn set(&mut self, text: FileText) {
        *self = Doc::from_text(text);
    }
}
