//! `Store`: opening, reads, transactional updates and the change feed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use uuid::Uuid;

use crate::engine::{Engine, Lifetime, OpenError};
use crate::error::StoreError;
use crate::keys::{self, MailboxIndex};
use crate::kv::KvRead;
use crate::migrate;
use crate::model::mailbox::Mailbox;
use crate::model::mapi_vdir::MapiVirtualDirectory;
use crate::model::organization::Organization;
use crate::model::server::Server;
use crate::records;
use crate::tx::Tx;
use crate::watch::{Change, Feed};

/// How `Store::open` behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenOptions {
    /// How long to keep retrying while another process holds the store before giving up with
    /// `StoreError::Locked`.
    pub lock_wait: Duration,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            lock_wait: Duration::from_secs(10),
        }
    }
}

/// What `Store::initialize` creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitParams {
    /// The organization name, e.g. `Contoso`.
    pub organization: String,
    /// The short server name, e.g. `EX01`.
    pub server: String,
    /// The server's FQDN, e.g. `ex01.contoso.com`; the default InternalUrl is built from it.
    pub fqdn: String,
}

/// The configuration store. Cloning is cheap and every clone shares one database; open one per process.
///
/// The database lock is released when the last clone is dropped.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    dir: Option<PathBuf>,
    feed: Feed,
    mailbox_cache: Mutex<MailboxCache>,
}

/// Decoded mailboxes recently read by Guid, valid for one write epoch of the engine: any committed
/// transaction empties it. The server reads the mailbox of every request (authentication, then the session's
/// checks), while writes are rare admin changes, so a hit saves a sled read and a JSON decode per read, and
/// an update is in force for the very next read, exactly as without the cache.
#[derive(Default)]
struct MailboxCache {
    epoch: u64,
    entries: HashMap<Uuid, Option<Arc<Mailbox>>>,
}

/// Entries kept at most; a full cache is emptied (the hot set of a server refills it at once).
const MAILBOX_CACHE_ENTRIES: usize = 4096;

impl Store {
    /// Opens the store in `dir`, creating it if needed, and brings its schema up to date.
    ///
    /// A missing `dir` is created (with its parents) with mode 0700; an existing store directory is tightened to
    /// 0700. While another process holds the store, this retries until `opts.lock_wait` has passed and then fails
    /// with `StoreError::Locked`. It does not create any default object (see `initialize`).
    pub fn open(dir: &Path, opts: &OpenOptions) -> Result<Store, StoreError> {
        Store::open_as(dir, opts, Lifetime::Long)
    }

    /// `open` for a process that runs a few commands and exits (a one-shot `mapish -c …`, a script).
    ///
    /// The same store with the same guarantees (every `update` is flushed before it returns), without the
    /// engine's background flusher thread, which a long-running owner needs to compact the log but a
    /// short-lived process only pays for at start and exit.
    pub fn open_short_lived(dir: &Path, opts: &OpenOptions) -> Result<Store, StoreError> {
        Store::open_as(dir, opts, Lifetime::Short)
    }

    fn open_as(dir: &Path, opts: &OpenOptions, lifetime: Lifetime) -> Result<Store, StoreError> {
        prepare_dir(dir)?;
        let engine = match Engine::open(&dir.join("db"), opts.lock_wait, lifetime) {
            Ok(engine) => engine,
            Err(OpenError::Locked) => {
                return Err(StoreError::Locked {
                    dir: dir.to_path_buf(),
                });
            }
            Err(OpenError::Other(e)) => return Err(e),
        };
        #[cfg(unix)]
        make_private(&dir.join("db"))?;
        Store::finish_open(engine, Some(dir.to_path_buf()))
    }

    /// A store in a temporary file, deleted when the last clone is dropped; for tests.
    pub fn open_temporary() -> Result<Store, StoreError> {
        Store::finish_open(Engine::temporary()?, None)
    }

    fn finish_open(engine: Engine, dir: Option<PathBuf>) -> Result<Store, StoreError> {
        let store = Store {
            inner: Arc::new(Inner {
                engine,
                dir,
                feed: Feed::default(),
                mailbox_cache: Mutex::new(MailboxCache::default()),
            }),
        };
        migrate::run(&store)?;
        Ok(store)
    }

    pub(crate) fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The store directory, or `None` for a temporary store.
    pub fn dir(&self) -> Option<&Path> {
        self.inner.dir.as_deref()
    }

    /// Whether an organization exists.
    pub fn is_initialized(&self) -> Result<bool, StoreError> {
        Ok(self.engine().get(keys::ORGANIZATION)?.is_some())
    }

    /// Creates the organization, the server and that server's MAPI virtual directory with Exchange's defaults, in
    /// one transaction. `StoreError::AlreadyInitialized` if an organization exists.
    pub fn initialize(&self, p: &InitParams) -> Result<(), StoreError> {
        let organization = Organization::new(p.organization.clone());
        let server = Server::new(p.server.clone(), p.fqdn.clone());
        let vdir = MapiVirtualDirectory::with_defaults(&server);
        self.update(|tx| {
            match tx.organization() {
                Ok(_) => return Err(StoreError::AlreadyInitialized),
                Err(StoreError::NotInitialized) => {}
                Err(e) => return Err(e),
            }
            tx.put_organization(&organization)?;
            tx.put_server(&server)?;
            tx.put_mapi_virtual_directory(&vdir)
        })?;
        tracing::info!(organization = %p.organization, server = %p.server, "store initialized");
        Ok(())
    }

    /// The schema version on disk (after `open`, always `CURRENT_SCHEMA_VERSION`).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(migrate::stored_version(self.engine())?.unwrap_or(0))
    }

    /// The organization; `StoreError::NotInitialized` if there is none.
    pub fn organization(&self) -> Result<Organization, StoreError> {
        records::organization(self.engine())
    }

    /// Every server, sorted by name (case-insensitive).
    pub fn servers(&self) -> Result<Vec<Server>, StoreError> {
        records::servers(self.engine())
    }

    /// The server whose Name or Fqdn is `name_or_fqdn` (case-insensitive).
    pub fn server(&self, name_or_fqdn: &str) -> Result<Option<Server>, StoreError> {
        records::server(self.engine(), name_or_fqdn)
    }

    /// Every MAPI virtual directory, sorted by server, then website (case-insensitive).
    pub fn mapi_virtual_directories(&self) -> Result<Vec<MapiVirtualDirectory>, StoreError> {
        records::mapi_vdirs(self.engine())
    }

    /// The MAPI virtual directory with this Guid.
    pub fn mapi_virtual_directory(
        &self,
        guid: Uuid,
    ) -> Result<Option<MapiVirtualDirectory>, StoreError> {
        records::mapi_vdir(self.engine(), guid)
    }

    /// Every mailbox, ordered by name (case-insensitive), read lazily so that large stores stream.
    ///
    /// The iteration is not a snapshot: a mailbox changed while iterating may be seen old or new.
    pub fn mailboxes(&self) -> impl Iterator<Item = Result<Mailbox, StoreError>> + '_ {
        self.mailboxes_from_index(MailboxIndex::Name.key(""))
    }

    /// The mailbox with this Guid.
    ///
    /// Served from a small cache of decoded mailboxes that every committed write empties, so the result is
    /// always what the database holds now.
    pub fn mailbox(&self, guid: Uuid) -> Result<Option<Mailbox>, StoreError> {
        Ok(self.mailbox_shared(guid)?.map(|m| Mailbox::clone(&m)))
    }

    /// `mailbox`, shared instead of copied.
    pub fn mailbox_shared(&self, guid: Uuid) -> Result<Option<Arc<Mailbox>>, StoreError> {
        let engine = self.engine();
        let lock = || {
            self.inner
                .mailbox_cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
        };
        let epoch = engine.write_epoch();
        if epoch % 2 == 1 {
            // A batch is being written: neither trust nor fill the cache (see `Engine::write_epoch`).
            return Ok(records::mailbox(engine, guid)?.map(Arc::new));
        }
        {
            let mut cache = lock();
            if cache.epoch != epoch {
                cache.entries.clear();
                cache.epoch = epoch;
            } else if let Some(hit) = cache.entries.get(&guid) {
                return Ok(hit.clone());
            }
        }
        let found = records::mailbox(engine, guid)?.map(Arc::new);
        let mut cache = lock();
        // Keep it only if no transaction committed since `epoch` was read: the value read may predate it.
        if cache.epoch == epoch && engine.write_epoch() == epoch {
            if cache.entries.len() >= MAILBOX_CACHE_ENTRIES {
                cache.entries.clear();
            }
            cache.entries.insert(guid, found.clone());
        }
        Ok(found)
    }

    /// Every distinct mailbox whose Name, Alias, PrimarySmtpAddress, UserPrincipalName, LegacyExchangeDN or Guid
    /// string equals `key` exactly (case-insensitive), found through the indexes. Normally 0 or 1; 2 when, say, one
    /// mailbox's Name is another's Alias.
    pub fn find_mailboxes(&self, key: &str) -> Result<Vec<Mailbox>, StoreError> {
        records::find_mailboxes(self.engine(), key)
    }

    /// Up to `limit` mailboxes whose Name starts with `prefix` (case-insensitive), ordered by name; an index range
    /// scan, so it stays fast however many mailboxes exist.
    pub fn mailboxes_with_name_prefix(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Mailbox>, StoreError> {
        self.mailboxes_from_index(MailboxIndex::Name.key(prefix))
            .take(limit)
            .collect()
    }

    /// Mailboxes whose Alias starts with `prefix` (case-insensitive), through the alias index, at most
    /// `limit`, ordered by alias. Tab completion offers aliases as well as names.
    pub fn mailboxes_with_alias_prefix(
        &self,
        prefix: &str,
        limit: usize,
    ) -> Result<Vec<Mailbox>, StoreError> {
        self.mailboxes_from_index(MailboxIndex::Alias.key(prefix))
            .take(limit)
            .collect()
    }

    /// How many mailboxes exist (kept as a counter, so this reads one key).
    pub fn mailbox_count(&self) -> Result<u64, StoreError> {
        Ok(records::get_u64(self.engine(), keys::MAILBOX_COUNT)?.unwrap_or(0))
    }

    fn mailboxes_from_index(
        &self,
        prefix: Vec<u8>,
    ) -> impl Iterator<Item = Result<Mailbox, StoreError>> + '_ {
        let engine = self.engine();
        engine.scan_prefix(&prefix).filter_map(move |entry| {
            let found = entry
                .and_then(|(key, value)| records::guid_value(&key, &value))
                .and_then(|guid| records::mailbox(engine, guid));
            // A missing mailbox means it was deleted between the index read and the record read: skip it.
            found.transpose()
        })
    }

    /// Runs `f` in one transaction over every object and index: all or nothing.
    ///
    /// Transactions of this process run one at a time (see `Engine::transaction`); `f` must still have no
    /// effect outside `tx`, so that an engine that retries on conflicts could replace this one. If `f` returns
    /// `Err(e)` nothing is written and `Err(e)` is returned. A successful commit is flushed to disk before this
    /// returns, so an acknowledged change survives a crash; if that flush fails the change is committed but the
    /// error is returned, since it cannot be promised durable.
    ///
    /// Inside `f`, read through `tx` (it sees the transaction's own writes), not through `self`.
    pub fn update<T, E: From<StoreError>>(
        &self,
        f: impl Fn(&mut Tx<'_>) -> Result<T, E>,
    ) -> Result<T, E> {
        let value = self.engine().transaction(|kv| f(&mut Tx::new(kv)))?;
        self.flush()?;
        Ok(value)
    }

    /// A channel receiving every put and delete of any object committed after this call, in commit order as far
    /// as sled reports it. The channel is unbounded; dropping the receiver unsubscribes, and the channel
    /// disconnects once the last clone of the store is dropped.
    pub fn subscribe(&self) -> Receiver<Change> {
        self.inner.feed.subscribe(self.engine())
    }

    /// Writes every committed change to disk.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.engine().flush()
    }

    /// Whether every committed change is on disk (true after any successful `update`, and when nothing was
    /// written). A process about to exit may then skip closing the database: closing would only flush and
    /// fsync again. The lock goes with the process.
    pub fn is_flushed(&self) -> bool {
        self.engine().is_flushed()
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

/// Creates the store directory private to its owner: it holds password hashes.
fn prepare_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        if !dir.exists() {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
            // The umask could only have removed bits; set the mode exactly anyway.
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        } else if dir.join("db").exists() {
            let mode = std::fs::metadata(dir)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(dir = %dir.display(), "the store directory was readable by others (mode {mode:o}); setting 0700");
                std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            }
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

/// Gives sled's files mode 0600 and its directories 0700. They hold password hashes and NT hashes (which are
/// password-equivalent); the store directory's 0700 already keeps other users out, but sled creates its
/// files under the process umask, and a copy or backup of the directory would keep those looser modes.
#[cfg(unix)]
fn make_private(dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(dir)?;
    let wanted = if meta.is_dir() { 0o700 } else { 0o600 };
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    if meta.permissions().mode() & 0o777 != wanted {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(wanted))?;
    }
    if meta.is_dir() {
        for entry in std::fs::read_dir(dir)? {
            make_private(&entry?.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::test_util::{mailbox, names, put};
    use crate::{AuthMethod, CURRENT_SCHEMA_VERSION};

    fn init_params() -> InitParams {
        InitParams {
            organization: "Contoso".into(),
            server: "EX01".into(),
            fqdn: "ex01.contoso.com".into(),
        }
    }

    #[test]
    fn store_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<Store>();
        assert_send_sync::<StoreError>();
    }

    #[cfg(unix)]
    #[test]
    fn open_creates_the_directory_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b/store");
        let store = Store::open(&dir, &OpenOptions::default()).unwrap();
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        assert!(dir.join("db").exists());
        assert_eq!(store.dir(), Some(dir.as_path()));
        assert!(!store.is_initialized().unwrap());
        assert_eq!(store.schema_version().unwrap(), CURRENT_SCHEMA_VERSION);
        drop(store);

        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        let _store = Store::open(&dir, &OpenOptions::default()).unwrap();
        assert_eq!(
            std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
            0o700
        );
        // sled's own files hold the password and NT hashes: 0600, its directories 0700, whatever the umask.
        let mut seen = 0;
        let mut stack = vec![dir.join("db")];
        while let Some(path) = stack.pop() {
            let meta = std::fs::metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o777;
            if meta.is_dir() {
                assert_eq!(mode, 0o700, "{}", path.display());
                stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            } else {
                assert_eq!(mode, 0o600, "{}", path.display());
                seen += 1;
            }
        }
        assert!(seen >= 2, "sled's conf and db files were checked");
    }

    #[test]
    fn a_second_open_waits_then_reports_locked_until_every_clone_is_dropped() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let first = Store::open(&dir, &OpenOptions::default()).unwrap();
        let clone = first.clone();
        let _feed = first.subscribe();
        let opts = OpenOptions {
            lock_wait: Duration::from_millis(200),
        };

        let started = Instant::now();
        let err = Store::open(&dir, &opts).unwrap_err();
        let waited = started.elapsed();
        assert!(
            matches!(&err, StoreError::Locked { dir: d } if *d == dir),
            "{err:?}"
        );
        assert!(
            waited >= Duration::from_millis(200),
            "gave up after {waited:?}"
        );
        assert!(waited < Duration::from_secs(2), "waited {waited:?}");
        assert!(
            err.to_string().contains(&dir.display().to_string()),
            "{err}"
        );

        drop(first);
        assert!(matches!(
            Store::open(&dir, &opts),
            Err(StoreError::Locked { .. })
        ));
        drop(clone);
        Store::open(&dir, &opts).unwrap();
    }

    #[test]
    fn initialize_creates_the_defaults_once() {
        let store = Store::open_temporary().unwrap();
        assert!(matches!(
            store.organization(),
            Err(StoreError::NotInitialized)
        ));
        store.initialize(&init_params()).unwrap();
        assert!(store.is_initialized().unwrap());
        assert!(matches!(
            store.initialize(&init_params()),
            Err(StoreError::AlreadyInitialized)
        ));

        let org = store.organization().unwrap();
        assert_eq!(org.name, "Contoso");
        assert!(!org.mapi_http_enabled);
        assert_eq!(org.ews_enabled, None);
        assert!(!org.oauth2_client_profile_enabled);

        let servers = store.servers().unwrap();
        assert_eq!(servers.len(), 1);
        assert_eq!(store.server("ex01").unwrap().as_ref(), Some(&servers[0]));
        assert_eq!(
            store.server("EX01.CONTOSO.COM").unwrap().as_ref(),
            Some(&servers[0])
        );
        assert_eq!(store.server("EX02").unwrap(), None);

        let vdirs = store.mapi_virtual_directories().unwrap();
        assert_eq!(vdirs.len(), 1);
        let v = &vdirs[0];
        assert_eq!(v.identity(), "EX01\\mapi (Default Web Site)");
        assert_eq!(
            v.internal_url.as_deref(),
            Some("https://ex01.contoso.com/mapi")
        );
        assert_eq!(v.external_url, None);
        let defaults = vec![AuthMethod::Ntlm, AuthMethod::OAuth, AuthMethod::Negotiate];
        assert_eq!(v.iis_authentication_methods, defaults);
        assert_eq!(v.internal_authentication_methods, defaults);
        assert_eq!(v.external_authentication_methods, defaults);
        assert_eq!(
            store.mapi_virtual_directory(v.guid).unwrap().as_ref(),
            Some(v)
        );
    }

    #[test]
    fn data_survives_drop_and_reopen() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("store");
        let alice = mailbox("Alice", "alice");
        {
            let store = Store::open(&dir, &OpenOptions::default()).unwrap();
            store.initialize(&init_params()).unwrap();
            put(&store, &alice).unwrap();
        }
        let store = Store::open(&dir, &OpenOptions::default()).unwrap();
        assert_eq!(store.organization().unwrap().name, "Contoso");
        assert_eq!(store.mailbox(alice.guid).unwrap(), Some(alice.clone()));
        assert_eq!(
            store.find_mailboxes("ALICE@contoso.com").unwrap(),
            vec![alice]
        );
        assert_eq!(store.mailbox_count().unwrap(), 1);
    }

    #[test]
    fn mailboxes_stream_in_case_insensitive_name_order() {
        let store = Store::open_temporary().unwrap();
        let count = 3_000;
        // Insert in a scrambled order and mixed case, in batches as an import would.
        let all: Vec<Mailbox> = (0..count)
            .map(|i| {
                let n = (i * 7_919) % count;
                let name = if n % 2 == 0 {
                    format!("User{n:05}")
                } else {
                    format!("user{n:05}")
                };
                mailbox(&name, &format!("u{n}"))
            })
            .collect();
        for chunk in all.chunks(500) {
            store
                .update(|tx| {
                    for m in chunk {
                        tx.put_mailbox(m)?;
                    }
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        }
        assert_eq!(store.mailbox_count().unwrap(), count as u64);

        let mut iter = store.mailboxes();
        let first = iter.next().unwrap().unwrap();
        assert_eq!(first.name, "User00000");
        let rest: Vec<Mailbox> = iter.map(Result::unwrap).collect();
        assert_eq!(rest.len(), count - 1);
        let expected: Vec<String> = (1..count)
            .map(|n| {
                if n % 2 == 0 {
                    format!("User{n:05}")
                } else {
                    format!("user{n:05}")
                }
            })
            .collect();
        assert_eq!(
            rest.iter().map(|m| m.name.clone()).collect::<Vec<_>>(),
            expected
        );
    }

    /// The 100k-mailbox scale check; slow in a debug build, so run it on demand:
    /// `cargo test -p mapish-store --release -- --ignored hundred_thousand --nocapture`.
    #[test]
    #[ignore]
    fn hundred_thousand_mailboxes_stay_fast() {
        let store = Store::open_temporary().unwrap();
        let count = 100_000;
        let started = Instant::now();
        for chunk in (0..count).collect::<Vec<usize>>().chunks(1_000) {
            let batch: Vec<Mailbox> = chunk
                .iter()
                .map(|i| mailbox(&format!("user{i:06}"), &format!("u{i}")))
                .collect();
            store
                .update(|tx| {
                    for m in &batch {
                        tx.put_mailbox(m)?;
                    }
                    Ok::<_, StoreError>(())
                })
                .unwrap();
        }
        eprintln!("insert {count}: {:?}", started.elapsed());

        let started = Instant::now();
        assert_eq!(store.mailbox_count().unwrap(), count as u64);
        let hits = store.mailboxes_with_name_prefix("USER0999", 50).unwrap();
        assert_eq!(hits.len(), 50);
        assert_eq!(store.find_mailboxes("u54321@contoso.com").unwrap().len(), 1);
        let lookups = started.elapsed();
        eprintln!("count + prefix scan + find: {lookups:?}");
        assert!(lookups < Duration::from_millis(200), "{lookups:?}");

        let started = Instant::now();
        let mut previous = String::new();
        let mut seen = 0;
        for m in store.mailboxes() {
            let m = m.unwrap();
            assert!(m.name > previous);
            previous = m.name;
            seen += 1;
        }
        assert_eq!(seen, count);
        eprintln!("stream all: {:?}", started.elapsed());
    }

    #[test]
    fn a_cached_mailbox_is_never_older_than_the_last_update() {
        let store = Store::open_temporary().unwrap();
        let mut alice = mailbox("Alice", "alice");
        put(&store, &alice).unwrap();
        let missing = Uuid::new_v4();
        for round in 0..20 {
            // Read twice (the second read is a cache hit), then change it.
            assert_eq!(store.mailbox(alice.guid).unwrap().as_ref(), Some(&alice));
            assert_eq!(store.mailbox(alice.guid).unwrap().as_ref(), Some(&alice));
            assert_eq!(store.mailbox(missing).unwrap(), None);
            alice.display_name = format!("Alice {round}");
            alice.mapi_enabled = round % 2 == 0;
            put(&store, &alice).unwrap();
        }
        store.update(|tx| tx.delete_mailbox(alice.guid)).unwrap();
        assert_eq!(store.mailbox(alice.guid).unwrap(), None);
    }

    #[test]
    fn name_prefix_scan_is_case_insensitive_ordered_and_limited() {
        let store = Store::open_temporary().unwrap();
        for (name, alias) in [
            ("alice", "a1"),
            ("Alicia", "a2"),
            ("ALINA", "a3"),
            ("Bob", "b"),
            ("al", "a4"),
        ] {
            put(&store, &mailbox(name, alias)).unwrap();
        }
        assert_eq!(
            names(&store.mailboxes_with_name_prefix("ALI", 10).unwrap()),
            ["alice", "Alicia", "ALINA"]
        );
        assert_eq!(
            names(&store.mailboxes_with_name_prefix("ali", 2).unwrap()),
            ["alice", "Alicia"]
        );
        assert_eq!(
            names(&store.mailboxes_with_name_prefix("", 2).unwrap()),
            ["al", "alice"]
        );
        assert!(
            store
                .mailboxes_with_name_prefix("z", 10)
                .unwrap()
                .is_empty()
        );
        assert!(store.mailboxes_with_name_prefix("a", 0).unwrap().is_empty());
    }
}
