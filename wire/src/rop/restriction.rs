//! The Restriction structure of MS-OXCDATA §2.12, as RopRestrict carries it (counts of And/Or are u16 in ROP
//! buffers, §2.12.1.1). A restriction is only ever walked by decoding it: RopRestrict gives its size, but a
//! server must still parse it to answer anything sensible.
//!
//! Decoding refuses non-canonical values (a PtypBoolean byte other than 0/1, …) so that every accepted buffer
//! re-encodes to the same bytes, and nesting deeper than [`MAX_DEPTH`] so hostile input cannot exhaust the stack.

use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::prop::{PropTag, TaggedValue};

/// The deepest nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// `RelOp` values (§2.12.5.1 and others).
pub mod relop {
    /// Less than.
    pub const LT: u8 = 0x00;
    /// Less than or equal.
    pub const LE: u8 = 0x01;
    /// Greater than.
    pub const GT: u8 = 0x02;
    /// Greater than or equal.
    pub const GE: u8 = 0x03;
    /// Equal.
    pub const EQ: u8 = 0x04;
    /// Not equal.
    pub const NE: u8 = 0x05;
    /// Regular-expression match (RELOP_RE).
    pub const RE: u8 = 0x06;
    /// Member of a distribution list (RELOP_MEMBER_OF_DL).
    pub const MEMBER_OF_DL: u8 = 0x64;
}

/// `FuzzyLevelLow` / `FuzzyLevelHigh` of a content restriction (§2.12.4.1).
pub mod fuzzy {
    /// The whole value must match.
    pub const FULLSTRING: u16 = 0x0000;
    /// The value must contain the search string.
    pub const SUBSTRING: u16 = 0x0001;
    /// The value must start with the search string.
    pub const PREFIX: u16 = 0x0002;
    /// High: compare case-insensitively.
    pub const IGNORECASE: u16 = 0x0001;
    /// High: ignore non-spacing characters.
    pub const IGNORENONSPACE: u16 = 0x0002;
    /// High: loose matching.
    pub const LOOSE: u16 = 0x0004;
}

/// `BitmapRelOp` of a bitmask restriction (§2.12.7.1).
pub mod bitmask {
    /// `(value & mask) == 0`.
    pub const BMR_EQZ: u8 = 0x00;
    /// `(value & mask) != 0`.
    pub const BMR_NEZ: u8 = 0x01;
}

/// A restriction (§2.12). The variant order follows `RestrictType` 0x00–0x0B.
#[derive(Debug, Clone, PartialEq)]
pub enum Restriction {
    /// 0x00 AndRestriction.
    And(Vec<Restriction>),
    /// 0x01 OrRestriction.
    Or(Vec<Restriction>),
    /// 0x02 NotRestriction.
    Not(Box<Restriction>),
    /// 0x03 ContentRestriction.
    Content {
        /// `FuzzyLevelLow`, see [`fuzzy`].
        fuzzy_low: u16,
        /// `FuzzyLevelHigh`, see [`fuzzy`].
        fuzzy_high: u16,
        /// `PropertyTag`: the column searched.
        tag: PropTag,
        /// `TaggedValue`: the searched-for value.
        value: TaggedValue,
    },
    /// 0x04 PropertyRestriction.
    Property {
        /// `RelOp`, see [`relop`].
        relop: u8,
        /// `PropTag`: the column compared.
        tag: PropTag,
        /// `TaggedValue`: the value compared with.
        value: TaggedValue,
    },
    /// 0x05 ComparePropertiesRestriction.
    CompareProps {
        /// `RelOp`.
        relop: u8,
        /// `PropTag1`.
        tag1: PropTag,
        /// `PropTag2`.
        tag2: PropTag,
    },
    /// 0x06 BitMaskRestriction.
    Bitmask {
        /// `BitmapRelOp`, see [`bitmask`].
        op: u8,
        /// `PropTag`: a PtypInteger32 column.
        tag: PropTag,
        /// `Mask`.
        mask: u32,
    },
    /// 0x07 SizeRestriction.
    Size {
        /// `RelOp`.
        relop: u8,
        /// `PropTag`.
        tag: PropTag,
        /// `Size` in bytes.
        size: u32,
    },
    /// 0x08 ExistRestriction.
    Exist(PropTag),
    /// 0x09 SubObjectRestriction (recipients or attachments).
    SubObject {
        /// `Subobject`: PidTagMessageRecipients or PidTagMessageAttachments.
        subobject: PropTag,
        /// The restriction applied to the subobjects.
        restriction: Box<Restriction>,
    },
    /// 0x0A CommentRestriction.
    Comment {
        /// `TaggedValues`: annotations.
        values: Vec<TaggedValue>,
        /// The annotated restriction, if present.
        restriction: Option<Box<Restriction>>,
    },
    /// 0x0B CountRestriction.
    Count {
        /// `Count`: at most this many rows match.
        count: u32,
        /// `SubRestriction`.
        restriction: Box<Restriction>,
    },
}

impl Restriction {
    /// Appends the encoding.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        match self {
            Restriction::And(list) | Restriction::Or(list) => {
                w.u8(if matches!(self, Restriction::And(_)) {
                    0x00
                } else {
                    0x01
                });
                let n = u16::try_from(list.len()).map_err(|_| WireError::TooLarge {
                    what: "RestrictCount",
                    len: list.len(),
                    limit: u16::MAX as usize,
                })?;
                w.u16(n);
                for r in list {
                    r.write_to(w)?;
                }
            }
            Restriction::Not(r) => {
                w.u8(0x02);
                r.write_to(w)?;
            }
            Restriction::Content {
                fuzzy_low,
                fuzzy_high,
                tag,
                value,
            } => {
                w.u8(0x03);
                w.u16(*fuzzy_low);
                w.u16(*fuzzy_high);
                w.u32(tag.0);
                value.write_to(w)?;
            }
            Restriction::Property { relop, tag, value } => {
                w.u8(0x04);
                w.u8(*relop);
                w.u32(tag.0);
                value.write_to(w)?;
            }
            Restriction::CompareProps { relop, tag1, tag2 } => {
                w.u8(0x05);
                w.u8(*relop);
                w.u32(tag1.0);
                w.u32(tag2.0);
            }
            Restriction::Bitmask { op, tag, mask } => {
                w.u8(0x06);
                w.u8(*op);
                w.u32(tag.0);
                w.u32(*mask);
            }
            Restriction::Size { relop, tag, size } => {
                w.u8(0x07);
                w.u8(*relop);
                w.u32(tag.0);
                w.u32(*size);
            }
            Restriction::Exist(tag) => {
                w.u8(0x08);
                w.u32(tag.0);
            }
            Restriction::SubObject {
                subobject,
                restriction,
            } => {
                w.u8(0x09);
                w.u32(subobject.0);
                restriction.write_to(w)?;
            }
            Restriction::Comment {
                values,
                restriction,
            } => {
                w.u8(0x0A);
                let n = u8::try_from(values.len()).map_err(|_| WireError::TooLarge {
                    what: "TaggedValuesCount",
                    len: values.len(),
                    limit: u8::MAX as usize,
                })?;
                w.u8(n);
                for v in values {
                    v.write_to(w)?;
                }
                match restriction {
                    None => w.u8(0),
                    Some(r) => {
                        w.u8(1);
                        r.write_to(w)?;
                    }
                }
            }
            Restriction::Count { count, restriction } => {
                w.u8(0x0B);
                w.u32(*count);
                restriction.write_to(w)?;
            }
        }
        Ok(())
    }

    /// Reads one restriction.
    pub fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Self::read_nested(r, 0)
    }

    fn read_nested(r: &mut Reader<'_>, depth: usize) -> Result<Self> {
        if depth >= MAX_DEPTH {
            return Err(WireError::invalid("Restriction", "nested too deeply"));
        }
        let next = |r: &mut Reader<'_>| Self::read_nested(r, depth + 1);
        Ok(match r.u8("RestrictType")? {
            kind @ (0x00 | 0x01) => {
                let n = usize::from(r.u16("RestrictCount")?);
                // Every restriction takes at least 3 bytes (Not + Exist is 6; And with 0 children is 3).
                if n.saturating_mul(3) > r.remaining() {
                    return Err(WireError::Truncated {
                        what: "RestrictCount",
                        needed: n.saturating_mul(3) - r.remaining(),
                    });
                }
                let mut list = Vec::with_capacity(n);
                for _ in 0..n {
                    list.push(next(r)?);
                }
                if kind == 0 {
                    Restriction::And(list)
                } else {
                    Restriction::Or(list)
                }
            }
            0x02 => Restriction::Not(Box::new(next(r)?)),
            0x03 => Restriction::Content {
                fuzzy_low: r.u16("FuzzyLevelLow")?,
                fuzzy_high: r.u16("FuzzyLevelHigh")?,
                tag: PropTag(r.u32("PropertyTag")?),
                value: canonical_value(r)?,
            },
            0x04 => Restriction::Property {
                relop: r.u8("RelOp")?,
                tag: PropTag(r.u32("PropTag")?),
                value: canonical_value(r)?,
            },
            0x05 => Restriction::CompareProps {
                relop: r.u8("RelOp")?,
                tag1: PropTag(r.u32("PropTag1")?),
                tag2: PropTag(r.u32("PropTag2")?),
            },
            0x06 => Restriction::Bitmask {
                op: r.u8("BitmapRelOp")?,
                tag: PropTag(r.u32("PropTag")?),
                mask: r.u32("Mask")?,
            },
            0x07 => Restriction::Size {
                relop: r.u8("RelOp")?,
                tag: PropTag(r.u32("PropTag")?),
                size: r.u32("Size")?,
            },
            0x08 => Restriction::Exist(PropTag(r.u32("PropTag")?)),
            0x09 => Restriction::SubObject {
                subobject: PropTag(r.u32("Subobject")?),
                restriction: Box::new(next(r)?),
            },
            0x0A => {
                let n = r.u8("TaggedValuesCount")?;
                let mut values = Vec::with_capacity(usize::from(n));
                for _ in 0..n {
                    values.push(canonical_value(r)?);
                }
                let restriction = match r.u8("RestrictionPresent")? {
                    0 => None,
                    1 => Some(Box::new(next(r)?)),
                    other => {
                        return Err(WireError::invalid(
                            "RestrictionPresent",
                            format!("{other:#04x}"),
                        ));
                    }
                };
                Restriction::Comment {
                    values,
                    restriction,
                }
            }
            0x0B => Restriction::Count {
                count: r.u32("Count")?,
                restriction: Box::new(next(r)?),
            },
            other => {
                return Err(WireError::invalid(
                    "RestrictType",
                    format!("{other:#04x} is not a restriction type"),
                ));
            }
        })
    }
}

/// A TaggedPropertyValue that re-encodes to exactly the bytes read.
fn canonical_value(r: &mut Reader<'_>) -> Result<TaggedValue> {
    let before = r.peek_rest();
    let value = TaggedValue::read_from(r)?;
    let used = before.len() - r.remaining();
    let mut w = Writer::new();
    value.write_to(&mut w)?;
    if w.as_slice() != &before[..used] {
        return Err(WireError::invalid(
            "TaggedValue",
            "not in canonical form (e.g. a boolean other than 0 or 1)",
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prop::PropertyValue;
    use crate::prop::tags::*;
    use crate::testutil::hex;

    fn round_trip(bytes: &[u8]) -> Restriction {
        let mut r = Reader::new(bytes);
        let res = Restriction::read_from(&mut r).unwrap();
        r.finish("restriction").unwrap();
        let mut w = Writer::new();
        res.write_to(&mut w).unwrap();
        assert_eq!(w.as_slice(), bytes);
        res
    }

    #[test]
    fn property_restriction_layout() {
        // §2.12.5: RestrictType 04, RelOp 04 (EQ), PropTag PidTagContainerClass (1f001336),
        // TaggedValue: the tag again, then "IPF.Note" UTF-16LE with NUL.
        let mut bytes = hex("04 04 1f001336 1f001336");
        for u in "IPF.Note".encode_utf16() {
            bytes.extend(u.to_le_bytes());
        }
        bytes.extend([0, 0]);
        let res = round_trip(&bytes);
        assert_eq!(
            res,
            Restriction::Property {
                relop: relop::EQ,
                tag: PID_TAG_CONTAINER_CLASS,
                value: TaggedValue::new(
                    PID_TAG_CONTAINER_CLASS,
                    PropertyValue::String("IPF.Note".into())
                ),
            }
        );
    }

    #[test]
    fn nested_and_or_not_exist_content() {
        // And(2) { Exist(PidTagDisplayName), Not(Or(1){ Bitmask(NEZ, PidTagContentCount, 1) }) },
        // then Content(substring|ignorecase) and a Comment with no restriction.
        let bytes = hex("00 0200  08 1f000130  02 01 0100 06 01 03000236 01000000");
        let res = round_trip(&bytes);
        let Restriction::And(list) = &res else {
            panic!()
        };
        assert_eq!(list[0], Restriction::Exist(PID_TAG_DISPLAY_NAME));
        let content = hex("03 0100 0100 1f000130 1f000130 4900 6e00 0000");
        assert!(matches!(
            round_trip(&content),
            Restriction::Content {
                fuzzy_low: 1,
                fuzzy_high: 1,
                ..
            }
        ));
        let comment = hex("0a 01 03000236 05000000 00");
        assert!(matches!(
            round_trip(&comment),
            Restriction::Comment {
                restriction: None,
                ..
            }
        ));
        round_trip(&hex("05 04 03000236 03000336"));
        round_trip(&hex("07 02 0201f80f 10000000"));
        round_trip(&hex("09 0d001237 08 1f000130"));
        round_trip(&hex("0b 05000000 08 1f000130"));
    }

    #[test]
    fn malformed_restrictions_are_refused() {
        for bad in [
            "0c",                         // no such type
            "00 0500 08 1f000130",        // count larger than the input
            "04 04 0b00f410 0b00f410 02", // boolean 2 is not canonical
            "0a 00 02",                   // RestrictionPresent 2
            "08 1f00",                    // truncated tag
        ] {
            let bytes = hex(bad);
            assert!(
                Restriction::read_from(&mut Reader::new(&bytes)).is_err(),
                "{bad}"
            );
        }
        // Hostile nesting: 100 Nots.
        let mut deep = vec![0x02; 100];
        deep.extend(hex("08 1f000130"));
        assert!(Restriction::read_from(&mut Reader::new(&deep)).is_err());
    }
}
