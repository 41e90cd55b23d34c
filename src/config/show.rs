//! The text of `hone config`: every effective setting, its value and where it came from, with the
//! key masked. Pure: the front end prints what [`render`] returns.

use std::fmt::Write as _;
use std::path::Path;

use super::{Config, Setting};

/// One line of `hone config`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: Setting,
    pub value: String,
    pub source: String,
}

/// The settings as rows, in the order they are shown (that of [`Setting::ALL`]).
pub fn rows(c: &Config) -> Vec<Row> {
    Setting::ALL
        .into_iter()
        .map(|key| {
            let (value, source) = value_and_source(c, key);
            Row { key, value, source }
        })
        .collect()
}

/// What `key` is set to, and where that came from, as shown.
fn value_and_source(c: &Config, key: Setting) -> (String, String) {
    let src = || c.sources.get(key).to_string();
    let secs = |d: std::time::Duration| format!("{}", d.as_secs_f64());
    // Set by the preset or its [providers.NAME] table.
    let preset = || format!("provider {}", c.provider.name);
    let value = match key {
        Setting::Provider => c.provider.name.clone(),
        Setting::Model => c.model.clone(),
        Setting::BaseUrl => c.provider.base_url.clone(),
        Setting::ApiKey => {
            return match (&c.api_key, &c.provider.key_env) {
                (Some(k), _) => (k.masked(), src()),
                (None, Some(var)) if c.provider.key_required => {
                    (format!("(not set: set {var})"), "-".to_string())
                }
                (None, _) => ("(none needed)".to_string(), "-".to_string()),
            };
        }
        Setting::Think => c.think.as_str().to_string(),
        Setting::Effort => c.effort.map_or("(not sent)", |e| e.as_str()).to_string(),
        Setting::MaxOutputTokens => c.max_output_tokens.map_or("(not sent)".to_string(), |n| {
            format!("{n} (as {})", c.provider.max_tokens_field.as_str())
        }),
        Setting::Stream => c.stream.to_string(),
        Setting::MaxTurns => c.max_turns.to_string(),
        Setting::MaxAnswerMb => c.max_answer_mb.to_string(),
        Setting::AutoCommit => c.auto_commit.to_string(),
        Setting::TimeoutsConnectSecs => secs(c.timeouts.connect),
        Setting::TimeoutsFirstByteSecs => secs(c.timeouts.first_byte),
        Setting::TimeoutsIdleSecs => secs(c.timeouts.idle),
        Setting::RetryMaxRetries => c.retry.max_retries.to_string(),
        Setting::RetryBaseDelayMs => c.retry.base_delay.as_millis().to_string(),
        Setting::RetryMaxDelaySecs => secs(c.retry.max_delay),
        Setting::ContextWindow => return (c.provider.context_window.to_string(), preset()),
        Setting::Prices => {
            let one = |p: crate::config::Prices| {
                format!(
                    "${} hit / ${} miss / ${} output",
                    p.cache_hit, p.cache_miss, p.output
                )
            };
            let prices = c.prices().map_or("unknown".to_string(), |m| {
                match (m.rates.peak, m.peak_hours) {
                    (Some(peak), Some(_)) => format!(
                        "{} off-peak, {} peak, per 1M tokens",
                        one(m.rates.off_peak),
                        one(peak)
                    ),
                    _ => format!("{} per 1M tokens", one(m.rates.off_peak)),
                }
            });
            return (prices, preset());
        }
        Setting::SandboxMode => c.sandbox.mode.as_str().to_string(),
        Setting::SandboxNetwork => c.sandbox.network.allowed().to_string(),
        Setting::SandboxWritable if c.sandbox.writable.is_empty() => "(none)".to_string(),
        Setting::SandboxWritable => c
            .sandbox
            .writable
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
    };
    (value, src())
}

/// The whole report: aligned rows, then the config files and whether each exists.
pub fn render(c: &Config, exists: &dyn Fn(&Path) -> bool) -> String {
    let rows = rows(c);
    let kw = rows.iter().map(|r| r.key.name().len()).max().unwrap_or(0);
    let vw = rows
        .iter()
        .map(|r| r.value.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    let mut out = String::new();
    for r in &rows {
        let _ = writeln!(out, "{:kw$}  {:vw$}  {}", r.key, r.value, r.source);
    }
    out.push('\n');
    let mut file = |label: &str, p: Option<&Path>| {
        let state = match p {
            Some(p) if exists(p) => p.display().to_string(),
            Some(p) => format!("{} (not found)", p.display()),
            None => "(no home directory)".to_string(),
        };
        let _ = writeln!(out, "{label:kw$}  {state}");
    };
    file("user file", c.files.user.as_deref());
    file("project file", Some(&c.files.project));
    out.push('\n');
    permissions(&mut out, &c.permissions, kw);
    for i in &c.ignored {
        let _ = writeln!(out, "{:kw$}  {i}", "note");
    }
    out
}

/// The permission mode, the trust, and every rule with where it came from.
fn permissions(out: &mut String, p: &super::PermissionConfig, kw: usize) {
    let _ = writeln!(
        out,
        "{:kw$}  {}  {}",
        "permission mode",
        p.mode.as_str(),
        p.mode_source
    );
    let trusted = if p.trusted {
        "yes"
    } else {
        "no (`hone trust` to trust its own settings)"
    };
    let _ = writeln!(out, "{:kw$}  {trusted}", "repository trusted");
    if p.rules.is_empty() {
        let _ = writeln!(out, "{:kw$}  (none)", "rules");
    }
    let rw = p.rules.iter().map(|r| r.rule.len()).max().unwrap_or(0);
    for r in &p.rules {
        let _ = writeln!(out, "{:6} {:rw$}  {}", r.list.as_str(), r.rule, r.source);
    }
    for s in &p.set_aside {
        let label = if s.needs_trust {
            "set aside until trusted"
        } else {
            "not used"
        };
        let _ = writeln!(out, "{label}: {} ({})", s.what, s.source);
    }
}

/// The sandbox this system gives commands (found by the front end, which can try it), as a
/// line aligned with [`render`]'s.
pub fn enforcement_line(c: &Config, enforcement: &crate::sandbox::Enforcement) -> String {
    let kw = Setting::ALL
        .iter()
        .map(|s| s.name().len())
        .max()
        .unwrap_or(0);
    let mode = c.sandbox.mode;
    let network = match (mode, c.sandbox.network.allowed()) {
        (crate::sandbox::Mode::Off, _) => "",
        (_, true) => ", network allowed",
        (_, false) => ", network denied",
    };
    format!(
        "{:kw$}  {}{network}: enforcement {enforcement}\n",
        "sandbox",
        mode.as_str()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve::{Inputs, resolve};
    use crate::config::{ConfigFiles, ENV_API_KEY};
    use std::path::PathBuf;

    fn config(env: &[(&'static str, &'static str)]) -> Config {
        let flags = crate::config::Overrides {
            model: Some("deepseek-v4-pro".into()),
            labels: &[(crate::config::Setting::Model, "flag --model")],
            ..Default::default()
        };
        let env = env.to_vec();
        let lookup = move |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        resolve(&Inputs {
            keys: true,
            claude: &[],
            trusted: false,
            overrides: &flags,
            env: &lookup,
            user: None,
            project: None,
            files: ConfigFiles {
                user: Some(PathBuf::from("/u/config.toml")),
                project: PathBuf::from("/w/.hone/config.toml"),
            },
            workspace: PathBuf::from("/w"),
        })
        .unwrap()
    }

    #[test]
    fn shows_sources_and_masks_the_key() {
        let c = config(&[(ENV_API_KEY, "sk-secret-0123456789-abcd")]);
        let text = render(&c, &|p| p == Path::new("/u/config.toml"));
        assert!(!text.contains("sk-secret"), "{text}");
        assert!(text.contains("****abcd"), "{text}");
        let line = |k: &str| text.lines().find(|l| l.starts_with(k)).unwrap().to_string();
        assert!(line("model ").ends_with("flag --model"), "{text}");
        assert!(line("api_key").ends_with("env HONE_API_KEY"), "{text}");
        assert!(line("provider").ends_with("default"), "{text}");
        assert!(
            line("max_output_tokens").contains("as max_tokens"),
            "{text}"
        );
        assert!(text.contains("/w/.hone/config.toml (not found)"), "{text}");
        assert!(line("user file").ends_with("/u/config.toml"), "{text}");
    }

    #[test]
    fn every_setting_has_a_row_under_a_name_of_its_own() {
        let c = config(&[]);
        let keys: Vec<Setting> = rows(&c).into_iter().map(|r| r.key).collect();
        assert_eq!(keys, Setting::ALL);
        let mut names: Vec<&str> = Setting::ALL.iter().map(|s| s.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Setting::ALL.len(), "{names:?}");
    }

    #[test]
    fn missing_key_says_which_variable() {
        let c = config(&[]);
        let text = render(&c, &|_| false);
        assert!(text.contains("(not set: set DEEPSEEK_API_KEY)"), "{text}");
    }
}
