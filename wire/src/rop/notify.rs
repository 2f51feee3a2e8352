//! RopRegisterNotification (0x29, MS-OXCROPS §2.2.14.1, semantics in MS-OXCNOTIF §2.2.1.2): subscribes to
//! events on the whole store or on one folder/message and opens a Notify object into `OutputHandleIndex`.

use super::field::{Field, rop_request, rop_response};
use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::ids::ObjectId;

/// `NotificationTypes` bits (MS-OXCNOTIF §2.2.1.2.1).
pub mod notification_types {
    /// New mail.
    pub const NEW_MAIL: u8 = 0x02;
    /// Object created.
    pub const OBJECT_CREATED: u8 = 0x04;
    /// Object deleted.
    pub const OBJECT_DELETED: u8 = 0x08;
    /// Object modified.
    pub const OBJECT_MODIFIED: u8 = 0x10;
    /// Object moved.
    pub const OBJECT_MOVED: u8 = 0x20;
    /// Object copied.
    pub const OBJECT_COPIED: u8 = 0x40;
    /// Search complete.
    pub const SEARCH_COMPLETE: u8 = 0x80;
}

/// `WantWholeStore`, and the `FolderId` / `MessageId` that follow it only when it is zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotificationScope {
    /// Events anywhere in the store; the byte as sent (non-zero).
    WholeStore(u8),
    /// Events on one folder, or one message of it.
    Object {
        /// `FolderId`.
        folder_id: ObjectId,
        /// `MessageId`: 0 for the folder itself.
        message_id: ObjectId,
    },
}

impl Field for NotificationScope {
    fn put(&self, w: &mut Writer) -> Result<()> {
        match self {
            NotificationScope::WholeStore(0) => {
                return Err(WireError::invalid("WantWholeStore", "0 needs a folder"));
            }
            NotificationScope::WholeStore(b) => w.u8(*b),
            NotificationScope::Object {
                folder_id,
                message_id,
            } => {
                w.u8(0);
                folder_id.put(w)?;
                message_id.put(w)?;
            }
        }
        Ok(())
    }
    fn get(r: &mut Reader<'_>, what: &'static str) -> Result<Self> {
        Ok(match r.u8(what)? {
            0 => NotificationScope::Object {
                folder_id: ObjectId::get(r, "FolderId")?,
                message_id: ObjectId::get(r, "MessageId")?,
            },
            b => NotificationScope::WholeStore(b),
        })
    }
}

rop_request! {
    /// RopRegisterNotification request (§2.2.14.1.1).
    RegisterNotificationRequest = REGISTER_NOTIFICATION, answer: output_handle_index,
    output: |r: &RegisterNotificationRequest| Some(r.output_handle_index), {
        /// `OutputHandleIndex`: the slot receiving the Notify object.
        output_handle_index: u8,
        /// `NotificationTypes`, see [`notification_types`].
        notification_types: u8,
        /// `Reserved`: 0.
        reserved: u8,
        /// `WantWholeStore` and the ids.
        scope: NotificationScope,
    }
}

rop_response! {
    /// RopRegisterNotification success response (§2.2.14.1.2): the header only.
    RegisterNotificationResponse = REGISTER_NOTIFICATION {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::Codec;
    use crate::testutil::hex;

    #[test]
    fn whole_store_and_folder_layouts() {
        let whole = RegisterNotificationRequest {
            logon_id: 0,
            input_handle_index: 0,
            output_handle_index: 1,
            notification_types: notification_types::NEW_MAIL | notification_types::OBJECT_CREATED,
            reserved: 0,
            scope: NotificationScope::WholeStore(1),
        };
        let bytes = hex("29 00 00 01 06 00 01");
        assert_eq!(whole.encode().unwrap(), bytes);
        assert_eq!(RegisterNotificationRequest::decode(&bytes).unwrap(), whole);
        let folder = RegisterNotificationRequest {
            scope: NotificationScope::Object {
                folder_id: ObjectId::new(1, 0x0d),
                message_id: ObjectId::default(),
            },
            ..whole
        };
        let bytes = hex("29 00 00 01 06 00 00 0100 00000000000d 0000 000000000000");
        assert_eq!(folder.encode().unwrap(), bytes);
        assert_eq!(RegisterNotificationRequest::decode(&bytes).unwrap(), folder);
        assert!(RegisterNotificationRequest::decode(&hex("29 00 00 01 06 00 00 0100")).is_err());
        let resp = RegisterNotificationResponse { handle_index: 1 };
        assert_eq!(resp.encode().unwrap(), hex("29 01 00000000"));
    }
}
