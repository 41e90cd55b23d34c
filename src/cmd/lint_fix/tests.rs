//! Tests of lint-fix's front end.
use super::*;

#[test]
fn agent_events_are_plain_log_lines() {
    use crate::tools::{Refusal, Reply};
    let applied = Event::EditApplied {
        id: "c".into(),
        files: vec!["a.py".into()],
        added: 1,
        removed: 2,
    };
    assert_eq!(agent_line(&applied).unwrap(), "  applied: a.py (+1 -2)");
    let refused = Event::ToolResult {
        id: "c".into(),
        name: "edit_file".into(),
        effect: Some(crate::tools::Effect::Edit),
        reply: Reply::refused(
            Refusal::Policy {
                reason: "(`x` is not a named file)".into(),
            },
            "editing `x` is not allowed by this session's policy",
        ),
    };
    assert_eq!(
        agent_line(&refused).unwrap(),
        "  refused: not allowed (`x` is not a named file)"
    );
    let failed = Event::ToolResult {
        id: "c".into(),
        name: "read_file".into(),
        effect: Some(crate::tools::Effect::Read),
        reply: Reply::failed("no such file\x1b[31m\nmore"),
    };
    assert_eq!(agent_line(&failed).unwrap(), "  failed: no such file");
    assert!(agent_line(&Event::Text("hi".into())).is_none());
}

#[test]
fn paths_are_made_relative_and_checked() {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("src")).unwrap();
    std::fs::write(d.path().join("src/a.py"), "").unwrap();
    let rel = relative_paths(
        d.path(),
        &[
            PathBuf::from("src/a.py"),
            d.path().join("src"),
            PathBuf::from("."),
        ],
    )
    .unwrap();
    assert_eq!(rel, ["src/a.py", "src", "."]);
    assert!(relative_paths(d.path(), &[PathBuf::from("missing")]).is_err());
    assert!(relative_paths(d.path(), &[PathBuf::from("/")]).is_err());
}

#[test]
fn installed_tools_are_linked_into_the_scratch_copy() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::create_dir_all(a.path().join("node_modules/.bin")).unwrap();
    std::fs::create_dir_all(b.path().join("venv")).unwrap();
    link_installed_tools(a.path(), b.path());
    assert!(b.path().join("node_modules/.bin").is_dir());
    assert!(!b.path().join(".venv").exists());
    assert!(
        !b.path().join("venv").is_symlink(),
        "an existing directory is left alone"
    );
}

#[test]
fn scope_words() {
    assert_eq!(scope_text(&[], &[]), "");
    assert_eq!(
        scope_text(&["src".into()], &["docs/*.md".into()]),
        " (and anything under src and paths matching docs/*.md)"
    );
}

#[test]
fn exit_codes_of_endings() {
    assert_eq!(exit_of(&End::Clean), Exit::Success);
    assert_eq!(exit_of(&End::Remaining), Exit::Failed);
    assert_eq!(exit_of(&End::GaveUp), Exit::Failed);
    assert_eq!(exit_of(&End::Interrupted), Exit::Interrupted);
    let broken = LintError::Timeout {
        command: "x".into(),
        after: Duration::from_secs(1),
    };
    assert_eq!(exit_of(&End::Lint(broken)), Exit::LintCommand);
}
