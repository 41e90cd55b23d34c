//! Settings through the real binary: `hone config` with the source of every value, the layers
//! (defaults < user file < project file < env < flags), keys, custom providers, and the errors a
//! person sees for a malformed file, an unknown provider or a missing key.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::mock::*;
use crate::support::output::{assert_no_key, stderr, stdout};
use crate::support::sandbox::{Sandbox, TEST_KEY};

/// The source column of `key`'s row in `hone config`.
fn row(out: &str, key: &str) -> String {
    out.lines()
        .find(|l| l.split_whitespace().next() == Some(key))
        .unwrap_or_else(|| panic!("no row {key} in:\n{out}"))
        .to_string()
}

#[test]
fn config_shows_defaults_and_where_each_value_came_from() {
    let sb = Sandbox::new();
    let o = sb.cmd().arg("config").output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        row(&out, "provider").contains("deepseek") && row(&out, "provider").ends_with("default"),
        "{out}"
    );
    assert!(row(&out, "model").contains("deepseek-flash"), "{out}");
    assert!(
        row(&out, "base_url").contains("https://api.deepseek.com"),
        "{out}"
    );
    assert!(
        row(&out, "api_key").contains("(not set: set DEEPSEEK_API_KEY)"),
        "{out}"
    );
    assert!(row(&out, "think").contains("on"), "{out}");
    assert!(row(&out, "context_window").contains("1000000"), "{out}");
    assert!(
        out.contains(&format!("{} (not found)", sb.user_config_path().display())),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "{} (not found)",
            sb.project_config_path().display()
        )),
        "{out}"
    );
}

#[test]
fn each_layer_overrides_the_one_below_and_config_says_which() {
    let sb = Sandbox::new();
    sb.user_config(
        "model = \"deepseek-v4-pro\"\nmax_turns = 9\nthink = \"off\"\n[timeouts]\nidle_secs = 30\n",
    );
    sb.project_config("max_turns = 12\n");
    let o = sb
        .cmd()
        .env("DEEPSEEK_API_KEY", TEST_KEY)
        .arg("config")
        .output()
        .unwrap();
    let out = stdout(&o);
    let user = format!("user file {}", sb.user_config_path().display());
    let project = format!("project file {}", sb.project_config_path().display());
    assert!(
        row(&out, "model").contains("deepseek-v4-pro") && row(&out, "model").ends_with(&user),
        "{out}"
    );
    assert!(
        row(&out, "max_turns").contains("12") && row(&out, "max_turns").ends_with(&project),
        "{out}"
    );
    assert!(row(&out, "think").contains("off"), "{out}");
    assert!(row(&out, "timeouts.idle_secs").contains("30"), "{out}");
    assert!(
        row(&out, "api_key").contains("****cdef")
            && row(&out, "api_key").ends_with("env DEEPSEEK_API_KEY"),
        "{out}"
    );
    assert_no_key(&o);

    let o = sb
        .cmd()
        .env("HONE_MODEL", "from-env")
        .env("HONE_BASE_URL", "http://127.0.0.1:9/v1")
        .arg("config")
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(
        row(&out, "model").contains("from-env") && row(&out, "model").ends_with("env HONE_MODEL"),
        "{out}"
    );
    assert!(
        row(&out, "base_url").ends_with("env HONE_BASE_URL"),
        "{out}"
    );

    let o = sb
        .cmd()
        .env("HONE_MODEL", "from-env")
        .args([
            "config",
            "--model",
            "from-flag",
            "--think",
            "on",
            "--effort",
            "high",
        ])
        .output()
        .unwrap();
    let out = stdout(&o);
    assert!(
        row(&out, "model").contains("from-flag") && row(&out, "model").ends_with("flag --model"),
        "{out}"
    );
    assert!(row(&out, "think").ends_with("flag --think"), "{out}");
    assert!(row(&out, "effort").contains("high"), "{out}");
}

#[test]
fn env_and_flags_choose_the_provider_and_hone_api_key_overrides_its_variable() {
    let mock = MockServer::start(vec![Reply::answer("a"), Reply::answer("b")]);
    let sb = Sandbox::new();
    let o = sb
        .cmd()
        .env("HONE_PROVIDER", "openrouter")
        .env("HONE_BASE_URL", &mock.base_url)
        .env("HONE_MODEL", "some/model")
        .env("OPENROUTER_API_KEY", "sk-other-key-that-is-long-enough")
        .env("HONE_API_KEY", TEST_KEY)
        .args(["-p", "q"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &mock.chat_requests()[0];
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    assert_eq!(r.json()["model"], "some/model");

    // A flag beats the environment; a model from below the layer that chose the provider is dropped.
    let o = sb
        .cmd()
        .env("HONE_PROVIDER", "openrouter")
        .env("HONE_MODEL", "some/model")
        .args([
            "-p",
            "q",
            "--provider",
            "lmstudio",
            "--base-url",
            &mock.base_url,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = &mock.chat_requests()[1];
    assert_eq!(r.json()["model"], "qwen2.5-coder-7b-instruct");
    assert_eq!(r.header("authorization"), None, "local presets need no key");
}

#[test]
fn a_custom_provider_from_the_config_file() {
    let mock = MockServer::start(vec![Reply::answer("custom")]);
    let sb = Sandbox::new();
    sb.user_config(&format!(
        "provider = \"mine\"\n[providers.mine]\nbase_url = \"{}\"\ndefault_model = \"my-model\"\nkey_env = \"MINE_KEY\"\n\
         max_tokens_field = \"max_completion_tokens\"\nmax_output_tokens = 777\n",
        mock.base_url
    ));
    let o = sb
        .cmd()
        .env("MINE_KEY", TEST_KEY)
        .args(["-p", "q"])
        .output()
        .unwrap();
    assert_eq!(
        (o.status.code(), stdout(&o).as_str()),
        (Some(0), "custom\n"),
        "{}",
        stderr(&o)
    );
    let b = mock.chat_requests()[0].json();
    assert_eq!(
        (b["model"].as_str(), b["max_completion_tokens"].as_u64()),
        (Some("my-model"), Some(777))
    );

    let o = sb.cmd().args(["-p", "q"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("set MINE_KEY"), "{}", stderr(&o));
}

#[test]
fn a_malformed_file_names_the_file_line_and_field() {
    let sb = Sandbox::new();
    sb.project_config("model = \"x\"\n\n[timeouts]\nidle_secs = \"soon\"\n");
    let o = sb.cmd().arg("config").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains(&format!("{}:4:", sb.project_config_path().display())),
        "{err}"
    );
    assert!(err.contains("field `timeouts.idle_secs`"), "{err}");

    sb.project_config("modle = \"x\"\n");
    let o = sb.cmd().args(["-p", "q"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains(":1:") && stderr(&o).contains("field `modle`"),
        "{}",
        stderr(&o)
    );

    sb.project_config("this is not toml\n");
    let o = sb.cmd().arg("config").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("config.toml:1:"), "{}", stderr(&o));
}

#[test]
fn an_unknown_provider_is_named_with_the_known_ones() {
    let sb = Sandbox::new();
    sb.user_config("# mine\nprovider = \"deepsek\"\n");
    let o = sb.cmd().arg("config").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown provider `deepsek`"), "{err}");
    assert!(
        err.contains(&format!(
            "user file {}, line 2, field `provider`",
            sb.user_config_path().display()
        )),
        "{err}"
    );
    assert!(
        err.contains(
            "known providers: deepseek, llamacpp, lmstudio, ollama, openai, openrouter, vllm"
        ),
        "{err}"
    );

    let o = sb
        .cmd()
        .args(["config", "--provider", "nope"])
        .output()
        .unwrap();
    assert!(
        stderr(&o).contains("unknown provider `nope` (from flag --provider)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_missing_key_names_the_variable_and_the_config_file() {
    let sb = Sandbox::new();
    let o = sb.cmd().args(["-p", "q"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("no API key for provider `deepseek`"), "{err}");
    assert!(
        err.contains("hint: set DEEPSEEK_API_KEY (or HONE_API_KEY)"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "under [providers.deepseek] in {}",
            sb.user_config_path().display()
        )),
        "{err}"
    );
}

#[test]
fn a_key_in_the_user_file_works_and_stays_masked() {
    let mock = MockServer::start(vec![Reply::answer("ok")]);
    let sb = Sandbox::new();
    sb.user_config(&format!("[providers.deepseek]\napi_key = \"{TEST_KEY}\"\n"));
    let o = sb
        .cmd()
        .args(["-p", "q", "--base-url", &mock.base_url])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        mock.chat_requests()[0].header("authorization"),
        Some(format!("Bearer {TEST_KEY}").as_str())
    );
    let o = sb.cmd().arg("config").output().unwrap();
    assert!(
        row(&stdout(&o), "api_key")
            .ends_with(&format!("user file {}", sb.user_config_path().display()))
    );
    assert_no_key(&o);

    sb.project_config(&format!("[providers.deepseek]\napi_key = \"{TEST_KEY}\"\n"));
    let o = sb.cmd().arg("config").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a key does not belong in the project file"),
        "{}",
        stderr(&o)
    );
    assert_no_key(&o);
}

#[test]
fn workspace_flag_picks_the_project_file() {
    let sb = Sandbox::new();
    let other = sb.workspace.join("sub");
    std::fs::create_dir_all(other.join(".hone")).unwrap();
    std::fs::write(other.join(".hone/config.toml"), "max_turns = 3\n").unwrap();
    let o = sb.cmd().args(["config", "-C", "sub"]).output().unwrap();
    assert!(
        row(&stdout(&o), "max_turns").contains('3'),
        "{}",
        stdout(&o)
    );
    let o = sb
        .cmd()
        .args(["config", "-C", "missing-dir"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_project_file_cannot_send_the_key_to_a_url_it_chose() {
    let mock = MockServer::start(vec![Reply::answer("should not be asked")]);
    let sb = Sandbox::new();
    sb.project_config(&format!("base_url = \"{}\"\n", mock.base_url));
    let o = sb
        .cmd()
        .env("DEEPSEEK_API_KEY", TEST_KEY)
        .args(["-p", "hi"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.contains(".hone/config.toml") && e.contains("base_url") && e.contains("user config"),
        "{e}"
    );
    assert!(mock.chat_requests().is_empty(), "the key was sent");

    // `hone config` still shows the settings, with the refused one's source, then refuses.
    let o = sb
        .cmd()
        .env("DEEPSEEK_API_KEY", TEST_KEY)
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(row(&out, "base_url").contains(&mock.base_url), "{out}");
    assert!(row(&out, "base_url").contains("project"), "{out}");
    assert!(!out.contains(TEST_KEY), "{out}");
    assert!(stderr(&o).contains("base_url"), "the refusal is still said");

    sb.project_config("[providers.deepseek]\nkey_env = \"GITHUB_TOKEN\"\n");
    let o = sb
        .cmd()
        .env("GITHUB_TOKEN", TEST_KEY)
        .args(["-p", "hi"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("key_env"));

    // A keyless local server chosen by the project is fine.
    sb.project_config(&format!(
        "provider = \"llamacpp\"\nbase_url = \"{}\"\n",
        mock.base_url
    ));
    let o = sb.cmd().args(["-p", "hi"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn every_command_says_the_same_of_a_bad_workspace() {
    let sb = Sandbox::new();
    let missing = sb.workspace.join("no-such-dir");
    let file = sb.workspace.join("a-file");
    std::fs::write(&file, "x").unwrap();
    for dir in [&missing, &file] {
        for args in [
            &["map"][..],
            &["undo"],
            &["apply", "--yes"],
            &["config"],
            &["fix", "x"],
            &["-p", "q"],
            &["lint-fix", "--cmd", "true", "."],
        ] {
            let o = sb
                .cmd()
                .arg("-C")
                .arg(dir)
                .args(args)
                .env("DEEPSEEK_API_KEY", TEST_KEY)
                .output()
                .unwrap();
            let err = stderr(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
            assert!(
                err.starts_with(&format!(
                    "error: the workspace {} is not a readable directory\n",
                    dir.display()
                )),
                "{args:?}: {err}"
            );
            assert!(
                err.contains("hint: pass an existing directory with -C DIR"),
                "{args:?}: {err}"
            );
        }
    }
}

#[test]
fn a_flag_of_p_before_a_subcommand_is_refused_and_global_flags_are_not() {
    let sb = Sandbox::new();
    let o = sb.cmd().args(["--yes", "fix", "x"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("`--yes` before `fix`"), "{err}");
    assert!(err.contains("`hone fix --help` lists them"), "{err}");
    let o = sb.cmd().args(["-c", "map"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Global flags may stand before the subcommand.
    let o = sb
        .cmd()
        .args(["--provider", "llamacpp", "-C"])
        .arg(&sb.workspace)
        .arg("config")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
