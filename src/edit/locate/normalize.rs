//! Normalised views of text for the tolerant matching rules, each with a map back to the raw
//! byte offsets so a match found in the view names an exact region of the file.
//!
//! Levels are cumulative: `Eol` also drops trailing whitespace, `Whitespace` also ignores line
//! endings, `Unicode` also collapses whitespace. Every level keeps one `\n` per raw line break,
//! so line `i` of a view is line `i` of the raw text.
//!
//! Invariant: for a position `p` of the view, `raw_start(p)`/`raw_end(p)` return offsets of the
//! raw text; characters the view dropped never fall inside a mapped region's edges.

use crate::edit::text::lines_inclusive;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Spaces and tabs before a line break are ignored.
    Trailing,
    /// Also, `\r\n` compares equal to `\n`.
    Eol,
    /// Also, every run of spaces and tabs compares equal to one space.
    Whitespace,
    /// Also, typographic look-alikes compare equal to their ASCII forms.
    Unicode,
}

/// How [`View::build`] walks a line: by runs where it can, or always character by character
/// (the reference the fast path is tested against).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pass {
    Runs,
    #[cfg_attr(not(test), allow(dead_code))]
    Chars,
}

/// A normalised copy of some text and the map back to it.
#[derive(Debug, Clone)]
pub struct View {
    pub text: String,
    /// Runs where view and raw advance together: (view offset, raw offset), ascending.
    segs: Vec<(usize, usize)>,
    raw_len: usize,
}

impl View {
    pub fn build(raw: &str, level: Level) -> View {
        View::build_with(raw, level, Pass::Runs)
    }

    fn build_with(raw: &str, level: Level, pass: Pass) -> View {
        let mut b = Builder {
            text: String::with_capacity(raw.len()),
            segs: Vec::new(),
        };
        let mut off = 0;
        let mut pieces: Vec<(usize, &str)> = Vec::new();
        for line in lines_inclusive(raw) {
            let (content, term) = if let Some(c) = line.strip_suffix("\r\n") {
                (c, "\r\n")
            } else if let Some(c) = line.strip_suffix('\n') {
                (c, "\n")
            } else {
                (line, "")
            };
            // Look-alikes are never ASCII, so only such lines need the character-wise pass; the
            // others are copied in runs (the map records runs, so the result is the same).
            if pass == Pass::Chars || (level >= Level::Unicode && !content.is_ascii()) {
                b.chars(off, content, level, &mut pieces);
            } else if level >= Level::Whitespace {
                b.collapsed(off, content);
            } else {
                b.keep(off, content.trim_end_matches([' ', '\t']));
            }
            let term_at = off + content.len();
            match term {
                "\r\n" if level >= Level::Eol => b.keep(term_at + 1, "\n"),
                "" => {}
                t => b.keep(term_at, t),
            }
            off += line.len();
        }
        View {
            text: b.text,
            segs: b.segs,
            raw_len: raw.len(),
        }
    }

    fn seg_index(&self, p: usize) -> Option<usize> {
        match self.segs.binary_search_by(|&(v, _)| v.cmp(&p)) {
            Ok(i) => Some(i),
            Err(0) => None,
            Err(i) => Some(i - 1),
        }
    }

    /// The raw offset where a match starting at view offset `p` starts.
    pub fn raw_start(&self, p: usize) -> usize {
        match self.seg_index(p) {
            Some(i) => {
                let (v, r) = self.segs[i];
                r + (p - v)
            }
            None => 0,
        }
    }

    /// The raw offset where a match ending at view offset `p` (exclusive) ends: the end of the
    /// last kept character, so dropped characters after the match stay outside it.
    pub fn raw_end(&self, p: usize) -> usize {
        if p == 0 {
            return self.raw_start(0);
        }
        match self.seg_index(p - 1) {
            Some(i) => {
                let (v, r) = self.segs[i];
                (r + (p - v)).min(self.raw_len)
            }
            None => 0,
        }
    }
}

struct Builder {
    text: String,
    segs: Vec<(usize, usize)>,
}

impl Builder {
    fn keep(&mut self, raw_at: usize, piece: &str) {
        if piece.is_empty() {
            return;
        }
        let here = self.text.len();
        let in_step = self
            .segs
            .last()
            .is_some_and(|&(v, r)| here - v == raw_at.wrapping_sub(r));
        if !in_step {
            self.segs.push((here, raw_at));
        }
        self.text.push_str(piece);
    }

    /// A line's content (starting at raw offset `off`) with runs of spaces and tabs collapsed to
    /// one space and trailing ones dropped. A lone space is already its own collapsed form, so
    /// text is copied in spans between the runs that change (a tab, or two or more blanks).
    fn collapsed(&mut self, off: usize, content: &str) {
        let content = content.trim_end_matches([' ', '\t']);
        let bytes = content.as_bytes();
        let blank = |c: u8| c == b' ' || c == b'\t';
        let mut span = 0;
        let mut i = 0;
        while i < bytes.len() {
            let changes = bytes[i] == b'\t'
                || (bytes[i] == b' ' && bytes.get(i + 1).copied().is_some_and(blank));
            if !changes {
                i += 1;
                continue;
            }
            self.keep(off + span, &content[span..i]);
            self.keep(off + i, " ");
            while i < bytes.len() && blank(bytes[i]) {
                i += 1;
            }
            span = i;
        }
        self.keep(off + span, &content[span..]);
    }

    /// A line's content normalised character by character (for lines with non-ASCII text).
    fn chars<'a>(
        &mut self,
        off: usize,
        content: &'a str,
        level: Level,
        pieces: &mut Vec<(usize, &'a str)>,
    ) {
        pieces.clear();
        for (i, ch) in content.char_indices() {
            let at = off + i;
            let piece: &str = if level >= Level::Unicode {
                match lookalike(ch) {
                    Some(s) => s,
                    None => &content[i..i + ch.len_utf8()],
                }
            } else {
                &content[i..i + ch.len_utf8()]
            };
            if piece.is_empty() {
                continue;
            }
            let blank = piece == " " || piece == "\t";
            if level >= Level::Whitespace && blank {
                if pieces.last().is_some_and(|(_, p)| *p == " ") {
                    continue;
                }
                pieces.push((at, " "));
            } else {
                pieces.push((at, piece));
            }
        }
        while pieces.last().is_some_and(|(_, p)| *p == " " || *p == "\t") {
            pieces.pop();
        }
        for &(at, piece) in pieces.iter() {
            self.keep(at, piece);
        }
    }
}

/// Text normalised to `level` (for the needle side of a match).
pub fn normalize(text: &str, level: Level) -> String {
    View::build(text, level).text
}

/// Whether the look-alike level replaces `c`.
pub fn is_lookalike(c: char) -> bool {
    lookalike(c).is_some()
}

/// The ASCII form of a typographic look-alike; `Some("")` for invisible characters.
fn lookalike(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '\u{02bc}' => "'",
        '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' => "\"",
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => "-",
        '\u{00a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => " ",
        '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => "",
        '\u{2026}' => "...",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn region(raw: &str, level: Level, needle: &str) -> Option<String> {
        let v = View::build(raw, level);
        let n = normalize(needle, level);
        let p = v.text.find(&n)?;
        Some(raw[v.raw_start(p)..v.raw_end(p + n.len())].to_string())
    }

    #[test]
    fn trailing_whitespace_is_ignored() {
        assert_eq!(
            region("a  \nb\t\n", Level::Trailing, "a\nb\n").as_deref(),
            Some("a  \nb\t\n")
        );
        assert_eq!(
            region("foo  \nx", Level::Trailing, "foo").as_deref(),
            Some("foo")
        );
    }

    #[test]
    fn crlf_compares_equal_to_lf_and_cr_is_not_swallowed() {
        assert_eq!(
            region("x\r\na\r\nb\r\n", Level::Eol, "a\nb\n").as_deref(),
            Some("a\r\nb\r\n")
        );
        assert_eq!(region("foo\r\n", Level::Eol, "foo").as_deref(), Some("foo"));
    }

    #[test]
    fn whitespace_runs_collapse() {
        assert_eq!(
            region("let  x =\t1;\n", Level::Whitespace, "let x = 1;").as_deref(),
            Some("let  x =\t1;")
        );
        assert_eq!(
            region("    if a {\n", Level::Whitespace, "  if a {\n").as_deref(),
            Some("    if a {\n")
        );
    }

    #[test]
    fn lookalikes_normalise() {
        let raw = "say(\u{201c}hi\u{201d}) \u{2014} it\u{2019}s\u{a0}ok\n";
        assert_eq!(
            region(raw, Level::Unicode, "say(\"hi\") - it's ok\n").as_deref(),
            Some(raw)
        );
    }

    #[test]
    fn line_count_is_kept() {
        let raw = "a \r\n\u{200b}\n  b\n";
        let v = View::build(raw, Level::Unicode);
        assert_eq!(v.text, "a\n\n b\n");
    }

    proptest! {
        #[test]
        fn mapped_offsets_stay_in_bounds(raw in "[ a\t\r\n\u{2019}\u{a0}\u{2026}]{0,40}", a in 0usize..50, len in 0usize..50) {
            for level in [Level::Trailing, Level::Eol, Level::Whitespace, Level::Unicode] {
                let v = View::build(&raw, level);
                let s = a.min(v.text.len());
                let e = (s + len).min(v.text.len());
                let (rs, re) = (v.raw_start(s), v.raw_end(e));
                prop_assert!(rs <= raw.len() && re <= raw.len());
                prop_assert!(v.text.matches('\n').count() == raw.matches('\n').count());
            }
        }

        #[test]
        fn runs_build_the_same_view_as_characters(raw in "[ a\t\r\n\u{2019}\u{a0}\u{200b}\u{2026}é]{0,60}") {
            for level in [Level::Trailing, Level::Eol, Level::Whitespace, Level::Unicode] {
                let fast = View::build(&raw, level);
                let slow = View::build_with(&raw, level, Pass::Chars);
                prop_assert_eq!(&fast.text, &slow.text);
                prop_assert_eq!(&fast.segs, &slow.segs);
            }
        }

        #[test]
        fn exact_text_maps_to_itself(raw in "[a-z \n]{0,40}") {
            let v = View::build(&raw, Level::Trailing);
            if !raw.lines().any(|l| l.ends_with(' ')) && !raw.ends_with(' ') {
                prop_assert_eq!(&v.text, &raw);
                prop_assert_eq!(v.raw_end(v.text.len()), raw.len());
            }
        }
    }
}
