//! POX Autodiscover (MS-OXDSCLI): `POST /autodiscover/autodiscover.xml`, authenticated. The mapiHttp
//! Protocol element is included only for a client that sent a valid `X-MapiHttpCapability` and a mailbox
//! for which MAPI over HTTP is in effect (§3.2.5.1), with the endpoint URLs built from this server's MAPI
//! virtual directory.
//!
//! Authentication: there is no Autodiscover virtual directory object in the store, so the schemes are those
//! of Exchange's default Autodiscover directory (Basic and Windows authentication: NTLM, Negotiate), on the
//! connection as for `/mapi`.

use std::sync::Arc;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use mapish_store::{AuthMethod, Mailbox};
use mapish_wire::Endpoint;
use mapish_wire::autodiscover::{
    AutodiscoverError, AutodiscoverRequest, AutodiscoverResponse, AutodiscoverUser, EndpointUrls,
    MAPI_HTTP_CAPABILITY_HEADER, MapiHttpProtocol, OUTLOOK_RESPONSE_SCHEMA, mapi_url_from_base,
    negotiate_mapi_http_version,
};

use crate::app::App;
use crate::auth::ConnAuth;
use crate::mapi;
use crate::limits;
use crate::logs::AccessRecord;
use crate::mapi::mailbox_domain;
use crate::response::{self, Body};

/// The schemes offered, in Exchange's order for its default Autodiscover directory.
const METHODS: [AuthMethod; 3] = [AuthMethod::Basic, AuthMethod::Ntlm, AuthMethod::Negotiate];

/// Handles an Autodiscover request.
pub async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
    conn: &ConnAuth,
    access: &mut AccessRecord,
) -> Response<Body> {
    let (principal, req, final_token) =
        match mapi::authenticate_with(&app, req, conn, &METHODS, None, access).await {
            Ok(ok) => ok,
            Err(reply) => return reply.response,
        };
    let mut response = answer(app, req, principal, access).await;
    // Negotiate's last token (accept-completed, mechListMIC) rides on the answer, as IIS sends it.
    if let Some(v) = final_token {
        response.headers_mut().append(header::WWW_AUTHENTICATE, v);
    }
    response
}

/// The Autodiscover answer for an authenticated request.
async fn answer(
    app: Arc<App>,
    req: Request<Incoming>,
    principal: crate::auth::Principal,
    access: &mut AccessRecord,
) -> Response<Body> {
    let snap = app.live.current();
    access.user.clone_from(&principal.logon_name);
    if req.method() != Method::POST {
        return error_xml(600, "Invalid Request");
    }
    let capability = req
        .headers()
        .get(MAPI_HTTP_CAPABILITY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let limits = &app.config.limits;
    // An Autodiscover request is a few hundred bytes; the MAPI cap is generous for it.
    if limits::announced_too_large(req.headers(), limits.max_body_bytes) {
        return error_xml(600, "Invalid Request");
    }
    let Ok(body) = limits::read_body(
        req.into_body(),
        limits.max_body_bytes,
        limits.body_read_timeout,
    )
    .await
    else {
        return error_xml(600, "Invalid Request");
    };
    let request = match AutodiscoverRequest::parse(&body) {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!("unparsable Autodiscover request: {e}");
            return error_xml(600, "Invalid Request");
        }
    };
    match request.acceptable_response_schema.as_deref() {
        Some(OUTLOOK_RESPONSE_SCHEMA) => {}
        Some(_) => return error_xml(601, "Provider is not available"),
        None => return error_xml(600, "Invalid Request"),
    }
    // LegacyDN wins over the address when both are given (MS-OXDSCLI §3.2.5).
    let Some(wanted) = request
        .legacy_dn
        .as_deref()
        .or(request.email_address.as_deref())
    else {
        return error_xml(600, "Invalid Request");
    };
    let mailbox = match find(&app, wanted) {
        Ok(Some(m)) => m,
        Ok(None) => return error_xml(501, "The email address can't be found."),
        Err(e) => {
            tracing::error!("cannot read the store for Autodiscover: {e}");
            return error_xml(603, "Server Error");
        }
    };
    let mut answer = AutodiscoverResponse {
        user: AutodiscoverUser {
            display_name: if mailbox.display_name.is_empty() {
                mailbox.name.clone()
            } else {
                mailbox.display_name.clone()
            },
            legacy_dn: mailbox.legacy_exchange_dn.clone(),
            smtp_address: mailbox.primary_smtp_address.clone(),
            deployment_id: snap.org.as_ref().map(|o| o.guid),
        },
        mapi_http: None,
        legacy_protocols: Vec::new(),
    };
    if let (Some(version), Some(vdir)) = (
        negotiate_mapi_http_version(capability.as_deref()),
        &snap.vdir,
    ) && App::effective(&snap, &mailbox)
    {
        let domain = mailbox_domain(&mailbox, &snap);
        let external = if mailbox.mapi_block_outlook_external_connectivity {
            None
        } else {
            vdir.external_url.as_deref()
        };
        let urls = |endpoint| EndpointUrls {
            internal: vdir
                .internal_url
                .as_deref()
                .filter(|u| !u.is_empty())
                .map(|u| mapi_url_from_base(u, endpoint, &mailbox.guid, &domain)),
            external: external
                .filter(|u| !u.is_empty())
                .map(|u| mapi_url_from_base(u, endpoint, &mailbox.guid, &domain)),
        };
        let mail_store = urls(Endpoint::Emsmdb);
        if mail_store.internal.is_some() || mail_store.external.is_some() {
            answer.mapi_http = Some(MapiHttpProtocol {
                version,
                mail_store,
                address_book: urls(Endpoint::Nspi),
            });
        }
    }
    match answer.to_xml() {
        Ok(xml) => xml_response(xml),
        Err(e) => {
            tracing::error!("cannot build the Autodiscover response: {e}");
            error_xml(603, "Server Error")
        }
    }
}

/// The mailbox whose LegacyExchangeDN, PrimarySmtpAddress or UserPrincipalName is `wanted`.
fn find(app: &App, wanted: &str) -> Result<Option<Mailbox>, mapish_store::StoreError> {
    Ok(app.store.find_mailboxes(wanted)?.into_iter().find(|m| {
        [
            &m.legacy_exchange_dn,
            &m.primary_smtp_address,
            &m.user_principal_name,
        ]
        .iter()
        .any(|v| v.eq_ignore_ascii_case(wanted))
    }))
}

fn error_xml(code: u32, message: &str) -> Response<Body> {
    let now = chrono::Utc::now();
    let err = AutodiscoverError {
        error_code: code,
        message: message.to_string(),
        // Exchange writes hh:mm:ss.fffffff (100 ns ticks).
        time: format!(
            "{}.{:07}",
            now.format("%H:%M:%S"),
            chrono::Timelike::nanosecond(&now) % 1_000_000_000 / 100
        ),
        id: (mapish_store::Uuid::new_v4().as_u128() as u32).to_string(),
        debug_data: String::new(),
    };
    match err.to_xml() {
        Ok(xml) => xml_response(xml),
        Err(_) => response::plain(StatusCode::BAD_REQUEST, "Invalid Request"),
    }
}

fn xml_response(xml: String) -> Response<Body> {
    let mut r = Response::new(Body::full(xml));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    r
}
