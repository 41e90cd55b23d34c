//! The HTTP client: sends a [`ChatRequest`], reads the SSE stream into events, and retries
//! transient failures within one budget.
//!
//! Timeouts: a long one from sending the request to the first event of the answer (DeepSeek
//! holds requests for minutes under load, sending only `:` keep-alive comments, which do not
//! count as events), then an idle limit between events. Dropping the future returned by
//! [`Client::complete`] drops the connection, which cancels the request. Invariant: the key goes
//! only into the `Authorization` header (marked sensitive), never into an error or a log line.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use futures_util::StreamExt as _;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;
use tokio::time::{Instant, timeout_at};

use super::body::{self, Wire};
use super::error::ProviderError;
use super::retry;
use super::sniff;

mod models;
use super::sse::{Decoder, SseError};
use super::status::{self, Ctx};
use super::stream::{Assembler, Fault};
use super::types::{ChatRequest, Completion, StreamEvent};
use crate::config::{Config, ReasoningFormat, RetryPolicy, Secret, Timeouts};

/// Where request bodies go for `--verbose`, once a front end says so. Process-wide, like a
/// tracing subscriber: the provider never prints, and the agent that owns the client need not
/// carry a debug switch through every layer.
static BODY_LOG: OnceLock<fn(&str, &str)> = OnceLock::new();

/// Has every request sent from now on passed to `log` before it is sent: where it goes with its
/// authorization masked (`POST URL (authorization: Bearer ****cdef)`), and the whole JSON body,
/// scrubbed of the key and cut at [`body::LOG_CAP`] bytes. The first call wins.
pub fn log_request_bodies(log: fn(&str, &str)) {
    let _ = BODY_LOG.set(log);
}

/// A client for one provider and model.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    wire: Wire,
    url: String,
    models_url: String,
    key: Option<Secret>,
    key_env: Option<String>,
    known_models: Vec<String>,
    reasoning: ReasoningFormat,
    timeouts: Timeouts,
    retry: RetryPolicy,
    /// The most one answer's stream may carry (`max_answer_mb`).
    max_answer_bytes: u64,
}

impl Client {
    /// Checks the settings a request needs (a key where one is required, a usable URL) and
    /// builds the HTTP client. Does not touch the network.
    pub fn new(cfg: &Config) -> Result<Client, ProviderError> {
        let p = &cfg.provider;
        if p.key_required && cfg.api_key.is_none() {
            return Err(ProviderError::MissingKey {
                provider: p.name.clone(),
                env: p.key_env.clone(),
                config_file: cfg.files.user.clone(),
            });
        }
        let url = cfg.chat_url();
        match reqwest::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => {
                return Err(ProviderError::BadUrl {
                    url: p.base_url.clone(),
                });
            }
        }
        // reqwest is built without a default crypto provider; ring is the one linked in. A
        // second call finds it installed, which is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.timeouts.connect)
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(concat!("hone/", env!("CARGO_PKG_VERSION")))
            // All retries happen in `complete`, within one budget.
            .retry(reqwest::retry::never())
            .build()
            .map_err(|source| ProviderError::Setup { source })?;
        Ok(Client {
            http,
            wire: Wire::from_config(cfg),
            models_url: format!("{}/models", p.base_url.trim_end_matches('/')),
            url,
            key: cfg.api_key.clone(),
            key_env: p.key_env.clone(),
            known_models: p.models.clone(),
            reasoning: p.reasoning,
            timeouts: cfg.timeouts,
            retry: cfg.retry,
            max_answer_bytes: u64::from(cfg.max_answer_mb) << 20,
        })
    }

    /// The body sent for `req`, exactly (the key travels in a header, not here).
    pub fn request_body(&self, req: &ChatRequest) -> Value {
        self.wire.body(req)
    }

    /// The Chat Completions URL requests go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The model asked.
    pub fn model(&self) -> &str {
        &self.wire.model
    }

    /// The `Authorization` header as a log may show it.
    pub fn auth_for_log(&self) -> String {
        match &self.key {
            Some(k) => format!("Bearer {}", k.masked()),
            None => "(none)".to_string(),
        }
    }

    /// Sends `req` and streams the answer into `on_event`, retrying transient failures.
    pub async fn complete(
        &self,
        req: &ChatRequest,
        on_event: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<Completion, ProviderError> {
        let body =
            serde_json::to_vec(&self.request_body(req)).map_err(|e| ProviderError::Protocol {
                message: format!("could not encode the request: {e}"),
            })?;
        if let Some(log) = BODY_LOG.get() {
            let target = format!("POST {} (authorization: {})", self.url, self.auth_for_log());
            log(&target, &body::for_log(&body, self.key.as_ref()));
        }
        let mut attempt = 0;
        loop {
            let err = match self.attempt(&body, on_event).await {
                Ok(c) => return Ok(c),
                Err(e) => e,
            };
            if !err.is_retryable() || attempt >= self.retry.max_retries {
                return Err(self.with_models(err).await);
            }
            attempt += 1;
            let delay = retry::delay(&self.retry, attempt, err.retry_after(), fastrand::f64());
            on_event(StreamEvent::Retrying {
                attempt,
                delay,
                reason: err.to_string(),
            });
            tokio::time::sleep(delay).await;
        }
    }

    /// One request and its answer: send it, turn a failed status into its error, find out what
    /// the body is, and read it as JSON or as an event stream.
    async fn attempt(
        &self,
        body: &[u8],
        emit: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<Completion, ProviderError> {
        let first_deadline = Instant::now() + self.timeouts.first_byte;
        let resp = self.send(body, first_deadline).await?;
        let resp = self.check_status(resp, first_deadline).await?;
        let head = Head {
            status: resp.status().as_u16(),
            content_type: resp
                .headers()
                .get(CONTENT_TYPE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
                .filter(|v| !v.is_empty()),
        };
        let declared = sniff::declared(head.content_type.as_deref());
        let mut body = Box::pin(resp.bytes_stream());
        let mut start = Vec::new();
        let kind = self
            .sniff_body(declared, &mut body, &mut start, first_deadline)
            .await?;
        match kind {
            sniff::Body::NotAnApi => {
                // Enough of the page to name it; a read that fails leaves what arrived.
                let _ = read(&mut body, &mut start, first_deadline, |h| h.len() >= 1024).await;
                Err(self.not_an_api(&head, &start, "event stream"))
            }
            sniff::Body::Json => {
                self.read_json(&mut body, start, &head, declared, first_deadline, emit)
                    .await
            }
            sniff::Body::EventStream => {
                self.read_event_stream(&mut body, &start, first_deadline, emit)
                    .await
            }
        }
    }

    /// Sends the request; the response's headers must come by `first_deadline`.
    async fn send(
        &self,
        body: &[u8],
        first_deadline: Instant,
    ) -> Result<reqwest::Response, ProviderError> {
        let accept = if self.wire.stream {
            "text/event-stream"
        } else {
            "application/json"
        };
        let mut rb = self
            .http
            .post(&self.url)
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, accept);
        if let Some(k) = &self.key {
            rb = rb.bearer_auth(k.expose());
        }
        match timeout_at(first_deadline, rb.body(body.to_vec()).send()).await {
            Err(_) => Err(self.first_byte_timeout()),
            Ok(Err(e)) if e.is_builder() => Err(ProviderError::Setup { source: e }),
            Ok(Err(source)) if source.is_connect() && !source.is_timeout() => {
                Err(ProviderError::Unreachable {
                    url: self.url.clone(),
                    source,
                })
            }
            Ok(Err(source)) => Err(ProviderError::Connection {
                url: self.url.clone(),
                source,
            }),
            Ok(Ok(r)) => Ok(r),
        }
    }

    /// A response that is not a success becomes the error its status and body mean.
    async fn check_status(
        &self,
        resp: reqwest::Response,
        first_deadline: Instant,
    ) -> Result<reqwest::Response, ProviderError> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let code = resp.status().as_u16();
        let wait = retry::retry_after(resp.headers(), SystemTime::now());
        let text = timeout_at(first_deadline, resp.text())
            .await
            .ok()
            .and_then(Result::ok)
            .unwrap_or_default();
        let ctx = Ctx {
            url: &self.url,
            model: &self.wire.model,
            key_env: self.key_env.as_deref(),
            key: self.key.as_ref(),
        };
        Err(status::classify(code, &text, wait, &ctx))
    }

    /// What the body is: what its `Content-Type` says when that is telling, else what its first
    /// bytes look like (read into `start`, which the body's reader then takes first).
    async fn sniff_body<S, B>(
        &self,
        declared: sniff::Declared,
        body: &mut S,
        start: &mut Vec<u8>,
        first_deadline: Instant,
    ) -> Result<sniff::Body, ProviderError>
    where
        S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
        B: AsRef<[u8]>,
    {
        Ok(match declared {
            // A non-streamed request expects JSON whatever the header says; a page is caught
            // when it fails to parse.
            _ if !self.wire.stream => sniff::Body::Json,
            sniff::Declared::EventStream => sniff::Body::EventStream,
            sniff::Declared::Json => sniff::Body::Json,
            sniff::Declared::Page => sniff::Body::NotAnApi,
            sniff::Declared::Other | sniff::Declared::Missing => {
                read(body, start, first_deadline, sniff::enough)
                    .await
                    .map_err(|e| e.into_error(self.timeouts.first_byte))?;
                sniff::sniff(declared, start)
            }
        })
    }

    /// A whole JSON response, asked for or not (some servers answer errors this way), up to
    /// the cap on one answer.
    async fn read_json<S, B>(
        &self,
        body: &mut S,
        mut buf: Vec<u8>,
        head: &Head,
        declared: sniff::Declared,
        first_deadline: Instant,
        emit: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<Completion, ProviderError>
    where
        S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
        B: AsRef<[u8]>,
    {
        let limit = self.max_answer_bytes;
        read(body, &mut buf, first_deadline, |h| h.len() as u64 > limit)
            .await
            .map_err(|e| e.into_error(self.timeouts.first_byte))?;
        if buf.len() as u64 > limit {
            return Err(ProviderError::TooLong {
                limit,
                partial: None,
            });
        }
        let text = String::from_utf8_lossy(&buf);
        let v: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(_) if declared == sniff::Declared::Page || sniff::is_markup(&text) => {
                return Err(self.not_an_api(head, &buf, "JSON response"));
            }
            Err(e) => {
                return Err(ProviderError::Protocol {
                    message: format!("{e}: {}", super::stream::clip(&text)),
                });
            }
        };
        let mut asm = Assembler::new(self.reasoning);
        asm.push_value(&v, "message", emit)
            .map_err(|f| self.fault(f, &asm))?;
        Ok(asm.finish(emit))
    }

    /// The event stream, through the SSE decoder into the assembler, starting with the bytes
    /// read to sniff it. The first event must come by `first_deadline`, then each within the
    /// idle limit of the one before.
    async fn read_event_stream<S, B>(
        &self,
        body: &mut S,
        start: &[u8],
        first_deadline: Instant,
        emit: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<Completion, ProviderError>
    where
        S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
        B: AsRef<[u8]>,
    {
        let mut asm = Assembler::new(self.reasoning);
        let mut sse = Decoder::new(self.max_answer_bytes);
        let mut events: Vec<String> = Vec::new();
        sse.push(start, &mut |e| events.push(e))
            .map_err(|e| self.sse_error(e, &asm))?;
        let mut done = false;
        let mut ended = false;
        let mut last_event = Instant::now();
        loop {
            if !events.is_empty() {
                last_event = Instant::now();
                if self.take_events(&mut events, &mut asm, emit)? {
                    done = true;
                    break;
                }
            }
            if ended {
                break;
            }
            let started = asm.chunks() > 0;
            // Keep-alive comments are not events: the idle limit runs from the last event.
            let deadline = if started {
                last_event + self.timeouts.idle
            } else {
                first_deadline
            };
            let next = match timeout_at(deadline, body.next()).await {
                Ok(next) => next,
                // A server that sent its finish reason and then went quiet has answered.
                Err(_) if asm.finished() => break,
                Err(_) if !started => return Err(self.first_byte_timeout()),
                Err(_) => {
                    return Err(ProviderError::IdleTimeout {
                        after: self.timeouts.idle,
                        partial: partial(&asm),
                    });
                }
            };
            let decoded = match next {
                None => {
                    ended = true;
                    sse.finish(&mut |e| events.push(e))
                }
                Some(Ok(chunk)) => sse.push(chunk.as_ref(), &mut |e| events.push(e)),
                Some(Err(_)) if asm.finished() => break,
                Some(Err(source)) => {
                    return Err(ProviderError::Dropped {
                        source,
                        partial: partial(&asm),
                    });
                }
            };
            decoded.map_err(|e| self.sse_error(e, &asm))?;
        }
        end_of_stream(done, asm, emit)
    }

    fn first_byte_timeout(&self) -> ProviderError {
        ProviderError::FirstByteTimeout {
            after: self.timeouts.first_byte,
        }
    }

    /// A success whose body is a page or other text, named by its start (scrubbed of the key).
    fn not_an_api(&self, head: &Head, start: &[u8], expected: &'static str) -> ProviderError {
        let start = sniff::start(&String::from_utf8_lossy(start));
        ProviderError::NotAnApi {
            url: self.url.clone(),
            status: head.status,
            content_type: head
                .content_type
                .clone()
                .unwrap_or_else(|| "no content type".to_string()),
            expected,
            start: match &self.key {
                Some(k) => k.scrub(&start),
                None => start,
            },
        }
    }

    /// Hands decoded events to the assembler; says whether `[DONE]` came.
    fn take_events(
        &self,
        events: &mut Vec<String>,
        asm: &mut Assembler,
        emit: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<bool, ProviderError> {
        for data in events.drain(..) {
            let data = data.trim();
            if data == "[DONE]" {
                return Ok(true);
            }
            if !data.is_empty() {
                asm.push(data, emit).map_err(|f| self.fault(f, asm))?;
            }
        }
        Ok(false)
    }

    fn sse_error(&self, e: SseError, asm: &Assembler) -> ProviderError {
        match e {
            SseError::TooLong { limit } => ProviderError::TooLong {
                limit,
                partial: partial(asm),
            },
            SseError::NotUtf8 { .. } => ProviderError::Protocol {
                message: e.to_string(),
            },
        }
    }

    fn fault(&self, f: Fault, asm: &Assembler) -> ProviderError {
        match f {
            Fault::InsufficientResource => ProviderError::InsufficientResource,
            Fault::Malformed(message) => ProviderError::Protocol { message },
            Fault::ErrorObject { message, code } => {
                let message = match &self.key {
                    Some(k) => k.scrub(&message),
                    None => message,
                };
                if status::is_context_length(&message, code.as_deref()) {
                    ProviderError::ContextLength { message }
                } else {
                    ProviderError::InStream {
                        message,
                        code,
                        partial: partial(asm),
                    }
                }
            }
        }
    }
}

/// What the headers of a success said, for naming a body that is not an API's.
struct Head {
    status: u16,
    /// The `Content-Type` as sent, if any.
    content_type: Option<String>,
}

/// How a stream that stopped ends: a whole answer (`[DONE]` or a finish reason came), an answer
/// cut short, or no answer at all.
fn end_of_stream(
    done: bool,
    asm: Assembler,
    emit: &mut (dyn FnMut(StreamEvent) + Send),
) -> Result<Completion, ProviderError> {
    let finished = asm.finished();
    if !done && !finished {
        return Err(ProviderError::Unfinished {
            partial: partial(&asm),
        });
    }
    let c = asm.finish(emit);
    let m = &c.message;
    if !finished && m.content.is_none() && m.reasoning_content.is_none() && m.tool_calls.is_empty()
    {
        return Err(ProviderError::EmptyAnswer);
    }
    Ok(c)
}

/// Why reading a body stopped short.
enum ReadError {
    Timeout,
    Transport(reqwest::Error),
}

impl ReadError {
    /// Bodies are read before the first event, under the first-byte limit `after`.
    fn into_error(self, after: Duration) -> ProviderError {
        match self {
            ReadError::Timeout => ProviderError::FirstByteTimeout { after },
            ReadError::Transport(source) => ProviderError::Dropped {
                source,
                partial: None,
            },
        }
    }
}

/// Appends chunks of `body` to `buf` until `enough(buf)`, the body ends, or `deadline`.
async fn read<S, B>(
    body: &mut S,
    buf: &mut Vec<u8>,
    deadline: Instant,
    enough: impl Fn(&[u8]) -> bool,
) -> Result<(), ReadError>
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    while !enough(buf) {
        match timeout_at(deadline, body.next()).await {
            Err(_) => return Err(ReadError::Timeout),
            Ok(None) => return Ok(()),
            Ok(Some(Err(e))) => return Err(ReadError::Transport(e)),
            Ok(Some(Ok(chunk))) => buf.extend_from_slice(chunk.as_ref()),
        }
    }
    Ok(())
}

/// The message shown so far, if anything was shown.
fn partial(asm: &Assembler) -> Option<Box<crate::provider::Message>> {
    asm.shown().then(|| Box::new(asm.partial()))
}
