//! A command the OS sandbox stopped, in the REPL: the person is asked, apart from the command's
//! own yes, whether to run it again without the sandbox; "always this command" never covers it.

use serde_json::json;

use super::*;

/// The model writes outside the workspace (a directory beside it, not the system temp dir).
fn write_outside(sb: &Sandbox) -> (MockServer, std::path::PathBuf) {
    let target = sb.outside().join("x");
    let touch = json!({"command": format!("touch {}", target.display())});
    let mock = MockServer::start(vec![
        call("c1", "run_command", touch.clone()),
        Reply::answer("Tried."),
        call("c2", "run_command", touch),
        Reply::answer("Tried again."),
    ]);
    (mock, target)
}

#[test]
fn a_blocked_command_runs_again_unsandboxed_only_on_its_own_yes() {
    let sb = Sandbox::outside_tmp();
    let (mock, target) = write_outside(&sb);
    let mut p = start(&sb, &mock, &[]);

    // First run: always this command, then no to running it without the sandbox.
    p.send_line("write it").unwrap();
    p.exp_string("[!] always this command").unwrap();
    p.send_line("!").unwrap();
    let asked = p
        .exp_string("again WITHOUT the sandbox? [y]es / [N]o:")
        .unwrap();
    assert!(
        asked.contains(&format!(
            "Blocked by the sandbox: write outside the workspace: {}",
            target.display()
        )),
        "{asked}"
    );
    p.send_line("n").unwrap();
    p.exp_string("Tried.").unwrap();
    prompt(&mut p);
    assert!(!target.exists(), "the write escaped");
    let result = messages(&mock, 1)
        .into_iter()
        .find(|m| m["role"] == "tool")
        .unwrap();
    let text = result["content"].as_str().unwrap();
    assert!(
        text.starts_with("blocked by the sandbox: write outside the workspace:"),
        "{text}"
    );

    // Second run: the command is allowed always, but running it unsandboxed is asked again.
    p.send_line("again").unwrap();
    p.exp_string("again WITHOUT the sandbox? [y]es / [N]o:")
        .unwrap();
    p.send_line("y").unwrap();
    p.exp_string("Tried again.").unwrap();
    prompt(&mut p);
    assert!(
        target.exists(),
        "the person's yes runs it without the sandbox"
    );
    let msgs = messages(&mock, 3);
    let result = msgs.iter().rev().find(|m| m["role"] == "tool").unwrap();
    let text = result["content"].as_str().unwrap();
    assert_eq!(
        text,
        "the sandbox stopped this command; the user approved running it again without the \
         sandbox. exit code 0; no output"
    );
    leave(p);
}
