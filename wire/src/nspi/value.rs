//! Property values as the address book endpoint carries them (MS-OXCMAPIHTTP §2.2.1): the
//! AddressBookPropertyValue and the structures built on it.
//!
//! They differ from the ROP encoding (`prop::value`) in three ways:
//! - a string, binary or multi-valued value is preceded by `HasValue` (0xFF present, 0x00 absent; §2.2.1.1);
//! - a PtypBinary count is 4 bytes, not 2;
//! - inside a multi-valued string or binary value every element has its own `HasValue` byte (what gromox
//!   reads and writes, and what Outlook accepts; §2.2.1.1 is silent about the elements).
//!
//! PtypString8 values travel as 8-bit bytes in the client's code page. In memory they are a `String` with one
//! `char` per byte (U+0000..U+00FF), the convention `prop::value` also uses; the server maps text into the
//! code page before encoding (see the server's `nspi::codepage`).

use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};
use crate::prop::{PropTag, PropType, PropertyValue};

/// `HasValue` for a present value.
pub const HAS_VALUE: u8 = 0xFF;

/// Whether values of `ptype` carry a `HasValue` byte.
pub fn has_value_byte(ptype: PropType) -> bool {
    matches!(
        ptype,
        PropType::STRING | PropType::STRING8 | PropType::BINARY
    ) || ptype.is_multi()
}

/// Writes an AddressBookPropertyValue of type `ptype`; `None` is an absent value (`HasValue` 0x00), only
/// possible for the types that have the byte.
pub fn write_value(w: &mut Writer, ptype: PropType, value: Option<&PropertyValue>) -> Result<()> {
    let Some(value) = value else {
        if !has_value_byte(ptype) {
            return Err(WireError::invalid(
                "AddressBookPropertyValue",
                format!("type 0x{:04X} cannot be absent", ptype.0),
            ));
        }
        w.u8(0);
        return Ok(());
    };
    if value.ptype() != ptype {
        return Err(WireError::invalid(
            "AddressBookPropertyValue",
            format!(
                "value of type 0x{:04X} under type 0x{:04X}",
                value.ptype().0,
                ptype.0
            ),
        ));
    }
    if has_value_byte(ptype) {
        w.u8(HAS_VALUE);
    }
    match value {
        PropertyValue::String8(s) => write_string8(w, s)?,
        PropertyValue::Binary(b) => w.sized_u32(b, "PtypBinary")?,
        PropertyValue::MultipleString(vs) => {
            w.u32(count(vs.len())?);
            for s in vs {
                w.u8(HAS_VALUE);
                w.utf16z(s, "PtypMultipleString")?;
            }
        }
        PropertyValue::MultipleString8(vs) => {
            w.u32(count(vs.len())?);
            for s in vs {
                w.u8(HAS_VALUE);
                write_string8(w, s)?;
            }
        }
        PropertyValue::MultipleBinary(vs) => {
            w.u32(count(vs.len())?);
            for b in vs {
                w.u8(HAS_VALUE);
                w.sized_u32(b, "PtypMultipleBinary")?;
            }
        }
        // Fixed-size values, PtypString, PtypServerId and PtypMultipleInteger32 are laid out as in ROPs
        // (§2.2.1.1 names no other layout; ServerId is read that way too).
        other => other.write_to(w)?,
    }
    Ok(())
}

/// Reads an AddressBookPropertyValue of type `ptype`; `None` when `HasValue` is 0x00.
pub fn read_value(r: &mut Reader<'_>, ptype: PropType) -> Result<Option<PropertyValue>> {
    if has_value_byte(ptype) && !read_has_value(r)? {
        return Ok(None);
    }
    Ok(Some(match ptype {
        PropType::STRING8 => PropertyValue::String8(read_string8(r, "PtypString8")?),
        PropType::BINARY => PropertyValue::Binary(r.sized_u32("PtypBinary")?.to_vec()),
        PropType::MULTIPLE_STRING => {
            let n = read_count(r, 3, "PtypMultipleString")?;
            let mut vs = Vec::with_capacity(n);
            for _ in 0..n {
                vs.push(if read_has_value(r)? {
                    r.utf16z("PtypMultipleString")?
                } else {
                    String::new()
                });
            }
            PropertyValue::MultipleString(vs)
        }
        PropType::MULTIPLE_STRING8 => {
            let n = read_count(r, 2, "PtypMultipleString8")?;
            let mut vs = Vec::with_capacity(n);
            for _ in 0..n {
                vs.push(if read_has_value(r)? {
                    read_string8(r, "PtypMultipleString8")?
                } else {
                    String::new()
                });
            }
            PropertyValue::MultipleString8(vs)
        }
        PropType::MULTIPLE_BINARY => {
            let n = read_count(r, 5, "PtypMultipleBinary")?;
            let mut vs = Vec::with_capacity(n);
            for _ in 0..n {
                vs.push(if read_has_value(r)? {
                    r.sized_u32("PtypMultipleBinary")?.to_vec()
                } else {
                    Vec::new()
                });
            }
            PropertyValue::MultipleBinary(vs)
        }
        other => PropertyValue::read_from(r, other)?,
    }))
}

fn read_has_value(r: &mut Reader<'_>) -> Result<bool> {
    match r.u8("HasValue")? {
        0x00 => Ok(false),
        0xFF => Ok(true),
        other => Err(WireError::invalid("HasValue", format!("0x{other:02X}"))),
    }
}

fn count(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| WireError::TooLarge {
        what: "count",
        len,
        limit: u32::MAX as usize,
    })
}

/// A u32 count, refused when the input cannot hold that many items of at least `min_size` bytes.
pub(crate) fn read_count(r: &mut Reader<'_>, min_size: usize, what: &'static str) -> Result<usize> {
    let n = r.u32(what)? as usize;
    let needed = n.saturating_mul(min_size);
    if needed > r.remaining() {
        return Err(WireError::Truncated {
            what,
            needed: needed - r.remaining(),
        });
    }
    Ok(n)
}

/// PtypString8 in memory holds one char per byte; anything above U+00FF cannot be sent.
fn write_string8(w: &mut Writer, s: &str) -> Result<()> {
    for c in s.chars() {
        let b = u8::try_from(u32::from(c)).map_err(|_| {
            WireError::invalid("PtypString8", format!("{c:?} is not a code page byte"))
        })?;
        if b == 0 {
            return Err(WireError::invalid("PtypString8", "embedded NUL"));
        }
        w.u8(b);
    }
    w.u8(0);
    Ok(())
}

fn read_string8(r: &mut Reader<'_>, what: &'static str) -> Result<String> {
    let end = r
        .peek_rest()
        .iter()
        .position(|&b| b == 0)
        .ok_or(WireError::Truncated { what, needed: 1 })?;
    let text = r.bytes(end, what)?.iter().map(|&b| char::from(b)).collect();
    r.u8(what)?;
    Ok(text)
}

/// An AddressBookTaggedPropertyValue (§2.2.1.2): tag, then the value of the tag's type.
#[derive(Debug, Clone, PartialEq)]
pub struct AbTaggedValue {
    /// The tag; its type is the value's.
    pub tag: PropTag,
    /// The value; `None` for an absent one (HasValue 0x00).
    pub value: Option<PropertyValue>,
}

impl AbTaggedValue {
    /// `value` under `tag`'s id, tagged with the value's own type.
    pub fn new(tag: PropTag, value: PropertyValue) -> Self {
        AbTaggedValue {
            tag: tag.with_type(value.ptype()),
            value: Some(value),
        }
    }

    /// Writes tag and value.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.tag.0);
        write_value(w, self.tag.ptype(), self.value.as_ref())
    }

    /// Reads tag and value.
    pub fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let tag = PropTag(r.u32("PropertyTag")?);
        let value = read_value(r, tag.ptype())?;
        Ok(AbTaggedValue { tag, value })
    }
}

/// An AddressBookPropertyValueList (§2.2.1.3): count u32, then tagged values.
pub fn write_value_list(w: &mut Writer, values: &[AbTaggedValue]) -> Result<()> {
    w.u32(count(values.len())?);
    values.iter().try_for_each(|v| v.write_to(w))
}

/// Reads an AddressBookPropertyValueList.
pub fn read_value_list(r: &mut Reader<'_>) -> Result<Vec<AbTaggedValue>> {
    let n = read_count(r, 5, "PropertyValueCount")?;
    (0..n).map(|_| AbTaggedValue::read_from(r)).collect()
}

/// LargePropertyTagArray (§2.2.1.8): count u32 (at most 100,000), then tags.
pub fn write_tags(w: &mut Writer, tags: &[PropTag]) -> Result<()> {
    w.u32(count(tags.len())?);
    tags.iter().for_each(|t| w.u32(t.0));
    Ok(())
}

/// The most tags a LargePropertyTagArray may hold.
pub const MAX_TAGS: usize = 100_000;

/// Reads a LargePropertyTagArray.
pub fn read_tags(r: &mut Reader<'_>) -> Result<Vec<PropTag>> {
    let n = read_count(r, 4, "PropertyTagCount")?;
    if n > MAX_TAGS {
        return Err(WireError::invalid(
            "PropertyTagCount",
            format!("{n} > {MAX_TAGS}"),
        ));
    }
    (0..n).map(|_| Ok(PropTag(r.u32("PropertyTag")?))).collect()
}

/// A count u32 and that many Minimal Entry IDs (the MinimalIds fields, and the PropertyTagArray_r of MIDs).
pub fn write_mids(w: &mut Writer, mids: &[u32]) -> Result<()> {
    w.u32(count(mids.len())?);
    mids.iter().for_each(|m| w.u32(*m));
    Ok(())
}

/// Reads a counted MID array.
pub fn read_mids(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u32>> {
    let n = read_count(r, 4, what)?;
    (0..n).map(|_| r.u32(what)).collect()
}

/// `Has…` byte + optional part, the shape of most optional NSPI fields.
pub fn write_optional<T>(
    w: &mut Writer,
    v: &Option<T>,
    f: impl FnOnce(&mut Writer, &T) -> Result<()>,
) -> Result<()> {
    w.bool8(v.is_some());
    match v {
        Some(v) => f(w, v),
        None => Ok(()),
    }
}

/// `Has…` byte + optional part as servers write it in responses: 0xFF for present, as gromox and Exchange
/// do. Any non-zero byte means present, but ruler only accepts 0xFF.
pub fn write_present<T>(
    w: &mut Writer,
    v: &Option<T>,
    f: impl FnOnce(&mut Writer, &T) -> Result<()>,
) -> Result<()> {
    match v {
        Some(v) => {
            w.u8(HAS_VALUE);
            f(w, v)
        }
        None => {
            w.u8(0);
            Ok(())
        }
    }
}

/// Reads a `Has…` byte and, if set, the part.
pub fn read_optional<'a, T>(
    r: &mut Reader<'a>,
    what: &'static str,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T>,
) -> Result<Option<T>> {
    if r.bool8(what)? {
        Ok(Some(f(r)?))
    } else {
        Ok(None)
    }
}

/// One cell of an AddressBookPropertyRow.
#[derive(Debug, Clone, PartialEq)]
pub enum AbCell {
    /// A value (of the column's type, or any type under a PtypUnspecified column).
    Value(PropertyValue),
    /// Flag 0x1: the value is not present (AddressBookFlaggedPropertyValue, §2.2.1.5).
    Absent,
    /// Flag 0xA: a PtypErrorCode saying why there is no value (ecNotFound, …).
    Error(u32),
}

/// An AddressBookPropertyRow (§2.2.1.7): one cell per column.
#[derive(Debug, Clone, PartialEq)]
pub struct AbRow {
    /// Cells by column.
    pub cells: Vec<AbCell>,
}

impl AbRow {
    /// Writes the row for `columns`: `Flags` 0x0 and bare values when every cell has a value, else 0x1
    /// and a flag per cell. Under a PtypUnspecified column the value's type comes first
    /// (AddressBookTypedPropertyValue / AddressBookFlaggedPropertyValueWithType, §2.2.1.4, §2.2.1.6).
    pub fn write_to(&self, w: &mut Writer, columns: &[PropTag]) -> Result<()> {
        if columns.len() != self.cells.len() {
            return Err(WireError::invalid(
                "AddressBookPropertyRow",
                format!("{} cells for {} columns", self.cells.len(), columns.len()),
            ));
        }
        let flagged = self.cells.iter().any(|c| !matches!(c, AbCell::Value(_)));
        w.u8(u8::from(flagged));
        for (column, cell) in columns.iter().zip(&self.cells) {
            let unspecified = column.ptype() == PropType::UNSPECIFIED;
            match cell {
                AbCell::Value(v) => {
                    if unspecified {
                        w.u16(v.ptype().0);
                    }
                    if flagged {
                        w.u8(0x00);
                    }
                    let ptype = if unspecified {
                        v.ptype()
                    } else {
                        column.ptype()
                    };
                    write_value(w, ptype, Some(v))?;
                }
                AbCell::Absent => {
                    if unspecified {
                        w.u16(PropType::UNSPECIFIED.0);
                    }
                    w.u8(0x01);
                }
                AbCell::Error(e) => {
                    if unspecified {
                        w.u16(PropType::ERROR_CODE.0);
                    }
                    w.u8(0x0A);
                    w.u32(*e);
                }
            }
        }
        Ok(())
    }

    /// Reads a row for `columns`.
    pub fn read_from(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Self> {
        let flagged = match r.u8("AddressBookPropertyRow Flags")? {
            0x00 => false,
            0x01 => true,
            other => {
                return Err(WireError::invalid(
                    "AddressBookPropertyRow Flags",
                    format!("0x{other:02X}"),
                ));
            }
        };
        let mut cells = Vec::with_capacity(columns.len());
        for column in columns {
            let ptype = if column.ptype() == PropType::UNSPECIFIED {
                PropType(r.u16("PropertyType")?)
            } else {
                column.ptype()
            };
            let flag = if flagged { r.u8("Flag")? } else { 0x00 };
            cells.push(match flag {
                0x00 => match read_value(r, ptype)? {
                    Some(v) => AbCell::Value(v),
                    None => AbCell::Absent,
                },
                0x01 => AbCell::Absent,
                0x0A => AbCell::Error(r.u32("PtypErrorCode")?),
                other => return Err(WireError::invalid("Flag", format!("0x{other:02X}"))),
            });
        }
        Ok(AbRow { cells })
    }
}

/// Columns and rows, as QueryRows, SeekEntries, GetMatches and ResolveNames return them:
/// LargePropertyTagArray, RowCount u32, AddressBookPropertyRow × RowCount.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ColumnsAndRows {
    /// The columns.
    pub columns: Vec<PropTag>,
    /// The rows, each with one cell per column.
    pub rows: Vec<AbRow>,
}

impl ColumnsAndRows {
    /// Writes columns, count and rows.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        write_tags(w, &self.columns)?;
        w.u32(count(self.rows.len())?);
        self.rows
            .iter()
            .try_for_each(|row| row.write_to(w, &self.columns))
    }

    /// Reads columns, count and rows.
    pub fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let columns = read_tags(r)?;
        let n = read_count(r, 1, "RowCount")?;
        let rows = (0..n)
            .map(|_| AbRow::read_from(r, &columns))
            .collect::<Result<_>>()?;
        Ok(ColumnsAndRows { columns, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prop::tags::*;
    use crate::testutil::hex;

    fn encode(ptype: PropType, v: Option<&PropertyValue>) -> Vec<u8> {
        let mut w = Writer::new();
        write_value(&mut w, ptype, v).unwrap();
        w.into_inner()
    }

    #[test]
    fn strings_and_binaries_carry_has_value_and_binaries_a_u32_count() {
        // §2.2.1.1: HasValue 0xFF then the value; PtypBinary counted by 4 bytes.
        let s = PropertyValue::String("Hi".into());
        assert_eq!(encode(PropType::STRING, Some(&s)), hex("ff 4800 6900 0000"));
        let s8 = PropertyValue::String8("Hi".into());
        assert_eq!(encode(PropType::STRING8, Some(&s8)), hex("ff 48 69 00"));
        let b = PropertyValue::Binary(vec![9, 8]);
        assert_eq!(encode(PropType::BINARY, Some(&b)), hex("ff 02000000 0908"));
        assert_eq!(encode(PropType::STRING, None), hex("00"));
        // Fixed-size values have no HasValue byte and cannot be absent.
        assert_eq!(
            encode(PropType::INTEGER32, Some(&PropertyValue::Integer32(6))),
            hex("06000000")
        );
        assert_eq!(
            encode(PropType::BOOLEAN, Some(&PropertyValue::Boolean(true))),
            hex("01")
        );
        assert!(write_value(&mut Writer::new(), PropType::INTEGER32, None).is_err());
        // A value must match the type it is written under.
        assert!(write_value(&mut Writer::new(), PropType::STRING8, Some(&s)).is_err());
    }

    #[test]
    fn multi_values_flag_every_element() {
        let v = PropertyValue::MultipleString(vec!["a".into(), "b".into()]);
        let bytes = encode(PropType::MULTIPLE_STRING, Some(&v));
        assert_eq!(bytes, hex("ff 02000000 ff 6100 0000 ff 6200 0000"));
        let back = read_value(&mut Reader::new(&bytes), PropType::MULTIPLE_STRING).unwrap();
        assert_eq!(back, Some(v));
        let mb = PropertyValue::MultipleBinary(vec![vec![1], vec![]]);
        let bytes = encode(PropType::MULTIPLE_BINARY, Some(&mb));
        assert_eq!(bytes, hex("ff 02000000 ff 01000000 01 ff 00000000"));
        assert_eq!(
            read_value(&mut Reader::new(&bytes), PropType::MULTIPLE_BINARY).unwrap(),
            Some(mb)
        );
    }

    #[test]
    fn string8_is_one_byte_per_char() {
        let v = PropertyValue::String8("Zo\u{eb}".into());
        assert_eq!(encode(PropType::STRING8, Some(&v)), hex("ff 5a 6f eb 00"));
        assert!(
            write_value(
                &mut Writer::new(),
                PropType::STRING8,
                Some(&PropertyValue::String8("€".into()))
            )
            .is_err()
        );
        let back = read_value(&mut Reader::new(&hex("ff 5a 6f eb 00")), PropType::STRING8).unwrap();
        assert_eq!(back, Some(v));
    }

    #[test]
    fn has_value_must_be_00_or_ff() {
        assert!(read_value(&mut Reader::new(&hex("01 4100 0000")), PropType::STRING).is_err());
        assert_eq!(
            read_value(&mut Reader::new(&hex("00")), PropType::STRING).unwrap(),
            None
        );
    }

    #[test]
    fn tagged_values_and_lists_round_trip() {
        let list = vec![
            AbTaggedValue::new(PID_TAG_DISPLAY_NAME, PropertyValue::String("A".into())),
            AbTaggedValue::new(PID_TAG_OBJECT_TYPE, PropertyValue::Integer32(6)),
            AbTaggedValue {
                tag: PID_TAG_SMTP_ADDRESS,
                value: None,
            },
        ];
        let mut w = Writer::new();
        write_value_list(&mut w, &list).unwrap();
        assert_eq!(
            w.as_slice(),
            hex("03000000 1f000130 ff 4100 0000 0300fe0f 06000000 1f00fe39 00")
        );
        let mut r = Reader::new(w.as_slice());
        assert_eq!(read_value_list(&mut r).unwrap(), list);
        r.finish("list").unwrap();
    }

    #[test]
    fn rows_are_standard_or_flagged() {
        let columns = [PID_TAG_DISPLAY_NAME, PID_TAG_OBJECT_TYPE];
        let full = AbRow {
            cells: vec![
                AbCell::Value(PropertyValue::String("A".into())),
                AbCell::Value(PropertyValue::Integer32(6)),
            ],
        };
        let mut w = Writer::new();
        full.write_to(&mut w, &columns).unwrap();
        assert_eq!(w.as_slice(), hex("00 ff 4100 0000 06000000"));
        let missing = AbRow {
            cells: vec![
                AbCell::Value(PropertyValue::String("A".into())),
                AbCell::Error(0x8004_010F),
            ],
        };
        let mut w = Writer::new();
        missing.write_to(&mut w, &columns).unwrap();
        assert_eq!(w.as_slice(), hex("01 00 ff 4100 0000 0a 0f010480"));
        let mut r = Reader::new(w.as_slice());
        assert_eq!(AbRow::read_from(&mut r, &columns).unwrap(), missing);
        // PtypUnspecified columns carry the type first, then the flag.
        let unspecified = [PID_TAG_DISPLAY_NAME.with_type(PropType::UNSPECIFIED)];
        let row = AbRow {
            cells: vec![AbCell::Error(0x8004_010F)],
        };
        let mut w = Writer::new();
        row.write_to(&mut w, &unspecified).unwrap();
        assert_eq!(w.as_slice(), hex("01 0a00 0a 0f010480"));
        assert_eq!(
            AbRow::read_from(&mut Reader::new(w.as_slice()), &unspecified).unwrap(),
            row
        );
    }

    #[test]
    fn hostile_counts_are_refused() {
        assert!(read_tags(&mut Reader::new(&hex("ffffffff"))).is_err());
        assert!(read_mids(&mut Reader::new(&hex("ffffff7f 00")), "MIDs").is_err());
        assert!(
            read_value(
                &mut Reader::new(&hex("ff ffffffff")),
                PropType::MULTIPLE_STRING
            )
            .is_err()
        );
    }
}
