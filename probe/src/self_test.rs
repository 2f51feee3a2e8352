//! OutlookMapiHttpSelfTestProbe: the endpoint can receive MAPI over HTTP traffic. The host
//! resolves, TLS is accepted with a certificate covering the host, an unauthenticated request is
//! challenged with the configured schemes, and the health check is healthy. No logon.

use hyper::{Method, StatusCode};
use mapish_commands::probe::{FailureCause, ProbeFailure, ProbeReport, ProbeRequest};
use mapish_wire::RequestType;
use mapish_wire::headers::X_RESPONSE_CODE;
use mapish_wire::response_code::parse_response_code_header;

use crate::error::ProbeError;
use crate::http::{self, Http};
use crate::mapi::{MapiSession, directory_missing, response_code};
use crate::steps::Recorder;
use crate::target;
use crate::tls::Trust;

pub async fn run(request: &ProbeRequest) -> ProbeReport {
    let mut rec = Recorder::new(request);
    let mut target_url = request.directory_url.clone();
    let failure = check(&mut rec, request, &mut target_url).await.err();
    ProbeReport {
        target_url,
        steps: rec.into_steps(),
        failure,
    }
}

async fn check(
    rec: &mut Recorder,
    request: &ProbeRequest,
    target_url: &mut String,
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
    rec.step(
        format!("Unauthenticated POST {base}/emsmdb/ (expects 401)"),
        challenge(&mut http, &base, &request.expected_schemes),
    )
    .await?;
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
) -> Result<((), String), ProbeError> {
    let path = format!("{base}/emsmdb/");
    let mut session = MapiSession::new(path.clone(), "", None);
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
    Ok((
        (),
        format!("401 Unauthorized offering {}", offered.join(", ")),
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
