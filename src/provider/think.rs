//! Splits a leading `<think>…</think>` block out of streamed answer text, for models whose server
//! puts the reasoning inline instead of in `reasoning_content`.
//!
//! Only a block at the very start of the answer (after whitespace) counts: a `<think>` later in
//! the text is the model talking about tags. Tags may arrive split across any number of chunks,
//! so the splitter holds back the few bytes that could still turn into a tag; nothing else is
//! delayed. Invariant: the concatenation of everything emitted equals the input minus the two
//! tags and the whitespace right after `</think>`.

/// A piece of split text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    Reasoning(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing but whitespace seen: the answer may still open with `<think>`.
    Start,
    /// Inside the block.
    Inside,
    /// After the block (or there was none). `trim` drops whitespace right after `</think>`.
    After { trim: bool },
}

const OPEN: &str = "<think>";
const CLOSE: &str = "</think>";

/// The splitter's state between chunks.
#[derive(Debug, Clone)]
pub struct ThinkSplitter {
    state: State,
    pending: String,
}

impl Default for ThinkSplitter {
    fn default() -> Self {
        ThinkSplitter {
            state: State::Start,
            pending: String::new(),
        }
    }
}

impl ThinkSplitter {
    /// Feeds one chunk of answer text; returns what can be shown now.
    pub fn push(&mut self, chunk: &str) -> Vec<Piece> {
        let mut out = Vec::new();
        self.pending.push_str(chunk);
        loop {
            match self.state {
                State::Start => {
                    let t = self.pending.trim_start();
                    if let Some(rest) = t.strip_prefix(OPEN) {
                        self.pending = rest.to_string();
                        self.state = State::Inside;
                        continue;
                    }
                    if !OPEN.starts_with(t) {
                        self.state = State::After { trim: false };
                        continue;
                    }
                    return out;
                }
                State::Inside => {
                    if let Some(pos) = self.pending.find(CLOSE) {
                        let rest = self.pending.split_off(pos);
                        push(
                            &mut out,
                            Piece::Reasoning(std::mem::take(&mut self.pending)),
                        );
                        self.pending = rest[CLOSE.len()..].to_string();
                        self.state = State::After { trim: true };
                        continue;
                    }
                    let keep = partial_suffix(&self.pending, CLOSE);
                    let tail = self.pending.split_off(self.pending.len() - keep);
                    push(
                        &mut out,
                        Piece::Reasoning(std::mem::replace(&mut self.pending, tail)),
                    );
                    return out;
                }
                State::After { trim } => {
                    let text = std::mem::take(&mut self.pending);
                    let text = if trim {
                        text.trim_start().to_string()
                    } else {
                        text
                    };
                    if !text.is_empty() {
                        self.state = State::After { trim: false };
                    }
                    push(&mut out, Piece::Text(text));
                    return out;
                }
            }
        }
    }

    /// Ends the text: whatever was held back is shown for what it was.
    pub fn finish(&mut self) -> Vec<Piece> {
        let rest = std::mem::take(&mut self.pending);
        let piece = match self.state {
            State::Start | State::After { .. } => Piece::Text(rest),
            State::Inside => Piece::Reasoning(rest),
        };
        let mut out = Vec::new();
        push(&mut out, piece);
        out
    }
}

fn push(out: &mut Vec<Piece>, p: Piece) {
    match &p {
        Piece::Text(s) | Piece::Reasoning(s) if s.is_empty() => {}
        _ => out.push(p),
    }
}

/// The length of the longest proper prefix of `tag` that `s` ends with. `tag` is ASCII, so the
/// cut is always on a character boundary.
fn partial_suffix(s: &str, tag: &str) -> usize {
    (1..tag.len())
        .rev()
        .find(|&k| s.as_bytes().ends_with(&tag.as_bytes()[..k]))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn run(chunks: &[&str]) -> (String, String) {
        let mut s = ThinkSplitter::default();
        let mut pieces: Vec<Piece> = chunks.iter().flat_map(|c| s.push(c)).collect();
        pieces.extend(s.finish());
        let mut text = String::new();
        let mut reasoning = String::new();
        for p in pieces {
            match p {
                Piece::Text(t) => text.push_str(&t),
                Piece::Reasoning(r) => reasoning.push_str(&r),
            }
        }
        (text, reasoning)
    }

    #[test]
    fn splits_a_leading_block() {
        assert_eq!(
            run(&["<think>hmm</think>\n\nHi"]),
            ("Hi".into(), "hmm".into())
        );
        assert_eq!(
            run(&["\n<thi", "nk>a", "b</th", "ink>", "\n", "Hi"]),
            ("Hi".into(), "ab".into())
        );
    }

    #[test]
    fn later_tags_are_text() {
        assert_eq!(
            run(&["Use <think> tags"]),
            ("Use <think> tags".into(), String::new())
        );
        assert_eq!(run(&["<b>bold</b>"]), ("<b>bold</b>".into(), String::new()));
        assert_eq!(run(&["<thi"]), ("<thi".into(), String::new()));
    }

    #[test]
    fn unclosed_block_is_reasoning() {
        assert_eq!(
            run(&["<think>still going </thi"]),
            (String::new(), "still going </thi".into())
        );
    }

    #[test]
    fn reasoning_streams_without_waiting_for_the_close() {
        let mut s = ThinkSplitter::default();
        assert_eq!(s.push("<think>abc"), vec![Piece::Reasoning("abc".into())]);
        assert_eq!(s.push("d</"), vec![Piece::Reasoning("d".into())]);
        assert_eq!(s.push("think>x"), vec![Piece::Text("x".into())]);
    }

    proptest! {
        #[test]
        fn any_chunking_gives_the_same_split(text in "(<think>)?[a-z<>/ \n]{0,40}(</think>)?[a-zé ]{0,20}", cuts in proptest::collection::vec(0usize..80, 0..6)) {
            let whole = run(&[&text]);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(text.len())).filter(|&c| text.is_char_boundary(c)).collect();
            bounds.sort();
            let mut chunks = Vec::new();
            let mut last = 0;
            for b in bounds { chunks.push(&text[last..b]); last = b; }
            chunks.push(&text[last..]);
            prop_assert_eq!(run(&chunks), whole);
        }
    }
}
