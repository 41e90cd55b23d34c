//! The policy's pure parts: the writable paths of each mode, the wrapper's arguments, the
//! enforcement levels. The sandbox itself is tested end to end (`tests/suite/sandbox.rs`),
//! where hone's own executable is the wrapper.

use super::*;

fn settings(mode: Mode) -> Settings {
    Settings {
        mode,
        network: Network::Denied,
        writable: vec![PathBuf::from("/home/u/.cache/go-build")],
    }
}

#[test]
fn workspace_write_allows_the_workspace_temp_devices_and_the_persons_paths() {
    let r = Rules::new(&settings(Mode::WorkspaceWrite), Path::new("/ws"));
    for p in [
        "/ws",
        "/ws/src/a.rs",
        "/tmp/x",
        "/dev/null",
        "/dev/shm/sem.x",
        "/home/u/.cache/go-build/ab",
    ] {
        assert!(r.may_write(Path::new(p)), "{p}");
    }
    assert!(r.may_write(&std::env::temp_dir().join("t")));
    for p in [
        "/",
        "/home/u/.bashrc",
        "/ws/../etc",
        "/wsx/a",
        "/home/u/.cargo/registry",
        "/dev/sda",
    ] {
        assert!(!r.may_write(Path::new(p)), "{p}");
    }
    assert!(r.denies_network() && r.restricts_files());
}

#[test]
fn read_only_allows_only_the_devices_and_off_allows_everything() {
    let r = Rules::new(&settings(Mode::ReadOnly), Path::new("/ws"));
    assert!(!r.may_write(Path::new("/ws/a")));
    assert!(!r.may_write(Path::new("/tmp/a")));
    assert!(!r.may_write(Path::new("/home/u/.cache/go-build/x")));
    assert!(r.may_write(Path::new("/dev/null")));
    let off = Rules::new(&settings(Mode::Off), Path::new("/ws"));
    assert!(off.may_write(Path::new("/etc/passwd")));
    assert!(!off.restricts_files() && !off.denies_network());
    let open = Rules::new(
        &Settings {
            network: Network::Allowed,
            ..settings(Mode::WorkspaceWrite)
        },
        Path::new("/ws"),
    );
    assert!(open.restricts_files() && !open.denies_network());
}

#[test]
fn the_wrappers_arguments_carry_the_rules_and_the_command() {
    let rules = Rules::new(&settings(Mode::WorkspaceWrite), Path::new("/w s/ü"));
    let policy = Policy {
        rules: rules.clone(),
        workspace: PathBuf::from("/w s/ü"),
        enforcement: Enforcement::not_needed(),
        wrapper: PathBuf::from(wrapper::SELF_EXE),
    };
    let argv = policy.argv("echo 'a -- b'");
    assert_eq!(argv[0], OsString::from(wrapper::SELF_EXE));
    assert_eq!(argv[1], OsString::from(wrapper::MARKER));
    let (decoded, command) = wrapper::decode(argv[1..].to_vec()).unwrap();
    assert_eq!(decoded, rules);
    assert_eq!(
        command,
        ["sh", "-c", "echo 'a -- b'"].map(OsString::from).to_vec()
    );
    // Off: the shell itself, no wrapper.
    let off = Policy::off(Path::new("/ws"));
    assert_eq!(off.argv("true"), ["sh", "-c", "true"].map(OsString::from));
}

#[test]
fn the_wrapper_refuses_arguments_that_are_not_its_own() {
    let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
    for bad in [
        args(&["fix", "x"]),
        args(&[wrapper::MARKER, "mode=workspace-write", "network=denied"]),
        args(&[wrapper::MARKER, "mode=open", "network=denied", "--", "sh"]),
        args(&[wrapper::MARKER, "mode=off", "--", "sh"]),
        args(&[wrapper::MARKER, "mode=off", "network=denied", "--"]),
        args(&[wrapper::MARKER, "bogus", "--", "sh"]),
    ] {
        let e = wrapper::decode(bad.clone()).unwrap_err();
        assert_eq!(e.exit_code(), wrapper::EXIT_UNAVAILABLE, "{bad:?}");
    }
}

#[test]
fn enforcement_levels_and_how_they_read() {
    let full = Layer::Full {
        by: "Landlock ABI 7".into(),
    };
    let seccomp = Layer::Full {
        by: "seccomp".into(),
    };
    let missing = Layer::Missing {
        why: "no seccomp".into(),
    };
    let e = Enforcement {
        files: full.clone(),
        network: seccomp,
    };
    assert_eq!(e.level(), Level::Full);
    assert_eq!(
        e.to_string(),
        "full (Landlock ABI 7 for writes, seccomp for the network)"
    );
    let e = Enforcement {
        files: full.clone(),
        network: missing.clone(),
    };
    assert_eq!(e.level(), Level::Partial);
    assert_eq!(
        e.to_string(),
        "partial (Landlock ABI 7 for writes): no sandbox for the network: no seccomp"
    );
    let e = Enforcement {
        files: Layer::Partial {
            by: "Landlock ABI 1".into(),
            gap: "truncation".into(),
        },
        network: Layer::NotNeeded,
    };
    assert_eq!(e.level(), Level::Partial);
    assert_eq!(
        Enforcement {
            files: missing.clone(),
            network: missing,
        }
        .level(),
        Level::Unenforced
    );
    assert_eq!(Enforcement::not_needed().level(), Level::Unenforced);
    assert_eq!(
        Enforcement::not_needed().to_string(),
        "none (the sandbox is off)"
    );
}

#[test]
fn a_missing_layer_stops_commands_and_a_gap_does_not() {
    let policy = |files: Layer| Policy {
        rules: Rules::new(&settings(Mode::WorkspaceWrite), Path::new("/ws")),
        workspace: PathBuf::from("/ws"),
        enforcement: Enforcement {
            files,
            network: Layer::Full {
                by: "seccomp".into(),
            },
        },
        wrapper: PathBuf::from(wrapper::SELF_EXE),
    };
    let missing = policy(Layer::Missing {
        why: "no Landlock".into(),
    });
    assert_eq!(
        missing.check(),
        Err(Blocked::Unavailable {
            why: "no Landlock".into()
        })
    );
    let gap = policy(Layer::Partial {
        by: "Landlock ABI 2".into(),
        gap: "truncation".into(),
    });
    assert_eq!(gap.check(), Ok(()));
    assert_eq!(Policy::off(Path::new("/ws")).check(), Ok(()));
}

#[test]
fn modes_spell_as_the_settings_do_and_rank_by_strictness() {
    for m in [Mode::ReadOnly, Mode::WorkspaceWrite, Mode::Off] {
        assert_eq!(Mode::parse(m.as_str()), Some(m));
    }
    assert_eq!(Mode::parse("danger"), None);
    assert!(Mode::ReadOnly.strictness() > Mode::WorkspaceWrite.strictness());
    assert!(Mode::WorkspaceWrite.strictness() > Mode::Off.strictness());
    assert_eq!(Mode::default(), Mode::WorkspaceWrite);
    assert_eq!(Network::default(), Network::Denied);
}

/// On this kernel (Linux with Landlock and seccomp, as the project's machines have) the probe
/// finds the whole sandbox, and it leaves hone's own threads unrestricted.
#[cfg(target_os = "linux")]
#[test]
fn the_probe_restricts_only_its_own_thread() {
    let dir = tempfile::tempdir().unwrap();
    let p = Policy::new(&settings(Mode::ReadOnly), dir.path());
    assert_eq!(p.enforcement.level(), Level::Full, "{}", p.enforcement);
    // This thread may still write where the probe's rules did not allow it.
    std::fs::write(dir.path().join("after-probe"), "x").unwrap();
    let _ = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
}
