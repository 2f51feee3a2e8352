//! The filterable properties of each cmdlet (Exchange's filter-properties.md, cmdlets.md §1.5),
//! mapped to the stored mailbox. Exchange lists more; the ones mapish does not store are known by
//! name so that the error says so instead of calling them unfilterable.

use chrono::{DateTime, Utc};
use mapish_store::Mailbox;

use super::FilterError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// A multi-valued text property (EmailAddresses): a clause matches when any value does.
    TextList,
    Bool,
    Guid,
    Date,
}

impl Kind {
    pub fn type_name(&self) -> &'static str {
        match self {
            Kind::Text => "System.String",
            Kind::TextList => "Microsoft.Exchange.Data.ProxyAddressCollection",
            Kind::Bool => "System.Boolean",
            Kind::Guid => "System.Guid",
            Kind::Date => "System.DateTime",
        }
    }
}

/// A property's value on one mailbox.
pub enum FieldValue {
    Text(Option<String>),
    Texts(Vec<String>),
    Bool(Option<bool>),
    Guid(uuid::Uuid),
    Date(DateTime<Utc>),
}

#[derive(Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub kind: Kind,
    pub get: fn(&Mailbox) -> FieldValue,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Field({})", self.name)
    }
}

pub struct FieldSet {
    pub fields: &'static [Field],
    /// Filterable in Exchange but not kept by mapish.
    pub not_stored: &'static [&'static str],
    /// Properties admins try that Exchange cannot filter on, with the Where-Object line to use.
    pub hints: &'static [(&'static str, &'static str)],
}

impl FieldSet {
    pub fn find(&'static self, name: &str) -> Result<&'static Field, FilterError> {
        if let Some(f) = self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name)) {
            return Ok(f);
        }
        let mut names: Vec<&str> = self.fields.iter().map(|f| f.name).collect();
        names.sort_by_key(|n| n.to_ascii_lowercase());
        let valid = names.join(", ");
        if let Some(known) = self.not_stored.iter().find(|n| n.eq_ignore_ascii_case(name)) {
            return Err(FilterError::NotStored { name: known.to_string(), valid });
        }
        let hint = match self.hints.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
            Some((n, line)) => format!("{n} can't be filtered on the server; filter the output with Where-Object instead: {line}"),
            None => format!("To filter on {name}, use Where-Object: ... | Where-Object {{$_.{name} -eq <value>}}"),
        };
        Err(FilterError::NotFilterable { name: name.to_string(), valid, hint })
    }
}

fn text(s: &str) -> FieldValue {
    FieldValue::Text(Some(s.to_string()))
}

/// EmailAddresses as Exchange shows them: the primary SMTP address with its `SMTP:` prefix.
fn email_addresses(m: &Mailbox) -> FieldValue {
    FieldValue::Texts(vec![format!("SMTP:{}", m.primary_smtp_address), m.primary_smtp_address.clone()])
}

/// PrimarySmtpAddress "also searches EmailAddresses" (filter-properties.md).
fn primary_smtp(m: &Mailbox) -> FieldValue {
    FieldValue::Texts(vec![m.primary_smtp_address.clone(), format!("SMTP:{}", m.primary_smtp_address)])
}

const COMMON: [Field; 10] = [
    Field { name: "DisplayName", kind: Kind::Text, get: |m| text(&m.display_name) },
    Field { name: "EmailAddresses", kind: Kind::TextList, get: email_addresses },
    Field { name: "Guid", kind: Kind::Guid, get: |m| FieldValue::Guid(m.guid) },
    Field { name: "LegacyExchangeDN", kind: Kind::Text, get: |m| text(&m.legacy_exchange_dn) },
    Field { name: "Name", kind: Kind::Text, get: |m| text(&m.name) },
    Field { name: "PrimarySmtpAddress", kind: Kind::TextList, get: primary_smtp },
    Field { name: "SamAccountName", kind: Kind::Text, get: |m| text(&m.alias) },
    Field { name: "ServerName", kind: Kind::Text, get: |m| text(&m.server.to_lowercase()) },
    Field { name: "WhenChanged", kind: Kind::Date, get: |m| FieldValue::Date(m.when_changed) },
    Field { name: "WhenCreated", kind: Kind::Date, get: |m| FieldValue::Date(m.when_created) },
];

const fn join<const A: usize, const B: usize, const N: usize>(a: [Field; A], b: [Field; B]) -> [Field; N] {
    // Built in a const so each cmdlet's list is one static slice, without allocation.
    let mut out: [Field; N] = [a[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = a[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = b[j];
        j += 1;
    }
    out
}

static CAS_FIELDS: [Field; 21] = join(
    COMMON,
    [
        Field { name: "ActiveSyncEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.active_sync_enabled)) },
        Field { name: "EcpEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.ecp_enabled)) },
        Field { name: "EwsEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.ews_enabled)) },
        Field { name: "Id", kind: Kind::Text, get: |m| text(&m.name) },
        Field { name: "ImapEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.imap_enabled)) },
        Field { name: "MAPIEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.mapi_enabled)) },
        // Exchange's filter "operates backwards" for OWAEnabled (a documented bug); mapish gives the
        // plain meaning: 'OWAEnabled -eq $true' returns the mailboxes whose OWAEnabled is True.
        Field { name: "OWAEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.owa_enabled)) },
        Field { name: "PopEnabled", kind: Kind::Bool, get: |m| FieldValue::Bool(Some(m.pop_enabled)) },
        Field { name: "WhenChangedUTC", kind: Kind::Date, get: |m| FieldValue::Date(m.when_changed) },
        Field { name: "WhenCreatedUTC", kind: Kind::Date, get: |m| FieldValue::Date(m.when_created) },
        Field { name: "ExchangeVersion", kind: Kind::Text, get: |_| text("0.20 (15.0.0.0)") },
    ],
);

const WHERE_MAPI_HTTP: &str = "Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MapiHttpEnabled -eq $true}";
const WHERE_RPC_HTTP: &str = "Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MAPIBlockOutlookRpcHttp -eq $true}";

pub static CAS_MAILBOX_FIELDS: FieldSet = FieldSet {
    fields: &CAS_FIELDS,
    not_stored: &[
        "ActiveSyncAllowedDeviceIDs",
        "ActiveSyncBlockedDeviceIDs",
        "ActiveSyncMailboxPolicy",
        "ActiveSyncSuppressReadReceipt",
        "DistinguishedName",
        "EwsApplicationAccessPolicy",
        "HasActiveSyncDevicePartnership",
        "MemberOfGroup",
        "ObjectCategory",
        "ObjectClass",
        "OWAforDevicesEnabled",
        "OWAMailboxPolicy",
        "ServerLegacyDN",
    ],
    hints: &[
        ("MapiHttpEnabled", WHERE_MAPI_HTTP),
        ("MAPIBlockOutlookRpcHttp", WHERE_RPC_HTTP),
        ("MAPIBlockOutlookNonCachedMode", "Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MAPIBlockOutlookNonCachedMode -eq $true}"),
        ("MAPIBlockOutlookExternalConnectivity", "Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MAPIBlockOutlookExternalConnectivity -eq $true}"),
        ("MAPIBlockOutlookVersions", "Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MAPIBlockOutlookVersions -ne $null}"),
    ],
};

static MAILBOX_FIELDS_ALL: [Field; 15] = join(COMMON, MAILBOX_ONLY_CONST);

const MAILBOX_ONLY_CONST: [Field; 5] = [
    Field { name: "Alias", kind: Kind::Text, get: |m| text(&m.alias) },
    Field { name: "UserPrincipalName", kind: Kind::Text, get: |m| text(&m.user_principal_name) },
    Field {
        name: "RecipientTypeDetails",
        kind: Kind::Text,
        get: |m| text(if m.is_health_mailbox { "MonitoringMailbox" } else { "UserMailbox" }),
    },
    Field { name: "RecipientType", kind: Kind::Text, get: |_| text("UserMailbox") },
    Field { name: "Id", kind: Kind::Text, get: |m| text(&m.name) },
];

pub static MAILBOX_FIELDS: FieldSet = FieldSet {
    fields: &MAILBOX_FIELDS_ALL,
    not_stored: &["CustomAttribute1", "Department", "DistinguishedName", "MemberOfGroup", "Database", "OrganizationalUnit", "ObjectClass", "ObjectCategory"],
    hints: &[
        ("MapiHttpEnabled", "Get-CASMailbox -ResultSize Unlimited | Where-Object {$_.MapiHttpEnabled -eq $true}"),
        ("MAPIEnabled", "Get-CASMailbox -Filter 'MAPIEnabled -eq $false' (Get-Mailbox does not have the client access settings)"),
    ],
};
