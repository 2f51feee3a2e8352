//! The mailbox endpoint as Outlook uses it to open a mailbox: Connect, Execute with a private
//! RopLogon, PING, Disconnect (MS-OXCMAPIHTTP §2.2.4, fact sheet §6.3).

use mapish_commands::probe::ProbeFailure;
use mapish_wire::RequestType;
use mapish_wire::buf::Codec;
use mapish_wire::emsmdb::{
    ConnectRequest, ConnectResponse, DisconnectRequest, DisconnectResponse, ExecuteRequest,
    ExecuteResponse, execute_flags,
};
use mapish_wire::rop::logon::{logon_flags, open_flags};
use mapish_wire::rop::{
    self, LogonRequest, LogonResponse, RopBuffer, RopRequest, RopResponse, UNUSED_HANDLE,
};
use mapish_wire::{Response, rpc_header};

use crate::error::ProbeError;
use crate::http::Http;
use crate::mapi::{MapiSession, decode, ec_text};
use crate::steps::Recorder;

/// What Microsoft's test suite sends as MaxRopOut.
const MAX_ROP_OUT: u32 = 0x10008;

pub async fn exercise(
    rec: &mut Recorder,
    http: &mut Http,
    path: &str,
    user: &str,
    legacy_dn: &str,
) -> Result<(), ProbeFailure> {
    let mut session = MapiSession::new(path.to_string(), user, true);
    rec.step("Connect (emsmdb)", connect(&mut session, http, legacy_dn))
        .await?;
    rec.step("Execute RopLogon", logon(&mut session, http, legacy_dn))
        .await?;
    rec.step("PING (emsmdb)", ping(&mut session, http)).await?;
    rec.step("Disconnect", disconnect(&mut session, http))
        .await?;
    Ok(())
}

fn encode(what: &str, body: &impl Codec) -> Result<Vec<u8>, ProbeError> {
    body.encode()
        .map_err(|e| ProbeError::protocol(format!("The {what} request could not be encoded."), e))
}

async fn connect(
    session: &mut MapiSession,
    http: &mut Http,
    legacy_dn: &str,
) -> Result<((), String), ProbeError> {
    let request = ConnectRequest {
        user_dn: legacy_dn.to_string(),
        flags: 0,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        aux: Vec::new(),
    };
    let body = session
        .call(http, RequestType::Connect, encode("Connect", &request)?)
        .await?;
    match decode::<ConnectResponse>(RequestType::Connect, &body)? {
        Response::Success(ok) if ok.error_code == 0 => Ok((
            (),
            format!(
                "session opened for {}{}",
                ok.display_name,
                http.scheme_note()
            ),
        )),
        Response::Success(ok) => Err(ProbeError::protocol(
            format!(
                "Connect was refused with ErrorCode {} for the LegacyExchangeDN {legacy_dn}.",
                ec_text(ok.error_code)
            ),
            format!("Connect ErrorCode {}", ec_text(ok.error_code)),
        )),
        Response::Failure(f) => Err(ProbeError::protocol(
            format!("Connect failed with StatusCode {}.", ec_text(f.status_code)),
            format!("StatusCode {}", ec_text(f.status_code)),
        )),
    }
}

async fn logon(
    session: &mut MapiSession,
    http: &mut Http,
    legacy_dn: &str,
) -> Result<((), String), ProbeError> {
    let rops = rop::encode_requests(&[RopRequest::Logon(LogonRequest {
        logon_id: 0,
        output_handle_index: 0,
        logon_flags: logon_flags::PRIVATE,
        // A private logon must ask for per-database replica ids (MS-OXCSTOR §3.2.5.1.1).
        open_flags: open_flags::USE_PER_MDB_REPLID_MAPPING,
        store_state: 0,
        essdn: legacy_dn.to_string(),
    })])
    .map_err(|e| ProbeError::protocol("The RopLogon request could not be encoded.", e))?;
    let payload = encode(
        "ROP buffer",
        &RopBuffer {
            rops,
            handles: vec![UNUSED_HANDLE],
        },
    )?;
    let request = ExecuteRequest {
        flags: execute_flags::NO_COMPRESSION | execute_flags::NO_XOR_MAGIC,
        rop_buffer: rpc_header::pack(&payload, Default::default())
            .map_err(|e| ProbeError::protocol("The ROP buffer could not be framed.", e))?,
        max_rop_out: MAX_ROP_OUT,
        aux: Vec::new(),
    };
    let body = session
        .call(http, RequestType::Execute, encode("Execute", &request)?)
        .await?;
    let ok = match decode::<ExecuteResponse>(RequestType::Execute, &body)? {
        Response::Success(ok) if ok.error_code == 0 => ok,
        Response::Success(ok) => {
            return Err(ProbeError::protocol(
                format!(
                    "Execute failed as a whole with ErrorCode {}.",
                    ec_text(ok.error_code)
                ),
                format!("Execute ErrorCode {}", ec_text(ok.error_code)),
            ));
        }
        Response::Failure(f) => {
            return Err(ProbeError::protocol(
                format!("Execute failed with StatusCode {}.", ec_text(f.status_code)),
                format!("StatusCode {}", ec_text(f.status_code)),
            ));
        }
    };
    let bad = |e: mapish_wire::WireError| {
        ProbeError::protocol("The Execute response's ROP buffer cannot be decoded.", e)
    };
    let payloads = ok.rop_payloads().map_err(bad)?;
    let first = payloads.first().ok_or_else(|| {
        ProbeError::protocol(
            "The Execute response carries no ROP buffer.",
            "empty RopBuffer",
        )
    })?;
    let buffer = RopBuffer::decode(first).map_err(bad)?;
    let responses = rop::parse_responses(&buffer.rops).map_err(bad)?;
    match responses.first() {
        Some(RopResponse::Logon(LogonResponse::Private { logon, .. })) => Ok((
            (),
            format!("private logon to mailbox {}", logon.mailbox_guid),
        )),
        Some(RopResponse::Logon(LogonResponse::Failure { return_value, .. })) => {
            Err(ProbeError::protocol(
                format!(
                    "RopLogon to {legacy_dn} failed with ReturnValue {}.",
                    ec_text(*return_value)
                ),
                format!("RopLogon ReturnValue {}", ec_text(*return_value)),
            ))
        }
        Some(RopResponse::Logon(LogonResponse::Redirect { server_name, .. })) => {
            Err(ProbeError::protocol(
                format!(
                    "RopLogon was redirected to the server {server_name}: the mailbox is not on this server."
                ),
                "RopLogon ecWrongServer",
            ))
        }
        Some(other) => Err(ProbeError::protocol(
            "RopLogon was answered with another response.",
            format!("{other:?}"),
        )),
        None => Err(ProbeError::protocol(
            "The Execute response holds no RopLogon response.",
            "empty RopsList",
        )),
    }
}

async fn ping(session: &mut MapiSession, http: &mut Http) -> Result<((), String), ProbeError> {
    session.call(http, RequestType::Ping, Vec::new()).await?;
    Ok(((), "session kept alive".into()))
}

async fn disconnect(
    session: &mut MapiSession,
    http: &mut Http,
) -> Result<((), String), ProbeError> {
    let body = session
        .call(
            http,
            RequestType::Disconnect,
            encode("Disconnect", &DisconnectRequest::default())?,
        )
        .await?;
    match decode::<DisconnectResponse>(RequestType::Disconnect, &body)? {
        Response::Success(ok) if ok.error_code == 0 => Ok(((), "session closed".into())),
        Response::Success(ok) => Err(ProbeError::protocol(
            format!("Disconnect answered ErrorCode {}.", ec_text(ok.error_code)),
            ec_text(ok.error_code),
        )),
        Response::Failure(f) => Err(ProbeError::protocol(
            format!(
                "Disconnect failed with StatusCode {}.",
                ec_text(f.status_code)
            ),
            ec_text(f.status_code),
        )),
    }
}
