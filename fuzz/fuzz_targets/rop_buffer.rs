//! The Execute RopBuffer path: RPC_HEADER_EXT chain (XorMagic, LZ77), the ROP buffer (RopSize, handle
//! table) and the ROP request walk — exactly what the server does with rgbIn.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::buf::Codec;
use mapish_wire::rop::{self, RopBuffer};
use mapish_wire::rpc_header;

fuzz_target!(|data: &[u8]| {
    if let Ok(payloads) = rpc_header::unpack(data) {
        for p in payloads {
            if let Ok(buf) = RopBuffer::decode(&p) {
                if let Ok(requests) = rop::parse_requests(&buf.rops) {
                    let again: Vec<_> = requests.iter().map(|r| r.request.clone()).collect();
                    assert_eq!(rop::encode_requests(&again).expect("encode"), buf.rops);
                }
            }
        }
    }
    // The payload parsers on their own, too.
    if let Ok(buf) = RopBuffer::decode(data) {
        let _ = rop::parse_requests(&buf.rops);
    }
    let _ = rop::parse_responses(data);
});
