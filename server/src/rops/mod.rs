//! Execute: unwrap the RPC_HEADER_EXT-framed ROP buffer, run RopLogon and RopRelease against the session's
//! handle table, and wrap the responses (MS-OXCRPC §3.1.4.2, MS-OXCROPS §2.2.1, §3.2.5).
//!
//! Any buffer we cannot walk — a malformed header, a bad RopSize, an unknown RopId — fails the whole call
//! with ecRpcFormat (MS-OXCROPS §3.2.5.1): request lengths are ROP-specific, so nothing after an unknown ROP
//! can be found.

use chrono::{DateTime, Utc};
use mapish_store::{Mailbox, Store};
use mapish_wire::buf::Codec;
use mapish_wire::ec;
use mapish_wire::emsmdb::{ExecuteRequest, ExecuteSuccess, MAX_ROP_BUFFER_IN, MIN_MAX_ROP_OUT};
use mapish_wire::rop::{
    self, LogonRequest, LogonResponse, RopBuffer, RopId, RopRequest, RopResponse, UNUSED_HANDLE,
};
use mapish_wire::rpc_header::{self, RpcHeaderExt};

use crate::folders;
use crate::session::{ServerObject, Session};

/// RPC_X_BAD_STUB_DATA: the RPC-layer answer to cbIn above 0x40000 (MS-OXCRPC §3.1.4.2). Belongs in
/// `mapish_wire::ec`.
pub const RPC_X_BAD_STUB_DATA: u32 = 0x0000_06F7;

/// Handle-table entries accepted in one buffer (gromox's bound; a handle table names session objects,
/// which are bounded the same way).
pub const MAX_HANDLES: usize = 255;

/// The outcome of one Execute, with a line for the protocol log.
pub struct Outcome {
    /// The success body.
    pub body: ExecuteSuccess,
    /// What happened.
    pub detail: String,
}

fn failed(code: u32, detail: String) -> Outcome {
    Outcome {
        body: ExecuteSuccess::failed(code),
        detail,
    }
}

/// Runs an Execute for `mailbox` (the session's owner) on `session`.
pub fn execute(
    store: &Store,
    session: &Session,
    mailbox: &Mailbox,
    req: &ExecuteRequest,
    now: DateTime<Utc>,
) -> Outcome {
    if req.max_rop_out < MIN_MAX_ROP_OUT {
        return failed(ec::RPC_FAILED, format!("MaxRopOut {} < 8", req.max_rop_out));
    }
    if req.rop_buffer.len() > MAX_ROP_BUFFER_IN {
        return failed(
            RPC_X_BAD_STUB_DATA,
            format!("RopBufferSize {} > 0x40000", req.rop_buffer.len()),
        );
    }
    if req.rop_buffer.len() < RpcHeaderExt::LEN {
        return failed(
            ec::RPC_FAILED,
            format!("RopBufferSize {} < 8", req.rop_buffer.len()),
        );
    }
    let payloads = match rpc_header::unpack(&req.rop_buffer) {
        Ok(p) => p,
        Err(e) => return failed(ec::RPC_FORMAT, format!("ecRpcFormat: {e}")),
    };
    // We never advertise packed input buffers (AUX_SERVER_CAPABILITIES), so exactly one is allowed.
    let [payload] = payloads.as_slice() else {
        return failed(
            ec::RPC_FORMAT,
            format!("ecRpcFormat: {} packed payloads", payloads.len()),
        );
    };
    let buffer = match RopBuffer::decode(payload) {
        Ok(b) => b,
        Err(e) => return failed(ec::RPC_FORMAT, format!("ecRpcFormat: {e}")),
    };
    if buffer.handles.len() > MAX_HANDLES {
        return failed(
            ec::RPC_FORMAT,
            format!("ecRpcFormat: {} handles", buffer.handles.len()),
        );
    }
    let requests = match rop::parse_requests(&buffer.rops) {
        Ok(r) => r,
        Err(e) => return failed(ec::RPC_FORMAT, format!("ecRpcFormat: {e}")),
    };

    let mut handles = buffer.handles.clone();
    let mut responses = Vec::new();
    let mut created = Vec::new();
    let mut notes = Vec::new();
    for parsed in &requests {
        match &parsed.request {
            RopRequest::Logon(logon) => {
                let response = logon_rop(
                    store,
                    session,
                    mailbox,
                    logon,
                    &mut handles,
                    &mut created,
                    now,
                );
                notes.push(match &response {
                    LogonResponse::Private { .. } => "RopLogon ok".to_string(),
                    other => format!(
                        "RopLogon {}",
                        ec::name(other.return_value()).unwrap_or("failed")
                    ),
                });
                responses.push(RopResponse::Logon(response));
            }
            RopRequest::Release(release) => {
                // No response, and errors are swallowed (MS-OXCROPS §3.2.5.3).
                if let Some(&handle) = handles.get(usize::from(release.input_handle_index)) {
                    session.with_objects(|o| o.release(handle));
                }
                notes.push("RopRelease".to_string());
            }
        }
    }

    let out = match rop::encode_responses(&responses).and_then(|rops| {
        RopBuffer {
            rops,
            handles: handles.clone(),
        }
        .encode()
    }) {
        Ok(out) => out,
        Err(e) => {
            undo(session, &created);
            return failed(ec::RPC_FORMAT, format!("cannot encode the response: {e}"));
        }
    };
    let needed = out.len() + RpcHeaderExt::LEN;
    if needed > req.max_rop_out as usize {
        // Nothing may change when nothing is answered: the client resends after growing its buffer.
        undo(session, &created);
        return too_small(&buffer, needed);
    }
    match ExecuteSuccess::with_payload(&out) {
        Ok(body) => Outcome {
            body,
            detail: if notes.is_empty() {
                "no ROPs".into()
            } else {
                notes.join("; ")
            },
        },
        Err(e) => {
            undo(session, &created);
            failed(ec::RPC_FORMAT, format!("cannot frame the response: {e}"))
        }
    }
}

fn undo(session: &Session, created: &[u32]) {
    session.with_objects(|o| {
        for h in created {
            o.release(*h);
        }
    });
}

/// RopBufferTooSmall (MS-OXCROPS §2.2.15.1): RopId 0xFF, SizeNeeded, then the request ROPs not executed —
/// here all of them, since we execute all or nothing.
fn too_small(buffer: &RopBuffer, needed: usize) -> Outcome {
    let mut rops = vec![RopId::BUFFER_TOO_SMALL.0];
    rops.extend_from_slice(&u16::try_from(needed).unwrap_or(u16::MAX).to_le_bytes());
    rops.extend_from_slice(&buffer.rops);
    let encoded = RopBuffer {
        rops,
        handles: buffer.handles.clone(),
    }
    .encode()
    .and_then(|out| ExecuteSuccess::with_payload(&out));
    match encoded {
        Ok(body) => Outcome {
            body,
            detail: format!("RopBufferTooSmall: {needed} bytes needed"),
        },
        Err(e) => failed(
            ec::RPC_FORMAT,
            format!("cannot encode RopBufferTooSmall: {e}"),
        ),
    }
}

fn logon_rop(
    store: &Store,
    session: &Session,
    mailbox: &Mailbox,
    req: &LogonRequest,
    handles: &mut [u32],
    created: &mut Vec<u32>,
    now: DateTime<Utc>,
) -> LogonResponse {
    let fail = |return_value| LogonResponse::Failure {
        output_handle_index: req.output_handle_index,
        return_value,
    };
    let Some(slot) = handles.get_mut(usize::from(req.output_handle_index)) else {
        return fail(ec::NULL_OBJECT);
    };
    if !req.is_private() {
        // No public folders exist here.
        return fail(ec::LOGIN_FAILURE);
    }
    if !req.essdn.eq_ignore_ascii_case(&mailbox.legacy_exchange_dn) {
        // Delegate access is not modelled: another user's mailbox is refused, an unknown DN is unknown.
        let other = store
            .find_mailboxes(&req.essdn)
            .unwrap_or_default()
            .into_iter()
            .any(|m| m.legacy_exchange_dn.eq_ignore_ascii_case(&req.essdn));
        return fail(if other {
            ec::LOGIN_PERM
        } else {
            ec::UNKNOWN_USER
        });
    }
    let object = ServerObject::Logon {
        logon_id: req.logon_id,
        mailbox: mailbox.guid,
    };
    let Some(handle) = session.with_objects(|o| o.insert(object)) else {
        return fail(ec::ERROR);
    };
    debug_assert_ne!(handle, UNUSED_HANDLE);
    *slot = handle;
    created.push(handle);
    LogonResponse::Private {
        output_handle_index: req.output_handle_index,
        logon: Box::new(folders::private_logon(mailbox, req.logon_flags, now)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Sessions;
    use chrono::TimeZone;
    use mapish_store::InitParams;
    use mapish_wire::Endpoint;
    use std::time::Duration;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const DN: &str =
        "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=user1";

    fn setup() -> (Store, Mailbox, std::sync::Arc<Session>) {
        let store = Store::open_temporary().unwrap();
        store
            .initialize(&InitParams {
                organization: "Contoso".into(),
                server: "EX01".into(),
                fqdn: "ex01.contoso.com".into(),
            })
            .unwrap();
        let mut m = Mailbox::new(
            "User One",
            "user1",
            "user1@contoso.com",
            "user1@contoso.com",
            "Contoso",
            "EX01",
        );
        m.legacy_exchange_dn = DN.into();
        store.update(|tx| tx.put_mailbox(&m)).unwrap();
        let sessions = Sessions::new(Duration::from_secs(60), 4, 4);
        let s = sessions.create(Endpoint::Emsmdb, m.guid, "u").unwrap();
        (store, m, s)
    }

    /// Fact sheet §11 T4.
    fn t4() -> ExecuteRequest {
        let mut body =
            hex("03000000 71000000 00000400 69006900 6500 fe000001 00000001 00000000 5500");
        body.extend(DN.as_bytes());
        body.push(0);
        body.extend(hex("ffffffff 08000100 00000000"));
        assert_eq!(body.len(), 129);
        ExecuteRequest::decode(&body).unwrap()
    }

    #[test]
    fn logon_answers_t5_byte_for_byte() {
        let (store, mailbox, session) = setup();
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 10, 15, 30).unwrap();
        let outcome = execute(&store, &session, &mailbox, &t4(), now);
        assert_eq!(outcome.detail, "RopLogon ok");
        let bytes = mapish_wire::emsmdb::ExecuteResponse::Success(outcome.body)
            .encode()
            .unwrap();
        // T5's Execute success body: 200 bytes.
        assert_eq!(bytes.len(), 200);
        assert_eq!(
            &bytes[..24],
            hex("00000000 00000000 00000000 b4000000 00000400 ac00ac00")
        );
        assert_eq!(&bytes[24..26], hex("a800"));
        let logon = &bytes[26..26 + 166];
        let mut expected = hex("fe 00 00000000 01");
        expected.extend(hex(
            "0100000000000001 0100000000000002 0100000000000003 0100000000000009 010000000000000d
             010000000000000c 010000000000000a 010000000000000b 0100000000000007 0100000000000008
             0100000000000005 0100000000000006 0100000000000004",
        ));
        expected.push(0x07);
        expected.extend(mailbox.guid.to_bytes_le());
        expected.extend(hex("0100"));
        expected.extend(folders::replica_guid(&mailbox).to_bytes_le());
        expected.extend(hex("1e0f0a03 0101e907"));
        expected.extend(folders::filetime(now).to_le_bytes());
        expected.extend(hex("00000000"));
        assert_eq!(logon, expected.as_slice());
        // Handle table: the logon got handle 1 in slot 0; then AuxiliaryBufferSize 0.
        assert_eq!(&bytes[192..], hex("01000000 00000000"));
        assert_eq!(session.with_objects(|o| o.len()), 1);
    }

    #[test]
    fn release_removes_the_object_and_has_no_response() {
        let (store, mailbox, session) = setup();
        execute(&store, &session, &mailbox, &t4(), Utc::now());
        // RopRelease of slot 0 with handle 1.
        let payload = hex("0500 010000 01000000");
        let req = ExecuteRequest {
            flags: 3,
            rop_buffer: rpc_header::pack(&payload, Default::default()).unwrap(),
            max_rop_out: 0x10008,
            aux: vec![],
        };
        let outcome = execute(&store, &session, &mailbox, &req, Utc::now());
        assert_eq!(outcome.body.error_code, 0);
        assert_eq!(
            outcome.body.rop_payloads().unwrap(),
            vec![hex("0200 01000000")]
        );
        assert_eq!(session.with_objects(|o| o.len()), 0);
    }

    #[test]
    fn t7_empty_rop_list_and_t8_unknown_rop() {
        let (store, mailbox, session) = setup();
        let empty = ExecuteRequest {
            flags: 3,
            rop_buffer: hex("00000400 02000200 0200"),
            max_rop_out: 0x10008,
            aux: vec![],
        };
        let outcome = execute(&store, &session, &mailbox, &empty, Utc::now());
        assert_eq!(outcome.body.rop_payloads().unwrap(), vec![hex("0200")]);

        let unknown = ExecuteRequest {
            rop_buffer: rpc_header::pack(&hex("0700 04000000 00"), Default::default()).unwrap(),
            ..empty.clone()
        };
        let outcome = execute(&store, &session, &mailbox, &unknown, Utc::now());
        let bytes = mapish_wire::emsmdb::ExecuteResponse::Success(outcome.body)
            .encode()
            .unwrap();
        assert_eq!(bytes, hex("00000000 b6040000 00000000 00000000 00000000"));
    }

    #[test]
    fn xor_and_lz77_input_is_accepted() {
        let (store, mailbox, session) = setup();
        let plain = t4();
        let payload = rpc_header::unpack(&plain.rop_buffer).unwrap().remove(0);
        for (compress, xor_magic) in [(false, true), (true, false), (true, true)] {
            let req = ExecuteRequest {
                rop_buffer: rpc_header::pack(
                    &payload,
                    rpc_header::PackOptions {
                        compress,
                        xor_magic,
                        last: true,
                    },
                )
                .unwrap(),
                ..plain.clone()
            };
            let outcome = execute(&store, &session, &mailbox, &req, Utc::now());
            assert_eq!(
                outcome.detail, "RopLogon ok",
                "compress {compress} xor {xor_magic}"
            );
        }
    }

    #[test]
    fn logon_failures() {
        let (store, mailbox, session) = setup();
        let mut req = t4();
        // Another DN → T6's ecUnknownUser response.
        let payload = rpc_header::unpack(&req.rop_buffer).unwrap().remove(0);
        let mut buf = RopBuffer::decode(&payload).unwrap();
        let mut rops = rop::parse_requests(&buf.rops).unwrap();
        let RopRequest::Logon(mut logon) = rops.remove(0).request else {
            panic!()
        };
        logon.essdn = "/o=Contoso/cn=nobody".into();
        buf.rops = rop::encode_requests(&[RopRequest::Logon(logon)]).unwrap();
        req.rop_buffer = rpc_header::pack(&buf.encode().unwrap(), Default::default()).unwrap();
        let outcome = execute(&store, &session, &mailbox, &req, Utc::now());
        let out = outcome.body.rop_payloads().unwrap().remove(0);
        assert_eq!(out, hex("0800 fe00eb030000 ffffffff"));

        // MaxRopOut too small for the 166-byte answer → RopBufferTooSmall and no object left behind.
        let mut small = t4();
        small.max_rop_out = 64;
        let outcome = execute(&store, &session, &mailbox, &small, Utc::now());
        let out = outcome.body.rop_payloads().unwrap().remove(0);
        assert_eq!(out[2], 0xFF);
        assert_eq!(u16::from_le_bytes([out[3], out[4]]), 2 + 166 + 4 + 8);
        assert_eq!(session.with_objects(|o| o.len()), 0);
        small.max_rop_out = 4;
        assert_eq!(
            execute(&store, &session, &mailbox, &small, Utc::now())
                .body
                .error_code,
            ec::RPC_FAILED
        );
        let _ = mailbox;
    }
}
