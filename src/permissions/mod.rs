//! Permissions: what may happen without asking the person, judged by rules. Pure judgements
//! over the text of a tool call and the rules in force; no I/O, no printing, no asking. A
//! judgement that cannot be made safely is said as such (never a silent yes), so a front end
//! may still ask the person.

pub mod command;
