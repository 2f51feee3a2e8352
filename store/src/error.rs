//! The one error type of the store.

use std::path::PathBuf;

use crate::watch::ObjectKind;

/// Everything that can go wrong in the store.
///
/// Messages are written for an Exchange administrator reading them in the shell, not for a Rust developer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Another process (or another `Store` in this process) holds the database lock, and kept it for the whole
    /// `OpenOptions::lock_wait`.
    #[error(
        "the store at {} is in use by another mapish process (such as `mapish serve`); it stayed locked for the whole wait, so stop that process or run the command through it",
        dir.display()
    )]
    Locked {
        /// The store directory given to `Store::open`.
        dir: PathBuf,
    },

    /// The store holds no organization yet.
    #[error(
        "the store is not initialized: there is no organization yet (run the initial setup first)"
    )]
    NotInitialized,

    /// `Store::initialize` was called on a store that already has an organization.
    #[error("the store is already initialized: an organization exists")]
    AlreadyInitialized,

    /// A write would give two objects the same value of a property that must be unique.
    #[error("the value '{value}' of property {property} is already used by another object")]
    Duplicate {
        /// The property in Exchange spelling, e.g. `Alias`, `PrimarySmtpAddress`.
        property: &'static str,
        /// The clashing value as the caller gave it.
        value: String,
    },

    /// A write was refused because a value is unusable (for example an empty Name).
    #[error("invalid value for {property}: {reason}")]
    Invalid {
        /// The property in Exchange spelling.
        property: &'static str,
        /// Why the value was refused.
        reason: String,
    },

    /// A delete named an object that does not exist.
    #[error("no {kind} with identity '{id}' exists")]
    NotFound {
        /// Which kind of object was looked for.
        kind: ObjectKind,
        /// The identity that was looked for.
        id: String,
    },

    /// A stored record could not be decoded.
    #[error("the store is damaged: the record '{key}' is unreadable ({reason})")]
    Corrupt {
        /// The storage key of the record.
        key: String,
        /// What was wrong with it.
        reason: String,
    },

    /// The store was written by a newer mapish that uses a layout this one does not know.
    #[error(
        "the store uses schema version {found}, but this mapish only knows versions up to {supported}; use a newer mapish"
    )]
    SchemaTooNew {
        /// The version found on disk.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },

    /// A filesystem operation on the store directory failed.
    #[error("store I/O error: {0}")]
    Io(#[from] std::io::Error),

    /// The storage engine reported an error.
    #[error("storage engine error: {0}")]
    Sled(String),

    /// Hashing a password failed (verification failures are reported as `false`, not as this).
    #[error("password hashing failed: {0}")]
    Password(String),

    /// A concurrent transaction touched the same records. `Store::update` retries on its own, so this only
    /// reaches a caller whose closure swallowed it and returned another error in the same attempt.
    #[error("the change collided with a concurrent change; try again")]
    TransactionConflict,
}
