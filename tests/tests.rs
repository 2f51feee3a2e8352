//! End-to-end tests of the `mapish` binary (one test binary, many modules, as ripgrep does).

mod common;

mod article;
mod cli_modes;
mod docs_fresh;
mod errors;
mod formatting;
mod store_behaviour;
