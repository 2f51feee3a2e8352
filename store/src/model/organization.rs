//! The Exchange organization (`Get-OrganizationConfig`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The organization-wide configuration. A store holds exactly one once initialized.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Organization {
    /// Guid.
    pub guid: Uuid,
    /// Name of the organization.
    pub name: String,
    /// MapiHttpEnabled: whether MAPI over HTTP is on for mailboxes that do not decide for themselves.
    pub mapi_http_enabled: bool,
    /// EwsEnabled; `None` (`$null`) means no organization-wide decision.
    pub ews_enabled: Option<bool>,
    /// OAuth2ClientProfileEnabled (modern authentication for Outlook).
    pub oauth2_client_profile_enabled: bool,
    /// WhenCreated (UTC).
    pub when_created: DateTime<Utc>,
    /// WhenChanged (UTC). Callers update it when they change the object; the store writes what it is given.
    pub when_changed: DateTime<Utc>,
}

impl Organization {
    /// A new organization with the defaults `initialize` uses: MAPI over HTTP off, so that turning it on is a
    /// deliberate step, as on an upgraded Exchange 2013 organization.
    pub fn new(name: impl Into<String>) -> Organization {
        let now = Utc::now();
        Organization {
            guid: Uuid::new_v4(),
            name: name.into(),
            mapi_http_enabled: false,
            ews_enabled: None,
            oauth2_client_profile_enabled: false,
            when_created: now,
            when_changed: now,
        }
    }
}
