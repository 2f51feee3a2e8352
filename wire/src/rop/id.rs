//! ROP identifiers (MS-OXCROPS §2.2; the `RopId` byte that starts every ROP
//! request and response).
//!
//! A newtype rather than an enum: the buffer may name ROPs this crate does
//! not implement, and those must still be reported by number and name.

use std::fmt;

/// The first byte of every ROP request and response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RopId(pub u8);

macro_rules! rop_ids {
    ($($konst:ident = $value:literal, $name:literal;)*) => {
        impl RopId {
            $(
                #[doc = concat!("`", $name, "`.")]
                pub const $konst: RopId = RopId($value);
            )*

            /// The spec's name (`RopLogon`, …), if the id is defined.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($name),)*
                    _ => None,
                }
            }
        }
    };
}

rop_ids! {
    RELEASE = 0x01, "RopRelease";
    OPEN_FOLDER = 0x02, "RopOpenFolder";
    OPEN_MESSAGE = 0x03, "RopOpenMessage";
    GET_HIERARCHY_TABLE = 0x04, "RopGetHierarchyTable";
    GET_CONTENTS_TABLE = 0x05, "RopGetContentsTable";
    CREATE_MESSAGE = 0x06, "RopCreateMessage";
    GET_PROPERTIES_SPECIFIC = 0x07, "RopGetPropertiesSpecific";
    GET_PROPERTIES_ALL = 0x08, "RopGetPropertiesAll";
    GET_PROPERTIES_LIST = 0x09, "RopGetPropertiesList";
    SET_PROPERTIES = 0x0A, "RopSetProperties";
    DELETE_PROPERTIES = 0x0B, "RopDeleteProperties";
    SAVE_CHANGES_MESSAGE = 0x0C, "RopSaveChangesMessage";
    REMOVE_ALL_RECIPIENTS = 0x0D, "RopRemoveAllRecipients";
    MODIFY_RECIPIENTS = 0x0E, "RopModifyRecipients";
    READ_RECIPIENTS = 0x0F, "RopReadRecipients";
    RELOAD_CACHED_INFORMATION = 0x10, "RopReloadCachedInformation";
    SET_MESSAGE_READ_FLAG = 0x11, "RopSetMessageReadFlag";
    SET_COLUMNS = 0x12, "RopSetColumns";
    SORT_TABLE = 0x13, "RopSortTable";
    RESTRICT = 0x14, "RopRestrict";
    QUERY_ROWS = 0x15, "RopQueryRows";
    GET_STATUS = 0x16, "RopGetStatus";
    QUERY_POSITION = 0x17, "RopQueryPosition";
    SEEK_ROW = 0x18, "RopSeekRow";
    SEEK_ROW_BOOKMARK = 0x19, "RopSeekRowBookmark";
    SEEK_ROW_FRACTIONAL = 0x1A, "RopSeekRowFractional";
    CREATE_BOOKMARK = 0x1B, "RopCreateBookmark";
    CREATE_FOLDER = 0x1C, "RopCreateFolder";
    DELETE_FOLDER = 0x1D, "RopDeleteFolder";
    DELETE_MESSAGES = 0x1E, "RopDeleteMessages";
    GET_MESSAGE_STATUS = 0x1F, "RopGetMessageStatus";
    SET_MESSAGE_STATUS = 0x20, "RopSetMessageStatus";
    GET_ATTACHMENT_TABLE = 0x21, "RopGetAttachmentTable";
    OPEN_ATTACHMENT = 0x22, "RopOpenAttachment";
    CREATE_ATTACHMENT = 0x23, "RopCreateAttachment";
    DELETE_ATTACHMENT = 0x24, "RopDeleteAttachment";
    SAVE_CHANGES_ATTACHMENT = 0x25, "RopSaveChangesAttachment";
    SET_RECEIVE_FOLDER = 0x26, "RopSetReceiveFolder";
    GET_RECEIVE_FOLDER = 0x27, "RopGetReceiveFolder";
    REGISTER_NOTIFICATION = 0x29, "RopRegisterNotification";
    NOTIFY = 0x2A, "RopNotify";
    OPEN_STREAM = 0x2B, "RopOpenStream";
    READ_STREAM = 0x2C, "RopReadStream";
    WRITE_STREAM = 0x2D, "RopWriteStream";
    SEEK_STREAM = 0x2E, "RopSeekStream";
    SET_STREAM_SIZE = 0x2F, "RopSetStreamSize";
    SET_SEARCH_CRITERIA = 0x30, "RopSetSearchCriteria";
    GET_SEARCH_CRITERIA = 0x31, "RopGetSearchCriteria";
    SUBMIT_MESSAGE = 0x32, "RopSubmitMessage";
    MOVE_COPY_MESSAGES = 0x33, "RopMoveCopyMessages";
    ABORT_SUBMIT = 0x34, "RopAbortSubmit";
    MOVE_FOLDER = 0x35, "RopMoveFolder";
    COPY_FOLDER = 0x36, "RopCopyFolder";
    QUERY_COLUMNS_ALL = 0x37, "RopQueryColumnsAll";
    ABORT = 0x38, "RopAbort";
    COPY_TO = 0x39, "RopCopyTo";
    COPY_TO_STREAM = 0x3A, "RopCopyToStream";
    CLONE_STREAM = 0x3B, "RopCloneStream";
    GET_PERMISSIONS_TABLE = 0x3E, "RopGetPermissionsTable";
    GET_RULES_TABLE = 0x3F, "RopGetRulesTable";
    MODIFY_PERMISSIONS = 0x40, "RopModifyPermissions";
    MODIFY_RULES = 0x41, "RopModifyRules";
    GET_OWNING_SERVERS = 0x42, "RopGetOwningServers";
    LONG_TERM_ID_FROM_ID = 0x43, "RopLongTermIdFromId";
    ID_FROM_LONG_TERM_ID = 0x44, "RopIdFromLongTermId";
    PUBLIC_FOLDER_IS_GHOSTED = 0x45, "RopPublicFolderIsGhosted";
    OPEN_EMBEDDED_MESSAGE = 0x46, "RopOpenEmbeddedMessage";
    SET_SPOOLER = 0x47, "RopSetSpooler";
    SPOOLER_LOCK_MESSAGE = 0x48, "RopSpoolerLockMessage";
    GET_ADDRESS_TYPES = 0x49, "RopGetAddressTypes";
    TRANSPORT_SEND = 0x4A, "RopTransportSend";
    FAST_TRANSFER_SOURCE_COPY_MESSAGES = 0x4B, "RopFastTransferSourceCopyMessages";
    FAST_TRANSFER_SOURCE_COPY_FOLDER = 0x4C, "RopFastTransferSourceCopyFolder";
    FAST_TRANSFER_SOURCE_COPY_TO = 0x4D, "RopFastTransferSourceCopyTo";
    FAST_TRANSFER_SOURCE_GET_BUFFER = 0x4E, "RopFastTransferSourceGetBuffer";
    FIND_ROW = 0x4F, "RopFindRow";
    PROGRESS = 0x50, "RopProgress";
    TRANSPORT_NEW_MAIL = 0x51, "RopTransportNewMail";
    GET_VALID_ATTACHMENTS = 0x52, "RopGetValidAttachments";
    FAST_TRANSFER_DESTINATION_CONFIGURE = 0x53, "RopFastTransferDestinationConfigure";
    FAST_TRANSFER_DESTINATION_PUT_BUFFER = 0x54, "RopFastTransferDestinationPutBuffer";
    GET_NAMES_FROM_PROPERTY_IDS = 0x55, "RopGetNamesFromPropertyIds";
    GET_PROPERTY_IDS_FROM_NAMES = 0x56, "RopGetPropertyIdsFromNames";
    UPDATE_DEFERRED_ACTION_MESSAGES = 0x57, "RopUpdateDeferredActionMessages";
    EMPTY_FOLDER = 0x58, "RopEmptyFolder";
    EXPAND_ROW = 0x59, "RopExpandRow";
    COLLAPSE_ROW = 0x5A, "RopCollapseRow";
    LOCK_REGION_STREAM = 0x5B, "RopLockRegionStream";
    UNLOCK_REGION_STREAM = 0x5C, "RopUnlockRegionStream";
    COMMIT_STREAM = 0x5D, "RopCommitStream";
    GET_STREAM_SIZE = 0x5E, "RopGetStreamSize";
    QUERY_NAMED_PROPERTIES = 0x5F, "RopQueryNamedProperties";
    GET_PER_USER_LONG_TERM_IDS = 0x60, "RopGetPerUserLongTermIds";
    GET_PER_USER_GUID = 0x61, "RopGetPerUserGuid";
    READ_PER_USER_INFORMATION = 0x63, "RopReadPerUserInformation";
    WRITE_PER_USER_INFORMATION = 0x64, "RopWritePerUserInformation";
    SET_READ_FLAGS = 0x66, "RopSetReadFlags";
    COPY_PROPERTIES = 0x67, "RopCopyProperties";
    GET_RECEIVE_FOLDER_TABLE = 0x68, "RopGetReceiveFolderTable";
    FAST_TRANSFER_SOURCE_COPY_PROPERTIES = 0x69, "RopFastTransferSourceCopyProperties";
    GET_COLLAPSE_STATE = 0x6B, "RopGetCollapseState";
    SET_COLLAPSE_STATE = 0x6C, "RopSetCollapseState";
    GET_TRANSPORT_FOLDER = 0x6D, "RopGetTransportFolder";
    PENDING = 0x6E, "RopPending";
    OPTIONS_DATA = 0x6F, "RopOptionsData";
    SYNCHRONIZATION_CONFIGURE = 0x70, "RopSynchronizationConfigure";
    SYNCHRONIZATION_IMPORT_MESSAGE_CHANGE = 0x72, "RopSynchronizationImportMessageChange";
    SYNCHRONIZATION_IMPORT_HIERARCHY_CHANGE = 0x73, "RopSynchronizationImportHierarchyChange";
    SYNCHRONIZATION_IMPORT_DELETES = 0x74, "RopSynchronizationImportDeletes";
    SYNCHRONIZATION_UPLOAD_STATE_STREAM_BEGIN = 0x75, "RopSynchronizationUploadStateStreamBegin";
    SYNCHRONIZATION_UPLOAD_STATE_STREAM_CONTINUE = 0x76, "RopSynchronizationUploadStateStreamContinue";
    SYNCHRONIZATION_UPLOAD_STATE_STREAM_END = 0x77, "RopSynchronizationUploadStateStreamEnd";
    SYNCHRONIZATION_IMPORT_MESSAGE_MOVE = 0x78, "RopSynchronizationImportMessageMove";
    SET_PROPERTIES_NO_REPLICATE = 0x79, "RopSetPropertiesNoReplicate";
    DELETE_PROPERTIES_NO_REPLICATE = 0x7A, "RopDeletePropertiesNoReplicate";
    GET_STORE_STATE = 0x7B, "RopGetStoreState";
    SYNCHRONIZATION_OPEN_COLLECTOR = 0x7E, "RopSynchronizationOpenCollector";
    GET_LOCAL_REPLICA_IDS = 0x7F, "RopGetLocalReplicaIds";
    SYNCHRONIZATION_IMPORT_READ_STATE_CHANGES = 0x80, "RopSynchronizationImportReadStateChanges";
    RESET_TABLE = 0x81, "RopResetTable";
    SYNCHRONIZATION_GET_TRANSFER_STATE = 0x82, "RopSynchronizationGetTransferState";
    TELL_VERSION = 0x86, "RopTellVersion";
    FREE_BOOKMARK = 0x89, "RopFreeBookmark";
    WRITE_AND_COMMIT_STREAM = 0x90, "RopWriteAndCommitStream";
    HARD_DELETE_MESSAGES = 0x91, "RopHardDeleteMessages";
    HARD_DELETE_MESSAGES_AND_SUBFOLDERS = 0x92, "RopHardDeleteMessagesAndSubfolders";
    SET_LOCAL_REPLICA_MIDSET_DELETED = 0x93, "RopSetLocalReplicaMidsetDeleted";
    BACKOFF = 0xF9, "RopBackoff";
    LOGON = 0xFE, "RopLogon";
    BUFFER_TOO_SMALL = 0xFF, "RopBufferTooSmall";
}

impl fmt::Display for RopId {
    /// `RopLogon (0xFE)`, or `ROP 0x28` for an undefined id.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(name) => write!(f, "{name} (0x{:02X})", self.0),
            None => write!(f, "ROP 0x{:02X}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_display() {
        assert_eq!(RopId::LOGON.name(), Some("RopLogon"));
        assert_eq!(RopId(0x01).name(), Some("RopRelease"));
        assert_eq!(RopId(0x28).name(), None);
        assert_eq!(RopId::LOGON.to_string(), "RopLogon (0xFE)");
        assert_eq!(RopId(0x28).to_string(), "ROP 0x28");
    }
}
