//! Layered settings: built-in provider presets < user file < project file < environment <
//! [`Overrides`] (the flags). Resolves them once into a validated [`Config`] and remembers where
//! each value came from ([`Sources`], keyed by [`Setting`]).
//!
//! Must not touch the network, nor know the front end: the overrides arrive as plain data, and
//! exit codes and hints for a [`ConfigError`] belong to the edge that reports it. Reading the
//! files and the environment happens in [`Config::load`] only; the merge itself
//! ([`resolve::resolve`]) is a pure function of its inputs, so every rule of precedence is
//! unit-tested without a process environment. Invariant: a [`Config`] that exists is complete (a
//! provider, a model, a base URL, timeouts) and names the source of every setting `hone config`
//! shows; the key travels only as a [`Secret`].

pub mod file;
pub mod permissions;
pub mod presets;
pub mod prices;
pub mod resolve;
pub mod sandbox;
mod secret;
pub mod show;
pub mod trust;

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub use permissions::{PermissionConfig, PermissionMode, RuleEntry, RuleList, SetAside};
pub use presets::{
    MaxTokensField, ProviderPreset, ReasoningEcho, ReasoningFormat, ThinkingControl,
};
pub use prices::{ModelPrices, PeakHours, PriceTable, Prices, Rate, Rates};
pub use secret::Secret;

/// Thinking mode, for providers that have one (DeepSeek).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Think {
    On,
    Off,
}

/// Reasoning effort, for providers that accept `reasoning_effort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    Low,
    High,
    Max,
}

impl Think {
    pub fn as_str(self) -> &'static str {
        match self {
            Think::On => "on",
            Think::Off => "off",
        }
    }
}

impl Effort {
    pub fn as_str(self) -> &'static str {
        match self {
            Effort::Low => "low",
            Effort::High => "high",
            Effort::Max => "max",
        }
    }
}

/// The top layer: what a front end sets for one run (hone's flags, a REPL command), above the
/// environment and the files. Plain data, so the merge knows nothing of how it was given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// A preset's or a config file's provider name.
    pub provider: Option<String>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub think: Option<Think>,
    pub effort: Option<Effort>,
    /// The directory to work in; `None` is the current one.
    pub workspace: Option<PathBuf>,
    /// The sandbox mode of commands (a flag may loosen it, unlike a project's file).
    pub sandbox: Option<crate::sandbox::Mode>,
    /// How the front end names where each value came from (`flag --model`), for `hone config`
    /// and errors; a setting without a label reads `override`. The core names no flag itself.
    pub labels: &'static [(Setting, &'static str)],
    /// The starting permission mode, and the rules given on the command line.
    pub permissions: permissions::FlagRules,
    /// Trust the repository's own files for this run (`--trust-project`, for CI).
    pub trust_project: bool,
}

impl Overrides {
    /// The front end's name for where `setting`'s override came from.
    pub fn label(&self, setting: Setting) -> &'static str {
        self.labels
            .iter()
            .find(|(s, _)| *s == setting)
            .map_or("override", |(_, l)| *l)
    }
}

/// The environment variables hone reads for settings (overrides beat them).
pub const ENV_PROVIDER: &str = "HONE_PROVIDER";
pub const ENV_MODEL: &str = "HONE_MODEL";
pub const ENV_BASE_URL: &str = "HONE_BASE_URL";
/// Overrides the provider's own key variable.
pub const ENV_API_KEY: &str = "HONE_API_KEY";

/// The effective settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The chosen provider, with file overrides and the effective base URL applied.
    pub provider: ProviderPreset,
    pub model: String,
    pub api_key: Option<Secret>,
    pub think: Think,
    pub effort: Option<Effort>,
    /// The directory hone works in (the override's, else the current directory), absolute.
    pub workspace: PathBuf,
    /// The agent's turn limit per request.
    pub max_turns: u32,
    /// Stream responses (the default) or ask for whole ones.
    pub stream: bool,
    /// The answer-length cap sent as the preset's max-tokens field, if any.
    pub max_output_tokens: Option<u32>,
    /// The most one answer's stream may carry, in MiB (a server that streams forever is cut
    /// off there).
    pub max_answer_mb: u32,
    /// Commit the files hone changed after every REPL turn that applied edits (with a message
    /// the model writes), as `/commit` does without asking.
    pub auto_commit: bool,
    pub timeouts: Timeouts,
    pub retry: RetryPolicy,
    /// The OS sandbox of the commands hone runs.
    pub sandbox: crate::sandbox::Settings,
    /// Values of the project's file that would have loosened the sandbox, ignored.
    pub ignored: Vec<sandbox::Ignored>,
    /// The config files that were looked for, whether or not they exist.
    pub files: ConfigFiles,
    pub sources: Sources,
    /// The permission mode and rules, each with where it came from.
    pub permissions: PermissionConfig,
}

/// The client's time limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Timeouts {
    /// To open the TCP (and TLS) connection.
    pub connect: Duration,
    /// From sending the request to the first event of the answer. Long: DeepSeek holds a
    /// request for minutes under load, sending only keep-alive comments.
    pub first_byte: Duration,
    /// Between two events once the answer has started.
    pub idle: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            first_byte: Duration::from_secs(600),
            idle: Duration::from_secs(120),
        }
    }
}

/// One budget of retries per request, shared by every transient failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 disables retrying.
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, with jitter.
    pub base_delay: Duration,
    /// No wait is longer, `Retry-After` included.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(1000),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// The default cap on one answer's stream, in MiB: hundreds of times a long real answer (whose
/// stream, at ~200 bytes of JSON per token, is a few MB), and still a bound on memory and time.
pub const DEFAULT_MAX_ANSWER_MB: u32 = 256;

/// The default turn limit.
pub const DEFAULT_MAX_TURNS: u32 = 50;

/// Where the config files are (or would be).
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFiles {
    /// `$XDG_CONFIG_HOME/hone/config.toml`; `None` when there is no home directory.
    pub user: Option<PathBuf>,
    /// `<workspace>/.hone/config.toml`.
    pub project: PathBuf,
}

/// Where a setting's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Source {
    #[default]
    Default,
    User(PathBuf),
    Project(PathBuf),
    Env(String),
    /// An override, by the front end's label for it (`flag --model`).
    Flag(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::User(p) => write!(f, "user file {}", p.display()),
            Source::Project(p) => write!(f, "project file {}", p.display()),
            Source::Env(v) => write!(f, "env {v}"),
            Source::Flag(label) => f.write_str(label),
        }
    }
}

/// A setting `hone config` shows. Sources are keyed by it rather than by its name, so a
/// misspelt key is a compile error instead of a setting that silently reads as a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Provider,
    Model,
    BaseUrl,
    ApiKey,
    Think,
    Effort,
    MaxOutputTokens,
    Stream,
    MaxTurns,
    MaxAnswerMb,
    AutoCommit,
    TimeoutsConnectSecs,
    TimeoutsFirstByteSecs,
    TimeoutsIdleSecs,
    RetryMaxRetries,
    RetryBaseDelayMs,
    RetryMaxDelaySecs,
    /// Set only by the provider's preset or its `[providers.NAME]` table.
    ContextWindow,
    /// Set only by the provider's preset or its `[providers.NAME]` table.
    Prices,
    SandboxMode,
    SandboxNetwork,
    SandboxWritable,
}

impl Setting {
    /// Every setting, in the order `hone config` shows them.
    pub const ALL: [Setting; 22] = [
        Setting::Provider,
        Setting::Model,
        Setting::BaseUrl,
        Setting::ApiKey,
        Setting::Think,
        Setting::Effort,
        Setting::MaxOutputTokens,
        Setting::Stream,
        Setting::MaxTurns,
        Setting::MaxAnswerMb,
        Setting::AutoCommit,
        Setting::TimeoutsConnectSecs,
        Setting::TimeoutsFirstByteSecs,
        Setting::TimeoutsIdleSecs,
        Setting::RetryMaxRetries,
        Setting::RetryBaseDelayMs,
        Setting::RetryMaxDelaySecs,
        Setting::ContextWindow,
        Setting::Prices,
        Setting::SandboxMode,
        Setting::SandboxNetwork,
        Setting::SandboxWritable,
    ];

    /// The name `hone config` shows: the config file's key, dotted below its table.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Provider => "provider",
            Setting::Model => "model",
            Setting::BaseUrl => "base_url",
            Setting::ApiKey => "api_key",
            Setting::Think => "think",
            Setting::Effort => "effort",
            Setting::MaxOutputTokens => "max_output_tokens",
            Setting::Stream => "stream",
            Setting::MaxTurns => "max_turns",
            Setting::MaxAnswerMb => "max_answer_mb",
            Setting::AutoCommit => "auto_commit",
            Setting::TimeoutsConnectSecs => "timeouts.connect_secs",
            Setting::TimeoutsFirstByteSecs => "timeouts.first_byte_secs",
            Setting::TimeoutsIdleSecs => "timeouts.idle_secs",
            Setting::RetryMaxRetries => "retry.max_retries",
            Setting::RetryBaseDelayMs => "retry.base_delay_ms",
            Setting::RetryMaxDelaySecs => "retry.max_delay_secs",
            Setting::ContextWindow => "context_window",
            Setting::Prices => "prices",
            Setting::SandboxMode => "sandbox.mode",
            Setting::SandboxNetwork => "sandbox.network",
            Setting::SandboxWritable => "sandbox.writable",
        }
    }
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that `hone config` can align the names with a width.
        f.pad(self.name())
    }
}

/// The source of each setting.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sources(Vec<(Setting, Source)>);

impl Sources {
    pub fn set(&mut self, key: Setting, source: Source) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = source,
            None => self.0.push((key, source)),
        }
    }

    /// The source of `key`; settings never set anywhere are defaults.
    pub fn get(&self, key: Setting) -> &Source {
        const DEFAULT: &Source = &Source::Default;
        self.0
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(DEFAULT, |(_, s)| s)
    }
}

/// What can be wrong with the settings. Every one is the person's to fix (a usage error).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {}{message}", path.display(), field.as_ref().map(|f| format!("field `{f}`: ")).unwrap_or_default())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        field: Option<String>,
        message: String,
    },
    #[error("{}{}: field `{field}`: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        field: String,
        message: String,
    },
    #[error("unknown provider `{name}` (from {origin}{})", line.map(|l| format!(", line {l}, field `provider`")).unwrap_or_default())]
    UnknownProvider {
        name: String,
        origin: Source,
        line: Option<usize>,
        known: Vec<String>,
    },
    #[error("{} sets `{field}`, and hone will not send your API key where a repository's own config file points it until you trust the repository", path.display())]
    Untrusted { path: PathBuf, field: String },
    #[error("the model `{model}` (from {origin}) was retired by {provider}; its current models are {}", current.join(" and "))]
    RetiredModel {
        model: String,
        provider: String,
        origin: Source,
        current: Vec<String>,
    },
    #[error("the workspace {} is not a readable directory", path.display())]
    Workspace {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// The workspace: the directory `dir` names, else the current one, as an absolute path, checked
/// to be a readable directory. The one check every command makes of the directory it is given.
pub fn workspace_root(dir: Option<&std::path::Path>) -> Result<PathBuf, ConfigError> {
    match dir {
        Some(dir) => std::path::absolute(dir),
        None => std::env::current_dir(),
    }
    .and_then(|p| std::fs::metadata(&p).map(|m| (p, m.is_dir())))
    .and_then(|(p, is_dir)| {
        if is_dir {
            Ok(p)
        } else {
            Err(std::io::Error::new(
                std::io::ErrorKind::NotADirectory,
                "not a directory",
            ))
        }
    })
    .map_err(|source| ConfigError::Workspace {
        path: dir.map(std::path::Path::to_path_buf).unwrap_or_default(),
        source,
    })
}

impl Config {
    /// Reads the config files and the environment, and merges them with the overrides.
    pub fn load(overrides: &Overrides) -> Result<Config, ConfigError> {
        Config::load_with(overrides, true)
    }

    /// The settings as [`Config::load`] would resolve them, but without looking for a key: for
    /// `hone config` to show what a refused configuration says. Never for sending a request.
    pub fn load_without_key(overrides: &Overrides) -> Result<Config, ConfigError> {
        Config::load_with(overrides, false)
    }

    fn load_with(overrides: &Overrides, keys: bool) -> Result<Config, ConfigError> {
        let workspace = workspace_root(overrides.workspace.as_deref())?;
        let files = ConfigFiles {
            user: crate::paths::config_dir().map(|d| d.join("config.toml")),
            project: workspace.join(".hone").join("config.toml"),
        };
        let user = match &files.user {
            Some(p) => read_file(p)?,
            None => None,
        };
        let project = read_file(&files.project)?;
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let mut claude = Vec::new();
        for (path, in_project) in permissions::claude_files(home.as_deref(), &workspace) {
            claude.extend(permissions::read_claude(&path, in_project)?);
        }
        let trusted = overrides.trust_project || trust::is_trusted(&workspace);
        resolve::resolve(&resolve::Inputs {
            claude: &claude,
            trusted,
            overrides,
            env: &env,
            user: user.as_ref(),
            project: project.as_ref(),
            files,
            workspace,
            keys,
        })
    }

    /// The full URL of the Chat Completions endpoint.
    /// Environment variables that hold API keys: removed from the environment of every command
    /// hone runs for the model or a linter, so such a command cannot read the key.
    pub fn secret_env_vars(&self) -> Vec<String> {
        let mut vars = vec![ENV_API_KEY.to_string()];
        vars.extend(self.provider.key_env.iter().cloned());
        for known in [
            "DEEPSEEK_API_KEY",
            "OPENAI_API_KEY",
            "OPENROUTER_API_KEY",
            "ANTHROPIC_API_KEY",
        ] {
            if !vars.iter().any(|v| v == known) {
                vars.push(known.to_string());
            }
        }
        vars
    }

    pub fn chat_url(&self) -> String {
        self.provider.chat_url(&self.provider.base_url)
    }

    /// The prices of the chosen model, when known.
    pub fn prices(&self) -> Option<ModelPrices> {
        self.provider.prices.as_ref()?.for_model(&self.model)
    }
}

/// A config file's text, parsed; `None` when the file does not exist.
fn read_file(path: &std::path::Path) -> Result<Option<(String, file::FileConfig)>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let parsed = file::parse(path, &text)?;
            Ok(Some((text, parsed)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}
