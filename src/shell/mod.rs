//! The interactive shell (REPL): line editing, history, Tab completion and a terminal host.
//! One-shot, script and stdin runs do not come here (see `cli.rs`).

pub(crate) mod complete;
mod helper;
pub mod history;
mod repl;
mod terminal_host;

pub use repl::{prompt_for, run, CONTINUATION_PROMPT};
pub use terminal_host::TerminalHost;
