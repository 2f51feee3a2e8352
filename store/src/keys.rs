//! The key layout of the store.
//!
//! ```text
//! meta/schema_version          ASCII decimal
//! meta/mailbox_count           ASCII decimal, kept in step by put/delete so counting needs no scan
//! obj/organization             Organization JSON (there is one)
//! obj/server/<guid>            Server JSON
//! obj/mapivdir/<guid>          MapiVirtualDirectory JSON
//! obj/mailbox/<guid>           Mailbox JSON
//! list/server, list/mapivdir   JSON array of guids: sled transactions cannot scan, and these kinds are few
//! idx/mailbox/<prop>/<folded>  guid, one per unique mailbox property; the name index doubles as the sort order
//! folders/<mailbox guid>       MailboxFolders JSON: every folder of one mailbox in ONE record (model/folder.rs)
//! ```
//!
//! Only `obj/` keys are watched, so index and bookkeeping writes never reach subscribers.

use uuid::Uuid;

use crate::model::mailbox::Mailbox;
use crate::watch::ObjectKind;

pub(crate) const SCHEMA_VERSION: &[u8] = b"meta/schema_version";
pub(crate) const MAILBOX_COUNT: &[u8] = b"meta/mailbox_count";

pub(crate) const OBJECTS: &[u8] = b"obj/";
pub(crate) const ORGANIZATION: &[u8] = b"obj/organization";
pub(crate) const SERVERS: &str = "obj/server/";
pub(crate) const MAPI_VDIRS: &str = "obj/mapivdir/";
pub(crate) const MAILBOXES: &str = "obj/mailbox/";

pub(crate) const FOLDERS: &str = "folders/";

pub(crate) const SERVER_LIST: &[u8] = b"list/server";
pub(crate) const MAPI_VDIR_LIST: &[u8] = b"list/mapivdir";

pub(crate) fn server(guid: Uuid) -> Vec<u8> {
    format!("{SERVERS}{guid}").into_bytes()
}

pub(crate) fn mapi_vdir(guid: Uuid) -> Vec<u8> {
    format!("{MAPI_VDIRS}{guid}").into_bytes()
}

pub(crate) fn mailbox(guid: Uuid) -> Vec<u8> {
    format!("{MAILBOXES}{guid}").into_bytes()
}

pub(crate) fn folders(mailbox: Uuid) -> Vec<u8> {
    format!("{FOLDERS}{mailbox}").into_bytes()
}

/// The case folding used by every index: identities in Exchange compare case-insensitively.
pub(crate) fn fold(s: &str) -> String {
    s.to_lowercase()
}

/// A unique, indexed property of a mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MailboxIndex {
    Name,
    Alias,
    PrimarySmtpAddress,
    UserPrincipalName,
    LegacyExchangeDn,
}

impl MailboxIndex {
    pub(crate) const ALL: [MailboxIndex; 5] = [
        MailboxIndex::Name,
        MailboxIndex::Alias,
        MailboxIndex::PrimarySmtpAddress,
        MailboxIndex::UserPrincipalName,
        MailboxIndex::LegacyExchangeDn,
    ];

    /// The property name as Exchange spells it, for `StoreError::Duplicate`.
    pub(crate) fn property(self) -> &'static str {
        match self {
            MailboxIndex::Name => "Name",
            MailboxIndex::Alias => "Alias",
            MailboxIndex::PrimarySmtpAddress => "PrimarySmtpAddress",
            MailboxIndex::UserPrincipalName => "UserPrincipalName",
            MailboxIndex::LegacyExchangeDn => "LegacyExchangeDN",
        }
    }

    fn segment(self) -> &'static str {
        match self {
            MailboxIndex::Name => "name",
            MailboxIndex::Alias => "alias",
            MailboxIndex::PrimarySmtpAddress => "smtp",
            MailboxIndex::UserPrincipalName => "upn",
            MailboxIndex::LegacyExchangeDn => "legdn",
        }
    }

    pub(crate) fn value(self, m: &Mailbox) -> &str {
        match self {
            MailboxIndex::Name => &m.name,
            MailboxIndex::Alias => &m.alias,
            MailboxIndex::PrimarySmtpAddress => &m.primary_smtp_address,
            MailboxIndex::UserPrincipalName => &m.user_principal_name,
            MailboxIndex::LegacyExchangeDn => &m.legacy_exchange_dn,
        }
    }

    /// The index key for `value` (folded here), or the prefix of all keys starting with it.
    pub(crate) fn key(self, value: &str) -> Vec<u8> {
        format!("idx/mailbox/{}/{}", self.segment(), fold(value)).into_bytes()
    }
}

/// What an `obj/` key names, for the change feed. The organization's id comes from its value, so it is `None` here.
pub(crate) fn parse_object_key(key: &[u8]) -> Option<(ObjectKind, Option<Uuid>)> {
    if key == ORGANIZATION {
        return Some((ObjectKind::Organization, None));
    }
    let key = std::str::from_utf8(key).ok()?;
    let (kind, rest) = if let Some(rest) = key.strip_prefix(SERVERS) {
        (ObjectKind::Server, rest)
    } else if let Some(rest) = key.strip_prefix(MAPI_VDIRS) {
        (ObjectKind::MapiVirtualDirectory, rest)
    } else if let Some(rest) = key.strip_prefix(MAILBOXES) {
        (ObjectKind::Mailbox, rest)
    } else {
        return None;
    };
    Some((kind, Some(Uuid::parse_str(rest).ok()?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_round_trip() {
        let g = Uuid::new_v4();
        assert_eq!(
            parse_object_key(&mailbox(g)),
            Some((ObjectKind::Mailbox, Some(g)))
        );
        assert_eq!(
            parse_object_key(&server(g)),
            Some((ObjectKind::Server, Some(g)))
        );
        assert_eq!(
            parse_object_key(&mapi_vdir(g)),
            Some((ObjectKind::MapiVirtualDirectory, Some(g)))
        );
        assert_eq!(
            parse_object_key(ORGANIZATION),
            Some((ObjectKind::Organization, None))
        );
        assert_eq!(parse_object_key(b"obj/mailbox/nonsense"), None);
        assert_eq!(parse_object_key(b"idx/mailbox/name/x"), None);
    }

    #[test]
    fn index_keys_fold_case() {
        assert_eq!(
            MailboxIndex::Alias.key("ALICE"),
            b"idx/mailbox/alias/alice".to_vec()
        );
        assert!(
            MailboxIndex::Name
                .key("Alice Smith")
                .starts_with(&MailboxIndex::Name.key("ALI"))
        );
    }
}
