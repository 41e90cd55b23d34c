//! A file's bytes as editable text, and back: the UTF-8 BOM is split off, the dominant line
//! ending is recorded, and binary or non-UTF-8 content is refused before anything edits it.
//!
//! Invariant: `decode(b)?.0.into_bytes() == b` for every accepted `b` — decoding never
//! rewrites (or copies) a byte, so every byte outside an edited region survives.

use super::error::EditError;

const BOM: &str = "\u{feff}";

/// A file's dominant line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eol {
    Lf,
    CrLf,
}

impl Eol {
    pub fn as_str(self) -> &'static str {
        match self {
            Eol::Lf => "\n",
            Eol::CrLf => "\r\n",
        }
    }

    /// The dominant ending of `text`: CRLF when most line breaks are CRLF, LF otherwise
    /// (also for text with no line break at all).
    pub fn detect(text: &str) -> Eol {
        let lf = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let crlf = memchr::memmem::find_iter(text.as_bytes(), b"\r\n").count();
        if crlf > 0 && crlf * 2 >= lf {
            Eol::CrLf
        } else {
            Eol::Lf
        }
    }
}

/// The lines of `text`, each with its `\n` (the last one without, if the text lacks a final
/// newline): `str::split_inclusive('\n')`, found with `memchr`'s vectorised search, which is
/// several times faster on the short lines of source code.
pub fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let ends = memchr::memchr_iter(b'\n', text.as_bytes())
        .map(|i| i + 1)
        .chain((!text.ends_with('\n') && !text.is_empty()).then_some(text.len()));
    let mut at = 0;
    ends.map(move |end| {
        let line = &text[at..end];
        at = end;
        line
    })
}

/// Text a model wrote, with its line breaks turned into `eol`.
pub fn with_eol(text: &str, eol: Eol) -> String {
    let lf = text.replace("\r\n", "\n");
    match eol {
        Eol::Lf => lf,
        Eol::CrLf => lf.replace('\n', "\r\n"),
    }
}

/// The decoded content of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileText {
    pub bom: bool,
    /// Everything after the BOM, byte for byte.
    pub body: String,
}

/// Checks a file's bytes the way every edit needs them and turns them into text without copying:
/// refuses binary (a NUL byte in the first 8000 bytes, git's heuristic) and invalid UTF-8.
/// Returns the whole content, byte for byte (a BOM included), and the length of its BOM (0 or 3).
pub fn decode(path: &str, bytes: Vec<u8>) -> Result<(String, usize), EditError> {
    let head = &bytes[..bytes.len().min(8000)];
    if memchr::memchr(0, head).is_some() {
        return Err(EditError::Binary {
            path: path.to_string(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| EditError::NotUtf8 {
        path: path.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    let bom = if text.starts_with(BOM) { BOM.len() } else { 0 };
    Ok((text, bom))
}

impl FileText {
    /// Text a model sent as a file's whole content; a leading BOM character becomes the BOM.
    pub fn from_model(content: &str) -> FileText {
        match content.strip_prefix(BOM) {
            Some(body) => FileText {
                bom: true,
                body: body.to_string(),
            },
            None => FileText {
                bom: false,
                body: content.to_string(),
            },
        }
    }

    /// The file's whole content: the BOM, then the body.
    pub fn into_content(self) -> String {
        if !self.bom {
            return self.body;
        }
        let mut out = String::with_capacity(BOM.len() + self.body.len());
        out.push_str(BOM);
        out.push_str(&self.body);
        out
    }

    /// New whole content for this file that keeps its conventions: line endings, BOM, and the
    /// presence or absence of a final newline. An empty file has no convention to keep.
    #[cfg(test)]
    pub fn conform(&self, content: &str) -> FileText {
        conform(self.bom, &self.body, content)
    }
}

/// New whole content for a file with `body` (after a BOM when `bom`) that keeps its
/// conventions: line endings, BOM, and the presence or absence of a final newline. An empty
/// file has no convention to keep.
pub fn conform(bom: bool, body: &str, content: &str) -> FileText {
    let mut new = FileText::from_model(content);
    if body.is_empty() {
        return FileText {
            bom: new.bom || bom,
            body: new.body,
        };
    }
    let eol = Eol::detect(body);
    let mut out = with_eol(&new.body, eol);
    let had_final = body.ends_with('\n');
    if !out.is_empty() {
        let has_final = out.ends_with('\n');
        if had_final && !has_final {
            out.push_str(eol.as_str());
        } else if !had_final && has_final {
            let cut = out.len() - if out.ends_with("\r\n") { 2 } else { 1 };
            out.truncate(cut);
        }
    }
    new.body = out;
    new.bom = bom;
    new
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_binary_and_bad_utf8() {
        assert!(matches!(
            decode("a", b"ab\0c".to_vec()),
            Err(EditError::Binary { .. })
        ));
        let e = decode("a", b"ok\xff".to_vec()).unwrap_err();
        assert!(matches!(e, EditError::NotUtf8 { offset: 2, .. }), "{e}");
    }

    #[test]
    fn bom_is_split_and_restored() {
        let bytes = "\u{feff}x\r\n".as_bytes();
        let (content, bom) = decode("a", bytes.to_vec()).unwrap();
        assert_eq!((&content[bom..], bom), ("x\r\n", 3));
        assert_eq!(content.as_bytes(), bytes);
        let t = FileText::from_model(&content);
        assert!(t.bom);
        assert_eq!(t.into_content().as_bytes(), bytes);
    }

    #[test]
    fn eol_detection() {
        assert_eq!(Eol::detect("a\r\nb\r\n"), Eol::CrLf);
        assert_eq!(Eol::detect("a\nb\n"), Eol::Lf);
        assert_eq!(Eol::detect("a"), Eol::Lf);
        assert_eq!(Eol::detect("a\r\nb\nc\r\n"), Eol::CrLf);
    }

    #[test]
    fn conform_keeps_conventions() {
        let crlf_no_final = FileText {
            bom: true,
            body: "a\r\nb".into(),
        };
        let c = crlf_no_final.conform("x\ny\n");
        assert_eq!(
            c,
            FileText {
                bom: true,
                body: "x\r\ny".into()
            }
        );
        let lf_final = FileText {
            bom: false,
            body: "a\n".into(),
        };
        assert_eq!(lf_final.conform("x\r\ny").body, "x\ny\n");
        let empty = FileText {
            bom: false,
            body: String::new(),
        };
        assert_eq!(empty.conform("x").body, "x");
        assert_eq!(lf_final.conform("").body, "");
    }

    proptest! {
        #[test]
        fn lines_inclusive_is_split_inclusive(text in "[a\r\n]{0,20}") {
            let fast: Vec<&str> = lines_inclusive(&text).collect();
            let slow: Vec<&str> = text.split_inclusive('\n').collect();
            prop_assert_eq!(fast, slow);
        }

        #[test]
        fn decode_encode_roundtrip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok((content, _)) = decode("p", bytes.clone()) {
                prop_assert_eq!(content.into_bytes(), bytes);
            }
        }
    }
}
