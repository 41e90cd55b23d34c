//! Tests of the merge of settings layers.
use super::*;
use crate::config::file::parse;
use std::path::Path;

fn flags() -> Overrides {
    Overrides::default()
}

fn file(path: &str, text: &str) -> (String, FileConfig) {
    (text.to_string(), parse(Path::new(path), text).unwrap())
}

fn run(
    flags: &Overrides,
    env: &[(&str, &str)],
    user: Option<&(String, FileConfig)>,
    project: Option<&(String, FileConfig)>,
) -> Result<Config, ConfigError> {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let lookup = move |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    resolve(&Inputs {
        keys: true,
        claude: &[],
        trusted: false,
        overrides: flags,
        env: &lookup,
        user,
        project,
        files: ConfigFiles {
            user: Some(PathBuf::from("/home/u/.config/hone/config.toml")),
            project: PathBuf::from("/ws/.hone/config.toml"),
        },
        workspace: PathBuf::from("/ws"),
    })
}

#[test]
fn defaults_are_deepseek_with_thinking() {
    let c = run(&flags(), &[], None, None).unwrap();
    assert_eq!(c.provider.name, "deepseek");
    assert_eq!(c.model, "deepseek-flash");
    assert_eq!(c.think, Think::On);
    assert_eq!(c.chat_url(), "https://api.deepseek.com/chat/completions");
    assert!(c.api_key.is_none());
    assert_eq!(c.sources.get(Setting::Model), &Source::Default);
    assert_eq!(c.max_turns, DEFAULT_MAX_TURNS);
}

#[test]
fn each_layer_overrides_the_one_below() {
    let user = file(
        "/u.toml",
        "model = \"from-user\"\nmax_turns = 7\nthink = \"off\"\n",
    );
    let project = file("/p.toml", "model = \"from-project\"\n");
    let c = run(&flags(), &[], Some(&user), Some(&project)).unwrap();
    assert_eq!(c.model, "from-project");
    assert_eq!(c.max_turns, 7);
    assert_eq!(c.think, Think::Off);
    assert_eq!(
        c.sources.get(Setting::MaxTurns),
        &Source::User(PathBuf::from("/home/u/.config/hone/config.toml"))
    );
    assert_eq!(
        c.sources.get(Setting::Model),
        &Source::Project(PathBuf::from("/ws/.hone/config.toml"))
    );

    let c = run(
        &flags(),
        &[(ENV_MODEL, "from-env")],
        Some(&user),
        Some(&project),
    )
    .unwrap();
    assert_eq!(
        (c.model.as_str(), c.sources.get(Setting::Model)),
        ("from-env", &Source::Env(ENV_MODEL.into()))
    );

    let mut f = flags();
    f.model = Some("from-flag".into());
    f.think = Some(Think::On);
    f.effort = Some(Effort::Max);
    let c = run(&f, &[(ENV_MODEL, "from-env")], Some(&user), Some(&project)).unwrap();
    assert_eq!(
        (c.model.as_str(), c.sources.get(Setting::Model)),
        ("from-flag", &Source::Flag("override"))
    );
    assert_eq!((c.think, c.effort), (Think::On, Some(Effort::Max)));
}

#[test]
fn a_model_below_the_provider_choice_is_dropped() {
    let user = file("/u.toml", "model = \"deepseek-v4-pro\"\n");
    let mut f = flags();
    f.provider = Some("ollama".into());
    let c = run(&f, &[(ENV_MODEL, "also-dropped")], Some(&user), None).unwrap();
    assert_eq!(c.provider.name, "ollama");
    assert_eq!(c.model, "qwen2.5-coder:7b");
    assert!(c.api_key.is_none());
}

#[test]
fn keys_come_from_hone_api_key_then_the_provider_variable_then_the_user_file() {
    let user = file("/u.toml", "[providers.deepseek]\napi_key = \"from-file\"\n");
    let c = run(&flags(), &[], Some(&user), None).unwrap();
    assert_eq!(c.api_key.as_ref().map(Secret::expose), Some("from-file"));
    let c = run(
        &flags(),
        &[("DEEPSEEK_API_KEY", "from-var")],
        Some(&user),
        None,
    )
    .unwrap();
    assert_eq!(c.api_key.as_ref().map(Secret::expose), Some("from-var"));
    assert_eq!(
        c.sources.get(Setting::ApiKey),
        &Source::Env("DEEPSEEK_API_KEY".into())
    );
    let c = run(
        &flags(),
        &[("DEEPSEEK_API_KEY", "from-var"), (ENV_API_KEY, "hone")],
        None,
        None,
    )
    .unwrap();
    assert_eq!(c.api_key.as_ref().map(Secret::expose), Some("hone"));
}

#[test]
fn project_file_may_not_hold_a_key() {
    let project = file("/p.toml", "\n[providers.deepseek]\napi_key = \"x\"\n");
    let e = run(&flags(), &[], None, Some(&project)).unwrap_err();
    let ConfigError::Invalid { line, field, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(
        (*line, field.as_str()),
        (Some(3), "providers.deepseek.api_key")
    );
}

#[test]
fn unknown_provider_names_its_origin_and_the_known_ones() {
    let project = file("/p.toml", "# c\nprovider = \"deepsek\"\n");
    let e = run(&flags(), &[], None, Some(&project)).unwrap_err();
    let ConfigError::UnknownProvider {
        name, line, known, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((name.as_str(), *line), ("deepsek", Some(2)));
    assert!(known.contains(&"lmstudio".to_string()));
    assert!(
        e.to_string().contains("/ws/.hone/config.toml, line 2"),
        "{e}"
    );
    let e = run(&flags(), &[(ENV_PROVIDER, "nope")], None, None).unwrap_err();
    assert!(e.to_string().contains("env HONE_PROVIDER"), "{e}");
}

#[test]
fn custom_providers_need_a_url_and_a_model() {
    let user = file(
        "/u.toml",
        "provider = \"mine\"\n[providers.mine]\nbase_url = \"http://h/v1\"\n",
    );
    let e = run(&flags(), &[], Some(&user), None).unwrap_err();
    assert!(
        e.to_string().contains("providers.mine.default_model"),
        "{e}"
    );
    let user = file(
        "/u.toml",
        "provider = \"mine\"\n[providers.mine]\nbase_url = \"http://h/v1\"\ndefault_model = \"m\"\n",
    );
    let c = run(&flags(), &[], Some(&user), None).unwrap();
    assert_eq!(
        (c.model.as_str(), c.chat_url().as_str()),
        ("m", "http://h/v1/chat/completions")
    );
}

#[test]
fn timeouts_and_retries_come_from_files() {
    let project = file(
        "/p.toml",
        "[timeouts]\nfirst_byte_secs = 2\nidle_secs = 0.25\n[retry]\nmax_retries = 1\nbase_delay_ms = 5\n",
    );
    let c = run(&flags(), &[], None, Some(&project)).unwrap();
    assert_eq!(c.timeouts.idle, Duration::from_millis(250));
    assert_eq!(c.timeouts.first_byte, Duration::from_secs(2));
    assert_eq!(c.retry.max_retries, 1);
    assert_eq!(c.retry.base_delay, Duration::from_millis(5));
}

#[test]
fn an_untrusted_project_may_not_pick_where_the_key_goes() {
    // `provider = "ollama"` alone would send HONE_API_KEY to ollama's endpoint.
    let project = file("/p.toml", "provider = \"ollama\"\n");
    let e = run(&flags(), &[(ENV_API_KEY, "sk-x")], None, Some(&project)).unwrap_err();
    assert!(
        matches!(&e, ConfigError::Untrusted { field, .. } if field == "provider"),
        "{e}"
    );
    // The same provider as the person's own settings is no choice at all.
    let user = file("/u.toml", "provider = \"ollama\"\n");
    assert!(
        run(
            &flags(),
            &[(ENV_API_KEY, "sk-x")],
            Some(&user),
            Some(&project)
        )
        .is_ok()
    );
    let same = file(
        "/p.toml",
        "provider = \"deepseek\"\nmodel = \"deepseek-v4-pro\"\n",
    );
    assert!(run(&flags(), &[(ENV_API_KEY, "sk-x")], None, Some(&same)).is_ok());
    // Trusted: the repository may choose.
    let env = |k: &str| (k == ENV_API_KEY).then(|| "sk-x".to_string());
    let c = resolve(&Inputs {
        keys: true,
        claude: &[],
        trusted: true,
        overrides: &flags(),
        env: &env,
        user: None,
        project: Some(&project),
        files: ConfigFiles {
            user: None,
            project: PathBuf::from("/ws/.hone/config.toml"),
        },
        workspace: PathBuf::from("/ws"),
    })
    .unwrap();
    assert_eq!(c.provider.name, "ollama");
}
