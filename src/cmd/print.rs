//! `hone -p PROMPT` (or `-p -` for stdin): the agent, headless. The model may read and search the
//! workspace; edits need `--yes` or `--allowed-tools` rules (Claude Code's syntax), commands an
//! explicit `run_command(…)` rule. The answer streams to stdout, reasoning and tool activity to
//! stderr. `--output-format json` prints one `result` object at the end, `stream-json` one JSON
//! event per line, in the shapes Claude Code uses (`system`/`init`, one `assistant` per model
//! message with its thinking, text and tool_use blocks, `user` with tool_result blocks, `result`)
//! so scripts written for either keep working, and the events do not depend on how the network
//! split the stream.
//!
//! A front end: it may print, and holds no logic beyond rendering events. stdout carries only the
//! product (the answer or the JSON); notices, reasoning, retries and the usage line go to stderr.
//! Exit codes: 0 answered, 1 turn limit or loop, 2 usage or configuration, 3 provider failed
//! after retries, 130 Ctrl-C.

#![allow(clippy::print_stderr)]

mod printer;

use crate::agent::{self, Agent, AgentError, Outcome};
use crate::cli::GlobalArgs;
use crate::config::PermissionMode;
use crate::exit::{Exit, Failure};
use crate::permissions::Gate;
use crate::provider::ProviderError;

use std::io::Read as _;

use printer::Printer;
pub use printer::usage_json;

/// The `-p` flags, flattened into the top-level command line.
#[derive(Debug, Clone, Default, clap::Args)]
#[group(id = "print_args")]
#[command(next_help_heading = "Options for -p")]
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

    /// With -p: apply every edit the model makes (commands still need a rule).
    #[arg(long)]
    pub yes: bool,

    /// With -p: stop after this many requests to the model.
    #[arg(long, value_name = "N")]
    pub max_turns: Option<u32>,
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
    let cfg = super::common::load_config_trusting(&global.overrides(), false)?;
    let mut perms = super::common::permissions(global, &cfg)?;
    if args.yes && perms.mode == PermissionMode::Default {
        perms.mode = PermissionMode::AcceptEdits;
    }
    perms.how_to_allow = how_to_allow(args.yes);
    let mut rules = Gate::new(&perms, None);
    let rt = crate::cli::runtime()?;
    let instructions = super::instructions_only(&cfg.workspace);
    let opts = agent::Options {
        max_turns: args.max_turns.unwrap_or(cfg.max_turns),
        instructions,
        kind: agent::SessionKind::Print,
        ..agent::Options::default()
    };
    let mut agent = Agent::new(&cfg, opts).map_err(super::common::agent_failure)?;
    let mut p = Printer::new(global, args, &cfg, agent.session_id());
    p.permission_mode = perms.mode.claude_name();
    p.init(agent.sandbox());
    let outcome = rt.block_on(async {
        tokio::select! {
            r = agent.run(&prompt, &mut p, &mut rules) => Some(r),
            _ = tokio::signal::ctrl_c() => None,
        }
    });
    match outcome {
        None => {
            p.interrupted();
            Ok(Exit::Interrupted)
        }
        Some(Ok(o)) => {
            p.finish_reason = agent.last_finish_reason().map(|f| f.as_str().to_string());
            p.done(o);
            if let Some(e) = p.write_error() {
                return Err(Failure::new(
                    Exit::Failed,
                    anyhow::Error::new(e).context("could not write to standard output"),
                ));
            }
            Ok(if o == Outcome::Done {
                Exit::Success
            } else {
                Exit::Failed
            })
        }
        Some(Err(AgentError::Provider(e))) => {
            p.failed(
                &e.to_string(),
                e.partial()
                    .map(|m| m.text().to_string())
                    .unwrap_or_default(),
            );
            Err(provider_failure(e))
        }
        Some(Err(e)) => {
            p.failed(&e.to_string(), String::new());
            Err(super::common::agent_failure(e))
        }
    }
}

/// How a refused edit or command can be allowed, as the refusal tells the model. One text serves
/// both refusals (`Permissions::how_to_allow`), so it names what allows each: `--yes` covers edits
/// only, and a command needs its own `run_command` rule (a prefix rule in Claude Code's syntax).
fn how_to_allow(yes: bool) -> String {
    let commands = "commands with --allowed-tools 'run_command(<command prefix>:*)'";
    if yes {
        format!("the user can allow {commands}; --yes does not cover commands")
    } else {
        format!("the user can allow edits with --yes, and {commands}")
    }
}

/// `--verbose`: each request body as sent, on stderr. Its text holds file contents and model
/// output, so it is stripped of control characters like any foreign text.
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
    let hints = crate::exit::provider_hints(&e);
    let exit = crate::exit::provider_exit(&e);
    let context = match exit {
        Exit::Usage => "hone is not set up to ask this provider",
        _ => "the model provider failed",
    };
    let mut f = Failure::new(exit, anyhow::Error::new(e).context(context));
    f.hints = hints;
    f
}
