//! Asking the person in the REPL: each edit batch (yes / no / all this turn / show the whole
//! file) and each command (yes / no / always this exact command in this session).
//!
//! Answers are read with a line editor in raw mode, so Ctrl-C at a question is seen as a key: it
//! declines and asks the REPL to cancel the run (through [`Editor::cancel`]). End of input
//! declines. "Always" answers last for the session; "all" for the current run.

use std::sync::Arc;

use rustyline::DefaultEditor;
use rustyline::error::ReadlineError;

use crate::ui::ask::{AnswerSource, Ask};

/// The REPL's approval policy: ask, reading answers with the line editor.
pub type Approve = Ask<Editor>;

/// Answers read with a line editor in raw mode, so Ctrl-C at a question is a key: it declines
/// and notifies [`Editor::cancel`], which the REPL listens to in order to cancel the run.
pub struct Editor {
    editor: Option<DefaultEditor>,
    /// Notified when the person pressed Ctrl-C at a question.
    pub cancel: Arc<tokio::sync::Notify>,
}

/// A new approver for the session.
pub fn new(color: bool) -> Approve {
    Ask::with_source(
        color,
        Editor {
            editor: None,
            cancel: Arc::new(tokio::sync::Notify::new()),
        },
    )
}

impl AnswerSource for Editor {
    fn read_line(&mut self, question: &str, styled: &str) -> Option<String> {
        if self.editor.is_none() {
            self.editor = DefaultEditor::new().ok();
        }
        match self.editor.as_mut()?.readline(&(question, styled)) {
            Ok(l) => Some(l),
            Err(ReadlineError::Interrupted) => {
                self.cancel.notify_one();
                None
            }
            Err(_) => None,
        }
    }
}
