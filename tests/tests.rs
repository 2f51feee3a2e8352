//! End-to-end tests of the `mapish` binary (one test binary, many modules, as ripgrep does).
//! The modules live in tests/e2e/ so that cargo does not build each as a test binary of its own.

mod common;

#[path = "e2e/article.rs"]
mod article;
#[path = "e2e/cli_modes.rs"]
mod cli_modes;
#[path = "e2e/corpus.rs"]
mod corpus;
#[path = "e2e/docs_fresh.rs"]
mod docs_fresh;
#[path = "e2e/errors.rs"]
mod errors;
#[path = "e2e/formatting.rs"]
mod formatting;
#[path = "e2e/shell_rows.rs"]
mod shell_rows;
#[path = "e2e/store_behaviour.rs"]
mod store_behaviour;
#[path = "e2e/config_import.rs"]
mod config_import;
