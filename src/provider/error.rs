//! Everything that can go wrong talking to a model endpoint, as kinds a person can act on, and the
//! one decision of which kinds are worth another attempt ([`ProviderError::is_retryable`]).
//!
//! Messages never contain the API key: server text is scrubbed of it before it lands in a
//! variant, and the key's variable is named instead. Inner messages are lowercase fragments, and
//! an error from the HTTP stack stays attached as the source. Exit codes and hints (which name
//! the front end's flags) are the front end's to add, from the kind.

use std::path::PathBuf;
use std::time::Duration;

use super::types::Message;

/// A failed request.
#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    #[error("no API key for provider `{provider}`")]
    MissingKey {
        provider: String,
        env: Option<String>,
        config_file: Option<PathBuf>,
    },
    #[error("invalid base URL `{url}`")]
    BadUrl { url: String },
    #[error("could not set up the HTTP client")]
    Setup {
        #[source]
        source: reqwest::Error,
    },
    /// No connection could be made (refused, no such host, TLS failure): not retried, since a
    /// server that is not running will not start in the next few seconds.
    #[error("could not connect to {url}")]
    Unreachable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    /// The connection broke (reset, closed before the response, connect timed out): retried.
    #[error("the connection to {url} failed")]
    Connection {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("{url} rejected the request (400): {message}")]
    BadRequest { url: String, message: String },
    #[error("the model `{model}` does not exist at {url}: {message}")]
    ModelNotFound {
        model: String,
        url: String,
        message: String,
        /// The models the server lists (`GET /models`), or the preset's when it lists none.
        available: Vec<String>,
    },
    #[error("the request is longer than the model's context window: {message}")]
    ContextLength { message: String },
    #[error("the API key was refused ({status}): {message}")]
    Auth {
        status: u16,
        message: String,
        key_env: Option<String>,
    },
    #[error("the account has no balance left (402): {message}")]
    Balance { message: String },
    #[error("{url} answered 404 for model `{model}`: {message}")]
    NotFound {
        url: String,
        model: String,
        message: String,
    },
    #[error("the server could not process the request (422): {message}")]
    Unprocessable { message: String },
    #[error("rate limited (429): {message}")]
    RateLimited {
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("the server failed ({status}): {message}")]
    Server {
        status: u16,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("unexpected answer ({status}): {message}")]
    Status { status: u16, message: String },
    #[error("no answer within {}s of sending the request", after.as_secs_f64())]
    FirstByteTimeout { after: Duration },
    #[error("the answer stalled: nothing for {}s", after.as_secs_f64())]
    IdleTimeout {
        after: Duration,
        partial: Option<Box<Message>>,
    },
    /// Reading the answer failed part-way (the connection reset or closed, a read timed out);
    /// the transport's error is kept as the source.
    #[error("the answer was cut off before it finished{}", if source.is_timeout() { ": reading it timed out" } else { "" })]
    Dropped {
        #[source]
        source: reqwest::Error,
        partial: Option<Box<Message>>,
    },
    /// The stream ended cleanly but early: no `data: [DONE]` and no finish reason.
    #[error(
        "the answer was cut off before it finished: the stream ended with neither [DONE] nor a finish reason"
    )]
    Unfinished { partial: Option<Box<Message>> },
    #[error(
        "the server ran short of resources and dropped the answer (insufficient_system_resource)"
    )]
    InsufficientResource,
    #[error("the server reported an error in the stream: {message}")]
    InStream {
        message: String,
        code: Option<String>,
        partial: Option<Box<Message>>,
    },
    #[error("the server sent something that is not a Chat Completions stream: {message}")]
    Protocol { message: String },
    /// A 2xx whose body is a web page or other text, not an event stream or JSON: the URL is
    /// most likely not the API's (a site's root, a proxy's welcome page). Asking again gets the
    /// same page.
    #[error(
        "{url} answered {status} with {content_type}, not a Chat Completions {expected}: {start}"
    )]
    NotAnApi {
        url: String,
        status: u16,
        /// The `Content-Type` as sent, or `no content type`.
        content_type: String,
        /// `event stream` or `JSON response`.
        expected: &'static str,
        /// The body's first characters, control characters and runs of spaces folded.
        start: String,
    },
    /// The stream passed the cap on one answer (`max_answer_mb`): a server that streams forever
    /// is cut off. Asking again would stream as much again.
    #[error("the answer passed the limit of {} MiB and was cut off", limit >> 20)]
    TooLong {
        limit: u64,
        partial: Option<Box<Message>>,
    },
    /// `data: [DONE]` with no choice, text, tool call or finish reason before it: servers do
    /// this when generation failed on their side (a model that did not load, a worker that
    /// died), and another attempt often succeeds.
    #[error("the server ended the stream without sending an answer")]
    EmptyAnswer,
}

impl ProviderError {
    /// Whether another attempt may succeed. A cut that came after text was shown is not retried:
    /// the person has seen the partial answer, and a second answer would not continue it.
    pub fn is_retryable(&self) -> bool {
        match self {
            ProviderError::Connection { .. }
            | ProviderError::RateLimited { .. }
            | ProviderError::InsufficientResource
            | ProviderError::EmptyAnswer => true,
            ProviderError::Server { status, .. } => *status != 501 && *status != 505,
            ProviderError::IdleTimeout { partial, .. }
            | ProviderError::Dropped { partial, .. }
            | ProviderError::Unfinished { partial } => partial.is_none(),
            ProviderError::MissingKey { .. }
            | ProviderError::BadUrl { .. }
            | ProviderError::Setup { .. }
            | ProviderError::Unreachable { .. }
            | ProviderError::BadRequest { .. }
            | ProviderError::ModelNotFound { .. }
            | ProviderError::ContextLength { .. }
            | ProviderError::Auth { .. }
            | ProviderError::Balance { .. }
            | ProviderError::NotFound { .. }
            | ProviderError::Unprocessable { .. }
            | ProviderError::Status { .. }
            // The first-byte limit is long (minutes): a server that stayed silent that long is
            // not helped by asking again, and a second wait would double it.
            | ProviderError::FirstByteTimeout { .. }
            | ProviderError::InStream { .. }
            | ProviderError::TooLong { .. }
            | ProviderError::Protocol { .. }
            | ProviderError::NotAnApi { .. } => false,
        }
    }

    /// The wait the server asked for, if any.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::RateLimited { retry_after, .. }
            | ProviderError::Server { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The part of the answer that was shown before the failure, if any.
    pub fn partial(&self) -> Option<&Message> {
        match self {
            ProviderError::IdleTimeout { partial, .. }
            | ProviderError::Dropped { partial, .. }
            | ProviderError::Unfinished { partial }
            | ProviderError::InStream { partial, .. }
            | ProviderError::TooLong { partial, .. } => partial.as_deref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;
    use std::io::{Read as _, Write as _};

    /// The error of reading a body from a local server that sends its headers and part of the
    /// body, then closes the connection (`close`) or goes quiet past the client's timeout.
    fn body_error(close: bool) -> reqwest::Error {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let _ = conn.read(&mut [0u8; 4096]);
            let _ = conn.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npart");
            if !close {
                std::thread::sleep(Duration::from_secs(2));
            }
        });
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let resp = http.get(format!("http://{addr}/")).send().await.unwrap();
            resp.text().await.unwrap_err()
        })
    }

    #[test]
    fn a_dropped_answer_keeps_the_transport_error_as_its_source() {
        let e = ProviderError::Dropped {
            source: body_error(true),
            partial: None,
        };
        assert!(e.source().is_some(), "{e:?}");
        assert_eq!(e.to_string(), "the answer was cut off before it finished");

        let source = body_error(false);
        assert!(source.is_timeout(), "{source:?}");
        let e = ProviderError::Dropped {
            source,
            partial: None,
        };
        assert!(e.source().is_some(), "{e:?}");
        assert_eq!(
            e.to_string(),
            "the answer was cut off before it finished: reading it timed out"
        );
    }

    #[test]
    fn cut_after_text_is_not_retried() {
        let partial = Some(Box::new(Message::assistant(
            Some("half".into()),
            None,
            vec![],
        )));
        assert!(ProviderError::Unfinished { partial: None }.is_retryable());
        assert!(!ProviderError::Unfinished { partial }.is_retryable());
    }

    #[test]
    fn server_errors_are_retried_but_not_unimplemented() {
        let s = |status| ProviderError::Server {
            status,
            message: String::new(),
            retry_after: None,
        };
        assert!(s(503).is_retryable());
        assert!(!s(501).is_retryable());
    }
}
