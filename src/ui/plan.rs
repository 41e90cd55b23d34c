//! What the person does with a plan that plan mode ended with: carry it out asking before edits,
//! carry it out applying edits, change it (their words go to the model), or keep planning. One
//! question and one reading of the answer for the REPL and `hone fix`.

use crate::config::PermissionMode;

/// The question, with its keys.
pub const PLAN_QUESTION: &str = "Carry out the plan? [y]es, asking before edits / [e] yes, applying edits / [c] change it: c <what to change> / [n]o, keep planning:";

/// What the person does with a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanChoice {
    /// Carry it out in this mode.
    Accept(PermissionMode),
    /// Keep planning; the person's words (if any) go to the model.
    Revise(String),
    /// Leave it; stay in plan mode.
    Reject,
}

/// Reads an answer to the plan question.
pub fn parse_plan_answer(line: &str) -> Option<PlanChoice> {
    let l = line.trim();
    let (key, rest) = l.split_at(l.chars().next().map_or(0, char::len_utf8));
    Some(match key.to_ascii_lowercase().as_str() {
        "y" => PlanChoice::Accept(PermissionMode::Default),
        "e" => PlanChoice::Accept(PermissionMode::AcceptEdits),
        "c" => PlanChoice::Revise(rest.trim().to_string()),
        "" | "n" => PlanChoice::Reject,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_answers() {
        assert_eq!(
            parse_plan_answer("y"),
            Some(PlanChoice::Accept(PermissionMode::Default))
        );
        assert_eq!(
            parse_plan_answer("E\n"),
            Some(PlanChoice::Accept(PermissionMode::AcceptEdits))
        );
        assert_eq!(
            parse_plan_answer("c use a HashMap instead"),
            Some(PlanChoice::Revise("use a HashMap instead".into()))
        );
        assert_eq!(parse_plan_answer(""), Some(PlanChoice::Reject));
        assert_eq!(parse_plan_answer("maybe"), None);
    }
}
