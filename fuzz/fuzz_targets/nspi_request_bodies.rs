//! Every address-book request body decoder the server runs (Bind, Unbind, GetMailboxUrl and
//! GetAddressBookUrl); what decodes must encode back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::buf::Codec;
use mapish_wire::nspi::{BindRequest, UnbindRequest, UrlRequest};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = BindRequest::decode(data) {
        // HasState may be any non-zero byte on the wire but encodes as 1, so compare values.
        assert_eq!(
            BindRequest::decode(&v.encode().expect("encode")).expect("decode"),
            v
        );
    }
    if let Ok(v) = UnbindRequest::decode(data) {
        assert_eq!(v.encode().expect("encode"), data);
    }
    if let Ok(v) = UrlRequest::decode(data) {
        assert_eq!(
            UrlRequest::decode(&v.encode().expect("encode")).expect("decode"),
            v
        );
    }
});
