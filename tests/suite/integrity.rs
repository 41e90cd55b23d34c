//! Integrity under concurrency, kills and hostile input, end to end: two hone processes writing
//! the same files, kill -9 in the middle of a batch, ownership and read-only files, control
//! characters from a model's path or a server's bytes, a 10 MB event, an endless stream, FIFOs,
//! and input that is not UTF-8.

use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::suite::agent::call;
use crate::support::mock::*;
use crate::support::sandbox::Sandbox;

const FILES: usize = 200;

fn name(i: usize) -> String {
    format!("f{i:03}.txt")
}

/// SEARCH/REPLACE blocks turning every file's `v0` into `to`.
fn batch(to: &str) -> String {
    (0..FILES)
        .map(|i| {
            format!(
                "{}\n<<<<<<< SEARCH\nv0\n=======\n{to}\n>>>>>>> REPLACE\n\n",
                name(i)
            )
        })
        .collect()
}

fn reset(ws: &Path) {
    for i in 0..FILES {
        std::fs::write(ws.join(name(i)), "v0\n").unwrap();
    }
}

/// hone's temporary files anywhere under `root`.
fn temporaries(root: &Path) -> Vec<String> {
    crate::support::walk(root)
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .filter(|p| {
            let n = p.rsplit('/').next().unwrap_or(p);
            n.starts_with('.') && n.contains(".hone-") && n.ends_with(".tmp")
        })
        .collect()
}

#[test]
fn two_applies_at_once_never_split_a_batch() {
    let sb = Sandbox::new();
    let (a, b) = (sb.workspace.join("../a.txt"), sb.workspace.join("../b.txt"));
    std::fs::write(&a, batch("vA")).unwrap();
    std::fs::write(&b, batch("vB")).unwrap();
    for round in 0..6 {
        reset(&sb.workspace);
        let spawn = |input: &Path| {
            sb.std_cmd()
                .args(["apply", "--yes"])
                .arg(input)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (pa, pb) = (spawn(&a), spawn(&b));
        let (oa, ob) = (
            pa.wait_with_output().unwrap(),
            pb.wait_with_output().unwrap(),
        );
        let contents: std::collections::BTreeSet<String> = (0..FILES)
            .map(|i| std::fs::read_to_string(sb.workspace.join(name(i))).unwrap())
            .collect();
        assert_eq!(
            contents.len(),
            1,
            "round {round}: the files ended split between the batches: {contents:?}"
        );
        let winner = contents.into_iter().next().unwrap();
        let codes = (oa.status.code(), ob.status.code());
        let (won, lost) = match winner.as_str() {
            "vA\n" => (&oa, &ob),
            "vB\n" => (&ob, &oa),
            other => panic!("round {round}: unexpected content {other:?}"),
        };
        assert_eq!(won.status.code(), Some(0), "round {round}: {codes:?}");
        assert_eq!(
            lost.status.code(),
            Some(1),
            "round {round}: the batch that lost must say so: {codes:?}\n{}",
            String::from_utf8_lossy(&lost.stderr)
        );
        let err = String::from_utf8_lossy(&lost.stderr);
        assert!(
            err.contains("changed on disk after the preview") || err.contains("nothing was"),
            "round {round}: {err}"
        );
        assert!(temporaries(&sb.workspace).is_empty());
    }
}

#[test]
fn a_kill_during_a_large_apply_leaves_no_temporary_file_after_the_next_run() {
    let sb = Sandbox::new();
    let big = "x".repeat(200_000);
    let input = sb.workspace.join("../big.txt");
    let mut text = String::new();
    for i in 0..60 {
        text.push_str(&format!(
            "{}\n<<<<<<< SEARCH\nv0\n=======\n{big}\n>>>>>>> REPLACE\n\n",
            name(i)
        ));
    }
    std::fs::write(&input, text).unwrap();
    let reset = || {
        for i in 0..60 {
            std::fs::write(sb.workspace.join(name(i)), "v0\n").unwrap();
        }
    };
    // How long a whole apply takes here, so the kills spread over all of it.
    reset();
    let started = Instant::now();
    let o = sb
        .cmd()
        .args(["apply", "--yes"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let whole = started.elapsed();
    let _ = sb.cmd().arg("undo").output().unwrap();
    let trials = 16;
    let mut left_behind = 0;
    for trial in 0..trials {
        reset();
        let mut child = sb
            .std_cmd()
            .args(["apply", "--yes"])
            .arg(&input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        if trial % 2 == 0 {
            // At a moment spread over a whole apply's time.
            std::thread::sleep(whole.mul_f64((trial as f64 + 0.5) / trials as f64));
        } else {
            // As soon as the batch is staging: a kill that surely lands mid-write, whatever
            // the machine's load does to the timing.
            let deadline = Instant::now() + Duration::from_secs(30);
            while temporaries(&sb.workspace).is_empty()
                && child.try_wait().unwrap().is_none()
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        left_behind += usize::from(!temporaries(&sb.workspace).is_empty());
        // Every file is whole: as it was, or as the batch wrote it.
        for i in 0..60 {
            let now = std::fs::read_to_string(sb.workspace.join(name(i))).unwrap();
            assert!(now == "v0\n" || now == format!("{big}\n"), "trial {trial}");
        }
        // The next hone run in the workspace cleans up, whatever it does next.
        let _ = sb.cmd().arg("undo").output().unwrap();
        assert_eq!(
            temporaries(&sb.workspace),
            Vec::<String>::new(),
            "trial {trial}"
        );
    }
    // The kills must have hit mid-write sometimes, or the test proved nothing.
    assert!(
        left_behind > 0,
        "no kill landed while temporary files existed"
    );
}

#[test]
fn temporary_files_are_not_shown_to_the_model_the_map_or_list_files() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.py"), "def a():\n    pass\n").unwrap();
    std::fs::write(
        sb.workspace.join(".a.py.hone-0badc0de.tmp"),
        "def leaked():\n    pass\n",
    )
    .unwrap();
    let map = sb.cmd().arg("map").output().unwrap();
    let map = String::from_utf8_lossy(&map.stdout);
    assert!(
        map.contains("a.py") && !map.contains("hone-0badc0de"),
        "{map}"
    );

    let mock = MockServer::start(vec![
        call("c1", "list_files", json!({})),
        call("c2", "search", json!({"pattern": "leaked"})),
        Reply::answer("done"),
    ]);
    let o = sb.against(&mock).args(["-p", "list"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let last = mock.chat_requests().last().unwrap().body.clone();
    assert!(last.contains("a.py"), "{last}");
    assert!(!last.contains("hone-0badc0de"), "{last}");
}

#[test]
fn an_edit_as_root_keeps_the_files_owner_and_group() {
    let sb = Sandbox::new();
    let file = sb.workspace.join("owned.txt");
    std::fs::write(&file, "v0\n").unwrap();
    let root = std::fs::metadata(&sb.workspace).unwrap().uid() == 0;
    // As root (containers, CI) the file is given away; otherwise a group of ours is kept.
    let (uid, gid) = if root {
        (4321, 4322)
    } else {
        let m = std::fs::metadata(&file).unwrap();
        (m.uid(), m.gid())
    };
    std::os::unix::fs::chown(&file, Some(uid), Some(gid)).unwrap();
    let input = sb.workspace.join("../e.txt");
    std::fs::write(
        &input,
        "owned.txt\n<<<<<<< SEARCH\nv0\n=======\nv1\n>>>>>>> REPLACE\n",
    )
    .unwrap();
    let o = sb
        .cmd()
        .args(["apply", "--yes"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "v1\n");
    let m = std::fs::metadata(&file).unwrap();
    assert_eq!((m.uid(), m.gid()), (uid, gid));
    // Undo writes the old bytes back the same way.
    let o = sb.cmd().arg("undo").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let m = std::fs::metadata(&file).unwrap();
    assert_eq!((m.uid(), m.gid()), (uid, gid));
}

#[test]
fn a_read_only_file_is_refused_under_a_policy_and_keeps_its_mode() {
    let sb = Sandbox::new();
    let file = sb.workspace.join("locked.txt");
    std::fs::write(&file, "v0\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    let input = sb.workspace.join("../e.txt");
    std::fs::write(
        &input,
        "locked.txt\n<<<<<<< SEARCH\nv0\n=======\nv1\n>>>>>>> REPLACE\n",
    )
    .unwrap();
    let o = sb
        .cmd()
        .args(["apply", "--yes"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("locked.txt is read-only"), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "v0\n");

    // The agent under --yes: refused by the policy, told to the model, nothing written.
    let mock = MockServer::start(vec![
        call(
            "c1",
            "edit_file",
            json!({"path": "locked.txt", "old_string": "v0", "new_string": "v1"}),
        ),
        Reply::answer("could not"),
    ]);
    let o = sb
        .against(&mock)
        .args(["fix", "change it", "--yes"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "v0\n");
    let sent = mock.chat_requests()[1].body.clone();
    assert!(sent.contains("read-only"), "{sent}");

    // A person who says yes writes through it; the file stays read-only.
    let mut p = rexpect::session::spawn_command(
        {
            let mut c = sb.std_cmd();
            c.args(["apply"]).arg(&input).env("TERM", "xterm");
            c
        },
        Some(20_000),
    )
    .unwrap();
    p.exp_string("locked.txt (read-only)").unwrap();
    p.exp_string("[y/N]").unwrap();
    p.send_line("y").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "v1\n");
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o444);
}

#[test]
fn no_escape_from_a_path_or_a_server_error_reaches_the_terminal() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("harmless.txt"), "ok\n").unwrap();
    let evil = "harmless.txt\u{1b}[2K\revil.sh";
    let mock = MockServer::start(vec![
        call(
            "c1",
            "write_file",
            json!({"path": evil, "content": "rm -rf ~\n"}),
        ),
        Reply::answer("done"),
        Reply::sse(vec![
            ev_role(),
            Frame::Raw("data: {\"x\u{1b}]0;pwned\u{7}\u{1b}[2J\n\n".into()),
        ]),
    ]);
    let mut cmd = sb.std_against(&mock);
    cmd.env("TERM", "xterm");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string("/help for commands").unwrap();
    p.send_line("write it").unwrap();
    let first = p.exp_string("done").unwrap();
    p.send_line("again").unwrap();
    let (second, error) = p.exp_regex("error: [^\r\n]*").unwrap();
    let shown = p.exp_string("hint:").unwrap();
    p.send_line("/exit").unwrap();
    p.exp_eof().unwrap();
    let screen = format!("{first}{second}{error}{shown}");
    // (hone's own spinner clears its line with CR, ESC[2K: the hostile order is ESC[2K, CR and
    // the hidden name.)
    for hostile in [
        "\u{1b}[2K\revil",
        "\revil.sh",
        "\u{1b}]0;pwned",
        "\u{1b}[2J",
    ] {
        assert!(!screen.contains(hostile), "{hostile:?} reached the screen");
    }
    assert!(!sb.workspace.join("evil.sh").exists());
    let files: Vec<_> = std::fs::read_dir(&sb.workspace)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(files.iter().all(|f| !f.contains('\u{1b}')), "{files:?}");
    // The model was told why, and the server's bytes are shown escaped, not obeyed.
    let sent = mock.chat_requests()[1].body.clone();
    assert!(sent.contains("control characters"), "{sent}");
    assert!(screen.contains("\\u{1b}]0;pwned"), "{screen:?}");
    // The call line shows the name as it is, escaped, not as it would display.
    assert!(
        screen.contains("write_file harmless.txt\\u{1b}[2K\\revil.sh"),
        "{screen:?}"
    );
}

#[test]
fn a_ten_megabyte_event_is_read_quickly_and_whole() {
    let sb = Sandbox::new();
    let text = "y".repeat(10 << 20);
    let mock = MockServer::start(vec![Reply::sse(vec![
        ev_role(),
        ev_text(&text),
        ev_finish("stop"),
        ev_done(),
    ])]);
    let started = Instant::now();
    let o = sb.against(&mock).args(["-p", "big"]).output().unwrap();
    let took = started.elapsed();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim_end().len(),
        10 << 20
    );
    // Quadratic reading took 17–28 s here; linear takes a fraction of a second (the figure is
    // measured by scripts/bench.sh). The bound only catches a return to quadratic.
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[test]
fn an_endless_stream_is_cut_off_at_the_answer_cap() {
    let sb = Sandbox::new();
    sb.project_config("max_answer_mb = 1\n[retry]\nbase_delay_ms = 10\n");
    let chunk = "z".repeat(64 << 10);
    let mut frames = vec![ev_role()];
    frames.extend((0..64).map(|_| ev_text(&chunk))); // 4 MiB and no end
    frames.push(Frame::Delay(Duration::from_secs(30)));
    let mock = MockServer::start(vec![Reply::sse(frames)]);
    let started = Instant::now();
    let o = sb.against(&mock).args(["-p", "talk"]).output().unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("passed the limit of 1 MiB"), "{err}");
    assert!(err.contains("max_answer_mb"), "{err}");
    assert_eq!(
        mock.chat_requests().len(),
        1,
        "a cut answer is not asked again"
    );
}

#[test]
fn read_file_refuses_a_fifo_instead_of_blocking() {
    let sb = Sandbox::new();
    let fifo = sb.workspace.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let mock = MockServer::start(vec![
        call("c1", "read_file", json!({"path": "pipe"})),
        Reply::answer("ok"),
    ]);
    let o = sb.against(&mock).args(["-p", "read it"]).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let sent = mock.chat_requests()[1].body.clone();
    assert!(sent.contains("not a regular file"), "{sent}");
}

#[test]
fn apply_on_input_that_is_not_utf8_names_the_bad_byte() {
    let sb = Sandbox::new();
    std::fs::write(sb.workspace.join("a.txt"), "a\n").unwrap();
    let input = sb.workspace.join("../bad.txt");
    std::fs::write(&input, b"a.txt\n<<<<<<< SEARCH\na\xff\n").unwrap();
    let o = sb
        .cmd()
        .args(["apply", "--yes"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("not UTF-8") && err.contains("offset 22") && err.contains("line 3, column 2"),
        "{err}"
    );
}
