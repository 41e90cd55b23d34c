//! Answers as the asker reads them: keys and lines, the default, "no, and tell the model",
//! Ctrl-C, end of input, and what a question shows.

use std::collections::VecDeque;

use super::*;
use crate::edit::{EditOp, Workspace};

/// Answers given in order; every question and prompt shown is kept.
#[derive(Default)]
struct Script {
    answers: VecDeque<Input>,
    lines: VecDeque<Input>,
    asked: Vec<(String, String)>,
    prompts: Vec<String>,
}

impl AnswerSource for Script {
    fn answer(&mut self, question: &str, _styled: &str, keys: &str) -> Input {
        self.asked.push((question.to_string(), keys.to_string()));
        self.answers.pop_front().unwrap_or(Input::Ended)
    }

    fn line(&mut self, prompt: &str, _styled: &str) -> Input {
        self.prompts.push(prompt.to_string());
        self.lines.pop_front().unwrap_or(Input::Ended)
    }
}

fn text(s: &str) -> Input {
    Input::Text(s.to_string())
}

fn ask(answers: Vec<Input>, lines: Vec<Input>) -> Ask<Script> {
    Ask::with_source(
        false,
        Script {
            answers: answers.into(),
            lines: lines.into(),
            ..Script::default()
        },
    )
}

fn plan(dir: &std::path::Path) -> Plan {
    let ws = Workspace::new(dir).unwrap();
    let ops: Vec<EditOp> = crate::edit::parse_tool_call(
        crate::edit::EditTool::WriteFile,
        &serde_json::json!({"path": "a.txt", "content": "new\n"}),
    )
    .unwrap();
    crate::edit::plan(&ws, &ops).unwrap()
}

fn declined(reason: &str) -> Decision {
    Decision::No {
        reason: reason.to_string(),
        by_policy: false,
    }
}

#[test]
fn answers_parse_from_keys_and_lines() {
    let all = [
        Answer::Yes,
        Answer::No,
        Answer::All,
        Answer::Full,
        Answer::Always,
        Answer::Tell,
    ];
    assert_eq!(parse_answer("y", &all), Some(Answer::Yes));
    assert_eq!(parse_answer("y\n", &all), Some(Answer::Yes));
    assert_eq!(parse_answer(" YES ", &all), Some(Answer::Yes));
    // Enter: the default, always the safe one.
    assert_eq!(parse_answer("", &all), Some(Answer::No));
    assert_eq!(parse_answer("\n", &all), Some(Answer::No));
    assert_eq!(parse_answer("a", &all), Some(Answer::All));
    assert_eq!(parse_answer("!", &all), Some(Answer::Always));
    assert_eq!(parse_answer("t", &all), Some(Answer::Tell));
    assert_eq!(parse_answer("t use the helper\n", &all), Some(Answer::Tell));
    assert_eq!(parse_answer("Tell me more", &all), Some(Answer::Tell));
    assert_eq!(parse_answer("maybe", &all), None);
    assert_eq!(parse_answer("yes please", &all), None);
    assert_eq!(parse_answer("a", &[Answer::Yes, Answer::No]), None);
    assert_eq!(told_inline("t use the helper\n"), Some("use the helper"));
    assert_eq!(told_inline("TELL  Keep It  "), Some("Keep It"));
    assert_eq!(told_inline("t"), None);
    assert_eq!(told_inline("try this"), None);
}

#[test]
fn each_question_offers_its_keys_and_shows_the_default() {
    let d = tempfile::tempdir().unwrap();
    let mut a = ask(vec![text("y"), text("y")], vec![]);
    assert_eq!(a.approve_edit(&plan(d.path())), Decision::Yes);
    assert_eq!(a.approve_command("cargo test"), Decision::Yes);
    let asked = &a.source.asked;
    assert_eq!(
        asked[0],
        (
            "Apply? [y]es / [N]o / [a]ll this turn / [f]ull file / [t] no, tell the model: ".into(),
            "ynaft".into()
        )
    );
    assert_eq!(
        asked[1],
        (
            "Run `cargo test`? [y]es / [N]o / [!] always this command / [t] no, tell the model: "
                .into(),
            "yn!t".into()
        )
    );
}

#[test]
fn enter_and_the_end_of_input_decline() {
    let d = tempfile::tempdir().unwrap();
    let mut a = ask(vec![text("")], vec![]);
    assert_eq!(a.approve_edit(&plan(d.path())), declined(""));
    assert_eq!(a.approve_command("ls"), declined(""));
    assert!(!a.cancelled());
}

#[test]
fn unknown_answers_ask_again() {
    let mut a = ask(vec![text("maybe"), text("a"), text("y")], vec![]);
    assert_eq!(a.approve_command("ls"), Decision::Yes);
    assert_eq!(a.source.asked.len(), 3);
}

#[test]
fn tell_declines_with_the_instruction_for_the_model() {
    let d = tempfile::tempdir().unwrap();
    let mut a = ask(
        vec![text("t"), text("t   "), text("t run the linter first")],
        vec![text("  keep the old name  "), text("")],
    );
    assert_eq!(
        a.approve_edit(&plan(d.path())),
        declined("keep the old name")
    );
    assert_eq!(a.source.prompts, ["Tell the model: "]);
    // An empty instruction is a plain no.
    assert_eq!(a.approve_command("rm x"), declined(""));
    // In line mode the instruction may come with the answer.
    assert_eq!(a.approve_command("rm x"), declined("run the linter first"));
    assert_eq!(a.source.prompts.len(), 2);
    assert!(!a.cancelled());
}

#[test]
fn ctrl_c_declines_cancels_the_run_and_asks_nothing_more_in_it() {
    let d = tempfile::tempdir().unwrap();
    let mut a = ask(vec![Input::Cancelled, text("y"), text("y")], vec![]);
    assert_eq!(a.approve_edit(&plan(d.path())), declined(""));
    assert!(a.cancelled());
    assert_eq!(a.approve_command("ls"), declined(""));
    assert_eq!(a.source.asked.len(), 1, "asked again after a cancel");
    // The next run asks again.
    a.run_started();
    assert!(!a.cancelled());
    assert_eq!(a.approve_command("ls"), Decision::Yes);
}

#[test]
fn ctrl_c_while_telling_the_model_cancels_too() {
    let mut a = ask(vec![text("t")], vec![Input::Cancelled]);
    assert_eq!(a.approve_command("ls"), declined(""));
    assert!(a.cancelled());
}

#[test]
fn all_and_always_last_as_long_as_they_say() {
    let d = tempfile::tempdir().unwrap();
    let mut a = ask(vec![text("a"), text("!")], vec![]);
    assert_eq!(a.approve_edit(&plan(d.path())), Decision::Yes);
    assert_eq!(a.approve_edit(&plan(d.path())), Decision::Yes);
    assert_eq!(a.approve_command("make"), Decision::Yes);
    a.run_started();
    assert_eq!(a.approve_command("make"), Decision::Yes);
    assert_eq!(a.always_allowed(), ["make"]);
    assert_eq!(a.source.asked.len(), 2);
    // "All" was for that run only.
    assert_eq!(a.approve_edit(&plan(d.path())), declined(""));
}

#[test]
fn a_command_in_a_question_shows_its_control_characters_escaped() {
    let mut a = ask(vec![text("n")], vec![]);
    a.approve_command("echo safe\u{1b}[2K\rrm -rf ~\nx");
    let q = &a.source.asked[0].0;
    assert!(
        q.starts_with("Run `echo safe\\u{1b}[2K\\rrm -rf ~\\nx`?"),
        "{q:?}"
    );
    assert!(!q.contains('\u{1b}') && !q.contains('\r') && !q.contains('\n'));
}
