//! The REPL's way back: `/undo` (the last change, `list`, or #N and everything after it),
//! `/diff` (what `/undo` would revert, from the workspace's journal, so changes other hone
//! processes made here are in it), and `/rewind` (to before an earlier request of this
//! conversation: the files, the conversation, or both).
//!
//! Decides nothing the journal or the agent owns: which entries can be undone is
//! `edit::undo`'s, cutting the conversation is `Agent::rewind_conversation`'s. What is here is
//! asking: which request, what to take back, and whether to leave an entry whose files changed
//! since hone wrote them and go on with the rest. Every undo tells the model which files went
//! back (a note on the next message), as the conversation is never rewritten for it.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeSet;

use super::command::{Rewind, UndoArg};
use super::session::Repl;
use crate::agent::ContextKind;
use crate::edit::{
    EditError, Journal, JournalEntry, OnStale, Selection, StaleEntry, UndoReport, Workspace,
};
use crate::prompts::{Text, text};
use crate::ui::journal as show;
use crate::ui::palette::{self, paint};

impl Repl {
    /// The workspace and its journal, or the error said.
    fn journal(&self) -> Option<(Workspace, Journal)> {
        let opened = Workspace::new(self.agent.workspace())
            .and_then(|ws| Journal::open(&ws).map(|j| (ws, j)));
        match opened {
            Ok(pair) => Some(pair),
            Err(e) => {
                self.error(e);
                None
            }
        }
    }

    /// Asks a question at the prompt; `None` on Ctrl-C or end of input.
    pub(super) fn ask(&mut self, question: &str) -> Option<String> {
        let styled = paint(palette::BOLD, question, self.look.color_err);
        self.editor.readline(&(question, styled.as_str())).ok()
    }

    /// Asks a yes/no question; anything but yes is no.
    fn confirm(&mut self, question: &str) -> bool {
        self.ask(question)
            .is_some_and(|a| matches!(a.trim().to_ascii_lowercase().as_str(), "y" | "yes"))
    }

    pub(super) fn undo(&mut self, arg: UndoArg) {
        let Some((ws, journal)) = self.journal() else {
            return;
        };
        let selection = match arg {
            UndoArg::List => return self.undo_list(&ws, &journal),
            UndoArg::Last => Selection::Last,
            UndoArg::To(id) => Selection::From(id),
        };
        let report = match journal.undo_entries(&ws, selection, OnStale::Refuse) {
            Ok(r) => r,
            Err(EditError::UndoStale { entries }) => {
                match self.skip_stale(&ws, &journal, selection, &entries, ("undo", "undone")) {
                    Some(r) => r,
                    None => return,
                }
            }
            Err(e) => return self.undo_failed(e),
        };
        self.undone(&report);
    }

    /// Explains stale entries and, when leaving them would still undo something, asks whether
    /// to; the undo with them left, if so.
    fn skip_stale(
        &mut self,
        ws: &Workspace,
        journal: &Journal,
        selection: Selection<'_>,
        stale: &[StaleEntry],
        (verb, done): (&str, &str),
    ) -> Option<UndoReport> {
        for line in show::stale_lines(stale) {
            self.warn(&line);
        }
        let rest = journal
            .preview(ws, selection, OnStale::Skip)
            .map(|p| p.entries)
            .unwrap_or_default();
        if rest.is_empty() {
            self.hint(&format!(
                "nothing else to {verb}; save or revert your changes to those files, then try again"
            ));
            return None;
        }
        let names: Vec<String> = rest.iter().map(show::entry_name).collect();
        let question = format!(
            "Leave {} as it is and {verb} {} instead? [y/N] ",
            if stale.len() == 1 {
                format!("#{}", stale[0].entry.id)
            } else {
                "those".to_string()
            },
            names.join(", ")
        );
        if !self.confirm(&question) {
            self.hint(&format!("nothing was {done}"));
            return None;
        }
        match journal.undo_entries(ws, selection, OnStale::Skip) {
            Ok(r) => Some(r),
            Err(e) => {
                self.undo_failed(e);
                None
            }
        }
    }

    fn undo_failed(&self, e: EditError) {
        match e {
            EditError::NothingToUndo => self.hint("nothing to undo"),
            e @ EditError::NoSuchEntry { .. } => {
                self.warn(&e.to_string());
                self.hint("/undo list shows the numbers");
            }
            e => self.error(e),
        }
    }

    /// Shows what an undo did and queues the note that tells the model.
    fn undone(&mut self, report: &UndoReport) {
        for line in show::restored(report).lines() {
            self.say(line);
        }
        for s in &report.skipped {
            self.dim(&show::left_line(s));
        }
        self.hint(&show::summary(report));
        let mut files: Vec<String> = report.restored.clone();
        files.extend(report.removed.iter().cloned());
        if !files.is_empty() {
            let list = quoted(&files);
            self.agent
                .queue_context(ContextKind::File, text(Text::Undone, &[("files", &list)]));
        }
    }

    fn undo_list(&mut self, ws: &Workspace, journal: &Journal) {
        let entries = match journal.entries() {
            Ok(e) if e.is_empty() => return self.hint("nothing to undo"),
            Ok(e) => e,
            Err(e) => return self.error(e),
        };
        let stale = journal
            .preview(ws, Selection::From(entries[0].id), OnStale::Skip)
            .map(|p| p.stale)
            .unwrap_or_default();
        let list = show::list(&entries, &stale, self.look.color_err);
        self.say(list.trim_end());
        self.hint("/undo reverts the newest; /undo N reverts #N and everything after it; /diff N shows what it would");
    }

    /// `/diff [N]`: what `/undo [N]` would revert now.
    pub(super) fn diff(&mut self, from: Option<u64>) {
        let Some((ws, journal)) = self.journal() else {
            return;
        };
        let selection = from.map_or(Selection::Last, Selection::From);
        let p = match journal.preview(&ws, selection, OnStale::Refuse) {
            Ok(p) if p.entries.is_empty() && p.stale.is_empty() => {
                return self.hint("nothing to undo");
            }
            Ok(p) => p,
            Err(e) => return self.undo_failed(e),
        };
        let mut text = show::preview_diff(&p, self.look.color_answer);
        if p.entries.is_empty() {
            // /undo would stop at a stale change and ask; this is what it reverts on a yes.
            let rest = journal.preview(&ws, selection, OnStale::Skip).ok();
            if let Some(rest) = rest.filter(|r| !r.entries.is_empty()) {
                let rest = crate::edit::UndoPreview {
                    stale: Vec::new(),
                    ..rest
                };
                text.push_str("leaving that as it is (a yes at /undo's question):\n");
                text.push_str(&show::preview_diff(&rest, self.look.color_answer));
            }
        }
        self.out(&text);
    }

    /// `/rewind [N] [what]`.
    pub(super) fn rewind(&mut self, number: Option<usize>, what: Option<Rewind>) {
        let requests = self.agent.requests().to_vec();
        if requests.is_empty() {
            return self.hint("nothing to rewind: no request in this conversation yet");
        }
        let Some((ws, journal)) = self.journal() else {
            return;
        };
        let entries = journal.entries().unwrap_or_default();
        let number = match number {
            Some(n) => n,
            None => {
                self.say("requests in this conversation:");
                for (i, r) in requests.iter().enumerate() {
                    let files = files_of(&entries, std::slice::from_ref(&r.run));
                    let files = if files.is_empty() {
                        "(no file changes)".to_string()
                    } else {
                        show::files(&files)
                    };
                    self.say(&format!(
                        "  {:>2}  {}  {files}",
                        i + 1,
                        show::quote(&r.text)
                    ));
                }
                let q = format!("Rewind to before which request? [1-{}] ", requests.len());
                match self.ask(&q).and_then(|a| a.trim().parse::<usize>().ok()) {
                    Some(n) => n,
                    None => return self.hint("nothing rewound"),
                }
            }
        };
        let Some(request) = number.checked_sub(1).and_then(|i| requests.get(i)) else {
            return self.warn(&format!(
                "there is no request {number}; this conversation has {}",
                requests.len()
            ));
        };
        let what = match what {
            Some(w) => w,
            None => {
                let q =
                    "Rewind [b]oth / the [c]ode only / the c[o]nversation only? (Enter: neither) ";
                match self.ask(q).as_deref().and_then(Rewind::parse) {
                    Some(w) => w,
                    None => return self.hint("nothing rewound"),
                }
            }
        };
        if what.conversation() && request.message.is_none() {
            return self.warn(&format!(
                "request {number} was summarised when the conversation was compacted; only the code can go back before it"
            ));
        }
        let runs: Vec<String> = requests[number - 1..]
            .iter()
            .map(|r| r.run.clone())
            .collect();
        let label = show::quote(&request.text);
        // The files put back, and those left holding changes of the requests rewound.
        let (mut code_files, mut kept) = (Vec::new(), files_of(&entries, &runs));
        if what.code() {
            let report = match journal.undo_entries(&ws, Selection::Runs(&runs), OnStale::Refuse) {
                Ok(r) => Some(r),
                Err(EditError::NothingToUndo) => {
                    self.dim("no file changes to rewind");
                    None
                }
                Err(EditError::UndoStale { entries }) => {
                    let selection = Selection::Runs(&runs);
                    let words = ("rewind", "rewound");
                    match self.skip_stale(&ws, &journal, selection, &entries, words) {
                        Some(r) => Some(r),
                        None => return,
                    }
                }
                Err(e) => return self.error(e),
            };
            kept.clear();
            if let Some(r) = report {
                code_files = self.rewound_code(&r);
                kept = r
                    .skipped
                    .iter()
                    .flat_map(|s| s.entry.files.clone())
                    .collect();
            }
        }
        if what.conversation() {
            if let Err(e) = self.agent.rewind_conversation(number) {
                return self.error(e);
            }
            // Files and the map sent after that point are no longer in the conversation.
            self.files.mark_unsent();
            self.map_sent = self.agent.map_sent();
            if !kept.is_empty() {
                let note = text(Text::RewoundConversation, &[("files", &quoted(&kept))]);
                self.agent.queue_context(ContextKind::File, note);
            }
            let side = if what.code() {
                "code and conversation"
            } else {
                "conversation"
            };
            self.hint(&format!(
                "{side} rewound to before request {number} ({label}); {} messages remain",
                self.agent.messages().len()
            ));
        } else {
            if !code_files.is_empty() {
                let note = text(
                    Text::RewoundCode,
                    &[("request", &request.text), ("files", &quoted(&code_files))],
                );
                self.agent.queue_context(ContextKind::File, note);
            }
            self.hint(&format!(
                "code rewound to before request {number} ({label}); the conversation is kept"
            ));
        }
    }

    /// Shows what rewinding the code restored; the files.
    fn rewound_code(&self, report: &UndoReport) -> Vec<String> {
        for line in show::restored(report).lines() {
            self.say(line);
        }
        for s in &report.skipped {
            self.dim(&show::left_line(s));
        }
        let mut files = report.restored.clone();
        files.extend(report.removed.iter().cloned());
        files
    }
}

/// The files of the journal entries recorded under `runs`, sorted.
fn files_of(entries: &[JournalEntry], runs: &[String]) -> Vec<String> {
    let files: BTreeSet<String> = entries
        .iter()
        .filter(|e| e.run.as_ref().is_some_and(|r| runs.contains(r)))
        .flat_map(|e| e.files.iter().cloned())
        .collect();
    files.into_iter().collect()
}

/// Paths as the model's notes name them: `a.rs`, `b.rs`.
fn quoted(files: &[String]) -> String {
    files
        .iter()
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
