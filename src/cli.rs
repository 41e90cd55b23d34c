//! The command line: clap definitions for the global flags and the subcommands, and the one
//! dispatch from a parsed command to its front end under [`crate::cmd`].
//!
//! Holds no behaviour worth testing on its own: each subcommand's arguments live beside the code
//! that runs them (`cmd::<name>::Args`), and this file only wires them together. The tokio
//! runtime is built here, after parsing, so `hone --version` and `hone --help` never start it.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::builder::NonEmptyStringValueParser;
use clap::{Parser, Subcommand};

use crate::agent::EditFormat;
use crate::config::permissions::FlagRules;
use crate::config::{Effort, Overrides, PermissionMode, Setting, Think};
use crate::edit::TextFormat;
use crate::exit::{self, Exit, Failure};
use crate::ui::ColorChoice;

const AFTER_HELP: &str = "\
Exit codes:
  0    success (the answer was given, the change applied, or none was needed)
  1    the work did not finish (nothing applied, turn limit, diagnostics remain)
  2    usage or configuration error
  3    the model provider failed after retries
  4    lint-fix: the lint command could not run
  130  interrupted (Ctrl-C); files are left whole and the transcript saved
  101  hone hit a bug: it says where; files are left whole (please report it)

Keys come from the provider's environment variable (DEEPSEEK_API_KEY for the default
provider) or HONE_API_KEY. `hone config` shows the effective settings.";

const FIX_EXITS: &str = "\
Exit codes:
  0    the change was applied, or none was needed
  1    nothing was applied (every edit declined, turn limit, repeated calls)
  2    usage or configuration error (no terminal to ask and no --yes or --dry-run)
  3    the model provider failed after retries
  130  interrupted (Ctrl-C); files are left whole and the session saved";

const LINT_FIX_EXITS: &str = "\
Exit codes:
  0    the linter passes at the end (whether or not hone changed anything)
  1    diagnostics remain after the last round
  2    usage or configuration error
  3    the model provider failed after retries (no partial round is left applied)
  4    the lint command itself could not run";

const APPLY_EXITS: &str = "\
Exit codes:
  0    applied, or nothing to do
  1    nothing applied (the text is not UTF-8 or did not parse, an edit did not match, a
       file is read-only under --yes, another hone is writing, or you said no)
  2    usage error (no terminal to ask and no --yes or --dry-run)";

const UNDO_EXITS: &str = "\
Examples:
  hone undo --list           what can be undone: #N, when, the request, the files
  hone undo                  revert the last change
  hone undo --to 12          revert #12 and every change after it
  hone undo --skip-stale     leave changes whose files you edited since, undo the rest

Exit codes:
  0    undone (or listed)
  1    nothing to undo, or refused because a file changed after hone wrote it (the error
       names it; --skip-stale leaves such a change as it is and undoes the rest)";

const MAP_EXITS: &str = "\
Exit codes:
  0    the map was printed
  1    the workspace could not be indexed
  2    usage error";

const CONFIG_EXITS: &str = "\
Exit codes:
  0    the settings were printed
  2    a configuration error (named with its file, line and field)";

/// hone: a terminal coding assistant for DeepSeek and any OpenAI-compatible endpoint.
///
/// Run `hone` for the interactive session, `hone fix "…"` for one change, `hone -p "…"` for
/// scripts, `hone apply` to apply edit text a model wrote elsewhere.
#[derive(Debug, Parser)]
#[command(name = "hone", version, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(flatten)]
    pub print: crate::cmd::print::Args,

    #[command(flatten)]
    pub repl: crate::cmd::repl::Args,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags every subcommand understands (listed under their own heading, apart from a
/// subcommand's own options; the provider ones matter only to commands that ask a model).
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Provider preset or custom provider from the config file (deepseek, openai, openrouter,
    /// ollama, vllm, llamacpp, lmstudio, …). Env: HONE_PROVIDER.
    #[arg(long, global = true, value_name = "NAME", value_parser = NonEmptyStringValueParser::new())]
    pub provider: Option<String>,

    /// Model to ask (default: the provider's default model). Env: HONE_MODEL.
    #[arg(long, short = 'm', global = true, value_name = "MODEL", value_parser = NonEmptyStringValueParser::new())]
    pub model: Option<String>,

    /// Base URL of the Chat Completions API (the request goes to BASE/chat/completions).
    /// Env: HONE_BASE_URL.
    #[arg(long, global = true, value_name = "URL", value_parser = NonEmptyStringValueParser::new())]
    pub base_url: Option<String>,

    /// Thinking mode, for providers that have one (DeepSeek).
    #[arg(long, global = true, value_enum, value_name = "on|off")]
    pub think: Option<ThinkArg>,

    /// Reasoning effort, for providers that take one.
    #[arg(long, global = true, value_enum, value_name = "high|max")]
    pub effort: Option<EffortArg>,

    /// Work in DIR instead of the current directory.
    #[arg(short = 'C', long = "workspace", global = true, value_name = "DIR")]
    pub workspace: Option<PathBuf>,

    /// When to use colour.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// The OS sandbox of the commands hone runs for the model and the linter (default:
    /// workspace-write; `[sandbox]` in the config file). Overrides the config files.
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub sandbox: Option<SandboxArg>,

    /// Log what hone does to stderr (requests without their key, retries, timings).
    #[arg(short, long, global = true)]
    pub verbose: bool,

    #[command(flatten)]
    pub permissions: PermissionArgs,
}

/// What runs without asking: the mode and the rules (also read from `[permissions]` in the
/// config files and from Claude Code's settings files).
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Permissions")]
pub struct PermissionArgs {
    /// Start in this mode: `default` asks before edits and commands, `accept-edits` applies
    /// edits (journalled; `hone undo`) and asks before commands, `plan` only reads and ends with
    /// a plan, `bypass` asks nothing (needs the sandbox, or --dangerously-skip-permissions).
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub permission_mode: Option<PermissionModeArg>,

    /// Allow tools by rule, without asking: `edit_file(src/**)`, `run_command(cargo test:*)`,
    /// `run_command(make)`, or Claude Code's `Edit(src/**)`, `Bash(cargo test:*)`. Repeatable.
    #[arg(long, global = true, value_name = "RULES")]
    pub allowed_tools: Vec<String>,

    /// Refuse tools by rule (same syntax; a deny rule wins over any allow). Repeatable.
    #[arg(long, global = true, value_name = "RULES")]
    pub disallowed_tools: Vec<String>,

    /// Trust this repository's own settings for this run (its allow rules, starting mode and
    /// provider), as `hone trust` does for good. For CI.
    #[arg(long, global = true)]
    pub trust_project: bool,

    /// Allow `--permission-mode bypass` without the sandbox: every edit and command runs
    /// unasked and unconfined. Only in a throwaway container or VM.
    #[arg(long, global = true)]
    pub dangerously_skip_permissions: bool,
}

/// `--permission-mode`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PermissionModeArg {
    /// Ask before edits and commands.
    Default,
    /// Apply edits, ask before commands.
    AcceptEdits,
    /// Only read; end with a plan.
    Plan,
    /// Ask nothing.
    Bypass,
}

impl From<PermissionModeArg> for PermissionMode {
    fn from(v: PermissionModeArg) -> PermissionMode {
        match v {
            PermissionModeArg::Default => PermissionMode::Default,
            PermissionModeArg::AcceptEdits => PermissionMode::AcceptEdits,
            PermissionModeArg::Plan => PermissionMode::Plan,
            PermissionModeArg::Bypass => PermissionMode::Bypass,
        }
    }
}

impl GlobalArgs {
    /// The flags that are settings, as the top layer of the configuration.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            provider: self.provider.clone(),
            model: self.model.clone(),
            base_url: self.base_url.clone(),
            think: self.think.map(Think::from),
            effort: self.effort.map(Effort::from),
            workspace: self.workspace.clone(),
            sandbox: self.sandbox.map(crate::sandbox::Mode::from),
            labels: FLAG_LABELS,
            permissions: self.permissions.flag_rules(),
            trust_project: self.permissions.trust_project,
        }
    }
}

impl PermissionArgs {
    fn flag_rules(&self) -> FlagRules {
        let each = |v: &[String], label| v.iter().map(|r| (r.clone(), label)).collect();
        FlagRules {
            mode: self
                .permission_mode
                .map(|m| (m.into(), "flag --permission-mode")),
            allow: each(&self.allowed_tools, "flag --allowed-tools"),
            deny: each(&self.disallowed_tools, "flag --disallowed-tools"),
        }
    }
}

/// Where a setting given on the command line came from, as `hone config` and errors say it.
const FLAG_LABELS: &[(Setting, &str)] = &[
    (Setting::Provider, "flag --provider"),
    (Setting::Model, "flag --model"),
    (Setting::BaseUrl, "flag --base-url"),
    (Setting::Think, "flag --think"),
    (Setting::Effort, "flag --effort"),
    (Setting::SandboxMode, "flag --sandbox"),
];

// The core enums below know nothing of clap; these are their spellings on the command line,
// whose variant doc comments are the help text of each value.

/// `--think`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ThinkArg {
    On,
    Off,
}

impl From<ThinkArg> for Think {
    fn from(v: ThinkArg) -> Think {
        match v {
            ThinkArg::On => Think::On,
            ThinkArg::Off => Think::Off,
        }
    }
}

/// `--effort`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EffortArg {
    Low,
    High,
    Max,
}

impl From<EffortArg> for Effort {
    fn from(v: EffortArg) -> Effort {
        match v {
            EffortArg::Low => Effort::Low,
            EffortArg::High => Effort::High,
            EffortArg::Max => Effort::Max,
        }
    }
}

/// `--sandbox`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxArg {
    /// Commands may write nothing (the devices aside); no network.
    ReadOnly,
    /// Commands may write the workspace and the temp dir; no network unless the settings allow it.
    WorkspaceWrite,
    /// No sandbox: commands may do anything you can.
    Off,
}

impl From<SandboxArg> for crate::sandbox::Mode {
    fn from(v: SandboxArg) -> crate::sandbox::Mode {
        match v {
            SandboxArg::ReadOnly => crate::sandbox::Mode::ReadOnly,
            SandboxArg::WorkspaceWrite => crate::sandbox::Mode::WorkspaceWrite,
            SandboxArg::Off => crate::sandbox::Mode::Off,
        }
    }
}

/// `--edit-format`'s values (`fix`, `lint-fix`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum EditFormatArg {
    /// Through tool calls (edit_file, write_file, apply_patch), when the provider supports them.
    #[default]
    Tools,
    /// As SEARCH/REPLACE blocks in the reply text, for models without tool calling.
    Blocks,
}

impl From<EditFormatArg> for EditFormat {
    fn from(v: EditFormatArg) -> EditFormat {
        match v {
            EditFormatArg::Tools => EditFormat::Tools,
            EditFormatArg::Blocks => EditFormat::Blocks,
        }
    }
}

/// `hone apply --format`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TextFormatArg {
    /// Detect every format in the text.
    #[default]
    Auto,
    /// `<<<<<<< SEARCH` / `=======` / `>>>>>>> REPLACE` blocks.
    SearchReplace,
    /// Unified diffs (`--- a/x`, `+++ b/x`, `@@`).
    Udiff,
    /// The `*** Begin Patch` envelope.
    Patch,
    /// Whole files in fences under their paths.
    Whole,
}

impl From<TextFormatArg> for TextFormat {
    fn from(v: TextFormatArg) -> TextFormat {
        match v {
            TextFormatArg::Auto => TextFormat::Auto,
            TextFormatArg::SearchReplace => TextFormat::SearchReplace,
            TextFormatArg::Udiff => TextFormat::Udiff,
            TextFormatArg::Patch => TextFormat::Patch,
            TextFormatArg::Whole => TextFormat::Whole,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make one change: the model reads the code and proposes edits; you confirm each diff.
    #[command(after_help = FIX_EXITS)]
    Fix(crate::cmd::fix::Args),
    /// Show the effective settings and where each came from (the key masked).
    #[command(after_help = CONFIG_EXITS)]
    Config(crate::cmd::config::Args),
    /// Print the repository map as the model sees it.
    #[command(after_help = MAP_EXITS)]
    Map(crate::cmd::map::Args),
    /// Apply edit text a model wrote (SEARCH/REPLACE, unified diff, `*** Begin Patch`, whole files).
    #[command(after_help = APPLY_EXITS)]
    Apply(crate::cmd::apply::Args),
    /// Revert changes hone applied in this workspace: the last one, or #N and everything after
    /// it; `--list` shows them.
    #[command(after_help = UNDO_EXITS)]
    Undo(crate::cmd::undo::Args),
    /// Trust this repository's own settings (allow rules, mode, provider), remembered outside it.
    Trust(crate::cmd::trust::Args),
    /// Run a linter and let the model fix what it reports, in rounds, under a strict policy.
    #[command(after_help = LINT_FIX_EXITS)]
    LintFix(crate::cmd::lint_fix::Args),
}

/// The first flag of `-p` or of the session given together with a subcommand, which clap
/// accepts (they live on the top-level command) but the subcommand never reads.
fn misplaced_flag(
    print: &crate::cmd::print::Args,
    repl: &crate::cmd::repl::Args,
) -> Option<&'static str> {
    use crate::cmd::print::OutputFormat;
    [
        (print.prompt.is_some(), "-p"),
        (print.yes, "--yes"),
        (print.max_turns.is_some(), "--max-turns"),
        (print.no_reasoning, "--no-reasoning"),
        (print.output_format != OutputFormat::Text, "--output-format"),
        (repl.continue_latest, "--continue"),
        (repl.resume.is_some(), "--resume"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

impl Command {
    /// The subcommand as typed.
    fn name(&self) -> &'static str {
        match self {
            Command::Fix(_) => "fix",
            Command::Config(_) => "config",
            Command::Map(_) => "map",
            Command::Apply(_) => "apply",
            Command::Undo(_) => "undo",
            Command::Trust(_) => "trust",
            Command::LintFix(_) => "lint-fix",
        }
    }
}

/// The program: parse, dispatch, report. Returns the process exit code.
pub fn main() -> ExitCode {
    // hone started by `tools::shell` as a command's sandbox: it becomes the command before
    // anything else runs, so the sandbox costs one `exec` and a few system calls.
    if let Some(exit) = crate::cmd::sandboxed::run_if_asked() {
        return exit;
    }
    crate::crash::install();
    let cli = Cli::parse();
    let result = run(cli);
    match result {
        Ok(exit) => ExitCode::from(exit.code()),
        // The reader of stdout left (`hone map | head -1`): its choice, not a failure.
        Err(failure) if exit::closed_pipe(&failure) => ExitCode::SUCCESS,
        Err(failure) => {
            crate::ui::report(&exit::report(&failure));
            ExitCode::from(failure.exit.code())
        }
    }
}

fn run(cli: Cli) -> Result<Exit, Failure> {
    let Cli {
        global,
        print,
        repl,
        command,
    } = cli;
    if let Some(command) = &command
        && let Some(flag) = misplaced_flag(&print, &repl)
    {
        let name = command.name();
        return Err(Failure::usage(format!(
            "`{flag}` before `{name}` is a flag of hone without a subcommand (`hone -p`, the \
             session), and `{name}` would not see it"
        ))
        .hint(format!(
            "put `{name}`'s own flags after it (`hone {name} --help` lists them)"
        )));
    }
    if global.verbose {
        crate::provider::log_request_bodies(crate::cmd::common::log_request_body);
    }
    match command {
        Some(Command::Fix(args)) => runtime()?.block_on(crate::cmd::fix::run(&global, args)),
        Some(Command::Config(args)) => crate::cmd::config::run(&global, &args),
        Some(Command::Map(args)) => crate::cmd::map::run(&global, &args),
        Some(Command::Apply(args)) => crate::cmd::apply::run(&global, &args),
        Some(Command::Undo(args)) => crate::cmd::undo::run(&global, &args),
        Some(Command::Trust(args)) => crate::cmd::trust::run(&global, &args),
        Some(Command::LintFix(args)) => {
            runtime()?.block_on(crate::cmd::lint_fix::run(&global, args))
        }
        None if print.prompt.is_some() => crate::cmd::print::run(&global, &print),
        None => crate::cmd::repl::run(&global, &repl),
    }
}

/// A multi-threaded runtime for the commands that talk to the network or run tools.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::new(
                Exit::Failed,
                anyhow::Error::new(e).context("could not start the async runtime"),
            )
        })
}
