//! The text of `hone config`: every effective setting, its value and where it came from, with the
//! key masked. Pure: the front end prints what [`render`] returns.

use std::fmt::Write as _;
use std::path::Path;

use super::Config;

/// One line of `hone config`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: &'static str,
    pub value: String,
    pub source: String,
}

/// The settings as rows, in the order they are shown.
pub fn rows(c: &Config) -> Vec<Row> {
    let src = |k: &str| c.sources.get(k).to_string();
    let secs = |d: std::time::Duration| format!("{}", d.as_secs_f64());
    let mut rows = vec![
        ("provider", c.provider.name.clone(), src("provider")),
        ("model", c.model.clone(), src("model")),
        ("base_url", c.provider.base_url.clone(), src("base_url")),
    ];
    let key = match (&c.api_key, &c.provider.key_env) {
        (Some(k), _) => (k.masked(), src("api_key")),
        (None, Some(var)) if c.provider.key_required => {
            (format!("(not set: set {var})"), "-".to_string())
        }
        (None, _) => ("(none needed)".to_string(), "-".to_string()),
    };
    rows.push(("api_key", key.0, key.1));
    rows.extend([
        ("think", c.think.as_str().to_string(), src("think")),
        (
            "effort",
            c.effort.map_or("(not sent)", |e| e.as_str()).to_string(),
            src("effort"),
        ),
        (
            "max_output_tokens",
            c.max_output_tokens.map_or("(not sent)".to_string(), |n| {
                format!("{n} (as {})", c.provider.max_tokens_field.as_str())
            }),
            src("max_output_tokens"),
        ),
        ("stream", c.stream.to_string(), src("stream")),
        ("max_turns", c.max_turns.to_string(), src("max_turns")),
        (
            "max_answer_mb",
            c.max_answer_mb.to_string(),
            src("max_answer_mb"),
        ),
        (
            "timeouts.connect_secs",
            secs(c.timeouts.connect),
            src("timeouts.connect_secs"),
        ),
        (
            "timeouts.first_byte_secs",
            secs(c.timeouts.first_byte),
            src("timeouts.first_byte_secs"),
        ),
        (
            "timeouts.idle_secs",
            secs(c.timeouts.idle),
            src("timeouts.idle_secs"),
        ),
        (
            "retry.max_retries",
            c.retry.max_retries.to_string(),
            src("retry.max_retries"),
        ),
        (
            "retry.base_delay_ms",
            c.retry.base_delay.as_millis().to_string(),
            src("retry.base_delay_ms"),
        ),
        (
            "retry.max_delay_secs",
            secs(c.retry.max_delay),
            src("retry.max_delay_secs"),
        ),
    ]);
    // Set by the preset or its [providers.NAME] table.
    let preset = format!("provider {}", c.provider.name);
    rows.push((
        "context_window",
        c.provider.context_window.to_string(),
        preset.clone(),
    ));
    let prices = c.provider.prices.map_or("unknown".to_string(), |p| {
        format!(
            "${} hit / ${} miss / ${} output per 1M tokens",
            p.cache_hit, p.cache_miss, p.output
        )
    });
    rows.push(("prices", prices, preset));
    rows.into_iter()
        .map(|(key, value, source)| Row { key, value, source })
        .collect()
}

/// The whole report: aligned rows, then the config files and whether each exists.
pub fn render(c: &Config, exists: &dyn Fn(&Path) -> bool) -> String {
    let rows = rows(c);
    let kw = rows.iter().map(|r| r.key.len()).max().unwrap_or(0);
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::resolve::{Inputs, resolve};
    use crate::config::{ConfigFiles, ENV_API_KEY};
    use std::path::PathBuf;

    fn config(env: &[(&'static str, &'static str)]) -> Config {
        let flags = crate::cli::GlobalArgs {
            provider: None,
            model: Some("deepseek-v4-pro".into()),
            base_url: None,
            think: None,
            effort: None,
            workspace: None,
            color: crate::ui::ColorChoice::Never,
            verbose: false,
        };
        let env = env.to_vec();
        let lookup = move |k: &str| {
            env.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        resolve(&Inputs {
            keys: true,
            flags: &flags,
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
    fn missing_key_says_which_variable() {
        let c = config(&[]);
        let text = render(&c, &|_| false);
        assert!(text.contains("(not set: set DEEPSEEK_API_KEY)"), "{text}");
    }
}
