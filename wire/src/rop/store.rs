//! Logon-object ROPs (MS-OXCROPS §2.2.3, semantics in MS-OXCSTOR §2.2.1): RopGetReceiveFolder (0x27),
//! RopLongTermIdFromId (0x43), RopIdFromLongTermId (0x44), RopGetPerUserLongTermIds (0x60), RopGetStoreState
//! (0x7B); and the LongTermID structure (MS-OXCDATA §2.2.1.3.1).

use uuid::Uuid;

use super::field::{Field, MinSize, no_output, rop_request, rop_response};
use crate::buf::{Reader, Writer};
use crate::error::Result;
use crate::ids::{MAX_GLOBAL_COUNTER, ObjectId};

/// A LongTermID (MS-OXCDATA §2.2.1.3.1): the replica GUID instead of the short replica id, the 6-byte global
/// counter (same byte order as in the short id) and two pad bytes, 24 bytes in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LongTermId {
    /// `DatabaseGuid`: the GUID the replica id stands for.
    pub database_guid: Uuid,
    /// `GlobalCounter` (48 bits).
    pub global_counter: u64,
    /// `Pad`: zero when written by a conforming peer.
    pub pad: u16,
}

impl LongTermId {
    /// Wire size.
    pub const LEN: usize = 24;

    /// The long-term form of `id` whose replica stands for `database_guid`.
    pub fn new(database_guid: Uuid, id: ObjectId) -> Self {
        LongTermId {
            database_guid,
            global_counter: id.global_counter,
            pad: 0,
        }
    }
}

impl Field for LongTermId {
    fn put(&self, w: &mut Writer) -> Result<()> {
        w.guid(&self.database_guid);
        let [_, _, g @ ..] = (self.global_counter & MAX_GLOBAL_COUNTER).to_be_bytes();
        w.bytes(&g);
        w.u16(self.pad);
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        let database_guid = r.guid(what)?;
        let g = r.bytes(6, what)?;
        let mut be = [0u8; 8];
        be[2..].copy_from_slice(g);
        Ok(LongTermId {
            database_guid,
            global_counter: u64::from_be_bytes(be),
            pad: r.u16(what)?,
        })
    }
}

impl MinSize for LongTermId {
    const MIN_SIZE: usize = LongTermId::LEN;
}

rop_request! {
    /// RopGetReceiveFolder request (§2.2.3.2.1).
    GetReceiveFolderRequest = GET_RECEIVE_FOLDER, answer: input_handle_index, output: no_output, {
        /// `MessageClass`: ASCII, NUL-terminated; empty for the default.
        message_class: String,
    }
}

rop_response! {
    /// RopGetReceiveFolder success response (§2.2.3.2.2).
    GetReceiveFolderResponse = GET_RECEIVE_FOLDER {
        /// `FolderId`: the receive folder.
        folder_id: ObjectId,
        /// `ExplicitMessageClass`: the message class the folder is registered for (a prefix of the request's).
        explicit_message_class: String,
    }
}

rop_request! {
    /// RopLongTermIdFromId request (§2.2.3.8.1).
    LongTermIdFromIdRequest = LONG_TERM_ID_FROM_ID, answer: input_handle_index, output: no_output, {
        /// `ObjectId`: a folder or message id.
        object_id: ObjectId,
    }
}

rop_response! {
    /// RopLongTermIdFromId success response (§2.2.3.8.2).
    LongTermIdFromIdResponse = LONG_TERM_ID_FROM_ID {
        /// `LongTermId`.
        long_term_id: LongTermId,
    }
}

rop_request! {
    /// RopIdFromLongTermId request (§2.2.3.9.1).
    IdFromLongTermIdRequest = ID_FROM_LONG_TERM_ID, answer: input_handle_index, output: no_output, {
        /// `LongTermId`.
        long_term_id: LongTermId,
    }
}

rop_response! {
    /// RopIdFromLongTermId success response (§2.2.3.9.2).
    IdFromLongTermIdResponse = ID_FROM_LONG_TERM_ID {
        /// `ObjectId`.
        object_id: ObjectId,
    }
}

rop_request! {
    /// RopGetPerUserLongTermIds request (§2.2.3.10.1).
    GetPerUserLongTermIdsRequest = GET_PER_USER_LONG_TERM_IDS, answer: input_handle_index, output: no_output, {
        /// `DatabaseGuid`: the public folder database asked about.
        database_guid: Uuid,
    }
}

rop_response! {
    /// RopGetPerUserLongTermIds success response (§2.2.3.10.2).
    GetPerUserLongTermIdsResponse = GET_PER_USER_LONG_TERM_IDS {
        /// `LongTermIdCount` + `LongTermIds`: folders with per-user read state.
        long_term_ids: Vec<LongTermId>,
    }
}

rop_request! {
    /// RopGetStoreState request (§2.2.3.17.1): the header only.
    GetStoreStateRequest = GET_STORE_STATE, answer: input_handle_index, output: no_output, {}
}

rop_response! {
    /// RopGetStoreState success response (§2.2.3.17.2).
    GetStoreStateResponse = GET_STORE_STATE {
        /// `StoreState`: 0x01000000 STORE_HAS_SEARCHES, else 0.
        store_state: u32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::Codec;
    use crate::testutil::hex;

    const GUID: &str = "00112233445566778899aabbccddeeff";

    #[test]
    fn long_term_id_is_guid_counter_pad() {
        let guid = Uuid::from_bytes_le(hex(GUID).try_into().unwrap());
        let ltid = LongTermId::new(guid, ObjectId::new(1, 0x0d));
        let req = LongTermIdFromIdRequest {
            logon_id: 0,
            input_handle_index: 0,
            object_id: ObjectId::new(1, 0x0d),
        };
        assert_eq!(req.encode().unwrap(), hex("43 00 00 0100 00000000000d"));
        let resp = LongTermIdFromIdResponse {
            handle_index: 0,
            long_term_id: ltid,
        };
        let mut expected = hex("43 00 00000000");
        expected.extend(hex(GUID));
        expected.extend(hex("00000000000d 0000"));
        assert_eq!(resp.encode().unwrap(), expected);
        assert_eq!(LongTermIdFromIdResponse::decode(&expected).unwrap(), resp);

        let back = IdFromLongTermIdRequest {
            logon_id: 0,
            input_handle_index: 0,
            long_term_id: ltid,
        };
        let bytes = back.encode().unwrap();
        assert_eq!(bytes.len(), 3 + 24);
        assert_eq!(IdFromLongTermIdRequest::decode(&bytes).unwrap(), back);
        let id = IdFromLongTermIdResponse {
            handle_index: 0,
            object_id: ObjectId::new(1, 0x0d),
        };
        assert_eq!(
            id.encode().unwrap(),
            hex("44 00 00000000 0100 00000000000d")
        );
    }

    #[test]
    fn receive_folder_per_user_and_store_state_layouts() {
        let req = GetReceiveFolderRequest {
            logon_id: 0,
            input_handle_index: 0,
            message_class: "IPM.Note".into(),
        };
        let bytes = hex("27 00 00 49504d2e4e6f7465 00");
        assert_eq!(req.encode().unwrap(), bytes);
        assert_eq!(GetReceiveFolderRequest::decode(&bytes).unwrap(), req);
        let resp = GetReceiveFolderResponse {
            handle_index: 0,
            folder_id: ObjectId::new(1, 0x0d),
            explicit_message_class: String::new(),
        };
        assert_eq!(
            resp.encode().unwrap(),
            hex("27 00 00000000 0100 00000000000d 00")
        );
        let per_user = GetPerUserLongTermIdsRequest {
            logon_id: 0,
            input_handle_index: 0,
            database_guid: Uuid::nil(),
        };
        assert_eq!(per_user.encode().unwrap().len(), 3 + 16);
        let none = GetPerUserLongTermIdsResponse {
            handle_index: 0,
            long_term_ids: vec![],
        };
        assert_eq!(none.encode().unwrap(), hex("60 00 00000000 0000"));
        // A hostile count is refused.
        assert!(GetPerUserLongTermIdsResponse::decode(&hex("60 00 00000000 ff00")).is_err());
        let state = GetStoreStateResponse {
            handle_index: 0,
            store_state: 0,
        };
        assert_eq!(state.encode().unwrap(), hex("7b 00 00000000 00000000"));
        assert_eq!(
            GetStoreStateRequest {
                logon_id: 0,
                input_handle_index: 0
            }
            .encode()
            .unwrap(),
            hex("7b 00 00")
        );
    }
}
