//! The tracing subscriber: logs go to stderr, level from MAPISH_LOG (error, warn, info, debug,
//! trace; default warn), colour only on a terminal.

use std::io::IsTerminal;

pub fn init() {
    let level = match std::env::var("MAPISH_LOG").unwrap_or_default().to_ascii_lowercase().as_str() {
        "error" => tracing::Level::ERROR,
        "info" => tracing::Level::INFO,
        "debug" => tracing::Level::DEBUG,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::WARN,
    };
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .try_init();
}
