//! Reading request bodies within the configured bounds: a size cap checked before reading (from
//! Content-Length) and while reading (chunked bodies), and a time limit against slow senders.

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{CONTENT_LENGTH, HeaderMap};
use std::time::Duration;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyError {
    /// Larger than the cap (X-ResponseCode 9).
    TooLarge,
    /// The client stopped sending, or the connection failed.
    Broken,
}

/// Whether `Content-Length` already announces more than `max` bytes.
pub fn announced_too_large(headers: &HeaderMap, max: usize) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > max as u64)
}

/// Reads the whole body, at most `max` bytes, within `timeout`.
pub async fn read_body(body: Incoming, max: usize, timeout: Duration) -> Result<Bytes, BodyError> {
    match tokio::time::timeout(timeout, Limited::new(body, max).collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => Err(BodyError::TooLarge),
        Ok(Err(_)) | Err(_) => Err(BodyError::Broken),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_length_check() {
        let mut h = HeaderMap::new();
        assert!(!announced_too_large(&h, 10));
        h.insert(CONTENT_LENGTH, "11".parse().unwrap());
        assert!(announced_too_large(&h, 10));
        h.insert(CONTENT_LENGTH, "10".parse().unwrap());
        assert!(!announced_too_large(&h, 10));
        h.insert(CONTENT_LENGTH, "junk".parse().unwrap());
        assert!(!announced_too_large(&h, 10));
    }
}
