//! The one error type of `mapish serve`: everything that stops it from starting or running.
//!
//! Request-level failures never become a `ServeError`; they are answered on the wire.

use std::net::SocketAddr;
use std::path::PathBuf;

use mapish_store::StoreError;

/// Why the server could not start (or had to stop). Messages are written for the administrator who typed
/// `mapish serve`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// No `--listen` address.
    #[error("no address to listen on; give at least one --listen ADDR:PORT")]
    NoListenAddress,

    /// Plain HTTP was asked for on an address other than loopback.
    #[error(
        "refusing plain HTTP on {addr}, which is not a loopback address: clients would send passwords in clear text. Use --tls-cert/--tls-key or --self-signed, or pass --insecure-http if a TLS-terminating proxy sits in front"
    )]
    PlainHttpNotLoopback {
        /// The offending listen address.
        addr: SocketAddr,
    },

    /// A setting has an unusable value.
    #[error("invalid setting {setting}: {reason}")]
    InvalidSetting {
        /// The flag or limit.
        setting: &'static str,
        /// Why.
        reason: String,
    },

    /// The store holds no organization.
    #[error("the store is not initialized: there is no organization yet (run `mapish init` first)")]
    NotInitialized,

    /// `--server` names no server.
    #[error("no server named '{name}' exists; known servers: {known}")]
    UnknownServer {
        /// What was asked for.
        name: String,
        /// The servers in the store.
        known: String,
    },

    /// Several servers exist and none is named like this host.
    #[error(
        "the store has several servers ({known}) and none is named like this host; choose one with --server NAME"
    )]
    AmbiguousServer {
        /// The servers in the store.
        known: String,
    },

    /// The store has no server at all.
    #[error("the store has no server object to serve")]
    NoServer,

    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] StoreError),

    /// A listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },

    /// The TLS certificate or key could not be loaded or made.
    #[error("TLS setup failed: {0}")]
    Tls(String),

    /// A TLS file could not be read.
    #[error("cannot read {}: {reason}", path.display())]
    TlsFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    /// The log directory could not be prepared.
    #[error("cannot use the log directory {}: {source}", dir.display())]
    LogDir {
        /// The directory.
        dir: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },

    /// The async runtime or a thread could not be started.
    #[error("cannot start the server runtime: {0}")]
    Runtime(std::io::Error),
}
