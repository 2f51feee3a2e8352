//! The folders of a private mailbox: the special folder set every mailbox is created with (MS-OXOSFLD §2.2,
//! MS-OXCSTOR §2.2.1.1.3), kept as ONE record per mailbox (`folders/<mailbox guid>`, see `keys.rs`) so that
//! creating a mailbox costs one extra write however many folders it has.
//!
//! Folder ids are a replica id plus a 48-bit global counter (MS-OXCDATA §2.2.1.1). The special folders use the
//! counters of gromox's private-store layout (Root 0x01 … Contacts 0x13), which Outlook is known to accept; the
//! counters are the same in every mailbox because ids are scoped by the mailbox's replica.
//!
//! The record stores what can change (names, classes, counts, the tree); child counts are derived from the tree so
//! they can never disagree with it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::StoreError;
use crate::keys;
use crate::kv::KvWrite;
use crate::model::mailbox::Mailbox;
use crate::records;
use crate::store::Store;

/// The replica id of a mailbox's own objects (the `ReplicaId` half of its folder and message ids).
pub const MAILBOX_REPLICA_ID: u16 = 1;

/// The special folders of a private mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialFolder {
    /// The mailbox root (not user-visible).
    Root,
    /// Deferred Action.
    DeferredAction,
    /// Spooler Queue.
    SpoolerQueue,
    /// Shortcuts.
    Shortcuts,
    /// Finder: the parent of search folders.
    Finder,
    /// Views.
    Views,
    /// Common Views.
    CommonViews,
    /// Schedule.
    Schedule,
    /// Top of Information Store, the IPM subtree.
    IpmSubtree,
    /// Sent Items.
    SentItems,
    /// Deleted Items.
    DeletedItems,
    /// Outbox.
    Outbox,
    /// Inbox.
    Inbox,
    /// Drafts.
    Drafts,
    /// Calendar.
    Calendar,
    /// Journal.
    Journal,
    /// Notes.
    Notes,
    /// Tasks.
    Tasks,
    /// Contacts.
    Contacts,
}

impl SpecialFolder {
    /// Every special folder, in global-counter order (parents before children).
    pub const ALL: [SpecialFolder; 19] = [
        SpecialFolder::Root,
        SpecialFolder::DeferredAction,
        SpecialFolder::SpoolerQueue,
        SpecialFolder::Shortcuts,
        SpecialFolder::Finder,
        SpecialFolder::Views,
        SpecialFolder::CommonViews,
        SpecialFolder::Schedule,
        SpecialFolder::IpmSubtree,
        SpecialFolder::SentItems,
        SpecialFolder::DeletedItems,
        SpecialFolder::Outbox,
        SpecialFolder::Inbox,
        SpecialFolder::Drafts,
        SpecialFolder::Calendar,
        SpecialFolder::Journal,
        SpecialFolder::Notes,
        SpecialFolder::Tasks,
        SpecialFolder::Contacts,
    ];

    /// The global counter of its folder id (gromox's private-store layout).
    pub const fn global_counter(self) -> u64 {
        match self {
            SpecialFolder::Root => 0x01,
            SpecialFolder::DeferredAction => 0x02,
            SpecialFolder::SpoolerQueue => 0x03,
            SpecialFolder::Shortcuts => 0x04,
            SpecialFolder::Finder => 0x05,
            SpecialFolder::Views => 0x06,
            SpecialFolder::CommonViews => 0x07,
            SpecialFolder::Schedule => 0x08,
            SpecialFolder::IpmSubtree => 0x09,
            SpecialFolder::SentItems => 0x0a,
            SpecialFolder::DeletedItems => 0x0b,
            SpecialFolder::Outbox => 0x0c,
            SpecialFolder::Inbox => 0x0d,
            SpecialFolder::Drafts => 0x0e,
            SpecialFolder::Calendar => 0x0f,
            SpecialFolder::Journal => 0x10,
            SpecialFolder::Notes => 0x11,
            SpecialFolder::Tasks => 0x12,
            SpecialFolder::Contacts => 0x13,
        }
    }

    /// The special folder with this global counter.
    pub fn from_global_counter(gc: u64) -> Option<SpecialFolder> {
        SpecialFolder::ALL
            .into_iter()
            .find(|f| f.global_counter() == gc)
    }

    /// The folder it is created under; `None` for the root.
    pub const fn parent(self) -> Option<SpecialFolder> {
        match self {
            SpecialFolder::Root => None,
            SpecialFolder::DeferredAction
            | SpecialFolder::SpoolerQueue
            | SpecialFolder::Shortcuts
            | SpecialFolder::Finder
            | SpecialFolder::Views
            | SpecialFolder::CommonViews
            | SpecialFolder::Schedule
            | SpecialFolder::IpmSubtree => Some(SpecialFolder::Root),
            _ => Some(SpecialFolder::IpmSubtree),
        }
    }

    /// The display name it is created with (Exchange's English names).
    pub const fn display_name(self) -> &'static str {
        match self {
            SpecialFolder::Root => "Root Container",
            SpecialFolder::DeferredAction => "Deferred Action",
            SpecialFolder::SpoolerQueue => "Spooler Queue",
            SpecialFolder::Shortcuts => "Shortcuts",
            SpecialFolder::Finder => "Finder",
            SpecialFolder::Views => "Views",
            SpecialFolder::CommonViews => "Common Views",
            SpecialFolder::Schedule => "Schedule",
            SpecialFolder::IpmSubtree => "Top of Information Store",
            SpecialFolder::SentItems => "Sent Items",
            SpecialFolder::DeletedItems => "Deleted Items",
            SpecialFolder::Outbox => "Outbox",
            SpecialFolder::Inbox => "Inbox",
            SpecialFolder::Drafts => "Drafts",
            SpecialFolder::Calendar => "Calendar",
            SpecialFolder::Journal => "Journal",
            SpecialFolder::Notes => "Notes",
            SpecialFolder::Tasks => "Tasks",
            SpecialFolder::Contacts => "Contacts",
        }
    }

    /// PidTagContainerClass it is created with (MS-OXOSFLD §2.2.2); `None` for folders without one.
    pub const fn container_class(self) -> Option<&'static str> {
        match self {
            SpecialFolder::SentItems
            | SpecialFolder::DeletedItems
            | SpecialFolder::Outbox
            | SpecialFolder::Inbox
            | SpecialFolder::Drafts => Some("IPF.Note"),
            SpecialFolder::Calendar => Some("IPF.Appointment"),
            SpecialFolder::Journal => Some("IPF.Journal"),
            SpecialFolder::Notes => Some("IPF.StickyNote"),
            SpecialFolder::Tasks => Some("IPF.Task"),
            SpecialFolder::Contacts => Some("IPF.Contact"),
            _ => None,
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One folder. Field names are short on disk: the record is written once per mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Folder {
    /// The global counter of its folder id.
    #[serde(rename = "g")]
    pub global_counter: u64,
    /// The parent's global counter; 0 for the root.
    #[serde(rename = "p")]
    pub parent: u64,
    /// PidTagDisplayName.
    #[serde(rename = "n")]
    pub display_name: String,
    /// PidTagContainerClass, if any.
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub container_class: Option<String>,
    /// PidTagContentCount: messages in the folder.
    #[serde(rename = "cc", default, skip_serializing_if = "is_zero")]
    pub content_count: u32,
    /// PidTagContentUnreadCount.
    #[serde(rename = "uc", default, skip_serializing_if = "is_zero")]
    pub unread_count: u32,
}

impl Folder {
    /// The special folder this is, if any.
    pub fn special(&self) -> Option<SpecialFolder> {
        SpecialFolder::from_global_counter(self.global_counter)
    }
}

/// Every folder of one mailbox: the value of `folders/<mailbox guid>`.
///
/// On disk the folder list is left out while it is still exactly the special set a mailbox is created with,
/// so the record of an untouched mailbox is a few dozen bytes (`{"r":1,"t":"…"}`); reading fills the set in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredFolders", into = "StoredFolders")]
pub struct MailboxFolders {
    /// The replica id of the folder ids.
    pub replica_id: u16,
    /// When the folders were created (PidTagCreationTime, PidTagLastModificationTime).
    pub created: DateTime<Utc>,
    /// The folders, parents before children.
    pub folders: Vec<Folder>,
}

/// The on-disk form of [`MailboxFolders`].
#[derive(Serialize, Deserialize)]
struct StoredFolders {
    r: u16,
    t: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    f: Option<Vec<Folder>>,
}

impl From<StoredFolders> for MailboxFolders {
    fn from(s: StoredFolders) -> MailboxFolders {
        MailboxFolders {
            replica_id: s.r,
            created: s.t,
            folders: s.f.unwrap_or_else(special_folders),
        }
    }
}

impl From<MailboxFolders> for StoredFolders {
    fn from(m: MailboxFolders) -> StoredFolders {
        let f = (m.folders != special_folders()).then_some(m.folders);
        StoredFolders {
            r: m.replica_id,
            t: m.created,
            f,
        }
    }
}

/// The special folders as a new mailbox has them.
fn special_folders() -> Vec<Folder> {
    SpecialFolder::ALL
        .into_iter()
        .map(|f| Folder {
            global_counter: f.global_counter(),
            parent: f.parent().map_or(0, SpecialFolder::global_counter),
            display_name: f.display_name().to_string(),
            container_class: f.container_class().map(str::to_string),
            content_count: 0,
            unread_count: 0,
        })
        .collect()
}

impl MailboxFolders {
    /// The special folder set, created at `created`.
    pub fn special_set(created: DateTime<Utc>) -> MailboxFolders {
        MailboxFolders {
            replica_id: MAILBOX_REPLICA_ID,
            created,
            folders: special_folders(),
        }
    }

    /// The folder with this global counter.
    pub fn get(&self, global_counter: u64) -> Option<&Folder> {
        self.folders
            .iter()
            .find(|f| f.global_counter == global_counter)
    }

    /// The special folder `which`.
    pub fn special(&self, which: SpecialFolder) -> Option<&Folder> {
        self.get(which.global_counter())
    }

    /// The direct children of a folder, in stored order.
    pub fn children(&self, global_counter: u64) -> impl Iterator<Item = &Folder> {
        self.folders
            .iter()
            .filter(move |f| f.parent == global_counter && f.global_counter != global_counter)
    }

    /// PidTagFolderChildCount.
    pub fn child_count(&self, global_counter: u64) -> u32 {
        self.children(global_counter).count() as u32
    }

    /// Every descendant of a folder, depth first, with its depth below it (1 = child).
    pub fn descendants(&self, global_counter: u64) -> Vec<(&Folder, u32)> {
        let mut out = Vec::new();
        self.walk(global_counter, 1, &mut out);
        out
    }

    fn walk<'a>(&'a self, parent: u64, depth: u32, out: &mut Vec<(&'a Folder, u32)>) {
        // The tree has at most a few thousand folders; bound the depth anyway so a corrupt cycle cannot recurse forever.
        if depth > 64 {
            return;
        }
        for child in self.children(parent) {
            out.push((child, depth));
            self.walk(child.global_counter, depth + 1, out);
        }
    }
}

/// Writes the special folder set of a new mailbox (called from `Tx::put_mailbox`).
pub(crate) fn create(kv: &(impl KvWrite + ?Sized), m: &Mailbox) -> Result<(), StoreError> {
    records::put_json(
        kv,
        &keys::folders(m.guid),
        &MailboxFolders::special_set(m.when_created),
    )
}

/// Removes a mailbox's folders (called from `Tx::delete_mailbox`).
pub(crate) fn remove(kv: &(impl KvWrite + ?Sized), guid: Uuid) -> Result<(), StoreError> {
    kv.remove(&keys::folders(guid))
}

impl Store {
    /// The folders of the mailbox with this Guid; `None` if it has none (no such mailbox).
    pub fn folders(&self, mailbox: Uuid) -> Result<Option<MailboxFolders>, StoreError> {
        records::get_json(self.engine(), &keys::folders(mailbox))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{mailbox, put};

    #[test]
    fn a_new_mailbox_has_the_special_folders_and_removing_it_removes_them() {
        let store = Store::open_temporary().unwrap();
        let m = mailbox("Alice", "alice");
        put(&store, &m).unwrap();
        let set = store.folders(m.guid).unwrap().expect("folders written");
        assert_eq!(set.replica_id, 1);
        assert_eq!(set.created, m.when_created);
        assert_eq!(set.folders.len(), 19);
        let inbox = set.special(SpecialFolder::Inbox).unwrap();
        assert_eq!(inbox.display_name, "Inbox");
        assert_eq!(inbox.parent, 0x09);
        assert_eq!(inbox.container_class.as_deref(), Some("IPF.Note"));
        assert_eq!(
            set.special(SpecialFolder::Calendar)
                .unwrap()
                .container_class
                .as_deref(),
            Some("IPF.Appointment")
        );
        let ipm: Vec<&str> = set
            .children(SpecialFolder::IpmSubtree.global_counter())
            .map(|f| f.display_name.as_str())
            .collect();
        assert_eq!(
            ipm,
            [
                "Sent Items",
                "Deleted Items",
                "Outbox",
                "Inbox",
                "Drafts",
                "Calendar",
                "Journal",
                "Notes",
                "Tasks",
                "Contacts"
            ]
        );
        assert_eq!(set.child_count(0x01), 8);
        assert_eq!(set.child_count(0x0d), 0);
        let all = set.descendants(0x01);
        assert_eq!(all.len(), 18);
        assert!(
            all.iter()
                .any(|(f, d)| f.display_name == "Tasks" && *d == 2)
        );
        // Updating the mailbox keeps the folders; deleting it removes them.
        let mut renamed = m.clone();
        renamed.display_name = "Alice B".into();
        put(&store, &renamed).unwrap();
        assert_eq!(store.folders(m.guid).unwrap(), Some(set));
        store.update(|tx| tx.delete_mailbox(m.guid)).unwrap();
        assert_eq!(store.folders(m.guid).unwrap(), None);
    }

    #[test]
    fn the_record_is_compact() {
        let set = MailboxFolders::special_set(Utc::now());
        let bytes = serde_json::to_vec(&set).unwrap();
        assert!(bytes.len() < 1024, "{} bytes", bytes.len());
        assert_eq!(
            serde_json::from_slice::<MailboxFolders>(&bytes).unwrap(),
            set
        );
    }

    #[test]
    fn special_folders_follow_the_logon_layout() {
        for f in SpecialFolder::ALL {
            assert_eq!(
                SpecialFolder::from_global_counter(f.global_counter()),
                Some(f)
            );
            if let Some(p) = f.parent() {
                assert!(
                    p.global_counter() < f.global_counter(),
                    "{f:?} after its parent"
                );
            }
        }
        assert_eq!(SpecialFolder::from_global_counter(0x99), None);
    }
}
