//! Helpers shared by the unit tests.

use crate::{Mailbox, Store, StoreError};

/// A mailbox in organization Contoso on EX01 with addresses derived from `alias`.
pub(crate) fn mailbox(name: &str, alias: &str) -> Mailbox {
    let address = format!("{alias}@contoso.com");
    Mailbox::new(name, alias, address.clone(), address, "Contoso", "EX01")
}

/// Stores `m` in its own transaction.
pub(crate) fn put(store: &Store, m: &Mailbox) -> Result<(), StoreError> {
    store.update(|tx| tx.put_mailbox(m))
}

/// The names of `mailboxes`, for compact assertions.
pub(crate) fn names(mailboxes: &[Mailbox]) -> Vec<&str> {
    mailboxes.iter().map(|m| m.name.as_str()).collect()
}
