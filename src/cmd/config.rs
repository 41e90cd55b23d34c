//! `hone config`: prints the effective settings, where each came from, and the config files, with
//! the key masked. Also the one place that turns a [`ConfigError`] into a [`Failure`], for every
//! front end.

use crate::cli::GlobalArgs;
use crate::config::{Config, ConfigError, show};
use crate::exit::{Exit, Failure};

/// Show the effective settings and where each came from (the key masked).
#[derive(Debug, Clone, clap::Args)]
pub struct Args {}

/// Runs `hone config`.
pub fn run(global: &GlobalArgs, _args: &Args) -> Result<Exit, Failure> {
    let overrides = global.overrides();
    match Config::load(&overrides) {
        Ok(cfg) => {
            let mut text = show::render(&cfg, &|p| p.is_file());
            text.push_str(&enforcement(&cfg));
            super::common::print(&text)?;
            Ok(Exit::Success)
        }
        // A setting refused only because a key would be sent: show the settings anyway (the
        // refusal is what the person came to understand), then the refusal. The refusal is the
        // outcome, so it is reported even when the settings could not all be written.
        Err(e @ ConfigError::Untrusted { .. }) => {
            if let Ok(cfg) = Config::load_without_key(&overrides) {
                let _ = super::common::print(&show::render(&cfg, &|p| p.is_file()));
            }
            Err(super::common::config_failure(e))
        }
        Err(e) => Err(super::common::config_failure(e)),
    }
}

/// The sandbox commands would get here, found by trying it (`sandbox::Policy::new`).
fn enforcement(cfg: &Config) -> String {
    let policy = crate::sandbox::Policy::new(&cfg.sandbox, &cfg.workspace);
    show::enforcement_line(cfg, &policy.enforcement)
}
