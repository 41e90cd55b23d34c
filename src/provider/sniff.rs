//! What the body of a 2xx answer is: an event stream, a whole JSON response, or something no
//! Chat Completions endpoint sends (the HTML page of a site's root or a proxy's welcome page,
//! reached through a `--base-url` that is not the API's). Decided from the `Content-Type` and,
//! when that leaves it open, from the body's first line. Pure: `client` reads the bytes.
//!
//! Lenient where real servers differ: `text/event-stream` with or without a charset (llama.cpp,
//! vLLM, Ollama), and no `Content-Type` at all, are read as an event stream unless the body
//! opens with markup. Only a type that names something else (`text/html`, or `text/plain` whose
//! body looks like neither SSE nor JSON) is refused, so a wrong URL fails at once instead of
//! being retried as a dropped stream.

/// What the `Content-Type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// `text/event-stream` (any parameters).
    EventStream,
    /// `application/json` or any `…+json`.
    Json,
    /// `text/html` or `application/xhtml+xml`: a web page.
    Page,
    /// Another type: the body decides.
    Other,
    /// No `Content-Type`: tried as an event stream unless the body opens with markup.
    Missing,
}

/// What the body turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    EventStream,
    Json,
    NotAnApi,
}

/// Reads a `Content-Type` header value.
pub fn declared(content_type: Option<&str>) -> Declared {
    let Some(ct) = content_type else {
        return Declared::Missing;
    };
    let essence = ct
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match essence.as_str() {
        "" => Declared::Missing,
        "text/event-stream" => Declared::EventStream,
        "application/json" => Declared::Json,
        e if e.ends_with("+json") => Declared::Json,
        "text/html" | "application/xhtml+xml" => Declared::Page,
        _ => Declared::Other,
    }
}

/// Whether `head` holds enough of the body to [`sniff`] it: its first non-blank line, or 256
/// bytes.
pub fn enough(head: &[u8]) -> bool {
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    head.len() >= 256 || head[start..].contains(&b'\n')
}

/// The kind of a body whose `Content-Type` was `Other` or `Missing`, from its first bytes.
pub fn sniff(declared: Declared, head: &[u8]) -> Body {
    let text = String::from_utf8_lossy(head);
    let line = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .lines()
        .next()
        .unwrap_or("");
    let sse = ["data", "event", "id", "retry", ":"]
        .iter()
        .any(|f| line.starts_with(f));
    if line.starts_with('<') {
        Body::NotAnApi
    } else if line.starts_with('{') {
        Body::Json
    } else if sse || line.is_empty() || declared == Declared::Missing {
        // An empty body, or an unlabelled one, goes to the stream reader, whose own errors
        // (a stream with no answer) are the more precise ones.
        Body::EventStream
    } else {
        Body::NotAnApi
    }
}

/// Whether a body that was meant to be JSON is a page instead.
pub fn is_markup(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with('<')
}

/// The first 100 characters of a body for an error message: control characters (escape
/// sequences included) dropped, runs of whitespace folded into one space.
pub fn start(text: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut space = false;
    let mut more = false;
    for c in text.trim_start_matches('\u{feff}').chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control() {
            continue;
        }
        if n + usize::from(space) >= 100 {
            more = true;
            break;
        }
        if space {
            out.push(' ');
            n += 1;
            space = false;
        }
        out.push(c);
        n += 1;
    }
    if more {
        out.push('…');
    }
    if out.is_empty() {
        "(an empty body)".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn content_types_real_servers_send() {
        for ct in [
            "text/event-stream",
            "text/event-stream; charset=utf-8",
            "Text/Event-Stream;charset=UTF-8",
        ] {
            assert_eq!(declared(Some(ct)), Declared::EventStream, "{ct}");
        }
        assert_eq!(declared(Some("application/json")), Declared::Json);
        assert_eq!(
            declared(Some("application/problem+json; charset=utf-8")),
            Declared::Json
        );
        assert_eq!(declared(Some("text/html; charset=utf-8")), Declared::Page);
        assert_eq!(declared(Some("text/plain")), Declared::Other);
        assert_eq!(declared(None), Declared::Missing);
        assert_eq!(declared(Some(" ")), Declared::Missing);
    }

    #[test]
    fn bodies_by_their_first_line() {
        let nginx = b"<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>";
        assert_eq!(sniff(Declared::Other, nginx), Body::NotAnApi);
        assert_eq!(sniff(Declared::Missing, nginx), Body::NotAnApi);
        assert_eq!(sniff(Declared::Other, b"\n\ndata: {}\n"), Body::EventStream);
        assert_eq!(sniff(Declared::Other, b": keep-alive\n"), Body::EventStream);
        assert_eq!(sniff(Declared::Other, b"{\"choices\": []}"), Body::Json);
        assert_eq!(sniff(Declared::Other, b"Hello, world!\n"), Body::NotAnApi);
        assert_eq!(
            sniff(Declared::Missing, b"Hello, world!\n"),
            Body::EventStream
        );
        assert_eq!(sniff(Declared::Other, b""), Body::EventStream);
        assert!(!enough(b"\n\n  "));
        assert!(!enough(b"\n<!DOCTYPE"));
        assert!(enough(b"\n<!DOCTYPE html>\n"));
        assert!(enough(&[b'x'; 256]));
        assert!(is_markup("\u{feff}  <html>") && !is_markup("{}"));
    }

    #[test]
    fn the_start_of_a_body_is_folded_and_cut() {
        assert_eq!(
            start("<!DOCTYPE html>\n<html>\n  <head>\u{1b}[31m"),
            "<!DOCTYPE html> <html> <head>[31m"
        );
        let long = "x".repeat(150);
        assert_eq!(start(&long), format!("{}…", "x".repeat(100)));
        assert_eq!(start(" \n\t"), "(an empty body)");
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC{0,300}", ct in "\\PC{0,40}") {
            let d = declared(Some(&ct));
            let _ = sniff(d, s.as_bytes());
            let _ = enough(s.as_bytes());
            let out = start(&s);
            prop_assert!(out.chars().count() <= 101, "{out}");
            prop_assert!(!out.chars().any(char::is_control));
        }
    }
}
