//! The admin endpoint: how shells reach the store while `mapish serve` owns it (docs/admin-endpoint.md).
//!
//! sled lets one process open the store. While a server runs, it owns the store and listens on
//! `<store>/admin.sock`; a shell started then sends its command lines there, the server runs them
//! in a Session over the same store, and the shell prints the results as in embedded mode.

pub mod client;
mod connection;
pub mod endpoint;
mod peer;
pub mod protocol;
mod remote_host;
pub mod status;

pub use client::{AdminClient, ClientError};
pub use endpoint::{socket_path, AdminEndpoint, EndpointError};
