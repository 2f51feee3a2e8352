//! The PROCESSING/PENDING/DONE response stream parser and the Autodiscover response parser: what the
//! probe client (Test-OutlookConnectivity) runs on a server's answers.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::autodiscover::parse_response;
use mapish_wire::framing::decode_response;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = decode_response(data) {
        let _ = parsed.response_code();
    }
    let _ = parse_response(data);
});
