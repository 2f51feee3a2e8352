//! Execute: unwrap the RPC_HEADER_EXT-framed ROP buffer, run each ROP against the session's handle table, and
//! wrap the responses (MS-OXCRPC §3.1.4.2, MS-OXCROPS §2.2.1, §3.2.5).
//!
//! Any buffer we cannot walk — a malformed header, a bad RopSize, an unknown RopId — fails the whole call
//! with ecRpcFormat (MS-OXCROPS §3.2.5.1): request lengths are ROP-specific, so nothing after an unknown ROP
//! can be found.
//!
//! ROPs run in order against a working copy of the session's objects, which replaces the session's objects
//! when the Execute is answered. When a response does not fit in what is left of MaxRopOut, that ROP's
//! effects are undone and RopBufferTooSmall ends the output with the unexecuted requests (MS-OXCROPS
//! §3.2.4.3); the ROPs before it keep their effects and responses.
//!
//! | module | ROPs |
//! |---|---|
//! | [`objects`] | the handle table and the objects it names; RopRelease |
//! | [`store`] | RopLogon, RopGetReceiveFolder, RopLongTermIdFromId, RopIdFromLongTermId, RopGetPerUserLongTermIds, RopGetStoreState, RopRegisterNotification |
//! | [`folder`] | RopOpenFolder, RopGetHierarchyTable, RopGetContentsTable, RopGetRulesTable |
//! | [`table`] | RopSetColumns, RopSortTable, RopRestrict, RopQueryRows, RopQueryPosition, RopSeekRow |
//! | [`props`] | RopGetPropertiesSpecific, RopGetPropertiesAll, RopGetPropertiesList, the object properties |
//! | [`restrict`] | evaluating restrictions and comparing values |

pub mod folder;
pub mod objects;
pub mod props;
pub mod restrict;
pub mod store;
pub mod table;

use chrono::{DateTime, Utc};
use mapish_store::{Mailbox, MailboxFolders, Store};
use mapish_wire::buf::Codec;
use mapish_wire::ec;
use mapish_wire::emsmdb::{ExecuteRequest, ExecuteSuccess, MAX_ROP_BUFFER_IN, MIN_MAX_ROP_OUT};
use mapish_wire::rop::{
    self, BufferTooSmallResponse, LogonResponse, RopBuffer, RopRequest, RopResponse,
};
use mapish_wire::rpc_header::{self, RpcHeaderExt};

use crate::session::Session;
use objects::HandleTable;

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

/// What every ROP handler gets: the store, the session's mailbox, the clock, and the handle table.
pub struct Ctx<'a> {
    /// The store.
    pub store: &'a Store,
    /// The session's (authenticated) mailbox.
    pub mailbox: &'a Mailbox,
    /// The time of this Execute.
    pub now: DateTime<Utc>,
    /// The request's handle table over the session's objects.
    pub handles: HandleTable,
    folders: Option<MailboxFolders>,
}

impl Ctx<'_> {
    /// The mailbox's folders, read from the store once per Execute; ecError if the store cannot give them. A
    /// mailbox without a folder record (written by a path that skipped `Tx::put_mailbox`) is served the special
    /// set it would have been created with, which is what the record would hold.
    pub fn folders(&mut self) -> Result<&MailboxFolders, u32> {
        if self.folders.is_none() {
            let loaded = self.store.folders(self.mailbox.guid).map_err(|e| {
                tracing::warn!(mailbox = %self.mailbox.guid, "cannot read the folders: {e}");
                ec::ERROR
            })?;
            self.folders = Some(loaded.unwrap_or_else(|| {
                tracing::warn!(mailbox = %self.mailbox.guid, "no folder record; serving the special folders");
                MailboxFolders::special_set(self.mailbox.when_created)
            }));
        }
        self.folders.as_ref().ok_or(ec::ERROR)
    }
}

/// Runs one ROP; `room` is what is left of the output buffer. `None` for ROPs without a response.
fn run(ctx: &mut Ctx<'_>, request: &RopRequest, room: usize) -> Option<RopResponse> {
    let result = match request {
        RopRequest::Logon(r) => return Some(RopResponse::Logon(store::logon(ctx, r))),
        RopRequest::Release(r) => {
            ctx.handles.release(r.input_handle_index);
            return None;
        }
        RopRequest::OpenFolder(r) => folder::open_folder(ctx, r),
        RopRequest::GetHierarchyTable(r) => folder::get_hierarchy_table(ctx, r),
        RopRequest::GetContentsTable(r) => folder::get_contents_table(ctx, r),
        RopRequest::GetRulesTable(r) => folder::get_rules_table(ctx, r),
        RopRequest::SetColumns(r) => table::set_columns(ctx, r),
        RopRequest::SortTable(r) => table::sort_table(ctx, r),
        RopRequest::Restrict(r) => table::restrict(ctx, r),
        RopRequest::QueryRows(r) => table::query_rows(ctx, r, room),
        RopRequest::QueryPosition(r) => table::query_position(ctx, r),
        RopRequest::SeekRow(r) => table::seek_row(ctx, r),
        RopRequest::GetPropertiesSpecific(r) => props::get_specific(ctx, r),
        RopRequest::GetPropertiesAll(r) => props::get_all(ctx, r),
        RopRequest::GetPropertiesList(r) => props::get_list(ctx, r),
        RopRequest::GetReceiveFolder(r) => store::get_receive_folder(ctx, r),
        RopRequest::LongTermIdFromId(r) => store::long_term_id_from_id(ctx, r),
        RopRequest::IdFromLongTermId(r) => store::id_from_long_term_id(ctx, r),
        RopRequest::GetPerUserLongTermIds(r) => store::get_per_user_long_term_ids(ctx, r),
        RopRequest::GetStoreState(r) => store::get_store_state(ctx, r),
        RopRequest::RegisterNotification(r) => store::register_notification(ctx, r),
    };
    match result {
        Ok(response) => Some(response),
        Err(code) => request.error_response(code),
    }
}

/// A protocol-log note for one ROP.
fn note(request: &RopRequest, response: Option<&RopResponse>) -> String {
    let name = request.rop_id().name().unwrap_or("ROP");
    match response {
        None => name.to_string(),
        Some(RopResponse::Logon(LogonResponse::Private { .. })) => format!("{name} ok"),
        Some(r) if r.return_value() == 0 => format!("{name} ok"),
        Some(r) => format!(
            "{name} {}",
            ec::name(r.return_value())
                .map(str::to_string)
                .unwrap_or_else(|| format!("0x{:08X}", r.return_value()))
        ),
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
            ec::RPC_X_BAD_STUB_DATA,
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

    let max_out = req.max_rop_out as usize;
    // Everything but the responses: RPC_HEADER_EXT, RopSize and the handle table (its length is fixed).
    let fixed = RpcHeaderExt::LEN + 2 + 4 * buffer.handles.len();
    let mut ctx = Ctx {
        store,
        mailbox,
        now,
        handles: HandleTable {
            slots: buffer.handles.clone(),
            objects: session.with_objects(|o| o.clone()),
        },
        folders: None,
    };
    let mut out: Vec<u8> = Vec::new();
    let mut notes = Vec::new();
    for (i, parsed) in requests.iter().enumerate() {
        let before = ctx.handles.clone();
        let room = max_out.saturating_sub(fixed + out.len());
        let Some(response) = run(&mut ctx, &parsed.request, room) else {
            notes.push(note(&parsed.request, None));
            continue;
        };
        let encoded = match response.encode() {
            Ok(bytes) => bytes,
            Err(e) => return failed(ec::RPC_FORMAT, format!("cannot encode the response: {e}")),
        };
        if fixed + out.len() + encoded.len() > max_out {
            // Undo this ROP and hand the rest back (MS-OXCROPS §3.2.4.3).
            ctx.handles = before;
            let rest: Vec<u8> = requests[i..]
                .iter()
                .flat_map(|p| p.bytes.iter().copied())
                .collect();
            let needed = fixed + out.len() + encoded.len();
            match BufferTooSmallResponse::new(needed, rest).encode() {
                Ok(bytes) => out.extend(bytes),
                Err(e) => {
                    return failed(
                        ec::RPC_FORMAT,
                        format!("cannot encode RopBufferTooSmall: {e}"),
                    );
                }
            }
            notes.push(format!("RopBufferTooSmall: {needed} bytes needed"));
            break;
        }
        notes.push(note(&parsed.request, Some(&response)));
        out.extend(encoded);
    }

    let framed = RopBuffer {
        rops: out,
        handles: ctx.handles.slots.clone(),
    }
    .encode()
    .and_then(|payload| ExecuteSuccess::with_payload(&payload));
    match framed {
        Ok(body) => {
            let objects = ctx.handles.objects;
            session.with_objects(|o| *o = objects);
            Outcome {
                body,
                detail: if notes.is_empty() {
                    "no ROPs".into()
                } else {
                    notes.join("; ")
                },
            }
        }
        Err(e) => failed(ec::RPC_FORMAT, format!("cannot frame the response: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::folders;
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
            rop_buffer: rpc_header::pack(&hex("0700 06000000 00"), Default::default()).unwrap(),
            ..empty.clone()
        };
        let outcome = execute(&store, &session, &mailbox, &unknown, Utc::now());
        let bytes = mapish_wire::emsmdb::ExecuteResponse::Success(outcome.body)
            .encode()
            .unwrap();
        assert_eq!(bytes, hex("00000000 b6040000 00000000 00000000 00000000"));
    }

    #[test]
    fn mutated_rop_buffers_never_panic_and_keep_the_handle_table() {
        // Valid ROP sequences against a logged-on session, mutated at random: every answer must be a
        // well-formed Execute response whose handle table has the request's length (or a whole-call failure).
        let (store, mailbox, session) = setup();
        execute(&store, &session, &mailbox, &t4(), Utc::now());
        let seeds = [
            "02 00 00 01 0100 00000000000d 00  07 00 01 0000 0100 0200 1f000130 1f001336",
            "02 00 00 01 0100 000000000001 00  04 00 01 02 04  12 00 02 00 0200 1f000130 03000530
             13 00 02 00 0100 0000 0000 1f000130 01  15 00 02 00 01 0500  18 00 02 01 fdffffff 01
             15 00 02 00 00 0300  17 00 02",
            "02 00 00 01 0100 000000000009 00  04 00 01 02 00  12 00 02 00 0100 1f001336
             14 00 02 00 1300 00 0200 08 1f001336 04 04 0b00f410 0b00f410 00  15 00 02 00 01 0a00",
            "02 00 00 01 0100 00000000000d 00  05 00 01 02 40  3f 00 01 03 40  12 00 03 00 0100 14007466
             15 00 03 00 01 3200  08 00 01 0000 0000  09 00 00",
            "27 00 00 49504d00  7b 00 00  43 00 00 0100 00000000000d  29 00 00 01 06 00 01  01 00 01",
        ];
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            rng ^= rng >> 12;
            rng ^= rng << 25;
            rng ^= rng >> 27;
            rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
        };
        let logon_handle = session.with_objects(|o| o.clone());
        for seed in seeds {
            let valid = hex(seed);
            for round in 0..300 {
                let mut rops = valid.clone();
                if round > 0 {
                    for _ in 0..=(next() % 3) {
                        let i = (next() as usize) % rops.len();
                        rops[i] = next() as u8;
                    }
                }
                let slots = [1u32, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF];
                let payload = RopBuffer {
                    rops,
                    handles: slots.to_vec(),
                }
                .encode()
                .unwrap();
                let req = ExecuteRequest {
                    flags: 3,
                    rop_buffer: rpc_header::pack(&payload, Default::default()).unwrap(),
                    max_rop_out: if round % 7 == 3 { 64 } else { 0x10008 },
                    aux: vec![],
                };
                let outcome = execute(&store, &session, &mailbox, &req, Utc::now());
                if round == 0 {
                    // The unmutated sequence runs through without a failing ROP.
                    assert_eq!(outcome.body.error_code, 0, "{seed}");
                    assert!(
                        outcome.detail.split("; ").all(|n| n.ends_with(" ok") || n == "RopRelease"),
                        "{}",
                        outcome.detail
                    );
                }
                if outcome.body.error_code == 0 {
                    let out = outcome.body.rop_payloads().unwrap().remove(0);
                    let buf = RopBuffer::decode(&out).unwrap();
                    assert_eq!(buf.handles.len(), slots.len(), "{}", outcome.detail);
                }
                // Start every round from the logged-on session only.
                let fresh = logon_handle.clone();
                session.with_objects(|o| *o = fresh);
            }
        }
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
