//! The inner response stream of every MAPI/HTTP response body
//! (MS-OXCMAPIHTTP §2.2.7, §3.1.5.6, §3.2.5.2):
//!
//! ```text
//! "PROCESSING" CRLF  *( "PENDING" CRLF )  "DONE" CRLF
//! *( name ": " value CRLF )  CRLF  <binary body>
//! ```
//!
//! The server streams it: `PROCESSING` is flushed at once, `PENDING` every
//! `X-PendingPeriod` while it works, then the `DONE` tail and the body. So
//! the encoder hands out the pieces separately ([`PROCESSING`], [`PENDING`],
//! [`done_tail`]) as well as whole ([`encode_response`]). HTTP chunking is
//! the HTTP layer's business; clients must parse this stream independently
//! of chunk boundaries (§3.1.5.6), which is what [`decode_response`] does on
//! the de-chunked entity.

use crate::error::{Result, WireError};
use crate::headers::{X_ELAPSED_TIME, X_RESPONSE_CODE, X_START_TIME};

/// The first meta-tag, sent as soon as the request is accepted.
pub const PROCESSING: &[u8] = b"PROCESSING\r\n";
/// A keep-alive meta-tag, sent every `X-PendingPeriod` milliseconds.
pub const PENDING: &[u8] = b"PENDING\r\n";
/// The meta-tag that ends the keep-alives; additional headers follow it.
pub const DONE: &[u8] = b"DONE\r\n";

/// The additional headers written after `DONE`.
///
/// The spec examples (§4.1, §4.3–4.5) always carry these three, in this
/// order; `extra` follows them (e.g. a `Content-Type` for a late failure,
/// §3.2.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdditionalHeaders {
    /// `X-ResponseCode` value.
    pub response_code: u32,
    /// `X-ElapsedTime` in milliseconds (gromox wrongly sends seconds).
    pub elapsed_time_ms: u64,
    /// `X-StartTime`, an RFC 1123 date such as `Mon, 06 Jan 2025 10:00:00 GMT`.
    pub start_time: String,
    /// Further `name: value` pairs, written in order after the three above.
    pub extra: Vec<(String, String)>,
}

impl AdditionalHeaders {
    /// The usual three headers and nothing else.
    pub fn new(response_code: u32, elapsed_time_ms: u64, start_time: impl Into<String>) -> Self {
        AdditionalHeaders {
            response_code,
            elapsed_time_ms,
            start_time: start_time.into(),
            extra: Vec::new(),
        }
    }
}

/// `DONE` CRLF, the additional headers, and the empty line that ends them;
/// the binary body goes right after.
///
/// Fails on names or values that would break the line structure: ruler
/// locates the body at the first CRLF CRLF, so a stray line break in a
/// header would hand it garbage.
pub fn done_tail(headers: &AdditionalHeaders) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(96);
    out.extend_from_slice(DONE);
    let code = headers.response_code.to_string();
    let elapsed = headers.elapsed_time_ms.to_string();
    let fixed = [
        (X_RESPONSE_CODE, code.as_str()),
        (X_ELAPSED_TIME, elapsed.as_str()),
        (X_START_TIME, headers.start_time.as_str()),
    ];
    let extra = headers.extra.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    for (name, value) in fixed.into_iter().chain(extra) {
        check_header(name, value)?;
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    Ok(out)
}

fn check_header(name: &str, value: &str) -> Result<()> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(WireError::invalid(
            "additional header name",
            format!("{name:?}"),
        ));
    }
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(WireError::invalid(
            "additional header value",
            format!("{value:?}"),
        ));
    }
    Ok(())
}

/// A complete inner response stream: `PROCESSING`, `pending` keep-alives,
/// the `DONE` tail and `body`.
pub fn encode_response(
    pending: usize,
    headers: &AdditionalHeaders,
    body: &[u8],
) -> Result<Vec<u8>> {
    let tail = done_tail(headers)?;
    let mut out =
        Vec::with_capacity(PROCESSING.len() + pending * PENDING.len() + tail.len() + body.len());
    out.extend_from_slice(PROCESSING);
    for _ in 0..pending {
        out.extend_from_slice(PENDING);
    }
    out.extend_from_slice(&tail);
    out.extend_from_slice(body);
    Ok(out)
}

/// One line seen before the additional headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetaTag {
    /// `PROCESSING`.
    Processing,
    /// `PENDING`.
    Pending,
    /// `DONE`.
    Done,
    /// Any other line before `DONE`. Kept, not rejected: Microsoft's test
    /// suite skips unknown lines, and gromox glues keep-alives together
    /// (`PENDINGPENDING…`) because it omits their CRLF.
    Other(String),
}

/// A parsed inner response stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedResponse<'a> {
    /// Meta-tags in the order seen, ending with [`MetaTag::Done`].
    pub meta_tags: Vec<MetaTag>,
    /// Additional headers in the order seen, names as sent.
    pub headers: Vec<(String, String)>,
    /// Everything after the empty line.
    pub body: &'a [u8],
}

impl ParsedResponse<'_> {
    /// The value of the last additional header called `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `X-ResponseCode` additional header, if present.
    pub fn response_code(&self) -> Result<Option<u32>> {
        self.header(X_RESPONSE_CODE)
            .map(|v| {
                v.trim()
                    .parse()
                    .map_err(|_| WireError::invalid("X-ResponseCode", format!("{v:?}")))
            })
            .transpose()
    }

    /// Whether the first meta-tag was `PROCESSING` (ITS asserts this).
    pub fn starts_with_processing(&self) -> bool {
        self.meta_tags.first() == Some(&MetaTag::Processing)
    }

    /// How many `PENDING` keep-alives were seen.
    pub fn pending_count(&self) -> usize {
        self.meta_tags
            .iter()
            .filter(|t| **t == MetaTag::Pending)
            .count()
    }
}

/// Splits off one CRLF-terminated line.
fn take_line(input: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = input.windows(2).position(|w| w == b"\r\n")?;
    Some((input.get(..at)?, input.get(at + 2..)?))
}

/// Parses a complete, de-chunked response entity.
///
/// Meta-tags compare case-insensitively (as ITS does). A missing `DONE`, a
/// header line without `:`, or a missing empty line is an error: the body
/// cannot be located reliably then.
pub fn decode_response(entity: &[u8]) -> Result<ParsedResponse<'_>> {
    let mut rest = entity;
    let mut meta_tags = Vec::new();
    loop {
        let (line, after) = take_line(rest).ok_or(WireError::Truncated {
            what: "response meta-tags (no DONE line)",
            needed: 1,
        })?;
        rest = after;
        let tag = if line.eq_ignore_ascii_case(b"PROCESSING") {
            MetaTag::Processing
        } else if line.eq_ignore_ascii_case(b"PENDING") {
            MetaTag::Pending
        } else if line.eq_ignore_ascii_case(b"DONE") {
            MetaTag::Done
        } else {
            MetaTag::Other(String::from_utf8_lossy(line).into_owned())
        };
        let done = tag == MetaTag::Done;
        meta_tags.push(tag);
        if done {
            break;
        }
    }
    let mut headers = Vec::new();
    loop {
        let (line, after) = take_line(rest).ok_or(WireError::Truncated {
            what: "additional headers (no empty line)",
            needed: 2,
        })?;
        rest = after;
        if line.is_empty() {
            break;
        }
        let text = std::str::from_utf8(line)
            .map_err(|_| WireError::invalid("additional header", "not UTF-8"))?;
        let (name, value) = text.split_once(':').ok_or_else(|| {
            WireError::invalid("additional header", format!("no colon in {text:?}"))
        })?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(ParsedResponse {
        meta_tags,
        headers,
        body: rest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: &str = "Mon, 06 Jan 2025 10:00:00 GMT";

    #[test]
    fn ping_meta_block_is_byte_exact() {
        // Fact sheet §2.2 / §11 T10: the PING response entity, 101 bytes.
        let expected: &[u8] = b"PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 0\r\nX-StartTime: Mon, 06 Jan 2025 10:00:00 GMT\r\n\r\n";
        assert_eq!(expected.len(), 101);
        let got = encode_response(0, &AdditionalHeaders::new(0, 0, START), &[]).unwrap();
        assert_eq!(got, expected);
    }

    #[test]
    fn streaming_pieces_have_the_chunk_sizes_of_the_spec_example() {
        // MS-OXCMAPIHTTP §4.2 / fact sheet §2.2 and T10: chunk "C" carries
        // PROCESSING, chunk "9" a PENDING, and a DONE tail with
        // X-ElapsedTime 31250 is 0x5D bytes (0x69 with a 12-byte body).
        assert_eq!(PROCESSING.len(), 0xC);
        assert_eq!(PENDING.len(), 0x9);
        let tail = done_tail(&AdditionalHeaders::new(0, 31250, START)).unwrap();
        assert_eq!(
            tail,
            b"DONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 31250\r\nX-StartTime: Mon, 06 Jan 2025 10:00:00 GMT\r\n\r\n"
        );
        assert_eq!(tail.len(), 0x5D);
        assert_eq!(tail.len() + 12, 0x69);
    }

    #[test]
    fn round_trip_with_pending_extra_headers_and_binary_body() {
        let mut headers = AdditionalHeaders::new(0, 7, START);
        headers
            .extra
            .push(("Content-Type".into(), "application/mapi-http".into()));
        // A body that itself contains CRLF CRLF must come back untouched.
        let body = b"\0\0\0\0\r\n\r\nDONE\r\n\xff";
        let bytes = encode_response(2, &headers, body).unwrap();
        let parsed = decode_response(&bytes).unwrap();
        assert_eq!(
            parsed.meta_tags,
            [
                MetaTag::Processing,
                MetaTag::Pending,
                MetaTag::Pending,
                MetaTag::Done
            ]
        );
        assert!(parsed.starts_with_processing());
        assert_eq!(parsed.pending_count(), 2);
        assert_eq!(parsed.response_code().unwrap(), Some(0));
        assert_eq!(parsed.header("x-elapsedtime"), Some("7"));
        assert_eq!(parsed.header("X-StartTime"), Some(START));
        assert_eq!(parsed.header("content-type"), Some("application/mapi-http"));
        assert_eq!(parsed.body, body);
    }

    #[test]
    fn decoder_tolerates_what_real_servers_send() {
        // gromox: keep-alives without CRLF, a second PROCESSING, lower-case
        // tags would all still locate the body.
        let entity =
            b"processing\r\nPENDINGPENDINGPROCESSING\r\nDone\r\nX-ElapsedTime: 1\r\n\r\nBODY";
        let parsed = decode_response(entity).unwrap();
        assert_eq!(parsed.meta_tags.len(), 3);
        assert!(matches!(parsed.meta_tags[1], MetaTag::Other(_)));
        assert_eq!(parsed.response_code().unwrap(), None);
        assert_eq!(parsed.body, b"BODY");
    }

    #[test]
    fn decoder_rejects_streams_without_a_locatable_body() {
        assert!(decode_response(b"").is_err());
        assert!(decode_response(b"PROCESSING\r\nPENDING\r\n").is_err());
        assert!(decode_response(b"PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\n").is_err());
        assert!(decode_response(b"PROCESSING\r\nDONE\r\nnonsense\r\n\r\n").is_err());
        let bad_code = decode_response(b"PROCESSING\r\nDONE\r\nX-ResponseCode: x\r\n\r\n").unwrap();
        assert!(bad_code.response_code().is_err());
    }

    #[test]
    fn encoder_refuses_header_injection() {
        let mut h = AdditionalHeaders::new(0, 0, "Mon\r\n\r\nboom");
        assert!(done_tail(&h).is_err());
        h.start_time = START.into();
        h.extra.push(("Bad Name".into(), "x".into()));
        assert!(done_tail(&h).is_err());
    }
}
