//! The command judgement: quoting read as `sh` reads it, every way of smuggling a second command
//! past a prefix rule, wrappers, patterns, and properties over arbitrary input.

use proptest::prelude::*;

use super::*;

fn rules(patterns: &[&str]) -> Vec<CommandPattern> {
    patterns
        .iter()
        .map(|p| CommandPattern::parse(p).unwrap())
        .collect()
}

fn words(command: &str) -> Vec<Vec<String>> {
    simple_commands(command)
        .unwrap()
        .into_iter()
        .map(|c| c.words)
        .collect()
}

fn why(command: &str) -> Unjudgeable {
    simple_commands(command).unwrap_err()
}

#[test]
fn words_are_read_with_quotes_as_the_shell_reads_them() {
    assert_eq!(
        words(r#"echo 'a b' "c d" e'f'"g" '' x"#),
        [vec!["echo", "a b", "c d", "efg", "", "x"]]
    );
    assert_eq!(words("  cargo\ttest  -q  "), [vec!["cargo", "test", "-q"]]);
    // Inside single quotes everything is literal, the shell's characters included.
    assert_eq!(
        words("echo '$(rm -rf x) `y` > z; \\'"),
        [vec!["echo", "$(rm -rf x) `y` > z; \\"]]
    );
    assert_eq!(
        words("git log HEAD~1 --format=%h,%s user@host:x ~/dir a+b^"),
        [vec![
            "git",
            "log",
            "HEAD~1",
            "--format=%h,%s",
            "user@host:x",
            "~/dir",
            "a+b^"
        ]]
    );
    assert_eq!(
        words("grep 'héllo wörld' café"),
        [vec!["grep", "héllo wörld", "café"]]
    );
}

#[test]
fn a_line_splits_into_simple_commands_at_every_operator() {
    let parts = simple_commands("a 1 && b 2 || c ; d | e & f\ng").unwrap();
    let joints: Vec<Joint> = parts.iter().map(|p| p.joint).collect();
    assert_eq!(
        joints,
        [
            Joint::First,
            Joint::And,
            Joint::Or,
            Joint::Semicolon,
            Joint::Pipe,
            Joint::Background,
            Joint::Newline
        ]
    );
    assert_eq!(parts[1].text, "b 2");
    // Trailing separators and blank lines add no command.
    assert_eq!(words("a;\n\nb &"), [vec!["a"], vec!["b"]]);
    assert_eq!(why(" ; \n"), Unjudgeable::Empty);
    assert_eq!(why(""), Unjudgeable::Empty);
}

/// Issue 15 §4: each of these is refused under `run_command(cargo test:*)`.
#[test]
fn every_bypass_of_a_prefix_rule_is_refused() {
    let r = rules(&["cargo test:*"]);
    let not_allowed = [
        "cargo test & rm -rf ~/x",
        "cargo test; rm -rf x",
        "cargo test | rm -rf x",
        "cargo test && rm -rf x",
        "cargo test || rm -rf x",
        "cargo test\nrm -rf x",
    ];
    for c in not_allowed {
        let j = allowed(c, &r);
        let Judgement::NotAllowed { part } = &j else {
            panic!("{c:?}: {j:?}");
        };
        assert_eq!(part.words[0], "rm", "{c:?}");
    }
    let unjudgeable = [
        ("cargo test $(rm -rf x)", "$("),
        ("cargo test `rm -rf x`", "`"),
        ("cargo test \"$(rm x)\"", "$("),
        ("cargo test <(rm -rf x)", "<("),
        ("cargo test >(rm -rf x)", ">("),
    ];
    for (c, op) in unjudgeable {
        assert_eq!(
            allowed(c, &r),
            Judgement::Unjudgeable {
                why: Unjudgeable::Substitution { op: op.into() }
            },
            "{c:?}"
        );
    }
    for (c, op) in [
        ("cargo test > ~/.bashrc", ">"),
        ("cargo test >> x", ">>"),
        ("cargo test < /etc/passwd", "<"),
        ("cargo test 2>&1", ">&"),
        ("cargo test &> x", "&>"),
        ("cargo test |& tee x", "|&"),
        ("cargo test <<EOF\nrm -rf x\nEOF", "<<"),
    ] {
        assert_eq!(
            allowed(c, &r),
            Judgement::Unjudgeable {
                why: Unjudgeable::Redirection { op: op.into() }
            },
            "{c:?}"
        );
    }
    assert_eq!(
        why("VAR=x cargo test"),
        Unjudgeable::Assignment {
            word: "VAR=x".into()
        }
    );
    assert_eq!(why("cargo test\\\n; rm -rf x"), Unjudgeable::Backslash);
    assert_eq!(why("cargo test \\; rm"), Unjudgeable::Backslash);
    assert_eq!(why("cargo test $HOME"), Unjudgeable::Expansion);
    assert_eq!(why("cargo test \"${X}\""), Unjudgeable::Expansion);
    assert_eq!(why("cargo test 'x"), Unjudgeable::UnclosedQuote);
    assert_eq!(why("cargo test \"x"), Unjudgeable::UnclosedQuote);
    assert_eq!(why("cargo test *"), Unjudgeable::Glob);
    assert_eq!(why("cargo test -- a?"), Unjudgeable::Glob);
    assert_eq!(why("cargo test (x)"), Unjudgeable::Grouping);
    assert_eq!(why("{ cargo test; }"), Unjudgeable::Grouping);
    assert_eq!(why("cargo test # x"), Unjudgeable::Comment);
    assert_eq!(why("! cargo test"), Unjudgeable::Character { c: '!' });
    assert_eq!(why("cargo test\r"), Unjudgeable::Character { c: '\r' });
    assert_eq!(
        why("cargo test \u{1b}[2K"),
        Unjudgeable::Character { c: '\u{1b}' }
    );
    assert_eq!(
        why("if cargo test; then rm -rf x; fi"),
        Unjudgeable::Keyword { word: "if".into() }
    );
    assert_eq!(
        why("for x in a; do rm x; done"),
        Unjudgeable::Keyword { word: "for".into() }
    );
}

#[test]
fn a_compound_command_is_allowed_only_when_every_part_is() {
    let r = rules(&["cargo build:*", "cargo test:*"]);
    assert_eq!(allowed("cargo build && cargo test", &r), Judgement::Allowed);
    assert_eq!(
        allowed("cargo build -q; cargo test | cargo test", &r),
        Judgement::Allowed
    );
    let Judgement::NotAllowed { part } = allowed("cargo build && cargo run", &r) else {
        panic!()
    };
    assert_eq!(part.text, "cargo run");
    assert_eq!(part.joint, Joint::And);
}

#[test]
fn wrappers_are_judged_by_the_command_they_run() {
    let r = rules(&["cargo test:*"]);
    for c in [
        "timeout 5 cargo test",
        "timeout -s KILL -k 2s 1.5m cargo test -q",
        "timeout --signal=TERM --preserve-status 10 cargo test",
        "nice -n 10 cargo test",
        "nice -5 cargo test",
        "time -p cargo test",
        "nohup cargo test",
        "env cargo test",
        "timeout 5 nice env time cargo test",
    ] {
        assert_eq!(allowed(c, &r), Judgement::Allowed, "{c:?}");
    }
    assert_eq!(
        why("env -i cargo test"),
        Unjudgeable::Wrapper {
            wrapper: "env".into(),
            word: "-i".into()
        }
    );
    assert_eq!(
        why("env RUSTFLAGS=x cargo test"),
        Unjudgeable::Assignment {
            word: "RUSTFLAGS=x".into()
        }
    );
    assert_eq!(
        why("timeout soon cargo test"),
        Unjudgeable::Wrapper {
            wrapper: "timeout".into(),
            word: "soon".into()
        }
    );
    assert_eq!(
        why("timeout 5 VAR=x cargo test"),
        Unjudgeable::Assignment {
            word: "VAR=x".into()
        }
    );
    // The wrapper's command is judged, not the wrapper: `timeout 5 rm` is `rm`.
    let Judgement::NotAllowed { part } = allowed("timeout 5 rm -rf x", &r) else {
        panic!()
    };
    assert_eq!(part.words, ["rm", "-rf", "x"]);
    assert_eq!(part.text, "timeout 5 rm -rf x");
    // A wrapper alone runs nothing else: it is the command.
    assert_eq!(words("env"), [vec!["env"]]);
    assert_eq!(words("timeout 5"), [vec!["timeout", "5"]]);
}

#[test]
fn patterns_follow_claude_codes_syntax() {
    let m = |pattern: &str, command: &str| {
        CommandPattern::parse(pattern)
            .unwrap()
            .matches(&simple_commands(command).unwrap()[0])
    };
    assert!(m("cargo test:*", "cargo test"));
    assert!(m("cargo test:*", "cargo test -q --lib"));
    assert!(!m("cargo test:*", "cargo testx"));
    assert!(!m("cargo test:*", "cargo"));
    assert!(m("npm run *", "npm run"));
    assert!(m("npm run *", "npm run build --watch"));
    assert!(m("make", "make"));
    assert!(!m("make", "make install"));
    assert!(m("ls*", "ls"));
    assert!(m("ls*", "lsof -i"));
    assert!(m("ls *", "ls -la"));
    assert!(!m("ls *", "lsof"));
    assert!(m("git * main", "git push origin main"));
    assert!(!m("git * main", "git main"));
    assert!(!m("git * main", "git push origin main --force"));
    assert!(m("rustfmt *.rs", "rustfmt src/a.rs"));
    assert!(!m("rustfmt *.rs", "rustfmt a.rs b.rs"));
    assert!(m("cp a*b*c x", "cp aXbYbc x"));
    assert!(!m("cp a*b*c x", "cp abx x"));
    // Words, not text: quoting or spacing changes nothing, a quoted word is one word.
    assert!(m("cargo test:*", "'cargo'   \"test\""));
    assert!(!m("cargo test:*", "'cargo test'"));
    assert!(m(r#"git commit -m "fix it""#, "git commit -m 'fix it'"));
    assert!(m("curl http://site.com/:*", "curl http://site.com/ -s"));
}

#[test]
fn patterns_that_name_no_program_or_more_than_one_command_are_refused() {
    let e = |p: &str| CommandPattern::parse(p).unwrap_err();
    assert_eq!(e("* install"), PatternError::LeadingWildcard);
    assert_eq!(e("*"), PatternError::LeadingWildcard);
    assert_eq!(e(":*"), PatternError::LeadingWildcard);
    assert_eq!(e("*rm"), PatternError::LeadingWildcard);
    assert_eq!(e("  "), PatternError::Empty);
    assert_eq!(e("a && b"), PatternError::Compound);
    assert_eq!(
        e("cargo test > x"),
        PatternError::Shell(Unjudgeable::Redirection { op: ">".into() })
    );
    assert_eq!(e("ls ?"), PatternError::Shell(Unjudgeable::Glob));
    let p = CommandPattern::prefix("cargo test").unwrap();
    assert_eq!(p.as_str(), "cargo test");
    assert!(p.matches(&simple_commands("cargo test -q").unwrap()[0]));
}

#[test]
fn deny_rules_find_any_matching_part() {
    let deny = rules(&["rm:*"]);
    let hit = any_part_matches("cargo test && rm -rf x", &deny).unwrap();
    assert_eq!(hit.map(|p| p.text), Some("rm -rf x".to_string()));
    assert_eq!(any_part_matches("cargo test", &deny), Ok(None));
    // A line no rule can see through is not "no match".
    assert!(any_part_matches("cargo test $(rm x)", &deny).is_err());
}

#[test]
fn reasons_tell_the_model_exactly_why() {
    let r = rules(&["cargo test:*"]);
    assert_eq!(
        allowed("cargo test & rm -rf ~/x", &r).reason().unwrap(),
        "`rm -rf ~/x` (after `&`) is not allowed by any rule"
    );
    assert_eq!(
        allowed("rm x", &r).reason().unwrap(),
        "`rm x` is not allowed by any rule"
    );
    assert_eq!(
        allowed("cargo test\nrm x", &r).reason().unwrap(),
        "`rm x` (on its own line) is not allowed by any rule"
    );
    let why = allowed("cargo test > out.txt", &r).reason().unwrap();
    assert!(
        why.starts_with("no rule can allow it, because it redirects input or output (`>`)"),
        "{why}"
    );
    let why = allowed("cargo test \u{1b}[2K", &r).reason().unwrap();
    assert!(why.contains("it holds `\\u{1b}` outside quotes"), "{why}");
    assert_eq!(allowed("cargo test -q", &r).reason(), None);
}

/// A word the shell reads as plain text: safe characters, single-quoted or double-quoted strings.
fn plain_word() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9_./=:,+@%^-]{1,6}",
        "[^'\u{0}]{0,6}".prop_map(|s| format!("'{s}'")),
        "[^\"$`\\\\\u{0}]{0,6}".prop_map(|s| format!("\"{s}\"")),
    ];
    proptest::collection::vec(piece, 1..3).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_tokenizer_never_panics(line in "\\PC{0,40}|[ -~\n\t]{0,40}") {
        let _ = simple_commands(&line);
        let _ = CommandPattern::parse(&line);
        let _ = allowed(&line, &rules(&["echo:*", "a * b", "x*y"]));
    }

    /// Whatever the rules, a line with an unquoted shell character other than an operator is
    /// never allowed; with only an `echo` rule, an operator followed by another program neither.
    #[test]
    fn an_unquoted_metacharacter_is_never_allowed(
        before in proptest::collection::vec(plain_word(), 0..4),
        after in proptest::collection::vec(plain_word(), 0..4),
        meta in prop_oneof![
            Just("$"), Just("$("), Just("`"), Just(">"), Just("<"), Just(">>"), Just("<<"),
            Just("2>&1"), Just("<("), Just("\\"), Just("\\\n"), Just("*"), Just("?"), Just("["),
            Just("("), Just(")"), Just("{"), Just("}"), Just("#"), Just("!"), Just("\r"),
            Just("\u{1b}"), Just("|&"), Just("&>"),
        ],
        glued in any::<bool>(),
    ) {
        let sep = if glued { "" } else { " " };
        let line = format!("echo {}{sep}{meta}{sep}{}", before.join(" "), after.join(" "));
        let everything = rules(&["echo:*", "echo *", "echo", "e*"]);
        prop_assert!(!allowed(&line, &everything).is_allowed(), "{line:?}");
    }

    #[test]
    fn an_operator_never_lets_a_second_program_through(
        args in proptest::collection::vec(plain_word(), 0..4),
        op in prop_oneof![Just("&"), Just(";"), Just("|"), Just("&&"), Just("||"), Just("\n")],
        program in "[a-z]{1,6}",
        rest in proptest::collection::vec(plain_word(), 0..3),
    ) {
        prop_assume!(program != "echo");
        let line = format!("echo {} {op} {program} {}", args.join(" "), rest.join(" "));
        let j = allowed(&line, &rules(&["echo:*"]));
        prop_assert!(!j.is_allowed(), "{line:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The words judged are the words `sh` passes to the program.
    #[test]
    fn words_match_what_sh_passes(ws in proptest::collection::vec(plain_word(), 1..5)) {
        let line = format!("printf '%s\\0' {}", ws.join(" "));
        let ours = &simple_commands(&line).unwrap()[0].words[2..];
        let out = std::process::Command::new("sh").arg("-c").arg(&line).output().unwrap();
        let theirs: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .split_terminator('\0')
            .map(str::to_string)
            .collect();
        prop_assert_eq!(ours, &theirs[..], "{:?}", line);
    }
}
