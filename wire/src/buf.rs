//! Little-endian cursor over a byte slice, a growable writer, and the
//! [`Codec`] trait every wire structure implements.
//!
//! MAPI/HTTP bodies are packed little-endian with no alignment padding
//! (MS-OXCMAPIHTTP §2.2.4, §2.2.5; MS-OXCDATA §2.1). Strings come in two
//! shapes: NUL-terminated 8-bit ASCII and NUL-terminated UTF-16LE. GUIDs use
//! the Microsoft mixed-endian byte order (MS-DTYP §2.3.4.2), which is what
//! [`Uuid::to_bytes_le`] produces.

#![deny(clippy::indexing_slicing)]

use uuid::Uuid;

use crate::error::{Result, WireError};

/// A read cursor. Every read checks bounds and reports what it was reading.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// Starts reading at the beginning of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not yet consumed.
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
    }

    /// Whether everything has been consumed.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// The unconsumed bytes, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    /// The next byte, without consuming it.
    pub fn peek_u8(&self, what: &'static str) -> Result<u8> {
        self.peek_rest()
            .first()
            .copied()
            .ok_or(WireError::Truncated { what, needed: 1 })
    }

    /// Consumes exactly `n` bytes.
    pub fn bytes(&mut self, n: usize, what: &'static str) -> Result<&'a [u8]> {
        let rest = self.peek_rest();
        let out = rest.get(..n).ok_or_else(|| WireError::Truncated {
            what,
            needed: n.saturating_sub(rest.len()),
        })?;
        self.pos += n;
        Ok(out)
    }

    /// Consumes everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let out = self.peek_rest();
        self.pos = self.buf.len();
        out
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N, what)?);
        Ok(out)
    }

    /// One byte.
    pub fn u8(&mut self, what: &'static str) -> Result<u8> {
        Ok(self.array::<1>(what)?[0])
    }

    /// Little-endian u16.
    pub fn u16(&mut self, what: &'static str) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    /// Little-endian u32.
    pub fn u32(&mut self, what: &'static str) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    /// Little-endian i32.
    pub fn i32(&mut self, what: &'static str) -> Result<i32> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }

    /// Little-endian u64.
    pub fn u64(&mut self, what: &'static str) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A 16-byte GUID in Microsoft byte order (MS-DTYP §2.3.4.2).
    pub fn guid(&mut self, what: &'static str) -> Result<Uuid> {
        Ok(Uuid::from_bytes_le(self.array(what)?))
    }

    /// A one-byte boolean: zero is false, anything else true
    /// (MS-OXCMAPIHTTP §2.2.1; clients send 0x01 or 0xFF).
    pub fn bool8(&mut self, what: &'static str) -> Result<bool> {
        Ok(self.u8(what)? != 0)
    }

    /// A NUL-terminated 8-bit string; only ASCII is accepted because the
    /// fields that use it (DNs, DnPrefix) are ASCII by definition.
    pub fn asciiz(&mut self, what: &'static str) -> Result<String> {
        let rest = self.peek_rest();
        let end = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or(WireError::Truncated { what, needed: 1 })?;
        let text = self.bytes(end, what)?;
        self.pos += 1;
        ascii_to_string(text, what)
    }

    /// A NUL-terminated UTF-16LE string.
    pub fn utf16z(&mut self, what: &'static str) -> Result<String> {
        let mut units = Vec::new();
        loop {
            match self.u16(what)? {
                0 => break,
                unit => units.push(unit),
            }
        }
        String::from_utf16(&units)
            .map_err(|_| WireError::invalid(what, "unpaired UTF-16 surrogate"))
    }

    /// `AuxiliaryBufferSize` (u32) followed by that many bytes; ends every
    /// MAPI/HTTP request and response body (MS-OXCMAPIHTTP §2.2.4, §2.2.5).
    pub fn aux(&mut self) -> Result<Vec<u8>> {
        let size = self.u32("AuxiliaryBufferSize")?;
        let size = usize::try_from(size)
            .map_err(|_| WireError::invalid("AuxiliaryBufferSize", "exceeds address space"))?;
        Ok(self.bytes(size, "AuxiliaryBuffer")?.to_vec())
    }

    /// A u32 length followed by that many bytes.
    pub fn sized_u32(&mut self, what: &'static str) -> Result<&'a [u8]> {
        let size = self.u32(what)?;
        let size =
            usize::try_from(size).map_err(|_| WireError::invalid(what, "exceeds address space"))?;
        self.bytes(size, what)
    }

    /// Fails unless every byte has been consumed.
    pub fn finish(&self, what: &'static str) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(WireError::TrailingBytes { what, count }),
        }
    }
}

pub(crate) fn ascii_to_string(bytes: &[u8], what: &'static str) -> Result<String> {
    if !bytes.is_ascii() {
        return Err(WireError::invalid(what, "non-ASCII byte in ASCII string"));
    }
    Ok(bytes.iter().map(|&b| char::from(b)).collect())
}

/// An append-only little-endian writer.
#[derive(Debug, Clone, Default)]
pub struct Writer {
    buf: Vec<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The written bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.buf
    }

    /// The written bytes, borrowed.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf
    }

    /// Raw bytes.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// One byte.
    pub fn u8(&mut self, v: u8) {
        self.buf.push(v);
    }

    /// Little-endian u16.
    pub fn u16(&mut self, v: u16) {
        self.bytes(&v.to_le_bytes());
    }

    /// Little-endian u32.
    pub fn u32(&mut self, v: u32) {
        self.bytes(&v.to_le_bytes());
    }

    /// Little-endian i32.
    pub fn i32(&mut self, v: i32) {
        self.bytes(&v.to_le_bytes());
    }

    /// Little-endian u64.
    pub fn u64(&mut self, v: u64) {
        self.bytes(&v.to_le_bytes());
    }

    /// A GUID in Microsoft byte order.
    pub fn guid(&mut self, v: &Uuid) {
        self.bytes(&v.to_bytes_le());
    }

    /// A boolean as 0x00 / 0x01 (the value ITS sends; any non-zero is true).
    pub fn bool8(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// A NUL-terminated ASCII string. Rejects non-ASCII and embedded NULs,
    /// which a reader could not give back unchanged.
    pub fn asciiz(&mut self, s: &str, what: &'static str) -> Result<()> {
        check_ascii(s, what)?;
        self.bytes(s.as_bytes());
        self.u8(0);
        Ok(())
    }

    /// A NUL-terminated UTF-16LE string. Rejects embedded NULs.
    pub fn utf16z(&mut self, s: &str, what: &'static str) -> Result<()> {
        if s.contains('\0') {
            return Err(WireError::invalid(what, "embedded NUL"));
        }
        for unit in s.encode_utf16() {
            self.u16(unit);
        }
        self.u16(0);
        Ok(())
    }

    /// `AuxiliaryBufferSize` + `AuxiliaryBuffer`.
    pub fn aux(&mut self, aux: &[u8]) -> Result<()> {
        self.sized_u32(aux, "AuxiliaryBuffer")
    }

    /// A u32 length followed by the bytes.
    pub fn sized_u32(&mut self, bytes: &[u8], what: &'static str) -> Result<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| WireError::TooLarge {
            what,
            len: bytes.len(),
            limit: u32::MAX as usize,
        })?;
        self.u32(len);
        self.bytes(bytes);
        Ok(())
    }
}

pub(crate) fn check_ascii(s: &str, what: &'static str) -> Result<()> {
    if !s.is_ascii() {
        return Err(WireError::invalid(
            what,
            "non-ASCII character in ASCII string",
        ));
    }
    if s.contains('\0') {
        return Err(WireError::invalid(what, "embedded NUL"));
    }
    Ok(())
}

/// A structure with one exact byte layout, used for both directions.
pub trait Codec: Sized {
    /// Name used in error messages.
    const NAME: &'static str;

    /// Appends the encoding of `self`.
    fn write_to(&self, w: &mut Writer) -> Result<()>;

    /// Reads one value, leaving the cursor just after it.
    fn read_from(r: &mut Reader<'_>) -> Result<Self>;

    /// Encodes `self` into a fresh buffer.
    fn encode(&self) -> Result<Vec<u8>> {
        let mut w = Writer::new();
        self.write_to(&mut w)?;
        Ok(w.into_inner())
    }

    /// Decodes a value that must fill `bytes` exactly.
    fn decode(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        let v = Self::read_from(&mut r)?;
        r.finish(Self::NAME)?;
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_little_endian() {
        let mut w = Writer::new();
        w.u16(0x0102);
        w.u32(0x0304_0506);
        w.u64(0x0708_090a_0b0c_0d0e);
        assert_eq!(
            w.as_slice(),
            [2, 1, 6, 5, 4, 3, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 9, 8, 7]
        );
        let mut r = Reader::new(w.as_slice());
        assert_eq!(r.u16("a").unwrap(), 0x0102);
        assert_eq!(r.u32("b").unwrap(), 0x0304_0506);
        assert_eq!(r.u64("c").unwrap(), 0x0708_090a_0b0c_0d0e);
        assert!(r.finish("x").is_ok());
    }

    #[test]
    fn guid_uses_microsoft_byte_order() {
        // MS-DTYP §2.3.4.2: Data1..Data3 little-endian, Data4 as bytes; this
        // is the ServerGuid example of the fact sheet §11 T9 (Bind response).
        let g = Uuid::parse_str("01234567-89ab-cdef-0123-456789abcdef").unwrap();
        let mut w = Writer::new();
        w.guid(&g);
        assert_eq!(
            w.as_slice(),
            [
                0x67, 0x45, 0x23, 0x01, 0xab, 0x89, 0xef, 0xcd, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
                0xcd, 0xef
            ]
        );
        assert_eq!(Reader::new(w.as_slice()).guid("g").unwrap(), g);
    }

    #[test]
    fn truncation_names_the_field() {
        let mut r = Reader::new(&[1, 2]);
        assert_eq!(
            r.u32("Flags"),
            Err(WireError::Truncated {
                what: "Flags",
                needed: 2
            })
        );
        let mut r = Reader::new(b"abc");
        assert!(matches!(
            r.asciiz("UserDn"),
            Err(WireError::Truncated { .. })
        ));
        let mut r = Reader::new(&[0x41, 0x00, 0x42]);
        assert!(matches!(r.utf16z("Name"), Err(WireError::Truncated { .. })));
    }

    #[test]
    fn strings_round_trip_and_reject_what_cannot_round_trip() {
        let mut w = Writer::new();
        w.asciiz("/o=Contoso", "dn").unwrap();
        w.utf16z("Zoë 🦀", "name").unwrap();
        let mut r = Reader::new(w.as_slice());
        assert_eq!(r.asciiz("dn").unwrap(), "/o=Contoso");
        assert_eq!(r.utf16z("name").unwrap(), "Zoë 🦀");
        assert!(Writer::new().asciiz("Zoë", "dn").is_err());
        assert!(Writer::new().asciiz("a\0b", "dn").is_err());
        assert!(Writer::new().utf16z("a\0b", "name").is_err());
        assert!(Reader::new(&[0xC3, 0xAB, 0]).asciiz("dn").is_err());
        // A lone high surrogate (0xD800) is not text.
        assert!(Reader::new(&[0x00, 0xD8, 0, 0]).utf16z("name").is_err());
    }

    #[test]
    fn aux_length_is_checked_against_the_input() {
        let mut r = Reader::new(&[0xff, 0xff, 0xff, 0xff, 1, 2]);
        assert!(matches!(r.aux(), Err(WireError::Truncated { .. })));
        let mut r = Reader::new(&[2, 0, 0, 0, 7, 8]);
        assert_eq!(r.aux().unwrap(), vec![7, 8]);
    }
}
