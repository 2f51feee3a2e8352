//! A snapshot of what the store holds, read once before planning, so that planning and exporting are
//! pure functions of (file, snapshot) and can run wherever a store is open: the one-shot CLI, a cmdlet,
//! or the running server's admin endpoint.

use mapish_store::{Mailbox, MapiVirtualDirectory, Organization, Server, Store, StoreError};

#[derive(Debug, Clone, Default)]
pub struct Current {
    /// `None` for a store nobody initialised yet: an import then creates the organization.
    pub organization: Option<Organization>,
    pub servers: Vec<Server>,
    pub vdirs: Vec<MapiVirtualDirectory>,
    pub mailboxes: Vec<Mailbox>,
}

impl Current {
    pub fn read(store: &Store) -> Result<Current, StoreError> {
        let organization = match store.organization() {
            Ok(o) => Some(o),
            Err(StoreError::NotInitialized) => None,
            Err(e) => return Err(e),
        };
        Ok(Current {
            organization,
            servers: store.servers()?,
            vdirs: store.mapi_virtual_directories()?,
            mailboxes: store.mailboxes().collect::<Result<_, _>>()?,
        })
    }
}
