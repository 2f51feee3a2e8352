//! Every mailbox-endpoint request body decoder, as the server runs them on untrusted input. What decodes
//! must encode back to the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::buf::Codec;
use mapish_wire::emsmdb::{
    ConnectRequest, DisconnectRequest, ExecuteRequest, NotificationWaitRequest, Ping,
};

fn round_trip<T: Codec + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(v) = T::decode(data) {
        let again = v.encode().expect("a decoded value encodes");
        assert_eq!(again, data, "round trip");
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<ConnectRequest>(data);
    round_trip::<NotificationWaitRequest>(data);
    round_trip::<Ping>(data);
    let _ = DisconnectRequest::decode_lenient(data);
    if let Ok(req) = ExecuteRequest::decode(data) {
        assert_eq!(req.encode().expect("encode"), data);
        // The server unwraps the ROP buffer next.
        let _ = req.rop_payloads();
    }
});
