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

pub mod field;
pub mod folder;
pub mod id;
pub mod logon;
pub mod notify;
pub mod props;
pub mod release;
pub mod restriction;
pub mod store;
pub mod table;
pub mod too_small;

pub use field::RequestHeader;
pub use folder::{
    GetContentsTableRequest, GetContentsTableResponse, GetHierarchyTableRequest,
    GetHierarchyTableResponse, GetRulesTableRequest, GetRulesTableResponse, OpenFolderRequest,
    OpenFolderResponse,
};
pub use id::RopId;
pub use logon::{LogonRequest, LogonResponse};
pub use notify::{NotificationScope, RegisterNotificationRequest, RegisterNotificationResponse};
pub use props::{
    GetPropertiesAllRequest, GetPropertiesAllResponse, GetPropertiesListRequest,
    GetPropertiesListResponse, GetPropertiesSpecificRequest, GetPropertiesSpecificResponse,
};
pub use release::ReleaseRequest;
pub use restriction::Restriction;
pub use store::{
    GetPerUserLongTermIdsRequest, GetPerUserLongTermIdsResponse, GetReceiveFolderRequest,
    GetReceiveFolderResponse, GetStoreStateRequest, GetStoreStateResponse, IdFromLongTermIdRequest,
    IdFromLongTermIdResponse, LongTermId, LongTermIdFromIdRequest, LongTermIdFromIdResponse,
};
pub use table::{
    QueryPositionRequest, QueryPositionResponse, QueryRowsRequest, QueryRowsResponse,
    RestrictRequest, RestrictResponse, RestrictionData, SeekRowRequest, SeekRowResponse,
    SetColumnsRequest, SetColumnsResponse, SortOrder, SortOrderSet, SortTableRequest,
    SortTableResponse,
};
pub use too_small::BufferTooSmallResponse;

use std::collections::HashMap;

use crate::buf::{Codec, Reader, Writer};
use crate::error::{Result, WireError};
use crate::prop::PropTag;

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

/// Declares [`RopRequest`] and [`RopResponse`] over every ROP this crate implements, with the dispatch on the
/// `RopId` byte. ROPs with a plain header (`rop_request!`) go in the `plain` list; RopLogon and RopRelease, whose
/// headers differ, are written out by hand below.
macro_rules! rops {
    (
        requests { $($variant:ident($req:ty) = $id:ident;)* }
        responses { $($rvariant:ident($resp:ty) = $rid:ident;)* }
    ) => {
        /// A ROP request this crate can decode.
        #[derive(Debug, Clone, PartialEq)]
        pub enum RopRequest {
            /// RopLogon (0xFE).
            Logon(LogonRequest),
            /// RopRelease (0x01).
            Release(ReleaseRequest),
            $(
                #[doc = concat!("`", stringify!($id), "`.")]
                $variant($req),
            )*
        }

        impl RopRequest {
            /// The `RopId`.
            pub fn rop_id(&self) -> RopId {
                match self {
                    RopRequest::Logon(_) => RopId::LOGON,
                    RopRequest::Release(_) => RopId::RELEASE,
                    $(RopRequest::$variant(_) => RopId::$id,)*
                }
            }

            /// The `LogonId`.
            pub fn logon_id(&self) -> u8 {
                match self {
                    RopRequest::Logon(r) => r.logon_id,
                    RopRequest::Release(r) => r.logon_id,
                    $(RopRequest::$variant(r) => r.logon_id,)*
                }
            }

            /// `InputHandleIndex`; `None` for RopLogon, which has none.
            pub fn input_handle_index(&self) -> Option<u8> {
                match self {
                    RopRequest::Logon(_) => None,
                    RopRequest::Release(r) => Some(r.input_handle_index),
                    $(RopRequest::$variant(r) => Some(r.input_handle_index),)*
                }
            }

            /// `OutputHandleIndex` of a ROP that creates an object.
            pub fn output_handle_index(&self) -> Option<u8> {
                match self {
                    RopRequest::Logon(r) => Some(r.output_handle_index),
                    RopRequest::Release(_) => None,
                    $(RopRequest::$variant(r) => RequestHeader::output_handle_index(r),)*
                }
            }

            /// The handle index a response to this request echoes, or `None` for ROPs without a response
            /// (RopRelease, §3.2.5.3).
            pub fn response_handle_index(&self) -> Option<u8> {
                match self {
                    RopRequest::Logon(r) => Some(r.output_handle_index),
                    RopRequest::Release(_) => None,
                    $(RopRequest::$variant(r) => Some(RequestHeader::response_handle_index(r)),)*
                }
            }
        }

        impl Codec for RopRequest {
            const NAME: &'static str = "ROP request";

            fn write_to(&self, w: &mut Writer) -> Result<()> {
                match self {
                    RopRequest::Logon(r) => r.write_to(w),
                    RopRequest::Release(r) => r.write_to(w),
                    $(RopRequest::$variant(r) => r.write_to(w),)*
                }
            }

            fn read_from(r: &mut Reader<'_>) -> Result<Self> {
                match RopId(r.peek_u8("RopId")?) {
                    RopId::LOGON => Ok(RopRequest::Logon(LogonRequest::read_from(r)?)),
                    RopId::RELEASE => Ok(RopRequest::Release(ReleaseRequest::read_from(r)?)),
                    $(RopId::$id => Ok(RopRequest::$variant(<$req>::read_from(r)?)),)*
                    RopId(other) => Err(WireError::UnsupportedRop(other)),
                }
            }
        }

        /// A ROP response this crate can encode and decode.
        #[derive(Debug, Clone, PartialEq)]
        pub enum RopResponse {
            /// RopLogon response, any of its layouts.
            Logon(LogonResponse),
            /// The generic failure of any other ROP.
            Error(RopErrorResponse),
            /// RopBufferTooSmall: the rest of the requests were not executed.
            BufferTooSmall(BufferTooSmallResponse),
            /// RopQueryRows success.
            QueryRows(QueryRowsResponse),
            /// RopGetPropertiesSpecific success.
            GetPropertiesSpecific(GetPropertiesSpecificResponse),
            $(
                #[doc = concat!("`", stringify!($rid), "` success.")]
                $rvariant($resp),
            )*
        }

        impl RopResponse {
            /// The `RopId`.
            pub fn rop_id(&self) -> RopId {
                match self {
                    RopResponse::Logon(_) => RopId::LOGON,
                    RopResponse::Error(e) => e.rop_id,
                    RopResponse::BufferTooSmall(_) => RopId::BUFFER_TOO_SMALL,
                    RopResponse::QueryRows(_) => RopId::QUERY_ROWS,
                    RopResponse::GetPropertiesSpecific(_) => RopId::GET_PROPERTIES_SPECIFIC,
                    $(RopResponse::$rvariant(_) => RopId::$rid,)*
                }
            }
        }

        impl Codec for RopResponse {
            const NAME: &'static str = "ROP response";

            fn write_to(&self, w: &mut Writer) -> Result<()> {
                match self {
                    RopResponse::Logon(r) => r.write_to(w),
                    RopResponse::Error(e) => e.write_to(w),
                    RopResponse::BufferTooSmall(r) => r.write_to(w),
                    RopResponse::QueryRows(r) => r.write_to(w),
                    RopResponse::GetPropertiesSpecific(r) => r.write_to(w),
                    $(RopResponse::$rvariant(r) => r.write_to(w),)*
                }
            }

            /// Decodes without the request: RopQueryRows and RopGetPropertiesSpecific successes need the
            /// columns and fail here; use [`parse_responses_for`].
            fn read_from(r: &mut Reader<'_>) -> Result<Self> {
                RopResponse::read_with(r, None)
            }
        }

        impl RopResponse {
            /// Decodes one response; `columns` are the columns of a RopQueryRows or the tags of a
            /// RopGetPropertiesSpecific request. A failure of any ROP decodes as [`RopResponse::Error`].
            pub fn read_with(r: &mut Reader<'_>, columns: Option<&[PropTag]>) -> Result<Self> {
                let id = RopId(r.peek_u8("RopId")?);
                match id {
                    RopId::LOGON => return Ok(RopResponse::Logon(LogonResponse::read_from(r)?)),
                    RopId::BUFFER_TOO_SMALL => {
                        return Ok(RopResponse::BufferTooSmall(BufferTooSmallResponse::read_from(r)?));
                    }
                    _ => {}
                }
                let mut probe = r.clone();
                probe.u8("RopId")?;
                probe.u8("handle index")?;
                if probe.u32("ReturnValue")? != 0 {
                    return Ok(RopResponse::Error(RopErrorResponse::read_from(r)?));
                }
                match id {
                    RopId::QUERY_ROWS | RopId::GET_PROPERTIES_SPECIFIC => {
                        let Some(columns) = columns else {
                            return Err(WireError::invalid(
                                "ROP response",
                                format!("{id} cannot be decoded without its columns"),
                            ));
                        };
                        if id == RopId::QUERY_ROWS {
                            Ok(RopResponse::QueryRows(QueryRowsResponse::read_with(r, columns)?))
                        } else {
                            Ok(RopResponse::GetPropertiesSpecific(
                                GetPropertiesSpecificResponse::read_with(r, columns)?,
                            ))
                        }
                    }
                    $(RopId::$rid => Ok(RopResponse::$rvariant(<$resp>::read_from(r)?)),)*
                    RopId(other) => Err(WireError::UnsupportedRop(other)),
                }
            }
        }
    };
}

rops! {
    requests {
        OpenFolder(OpenFolderRequest) = OPEN_FOLDER;
        GetHierarchyTable(GetHierarchyTableRequest) = GET_HIERARCHY_TABLE;
        GetContentsTable(GetContentsTableRequest) = GET_CONTENTS_TABLE;
        GetRulesTable(GetRulesTableRequest) = GET_RULES_TABLE;
        SetColumns(SetColumnsRequest) = SET_COLUMNS;
        SortTable(SortTableRequest) = SORT_TABLE;
        Restrict(RestrictRequest) = RESTRICT;
        QueryRows(QueryRowsRequest) = QUERY_ROWS;
        QueryPosition(QueryPositionRequest) = QUERY_POSITION;
        SeekRow(SeekRowRequest) = SEEK_ROW;
        GetPropertiesSpecific(GetPropertiesSpecificRequest) = GET_PROPERTIES_SPECIFIC;
        GetPropertiesAll(GetPropertiesAllRequest) = GET_PROPERTIES_ALL;
        GetPropertiesList(GetPropertiesListRequest) = GET_PROPERTIES_LIST;
        GetReceiveFolder(GetReceiveFolderRequest) = GET_RECEIVE_FOLDER;
        LongTermIdFromId(LongTermIdFromIdRequest) = LONG_TERM_ID_FROM_ID;
        IdFromLongTermId(IdFromLongTermIdRequest) = ID_FROM_LONG_TERM_ID;
        GetPerUserLongTermIds(GetPerUserLongTermIdsRequest) = GET_PER_USER_LONG_TERM_IDS;
        GetStoreState(GetStoreStateRequest) = GET_STORE_STATE;
        RegisterNotification(RegisterNotificationRequest) = REGISTER_NOTIFICATION;
    }
    // RopQueryRows and RopGetPropertiesSpecific successes need the columns to decode; their variants are
    // written out in the macro.
    responses {
        OpenFolder(OpenFolderResponse) = OPEN_FOLDER;
        GetHierarchyTable(GetHierarchyTableResponse) = GET_HIERARCHY_TABLE;
        GetContentsTable(GetContentsTableResponse) = GET_CONTENTS_TABLE;
        GetRulesTable(GetRulesTableResponse) = GET_RULES_TABLE;
        SetColumns(SetColumnsResponse) = SET_COLUMNS;
        SortTable(SortTableResponse) = SORT_TABLE;
        Restrict(RestrictResponse) = RESTRICT;
        QueryPosition(QueryPositionResponse) = QUERY_POSITION;
        SeekRow(SeekRowResponse) = SEEK_ROW;
        GetPropertiesAll(GetPropertiesAllResponse) = GET_PROPERTIES_ALL;
        GetPropertiesList(GetPropertiesListResponse) = GET_PROPERTIES_LIST;
        GetReceiveFolder(GetReceiveFolderResponse) = GET_RECEIVE_FOLDER;
        LongTermIdFromId(LongTermIdFromIdResponse) = LONG_TERM_ID_FROM_ID;
        IdFromLongTermId(IdFromLongTermIdResponse) = ID_FROM_LONG_TERM_ID;
        GetPerUserLongTermIds(GetPerUserLongTermIdsResponse) = GET_PER_USER_LONG_TERM_IDS;
        GetStoreState(GetStoreStateResponse) = GET_STORE_STATE;
        RegisterNotification(RegisterNotificationResponse) = REGISTER_NOTIFICATION;
    }
}

impl RopRequest {
    /// The generic failure response for this request, or `None` if the ROP has no response.
    pub fn error_response(&self, return_value: u32) -> Option<RopResponse> {
        let handle_index = self.response_handle_index()?;
        Some(match self {
            RopRequest::Logon(_) => RopResponse::Logon(LogonResponse::Failure {
                output_handle_index: handle_index,
                return_value,
            }),
            _ => RopResponse::error(self.rop_id(), handle_index, return_value),
        })
    }
}

/// One request of a RopsList together with its exact bytes (needed e.g.
/// to echo the unprocessed rest in RopBufferTooSmall, §2.2.15.1).
#[derive(Debug, Clone, PartialEq)]
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

impl RopResponse {
    /// The generic failure for ROP `rop_id` at `handle_index`.
    pub fn error(rop_id: RopId, handle_index: u8, return_value: u32) -> Self {
        RopResponse::Error(RopErrorResponse {
            rop_id,
            handle_index,
            return_value,
        })
    }

    /// `ReturnValue` (0 for RopBufferTooSmall, which is not a failure of a ROP).
    pub fn return_value(&self) -> u32 {
        match self {
            RopResponse::Logon(r) => r.return_value(),
            RopResponse::Error(e) => e.return_value,
            _ => 0,
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

/// Splits a response RopsList into the responses to `requests` (in order; RopRelease has none), decoding
/// RopQueryRows rows with the columns of the table in the same input slot — set by a RopSetColumns among
/// `requests`, or given in `columns` by input handle index for tables whose columns were set in an earlier
/// Execute — and RopGetPropertiesSpecific rows with the request's tags. Stops after a RopBufferTooSmall.
pub fn parse_responses_for(
    requests: &[RopRequest],
    rops: &[u8],
    columns: &HashMap<u8, Vec<PropTag>>,
) -> Result<Vec<RopResponse>> {
    let mut columns = columns.clone();
    let mut r = Reader::new(rops);
    let mut out = Vec::new();
    for request in requests {
        if let RopRequest::SetColumns(set) = request {
            columns.insert(set.input_handle_index, set.columns.clone());
        }
        if request.response_handle_index().is_none() {
            continue;
        }
        if r.is_empty() {
            break;
        }
        let context = match request {
            RopRequest::QueryRows(q) => columns.get(&q.input_handle_index).map(Vec::as_slice),
            RopRequest::GetPropertiesSpecific(g) => Some(g.tags.as_slice()),
            _ => None,
        };
        let response = RopResponse::read_with(&mut r, context)?;
        let stop = matches!(response, RopResponse::BufferTooSmall(_));
        out.push(response);
        if stop {
            break;
        }
    }
    r.finish("RopsList")?;
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
        // A buffer starting with RopCreateMessage (0x06): its request layout
        // is not known here, so the walk must fail.
        let rops = hex("06 00 00 00 00");
        assert_eq!(parse_requests(&rops), Err(WireError::UnsupportedRop(0x06)));
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
            parse_responses(&hex("06 00 00000000")),
            Err(WireError::UnsupportedRop(6))
        );
        // A known success needs its whole layout.
        assert!(parse_responses(&hex("02 00 00000000")).is_err());
    }

    #[test]
    fn a_first_minute_buffer_walks_and_responses_decode_with_their_columns() {
        // OpenFolder(Inbox) into slot 1, GetHierarchyTable into slot 2, SetColumns, QueryRows, Release.
        let rops = hex("02 00 00 01 0100 00000000000d 00
             04 00 01 02 00
             12 00 02 00 0100 1f000130
             15 00 02 00 01 0a00
             01 00 02");
        let parsed = parse_requests(&rops).unwrap();
        let requests: Vec<RopRequest> = parsed.iter().map(|p| p.request.clone()).collect();
        assert_eq!(encode_requests(&requests).unwrap(), rops);
        let ids: Vec<u8> = requests.iter().map(|r| r.rop_id().0).collect();
        assert_eq!(ids, [0x02, 0x04, 0x12, 0x15, 0x01]);
        assert_eq!(requests[0].output_handle_index(), Some(1));
        assert_eq!(requests[1].input_handle_index(), Some(1));
        assert_eq!(requests[2].response_handle_index(), Some(2));
        assert_eq!(requests[4].response_handle_index(), None);
        assert_eq!(
            requests[3]
                .error_response(ec::NULL_OBJECT)
                .unwrap()
                .encode()
                .unwrap(),
            hex("15 02 b9040000")
        );

        let responses = hex("02 01 00000000 00 00
             04 02 00000000 01000000
             12 02 00000000 00
             15 02 00000000 02 0100 00 4900 6e00 0000");
        let decoded = parse_responses_for(&requests, &responses, &HashMap::new()).unwrap();
        assert_eq!(decoded.len(), 4);
        let RopResponse::QueryRows(rows) = &decoded[3] else {
            panic!("{:?}", decoded[3])
        };
        assert_eq!(
            rows.rows[0].values[0],
            Some(crate::prop::PropertyValue::String("In".into()))
        );
        assert_eq!(encode_responses(&decoded).unwrap(), responses);
        // Without the RopSetColumns the rows cannot be decoded.
        assert!(parse_responses_for(&requests[3..], &responses[25..], &HashMap::new()).is_err());
        let known = HashMap::from([(2u8, vec![crate::prop::tags::PID_TAG_DISPLAY_NAME])]);
        assert_eq!(
            parse_responses_for(&requests[3..], &responses[25..], &known)
                .unwrap()
                .len(),
            1
        );
        // A failure decodes as the generic error, and RopBufferTooSmall ends the list.
        let mixed = hex("02 01 0f010480 ff 1000 04000102 00");
        let decoded = parse_responses_for(&requests, &mixed, &HashMap::new()).unwrap();
        assert_eq!(decoded[0].return_value(), ec::NOT_FOUND);
        assert!(matches!(&decoded[1], RopResponse::BufferTooSmall(b) if b.size_needed == 16));
    }

    #[test]
    fn every_accepted_request_buffer_re_encodes_to_its_bytes() {
        // The property the fuzz target `rop_buffer` checks, here over mutations of valid requests of every
        // ROP this crate knows: whatever decodes must encode back to the same bytes.
        let seeds = [
            "02 00 00 01 0100 00000000000d 00",
            "04 00 01 02 04  05 00 01 02 40  3f 00 01 03 40",
            "12 00 02 00 0200 1f000130 03000530  13 00 02 00 0100 0000 0000 1f000130 01",
            "14 00 02 00 1300 00 0200 08 1f001336 04 04 0b00f410 0b00f410 01",
            "14 00 02 00 1900 01 0200 03 0100 0100 1f000130 1f000130 4900 6e00 0000 0a 00 00",
            "15 00 02 00 01 0a00  17 00 02  18 00 02 01 feffffff 01",
            "07 00 01 0000 0100 0200 1f000130 1f001336  08 00 01 0000 0100  09 00 01",
            "27 00 00 49504d2e4e6f746500  7b 00 00  43 00 00 0100 00000000000d",
            "44 00 00 00112233445566778899aabbccddeeff 00000000000d 0000",
            "60 00 00 00112233445566778899aabbccddeeff",
            "29 00 00 01 06 00 01  29 00 00 01 06 00 00 0100 00000000000d 0000 000000000000",
            "01 00 01",
        ];
        let mut rng = crate::testutil::Rng(0x5eed_f0ba5);
        let mut accepted = 0;
        for seed in seeds {
            let valid = hex(seed);
            let parsed = parse_requests(&valid).unwrap();
            let requests: Vec<RopRequest> = parsed.into_iter().map(|p| p.request).collect();
            assert_eq!(encode_requests(&requests).unwrap(), valid, "{seed}");
            for _ in 0..2_000 {
                let mut bytes = valid.clone();
                for _ in 0..=rng.below(3) {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next_u64() as u8;
                }
                bytes.truncate(bytes.len() - rng.below(4).min(bytes.len()));
                if let Ok(parsed) = parse_requests(&bytes) {
                    accepted += 1;
                    let again: Vec<RopRequest> = parsed.into_iter().map(|p| p.request).collect();
                    assert_eq!(encode_requests(&again).unwrap(), bytes, "{bytes:02x?}");
                }
            }
        }
        assert!(accepted > 1_000, "mutations mostly stay valid ({accepted})");
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
