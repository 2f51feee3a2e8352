//! RPC_HEADER_EXT and the extended buffer it frames (MS-OXCRPC §2.2.2.1,
//! §3.1.4.2.1).
//!
//! Execute's `RopBuffer` and every non-empty `AuxiliaryBuffer` are a chain
//! of `header + payload` pairs; the last header carries the `Last` flag.
//! A payload may be obfuscated (XOR 0xA5, §3.1.4.1.1.3) and/or LZ77
//! compressed (§3.1.4.1.1.2). The sender compresses first, then XORs; the
//! receiver undoes them in reverse order.
//!
//! Clients may send compressed or obfuscated input, so [`unpack`] handles
//! both. A server may always answer plainly (Flags = Last, Size =
//! SizeActual), which is what [`PackOptions::default`] produces.

use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};
use crate::lz77;

/// The only defined `Version` value.
pub const VERSION: u16 = 0x0000;

/// `Flags` bits of RPC_HEADER_EXT.
pub mod flags {
    /// The payload is LZ77 (DIRECT2) compressed; `SizeActual` is its
    /// uncompressed size.
    pub const COMPRESSED: u16 = 0x0001;
    /// Every payload byte is XORed with [`super::XOR_MAGIC`].
    pub const XOR_MAGIC: u16 = 0x0002;
    /// No further header follows this payload.
    pub const LAST: u16 = 0x0004;
    /// All defined bits.
    pub const ALL: u16 = COMPRESSED | XOR_MAGIC | LAST;
}

/// The obfuscation byte (MS-OXCRPC §3.1.4.1.1.3).
pub const XOR_MAGIC: u8 = 0xA5;

/// One RPC_HEADER_EXT (8 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RpcHeaderExt {
    /// `Version`: must be 0.
    pub version: u16,
    /// `Flags`, see [`flags`].
    pub flags: u16,
    /// `Size`: bytes of payload on the wire after this header.
    pub size: u16,
    /// `SizeActual`: payload size after decompression.
    pub size_actual: u16,
}

impl RpcHeaderExt {
    /// Encoded length.
    pub const LEN: usize = 8;

    /// Whether `flag` is set.
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

impl Codec for RpcHeaderExt {
    const NAME: &'static str = "RPC_HEADER_EXT";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u16(self.version);
        w.u16(self.flags);
        w.u16(self.size);
        w.u16(self.size_actual);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let header = RpcHeaderExt {
            version: r.u16("RPC_HEADER_EXT Version")?,
            flags: r.u16("RPC_HEADER_EXT Flags")?,
            size: r.u16("RPC_HEADER_EXT Size")?,
            size_actual: r.u16("RPC_HEADER_EXT SizeActual")?,
        };
        if header.version != VERSION {
            return Err(WireError::invalid(
                "RPC_HEADER_EXT Version",
                format!("{:#06x}", header.version),
            ));
        }
        if header.flags & !flags::ALL != 0 {
            return Err(WireError::invalid(
                "RPC_HEADER_EXT Flags",
                format!("{:#06x}", header.flags),
            ));
        }
        Ok(header)
    }
}

/// XORs every byte with 0xA5; applying it twice restores the input.
pub fn xor_magic(data: &mut [u8]) {
    for b in data {
        *b ^= XOR_MAGIC;
    }
}

/// How [`pack`] frames a payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PackOptions {
    /// Try LZ77; used only if it makes the payload smaller, because the
    /// spec requires Size < SizeActual whenever Compressed is set.
    pub compress: bool,
    /// Obfuscate with XOR 0xA5.
    pub xor_magic: bool,
    /// Set the Last flag (false only when more payloads follow).
    pub last: bool,
}

impl Default for PackOptions {
    /// Plain and last: what a server may always send.
    fn default() -> Self {
        PackOptions {
            compress: false,
            xor_magic: false,
            last: true,
        }
    }
}

/// One header + payload. Fails if the payload exceeds the u16 size fields.
pub fn pack(payload: &[u8], options: PackOptions) -> Result<Vec<u8>> {
    let size_actual = u16::try_from(payload.len()).map_err(|_| WireError::TooLarge {
        what: "RPC_HEADER_EXT payload",
        len: payload.len(),
        limit: u16::MAX as usize,
    })?;
    let mut header_flags = 0;
    let mut data = payload.to_vec();
    if options.compress {
        let compressed = lz77::compress(payload);
        if compressed.len() < payload.len() {
            data = compressed;
            header_flags |= flags::COMPRESSED;
        }
    }
    if options.xor_magic {
        xor_magic(&mut data);
        header_flags |= flags::XOR_MAGIC;
    }
    if options.last {
        header_flags |= flags::LAST;
    }
    let header = RpcHeaderExt {
        version: VERSION,
        flags: header_flags,
        // data is never longer than payload, whose length fits u16.
        size: u16::try_from(data.len()).unwrap_or(size_actual),
        size_actual,
    };
    let mut w = Writer::new();
    header.write_to(&mut w)?;
    w.bytes(&data);
    Ok(w.into_inner())
}

/// Reads one header and its payload, returning the decoded payload.
pub fn read_payload(r: &mut Reader<'_>) -> Result<(RpcHeaderExt, Vec<u8>)> {
    let header = RpcHeaderExt::read_from(r)?;
    let mut data = r
        .bytes(usize::from(header.size), "RPC_HEADER_EXT payload")?
        .to_vec();
    if header.has(flags::XOR_MAGIC) {
        xor_magic(&mut data);
    }
    if header.has(flags::COMPRESSED) {
        data = lz77::decompress(&data, usize::from(header.size_actual))?;
    } else if header.size != header.size_actual {
        return Err(WireError::invalid(
            "RPC_HEADER_EXT",
            format!(
                "uncompressed payload with Size {} != SizeActual {}",
                header.size, header.size_actual
            ),
        ));
    }
    Ok((header, data))
}

/// Decodes a whole extended buffer: every payload up to and including the
/// one whose header has Last. Bytes after it are an error.
pub fn unpack(buffer: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut r = Reader::new(buffer);
    let mut payloads = Vec::new();
    loop {
        let (header, payload) = read_payload(&mut r)?;
        payloads.push(payload);
        if header.has(flags::LAST) {
            break;
        }
    }
    r.finish("extended buffer after the Last payload")?;
    Ok(payloads)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn xor_magic_matches_the_sheet() {
        // Fact sheet §11 T10: "PROCESSING" XOR 0xA5.
        let mut data = b"PROCESSING".to_vec();
        xor_magic(&mut data);
        assert_eq!(data, hex("f5 f7 ea e6 e0 f6 f6 ec eb e2"));
        xor_magic(&mut data);
        assert_eq!(data, b"PROCESSING");
    }

    #[test]
    fn empty_rop_buffer_matches_t7() {
        // Fact sheet §11 T7 (ITS BuildRequestBufferWithoutRop): header
        // v0/Last/2/2 + RopSize 2.
        let expected = hex("0000 0400 0200 0200 0200");
        assert_eq!(
            pack(&[0x02, 0x00], PackOptions::default()).unwrap(),
            expected
        );
        assert_eq!(unpack(&expected).unwrap(), vec![vec![0x02, 0x00]]);
    }

    #[test]
    fn obfuscated_and_compressed_payloads_are_decoded() {
        let payload: Vec<u8> = b"abc".iter().copied().cycle().take(300).collect();
        for (compress, xor) in [(false, true), (true, false), (true, true)] {
            let opts = PackOptions {
                compress,
                xor_magic: xor,
                last: true,
            };
            let packed = pack(&payload, opts).unwrap();
            let header = RpcHeaderExt::decode(&packed[..8]).unwrap();
            assert_eq!(header.has(flags::COMPRESSED), compress);
            assert_eq!(header.has(flags::XOR_MAGIC), xor);
            assert_eq!(header.size_actual, 300);
            assert_eq!(unpack(&packed).unwrap(), vec![payload.clone()]);
        }
    }

    #[test]
    fn spec_compressed_payload_is_decoded() {
        // The MS-XCA §3.1 plain-LZ77 example (same encoding as DIRECT2)
        // wrapped in a header with Compressed|Last, Size 13, SizeActual 300.
        let mut buf = hex("0000 0500 0d00 2c01");
        buf.extend(hex("ff ff ff 1f 61 62 63 17 00 0f ff 26 01"));
        assert_eq!(unpack(&buf).unwrap(), vec![b"abc".repeat(100)]);
    }

    #[test]
    fn incompressible_payload_is_sent_plain() {
        let packed = pack(
            b"xyz",
            PackOptions {
                compress: true,
                ..PackOptions::default()
            },
        )
        .unwrap();
        assert_eq!(packed, hex("0000 0400 0300 0300 78797a"));
    }

    #[test]
    fn chained_payloads_end_at_last() {
        let mut buf = pack(
            b"one",
            PackOptions {
                last: false,
                ..PackOptions::default()
            },
        )
        .unwrap();
        buf.extend(pack(b"two", PackOptions::default()).unwrap());
        assert_eq!(
            unpack(&buf).unwrap(),
            vec![b"one".to_vec(), b"two".to_vec()]
        );
        let mut trailing = buf.clone();
        trailing.push(0);
        assert!(unpack(&trailing).is_err());
        let no_last = pack(
            b"one",
            PackOptions {
                last: false,
                ..PackOptions::default()
            },
        )
        .unwrap();
        assert!(unpack(&no_last).is_err());
    }

    #[test]
    fn bad_headers_are_rejected() {
        assert!(unpack(&[]).is_err());
        assert!(unpack(&hex("0100 0400 0000 0000")).is_err(), "version 1");
        assert!(unpack(&hex("0000 0c00 0000 0000")).is_err(), "unknown flag");
        assert!(
            unpack(&hex("0000 0400 0100 0200 00")).is_err(),
            "Size != SizeActual"
        );
        assert!(
            unpack(&hex("0000 0400 0500 0500 00")).is_err(),
            "short payload"
        );
        assert!(pack(&vec![0; 70_000], PackOptions::default()).is_err());
    }
}
