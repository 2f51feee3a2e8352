//! The objects a session's ROP handle table names (MS-OXCROPS §3.2.5.1): logons, folders, tables and
//! notification subscriptions, and the handle-table rules — an input index that is out of range, unused
//! (0xFFFFFFFF) or names no object is ecNullObject (0x4B9); an output index receives the new object's handle.

use std::collections::HashMap;

use mapish_store::Uuid;
use mapish_wire::ec;
use mapish_wire::prop::PropTag;
use mapish_wire::rop::notify::NotificationScope;
use mapish_wire::rop::{Restriction, SortOrder, UNUSED_HANDLE};

/// What a table lists.
#[derive(Debug, Clone, PartialEq)]
pub enum TableKind {
    /// The subfolders of `folder` (all descendants when `depth`).
    Hierarchy {
        /// The folder's global counter.
        folder: u64,
        /// TableFlags Depth.
        depth: bool,
    },
    /// The messages of `folder`: none exist yet.
    Contents {
        /// The folder's global counter.
        folder: u64,
    },
    /// The rules of `folder`: none exist yet.
    Rules {
        /// The folder's global counter.
        folder: u64,
    },
}

/// A table object and its view state (MS-OXCTABL §3.2.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// What it lists.
    pub kind: TableKind,
    /// The columns set by RopSetColumns; `None` before the first.
    pub columns: Option<Vec<PropTag>>,
    /// The sort order set by RopSortTable.
    pub sort: Vec<SortOrder>,
    /// The restriction set by RopRestrict.
    pub restriction: Option<Restriction>,
    /// The cursor: the index of the next row.
    pub position: usize,
    /// Strings as PtypString (TableFlags UseUnicode) where a column asks for PtypUnspecified.
    pub unicode: bool,
}

impl Table {
    /// A new table at the beginning, with no columns.
    pub fn new(kind: TableKind, unicode: bool) -> Table {
        Table {
            kind,
            columns: None,
            sort: Vec::new(),
            restriction: None,
            position: 0,
            unicode,
        }
    }
}

/// A server-side object named in the ROP handle table.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerObject {
    /// A private mailbox logon.
    Logon {
        /// The client's LogonId.
        logon_id: u8,
        /// The mailbox logged on to.
        mailbox: Uuid,
    },
    /// An open folder.
    Folder {
        /// The mailbox it belongs to.
        mailbox: Uuid,
        /// Its global counter.
        folder: u64,
    },
    /// A hierarchy, contents or rules table.
    Table {
        /// The mailbox it belongs to.
        mailbox: Uuid,
        /// The table.
        table: Table,
    },
    /// A notification subscription (RopRegisterNotification): accepted; no events are sent yet.
    Notify {
        /// The mailbox it belongs to.
        mailbox: Uuid,
        /// NotificationTypes.
        types: u8,
        /// The subscribed scope.
        scope: NotificationScope,
    },
}

/// Objects owned by a session; handles are never 0xFFFFFFFF (MS-OXCROPS §3.2.5.1).
///
/// A handle is `LogonId << 24 | n`, where `n` counts the objects created under that LogonId in the session
/// from 0 — the logon itself gets `n` = 0, the next object 1, and so on — and the value 0 is never given (so
/// LogonId 0 starts at 1). That is how Exchange numbers handles, and clients depend on it: ruler sends
/// `0x09000000` for its logon (LogonId 9) and `0x09000001` for the Inbox it opened next without reading either
/// from a response.
#[derive(Debug, Default, Clone)]
pub struct Objects {
    next: HashMap<u8, u32>,
    map: HashMap<u32, ServerObject>,
}

/// Objects one session may hold (gromox uses the same bound).
pub const MAX_OBJECTS: usize = 255;

impl Objects {
    /// Stores `object`, created under `logon_id`, and returns its handle; `None` when the session holds too
    /// many.
    pub fn insert(&mut self, logon_id: u8, object: ServerObject) -> Option<u32> {
        if self.map.len() >= MAX_OBJECTS {
            return None;
        }
        let n = self.next.entry(logon_id).or_insert(0);
        loop {
            let handle = (u32::from(logon_id) << 24) | *n;
            *n = (*n + 1) & 0x00FF_FFFF;
            if handle != 0 && handle != UNUSED_HANDLE && !self.map.contains_key(&handle) {
                self.map.insert(handle, object);
                return Some(handle);
            }
        }
    }

    /// Drops the object behind `handle` (unknown handles are ignored, as RopRelease errors are). Releasing a
    /// logon ends it: every object opened under its LogonId goes too.
    pub fn release(&mut self, handle: u32) {
        if let Some(ServerObject::Logon { .. }) = self.map.remove(&handle) {
            // The handle's top byte is the LogonId it was created under.
            self.end_logon((handle >> 24) as u8);
        }
    }

    /// Drops every object of `logon_id` and restarts its handle numbering (a new logon with that LogonId
    /// replaces the old one).
    pub fn end_logon(&mut self, logon_id: u8) {
        self.map.retain(|h, _| (h >> 24) as u8 != logon_id);
        self.next.remove(&logon_id);
    }

    /// Whether a logon with `logon_id` is active.
    pub fn has_logon(&self, logon_id: u8) -> bool {
        self.map
            .values()
            .any(|o| matches!(o, ServerObject::Logon { logon_id: l, .. } if *l == logon_id))
    }

    /// The object behind `handle`.
    pub fn get(&self, handle: u32) -> Option<&ServerObject> {
        self.map.get(&handle)
    }

    /// The object behind `handle`, to change it.
    pub fn get_mut(&mut self, handle: u32) -> Option<&mut ServerObject> {
        self.map.get_mut(&handle)
    }

    /// How many objects exist.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none exist.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A request's handle table with the session's objects: the state every ROP reads and changes.
#[derive(Debug, Clone)]
pub struct HandleTable {
    /// The slots, as the client sent them; returned in the response.
    pub slots: Vec<u32>,
    /// The session's objects (a working copy, written back when the Execute is answered).
    pub objects: Objects,
}

impl HandleTable {
    /// The handle in slot `index`; ecNullObject when the slot does not exist or is unused.
    pub fn handle(&self, index: u8) -> Result<u32, u32> {
        match self.slots.get(usize::from(index)) {
            Some(&h) if h != UNUSED_HANDLE => Ok(h),
            _ => Err(ec::NULL_OBJECT),
        }
    }

    /// The object in slot `index`; ecNullObject when there is none.
    pub fn object(&self, index: u8) -> Result<&ServerObject, u32> {
        let h = self.handle(index)?;
        self.objects.get(h).ok_or(ec::NULL_OBJECT)
    }

    /// The object in slot `index`, to change it.
    pub fn object_mut(&mut self, index: u8) -> Result<&mut ServerObject, u32> {
        let h = self.handle(index)?;
        self.objects.get_mut(h).ok_or(ec::NULL_OBJECT)
    }

    /// Creates `object` under `logon_id` and puts its handle in slot `index`; ecNullObject when the slot does
    /// not exist, ecError when the session holds too many objects.
    pub fn create(&mut self, index: u8, logon_id: u8, object: ServerObject) -> Result<u32, u32> {
        let slot = usize::from(index);
        if slot >= self.slots.len() {
            return Err(ec::NULL_OBJECT);
        }
        let h = self.objects.insert(logon_id, object).ok_or(ec::ERROR)?;
        self.slots[slot] = h;
        Ok(h)
    }

    /// RopRelease: frees the object in slot `index`; errors are swallowed (MS-OXCROPS §3.2.5.3).
    pub fn release(&mut self, index: u8) {
        if let Ok(h) = self.handle(index) {
            self.objects.release(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn logon() -> ServerObject {
        ServerObject::Logon {
            logon_id: 0,
            mailbox: Uuid::nil(),
        }
    }

    #[test]
    fn slots_and_null_objects() {
        let mut t = HandleTable {
            slots: vec![UNUSED_HANDLE, 77],
            objects: Objects::default(),
        };
        assert_eq!(t.object(0).err(), Some(ec::NULL_OBJECT), "unused slot");
        assert_eq!(t.object(1).err(), Some(ec::NULL_OBJECT), "unknown handle");
        assert_eq!(t.object(9).err(), Some(ec::NULL_OBJECT), "no such slot");
        assert_eq!(t.create(5, 0, logon()), Err(ec::NULL_OBJECT));
        let h = t.create(0, 0, logon()).unwrap();
        assert_eq!(t.slots[0], h);
        assert_eq!(t.object(0).unwrap(), &logon());
        t.release(0);
        assert_eq!(t.object(0).err(), Some(ec::NULL_OBJECT));
        t.release(7); // swallowed
        assert!(t.objects.is_empty());
    }

    #[test]
    fn the_object_bound_is_kept() {
        let mut o = Objects::default();
        for _ in 0..MAX_OBJECTS {
            assert!(o.insert(3, logon()).is_some());
        }
        assert_eq!(o.insert(3, logon()), None);
        assert_eq!(o.len(), MAX_OBJECTS);
    }

    fn folder() -> ServerObject {
        ServerObject::Folder {
            mailbox: Uuid::nil(),
            folder: 0x0d,
        }
    }

    #[test]
    fn handles_are_numbered_per_logon_id_as_exchange_does() {
        let mut o = Objects::default();
        // LogonId 9 (ruler's): the logon is 0x09000000, the next object 0x09000001.
        assert_eq!(o.insert(9, logon()), Some(0x0900_0000));
        assert_eq!(o.insert(9, folder()), Some(0x0900_0001));
        // LogonId 0 never gets handle 0; other logon ids count on their own.
        assert_eq!(o.insert(0, logon()), Some(1));
        assert_eq!(o.insert(0xFF, logon()), Some(0xFF00_0000));
        assert_eq!(o.insert(9, folder()), Some(0x0900_0002));
        // A released handle is not reused while the counter has room.
        o.release(0x0900_0002);
        assert_eq!(o.insert(9, folder()), Some(0x0900_0003));
        // Releasing the logon releases its objects and restarts its numbering; other logons are untouched.
        o.release(0x0900_0000);
        assert_eq!(o.get(0x0900_0001), None);
        assert_eq!(o.get(0x0900_0003), None);
        assert!(o.get(1).is_some());
        assert!(!o.has_logon(9));
        let l9 = ServerObject::Logon {
            logon_id: 9,
            mailbox: Uuid::nil(),
        };
        assert_eq!(o.insert(9, l9), Some(0x0900_0000));
        assert!(o.has_logon(9));
        // At the top of LogonId 0xFF's range, 0xFFFFFFFF is skipped and the counter wraps.
        o.next.insert(0xFF, 0x00FF_FFFF);
        assert_eq!(o.insert(0xFF, folder()), Some(0xFF00_0001));
    }
}
