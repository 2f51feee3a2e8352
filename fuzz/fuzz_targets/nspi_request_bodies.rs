//! Every address-book request body decoder the server runs, from Bind to ResolveNames and GetMatches
//! (restrictions included); what decodes must encode to bytes that decode to the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::buf::Codec;
use mapish_wire::nspi::{
    BindRequest, CompareMIdsRequest, DnToMIdRequest, GetMatchesRequest, GetPropListRequest,
    GetPropsRequest, GetSpecialTableRequest, GetTemplateInfoRequest, QueryColumnsRequest,
    QueryRowsRequest, ResolveNamesRequest, ResortRestrictionRequest, SeekEntriesRequest,
    UnbindRequest, UpdateStatRequest, UrlRequest,
};

/// Decodes `data` as `T`; what decodes must encode, and its encoding must be a fixed point of
/// decode → encode. The input bytes themselves need not come back (HasState may be any non-zero byte on
/// the wire but encodes as one value), and values are compared as bytes because a PtypFloating64 NaN is
/// not equal to itself.
fn round_trip<T: Codec>(data: &[u8]) {
    if let Ok(v) = T::decode(data) {
        let bytes = v.encode().expect("what decoded encodes");
        let again = T::decode(&bytes).expect("what encoded decodes");
        assert_eq!(again.encode().expect("encodes again"), bytes);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<BindRequest>(data);
    round_trip::<UnbindRequest>(data);
    round_trip::<UrlRequest>(data);
    round_trip::<CompareMIdsRequest>(data);
    round_trip::<DnToMIdRequest>(data);
    round_trip::<GetMatchesRequest>(data);
    round_trip::<GetPropListRequest>(data);
    round_trip::<GetPropsRequest>(data);
    round_trip::<GetSpecialTableRequest>(data);
    round_trip::<GetTemplateInfoRequest>(data);
    round_trip::<QueryColumnsRequest>(data);
    round_trip::<QueryRowsRequest>(data);
    round_trip::<ResolveNamesRequest>(data);
    round_trip::<ResortRestrictionRequest>(data);
    round_trip::<SeekEntriesRequest>(data);
    round_trip::<UpdateStatRequest>(data);
});
