//! Provider presets: everything hone needs to know about one OpenAI-compatible endpoint, as data.
//!
//! Every difference between providers (the key's variable, the name of the max-tokens field, how
//! reasoning comes back and whether it must be sent back, the thinking switch, prices) is a field
//! here, so the client never branches on a provider's or model's name. A `[providers.NAME]` table
//! in a config file overrides fields of a built-in preset or defines a new one. Must not read the
//! environment or the network.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Think;
use super::prices::{BEIJING_PEAK, PriceTable, Prices, PricesTable, Rates};

/// One provider: where it lives and how it speaks.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderPreset {
    pub name: String,
    /// The API root; requests go to `{base_url}/chat/completions`.
    pub base_url: String,
    /// The environment variable that holds the key (`HONE_API_KEY` overrides it).
    pub key_env: Option<String>,
    /// Whether a request without a key is a configuration error. Local servers need none.
    pub key_required: bool,
    pub default_model: String,
    /// Models known to exist, offered when the server says a model does not.
    pub models: Vec<String>,
    /// Context window in tokens.
    pub context_window: u64,
    /// Sent as the max-tokens field when set.
    pub max_output_tokens: Option<u32>,
    /// Whether the endpoint accepts `tools` and answers with `tool_calls`.
    pub tool_calls: bool,
    pub reasoning: ReasoningFormat,
    pub reasoning_echo: ReasoningEcho,
    pub thinking: ThinkingControl,
    /// The thinking mode when neither a file nor `--think` sets one.
    pub think_default: Think,
    pub max_tokens_field: MaxTokensField,
    /// Prices per million tokens, per model; `None` when hone cannot know them (OpenRouter).
    pub prices: Option<PriceTable>,
    /// Whether to ask for usage in the stream (`stream_options.include_usage`).
    pub stream_usage: bool,
    /// Model names the provider retired: refused before any request, naming `models`.
    pub retired_models: Vec<String>,
    /// Whether to send the session id as `prompt_cache_key`, which OpenAI uses to route a
    /// session's requests to the same cache.
    pub prompt_cache_key: bool,
}

/// How an endpoint returns reasoning. The `reasoning_content` and `reasoning` delta fields are
/// always read; this says whether `<think>…</think>` at the start of the answer is reasoning too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasoningFormat {
    /// Only the `reasoning_content` / `reasoning` fields.
    Fields,
    /// The fields, and a leading `<think>…</think>` block in the content (open-weight models
    /// served by ollama, vLLM, llama.cpp, LM Studio without a reasoning parser).
    InlineThink,
}

/// Whether earlier assistant messages carry their `reasoning_content` back to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReasoningEcho {
    /// Never: some servers reject the unknown field.
    Never,
    /// On assistant messages that carry tool calls, as `""` when there was none, and on no
    /// others. DeepSeek's thinking mode answers 400 without it on such messages.
    WithToolCalls,
    /// On every assistant message that has reasoning.
    Always,
}

/// How the thinking switch and the effort travel in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ThinkingControl {
    /// Neither is sent.
    None,
    /// `thinking: {type: enabled|disabled}` and, when set, `reasoning_effort` (DeepSeek).
    ThinkingObject,
    /// Only `reasoning_effort`, when set (OpenAI's reasoning models).
    ReasoningEffort,
}

/// The request field that caps the answer's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum MaxTokensField {
    #[serde(rename = "max_tokens")]
    MaxTokens,
    /// OpenAI's newer name; its reasoning models reject `max_tokens`.
    #[serde(rename = "max_completion_tokens")]
    MaxCompletionTokens,
}

impl MaxTokensField {
    pub fn as_str(self) -> &'static str {
        match self {
            MaxTokensField::MaxTokens => "max_tokens",
            MaxTokensField::MaxCompletionTokens => "max_completion_tokens",
        }
    }
}

/// A `[providers.NAME]` table: every field optional, applied over a built-in preset or, for a
/// new name, over [`ProviderPreset::custom_template`].
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderTable {
    pub base_url: Option<String>,
    pub key_env: Option<String>,
    pub key_required: Option<bool>,
    /// Allowed only in the user file: a project file may be committed.
    pub api_key: Option<String>,
    /// Also accepted as `model`, the name the top level of the file uses for the same idea.
    #[serde(alias = "model")]
    pub default_model: Option<String>,
    pub models: Option<Vec<String>>,
    pub context_window: Option<u64>,
    pub max_output_tokens: Option<u32>,
    pub tool_calls: Option<bool>,
    pub reasoning: Option<ReasoningFormat>,
    pub reasoning_echo: Option<ReasoningEcho>,
    pub thinking: Option<ThinkingControl>,
    pub think_default: Option<Think>,
    pub max_tokens_field: Option<MaxTokensField>,
    pub prices: Option<PricesTable>,
    pub stream_usage: Option<bool>,
    pub prompt_cache_key: Option<bool>,
}

impl ProviderPreset {
    /// The starting point of a provider defined only in a config file: a generic
    /// OpenAI-compatible endpoint with no key. `base_url` and `default_model` must be set.
    pub fn custom_template(name: &str) -> ProviderPreset {
        ProviderPreset {
            name: name.to_string(),
            base_url: String::new(),
            key_env: None,
            key_required: false,
            default_model: String::new(),
            models: Vec::new(),
            context_window: 32_768,
            max_output_tokens: None,
            tool_calls: true,
            reasoning: ReasoningFormat::InlineThink,
            reasoning_echo: ReasoningEcho::Never,
            thinking: ThinkingControl::None,
            think_default: Think::Off,
            max_tokens_field: MaxTokensField::MaxTokens,
            prices: None,
            stream_usage: true,
            retired_models: Vec::new(),
            prompt_cache_key: false,
        }
    }

    /// Applies the fields a table sets. A table that names a key variable makes the key required
    /// unless it says otherwise.
    pub fn apply(&mut self, t: &ProviderTable) {
        fn set<T: Clone>(dst: &mut T, src: &Option<T>) {
            if let Some(v) = src {
                *dst = v.clone();
            }
        }
        set(&mut self.base_url, &t.base_url);
        if let Some(env) = &t.key_env {
            self.key_env = Some(env.clone());
            self.key_required = true;
        }
        set(&mut self.key_required, &t.key_required);
        set(&mut self.default_model, &t.default_model);
        set(&mut self.models, &t.models);
        set(&mut self.context_window, &t.context_window);
        if t.max_output_tokens.is_some() {
            self.max_output_tokens = t.max_output_tokens;
        }
        set(&mut self.tool_calls, &t.tool_calls);
        set(&mut self.reasoning, &t.reasoning);
        set(&mut self.reasoning_echo, &t.reasoning_echo);
        set(&mut self.thinking, &t.thinking);
        set(&mut self.think_default, &t.think_default);
        set(&mut self.max_tokens_field, &t.max_tokens_field);
        if let Some(p) = &t.prices {
            self.prices.get_or_insert_with(PriceTable::default).apply(p);
        }
        set(&mut self.stream_usage, &t.stream_usage);
        set(&mut self.prompt_cache_key, &t.prompt_cache_key);
    }

    /// `{base_url}/chat/completions`, without doubling a trailing slash.
    pub fn chat_url(&self, base_url: &str) -> String {
        format!("{}/chat/completions", base_url.trim_end_matches('/'))
    }
}

/// DeepSeek's published prices per million tokens as of December 2026 (cache hit, cache miss,
/// output), off-peak and at Beijing's peak hours, when they double.
fn deepseek_prices() -> PriceTable {
    let p = |cache_hit, cache_miss, output| Prices {
        cache_hit,
        cache_miss,
        output,
    };
    let models = [
        ("deepseek-flash", p(0.003, 0.15, 0.60), p(0.006, 0.30, 1.20)),
        (
            "deepseek-v4-pro",
            p(0.022, 0.66, 1.98),
            p(0.044, 1.32, 3.96),
        ),
    ];
    PriceTable {
        models: models
            .into_iter()
            .map(|(m, off_peak, peak)| {
                let rates = Rates {
                    off_peak,
                    peak: Some(peak),
                };
                (m.to_string(), rates)
            })
            .collect(),
        other: None,
        peak_hours: Some(BEIJING_PEAK),
    }
}

/// The name of the default provider.
pub const DEFAULT_PROVIDER: &str = "deepseek";

/// The built-in presets, by name.
pub fn builtin() -> BTreeMap<String, ProviderPreset> {
    // A local server: a generic OpenAI-compatible endpoint that costs nothing.
    let local = |name: &str, base_url: &str, key_env: &str, model: &str| ProviderPreset {
        base_url: base_url.to_string(),
        // A local server may be started with a key; send it when the variable is set.
        key_env: Some(key_env.to_string()),
        default_model: model.to_string(),
        models: vec![model.to_string()],
        prices: Some(PriceTable::flat(Prices::FREE)),
        ..ProviderPreset::custom_template(name)
    };
    let presets = [
        ProviderPreset {
            name: "deepseek".to_string(),
            base_url: "https://api.deepseek.com".to_string(),
            key_env: Some("DEEPSEEK_API_KEY".to_string()),
            key_required: true,
            default_model: "deepseek-flash".to_string(),
            models: vec!["deepseek-flash".to_string(), "deepseek-v4-pro".to_string()],
            context_window: 1_000_000,
            max_output_tokens: Some(32_768),
            tool_calls: true,
            reasoning: ReasoningFormat::Fields,
            reasoning_echo: ReasoningEcho::WithToolCalls,
            thinking: ThinkingControl::ThinkingObject,
            think_default: Think::On,
            max_tokens_field: MaxTokensField::MaxTokens,
            prices: Some(deepseek_prices()),
            stream_usage: true,
            retired_models: vec!["deepseek-chat".to_string(), "deepseek-reasoner".to_string()],
            prompt_cache_key: false,
        },
        ProviderPreset {
            name: "openai".to_string(),
            base_url: "https://api.openai.com/v1".to_string(),
            key_env: Some("OPENAI_API_KEY".to_string()),
            key_required: true,
            default_model: "gpt-5-mini".to_string(),
            models: vec![
                "gpt-5".to_string(),
                "gpt-5-mini".to_string(),
                "gpt-4.1".to_string(),
            ],
            context_window: 400_000,
            max_output_tokens: Some(32_768),
            tool_calls: true,
            reasoning: ReasoningFormat::Fields,
            reasoning_echo: ReasoningEcho::Never,
            thinking: ThinkingControl::ReasoningEffort,
            think_default: Think::Off,
            max_tokens_field: MaxTokensField::MaxCompletionTokens,
            prices: Some(PriceTable::flat(Prices {
                cache_hit: 0.025,
                cache_miss: 0.25,
                output: 2.0,
            })),
            stream_usage: true,
            retired_models: Vec::new(),
            prompt_cache_key: true,
        },
        ProviderPreset {
            name: "openrouter".to_string(),
            base_url: "https://openrouter.ai/api/v1".to_string(),
            key_env: Some("OPENROUTER_API_KEY".to_string()),
            key_required: true,
            default_model: "deepseek/deepseek-chat".to_string(),
            models: vec!["deepseek/deepseek-chat".to_string()],
            context_window: 128_000,
            max_output_tokens: Some(16_384),
            tool_calls: true,
            reasoning: ReasoningFormat::Fields,
            reasoning_echo: ReasoningEcho::Never,
            thinking: ThinkingControl::None,
            think_default: Think::Off,
            max_tokens_field: MaxTokensField::MaxTokens,
            prices: None,
            stream_usage: true,
            retired_models: Vec::new(),
            prompt_cache_key: false,
        },
        local(
            "ollama",
            "http://127.0.0.1:11434/v1",
            "OLLAMA_API_KEY",
            "qwen2.5-coder:7b",
        ),
        local(
            "vllm",
            "http://127.0.0.1:8000/v1",
            "VLLM_API_KEY",
            "Qwen/Qwen2.5-Coder-7B-Instruct",
        ),
        // llama.cpp's server answers with whatever model it was started with, whatever the name.
        local(
            "llamacpp",
            "http://127.0.0.1:8080/v1",
            "LLAMA_API_KEY",
            "default",
        ),
        local(
            "lmstudio",
            "http://127.0.0.1:1234/v1",
            "LMSTUDIO_API_KEY",
            "qwen2.5-coder-7b-instruct",
        ),
    ];
    presets.into_iter().map(|p| (p.name.clone(), p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_include_the_promised_presets() {
        let b = builtin();
        for name in [
            "deepseek",
            "openai",
            "openrouter",
            "ollama",
            "vllm",
            "llamacpp",
            "lmstudio",
        ] {
            assert!(b.contains_key(name), "{name}");
        }
        let ds = &b[DEFAULT_PROVIDER];
        assert_eq!(ds.base_url, "https://api.deepseek.com");
        assert_eq!(ds.key_env.as_deref(), Some("DEEPSEEK_API_KEY"));
        assert_eq!(ds.models, ["deepseek-flash", "deepseek-v4-pro"]);
        assert_eq!(ds.context_window, 1_000_000);
        assert_eq!(ds.think_default, Think::On);
        assert!(b.values().filter(|p| !p.key_required).count() >= 4);
    }

    #[test]
    fn chat_url_joins_once() {
        let p = &builtin()["deepseek"];
        assert_eq!(
            p.chat_url("https://api.deepseek.com"),
            "https://api.deepseek.com/chat/completions"
        );
        assert_eq!(p.chat_url("http://h/v1/"), "http://h/v1/chat/completions");
    }

    #[test]
    fn a_table_overrides_fields_and_a_key_env_makes_the_key_required() {
        let mut p = ProviderPreset::custom_template("mine");
        p.apply(&ProviderTable {
            base_url: Some("http://x/v1".into()),
            key_env: Some("MINE_KEY".into()),
            default_model: Some("m".into()),
            reasoning_echo: Some(ReasoningEcho::Always),
            ..ProviderTable::default()
        });
        assert_eq!(p.base_url, "http://x/v1");
        assert!(p.key_required);
        assert_eq!(p.reasoning_echo, ReasoningEcho::Always);
        assert_eq!(p.default_model, "m");
    }
}
