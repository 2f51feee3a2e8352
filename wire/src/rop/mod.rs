//! The ROP input/output buffer (MS-OXCROPS §2.2.1) and the ROPs this crate
//! understands.
//!
//! ```text
//! RopSize u16 (= 2 + len(RopsList)) | RopsList | ServerObjectHandleTable (u32 × n)
//! ```
//!
//! Request lengths are ROP-specific and carry no length prefix, so a buffer
//! can only be walked by decoding each ROP in turn; an unknown `RopId` stops
//! the walk with [`WireError::UnsupportedRop`], and the server then fails the
//! whole Execute with ecRpcFormat (MS-OXCROPS §3.2.5.1).
//!
//! # Adding a ROP
//!
//! Write `rop/<name>.rs` with request and response structs implementing
//! [`Codec`] (each including its `RopId` byte), then add a variant to
//! [`RopRequest`] and [`RopResponse`] and one arm to each `match` on the id
//! below. Nothing else needs to change.

pub mod id;
pub mod logon;
pub mod release;

pub use id::RopId;
pub use logon::{LogonRequest, LogonResponse};
pub use release::ReleaseRequest;

use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};

/// Handle-table value for a slot that is only an output (§3.1.4.1); the
/// server never gives an object this handle (§3.2.5.1).
pub const UNUSED_HANDLE: u32 = 0xFFFF_FFFF;

/// A decoded ROP input or output buffer (one RPC_HEADER_EXT payload).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RopBuffer {
    /// `RopsList`: the concatenated ROP requests or responses.
    pub rops: Vec<u8>,
    /// `ServerObjectHandleTable`.
    pub handles: Vec<u32>,
}

impl Codec for RopBuffer {
    const NAME: &'static str = "ROP buffer";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        let rop_size = u16::try_from(self.rops.len() + 2).map_err(|_| WireError::TooLarge {
            what: "RopsList",
            len: self.rops.len(),
            limit: u16::MAX as usize - 2,
        })?;
        w.u16(rop_size);
        w.bytes(&self.rops);
        for handle in &self.handles {
            w.u32(*handle);
        }
        Ok(())
    }

    /// Consumes the rest of the payload: everything after RopsList is the
    /// handle table.
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let rop_size = usize::from(r.u16("RopSize")?);
        let list_len = rop_size.checked_sub(2).ok_or_else(|| {
            WireError::invalid("RopSize", format!("{rop_size} is smaller than itself"))
        })?;
        let rops = r.bytes(list_len, "RopsList")?.to_vec();
        let table = r.rest();
        if !table.len().is_multiple_of(4) {
            return Err(WireError::invalid(
                "ServerObjectHandleTable",
                format!("{} bytes is not a whole number of handles", table.len()),
            ));
        }
        let handles = table
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(RopBuffer { rops, handles })
    }
}

/// A ROP request this crate can decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RopRequest {
    /// RopLogon (0xFE).
    Logon(LogonRequest),
    /// RopRelease (0x01).
    Release(ReleaseRequest),
}

impl RopRequest {
    /// The `RopId`.
    pub fn rop_id(&self) -> RopId {
        match self {
            RopRequest::Logon(_) => RopId::LOGON,
            RopRequest::Release(_) => RopId::RELEASE,
        }
    }

    /// The `LogonId`.
    pub fn logon_id(&self) -> u8 {
        match self {
            RopRequest::Logon(r) => r.logon_id,
            RopRequest::Release(r) => r.logon_id,
        }
    }

    /// The handle index a response to this request echoes, or `None` for
    /// ROPs without a response (RopRelease, §3.2.5.3).
    pub fn response_handle_index(&self) -> Option<u8> {
        match self {
            RopRequest::Logon(r) => Some(r.output_handle_index),
            RopRequest::Release(_) => None,
        }
    }

    /// The generic failure response for this request, or `None` if the
    /// ROP has no response.
    pub fn error_response(&self, return_value: u32) -> Option<RopResponse> {
        let handle_index = self.response_handle_index()?;
        Some(match self {
            RopRequest::Logon(_) => RopResponse::Logon(LogonResponse::Failure {
                output_handle_index: handle_index,
                return_value,
            }),
            RopRequest::Release(_) => return None,
        })
    }
}

impl Codec for RopRequest {
    const NAME: &'static str = "ROP request";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        match self {
            RopRequest::Logon(r) => r.write_to(w),
            RopRequest::Release(r) => r.write_to(w),
        }
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        match RopId(r.peek_u8("RopId")?) {
            RopId::LOGON => Ok(RopRequest::Logon(LogonRequest::read_from(r)?)),
            RopId::RELEASE => Ok(RopRequest::Release(ReleaseRequest::read_from(r)?)),
            RopId(other) => Err(WireError::UnsupportedRop(other)),
        }
    }
}

/// One request of a RopsList together with its exact bytes (needed e.g.
/// to echo the unprocessed rest in RopBufferTooSmall, §2.2.15.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRop<'a> {
    /// The bytes of this ROP request.
    pub bytes: &'a [u8],
    /// The decoded request.
    pub request: RopRequest,
}

/// Splits a RopsList into its requests, in order.
///
/// Fails on the first ROP that is unknown or malformed; the caller answers
/// the whole Execute with ecRpcFormat then.
pub fn parse_requests(rops: &[u8]) -> Result<Vec<ParsedRop<'_>>> {
    let mut r = Reader::new(rops);
    let mut out = Vec::new();
    while !r.is_empty() {
        let start = r.position();
        let request = RopRequest::read_from(&mut r)?;
        let bytes = rops.get(start..r.position()).unwrap_or_default();
        out.push(ParsedRop { bytes, request });
    }
    Ok(out)
}

/// Concatenates encoded requests into a RopsList.
pub fn encode_requests(requests: &[RopRequest]) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    for request in requests {
        request.write_to(&mut w)?;
    }
    Ok(w.into_inner())
}

/// The response shape shared by every ROP that fails: `RopId`,
/// `InputHandleIndex` (or the output index for ROPs that create an
/// object), `ReturnValue` (MS-OXCROPS §2.2, each ROP's failure response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RopErrorResponse {
    /// `RopId` of the failed request.
    pub rop_id: RopId,
    /// The handle index the response echoes.
    pub handle_index: u8,
    /// `ReturnValue`, non-zero; e.g. [`crate::ec::NOT_SUPPORTED`] for a ROP
    /// that parses but is not served.
    pub return_value: u32,
}

impl Codec for RopErrorResponse {
    const NAME: &'static str = "ROP error response";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        if self.return_value == 0 {
            return Err(WireError::invalid(
                "ROP error response",
                "ReturnValue 0 is success",
            ));
        }
        w.u8(self.rop_id.0);
        w.u8(self.handle_index);
        w.u32(self.return_value);
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let response = RopErrorResponse {
            rop_id: RopId(r.u8("RopId")?),
            handle_index: r.u8("InputHandleIndex")?,
            return_value: r.u32("ReturnValue")?,
        };
        if response.return_value == 0 {
            return Err(WireError::invalid(
                "ROP error response",
                "ReturnValue 0 is success",
            ));
        }
        Ok(response)
    }
}

/// A ROP response this crate can encode and decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RopResponse {
    /// RopLogon response, any of its layouts.
    Logon(LogonResponse),
    /// The generic failure of any other ROP.
    Error(RopErrorResponse),
}

impl RopResponse {
    /// The generic failure for ROP `rop_id` at `handle_index`.
    pub fn error(rop_id: RopId, handle_index: u8, return_value: u32) -> Self {
        RopResponse::Error(RopErrorResponse {
            rop_id,
            handle_index,
            return_value,
        })
    }

    /// `ReturnValue`.
    pub fn return_value(&self) -> u32 {
        match self {
            RopResponse::Logon(r) => r.return_value(),
            RopResponse::Error(e) => e.return_value,
        }
    }
}

impl Codec for RopResponse {
    const NAME: &'static str = "ROP response";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        match self {
            RopResponse::Logon(r) => r.write_to(w),
            RopResponse::Error(e) => e.write_to(w),
        }
    }

    /// Known ids decode with their own layout; any other id decodes only
    /// as a failure, because a success layout needs the ROP's definition.
    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        let id = RopId(r.peek_u8("RopId")?);
        match id {
            RopId::LOGON => Ok(RopResponse::Logon(LogonResponse::read_from(r)?)),
            RopId(other) => {
                let mut probe = r.clone();
                let error = RopErrorResponse::read_from(&mut probe).map_err(|e| match e {
                    WireError::Invalid { .. } => WireError::UnsupportedRop(other),
                    e => e,
                })?;
                *r = probe;
                Ok(RopResponse::Error(error))
            }
        }
    }
}

/// Concatenates encoded responses into a RopsList.
pub fn encode_responses(responses: &[RopResponse]) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    for response in responses {
        response.write_to(&mut w)?;
    }
    Ok(w.into_inner())
}

/// Splits a response RopsList into responses, in order.
pub fn parse_responses(rops: &[u8]) -> Result<Vec<RopResponse>> {
    let mut r = Reader::new(rops);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(RopResponse::read_from(&mut r)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ec;
    use crate::testutil::{DN, dn_z, hex};

    #[test]
    fn two_releases_match_the_spec_example() {
        // MS-OXCROPS §4.4 "RopRelease ROP Request": RopSize 8, two
        // RopRelease requests, handles 0x6F and 0x6E.
        let bytes = hex("08 00 01 00 00 01 00 01 6F 00 00 00 6E 00 00 00");
        let buf = RopBuffer::decode(&bytes).unwrap();
        assert_eq!(buf.handles, [0x6f, 0x6e]);
        let parsed = parse_requests(&buf.rops).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].bytes, [0x01, 0x00, 0x00]);
        assert_eq!(
            parsed[1].request,
            RopRequest::Release(ReleaseRequest {
                logon_id: 0,
                input_handle_index: 1
            })
        );
        assert_eq!(parsed[1].request.response_handle_index(), None);
        assert_eq!(parsed[1].request.error_response(ec::ERROR), None);
        assert_eq!(buf.encode().unwrap(), bytes);
    }

    #[test]
    fn logon_buffer_matches_t4() {
        // Fact sheet §11 T4: RopSize 101, RopLogon, handle table [0xFFFFFFFF].
        let mut payload = hex("6500 fe000001 00000001 00000000 5500");
        payload.extend(dn_z());
        payload.extend(hex("ffffffff"));
        let buf = RopBuffer::decode(&payload).unwrap();
        assert_eq!(buf.handles, [UNUSED_HANDLE]);
        let parsed = parse_requests(&buf.rops).unwrap();
        let [only] = parsed.as_slice() else {
            panic!("one ROP expected")
        };
        let RopRequest::Logon(logon) = &only.request else {
            panic!("RopLogon expected")
        };
        assert_eq!(logon.essdn, DN);
        assert_eq!(only.bytes.len(), 99);
        assert_eq!(only.request.rop_id(), RopId::LOGON);
        assert_eq!(
            encode_requests(std::slice::from_ref(&only.request)).unwrap(),
            buf.rops,
        );
    }

    #[test]
    fn unknown_rop_stops_the_walk() {
        // RopLogon-less buffer starting with RopGetHierarchyTable (0x04):
        // its request layout is not known here, so the walk must fail.
        let rops = hex("04 00 00 00 00");
        assert_eq!(parse_requests(&rops), Err(WireError::UnsupportedRop(0x04)));
        // A known ROP followed by garbage fails too.
        assert_eq!(
            parse_requests(&hex("01 00 00 28")),
            Err(WireError::UnsupportedRop(0x28))
        );
    }

    #[test]
    fn bad_buffers_are_rejected() {
        assert!(RopBuffer::decode(&hex("0100")).is_err(), "RopSize below 2");
        assert!(
            RopBuffer::decode(&hex("0500 0102")).is_err(),
            "RopsList truncated"
        );
        assert!(
            RopBuffer::decode(&hex("0200 ffffff")).is_err(),
            "partial handle"
        );
        assert_eq!(
            RopBuffer::decode(&hex("0200")).unwrap(),
            RopBuffer::default()
        );
    }

    #[test]
    fn generic_error_response_layout() {
        // MS-OXCROPS failure response buffers: RopId, InputHandleIndex,
        // ReturnValue. RopGetHierarchyTable (0x04) at slot 1 with
        // ecNotSupported 0x80040102, and with ecRpcFormat 0x4B6.
        let resp = RopResponse::error(RopId::GET_HIERARCHY_TABLE, 1, ec::NOT_SUPPORTED);
        assert_eq!(resp.encode().unwrap(), hex("04 01 02010480"));
        let resp2 = RopResponse::error(RopId::OPEN_FOLDER, 0, ec::RPC_FORMAT);
        assert_eq!(resp2.encode().unwrap(), hex("02 00 b6040000"));
        let both = encode_responses(&[resp.clone(), resp2.clone()]).unwrap();
        assert_eq!(parse_responses(&both).unwrap(), vec![resp, resp2]);
        assert!(
            RopResponse::error(RopId::OPEN_FOLDER, 0, 0)
                .encode()
                .is_err()
        );
        // A success of an unknown ROP cannot be decoded.
        assert_eq!(
            parse_responses(&hex("02 00 00000000")),
            Err(WireError::UnsupportedRop(2))
        );
    }

    #[test]
    fn logon_error_via_request() {
        let req = RopRequest::Logon(LogonRequest {
            logon_id: 0,
            output_handle_index: 3,
            logon_flags: logon::logon_flags::PRIVATE,
            open_flags: 0,
            store_state: 0,
            essdn: String::new(),
        });
        let resp = req.error_response(ec::UNKNOWN_USER).unwrap();
        assert_eq!(resp.encode().unwrap(), hex("fe 03 eb030000"));
        assert_eq!(resp.return_value(), ec::UNKNOWN_USER);
    }
}
