//! `Tx`: the typed view of one transaction, and the invariants every write keeps (uniqueness, indexes, lists).

use uuid::Uuid;

use crate::error::StoreError;
use crate::keys::{self, MailboxIndex};
use crate::kv::KvWrite;
use crate::model::mailbox::Mailbox;
use crate::model::mapi_vdir::MapiVirtualDirectory;
use crate::model::organization::Organization;
use crate::model::server::Server;
use crate::records;
use crate::watch::ObjectKind;

/// One transaction, handed to the closure of `Store::update`.
///
/// Reads see the transaction's own earlier writes. Nothing is visible to others until the closure returns `Ok` and
/// the transaction commits; an `Err` discards every write.
pub struct Tx<'a> {
    kv: &'a dyn KvWrite,
}

impl<'a> Tx<'a> {
    pub(crate) fn new(kv: &'a dyn KvWrite) -> Tx<'a> {
        Tx { kv }
    }
}

impl Tx<'_> {
    /// The organization; `StoreError::NotInitialized` if there is none.
    pub fn organization(&self) -> Result<Organization, StoreError> {
        records::organization(self.kv)
    }

    /// Inserts or replaces the organization.
    pub fn put_organization(&mut self, o: &Organization) -> Result<(), StoreError> {
        if o.name.trim().is_empty() {
            return Err(StoreError::Invalid {
                property: "Name",
                reason: "the organization needs a name".into(),
            });
        }
        records::put_json(self.kv, keys::ORGANIZATION, o)
    }

    /// Every server, sorted by name (case-insensitive).
    pub fn servers(&self) -> Result<Vec<Server>, StoreError> {
        records::servers(self.kv)
    }

    /// The server whose Name or Fqdn is `name_or_fqdn` (case-insensitive).
    pub fn server(&self, name_or_fqdn: &str) -> Result<Option<Server>, StoreError> {
        records::server(self.kv, name_or_fqdn)
    }

    /// Inserts or replaces a server (by Guid). Name and Fqdn must be unique among servers.
    pub fn put_server(&mut self, s: &Server) -> Result<(), StoreError> {
        if s.name.trim().is_empty() {
            return Err(StoreError::Invalid {
                property: "Name",
                reason: "a server needs a name".into(),
            });
        }
        let others = self.servers()?;
        for other in others.iter().filter(|o| o.guid != s.guid) {
            if other.name.eq_ignore_ascii_case(&s.name) || other.fqdn.eq_ignore_ascii_case(&s.name)
            {
                return Err(StoreError::Duplicate {
                    property: "Name",
                    value: s.name.clone(),
                });
            }
            if !s.fqdn.is_empty()
                && (other.fqdn.eq_ignore_ascii_case(&s.fqdn)
                    || other.name.eq_ignore_ascii_case(&s.fqdn))
            {
                return Err(StoreError::Duplicate {
                    property: "Fqdn",
                    value: s.fqdn.clone(),
                });
            }
        }
        records::put_json(self.kv, &keys::server(s.guid), s)?;
        self.add_to_list(keys::SERVER_LIST, s.guid)
    }

    /// Deletes a server; `StoreError::NotFound` if there is none with this Guid. The caller removes the server's
    /// virtual directory first: a directory whose server is gone would be served by nobody.
    pub fn delete_server(&mut self, guid: Uuid) -> Result<(), StoreError> {
        let key = keys::server(guid);
        if self.kv.get(&key)?.is_none() {
            return Err(StoreError::NotFound {
                kind: ObjectKind::Server,
                id: guid.to_string(),
            });
        }
        self.kv.remove(&key)?;
        let mut list = records::guid_list(self.kv, keys::SERVER_LIST)?;
        list.retain(|g| *g != guid);
        records::put_json(self.kv, keys::SERVER_LIST, &list)
    }

    /// Every MAPI virtual directory, sorted by server, then website.
    pub fn mapi_virtual_directories(&self) -> Result<Vec<MapiVirtualDirectory>, StoreError> {
        records::mapi_vdirs(self.kv)
    }

    /// The MAPI virtual directory with this Guid.
    pub fn mapi_virtual_directory(
        &self,
        guid: Uuid,
    ) -> Result<Option<MapiVirtualDirectory>, StoreError> {
        records::mapi_vdir(self.kv, guid)
    }

    /// Inserts or replaces a MAPI virtual directory (by Guid). Its Identity (server and website) must be unique.
    pub fn put_mapi_virtual_directory(
        &mut self,
        v: &MapiVirtualDirectory,
    ) -> Result<(), StoreError> {
        if v.server.trim().is_empty() {
            return Err(StoreError::Invalid {
                property: "Server",
                reason: "a virtual directory needs a server".into(),
            });
        }
        if v.website.trim().is_empty() {
            return Err(StoreError::Invalid {
                property: "WebSiteName",
                reason: "a virtual directory needs a website".into(),
            });
        }
        let clash = self.mapi_virtual_directories()?.into_iter().any(|o| {
            o.guid != v.guid
                && o.server.eq_ignore_ascii_case(&v.server)
                && o.website.eq_ignore_ascii_case(&v.website)
        });
        if clash {
            return Err(StoreError::Duplicate {
                property: "Identity",
                value: v.identity(),
            });
        }
        records::put_json(self.kv, &keys::mapi_vdir(v.guid), v)?;
        self.add_to_list(keys::MAPI_VDIR_LIST, v.guid)
    }

    /// Deletes a MAPI virtual directory; `StoreError::NotFound` if there is none with this Guid.
    pub fn delete_mapi_virtual_directory(&mut self, guid: Uuid) -> Result<(), StoreError> {
        let key = keys::mapi_vdir(guid);
        if self.kv.get(&key)?.is_none() {
            return Err(StoreError::NotFound {
                kind: ObjectKind::MapiVirtualDirectory,
                id: guid.to_string(),
            });
        }
        self.kv.remove(&key)?;
        let mut list = records::guid_list(self.kv, keys::MAPI_VDIR_LIST)?;
        list.retain(|g| *g != guid);
        records::put_json(self.kv, keys::MAPI_VDIR_LIST, &list)
    }

    /// The mailbox with this Guid.
    pub fn mailbox(&self, guid: Uuid) -> Result<Option<Mailbox>, StoreError> {
        records::mailbox(self.kv, guid)
    }

    /// Every distinct mailbox whose Name, Alias, PrimarySmtpAddress, UserPrincipalName, LegacyExchangeDN or Guid
    /// string equals `key` (case-insensitive).
    pub fn find_mailboxes(&self, key: &str) -> Result<Vec<Mailbox>, StoreError> {
        records::find_mailboxes(self.kv, key)
    }

    /// Inserts or replaces a mailbox (by Guid) and keeps its indexes in step.
    ///
    /// Name (never empty), Alias, PrimarySmtpAddress, UserPrincipalName and LegacyExchangeDN must each be unique
    /// among mailboxes, case-insensitive; empty optional values are not indexed. A clash is
    /// `StoreError::Duplicate` and writes nothing.
    pub fn put_mailbox(&mut self, m: &Mailbox) -> Result<(), StoreError> {
        let old = self.mailbox(m.guid)?;
        self.write_mailbox(m, old.as_ref())?;
        if old.is_none() {
            self.adjust_mailbox_count(1)?;
            crate::model::folder::create(self.kv, m)?;
        }
        Ok(())
    }

    /// Deletes a mailbox and its index entries; `StoreError::NotFound` if there is none with this Guid.
    pub fn delete_mailbox(&mut self, guid: Uuid) -> Result<(), StoreError> {
        let Some(old) = self.mailbox(guid)? else {
            return Err(StoreError::NotFound {
                kind: ObjectKind::Mailbox,
                id: guid.to_string(),
            });
        };
        for index in MailboxIndex::ALL {
            self.remove_index_entry(index, index.value(&old), guid)?;
        }
        self.kv.remove(&keys::mailbox(guid))?;
        crate::model::folder::remove(self.kv, guid)?;
        self.adjust_mailbox_count(-1)
    }

    /// Writes `m` with its index entries, given the currently stored version `old` (`None` also when the object
    /// exists but was never indexed, as in a schema migration). Checks everything before writing anything, so a
    /// caller that ignores the error still leaves no partial write behind.
    pub(crate) fn write_mailbox(
        &mut self,
        m: &Mailbox,
        old: Option<&Mailbox>,
    ) -> Result<(), StoreError> {
        if m.name.trim().is_empty() {
            return Err(StoreError::Invalid {
                property: "Name",
                reason: "a mailbox needs a name".into(),
            });
        }
        for index in MailboxIndex::ALL {
            let value = index.value(m);
            if value.is_empty() {
                continue;
            }
            if let Some(holder) = records::indexed_guid(self.kv, index, value)?
                && holder != m.guid
            {
                return Err(StoreError::Duplicate {
                    property: index.property(),
                    value: value.to_string(),
                });
            }
        }
        for index in MailboxIndex::ALL {
            let new_value = index.value(m);
            if let Some(old) = old {
                let old_value = index.value(old);
                if keys::fold(old_value) != keys::fold(new_value) {
                    self.remove_index_entry(index, old_value, m.guid)?;
                }
            }
            if !new_value.is_empty() {
                self.kv
                    .insert(&index.key(new_value), m.guid.to_string().as_bytes())?;
            }
        }
        records::put_json(self.kv, &keys::mailbox(m.guid), m)
    }

    /// Removes an index entry only if it still points at `guid`, so a stale value never unlinks another mailbox.
    fn remove_index_entry(
        &mut self,
        index: MailboxIndex,
        value: &str,
        guid: Uuid,
    ) -> Result<(), StoreError> {
        if value.is_empty() {
            return Ok(());
        }
        if records::indexed_guid(self.kv, index, value)? == Some(guid) {
            self.kv.remove(&index.key(value))?;
        }
        Ok(())
    }

    fn adjust_mailbox_count(&mut self, delta: i64) -> Result<(), StoreError> {
        let count = records::get_u64(self.kv, keys::MAILBOX_COUNT)?.unwrap_or(0);
        let count = count.saturating_add_signed(delta);
        records::put_u64(self.kv, keys::MAILBOX_COUNT, count)
    }

    pub(crate) fn set_mailbox_count(&mut self, count: u64) -> Result<(), StoreError> {
        records::put_u64(self.kv, keys::MAILBOX_COUNT, count)
    }

    pub(crate) fn set_schema_version(&mut self, version: u32) -> Result<(), StoreError> {
        records::put_u64(self.kv, keys::SCHEMA_VERSION, u64::from(version))
    }

    pub(crate) fn set_guid_list(&mut self, key: &[u8], guids: &[Uuid]) -> Result<(), StoreError> {
        records::put_json(self.kv, key, &guids)
    }

    fn add_to_list(&mut self, key: &[u8], guid: Uuid) -> Result<(), StoreError> {
        let mut list = records::guid_list(self.kv, key)?;
        if !list.contains(&guid) {
            list.push(guid);
            records::put_json(self.kv, key, &list)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::test_util::{mailbox, names, put};
    use crate::{MapiVirtualDirectory, ObjectKind, Server, Store, StoreError};

    #[derive(Debug, PartialEq)]
    enum AppError {
        Store(String),
        Refused,
    }

    impl From<StoreError> for AppError {
        fn from(e: StoreError) -> AppError {
            AppError::Store(e.to_string())
        }
    }

    #[test]
    fn an_error_from_the_closure_writes_nothing() {
        let store = Store::open_temporary().unwrap();
        let alice = mailbox("Alice", "alice");
        let result: Result<(), AppError> = store.update(|tx| {
            tx.put_mailbox(&alice)?;
            tx.put_server(&Server::new("EX02", "ex02.contoso.com"))?;
            assert_eq!(
                tx.find_mailboxes("alice")?.len(),
                1,
                "a transaction sees its own writes"
            );
            Err(AppError::Refused)
        });
        assert_eq!(result, Err(AppError::Refused));
        assert_eq!(store.mailbox(alice.guid).unwrap(), None);
        assert!(store.find_mailboxes("alice").unwrap().is_empty());
        assert!(store.servers().unwrap().is_empty());
        assert_eq!(store.mailbox_count().unwrap(), 0);
    }

    #[test]
    fn each_unique_property_clash_is_a_duplicate_and_writes_nothing() {
        let store = Store::open_temporary().unwrap();
        let alice = mailbox("Alice", "alice");
        put(&store, &alice).unwrap();

        let mut clash_alias = mailbox("Alice Two", "ALICE");
        clash_alias.primary_smtp_address = "alice2@contoso.com".into();
        clash_alias.user_principal_name = "alice2@contoso.com".into();
        let mut clash_name = mailbox("alice", "alice3");
        clash_name.display_name = "x".into();
        let mut clash_smtp = mailbox("Alice Four", "alice4");
        clash_smtp.primary_smtp_address = "Alice@Contoso.com".into();
        let mut clash_upn = mailbox("Alice Five", "alice5");
        clash_upn.user_principal_name = "alice@CONTOSO.com".into();
        let mut clash_dn = mailbox("Alice Six", "alice6");
        clash_dn.legacy_exchange_dn = alice.legacy_exchange_dn.to_uppercase();

        for (m, property) in [
            (&clash_alias, "Alias"),
            (&clash_name, "Name"),
            (&clash_smtp, "PrimarySmtpAddress"),
            (&clash_upn, "UserPrincipalName"),
            (&clash_dn, "LegacyExchangeDN"),
        ] {
            // A bystander written earlier in the same transaction must vanish with it.
            let bystander = mailbox(&format!("Bystander {property}"), &format!("by{property}"));
            let err = store
                .update(|tx| {
                    tx.put_mailbox(&bystander)?;
                    tx.put_mailbox(m)
                })
                .unwrap_err();
            match err {
                StoreError::Duplicate { property: p, .. } => assert_eq!(p, property),
                other => panic!("expected Duplicate {property}, got {other:?}"),
            }
            assert_eq!(store.mailbox(m.guid).unwrap(), None);
            assert_eq!(store.mailbox(bystander.guid).unwrap(), None);
        }
        assert_eq!(store.mailbox_count().unwrap(), 1);
        assert_eq!(store.mailboxes().count(), 1);
    }

    #[test]
    fn a_failed_put_leaves_no_partial_write_even_if_the_closure_goes_on() {
        let store = Store::open_temporary().unwrap();
        let alice = mailbox("Alice", "alice");
        put(&store, &alice).unwrap();
        // New name is free but the alias clashes: the free name must not be claimed.
        let mut intruder = mailbox("Zed", "zed");
        store.update(|tx| tx.put_mailbox(&intruder)).unwrap();
        intruder.name = "Zed Renamed".into();
        intruder.alias = "alice".into();
        store
            .update(|tx| {
                assert!(matches!(
                    tx.put_mailbox(&intruder),
                    Err(StoreError::Duplicate {
                        property: "Alias",
                        ..
                    })
                ));
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert!(store.find_mailboxes("Zed Renamed").unwrap().is_empty());
        assert_eq!(names(&store.find_mailboxes("zed").unwrap()), ["Zed"]);
    }

    #[test]
    fn name_may_equal_another_alias_and_find_returns_both() {
        let store = Store::open_temporary().unwrap();
        let a = mailbox("bob", "robert");
        let b = mailbox("Bob Smith", "BOB");
        put(&store, &a).unwrap();
        put(&store, &b).unwrap();
        assert_eq!(
            names(&store.find_mailboxes("Bob").unwrap()),
            ["bob", "Bob Smith"]
        );
        assert_eq!(
            names(&store.find_mailboxes(&b.guid.to_string()).unwrap()),
            ["Bob Smith"]
        );
        assert_eq!(
            names(
                &store
                    .find_mailboxes(&b.guid.to_string().to_uppercase())
                    .unwrap()
            ),
            ["Bob Smith"]
        );
        assert_eq!(
            names(&store.find_mailboxes(&a.legacy_exchange_dn).unwrap()),
            ["bob"]
        );
        assert_eq!(
            names(&store.find_mailboxes("ROBERT@contoso.com").unwrap()),
            ["bob"]
        );
        assert!(store.find_mailboxes("bo").unwrap().is_empty());
        assert!(store.find_mailboxes("").unwrap().is_empty());
    }

    #[test]
    fn indexes_follow_renames_and_deletes() {
        let store = Store::open_temporary().unwrap();
        let mut m = mailbox("Alice", "alice");
        put(&store, &m).unwrap();
        m.name = "Alice Cooper".into();
        m.alias = "acooper".into();
        m.primary_smtp_address = "acooper@contoso.com".into();
        put(&store, &m).unwrap();
        assert_eq!(store.mailbox_count().unwrap(), 1);
        assert!(store.find_mailboxes("Alice").unwrap().is_empty());
        assert!(store.find_mailboxes("alice").unwrap().is_empty());
        assert!(
            store.find_mailboxes("alice@contoso.com").unwrap().len() == 1,
            "the UPN did not change"
        );
        assert_eq!(
            names(&store.find_mailboxes("ACOOPER").unwrap()),
            ["Alice Cooper"]
        );
        assert_eq!(
            names(&store.mailboxes_with_name_prefix("alice", 10).unwrap()),
            ["Alice Cooper"]
        );
        // The freed values are usable by another mailbox.
        put(&store, &mailbox("Alice", "alice2")).unwrap();

        // A case-only rename keeps the entry.
        m.name = "ALICE COOPER".into();
        put(&store, &m).unwrap();
        assert_eq!(
            names(&store.find_mailboxes("alice cooper").unwrap()),
            ["ALICE COOPER"]
        );

        store.update(|tx| tx.delete_mailbox(m.guid)).unwrap();
        assert_eq!(store.mailbox_count().unwrap(), 1);
        assert!(store.find_mailboxes("acooper").unwrap().is_empty());
        assert_eq!(
            names(&store.mailboxes().map(Result::unwrap).collect::<Vec<_>>()),
            ["Alice"]
        );
        let err = store.update(|tx| tx.delete_mailbox(m.guid)).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::NotFound {
                    kind: ObjectKind::Mailbox,
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn an_empty_name_is_refused() {
        let store = Store::open_temporary().unwrap();
        let err = put(&store, &mailbox("  ", "x")).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    property: "Name",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    #[test]
    fn servers_and_virtual_directories_use_their_lists() {
        let store = Store::open_temporary().unwrap();
        let ex02 = Server::new("EX02", "ex02.contoso.com");
        let ex01 = Server::new("ex01", "ex01.contoso.com");
        let v2 = MapiVirtualDirectory::with_defaults(&ex02);
        let v1 = MapiVirtualDirectory::with_defaults(&ex01);
        store
            .update(|tx| {
                tx.put_server(&ex02)?;
                tx.put_server(&ex01)?;
                tx.put_mapi_virtual_directory(&v2)?;
                tx.put_mapi_virtual_directory(&v1)?;
                assert_eq!(tx.servers()?.len(), 2);
                assert_eq!(
                    tx.server("EX02.contoso.com")?.map(|s| s.guid),
                    Some(ex02.guid)
                );
                assert_eq!(tx.mapi_virtual_directories()?.len(), 2);
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let servers = store.servers().unwrap();
        assert_eq!(
            servers.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
            ["ex01", "EX02"]
        );
        let vdirs = store.mapi_virtual_directories().unwrap();
        assert_eq!(
            vdirs.iter().map(|v| v.guid).collect::<Vec<_>>(),
            [v1.guid, v2.guid]
        );

        let dup_server = Server::new("EX01", "other.contoso.com");
        let err = store.update(|tx| tx.put_server(&dup_server)).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Duplicate {
                    property: "Name",
                    ..
                }
            ),
            "{err:?}"
        );
        let dup_vdir = MapiVirtualDirectory::with_defaults(&ex01);
        let err = store
            .update(|tx| tx.put_mapi_virtual_directory(&dup_vdir))
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Duplicate {
                    property: "Identity",
                    ..
                }
            ),
            "{err:?}"
        );

        let mut changed = v1.clone();
        changed.external_url = Some("https://mail.contoso.com/mapi".into());
        store
            .update(|tx| tx.put_mapi_virtual_directory(&changed))
            .unwrap();
        assert_eq!(store.mapi_virtual_directories().unwrap().len(), 2);
        assert_eq!(
            store.mapi_virtual_directory(v1.guid).unwrap(),
            Some(changed)
        );

        store
            .update(|tx| tx.delete_mapi_virtual_directory(v2.guid))
            .unwrap();
        assert_eq!(store.mapi_virtual_directories().unwrap().len(), 1);
        assert_eq!(store.mapi_virtual_directory(v2.guid).unwrap(), None);
        let err = store
            .update(|tx| tx.delete_mapi_virtual_directory(v2.guid))
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    }

    #[test]
    fn concurrent_updates_are_retried_not_lost() {
        let store = Store::open_temporary().unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let store = store.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        put(&store, &mailbox(&format!("T{t}-{i}"), &format!("t{t}i{i}"))).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.mailbox_count().unwrap(), 100);
        assert_eq!(store.mailboxes().count(), 100);
    }
}
