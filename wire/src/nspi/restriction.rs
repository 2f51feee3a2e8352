//! Restrictions as GetMatches carries them in `Filter` (MS-OXCMAPIHTTP §2.2.5.5.1; layouts of
//! MS-OXCDATA §2.12). On the address book endpoint the counts of And/Or are 4 bytes, and the comparand
//! of a property or content restriction is an AddressBookTaggedPropertyValue preceded by a `HasValue` byte
//! (as gromox reads it).

use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::prop::PropTag;

use super::value::{AbTaggedValue, read_count};

/// Restriction type codes (MS-OXCDATA §2.12).
pub mod kind {
    /// AndRestriction.
    pub const AND: u8 = 0x00;
    /// OrRestriction.
    pub const OR: u8 = 0x01;
    /// NotRestriction.
    pub const NOT: u8 = 0x02;
    /// ContentRestriction.
    pub const CONTENT: u8 = 0x03;
    /// PropertyRestriction.
    pub const PROPERTY: u8 = 0x04;
    /// ComparePropertiesRestriction.
    pub const COMPARE_PROPS: u8 = 0x05;
    /// BitMaskRestriction.
    pub const BITMASK: u8 = 0x06;
    /// SizeRestriction.
    pub const SIZE: u8 = 0x07;
    /// ExistRestriction.
    pub const EXIST: u8 = 0x08;
    /// SubObjectRestriction.
    pub const SUB_OBJECT: u8 = 0x09;
}

/// RelOp values of property, compare-properties and size restrictions (MS-OXCDATA §2.12.5): the same
/// one-byte codes as in ROP buffers.
pub use crate::rop::restriction::relop;

/// FuzzyLevelLow/High of content restrictions (MS-OXCDATA §2.12.4).
pub mod fuzzy {
    /// The whole value must match.
    pub const FULLSTRING: u32 = 0x0000_0000;
    /// The comparand occurs anywhere in the value.
    pub const SUBSTRING: u32 = 0x0000_0001;
    /// The value starts with the comparand.
    pub const PREFIX: u32 = 0x0000_0002;
    /// Compare case-insensitively.
    pub const IGNORECASE: u32 = 0x0001_0000;
    /// Ignore non-spacing characters.
    pub const IGNORENONSPACE: u32 = 0x0002_0000;
    /// Loose matching.
    pub const LOOSE: u32 = 0x0004_0000;
}

/// The deepest nesting a filter may have (a hostile filter cannot exhaust the stack).
pub const MAX_DEPTH: usize = 32;

/// A restriction.
#[derive(Debug, Clone, PartialEq)]
pub enum Restriction {
    /// All sub-restrictions hold.
    And(Vec<Restriction>),
    /// At least one sub-restriction holds.
    Or(Vec<Restriction>),
    /// The sub-restriction does not hold.
    Not(Box<Restriction>),
    /// A string/binary property contains the comparand (FuzzyLevel says how).
    Content {
        /// FuzzyLevelLow | FuzzyLevelHigh.
        fuzzy_level: u32,
        /// The property compared.
        tag: PropTag,
        /// The comparand.
        value: AbTaggedValue,
    },
    /// A property compares with the comparand by `relop`.
    Property {
        /// See [`relop`].
        relop: u8,
        /// The property compared.
        tag: PropTag,
        /// The comparand.
        value: AbTaggedValue,
    },
    /// Two properties compare by `relop`.
    CompareProps {
        /// See [`relop`].
        relop: u8,
        /// First property.
        tag1: PropTag,
        /// Second property.
        tag2: PropTag,
    },
    /// A bitmask test.
    Bitmask {
        /// 0 = all bits in `mask` are zero, 1 = some are set.
        relop: u8,
        /// The property.
        tag: PropTag,
        /// The mask.
        mask: u32,
    },
    /// The size of a property compares with `size`.
    Size {
        /// See [`relop`].
        relop: u8,
        /// The property.
        tag: PropTag,
        /// The size.
        size: u32,
    },
    /// The property has a value.
    Exist {
        /// The property.
        tag: PropTag,
    },
    /// A restriction on sub-objects (recipients, attachments).
    SubObject {
        /// PidTagMessageRecipients or PidTagMessageAttachments.
        subobject: PropTag,
        /// Applied to the sub-objects.
        restriction: Box<Restriction>,
    },
}

impl Restriction {
    /// Writes the restriction.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        match self {
            Restriction::And(rs) | Restriction::Or(rs) => {
                w.u8(if matches!(self, Restriction::And(_)) {
                    kind::AND
                } else {
                    kind::OR
                });
                w.u32(
                    u32::try_from(rs.len())
                        .map_err(|_| WireError::invalid("RestrictCount", "too many"))?,
                );
                rs.iter().try_for_each(|r| r.write_to(w))
            }
            Restriction::Not(r) => {
                w.u8(kind::NOT);
                r.write_to(w)
            }
            Restriction::Content {
                fuzzy_level,
                tag,
                value,
            } => {
                w.u8(kind::CONTENT);
                w.u32(*fuzzy_level);
                w.u32(tag.0);
                w.u8(0xFF);
                value.write_to(w)
            }
            Restriction::Property { relop, tag, value } => {
                w.u8(kind::PROPERTY);
                w.u8(*relop);
                w.u32(tag.0);
                w.u8(0xFF);
                value.write_to(w)
            }
            Restriction::CompareProps { relop, tag1, tag2 } => {
                w.u8(kind::COMPARE_PROPS);
                w.u8(*relop);
                w.u32(tag1.0);
                w.u32(tag2.0);
                Ok(())
            }
            Restriction::Bitmask { relop, tag, mask } => {
                w.u8(kind::BITMASK);
                w.u8(*relop);
                w.u32(tag.0);
                w.u32(*mask);
                Ok(())
            }
            Restriction::Size { relop, tag, size } => {
                w.u8(kind::SIZE);
                w.u8(*relop);
                w.u32(tag.0);
                w.u32(*size);
                Ok(())
            }
            Restriction::Exist { tag } => {
                w.u8(kind::EXIST);
                w.u32(tag.0);
                Ok(())
            }
            Restriction::SubObject {
                subobject,
                restriction,
            } => {
                w.u8(kind::SUB_OBJECT);
                w.u32(subobject.0);
                restriction.write_to(w)
            }
        }
    }

    /// Reads a restriction.
    pub fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Self::read_nested(r, 0)
    }

    fn read_nested(r: &mut Reader<'_>, depth: usize) -> Result<Self> {
        if depth > MAX_DEPTH {
            return Err(WireError::invalid("Restriction", "nested too deeply"));
        }
        let sub = |r: &mut Reader<'_>| Self::read_nested(r, depth + 1).map(Box::new);
        Ok(match r.u8("RestrictType")? {
            t @ (kind::AND | kind::OR) => {
                let n = read_count(r, 1, "RestrictCount")?;
                let rs = (0..n)
                    .map(|_| Self::read_nested(r, depth + 1))
                    .collect::<Result<Vec<_>>>()?;
                if t == kind::AND {
                    Restriction::And(rs)
                } else {
                    Restriction::Or(rs)
                }
            }
            kind::NOT => Restriction::Not(sub(r)?),
            kind::CONTENT => {
                let fuzzy_level = r.u32("FuzzyLevel")?;
                let tag = PropTag(r.u32("PropertyTag")?);
                Restriction::Content {
                    fuzzy_level,
                    tag,
                    value: read_comparand(r)?,
                }
            }
            kind::PROPERTY => {
                let relop = r.u8("RelOp")?;
                let tag = PropTag(r.u32("PropTag")?);
                Restriction::Property {
                    relop,
                    tag,
                    value: read_comparand(r)?,
                }
            }
            kind::COMPARE_PROPS => Restriction::CompareProps {
                relop: r.u8("RelOp")?,
                tag1: PropTag(r.u32("PropTag1")?),
                tag2: PropTag(r.u32("PropTag2")?),
            },
            kind::BITMASK => Restriction::Bitmask {
                relop: r.u8("BitmapRelOp")?,
                tag: PropTag(r.u32("PropTag")?),
                mask: r.u32("Mask")?,
            },
            kind::SIZE => Restriction::Size {
                relop: r.u8("RelOp")?,
                tag: PropTag(r.u32("PropTag")?),
                size: r.u32("Size")?,
            },
            kind::EXIST => Restriction::Exist {
                tag: PropTag(r.u32("PropTag")?),
            },
            kind::SUB_OBJECT => Restriction::SubObject {
                subobject: PropTag(r.u32("Subobject")?),
                restriction: sub(r)?,
            },
            other => {
                return Err(WireError::invalid(
                    "RestrictType",
                    format!("0x{other:02X} is not supported"),
                ));
            }
        })
    }
}

/// `HasValue` + AddressBookTaggedPropertyValue; an absent comparand is refused.
fn read_comparand(r: &mut Reader<'_>) -> Result<AbTaggedValue> {
    match r.u8("HasValue")? {
        0xFF => AbTaggedValue::read_from(r),
        other => Err(WireError::invalid(
            "comparand HasValue",
            format!("0x{other:02X}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::Reader;
    use crate::prop::PropertyValue;
    use crate::prop::tags::*;
    use crate::testutil::hex;

    fn round_trip(r: &Restriction) -> Vec<u8> {
        let mut w = Writer::new();
        r.write_to(&mut w).unwrap();
        let bytes = w.into_inner();
        let mut rd = Reader::new(&bytes);
        assert_eq!(&Restriction::read_from(&mut rd).unwrap(), r);
        rd.finish("restriction").unwrap();
        bytes
    }

    #[test]
    fn property_restriction_layout() {
        // RestrictType 04, RelOp EQ, PropTag, HasValue, tagged value (tag + HasValue + UTF-16 "A").
        let r = Restriction::Property {
            relop: relop::EQ,
            tag: PID_TAG_DISPLAY_NAME,
            value: AbTaggedValue::new(PID_TAG_DISPLAY_NAME, PropertyValue::String("A".into())),
        };
        assert_eq!(
            round_trip(&r),
            hex("04 04 1f000130 ff 1f000130 ff 4100 0000")
        );
    }

    #[test]
    fn and_or_counts_are_four_bytes() {
        let exist = Restriction::Exist {
            tag: PID_TAG_SMTP_ADDRESS,
        };
        let r = Restriction::And(vec![
            Restriction::Or(vec![exist.clone()]),
            Restriction::Not(Box::new(exist.clone())),
        ]);
        assert_eq!(
            round_trip(&r),
            hex("00 02000000 01 01000000 08 1f00fe39 02 08 1f00fe39")
        );
        let c = Restriction::Content {
            fuzzy_level: fuzzy::PREFIX | fuzzy::IGNORECASE,
            tag: PID_TAG_ACCOUNT,
            value: AbTaggedValue::new(PID_TAG_ACCOUNT, PropertyValue::String("al".into())),
        };
        assert_eq!(
            round_trip(&c),
            hex("03 02000100 1f00003a ff 1f00003a ff 6100 6c00 0000")
        );
        round_trip(&Restriction::Size {
            relop: relop::GT,
            tag: PID_TAG_DISPLAY_NAME,
            size: 3,
        });
        round_trip(&Restriction::Bitmask {
            relop: 1,
            tag: PID_TAG_DISPLAY_TYPE,
            mask: 1,
        });
        round_trip(&Restriction::CompareProps {
            relop: relop::EQ,
            tag1: PID_TAG_ACCOUNT,
            tag2: PID_TAG_DISPLAY_NAME,
        });
    }

    #[test]
    fn junk_and_deep_nesting_are_refused() {
        assert!(Restriction::read_from(&mut Reader::new(&hex("0c"))).is_err());
        assert!(Restriction::read_from(&mut Reader::new(&hex("00 ffffffff"))).is_err());
        let deep = vec![0x02u8; 100];
        assert!(Restriction::read_from(&mut Reader::new(&deep)).is_err());
        // An absent comparand (HasValue 0) is not a comparison.
        assert!(Restriction::read_from(&mut Reader::new(&hex("04 04 1f000130 00"))).is_err());
    }
}
