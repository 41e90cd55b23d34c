//! Everything hone shows a person: the palette, the decision whether to use colour at all, and
//! the scrubbing of text that came from a model or a tool before it reaches a terminal.
//!
//! Colour is used only when the stream is a terminal and `NO_COLOR` is unset (or when forced with
//! `--color always`). Text a model or a command produced can carry escape sequences; they are
//! stripped here, so a hostile reply cannot move the cursor, retitle the window or hide a diff.

// A front end: it may write to the terminal (clippy.toml refuses it everywhere else).
#![allow(clippy::disallowed_macros, clippy::disallowed_methods)]

pub mod ask;
pub mod markdown;
pub mod palette;
pub mod plan;
pub mod preview;
pub mod render;
pub mod spinner;

use std::io::IsTerminal;

/// `--color`: when to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is not set.
    #[default]
    Auto,
    /// Always colour, even into a pipe.
    Always,
    /// Never colour.
    Never,
}

/// Which stream a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl ColorChoice {
    /// Whether to colour `stream`, given the environment.
    pub fn enabled(self, stream: Stream) -> bool {
        let tty = match stream {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        };
        self.decide(tty, no_color_set())
    }

    /// The pure decision, testable without a terminal.
    pub fn decide(self, is_tty: bool, no_color: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !no_color,
        }
    }
}

/// `NO_COLOR` set to any non-empty value disables colour (<https://no-color.org>).
pub fn no_color_set() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Writes a rendered failure (`error:` / `caused by:` / `hint:` lines) to stderr, coloured when
/// stderr is a terminal that wants it.
pub fn report(text: &str) {
    use std::io::Write as _;
    let color = ColorChoice::Auto.enabled(Stream::Stderr);
    let _ = std::io::stderr()
        .lock()
        .write_all(palette::paint_report(text, color).as_bytes());
}

/// Whether both stdin and stderr are terminals: a person is there to answer a question.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

pub use crate::sanitize::{AnswerCleaners, StreamCleaner, escape_controls, strip_controls};

/// How long ago `time` was, as a person says it (see [`age`]); a time in the future is "just now".
pub fn ago(time: std::time::SystemTime) -> String {
    age(std::time::SystemTime::now()
        .duration_since(time)
        .map_or(0, |d| d.as_secs()))
}

/// How long ago something happened, as a person says it: `just now`, `5 min ago`, `3 h ago`.
pub fn age(secs: u64) -> String {
    match secs {
        0..=59 => "just now".to_string(),
        60..=3599 => format!("{} min ago", secs / 60),
        3600..=86_399 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ages_read_naturally() {
        assert_eq!(age(5), "just now");
        assert_eq!(age(125), "2 min ago");
        assert_eq!(age(7200), "2 h ago");
        assert_eq!(age(3 * 86_400), "3 days ago");
    }

    #[test]
    fn color_decision() {
        assert!(ColorChoice::Auto.decide(true, false));
        assert!(!ColorChoice::Auto.decide(true, true));
        assert!(!ColorChoice::Auto.decide(false, false));
        assert!(ColorChoice::Always.decide(false, true));
        assert!(!ColorChoice::Never.decide(true, false));
    }

    #[test]
    fn strips_csi_osc_and_controls() {
        assert_eq!(strip_controls("a\u{1b}[31mred\u{1b}[0m b"), "ared b");
        assert_eq!(strip_controls("x\u{1b}]0;title\u{7}y"), "xy");
        assert_eq!(strip_controls("x\u{1b}]8;;http://e\u{1b}\\link"), "xlink");
        assert_eq!(strip_controls("l1\r\nl2\rover"), "l1\nl2over");
        assert_eq!(strip_controls("tab\there\u{8}"), "tab\there");
        assert_eq!(strip_controls("naïve — ok"), "naïve — ok");
    }

    #[test]
    fn a_stream_is_cleaned_the_same_however_it_is_split() {
        let text = "esc \u{1b}[31mRED\u{1b}[0m, a CR-LF\r\nand a title\u{1b}]0;t\u{7}.";
        let whole = strip_controls(text);
        assert_eq!(whole, "esc RED, a CR-LF\nand a title.");
        for size in 1..text.len() {
            let mut cleaner = StreamCleaner::default();
            let mut out = String::new();
            let mut rest = text;
            while !rest.is_empty() {
                let mut cut = size.min(rest.len());
                while !rest.is_char_boundary(cut) {
                    cut += 1;
                }
                out.push_str(&cleaner.push(&rest[..cut]));
                rest = &rest[cut..];
            }
            assert_eq!(out, whole, "chunks of {size}");
        }
    }

    proptest! {
        #[test]
        fn streamed_cleaning_matches_cleaning_the_whole(
            s in "[a\u{1b}\\[\\]0-9;m\u{7}\\\\\r\n\u{9b}\u{9d}]{0,60}",
            cuts in proptest::collection::vec(1usize..8, 0..20),
        ) {
            let mut cleaner = StreamCleaner::default();
            let mut out = String::new();
            let mut rest = s.as_str();
            for n in cuts.iter().cycle().take(s.len()) {
                if rest.is_empty() {
                    break;
                }
                let mut cut = (*n).min(rest.len());
                while !rest.is_char_boundary(cut) {
                    cut += 1;
                }
                out.push_str(&cleaner.push(&rest[..cut]));
                rest = &rest[cut..];
            }
            out.push_str(&cleaner.push(rest));
            prop_assert_eq!(out, strip_controls(&s));
        }

        #[test]
        fn stripped_text_has_no_escape(s in ".*") {
            let out = strip_controls(&s);
            prop_assert!(!out.contains('\u{1b}'), "escape left in {:?}", out);
            prop_assert!(out.chars().all(|c| !c.is_control() || c == '\n' || c == '\t'));
        }
    }
}
