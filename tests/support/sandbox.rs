//! A hermetic place to run the real `hone` binary: a temporary HOME with its XDG directories, a
//! workspace directory, and a command whose environment holds nothing of the machine's (no real
//! keys, no HONE_* settings, no proxies), so a test sees only what it set.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use super::mock::MockServer;

/// The key tests give hone; every output is checked for it.
pub const TEST_KEY: &str = "sk-test-SECRET-0123456789abcdef";

pub struct Sandbox {
    _dir: tempfile::TempDir,
    pub home: PathBuf,
    pub workspace: PathBuf,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox::at(tempfile::tempdir().unwrap())
    }

    /// A sandbox outside the system temp dir (which hone's OS sandbox lets commands write),
    /// below cargo's scratch directory for integration tests, with a directory `outside` beside
    /// the workspace: a command may not write there under the OS sandbox.
    pub fn outside_tmp() -> Sandbox {
        // Cargo's target tmpdir, unless the checkout itself lies under /tmp (a clone there, as
        // CI may make): then /var/tmp, which no sandboxed command may write either.
        let target = env!("CARGO_TARGET_TMPDIR");
        let base = if target.starts_with("/tmp") || target.starts_with("/dev/shm") {
            "/var/tmp"
        } else {
            target
        };
        let dir = tempfile::Builder::new()
            .prefix("hone-sb")
            .tempdir_in(base)
            .unwrap();
        std::fs::create_dir_all(dir.path().join("outside")).unwrap();
        Sandbox::at(dir)
    }

    /// The directory beside the workspace, outside every path a sandboxed command may write.
    pub fn outside(&self) -> PathBuf {
        self.workspace.parent().unwrap().join("outside")
    }

    fn at(dir: tempfile::TempDir) -> Sandbox {
        let home = dir.path().join("home");
        let workspace = dir.path().join("work");
        std::fs::create_dir_all(home.join(".config")).unwrap();
        std::fs::create_dir_all(&workspace).unwrap();
        Sandbox {
            _dir: dir,
            home,
            workspace,
        }
    }

    /// `hone` in the workspace with a clean environment.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::from_std(self.std_cmd());
        c.timeout(std::time::Duration::from_secs(60));
        c
    }

    /// `hone` aimed at `mock` with the default (DeepSeek) preset, the test key, and quick retries.
    pub fn against(&self, mock: &MockServer) -> assert_cmd::Command {
        let mut c = assert_cmd::Command::from_std(self.std_against(mock));
        c.timeout(std::time::Duration::from_secs(60));
        c
    }

    /// [`Sandbox::cmd`] as a std command, for tests that spawn and signal the process.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_hone"));
        c.env_clear()
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join(".config"))
            .env("XDG_STATE_HOME", self.home.join(".local/state"))
            .env("XDG_CACHE_HOME", self.home.join(".cache"))
            .env("NO_COLOR", "1")
            .current_dir(&self.workspace);
        c
    }

    /// [`Sandbox::against`] as a std command.
    pub fn std_against(&self, mock: &MockServer) -> std::process::Command {
        if !self.project_config_path().exists() {
            self.project_config("[retry]\nbase_delay_ms = 10\n");
        }
        let mut c = self.std_cmd();
        c.env("DEEPSEEK_API_KEY", TEST_KEY)
            .args(["--base-url", &mock.base_url]);
        c
    }

    pub fn user_config_path(&self) -> PathBuf {
        self.home.join(".config/hone/config.toml")
    }

    pub fn project_config_path(&self) -> PathBuf {
        self.workspace.join(".hone/config.toml")
    }

    pub fn user_config(&self, text: &str) {
        let p = self.user_config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    pub fn project_config(&self, text: &str) {
        let p = self.project_config_path();
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}
