//! A run's answer as people and scripts read it afterwards: the text of each model message, in
//! order, and the reasoning streamed for them, collected from the events.
//!
//! One implementation for every front end that reports an answer at the end (`fix`'s and
//! `-p`'s JSON, lint-fix's summary, the REPL's interrupted run), so they agree: messages are
//! separated by a blank line, never glued, and an answer the provider discarded before a retry
//! ([`Event::AnswerDiscarded`]) is not counted twice.

use super::event::Event;

/// The collected answer of one run.
#[derive(Debug, Default, Clone)]
pub struct Answer {
    /// Finished messages' text (empty ones left out).
    messages: Vec<String>,
    /// Finished messages' reasoning (empty ones left out).
    reasoning: Vec<String>,
    /// The message streaming now.
    text: String,
    thinking: String,
}

impl Answer {
    /// Takes the next event of the run.
    pub fn push(&mut self, event: &Event) {
        match event {
            Event::Text(t) => self.text.push_str(t),
            Event::Reasoning(t) => self.thinking.push_str(t),
            Event::AnswerDiscarded => {
                self.text.clear();
                self.thinking.clear();
            }
            Event::MessageComplete { .. } => self.close(),
            _ => {}
        }
    }

    /// Ends the message streaming now (a run that failed or was interrupted midway).
    pub fn close(&mut self) {
        for (part, done) in [
            (&mut self.text, &mut self.messages),
            (&mut self.thinking, &mut self.reasoning),
        ] {
            let t = std::mem::take(part);
            if !t.trim().is_empty() {
                done.push(t.trim().to_string());
            }
        }
    }

    /// Every message's text, separated by a blank line (the message streaming now included).
    pub fn text(&self) -> String {
        join(&self.messages, &self.text)
    }

    /// Every message's reasoning, separated by a blank line.
    pub fn reasoning(&self) -> String {
        join(&self.reasoning, &self.thinking)
    }

    /// The text of the last message that had any (what a script takes as "the result").
    pub fn last(&self) -> &str {
        if self.text.trim().is_empty() {
            self.messages.last().map_or("", String::as_str)
        } else {
            self.text.trim()
        }
    }

    /// The text streamed since the last message ended (an interrupted run's partial answer).
    pub fn streaming(&self) -> &str {
        &self.text
    }
}

fn join(done: &[String], now: &str) -> String {
    let mut parts: Vec<&str> = done.iter().map(String::as_str).collect();
    if !now.trim().is_empty() {
        parts.push(now.trim());
    }
    parts.join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(events: &[Event]) -> Answer {
        let mut a = Answer::default();
        for e in events {
            a.push(e);
        }
        a
    }

    fn done() -> Event {
        Event::MessageComplete { tool_calls: vec![] }
    }

    #[test]
    fn messages_are_separated_not_glued() {
        let a = run(&[
            Event::Text("Fixing.".into()),
            done(),
            Event::Text("Fixed ".into()),
            Event::Text("mean.".into()),
            done(),
        ]);
        assert_eq!(a.text(), "Fixing.\n\nFixed mean.");
        assert_eq!(a.last(), "Fixed mean.");
    }

    #[test]
    fn a_discarded_answer_is_not_kept_and_reasoning_is() {
        let a = run(&[
            Event::Reasoning("think".into()),
            Event::Text("half an ans".into()),
            Event::AnswerDiscarded,
            Event::Reasoning("think again".into()),
            Event::Text("the whole answer".into()),
            done(),
        ]);
        assert_eq!(a.text(), "the whole answer");
        assert_eq!(a.reasoning(), "think again");
    }

    #[test]
    fn an_unfinished_message_counts() {
        let a = run(&[Event::Text("cut sh".into())]);
        assert_eq!(a.text(), "cut sh");
        assert_eq!(a.streaming(), "cut sh");
        assert_eq!(a.last(), "cut sh");
    }
}
