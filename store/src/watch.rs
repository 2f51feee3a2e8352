//! The change feed: one sled watcher, drained by one thread, fanned out to any number of channels.
//!
//! sled blocks every writer once a subscriber has ~1,024 unread events, and dropping a subscriber while a writer is
//! blocked on it deadlocks (deps.md §3). So the only subscriber is read by a dedicated thread that forwards each
//! event into unbounded channels at once, and that thread ends on its own when the database is dropped (sled then
//! closes the subscriber's channel).

use std::fmt;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard};

use uuid::Uuid;

use crate::engine::Engine;
use crate::keys;
use crate::kv::KvEvent;

/// The kind of a stored object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ObjectKind {
    /// The organization.
    Organization,
    /// A server.
    Server,
    /// A MAPI virtual directory.
    MapiVirtualDirectory,
    /// A mailbox.
    Mailbox,
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ObjectKind::Organization => "organization",
            ObjectKind::Server => "server",
            ObjectKind::MapiVirtualDirectory => "MAPI virtual directory",
            ObjectKind::Mailbox => "mailbox",
        })
    }
}

/// One committed put or delete of an object.
///
/// A put that stores a value identical to the stored one is no change and produces no `Change`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Change {
    /// What kind of object changed.
    pub kind: ObjectKind,
    /// The object's Guid as a string (for the organization, its Guid when known, else `organization`).
    pub id: String,
    /// Whether the object was deleted (else it was created or replaced).
    pub deleted: bool,
}

impl Change {
    /// The changed object's Guid, when `id` is one.
    pub fn guid(&self) -> Option<Uuid> {
        Uuid::parse_str(&self.id).ok()
    }
}

/// The fan-out state shared by a store's clones.
#[derive(Default)]
pub(crate) struct Feed {
    state: Mutex<FeedState>,
}

#[derive(Default)]
struct FeedState {
    /// Present once the draining thread runs; shared with it.
    senders: Option<Arc<Mutex<Vec<Sender<Change>>>>>,
}

impl Feed {
    /// A new receiver of every change committed after this call returns.
    pub(crate) fn subscribe(&self, engine: &Engine) -> Receiver<Change> {
        let (tx, rx) = mpsc::channel();
        let mut state = lock(&self.state);
        if let Some(senders) = &state.senders {
            lock(senders).push(tx);
            return rx;
        }
        // Started lazily: a one-shot command never pays for a thread, and the watcher exists before we return, so
        // the caller cannot miss a change it makes right after subscribing.
        let senders = Arc::new(Mutex::new(vec![tx]));
        let events = engine.watch(keys::OBJECTS);
        let shared = Arc::clone(&senders);
        let spawned = std::thread::Builder::new()
            .name("mapish-store-watch".into())
            .spawn(move || forward(events, &shared));
        match spawned {
            Ok(_) => state.senders = Some(senders),
            // The closure, and with it the sled subscriber, is dropped here, so nothing is left undrained.
            Err(e) => tracing::error!("cannot start the store change feed thread: {e}"),
        }
        rx
    }
}

fn forward(events: impl Iterator<Item = KvEvent>, senders: &Mutex<Vec<Sender<Change>>>) {
    for event in events {
        let Some(change) = to_change(&event) else {
            continue;
        };
        tracing::trace!(?change, "store change");
        // Receivers that were dropped are forgotten; the loop keeps draining sled even with none left.
        lock(senders).retain(|s| s.send(change.clone()).is_ok());
    }
    tracing::debug!("store change feed ended: the database was closed");
}

fn to_change(event: &KvEvent) -> Option<Change> {
    let (kind, guid) = keys::parse_object_key(&event.key)?;
    let id = match guid {
        Some(guid) => guid.to_string(),
        None => organization_id(event.value.as_deref()),
    };
    Some(Change {
        kind,
        id,
        deleted: event.value.is_none(),
    })
}

fn organization_id(value: Option<&[u8]>) -> String {
    #[derive(serde::Deserialize)]
    struct GuidOnly {
        guid: Uuid,
    }
    value
        .and_then(|v| serde_json::from_slice::<GuidOnly>(v).ok())
        .map(|g| g.guid.to_string())
        .unwrap_or_else(|| "organization".to_string())
}

/// A poisoned lock only means another thread panicked while forwarding; the sender list is still usable.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::Receiver;
    use std::time::Duration;

    use super::*;
    use crate::Store;
    use crate::test_util::{mailbox, put};

    fn next(rx: &Receiver<Change>) -> Change {
        rx.recv_timeout(Duration::from_secs(5))
            .expect("a change within 5 s")
    }

    #[test]
    fn puts_and_deletes_arrive_and_no_op_writes_do_not_stall_the_feed() {
        let store = Store::open_temporary().unwrap();
        let rx = store.subscribe();
        let alice = mailbox("Alice", "alice");
        put(&store, &alice).unwrap();
        assert_eq!(
            next(&rx),
            Change {
                kind: ObjectKind::Mailbox,
                id: alice.guid.to_string(),
                deleted: false
            }
        );

        // An identical value is a no-op write in sled; next_timeout would die here (deps.md §3).
        put(&store, &alice).unwrap();
        let bob = mailbox("Bob", "bob");
        put(&store, &bob).unwrap();
        assert_eq!(
            next(&rx),
            Change {
                kind: ObjectKind::Mailbox,
                id: bob.guid.to_string(),
                deleted: false
            }
        );

        store.update(|tx| tx.delete_mailbox(alice.guid)).unwrap();
        let change = next(&rx);
        assert_eq!(
            change,
            Change {
                kind: ObjectKind::Mailbox,
                id: alice.guid.to_string(),
                deleted: true
            }
        );
        assert_eq!(change.guid(), Some(alice.guid));

        // Only object records are reported, never index or bookkeeping keys.
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
    }

    #[test]
    fn every_subscriber_gets_every_kind_and_a_dropped_one_is_harmless() {
        let store = Store::open_temporary().unwrap();
        let first = store.subscribe();
        let dropped = store.subscribe();
        drop(dropped);
        store
            .initialize(&crate::InitParams {
                organization: "Contoso".into(),
                server: "EX01".into(),
                fqdn: "ex01.contoso.com".into(),
            })
            .unwrap();
        let org = store.organization().unwrap();
        let mut kinds: Vec<ObjectKind> = (0..3).map(|_| next(&first).kind).collect();
        // Subscribe only once the initialisation's events were delivered: the feed thread forwards
        // asynchronously, so an earlier subscriber could still receive them.
        let second = store.subscribe();
        kinds.sort_by_key(|k| *k as u8);
        assert_eq!(
            kinds,
            [
                ObjectKind::Organization,
                ObjectKind::Server,
                ObjectKind::MapiVirtualDirectory
            ]
        );

        let mut changed = org.clone();
        changed.mapi_http_enabled = true;
        store.update(|tx| tx.put_organization(&changed)).unwrap();
        let expected = Change {
            kind: ObjectKind::Organization,
            id: org.guid.to_string(),
            deleted: false,
        };
        assert_eq!(next(&first), expected);
        assert_eq!(next(&second), expected);
    }

    #[test]
    fn receivers_disconnect_when_the_store_is_dropped() {
        let store = Store::open_temporary().unwrap();
        let rx = store.subscribe();
        put(&store, &mailbox("Alice", "alice")).unwrap();
        drop(store);
        assert!(!next(&rx).deleted);
        let end = rx.recv_timeout(Duration::from_secs(5));
        assert_eq!(
            end,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected),
            "the feed thread must end"
        );
    }

    #[test]
    fn a_subscriber_nobody_reads_never_blocks_writers() {
        let store = Store::open_temporary().unwrap();
        let _unread = store.subscribe();
        // Well past sled's 1,024-event subscriber buffer.
        for i in 0..1_500 {
            put(&store, &mailbox(&format!("M{i}"), &format!("m{i}"))).unwrap();
        }
        assert_eq!(store.mailbox_count().unwrap(), 1_500);
    }
}
