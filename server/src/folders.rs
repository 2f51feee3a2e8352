//! The special folders every mailbox is created with, as RopLogon reports them (MS-OXCROPS §2.2.3.1.2).
//!
//! The store does not model folders yet, so the set is fixed: the same global counters for every mailbox
//! (folder ids are scoped by the mailbox's replica, so equal counters in different mailboxes are distinct
//! folders). The counters follow gromox's private-store layout, which Outlook is known to accept. When the
//! store gains folders, `folder_ids` is the one function to re-point.

use chrono::{DateTime, Datelike, Timelike, Utc};
use mapish_store::{Mailbox, Uuid};
use mapish_wire::ids::ObjectId;
use mapish_wire::rop::logon::{FOLDER_COUNT, LogonTime, PrivateLogon, response_flags};

/// The replica id of a mailbox's own objects (the value in its FIDs and MIDs).
pub const REPL_ID: u16 = 1;

/// Global counters in FolderIds order: Root, DeferredAction, SpoolerQueue, IPM subtree, Inbox, Outbox, Sent
/// Items, Deleted Items, Common Views, Schedule, Finder (Search), Views, Shortcuts.
pub const GLOBAL_COUNTERS: [u64; FOLDER_COUNT] = [
    0x01, 0x02, 0x03, 0x09, 0x0d, 0x0c, 0x0a, 0x0b, 0x07, 0x08, 0x05, 0x06, 0x04,
];

/// The 13 folder ids of `mailbox`.
pub fn folder_ids(_mailbox: &Mailbox) -> [ObjectId; FOLDER_COUNT] {
    GLOBAL_COUNTERS.map(|gc| ObjectId::new(REPL_ID, gc))
}

/// The GUID that `REPL_ID` stands for in this mailbox: derived from the mailbox Guid so it is stable
/// across logons and restarts, and different from it (they name different things).
pub fn replica_guid(mailbox: &Mailbox) -> Uuid {
    let mut bytes = *mailbox.guid.as_bytes();
    for (b, k) in bytes.iter_mut().zip(b"mapish-replica!!") {
        *b ^= k;
    }
    Uuid::from_bytes(bytes)
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

/// `t` as a FILETIME (100 ns ticks since 1601), used for GwartTime.
pub fn filetime(t: DateTime<Utc>) -> u64 {
    const EPOCH_DIFF_SECS: i64 = 11_644_473_600;
    let secs = t.timestamp().saturating_add(EPOCH_DIFF_SECS);
    u64::try_from(secs).unwrap_or(0) * 10_000_000 + u64::from(t.timestamp_subsec_nanos() / 100)
}

/// The success fields of a private logon by the mailbox's owner.
pub fn private_logon(mailbox: &Mailbox, logon_flags: u8, now: DateTime<Utc>) -> PrivateLogon {
    PrivateLogon {
        logon_flags,
        folder_ids: folder_ids(mailbox),
        // The owner: Reserved | OwnerRight | SendAsRight.
        response_flags: response_flags::RESERVED
            | response_flags::OWNER_RIGHT
            | response_flags::SEND_AS_RIGHT,
        mailbox_guid: mailbox.guid,
        repl_id: REPL_ID,
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
}
