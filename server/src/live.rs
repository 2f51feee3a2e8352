//! The live configuration: a snapshot of everything a request needs from the store (the organization, the
//! served server and its MAPI virtual directory), swapped whole when the store reports a change.
//!
//! Mailboxes are not in the snapshot: a store may hold 100k of them, and a request reads the one it needs
//! (a sled point read costs microseconds), so a mailbox change is in effect for the very next request.

use std::sync::{Arc, RwLock};

use mapish_store::{AuthMethod, MapiVirtualDirectory, Organization, Server, Store, StoreError};

use crate::auth::ntlm::TargetNames;
use crate::auth::target_names;
use crate::error::ServeError;

/// The organization, server and directory as of one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The organization (`None` only if someone deleted it under us).
    pub org: Option<Organization>,
    /// The server this process serves, if it still exists.
    pub server: Option<Server>,
    /// That server's MAPI virtual directory; `None` means `/mapi/emsmdb` and `/mapi/nspi` do not exist.
    pub vdir: Option<MapiVirtualDirectory>,
    /// The names an NTLM CHALLENGE announces, derived from `server` once per snapshot rather than per request.
    pub ntlm_names: TargetNames,
}

/// Authentication methods this build can complete (Negotiate with NTLM inside; no Kerberos). OAuth is never
/// offered: offering a scheme we cannot finish would strand clients mid-handshake.
pub const COMPLETABLE: &[AuthMethod] =
    &[AuthMethod::Basic, AuthMethod::Ntlm, AuthMethod::Negotiate];

impl Snapshot {
    /// The directory's IISAuthenticationMethods that this server can complete, in configured order.
    pub fn completable_methods(&self) -> Vec<AuthMethod> {
        self.vdir
            .as_ref()
            .map(|v| {
                v.iis_authentication_methods
                    .iter()
                    .copied()
                    .filter(|m| COMPLETABLE.contains(m))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Configured methods that are not offered.
    pub fn unsupported_methods(&self) -> Vec<AuthMethod> {
        self.vdir
            .as_ref()
            .map(|v| {
                v.iis_authentication_methods
                    .iter()
                    .copied()
                    .filter(|m| !COMPLETABLE.contains(m))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The host names a certificate for this server must cover: those of the directory's URLs, then the
    /// server's FQDN; lower case, without duplicates.
    pub fn host_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        if let Some(v) = &self.vdir {
            for url in [&v.internal_url, &v.external_url].into_iter().flatten() {
                if let Some(host) = url_host(url) {
                    names.push(host);
                }
            }
        }
        if let Some(s) = &self.server
            && !s.fqdn.is_empty()
        {
            names.push(s.fqdn.to_ascii_lowercase());
        }
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        names
    }

    /// The server's FQDN (or name), for realms and the health page.
    pub fn server_label(&self) -> String {
        self.server
            .as_ref()
            .map(|s| {
                if s.fqdn.is_empty() {
                    s.name.clone()
                } else {
                    s.fqdn.clone()
                }
            })
            .unwrap_or_default()
    }

    /// Whether the organization lets a mailbox that does not decide for itself use MAPI over HTTP.
    pub fn org_mapi_http(&self) -> bool {
        self.org.as_ref().is_some_and(|o| o.mapi_http_enabled)
    }
}

/// The host of an `http(s)://host[:port]/…` URL, lower case; `None` if it has none.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        authority.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The current snapshot and how to rebuild it.
pub struct Live {
    store: Store,
    /// The served server, followed by Guid (survives a rename), else by this name.
    server_guid: RwLock<Option<mapish_store::Uuid>>,
    server_name: String,
    current: RwLock<Arc<Snapshot>>,
}

impl Live {
    /// Resolves which server to serve and loads the first snapshot.
    pub fn load(store: Store, wanted: Option<&str>) -> Result<Live, ServeError> {
        if !store.is_initialized()? {
            return Err(ServeError::NotInitialized);
        }
        let server = choose_server(&store, wanted)?;
        let live = Live {
            store,
            server_guid: RwLock::new(Some(server.guid)),
            server_name: server.name.clone(),
            current: RwLock::new(Arc::new(Snapshot::default())),
        };
        live.reload()?;
        Ok(live)
    }

    /// The snapshot in force.
    pub fn current(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(g) => Arc::clone(&g),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Re-reads the store and swaps the snapshot; returns (old, new).
    pub fn reload(&self) -> Result<(Arc<Snapshot>, Arc<Snapshot>), StoreError> {
        let org = match self.store.organization() {
            Ok(o) => Some(o),
            Err(StoreError::NotInitialized) => None,
            Err(e) => return Err(e),
        };
        let servers = self.store.servers()?;
        let guid = *self.server_guid.read().unwrap_or_else(|p| p.into_inner());
        let server = servers
            .iter()
            .find(|s| Some(s.guid) == guid)
            .or_else(|| servers.iter().find(|s| s.is_named(&self.server_name)))
            .cloned();
        if let Some(s) = &server {
            *self.server_guid.write().unwrap_or_else(|p| p.into_inner()) = Some(s.guid);
        }
        let vdir = match &server {
            Some(s) => {
                let mut vdirs: Vec<MapiVirtualDirectory> = self
                    .store
                    .mapi_virtual_directories()?
                    .into_iter()
                    .filter(|v| v.server.eq_ignore_ascii_case(&s.name))
                    .collect();
                // One website is all we serve; prefer Exchange's own.
                vdirs.sort_by_key(|v| v.website != mapish_store::DEFAULT_WEBSITE);
                vdirs.into_iter().next()
            }
            None => None,
        };
        let ntlm_names = match &server {
            Some(s) => target_names(&s.name, &s.fqdn),
            None => target_names("", ""),
        };
        let new = Arc::new(Snapshot {
            org,
            server,
            vdir,
            ntlm_names,
        });
        let mut slot = self.current.write().unwrap_or_else(|p| p.into_inner());
        let old = std::mem::replace(&mut *slot, Arc::clone(&new));
        Ok((old, new))
    }
}

/// `--server NAME`, else the only server, else the one named like this host.
fn choose_server(store: &Store, wanted: Option<&str>) -> Result<Server, ServeError> {
    let servers = store.servers()?;
    let known = || {
        servers
            .iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(name) = wanted {
        return servers
            .iter()
            .find(|s| s.is_named(name))
            .cloned()
            .ok_or_else(|| ServeError::UnknownServer {
                name: name.to_string(),
                known: known(),
            });
    }
    match servers.as_slice() {
        [] => Err(ServeError::NoServer),
        [only] => Ok(only.clone()),
        _ => {
            let host = host_name();
            let short = host.split('.').next().unwrap_or_default().to_string();
            servers
                .iter()
                .find(|s| !host.is_empty() && (s.is_named(&host) || s.is_named(&short)))
                .cloned()
                .ok_or_else(|| ServeError::AmbiguousServer { known: known() })
        }
    }
}

/// This machine's host name, without a dependency for one syscall.
fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapish_store::InitParams;

    fn store() -> Store {
        let s = Store::open_temporary().unwrap();
        s.initialize(&InitParams {
            organization: "Contoso".into(),
            server: "EX01".into(),
            fqdn: "ex01.contoso.com".into(),
        })
        .unwrap();
        s
    }

    #[test]
    fn url_hosts() {
        assert_eq!(
            url_host("https://Mail.Contoso.com/mapi").as_deref(),
            Some("mail.contoso.com")
        );
        assert_eq!(
            url_host("http://127.0.0.1:8080/mapi").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(url_host("https://[::1]:443/x").as_deref(), Some("::1"));
        assert_eq!(url_host("https:///x"), None);
    }

    #[test]
    fn snapshot_follows_the_store() {
        let store = store();
        let live = Live::load(store.clone(), None).unwrap();
        let snap = live.current();
        assert_eq!(snap.server.as_ref().unwrap().name, "EX01");
        assert!(snap.vdir.is_some());
        assert!(!snap.org_mapi_http());
        // Exchange's defaults are Ntlm, OAuth, Negotiate: all but OAuth can be completed.
        assert_eq!(
            snap.completable_methods(),
            vec![AuthMethod::Ntlm, AuthMethod::Negotiate]
        );
        assert_eq!(snap.unsupported_methods(), vec![AuthMethod::OAuth]);
        assert_eq!(snap.host_names(), vec!["ex01.contoso.com".to_string()]);

        let mut v = snap.vdir.clone().unwrap();
        v.iis_authentication_methods = vec![AuthMethod::Ntlm, AuthMethod::Basic];
        v.external_url = Some("https://mail.contoso.com/mapi".into());
        store
            .update(|tx| tx.put_mapi_virtual_directory(&v))
            .unwrap();
        let (old, new) = live.reload().unwrap();
        assert_ne!(old, new);
        assert_eq!(
            new.completable_methods(),
            vec![AuthMethod::Ntlm, AuthMethod::Basic]
        );
        assert_eq!(
            new.host_names(),
            vec!["ex01.contoso.com".to_string(), "mail.contoso.com".into()]
        );

        store
            .update(|tx| tx.delete_mapi_virtual_directory(v.guid))
            .unwrap();
        let (_, new) = live.reload().unwrap();
        assert!(new.vdir.is_none());
    }

    #[test]
    fn server_choice() {
        let store = store();
        assert!(matches!(
            Live::load(store.clone(), Some("EX02")),
            Err(ServeError::UnknownServer { .. })
        ));
        assert!(Live::load(store.clone(), Some("ex01.CONTOSO.com")).is_ok());
        store
            .update(|tx| tx.put_server(&Server::new("EX02", "ex02.contoso.com")))
            .unwrap();
        let err = Live::load(store.clone(), None);
        // Unless this test machine happens to be called EX01 or EX02.
        if !["ex01", "ex02"].contains(&host_name().to_ascii_lowercase().as_str()) {
            assert!(matches!(err, Err(ServeError::AmbiguousServer { .. })));
        }
        let uninit = Store::open_temporary().unwrap();
        assert!(matches!(
            Live::load(uninit, None),
            Err(ServeError::NotInitialized)
        ));
    }
}
