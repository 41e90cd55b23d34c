//! The merge: built-in presets < user file < project file < environment < flags, as a pure
//! function of already-read inputs.
//!
//! One rule beyond "higher layer wins": a model or base URL set in a layer below the one that
//! chose the provider belongs to another provider and is ignored (a user file's
//! `model = "deepseek-v4-pro"` must not follow `--provider ollama`). A provider's own default
//! model and URL are set in its `[providers.NAME]` table instead. A key is never read from the
//! project file, which may be committed to a shared repository.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use super::file::{FileConfig, line_col, line_of_key};
use super::permissions;
use super::presets::{self, DEFAULT_PROVIDER, ProviderPreset};
use super::{
    Config, ConfigError, ConfigFiles, DEFAULT_MAX_ANSWER_MB, DEFAULT_MAX_TURNS, ENV_API_KEY,
    ENV_BASE_URL, ENV_MODEL, ENV_PROVIDER, Effort, Overrides, RetryPolicy, Secret, Setting, Source,
    Sources, Think, Timeouts,
};

/// Everything the merge reads.
pub struct Inputs<'a> {
    /// The top layer (hone's flags).
    pub overrides: &'a Overrides,
    /// Looks up an environment variable; empty values count as unset.
    pub env: &'a dyn Fn(&str) -> Option<String>,
    /// The user file's text and contents, when it exists.
    pub user: Option<&'a (String, FileConfig)>,
    /// The project file's text and contents, when it exists.
    pub project: Option<&'a (String, FileConfig)>,
    pub files: ConfigFiles,
    pub workspace: PathBuf,
    /// The Claude Code settings files that exist, lowest layer first (their `permissions`).
    pub claude: &'a [permissions::Layer],
    /// Whether the person trusts this workspace's own files.
    pub trusted: bool,
    /// Look for a key at all. `false` only for showing settings a key would make unusable
    /// (`hone config` explaining a refusal): such a config is never used to send anything.
    pub keys: bool,
}

/// One config file in the merge.
struct FileLayer<'a> {
    /// Where the file sits among the layers (see the ranks below).
    rank: u8,
    source: Source,
    path: PathBuf,
    text: &'a str,
    file: &'a FileConfig,
    project: bool,
}

// Layer ranks, lowest first.
const DEFAULT: u8 = 0;
const USER: u8 = 1;
const PROJECT: u8 = 2;
const ENV: u8 = 3;
const FLAG: u8 = 4;

/// A value and the layer it came from.
type Sourced<T> = (T, Source);

/// Merges the layers into a [`Config`].
pub fn resolve(i: &Inputs<'_>) -> Result<Config, ConfigError> {
    let layers = file_layers(i);
    let presets = presets_with_tables(&layers)?;
    let mut sources = Sources::default();
    let choice = choose_provider(i, &layers, &presets)?;
    sources.set(Setting::Provider, choice.source.clone());
    let mut provider = choice.preset.clone();

    let (model, base_url) = model_and_url(i, &layers, &choice);
    if provider.retired_models.contains(&model.0) {
        return Err(ConfigError::RetiredModel {
            model: model.0,
            provider: provider.name,
            origin: model.1,
            current: provider.models,
        });
    }
    provider.base_url = base_url.0;
    sources.set(Setting::Model, model.1);
    sources.set(Setting::BaseUrl, base_url.1);

    let key = if i.keys {
        find_key(i, &layers, &choice.name, &provider)
    } else {
        None
    };
    if key.is_some() && !i.trusted {
        check_trust(&layers, &choice, &sources)?;
    }
    let api_key = key.map(|(k, source)| {
        sources.set(Setting::ApiKey, source);
        Secret::new(k)
    });

    let mut t = Tuning::defaults(&provider);
    for l in &layers {
        t.apply_file(l, &mut sources);
    }
    t.apply_overrides(i.overrides, &mut sources);

    let home = (i.env)("HOME").map(PathBuf::from);
    let mut sandbox = super::sandbox::Merge {
        trusted: i.trusted,
        ..super::sandbox::Merge::default()
    };
    for l in &layers {
        sandbox.file(&l.file.sandbox, &l.source, home.as_deref(), &mut sources);
    }
    let label = i.overrides.label(Setting::SandboxMode);
    sandbox.flag(i.overrides.sandbox, label, &mut sources);

    Ok(Config {
        provider,
        model: model.0,
        api_key,
        think: t.think,
        effort: t.effort,
        workspace: i.workspace.clone(),
        max_turns: t.max_turns,
        stream: t.stream,
        max_output_tokens: t.max_output_tokens,
        max_answer_mb: t.max_answer_mb,
        auto_commit: t.auto_commit,
        timeouts: t.timeouts,
        retry: t.retry,
        sandbox: sandbox.settings,
        ignored: sandbox.ignored,
        files: i.files.clone(),
        sources,
        permissions: permission_settings(i, &layers)?,
    })
}

/// The permission layers in order — hone's user file, Claude Code's user file, hone's project
/// file, then Claude Code's project files — merged with the flags.
fn permission_settings(
    i: &Inputs<'_>,
    layers: &[FileLayer<'_>],
) -> Result<super::PermissionConfig, ConfigError> {
    let hone = |project: bool| {
        layers
            .iter()
            .filter(move |l| l.project == project)
            .filter_map(|l| {
                let t = l.file.permissions.as_ref()?;
                Some(permissions::Layer::from_table(
                    l.source.clone(),
                    l.project,
                    t,
                ))
            })
    };
    let claude = |project: bool| {
        i.claude
            .iter()
            .filter(move |l| l.project == project)
            .cloned()
    };
    let all: Vec<_> = hone(false)
        .chain(claude(false))
        .chain(hone(true))
        .chain(claude(true))
        .collect();
    permissions::merge(&all, &i.overrides.permissions, i.trusted)
}

/// The config files that exist, lowest layer first.
fn file_layers<'a>(i: &Inputs<'a>) -> Vec<FileLayer<'a>> {
    let mut layers = Vec::new();
    if let (Some((text, file)), Some(path)) = (i.user, &i.files.user) {
        layers.push(FileLayer {
            rank: USER,
            source: Source::User(path.clone()),
            path: path.clone(),
            text,
            file,
            project: false,
        });
    }
    if let Some((text, file)) = i.project {
        let path = i.files.project.clone();
        layers.push(FileLayer {
            rank: PROJECT,
            source: Source::Project(path.clone()),
            path,
            text,
            file,
            project: true,
        });
    }
    layers
}

/// The presets, with each file's `[providers.NAME]` tables applied in order; a key in the
/// project file and a new provider without a URL or a model are refused here.
fn presets_with_tables(
    layers: &[FileLayer<'_>],
) -> Result<BTreeMap<String, ProviderPreset>, ConfigError> {
    let mut presets = presets::builtin();
    let mut defined_in: BTreeMap<String, (&FileLayer<'_>, usize)> = BTreeMap::new();
    for l in layers {
        for (name, table) in &l.file.providers {
            let line = line_col(l.text, table.span().start).0;
            let t = table.get_ref();
            if l.project && t.api_key.is_some() {
                return Err(ConfigError::Invalid {
                    path: l.path.clone(),
                    line: line_of_key(l.text, &format!("providers.{name}.api_key")).or(Some(line)),
                    field: format!("providers.{name}.api_key"),
                    message: "a key does not belong in the project file, which may be committed; set it in the \
                              user file or the environment"
                        .to_string(),
                });
            }
            presets
                .entry(name.clone())
                .or_insert_with(|| ProviderPreset::custom_template(name))
                .apply(t);
            defined_in.insert(name.clone(), (l, line));
        }
    }
    for (name, (l, line)) in &defined_in {
        let p = &presets[name];
        for (field, empty) in [
            ("base_url", p.base_url.is_empty()),
            ("default_model", p.default_model.is_empty()),
        ] {
            if empty {
                return Err(ConfigError::Invalid {
                    path: l.path.clone(),
                    line: Some(*line),
                    field: format!("providers.{name}.{field}"),
                    message: format!("a new provider needs `{field}`"),
                });
            }
        }
    }
    Ok(presets)
}

/// The provider chosen, and by which layer.
struct Choice {
    name: String,
    preset: ProviderPreset,
    source: Source,
    /// The rank of the layer that chose it: provider-tied settings below it are ignored.
    rank: u8,
}

/// The highest layer's provider, which must be a preset or a file's `[providers.NAME]` table.
fn choose_provider(
    i: &Inputs<'_>,
    layers: &[FileLayer<'_>],
    presets: &BTreeMap<String, ProviderPreset>,
) -> Result<Choice, ConfigError> {
    let mut choice = (DEFAULT_PROVIDER.to_string(), Source::Default, None, DEFAULT);
    for l in layers {
        if let Some(p) = &l.file.provider {
            let line = line_col(l.text, p.span().start).0;
            choice = (p.get_ref().clone(), l.source.clone(), Some(line), l.rank);
        }
    }
    if let Some(p) = (i.env)(ENV_PROVIDER) {
        choice = (p, Source::Env(ENV_PROVIDER.to_string()), None, ENV);
    }
    if let Some(p) = &i.overrides.provider {
        choice = (
            p.clone(),
            Source::Flag(i.overrides.label(Setting::Provider)),
            None,
            FLAG,
        );
    }
    let (name, source, line, rank) = choice;
    match presets.get(&name) {
        Some(preset) => Ok(Choice {
            preset: preset.clone(),
            name,
            source,
            rank,
        }),
        None => Err(ConfigError::UnknownProvider {
            name,
            origin: source,
            line,
            known: presets.keys().cloned().collect(),
        }),
    }
}

/// The model and base URL: only from the provider's own table or from layers at or above the
/// one that chose it.
fn model_and_url(
    i: &Inputs<'_>,
    layers: &[FileLayer<'_>],
    choice: &Choice,
) -> (Sourced<String>, Sourced<String>) {
    let mut model = (choice.preset.default_model.clone(), Source::Default);
    let mut base_url = (choice.preset.base_url.clone(), Source::Default);
    for l in layers {
        if let Some(t) = l.file.providers.get(&choice.name) {
            if t.get_ref().default_model.is_some() {
                model.1 = l.source.clone();
            }
            if t.get_ref().base_url.is_some() {
                base_url.1 = l.source.clone();
            }
        }
    }
    for l in layers.iter().filter(|l| l.rank >= choice.rank) {
        if let Some(m) = &l.file.model {
            model = (m.clone(), l.source.clone());
        }
        if let Some(u) = &l.file.base_url {
            base_url = (u.clone(), l.source.clone());
        }
    }
    if choice.rank <= ENV {
        if let Some(m) = (i.env)(ENV_MODEL) {
            model = (m, Source::Env(ENV_MODEL.to_string()));
        }
        if let Some(u) = (i.env)(ENV_BASE_URL) {
            base_url = (u, Source::Env(ENV_BASE_URL.to_string()));
        }
    }
    if let Some(m) = &i.overrides.model {
        model = (m.clone(), Source::Flag(i.overrides.label(Setting::Model)));
    }
    if let Some(u) = &i.overrides.base_url {
        base_url = (u.clone(), Source::Flag(i.overrides.label(Setting::BaseUrl)));
    }
    (model, base_url)
}

/// The key: HONE_API_KEY, then the provider's variable, then the highest file's table (the
/// project file's was refused already).
fn find_key(
    i: &Inputs<'_>,
    layers: &[FileLayer<'_>],
    name: &str,
    provider: &ProviderPreset,
) -> Option<Sourced<String>> {
    let from_file = layers.iter().rev().find_map(|l| {
        let key = l.file.providers.get(name)?.get_ref().api_key.clone()?;
        Some((key, l.source.clone()))
    });
    (i.env)(ENV_API_KEY)
        .map(|k| (k, Source::Env(ENV_API_KEY.to_string())))
        .or_else(|| {
            let var = provider.key_env.as_deref()?;
            (i.env)(var).map(|k| (k, Source::Env(var.to_string())))
        })
        .or(from_file)
}

/// With a key in play and the repository not trusted: its own config file must not be able to
/// send the person's key elsewhere — not by a URL, not by naming the variable that becomes the
/// key, and not by picking another provider than the person's own settings pick. It may pick a
/// model.
fn check_trust(
    layers: &[FileLayer<'_>],
    choice: &Choice,
    sources: &Sources,
) -> Result<(), ConfigError> {
    let name = choice.name.as_str();
    if let Source::Project(path) = &choice.source {
        let below = layers
            .iter()
            .filter(|l| !l.project)
            .filter_map(|l| l.file.provider.as_ref().map(|p| p.get_ref().as_str()))
            .next_back()
            .unwrap_or(DEFAULT_PROVIDER);
        if below != name {
            return Err(ConfigError::Untrusted {
                path: path.clone(),
                field: Setting::Provider.name().to_string(),
            });
        }
    }
    if let Source::Project(path) = sources.get(Setting::BaseUrl) {
        return Err(ConfigError::Untrusted {
            path: path.clone(),
            field: Setting::BaseUrl.name().to_string(),
        });
    }
    let project_key_env = layers.iter().find_map(|l| match &l.source {
        Source::Project(path) => {
            let t = l.file.providers.get(name)?;
            t.get_ref().key_env.is_some().then(|| path.clone())
        }
        _ => None,
    });
    match project_key_env {
        Some(path) => Err(ConfigError::Untrusted {
            path,
            field: "key_env".to_string(),
        }),
        None => Ok(()),
    }
}

/// Everything not tied to the provider: defaults < files < overrides.
struct Tuning {
    think: Think,
    effort: Option<Effort>,
    max_turns: u32,
    stream: bool,
    max_output_tokens: Option<u32>,
    max_answer_mb: u32,
    auto_commit: bool,
    timeouts: Timeouts,
    retry: RetryPolicy,
}

impl Tuning {
    fn defaults(provider: &ProviderPreset) -> Tuning {
        Tuning {
            think: provider.think_default,
            effort: None,
            max_turns: DEFAULT_MAX_TURNS,
            stream: true,
            max_output_tokens: provider.max_output_tokens,
            max_answer_mb: DEFAULT_MAX_ANSWER_MB,
            auto_commit: false,
            timeouts: Timeouts::default(),
            retry: RetryPolicy::default(),
        }
    }

    /// One file's values over the layers below it.
    fn apply_file(&mut self, l: &FileLayer<'_>, sources: &mut Sources) {
        let f = l.file;
        let src = || l.source.clone();
        if let Some(v) = f.think {
            self.think = v;
            sources.set(Setting::Think, src());
        }
        if let Some(v) = f.effort {
            self.effort = Some(v);
            sources.set(Setting::Effort, src());
        }
        if let Some(v) = f.max_turns {
            self.max_turns = v;
            sources.set(Setting::MaxTurns, src());
        }
        if let Some(v) = f.stream {
            self.stream = v;
            sources.set(Setting::Stream, src());
        }
        if let Some(v) = f.max_output_tokens {
            self.max_output_tokens = Some(v);
            sources.set(Setting::MaxOutputTokens, src());
        }
        if let Some(v) = f.max_answer_mb {
            self.max_answer_mb = v.max(1);
            sources.set(Setting::MaxAnswerMb, src());
        }
        if let Some(v) = f.auto_commit {
            self.auto_commit = v;
            sources.set(Setting::AutoCommit, src());
        }
        let mut secs = |key: Setting, v: Option<f64>, dst: &mut Duration| {
            if let Some(d) = v.and_then(|s| Duration::try_from_secs_f64(s).ok()) {
                *dst = d;
                sources.set(key, src());
            }
        };
        let (t, r) = (&f.timeouts, &f.retry);
        secs(
            Setting::TimeoutsConnectSecs,
            t.connect_secs,
            &mut self.timeouts.connect,
        );
        secs(
            Setting::TimeoutsFirstByteSecs,
            t.first_byte_secs,
            &mut self.timeouts.first_byte,
        );
        secs(
            Setting::TimeoutsIdleSecs,
            t.idle_secs,
            &mut self.timeouts.idle,
        );
        secs(
            Setting::RetryMaxDelaySecs,
            r.max_delay_secs,
            &mut self.retry.max_delay,
        );
        if let Some(v) = r.max_retries {
            self.retry.max_retries = v;
            sources.set(Setting::RetryMaxRetries, src());
        }
        if let Some(v) = r.base_delay_ms {
            self.retry.base_delay = Duration::from_millis(v);
            sources.set(Setting::RetryBaseDelayMs, src());
        }
    }

    /// The overrides' values over everything else.
    fn apply_overrides(&mut self, o: &Overrides, sources: &mut Sources) {
        if let Some(v) = o.think {
            self.think = v;
            sources.set(Setting::Think, Source::Flag(o.label(Setting::Think)));
        }
        if let Some(v) = o.effort {
            self.effort = Some(v);
            sources.set(Setting::Effort, Source::Flag(o.label(Setting::Effort)));
        }
    }
}

#[cfg(test)]
mod tests;
