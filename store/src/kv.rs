//! The few key-value operations the store needs from a storage engine.
//!
//! Everything above this line (records, transactions, migrations) speaks only these traits, so replacing sled means
//! re-implementing `engine.rs` and nothing else.

use crate::error::StoreError;

/// Point reads, available both inside and outside a transaction.
pub(crate) trait KvRead {
    /// The value stored under `key`, if any.
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;
}

/// Writes, available only inside a transaction so that every change is all or nothing.
pub(crate) trait KvWrite: KvRead {
    /// Stores `value` under `key`, replacing any previous value.
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError>;
    /// Removes `key`; removing an absent key is not an error.
    fn remove(&self, key: &[u8]) -> Result<(), StoreError>;
}

/// One committed write seen by a watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KvEvent {
    /// The key written.
    pub key: Vec<u8>,
    /// The new value, or `None` when the key was removed.
    pub value: Option<Vec<u8>>,
}
