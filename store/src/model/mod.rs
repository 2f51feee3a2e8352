//! The typed configuration objects an Exchange administrator manipulates.

pub mod auth;
pub mod folder;
pub mod mailbox;
pub mod mapi_vdir;
pub mod organization;
pub mod server;
