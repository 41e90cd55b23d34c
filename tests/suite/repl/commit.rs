//! `/commit` and `auto_commit` in a scratch git repository: only the files hone changed are
//! committed, with the model's message (shown, editable, asked); an unrelated change stays
//! uncommitted; nothing is pushed; outside a repository hone says so.

use std::path::Path;

use super::*;

/// `git ARGS` in `dir`, with none of the machine's configuration; its stdout.
fn git(sb: &Sandbox, dir: &Path, args: &[&str]) -> String {
    let o = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("HOME", &sb.home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "git {args:?}: {}", stderr(&o));
    stdout(&o)
}

/// A repository holding greet.py and other.txt, committed, with a bare remote.
fn repository(sb: &Sandbox) {
    let w = &sb.workspace;
    std::fs::write(w.join("other.txt"), "other\n").unwrap();
    git(sb, w, &["init", "-q"]);
    for (k, v) in [
        ("user.name", "Test"),
        ("user.email", "test@example.com"),
        ("commit.gpgsign", "false"),
    ] {
        git(sb, w, &["config", k, v]);
    }
    git(sb, w, &["add", "greet.py", "other.txt"]);
    git(sb, w, &["commit", "-qm", "init"]);
    let remote = w.parent().unwrap().join("remote.git");
    git(sb, w, &["init", "-q", "--bare", remote.to_str().unwrap()]);
    git(
        sb,
        w,
        &["remote", "add", "origin", remote.to_str().unwrap()],
    );
}

#[test]
fn commit_takes_only_hones_files_with_the_models_message_edited_and_never_pushes() {
    let sb = sandbox_with_greet();
    repository(&sb);
    let mock = MockServer::start(vec![
        fix_typo(),
        Reply::answer("Fixed the typo."),
        Reply::answer("Fix the greeting typo"),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("Apply?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("Fixed the typo.").unwrap();
    prompt(&mut p);
    // The person's own change, which hone must leave alone.
    std::fs::write(sb.workspace.join("other.txt"), "mine\n").unwrap();

    p.send_line("/commit").unwrap();
    p.exp_string("to commit: greet.py").unwrap();
    p.exp_string("message: Fix the greeting typo").unwrap();
    p.exp_string("Commit 1 file(s) with this message? [y]es / [e]dit / [n]o")
        .unwrap();
    p.send_line("e").unwrap();
    // The line editor holds the message; what is typed is added to it.
    p.exp_string("message: ").unwrap();
    p.send_line(" in greet").unwrap();
    p.exp_string("committed").unwrap();
    prompt(&mut p);

    let w = &sb.workspace;
    assert_eq!(
        git(&sb, w, &["log", "-1", "--format=%s"]),
        "Fix the greeting typo in greet\n"
    );
    assert_eq!(
        git(&sb, w, &["show", "--name-only", "--format=", "HEAD"]),
        "greet.py\n"
    );
    let status = git(&sb, w, &["status", "--porcelain"]);
    assert!(status.contains(" M other.txt"), "{status}");
    let remote = w.parent().unwrap().join("remote.git");
    assert_eq!(
        git(&sb, w, &["ls-remote", remote.to_str().unwrap()]),
        "",
        "nothing pushed"
    );
    // One short request on the side: the commit prompt and the diff, no tools, no other file.
    let req = mock.chat_requests()[2].json();
    let msgs = req["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 2, "{req:#}");
    assert!(
        msgs[0]["content"]
            .as_str()
            .unwrap()
            .contains("commit message")
    );
    let diff = msgs[1]["content"].as_str().unwrap();
    assert!(diff.contains("+    print('hello')"), "{diff}");
    assert!(!diff.contains("other.txt"), "{diff}");
    assert!(req.get("tools").is_none(), "{req:#}");
    leave(p);
}

#[test]
fn auto_commit_commits_after_an_applied_turn() {
    let sb = sandbox_with_greet();
    repository(&sb);
    sb.project_config("auto_commit = true\n\n[retry]\nbase_delay_ms = 10\n");
    let mock = MockServer::start(vec![
        fix_typo(),
        Reply::answer("Fixed the typo."),
        Reply::answer("Fix greet's typo"),
    ]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("fix the typo").unwrap();
    p.exp_string("Apply?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("Fixed the typo.").unwrap();
    p.exp_string("committed").unwrap();
    prompt(&mut p);
    let w = &sb.workspace;
    assert_eq!(
        git(&sb, w, &["log", "-1", "--format=%s"]),
        "Fix greet's typo\n"
    );
    assert_eq!(
        git(&sb, w, &["show", "--name-only", "--format=", "HEAD"]),
        "greet.py\n"
    );
    leave(p);
}

#[test]
fn commit_outside_a_git_repository_says_so() {
    let sb = sandbox_with_greet();
    let mock = MockServer::start(vec![fix_typo(), Reply::answer("Fixed the typo.")]);
    let mut p = start(&sb, &mock, &[]);
    p.send_line("/commit").unwrap();
    p.exp_string("hone changed no file in this session")
        .unwrap();
    prompt(&mut p);
    p.send_line("fix the typo").unwrap();
    p.exp_string("Apply?").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("Fixed the typo.").unwrap();
    prompt(&mut p);
    p.send_line("/commit").unwrap();
    p.exp_string("is not in a git repository").unwrap();
    prompt(&mut p);
    assert_eq!(mock.chat_requests().len(), 2, "no message was asked for");
    leave(p);
}
