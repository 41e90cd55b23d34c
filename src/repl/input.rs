//! Reading what the person types: the rustyline editor with persistent history, multi-line input
//! and completion of slash commands, their arguments and file paths.
//!
//! Multi-line input: a line ending in `\` continues on the next (the `\` is removed), Alt-Enter
//! inserts a line break, and pasted text keeps its line breaks (bracketed paste). Ctrl-C on a
//! line with text clears it; on an empty line it ends `readline` with `Interrupted`, which the
//! REPL counts towards leaving. Must not know about the agent: completion reads only the
//! workspace's directories and the lists it was given.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{
    Cmd, CompletionType, ConditionalEventHandler, Editor, Event, EventContext, EventHandler,
    KeyCode, KeyEvent, Modifiers, Movement, RepeatCount,
};

use super::command;

/// At most this many completions are offered.
const MAX_CANDIDATES: usize = 200;

/// History entries kept in the history file.
const HISTORY_SIZE: usize = 2000;

/// The REPL's line editor.
pub type LineEditor = Editor<InputHelper, FileHistory>;

/// What completion knows besides the file system.
#[derive(Debug, Clone, Default)]
pub struct Words {
    pub providers: Vec<String>,
    pub models: Vec<String>,
}

/// Completion and multi-line validation for the editor.
pub struct InputHelper {
    root: PathBuf,
    pub words: Words,
}

impl InputHelper {
    pub fn new(root: &Path, words: Words) -> InputHelper {
        InputHelper {
            root: root.to_path_buf(),
            words,
        }
    }
}

impl Completer for InputHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let (start, words) = complete(&self.root, line, pos, &self.words);
        let pairs = words
            .into_iter()
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, pairs))
    }
}

impl Hinter for InputHelper {
    type Hint = String;
}

impl Highlighter for InputHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for InputHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if continues(ctx.input()) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Valid(None)
        })
    }
}

impl rustyline::Helper for InputHelper {}

/// Whether the input so far ends with a continuation backslash.
pub fn continues(input: &str) -> bool {
    let last = input.rsplit('\n').next().unwrap_or(input);
    let trailing = last.len() - last.trim_end_matches('\\').len();
    // `\\` at the end is an escaped backslash, not a continuation.
    trailing % 2 == 1
}

/// The submitted text with continuation backslashes removed.
pub fn join_continuations(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut lines = input.split('\n').peekable();
    while let Some(line) = lines.next() {
        if lines.peek().is_some() && continues(line) {
            out.push_str(&line[..line.len() - 1]);
        } else {
            out.push_str(line);
        }
        if lines.peek().is_some() {
            out.push('\n');
        }
    }
    out
}

/// Ctrl-C: clears a line holding text; on an empty line, interrupts as usual.
struct CtrlC;

impl ConditionalEventHandler for CtrlC {
    fn handle(
        &self,
        _evt: &Event,
        _n: RepeatCount,
        _positive: bool,
        ctx: &EventContext<'_>,
    ) -> Option<Cmd> {
        if ctx.line().is_empty() {
            None
        } else {
            Some(Cmd::Kill(Movement::WholeBuffer))
        }
    }
}

/// The line being typed when Shift-Tab asked for the next permission mode (its text and the
/// cursor), taken by the REPL, which switches the mode and gives the line back.
pub type ModeSwitch = std::sync::Arc<std::sync::Mutex<Option<(String, usize)>>>;

/// Shift-Tab: keeps the line and ends `readline`, so the REPL can show the next mode's prompt.
struct ShiftTab(ModeSwitch);

impl ConditionalEventHandler for ShiftTab {
    fn handle(
        &self,
        _evt: &Event,
        _n: RepeatCount,
        _positive: bool,
        ctx: &EventContext<'_>,
    ) -> Option<Cmd> {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some((ctx.line().to_string(), ctx.pos()));
        }
        Some(Cmd::Interrupt)
    }
}

/// Binds Shift-Tab to switching the permission mode (see [`ModeSwitch`]).
pub fn bind_mode_switch(ed: &mut LineEditor, slot: &ModeSwitch) {
    ed.bind_sequence(
        KeyEvent(KeyCode::BackTab, Modifiers::NONE),
        EventHandler::Conditional(Box::new(ShiftTab(std::sync::Arc::clone(slot)))),
    );
}

/// Builds the editor: bracketed paste, Alt-Enter for a new line, list-style completion, history
/// loaded from `history` (a missing file is a first start).
pub fn editor(helper: InputHelper, history: Option<&Path>) -> rustyline::Result<LineEditor> {
    let config = rustyline::Config::builder()
        .max_history_size(HISTORY_SIZE)?
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .bracketed_paste(true)
        .build();
    crate::crash::save_terminal();
    let mut ed: LineEditor = Editor::with_config(config)?;
    ed.set_helper(Some(helper));
    ed.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::ALT),
        EventHandler::Simple(Cmd::Newline),
    );
    ed.bind_sequence(
        KeyEvent::ctrl('C'),
        EventHandler::Conditional(Box::new(CtrlC)),
    );
    if let Some(path) = history
        && path.exists()
    {
        // A damaged history file costs the history, not the session.
        let _ = ed.load_history(path);
    }
    Ok(ed)
}

/// Completions for `line` with the cursor at `pos`: the byte where the replaced word starts, and
/// the candidates.
pub fn complete(root: &Path, line: &str, pos: usize, words: &Words) -> (usize, Vec<String>) {
    let pos = pos.min(line.len());
    let Some(before) = line.get(..pos) else {
        return (pos, Vec::new());
    };
    let start = before.rfind(char::is_whitespace).map_or(0, |i| {
        i + before[i..].chars().next().map_or(1, char::len_utf8)
    });
    let word = &before[start..];
    if start == 0 && word.starts_with('/') {
        let typed = &word[1..];
        let names = command::names()
            .filter(|n| n.starts_with(typed))
            .map(|n| format!("/{n}"))
            .collect();
        return (0, names);
    }
    if let Some(path) = word.strip_prefix('@') {
        return (start + 1, paths(root, path));
    }
    let first = before.split_whitespace().next().unwrap_or("");
    if start == 0 {
        return (start, Vec::new());
    }
    let pick = |list: &[String]| -> Vec<String> {
        list.iter()
            .filter(|w| w.starts_with(word))
            .take(MAX_CANDIDATES)
            .cloned()
            .collect()
    };
    let found = match first {
        "/add" | "/drop" | "/map" => paths(root, word),
        "/think" => ["on", "off"]
            .iter()
            .filter(|w| w.starts_with(word))
            .map(|w| w.to_string())
            .collect(),
        "/provider" => pick(&words.providers),
        "/model" => pick(&words.models),
        _ => Vec::new(),
    };
    (start, found)
}

/// Paths under `root` that complete `partial` (relative, `/`-separated); directories end in `/`.
/// Hidden entries appear only when the typed name starts with a dot; `.git` never.
pub fn paths(root: &Path, partial: &str) -> Vec<String> {
    let (dir, prefix) = match partial.rfind('/') {
        Some(i) => (&partial[..=i], &partial[i + 1..]),
        None => ("", partial),
    };
    let base = if Path::new(dir).is_absolute() {
        PathBuf::from(dir)
    } else {
        root.join(dir)
    };
    let Ok(entries) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            if !name.starts_with(prefix)
                || name == ".git"
                || (name.starts_with('.') && !prefix.starts_with('.'))
            {
                return None;
            }
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir())
                || (e.file_type().is_ok_and(|t| t.is_symlink()) && e.path().is_dir());
            Some(if is_dir {
                format!("{dir}{name}/")
            } else {
                format!("{dir}{name}")
            })
        })
        .collect();
    out.sort();
    out.truncate(MAX_CANDIDATES);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_backslashes() {
        assert!(continues("fix this \\"));
        assert!(continues("a\nb\\"));
        assert!(!continues("path C:\\\\"));
        assert!(!continues("a\\\nb"));
        assert_eq!(join_continuations("one \\\ntwo\nthree"), "one \ntwo\nthree");
        assert_eq!(join_continuations("keep \\\\\nx"), "keep \\\\\nx");
        assert_eq!(join_continuations("plain"), "plain");
    }

    fn tree() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("src/deep")).unwrap();
        std::fs::create_dir_all(d.path().join(".git")).unwrap();
        std::fs::write(d.path().join("src/main.rs"), "").unwrap();
        std::fs::write(d.path().join("src/map.rs"), "").unwrap();
        std::fs::write(d.path().join(".env"), "").unwrap();
        std::fs::write(d.path().join("README.md"), "").unwrap();
        d
    }

    #[test]
    fn completes_commands_at_the_start_only() {
        let d = tree();
        let w = Words::default();
        assert_eq!(
            complete(d.path(), "/to", 3, &w),
            (0, vec!["/tokens".to_string()])
        );
        let (_, all) = complete(d.path(), "/", 1, &w);
        assert!(all.contains(&"/compact".to_string()) && all.len() == command::COMMANDS.len());
        assert_eq!(complete(d.path(), "say /to", 7, &w), (4, vec![]));
    }

    #[test]
    fn completes_paths_after_add_and_at_signs() {
        let d = tree();
        let w = Words::default();
        assert_eq!(
            complete(d.path(), "/add src/m", 10, &w),
            (5, vec!["src/main.rs".to_string(), "src/map.rs".to_string()])
        );
        assert_eq!(
            complete(d.path(), "look at @sr", 11, &w),
            (9, vec!["src/".to_string()])
        );
        assert_eq!(paths(d.path(), ""), ["README.md", "src/"]);
        assert_eq!(paths(d.path(), "."), [".env"]);
        assert_eq!(paths(d.path(), "src/d"), ["src/deep/"]);
        assert!(paths(d.path(), "nowhere/x").is_empty());
    }

    #[test]
    fn completes_command_arguments() {
        let d = tree();
        let w = Words {
            providers: vec!["deepseek".into(), "ollama".into()],
            models: vec!["deepseek-v4-flash".into(), "deepseek-v4-pro".into()],
        };
        assert_eq!(complete(d.path(), "/think o", 8, &w).1, ["on", "off"]);
        assert_eq!(complete(d.path(), "/provider ol", 12, &w).1, ["ollama"]);
        assert_eq!(
            complete(d.path(), "/model deepseek-v4-p", 20, &w),
            (7, vec!["deepseek-v4-pro".to_string()])
        );
    }
}
