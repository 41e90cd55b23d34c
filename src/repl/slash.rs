//! What each slash command does to the session. Every command reports its outcome in one or a
//! few lines and returns to the prompt; none of them ends the session on an error.
//!
//! Commands change the conversation only by appending (`/add`, `/undo` queue notes for the next
//! message) or by starting a new one (`/clear`); `/compact` is the agent's own summarising and
//! `/rewind` the agent's own cut back to an earlier request. `/undo`, `/diff` and `/rewind` are
//! in `journal`, `/commit` in `commit`.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use super::command::{self, Command, Switch};
use super::map_job::MapOutcome;
use super::session::{Repl, words};
use crate::config::{Config, Think};
use crate::ui::render::Terminal;
use crate::ui::render::usage_summary;

impl Repl {
    pub(super) fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Help => self.say(&command::help()),
            Command::Add(paths) => self.add(&paths),
            Command::Drop(paths) => {
                let dropped = self.files.drop(&paths);
                if dropped.is_empty() {
                    self.warn("none of those files was added");
                } else {
                    self.hint(&format!(
                        "dropped {}; what was already sent stays in the conversation",
                        dropped.join(", ")
                    ));
                }
            }
            Command::Files => self.list_files(),
            Command::Diff(from) => self.diff(from),
            Command::Undo(arg) => self.undo(arg),
            Command::Rewind(number, what) => self.rewind(number, what),
            Command::Commit => self.commit(),
            Command::Model(name) => self.model(name),
            Command::Provider(name) => self.provider(name),
            Command::Think(switch) => self.think(switch),
            Command::Clear => match self.agent.clear() {
                Ok(()) => {
                    self.files.mark_unsent();
                    self.map_sent = false;
                    // "Always this command" was for the session that ended.
                    self.approve = super::approve::new(self.look.color_err);
                    self.hint(&format!(
                        "new conversation (session {})",
                        self.agent.session_id()
                    ));
                }
                Err(e) => self.error(e),
            },
            Command::Compact => self.compact(),
            Command::Tokens => self.tokens(),
            Command::Cost => {
                let line = usage_summary(self.agent.usage(), self.agent.cost());
                let rate = match self.agent.bill().rate() {
                    Some(rate) => format!(" ({rate} rate)"),
                    None => String::new(),
                };
                self.say(&format!("session: {line}{rate}"));
            }
            Command::Map(terms) => self.map(&terms),
            // The loop handles leaving.
            Command::Exit => {}
        }
    }

    fn add(&mut self, paths: &[String]) {
        for p in paths {
            match self.files.add(p) {
                Ok((rel, secret)) => {
                    if secret {
                        self.warn(&crate::ui::render::secret_note(&rel));
                    }
                    self.hint(&format!(
                        "added {rel}: its content goes with your next message, and again when it changes"
                    ));
                }
                Err(e) => self.warn(&format!("not added: {e}")),
            }
        }
    }

    fn list_files(&mut self) {
        let added: Vec<String> = self.files.added().map(str::to_string).collect();
        if added.is_empty() {
            self.say("added files: none (add some with /add PATH)");
        } else {
            self.say(&format!("added files: {}", added.join(", ")));
        }
        let changed = self.files.changed();
        if !changed.is_empty() {
            self.say(&format!("changed in this session: {}", changed.join(", ")));
        }
    }

    /// Reloads the settings with `change` applied to the overrides; the agent switches to them.
    fn reconfigure(&mut self, change: impl FnOnce(&mut crate::config::Overrides)) -> bool {
        let mut overrides = self.overrides.clone();
        change(&mut overrides);
        let cfg = match Config::load(&overrides) {
            Ok(c) => c,
            Err(e) => {
                self.error(e);
                return false;
            }
        };
        if self.agent.uses_tools() && !cfg.provider.tool_calls {
            self.warn(&format!(
                "{} does not take tool calls, which this session uses; start a new session with --provider {}",
                cfg.provider.name, cfg.provider.name
            ));
            return false;
        }
        if let Err(e) = self.agent.reconfigure(&cfg) {
            self.error(e);
            return false;
        }
        if let Some(helper) = self.editor.helper_mut() {
            helper.words = words(&cfg);
        }
        self.overrides = overrides;
        self.config = cfg;
        true
    }

    fn model(&mut self, name: Option<String>) {
        let Some(name) = name else {
            self.say(&format!(
                "model: {} (provider {}); known: {}",
                self.agent.model(),
                self.config.provider.name,
                self.config.provider.models.join(", ")
            ));
            return;
        };
        if self.reconfigure(|g| g.model = Some(name)) {
            self.hint(&format!("now asking {}", self.agent.model()));
        }
    }

    fn provider(&mut self, name: Option<String>) {
        let Some(name) = name else {
            let known: Vec<String> = crate::config::presets::builtin().into_keys().collect();
            self.say(&format!(
                "provider: {} ({}); built in: {}",
                self.config.provider.name,
                self.config.provider.base_url,
                known.join(", ")
            ));
            return;
        };
        let switched = self.reconfigure(|g| {
            g.provider = Some(name);
            // The old provider's model and URL do not belong to the new one.
            g.model = None;
            g.base_url = None;
        });
        if switched {
            self.hint(&format!(
                "now asking {} via {}",
                self.agent.model(),
                self.config.provider.name
            ));
        }
    }

    fn think(&mut self, switch: Option<Switch>) {
        let Some(switch) = switch else {
            self.say(&format!("thinking: {}", self.config.think.as_str()));
            return;
        };
        let think = match switch {
            Switch::On => Think::On,
            Switch::Off => Think::Off,
        };
        if self.reconfigure(|g| g.think = Some(think)) {
            self.hint(&format!("thinking {}", self.config.think.as_str()));
        }
    }

    fn compact(&mut self) {
        let mut sink = Terminal::new(self.look, self.agent.cost());
        sink.waiting("compacting…");
        let Repl { rt, agent, .. } = self;
        let result = rt.block_on(async {
            tokio::select! {
                r = agent.compact(&mut sink) => Some(r),
                _ = tokio::signal::ctrl_c() => None,
            }
        });
        sink.failed();
        drop(sink);
        match result {
            Some(Ok(true)) => {}
            Some(Ok(false)) => self.hint("nothing to compact yet"),
            Some(Err(e)) => self.error(e),
            None => self.warn("cancelled"),
        }
    }

    fn tokens(&mut self) {
        let b = self.agent.breakdown();
        let total = b.total();
        let share = if b.window > 0 {
            format!(
                " ({:.1}% of {})",
                total as f64 * 100.0 / b.window as f64,
                b.window
            )
        } else {
            String::new()
        };
        let mut text = format!("context: ~{total} tokens{share}\n");
        for (name, n) in [
            ("system prompt", b.system),
            ("tool schemas", b.tools),
            ("instructions", b.instructions),
            ("repo map", b.map),
            ("files", b.files),
            ("conversation", b.conversation),
        ] {
            text.push_str(&format!("  {name:<14}{n:>8}\n"));
        }
        if let Some(share) = self.agent.last_prefix_share() {
            text.push_str(&format!(
                "the last request repeated {:.1}% of the one before (prefix cache)\n",
                share * 100.0
            ));
        }
        self.say(text.trim_end());
    }

    fn map(&mut self, terms: &[String]) {
        let mut all: Vec<String> = self.files.added().map(str::to_string).collect();
        all.extend(terms.iter().cloned());
        let Some(mut job) = self.map_job(&all) else {
            self.warn("cannot find hone's own program to make the map");
            return;
        };
        if job.wait(std::time::Duration::from_millis(200)).is_none() {
            self.dim("indexing the workspace…");
        }
        match job.wait(std::time::Duration::from_secs(600)) {
            Some(MapOutcome::Map(map)) if !map.trim().is_empty() => {
                let map = map.clone();
                self.out(&map);
            }
            Some(MapOutcome::Map(_)) => {
                self.hint("nothing to map (files added to the conversation are left out)")
            }
            Some(MapOutcome::Failed(why)) => {
                let why = why.clone();
                self.warn(&format!("no repository map: {why}"));
            }
            None => self.warn("the map took too long"),
        }
    }
}
