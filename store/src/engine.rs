//! All sled-specific code: opening with the lock retry, point reads, prefix scans, transactions, watching.
//!
//! The rules from deps.md §3 live here: a second open fails at once with "could not acquire lock" (so we retry,
//! bounded); `flush` is the caller's durability point; `Subscriber::next_timeout` is never used, because it goes dead
//! after a no-op write in 0.34.7.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::error::StoreError;
use crate::kv::{KvEvent, KvRead, KvWrite};

/// The tree holding every record; one tree keeps every transaction single-tree and every scan simple.
const TREE: &str = "config";

/// First and largest pause between two attempts to take the database lock.
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
const MAX_BACKOFF: Duration = Duration::from_millis(200);

/// sled's page cache limit. Its default (1 GiB) lets a scan of 100k mailboxes (a 550 MB store with their
/// folders) keep every page it read: ~160 MB of RSS against the 150 MB. At 80 MiB the same scan peaks
/// at ~140 MB and takes ~1.3× as long (some pages are evicted and read again; 32 MiB: 2×); a server's working
/// set (configuration, index tops, the mailboxes in use) is far smaller. docs/performance.md, item 5.
const CACHE_CAPACITY: u64 = 80 << 20;

/// How a process uses the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifetime {
    /// A long-running owner (the server, the REPL, an import): sled's background flusher thread runs, which
    /// also compacts the log.
    Long,
    /// A process that runs a few commands and exits: no flusher thread. Every `Store::update` flushes before
    /// it returns anyway, so nothing acknowledged depends on the flusher.
    Short,
}

/// An open sled database.
pub(crate) struct Engine {
    db: sled::Db,
    tree: sled::Tree,
    /// Transactions committed, and how many of them the last successful `flush` covered: equal means
    /// nothing committed is waiting for a flush.
    committed: AtomicU64,
    flushed: AtomicU64,
    /// Odd while a batch is being written, even otherwise (see `write_epoch`).
    epoch: AtomicU64,
    /// Held by the one transaction running.
    writer: Mutex<()>,
}

/// Why `Engine::open` failed; the caller turns `Locked` into a message that names the store directory.
pub(crate) enum OpenError {
    /// Another holder kept the lock for the whole wait.
    Locked,
    /// Anything else.
    Other(StoreError),
}

impl Engine {
    /// Opens (creating if needed) the database at `path`, retrying while another holder has the lock.
    pub(crate) fn open(
        path: &Path,
        lock_wait: Duration,
        lifetime: Lifetime,
    ) -> Result<Engine, OpenError> {
        let deadline = Instant::now() + lock_wait;
        let mut backoff = FIRST_BACKOFF;
        let flush_every_ms = match lifetime {
            Lifetime::Long => Some(500),
            Lifetime::Short => None,
        };
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(CACHE_CAPACITY)
            .flush_every_ms(flush_every_ms);
        let db = loop {
            match config.open() {
                Ok(db) => break db,
                Err(e) if is_lock_error(&e) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(OpenError::Locked);
                    }
                    tracing::debug!(path = %path.display(), "database is locked; waiting {backoff:?}");
                    std::thread::sleep(backoff.min(deadline - now));
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(e) => return Err(OpenError::Other(sled_error(e))),
            }
        };
        if db.was_recovered() {
            tracing::debug!(path = %path.display(), "opened existing database");
        }
        Engine::with_db(db).map_err(OpenError::Other)
    }

    /// A database that lives in a temporary file removed on drop.
    pub(crate) fn temporary() -> Result<Engine, StoreError> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(CACHE_CAPACITY)
            .open()
            .map_err(sled_error)?;
        Engine::with_db(db)
    }

    fn with_db(db: sled::Db) -> Result<Engine, StoreError> {
        let tree = db.open_tree(TREE).map_err(sled_error)?;
        Ok(Engine {
            db,
            tree,
            committed: AtomicU64::new(0),
            flushed: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            writer: Mutex::new(()),
        })
    }

    /// Whether no record at all is stored (a brand-new database).
    pub(crate) fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// Every record whose key starts with `prefix`, in key order, read lazily.
    pub(crate) fn scan_prefix(
        &self,
        prefix: &[u8],
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + Send + use<> {
        self.tree.scan_prefix(prefix).map(|entry| {
            entry
                .map(|(k, v)| (k.to_vec(), v.to_vec()))
                .map_err(sled_error)
        })
    }

    /// Runs `f` in one serializable transaction over every record: all of its writes or none.
    ///
    /// Transactions of this process run one at a time (one process owns the database, and every write goes
    /// through here), so none can conflict: `f` runs once, reading the committed state plus its own writes,
    /// and its writes are then applied as one sled batch, which readers and crash recovery see whole or not at
    /// all. (sled's own optimistic transactions cost ~2× more per key for the same guarantees: a read set, a
    /// write set of cloned keys and values, and conflict checks that cannot fire here.)
    pub(crate) fn transaction<T, E: From<StoreError>>(
        &self,
        f: impl Fn(&dyn KvWrite) -> Result<T, E>,
    ) -> Result<T, E> {
        let _writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let tx = BatchTx {
            tree: &self.tree,
            writes: RefCell::new(BTreeMap::new()),
            failure: RefCell::new(None),
        };
        let outcome = f(&tx);
        // A storage failure seen by any operation decides the outcome even if the closure swallowed the error.
        if let Some(failure) = tx.failure.into_inner() {
            return Err(E::from(failure));
        }
        let value = outcome?;
        let writes = tx.writes.into_inner();
        if !writes.is_empty() {
            let mut batch = sled::Batch::default();
            for (key, value) in writes {
                match value {
                    Some(value) => batch.insert(key, value),
                    None => batch.remove(key),
                }
            }
            // The epoch is odd while the batch lands (a seqlock): caches neither use nor fill entries then, so a
            // reader woken by the change feed (sled notifies during the batch) never sees a value from before it.
            self.epoch.fetch_add(1, Ordering::AcqRel);
            let applied = self.tree.apply_batch(batch);
            self.epoch.fetch_add(1, Ordering::AcqRel);
            applied.map_err(|e| E::from(sled_error(e)))?;
            self.committed.fetch_add(1, Ordering::AcqRel);
        }
        Ok(value)
    }

    /// Makes every committed write durable (fsync).
    pub(crate) fn flush(&self) -> Result<(), StoreError> {
        // Read before flushing: a commit that lands during the flush may not be covered.
        let committed = self.committed.load(Ordering::Acquire);
        self.db.flush().map_err(sled_error)?;
        self.flushed.fetch_max(committed, Ordering::AcqRel);
        Ok(())
    }

    /// A counter that moves before and after every batch written, odd while one is being written: an even value
    /// read before a read of the database and found unchanged afterwards proves no write landed in between, and
    /// a value cached under an even epoch stays valid while the epoch has not moved.
    pub(crate) fn write_epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Whether every committed transaction has been flushed.
    pub(crate) fn is_flushed(&self) -> bool {
        self.flushed.load(Ordering::Acquire) >= self.committed.load(Ordering::Acquire)
    }

    /// A blocking stream of every committed insert and remove under `prefix`, from now on.
    ///
    /// The caller must keep draining it (sled blocks writers once ~1,024 events are unread) and ends when the
    /// database is dropped.
    pub(crate) fn watch(&self, prefix: &[u8]) -> impl Iterator<Item = KvEvent> + Send + use<> {
        // Iterating the Subscriber (never next_timeout) survives no-op writes.
        self.tree.watch_prefix(prefix).map(|event| match event {
            sled::Event::Insert { key, value } => KvEvent {
                key: key.to_vec(),
                value: Some(value.to_vec()),
            },
            sled::Event::Remove { key } => KvEvent {
                key: key.to_vec(),
                value: None,
            },
        })
    }
}

impl KvRead for Engine {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.tree
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(sled_error)
    }
}

/// One transaction: its writes, kept until commit, over the committed tree.
struct BatchTx<'a> {
    tree: &'a sled::Tree,
    /// Key → new value, or `None` for a removal; in sled's own buffer type, so the batch takes them as they are.
    writes: RefCell<BTreeMap<sled::IVec, Option<sled::IVec>>>,
    /// The first storage failure, which aborts the transaction whatever the closure did with it.
    failure: RefCell<Option<StoreError>>,
}

impl BatchTx<'_> {
    fn fail(&self, e: sled::Error) -> StoreError {
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some(StoreError::Sled(e.to_string()));
        }
        sled_error(e)
    }
}

impl KvRead for BatchTx<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(pending) = self.writes.borrow().get(key) {
            return Ok(pending.as_ref().map(|v| v.to_vec()));
        }
        self.tree
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| self.fail(e))
    }
}

impl KvWrite for BatchTx<'_> {
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.writes
            .borrow_mut()
            .insert(key.into(), Some(value.into()));
        Ok(())
    }

    fn remove(&self, key: &[u8]) -> Result<(), StoreError> {
        self.writes.borrow_mut().insert(key.into(), None);
        Ok(())
    }
}

/// sled reports a held lock as a generic I/O error; only the message tells (deps.md §3).
fn is_lock_error(e: &sled::Error) -> bool {
    matches!(e, sled::Error::Io(io) if io.to_string().contains("could not acquire lock"))
}

fn sled_error(e: sled::Error) -> StoreError {
    match e {
        sled::Error::Io(io) => StoreError::Io(io),
        other => StoreError::Sled(other.to_string()),
    }
}
