//! `/commit` and `auto_commit`: the Aider habit. The files hone changed in this session (for
//! `auto_commit`, in the turn just ended) that differ from the last commit are committed with a
//! message the model writes from their diff (one short request on the side, outside the
//! conversation). `/commit` shows the message and asks: yes, edit it in the line editor, or no;
//! `auto_commit` commits without asking.
//!
//! Never commits a file hone did not change, never pushes (that is `git`'s module's promise);
//! says so when the workspace is not in a git repository.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeSet;

use super::session::Repl;
use crate::edit::{Journal, Workspace};
use crate::git::{self, Changes, GitError};
use crate::prompts::{Text, text};
use crate::ui::journal as show;
use crate::ui::palette::{self, paint};
use crate::ui::render::Terminal;

/// The most of a diff the model is sent for a commit message.
const DIFF_CHARS: usize = 60_000;

impl Repl {
    /// `/commit`.
    pub(super) fn commit(&mut self) {
        let files: Vec<String> = self.agent.changed_files().map(str::to_string).collect();
        if files.is_empty() {
            return self.hint("hone changed no file in this session; nothing to commit");
        }
        let Some(changes) = self.changes(&files) else {
            return;
        };
        if changes.paths.is_empty() {
            return self.hint(&format!(
                "the files hone changed ({}) are as last committed; nothing to commit",
                show::files(&files)
            ));
        }
        self.say(&format!(
            "to commit: {} (the files hone changed; nothing else is staged or committed)",
            show::files(&changes.paths)
        ));
        let Some(message) = self.commit_message(&changes.diff) else {
            return;
        };
        self.say(&format!("message: {message}"));
        let question = format!(
            "Commit {} file(s) with this message? [y]es / [e]dit / [n]o ",
            changes.paths.len()
        );
        let answer = self.ask(&question).map(|a| a.trim().to_ascii_lowercase());
        let message = match answer.as_deref() {
            Some("y" | "yes") => message,
            Some("e" | "edit") => {
                let raw = "message: ";
                let styled = paint(palette::BOLD, raw, self.look.color_err);
                match self
                    .editor
                    .readline_with_initial(&(raw, styled.as_str()), (&message, ""))
                {
                    Ok(m) if !m.trim().is_empty() => m.trim().to_string(),
                    _ => return self.hint("nothing committed"),
                }
            }
            _ => return self.hint("nothing committed"),
        };
        self.git_commit(&changes.paths, &message);
    }

    /// With `auto_commit` on, after a turn: commits the files the turn's edits changed.
    pub(super) fn auto_commit(&mut self) {
        if !self.config.auto_commit {
            return;
        }
        let Some(run) = self.agent.requests().last().map(|r| r.run.clone()) else {
            return;
        };
        let entries = Workspace::new(self.agent.workspace())
            .and_then(|ws| Journal::open(&ws))
            .and_then(|j| j.entries())
            .unwrap_or_default();
        let files: BTreeSet<String> = entries
            .into_iter()
            .filter(|e| e.run.as_deref() == Some(run.as_str()))
            .flat_map(|e| e.files)
            .collect();
        if files.is_empty() {
            return;
        }
        let files: Vec<String> = files.into_iter().collect();
        let Some(changes) = self.changes(&files) else {
            return;
        };
        if changes.paths.is_empty() {
            return;
        }
        if let Some(message) = self.commit_message(&changes.diff) {
            self.git_commit(&changes.paths, &message);
        }
    }

    /// Which of `files` differ from the last commit, or why that cannot be known (said).
    fn changes(&self, files: &[String]) -> Option<Changes> {
        match git::changes(self.agent.workspace(), files) {
            Ok(c) => Some(c),
            Err(GitError::NotARepository { dir }) => {
                self.warn(&format!(
                    "{} is not in a git repository, so there is nothing to commit to (`git init` makes one)",
                    dir.display()
                ));
                None
            }
            Err(e) => {
                self.error(e);
                None
            }
        }
    }

    /// The model's one-line message for `diff`, asked on the side (Ctrl-C cancels).
    fn commit_message(&mut self, diff: &str) -> Option<String> {
        let user = capped(diff);
        let mut sink = Terminal::new(self.look, self.agent.cost());
        sink.waiting("writing a commit message…");
        let Repl { rt, agent, .. } = self;
        let result = rt.block_on(async {
            tokio::select! {
                r = agent.ask_aside(crate::prompts::COMMIT, user) => Some(r),
                _ = tokio::signal::ctrl_c() => None,
            }
        });
        sink.failed();
        drop(sink);
        match result {
            Some(Ok(answer)) => {
                let message = message_line(&answer);
                if message.is_empty() {
                    self.warn("the model wrote no commit message; nothing committed");
                    return None;
                }
                Some(message)
            }
            Some(Err(e)) => {
                self.error(e);
                None
            }
            None => {
                self.warn("cancelled; nothing committed");
                None
            }
        }
    }

    fn git_commit(&self, paths: &[String], message: &str) {
        match git::commit(self.agent.workspace(), paths, message) {
            Ok(hash) => self.hint(&format!(
                "committed {hash} \"{}\": {} (nothing pushed)",
                crate::ui::escape_controls(message),
                show::files(paths)
            )),
            Err(e) => self.error(e),
        }
    }
}

/// The message in a model's answer: its first non-blank line, without the quotes, backticks or
/// control characters a model may wrap it in.
fn message_line(answer: &str) -> String {
    let line = answer
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("```"))
        .unwrap_or("");
    crate::ui::strip_controls(line.trim_matches(|c| matches!(c, '"' | '\'' | '`')).trim())
}

/// `diff`, cut at [`DIFF_CHARS`] with a note of how much was left out.
fn capped(diff: &str) -> String {
    if diff.len() <= DIFF_CHARS {
        return diff.to_string();
    }
    let mut cut = DIFF_CHARS;
    while !diff.is_char_boundary(cut) {
        cut -= 1;
    }
    let more = (diff.len() - cut).to_string();
    format!(
        "{}\n{}",
        &diff[..cut],
        text(Text::CommitDiffCut, &[("more", &more)])
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_the_answers_first_line_unwrapped() {
        assert_eq!(message_line("\n\"Fix the typo\"\n\nbody"), "Fix the typo");
        assert_eq!(message_line("```\n`Add a test`\n```"), "Add a test");
        assert_eq!(message_line("Fix \u{1b}[2Jit"), "Fix it");
        assert_eq!(message_line("   "), "");
    }

    #[test]
    fn a_long_diff_is_cut_with_a_note() {
        let diff = "é".repeat(DIFF_CHARS);
        let sent = capped(&diff);
        assert!(sent.len() < diff.len() + 100);
        assert!(
            sent.ends_with("more characters not shown.)"),
            "{}",
            &sent[sent.len() - 80..]
        );
        assert_eq!(capped("small"), "small");
    }
}
