//! The address book as one Bind sees it: a snapshot of the Global Address List taken at Bind, sorted by
//! display name as NSPI tables are, with Minimal Entry IDs that stay the same for the whole session
//! (MS-OXNSPI §3.1.4.1.1, §2.2.9.1).
//!
//! The GAL holds every mailbox of the store except health mailboxes, which Exchange hides from address
//! lists (HiddenFromAddressListsEnabled). A mailbox created or removed after a Bind shows up in (or leaves)
//! the next Bind's snapshot. Two containers make up the hierarchy: the GAL itself (ContainerID 0) and the
//! "All Users" address list, which holds the same users.
//!
//! Snapshots are kept beside the session (not in it: sessions belong to the transport) in a registry keyed by
//! session id that forgets a snapshot once its session is gone.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};

use mapish_store::{Mailbox, Store, StoreError, Uuid};
use mapish_wire::nspi::{DT_CONTAINER, DT_GLOBAL, DT_MAILUSER};

use crate::live::Snapshot;
use crate::session::{Session, SessionId};

/// The MID of the "All Users" container; the first entry's MID follows it. Values below 0x10 are reserved
/// (MID_BEGINNING_OF_TABLE, MID_CURRENT, MID_END_OF_TABLE, MID_RESOLVED …).
pub const ALL_USERS_MID: u32 = 0x10;
/// The first mail user's MID.
pub const FIRST_ENTRY_MID: u32 = 0x11;
/// The ContainerID of the Global Address List.
pub const GAL_CONTAINER_ID: u32 = 0;
/// The hierarchy table version GetSpecialTable reports (the hierarchy never changes).
pub const HIERARCHY_VERSION: u32 = 1;

/// One mail user.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its MID in this snapshot.
    pub mid: u32,
    /// The mailbox Guid.
    pub guid: Uuid,
    /// DisplayName (Name when empty).
    pub display_name: String,
    /// Name.
    pub name: String,
    /// Alias.
    pub alias: String,
    /// PrimarySmtpAddress.
    pub smtp: String,
    /// UserPrincipalName.
    pub upn: String,
    /// LegacyExchangeDN.
    pub dn: String,
    /// The hosting server's name.
    pub server: String,
}

/// An address book container.
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// Its MID (the ContainerID clients put in STAT).
    pub mid: u32,
    /// PidTagDisplayName.
    pub display_name: String,
    /// Its DN: `/` for the GAL, `/guid=…` for address lists (MS-OXOABK §2.2.1.1).
    pub dn: String,
    /// DT_GLOBAL or DT_CONTAINER.
    pub display_type: u32,
}

/// An object a MID names.
#[derive(Debug, Clone, Copy)]
pub enum Object<'a> {
    /// A mail user.
    Entry(&'a Entry),
    /// A container.
    Container(&'a Container),
}

impl Object<'_> {
    /// PidTagDisplayType.
    pub fn display_type(&self) -> u32 {
        match self {
            Object::Entry(_) => DT_MAILUSER,
            Object::Container(c) => c.display_type,
        }
    }

    /// PidTagEmailAddress / the DN of the Permanent Entry ID.
    pub fn dn(&self) -> &str {
        match self {
            Object::Entry(e) => &e.dn,
            Object::Container(c) => &c.dn,
        }
    }
}

/// The address book of one session.
#[derive(Debug, Clone)]
pub struct Gal {
    /// This server's GUID (Bind's ServerGuid; Ephemeral Entry IDs carry it).
    pub server_guid: Uuid,
    /// The organization's name, for database DNs.
    pub organization: String,
    /// The hierarchy table, in order.
    pub containers: Vec<Container>,
    /// Mail users sorted by display name; position = row number.
    pub entries: Vec<Entry>,
    /// Their MIDs, in the same order: the rows of every container.
    rows: Vec<u32>,
    by_mid: HashMap<u32, usize>,
}

/// The sort key NSPI tables use: display name, case-insensitively.
pub fn sort_key(name: &str) -> String {
    name.to_lowercase()
}

impl Gal {
    /// The snapshot of `mailboxes` (health mailboxes left out).
    pub fn new(
        server_guid: Uuid,
        organization: &str,
        organization_guid: Uuid,
        mailboxes: impl IntoIterator<Item = Mailbox>,
    ) -> Gal {
        let mut users: Vec<Mailbox> = mailboxes
            .into_iter()
            .filter(|m| !m.is_health_mailbox)
            .collect();
        let shown = |m: &Mailbox| {
            if m.display_name.is_empty() {
                m.name.clone()
            } else {
                m.display_name.clone()
            }
        };
        users.sort_by_cached_key(|m| (sort_key(&shown(m)), m.guid));
        let entries: Vec<Entry> = users
            .iter()
            .enumerate()
            .map(|(i, m)| Entry {
                mid: FIRST_ENTRY_MID + i as u32,
                guid: m.guid,
                display_name: shown(m),
                name: m.name.clone(),
                alias: m.alias.clone(),
                smtp: m.primary_smtp_address.clone(),
                upn: m.user_principal_name.clone(),
                dn: m.legacy_exchange_dn.clone(),
                server: m.server.clone(),
            })
            .collect();
        let by_mid = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.mid, i))
            .collect();
        let rows = entries.iter().map(|e| e.mid).collect();
        // The All Users list's DN is derived from the organization's Guid so it is the same in every session.
        let list_guid = Uuid::from_u128(
            organization_guid.as_u128() ^ 0x416c_6c20_5573_6572_7300_0000_0000_0001,
        );
        Gal {
            server_guid,
            organization: organization.to_string(),
            containers: vec![
                Container {
                    mid: GAL_CONTAINER_ID,
                    display_name: "Global Address List".into(),
                    dn: "/".into(),
                    display_type: DT_GLOBAL,
                },
                Container {
                    mid: ALL_USERS_MID,
                    display_name: "All Users".into(),
                    dn: format!("/guid={}", list_guid.simple().to_string().to_uppercase()),
                    display_type: DT_CONTAINER,
                },
            ],
            entries,
            rows,
            by_mid,
        }
    }

    /// The snapshot of the store now.
    pub fn load(store: &Store, snap: &Snapshot) -> Result<Gal, StoreError> {
        let server_guid = snap.server.as_ref().map(|s| s.guid).unwrap_or_default();
        let (organization, organization_guid) = snap
            .org
            .as_ref()
            .map(|o| (o.name.clone(), o.guid))
            .unwrap_or_default();
        let mailboxes = store.mailboxes().collect::<Result<Vec<_>, _>>()?;
        Ok(Gal::new(
            server_guid,
            &organization,
            organization_guid,
            mailboxes,
        ))
    }

    /// The container with ContainerID `mid`.
    pub fn container(&self, mid: u32) -> Option<&Container> {
        self.containers.iter().find(|c| c.mid == mid)
    }

    /// The rows (MIDs, in order) of container `container_id`; `None` if there is no such container.
    pub fn table(&self, container_id: u32) -> Option<&[u32]> {
        self.container(container_id)?;
        Some(&self.rows)
    }

    /// The mail user with this MID.
    pub fn entry(&self, mid: u32) -> Option<&Entry> {
        self.by_mid.get(&mid).and_then(|&i| self.entries.get(i))
    }

    /// The object (mail user or address list) with this MID. The GAL (ContainerID 0) has no MID of its own.
    pub fn object(&self, mid: u32) -> Option<Object<'_>> {
        if let Some(e) = self.entry(mid) {
            return Some(Object::Entry(e));
        }
        self.containers
            .iter()
            .find(|c| c.mid == mid && c.mid != GAL_CONTAINER_ID)
            .map(Object::Container)
    }

    /// The MID of the object whose DN is `dn` (case-insensitive); 0 when none.
    pub fn mid_of_dn(&self, dn: &str) -> u32 {
        self.entries
            .iter()
            .find(|e| e.dn.eq_ignore_ascii_case(dn))
            .map(|e| e.mid)
            .or_else(|| {
                self.containers
                    .iter()
                    .find(|c| c.mid != GAL_CONTAINER_ID && c.dn.eq_ignore_ascii_case(dn))
                    .map(|c| c.mid)
            })
            .unwrap_or(0)
    }
}

type Registry = HashMap<SessionId, (Weak<Session>, Arc<Gal>)>;

static SNAPSHOTS: Mutex<Option<Registry>> = Mutex::new(None);

fn registry<T>(f: impl FnOnce(&mut Registry) -> T) -> T {
    let mut guard = SNAPSHOTS.lock().unwrap_or_else(|p| p.into_inner());
    f(guard.get_or_insert_with(HashMap::new))
}

/// Keeps `gal` as the address book of `session` (and forgets those of sessions that are gone).
pub fn remember(session: &Arc<Session>, gal: Arc<Gal>) {
    registry(|r| {
        r.retain(|_, (s, _)| s.upgrade().is_some_and(|s| s.end_reason().is_none()));
        r.insert(session.id, (Arc::downgrade(session), gal));
    });
}

/// The address book of `session`, if one was taken.
pub fn of(session: &Arc<Session>) -> Option<Arc<Gal>> {
    registry(|r| r.get(&session.id).map(|(_, g)| Arc::clone(g)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn mailbox(name: &str, display: &str) -> Mailbox {
        let mut m = Mailbox::new(
            name,
            name.to_lowercase(),
            format!("{}@contoso.com", name.to_lowercase()),
            format!("{}@contoso.com", name.to_lowercase()),
            "Contoso",
            "EX01",
        );
        m.display_name = display.into();
        m
    }

    pub fn sample() -> Gal {
        let mut health = mailbox("HealthMailbox1", "HealthMailbox1");
        health.is_health_mailbox = true;
        Gal::new(
            Uuid::from_u128(0x0123_4567_89ab_cdef_0123_4567_89ab_cdef),
            "Contoso",
            Uuid::from_u128(42),
            [
                mailbox("Carol", "carol Jones"),
                mailbox("Alice", "Alice Example"),
                health,
                mailbox("Bob", "Bob Example"),
                mailbox("Bobby", "Bobby Tables"),
            ],
        )
    }

    #[test]
    fn entries_are_sorted_by_display_name_and_health_mailboxes_hidden() {
        let gal = sample();
        let names: Vec<&str> = gal
            .entries
            .iter()
            .map(|e| e.display_name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Alice Example",
                "Bob Example",
                "Bobby Tables",
                "carol Jones"
            ]
        );
        assert_eq!(gal.entries[0].mid, FIRST_ENTRY_MID);
        assert_eq!(
            gal.table(GAL_CONTAINER_ID).unwrap(),
            [0x11, 0x12, 0x13, 0x14]
        );
        assert_eq!(gal.table(ALL_USERS_MID).unwrap().len(), 4);
        assert!(gal.table(0x99).is_none());
        let dn = gal.entries[1].dn.clone();
        assert_eq!(gal.mid_of_dn(&dn.to_uppercase()), 0x12);
        assert_eq!(gal.mid_of_dn("/o=Nowhere/cn=x"), 0);
        assert!(matches!(
            gal.object(ALL_USERS_MID),
            Some(Object::Container(_))
        ));
        assert!(gal.object(GAL_CONTAINER_ID).is_none());
        // The All Users DN is stable for an organization.
        assert_eq!(sample().containers[1].dn, gal.containers[1].dn);
        assert!(gal.containers[1].dn.starts_with("/guid="));
    }
}
