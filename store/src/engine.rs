//! All sled-specific code: opening with the lock retry, point reads, prefix scans, transactions, watching.
//!
//! The rules from deps.md §3 live here: a second open fails at once with "could not acquire lock" (so we retry,
//! bounded); `flush` is the caller's durability point; `Subscriber::next_timeout` is never used, because it goes dead
//! after a no-op write in 0.34.7.

use std::cell::RefCell;
use std::path::Path;
use std::time::{Duration, Instant};

use sled::transaction::{
    ConflictableTransactionError, TransactionError, TransactionalTree, UnabortableTransactionError,
};

use crate::error::StoreError;
use crate::kv::{KvEvent, KvRead, KvWrite};

/// The tree holding every record; one tree keeps every transaction single-tree and every scan simple.
const TREE: &str = "config";

/// First and largest pause between two attempts to take the database lock.
const FIRST_BACKOFF: Duration = Duration::from_millis(20);
const MAX_BACKOFF: Duration = Duration::from_millis(200);

/// An open sled database.
pub(crate) struct Engine {
    db: sled::Db,
    tree: sled::Tree,
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
    pub(crate) fn open(path: &Path, lock_wait: Duration) -> Result<Engine, OpenError> {
        let deadline = Instant::now() + lock_wait;
        let mut backoff = FIRST_BACKOFF;
        let db = loop {
            match sled::Config::new().path(path).open() {
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
            .open()
            .map_err(sled_error)?;
        Engine::with_db(db)
    }

    fn with_db(db: sled::Db) -> Result<Engine, StoreError> {
        let tree = db.open_tree(TREE).map_err(sled_error)?;
        Ok(Engine { db, tree })
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

    /// Runs `f` in one serializable transaction over every record. sled re-runs `f` on a conflict.
    pub(crate) fn transaction<T, E: From<StoreError>>(
        &self,
        f: impl Fn(&dyn KvWrite) -> Result<T, E>,
    ) -> Result<T, E> {
        let result = self.tree.transaction(|tree| {
            let tx = SledTx {
                tree,
                failure: RefCell::new(None),
            };
            let outcome = f(&tx);
            // A conflict or storage failure seen by any operation decides the outcome even if the closure swallowed
            // the error: committing after a conflict would break serializability, and only sled's own Conflict
            // makes it retry.
            if let Some(failure) = tx.failure.into_inner() {
                return Err(ConflictableTransactionError::from(failure));
            }
            outcome.map_err(ConflictableTransactionError::Abort)
        });
        match result {
            Ok(value) => Ok(value),
            Err(TransactionError::Abort(e)) => Err(e),
            Err(TransactionError::Storage(e)) => Err(E::from(sled_error(e))),
        }
    }

    /// Makes every committed write durable (fsync).
    pub(crate) fn flush(&self) -> Result<(), StoreError> {
        self.db.flush().map(|_| ()).map_err(sled_error)
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

/// One attempt of a sled transaction. It remembers the first conflict or storage failure so that `transaction`
/// can hand it back to sled whatever the closure did with the error.
struct SledTx<'a> {
    tree: &'a TransactionalTree,
    failure: RefCell<Option<UnabortableTransactionError>>,
}

impl SledTx<'_> {
    fn fail(&self, e: UnabortableTransactionError) -> StoreError {
        let err = match &e {
            UnabortableTransactionError::Conflict => StoreError::TransactionConflict,
            UnabortableTransactionError::Storage(inner) => StoreError::Sled(inner.to_string()),
        };
        let mut failure = self.failure.borrow_mut();
        if failure.is_none() {
            *failure = Some(e);
        }
        err
    }
}

impl KvRead for SledTx<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.tree
            .get(key)
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| self.fail(e))
    }
}

impl KvWrite for SledTx<'_> {
    fn insert(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        self.tree
            .insert(key, value)
            .map(|_| ())
            .map_err(|e| self.fail(e))
    }

    fn remove(&self, key: &[u8]) -> Result<(), StoreError> {
        self.tree.remove(key).map(|_| ()).map_err(|e| self.fail(e))
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
