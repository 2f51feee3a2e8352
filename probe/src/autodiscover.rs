//! POX Autodiscover as Outlook asks for MAPI over HTTP settings (MS-OXDSCLI §3.1.4): POST the
//! request document with `X-MapiHttpCapability: 1` and read the `mapiHttp` Protocol element back.

use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, StatusCode};
use mapish_commands::probe::{FailureCause, ProbeAccount};
use mapish_wire::autodiscover::{
    AUTODISCOVER_PATH, AutodiscoverOutcome, AutodiscoverRequest, AutodiscoverUser,
    MAPI_HTTP_CAPABILITY_HEADER, MapiHttpProtocol, parse_response,
};

use crate::error::ProbeError;
use crate::http::{self, Http};
use crate::mapi::auth_failed;

/// What Autodiscover told about the mailbox.
#[derive(Debug, Clone)]
pub struct Discovered {
    pub user: AutodiscoverUser,
    pub mapi_http: MapiHttpProtocol,
}

/// Asks the Autodiscover service on `http`'s host for `account`'s MAPI over HTTP settings.
pub async fn discover(
    http: &mut Http,
    account: &ProbeAccount,
) -> Result<(Discovered, String), ProbeError> {
    let email = &account.email_address;
    let document = AutodiscoverRequest::for_email(email.clone())
        .to_xml()
        .map_err(|e| ProbeError::protocol("The Autodiscover request could not be written.", e))?;
    let template = http.request(Method::POST, AUTODISCOVER_PATH);
    let headers = template.headers_ref().cloned().unwrap_or_default();
    let body = document.into_bytes();
    let mut build = |authorization: Option<&str>| {
        let mut builder = hyper::Request::builder()
            .method(Method::POST)
            .uri(AUTODISCOVER_PATH)
            .header(CONTENT_TYPE, "text/xml; charset=utf-8")
            // MS-OXDSCLI §3.1.4: a client that speaks MAPI over HTTP says so; "1" as Outlook sends it.
            .header(MAPI_HTTP_CAPABILITY_HEADER, "1")
            .header("X-AnchorMailbox", email.as_str());
        for (name, value) in &headers {
            builder = builder.header(name, value);
        }
        if let Some(auth) = authorization {
            builder = builder.header(AUTHORIZATION, auth);
        }
        http::with_body(builder, body.clone())
    };
    let reply = http.send_authed("Autodiscover", &mut build).await?;
    let at = format!("{}{AUTODISCOVER_PATH}", http.target());
    match reply.status {
        StatusCode::OK => {}
        StatusCode::UNAUTHORIZED => {
            return Err(auth_failed(&reply, &account.user_name, "Autodiscover"));
        }
        other => {
            return Err(ProbeError::protocol(
                format!(
                    "Autodiscover at {at} answered HTTP {other}; the server must answer the POX Autodiscover request there."
                ),
                reply.text(300),
            ));
        }
    }
    let outcome = parse_response(&reply.body).map_err(|e| {
        ProbeError::protocol(
            format!("The Autodiscover answer from {at} is not an Autodiscover response."),
            e,
        )
    })?;
    match outcome {
        AutodiscoverOutcome::Settings(settings) => match settings.mapi_http {
            Some(mapi_http) => {
                let detail = format!(
                    "mapiHttp Version {} for {}; MailStore {}{}",
                    mapi_http.version,
                    settings.user.smtp_address,
                    mapi_http
                        .mail_store
                        .internal
                        .as_deref()
                        .or(mapi_http.mail_store.external.as_deref())
                        .unwrap_or("(none)"),
                    http.scheme_note()
                );
                Ok((
                    Discovered {
                        user: settings.user,
                        mapi_http,
                    },
                    detail,
                ))
            }
            None => Err(ProbeError::new(
                FailureCause::AutodiscoverNoMapiHttp,
                format!(
                    "Autodiscover did not offer mapiHttp for {email}: the answer has no <Protocol Type=\"mapiHttp\">, so Outlook would fall back to Outlook Anywhere (RPC over HTTP)."
                ),
                "no mapiHttp Protocol element in the Autodiscover response",
            )),
        },
        AutodiscoverOutcome::Error(e) => Err(ProbeError::new(
            FailureCause::AutodiscoverError(e.error_code),
            format!(
                "Autodiscover answered error {} ({}) for {email}.",
                e.error_code, e.message
            ),
            format!("Autodiscover ErrorCode {}: {}", e.error_code, e.message),
        )),
        AutodiscoverOutcome::RedirectAddr(to) | AutodiscoverOutcome::RedirectUrl(to) => {
            Err(ProbeError::protocol(
                format!(
                    "Autodiscover redirected the request for {email} to {to}; the probe does not follow redirects."
                ),
                format!("redirect to {to}"),
            ))
        }
    }
}
