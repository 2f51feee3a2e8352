//! The cmdlet catalogue: the one list of every declaration.

mod cas_mailbox;
mod config_cmdlets;
pub mod core;
mod errors;
mod exchange_server;
mod format_cmdlets;
pub mod history;
pub mod identity;
mod mailbox;
mod mailbox_common;
mod mapi_virtual_directory;
mod meta;
pub mod objects;
pub mod opath;
mod organization_config;
mod test_outlook_connectivity;
pub(crate) mod rules;
mod urls;

pub use errors::{exchange_error, not_found};

/// Type names of the built-in pipeline cmdlets' output, for the default views.
pub mod core_types {
    pub const GROUP_INFO: &str = super::core::group_object::GROUP_INFO_TYPE;
    pub const GROUP_INFO_NO_ELEMENT: &str = super::core::group_object::GROUP_INFO_NO_ELEMENT_TYPE;
    pub const MEMBER_DEFINITION: &str = super::core::get_member::MEMBER_DEFINITION_TYPE;
}

/// Type names of the discovery cmdlets' output, for the default views.
pub mod meta_types {
    pub const COMMAND_INFO: &str = super::meta::COMMAND_INFO_TYPE;
}

use crate::spec::CmdletSpec;

/// Every cmdlet mapish knows, in the order Get-Command lists them.
pub static CATALOG: &[&CmdletSpec] = &[
    &config_cmdlets::EXPORT_MAPISH_CONFIG,
    &cas_mailbox::GET_CAS_MAILBOX,
    &exchange_server::GET_EXCHANGE_SERVER,
    &mailbox::GET_MAILBOX,
    &mapi_virtual_directory::GET_MAPI_VIRTUAL_DIRECTORY,
    &organization_config::GET_ORGANIZATION_CONFIG,
    &config_cmdlets::IMPORT_MAPISH_CONFIG,
    &mailbox::NEW_MAILBOX,
    &mapi_virtual_directory::NEW_MAPI_VIRTUAL_DIRECTORY,
    &mailbox::SET_MAILBOX,
    &mailbox::REMOVE_MAILBOX,
    &mapi_virtual_directory::REMOVE_MAPI_VIRTUAL_DIRECTORY,
    &cas_mailbox::SET_CAS_MAILBOX,
    &mapi_virtual_directory::SET_MAPI_VIRTUAL_DIRECTORY,
    &organization_config::SET_ORGANIZATION_CONFIG,
    &test_outlook_connectivity::TEST_OUTLOOK_CONNECTIVITY,
    &meta::GET_COMMAND,
    &meta::GET_HELP,
    &history::GET_HISTORY,
    &history::INVOKE_HISTORY,
    &format_cmdlets::FORMAT_LIST,
    &format_cmdlets::FORMAT_TABLE,
    &core::where_object::WHERE_OBJECT,
    &core::foreach_object::FOREACH_OBJECT,
    &core::select_object::SELECT_OBJECT,
    &core::sort_object::SORT_OBJECT,
    &core::measure_object::MEASURE_OBJECT,
    &core::group_object::GROUP_OBJECT,
    &core::get_member::GET_MEMBER,
    &core::convert_json::CONVERT_TO_JSON,
    &core::convert_csv::CONVERT_TO_CSV,
    &core::convert_csv::EXPORT_CSV,
    &core::read_file::IMPORT_CSV,
    &core::read_file::GET_CONTENT,
    &core::out::OUT_FILE,
    &core::out::OUT_NULL,
    &core::write::WRITE_OUTPUT,
    &core::write::WRITE_HOST,
    &core::credential::CONVERT_TO_SECURE_STRING,
    &core::credential::GET_CREDENTIAL,
    &core::new_object::NEW_OBJECT,
];

/// Looks a command up by name or alias, case-insensitively.
pub fn find(name: &str) -> Option<&'static CmdletSpec> {
    CATALOG
        .iter()
        .copied()
        .find(|c| c.name.eq_ignore_ascii_case(name) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}
