//! The constants of the NSPI data model (MS-OXNSPI §2.2.1): flags, reserved
//! Minimal Entry IDs, sort types, display and object types.

/// Bind `Flags`: the only meaningful bit (MS-OXNSPI §3.1.4.1.1).
pub const BIND_FLAG_ANONYMOUS_LOGIN: u32 = 0x0000_0020;
/// `CodePage` value that Bind must refuse (CP_WINUNICODE, MS-OXNSPI §3.1.4.1.1).
pub const CP_WINUNICODE: u32 = 1200;

/// `fSkipObjects` (MS-OXNSPI §2.2.1.3): GetProps/QueryRows flag.
pub const FLAG_SKIP_OBJECTS: u32 = 0x0000_0001;
/// `fEphID`: return PidTagEntryId as an Ephemeral Entry ID.
pub const FLAG_EPH_ID: u32 = 0x0000_0002;
/// GetSpecialTable `NspiAddressCreationTemplates` (MS-OXNSPI §2.2.1.4).
pub const NSPI_ADDRESS_CREATION_TEMPLATES: u32 = 0x0000_0002;
/// GetSpecialTable `NspiUnicodeStrings`: string values as PtypString.
pub const NSPI_UNICODE_STRINGS: u32 = 0x0000_0004;
/// QueryColumns `NspiUnicodeProptypes` (MS-OXNSPI §2.2.1.5).
pub const NSPI_UNICODE_PROPTYPES: u32 = 0x8000_0000;

/// GetTemplateInfo `TI_TEMPLATE` (MS-OXNSPI §2.2.1.6).
pub const TI_TEMPLATE: u32 = 0x0000_0001;
/// GetTemplateInfo `TI_SCRIPT`.
pub const TI_SCRIPT: u32 = 0x0000_0004;
/// GetTemplateInfo `TI_EMT`.
pub const TI_EMT: u32 = 0x0000_0010;
/// GetTemplateInfo `TI_HELPFILE_NAME`.
pub const TI_HELPFILE_NAME: u32 = 0x0000_0020;
/// GetTemplateInfo `TI_HELPFILE_CONTENTS`.
pub const TI_HELPFILE_CONTENTS: u32 = 0x0000_0040;

/// Positioning MIDs (MS-OXNSPI §2.2.1.8): the first row of a table.
pub const MID_BEGINNING_OF_TABLE: u32 = 0x0000_0000;
/// The current position (fractional positioning by NumPos/TotalRecs).
pub const MID_CURRENT: u32 = 0x0000_0001;
/// Past the last row.
pub const MID_END_OF_TABLE: u32 = 0x0000_0002;

/// ANR results (MS-OXNSPI §2.2.1.9): nothing matched.
pub const MID_UNRESOLVED: u32 = 0x0000_0000;
/// More than one object matched.
pub const MID_AMBIGUOUS: u32 = 0x0000_0001;
/// Exactly one object matched (the value of the constant; the server reports the object's own MID).
pub const MID_RESOLVED: u32 = 0x0000_0002;

/// Sort types (MS-OXNSPI §2.2.1.10): by PidTagDisplayName.
pub const SORT_TYPE_DISPLAY_NAME: u32 = 0x0000_0000;
/// By PidTagAddressBookPhoneticDisplayName.
pub const SORT_TYPE_PHONETIC_DISPLAY_NAME: u32 = 0x0000_0003;
/// By display name, read-only (PtypString8 sort).
pub const SORT_TYPE_DISPLAY_NAME_RO: u32 = 0x0000_03E8;
/// By display name, Unicode.
pub const SORT_TYPE_DISPLAY_NAME_W: u32 = 0x0000_03E9;

/// PidTagDisplayType values (MS-OXNSPI §2.2.1.3): a mail user.
pub const DT_MAILUSER: u32 = 0x0000_0000;
/// A distribution list.
pub const DT_DISTLIST: u32 = 0x0000_0001;
/// An address book container (address list).
pub const DT_CONTAINER: u32 = 0x0000_0100;
/// The Global Address List.
pub const DT_GLOBAL: u32 = 0x0002_0000;

/// PidTagObjectType values (MS-OXCPRPT): an address book container.
pub const MAPI_ABCONT: u32 = 4;
/// A mail user.
pub const MAPI_MAILUSER: u32 = 6;
/// A distribution list.
pub const MAPI_DISTLIST: u32 = 8;

/// PidTagContainerFlags of address book containers (MS-OXOABK §2.2.2.1): holds recipients.
pub const AB_RECIPIENTS: u32 = 0x0000_0001;
/// Has child containers.
pub const AB_SUBCONTAINERS: u32 = 0x0000_0002;
/// Cannot be modified.
pub const AB_UNMODIFIABLE: u32 = 0x0000_0008;

/// Code pages mapish serves String8 values in (besides ASCII-only text): Windows-1252.
pub const CP_WINDOWS_1252: u32 = 1252;
/// ISO 8859-1.
pub const CP_ISO_8859_1: u32 = 28591;
/// US-ASCII.
pub const CP_US_ASCII: u32 = 20127;
/// UTF-8.
pub const CP_UTF8: u32 = 65001;
