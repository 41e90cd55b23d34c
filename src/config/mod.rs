//! Layered settings: built-in provider presets < user file < project file < environment < flags.
//! Resolves them once into a validated [`Config`] and remembers where each value came from.
//! Must not touch the network.

/// `--think`: DeepSeek's thinking mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Think {
    On,
    Off,
}

/// `--effort`: reasoning effort for providers that accept `reasoning_effort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    High,
    Max,
}
