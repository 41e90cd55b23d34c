//! `hone trust`: trust this repository's own settings for good — its allow rules and starting
//! mode in `.hone/config.toml` and `.claude/settings*.json`, and its choice of provider and
//! where the key goes — or, with `--revoke`, take that back. Shows what the settings ask for
//! first. The trust is remembered in hone's state directory, never in the repository.
#![allow(clippy::print_stderr)]

use crate::cli::GlobalArgs;
use crate::config::{Config, ConfigError, trust};
use crate::exit::{Exit, Failure};

/// Trust this repository's own settings (remembered outside it), or revoke that trust.
#[derive(Debug, Clone, clap::Args)]
pub struct Args {
    /// Take the trust back.
    #[arg(long)]
    pub revoke: bool,
}

/// Runs `hone trust`.
pub fn run(global: &GlobalArgs, args: &Args) -> Result<Exit, Failure> {
    let root = super::common::workspace_root(global)?;
    if !args.revoke {
        let mut overrides = global.overrides();
        overrides.trust_project = false;
        match Config::load_without_key(&overrides) {
            Ok(cfg) if cfg.permissions.trusted => {
                eprintln!("hone: {} is already trusted", root.display());
                return Ok(Exit::Success);
            }
            Ok(cfg) => {
                let wants: Vec<_> = cfg
                    .permissions
                    .set_aside
                    .iter()
                    .filter(|s| s.needs_trust)
                    .collect();
                if wants.is_empty() {
                    eprintln!("hone: this repository's settings ask for nothing that needs trust");
                } else {
                    eprintln!("hone: this repository's settings ask for:");
                    for s in wants {
                        eprintln!("  - {} ({})", s.what, s.source);
                    }
                }
            }
            Err(e @ ConfigError::Untrusted { .. }) => eprintln!("hone: {e}"),
            Err(e) => return Err(super::common::config_failure(e)),
        }
    }
    let store = trust::set_trusted(&root, !args.revoke).map_err(|e| {
        Failure::new(
            Exit::Failed,
            anyhow::Error::new(e).context("could not write the trust store"),
        )
    })?;
    let verb = if args.revoke {
        "no longer trusted"
    } else {
        "trusted"
    };
    eprintln!(
        "hone: {} is {verb} (remembered in {})",
        root.display(),
        store.display()
    );
    Ok(Exit::Success)
}
