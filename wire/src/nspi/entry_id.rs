//! Address book entry IDs (MS-OXNSPI §2.2.9.2, §2.2.9.3): the Permanent Entry ID, which names an object by
//! its DN and is valid everywhere, and the Ephemeral Entry ID, which names it by Minimal Entry ID and is valid
//! only on the server (and session) that issued it.

use uuid::Uuid;

use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};

/// The ProviderUID of every Permanent Entry ID: GUID_NSPI, {C840A7DC-42C0-1A10-B4B9-08002B2FE182}
/// (MS-OXNSPI §2.2.1.7). Ephemeral Entry IDs carry the issuing server's GUID instead.
pub const GUID_NSPI: Uuid = Uuid::from_u128(0xC840A7DC_42C0_1A10_B4B9_08002B2FE182);

/// `ID Type` of a Permanent Entry ID.
pub const PERMANENT_ID_TYPE: u8 = 0x00;
/// `ID Type` of an Ephemeral Entry ID.
pub const EPHEMERAL_ID_TYPE: u8 = 0x87;
/// `R4`: a constant 0x00000001 in both forms.
const R4: u32 = 0x0000_0001;

/// An address book entry ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryId {
    /// ID Type 0x00, R1–R3 0, GUID_NSPI, R4 1, DisplayTypeString u32, DistinguishedName asciiz.
    Permanent {
        /// PidTagDisplayType of the object.
        display_type: u32,
        /// Its DN (PidTagEmailAddress).
        dn: String,
    },
    /// ID Type 0x87, R1–R3 0, the server's GUID, R4 1, Display Type u32, MId u32.
    Ephemeral {
        /// The issuing server's GUID (Bind's ServerGuid).
        server_guid: Uuid,
        /// PidTagDisplayType of the object.
        display_type: u32,
        /// Its Minimal Entry ID.
        mid: u32,
    },
}

impl EntryId {
    /// The bytes, as PidTagEntryId carries them.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new();
        match self {
            EntryId::Permanent { display_type, dn } => {
                w.bytes(&[PERMANENT_ID_TYPE, 0, 0, 0]);
                w.guid(&GUID_NSPI);
                w.u32(R4);
                w.u32(*display_type);
                w.asciiz(dn, "DistinguishedName")?;
            }
            EntryId::Ephemeral {
                server_guid,
                display_type,
                mid,
            } => {
                w.bytes(&[EPHEMERAL_ID_TYPE, 0, 0, 0]);
                w.guid(server_guid);
                w.u32(R4);
                w.u32(*display_type);
                w.u32(*mid);
            }
        }
        Ok(w.into_inner())
    }

    /// Parses an entry ID.
    pub fn parse(bytes: &[u8]) -> Result<EntryId> {
        let mut r = Reader::new(bytes);
        let id_type = r.u8("ID Type")?;
        r.bytes(3, "R1-R3")?;
        let uid = r.guid("ProviderUID")?;
        r.u32("R4")?;
        let display_type = r.u32("Display Type")?;
        let id = match id_type {
            PERMANENT_ID_TYPE => {
                if uid != GUID_NSPI {
                    return Err(WireError::invalid("ProviderUID", "not GUID_NSPI"));
                }
                EntryId::Permanent {
                    display_type,
                    dn: r.asciiz("DistinguishedName")?,
                }
            }
            EPHEMERAL_ID_TYPE => EntryId::Ephemeral {
                server_guid: uid,
                display_type,
                mid: r.u32("MId")?,
            },
            other => return Err(WireError::invalid("ID Type", format!("0x{other:02X}"))),
        };
        r.finish("EntryID")?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn permanent_entry_id_is_the_familiar_exchange_x500_id() {
        let id = EntryId::Permanent {
            display_type: 0,
            dn: "/o=Contoso/cn=A".into(),
        };
        let mut expected = hex("00000000 dca740c8c042101ab4b908002b2fe182 01000000 00000000");
        expected.extend(b"/o=Contoso/cn=A\0");
        assert_eq!(id.to_bytes().unwrap(), expected);
        assert_eq!(EntryId::parse(&expected).unwrap(), id);
    }

    #[test]
    fn ephemeral_entry_id_names_the_server_and_the_mid() {
        let g = Uuid::parse_str("01234567-89ab-cdef-0123-456789abcdef").unwrap();
        let id = EntryId::Ephemeral {
            server_guid: g,
            display_type: 0,
            mid: 0x11,
        };
        let expected = hex("87000000 67452301ab89efcd0123456789abcdef 01000000 00000000 11000000");
        assert_eq!(id.to_bytes().unwrap(), expected);
        assert_eq!(EntryId::parse(&expected).unwrap(), id);
        assert!(EntryId::parse(&expected[..20]).is_err());
    }
}
