//! The address book endpoint as Outlook first uses it: Bind, GetMailboxUrl, Unbind
//! (MS-OXCMAPIHTTP §2.2.5).

use mapish_commands::probe::ProbeFailure;
use mapish_wire::buf::Codec;
use mapish_wire::nspi::{
    BindRequest, BindResponse, GetMailboxUrlResponse, Stat, UnbindRequest, UnbindResponse,
    UrlRequest,
};
use mapish_wire::{RequestType, Response, ec};

use crate::error::ProbeError;
use crate::http::Http;
use crate::mapi::{MapiSession, decode, ec_text};
use crate::steps::Recorder;

pub async fn exercise(
    rec: &mut Recorder,
    http: &mut Http,
    path: &str,
    user: &str,
    server_dn: &str,
) -> Result<(), ProbeFailure> {
    let mut session = MapiSession::new(path.to_string(), user, true);
    rec.step("Bind (nspi)", bind(&mut session, http)).await?;
    rec.step("GetMailboxUrl", mailbox_url(&mut session, http, server_dn))
        .await?;
    rec.step("Unbind", unbind(&mut session, http)).await?;
    Ok(())
}

fn encode(what: &str, body: &impl Codec) -> Result<Vec<u8>, ProbeError> {
    body.encode()
        .map_err(|e| ProbeError::protocol(format!("The {what} request could not be encoded."), e))
}

fn failed(what: &str, status: u32) -> ProbeError {
    ProbeError::protocol(
        format!("{what} failed with StatusCode {}.", ec_text(status)),
        format!("StatusCode {}", ec_text(status)),
    )
}

async fn bind(session: &mut MapiSession, http: &mut Http) -> Result<((), String), ProbeError> {
    // Windows-1252 and US English, as Outlook binds.
    let state = Stat {
        code_page: 1252,
        template_locale: 0x409,
        sort_locale: 0x409,
        ..Stat::default()
    };
    let request = BindRequest {
        flags: 0,
        state: Some(state),
        aux: Vec::new(),
    };
    let body = session
        .call(http, RequestType::Bind, encode("Bind", &request)?)
        .await?;
    match decode::<BindResponse>(RequestType::Bind, &body)? {
        Response::Success(ok) if ok.error_code == ec::nspi::SUCCESS => Ok((
            (),
            format!(
                "bound to address book server {}{}",
                ok.server_guid,
                http.scheme_note()
            ),
        )),
        Response::Success(ok) => Err(ProbeError::protocol(
            format!(
                "Bind was refused with ErrorCode {}.",
                ec_text(ok.error_code)
            ),
            ec_text(ok.error_code),
        )),
        Response::Failure(f) => Err(failed("Bind", f.status_code)),
    }
}

async fn mailbox_url(
    session: &mut MapiSession,
    http: &mut Http,
    server_dn: &str,
) -> Result<((), String), ProbeError> {
    let request = UrlRequest {
        flags: 0,
        dn: server_dn.to_string(),
        aux: Vec::new(),
    };
    let body = session
        .call(
            http,
            RequestType::GetMailboxUrl,
            encode("GetMailboxUrl", &request)?,
        )
        .await?;
    match decode::<GetMailboxUrlResponse>(RequestType::GetMailboxUrl, &body)? {
        Response::Success(ok)
            if ok.error_code == ec::nspi::SUCCESS && !ok.server_url.is_empty() =>
        {
            Ok(((), ok.server_url))
        }
        Response::Success(ok) if ok.error_code == ec::nspi::SUCCESS => Err(ProbeError::protocol(
            "GetMailboxUrl answered an empty URL.",
            "empty ServerUrl",
        )),
        Response::Success(ok) => Err(ProbeError::protocol(
            format!(
                "GetMailboxUrl was refused with ErrorCode {}.",
                ec_text(ok.error_code)
            ),
            ec_text(ok.error_code),
        )),
        Response::Failure(f) => Err(failed("GetMailboxUrl", f.status_code)),
    }
}

async fn unbind(session: &mut MapiSession, http: &mut Http) -> Result<((), String), ProbeError> {
    let body = session
        .call(
            http,
            RequestType::Unbind,
            encode("Unbind", &UnbindRequest::default())?,
        )
        .await?;
    match decode::<UnbindResponse>(RequestType::Unbind, &body)? {
        // NspiUnbind's success is UnbindSuccess (1), not 0 (MS-OXNSPI §3.1.4.1.2).
        Response::Success(ok) if ok.error_code == ec::nspi::UNBIND_SUCCESS => {
            Ok(((), "address book session closed".into()))
        }
        Response::Success(ok) => Err(ProbeError::protocol(
            format!("Unbind answered ErrorCode {}.", ec_text(ok.error_code)),
            ec_text(ok.error_code),
        )),
        Response::Failure(f) => Err(failed("Unbind", f.status_code)),
    }
}
