//! The cmdlet catalogue: the one list of every declaration.

mod cas_mailbox;
mod errors;
mod exchange_server;
mod format_cmdlets;
pub mod identity;
mod mailbox;
mod mailbox_common;
mod mapi_virtual_directory;
mod meta;
pub mod objects;
mod organization_config;
mod urls;

pub use errors::{exchange_error, not_found};

/// Type names of the discovery cmdlets' output, for the default views.
pub mod meta_types {
    pub const COMMAND_INFO: &str = super::meta::COMMAND_INFO_TYPE;
}

use crate::spec::CmdletSpec;

/// Every cmdlet mapish knows, in the order Get-Command lists them.
pub static CATALOG: &[&CmdletSpec] = &[
    &cas_mailbox::GET_CAS_MAILBOX,
    &exchange_server::GET_EXCHANGE_SERVER,
    &mailbox::GET_MAILBOX,
    &mapi_virtual_directory::GET_MAPI_VIRTUAL_DIRECTORY,
    &organization_config::GET_ORGANIZATION_CONFIG,
    &mailbox::NEW_MAILBOX,
    &mapi_virtual_directory::NEW_MAPI_VIRTUAL_DIRECTORY,
    &mailbox::REMOVE_MAILBOX,
    &mapi_virtual_directory::REMOVE_MAPI_VIRTUAL_DIRECTORY,
    &cas_mailbox::SET_CAS_MAILBOX,
    &mapi_virtual_directory::SET_MAPI_VIRTUAL_DIRECTORY,
    &organization_config::SET_ORGANIZATION_CONFIG,
    &meta::GET_COMMAND,
    &meta::GET_HELP,
    &format_cmdlets::FORMAT_LIST,
    &format_cmdlets::FORMAT_TABLE,
];

/// Looks a command up by name or alias, case-insensitively.
pub fn find(name: &str) -> Option<&'static CmdletSpec> {
    CATALOG
        .iter()
        .copied()
        .find(|c| c.name.eq_ignore_ascii_case(name) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}
