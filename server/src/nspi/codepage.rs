//! PtypString8 text in the client's code page (MS-OXNSPI §3.1.4.3, String Handling). The wire codec keeps
//! String8 values as one `char` per byte; this module maps Unicode text to and from those bytes.
//!
//! Served: Windows-1252 (the usual Western code page), ISO 8859-1, US-ASCII and UTF-8. Any other code page
//! gets ASCII, and a character the code page cannot hold becomes `?`, as Windows' best-fit conversion does
//! for characters without a fallback.

use mapish_wire::nspi::{CP_ISO_8859_1, CP_UTF8, CP_WINDOWS_1252};

/// Windows-1252 bytes 0x80..=0x9F (0x81, 0x8D, 0x8F, 0x90, 0x9D are unassigned).
#[rustfmt::skip]
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'), None, Some('‚'), Some('ƒ'), Some('„'), Some('…'), Some('†'), Some('‡'),
    Some('ˆ'), Some('‰'), Some('Š'), Some('‹'), Some('Œ'), None, Some('Ž'), None,
    None, Some('‘'), Some('’'), Some('“'), Some('”'), Some('•'), Some('–'), Some('—'),
    Some('˜'), Some('™'), Some('š'), Some('›'), Some('œ'), None, Some('ž'), Some('Ÿ'),
];

/// `text` as String8 bytes of `code_page` (one `char` per byte).
pub fn encode(text: &str, code_page: u32) -> String {
    match code_page {
        CP_UTF8 => text.bytes().map(char::from).collect(),
        CP_WINDOWS_1252 => text
            .chars()
            .map(|c| {
                let u = u32::from(c);
                if u < 0x80 || (0xA0..=0xFF).contains(&u) {
                    c
                } else {
                    CP1252_HIGH
                        .iter()
                        .position(|h| *h == Some(c))
                        .map_or('?', |i| char::from(0x80 + i as u8))
                }
            })
            .collect(),
        CP_ISO_8859_1 => text
            .chars()
            .map(|c| if u32::from(c) <= 0xFF { c } else { '?' })
            .collect(),
        _ => text
            .chars()
            .map(|c| if c.is_ascii() { c } else { '?' })
            .collect(),
    }
}

/// String8 bytes of `code_page` (one `char` per byte) as text.
pub fn decode(bytes: &str, code_page: u32) -> String {
    match code_page {
        CP_UTF8 => {
            let raw: Vec<u8> = bytes.chars().map(|c| u32::from(c) as u8).collect();
            String::from_utf8_lossy(&raw).into_owned()
        }
        CP_WINDOWS_1252 => bytes
            .chars()
            .map(|c| match u32::from(c) {
                u @ 0x80..=0x9F => CP1252_HIGH[(u - 0x80) as usize].unwrap_or('\u{FFFD}'),
                _ => c,
            })
            .collect(),
        _ => bytes.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_round_trips_and_replaces_the_rest() {
        let bytes = encode("Zoë €5 Ω", 1252);
        assert_eq!(bytes, "Zo\u{eb} \u{80}5 ?");
        assert_eq!(decode(&bytes, 1252), "Zoë €5 ?");
        assert_eq!(encode("Zoë", 20127), "Zo?");
        assert_eq!(encode("ë", 65001), "\u{c3}\u{ab}");
        assert_eq!(decode("\u{c3}\u{ab}", 65001), "ë");
    }
}
