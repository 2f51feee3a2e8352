//! The POX Autodiscover request parser (quick-xml underneath), fed raw bytes as a client would POST them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mapish_wire::autodiscover::AutodiscoverRequest;

fuzz_target!(|data: &[u8]| {
    if let Ok(req) = AutodiscoverRequest::parse(data) {
        // Whatever we accept we can write back and read again.
        if let Ok(xml) = req.to_xml() {
            let again = AutodiscoverRequest::parse(xml.as_bytes()).expect("own output parses");
            assert_eq!(again.email_address.is_some(), req.email_address.is_some());
        }
    }
});
