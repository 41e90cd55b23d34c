//! The config file format (`config.toml`, user or project) and its parser.
//!
//! Parsing is strict: an unknown key is an error, not a silent no-op, and every error names the
//! file, the line and the dotted field it is about. Must not merge layers (that is `resolve`) or
//! touch the environment.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::presets::ProviderTable;
use super::{ConfigError, Effort, Think};
use crate::sandbox::Mode;

/// One config file, as written. Every field is optional: a file sets only what it changes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub provider: Option<Spanned<String>>,
    pub model: Option<String>,
    pub base_url: Option<String>,
    pub think: Option<Think>,
    pub effort: Option<Effort>,
    pub max_turns: Option<u32>,
    /// `false` asks for whole responses instead of a stream (a fallback for odd servers).
    pub stream: Option<bool>,
    pub max_output_tokens: Option<u32>,
    /// The most one answer's stream may carry, in MiB; a server streaming past it is cut off.
    pub max_answer_mb: Option<u32>,
    /// Commit the files hone changed after every REPL turn that applied edits.
    pub auto_commit: Option<bool>,
    #[serde(default)]
    pub timeouts: TimeoutsTable,
    #[serde(default)]
    pub retry: RetryTable,
    #[serde(default)]
    pub providers: BTreeMap<String, Spanned<ProviderTable>>,
    /// `[permissions]`: the starting mode and the allow / ask / deny rules.
    #[serde(default)]
    pub permissions: Option<super::permissions::PermissionsTable>,
    #[serde(default)]
    pub sandbox: SandboxTable,
}

/// `[sandbox]`: the OS sandbox of the commands hone runs (see `crate::sandbox`). A project's
/// file may only tighten it (`config::sandbox`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxTable {
    /// `read-only`, `workspace-write` or `off`.
    pub mode: Option<Mode>,
    /// `true` lets sandboxed commands open network sockets.
    pub network: Option<bool>,
    /// More paths a `workspace-write` command may write: absolute, or `~/…`.
    pub writable: Option<Vec<String>>,
}

/// `[timeouts]`, in seconds (fractions allowed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeoutsTable {
    pub connect_secs: Option<f64>,
    pub first_byte_secs: Option<f64>,
    pub idle_secs: Option<f64>,
}

/// `[retry]`: one budget shared by every kind of retry within one request.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetryTable {
    pub max_retries: Option<u32>,
    pub base_delay_ms: Option<u64>,
    pub max_delay_secs: Option<f64>,
}

/// Parses `text`, the contents of the file at `path`.
pub fn parse(path: &Path, text: &str) -> Result<FileConfig, ConfigError> {
    let file: FileConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, column) = line_col(text, offset);
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            field: field_at(text, offset),
            message: e.message().trim().to_string(),
        }
    })?;
    for (what, secs) in [
        ("timeouts.connect_secs", file.timeouts.connect_secs),
        ("timeouts.first_byte_secs", file.timeouts.first_byte_secs),
        ("timeouts.idle_secs", file.timeouts.idle_secs),
        ("retry.max_delay_secs", file.retry.max_delay_secs),
    ] {
        if let Some(s) = secs
            && !(s.is_finite() && s > 0.0 && s < 1e9)
        {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line: line_of_key(text, what),
                field: what.to_string(),
                message: format!("must be a positive number of seconds, not {s}"),
            });
        }
    }
    for w in file.sandbox.writable.iter().flatten() {
        if !(w.starts_with('/') || w.starts_with("~/")) {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line: line_of_key(text, "sandbox.writable"),
                field: "sandbox.writable".to_string(),
                message: format!("`{w}` must be an absolute path or start with `~/`"),
            });
        }
    }
    Ok(file)
}

/// 1-based line and column of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The dotted name of the key on the line holding `offset`: the last `[table]` header above it
/// plus the key before `=`, or the header itself when the line is one.
pub fn field_at(text: &str, offset: usize) -> Option<String> {
    let (line_no, _) = line_col(text, offset);
    let lines: Vec<&str> = text.lines().collect();
    let line = lines.get(line_no.checked_sub(1)?)?.trim();
    let header = |l: &str| -> Option<String> {
        let l = l.trim();
        let inner = l.strip_prefix('[')?.trim_start_matches('[');
        let name = inner.split(']').next()?.trim();
        Some(name.replace(['"', '\''], ""))
    };
    if line.starts_with('[') {
        return header(line);
    }
    let key = line.split('=').next()?.trim().replace(['"', '\''], "");
    let table = lines
        .get(..line_no - 1)?
        .iter()
        .rev()
        .find_map(|l| header(l));
    if key.is_empty() {
        return table;
    }
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key,
    })
}

/// The line on which `dotted` (`table.key` or `key`) is set, for errors found after parsing.
pub fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if field_at(text, offset).as_deref() == Some(dotted) && line.contains('=') {
            return Some(line_col(text, offset).0);
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn err(text: &str) -> ConfigError {
        parse(Path::new("/c.toml"), text).unwrap_err()
    }

    #[test]
    fn parses_every_section() {
        let f = parse(
            Path::new("/c.toml"),
            r#"
provider = "mine"
model = "m1"
think = "off"
effort = "max"
[timeouts]
idle_secs = 0.5
[retry]
max_retries = 2
[providers.mine]
base_url = "http://127.0.0.1:9/v1"
default_model = "m1"
reasoning_echo = "with-tool-calls"
max_tokens_field = "max_completion_tokens"
prices = { cache_hit = 0.1, cache_miss = 1.0, output = 2.0 }
"#,
        )
        .unwrap();
        assert_eq!(f.provider.unwrap().into_inner(), "mine");
        assert_eq!(f.think, Some(Think::Off));
        assert_eq!(f.effort, Some(Effort::Max));
        assert_eq!(f.timeouts.idle_secs, Some(0.5));
        assert_eq!(f.retry.max_retries, Some(2));
        assert!(f.providers["mine"].get_ref().prices.is_some());
    }

    #[test]
    fn a_provider_table_takes_model_for_default_model() {
        let f = parse(
            Path::new("/c.toml"),
            "[providers.mine]\nbase_url = \"http://127.0.0.1:9/v1\"\nmodel = \"m2\"\n",
        )
        .unwrap();
        assert_eq!(
            f.providers["mine"].get_ref().default_model.as_deref(),
            Some("m2")
        );
    }

    #[test]
    fn unknown_key_names_line_and_field() {
        let e = err("model = \"x\"\n[timeouts]\nidel_secs = 3\n");
        let ConfigError::Parse {
            line,
            field,
            message,
            ..
        } = &e
        else {
            panic!("{e:?}")
        };
        assert_eq!(*line, 3);
        assert_eq!(field.as_deref(), Some("timeouts.idel_secs"));
        assert!(message.contains("idel_secs"), "{message}");
    }

    #[test]
    fn wrong_type_names_line_and_field() {
        let e = err("\n\nmax_turns = \"many\"\n");
        let ConfigError::Parse { line, field, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!((*line, field.as_deref()), (3, Some("max_turns")));
        let shown = e.to_string();
        assert!(shown.starts_with("/c.toml:3:"), "{shown}");
    }

    #[test]
    fn bad_enum_value_in_provider_table() {
        let e = err("[providers.x]\nreasoning_echo = \"sometimes\"\n");
        let ConfigError::Parse { line, field, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!(
            (*line, field.as_deref()),
            (2, Some("providers.x.reasoning_echo"))
        );
    }

    #[test]
    fn non_positive_timeout_is_invalid() {
        let e = err("[timeouts]\nidle_secs = 0.0\n");
        let ConfigError::Invalid { line, field, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!((*line, field.as_str()), (Some(2), "timeouts.idle_secs"));
    }

    #[test]
    fn the_sandbox_table_parses_and_its_paths_must_be_absolute() {
        let f = parse(
            Path::new("/c.toml"),
            "[sandbox]\nmode = \"read-only\"\nnetwork = true\nwritable = [\"~/.cache/go-build\", \"/opt/x\"]\n",
        )
        .unwrap();
        assert_eq!(f.sandbox.mode, Some(Mode::ReadOnly));
        assert_eq!(f.sandbox.network, Some(true));
        assert_eq!(f.sandbox.writable.unwrap().len(), 2);
        let e = err("[sandbox]\nwritable = [\"rel/dir\"]\n");
        let ConfigError::Invalid { line, field, .. } = &e else {
            panic!("{e:?}")
        };
        assert_eq!((*line, field.as_str()), (Some(2), "sandbox.writable"));
        let e = err("[sandbox]\nmode = \"danger\"\n");
        assert!(e.to_string().contains("sandbox.mode"), "{e}");
    }

    #[test]
    fn the_example_config_parses() {
        let f = parse(
            Path::new("examples/config.toml"),
            include_str!("../../examples/config.toml"),
        )
        .unwrap();
        assert_eq!(f.providers.len(), 2);
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("", 10), (1, 1));
    }

    proptest! {
        #[test]
        fn parser_never_panics(s in "\\PC{0,200}") {
            let _ = parse(Path::new("/p.toml"), &s);
        }

        #[test]
        fn field_at_never_panics(s in "[\\[\\]=a-z\"\n .]{0,80}", off in 0usize..100) {
            let _ = field_at(&s, off);
            let _ = line_of_key(&s, "a.b");
        }
    }
}
