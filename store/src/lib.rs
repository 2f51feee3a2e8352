//! mapish's configuration store: the Exchange objects an administrator manipulates (organization, servers, MAPI
//! virtual directories, mailboxes), kept in sled with transactional updates, secondary indexes, schema migrations
//! and a change feed.
//!
//! The store knows nothing about shells, HTTP or formatting. sled is confined to `engine.rs` so another engine can
//! replace it behind the same `Store` interface.

#![warn(missing_docs)]

mod engine;
mod error;
mod keys;
mod kv;
mod migrate;
pub mod model;
mod password;
mod records;
mod store;
mod tx;
mod watch;

pub use error::StoreError;
pub use migrate::CURRENT_SCHEMA_VERSION;
pub use model::auth::{AuthMethod, ParseAuthMethodError};
pub use model::folder::{Folder, MAILBOX_REPLICA_ID, MailboxFolders, SpecialFolder};
pub use model::mailbox::{Mailbox, effective_mapi_http, legacy_exchange_dn};
pub use model::mapi_vdir::{DEFAULT_AUTH_METHODS, DEFAULT_WEBSITE, MapiVirtualDirectory};
pub use model::organization::Organization;
pub use model::server::Server;
pub use password::{NtHash, check_password_hash, hash_password, nt_owf, verify_password};
pub use store::{InitParams, OpenOptions, Store};
pub use tx::Tx;
pub use uuid::Uuid;
pub use watch::{Change, ObjectKind};

#[cfg(test)]
mod test_util;
