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

    async fn attempt(
        &self,
        body: &[u8],
        emit: &mut (dyn FnMut(StreamEvent) + Send),
    ) -> Result<Completion, ProviderError> {
        let first_deadline = Instant::now() + self.timeouts.first_byte;
        let first_timeout = ProviderError::FirstByteTimeout {
            after: self.timeouts.first_byte,
        };
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
        let resp = match timeout_at(first_deadline, rb.body(body.to_vec()).send()).await {
            Err(_) => return Err(first_timeout),
            Ok(Err(e)) if e.is_builder() => return Err(ProviderError::Setup { source: e }),
            Ok(Err(source)) if source.is_connect() && !source.is_timeout() => {
                return Err(ProviderError::Unreachable {
                    url: self.url.clone(),
                    source,
                });
            }
            Ok(Err(source)) => {
                return Err(ProviderError::Connection {
                    url: self.url.clone(),
                    source,
                });
            }
            Ok(Ok(r)) => r,
        };
        let code = resp.status().as_u16();
        if !resp.status().is_success() {
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
            return Err(status::classify(code, &text, wait, &ctx));
        }
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
            .filter(|v| !v.is_empty());
        let declared = sniff::declared(content_type.as_deref());
        let mut body = Box::pin(resp.bytes_stream());
        let mut head = Vec::new();
        let kind = match declared {
            // A non-streamed request expects JSON whatever the header says; a page is caught
            // when it fails to parse.
            _ if !self.wire.stream => sniff::Body::Json,
            sniff::Declared::EventStream => sniff::Body::EventStream,
            sniff::Declared::Json => sniff::Body::Json,
            sniff::Declared::Page => sniff::Body::NotAnApi,
            sniff::Declared::Other | sniff::Declared::Missing => {
                read(&mut body, &mut head, first_deadline, sniff::enough)
                    .await
                    .map_err(|e| e.into_error(self.timeouts.first_byte))?;
                sniff::sniff(declared, &head)
            }
        };
        let not_an_api = |head: &[u8], expected: &'static str| {
            let start = sniff::start(&String::from_utf8_lossy(head));
            ProviderError::NotAnApi {
                url: self.url.clone(),
                status: code,
                content_type: content_type
                    .clone()
                    .unwrap_or_else(|| "no content type".to_string()),
                expected,
                start: match &self.key {
                    Some(k) => k.scrub(&start),
                    None => start,
                },
            }
        };
        let mut asm = Assembler::new(self.reasoning);
        match kind {
            sniff::Body::NotAnApi => {
                // Enough of the page to name it; a read that fails leaves what arrived.
                let _ = read(&mut body, &mut head, first_deadline, |h| h.len() >= 1024).await;
                return Err(not_an_api(&head, "event stream"));
            }
            sniff::Body::Json => {
                // A whole response, asked for or not (some servers answer errors this way).
                let limit = self.max_answer_bytes;
                read(&mut body, &mut head, first_deadline, |h| {
                    h.len() as u64 > limit
                })
                .await
                .map_err(|e| e.into_error(self.timeouts.first_byte))?;
                if head.len() as u64 > limit {
                    return Err(ProviderError::TooLong {
                        limit,
                        partial: None,
                    });
                }
                let text = String::from_utf8_lossy(&head);
                let v: Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(_) if declared == sniff::Declared::Page || sniff::is_markup(&text) => {
                        return Err(not_an_api(&head, "JSON response"));
                    }
                    Err(e) => {
                        return Err(ProviderError::Protocol {
                            message: format!("{e}: {}", super::stream::clip(&text)),
                        });
                    }
                };
                asm.push_value(&v, "message", emit)
                    .map_err(|f| self.fault(f, &asm))?;
                return Ok(asm.finish(emit));
            }
            sniff::Body::EventStream => {}
        }

        // The bytes read to sniff the body go first.
        let mut sse = Decoder::new(self.max_answer_bytes);
        let mut events: Vec<String> = Vec::new();
        sse.push(&head, &mut |e| events.push(e))
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
                Err(_) if !started => return Err(first_timeout),
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
                Some(Ok(chunk)) => sse.push(&chunk, &mut |e| events.push(e)),
                Some(Err(_)) if asm.finished() => break,
                Some(Err(e)) => {
                    return Err(ProviderError::Dropped {
                        reason: e.to_string(),
                        partial: partial(&asm),
                    });
                }
            };
            decoded.map_err(|e| self.sse_error(e, &asm))?;
        }
        if !done && !asm.finished() {
            return Err(ProviderError::Dropped {
                reason: "the stream ended with neither [DONE] nor a finish reason".to_string(),
                partial: partial(&asm),
            });
        }
        let finished = asm.finished();
        let c = asm.finish(emit);
        let m = &c.message;
        if !finished
            && m.content.is_none()
            && m.reasoning_content.is_none()
            && m.tool_calls.is_empty()
        {
            return Err(ProviderError::EmptyAnswer);
        }
        Ok(c)
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

    /// Fills in the models a server offers when it said the asked one does not exist.
    async fn with_models(&self, err: ProviderError) -> ProviderError {
        match err {
            ProviderError::ModelNotFound {
                model,
                url,
                message,
                available,
            } if available.is_empty() => {
                let listed = self.list_models().await.unwrap_or_default();
                let available = if listed.is_empty() {
                    self.known_models.clone()
                } else {
                    listed
                };
                ProviderError::ModelNotFound {
                    model,
                    url,
                    message,
                    available,
                }
            }
            other => other,
        }
    }

    /// The model ids the server lists at `GET {base_url}/models`.
    pub async fn list_models(&self) -> Result<Vec<String>, ProviderError> {
        let mut rb = self
            .http
            .get(&self.models_url)
            .timeout(self.timeouts.connect.max(Duration::from_secs(10)));
        if let Some(k) = &self.key {
            rb = rb.bearer_auth(k.expose());
        }
        let resp = rb
            .send()
            .await
            .map_err(|source| ProviderError::Connection {
                url: self.models_url.clone(),
                source,
            })?;
        let text = resp.text().await.map_err(|e| ProviderError::Dropped {
            reason: e.to_string(),
            partial: None,
        })?;
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let ids = v["data"].as_array().map(|a| {
            a.iter()
                .filter_map(|m| m["id"].as_str().map(str::to_string))
                .collect()
        });
        Ok(ids.unwrap_or_default())
    }
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
            ReadError::Transport(e) => ProviderError::Dropped {
                reason: e.to_string(),
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
