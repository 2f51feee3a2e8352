//! LZ77 with DIRECT2 encoding, the compression of RPC_HEADER_EXT payloads
//! (MS-OXCRPC §3.1.4.1.1.2 and subsections).
//!
//! The stream is a sequence of 32-bit little-endian bitmasks, each followed
//! by the 32 items it describes, most significant bit first: 0 = one literal
//! byte, 1 = a 2-byte metadata word (high 13 bits: offset − 1, low 3 bits:
//! length − 3). A length field of 7 continues in a nibble of a "shared"
//! byte (two long matches share one byte: low nibble first, high nibble
//! next), then in a full byte (15), then in a u16 (255) holding the whole
//! length − 3. The encoding is bit-for-bit the one MS-XCA §2.3/§2.4 calls
//! "Plain LZ77", which is why MS-XCA §3.1's examples serve as test vectors;
//! gromox's decoder (`lib/mapi/lzxpress.cpp`) reads the same format.
//!
//! After the last item the encoder writes one more 1 bit (and pads the
//! bitmask with ones), allocating a fresh bitmask if needed; the decoder
//! does not need it because RPC_HEADER_EXT gives the exact output size.

#![deny(clippy::indexing_slicing)]

use crate::error::{Result, WireError};

/// Offsets are 13 bits of (offset − 1).
const MAX_OFFSET: usize = 1 << 13;
const MIN_MATCH: usize = 3;

fn byte_at(input: &[u8], pos: &mut usize) -> Result<u8> {
    let b = *input.get(*pos).ok_or(WireError::Lz77("truncated stream"))?;
    *pos += 1;
    Ok(b)
}

fn u16_at(input: &[u8], pos: &mut usize) -> Result<u16> {
    Ok(u16::from_le_bytes([
        byte_at(input, pos)?,
        byte_at(input, pos)?,
    ]))
}

fn u32_at(input: &[u8], pos: &mut usize) -> Result<u32> {
    Ok(u32::from_le_bytes([
        byte_at(input, pos)?,
        byte_at(input, pos)?,
        byte_at(input, pos)?,
        byte_at(input, pos)?,
    ]))
}

/// Decompresses `input` into exactly `output_len` bytes.
///
/// Fails, never panics, on a truncated stream, an offset reaching before
/// the start of the output, or a match running past `output_len`.
pub fn decompress(input: &[u8], output_len: usize) -> Result<Vec<u8>> {
    // The announced size comes from the wire: never reserve more than a
    // payload can hold up front.
    let mut out: Vec<u8> = Vec::with_capacity(output_len.min(1 << 16));
    let mut pos = 0usize;
    let mut bitmask = 0u32;
    let mut bits_left = 0u32;
    let mut shared_nibble_at: Option<usize> = None;
    while out.len() < output_len {
        if bits_left == 0 {
            bitmask = u32_at(input, &mut pos)?;
            bits_left = 32;
        }
        bits_left -= 1;
        if bitmask & (1 << bits_left) == 0 {
            out.push(byte_at(input, &mut pos)?);
            continue;
        }
        let metadata = u16_at(input, &mut pos)?;
        let offset = usize::from(metadata >> 3) + 1;
        let mut length = usize::from(metadata & 7);
        if length == 7 {
            length = match shared_nibble_at.take() {
                None => {
                    shared_nibble_at = Some(pos);
                    usize::from(byte_at(input, &mut pos)? & 0x0F)
                }
                Some(at) => {
                    let shared = input.get(at).ok_or(WireError::Lz77("bad shared byte"))?;
                    usize::from(shared >> 4)
                }
            };
            if length == 15 {
                length = usize::from(byte_at(input, &mut pos)?);
                if length == 255 {
                    length = usize::from(u16_at(input, &mut pos)?);
                    if length == 0 {
                        // MS-XCA's escape for lengths beyond u16; harmless
                        // to accept, payloads never need it.
                        length = usize::try_from(u32_at(input, &mut pos)?)
                            .map_err(|_| WireError::Lz77("length overflow"))?;
                    }
                    length = length
                        .checked_sub(15 + 7)
                        .ok_or(WireError::Lz77("long length below its minimum"))?;
                }
                length += 15;
            }
            length += 7;
        }
        length += MIN_MATCH;
        if offset > out.len() {
            return Err(WireError::Lz77("match offset before start of output"));
        }
        if length > output_len - out.len() {
            return Err(WireError::Lz77("match runs past the announced size"));
        }
        let start = out.len() - offset;
        // Byte by byte: a match may overlap the bytes it is producing.
        for k in start..start + length {
            let b = *out.get(k).ok_or(WireError::Lz77("bad match"))?;
            out.push(b);
        }
    }
    Ok(out)
}

/// Bit writer for the interleaved bitmasks.
struct Bits {
    at: usize,
    value: u32,
    count: u32,
}

impl Bits {
    fn start(out: &mut Vec<u8>) -> Self {
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        Bits {
            at,
            value: 0,
            count: 0,
        }
    }

    fn flush(&self, out: &mut [u8], value: u32) {
        if let Some(slot) = out.get_mut(self.at..self.at + 4) {
            slot.copy_from_slice(&value.to_le_bytes());
        }
    }

    /// Records one item; called after the item's bytes were written so the
    /// next bitmask lands after them.
    fn push(&mut self, out: &mut Vec<u8>, is_match: bool) {
        self.value = (self.value << 1) | u32::from(is_match);
        self.count += 1;
        if self.count == 32 {
            self.flush(out, self.value);
            *self = Bits::start(out);
        }
    }

    /// Terminating 1 bit plus padding ones.
    fn finish(self, out: &mut [u8]) {
        let free = 32 - self.count;
        let value = if free == 32 {
            u32::MAX
        } else {
            (self.value << free) | ((1u32 << free) - 1)
        };
        self.flush(out, value);
    }
}

fn hash3(a: u8, b: u8, c: u8) -> usize {
    let v = (u32::from(a) << 16) | (u32::from(b) << 8) | u32::from(c);
    (v.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

const HASH_BITS: u32 = 13;
const CHAIN_DEPTH: usize = 32;
const NONE: usize = usize::MAX;

/// Hash chains over 3-byte prefixes: `head` holds the latest position per
/// hash, `prev` links each position to the previous one with that hash.
struct Matcher<'a> {
    input: &'a [u8],
    head: Vec<usize>,
    prev: Vec<usize>,
}

impl<'a> Matcher<'a> {
    fn new(input: &'a [u8]) -> Self {
        Matcher {
            input,
            head: vec![NONE; 1 << HASH_BITS],
            prev: vec![NONE; input.len()],
        }
    }

    fn hash_at(&self, i: usize) -> Option<usize> {
        match self.input.get(i..i + MIN_MATCH)? {
            &[a, b, c] => Some(hash3(a, b, c)),
            _ => None,
        }
    }

    fn insert(&mut self, i: usize) {
        let Some(h) = self.hash_at(i) else { return };
        if let (Some(p), Some(slot)) = (self.prev.get_mut(i), self.head.get_mut(h)) {
            *p = *slot;
            *slot = i;
        }
    }

    /// Longest earlier match for position `i` within the window, as
    /// (length, offset); length 0 if none.
    fn longest(&self, i: usize) -> (usize, usize) {
        let Some(h) = self.hash_at(i) else {
            return (0, 0);
        };
        let here = self.input.get(i..).unwrap_or(&[]);
        let mut best = (0, 0);
        let mut candidate = self.head.get(h).copied().unwrap_or(NONE);
        for _ in 0..CHAIN_DEPTH {
            if candidate == NONE || i - candidate > MAX_OFFSET {
                break;
            }
            let there = self.input.get(candidate..).unwrap_or(&[]);
            // Comparing against the input (not the output) is right even
            // when the match overlaps position i: the decoder copies byte
            // by byte and so reproduces exactly these bytes.
            let len = here.iter().zip(there).take_while(|(a, b)| a == b).count();
            if len > best.0 {
                best = (len, i - candidate);
            }
            candidate = self.prev.get(candidate).copied().unwrap_or(NONE);
        }
        best
    }
}

/// Compresses `input` (greedy matching over hash chains).
///
/// Any valid encoding is acceptable to a decoder, so this favours
/// simplicity over ratio. [`crate::rpc_header::pack`] keeps the result only
/// if it is smaller than the input.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / 8 + 8);
    let mut bits = Bits::start(&mut out);
    let mut shared_nibble_at: Option<usize> = None;
    let mut matcher = Matcher::new(input);
    let mut i = 0;
    while let Some(&literal) = input.get(i) {
        let (length, offset) = matcher.longest(i);
        if length >= MIN_MATCH {
            write_match(&mut out, &mut shared_nibble_at, offset, length);
            for k in i..i + length {
                matcher.insert(k);
            }
            i += length;
            bits.push(&mut out, true);
        } else {
            out.push(literal);
            matcher.insert(i);
            i += 1;
            bits.push(&mut out, false);
        }
    }
    bits.finish(&mut out);
    out
}

/// Emits the metadata for a match (MS-XCA §2.3 / MS-OXCRPC §3.1.4.1.1.2.2).
fn write_match(
    out: &mut Vec<u8>,
    shared_nibble_at: &mut Option<usize>,
    offset: usize,
    length: usize,
) {
    let offset_bits = ((offset - 1) as u16) << 3;
    let mut rest = length - MIN_MATCH;
    if rest < 7 {
        out.extend_from_slice(&(offset_bits | rest as u16).to_le_bytes());
        return;
    }
    out.extend_from_slice(&(offset_bits | 7).to_le_bytes());
    rest -= 7;
    let nibble = rest.min(15) as u8;
    match shared_nibble_at.take() {
        None => {
            *shared_nibble_at = Some(out.len());
            out.push(nibble);
        }
        Some(at) => {
            if let Some(shared) = out.get_mut(at) {
                *shared |= nibble << 4;
            }
        }
    }
    if rest < 15 {
        return;
    }
    rest -= 15;
    if rest < 255 {
        out.push(rest as u8);
        return;
    }
    out.push(255);
    let whole = length - MIN_MATCH;
    match u16::try_from(whole) {
        Ok(v) => out.extend_from_slice(&v.to_le_bytes()),
        Err(_) => {
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(&(whole as u32).to_le_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{Rng, hex};

    // MS-XCA §3.1 ("LZ77" examples); same bit layout as MS-OXCRPC's DIRECT2.
    const ALPHABET_PACKED: &str =
        "3f 00 00 00 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70 71 72 73 74 75 76 77 78 79 7a";
    const ABC_PACKED: &str = "ff ff ff 1f 61 62 63 17 00 0f ff 26 01";

    #[test]
    fn decompresses_the_spec_examples() {
        assert_eq!(
            decompress(&hex(ALPHABET_PACKED), 26).unwrap(),
            b"abcdefghijklmnopqrstuvwxyz"
        );
        // One match of length 297 at distance 3, overlapping its own output.
        assert_eq!(
            decompress(&hex(ABC_PACKED), 300).unwrap(),
            b"abc".repeat(100)
        );
    }

    #[test]
    fn compresses_to_the_spec_examples() {
        // Both examples have exactly one greedy encoding, so the bytes must match.
        assert_eq!(
            compress(b"abcdefghijklmnopqrstuvwxyz"),
            hex(ALPHABET_PACKED)
        );
        assert_eq!(compress(&b"abc".repeat(100)), hex(ABC_PACKED));
    }

    #[test]
    fn shared_nibbles_pair_up_two_long_matches() {
        // Two matches of length 12 (3 + 7 + 2): the first writes a shared
        // byte with low nibble 2, the second fills its high nibble.
        let mut input = b"0123456789ab".to_vec();
        input.extend_from_slice(b"0123456789ab");
        input.extend_from_slice(b"XYZ");
        input.extend_from_slice(b"0123456789ab");
        let packed = compress(&input);
        assert_eq!(decompress(&packed, input.len()).unwrap(), input);
        // Hand-built stream (MS-OXCRPC §3.1.4.1.1.2.2.4 layout): 3 literals,
        // then two length-12 matches at offset 3 sharing the byte 0x22.
        let stream = hex("ffff ff1f 61 62 63 1700 22 1700");
        assert_eq!(decompress(&stream, 27).unwrap(), b"abc".repeat(9));
    }

    #[test]
    fn round_trips_assorted_inputs() {
        let mut rng = Rng(0x5eed);
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![7],
            vec![0; 65_535],
            (0..=255u8).cycle().take(20_000).collect(),
            b"The quick brown fox jumps over the lazy dog. ".repeat(500),
        ];
        for _ in 0..40 {
            let len = rng.below(5000);
            // Small alphabets give many matches of every length class.
            let alphabet = 1 + rng.below(8) as u8;
            inputs.push(
                (0..len)
                    .map(|_| (rng.next_u64() as u8) % alphabet)
                    .collect(),
            );
            inputs.push(rng.bytes(len));
        }
        for input in inputs {
            let packed = compress(&input);
            assert_eq!(
                decompress(&packed, input.len()).unwrap(),
                input,
                "len {}",
                input.len()
            );
        }
    }

    #[test]
    fn long_lengths_use_the_u16_and_u32_escapes() {
        let long = vec![b'z'; 70_000];
        let packed = compress(&long);
        assert!(packed.len() < 32);
        assert_eq!(decompress(&packed, long.len()).unwrap(), long);
    }

    #[test]
    fn malformed_streams_are_errors() {
        // Match before any output.
        assert!(decompress(&hex("ffffffff 0000"), 3).is_err());
        // Truncated bitmask, literal, metadata and length bytes.
        assert!(decompress(&hex("0000"), 1).is_err());
        assert!(decompress(&hex("00000000"), 1).is_err());
        assert!(decompress(&hex("ffffff7f 61 00"), 5).is_err());
        assert!(decompress(&hex("ffffff7f 61 0700"), 20).is_err());
        // Match longer than the announced size.
        assert!(decompress(&hex(ABC_PACKED), 299).is_err());
        // u16 escape smaller than its minimum (22).
        assert!(decompress(&hex("ffffff7f 61 0700 0f ff 0100"), 100).is_err());
    }
}
