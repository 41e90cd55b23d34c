//! What a resumed session shows first: the tail of the conversation, the person's requests and
//! the model's answers. A request is shown whole, as typed; a long one is folded after its first
//! lines with a visible `… (N more lines)`, never cut silently. Context the session queued in
//! front of a request (files, the map) is not the person's words and is not replayed. For
//! transcripts written before requests were recorded, the last paragraph of a user message is
//! taken as what was typed, and a marker says how much came before it.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use super::session::Repl;
use crate::provider::Role;
use crate::ui::palette::{self, paint};

/// How many messages a resumed session replays.
const SHOWN: usize = 10;
/// A request of more lines than this is folded to [`FOLDED`] lines and a marker.
const FOLD_AT: usize = 12;
const FOLDED: usize = 10;

/// One replayed message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shown {
    /// The person's words, and a note of what came before them in the message, if anything.
    User(String, Option<String>),
    Answer(String),
}

impl Repl {
    /// The tail of a resumed conversation.
    pub(super) fn show_history(&mut self) {
        let shown = replayed(self.agent.messages(), self.agent.requests());
        let skip = shown.len().saturating_sub(SHOWN);
        self.dim(&format!(
            "resumed session {} ({} messages{})",
            self.agent.session_id(),
            self.agent.messages().len(),
            if skip > 0 {
                format!("; the last {} shown", shown.len() - skip)
            } else {
                String::new()
            }
        ));
        for item in shown.into_iter().skip(skip) {
            match item {
                Shown::User(text, before) => {
                    if let Some(note) = before {
                        self.dim(&note);
                    }
                    for line in fold(&text) {
                        let line = format!("> {line}");
                        self.say(&paint(palette::BOLD, &line, self.look.color_err));
                    }
                }
                Shown::Answer(text) => {
                    let mut stream = crate::ui::markdown::Stream::new(self.look.color_answer, None);
                    let mut out = stream.push(&text);
                    out.push_str(&stream.finish());
                    self.out(&out);
                }
            }
        }
    }
}

/// The messages a resumed session replays, oldest first: requests as typed and answers.
fn replayed(
    messages: &[crate::provider::Message],
    requests: &[crate::agent::Request],
) -> Vec<Shown> {
    let marked = |i: usize| requests.iter().find(|r| r.message == Some(i));
    let any_marks = requests.iter().any(|r| r.message.is_some());
    let mut out = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        match m.role {
            Role::User => {
                if let Some(r) = marked(i) {
                    out.push(Shown::User(crate::ui::strip_controls(&r.text), None));
                } else if !any_marks && !m.text().trim().is_empty() {
                    out.push(last_paragraph(&crate::ui::strip_controls(m.text())));
                }
            }
            Role::Assistant if !m.text().is_empty() => {
                out.push(Shown::Answer(crate::ui::strip_controls(m.text())));
            }
            _ => {}
        }
    }
    out
}

/// What the person typed in an unmarked user message (context the session queued rides in front
/// of it): its last paragraph, with a note of how many lines came before it.
fn last_paragraph(text: &str) -> Shown {
    let text = text.trim_end();
    match text.rsplit_once("\n\n") {
        Some((before, typed)) => {
            let n = before.lines().count();
            Shown::User(
                typed.to_string(),
                Some(format!(
                    "(… {n} earlier lines of this message, context hone sent with it, not shown)"
                )),
            )
        }
        None => Shown::User(text.to_string(), None),
    }
}

/// A request's lines as replayed: all of them, or the first [`FOLDED`] and `… (N more lines)`.
fn fold(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    if lines.len() <= FOLD_AT {
        return lines.into_iter().map(str::to_string).collect();
    }
    let mut out: Vec<String> = lines[..FOLDED].iter().map(|l| l.to_string()).collect();
    out.push(format!("… ({} more lines)", lines.len() - FOLDED));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::Request;
    use crate::provider::Message;

    #[test]
    fn long_requests_fold_with_a_marker_and_short_ones_are_whole() {
        let long: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        let folded = fold(&long);
        assert_eq!(folded.len(), FOLDED + 1);
        assert_eq!(folded[FOLDED], "… (20 more lines)");
        let wide = "w".repeat(500);
        assert_eq!(fold(&wide), vec![wide], "a long line is never cut");
        assert_eq!(fold("a\nb"), ["a", "b"]);
    }

    #[test]
    fn requests_replay_as_typed_without_the_context_sent_with_them() {
        let messages = vec![
            Message::system("s"),
            Message::user("Repository map:\na.rs\n\nfirst\n\nsecond paragraph"),
            Message::assistant(Some("ok".into()), None, Vec::new()),
            Message::user("[hone: the repository map is ready]"),
        ];
        let requests = [Request {
            text: "first\n\nsecond paragraph".into(),
            run: "r".into(),
            message: Some(1),
        }];
        assert_eq!(
            replayed(&messages, &requests),
            [
                Shown::User("first\n\nsecond paragraph".into(), None),
                Shown::Answer("ok".into())
            ]
        );
        // An older transcript: the last paragraph, and a note of what came before.
        let old = replayed(&messages[..2], &[]);
        let Shown::User(typed, Some(note)) = &old[0] else {
            panic!("{old:?}")
        };
        assert_eq!(typed, "second paragraph");
        assert!(note.contains("4 earlier lines"), "{note}");
    }
}
