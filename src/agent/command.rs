//! Carrying out an approved command: under the session's OS sandbox, its output streamed as
//! events, and what the sandbox stopped named as a [`Refusal::Sandbox`].
//!
//! A command the sandbox stopped (or that the system cannot sandbox as the mode asks) runs
//! again without it only on its own yes from the approver ([`Approver::approve_unsandboxed`]),
//! which only a person gives; a policy never does. Must not print or decide approvals itself.

use std::time::Duration;

use super::Agent;
use super::event::{Approver, Decision, Event, EventSink};
use crate::prompts::{Text, text};
use crate::sandbox::Policy;
use crate::tools::{CommandOutput, Reply};

impl Agent {
    /// Runs an approved `command` under the sandbox, and reports it as the model sees it.
    pub(super) async fn run_approved(
        &mut self,
        id: &str,
        command: &str,
        timeout: Duration,
        events: &mut dyn EventSink,
        approver: &mut dyn Approver,
    ) -> Reply {
        let sandbox = self.sandbox.clone();
        if let Err(blocked) = sandbox.check() {
            // The mode asks for a sandbox this system cannot give: only the person may waive it.
            if approver.approve_unsandboxed(command, &blocked) != Decision::Yes {
                return Reply::sandboxed(command, &blocked, &sandbox, "");
            }
            let off = Policy::off(self.ws.root());
            return self
                .run_once(id, command, timeout, &off, events)
                .await
                .reply;
        }
        let first = self.run_once(id, command, timeout, &sandbox, events).await;
        let Some((blocked, result)) = first.blocked else {
            return first.reply;
        };
        if approver.approve_unsandboxed(command, &blocked) != Decision::Yes {
            return Reply::sandboxed(command, &blocked, &sandbox, &result);
        }
        let off = Policy::off(self.ws.root());
        let again = self.run_once(id, command, timeout, &off, events).await;
        Reply {
            text: text(Text::SandboxRerun, &[("result", &again.reply.text)]),
            ..again.reply
        }
    }

    /// One run of `command` under `policy`, its output streamed as it arrives.
    async fn run_once(
        &self,
        id: &str,
        command: &str,
        timeout: Duration,
        policy: &Policy,
        events: &mut dyn EventSink,
    ) -> Ran {
        events.emit(Event::CommandStarted {
            id: id.to_string(),
            command: command.to_string(),
        });
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let run = crate::tools::run_command(
            self.ws.root(),
            command,
            timeout,
            &self.secret_vars,
            policy,
            Some(tx),
        );
        tokio::pin!(run);
        let result = loop {
            tokio::select! {
                Some(chunk) = rx.recv() => events.emit(Event::CommandOutput {
                    id: id.to_string(),
                    chunk,
                }),
                r = &mut run => break r,
            }
        };
        // Output read just before the end.
        while let Ok(chunk) = rx.try_recv() {
            events.emit(Event::CommandOutput {
                id: id.to_string(),
                chunk,
            });
        }
        Ran::new(command, timeout, result)
    }
}

/// One run's reply, and what the sandbox stopped in it with the result as the model reads it.
struct Ran {
    reply: Reply,
    blocked: Option<(crate::sandbox::Blocked, String)>,
}

impl Ran {
    fn new(command: &str, timeout: Duration, result: std::io::Result<CommandOutput>) -> Ran {
        match result {
            Ok(out) => {
                let text = out.to_tool_result(timeout);
                Ran {
                    blocked: out.blocked.map(|b| (b, text.clone())),
                    reply: if out.code == Some(0) {
                        Reply::done(text)
                    } else {
                        Reply::failed(text)
                    },
                }
            }
            Err(e) => Ran {
                reply: Reply::failed(text(
                    Text::CommandNotStarted,
                    &[("command", command), ("error", &e.to_string())],
                )),
                blocked: None,
            },
        }
    }
}
