//! Server-sent events: bytes as they arrive → the `data` of each event, in time linear in the
//! stream's length however it is split, and within a byte budget.
//!
//! Why not a crate: `eventsource-stream` re-parses its whole pending buffer on every chunk, so
//! one large event costs the square of its size (a 10 MB event took 17–28 s to read);
//! `sse-stream` refuses fields it does not know and ends an event early when a CRLF is split
//! across two chunks. What Chat Completions needs of the format is small: the WHATWG rules for
//! lines (LF, CR or CRLF), `data:` fields joined by newlines, an empty line dispatching, comments
//! (`:` keep-alives) and other fields ignored.
//!
//! Invariant: every byte is looked at a constant number of times; a line or an event longer than
//! the budget is refused as soon as it passes it, never buffered further.
//! Spec: <https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation>

/// Why the decoder stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    /// The stream passed the byte budget (`limit`) before it ended.
    #[error("the answer passed {limit} bytes")]
    TooLong { limit: u64 },
    /// An event's data was not UTF-8; `offset` is the first bad byte within the stream.
    #[error("the stream is not UTF-8 (bad byte at offset {offset})")]
    NotUtf8 { offset: u64 },
}

/// An incremental decoder. Feed chunks with [`Decoder::push`], then call [`Decoder::finish`].
#[derive(Debug)]
pub struct Decoder {
    /// The current line, not yet ended.
    line: Vec<u8>,
    /// The current event's data lines, joined with `\n`.
    data: Vec<u8>,
    /// Whether a `data` field was seen in the current event (it may be empty).
    has_data: bool,
    /// The last byte seen was a CR: an LF right after it ends nothing more.
    after_cr: bool,
    /// Bytes consumed so far.
    seen: u64,
    /// Where the current line starts in the stream.
    line_start: u64,
    limit: u64,
}

impl Decoder {
    /// A decoder that refuses a stream longer than `limit` bytes.
    pub fn new(limit: u64) -> Decoder {
        Decoder {
            line: Vec::new(),
            data: Vec::new(),
            has_data: false,
            after_cr: false,
            seen: 0,
            line_start: 0,
            limit,
        }
    }

    /// Decodes `chunk`, calling `on_event` with each complete event's data.
    pub fn push(&mut self, chunk: &[u8], on_event: &mut dyn FnMut(String)) -> Result<(), SseError> {
        if self.seen.saturating_add(chunk.len() as u64) > self.limit {
            return Err(SseError::TooLong { limit: self.limit });
        }
        let mut rest = chunk;
        while !rest.is_empty() {
            if self.after_cr {
                self.after_cr = false;
                if rest[0] == b'\n' {
                    rest = &rest[1..];
                    self.seen += 1;
                    self.line_start = self.seen;
                    continue;
                }
            }
            match memchr::memchr2(b'\n', b'\r', rest) {
                Some(i) => {
                    self.line.extend_from_slice(&rest[..i]);
                    self.after_cr = rest[i] == b'\r';
                    self.seen += i as u64 + 1;
                    rest = &rest[i + 1..];
                    self.end_line(on_event)?;
                    self.line_start = self.seen;
                }
                None => {
                    self.line.extend_from_slice(rest);
                    self.seen += rest.len() as u64;
                    rest = &[];
                }
            }
        }
        Ok(())
    }

    /// Ends the stream: an event not closed by an empty line is dispatched, as most clients
    /// do (the spec drops it, but a server that closes after its last `data:` line meant it).
    pub fn finish(&mut self, on_event: &mut dyn FnMut(String)) -> Result<(), SseError> {
        self.after_cr = false;
        if !self.line.is_empty() {
            self.end_line(on_event)?;
        }
        self.dispatch(on_event)
    }

    fn end_line(&mut self, on_event: &mut dyn FnMut(String)) -> Result<(), SseError> {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            return self.dispatch(on_event);
        }
        let (field, value) = match memchr::memchr(b':', &line) {
            Some(0) => return self.reuse(line), // a comment: `: keep-alive`
            Some(i) => {
                let v = &line[i + 1..];
                (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
            }
            None => (&line[..], &[][..]),
        };
        if field == b"data" {
            if let Err(e) = std::str::from_utf8(value) {
                let at = line.len() - value.len() + e.valid_up_to();
                return Err(SseError::NotUtf8 {
                    offset: self.line_start + at as u64,
                });
            }
            if self.has_data {
                self.data.push(b'\n');
            }
            self.data.extend_from_slice(value);
            self.has_data = true;
        }
        // `event`, `id`, `retry` and unknown fields mean nothing to Chat Completions.
        self.reuse(line)
    }

    /// Keeps the line's allocation for the next line: a stream of small events allocates once.
    fn reuse(&mut self, mut line: Vec<u8>) -> Result<(), SseError> {
        line.clear();
        self.line = line;
        Ok(())
    }

    fn dispatch(&mut self, on_event: &mut dyn FnMut(String)) -> Result<(), SseError> {
        if !self.has_data {
            return Ok(());
        }
        self.has_data = false;
        let data = std::mem::take(&mut self.data);
        // Each data line was checked as it ended, and `\n` joins keep UTF-8 whole.
        match String::from_utf8(data) {
            Ok(s) => {
                on_event(s);
                Ok(())
            }
            Err(_) => Err(SseError::NotUtf8 {
                offset: self.line_start,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(chunks: &[&[u8]], limit: u64) -> Result<Vec<String>, SseError> {
        let mut out = Vec::new();
        let mut d = Decoder::new(limit);
        for c in chunks {
            d.push(c, &mut |e| out.push(e))?;
        }
        d.finish(&mut |e| out.push(e))?;
        Ok(out)
    }

    #[test]
    fn events_comments_and_line_endings() {
        let s = b": keep-alive\r\n\r\ndata: {\"a\":1}\n\ndata:x\rdata: y\r\n\r\nevent: ping\nid: 3\nretry: 9\nfoo\n\ndata: [DONE]\n\n";
        assert_eq!(
            decode(&[s], u64::MAX).unwrap(),
            vec!["{\"a\":1}", "x\ny", "[DONE]"]
        );
    }

    #[test]
    fn a_crlf_split_across_chunks_is_one_line_end() {
        let got = decode(&[b"data: a\r", b"\ndata: b\r", b"\n\r", b"\n"], u64::MAX).unwrap();
        assert_eq!(got, vec!["a\nb"]);
    }

    #[test]
    fn an_unclosed_last_event_is_kept() {
        assert_eq!(decode(&[b"data: end"], u64::MAX).unwrap(), vec!["end"]);
    }

    #[test]
    fn the_budget_is_enforced_before_buffering() {
        let big = vec![b'x'; 100];
        assert_eq!(
            decode(&[b"data: ", &big], 50),
            Err(SseError::TooLong { limit: 50 })
        );
        assert!(decode(&[b"data: ", &big], 200).is_ok());
    }

    #[test]
    fn bad_utf8_names_its_offset() {
        assert_eq!(
            decode(&[b"data: ok\n\ndata: a\xffb\n\n"], u64::MAX),
            Err(SseError::NotUtf8 { offset: 17 })
        );
    }

    #[test]
    fn a_large_event_is_read_in_linear_time() {
        // 10 MB in 1 KB chunks: quadratic work would take minutes, linear takes milliseconds.
        let payload = vec![b'x'; 10 << 20];
        let mut d = Decoder::new(u64::MAX);
        let mut got = 0;
        d.push(b"data: ", &mut |_| {}).unwrap();
        for c in payload.chunks(1024) {
            d.push(c, &mut |_| {}).unwrap();
        }
        d.push(b"\n\n", &mut |e| got = e.len()).unwrap();
        assert_eq!(got, 10 << 20);
    }

    proptest! {
        #[test]
        fn any_split_gives_the_same_events(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(b'\r'), Just(b':'), Just(b' '), Just(b'd'),
                            Just(b'a'), Just(b't'), any::<u8>()], 0..200),
            cuts in proptest::collection::vec(0usize..200, 0..8),
        ) {
            let whole = decode(&[&bytes], u64::MAX);
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(bytes.len())).collect();
            cuts.sort_unstable();
            let mut chunks: Vec<&[u8]> = Vec::new();
            let mut at = 0;
            for c in cuts {
                chunks.push(&bytes[at..c]);
                at = c;
            }
            chunks.push(&bytes[at..]);
            let split = decode(&chunks, u64::MAX);
            prop_assert_eq!(whole.is_ok(), split.is_ok());
            if let (Ok(a), Ok(b)) = (whole, split) {
                prop_assert_eq!(a, b);
            }
        }
    }
}
