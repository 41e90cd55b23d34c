//! Asking the person in the REPL: each edit batch (yes / no / all this turn / show the whole
//! file / no, and tell the model …) and each command (yes / no / always this exact command in
//! this session / no, and tell the model …).
//!
//! The asker is `hone fix`'s (`ui::ask::Ask` on stdin): one key on a terminal, read after
//! discarding what was typed ahead, so every front end asks alike. Ctrl-C at a question declines
//! and cancels the run: the agent ends it without another request ([`Outcome::Cancelled`]),
//! and the REPL closes the conversation as for any interrupted run. "Always" answers last for
//! the session; "all" for the current run.
//!
//! [`Outcome::Cancelled`]: crate::agent::Outcome::Cancelled

use crate::ui::ask::{Ask, Stdin};

/// The REPL's approval policy.
pub type Approve = Ask<Stdin>;

/// A new approver for the session.
pub fn new(color: bool) -> Approve {
    Ask::new(color)
}
