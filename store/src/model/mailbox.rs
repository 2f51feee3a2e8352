//! A mailbox with its client access settings (`Get-Mailbox`, `Get-CASMailbox`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::organization::Organization;
use crate::error::StoreError;
use crate::password::{NtHash, hash_password};

/// A user (or health) mailbox.
///
/// Name, Alias, PrimarySmtpAddress, UserPrincipalName and LegacyExchangeDN are each unique among mailboxes
/// (case-insensitive); the store enforces it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mailbox {
    /// Guid (ExchangeGuid).
    pub guid: Uuid,
    /// Name; never empty.
    pub name: String,
    /// Alias (mail nickname).
    pub alias: String,
    /// DisplayName.
    pub display_name: String,
    /// PrimarySmtpAddress, e.g. `alice@contoso.com`.
    pub primary_smtp_address: String,
    /// UserPrincipalName, the logon name, e.g. `alice@contoso.com`.
    pub user_principal_name: String,
    /// LegacyExchangeDN, the X.500 address Outlook and NSPI use.
    pub legacy_exchange_dn: String,
    /// The Name of the server hosting the mailbox.
    pub server: String,
    /// MAPIEnabled: `false` blocks MAPI access of any kind, whatever the other MAPI settings say.
    pub mapi_enabled: bool,
    /// MapiHttpEnabled: `None` (`$null`) follows the organization; a value always wins over it.
    pub mapi_http_enabled: Option<bool>,
    /// OWAEnabled.
    pub owa_enabled: bool,
    /// ECPEnabled.
    pub ecp_enabled: bool,
    /// ImapEnabled.
    pub imap_enabled: bool,
    /// PopEnabled.
    pub pop_enabled: bool,
    /// ActiveSyncEnabled.
    pub active_sync_enabled: bool,
    /// EwsEnabled.
    pub ews_enabled: bool,
    /// MAPIBlockOutlookRpcHttp: blocks the Outlook Anywhere (RPC over HTTP) fallback.
    pub mapi_block_outlook_rpc_http: bool,
    /// MAPIBlockOutlookNonCachedMode: only Cached Exchange Mode clients may connect.
    pub mapi_block_outlook_non_cached_mode: bool,
    /// MAPIBlockOutlookExternalConnectivity: Autodiscover hands out internal URLs only.
    pub mapi_block_outlook_external_connectivity: bool,
    /// MAPIBlockOutlookVersions, e.g. `-14.0.0`; `None` blocks no version.
    pub mapi_block_outlook_versions: Option<String>,
    /// The argon2id PHC string of the mailbox password (see `hash_password`); `None` means no logon possible.
    pub password_hash: Option<String>,
    /// The NT hash of the same password, for NTLM (see `NtHash`). Password-equivalent: set only together with a
    /// password, never exported or shown, and ignored once `password_hash` changes without it.
    pub nt_hash: Option<NtHash>,
    /// Whether this is a health mailbox used by Test-OutlookConnectivity probes.
    pub is_health_mailbox: bool,
    /// WhenCreated (UTC).
    pub when_created: DateTime<Utc>,
    /// WhenChanged (UTC).
    pub when_changed: DateTime<Utc>,
}

/// Fields missing from a stored record take Exchange's defaults for a new mailbox, which is why this is not derived:
/// every protocol is enabled unless an administrator turned it off.
impl Default for Mailbox {
    fn default() -> Mailbox {
        Mailbox {
            guid: Uuid::nil(),
            name: String::new(),
            alias: String::new(),
            display_name: String::new(),
            primary_smtp_address: String::new(),
            user_principal_name: String::new(),
            legacy_exchange_dn: String::new(),
            server: String::new(),
            mapi_enabled: true,
            mapi_http_enabled: None,
            owa_enabled: true,
            ecp_enabled: true,
            imap_enabled: true,
            pop_enabled: true,
            active_sync_enabled: true,
            ews_enabled: true,
            mapi_block_outlook_rpc_http: false,
            mapi_block_outlook_non_cached_mode: false,
            mapi_block_outlook_external_connectivity: false,
            mapi_block_outlook_versions: None,
            password_hash: None,
            nt_hash: None,
            is_health_mailbox: false,
            when_created: DateTime::<Utc>::default(),
            when_changed: DateTime::<Utc>::default(),
        }
    }
}

impl Mailbox {
    /// A new mailbox with Exchange's defaults: a fresh Guid, DisplayName = Name, every protocol enabled,
    /// MapiHttpEnabled `$null` (follow the organization), nothing blocked, no password, and the LegacyExchangeDN
    /// Exchange would assign in organization `organization_name`.
    pub fn new(
        name: impl Into<String>,
        alias: impl Into<String>,
        primary_smtp_address: impl Into<String>,
        user_principal_name: impl Into<String>,
        organization_name: impl AsRef<str>,
        server: impl Into<String>,
    ) -> Mailbox {
        let guid = Uuid::new_v4();
        let name = name.into();
        let alias = alias.into();
        let now = Utc::now();
        Mailbox {
            guid,
            display_name: name.clone(),
            legacy_exchange_dn: legacy_exchange_dn(organization_name.as_ref(), guid, &alias),
            name,
            alias,
            primary_smtp_address: primary_smtp_address.into(),
            user_principal_name: user_principal_name.into(),
            server: server.into(),
            when_created: now,
            when_changed: now,
            ..Mailbox::default()
        }
    }

    /// Sets the password: its argon2id hash for Basic, and its NT hash for NTLM, bound to each other.
    pub fn set_password(&mut self, plain: &str) -> Result<(), StoreError> {
        let phc = hash_password(plain)?;
        self.nt_hash = Some(NtHash::new(plain, &phc));
        self.password_hash = Some(phc);
        Ok(())
    }

    /// The NT hash of the current password, if one was stored with it. `None` when the mailbox has no password,
    /// was given one before NT hashes were kept, or got its `password_hash` from elsewhere (a configuration
    /// file's PasswordHash), which an NT hash cannot be derived from.
    pub fn current_nt_hash(&self) -> Option<[u8; 16]> {
        let phc = self.password_hash.as_deref()?;
        self.nt_hash.as_ref()?.for_password(phc)
    }
}

/// The LegacyExchangeDN Exchange 2013+ gives a new recipient: the administrative group is the fixed
/// `FYDIBOHF23SPDLT` one, and the last RDN carries the Guid so that reused aliases stay distinct.
pub fn legacy_exchange_dn(organization_name: &str, guid: Uuid, alias: &str) -> String {
    format!(
        "/o={organization_name}/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={}-{alias}",
        guid.simple()
    )
}

/// Whether MAPI over HTTP is in effect for `mailbox` (cmdlets.md §10).
///
/// The mailbox's MapiHttpEnabled always wins when it is set; `$null` follows the organization's MapiHttpEnabled.
/// MAPIEnabled `$false` disables MAPI of every kind, so it overrides both. When this returns `false` for a mailbox
/// with MAPIEnabled on, Outlook falls back to Outlook Anywhere.
pub fn effective_mapi_http(org: &Organization, mailbox: &Mailbox) -> bool {
    mailbox.mapi_enabled && mailbox.mapi_http_enabled.unwrap_or(org.mapi_http_enabled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_has_exchange_defaults() {
        let m = Mailbox::new(
            "Alice",
            "alice",
            "alice@contoso.com",
            "alice@contoso.com",
            "Contoso",
            "EX01",
        );
        assert_eq!(m.display_name, "Alice");
        assert!(
            m.mapi_enabled && m.owa_enabled && m.ecp_enabled && m.imap_enabled && m.pop_enabled
        );
        assert!(m.active_sync_enabled && m.ews_enabled);
        assert_eq!(m.mapi_http_enabled, None);
        assert!(!m.mapi_block_outlook_rpc_http && !m.mapi_block_outlook_external_connectivity);
        assert_eq!(
            m.legacy_exchange_dn,
            format!(
                "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn={}-alice",
                m.guid.simple()
            )
        );
        assert_eq!(
            m.legacy_exchange_dn.rsplit("cn=").next().map(|s| s.len()),
            Some(32 + 1 + 5)
        );
    }

    #[test]
    fn effective_rule_follows_the_table() {
        let mut org = Organization::new("Contoso");
        let mut m = Mailbox::new("A", "a", "a@c.com", "a@c.com", "Contoso", "EX01");
        for org_on in [true, false] {
            org.mapi_http_enabled = org_on;
            for mbx in [None, Some(true), Some(false)] {
                m.mapi_http_enabled = mbx;
                m.mapi_enabled = true;
                assert_eq!(
                    effective_mapi_http(&org, &m),
                    mbx.unwrap_or(org_on),
                    "org {org_on} mailbox {mbx:?}"
                );
                m.mapi_enabled = false;
                assert!(!effective_mapi_http(&org, &m));
            }
        }
    }

    #[test]
    fn old_records_get_defaults_for_missing_fields() {
        let m: Mailbox = serde_json::from_str(r#"{"name":"Bob","alias":"bob"}"#).unwrap();
        assert!(m.mapi_enabled && m.ews_enabled);
        assert_eq!(m.mapi_http_enabled, None);
    }
}
