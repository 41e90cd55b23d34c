//! Session transcripts: one JSONL file per session in hone's state directory
//! (`$XDG_STATE_HOME/hone/sessions/<workspace-key>/<session-id>.jsonl`), appended as the
//! conversation grows, so a crash loses at most the line being written and a session can be
//! resumed by id.
//!
//! Lines: a `session` header (with the kind of session: the REPL's, or a `fix`, `-p` or
//! `lint-fix` run, which `--continue` never picks), then `message` lines in conversation order,
//! `usage` lines, a `request` line before each user message that carries a request of the person
//! (its typed text: the first one titles the session), a `compacted` line holding the whole
//! conversation after a compaction, and a `rewound` line when the conversation was cut back to
//! before a request (the only times earlier messages change). Lines a reader does not know are
//! skipped, so older transcripts load and older hones read newer ones. Only messages are stored
//! — never the configuration, so never the key.

use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::rewind::Marks;
use crate::provider::{Message, Usage};

/// What kind of session a transcript is: the REPL's, which `--continue` resumes, or a one-shot
/// run, listed apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// An interactive session (also every transcript written before kinds were recorded).
    #[default]
    Repl,
    /// `hone fix`.
    Fix,
    /// `hone -p`.
    Print,
    /// `hone lint-fix`.
    LintFix,
}

impl SessionKind {
    /// The command a person knows the kind by.
    pub fn label(self) -> &'static str {
        match self {
            SessionKind::Repl => "hone",
            SessionKind::Fix => "hone fix",
            SessionKind::Print => "hone -p",
            SessionKind::LintFix => "hone lint-fix",
        }
    }
}

/// One line of a transcript.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Line {
    Session {
        id: String,
        workspace: String,
        model: String,
        created: u64,
        #[serde(default)]
        kind: SessionKind,
    },
    Message {
        message: Message,
    },
    Usage {
        usage: Usage,
    },
    Compacted {
        messages: Vec<Message>,
        /// How many messages at its end were kept from before (the rest is the summary);
        /// absent in older transcripts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tail: Option<usize>,
    },
    /// The next message carries this request of the person (its typed text), whose edits the
    /// journal records under `run`.
    Request {
        text: String,
        run: String,
    },
    /// The conversation was cut back to its first `messages` messages.
    Rewound {
        messages: usize,
    },
    /// Context (a file, the repository map) rode with the next user message.
    Context {
        kind: super::ContextKind,
        chars: usize,
    },
}

/// Errors reading or writing transcripts.
#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("could not write the transcript {path}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not read the transcript {path}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no saved session `{id}` for this workspace (in {dir})")]
    NotFound { id: String, dir: PathBuf },
    #[error("no state directory: set XDG_STATE_HOME or HOME")]
    NoStateDir,
}

/// An open transcript being appended to.
#[derive(Debug)]
pub struct Transcript {
    path: PathBuf,
    file: File,
}

impl Transcript {
    /// Creates the file for a new session and writes its header.
    pub fn create(
        dir: &Path,
        id: &str,
        workspace: &Path,
        model: &str,
        kind: SessionKind,
    ) -> Result<Transcript, TranscriptError> {
        let path = dir.join(format!("{id}.jsonl"));
        let err = |source| TranscriptError::Write {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(err)?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(err)?;
        let mut t = Transcript { path, file };
        t.append(&Line::Session {
            id: id.to_string(),
            workspace: workspace.display().to_string(),
            model: model.to_string(),
            created: now_secs(),
            kind,
        })?;
        Ok(t)
    }

    /// Reopens an existing session's file for appending.
    pub fn reopen(path: &Path) -> Result<Transcript, TranscriptError> {
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(|source| TranscriptError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Transcript {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and flushes it.
    pub fn append(&mut self, line: &Line) -> Result<(), TranscriptError> {
        let mut text = serde_json::to_string(line).map_err(|e| TranscriptError::Write {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        text.push('\n');
        self.file
            .write_all(text.as_bytes())
            .map_err(|source| TranscriptError::Write {
                path: self.path.clone(),
                source,
            })
    }
}

/// A saved session, read back.
#[derive(Debug, Clone)]
pub struct Saved {
    pub id: String,
    pub path: PathBuf,
    pub messages: Vec<Message>,
    pub usage: Usage,
    pub model: String,
    /// Characters of files and maps sent (see [`Line::Context`]).
    pub file_chars: usize,
    pub map_chars: usize,
    pub kind: SessionKind,
    /// The first request of the person, typed (none recorded in older transcripts).
    pub title: Option<String>,
    /// The requests and where context rode.
    pub marks: Marks,
}

/// Reads a transcript: the conversation as it stood at its last line. Lines that do not parse
/// (a line cut by a crash) are skipped.
pub fn load(path: &Path) -> Result<Saved, TranscriptError> {
    let file = File::open(path).map_err(|source| TranscriptError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut saved = Saved {
        id: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path: path.to_path_buf(),
        messages: Vec::new(),
        usage: Usage::default(),
        model: String::new(),
        file_chars: 0,
        map_chars: 0,
        kind: SessionKind::Repl,
        title: None,
        marks: Marks::default(),
    };
    for line in BufReader::new(file).lines() {
        let line = line.map_err(|source| TranscriptError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        match serde_json::from_str::<Line>(&line) {
            Ok(Line::Session {
                id, model, kind, ..
            }) => {
                saved.id = id;
                saved.model = model;
                saved.kind = kind;
            }
            Ok(Line::Message { message }) => saved.messages.push(message),
            Ok(Line::Usage { usage }) => saved.usage += usage,
            Ok(Line::Compacted { messages, tail }) => {
                // Without a recorded tail, every earlier message counts as summarised.
                let old = saved.messages.len();
                let tail = tail.unwrap_or(0).min(old).min(messages.len());
                saved.marks.compacted(old - tail, messages.len() - tail);
                saved.messages = messages;
            }
            Ok(Line::Context { kind, chars }) => {
                saved.marks.context(saved.messages.len(), kind, chars);
            }
            Ok(Line::Request { text, run }) => {
                saved.title.get_or_insert_with(|| text.clone());
                saved.marks.request(saved.messages.len(), run, text);
            }
            Ok(Line::Rewound { messages }) => {
                saved.messages.truncate(messages);
                saved.marks.truncate(messages);
            }
            Err(_) => {}
        }
    }
    (saved.file_chars, saved.map_chars) = saved.marks.sent();
    Ok(saved)
}

/// A saved session as a list shows it, from its file's header alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub path: PathBuf,
    pub modified: SystemTime,
    pub kind: SessionKind,
}

/// Sessions of a workspace, of every kind, newest first.
pub fn list(dir: &Path) -> Vec<Listed> {
    let mut out: Vec<Listed> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .filter_map(|e| {
            let modified = e.metadata().and_then(|m| m.modified()).ok()?;
            let id = e.path().file_stem()?.to_string_lossy().into_owned();
            Some(Listed {
                kind: header_kind(&e.path()),
                id,
                path: e.path(),
                modified,
            })
        })
        .collect();
    out.sort_by(|a, b| b.modified.cmp(&a.modified).then_with(|| b.id.cmp(&a.id)));
    out
}

/// The kind a transcript's header names (an unreadable header: the REPL's, as before kinds).
fn header_kind(path: &Path) -> SessionKind {
    let Ok(file) = File::open(path) else {
        return SessionKind::Repl;
    };
    let mut first = String::new();
    if BufReader::new(file).read_line(&mut first).is_err() {
        return SessionKind::Repl;
    }
    match serde_json::from_str::<Line>(&first) {
        Ok(Line::Session { kind, .. }) => kind,
        _ => SessionKind::Repl,
    }
}

/// Finds a session by id (of any kind), or the newest interactive session when `id` is `None`:
/// a `fix` or `-p` run is never what `--continue` means.
pub fn find(dir: &Path, id: Option<&str>) -> Result<PathBuf, TranscriptError> {
    let sessions = list(dir);
    let found = match id {
        None => sessions.iter().find(|s| s.kind == SessionKind::Repl),
        Some(id) => sessions
            .iter()
            .find(|s| s.id == id)
            .or_else(|| sessions.iter().find(|s| s.id.starts_with(id))),
    };
    found
        .map(|s| s.path.clone())
        .ok_or_else(|| TranscriptError::NotFound {
            id: id.unwrap_or("(latest)").to_string(),
            dir: dir.to_path_buf(),
        })
}

/// The transcripts folder of a workspace.
pub fn sessions_dir(workspace: &Path) -> Result<PathBuf, TranscriptError> {
    let state = crate::paths::state_dir().ok_or(TranscriptError::NoStateDir)?;
    Ok(state
        .join("sessions")
        .join(crate::paths::workspace_key(workspace)))
}

/// A new session id: UTC date and time plus random letters, sortable by creation.
pub fn new_session_id() -> String {
    let secs = now_secs();
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let t = secs % 86_400;
    let suffix: String = (0..6)
        .map(|_| fastrand::alphanumeric().to_ascii_lowercase())
        .collect();
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}-{suffix}",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's `civil_from_days`.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn session_ids_sort_by_time_and_differ() {
        let a = new_session_id();
        let b = new_session_id();
        assert_eq!(a.len(), "20261123-190512-abcdef".len());
        assert_ne!(a, b);
    }

    #[test]
    fn round_trip_with_compaction_and_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut t =
            Transcript::create(dir.path(), "s1", Path::new("/w"), "m", SessionKind::Repl).unwrap();
        t.append(&Line::Message {
            message: Message::user("one"),
        })
        .unwrap();
        t.append(&Line::Message {
            message: Message::user("two"),
        })
        .unwrap();
        t.append(&Line::Compacted {
            messages: vec![Message::user("summary")],
            tail: None,
        })
        .unwrap();
        t.append(&Line::Message {
            message: Message::user("three"),
        })
        .unwrap();
        let path = t.path().to_path_buf();
        drop(t);
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"type\":\"mess")
            .unwrap();
        let saved = load(&path).unwrap();
        assert_eq!(saved.id, "s1");
        assert_eq!(saved.model, "m");
        let texts: Vec<_> = saved
            .messages
            .iter()
            .map(|m| m.content.clone().unwrap_or_default())
            .collect();
        assert_eq!(texts, ["summary", "three"]);
        assert_eq!(find(dir.path(), None).unwrap(), path);
        assert_eq!(find(dir.path(), Some("s")).unwrap(), path);
        assert!(find(dir.path(), Some("zz")).is_err());
    }

    #[test]
    fn requests_title_the_session_and_a_rewind_cuts_it() {
        let dir = tempfile::tempdir().unwrap();
        let mut t =
            Transcript::create(dir.path(), "s1", Path::new("/w"), "m", SessionKind::Repl).unwrap();
        let mut say = |line: Line| t.append(&line).unwrap();
        say(Line::Message {
            message: Message::system("s"),
        });
        for (i, text) in ["first request", "second"].iter().enumerate() {
            say(Line::Request {
                text: text.to_string(),
                run: format!("r{i}"),
            });
            say(Line::Message {
                message: Message::user(*text),
            });
            say(Line::Message {
                message: Message::assistant(Some("ok".into()), None, Vec::new()),
            });
        }
        say(Line::Rewound { messages: 3 });
        let saved = load(&dir.path().join("s1.jsonl")).unwrap();
        assert_eq!(saved.title.as_deref(), Some("first request"));
        assert_eq!(saved.messages.len(), 3);
        assert_eq!(saved.marks.requests().len(), 1);
        assert_eq!(saved.marks.requests()[0].message, Some(1));
    }

    #[test]
    fn continue_finds_the_newest_interactive_session_only() {
        let dir = tempfile::tempdir().unwrap();
        let w = Path::new("/w");
        Transcript::create(
            dir.path(),
            "20260101-000000-aaaaaa",
            w,
            "m",
            SessionKind::Repl,
        )
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        Transcript::create(
            dir.path(),
            "20260101-000001-bbbbbb",
            w,
            "m",
            SessionKind::Fix,
        )
        .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        Transcript::create(
            dir.path(),
            "20260101-000002-cccccc",
            w,
            "m",
            SessionKind::Print,
        )
        .unwrap();
        // A transcript written before kinds were recorded is an interactive one.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(
            dir.path().join("20250101-000000-old.jsonl"),
            "{\"type\":\"session\",\"id\":\"20250101-000000-old\",\"workspace\":\"/w\",\"model\":\"m\",\"created\":1}\n",
        )
        .unwrap();
        let kinds: Vec<SessionKind> = list(dir.path()).iter().map(|s| s.kind).collect();
        assert_eq!(kinds[0], SessionKind::Repl, "the old one, written last");
        assert!(kinds.contains(&SessionKind::Fix) && kinds.contains(&SessionKind::Print));
        std::fs::remove_file(dir.path().join("20250101-000000-old.jsonl")).unwrap();
        let latest = find(dir.path(), None).unwrap();
        assert!(
            latest.ends_with("20260101-000000-aaaaaa.jsonl"),
            "{latest:?}"
        );
        // By id, any kind.
        assert!(find(dir.path(), Some("20260101-000002")).is_ok());
    }
}
