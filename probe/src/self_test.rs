//! OutlookMapiHttpSelfTestProbe: the endpoint can receive MAPI over HTTP traffic. The host
//! resolves, TLS is accepted with a certificate covering the host, an unauthenticated request is
//! challenged with the configured schemes, the scheme a client would use (Negotiate, then NTLM,
//! then Basic) starts its handshake (NTLM and Negotiate answer a NEGOTIATE with a CHALLENGE), and
//! the health check is healthy. No logon: the self test has no account.

use base64::Engine;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};
use hyper::{Method, StatusCode};
use mapish_commands::probe::{FailureCause, ProbeFailure, ProbeReport, ProbeRequest};
use mapish_wire::RequestType;
use mapish_wire::headers::X_RESPONSE_CODE;
use mapish_wire::response_code::parse_response_code_header;

use crate::auth::{self, Scheme};
use crate::error::ProbeError;
use crate::http::{self, Http};
use crate::mapi::{MapiSession, directory_missing, response_code};
use crate::steps::Recorder;
use crate::target;
use crate::tls::Trust;

pub async fn run(request: &ProbeRequest) -> ProbeReport {
    let mut rec = Recorder::new(request);
    let mut target_url = request.directory_url.clone();
    let mut auth_scheme = None;
    let failure = check(&mut rec, request, &mut target_url, &mut auth_scheme)
        .await
        .err();
    ProbeReport {
        target_url,
        steps: rec.into_steps(),
        failure,
        auth_scheme,
    }
}

async fn check(
    rec: &mut Recorder,
    request: &ProbeRequest,
    target_url: &mut String,
    auth_scheme: &mut Option<String>,
) -> Result<(), ProbeFailure> {
    let dir = rec
        .step("Directory URL", async {
            target::resolve(&request.directory_url, request.hostname.as_deref()).map(|r| {
                let u = r.url();
                (r, u)
            })
        })
        .await?;
    *target_url = dir.url();
    let trust = Trust::new(request.trust_any_certificate);
    let mut http = Http::open(rec, &dir.target, &trust).await?;
    let base = dir.path_and_query.trim_end_matches('/').to_string();
    let offered = rec
        .step(
            format!("Unauthenticated POST {base}/emsmdb/ (expects 401)"),
            challenge(&mut http, &base, &request.expected_schemes),
        )
        .await?;
    match auth::choose(&offered) {
        Some(scheme @ (Scheme::Negotiate | Scheme::Ntlm)) => {
            rec.step(
                format!(
                    "{} NEGOTIATE to {base}/emsmdb/ (expects a CHALLENGE)",
                    scheme.token()
                ),
                handshake_start(&mut http, &base, scheme),
            )
            .await?;
            *auth_scheme = Some(scheme.token().to_string());
        }
        Some(Scheme::Basic) => {
            rec.skip(
                "Authentication handshake",
                "Basic: no handshake to check without credentials",
            );
            *auth_scheme = Some("Basic".into());
        }
        None => {}
    }
    rec.step(
        format!("GET {base}/healthcheck.htm"),
        health(&mut http, &base),
    )
    .await?;
    Ok(())
}

/// An unauthenticated request must get 401 with the schemes the directory configures.
async fn challenge(
    http: &mut Http,
    base: &str,
    expected: &[String],
) -> Result<(Vec<String>, String), ProbeError> {
    let path = format!("{base}/emsmdb/");
    let mut session = MapiSession::new(path.clone(), "", false);
    let reply = session
        .send_raw(http, RequestType::Ping, Vec::new())
        .await?;
    let endpoint = format!("{}{path}", http.target());
    match reply.status {
        StatusCode::UNAUTHORIZED => {}
        StatusCode::NOT_FOUND => return Err(directory_missing(&endpoint, &reply)),
        StatusCode::OK => {
            // A code like 18 (shutting down) comes before authentication.
            if let Some(code) = reply
                .header(X_RESPONSE_CODE)
                .and_then(|v| parse_response_code_header(&v))
                .filter(|c| *c != 0)
            {
                return Err(response_code(RequestType::Ping, code, &reply));
            }
            return Err(ProbeError::new(
                FailureCause::ChallengeMismatch,
                format!(
                    "{endpoint} answered an unauthenticated request without asking for credentials: MAPI over HTTP must never be anonymous."
                ),
                format!(
                    "HTTP 200, X-ResponseCode {}",
                    reply.header("x-responsecode").unwrap_or_default()
                ),
            ));
        }
        other => {
            return Err(ProbeError::protocol(
                format!(
                    "{endpoint} answered an unauthenticated request with HTTP {other} instead of 401 Unauthorized."
                ),
                reply.text(300),
            ));
        }
    }
    let offered = reply.challenge_schemes();
    if offered.is_empty() {
        return Err(ProbeError::new(
            FailureCause::ChallengeMismatch,
            format!(
                "{endpoint} answers 401 without any WWW-Authenticate challenge, so no client can learn how to log on."
            ),
            "HTTP 401 without WWW-Authenticate",
        ));
    }
    let missing: Vec<&String> = expected
        .iter()
        .filter(|e| !offered.iter().any(|o| o.eq_ignore_ascii_case(e)))
        .collect();
    if !missing.is_empty() {
        let missing = missing
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(ProbeError::new(
            FailureCause::ChallengeMismatch,
            format!(
                "The 401 from {endpoint} offers {} but not {missing}, which the directory configures.",
                offered.join(", ")
            ),
            format!(
                "WWW-Authenticate: {}",
                reply.all("www-authenticate").join(" | ")
            ),
        ));
    }
    let text = format!("401 Unauthorized offering {}", offered.join(", "));
    Ok((offered, text))
}

/// The first leg of an NTLM or Negotiate logon, which needs no credentials: the server must answer
/// the NEGOTIATE with 401 and a CHALLENGE (inside a SPNEGO NegTokenResp for Negotiate).
async fn handshake_start(
    http: &mut Http,
    base: &str,
    scheme: Scheme,
) -> Result<((), String), ProbeError> {
    use mapish_ntlm::client::{self, Credentials, Initiator};
    let path = format!("{base}/emsmdb/");
    let mut init = match scheme {
        Scheme::Negotiate => Initiator::negotiate(Credentials::new("", "")),
        _ => Initiator::ntlm(Credentials::new("", "")),
    };
    let token = base64::engine::general_purpose::STANDARD.encode(init.start());
    let builder = http
        .request(Method::POST, &path)
        .header(CONTENT_TYPE, mapish_wire::CONTENT_TYPE)
        .header(
            mapish_wire::headers::X_REQUEST_TYPE,
            RequestType::Ping.as_str(),
        )
        .header(AUTHORIZATION, format!("{} {token}", scheme.token()));
    let reply = http.send(http::empty(builder)?).await?;
    let endpoint = format!("{}{path}", http.target());
    let s = scheme.token();
    let broken = |why: String, reply: &crate::http::Reply| {
        ProbeError::new(
            FailureCause::AuthenticationFailed { scheme: s.into() },
            format!(
                "{endpoint} offers {s} but does not complete its first step: {why}. Clients that prefer {s} (Outlook does) cannot log on."
            ),
            format!(
                "HTTP {}, WWW-Authenticate: {}",
                reply.status,
                reply.all("www-authenticate").join(" | ")
            ),
        )
    };
    if reply.status != StatusCode::UNAUTHORIZED {
        return Err(broken(
            format!(
                "the NEGOTIATE was answered {}, not 401 with a CHALLENGE",
                reply.status
            ),
            &reply,
        ));
    }
    let Some(answer) = auth::continuation(&reply, scheme) else {
        return Err(broken("the 401 carries no CHALLENGE".into(), &reply));
    };
    let challenge = match scheme {
        Scheme::Negotiate => mapish_ntlm::spnego::parse_reply(&answer)
            .and_then(|r| r.response_token)
            .ok_or_else(|| broken("the SPNEGO answer carries no NTLM CHALLENGE".into(), &reply))?,
        _ => answer,
    };
    let parsed = client::parse_challenge(&challenge)
        .map_err(|e| broken(format!("the CHALLENGE is malformed ({})", e.0), &reply))?;
    let inner = if scheme == Scheme::Negotiate {
        "NTLM "
    } else {
        ""
    };
    Ok((
        (),
        format!(
            "{s}: {inner}CHALLENGE from {}{}",
            parsed.nb_computer.as_deref().unwrap_or(&parsed.target_name),
            parsed
                .nb_domain
                .map(|d| format!(", domain {d}"))
                .unwrap_or_default()
        ),
    ))
}

/// `/mapi/healthcheck.htm` must answer 200.
async fn health(http: &mut Http, base: &str) -> Result<((), String), ProbeError> {
    let path = format!("{base}/healthcheck.htm");
    let request = http::empty(http.request(Method::GET, &path))?;
    let reply = http.send(request).await?;
    let url = format!("{}{path}", http.target());
    match reply.status {
        StatusCode::OK => Ok(((), reply.text(200))),
        StatusCode::NOT_FOUND => Err(directory_missing(&url, &reply)),
        other => Err(ProbeError::new(
            FailureCause::Unhealthy,
            format!(
                "The health check {url} answered {other}: {}",
                reply.text(300)
            ),
            format!("HTTP {other}"),
        )),
    }
}
