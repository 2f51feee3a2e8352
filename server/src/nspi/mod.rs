//! The address book endpoint, `/mapi/nspi/` (MS-OXCMAPIHTTP §2.2.5): Bind, Unbind, GetMailboxUrl,
//! GetAddressBookUrl, PING, and the NSPI operations over the Global Address List: GetSpecialTable,
//! QueryRows, SeekEntries, DNToMId, GetProps, GetPropList, QueryColumns, ResolveNames, GetMatches,
//! ResortRestriction, CompareMIds, UpdateStat, GetTemplateInfo.
//!
//! Bind takes a snapshot of the GAL ([`gal`]); every later request of the session reads that snapshot, so
//! Minimal Entry IDs stay put for the session. The operations themselves are pure functions in [`calls`].
//!
//! ModProps and ModLinkAtt are valid request types this server does not serve: they pass
//! the session checks and get a failure body with StatusCode ecNotSupported (0x80040102), not an
//! X-ResponseCode, since nothing about the request itself is wrong.

pub mod anr;
pub mod calls;
pub mod codepage;
pub mod gal;
pub mod props;
pub mod restrict;
pub mod table;

use std::sync::Arc;

use mapish_wire::body::{FailureBody, Response};
use mapish_wire::buf::Codec;
use mapish_wire::ec;
use mapish_wire::nspi as nspi_wire;
use mapish_wire::nspi::{
    BIND_FLAG_ANONYMOUS_LOGIN, BindRequest, BindResponse, BindSuccess, CP_WINUNICODE,
    UnbindRequest, UrlRequest, UrlSuccess, unbind_success,
};
use mapish_wire::{Endpoint, RequestType, ResponseCode};

use crate::emsmdb::PING;
use crate::mapi::{Call, Reply};
use crate::session::Use;

/// Sequence checked and rotated, one at a time: everything but Bind, Unbind and PING (as gromox).
const SEQUENCED: Use = Use {
    check_sequence: true,
    rotate: true,
    exclusive: true,
    wait: false,
};

const EXCLUSIVE: Use = Use {
    check_sequence: false,
    rotate: false,
    exclusive: true,
    wait: false,
};

/// Dispatches a validated address-book request.
pub async fn handle(call: Call) -> Reply {
    match call.request_type {
        RequestType::Bind => bind(call).await,
        RequestType::Unbind => unbind(call).await,
        RequestType::GetMailboxUrl => url(call, Endpoint::Emsmdb).await,
        RequestType::GetAddressBookUrl => url(call, Endpoint::Nspi).await,
        RequestType::Ping => ping(call).await,
        RequestType::GetSpecialTable => served(call, calls::get_special_table).await,
        RequestType::QueryRows => served(call, calls::query_rows).await,
        RequestType::SeekEntries => served(call, calls::seek_entries).await,
        RequestType::UpdateStat => served(call, calls::update_stat).await,
        RequestType::DnToMId => served(call, calls::dn_to_mid).await,
        RequestType::GetProps => served(call, calls::get_props).await,
        RequestType::GetPropList => served(call, calls::get_prop_list).await,
        RequestType::QueryColumns => served(call, |_, r| calls::query_columns(r)).await,
        RequestType::ResolveNames => served(call, calls::resolve_names).await,
        RequestType::GetMatches => served(call, calls::get_matches).await,
        RequestType::ResortRestriction => served(call, calls::resort_restriction).await,
        RequestType::CompareMIds => served(call, calls::compare_mids).await,
        RequestType::GetTemplateInfo => served(call, |_, r| calls::get_template_info(r)).await,
        _ => not_supported(call).await,
    }
}

async fn bind(mut call: Call) -> Reply {
    let mailbox = match call.admit_new_context().await {
        Ok(m) => m,
        Err(reply) => return reply,
    };
    let req = match BindRequest::decode(&call.body) {
        Ok(r) => r,
        Err(e) => {
            return call.fail(
                None,
                ResponseCode::InvalidRequestBody,
                &format!("Bind body: {e}"),
            );
        }
    };
    call.end_previous_session();
    // MS-OXNSPI §3.1.4.1.1: CP_WINUNICODE cannot be served; anonymous binds are not allowed here (the
    // request is authenticated, and anonymous address book access is not offered).
    let refused = if req.flags & BIND_FLAG_ANONYMOUS_LOGIN != 0 {
        Some((ec::nspi::LOGON_FAILED, "anonymous bind refused"))
    } else if req.state.is_some_and(|s| s.code_page == CP_WINUNICODE) {
        Some((
            ec::nspi::NOT_SUPPORTED,
            "CodePage CP_WINUNICODE is not supported",
        ))
    } else {
        None
    };
    let server_guid = call
        .snap
        .server
        .as_ref()
        .map(|s| s.guid)
        .unwrap_or_default();
    let answer = |error_code| {
        BindResponse::Success(BindSuccess {
            error_code,
            server_guid,
            aux: Vec::new(),
        })
        .encode()
        .unwrap_or_default()
    };
    if let Some((code, detail)) = refused {
        call.log(None, ResponseCode::Success, 0, code, detail);
        return call.success(&[], &answer(code));
    }
    let session =
        match call
            .app
            .sessions
            .create(call.endpoint, mailbox.guid, &call.principal.logon_name)
        {
            Ok(s) => s,
            Err(e) => {
                // MS-OXNSPI: failed limit checks answer LogonFailed.
                let detail = format!("session limit: {e:?}");
                call.log(
                    None,
                    ResponseCode::Success,
                    0,
                    ec::nspi::LOGON_FAILED,
                    &detail,
                );
                return call.success(&[], &answer(ec::nspi::LOGON_FAILED));
            }
        };
    // The session's address book: the GAL as of now. If the store cannot be read, the first request that
    // needs it tries again.
    match gal::Gal::load(&call.app.store, &call.snap) {
        Ok(g) => gal::remember(&session, Arc::new(g)),
        Err(e) => tracing::error!("cannot read the address book: {e}"),
    }
    call.log(Some(&session), ResponseCode::Success, 0, 0, "bound");
    call.success(&session.cookies(call.app.secure(), true), &answer(0))
}

async fn unbind(mut call: Call) -> Reply {
    let (in_use, _mailbox) = match call.session(EXCLUSIVE) {
        Ok(pair) => pair,
        Err(reply) => return reply,
    };
    if let Err(reply) = call.read_body(Some(in_use.session())).await {
        return reply;
    }
    if let Err(e) = UnbindRequest::decode(&call.body) {
        return call.fail(
            Some(in_use.session()),
            ResponseCode::InvalidRequestBody,
            &format!("Unbind body: {e}"),
        );
    }
    let body = unbind_success().encode().unwrap_or_default();
    call.end_session(in_use, ec::nspi::UNBIND_SUCCESS, "unbound", &body)
}

async fn url(mut call: Call, target: Endpoint) -> Reply {
    let (in_use, mailbox, req) = match call.open::<UrlRequest>(SEQUENCED).await {
        Ok(opened) => opened,
        Err(reply) => return reply,
    };
    // GetMailboxUrl names the mailbox's server by DN; ours carry `cn=<mailbox guid>@<domain>` as Exchange's
    // do. Any other DN (or one naming a mailbox that does not exist) means the caller's own mailbox.
    let subject = match (target, crate::mapi::guid_in_dn(&req.dn)) {
        (Endpoint::Emsmdb, Some(guid)) if guid != mailbox.guid => call
            .app
            .store
            .mailbox(guid)
            .ok()
            .flatten()
            .unwrap_or_else(|| mailbox.clone()),
        _ => mailbox.clone(),
    };
    let domain = call.mailbox_domain(&subject);
    let (error_code, server_url) = match call.base_url() {
        Some(base) => (
            ec::nspi::SUCCESS,
            mapish_wire::autodiscover::mapi_url_from_base(&base, target, &subject.guid, &domain),
        ),
        None => (ec::nspi::NOT_FOUND, String::new()),
    };
    let encoded = Response::Success(UrlSuccess {
        error_code,
        server_url: server_url.clone(),
        aux: Vec::new(),
    })
    .encode();
    call.answer(&in_use, encoded, error_code, &server_url)
}

async fn ping(mut call: Call) -> Reply {
    let (in_use, _mailbox) = match call.session(PING) {
        Ok(pair) => pair,
        Err(reply) => return reply,
    };
    if let Err(reply) = call.read_body(Some(in_use.session())).await {
        return reply;
    }
    if !call.body.is_empty() {
        return call.fail(
            Some(in_use.session()),
            ResponseCode::InvalidRequestBody,
            "PING has no body",
        );
    }
    call.log(Some(in_use.session()), ResponseCode::Success, 0, 0, "ping");
    let cookies = in_use.session().cookies(call.app.secure(), false);
    call.success(&cookies, &[])
}

/// A success body that carries an NSPI return value.
trait Answer: Codec {
    fn error_code(&self) -> u32;
}

macro_rules! answers {
    ($($t:ty),* $(,)?) => {
        $(impl Answer for $t {
            fn error_code(&self) -> u32 {
                self.error_code
            }
        })*
    };
}

answers!(
    nspi_wire::CompareMIdsSuccess,
    nspi_wire::DnToMIdSuccess,
    nspi_wire::GetMatchesSuccess,
    nspi_wire::GetSpecialTableSuccess,
    nspi_wire::PropertyListSuccess,
    nspi_wire::ResolveNamesSuccess,
    nspi_wire::ResortRestrictionSuccess,
    nspi_wire::StatRowsSuccess,
    nspi_wire::TagListSuccess,
    nspi_wire::UpdateStatSuccess,
);

/// A request served from the session's address book: session checks, body decoded as `Req` (else 12),
/// `op` run on the snapshot, the success body `Response::Success(op(..))` returned with a new sequence
/// cookie.
async fn served<Req: Codec, Out: Answer>(
    mut call: Call,
    op: impl FnOnce(&gal::Gal, &Req) -> Out,
) -> Reply {
    let (in_use, _mailbox, req) = match call.open::<Req>(SEQUENCED).await {
        Ok(opened) => opened,
        Err(reply) => return reply,
    };
    let book = match gal::of(in_use.session()) {
        Some(g) => g,
        None => match gal::Gal::load(&call.app.store, &call.snap) {
            Ok(g) => {
                let g = Arc::new(g);
                gal::remember(in_use.session(), Arc::clone(&g));
                g
            }
            Err(e) => {
                tracing::error!("cannot read the address book: {e}");
                return call.fail(
                    Some(in_use.session()),
                    ResponseCode::UnknownFailure,
                    "store error",
                );
            }
        },
    };
    let out = op(&book, &req);
    let code = out.error_code();
    let detail = ec::name(code).map_or_else(|| format!("0x{code:08X}"), str::to_string);
    call.answer(&in_use, Response::Success(out).encode(), code, &detail)
}

async fn not_supported(mut call: Call) -> Reply {
    let (in_use, _mailbox) = match call.session(SEQUENCED) {
        Ok(pair) => pair,
        Err(reply) => return reply,
    };
    if let Err(reply) = call.read_body(Some(in_use.session())).await {
        return reply;
    }
    let body = Response::<mapish_wire::body::ErrorCodeOnly>::Failure(FailureBody {
        status_code: ec::nspi::NOT_SUPPORTED,
        aux: Vec::new(),
    })
    .encode()
    .unwrap_or_default();
    call.log(
        Some(in_use.session()),
        ResponseCode::Success,
        ec::nspi::NOT_SUPPORTED,
        0,
        "request type not served",
    );
    let cookies = in_use.session().cookies(call.app.secure(), true);
    call.success(&cookies, &body)
}
