//! Typed reads over any `KvRead`, shared by `Store` (outside transactions) and `Tx` (inside).

use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::StoreError;
use crate::keys::{self, MailboxIndex};
use crate::kv::{KvRead, KvWrite};
use crate::model::mailbox::Mailbox;
use crate::model::mapi_vdir::MapiVirtualDirectory;
use crate::model::organization::Organization;
use crate::model::server::Server;

pub(crate) fn key_text(key: &[u8]) -> String {
    String::from_utf8_lossy(key).into_owned()
}

pub(crate) fn decode<T: DeserializeOwned>(key: &[u8], bytes: &[u8]) -> Result<T, StoreError> {
    serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
        key: key_text(key),
        reason: e.to_string(),
    })
}

pub(crate) fn get_json<T: DeserializeOwned>(
    kv: &(impl KvRead + ?Sized),
    key: &[u8],
) -> Result<Option<T>, StoreError> {
    kv.get(key)?.map(|bytes| decode(key, &bytes)).transpose()
}

pub(crate) fn put_json<T: Serialize>(
    kv: &(impl KvWrite + ?Sized),
    key: &[u8],
    value: &T,
) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(value).map_err(|e| StoreError::Corrupt {
        key: key_text(key),
        reason: format!("cannot encode: {e}"),
    })?;
    kv.insert(key, &bytes)
}

/// Parses a guid stored as the value of an index entry.
pub(crate) fn guid_value(key: &[u8], bytes: &[u8]) -> Result<Uuid, StoreError> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| StoreError::Corrupt {
            key: key_text(key),
            reason: "the value is not a guid".into(),
        })
}

pub(crate) fn get_u64(kv: &(impl KvRead + ?Sized), key: &[u8]) -> Result<Option<u64>, StoreError> {
    kv.get(key)?
        .map(|bytes| {
            std::str::from_utf8(&bytes)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| StoreError::Corrupt {
                    key: key_text(key),
                    reason: "the value is not a number".into(),
                })
        })
        .transpose()
}

pub(crate) fn put_u64(
    kv: &(impl KvWrite + ?Sized),
    key: &[u8],
    value: u64,
) -> Result<(), StoreError> {
    kv.insert(key, value.to_string().as_bytes())
}

pub(crate) fn organization(kv: &(impl KvRead + ?Sized)) -> Result<Organization, StoreError> {
    get_json(kv, keys::ORGANIZATION)?.ok_or(StoreError::NotInitialized)
}

pub(crate) fn guid_list(kv: &(impl KvRead + ?Sized), key: &[u8]) -> Result<Vec<Uuid>, StoreError> {
    Ok(get_json(kv, key)?.unwrap_or_default())
}

/// Servers sorted by name, case-insensitive.
pub(crate) fn servers(kv: &(impl KvRead + ?Sized)) -> Result<Vec<Server>, StoreError> {
    let mut out = Vec::new();
    for guid in guid_list(kv, keys::SERVER_LIST)? {
        if let Some(s) = get_json::<Server>(kv, &keys::server(guid))? {
            out.push(s);
        }
    }
    out.sort_by_cached_key(|s| keys::fold(&s.name));
    Ok(out)
}

pub(crate) fn server(
    kv: &(impl KvRead + ?Sized),
    name_or_fqdn: &str,
) -> Result<Option<Server>, StoreError> {
    Ok(servers(kv)?.into_iter().find(|s| s.is_named(name_or_fqdn)))
}

/// MAPI virtual directories sorted by server, then website, case-insensitive.
pub(crate) fn mapi_vdirs(
    kv: &(impl KvRead + ?Sized),
) -> Result<Vec<MapiVirtualDirectory>, StoreError> {
    let mut out = Vec::new();
    for guid in guid_list(kv, keys::MAPI_VDIR_LIST)? {
        if let Some(v) = get_json::<MapiVirtualDirectory>(kv, &keys::mapi_vdir(guid))? {
            out.push(v);
        }
    }
    out.sort_by_cached_key(|v| (keys::fold(&v.server), keys::fold(&v.website)));
    Ok(out)
}

pub(crate) fn mapi_vdir(
    kv: &(impl KvRead + ?Sized),
    guid: Uuid,
) -> Result<Option<MapiVirtualDirectory>, StoreError> {
    get_json(kv, &keys::mapi_vdir(guid))
}

pub(crate) fn mailbox(
    kv: &(impl KvRead + ?Sized),
    guid: Uuid,
) -> Result<Option<Mailbox>, StoreError> {
    get_json(kv, &keys::mailbox(guid))
}

/// The guid an index entry points at, if any.
pub(crate) fn indexed_guid(
    kv: &(impl KvRead + ?Sized),
    index: MailboxIndex,
    value: &str,
) -> Result<Option<Uuid>, StoreError> {
    let key = index.key(value);
    kv.get(&key)?
        .map(|bytes| guid_value(&key, &bytes))
        .transpose()
}

/// Every distinct mailbox `key` names through one of the unique properties or its Guid string.
pub(crate) fn find_mailboxes(
    kv: &(impl KvRead + ?Sized),
    key: &str,
) -> Result<Vec<Mailbox>, StoreError> {
    let mut guids: Vec<Uuid> = Vec::new();
    if let Ok(guid) = Uuid::parse_str(key.trim()) {
        guids.push(guid);
    }
    if !key.is_empty() {
        for index in MailboxIndex::ALL {
            if let Some(guid) = indexed_guid(kv, index, key)?
                && !guids.contains(&guid)
            {
                guids.push(guid);
            }
        }
    }
    let mut out = Vec::with_capacity(guids.len());
    for guid in guids {
        // Outside a transaction an index entry can briefly outlive its mailbox; such a hit is simply no match.
        if let Some(m) = mailbox(kv, guid)? {
            out.push(m);
        }
    }
    Ok(out)
}
