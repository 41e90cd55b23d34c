//! Everything that can go wrong talking to a model endpoint, as kinds a person can act on, and the
//! one decision of which kinds are worth another attempt ([`ProviderError::is_retryable`]).
//!
//! Messages never contain the API key: server text is scrubbed of it before it lands in a
//! variant, and the key's variable is named instead. Inner messages are lowercase fragments, and
//! an error from the HTTP stack stays attached as the source; the front end adds hints from
//! [`ProviderError::hints`] and the exit code from [`ProviderError::exit`].

use std::path::PathBuf;
use std::time::Duration;

use super::types::Message;
use crate::exit::Exit;

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

    /// Configuration problems exit 2; everything the server or the network did exits 3.
    pub fn exit(&self) -> Exit {
        match self {
            ProviderError::MissingKey { .. } | ProviderError::BadUrl { .. } => Exit::Usage,
            _ => Exit::Provider,
        }
    }

    /// What the person can do next.
    pub fn hints(&self) -> Vec<String> {
        match self {
            ProviderError::MissingKey {
                provider,
                env,
                config_file,
            } => {
                let mut h = Vec::new();
                if let Some(env) = env {
                    h.push(format!("set {env} (or HONE_API_KEY) to your key"));
                }
                if let Some(f) = config_file {
                    h.push(format!(
                        "or add `api_key = \"…\"` under [providers.{provider}] in {}",
                        f.display()
                    ));
                }
                h
            }
            ProviderError::BadUrl { .. } => {
                vec!["set a full URL such as https://api.deepseek.com with --base-url".into()]
            }
            ProviderError::Setup { .. }
            | ProviderError::Protocol { .. }
            | ProviderError::Status { .. } => {
                vec!["run again with --verbose to see the request".into()]
            }
            ProviderError::Unreachable { .. } | ProviderError::Connection { .. } => {
                vec!["check the network and the base URL (`hone config` shows it); is the server running?".into()]
            }
            ProviderError::BadRequest { .. } | ProviderError::Unprocessable { .. } => {
                vec!["run again with --verbose to see the request body".into()]
            }
            ProviderError::ModelNotFound { available, .. } if !available.is_empty() => {
                vec![format!(
                    "models this provider offers: {}; choose one with --model",
                    available.join(", ")
                )]
            }
            ProviderError::ModelNotFound { .. } => vec!["choose another model with --model".into()],
            ProviderError::ContextLength { .. } => {
                vec!["send less: a shorter prompt, fewer files, or a new conversation".into()]
            }
            ProviderError::Auth { key_env, .. } => {
                let var = key_env.as_deref().unwrap_or("HONE_API_KEY");
                vec![format!(
                    "check the key in {var} (or HONE_API_KEY); `hone config` shows which one is used"
                )]
            }
            ProviderError::Balance { .. } => {
                vec!["top up the account's balance with the provider".into()]
            }
            ProviderError::NotFound { .. } => {
                vec!["check --model and --base-url (`hone config` shows both and where they came from)".into()]
            }
            ProviderError::RateLimited { .. }
            | ProviderError::Server { .. }
            | ProviderError::InsufficientResource => {
                vec!["the provider is busy; try again in a while".into()]
            }
            ProviderError::FirstByteTimeout { .. } => {
                vec!["the server may be overloaded; raise timeouts.first_byte_secs in the config to wait longer".into()]
            }
            ProviderError::IdleTimeout { partial, .. }
            | ProviderError::Dropped { partial, .. }
            | ProviderError::Unfinished { partial } => {
                match partial {
                    Some(_) => vec![
                        "the partial answer above was kept; ask again to get a whole one".into(),
                    ],
                    None => vec![
                        "try again; raise timeouts.idle_secs in the config if this repeats".into(),
                    ],
                }
            }
            ProviderError::NotAnApi { .. } => {
                vec!["is --base-url the API root (often ending in /v1)?".into()]
            }
            ProviderError::EmptyAnswer => vec![
                "the server's own log may say why it sent nothing; try again, or another model with --model".into(),
            ],
            ProviderError::TooLong { .. } => vec![
                "raise max_answer_mb in the config file if an answer this long is meant".into(),
            ],
            ProviderError::InStream { partial, .. } => match partial {
                Some(_) => vec!["the partial answer above was kept".into()],
                None => Vec::new(),
            },
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
