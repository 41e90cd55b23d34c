//! The permission mode in the REPL: the prompt shows it (`plan >`, `accept-edits >`), Shift-Tab
//! cycles it without losing the line being typed, and a run that ends in plan mode asks the
//! person what to do with the plan — carry it out asking before edits, carry it out applying
//! edits, or keep planning with what they want changed. Accepting continues the same
//! conversation (the plan stays in context; the prefix cache holds). Must not judge a call: the
//! mode is handed to `permissions::Gate` for each run.

use rustyline::error::ReadlineError;

use super::session::Repl;
use crate::config::PermissionMode;
use crate::prompts::{Text, text};
use crate::ui::palette::{self, paint};
use crate::ui::plan::{PLAN_QUESTION, PlanChoice, parse_plan_answer};

/// The mode after `mode` on Shift-Tab. Bypass is in the cycle only when it may be used.
pub fn next_mode(mode: PermissionMode, bypass_allowed: bool) -> PermissionMode {
    match mode {
        PermissionMode::Default => PermissionMode::AcceptEdits,
        PermissionMode::AcceptEdits => PermissionMode::Plan,
        PermissionMode::Plan if bypass_allowed => PermissionMode::Bypass,
        PermissionMode::Plan | PermissionMode::Bypass => PermissionMode::Default,
    }
}

/// The prompt for a mode: plain `>` in the default mode, the mode's name before it otherwise.
pub fn prompt(mode: PermissionMode, color: bool) -> (String, String) {
    if mode == PermissionMode::Default {
        return ("> ".into(), paint(palette::PROMPT, ">", color) + " ");
    }
    let raw = format!("{} > ", mode.as_str());
    let style = if mode == PermissionMode::Bypass {
        palette::ERROR
    } else {
        palette::PROMPT
    };
    (
        raw,
        paint(style, &format!("{} >", mode.as_str()), color) + " ",
    )
}

impl Repl {
    /// Shift-Tab was pressed: the next mode, said once.
    pub(super) fn cycle_mode(&mut self) {
        let next = next_mode(self.permissions.mode, self.bypass_allowed);
        self.set_mode(next);
    }

    pub(super) fn set_mode(&mut self, mode: PermissionMode) {
        self.permissions.mode = mode;
        let what = match mode {
            PermissionMode::Default => "edits and commands are asked",
            PermissionMode::AcceptEdits => "edits are applied (`/undo` reverts), commands asked",
            PermissionMode::Plan => "the model only reads, then proposes a plan",
            PermissionMode::Bypass => "nothing is asked",
        };
        self.dim(&format!(
            "mode {}: {what} (Shift-Tab for the next)",
            mode.as_str()
        ));
    }

    /// After a run in plan mode: asks what to do with the plan, and carries out the choice.
    pub(super) fn after_plan(&mut self) {
        let q = PLAN_QUESTION;
        let styled = paint(palette::PROMPT, q, self.look.color_err) + " ";
        let choice = loop {
            match self
                .editor
                .readline(&(format!("{q} ").as_str(), styled.as_str()))
            {
                Ok(line) => match parse_plan_answer(&line) {
                    Some(c) => break c,
                    None => continue,
                },
                Err(ReadlineError::Interrupted | ReadlineError::Eof) => break PlanChoice::Reject,
                Err(_) => break PlanChoice::Reject,
            }
        };
        match choice {
            PlanChoice::Accept(mode) => {
                self.set_mode(mode);
                let how = if mode == PermissionMode::AcceptEdits {
                    "; edits are now applied without asking"
                } else {
                    ""
                };
                self.turn(&text(Text::PlanAccepted, &[("how", how)]));
            }
            PlanChoice::Revise(what) if !what.is_empty() => self.turn(&what),
            PlanChoice::Revise(_) | PlanChoice::Reject => {
                self.dim("still in plan mode: say what to change, or Shift-Tab to leave it");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_tab_cycles_and_bypass_only_when_allowed() {
        let mut m = PermissionMode::Default;
        let mut seen = Vec::new();
        for _ in 0..4 {
            m = next_mode(m, false);
            seen.push(m);
        }
        assert_eq!(
            seen,
            [
                PermissionMode::AcceptEdits,
                PermissionMode::Plan,
                PermissionMode::Default,
                PermissionMode::AcceptEdits
            ]
        );
        assert_eq!(
            next_mode(PermissionMode::Plan, true),
            PermissionMode::Bypass
        );
        assert_eq!(
            next_mode(PermissionMode::Bypass, true),
            PermissionMode::Default
        );
        assert_eq!(prompt(PermissionMode::Plan, false).0, "plan > ");
        assert_eq!(prompt(PermissionMode::Default, false).0, "> ");
    }
}
