//! The mailbox's folders as the ROPs present them: the 13 RopLogon folder ids (MS-OXCROPS §2.2.3.1.2), the
//! replica GUID behind the mailbox's replica id, and the identifiers derived from both (Folder EntryIDs,
//! source keys, LongTermIDs). The folders themselves live in the store (`mapish_store::MailboxFolders`).

use chrono::{DateTime, Datelike, Timelike, Utc};
use mapish_store::{Mailbox, MailboxFolders, SpecialFolder, Uuid};
use mapish_wire::ids::ObjectId;
use mapish_wire::prop::folder_entry_id::{EIT_LT_PRIVATE_FOLDER, FolderEntryId};
use mapish_wire::rop::logon::{FOLDER_COUNT, LogonTime, PrivateLogon, response_flags};

/// The special folders in RopLogon's FolderIds order: Root, DeferredAction, SpoolerQueue, IPM subtree, Inbox,
/// Outbox, Sent Items, Deleted Items, Common Views, Schedule, Finder (Search), Views, Shortcuts.
pub const LOGON_FOLDERS: [SpecialFolder; FOLDER_COUNT] = [
    SpecialFolder::Root,
    SpecialFolder::DeferredAction,
    SpecialFolder::SpoolerQueue,
    SpecialFolder::IpmSubtree,
    SpecialFolder::Inbox,
    SpecialFolder::Outbox,
    SpecialFolder::SentItems,
    SpecialFolder::DeletedItems,
    SpecialFolder::CommonViews,
    SpecialFolder::Schedule,
    SpecialFolder::Finder,
    SpecialFolder::Views,
    SpecialFolder::Shortcuts,
];

/// The folder id of a folder of `folders`.
pub fn folder_id(folders: &MailboxFolders, global_counter: u64) -> ObjectId {
    ObjectId::new(folders.replica_id, global_counter)
}

/// The 13 logon folder ids of a mailbox, from its folder record.
pub fn folder_ids(folders: &MailboxFolders) -> [ObjectId; FOLDER_COUNT] {
    LOGON_FOLDERS.map(|f| {
        let gc = folders
            .special(f)
            .map_or(f.global_counter(), |folder| folder.global_counter);
        folder_id(folders, gc)
    })
}

/// The GUID that the mailbox's replica id stands for: derived from the mailbox Guid so it is stable across
/// logons and restarts, and different from it (they name different things).
pub fn replica_guid(mailbox: &Mailbox) -> Uuid {
    let mut bytes = *mailbox.guid.as_bytes();
    for (b, k) in bytes.iter_mut().zip(b"mapish-replica!!") {
        *b ^= k;
    }
    Uuid::from_bytes(bytes)
}

/// The Folder EntryID (MS-OXCDATA §2.2.4.1) of a folder of `mailbox`: ProviderUID is the MailboxGuid of the
/// logon response, DatabaseGuid the replica GUID.
pub fn entry_id(mailbox: &Mailbox, global_counter: u64) -> Vec<u8> {
    FolderEntryId {
        provider_uid: mailbox.guid,
        folder_type: EIT_LT_PRIVATE_FOLDER,
        database_guid: replica_guid(mailbox),
        global_counter,
    }
    .to_bytes()
}

/// `LogonTime` fields for `t` (UTC, as gromox reports).
pub fn logon_time(t: DateTime<Utc>) -> LogonTime {
    LogonTime {
        seconds: t.second() as u8,
        minutes: t.minute() as u8,
        hour: t.hour() as u8,
        day_of_week: t.weekday().num_days_from_sunday() as u8,
        day: t.day() as u8,
        month: t.month() as u8,
        year: u16::try_from(t.year()).unwrap_or(0),
    }
}

/// `t` as a FILETIME (100 ns ticks since 1601), used for GwartTime and PtypTime values.
pub fn filetime(t: DateTime<Utc>) -> u64 {
    mapish_wire::prop::filetime_from_unix(t.timestamp(), t.timestamp_subsec_nanos())
}

/// The success fields of a private logon by the mailbox's owner.
pub fn private_logon(
    mailbox: &Mailbox,
    folders: &MailboxFolders,
    logon_flags: u8,
    now: DateTime<Utc>,
) -> PrivateLogon {
    PrivateLogon {
        logon_flags,
        folder_ids: folder_ids(folders),
        // The owner: Reserved | OwnerRight | SendAsRight.
        response_flags: response_flags::RESERVED
            | response_flags::OWNER_RIGHT
            | response_flags::SEND_AS_RIGHT,
        mailbox_guid: mailbox.guid,
        repl_id: folders.replica_id,
        repl_guid: replica_guid(mailbox),
        logon_time: logon_time(now),
        gwart_time: filetime(now),
        store_state: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn logon_time_matches_t5() {
        // Fact sheet §11 T5: 10:15:30 Wed 1 Jan 2025 → 1e 0f 0a 03 01 01 e9 07.
        let t = Utc.with_ymd_and_hms(2025, 1, 1, 10, 15, 30).unwrap();
        let lt = logon_time(t);
        assert_eq!(lt, LogonTime::from_unix(t.timestamp()));
        assert_eq!(
            (
                lt.seconds,
                lt.minutes,
                lt.hour,
                lt.day_of_week,
                lt.day,
                lt.month,
                lt.year
            ),
            (0x1e, 0x0f, 0x0a, 3, 1, 1, 2025)
        );
    }

    #[test]
    fn filetime_of_the_unix_epoch() {
        let t = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(filetime(t), 116_444_736_000_000_000);
    }

    #[test]
    fn logon_ids_follow_the_gromox_layout() {
        let folders = MailboxFolders::special_set(Utc::now());
        let counters: Vec<u64> = folder_ids(&folders)
            .iter()
            .map(|id| id.global_counter)
            .collect();
        assert_eq!(
            counters,
            [
                0x01, 0x02, 0x03, 0x09, 0x0d, 0x0c, 0x0a, 0x0b, 0x07, 0x08, 0x05, 0x06, 0x04
            ]
        );
        assert!(folder_ids(&folders).iter().all(|id| id.replica_id == 1));
    }
}
