//! Exit codes and the error type that carries one to the edge of the program.
//!
//! Inside modules errors are `thiserror` enums; a front end wraps them into a [`Failure`] with the
//! [`Exit`] code the error means and hints for the person. [`report`] is the one place that turns
//! a failure into text: `error:`, then each `caused by:`, then `hint:` lines. The exit code and
//! hints of the library's errors are decided here, from their kinds ([`provider_exit`],
//! [`provider_hints`], [`config_hints`]), so the library never names a flag or an exit code.
//! [`closed_pipe`] is the one place a closed stdout is told from a failure.

use std::fmt::Write as _;

use crate::config::ConfigError;
use crate::provider::ProviderError;

/// hone's documented exit codes (see `hone --help` and the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success: the request was answered or the change applied (or none was needed).
    Success = 0,
    /// The work did not finish: nothing applied, diagnostics remain, the turn limit was hit.
    Failed = 1,
    /// A usage or configuration error: fix the command line or the config file.
    Usage = 2,
    /// The model provider failed after retries.
    Provider = 3,
    /// `lint-fix`: the lint command itself could not run.
    LintCommand = 4,
    /// Interrupted by Ctrl-C.
    Interrupted = 130,
}

impl Exit {
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// An error on its way out of the program, with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    pub error: anyhow::Error,
    pub hints: Vec<String>,
}

impl Failure {
    pub fn new(exit: Exit, error: impl Into<anyhow::Error>) -> Self {
        Failure {
            exit,
            error: error.into(),
            hints: Vec::new(),
        }
    }

    pub fn usage(msg: impl std::fmt::Display) -> Self {
        Failure::new(Exit::Usage, anyhow::anyhow!("{msg}"))
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }
}

impl<E: Into<anyhow::Error>> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure::new(Exit::Failed, e)
    }
}

/// The exit code a provider error means: a setup the person must fix (no key, a URL that is
/// not one) exits 2; everything the server or the network did exits 3.
pub fn provider_exit(e: &ProviderError) -> Exit {
    match e {
        ProviderError::MissingKey { .. } | ProviderError::BadUrl { .. } => Exit::Usage,
        ProviderError::Setup { .. }
        | ProviderError::Unreachable { .. }
        | ProviderError::Connection { .. }
        | ProviderError::BadRequest { .. }
        | ProviderError::ModelNotFound { .. }
        | ProviderError::ContextLength { .. }
        | ProviderError::Auth { .. }
        | ProviderError::Balance { .. }
        | ProviderError::NotFound { .. }
        | ProviderError::Unprocessable { .. }
        | ProviderError::RateLimited { .. }
        | ProviderError::Server { .. }
        | ProviderError::Status { .. }
        | ProviderError::FirstByteTimeout { .. }
        | ProviderError::IdleTimeout { .. }
        | ProviderError::Dropped { .. }
        | ProviderError::Unfinished { .. }
        | ProviderError::InsufficientResource
        | ProviderError::InStream { .. }
        | ProviderError::Protocol { .. }
        | ProviderError::NotAnApi { .. }
        | ProviderError::TooLong { .. }
        | ProviderError::EmptyAnswer => Exit::Provider,
    }
}

/// What the person can do next about a provider error, in terms of hone's flags and settings.
pub fn provider_hints(e: &ProviderError) -> Vec<String> {
    match e {
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
        | ProviderError::Unfinished { partial } => match partial {
            Some(_) => {
                vec!["the partial answer above was kept; ask again to get a whole one".into()]
            }
            None => {
                vec!["try again; raise timeouts.idle_secs in the config if this repeats".into()]
            }
        },
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

/// What the person can do next about a configuration error (every one exits 2).
pub fn config_hints(e: &ConfigError) -> Vec<String> {
    match e {
        ConfigError::Read { .. } => {
            vec!["check the file's permissions, or remove it".to_string()]
        }
        ConfigError::Parse { .. } | ConfigError::Invalid { .. } => {
            vec![
                "fix the file; `examples/config.toml` in hone's repository shows every setting"
                    .to_string(),
            ]
        }
        ConfigError::Untrusted { field, .. } => vec![
            "if you trust this repository, run `hone trust` (remembered) or pass --trust-project \
             (this run only)"
                .to_string(),
            format!("or set `{field}` yourself, in your user config file or as a flag"),
            "or remove it from the project file".to_string(),
        ],
        ConfigError::UnknownProvider { known, .. } => vec![
            format!("known providers: {}", known.join(", ")),
            "define a new one in a [providers.NAME] table of the config file".to_string(),
        ],
        ConfigError::Workspace { .. } => {
            vec!["pass an existing directory with -C DIR".to_string()]
        }
    }
}

/// Whether a failure only means that the reader of stdout left (`hone map | head -1`): an
/// [`std::io::Error`] of kind `BrokenPipe` in its chain. That is the reader's choice, not a
/// failure, so `cli::main` exits 0 and says nothing, as ripgrep and jj do. A broken pipe inside
/// a provider error is the connection to the server breaking, which is a failure.
pub fn closed_pipe(f: &Failure) -> bool {
    let mut broken = false;
    for cause in f.error.chain() {
        if cause.is::<ProviderError>() || cause.is::<reqwest::Error>() {
            return false;
        }
        if cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
        {
            broken = true;
        }
    }
    broken
}

/// Renders a failure as the person sees it on stderr.
pub fn report(f: &Failure) -> String {
    let mut out = String::new();
    let mut chain = f.error.chain();
    if let Some(top) = chain.next() {
        let _ = writeln!(out, "error: {top}");
    }
    for cause in chain {
        let _ = writeln!(out, "caused by: {cause}");
    }
    for h in &f.hints {
        let _ = writeln!(out, "hint: {h}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn provider_exit_codes_and_hints() {
        let e = ProviderError::MissingKey {
            provider: "deepseek".into(),
            env: Some("DEEPSEEK_API_KEY".into()),
            config_file: None,
        };
        assert_eq!(provider_exit(&e), Exit::Usage);
        assert!(provider_hints(&e)[0].contains("DEEPSEEK_API_KEY"));
        let e = ProviderError::Balance {
            message: "x".into(),
        };
        assert_eq!(provider_exit(&e), Exit::Provider);
    }

    #[test]
    fn report_prints_chain_then_hints() {
        let err: anyhow::Result<()> = Err(anyhow::anyhow!("connection refused"));
        let err = err
            .context("could not reach http://127.0.0.1:1")
            .unwrap_err();
        let f = Failure::new(Exit::Provider, err).hint("is the server running?");
        assert_eq!(
            report(&f),
            "error: could not reach http://127.0.0.1:1\ncaused by: connection refused\nhint: is the server running?\n"
        );
        assert_eq!(f.exit.code(), 3);
    }

    #[test]
    fn only_a_closed_stdout_counts_as_a_closed_pipe() {
        let pipe = || std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let written: anyhow::Result<()> = Err(pipe().into());
        let f = Failure::from(
            written
                .context("could not write to standard output")
                .unwrap_err(),
        );
        assert!(closed_pipe(&f));
        assert!(closed_pipe(&Failure::from(pipe())));
        let other = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(!closed_pipe(&Failure::from(other)));
    }
}
