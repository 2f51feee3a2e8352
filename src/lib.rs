//! mapish library: the edges (output rendering, one-shot CLI, shell, server).

pub mod cli;
pub mod docs;
pub mod logging;
pub mod output;
pub mod render;
pub mod store_location;
