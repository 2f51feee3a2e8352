//! Configuration as code: the whole configuration (organization, servers, MAPI virtual directories,
//! mailboxes) as one TOML file, read with the cmdlets' own vocabulary and validation, planned against
//! the store, applied all or nothing, and exported back.
//!
//! The steps are separate functions over plain values so that every front end runs the same code:
//! `mapish import`, the Import-/Export-MapishConfig cmdlets, and (issue 6) the running server's admin
//! endpoint, which holds the store and so does `Current::read` → `plan` → `apply` itself.
//!
//! ```text
//! parse(file) ──> Desired ──┐
//!                           ├─ plan() ──> Plan ── render() (what-if)
//! Current::read(store) ─────┘                └── apply(store) (one transaction)
//! Current::read(store) ── export() ──> file
//! ```

mod apply;
mod current;
mod error;
mod export;
mod parse;
mod plan;
pub mod reference;
mod render;
pub mod schema;
mod secrets;
mod source;
mod toml_text;

pub use apply::{Progress, apply};
pub use current::Current;
pub use error::ConfigError;
pub use export::export;
pub use parse::{Declared, Desired, parse};
pub use plan::{Change, Counts, Plan, PlanOptions, PropertyChange, plan};
pub use render::render;
pub use secrets::{LocalSecrets, NoSecrets, Secret, Secrets};
pub use source::{Diagnostic, Source};

#[cfg(test)]
mod tests;
