//! The property tags mapish knows: one table, checked in a test against an independent list
//! (impacket's `mapi_constants.MAPI_PROPERTIES`, see `tests/property_table.rs` in this crate).
//!
//! Add a property by adding one line to the `properties!` invocation below; the constant and the table
//! entry come from the same line. Names are MS-OXPROPS canonical names.

use super::{PropTag, PropType};

/// One known property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownProperty {
    /// The MS-OXPROPS canonical name, e.g. `PidTagDisplayName`.
    pub name: &'static str,
    /// The tag with its canonical type.
    pub tag: PropTag,
}

macro_rules! properties {
    ($($konst:ident = $name:literal, $id:literal, $ptype:ident;)*) => {
        $(
            #[doc = concat!("`", $name, "`.")]
            pub const $konst: PropTag = PropTag::new($id, PropType::$ptype);
        )*
        /// Every known property, in the order listed.
        pub static PROPERTIES: &[KnownProperty] = &[
            $(KnownProperty { name: $name, tag: $konst },)*
        ];
    };
}

properties! {
    // Common object properties.
    PID_TAG_ACCESS = "PidTagAccess", 0x0FF4, INTEGER32;
    PID_TAG_ACCESS_LEVEL = "PidTagAccessLevel", 0x0FF7, INTEGER32;
    PID_TAG_INSTANCE_KEY = "PidTagInstanceKey", 0x0FF6, BINARY;
    PID_TAG_MAPPING_SIGNATURE = "PidTagMappingSignature", 0x0FF8, BINARY;
    PID_TAG_RECORD_KEY = "PidTagRecordKey", 0x0FF9, BINARY;
    PID_TAG_STORE_RECORD_KEY = "PidTagStoreRecordKey", 0x0FFA, BINARY;
    PID_TAG_STORE_ENTRY_ID = "PidTagStoreEntryId", 0x0FFB, BINARY;
    PID_TAG_OBJECT_TYPE = "PidTagObjectType", 0x0FFE, INTEGER32;
    PID_TAG_ENTRY_ID = "PidTagEntryId", 0x0FFF, BINARY;
    PID_TAG_PARENT_ENTRY_ID = "PidTagParentEntryId", 0x0E09, BINARY;
    PID_TAG_MESSAGE_CLASS = "PidTagMessageClass", 0x001A, STRING;
    PID_TAG_SUBJECT = "PidTagSubject", 0x0037, STRING;
    PID_TAG_MESSAGE_FLAGS = "PidTagMessageFlags", 0x0E07, INTEGER32;
    PID_TAG_MESSAGE_SIZE = "PidTagMessageSize", 0x0E08, INTEGER32;
    PID_TAG_MESSAGE_SIZE_EXTENDED = "PidTagMessageSizeExtended", 0x0E08, INTEGER64;
    PID_TAG_DISPLAY_NAME = "PidTagDisplayName", 0x3001, STRING;
    PID_TAG_ADDRESS_TYPE = "PidTagAddressType", 0x3002, STRING;
    PID_TAG_EMAIL_ADDRESS = "PidTagEmailAddress", 0x3003, STRING;
    PID_TAG_COMMENT = "PidTagComment", 0x3004, STRING;
    PID_TAG_DEPTH = "PidTagDepth", 0x3005, INTEGER32;
    PID_TAG_CREATION_TIME = "PidTagCreationTime", 0x3007, TIME;
    PID_TAG_LAST_MODIFICATION_TIME = "PidTagLastModificationTime", 0x3008, TIME;
    PID_TAG_SEARCH_KEY = "PidTagSearchKey", 0x300B, BINARY;
    PID_TAG_CHANGE_KEY = "PidTagChangeKey", 0x65E2, BINARY;
    PID_TAG_SOURCE_KEY = "PidTagSourceKey", 0x65E0, BINARY;
    PID_TAG_PARENT_SOURCE_KEY = "PidTagParentSourceKey", 0x65E1, BINARY;
    PID_TAG_PREDECESSOR_CHANGE_LIST = "PidTagPredecessorChangeList", 0x65E3, BINARY;
    PID_TAG_LOCAL_COMMIT_TIME_MAX = "PidTagLocalCommitTimeMax", 0x670A, TIME;
    PID_TAG_DELETED_COUNT_TOTAL = "PidTagDeletedCountTotal", 0x670B, INTEGER32;
    PID_TAG_RIGHTS = "PidTagRights", 0x6639, INTEGER32;
    PID_TAG_ATTRIBUTE_HIDDEN = "PidTagAttributeHidden", 0x10F4, BOOLEAN;

    // Folders (MS-OXCFOLD §2.2.2).
    PID_TAG_CONTAINER_FLAGS = "PidTagContainerFlags", 0x3600, INTEGER32;
    PID_TAG_FOLDER_TYPE = "PidTagFolderType", 0x3601, INTEGER32;
    PID_TAG_CONTENT_COUNT = "PidTagContentCount", 0x3602, INTEGER32;
    PID_TAG_CONTENT_UNREAD_COUNT = "PidTagContentUnreadCount", 0x3603, INTEGER32;
    PID_TAG_SUBFOLDERS = "PidTagSubfolders", 0x360A, BOOLEAN;
    PID_TAG_CONTAINER_CLASS = "PidTagContainerClass", 0x3613, STRING;
    PID_TAG_FOLDER_CHILD_COUNT = "PidTagFolderChildCount", 0x6638, INTEGER32;
    PID_TAG_HIERARCHY_CHANGE_NUMBER = "PidTagHierarchyChangeNumber", 0x663E, INTEGER32;
    PID_TAG_FOLDER_ID = "PidTagFolderId", 0x6748, INTEGER64;
    PID_TAG_PARENT_FOLDER_ID = "PidTagParentFolderId", 0x6749, INTEGER64;
    PID_TAG_MID = "PidTagMid", 0x674A, INTEGER64;
    PID_TAG_INST_ID = "PidTagInstID", 0x674D, INTEGER64;
    PID_TAG_INSTANCE_NUM = "PidTagInstanceNum", 0x674E, INTEGER32;
    PID_TAG_ASSOCIATED_CONTENT_COUNT = "PidTagAssociatedContentCount", 0x3617, INTEGER32;
    // Shares id 0x6638 with PidTagFolderChildCount (MS-OXPROPS lists both); named so the id is never mistaken.
    PID_TAG_SERIALIZED_REPLID_GUID_MAP = "PidTagSerializedReplidGuidMap", 0x6638, BINARY;

    // The mailbox store object (MS-OXCSTOR §2.2.2, MS-OXOSFLD §2.2).
    PID_TAG_STORE_SUPPORT_MASK = "PidTagStoreSupportMask", 0x340D, INTEGER32;
    PID_TAG_STORE_STATE = "PidTagStoreState", 0x340E, INTEGER32;
    PID_TAG_IPM_SUBTREE_ENTRY_ID = "PidTagIpmSubtreeEntryId", 0x35E0, BINARY;
    PID_TAG_IPM_OUTBOX_ENTRY_ID = "PidTagIpmOutboxEntryId", 0x35E2, BINARY;
    PID_TAG_IPM_WASTEBASKET_ENTRY_ID = "PidTagIpmWastebasketEntryId", 0x35E3, BINARY;
    PID_TAG_IPM_SENTMAIL_ENTRY_ID = "PidTagIpmSentMailEntryId", 0x35E4, BINARY;
    PID_TAG_VIEWS_ENTRY_ID = "PidTagViewsEntryId", 0x35E5, BINARY;
    PID_TAG_COMMON_VIEWS_ENTRY_ID = "PidTagCommonViewsEntryId", 0x35E6, BINARY;
    PID_TAG_FINDER_ENTRY_ID = "PidTagFinderEntryId", 0x35E7, BINARY;
    PID_TAG_IPM_APPOINTMENT_ENTRY_ID = "PidTagIpmAppointmentEntryId", 0x36D0, BINARY;
    PID_TAG_IPM_CONTACT_ENTRY_ID = "PidTagIpmContactEntryId", 0x36D1, BINARY;
    PID_TAG_IPM_JOURNAL_ENTRY_ID = "PidTagIpmJournalEntryId", 0x36D2, BINARY;
    PID_TAG_IPM_NOTE_ENTRY_ID = "PidTagIpmNoteEntryId", 0x36D3, BINARY;
    PID_TAG_IPM_TASK_ENTRY_ID = "PidTagIpmTaskEntryId", 0x36D4, BINARY;
    PID_TAG_IPM_DRAFTS_ENTRY_ID = "PidTagIpmDraftsEntryId", 0x36D7, BINARY;
    PID_TAG_USER_ENTRY_ID = "PidTagUserEntryId", 0x6619, BINARY;
    PID_TAG_MAILBOX_OWNER_ENTRY_ID = "PidTagMailboxOwnerEntryId", 0x661B, BINARY;
    PID_TAG_MAILBOX_OWNER_NAME = "PidTagMailboxOwnerName", 0x661C, STRING;
    PID_TAG_OUT_OF_OFFICE_STATE = "PidTagOutOfOfficeState", 0x661D, BOOLEAN;

    // Rules (MS-OXORULE §2.2.1).
    PID_TAG_RULE_ID = "PidTagRuleId", 0x6674, INTEGER64;
    PID_TAG_RULE_SEQUENCE = "PidTagRuleSequence", 0x6676, INTEGER32;
    PID_TAG_RULE_STATE = "PidTagRuleState", 0x6677, INTEGER32;
    PID_TAG_RULE_USER_FLAGS = "PidTagRuleUserFlags", 0x6678, INTEGER32;
    PID_TAG_RULE_CONDITION = "PidTagRuleCondition", 0x6679, RESTRICTION;
    PID_TAG_RULE_ACTIONS = "PidTagRuleActions", 0x6680, RULE_ACTION;
    PID_TAG_RULE_PROVIDER = "PidTagRuleProvider", 0x6681, STRING;
    PID_TAG_RULE_NAME = "PidTagRuleName", 0x6682, STRING;
    PID_TAG_RULE_LEVEL = "PidTagRuleLevel", 0x6683, INTEGER32;
    PID_TAG_RULE_PROVIDER_DATA = "PidTagRuleProviderData", 0x6684, BINARY;

    // The address book (MS-OXOABK §2.2).
    PID_TAG_DISPLAY_TYPE = "PidTagDisplayType", 0x3900, INTEGER32;
    PID_TAG_TEMPLATEID = "PidTagTemplateid", 0x3902, BINARY;
    PID_TAG_DISPLAY_TYPE_EX = "PidTagDisplayTypeEx", 0x3905, INTEGER32;
    PID_TAG_SMTP_ADDRESS = "PidTagSmtpAddress", 0x39FE, STRING;
    PID_TAG_ADDRESS_BOOK_DISPLAY_NAME_PRINTABLE = "PidTagAddressBookDisplayNamePrintable", 0x39FF, STRING;
    PID_TAG_ACCOUNT = "PidTagAccount", 0x3A00, STRING;
    PID_TAG_GIVEN_NAME = "PidTagGivenName", 0x3A06, STRING;
    PID_TAG_SURNAME = "PidTagSurname", 0x3A11, STRING;
    PID_TAG_TRANSMITTABLE_DISPLAY_NAME = "PidTagTransmittableDisplayName", 0x3A20, STRING;
    PID_TAG_SEND_RICH_INFO = "PidTagSendRichInfo", 0x3A40, BOOLEAN;
    PID_TAG_ADDRESS_BOOK_HOME_MESSAGE_DATABASE = "PidTagAddressBookHomeMessageDatabase", 0x8006, STRING8;
    PID_TAG_ADDRESS_BOOK_PROXY_ADDRESSES = "PidTagAddressBookProxyAddresses", 0x800F, MULTIPLE_STRING;
    PID_TAG_ADDRESS_BOOK_OBJECT_GUID = "PidTagAddressBookObjectGuid", 0x8C6D, BINARY;
    PID_TAG_ADDRESS_BOOK_IS_MASTER = "PidTagAddressBookIsMaster", 0xFFFB, BOOLEAN;
    PID_TAG_ADDRESS_BOOK_PARENT_ENTRY_ID = "PidTagAddressBookParentEntryId", 0xFFFC, BINARY;
    PID_TAG_ADDRESS_BOOK_CONTAINER_ID = "PidTagAddressBookContainerId", 0xFFFD, INTEGER32;
    PID_TAG_ANR = "PidTagAnr", 0x360C, STRING;
    PID_TAG_DEPARTMENT_NAME = "PidTagDepartmentName", 0x3A18, STRING;
    PID_TAG_OFFICE_LOCATION = "PidTagOfficeLocation", 0x3A19, STRING;
    PID_TAG_PRIMARY_TELEPHONE_NUMBER = "PidTagPrimaryTelephoneNumber", 0x3A1A, STRING;
}

/// The table entry whose tag equals `tag` exactly.
pub fn lookup(tag: PropTag) -> Option<&'static KnownProperty> {
    PROPERTIES.iter().find(|p| p.tag == tag)
}

/// The table entry for a canonical name.
pub fn by_name(name: &str) -> Option<&'static KnownProperty> {
    PROPERTIES.iter().find(|p| p.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_and_tags_are_unique() {
        let mut names = HashSet::new();
        let mut tags = HashSet::new();
        for p in PROPERTIES {
            assert!(names.insert(p.name), "{} listed twice", p.name);
            assert!(tags.insert(p.tag), "{} listed twice", p.tag);
            assert!(p.tag.ptype().name().is_some(), "{} has an unnamed type", p.name);
        }
    }
}
