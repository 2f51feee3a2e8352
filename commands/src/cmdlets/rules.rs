//! The validation rules the cmdlets apply, gathered for Import-MapishConfig (commands/src/config), so
//! that a configuration file is checked by exactly the code that checks the same parameter on the
//! command line. The rules stay in their cmdlet files; this module only makes them reachable.

pub(crate) use super::cas_mailbox::check_display_name;
pub(crate) use super::mailbox::{check_alias, check_name, default_alias};
pub(crate) use super::mapi_virtual_directory::validate as check_mapi_virtual_directory;
pub(crate) use super::urls::check_mapi_url;
