//! What foreign text (a model's answer, a command's output, a server's error, a file name) may
//! carry to a terminal: nothing that acts on it. Escape sequences and other control characters
//! are stripped from streamed text ([`strip_controls`], [`StreamCleaner`]) or shown as visible
//! escapes where what was received matters ([`escape_controls`]).
//!
//! Pure functions on text, shared by the core (command output the model reads) and the front
//! ends; no terminal I/O here. Invariant: the output never holds ESC, CSI, OSC, CR or another
//! control character but newline and tab.

/// Removes terminal escape sequences and other control characters (except newline and tab)
/// from text that did not come from hone itself. A CR goes too: CR-LF keeps its line break, and
/// a lone CR would rewrite the current line.
pub fn strip_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    clean_into(text, &mut out);
    out
}

/// Shows the control characters of foreign text (other than newline and tab) as visible escapes
/// (`\u{1b}`), for messages where what was received matters: an error quoting a server's bytes
/// or a file name must neither act on the terminal nor hide what it held.
pub fn escape_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Shows every control character of foreign text as a visible escape, newline and tab included,
/// for text that must stay on one line: a command or path inside a question, where a line break
/// could draw a question of its own.
pub fn escape_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

/// Appends `text` to `out` without its control characters and escape sequences, in one pass;
/// returns where an escape sequence that the end of `text` cuts short begins (`text.len()` if
/// none). [`strip_controls`] drops such a tail; [`StreamCleaner`] holds it for the next chunk.
fn clean_into(text: &str, out: &mut String) -> usize {
    let mut chars = text.chars();
    loop {
        let at = text.len() - chars.as_str().len();
        let Some(c) = chars.next() else {
            return text.len();
        };
        let finished = match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 control sequence introducer (8-bit CSI/OSC) — same treatment.
            '\u{9b}' | '\u{9d}' => skip_until_final(&mut chars, c == '\u{9d}'),
            '\n' | '\t' => {
                out.push(c);
                true
            }
            c if c.is_control() => true,
            c => {
                out.push(c);
                true
            }
        };
        if !finished {
            return at;
        }
    }
}

/// Skips the escape sequence after an ESC; says whether it ended before the text did.
fn skip_escape(chars: &mut std::str::Chars<'_>) -> bool {
    match chars.next() {
        Some('[') => skip_until_final(chars, false),
        Some(']' | 'P' | '_' | '^' | 'X') => skip_until_final(chars, true),
        // Two-character escapes (ESC c, ESC 7, …): the one character is already consumed.
        Some(_) => true,
        None => false,
    }
}

/// CSI ends at a byte in 0x40..=0x7e; OSC/DCS-like strings end at BEL or ESC \\. Says whether
/// the sequence ended before the text did.
fn skip_until_final(chars: &mut std::str::Chars<'_>, string: bool) -> bool {
    while let Some(c) = chars.next() {
        if string {
            if c == '\u{7}' || c == '\u{9c}' {
                return true;
            }
            if c == '\u{1b}' {
                if chars.as_str().starts_with('\\') {
                    chars.next();
                    return true;
                }
                return !chars.as_str().is_empty();
            }
        } else if ('\u{40}'..='\u{7e}').contains(&c) {
            return true;
        }
    }
    false
}

/// [`strip_controls`] for text that arrives in chunks: an escape sequence that a chunk boundary
/// cuts is held back until the next chunk completes it, so the result does not depend on where
/// the stream was split. What is still held when the stream ends is what [`strip_controls`]
/// would drop anyway (an unfinished sequence), so it is never written. Call
/// [`StreamCleaner::reset`] between separate streams.
#[derive(Debug, Default)]
pub struct StreamCleaner {
    held: String,
}

/// Bytes held back at most: an escape sequence that never ends (an OSC without its BEL) must not
/// hold the rest of an answer hostage.
const HOLD_LIMIT: usize = 4096;

impl StreamCleaner {
    /// Takes the next chunk; returns the cleaned text that is complete so far.
    pub fn push(&mut self, chunk: &str) -> String {
        self.held.push_str(chunk);
        let mut out = String::with_capacity(self.held.len());
        let cut = clean_into(&self.held, &mut out);
        if self.held.len() > HOLD_LIMIT {
            self.held.clear();
        } else {
            self.held.drain(..cut);
        }
        out
    }

    /// Forgets anything held: a new stream starts.
    pub fn reset(&mut self) {
        self.held.clear();
    }
}

/// A streamed answer's two cleaners: its text and its reasoning arrive interleaved.
#[derive(Debug, Default)]
pub struct AnswerCleaners {
    pub text: StreamCleaner,
    pub reasoning: StreamCleaner,
}

impl AnswerCleaners {
    /// A new request starts: nothing held from the last one carries over.
    pub fn reset(&mut self) {
        self.text.reset();
        self.reasoning.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_shows_every_control_character_as_an_escape() {
        assert_eq!(
            escape_line("echo ok\u{1b}[2K\rrm -rf ~\n\tx"),
            "echo ok\\u{1b}[2K\\rrm -rf ~\\n\\tx"
        );
        assert_eq!(escape_line("plain · text"), "plain · text");
    }
}
