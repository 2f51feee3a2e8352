//! mapish library: the edges (output rendering, one-shot CLI, shell, server).

pub mod admin;
pub mod cli;
pub mod docs;
pub mod import_cmd;
pub mod logging;
pub mod output;
pub mod render;
pub mod session;
pub mod shell;
pub mod store_location;
