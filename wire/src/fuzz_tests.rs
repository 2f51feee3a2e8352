//! Fuzz-style robustness test: every decoder gets random bytes and
//! truncated/mutated valid encodings, and must return (Ok or Err) without
//! panicking. Deterministic, so failures reproduce.

use crate::autodiscover;
use crate::aux_buffer;
use crate::buf::Codec;
use crate::emsmdb::*;
use crate::framing;
use crate::ids::ObjectId;
use crate::lz77;
use crate::nspi::*;
use crate::rop::{self, RopBuffer, RopRequest, RopResponse};
use crate::rpc_header;
use crate::testutil::{Rng, dn_z, hex};

/// Runs every decoder on `bytes`; results are ignored, panics are not.
fn feed(bytes: &[u8]) {
    let _ = ConnectRequest::decode(bytes);
    let _ = ConnectResponse::decode(bytes);
    let _ = ExecuteRequest::decode(bytes);
    let _ = ExecuteResponse::decode(bytes);
    let _ = DisconnectRequest::decode_lenient(bytes);
    let _ = DisconnectResponse::decode(bytes);
    let _ = NotificationWaitRequest::decode(bytes);
    let _ = NotificationWaitResponse::decode(bytes);
    let _ = Ping::decode(bytes);
    let _ = BindRequest::decode(bytes);
    let _ = BindResponse::decode(bytes);
    let _ = UnbindRequest::decode(bytes);
    let _ = UnbindResponse::decode(bytes);
    let _ = GetMailboxUrlRequest::decode(bytes);
    let _ = GetMailboxUrlResponse::decode(bytes);
    let _ = Stat::decode(bytes);
    let _ = ObjectId::decode(bytes);
    let _ = rpc_header::unpack(bytes);
    let _ = aux_buffer::decode_aux_blocks(bytes);
    let _ = lz77::decompress(bytes, bytes.len().saturating_mul(3));
    let _ = lz77::decompress(bytes, 65_535);
    let _ = RopBuffer::decode(bytes);
    let _ = rop::parse_requests(bytes);
    let _ = rop::parse_responses(bytes);
    let _ = RopRequest::decode(bytes);
    let _ = RopResponse::decode(bytes);
    let _ = framing::decode_response(bytes).map(|p| p.response_code());
    let _ = autodiscover::AutodiscoverRequest::parse(bytes);
    let _ = autodiscover::parse_response(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = crate::cookie::parse_cookie_header(text);
        let _ = crate::cookie::SetCookie::parse(text);
        let _ = text.parse::<crate::RequestType>();
        let _ = crate::response_code::parse_response_code_header(text);
    }
}

/// Valid encodings to truncate and mutate.
fn seeds() -> Vec<Vec<u8>> {
    let mut logon = hex("00000400 69006900 6500 fe000001 00000001 00000000 5500");
    logon.extend(dn_z());
    logon.extend(hex("ffffffff"));
    let mut execute = hex("03000000 71000000");
    execute.extend(&logon);
    execute.extend(hex("08000100 00000000"));
    let mut connect = dn_z();
    connect.extend(hex("00000000 e4040000 09040000 09040000 00000000"));
    vec![
        execute,
        logon.clone(),
        logon[8..].to_vec(),
        connect,
        hex("00000000 00000000 60ea0000 06000000 10270000 00 5500 0000 24000000
             00000400 1c001c00 08000117 03000000 0c00010a 0c000000 00840c24 08000148 01000000"),
        hex("00000000 01 00000000 00000000 00000000 00000000 00000000 00000000 e4040000 09040000 09040000 00000000"),
        hex("0000 0500 0d00 2c01 ffffff1f 616263 1700 0fff 2601"),
        hex("ffffff1f 616263 1700 22 1700"),
        b"PROCESSING\r\nPENDING\r\nDONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: 1\r\n\r\n\0\0\0\0".to_vec(),
        b"<Autodiscover><Request><EMailAddress>a@b</EMailAddress></Request></Autodiscover>".to_vec(),
        b"<Autodiscover><Response><Account><Action>settings</Action><Protocol Type=\"mapiHttp\" Version=\"1\"><MailStore><InternalUrl>x</InternalUrl></MailStore></Protocol></Account></Response></Autodiscover>".to_vec(),
    ]
}

#[test]
fn decoders_survive_random_bytes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let len = rng.below(300);
        feed(&rng.bytes(len));
    }
}

#[test]
fn decoders_survive_truncated_and_mutated_inputs() {
    let mut rng = Rng(42);
    for seed in seeds() {
        for cut in 0..=seed.len() {
            feed(&seed[..cut]);
        }
        for _ in 0..1000 {
            let mut m = seed.clone();
            for _ in 0..1 + rng.below(4) {
                if m.is_empty() {
                    break;
                }
                let at = rng.below(m.len());
                match rng.below(4) {
                    0 => m[at] = rng.next_u64() as u8,
                    1 => m[at] = 0xff,
                    2 => m[at] = 0x00,
                    _ => {
                        m.remove(at);
                    }
                }
            }
            feed(&m);
        }
    }
}

#[test]
fn oversized_length_fields_do_not_allocate_or_panic() {
    // Lengths claiming ~4 GiB must fail on the missing bytes, not try to
    // reserve them.
    feed(&hex("03000000 ffffffff 00"));
    feed(&hex("ffffffff"));
    feed(&hex("00000000 ffffffff"));
    assert!(lz77::decompress(&hex("00000000 61"), usize::MAX).is_err());
}
