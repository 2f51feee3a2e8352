//! Schema versions and the migrations between them.
//!
//! Version 0 is the prototype layout: the `obj/` records only, with no `meta/`, `list/` or `idx/` keys.
//! Version 1 adds the schema key, the server and virtual-directory lists, the mailbox indexes and the mailbox count.
//! Version 2 adds the folder record of every mailbox (`folders/<guid>`, the special folder set).

use uuid::Uuid;

use crate::engine::Engine;
use crate::error::StoreError;
use crate::keys;
use crate::model::mailbox::Mailbox;
use crate::model::mapi_vdir::MapiVirtualDirectory;
use crate::model::server::Server;
use crate::records;
use crate::store::Store;

/// The schema version this build writes.
pub const CURRENT_SCHEMA_VERSION: u32 = 2;

/// A step from version `from` to `from + 1`. It must write `from + 1` as the schema version in the same
/// transaction as its other writes, so that a crash leaves either the old or the new layout.
struct Migration {
    from: u32,
    what: &'static str,
    run: fn(&Store) -> Result<(), StoreError>,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        from: 0,
        what: "build the lists, mailbox indexes and mailbox count",
        run: v0_to_v1,
    },
    Migration {
        from: 1,
        what: "create the special folders of every mailbox",
        run: v1_to_v2,
    },
];

/// The version on disk: the schema key if present, else 0 for a store with records and `None` for an empty one.
pub(crate) fn stored_version(engine: &Engine) -> Result<Option<u32>, StoreError> {
    match records::get_u64(engine, keys::SCHEMA_VERSION)? {
        Some(v) => u32::try_from(v).map(Some).map_err(|_| StoreError::Corrupt {
            key: records::key_text(keys::SCHEMA_VERSION),
            reason: format!("{v} is not a schema version"),
        }),
        None if engine.is_empty() => Ok(None),
        None => Ok(Some(0)),
    }
}

/// Brings the store to `CURRENT_SCHEMA_VERSION`, or refuses a store from a newer mapish.
pub(crate) fn run(store: &Store) -> Result<(), StoreError> {
    let Some(mut version) = stored_version(store.engine())? else {
        return store.update(|tx| tx.set_schema_version(CURRENT_SCHEMA_VERSION));
    };
    if version > CURRENT_SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            found: version,
            supported: CURRENT_SCHEMA_VERSION,
        });
    }
    while version < CURRENT_SCHEMA_VERSION {
        let Some(step) = MIGRATIONS.iter().find(|m| m.from == version) else {
            return Err(StoreError::Corrupt {
                key: records::key_text(keys::SCHEMA_VERSION),
                reason: format!("no migration from schema version {version} is known"),
            });
        };
        tracing::info!(
            "migrating the store from schema version {version} to {}: {}",
            version + 1,
            step.what
        );
        (step.run)(store)?;
        let reached = stored_version(store.engine())?.unwrap_or(0);
        if reached != version + 1 {
            return Err(StoreError::Corrupt {
                key: records::key_text(keys::SCHEMA_VERSION),
                reason: format!("the migration from version {version} left version {reached}"),
            });
        }
        version = reached;
    }
    Ok(())
}

fn scan_objects<T: serde::de::DeserializeOwned>(
    engine: &Engine,
    prefix: &str,
) -> Result<Vec<T>, StoreError> {
    engine
        .scan_prefix(prefix.as_bytes())
        .map(|entry| entry.and_then(|(k, v)| records::decode(&k, &v)))
        .collect()
}

/// Derives every index and list from the records. Transactions cannot scan, so the records are read first; nothing
/// else writes meanwhile because the store is not yet handed out.
fn v0_to_v1(store: &Store) -> Result<(), StoreError> {
    let engine = store.engine();
    let servers: Vec<Server> = scan_objects(engine, keys::SERVERS)?;
    let vdirs: Vec<MapiVirtualDirectory> = scan_objects(engine, keys::MAPI_VDIRS)?;
    let mailboxes: Vec<Mailbox> = scan_objects(engine, keys::MAILBOXES)?;
    let server_guids: Vec<Uuid> = servers.iter().map(|s| s.guid).collect();
    let vdir_guids: Vec<Uuid> = vdirs.iter().map(|v| v.guid).collect();
    store.update(|tx| {
        tx.set_guid_list(keys::SERVER_LIST, &server_guids)?;
        tx.set_guid_list(keys::MAPI_VDIR_LIST, &vdir_guids)?;
        for m in &mailboxes {
            tx.write_mailbox(m, None)?;
        }
        tx.set_mailbox_count(mailboxes.len() as u64)?;
        tx.set_schema_version(1)
    })
}

/// Gives every mailbox without a folder record the special folder set, dated from the mailbox's WhenCreated.
/// Written in chunks so a store of 100k mailboxes does not build one giant transaction; the schema version moves
/// only with the last chunk, and a chunk skips mailboxes that already have folders, so a crash midway is resumed.
fn v1_to_v2(store: &Store) -> Result<(), StoreError> {
    const CHUNK: usize = 1_000;
    let engine = store.engine();
    let mailboxes: Vec<Mailbox> = scan_objects(engine, keys::MAILBOXES)?;
    let mut chunks: Vec<&[Mailbox]> = mailboxes.chunks(CHUNK).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    let last = chunks.len() - 1;
    for (i, chunk) in chunks.into_iter().enumerate() {
        engine.transaction(|kv| {
            for m in chunk {
                if kv.get(&keys::folders(m.guid))?.is_none() {
                    crate::model::folder::create(kv, m)?;
                }
            }
            if i == last {
                records::put_u64(kv, keys::SCHEMA_VERSION, 2)?;
            }
            Ok::<_, StoreError>(())
        })?;
    }
    store.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::OpenError;
    use crate::kv::KvWrite;
    use crate::test_util::{mailbox, names};
    use crate::{OpenOptions, Organization};

    /// Writes `records` straight into a fresh database, bypassing every invariant of the store.
    fn write_raw(dir: &std::path::Path, records: &[(Vec<u8>, Vec<u8>)]) {
        std::fs::create_dir_all(dir).unwrap();
        let engine = match Engine::open(
            &dir.join("db"),
            std::time::Duration::ZERO,
            crate::engine::Lifetime::Short,
        ) {
            Ok(engine) => engine,
            Err(OpenError::Locked) => panic!("locked"),
            Err(OpenError::Other(e)) => panic!("{e}"),
        };
        engine
            .transaction(|kv: &dyn KvWrite| {
                for (k, v) in records {
                    kv.insert(k, v)?;
                }
                Ok::<_, StoreError>(())
            })
            .unwrap();
        engine.flush().unwrap();
    }

    #[test]
    fn a_version_0_store_is_indexed_on_open() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let org = Organization::new("Contoso");
        let server = Server::new("EX01", "ex01.contoso.com");
        let vdir = MapiVirtualDirectory::with_defaults(&server);
        let bob = mailbox("Bob", "bob");
        let alice = mailbox("alice", "alice");
        let json = |v: &dyn erased::Json| v.to_json();
        write_raw(
            &dir,
            &[
                (keys::ORGANIZATION.to_vec(), json(&org)),
                (keys::server(server.guid), json(&server)),
                (keys::mapi_vdir(vdir.guid), json(&vdir)),
                (keys::mailbox(bob.guid), json(&bob)),
                (keys::mailbox(alice.guid), json(&alice)),
            ],
        );

        let store = Store::open(&dir, &OpenOptions::default()).unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA_VERSION);
        assert_eq!(store.organization().unwrap(), org);
        assert_eq!(store.servers().unwrap(), vec![server.clone()]);
        assert_eq!(store.mapi_virtual_directories().unwrap(), vec![vdir]);
        assert_eq!(store.mailbox_count().unwrap(), 2);
        assert_eq!(
            names(&store.mailboxes().map(Result::unwrap).collect::<Vec<_>>()),
            ["alice", "Bob"]
        );
        assert_eq!(
            names(&store.find_mailboxes("BOB@contoso.com").unwrap()),
            ["Bob"]
        );
        // The migrated indexes enforce uniqueness from now on.
        let err = store
            .update(|tx| tx.put_mailbox(&mailbox("Bob", "bob2")))
            .unwrap_err();
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
        // Version 2: both mailboxes got their special folders.
        for m in [&bob, &alice] {
            let folders = store.folders(m.guid).unwrap().expect("migrated folders");
            assert_eq!(folders.folders.len(), 19);
            assert_eq!(folders.created, m.when_created);
        }
        drop(store);

        // Opening again runs nothing more.
        let store = Store::open(&dir, &OpenOptions::default()).unwrap();
        assert_eq!(store.mailbox_count().unwrap(), 2);
    }

    #[test]
    fn a_version_1_store_gets_folders_and_keeps_existing_ones() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let bob = mailbox("Bob", "bob");
        let alice = mailbox("alice", "alice");
        let mut custom = crate::MailboxFolders::special_set(alice.when_created);
        custom.folders[12].display_name = "Posteingang".into();
        let json = |v: &dyn erased::Json| v.to_json();
        write_raw(
            &dir,
            &[
                (keys::SCHEMA_VERSION.to_vec(), b"1".to_vec()),
                (keys::mailbox(bob.guid), json(&bob)),
                (keys::mailbox(alice.guid), json(&alice)),
                (keys::folders(alice.guid), json(&custom)),
            ],
        );
        let store = Store::open(&dir, &OpenOptions::default()).unwrap();
        assert_eq!(store.schema_version().unwrap(), 2);
        assert_eq!(store.folders(bob.guid).unwrap().unwrap().folders.len(), 19);
        assert_eq!(store.folders(alice.guid).unwrap(), Some(custom));
    }

    #[test]
    fn a_store_from_a_newer_mapish_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        write_raw(&dir, &[(keys::SCHEMA_VERSION.to_vec(), b"99".to_vec())]);
        let err = Store::open(&dir, &OpenOptions::default()).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::SchemaTooNew {
                    found: 99,
                    supported: CURRENT_SCHEMA_VERSION
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("newer mapish"), "{err}");
    }

    #[test]
    fn an_unreadable_record_is_reported_as_corrupt_with_its_key() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        write_raw(
            &dir,
            &[
                (keys::SCHEMA_VERSION.to_vec(), b"1".to_vec()),
                (keys::ORGANIZATION.to_vec(), b"{not json".to_vec()),
            ],
        );
        let store = Store::open(&dir, &OpenOptions::default()).unwrap();
        let err = store.organization().unwrap_err();
        assert!(
            matches!(&err, StoreError::Corrupt { key, .. } if key == "obj/organization"),
            "{err:?}"
        );
    }

    #[test]
    fn a_fresh_store_starts_at_the_current_version() {
        let store = Store::open_temporary().unwrap();
        assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA_VERSION);
    }

    /// Lets the test list records of different types in one array.
    mod erased {
        pub(super) trait Json {
            fn to_json(&self) -> Vec<u8>;
        }
        impl<T: serde::Serialize> Json for T {
            fn to_json(&self) -> Vec<u8> {
                serde_json::to_vec(self).unwrap()
            }
        }
    }
}
