//! An Exchange server (`Get-ExchangeServer`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A server of the organization.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Server {
    /// Guid.
    pub guid: Uuid,
    /// The short name, e.g. `EX01`; unique (case-insensitive).
    pub name: String,
    /// The fully qualified domain name, e.g. `ex01.contoso.com`; unique (case-insensitive).
    pub fqdn: String,
    /// WhenCreated (UTC).
    pub when_created: DateTime<Utc>,
    /// WhenChanged (UTC).
    pub when_changed: DateTime<Utc>,
}

impl Server {
    /// A new server with a fresh Guid.
    pub fn new(name: impl Into<String>, fqdn: impl Into<String>) -> Server {
        let now = Utc::now();
        Server {
            guid: Uuid::new_v4(),
            name: name.into(),
            fqdn: fqdn.into(),
            when_created: now,
            when_changed: now,
        }
    }

    /// Whether `name_or_fqdn` names this server (Name or Fqdn, any case), as Exchange's server identity does.
    pub fn is_named(&self, name_or_fqdn: &str) -> bool {
        self.name.eq_ignore_ascii_case(name_or_fqdn) || self.fqdn.eq_ignore_ascii_case(name_or_fqdn)
    }
}
