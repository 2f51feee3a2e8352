//! Resolving identity parameters (VirtualDirectoryIdParameter, MailboxIdParameter,
//! ServerIdParameter) against the store, in all the forms Exchange accepts.

use mapish_store::{Mailbox, MapiVirtualDirectory, Server, Store, Uuid};

use crate::record::ErrorRecord;
use crate::run::wildcard_match;
use crate::value::Value;

/// The text and, for piped objects, the Guid an identity argument carries.
pub struct IdentityArg {
    pub text: String,
    pub guid: Option<Uuid>,
}

impl IdentityArg {
    pub fn from_value(v: &Value) -> Option<IdentityArg> {
        match v {
            Value::Null => None,
            Value::Guid(g) => Some(IdentityArg { text: g.to_string(), guid: Some(*g) }),
            Value::Object(o) => {
                let guid = match o.get("Guid") {
                    Some(Value::Guid(g)) => Some(*g),
                    _ => None,
                };
                let text = o.get("Identity").or_else(|| o.get("Name")).map(Value::to_text).unwrap_or_default();
                Some(IdentityArg { text, guid })
            }
            other => {
                let text = other.to_text();
                let guid = Uuid::parse_str(text.trim().trim_matches(|c| c == '{' || c == '}')).ok();
                Some(IdentityArg { text, guid })
            }
        }
    }

    fn has_wildcard(&self) -> bool {
        self.text.contains(['*', '?'])
    }
}

pub fn find_vdirs(store: &Store, id: &IdentityArg) -> Result<Vec<MapiVirtualDirectory>, ErrorRecord> {
    let all = store.mapi_virtual_directories()?;
    if let Some(g) = id.guid {
        return Ok(all.into_iter().filter(|v| v.guid == g).collect());
    }
    let text = id.text.trim();
    Ok(all
        .into_iter()
        .filter(|v| {
            let (identity, name) = (v.identity(), v.name());
            if id.has_wildcard() {
                wildcard_match(text, &identity, false) || (!text.contains('\\') && wildcard_match(text, &name, false))
            } else {
                identity.eq_ignore_ascii_case(text) || name.eq_ignore_ascii_case(text)
            }
        })
        .collect())
}

pub fn find_mailboxes(store: &Store, id: &IdentityArg) -> Result<Vec<Mailbox>, ErrorRecord> {
    if let Some(g) = id.guid {
        return Ok(store.mailbox(g)?.into_iter().collect());
    }
    let text = id.text.trim();
    if id.has_wildcard() {
        // A trailing `*` on a name is an index prefix scan; other patterns need a scan.
        let prefix = text.trim_end_matches('*');
        if !prefix.contains(['*', '?', '[']) && !prefix.is_empty() {
            return Ok(store.mailboxes_with_name_prefix(prefix, usize::MAX)?);
        }
        let mut found = Vec::new();
        for m in store.mailboxes() {
            let m = m?;
            if [&m.name, &m.alias, &m.primary_smtp_address].iter().any(|p| wildcard_match(text, p, false)) {
                found.push(m);
            }
        }
        return Ok(found);
    }
    let mut found = store.find_mailboxes(text)?;
    if found.is_empty() {
        // DOMAIN\user names the account; mapish keeps no domain, so the user part is the alias.
        if let Some((_, user)) = text.split_once('\\') {
            found = store.find_mailboxes(user)?;
        }
    }
    Ok(found)
}

pub fn find_server(store: &Store, id: &IdentityArg) -> Result<Option<Server>, ErrorRecord> {
    if let Some(g) = id.guid {
        return Ok(store.servers()?.into_iter().find(|s| s.guid == g));
    }
    Ok(store.server(id.text.trim())?)
}
