//! The mailbox half of the tests' MAPI sessions: one Execute with a ROP buffer, and its responses decoded
//! against the requests.

use std::collections::HashMap;

use mapish_wire::buf::Codec;
use mapish_wire::emsmdb::{ExecuteRequest, ExecuteResponse, ExecuteSuccess};
use mapish_wire::prop::PropTag;
use mapish_wire::rop::{self, RopBuffer, RopResponse};

use super::Mapi;

/// One Execute with `rops` and `handles` and the client's `max_rop_out`; the success body.
pub fn execute_raw(c: &mut Mapi, rops: &[u8], handles: &[u32], max_rop_out: u32) -> ExecuteSuccess {
    let payload = RopBuffer {
        rops: rops.to_vec(),
        handles: handles.to_vec(),
    }
    .encode()
    .unwrap();
    let body = ExecuteRequest {
        flags: 3,
        rop_buffer: mapish_wire::rpc_header::pack(&payload, Default::default()).unwrap(),
        max_rop_out,
        aux: vec![],
    }
    .encode()
    .unwrap();
    let r = c.send("Execute", &body);
    r.expect_code(0);
    let ExecuteResponse::Success(ok) = ExecuteResponse::decode(&r.body()).unwrap() else {
        panic!("Execute failed")
    };
    ok
}

/// One Execute; the response RopsList and handle table.
pub fn execute(c: &mut Mapi, rops: &[u8], handles: &[u32]) -> (Vec<u8>, Vec<u32>) {
    let ok = execute_raw(c, rops, handles, 0x10008);
    assert_eq!(ok.error_code, 0, "Execute ErrorCode");
    let out = RopBuffer::decode(&ok.rop_payloads().unwrap().remove(0)).unwrap();
    (out.rops, out.handles)
}

/// One Execute decoded against its requests; `columns` gives the columns of tables set up earlier.
pub fn decoded(
    c: &mut Mapi,
    rops: &[u8],
    handles: &[u32],
    columns: &HashMap<u8, Vec<PropTag>>,
) -> (Vec<RopResponse>, Vec<u32>) {
    let (out, handles) = execute(c, rops, handles);
    let requests: Vec<_> = rop::parse_requests(rops)
        .unwrap()
        .into_iter()
        .map(|p| p.request)
        .collect();
    (
        rop::parse_responses_for(&requests, &out, columns).unwrap(),
        handles,
    )
}
