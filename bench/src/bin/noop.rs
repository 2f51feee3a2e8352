//! The baseline of the one-shot start benchmark: a Rust process that starts and exits, nothing else.
fn main() {}
