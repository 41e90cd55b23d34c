//! Presets: a linter's name standing for its command line, chosen so its output is one the
//! parsers read best (JSON where the tool has it, one line per problem otherwise), plus what
//! tells "the linter found problems" from "the linter could not run".
//!
//! Must not run anything. Invariant: a preset's command reports problems with a non-zero exit
//! status (clippy gets `-D warnings` for that reason) and never fixes anything by itself
//! (`ruff --no-fix`), so the diagnostics hone reads are the ones the model gets to fix.

/// A named lint command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Preset {
    pub name: &'static str,
    /// The command over the whole workspace.
    pub command: &'static str,
    /// The command over the paths given, with `{paths}` for them; `None` when the linter
    /// checks the whole project only (the paths then only widen what may be edited).
    pub with_paths: Option<&'static str>,
    /// Exit codes that mean the linter itself failed (bad configuration, crash).
    pub broken_codes: &'static [i32],
    /// Output that means the linter is missing or could not start.
    pub broken_output: &'static [&'static str],
    /// How to install it, for the error message.
    pub install: &'static str,
}

/// The presets, in the order `--help` lists them.
pub const PRESETS: [Preset; 8] = [
    Preset {
        name: "clippy",
        command: "cargo clippy --all-targets --message-format=json -- -D warnings",
        with_paths: None,
        broken_codes: &[],
        broken_output: &["no such command: `clippy`", "could not find `Cargo.toml`"],
        install: "rustup component add clippy",
    },
    Preset {
        name: "rustfmt",
        command: "cargo fmt --check -- --color never",
        with_paths: Some("rustfmt --check --color never {paths}"),
        broken_codes: &[],
        broken_output: &["no such command: `fmt`", "could not find `Cargo.toml`"],
        install: "rustup component add rustfmt",
    },
    Preset {
        name: "ruff",
        command: "ruff check --no-fix --output-format concise .",
        with_paths: Some("ruff check --no-fix --output-format concise {paths}"),
        broken_codes: &[2],
        broken_output: &[],
        install: "pip install ruff",
    },
    Preset {
        name: "eslint",
        command: "npx --no-install eslint --format json .",
        with_paths: Some("npx --no-install eslint --format json {paths}"),
        broken_codes: &[2],
        broken_output: &["npx canceled due to missing packages"],
        install: "npm install --save-dev eslint",
    },
    Preset {
        name: "flake8",
        command: "flake8 .",
        with_paths: Some("flake8 {paths}"),
        broken_codes: &[],
        broken_output: &["There was a critical error during execution of Flake8"],
        install: "pip install flake8",
    },
    Preset {
        name: "mypy",
        command: "mypy --show-column-numbers --show-error-codes --no-color-output --no-error-summary .",
        with_paths: Some(
            "mypy --show-column-numbers --show-error-codes --no-color-output --no-error-summary {paths}",
        ),
        broken_codes: &[2],
        broken_output: &[],
        install: "pip install mypy",
    },
    Preset {
        name: "golangci-lint",
        command: "golangci-lint run ./...",
        with_paths: Some("golangci-lint run {paths}"),
        // golangci-lint's exit codes: 3 failure, 4 timeout, 5 no Go files, 7 error logged.
        broken_codes: &[3, 4, 5, 7],
        broken_output: &[],
        install: "see https://golangci-lint.run/welcome/install/",
    },
    Preset {
        name: "shellcheck",
        command: "find . -name '*.sh' -not -path '*/.git/*' -not -path '*/node_modules/*' -exec shellcheck -f gcc {} +",
        with_paths: Some("shellcheck -f gcc {paths}"),
        // shellcheck: 3 bad syntax or options, 4 bad options.
        broken_codes: &[3, 4],
        broken_output: &[],
        install: "apt-get install shellcheck",
    },
];

/// The preset named `name`, if it is one.
pub fn find(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name.trim())
}

/// The preset names, comma-separated, for messages.
pub fn names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Preset {
    /// The command line for `paths` (relative to the workspace; none: the whole workspace).
    pub fn command_for(&self, paths: &[String]) -> String {
        match (self.with_paths, paths.is_empty()) {
            (Some(template), false) => {
                let quoted: Vec<String> = paths.iter().map(|p| shell_quote(p)).collect();
                template.replace("{paths}", &quoted.join(" "))
            }
            _ => self.command.to_string(),
        }
    }
}

/// `s` as one word for `sh`: as it is when it holds only safe characters, else single-quoted.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-+=:,@%".contains(c));
    if safe {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_by_name_and_paths() {
        let ruff = find("ruff").unwrap();
        assert_eq!(
            ruff.command_for(&[]),
            "ruff check --no-fix --output-format concise ."
        );
        assert_eq!(
            ruff.command_for(&["src".into(), "my file.py".into()]),
            "ruff check --no-fix --output-format concise src 'my file.py'"
        );
        let clippy = find("clippy").unwrap();
        assert_eq!(clippy.command_for(&["src".into()]), clippy.command);
        assert!(clippy.command.contains("-D warnings"));
        assert!(find("cargo clippy").is_none());
        assert_eq!(PRESETS.len(), 8);
        assert!(names().starts_with("clippy, rustfmt, ruff"));
        let mut seen: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        seen.dedup();
        assert_eq!(seen.len(), PRESETS.len());
    }

    #[test]
    fn quoting_survives_the_shell() {
        assert_eq!(shell_quote("a/b.rs"), "a/b.rs");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", shell_quote("it's $HOME; `x`")))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "it's $HOME; `x`");
    }
}
