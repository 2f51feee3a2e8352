//! The one error type of the crate.
//!
//! Decoders see bytes from the network, so every malformed input becomes a
//! `WireError`; nothing in this crate panics on input.

use thiserror::Error;

/// Everything that can go wrong while encoding or decoding a wire structure.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    /// The input ended before a field was complete.
    #[error("truncated {what}: {needed} more byte(s) needed")]
    Truncated {
        /// The structure or field being read.
        what: &'static str,
        /// How many more bytes the field needed.
        needed: usize,
    },
    /// Bytes were left over after a structure that must fill its buffer.
    #[error("{count} unexpected trailing byte(s) after {what}")]
    TrailingBytes {
        /// The structure that should have ended the buffer.
        what: &'static str,
        /// How many bytes were left.
        count: usize,
    },
    /// A field holds a value the layout does not allow.
    #[error("invalid {what}: {detail}")]
    Invalid {
        /// The structure or field.
        what: &'static str,
        /// Human-readable explanation.
        detail: String,
    },
    /// A value does not fit the size of its length field.
    #[error("{what} too large: {len} (limit {limit})")]
    TooLarge {
        /// The structure or field.
        what: &'static str,
        /// The actual size.
        len: usize,
        /// The largest size the field can express.
        limit: usize,
    },
    /// `X-RequestType` names no request type of MS-OXCMAPIHTTP §2.2.3.3.1.
    #[error("unknown request type {0:?}")]
    UnknownRequestType(String),
    /// A ROP whose request layout this crate does not know; such a buffer
    /// cannot be walked past it (MS-OXCROPS §3.2.5.1: the whole call fails).
    #[error("unsupported ROP 0x{0:02X}")]
    UnsupportedRop(u8),
    /// A malformed LZ77 (DIRECT2) stream.
    #[error("LZ77: {0}")]
    Lz77(&'static str),
    /// Malformed or unexpected XML.
    #[error("XML: {0}")]
    Xml(String),
}

impl WireError {
    /// Shorthand for [`WireError::Invalid`].
    pub(crate) fn invalid(what: &'static str, detail: impl Into<String>) -> Self {
        WireError::Invalid {
            what,
            detail: detail.into(),
        }
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = WireError> = std::result::Result<T, E>;
