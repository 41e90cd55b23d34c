//! The REPL's slash commands: their names and help, and the parsing of a typed line into one.
//!
//! Pure: no terminal, no agent. A line is a command when its first word is `/` followed by
//! letters; anything else (`/etc/hosts is odd`, a path) is a message for the model. An unknown
//! command is reported with the nearest known name.

/// One slash command, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Help,
    Add(Vec<String>),
    Drop(Vec<String>),
    Files,
    /// What `/undo` (or `/undo N`) would revert.
    Diff(Option<u64>),
    Undo(UndoArg),
    /// Back to before request N (asked when absent): the code, the conversation, or both
    /// (asked when absent).
    Rewind(Option<usize>, Option<Rewind>),
    Commit,
    Model(Option<String>),
    Provider(Option<String>),
    Think(Option<Switch>),
    Clear,
    Compact,
    Tokens,
    Cost,
    Map(Vec<String>),
    Exit,
}

/// What `/undo` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoArg {
    /// Revert the newest entry.
    Last,
    /// Show the entries.
    List,
    /// Revert entry #N and everything after it.
    To(u64),
}

/// What `/rewind` takes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rewind {
    /// The files, to before the request; the conversation stays.
    Code,
    /// The conversation, to before the request; the files stay.
    Conversation,
    Both,
}

impl Rewind {
    /// Reads `code` / `conversation` / `both` and their short forms.
    pub fn parse(word: &str) -> Option<Rewind> {
        match word.trim().to_ascii_lowercase().as_str() {
            "c" | "code" | "files" => Some(Rewind::Code),
            "o" | "conversation" | "conv" | "chat" => Some(Rewind::Conversation),
            "b" | "both" => Some(Rewind::Both),
            _ => None,
        }
    }

    pub fn code(self) -> bool {
        matches!(self, Rewind::Code | Rewind::Both)
    }

    pub fn conversation(self) -> bool {
        matches!(self, Rewind::Conversation | Rewind::Both)
    }
}

/// `on` / `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Switch {
    On,
    Off,
}

/// A line that names a command but cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    #[error("unknown command /{name}; did you mean /{nearest}?")]
    Unknown { name: String, nearest: String },
    #[error("/{name} {usage}")]
    Usage { name: String, usage: String },
}

/// (name, arguments, what it does), in the order `/help` lists them.
pub const COMMANDS: [(&str, &str, &str); 18] = [
    ("help", "", "this list"),
    (
        "add",
        "<paths>",
        "add files: their content rides with the conversation, resent when they change",
    ),
    (
        "drop",
        "[paths]",
        "stop sending files (all when none named)",
    ),
    ("files", "", "files added, and files this session changed"),
    (
        "diff",
        "[N]",
        "what /undo (or /undo N) would revert, as a diff",
    ),
    (
        "undo",
        "[list|N]",
        "revert the last change hone applied here; `list` shows them, N reverts #N and all after",
    ),
    (
        "rewind",
        "[N] [code|conversation|both]",
        "go back to before request N: the files, the conversation, or both (asked if not given)",
    ),
    (
        "commit",
        "",
        "commit the files hone changed in this session (git), with a message the model writes",
    ),
    ("model", "[name]", "show or switch the model"),
    ("provider", "[name]", "show or switch the provider"),
    (
        "think",
        "on|off",
        "turn the model's thinking mode on or off",
    ),
    ("clear", "", "start a new conversation"),
    (
        "compact",
        "",
        "summarise older turns to free the context window",
    ),
    (
        "tokens",
        "",
        "context use against the model's window, by part",
    ),
    ("cost", "", "tokens and cost of this session"),
    (
        "map",
        "[focus]",
        "print the repository map as the model sees it",
    ),
    ("exit", "", "leave (also /quit, Ctrl-D, or Ctrl-C twice)"),
    ("quit", "", "leave"),
];

/// The command names, for completion.
pub fn names() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().map(|(n, _, _)| *n)
}

/// Parses `line` as a slash command; `None` when it is a message for the model.
pub fn parse(line: &str) -> Option<Result<Command, CommandError>> {
    let line = line.trim();
    let rest = line.strip_prefix('/')?;
    let (name, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let words: Vec<String> = args.split_whitespace().map(str::to_string).collect();
    let one = || words.first().cloned();
    let usage = |usage: &str| CommandError::Usage {
        name: name.to_string(),
        usage: usage.to_string(),
    };
    let cmd = match name.to_ascii_lowercase().as_str() {
        "help" | "h" | "?" => Command::Help,
        "add" if words.is_empty() => return Some(Err(usage("needs paths: /add src/a.rs …"))),
        "add" => Command::Add(words),
        "drop" => Command::Drop(words),
        "files" | "ls" => Command::Files,
        "diff" => match words.first() {
            None => Command::Diff(None),
            Some(w) => match entry_number(w) {
                Some(n) => Command::Diff(Some(n)),
                None => {
                    return Some(Err(usage(
                        "takes an entry number from /undo list: /diff 12",
                    )));
                }
            },
        },
        "undo" => match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
            None => Command::Undo(UndoArg::Last),
            Some("list" | "history" | "ls") => Command::Undo(UndoArg::List),
            Some(w) => match entry_number(w) {
                Some(n) => Command::Undo(UndoArg::To(n)),
                None => {
                    return Some(Err(usage(
                        "takes `list` or an entry number from /undo list: /undo 12",
                    )));
                }
            },
        },
        "rewind" => {
            let request = words.iter().find_map(|w| w.parse::<usize>().ok());
            let what = words.iter().find_map(|w| Rewind::parse(w));
            let understood = words
                .iter()
                .all(|w| w.parse::<usize>().is_ok() || Rewind::parse(w).is_some());
            if !understood || words.len() > 2 {
                return Some(Err(usage(
                    "takes a request number and `code`, `conversation` or `both`: /rewind 2 both",
                )));
            }
            Command::Rewind(request, what)
        }
        "commit" => Command::Commit,
        "model" | "models" => Command::Model(one()),
        "provider" | "providers" => Command::Provider(one()),
        "think" => match words.first().map(|w| w.to_ascii_lowercase()).as_deref() {
            None => Command::Think(None),
            Some("on") => Command::Think(Some(Switch::On)),
            Some("off") => Command::Think(Some(Switch::Off)),
            Some(_) => return Some(Err(usage("takes `on` or `off`"))),
        },
        "clear" | "new" | "reset" => Command::Clear,
        "compact" => Command::Compact,
        "tokens" | "context" => Command::Tokens,
        "cost" | "usage" => Command::Cost,
        "map" => Command::Map(words),
        "exit" | "quit" | "q" => Command::Exit,
        other => {
            return Some(Err(CommandError::Unknown {
                name: other.to_string(),
                nearest: nearest(other).to_string(),
            }));
        }
    };
    Some(Ok(cmd))
}

/// `12` or `#12`.
fn entry_number(word: &str) -> Option<u64> {
    word.trim_start_matches('#').parse().ok()
}

/// The known command closest to `name` (Jaro–Winkler, which favours a shared prefix, as typos
/// of commands usually keep one).
pub fn nearest(name: &str) -> &'static str {
    names()
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .fold(("help", f64::MIN), |best, (score, n)| {
            if score > best.1 { (n, score) } else { best }
        })
        .0
}

/// The `/help` text: commands, then keys.
pub fn help() -> String {
    let mut out = String::from("Commands:\n");
    for (name, args, what) in COMMANDS.iter().filter(|c| c.0 != "quit") {
        let head = if args.is_empty() {
            format!("/{name}")
        } else {
            format!("/{name} {args}")
        };
        if head.chars().count() > 18 {
            out.push_str(&format!("  {head}\n  {:<18} {what}\n", ""));
        } else {
            out.push_str(&format!("  {head:<18} {what}\n"));
        }
    }
    out.push_str(
        "\nInput:\n\
         \x20 @path              attach a file's content to this message (Tab completes paths)\n\
         \x20 \\ at line end      continue on the next line (so does Alt-Enter; pasted text keeps its lines)\n\
         \x20 Ctrl-C             cancel the answer in flight; twice on an empty prompt to leave\n\
         \x20 Ctrl-D             leave\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(line: &str) -> Command {
        parse(line).unwrap().unwrap()
    }

    #[test]
    fn commands_parse_with_their_arguments() {
        assert_eq!(ok("/help"), Command::Help);
        assert_eq!(
            ok("  /add src/a.rs  b.rs "),
            Command::Add(vec!["src/a.rs".into(), "b.rs".into()])
        );
        assert_eq!(ok("/drop"), Command::Drop(vec![]));
        assert_eq!(ok("/model"), Command::Model(None));
        assert_eq!(
            ok("/model deepseek-v4-pro"),
            Command::Model(Some("deepseek-v4-pro".into()))
        );
        assert_eq!(ok("/think ON"), Command::Think(Some(Switch::On)));
        assert_eq!(ok("/think off"), Command::Think(Some(Switch::Off)));
        assert_eq!(ok("/map Agent"), Command::Map(vec!["Agent".into()]));
        assert_eq!(ok("/QUIT"), Command::Exit);
        assert_eq!(ok("/tokens"), Command::Tokens);
        assert_eq!(ok("/undo"), Command::Undo(UndoArg::Last));
        assert_eq!(ok("/undo list"), Command::Undo(UndoArg::List));
        assert_eq!(ok("/undo #12"), Command::Undo(UndoArg::To(12)));
        assert_eq!(ok("/diff"), Command::Diff(None));
        assert_eq!(ok("/diff 3"), Command::Diff(Some(3)));
        assert_eq!(ok("/rewind"), Command::Rewind(None, None));
        assert_eq!(
            ok("/rewind 2 code"),
            Command::Rewind(Some(2), Some(Rewind::Code))
        );
        assert_eq!(
            ok("/rewind conversation 1"),
            Command::Rewind(Some(1), Some(Rewind::Conversation))
        );
        assert_eq!(ok("/commit"), Command::Commit);
    }

    #[test]
    fn messages_are_not_commands() {
        assert_eq!(parse("fix the bug"), None);
        assert_eq!(parse("/etc/hosts looks odd"), None);
        assert_eq!(parse("/"), None);
        assert_eq!(parse("/2x"), None);
    }

    #[test]
    fn bad_arguments_say_how_to_call() {
        let e = parse("/think maybe").unwrap().unwrap_err();
        assert_eq!(e.to_string(), "/think takes `on` or `off`");
        assert!(parse("/add").unwrap().is_err());
        assert_eq!(
            parse("/undo last").unwrap().unwrap_err().to_string(),
            "/undo takes `list` or an entry number from /undo list: /undo 12"
        );
        assert!(parse("/rewind 2 everything").unwrap().is_err());
    }

    #[test]
    fn unknown_commands_get_the_nearest_name() {
        let e = parse("/cmopact now").unwrap().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown command /cmopact; did you mean /compact?"
        );
        assert_eq!(nearest("toekns"), "tokens");
        assert_eq!(nearest("exti"), "exit");
        assert_eq!(nearest("dif"), "diff");
        assert_eq!(nearest("provder"), "provider");
    }

    #[test]
    fn help_lists_every_command_and_the_keys() {
        let h = help();
        for name in names().filter(|n| *n != "quit") {
            assert!(h.contains(&format!("/{name}")), "{name} missing");
        }
        assert!(h.contains("Alt-Enter") && h.contains("@path") && h.contains("Ctrl-D"));
    }
}
