//! A mock OpenAI-compatible server for the end-to-end tests and `examples/mock_server.rs`: real
//! HTTP and SSE on 127.0.0.1 (an ephemeral port), playing scripted replies and recording every
//! request it receives, headers and body, so a test can assert on both sides of the wire.
//!
//! Replies are queued per `POST /v1/chat/completions`: SSE streams built from [`Frame`]s (data
//! chunks from the `ev_*` builders, `:` keep-alive comments, delays, a dropped connection), bare
//! statuses with headers (`Retry-After`) and bodies, whole JSON responses, or any body under any
//! content type (or none). `GET /v1/models`
//! lists [`MockServer::set_models`]. The server runs on its own thread and runtime, so tests stay
//! synchronous; it stops when dropped. Must not depend on hone's crate: it plays the far side.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

/// One piece of a scripted SSE stream.
#[derive(Debug, Clone)]
pub enum Frame {
    /// `data: {payload}` and a blank line.
    Data(String),
    /// `: {text}` and a blank line: a keep-alive comment.
    Comment(String),
    /// Bytes as given (for odd framing).
    Raw(String),
    /// Waits before the next frame.
    Delay(Duration),
    /// Ends the connection abruptly, without finishing the response.
    Drop,
}

/// One scripted answer to a chat request.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: ReplyBody,
}

#[derive(Debug, Clone)]
enum ReplyBody {
    Sse(Vec<Frame>),
    Text(String),
}

impl Reply {
    /// A 200 SSE stream of `frames`.
    pub fn sse(frames: Vec<Frame>) -> Reply {
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            body: ReplyBody::Sse(frames),
        }
    }

    /// A complete, well-formed streamed answer: role, the text in two chunks, `stop`, usage,
    /// `[DONE]`.
    pub fn answer(text: &str) -> Reply {
        let cut = text
            .char_indices()
            .nth(text.chars().count() / 2)
            .map_or(0, |(i, _)| i);
        Reply::sse(vec![
            ev_role(),
            ev_text(&text[..cut]),
            ev_text(&text[cut..]),
            ev_finish("stop"),
            ev_usage(20, 5, 16, 4, 0),
            ev_done(),
        ])
    }

    /// A status with an OpenAI-style error body.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply::status(
            status,
            &json!({"error": {"message": message, "type": "invalid_request_error"}}).to_string(),
        )
    }

    /// A status with `body` as given.
    pub fn status(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: ReplyBody::Text(body.to_string()),
        }
    }

    /// A status with `body` as given under `content_type`, or no `Content-Type` at all (a web
    /// page at the wrong URL, a server that labels its stream oddly or not at all).
    pub fn body(status: u16, content_type: Option<&str>, body: &str) -> Reply {
        Reply {
            status,
            headers: content_type
                .map(|ct| ("content-type".to_string(), ct.to_string()))
                .into_iter()
                .collect(),
            body: ReplyBody::Text(body.to_string()),
        }
    }

    /// A whole (non-streamed) JSON response.
    pub fn json(v: Value) -> Reply {
        Reply::status(200, &v.to_string())
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: Instant,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct Shared {
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    models: Mutex<Vec<String>>,
    fallback: Mutex<Option<Reply>>,
    resets: AtomicUsize,
    disconnects: AtomicUsize,
}

/// The running server.
pub struct MockServer {
    /// `http://127.0.0.1:PORT/v1`: what hone takes as `--base-url`.
    pub base_url: String,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl MockServer {
    /// Starts a server that will answer chat requests with `replies`, in order.
    pub fn start(replies: Vec<Reply>) -> MockServer {
        Self::start_on("127.0.0.1:0", replies)
    }

    /// Starts on a given address (the example uses a fixed port).
    pub fn start_on(addr: &str, replies: Vec<Reply>) -> MockServer {
        let shared = Arc::new(Shared::default());
        shared.replies.lock().unwrap().extend(replies);
        let std_listener = std::net::TcpListener::bind(addr).expect("bind the mock server");
        std_listener.set_nonblocking(true).unwrap();
        let port = std_listener.local_addr().unwrap().port();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let state = shared.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = ResettingListener {
                    inner: tokio::net::TcpListener::from_std(std_listener).unwrap(),
                    shared: state.clone(),
                };
                let app = Router::new()
                    .route("/v1/chat/completions", post(chat))
                    .route("/v1/models", get(models))
                    .fallback(fallback)
                    .with_state(state);
                let _ = axum::serve(listener, app)
                    .with_graceful_shutdown(async move {
                        let _ = stop_rx.await;
                    })
                    .await;
            });
        });
        MockServer {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }

    /// Queues another reply.
    pub fn push(&self, r: Reply) {
        self.shared.replies.lock().unwrap().push_back(r);
    }

    /// The reply for every request once the queue is empty (otherwise a 500).
    pub fn set_fallback(&self, r: Reply) {
        *self.shared.fallback.lock().unwrap() = Some(r);
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The chat requests so far.
    pub fn chat_requests(&self) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/chat/completions"))
            .collect()
    }

    /// The ids `GET /v1/models` lists.
    pub fn set_models(&self, ids: &[&str]) {
        *self.shared.models.lock().unwrap() = ids.iter().map(|s| s.to_string()).collect();
    }

    /// Closes the next `n` connections as soon as they are accepted, before reading a request.
    pub fn reset_connections(&self, n: usize) {
        self.shared.resets.store(n, Ordering::SeqCst);
    }

    /// How many streams the client abandoned before the script ended.
    pub fn disconnects(&self) -> usize {
        self.shared.disconnects.load(Ordering::SeqCst)
    }

    /// Blocks until `n` chat requests have arrived (or panics after `within`).
    pub fn wait_for_requests(&self, n: usize, within: Duration) {
        let start = Instant::now();
        while self.chat_requests().len() < n {
            assert!(
                start.elapsed() < within,
                "mock: only {} of {n} requests arrived",
                self.chat_requests().len()
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Graceful shutdown waits for open streams; a test that left one hanging must not hang.
        if let Some(t) = self.thread.take() {
            let deadline = Instant::now() + Duration::from_secs(2);
            while !t.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }
}

/// Accepts connections, closing the first few at once when a test asked for resets.
struct ResettingListener {
    inner: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for ResettingListener {
    type Io = tokio::net::TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            let reset = self
                .shared
                .resets
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if reset {
                drop(stream);
                continue;
            }
            return (stream, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

fn record(shared: &Shared, method: &str, uri: &Uri, headers: &HeaderMap, body: &[u8]) {
    let headers = headers
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    shared.requests.lock().unwrap().push(Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        headers,
        body: String::from_utf8_lossy(body).into_owned(),
        at: Instant::now(),
    });
}

async fn chat(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&shared, "POST", &uri, &headers, &body);
    let next = shared.replies.lock().unwrap().pop_front();
    let fallback = shared.fallback.lock().unwrap().clone();
    let reply = next
        .or(fallback)
        .unwrap_or_else(|| Reply::error(500, "mock: no scripted reply left"));
    let mut resp = Response::builder().status(StatusCode::from_u16(reply.status).unwrap());
    for (k, v) in &reply.headers {
        resp = resp.header(k, v);
    }
    let body = match reply.body {
        ReplyBody::Text(t) => Body::from(t),
        ReplyBody::Sse(frames) => sse_body(frames, shared.clone()),
    };
    resp.body(body).unwrap()
}

async fn models(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    record(&shared, "GET", &uri, &headers, b"");
    let ids = shared.models.lock().unwrap().clone();
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "object": "model", "owned_by": "mock"}))
        .collect();
    Response::builder()
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"object": "list", "data": data}).to_string(),
        ))
        .unwrap()
}

async fn fallback(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    record(&shared, "?", &uri, &headers, &body);
    Response::builder()
        .status(404)
        .body(Body::from(
            json!({"error": {"message": format!("no route {}", uri.path())}}).to_string(),
        ))
        .unwrap()
}

/// Counts a stream the client dropped before its script ended.
struct Watch {
    shared: Arc<Shared>,
    finished: std::cell::Cell<bool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        if !self.finished.get() {
            self.shared.disconnects.fetch_add(1, Ordering::SeqCst);
        }
    }
}

fn sse_body(frames: Vec<Frame>, shared: Arc<Shared>) -> Body {
    let state = (
        VecDeque::from(frames),
        Watch {
            shared,
            finished: std::cell::Cell::new(false),
        },
    );
    let stream = futures_util::stream::unfold(state, |(mut frames, watch)| async move {
        loop {
            let Some(frame) = frames.pop_front() else {
                watch.finished.set(true);
                return None;
            };
            let bytes = match frame {
                Frame::Delay(d) => {
                    tokio::time::sleep(d).await;
                    continue;
                }
                Frame::Drop => {
                    // Let hyper flush what came before, or the client would see no response at all.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    // Server-side: the test asked for it, so it is not the client's doing.
                    watch.finished.set(true);
                    let err =
                        std::io::Error::new(std::io::ErrorKind::ConnectionReset, "mock: dropped");
                    return Some((Err(err), (VecDeque::new(), watch)));
                }
                Frame::Data(d) => format!("data: {d}\n\n"),
                Frame::Comment(c) => format!(": {c}\n\n"),
                Frame::Raw(r) => r,
            };
            return Some((Ok::<_, std::io::Error>(Bytes::from(bytes)), (frames, watch)));
        }
    });
    Body::from_stream(stream)
}

// ---- ev_* builders: chunks shaped like DeepSeek's and OpenAI's streams ----

/// A `chat.completion.chunk` with one choice.
pub fn chunk(delta: Value, finish_reason: Option<&str>) -> Value {
    json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000,
        "model": "mock-model", "system_fingerprint": "fp_mock",
        "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish_reason}],
    })
}

pub fn ev(v: Value) -> Frame {
    Frame::Data(v.to_string())
}

/// The first chunk: the role and empty content.
pub fn ev_role() -> Frame {
    ev(chunk(json!({"role": "assistant", "content": ""}), None))
}

pub fn ev_text(t: &str) -> Frame {
    ev(chunk(json!({"content": t}), None))
}

/// DeepSeek's `reasoning_content` delta.
pub fn ev_reasoning(t: &str) -> Frame {
    ev(chunk(
        json!({"reasoning_content": t, "content": null}),
        None,
    ))
}

/// The `reasoning` delta (OpenRouter, vLLM).
pub fn ev_reasoning_field(t: &str) -> Frame {
    ev(chunk(json!({"reasoning": t}), None))
}

/// The first delta of a tool call: index, id, name, empty arguments.
pub fn ev_tool_start(index: u32, id: &str, name: &str) -> Frame {
    ev(chunk(
        json!({"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
        None,
    ))
}

/// A later delta of a tool call: only the index and more argument text.
pub fn ev_tool_args(index: u32, args: &str) -> Frame {
    ev(chunk(
        json!({"tool_calls": [{"index": index, "function": {"arguments": args}}]}),
        None,
    ))
}

/// A whole tool call in one chunk.
pub fn ev_tool_call(index: u32, id: &str, name: &str, args: &str) -> Frame {
    ev(chunk(
        json!({"tool_calls": [{"index": index, "id": id, "type": "function", "function": {"name": name, "arguments": args}}]}),
        None,
    ))
}

pub fn ev_finish(reason: &str) -> Frame {
    ev(chunk(json!({}), Some(reason)))
}

/// The usage chunk of `stream_options.include_usage`: no choices, DeepSeek's cache fields and
/// reasoning tokens.
pub fn ev_usage(prompt: u64, completion: u64, hit: u64, miss: u64, reasoning: u64) -> Frame {
    ev(json!({
        "id": "chatcmpl-mock", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": "mock-model",
        "choices": [],
        "usage": {
            "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
            "prompt_cache_hit_tokens": hit, "prompt_cache_miss_tokens": miss,
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        },
    }))
}

/// An error object inside the stream.
pub fn ev_error(message: &str, code: &str) -> Frame {
    ev(json!({"error": {"message": message, "type": "server_error", "code": code}}))
}

pub fn ev_done() -> Frame {
    Frame::Data("[DONE]".into())
}

/// DeepSeek's keep-alive comment.
pub fn keep_alive() -> Frame {
    Frame::Comment("keep-alive".into())
}

pub fn delay_ms(ms: u64) -> Frame {
    Frame::Delay(Duration::from_millis(ms))
}
