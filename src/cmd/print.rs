//! `hone -p PROMPT` (or `-p -` for stdin): one request with a short system prompt, the answer
//! streamed to stdout, reasoning to stderr. `--output-format json` prints one object at the end,
//! `stream-json` one JSON event per line as they happen, in the shapes Claude Code uses
//! (`system`/`init`, `assistant`, `result`) so scripts written for either keep working.
//!
//! A front end: it may print, and holds no logic beyond rendering events. stdout carries only the
//! product (the answer or the JSON); notices, reasoning, retries and the usage line go to stderr.
//! Exit codes: 0 answered, 2 usage or configuration, 3 provider failed after retries, 130 Ctrl-C.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal as _, Read as _, Write};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::cli::GlobalArgs;
use crate::config::{Config, Prices};
use crate::exit::{Exit, Failure};
use crate::provider::{
    ChatRequest, Client, Completion, Message, ProviderError, StreamEvent, Usage,
};
use crate::ui::{self, palette};

/// The `-p` flags, flattened into the top-level command line.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Args {
    /// Answer PROMPT and exit, for scripts; `-p -` reads the prompt from stdin.
    #[arg(short = 'p', long = "print", value_name = "PROMPT")]
    pub prompt: Option<String>,

    /// With -p: `text` streams the answer, `json` prints one object at the end, `stream-json`
    /// prints one JSON event per line.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text, value_name = "FORMAT")]
    pub output_format: OutputFormat,

    /// With -p: do not show the model's reasoning (in any format).
    #[arg(long)]
    pub no_reasoning: bool,
}

/// `--output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    #[default]
    Text,
    Json,
    StreamJson,
}

/// Runs `hone -p`.
pub fn run(global: &GlobalArgs, args: &Args) -> Result<Exit, Failure> {
    let prompt = read_prompt(args.prompt.as_deref().unwrap_or(""))?;
    let cfg = Config::load(global).map_err(super::config::failure)?;
    let client = Client::new(&cfg).map_err(provider_failure)?;
    let req = ChatRequest {
        messages: vec![
            Message::system(crate::prompts::PRINT_SYSTEM),
            Message::user(prompt),
        ],
        tools: Vec::new(),
        tool_choice: None,
    };
    let mut p = Printer::new(global, args, &cfg, &client);
    if global.verbose {
        p.note(&format!(
            "POST {} (authorization: {})",
            client.url(),
            client.auth_for_log()
        ));
        p.note(&format!("request body: {}", client.request_body(&req)));
    }
    p.init();
    let rt = crate::cli::runtime()?;
    let outcome = rt.block_on(async {
        let mut on_event = |ev| p.event(ev);
        tokio::select! {
            r = client.complete(&req, &mut on_event) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    // Dropping the runtime now would wait for nothing: the request future is already gone.
    match outcome {
        None => {
            p.interrupted();
            Ok(Exit::Interrupted)
        }
        Some(Ok(c)) => {
            p.done(&c);
            Ok(Exit::Success)
        }
        Some(Err(e)) => {
            p.failed(&e);
            Err(provider_failure(e))
        }
    }
}

/// The prompt from the flag, or from stdin for `-`.
fn read_prompt(arg: &str) -> Result<String, Failure> {
    let prompt = if arg == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            Failure::new(
                Exit::Usage,
                anyhow::Error::new(e).context("could not read the prompt from stdin"),
            )
        })?;
        s
    } else {
        arg.to_string()
    };
    if prompt.trim().is_empty() {
        return Err(Failure::usage("the prompt is empty")
            .hint("pass it as `hone -p \"…\"`, or pipe it into `hone -p -`"));
    }
    Ok(prompt)
}

/// A provider error on its way out, with its exit code and hints.
pub fn provider_failure(e: ProviderError) -> Failure {
    let hints = e.hints();
    let exit = e.exit();
    let context = match exit {
        Exit::Usage => "hone is not set up to ask this provider",
        _ => "the model provider failed",
    };
    let mut f = Failure::new(exit, anyhow::Error::new(e).context(context));
    f.hints = hints;
    f
}

/// Renders the events of one `-p` run.
struct Printer {
    format: OutputFormat,
    show_reasoning: bool,
    verbose: bool,
    dim: bool,
    usage_line: bool,
    session_id: String,
    model: String,
    provider: String,
    workspace: String,
    prices: Option<Prices>,
    max_retries: u32,
    started: Instant,
    first_event: Option<Duration>,
    text: String,
    reasoning: String,
    /// Reasoning was written to stderr and its line is still open.
    reasoning_open: bool,
    usage: Option<Usage>,
    /// stdout was closed by the reader (`| head`): stop writing, exit 0.
    stdout_gone: bool,
}

impl Printer {
    fn new(global: &GlobalArgs, args: &Args, cfg: &Config, client: &Client) -> Printer {
        let stderr_tty = std::io::stderr().is_terminal();
        Printer {
            format: args.output_format,
            show_reasoning: !args.no_reasoning,
            verbose: global.verbose,
            dim: global.color.enabled(ui::Stream::Stderr),
            usage_line: stderr_tty || global.verbose,
            session_id: session_id(),
            model: client.model().to_string(),
            provider: cfg.provider.name.clone(),
            workspace: cfg.workspace.display().to_string(),
            prices: cfg.prices(),
            max_retries: cfg.retry.max_retries,
            started: Instant::now(),
            first_event: None,
            text: String::new(),
            reasoning: String::new(),
            reasoning_open: false,
            usage: None,
            stdout_gone: false,
        }
    }

    fn init(&mut self) {
        if self.format == OutputFormat::StreamJson {
            self.line(&json!({
                "type": "system", "subtype": "init", "session_id": self.session_id, "model": self.model,
                "cwd": self.workspace, "tools": [], "provider": self.provider,
            }));
        }
    }

    fn event(&mut self, ev: StreamEvent) {
        if self.first_event.is_none() && !matches!(ev, StreamEvent::Retrying { .. }) {
            self.first_event = Some(self.started.elapsed());
            if self.verbose {
                self.note(&format!(
                    "first event after {} ms",
                    self.started.elapsed().as_millis()
                ));
            }
        }
        match ev {
            StreamEvent::Text(t) => {
                self.text.push_str(&t);
                match self.format {
                    OutputFormat::Text => {
                        self.close_reasoning();
                        self.out(&ui::strip_controls(&t));
                    }
                    OutputFormat::StreamJson => self.assistant(json!({"type": "text", "text": t})),
                    OutputFormat::Json => {}
                }
            }
            StreamEvent::Reasoning(r) if self.show_reasoning => {
                self.reasoning.push_str(&r);
                match self.format {
                    OutputFormat::Text => {
                        let r = ui::strip_controls(&r);
                        self.err(&palette::paint(palette::DIM, &r, self.dim));
                        self.reasoning_open = !r.ends_with('\n');
                    }
                    OutputFormat::StreamJson => {
                        self.assistant(json!({"type": "thinking", "thinking": r}))
                    }
                    OutputFormat::Json => {}
                }
            }
            StreamEvent::Reasoning(_)
            | StreamEvent::ToolCallStarted { .. }
            | StreamEvent::ToolCallArgs { .. } => {}
            StreamEvent::Usage(u) => self.usage = Some(u),
            StreamEvent::Retrying {
                attempt,
                delay,
                reason,
            } => {
                self.close_reasoning();
                let restart = !self.text.is_empty() || !self.reasoning.is_empty();
                if self.format == OutputFormat::Text
                    && !self.text.is_empty()
                    && !self.text.ends_with('\n')
                {
                    self.out("\n");
                }
                self.text.clear();
                self.reasoning.clear();
                self.note(&format!(
                    "{reason}; retrying in {:.1}s (retry {attempt} of {}){}",
                    delay.as_secs_f64(),
                    self.max_retries,
                    if restart {
                        "; the answer starts over"
                    } else {
                        ""
                    }
                ));
                if self.format == OutputFormat::StreamJson {
                    self.line(&json!({
                        "type": "system", "subtype": "retry", "attempt": attempt,
                        "delay_ms": delay.as_millis() as u64, "reason": reason, "session_id": self.session_id,
                    }));
                }
            }
        }
    }

    fn done(&mut self, c: &Completion) {
        self.close_reasoning();
        let usage = c.usage.or(self.usage);
        match self.format {
            OutputFormat::Text => {
                if !self.text.is_empty() && !self.text.ends_with('\n') {
                    self.out("\n");
                }
            }
            OutputFormat::Json | OutputFormat::StreamJson => {
                if self.format == OutputFormat::StreamJson && !c.message.tool_calls.is_empty() {
                    let blocks = c.message.tool_calls.iter().map(tool_use).collect();
                    self.assistant_blocks(blocks);
                }
                let mut r = self.result(
                    c.message.text(),
                    Some(c.finish_reason.as_str()),
                    usage,
                    None,
                );
                if !c.message.tool_calls.is_empty() {
                    r["tool_calls"] = c.message.tool_calls.iter().map(tool_use).collect();
                }
                self.line(&r);
            }
        }
        // `-p` offers no tools; a model that calls one anyway is worth a notice.
        for call in &c.message.tool_calls {
            self.note(&format!(
                "the model asked for tool `{}`, which -p does not offer",
                ui::strip_controls(&call.name)
            ));
        }
        if c.finish_reason.as_str() != "stop" {
            self.note(&format!(
                "the answer ended with finish_reason `{}`",
                c.finish_reason.as_str()
            ));
        }
        if let (true, Some(u)) = (self.usage_line, usage) {
            self.note(&usage_line(&self.model, &u, self.prices));
        }
        if self.verbose {
            self.note(&format!(
                "done in {} ms",
                self.started.elapsed().as_millis()
            ));
        }
    }

    fn failed(&mut self, e: &ProviderError) {
        self.close_reasoning();
        let partial = e
            .partial()
            .map(|m| m.text().to_string())
            .unwrap_or_default();
        match self.format {
            OutputFormat::Text => {
                if !self.text.is_empty() && !self.text.ends_with('\n') {
                    self.out("\n");
                }
            }
            OutputFormat::Json | OutputFormat::StreamJson => {
                let r = self.result(&partial, None, self.usage, Some(&e.to_string()));
                self.line(&r);
            }
        }
    }

    fn interrupted(&mut self) {
        self.close_reasoning();
        if self.format == OutputFormat::Text && !self.text.is_empty() && !self.text.ends_with('\n')
        {
            self.out("\n");
        }
        if self.format != OutputFormat::Text {
            let mut r = self.result(&self.text.clone(), None, self.usage, Some("interrupted"));
            r["subtype"] = json!("error_interrupted");
            self.line(&r);
        }
        self.note("interrupted");
    }

    /// The final `result` object (Claude Code's shape, plus hone's reasoning and finish reason).
    fn result(
        &self,
        text: &str,
        finish: Option<&str>,
        usage: Option<Usage>,
        error: Option<&str>,
    ) -> Value {
        let u = usage.unwrap_or_default();
        let mut r = json!({
            "type": "result",
            "subtype": if error.is_some() { "error_during_execution" } else { "success" },
            "is_error": error.is_some(),
            "result": text,
            "reasoning": if self.show_reasoning { json!(self.reasoning) } else { Value::Null },
            "num_turns": 1,
            "duration_ms": self.started.elapsed().as_millis() as u64,
            "duration_api_ms": self.started.elapsed().as_millis() as u64,
            "session_id": self.session_id,
            "model": self.model,
            "provider": self.provider,
            "finish_reason": finish,
            "total_cost_usd": self.prices.map(|p| u.cost(&p)),
            "usage": usage_json(&u),
        });
        if let Some(e) = error {
            r["error"] = json!(e);
        }
        r
    }

    fn assistant(&mut self, block: Value) {
        self.assistant_blocks(vec![block]);
    }

    fn assistant_blocks(&mut self, blocks: Vec<Value>) {
        let ev = json!({
            "type": "assistant",
            "message": {"role": "assistant", "model": self.model, "content": blocks},
            "parent_tool_use_id": null,
            "session_id": self.session_id,
        });
        self.line(&ev);
    }

    fn close_reasoning(&mut self) {
        if self.reasoning_open {
            self.reasoning_open = false;
            self.err("\n");
        }
    }

    fn line(&mut self, v: &Value) {
        self.out(&format!("{v}\n"));
    }

    fn out(&mut self, s: &str) {
        if self.stdout_gone {
            return;
        }
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush())
            && e.kind() == std::io::ErrorKind::BrokenPipe
        {
            self.stdout_gone = true;
        }
    }

    fn err(&self, s: &str) {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(s.as_bytes()).and_then(|()| err.flush());
    }

    /// A `hone: …` line on stderr.
    fn note(&self, s: &str) {
        self.err(&format!("hone: {s}\n"));
    }
}

/// A tool call as Claude Code's `tool_use` block; `input` is the parsed arguments, or the raw
/// text when they are not JSON.
pub fn tool_use(call: &crate::provider::ToolCall) -> Value {
    let input =
        serde_json::from_str::<Value>(&call.arguments).unwrap_or_else(|_| json!(call.arguments));
    json!({"type": "tool_use", "id": call.id, "name": call.name, "input": input})
}

/// Usage in the result object: Claude Code's names (`input_tokens` are the uncached prompt
/// tokens), plus the totals and reasoning tokens.
pub fn usage_json(u: &Usage) -> Value {
    json!({
        "input_tokens": u.cache_miss_tokens,
        "cache_read_input_tokens": u.cache_hit_tokens,
        "output_tokens": u.completion_tokens,
        "reasoning_tokens": u.reasoning_tokens,
        "prompt_tokens": u.prompt_tokens,
        "completion_tokens": u.completion_tokens,
    })
}

/// The line shown after an answer: tokens in (cached), out (reasoning), and the cost.
pub fn usage_line(model: &str, u: &Usage, prices: Option<Prices>) -> String {
    let cost = match prices {
        Some(p) => format!("${:.4}", u.cost(&p)),
        None => "cost unknown".to_string(),
    };
    format!(
        "{model}: {} tokens in ({} cached), {} out ({} reasoning), {cost}",
        u.prompt_tokens, u.cache_hit_tokens, u.completion_tokens, u.reasoning_tokens
    )
}

/// A random id in UUID v4 form, for the JSON events.
fn session_id() -> String {
    let a = fastrand::u64(..);
    let b = fastrand::u64(..);
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        ((b >> 48) & 0x3fff) | 0x8000,
        b & 0xffff_ffff_ffff
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_line_prices_cache_hits_apart() {
        let u = Usage {
            prompt_tokens: 1000,
            completion_tokens: 100,
            cache_hit_tokens: 800,
            cache_miss_tokens: 200,
            reasoning_tokens: 40,
        };
        let p = Prices {
            cache_hit: 0.1,
            cache_miss: 1.0,
            output: 2.0,
        };
        assert_eq!(
            usage_line("m", &u, Some(p)),
            "m: 1000 tokens in (800 cached), 100 out (40 reasoning), $0.0005"
        );
        assert!(usage_line("m", &u, None).ends_with("cost unknown"));
        let j = usage_json(&u);
        assert_eq!(
            (
                j["input_tokens"].as_u64(),
                j["cache_read_input_tokens"].as_u64()
            ),
            (Some(200), Some(800))
        );
    }

    #[test]
    fn session_ids_look_like_uuids() {
        let id = session_id();
        assert_eq!(id.len(), 36, "{id}");
        assert_eq!(id.as_bytes()[14], b'4');
        assert_ne!(id, session_id());
    }
}
