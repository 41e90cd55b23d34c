//! The permission order, judged on a real workspace: protected paths, deny over ask over allow,
//! the modes, symlinks judged where they resolve, and reads.

use super::*;
use crate::config::{RuleEntry, Source};
use crate::edit::EditOp;

/// A person who answers yes and counts the questions.
#[derive(Default)]
struct Yes(usize);

impl Approver for Yes {
    fn approve_edit(&mut self, _: &Plan) -> Decision {
        self.0 += 1;
        Decision::Yes
    }
    fn approve_command(&mut self, _: &str) -> Decision {
        self.0 += 1;
        Decision::Yes
    }
    fn approve_read(&mut self, _: &str) -> Decision {
        self.0 += 1;
        Decision::Yes
    }
}

fn settings(mode: PermissionMode, rules: &[(RuleList, &str)]) -> PermissionConfig {
    PermissionConfig {
        mode,
        rules: rules
            .iter()
            .map(|(list, rule)| RuleEntry {
                list: *list,
                rule: rule.to_string(),
                source: Source::Project(".claude/settings.json".into()),
                claude: true,
            })
            .collect(),
        ..PermissionConfig::default()
    }
}

fn workspace() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(d.path().join("src")).unwrap();
    std::fs::create_dir_all(d.path().join(".hone")).unwrap();
    std::fs::write(d.path().join("build.rs"), "old\n").unwrap();
    std::fs::write(d.path().join("src/a.rs"), "old\n").unwrap();
    std::os::unix::fs::symlink("..", d.path().join("src/up")).unwrap();
    d
}

fn plan(root: &Path, path: &str) -> Plan {
    let ws = Workspace::new(root).unwrap();
    let ops: Vec<EditOp> = crate::edit::parse_tool_call(
        crate::edit::EditTool::WriteFile,
        &serde_json::json!({"path": path, "content": "new\n"}),
    )
    .unwrap();
    crate::edit::plan(&ws, &ops).unwrap()
}

fn perms(root: &Path, s: &PermissionConfig) -> Permissions {
    Permissions::new(root, s).unwrap()
}

/// Nobody to ask.
fn policy(p: &Permissions) -> Gate<'_> {
    Gate::new(p, None)
}

fn refused(d: &Decision) -> String {
    match d {
        Decision::No { reason, by_policy } => {
            assert!(by_policy, "{d:?}");
            reason.clone()
        }
        Decision::Yes => panic!("allowed"),
    }
}

#[test]
fn path_rules_judge_where_the_path_resolves() {
    let d = workspace();
    let p = perms(
        d.path(),
        &settings(
            PermissionMode::Default,
            &[(RuleList::Allow, "Edit(src/**)")],
        ),
    );
    assert_eq!(
        policy(&p).approve_edit(&plan(d.path(), "src/a.rs")),
        Decision::Yes
    );
    // `src/up/build.rs` is `build.rs`: not under src/.
    refused(&policy(&p).approve_edit(&plan(d.path(), "src/up/build.rs")));
    refused(&policy(&p).approve_edit(&plan(d.path(), "build.rs")));
}

#[test]
fn settings_files_are_asked_in_every_mode_but_bypass() {
    let d = workspace();
    std::os::unix::fs::symlink(".hone", d.path().join("cfg")).unwrap();
    for mode in [PermissionMode::Default, PermissionMode::AcceptEdits] {
        let p = perms(d.path(), &settings(mode, &[(RuleList::Allow, "Edit")]));
        let why = refused(&policy(&p).approve_edit(&plan(d.path(), ".hone/config.toml")));
        assert!(why.contains("own settings"), "{why}");
        // Also through a symlink that resolves there.
        refused(&policy(&p).approve_edit(&plan(d.path(), "cfg/config.toml")));
        let mut yes = Yes::default();
        let d2 =
            Gate::new(&p, Some(&mut yes)).approve_edit(&plan(d.path(), ".claude/settings.json"));
        assert_eq!(d2, Decision::Yes);
        assert_eq!(yes.0, 1);
    }
    let p = perms(d.path(), &settings(PermissionMode::Bypass, &[]));
    assert_eq!(
        policy(&p).approve_edit(&plan(d.path(), ".mcp.json")),
        Decision::Yes
    );
}

#[test]
fn deny_wins_over_ask_and_ask_over_allow() {
    let d = workspace();
    let p = perms(
        d.path(),
        &settings(
            PermissionMode::AcceptEdits,
            &[
                (RuleList::Allow, "Edit"),
                (RuleList::Ask, "Edit(src/**)"),
                (RuleList::Deny, "Edit(build.rs)"),
            ],
        ),
    );
    let why = refused(&policy(&p).approve_edit(&plan(d.path(), "build.rs")));
    assert!(why.contains("`Edit(build.rs)`"), "{why}");
    assert!(why.contains(".claude/settings.json"), "{why}");
    let why = refused(&policy(&p).approve_edit(&plan(d.path(), "src/a.rs")));
    assert!(why.contains("needs the user's approval"), "{why}");
    let mut yes = Yes::default();
    let mut asked = Gate::new(&p, Some(&mut yes));
    assert_eq!(
        asked.approve_edit(&plan(d.path(), "src/a.rs")),
        Decision::Yes
    );
    assert_eq!(asked.approve_edit(&plan(d.path(), "new.rs")), Decision::Yes);
    // Only the ask rule asked: accept-edits took the other.
    assert_eq!(yes.0, 1);
    // A deny rule on a command beats any allow.
    let p = perms(
        d.path(),
        &settings(
            PermissionMode::Default,
            &[(RuleList::Allow, "Bash"), (RuleList::Deny, "Bash(rm:*)")],
        ),
    );
    assert_eq!(policy(&p).approve_command("ls -la"), Decision::Yes);
    refused(&policy(&p).approve_command("ls; rm -rf x"));
}

#[test]
fn plan_mode_only_reads_and_says_so() {
    let d = workspace();
    let mut p = perms(
        d.path(),
        &settings(
            PermissionMode::Plan,
            &[(RuleList::Allow, "Edit"), (RuleList::Allow, "Bash")],
        ),
    );
    let mut yes = Yes::default();
    let mut g = Gate::new(&p, Some(&mut yes));
    let why = refused(&g.approve_edit(&plan(d.path(), "src/a.rs")));
    assert!(why.contains("plan mode"), "{why}");
    refused(&g.approve_command("cargo test"));
    assert_eq!(g.approve_read("src/a.rs"), Decision::Yes);
    assert!(g.message_note().is_some_and(|n| n.contains("Plan mode")));
    assert_eq!(yes.0, 0);
    p.mode = PermissionMode::Default;
    assert!(policy(&p).message_note().is_none());
}

#[test]
fn modes_decide_what_rules_leave_open() {
    let d = workspace();
    let mut p = perms(d.path(), &settings(PermissionMode::Default, &[]));
    p.how_to_allow = "allow it with --yes".into();
    let why = refused(&policy(&p).approve_edit(&plan(d.path(), "src/a.rs")));
    assert!(why.contains("--yes"), "{why}");
    p.mode = PermissionMode::AcceptEdits;
    assert_eq!(
        policy(&p).approve_edit(&plan(d.path(), "src/a.rs")),
        Decision::Yes
    );
    refused(&policy(&p).approve_command("cargo test"));
    p.mode = PermissionMode::Bypass;
    assert_eq!(policy(&p).approve_command("cargo test"), Decision::Yes);
}

#[test]
fn read_rules_refuse_and_hide() {
    let d = workspace();
    std::fs::create_dir_all(d.path().join("secrets")).unwrap();
    std::fs::write(d.path().join("secrets/db.txt"), "pw").unwrap();
    std::os::unix::fs::symlink("secrets", d.path().join("s")).unwrap();
    let p = perms(
        d.path(),
        &settings(
            PermissionMode::Default,
            &[(RuleList::Deny, "Read(./secrets/**)")],
        ),
    );
    refused(&policy(&p).approve_read("secrets/db.txt"));
    refused(&policy(&p).approve_read("s/db.txt"));
    assert_eq!(policy(&p).approve_read("src/a.rs"), Decision::Yes);
    let filter = policy(&p).read_filter().unwrap();
    assert!((filter.0)("secrets/db.txt"));
    assert!(!(filter.0)("src/a.rs"));
    let none = perms(d.path(), &settings(PermissionMode::Default, &[]));
    assert!(policy(&none).read_filter().is_none());
}

#[test]
fn a_new_settings_file_is_protected_too() {
    let d = tempfile::tempdir().unwrap();
    let p = perms(
        d.path(),
        &settings(PermissionMode::AcceptEdits, &[(RuleList::Allow, "Edit")]),
    );
    let pl = plan(d.path(), ".hone/config.toml");
    assert_eq!(crate::agent::touched_paths(&pl), [".hone/config.toml"]);
    refused(&policy(&p).approve_edit(&pl));
}
