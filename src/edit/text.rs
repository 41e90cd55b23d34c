//! A file's bytes as editable text, and back: the UTF-8 BOM is split off, the dominant line
//! ending is recorded, and binary or non-UTF-8 content is refused before anything edits it.
//!
//! Invariant: `FileText::decode(b)?.encode() == b` for every accepted `b` — decoding never
//! rewrites a byte, so every byte outside an edited region survives.

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

impl FileText {
    /// Decodes `bytes`, refusing binary (a NUL byte in the first 8000 bytes, git's heuristic)
    /// and invalid UTF-8.
    pub fn decode(path: &str, bytes: &[u8]) -> Result<FileText, EditError> {
        let head = &bytes[..bytes.len().min(8000)];
        if memchr::memchr(0, head).is_some() {
            return Err(EditError::Binary {
                path: path.to_string(),
            });
        }
        let text = std::str::from_utf8(bytes).map_err(|e| EditError::NotUtf8 {
            path: path.to_string(),
            offset: e.valid_up_to(),
        })?;
        Ok(match text.strip_prefix(BOM) {
            Some(body) => FileText {
                bom: true,
                body: body.to_string(),
            },
            None => FileText {
                bom: false,
                body: text.to_string(),
            },
        })
    }

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

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM.as_bytes());
        }
        out.extend_from_slice(self.body.as_bytes());
        out
    }

    pub fn eol(&self) -> Eol {
        Eol::detect(&self.body)
    }

    /// New whole content for this file that keeps its conventions: line endings, BOM, and the
    /// presence or absence of a final newline. An empty file has no convention to keep.
    pub fn conform(&self, content: &str) -> FileText {
        let mut new = FileText::from_model(content);
        if self.body.is_empty() {
            return FileText {
                bom: new.bom || self.bom,
                body: new.body,
            };
        }
        let eol = self.eol();
        let mut body = with_eol(&new.body, eol);
        let had_final = self.body.ends_with('\n');
        if !body.is_empty() {
            let has_final = body.ends_with('\n');
            if had_final && !has_final {
                body.push_str(eol.as_str());
            } else if !had_final && has_final {
                let cut = body.len() - if body.ends_with("\r\n") { 2 } else { 1 };
                body.truncate(cut);
            }
        }
        new.body = body;
        new.bom = self.bom;
        new
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn refuses_binary_and_bad_utf8() {
        assert!(matches!(
            FileText::decode("a", b"ab\0c"),
            Err(EditError::Binary { .. })
        ));
        let e = FileText::decode("a", b"ok\xff").unwrap_err();
        assert!(matches!(e, EditError::NotUtf8 { offset: 2, .. }), "{e}");
    }

    #[test]
    fn bom_is_split_and_restored() {
        let bytes = "\u{feff}x\r\n".as_bytes();
        let t = FileText::decode("a", bytes).unwrap();
        assert!(t.bom);
        assert_eq!(t.body, "x\r\n");
        assert_eq!(t.encode(), bytes);
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
        fn decode_encode_roundtrip(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok(t) = FileText::decode("p", &bytes) {
                prop_assert_eq!(t.encode(), bytes);
            }
        }
    }
}
