//! Property values as ROPs carry them (MS-OXCDATA §2.11.2 PropertyValue, §2.11.4 TaggedPropertyValue,
//! §2.8 PropertyRow). The type is not part of a PropertyValue; it comes from the tag or the column.
//!
//! Sizes in ROP buffers: PtypBoolean is one byte, PtypBinary a u16 count, multi-valued counts are u32
//! (MS-OXCDATA §2.11.1.1–2). NSPI uses other counts and HasValue bytes; see `nspi`.

use uuid::Uuid;

use super::{PropTag, PropType};
use crate::buf::{Reader, Writer};
use crate::error::{Result, WireError};

/// One value of a known type.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyValue {
    /// PtypInteger16.
    Integer16(i16),
    /// PtypInteger32.
    Integer32(i32),
    /// PtypFloating64.
    Floating64(f64),
    /// PtypBoolean.
    Boolean(bool),
    /// PtypInteger64.
    Integer64(i64),
    /// PtypTime: FILETIME ticks.
    Time(u64),
    /// PtypErrorCode: a property that could not be returned, with why (e.g. ecNotFound 0x8004010F).
    ErrorCode(u32),
    /// PtypGuid.
    Guid(Uuid),
    /// PtypString (UTF-16LE on the wire).
    String(String),
    /// PtypString8 (8-bit; mapish writes ASCII only).
    String8(String),
    /// PtypBinary.
    Binary(Vec<u8>),
    /// PtypServerId (opaque here).
    ServerId(Vec<u8>),
    /// PtypMultipleInteger32.
    MultipleInteger32(Vec<i32>),
    /// PtypMultipleString.
    MultipleString(Vec<String>),
    /// PtypMultipleString8.
    MultipleString8(Vec<String>),
    /// PtypMultipleBinary.
    MultipleBinary(Vec<Vec<u8>>),
}

/// ecNotFound: the PtypErrorCode value of a property the object does not have.
pub const NOT_FOUND: u32 = 0x8004_010F;

impl PropertyValue {
    /// The type this value has on the wire.
    pub fn ptype(&self) -> PropType {
        match self {
            PropertyValue::Integer16(_) => PropType::INTEGER16,
            PropertyValue::Integer32(_) => PropType::INTEGER32,
            PropertyValue::Floating64(_) => PropType::FLOATING64,
            PropertyValue::Boolean(_) => PropType::BOOLEAN,
            PropertyValue::Integer64(_) => PropType::INTEGER64,
            PropertyValue::Time(_) => PropType::TIME,
            PropertyValue::ErrorCode(_) => PropType::ERROR_CODE,
            PropertyValue::Guid(_) => PropType::GUID,
            PropertyValue::String(_) => PropType::STRING,
            PropertyValue::String8(_) => PropType::STRING8,
            PropertyValue::Binary(_) => PropType::BINARY,
            PropertyValue::ServerId(_) => PropType::SERVER_ID,
            PropertyValue::MultipleInteger32(_) => PropType::MULTIPLE_INTEGER32,
            PropertyValue::MultipleString(_) => PropType::MULTIPLE_STRING,
            PropertyValue::MultipleString8(_) => PropType::MULTIPLE_STRING8,
            PropertyValue::MultipleBinary(_) => PropType::MULTIPLE_BINARY,
        }
    }

    /// Writes the value alone (no tag).
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        match self {
            PropertyValue::Integer16(v) => w.u16(*v as u16),
            PropertyValue::Integer32(v) => w.i32(*v),
            PropertyValue::Floating64(v) => w.u64(v.to_bits()),
            PropertyValue::Boolean(v) => w.u8(u8::from(*v)),
            PropertyValue::Integer64(v) => w.u64(*v as u64),
            PropertyValue::Time(v) => w.u64(*v),
            PropertyValue::ErrorCode(v) => w.u32(*v),
            PropertyValue::Guid(v) => w.guid(v),
            PropertyValue::String(s) => w.utf16z(s, "PtypString")?,
            PropertyValue::String8(s) => write_string8(w, s, "PtypString8")?,
            PropertyValue::Binary(b) | PropertyValue::ServerId(b) => write_binary(w, b)?,
            PropertyValue::MultipleInteger32(vs) => {
                w.u32(count(vs.len())?);
                for v in vs {
                    w.i32(*v);
                }
            }
            PropertyValue::MultipleString(vs) => {
                w.u32(count(vs.len())?);
                for s in vs {
                    w.utf16z(s, "PtypMultipleString")?;
                }
            }
            PropertyValue::MultipleString8(vs) => {
                w.u32(count(vs.len())?);
                for s in vs {
                    write_string8(w, s, "PtypMultipleString8")?;
                }
            }
            PropertyValue::MultipleBinary(vs) => {
                w.u32(count(vs.len())?);
                for b in vs {
                    write_binary(w, b)?;
                }
            }
        }
        Ok(())
    }

    /// Reads a value of type `ptype`.
    pub fn read_from(r: &mut Reader<'_>, ptype: PropType) -> Result<Self> {
        Ok(match ptype {
            PropType::INTEGER16 => PropertyValue::Integer16(r.u16("PtypInteger16")? as i16),
            PropType::INTEGER32 => PropertyValue::Integer32(r.i32("PtypInteger32")?),
            PropType::FLOATING64 => {
                PropertyValue::Floating64(f64::from_bits(r.u64("PtypFloating64")?))
            }
            PropType::BOOLEAN => PropertyValue::Boolean(r.u8("PtypBoolean")? != 0),
            PropType::INTEGER64 => PropertyValue::Integer64(r.u64("PtypInteger64")? as i64),
            PropType::TIME => PropertyValue::Time(r.u64("PtypTime")?),
            PropType::ERROR_CODE => PropertyValue::ErrorCode(r.u32("PtypErrorCode")?),
            PropType::GUID => PropertyValue::Guid(r.guid("PtypGuid")?),
            PropType::STRING => PropertyValue::String(r.utf16z("PtypString")?),
            PropType::STRING8 => PropertyValue::String8(read_string8(r, "PtypString8")?),
            PropType::BINARY => PropertyValue::Binary(read_binary(r, "PtypBinary")?),
            PropType::SERVER_ID => PropertyValue::ServerId(read_binary(r, "PtypServerId")?),
            PropType::MULTIPLE_INTEGER32 => {
                let n = read_count(r, 4, "PtypMultipleInteger32")?;
                let mut vs = Vec::with_capacity(n);
                for _ in 0..n {
                    vs.push(r.i32("PtypMultipleInteger32")?);
                }
                PropertyValue::MultipleInteger32(vs)
            }
            PropType::MULTIPLE_STRING => {
                let n = read_count(r, 2, "PtypMultipleString")?;
                let mut vs = Vec::with_capacity(n);
                for _ in 0..n {
                    vs.push(r.utf16z("PtypMultipleString")?);
                }
                PropertyValue::MultipleString(vs)
            }
            PropType::MULTIPLE_STRING8 => {
                let n = read_count(r, 1, "PtypMultipleString8")?;
                let mut vs = Vec::with_capacity(n);
                for _ in 0..n {
                    vs.push(read_string8(r, "PtypMultipleString8")?);
                }
                PropertyValue::MultipleString8(vs)
            }
            PropType::MULTIPLE_BINARY => {
                let n = read_count(r, 2, "PtypMultipleBinary")?;
                let mut vs = Vec::with_capacity(n);
                for _ in 0..n {
                    vs.push(read_binary(r, "PtypMultipleBinary")?);
                }
                PropertyValue::MultipleBinary(vs)
            }
            other => {
                return Err(WireError::invalid(
                    "PropertyValue",
                    format!("type 0x{:04X} is not supported", other.0),
                ));
            }
        })
    }
}

fn count(len: usize) -> Result<u32> {
    u32::try_from(len).map_err(|_| WireError::TooLarge {
        what: "multi-value count",
        len,
        limit: u32::MAX as usize,
    })
}

/// A multi-value count, refused when the input cannot possibly hold that many values of at least
/// `min_size` bytes (so a hostile count cannot make us allocate).
fn read_count(r: &mut Reader<'_>, min_size: usize, what: &'static str) -> Result<usize> {
    let n = r.u32(what)? as usize;
    if n.saturating_mul(min_size) > r.remaining() {
        return Err(WireError::Truncated {
            what,
            needed: n.saturating_mul(min_size) - r.remaining(),
        });
    }
    Ok(n)
}

fn write_binary(w: &mut Writer, b: &[u8]) -> Result<()> {
    let n = u16::try_from(b.len()).map_err(|_| WireError::TooLarge {
        what: "PtypBinary",
        len: b.len(),
        limit: u16::MAX as usize,
    })?;
    w.u16(n);
    w.bytes(b);
    Ok(())
}

fn read_binary(r: &mut Reader<'_>, what: &'static str) -> Result<Vec<u8>> {
    let n = r.u16(what)? as usize;
    Ok(r.bytes(n, what)?.to_vec())
}

/// PtypString8 as Latin-1 bytes and a NUL, the inverse of [`read_string8`]; a character above U+00FF or an
/// embedded NUL cannot be written.
fn write_string8(w: &mut Writer, s: &str, what: &'static str) -> Result<()> {
    let mut bytes = Vec::with_capacity(s.len() + 1);
    for c in s.chars() {
        match u8::try_from(u32::from(c)) {
            Ok(0) => return Err(WireError::invalid(what, "embedded NUL")),
            Ok(b) => bytes.push(b),
            Err(_) => return Err(WireError::invalid(what, format!("{c:?} is not in Latin-1"))),
        }
    }
    bytes.push(0);
    w.bytes(&bytes);
    Ok(())
}

/// PtypString8 bytes up to the NUL; bytes above 0x7F are kept as Latin-1, the code page mapish answers.
fn read_string8(r: &mut Reader<'_>, what: &'static str) -> Result<String> {
    let rest = r.peek_rest();
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or(WireError::Truncated { what, needed: 1 })?;
    let text: String = r.bytes(end, what)?.iter().map(|&b| char::from(b)).collect();
    r.u8(what)?;
    Ok(text)
}

/// A TaggedPropertyValue (MS-OXCDATA §2.11.4): tag then value.
#[derive(Debug, Clone, PartialEq)]
pub struct TaggedValue {
    /// The tag; its type is the value's type (PtypErrorCode for an error).
    pub tag: PropTag,
    /// The value.
    pub value: PropertyValue,
}

impl TaggedValue {
    /// A value under `tag`'s id, tagged with the value's own type.
    pub fn new(tag: PropTag, value: PropertyValue) -> Self {
        TaggedValue {
            tag: tag.with_type(value.ptype()),
            value,
        }
    }

    /// Writes tag and value.
    pub fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.tag.0);
        self.value.write_to(w)
    }

    /// Reads tag and value.
    pub fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let tag = PropTag(r.u32("PropertyTag")?);
        let value = PropertyValue::read_from(r, tag.ptype())?;
        Ok(TaggedValue { tag, value })
    }
}

/// A PropertyRow (MS-OXCDATA §2.8.1): one value per column, in column order. `None` marks a column the
/// object has no value for; such a row is written as a FlaggedPropertyRow.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyRow {
    /// Values by column.
    pub values: Vec<Option<PropertyValue>>,
}

impl PropertyRow {
    /// Writes the row for `columns`. Without missing or error values it is a StandardPropertyRow
    /// (Flag 0x00, values only); otherwise a FlaggedPropertyRow (Flag 0x01, each value prefixed by 0x00,
    /// or 0x0A + a PtypErrorCode for a missing one — ecNotFound, §2.11.5). A PtypUnspecified column gets
    /// a TypedPropertyValue (type u16 first).
    pub fn write_to(&self, w: &mut Writer, columns: &[PropTag]) -> Result<()> {
        if columns.len() != self.values.len() {
            return Err(WireError::invalid(
                "PropertyRow",
                format!("{} values for {} columns", self.values.len(), columns.len()),
            ));
        }
        let flagged = self.values.iter().any(|v| {
            matches!(v, None | Some(PropertyValue::ErrorCode(_)))
        });
        w.u8(u8::from(flagged));
        for (column, value) in columns.iter().zip(&self.values) {
            let (flag, value) = match value {
                None => (0x0A, PropertyValue::ErrorCode(NOT_FOUND)),
                Some(PropertyValue::ErrorCode(e)) => (0x0A, PropertyValue::ErrorCode(*e)),
                Some(v) => (0x00, v.clone()),
            };
            if flagged {
                w.u8(flag);
            }
            if flag == 0x00 && column.ptype() == PropType::UNSPECIFIED {
                w.u16(value.ptype().0);
            } else if flag == 0x00 && value.ptype() != column.ptype() {
                return Err(WireError::invalid(
                    "PropertyRow",
                    format!("column {column} holds a value of type 0x{:04X}", value.ptype().0),
                ));
            }
            value.write_to(w)?;
        }
        Ok(())
    }

    /// Reads a row for `columns`.
    pub fn read_from(r: &mut Reader<'_>, columns: &[PropTag]) -> Result<Self> {
        let flagged = match r.u8("PropertyRow Flag")? {
            0x00 => false,
            0x01 => true,
            other => {
                return Err(WireError::invalid(
                    "PropertyRow Flag",
                    format!("0x{other:02X}"),
                ));
            }
        };
        let mut values = Vec::with_capacity(columns.len());
        for column in columns {
            let flag = if flagged { r.u8("FlaggedPropertyValue Flag")? } else { 0 };
            let value = match flag {
                0x00 => {
                    let ptype = if column.ptype() == PropType::UNSPECIFIED {
                        PropType(r.u16("TypedPropertyValue type")?)
                    } else {
                        column.ptype()
                    };
                    Some(PropertyValue::read_from(r, ptype)?)
                }
                0x01 => None,
                0x0A => Some(PropertyValue::ErrorCode(r.u32("PtypErrorCode")?)),
                other => {
                    return Err(WireError::invalid(
                        "FlaggedPropertyValue Flag",
                        format!("0x{other:02X}"),
                    ));
                }
            };
            values.push(value);
        }
        Ok(PropertyRow { values })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prop::tags::*;

    fn encode(v: &PropertyValue) -> Vec<u8> {
        let mut w = Writer::new();
        v.write_to(&mut w).unwrap();
        w.into_inner()
    }

    #[test]
    fn values_have_the_rop_sizes_of_ms_oxcdata() {
        assert_eq!(encode(&PropertyValue::Boolean(true)), [0x01]);
        assert_eq!(encode(&PropertyValue::Integer32(7)), [7, 0, 0, 0]);
        assert_eq!(encode(&PropertyValue::String("Hi".into())), [b'H', 0, b'i', 0, 0, 0]);
        assert_eq!(encode(&PropertyValue::String8("Hi".into())), [b'H', b'i', 0]);
        assert_eq!(encode(&PropertyValue::Binary(vec![9, 8])), [2, 0, 9, 8]);
        assert_eq!(
            encode(&PropertyValue::MultipleString(vec!["a".into()])),
            [1, 0, 0, 0, b'a', 0, 0, 0]
        );
    }

    #[test]
    fn every_value_round_trips() {
        let values = [
            PropertyValue::Integer16(-2),
            PropertyValue::Integer32(-5),
            PropertyValue::Floating64(1.5),
            PropertyValue::Boolean(false),
            PropertyValue::Integer64(1 << 40),
            PropertyValue::Time(0x01D0_0000_0000_0000),
            PropertyValue::ErrorCode(NOT_FOUND),
            PropertyValue::Guid(Uuid::from_u128(0x1234)),
            PropertyValue::String("Posteingang ✓".into()),
            PropertyValue::String8("IPF.Note".into()),
            PropertyValue::Binary(vec![0, 1, 2]),
            PropertyValue::MultipleInteger32(vec![1, -1]),
            PropertyValue::MultipleString(vec!["SMTP:a@b".into(), "smtp:c@d".into()]),
            PropertyValue::MultipleString8(vec!["x".into()]),
            PropertyValue::MultipleBinary(vec![vec![1], vec![]]),
        ];
        for v in values {
            let bytes = encode(&v);
            let mut r = Reader::new(&bytes);
            assert_eq!(PropertyValue::read_from(&mut r, v.ptype()).unwrap(), v);
            r.finish("value").unwrap();
        }
    }

    #[test]
    fn a_row_with_a_missing_value_is_flagged() {
        let columns = [PID_TAG_DISPLAY_NAME, PID_TAG_CONTENT_COUNT];
        let row = PropertyRow {
            values: vec![Some(PropertyValue::String("A".into())), None],
        };
        let mut w = Writer::new();
        row.write_to(&mut w, &columns).unwrap();
        assert_eq!(
            w.as_slice(),
            [0x01, 0x00, b'A', 0, 0, 0, 0x0A, 0x0F, 0x01, 0x04, 0x80]
        );
        let mut r = Reader::new(w.as_slice());
        let back = PropertyRow::read_from(&mut r, &columns).unwrap();
        assert_eq!(back.values[1], Some(PropertyValue::ErrorCode(NOT_FOUND)));

        let full = PropertyRow {
            values: vec![Some(PropertyValue::String("A".into())), Some(PropertyValue::Integer32(0))],
        };
        let mut w = Writer::new();
        full.write_to(&mut w, &columns).unwrap();
        assert_eq!(w.as_slice(), [0x00, b'A', 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn string8_is_latin1_both_ways() {
        let v = PropertyValue::String8("Jürgen".into());
        let bytes = encode(&v);
        assert_eq!(bytes, b"J\xfcrgen\0");
        assert_eq!(PropertyValue::read_from(&mut Reader::new(&bytes), PropType::STRING8).unwrap(), v);
        let mut w = Writer::new();
        assert!(PropertyValue::String8("✓".into()).write_to(&mut w).is_err());
        assert!(PropertyValue::String8("a\0b".into()).write_to(&mut w).is_err());
    }

    #[test]
    fn a_hostile_count_is_refused_before_allocating() {
        let bytes = [0xFF, 0xFF, 0xFF, 0xFF];
        let mut r = Reader::new(&bytes);
        assert!(PropertyValue::read_from(&mut r, PropType::MULTIPLE_BINARY).is_err());
    }
}
