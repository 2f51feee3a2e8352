//! RopLogon (0xFE): MS-OXCROPS §2.2.3.1, field semantics in MS-OXCSTOR
//! §2.2.1.1.
//!
//! The response has four layouts chosen by ReturnValue and the Private
//! logon flag: private-mailbox success (§2.2.3.1.2, 166 bytes), public
//! folders success (§2.2.3.1.3), redirect for ecWrongServer (§2.2.3.1.4)
//! and the 6-byte failure (§2.2.3.1.5).

use uuid::Uuid;

use super::RopId;
use crate::buf::{Codec, Reader, Writer, ascii_to_string, check_ascii};
use crate::ec;
use crate::error::{Result, WireError};
use crate::ids::ObjectId;

/// `LogonFlags` bits (MS-OXCSTOR §2.2.1.1.1).
pub mod logon_flags {
    /// Log on to a private mailbox (clear: public folders).
    pub const PRIVATE: u8 = 0x01;
    /// Undercover logon.
    pub const UNDERCOVER: u8 = 0x02;
    /// Ghosted public folder logon.
    pub const GHOSTED: u8 = 0x04;
}

/// `OpenFlags` bits (MS-OXCSTOR §2.2.1.1.1).
pub mod open_flags {
    /// Requests admin access.
    pub const USE_ADMIN_PRIVILEGE: u32 = 0x0000_0001;
    /// Public folders logon.
    pub const PUBLIC: u32 = 0x0000_0002;
    /// The user's home mailbox.
    pub const HOME_LOGON: u32 = 0x0000_0004;
    /// Take ownership of the mailbox.
    pub const TAKE_OWNERSHIP: u32 = 0x0000_0008;
    /// Alternate public folder server.
    pub const ALTERNATE_SERVER: u32 = 0x0000_0100;
    /// Ignore the home mailbox database setting.
    pub const IGNORE_HOME_MDB: u32 = 0x0000_0200;
    /// Non-messaging logon.
    pub const NO_MAIL: u32 = 0x0000_0400;
    /// Required for private logons (MS-OXCSTOR §3.2.5.1.1; gromox refuses
    /// private logons without it with ecInvalidParam).
    pub const USE_PER_MDB_REPLID_MAPPING: u32 = 0x0100_0000;
    /// The client supports RopProgress.
    pub const SUPPORT_PROGRESS: u32 = 0x2000_0000;
}

/// `ResponseFlags` bits of the private-mailbox response (MS-OXCSTOR §2.2.1.1.3).
pub mod response_flags {
    /// Must always be set.
    pub const RESERVED: u8 = 0x01;
    /// The user has owner permission on the mailbox.
    pub const OWNER_RIGHT: u8 = 0x02;
    /// The user may send as the mailbox owner.
    pub const SEND_AS_RIGHT: u8 = 0x04;
    /// Out of office is on.
    pub const OOF: u8 = 0x10;
}

/// Index of each special folder in `folder_ids` (MS-OXCSTOR §2.2.1.1.3 order).
pub mod folder_index {
    /// Mailbox root.
    pub const ROOT: usize = 0;
    /// Deferred Action.
    pub const DEFERRED_ACTION: usize = 1;
    /// Spooler Queue.
    pub const SPOOLER_QUEUE: usize = 2;
    /// Top of the user-visible hierarchy (IPM subtree).
    pub const IPM_SUBTREE: usize = 3;
    /// Inbox.
    pub const INBOX: usize = 4;
    /// Outbox.
    pub const OUTBOX: usize = 5;
    /// Sent Items.
    pub const SENT_ITEMS: usize = 6;
    /// Deleted Items.
    pub const DELETED_ITEMS: usize = 7;
    /// Common Views.
    pub const COMMON_VIEWS: usize = 8;
    /// Schedule.
    pub const SCHEDULE: usize = 9;
    /// Search (Finder).
    pub const SEARCH: usize = 10;
    /// Views.
    pub const VIEWS: usize = 11;
    /// Shortcuts.
    pub const SHORTCUTS: usize = 12;
}

/// Number of folder ids in a logon response.
pub const FOLDER_COUNT: usize = 13;

/// RopLogon request (§2.2.3.1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogonRequest {
    /// `LogonId` the client assigns to this logon.
    pub logon_id: u8,
    /// `OutputHandleIndex`: slot that receives the Logon object handle.
    pub output_handle_index: u8,
    /// `LogonFlags`, see [`logon_flags`].
    pub logon_flags: u8,
    /// `OpenFlags`, see [`open_flags`].
    pub open_flags: u32,
    /// `StoreState`: 0, ignored.
    pub store_state: u32,
    /// `Essdn`: the mailbox owner's DN; empty when `EssdnSize` is 0
    /// (allowed for public folder logons).
    pub essdn: String,
}

impl LogonRequest {
    /// Whether this is a private mailbox logon.
    pub fn is_private(&self) -> bool {
        self.logon_flags & logon_flags::PRIVATE != 0
    }
}

impl Codec for LogonRequest {
    const NAME: &'static str = "RopLogon request";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u8(RopId::LOGON.0);
        w.u8(self.logon_id);
        w.u8(self.output_handle_index);
        w.u8(self.logon_flags);
        w.u32(self.open_flags);
        w.u32(self.store_state);
        if self.essdn.is_empty() {
            w.u16(0);
            return Ok(());
        }
        check_ascii(&self.essdn, "Essdn")?;
        // EssdnSize counts the terminating NUL.
        let size = u16::try_from(self.essdn.len() + 1).map_err(|_| WireError::TooLarge {
            what: "Essdn",
            len: self.essdn.len() + 1,
            limit: u16::MAX as usize,
        })?;
        w.u16(size);
        w.bytes(self.essdn.as_bytes());
        w.u8(0);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        expect_id(r, "RopLogon request")?;
        let logon_id = r.u8("LogonId")?;
        let output_handle_index = r.u8("OutputHandleIndex")?;
        let logon_flags = r.u8("LogonFlags")?;
        let open_flags = r.u32("OpenFlags")?;
        let store_state = r.u32("StoreState")?;
        let size = usize::from(r.u16("EssdnSize")?);
        let essdn = match r.bytes(size, "Essdn")? {
            [] => String::new(),
            [text @ .., 0] if !text.contains(&0) => ascii_to_string(text, "Essdn")?,
            _ => {
                return Err(WireError::invalid(
                    "Essdn",
                    "not a single NUL-terminated string",
                ));
            }
        };
        Ok(LogonRequest {
            logon_id,
            output_handle_index,
            logon_flags,
            open_flags,
            store_state,
            essdn,
        })
    }
}

fn expect_id(r: &mut Reader<'_>, what: &'static str) -> Result<()> {
    match r.u8("RopId")? {
        0xFE => Ok(()),
        other => Err(WireError::invalid(
            what,
            format!("RopId {other:#04x} is not RopLogon"),
        )),
    }
}

/// `LogonTime` (§2.2.3.1.2): the server's clock, field by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LogonTime {
    /// 0–59.
    pub seconds: u8,
    /// 0–59.
    pub minutes: u8,
    /// 0–23.
    pub hour: u8,
    /// 0 = Sunday.
    pub day_of_week: u8,
    /// 1–31.
    pub day: u8,
    /// 1 = January.
    pub month: u8,
    /// Full year, e.g. 2025.
    pub year: u16,
}

impl LogonTime {
    /// The UTC calendar fields of `unix_seconds` (gromox reports UTC).
    /// Times outside years 1–9999 are clamped to that range.
    pub fn from_unix(unix_seconds: i64) -> Self {
        let unix_seconds = unix_seconds.clamp(-62_135_596_800, 253_402_300_799);
        let days = unix_seconds.div_euclid(86_400);
        let secs = unix_seconds.rem_euclid(86_400);
        // Civil-from-days (proleptic Gregorian calendar).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        LogonTime {
            seconds: (secs % 60) as u8,
            minutes: (secs / 60 % 60) as u8,
            hour: (secs / 3600) as u8,
            // 1970-01-01 was a Thursday (4).
            day_of_week: (days + 4).rem_euclid(7) as u8,
            day: day as u8,
            month: month as u8,
            year: u16::try_from(year).unwrap_or(0),
        }
    }

    fn write_to(&self, w: &mut Writer) {
        w.u8(self.seconds);
        w.u8(self.minutes);
        w.u8(self.hour);
        w.u8(self.day_of_week);
        w.u8(self.day);
        w.u8(self.month);
        w.u16(self.year);
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(LogonTime {
            seconds: r.u8("LogonTime Seconds")?,
            minutes: r.u8("LogonTime Minutes")?,
            hour: r.u8("LogonTime Hour")?,
            day_of_week: r.u8("LogonTime DayOfWeek")?,
            day: r.u8("LogonTime Day")?,
            month: r.u8("LogonTime Month")?,
            year: r.u16("LogonTime Year")?,
        })
    }
}

/// Private-mailbox success fields (§2.2.3.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivateLogon {
    /// `LogonFlags`, echoed from the request.
    pub logon_flags: u8,
    /// `FolderIds`, indexed by [`folder_index`].
    pub folder_ids: [ObjectId; FOLDER_COUNT],
    /// `ResponseFlags`, see [`response_flags`]; the owner of the mailbox
    /// gets Reserved | OwnerRight | SendAsRight = 0x07.
    pub response_flags: u8,
    /// `MailboxGuid`.
    pub mailbox_guid: Uuid,
    /// `ReplId`: the replica id used in this mailbox's FIDs/MIDs.
    pub repl_id: u16,
    /// `ReplGuid`: the GUID that `repl_id` stands for.
    pub repl_guid: Uuid,
    /// `LogonTime`.
    pub logon_time: LogonTime,
    /// `GwartTime`: opaque change counter of the address types.
    pub gwart_time: u64,
    /// `StoreState`: 0.
    pub store_state: u32,
}

/// Public-folders success fields (§2.2.3.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicLogon {
    /// `LogonFlags`, echoed from the request.
    pub logon_flags: u8,
    /// `FolderIds` of the public folder special folders.
    pub folder_ids: [ObjectId; FOLDER_COUNT],
    /// `ReplId`.
    pub repl_id: u16,
    /// `ReplGuid`.
    pub repl_guid: Uuid,
    /// `PerUserGuid`.
    pub per_user_guid: Uuid,
}

/// A RopLogon response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogonResponse {
    /// ReturnValue 0, private mailbox.
    Private {
        /// `OutputHandleIndex`, echoed.
        output_handle_index: u8,
        /// The success fields.
        logon: Box<PrivateLogon>,
    },
    /// ReturnValue 0, public folders.
    Public {
        /// `OutputHandleIndex`, echoed.
        output_handle_index: u8,
        /// The success fields.
        logon: Box<PublicLogon>,
    },
    /// ReturnValue ecWrongServer: log on at `server_name` instead.
    Redirect {
        /// `OutputHandleIndex`, echoed.
        output_handle_index: u8,
        /// `LogonFlags`, echoed.
        logon_flags: u8,
        /// `ServerName` (ASCII).
        server_name: String,
    },
    /// Any other non-zero ReturnValue.
    Failure {
        /// `OutputHandleIndex`, echoed.
        output_handle_index: u8,
        /// `ReturnValue`, e.g. ecUnknownUser or ecLoginFailure.
        return_value: u32,
    },
}

impl LogonResponse {
    /// `ReturnValue` of this response.
    pub fn return_value(&self) -> u32 {
        match self {
            LogonResponse::Private { .. } | LogonResponse::Public { .. } => ec::SUCCESS,
            LogonResponse::Redirect { .. } => ec::WRONG_SERVER,
            LogonResponse::Failure { return_value, .. } => *return_value,
        }
    }

    /// `OutputHandleIndex` of this response.
    pub fn output_handle_index(&self) -> u8 {
        match self {
            LogonResponse::Private {
                output_handle_index,
                ..
            }
            | LogonResponse::Public {
                output_handle_index,
                ..
            }
            | LogonResponse::Redirect {
                output_handle_index,
                ..
            }
            | LogonResponse::Failure {
                output_handle_index,
                ..
            } => *output_handle_index,
        }
    }
}

fn write_folder_ids(w: &mut Writer, ids: &[ObjectId; FOLDER_COUNT]) {
    for id in ids {
        w.bytes(&id.to_bytes());
    }
}

fn read_folder_ids(r: &mut Reader<'_>) -> Result<[ObjectId; FOLDER_COUNT]> {
    let mut ids = [ObjectId::default(); FOLDER_COUNT];
    for id in &mut ids {
        *id = ObjectId::read_from(r)?;
    }
    Ok(ids)
}

impl Codec for LogonResponse {
    const NAME: &'static str = "RopLogon response";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u8(RopId::LOGON.0);
        w.u8(self.output_handle_index());
        w.u32(self.return_value());
        match self {
            LogonResponse::Private { logon, .. } => {
                if logon.logon_flags & logon_flags::PRIVATE == 0 {
                    return Err(WireError::invalid(
                        "RopLogon response",
                        "private layout without the Private flag",
                    ));
                }
                w.u8(logon.logon_flags);
                write_folder_ids(w, &logon.folder_ids);
                w.u8(logon.response_flags);
                w.guid(&logon.mailbox_guid);
                w.u16(logon.repl_id);
                w.guid(&logon.repl_guid);
                logon.logon_time.write_to(w);
                w.u64(logon.gwart_time);
                w.u32(logon.store_state);
            }
            LogonResponse::Public { logon, .. } => {
                if logon.logon_flags & logon_flags::PRIVATE != 0 {
                    return Err(WireError::invalid(
                        "RopLogon response",
                        "public layout with the Private flag",
                    ));
                }
                w.u8(logon.logon_flags);
                write_folder_ids(w, &logon.folder_ids);
                w.u16(logon.repl_id);
                w.guid(&logon.repl_guid);
                w.guid(&logon.per_user_guid);
            }
            LogonResponse::Redirect {
                logon_flags,
                server_name,
                ..
            } => {
                check_ascii(server_name, "ServerName")?;
                // ServerNameSize is one byte and counts the NUL.
                let size =
                    u8::try_from(server_name.len() + 1).map_err(|_| WireError::TooLarge {
                        what: "ServerName",
                        len: server_name.len() + 1,
                        limit: u8::MAX as usize,
                    })?;
                w.u8(*logon_flags);
                w.u8(size);
                w.bytes(server_name.as_bytes());
                w.u8(0);
            }
            LogonResponse::Failure { return_value, .. } => {
                if *return_value == ec::SUCCESS || *return_value == ec::WRONG_SERVER {
                    return Err(WireError::invalid(
                        "RopLogon response",
                        "the failure layout needs a ReturnValue other than 0 and ecWrongServer",
                    ));
                }
            }
        }
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        expect_id(r, "RopLogon response")?;
        let output_handle_index = r.u8("OutputHandleIndex")?;
        match r.u32("ReturnValue")? {
            ec::SUCCESS => {
                let flags = r.u8("LogonFlags")?;
                let folder_ids = read_folder_ids(r)?;
                if flags & logon_flags::PRIVATE != 0 {
                    Ok(LogonResponse::Private {
                        output_handle_index,
                        logon: Box::new(PrivateLogon {
                            logon_flags: flags,
                            folder_ids,
                            response_flags: r.u8("ResponseFlags")?,
                            mailbox_guid: r.guid("MailboxGuid")?,
                            repl_id: r.u16("ReplId")?,
                            repl_guid: r.guid("ReplGuid")?,
                            logon_time: LogonTime::read_from(r)?,
                            gwart_time: r.u64("GwartTime")?,
                            store_state: r.u32("StoreState")?,
                        }),
                    })
                } else {
                    Ok(LogonResponse::Public {
                        output_handle_index,
                        logon: Box::new(PublicLogon {
                            logon_flags: flags,
                            folder_ids,
                            repl_id: r.u16("ReplId")?,
                            repl_guid: r.guid("ReplGuid")?,
                            per_user_guid: r.guid("PerUserGuid")?,
                        }),
                    })
                }
            }
            ec::WRONG_SERVER => {
                let logon_flags = r.u8("LogonFlags")?;
                let size = usize::from(r.u8("ServerNameSize")?);
                let server_name = match r.bytes(size, "ServerName")? {
                    [text @ .., 0] if !text.contains(&0) => ascii_to_string(text, "ServerName")?,
                    _ => {
                        return Err(WireError::invalid(
                            "ServerName",
                            "not a single NUL-terminated string",
                        ));
                    }
                };
                Ok(LogonResponse::Redirect {
                    output_handle_index,
                    logon_flags,
                    server_name,
                })
            }
            return_value => Ok(LogonResponse::Failure {
                output_handle_index,
                return_value,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{DN, dn_z, hex};

    #[test]
    fn request_matches_t4() {
        // Fact sheet §11 T4 (MS-OXCROPS §2.2.3.1.1 layout): RopLogon,
        // LogonId 0, OutputHandleIndex 0, Private, OpenFlags 0x01000000,
        // StoreState 0, EssdnSize 85, Essdn.
        let mut expected = hex("fe000001 00000001 00000000 5500");
        expected.extend(dn_z());
        assert_eq!(expected.len(), 99);
        let req = LogonRequest {
            logon_id: 0,
            output_handle_index: 0,
            logon_flags: logon_flags::PRIVATE,
            open_flags: open_flags::USE_PER_MDB_REPLID_MAPPING,
            store_state: 0,
            essdn: DN.into(),
        };
        assert_eq!(req.encode().unwrap(), expected);
        assert_eq!(LogonRequest::decode(&expected).unwrap(), req);
        assert!(req.is_private());
    }

    #[test]
    fn request_essdn_must_be_one_terminated_string() {
        let mut bad = hex("fe000001 00000001 00000000 0300");
        bad.extend(b"ab!");
        assert!(LogonRequest::decode(&bad).is_err());
        let mut embedded = hex("fe000001 00000001 00000000 0300");
        embedded.extend(b"a\0\0");
        assert!(LogonRequest::decode(&embedded).is_err());
        let public = hex("fe000000 00000000 00000000 0000");
        let req = LogonRequest::decode(&public).unwrap();
        assert_eq!(req.essdn, "");
        assert_eq!(req.encode().unwrap(), public);
    }

    fn t5_logon() -> PrivateLogon {
        // Global counters in gromox's order (fact sheet §11 T5).
        let gcs = [
            0x01, 0x02, 0x03, 0x09, 0x0d, 0x0c, 0x0a, 0x0b, 0x07, 0x08, 0x05, 0x06, 0x04,
        ];
        PrivateLogon {
            logon_flags: logon_flags::PRIVATE,
            folder_ids: gcs.map(|gc| ObjectId::new(1, gc)),
            response_flags: response_flags::RESERVED
                | response_flags::OWNER_RIGHT
                | response_flags::SEND_AS_RIGHT,
            mailbox_guid: Uuid::parse_str("00112233-4455-6677-8899-aabbccddeeff").unwrap(),
            repl_id: 1,
            repl_guid: Uuid::parse_str("0f0e0d0c-0b0a-0908-0706-050403020100").unwrap(),
            logon_time: LogonTime {
                seconds: 30,
                minutes: 15,
                hour: 10,
                day_of_week: 3,
                day: 1,
                month: 1,
                year: 2025,
            },
            gwart_time: 0x0102_0304_0506_0708,
            store_state: 0,
        }
    }

    /// Fact sheet §11 T5, with the placeholder GUIDs and GwartTime filled in
    /// by hand (GUIDs in MS-DTYP §2.3.4.2 byte order).
    fn t5_bytes() -> Vec<u8> {
        hex("fe 00 00000000 01
             0100000000000001 0100000000000002 0100000000000003
             0100000000000009 010000000000000d 010000000000000c
             010000000000000a 010000000000000b 0100000000000007
             0100000000000008 0100000000000005 0100000000000006
             0100000000000004
             07
             33221100 5544 7766 8899aabbccddeeff
             0100
             0c0d0e0f 0a0b 0809 0706050403020100
             1e0f0a03 0101 e907
             0807060504030201
             00000000")
    }

    #[test]
    fn private_success_matches_t5() {
        let resp = LogonResponse::Private {
            output_handle_index: 0,
            logon: Box::new(t5_logon()),
        };
        let expected = t5_bytes();
        assert_eq!(expected.len(), 166);
        assert_eq!(resp.encode().unwrap(), expected);
        assert_eq!(LogonResponse::decode(&expected).unwrap(), resp);
        assert_eq!(resp.return_value(), 0);
    }

    #[test]
    fn execute_body_around_t5_matches_the_sheet() {
        // Fact sheet §11 T5, outer part: Execute success body of 200 bytes =
        // 00000000 00000000 00000000 b4000000, RPC_HEADER_EXT 00000400
        // ac00ac00, RopSize a800, the 166-byte response, handle table
        // 01000000, AuxiliaryBufferSize 00000000.
        use crate::emsmdb::{ExecuteResponse, ExecuteSuccess};
        use crate::rop::RopBuffer;
        let resp = LogonResponse::Private {
            output_handle_index: 0,
            logon: Box::new(t5_logon()),
        };
        let payload = RopBuffer {
            rops: resp.encode().unwrap(),
            handles: vec![1],
        }
        .encode()
        .unwrap();
        let body = ExecuteResponse::Success(ExecuteSuccess::with_payload(&payload).unwrap())
            .encode()
            .unwrap();
        let mut expected = hex("00000000 00000000 00000000 b4000000 00000400 ac00ac00 a800");
        expected.extend(t5_bytes());
        expected.extend(hex("01000000 00000000"));
        assert_eq!(expected.len(), 200);
        assert_eq!(body, expected);
    }

    #[test]
    fn failure_matches_t6() {
        // Fact sheet §11 T6: ecUnknownUser.
        let resp = LogonResponse::Failure {
            output_handle_index: 0,
            return_value: ec::UNKNOWN_USER,
        };
        assert_eq!(resp.encode().unwrap(), hex("fe 00 eb030000"));
        assert_eq!(LogonResponse::decode(&hex("fe 00 eb030000")).unwrap(), resp);
        let bogus = LogonResponse::Failure {
            output_handle_index: 0,
            return_value: 0,
        };
        assert!(bogus.encode().is_err());
    }

    #[test]
    fn redirect_and_public_round_trip() {
        // §2.2.3.1.4: LogonFlags, ServerNameSize (counts the NUL), ServerName.
        let redirect = LogonResponse::Redirect {
            output_handle_index: 1,
            logon_flags: logon_flags::PRIVATE,
            server_name: "mbx2".into(),
        };
        let bytes = hex("fe 01 78040000 01 05 6d62783200");
        assert_eq!(redirect.encode().unwrap(), bytes);
        assert_eq!(LogonResponse::decode(&bytes).unwrap(), redirect);

        let public = LogonResponse::Public {
            output_handle_index: 0,
            logon: Box::new(PublicLogon {
                logon_flags: 0,
                folder_ids: [ObjectId::new(2, 7); FOLDER_COUNT],
                repl_id: 2,
                repl_guid: Uuid::from_u128(1),
                per_user_guid: Uuid::nil(),
            }),
        };
        let bytes = public.encode().unwrap();
        assert_eq!(bytes.len(), 6 + 1 + 104 + 2 + 16 + 16);
        assert_eq!(LogonResponse::decode(&bytes).unwrap(), public);
    }

    #[test]
    fn logon_time_from_unix() {
        // 2025-01-01T10:15:30Z, a Wednesday: the T5 LogonTime.
        assert_eq!(LogonTime::from_unix(1_735_726_530), t5_logon().logon_time);
        let epoch = LogonTime::from_unix(0);
        assert_eq!(
            (epoch.year, epoch.month, epoch.day, epoch.day_of_week),
            (1970, 1, 1, 4)
        );
        let leap = LogonTime::from_unix(951_782_400); // 2000-02-29T00:00:00Z, Tuesday
        assert_eq!(
            (leap.year, leap.month, leap.day, leap.day_of_week),
            (2000, 2, 29, 2)
        );
    }
}
