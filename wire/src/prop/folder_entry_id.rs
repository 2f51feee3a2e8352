//! Store-side identifiers carried as property values: the Folder EntryID (MS-OXCDATA §2.2.4.1), the XID form of
//! PidTagSourceKey (MS-OXCFXICS §2.2.1.2.5 / MS-OXCDATA §2.2.1.3), and FILETIME (MS-DTYP §2.3.3), the PtypTime
//! representation.

use uuid::Uuid;

use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::ids::MAX_GLOBAL_COUNTER;

/// `FolderType` eitLTPrivateFolder: a folder in a private mailbox.
pub const EIT_LT_PRIVATE_FOLDER: u16 = 0x0001;
/// `FolderType` eitLTPublicFolder.
pub const EIT_LT_PUBLIC_FOLDER: u16 = 0x0003;

/// A Folder EntryID: Flags (0), ProviderUID (the mailbox's store GUID), FolderType, DatabaseGuid (the GUID of
/// the folder's replica), GlobalCounter (6 bytes) and Pad (2): 46 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderEntryId {
    /// `ProviderUID`: for a private mailbox, the MailboxGuid of its RopLogon response.
    pub provider_uid: Uuid,
    /// `FolderType`, e.g. [`EIT_LT_PRIVATE_FOLDER`].
    pub folder_type: u16,
    /// `DatabaseGuid`: the replica GUID (RopLogon's ReplGuid for the mailbox's own folders).
    pub database_guid: Uuid,
    /// `GlobalCounter` (48 bits).
    pub global_counter: u64,
}

impl FolderEntryId {
    /// Wire size.
    pub const LEN: usize = 46;

    /// The bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new();
        w.u32(0);
        w.guid(&self.provider_uid);
        w.u16(self.folder_type);
        w.guid(&self.database_guid);
        w.bytes(&counter_bytes(self.global_counter));
        w.u16(0);
        w.into_inner()
    }

    /// Parses 46 bytes; refuses non-zero Flags (a short-term or other kind of entry ID).
    pub fn parse(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        if r.u32("Flags")? != 0 {
            return Err(WireError::invalid("Folder EntryID", "Flags are not 0"));
        }
        let provider_uid = r.guid("ProviderUID")?;
        let folder_type = r.u16("FolderType")?;
        let database_guid = r.guid("DatabaseGuid")?;
        let global_counter = read_counter(&mut r)?;
        r.u16("Pad")?;
        r.finish("Folder EntryID")?;
        Ok(FolderEntryId {
            provider_uid,
            folder_type,
            database_guid,
            global_counter,
        })
    }
}

/// An XID with a 6-byte local id: the replica GUID then the global counter, 22 bytes (PidTagSourceKey of a
/// folder, and the record key mapish gives folders).
pub fn xid(database_guid: Uuid, global_counter: u64) -> Vec<u8> {
    let mut w = Writer::new();
    w.guid(&database_guid);
    w.bytes(&counter_bytes(global_counter));
    w.into_inner()
}

fn counter_bytes(global_counter: u64) -> [u8; 6] {
    let [_, _, g @ ..] = (global_counter & MAX_GLOBAL_COUNTER).to_be_bytes();
    g
}

fn read_counter(r: &mut Reader<'_>) -> Result<u64> {
    let mut be = [0u8; 8];
    be[2..].copy_from_slice(r.bytes(6, "GlobalCounter")?);
    Ok(u64::from_be_bytes(be))
}

/// FILETIME ticks (100 ns since 1601-01-01 UTC) for a Unix time in seconds and nanoseconds; times before 1601
/// are clamped to 0.
pub fn filetime_from_unix(secs: i64, nanos: u32) -> u64 {
    const EPOCH_DIFF_SECS: i64 = 11_644_473_600;
    let secs = u64::try_from(secs.saturating_add(EPOCH_DIFF_SECS)).unwrap_or(0);
    secs.saturating_mul(10_000_000)
        .saturating_add(u64::from(nanos / 100))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn folder_entry_id_layout() {
        let provider = Uuid::from_u128(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
        let db = Uuid::from_u128(0xffee_ddcc_bbaa_9988_7766_5544_3322_1100);
        let id = FolderEntryId {
            provider_uid: provider,
            folder_type: EIT_LT_PRIVATE_FOLDER,
            database_guid: db,
            global_counter: 0x0d,
        };
        let bytes = id.to_bytes();
        assert_eq!(bytes.len(), FolderEntryId::LEN);
        let mut expected = hex("00000000");
        expected.extend(provider.to_bytes_le());
        expected.extend(hex("0100"));
        expected.extend(db.to_bytes_le());
        expected.extend(hex("00000000000d 0000"));
        assert_eq!(bytes, expected);
        assert_eq!(FolderEntryId::parse(&bytes).unwrap(), id);
        let mut flagged = bytes.clone();
        flagged[0] = 1;
        assert!(FolderEntryId::parse(&flagged).is_err());
        assert_eq!(xid(db, 0x0d).len(), 22);
        assert_eq!(&xid(db, 0x0d)[16..], hex("00000000000d"));
    }

    #[test]
    fn filetime_epochs() {
        assert_eq!(filetime_from_unix(0, 0), 116_444_736_000_000_000);
        assert_eq!(filetime_from_unix(0, 1_000), 116_444_736_000_000_010);
        assert_eq!(filetime_from_unix(-20_000_000_000, 0), 0);
    }
}
