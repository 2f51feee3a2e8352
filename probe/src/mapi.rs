//! MAPI/HTTP requests as a client sends them (MS-OXCMAPIHTTP §2.2.2): the required headers, the
//! session cookies the server sets, and the reply's `X-ResponseCode` and PROCESSING/DONE framing,
//! all through mapish-wire.

use hyper::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, HeaderValue};
use hyper::{Method, StatusCode};
use mapish_commands::probe::FailureCause;
use mapish_wire::buf::Codec;
use mapish_wire::cookie::SetCookie;
use mapish_wire::headers::{
    X_CLIENT_APPLICATION, X_CLIENT_INFO, X_REQUEST_ID, X_REQUEST_TYPE, X_RESPONSE_CODE,
};
use mapish_wire::response_code::parse_response_code_header;
use mapish_wire::{CONTENT_TYPE as MAPI_CONTENT_TYPE, RequestType, ResponseCode, framing};

use crate::error::ProbeError;
use crate::http::{self, Http, Reply};

/// The client version the probe claims: Outlook 2013 SP1, the first with MAPI over HTTP, matching
/// the server version mapish claims (docs/server.md).
const CLIENT_APPLICATION: &str = "Outlook/15.00.0847.000";

/// One Session Context on one endpoint: its URL, its cookies and its request counter.
pub struct MapiSession {
    path_and_query: String,
    /// Log on as the connection's account (`Http::set_account`); false for the self test's
    /// unauthenticated request.
    authenticated: bool,
    user: String,
    cookies: Vec<(String, String)>,
    /// `{GUID}` of X-RequestId, constant for the session (§2.2.3.3.2).
    request_guid: String,
    /// `{GUID}:1` of X-ClientInfo, constant for this client instance (§2.2.3.3.4).
    client_info: String,
    counter: u32,
}

impl MapiSession {
    /// A session at `path_and_query` (e.g. `/mapi/emsmdb/?MailboxId=…`), authenticated as `user`
    /// (the connection's account) or not (the self test's 401 check).
    pub fn new(path_and_query: String, user: &str, authenticated: bool) -> MapiSession {
        MapiSession {
            path_and_query,
            authenticated,
            user: user.to_string(),
            cookies: Vec::new(),
            request_guid: braced_guid(),
            client_info: format!("{}:1", braced_guid()),
            counter: 0,
        }
    }

    /// Sends one request and answers the reply without interpreting it.
    pub async fn send_raw(
        &mut self,
        http: &mut Http,
        request_type: RequestType,
        body: Vec<u8>,
    ) -> Result<Reply, ProbeError> {
        self.counter += 1;
        let request_id = format!("{}:{}", self.request_guid, self.counter);
        let cookies = (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        });
        let path = self.path_and_query.clone();
        let client_info = self.client_info.clone();
        let template = http.request(Method::POST, &path);
        let headers = template.headers_ref().cloned().unwrap_or_default();
        let mut build = move |authorization: Option<&str>| {
            let mut builder = hyper::Request::builder()
                .method(Method::POST)
                .uri(path.as_str());
            for (name, value) in &headers {
                builder = builder.header(name, value);
            }
            builder = builder
                .header(CONTENT_TYPE, MAPI_CONTENT_TYPE)
                .header("Accept", MAPI_CONTENT_TYPE)
                .header(X_REQUEST_TYPE, request_type.as_str())
                .header(X_REQUEST_ID, request_id.as_str())
                .header(X_CLIENT_INFO, client_info.as_str())
                .header(X_CLIENT_APPLICATION, CLIENT_APPLICATION);
            if let Some(auth) = authorization
                && let Ok(value) = HeaderValue::from_str(auth)
            {
                builder = builder.header(AUTHORIZATION, value);
            }
            if let Some(jar) = &cookies {
                builder = builder.header(COOKIE, jar.as_str());
            }
            http::with_body(builder, body.clone())
        };
        let reply = if self.authenticated {
            http.send_authed(request_type.as_str(), &mut build).await?
        } else {
            http.send(build(None)?).await?
        };
        self.absorb(&reply);
        Ok(reply)
    }

    /// Sends one request and answers the binary body after the meta block, or why there is none.
    pub async fn call(
        &mut self,
        http: &mut Http,
        request_type: RequestType,
        body: Vec<u8>,
    ) -> Result<Vec<u8>, ProbeError> {
        let reply = self.send_raw(http, request_type, body).await?;
        let endpoint = format!("{} {}", http.target(), self.path_and_query);
        match reply.status {
            StatusCode::OK => {}
            StatusCode::UNAUTHORIZED => {
                return Err(auth_failed(&reply, &self.user, request_type.as_str()));
            }
            StatusCode::NOT_FOUND => return Err(directory_missing(&endpoint, &reply)),
            other => {
                return Err(ProbeError::protocol(
                    format!(
                        "{request_type} at {endpoint} answered HTTP {other} instead of 200 OK: a MAPI over HTTP endpoint answers every request it understands with 200 and an X-ResponseCode."
                    ),
                    reply.text(300),
                ));
            }
        }
        let code = reply
            .header(X_RESPONSE_CODE)
            .and_then(|v| parse_response_code_header(&v));
        match code {
            Some(0) => {}
            Some(n) => return Err(response_code(request_type, n, &reply)),
            None => {
                return Err(ProbeError::protocol(
                    format!(
                        "{request_type} at {endpoint} answered without an X-ResponseCode header: it is not a MAPI over HTTP endpoint."
                    ),
                    reply.text(300),
                ));
            }
        }
        let parsed = framing::decode_response(&reply.body).map_err(|e| {
            ProbeError::protocol(
                format!("The {request_type} reply is not a PROCESSING/DONE response stream."),
                e,
            )
        })?;
        // A failure found after the 200 was sent travels in the meta block (§3.2.5.2).
        match parsed.response_code() {
            Ok(None | Some(0)) => {}
            Ok(Some(n)) => return Err(response_code(request_type, n, &reply)),
            Err(e) => {
                return Err(ProbeError::protocol(
                    format!("The {request_type} reply has a malformed X-ResponseCode after DONE."),
                    e,
                ));
            }
        }
        Ok(parsed.body.to_vec())
    }

    /// Remembers the cookies the server sets, and forgets the ones it expires.
    fn absorb(&mut self, reply: &Reply) {
        for line in reply.all("set-cookie") {
            match SetCookie::parse(&line) {
                Ok(c) => {
                    self.cookies.retain(|(n, _)| *n != c.name);
                    if !c.is_removal() {
                        self.cookies.push((c.name, c.value));
                    }
                }
                Err(e) => tracing::debug!("ignoring an unparsable Set-Cookie: {e}"),
            }
        }
    }
}

/// Decodes a reply body with the wire codec.
pub fn decode<T: Codec>(request_type: RequestType, body: &[u8]) -> Result<T, ProbeError> {
    T::decode(body).map_err(|e| {
        ProbeError::protocol(
            format!("The {request_type} response body cannot be decoded."),
            e,
        )
    })
}

/// `ErrorCode` (or `ReturnValue`) with its name, e.g. `0x80040111 (ecLoginFailure)`.
pub fn ec_text(value: u32) -> String {
    match mapish_wire::ec::name(value) {
        Some(name) => format!("{value:#010x} ({name})"),
        None => format!("{value:#010x}"),
    }
}

/// A non-zero `X-ResponseCode`, named, with what it means for the administrator.
pub fn response_code(request_type: RequestType, code: u32, reply: &Reply) -> ProbeError {
    let named = match ResponseCode::try_from(code) {
        Ok(c) => c.to_string(),
        Err(_) => format!("{code} (undefined)"),
    };
    let mut message = format!("Unexpected X-ResponseCode {named} to {request_type}.");
    if let Some(meaning) = meaning(code) {
        message.push(' ');
        message.push_str(meaning);
    }
    ProbeError::new(
        FailureCause::ResponseCode(code),
        message,
        format!("X-ResponseCode {code}: {}", reply.text(300)),
    )
}

/// What a response code tells an administrator (MS-OXCMAPIHTTP §2.2.3.3.3, docs/server.md).
fn meaning(code: u32) -> Option<&'static str> {
    Some(match code {
        1 => "The server failed without saying why; its log has the details.",
        2..=9 | 11..=14 | 17 => {
            "The server refused the request as malformed: the probe and the server disagree about the protocol."
        }
        10 => {
            "The server no longer knows the session: it expired, was ended, or the server restarted or lost its directory."
        }
        15 => "Another request on the same session was still running.",
        16 => "MAPI over HTTP is not in effect for this mailbox.",
        18 => "The server is shutting down.",
        _ => return None,
    })
}

/// A 401 that the logon did not get past (`auth` names refusals and unusable schemes itself).
pub fn auth_failed(reply: &Reply, user: &str, what: &str) -> ProbeError {
    match crate::auth::choose(&reply.challenge_schemes()) {
        Some(scheme) => crate::auth::refused(scheme, reply, user, what),
        None => crate::auth::no_scheme(reply, what),
    }
}

/// A 404 under /mapi: the server has no MAPI virtual directory.
pub fn directory_missing(endpoint: &str, reply: &Reply) -> ProbeError {
    ProbeError::new(
        FailureCause::DirectoryMissing,
        format!(
            "The MAPI virtual directory is missing: {endpoint} answered 404 Not Found. Create it with New-MapiVirtualDirectory."
        ),
        format!("HTTP 404: {}", reply.text(200)),
    )
}

fn braced_guid() -> String {
    format!(
        "{{{}}}",
        uuid::Uuid::new_v4().hyphenated().to_string().to_uppercase()
    )
}
