//! Property tags and values (MS-OXCDATA §2.9 PropertyTag, §2.11 PropertyValue and rows).
//!
//! One table of the property tags mapish knows lives in [`tags`]; the server's folder and address-book
//! objects, the ROP codecs and the NSPI codecs all name properties through it. The ROP encoding of values
//! is here; NSPI's AddressBookPropertyValue variant (with its HasValue bytes) lives with the NSPI codecs.

pub mod folder_entry_id;
pub mod tags;
pub mod value;

pub use folder_entry_id::{FolderEntryId, filetime_from_unix, xid};
pub use tags::{KnownProperty, PROPERTIES};
pub use value::{PropertyRow, PropertyValue, TaggedValue};

use std::fmt;

/// A property type (MS-OXCDATA §2.11.1), the low 16 bits of a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropType(pub u16);

impl PropType {
    /// PtypUnspecified: "any type" in requests (RopGetPropertiesSpecific, §2.11.1).
    pub const UNSPECIFIED: PropType = PropType(0x0000);
    /// PtypNull.
    pub const NULL: PropType = PropType(0x0001);
    /// PtypInteger16.
    pub const INTEGER16: PropType = PropType(0x0002);
    /// PtypInteger32.
    pub const INTEGER32: PropType = PropType(0x0003);
    /// PtypFloating64.
    pub const FLOATING64: PropType = PropType(0x0005);
    /// PtypErrorCode.
    pub const ERROR_CODE: PropType = PropType(0x000A);
    /// PtypBoolean.
    pub const BOOLEAN: PropType = PropType(0x000B);
    /// PtypObject / PtypEmbeddedTable.
    pub const OBJECT: PropType = PropType(0x000D);
    /// PtypInteger64.
    pub const INTEGER64: PropType = PropType(0x0014);
    /// PtypString8: 8-bit string in the code page of the logon or Bind.
    pub const STRING8: PropType = PropType(0x001E);
    /// PtypString: UTF-16LE.
    pub const STRING: PropType = PropType(0x001F);
    /// PtypTime: FILETIME.
    pub const TIME: PropType = PropType(0x0040);
    /// PtypGuid.
    pub const GUID: PropType = PropType(0x0048);
    /// PtypServerId.
    pub const SERVER_ID: PropType = PropType(0x00FB);
    /// PtypRestriction.
    pub const RESTRICTION: PropType = PropType(0x00FD);
    /// PtypRuleAction.
    pub const RULE_ACTION: PropType = PropType(0x00FE);
    /// PtypBinary.
    pub const BINARY: PropType = PropType(0x0102);
    /// The multi-value flag.
    pub const MULTI: u16 = 0x1000;
    /// PtypMultipleInteger32.
    pub const MULTIPLE_INTEGER32: PropType = PropType(0x1003);
    /// PtypMultipleString8.
    pub const MULTIPLE_STRING8: PropType = PropType(0x101E);
    /// PtypMultipleString.
    pub const MULTIPLE_STRING: PropType = PropType(0x101F);
    /// PtypMultipleBinary.
    pub const MULTIPLE_BINARY: PropType = PropType(0x1102);

    /// Whether this is a multi-valued type.
    pub fn is_multi(self) -> bool {
        self.0 & Self::MULTI != 0
    }

    /// The name the specs use (`PtypString`), or `None` for a type mapish does not name.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            PropType::UNSPECIFIED => "PtypUnspecified",
            PropType::NULL => "PtypNull",
            PropType::INTEGER16 => "PtypInteger16",
            PropType::INTEGER32 => "PtypInteger32",
            PropType::FLOATING64 => "PtypFloating64",
            PropType::ERROR_CODE => "PtypErrorCode",
            PropType::BOOLEAN => "PtypBoolean",
            PropType::OBJECT => "PtypObject",
            PropType::INTEGER64 => "PtypInteger64",
            PropType::STRING8 => "PtypString8",
            PropType::STRING => "PtypString",
            PropType::TIME => "PtypTime",
            PropType::GUID => "PtypGuid",
            PropType::SERVER_ID => "PtypServerId",
            PropType::RESTRICTION => "PtypRestriction",
            PropType::RULE_ACTION => "PtypRuleAction",
            PropType::BINARY => "PtypBinary",
            PropType::MULTIPLE_INTEGER32 => "PtypMultipleInteger32",
            PropType::MULTIPLE_STRING8 => "PtypMultipleString8",
            PropType::MULTIPLE_STRING => "PtypMultipleString",
            PropType::MULTIPLE_BINARY => "PtypMultipleBinary",
            _ => return None,
        })
    }
}

/// A property tag: id in the high 16 bits, type in the low 16 (MS-OXCDATA §2.9). On the wire it is a u32
/// little-endian, so the type's two bytes come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PropTag(pub u32);

impl PropTag {
    /// The tag for `id` and `ptype`.
    pub const fn new(id: u16, ptype: PropType) -> Self {
        PropTag(((id as u32) << 16) | ptype.0 as u32)
    }

    /// The property id.
    pub const fn id(self) -> u16 {
        (self.0 >> 16) as u16
    }

    /// The property type.
    pub const fn ptype(self) -> PropType {
        PropType(self.0 as u16)
    }

    /// The same id with another type: how an error value for this property is tagged (PtypErrorCode),
    /// and how a PtypUnspecified request is answered.
    pub const fn with_type(self, ptype: PropType) -> Self {
        PropTag::new(self.id(), ptype)
    }

    /// The table entry for this tag (id and type both match), if mapish knows it.
    pub fn known(self) -> Option<&'static KnownProperty> {
        tags::lookup(self)
    }
}

impl fmt::Display for PropTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known() {
            Some(p) => write!(f, "{} (0x{:08X})", p.name, self.0),
            None => write!(f, "0x{:08X}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tag_splits_into_id_and_type() {
        let display_name = PropTag(0x3001_001F);
        assert_eq!(display_name.id(), 0x3001);
        assert_eq!(display_name.ptype(), PropType::STRING);
        assert_eq!(PropTag::new(0x3001, PropType::STRING), display_name);
        assert_eq!(
            display_name.with_type(PropType::ERROR_CODE),
            PropTag(0x3001_000A)
        );
        assert!(PropType::MULTIPLE_STRING.is_multi());
        assert!(!PropType::STRING.is_multi());
    }
}
