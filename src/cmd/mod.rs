//! The front ends: one module per subcommand, each an event renderer plus an approval policy
//! over the library. They may print; nothing below them may.

pub mod apply;
pub mod config;
pub mod map;
pub mod print;
pub mod undo;
