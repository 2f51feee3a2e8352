//! The request pipeline shared by the mailbox and address book endpoints, in the validation order of the
//! fact sheet (§0.1, §4): directory exists (else 404) → authenticated (else 401) → POST (2) → required
//! headers (7) → request type (5) → Content-Type (4) → size (9) → then per request type: session cookie
//! missing (13) / garbage (6) / unknown, expired or another user's (10) / concurrent or stale sequence (15)
//! → MAPI over HTTP effective for the mailbox (16) → body parses (12) → dispatch.

// `Result<_, Reply>` carries a whole response in its error arm on purpose: every early exit of the pipeline
// is an answer, built once per request; boxing it would buy nothing.
#![allow(clippy::result_large_err)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper::header::{self, HeaderMap};
use hyper::{Method, Request, Response, StatusCode};
use mapish_store::{Mailbox, Uuid};
use mapish_wire::cookie::{SEQUENCE_COOKIE, SESSION_COOKIE};
use mapish_wire::framing::{self, PENDING, PROCESSING};
use mapish_wire::headers as h;
use mapish_wire::{CONTENT_TYPE, Endpoint, RequestType, ResponseCode};
use tokio::sync::mpsc;

use crate::app::{App, InFlight};
use crate::auth::{self, ConnAuth, ConnOutcome, Principal};
use crate::limits::{self, BodyError};
use crate::live::Snapshot;
use crate::logs::{AccessRecord, Protocol, ProtocolRecord};
use crate::response::{self, Body, Common, Echo, Started};
use crate::session::{self, EndReason, InUse, Lookup, Session, Use, UseError};
use crate::{emsmdb, nspi};

/// What a handler produced: a response, and whether a task still writes its body (and will write the
/// access log line when done).
pub struct Reply {
    /// The response (headers, and a body or a stream).
    pub response: Response<Body>,
    /// A task owns the rest of the response and its access log line.
    pub streaming: bool,
}

impl From<Response<Body>> for Reply {
    fn from(response: Response<Body>) -> Reply {
        Reply {
            response,
            streaming: false,
        }
    }
}

/// One validated MAPI/HTTP request on its way to a handler.
pub struct Call {
    /// Shared state.
    pub app: Arc<App>,
    /// The configuration in force when the request arrived.
    pub snap: Arc<Snapshot>,
    /// Which endpoint.
    pub endpoint: Endpoint,
    /// The request type.
    pub request_type: RequestType,
    /// Headers every response carries.
    pub common: Common,
    /// The authenticated user.
    pub principal: Principal,
    /// The request headers.
    pub headers: HeaderMap,
    /// The request body, until read.
    pub incoming: Option<Incoming>,
    /// The request body, once read.
    pub body: Bytes,
    /// When work started.
    pub started: Started,
    /// The client.
    pub peer: SocketAddr,
    /// The access log line so far (a streaming task finishes it).
    pub access: AccessRecord,
}

/// Handles a request to `/mapi/emsmdb` or `/mapi/nspi`.
pub async fn handle(
    app: Arc<App>,
    req: Request<Incoming>,
    endpoint: Endpoint,
    peer: SocketAddr,
    conn: &ConnAuth,
    access: &mut AccessRecord,
) -> Reply {
    let snap = app.live.current();
    if snap.vdir.is_none() {
        return response::plain(StatusCode::NOT_FOUND, "404 Not Found").into();
    }
    let echo = Echo::from_headers(req.headers());
    let common = app.common(echo);
    let (principal, req, final_token) = match authenticate(&app, req, conn, &common, access).await {
        Ok(ok) => ok,
        Err(reply) => {
            tracing::debug!(%peer, "401 on {}", endpoint.path_segment());
            return reply;
        }
    };
    access.user.clone_from(&principal.logon_name);
    let mut reply =
        handle_authenticated(app, req, endpoint, peer, snap, common, principal, access).await;
    // Negotiate's last token (accept-completed, mechListMIC) rides on the answer, as IIS sends it.
    if let Some(v) = final_token {
        reply
            .response
            .headers_mut()
            .append(header::WWW_AUTHENTICATE, v);
    }
    reply
}

/// Authenticates a MAPI request on its connection: `Ok` with the principal, the request, and a final
/// `WWW-Authenticate` value for the response; `Err` with the 401 to send. While an NTLM handshake is in
/// progress the request body is read and dropped, so that the connection stays usable for the next step.
pub async fn authenticate(
    app: &Arc<App>,
    req: Request<Incoming>,
    conn: &ConnAuth,
    common: &Common,
    access: &mut AccessRecord,
) -> Result<(Principal, Request<Incoming>, Option<header::HeaderValue>), Reply> {
    let methods = app.live.current().completable_methods();
    authenticate_with(app, req, conn, &methods, Some(common), access).await
}

/// `authenticate` with the schemes `methods` (Autodiscover has its own list); `common` adds the MAPI
/// response headers to a 401.
pub async fn authenticate_with(
    app: &Arc<App>,
    req: Request<Incoming>,
    conn: &ConnAuth,
    methods: &[mapish_store::AuthMethod],
    common: Option<&Common>,
    access: &mut AccessRecord,
) -> Result<(Principal, Request<Incoming>, Option<header::HeaderValue>), Reply> {
    let snap = app.live.current();
    let outcome = app
        .auth
        .authenticate_conn(
            &app.store,
            methods,
            &snap.ntlm_names,
            conn,
            req.headers().get(header::AUTHORIZATION),
        )
        .await;
    match outcome {
        ConnOutcome::Authenticated { principal, header } => Ok((
            principal,
            req,
            header.and_then(|h| header::HeaderValue::from_str(&h).ok()),
        )),
        ConnOutcome::Continue(challenge) => {
            drain(app, req).await;
            Err(response::unauthorized(common, &[challenge]).into())
        }
        ConnOutcome::Denied { user, reason } => {
            tracing::debug!(reason, "authentication refused");
            access.user = user.unwrap_or_default();
            drain(app, req).await;
            let challenges = auth::challenges(methods, &snap.server_label());
            Err(response::unauthorized(common, &challenges).into())
        }
    }
}

/// Reads and drops the body of a request answered 401 (within the usual caps, without keeping it), so that
/// the connection stays open for the next step of an NTLM/Negotiate handshake, as IIS keeps it: hyper closes
/// a connection whose request body was left unread.
async fn drain(app: &App, req: Request<Incoming>) {
    use http_body_util::BodyExt;
    let limits = &app.config.limits;
    if limits::announced_too_large(req.headers(), limits.max_body_bytes) {
        return;
    }
    let mut body = req.into_body();
    let mut left = limits.max_body_bytes;
    let _ = tokio::time::timeout(limits.body_read_timeout, async {
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                if data.len() > left {
                    return;
                }
                left -= data.len();
            }
        }
    })
    .await;
}

/// The pipeline after authentication.
#[allow(clippy::too_many_arguments)]
async fn handle_authenticated(
    app: Arc<App>,
    req: Request<Incoming>,
    endpoint: Endpoint,
    peer: SocketAddr,
    snap: Arc<Snapshot>,
    common: Common,
    principal: Principal,
    access: &mut AccessRecord,
) -> Reply {
    let error =
        |code, detail: &str| -> Reply { response::mapi_error(&common, code, detail).into() };
    if req.method() != Method::POST {
        return error(
            ResponseCode::InvalidVerb,
            "MAPI over HTTP requests use POST",
        );
    }
    for name in [h::X_REQUEST_TYPE, h::X_REQUEST_ID, h::X_CLIENT_INFO] {
        if req.headers().get(name).is_none_or(|v| v.is_empty()) {
            return error(
                ResponseCode::MissingHeader,
                &format!("missing header {name}"),
            );
        }
    }
    let request_type = match req
        .headers()
        .get(h::X_REQUEST_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<RequestType>().ok())
    {
        Some(t) if t.is_valid_on(endpoint) => t,
        _ => {
            return error(
                ResponseCode::InvalidRequestType,
                &format!(
                    "X-RequestType {} is not a request type of this endpoint",
                    common.echo.request_type_text()
                ),
            );
        }
    };
    if let Some(ct) = req.headers().get(header::CONTENT_TYPE) {
        let media = ct.to_str().unwrap_or_default();
        let media = media.split(';').next().unwrap_or_default().trim();
        if !media.eq_ignore_ascii_case(CONTENT_TYPE) {
            return error(
                ResponseCode::InvalidHeader,
                &format!("Content-Type must be {CONTENT_TYPE}"),
            );
        }
    }
    let limits = &app.config.limits;
    if limits::announced_too_large(req.headers(), limits.max_body_bytes) {
        return error(ResponseCode::TooLarge, "request body too large");
    }
    // The body is read after the session checks, while the session is held: a request is outstanding
    // from its first byte, which is what the one-at-a-time rule (15) is about.
    let (parts, body) = req.into_parts();
    let call = Call {
        app: Arc::clone(&app),
        snap,
        endpoint,
        request_type,
        common,
        principal,
        headers: parts.headers,
        incoming: Some(body),
        body: Bytes::new(),
        started: Started::now(),
        peer,
        access: access.clone(),
    };
    match endpoint {
        Endpoint::Emsmdb => emsmdb::handle(call).await,
        Endpoint::Nspi => nspi::handle(call).await,
    }
}

impl Call {
    /// Reads the request body (at most `max_body_bytes`, within `body_read_timeout`) into `self.body`.
    pub async fn read_body(&mut self, session: Option<&Session>) -> Result<(), Reply> {
        let Some(incoming) = self.incoming.take() else {
            return Ok(());
        };
        let limits = &self.app.config.limits;
        match limits::read_body(incoming, limits.max_body_bytes, limits.body_read_timeout).await {
            Ok(b) => {
                self.body = b;
                Ok(())
            }
            Err(BodyError::TooLarge) => {
                Err(self.fail(session, ResponseCode::TooLarge, "request body too large"))
            }
            Err(BodyError::Broken) => Err(self.fail(
                session,
                ResponseCode::InvalidRequestBody,
                "the request body did not arrive",
            )),
        }
    }

    /// Which protocol log this endpoint writes.
    pub fn protocol(&self) -> Protocol {
        match self.endpoint {
            Endpoint::Emsmdb => Protocol::Mailbox,
            Endpoint::Nspi => Protocol::AddressBook,
        }
    }

    /// Writes a protocol log line.
    pub fn log(
        &self,
        session: Option<&Session>,
        code: ResponseCode,
        status: u32,
        error: u32,
        detail: &str,
    ) {
        self.app.logs.protocol(
            self.protocol(),
            ProtocolRecord {
                time: self.access.time,
                client: self.peer.to_string(),
                user: self.principal.logon_name.clone(),
                session: session.map(|s| s.id.short()).unwrap_or_default(),
                request_type: self.request_type.as_str().to_string(),
                request_id: self.common.echo.request_id_text(),
                client_info: self.common.echo.client_info_text(),
                client_application: self
                    .headers
                    .get(h::X_CLIENT_APPLICATION)
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .unwrap_or_default(),
                response_code: code.code(),
                status_code: status,
                error_code: error,
                elapsed_ms: self.started.elapsed_ms(),
                detail: detail.to_string(),
            },
        );
    }

    /// A non-zero X-ResponseCode, logged.
    pub fn fail(&self, session: Option<&Session>, code: ResponseCode, detail: &str) -> Reply {
        self.log(session, code, 0, 0, detail);
        response::mapi_error(&self.common, code, detail).into()
    }

    /// A whole success response.
    pub fn success(&self, cookies: &[String], body: &[u8]) -> Reply {
        response::mapi_success(&self.common, cookies, &self.started, body).into()
    }

    /// The mailbox of the authenticated user, fresh from the store.
    pub fn own_mailbox(&self) -> Result<Option<Mailbox>, Reply> {
        self.app.store.mailbox(self.principal.mailbox).map_err(|e| {
            tracing::error!("cannot read a mailbox: {e}");
            self.fail(None, ResponseCode::UnknownFailure, "store error")
        })
    }

    /// Whether MAPI over HTTP applies to `mailbox` now.
    pub fn effective(&self, mailbox: &Mailbox) -> bool {
        App::effective(&self.snap, mailbox)
    }

    /// What Connect and Bind check before creating a context: the user's mailbox still exists, MAPI
    /// over HTTP is in effect for it, and the request body arrived within the limits.
    pub async fn admit_new_context(&mut self) -> Result<Mailbox, Reply> {
        let mailbox = match self.own_mailbox()? {
            Some(m) => m,
            None => return Err(self.fail(None, ResponseCode::ContextNotFound, "the mailbox no longer exists")),
        };
        if !self.effective(&mailbox) {
            return Err(self.fail(None, ResponseCode::EndpointDisabled, "MAPI over HTTP is not enabled for this mailbox"));
        }
        self.read_body(None).await?;
        Ok(mailbox)
    }

    /// Ends the session named by the request's cookies if it is a live one of this user: a Connect/Bind
    /// with old cookies is a reconnect, and the old context goes first (§3.2.5.6).
    pub fn end_previous_session(&self) {
        let values = session::cookie_values(&self.headers, SESSION_COOKIE);
        let Some(value) = session::pick_session_cookie(&values, self.endpoint) else {
            return;
        };
        if let Lookup::Found(old) = self.app.sessions.lookup(self.endpoint, value)
            && old.mailbox == self.principal.mailbox
        {
            self.app.sessions.end(&old, EndReason::Replaced);
        }
    }

    /// How Disconnect and Unbind end well: the session is ended, the line logged with `error_code`, and the
    /// answer `body` carries cookies that expire the client's.
    pub fn end_session(&self, in_use: InUse, error_code: u32, detail: &str, body: &[u8]) -> Reply {
        let session = Arc::clone(in_use.session());
        self.app.sessions.end(&session, EndReason::Disconnected);
        drop(in_use);
        self.log(Some(&session), ResponseCode::Success, 0, error_code, detail);
        self.success(&session::expired_cookies(self.endpoint, self.app.secure()), body)
    }

    /// How a request on a sequenced session ends well: the encoded success body (an encoding failure answers
    /// UnknownFailure instead), one protocol-log line with the call's return value, and the next sequence
    /// cookie.
    pub fn answer(
        &self,
        in_use: &InUse,
        encoded: mapish_wire::Result<Vec<u8>>,
        error_code: u32,
        detail: &str,
    ) -> Reply {
        let body = match encoded {
            Ok(b) => b,
            Err(e) => {
                return self.fail(
                    Some(in_use.session()),
                    ResponseCode::UnknownFailure,
                    &e.to_string(),
                );
            }
        };
        self.log(Some(in_use.session()), ResponseCode::Success, 0, error_code, detail);
        let cookies = in_use.session().cookies(self.app.secure(), true);
        self.success(&cookies, &body)
    }

    /// How every request on an existing session opens: the session for `usage`, then the body read and
    /// decoded as `T` (a body that does not decode answers 12, InvalidRequestBody).
    pub async fn open<T: mapish_wire::Codec>(&mut self, usage: Use) -> Result<(InUse, Mailbox, T), Reply> {
        let (in_use, mailbox) = self.session(usage)?;
        self.read_body(Some(in_use.session())).await?;
        match T::decode(&self.body) {
            Ok(request) => Ok((in_use, mailbox, request)),
            Err(e) => Err(self.fail(
                Some(in_use.session()),
                ResponseCode::InvalidRequestBody,
                &format!("{}: {e}", T::NAME),
            )),
        }
    }

    /// The session this request continues, started for `usage`, and its mailbox (which must still have
    /// MAPI over HTTP in effect).
    pub fn session(&self, usage: Use) -> Result<(InUse, Mailbox), Reply> {
        let values = session::cookie_values(&self.headers, SESSION_COOKIE);
        let Some(value) = session::pick_session_cookie(&values, self.endpoint) else {
            return Err(self.fail(
                None,
                ResponseCode::MissingCookie,
                "no session context cookie",
            ));
        };
        let found = match self.app.sessions.lookup(self.endpoint, value) {
            Lookup::Found(s) => s,
            Lookup::Garbage => {
                return Err(self.fail(
                    None,
                    ResponseCode::InvalidContextCookie,
                    "malformed session context cookie",
                ));
            }
            Lookup::NotFound => {
                return Err(self.fail(
                    None,
                    ResponseCode::ContextNotFound,
                    "unknown or expired session context",
                ));
            }
            Lookup::Ended(reason) => return Err(self.ended(None, reason)),
        };
        if found.mailbox != self.principal.mailbox {
            // §3.2.5.1: the authentication context differs from the session's.
            return Err(self.fail(
                None,
                ResponseCode::ContextNotFound,
                "session context of another user",
            ));
        }
        let sequences = session::cookie_values(&self.headers, SEQUENCE_COOKIE);
        let in_use = match self.app.sessions.begin(&found, usage, &sequences) {
            Ok(g) => g,
            Err(UseError::MissingSequence) => {
                return Err(self.fail(
                    Some(&found),
                    ResponseCode::MissingCookie,
                    "no sequence cookie",
                ));
            }
            Err(UseError::GarbageSequence) => {
                return Err(self.fail(
                    Some(&found),
                    ResponseCode::InvalidContextCookie,
                    "malformed sequence cookie",
                ));
            }
            Err(UseError::InvalidSequence) => {
                return Err(self.fail(
                    Some(&found),
                    ResponseCode::InvalidSequence,
                    "another request is outstanding on this session, or the sequence cookie is stale",
                ));
            }
            Err(UseError::Ended(reason)) => return Err(self.ended(Some(&found), reason)),
        };
        let mailbox = match self.app.store.mailbox(found.mailbox) {
            Ok(Some(m)) => m,
            Ok(None) => {
                self.app.sessions.end(&found, EndReason::MailboxGone);
                return Err(self.fail(
                    Some(&found),
                    ResponseCode::ContextNotFound,
                    "the mailbox no longer exists",
                ));
            }
            Err(e) => {
                tracing::error!("cannot read a mailbox: {e}");
                return Err(self.fail(Some(&found), ResponseCode::UnknownFailure, "store error"));
            }
        };
        if !self.effective(&mailbox) {
            self.app.sessions.end(&found, EndReason::Disabled);
            return Err(self.fail(
                Some(&found),
                ResponseCode::EndpointDisabled,
                "MAPI over HTTP is not enabled for this mailbox",
            ));
        }
        Ok((in_use, mailbox))
    }

    fn ended(&self, session: Option<&Session>, reason: EndReason) -> Reply {
        match reason {
            EndReason::Disabled => self.fail(
                session,
                ResponseCode::EndpointDisabled,
                "MAPI over HTTP is not enabled for this mailbox",
            ),
            other => self.fail(session, ResponseCode::ContextNotFound, other.as_str()),
        }
    }

    /// The domain part of a mailbox's addresses, for `MailboxId=<guid>@<domain>`.
    pub fn mailbox_domain(&self, m: &Mailbox) -> String {
        mailbox_domain(m, &self.snap)
    }

    /// The directory URL to hand out: the external one when the client came in through its host, else
    /// the internal one, else whichever exists.
    pub fn base_url(&self) -> Option<String> {
        let vdir = self.snap.vdir.as_ref()?;
        let host = self
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase());
        let external_host = vdir.external_url.as_deref().and_then(crate::live::url_host);
        if host.is_some() && host == external_host {
            return vdir.external_url.clone();
        }
        vdir.internal_url
            .clone()
            .or_else(|| vdir.external_url.clone())
    }

    /// Runs `work` as a streamed response: the headers and `PROCESSING` go out at once, `PENDING` every
    /// X-PendingPeriod while `work` runs, then the DONE tail and the body. `work` yields the X-ResponseCode
    /// for the tail (non-zero for failures found late), the body, and a protocol log line.
    pub fn stream<F>(self, cookies: Vec<String>, in_flight: InFlight, work: F) -> Reply
    where
        F: std::future::Future<Output = Streamed> + Send + 'static,
    {
        let (response, tx) = response::mapi_stream(&self.common, &cookies);
        let pending = self.app.config.limits.pending_period;
        tokio::spawn(async move {
            let _in_flight = in_flight;
            let done = produce(&tx, pending, work).await;
            let mut tail_headers = self.started.additional(done.code);
            if !done.code.is_success() {
                tail_headers
                    .extra
                    .push(("Content-Type".into(), "text/html".into()));
            }
            let mut last = match framing::done_tail(&tail_headers) {
                Ok(t) => t,
                Err(e) => {
                    tracing::error!("cannot frame a response tail: {e}");
                    Vec::new()
                }
            };
            last.extend_from_slice(&done.body);
            let _ = tx.send(Bytes::from(last)).await;
            drop(tx);
            self.log(
                done.session.as_deref(),
                done.code,
                0,
                done.error_code,
                &done.detail,
            );
            let mut access = self.access;
            access.status = 200;
            access.response_code = Some(done.code.code());
            access.elapsed_ms = self.started.elapsed_ms();
            self.app.logs.access(access);
        });
        Reply {
            response,
            streaming: true,
        }
    }
}

/// What a streamed request's work produced.
pub struct Streamed {
    /// X-ResponseCode in the tail.
    pub code: ResponseCode,
    /// The binary body after the tail (empty for late failures).
    pub body: Vec<u8>,
    /// ErrorCode, for the log.
    pub error_code: u32,
    /// For the log.
    pub detail: String,
    /// The session, for the log.
    pub session: Option<Arc<Session>>,
}

async fn produce<F: std::future::Future<Output = Streamed>>(
    tx: &mpsc::Sender<Bytes>,
    pending: Duration,
    work: F,
) -> Streamed {
    let _ = tx.send(Bytes::from_static(PROCESSING)).await;
    let mut work = std::pin::pin!(work);
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + pending, pending);
    loop {
        tokio::select! {
            done = &mut work => return done,
            _ = ticks.tick() => {
                // A gone client does not stop the work: it must still release its session properly.
                let _ = tx.send(Bytes::from_static(PENDING)).await;
            }
        }
    }
}

/// The domain of a mailbox's primary SMTP address (else its UPN's, else the server's).
pub fn mailbox_domain(m: &Mailbox, snap: &Snapshot) -> String {
    [&m.primary_smtp_address, &m.user_principal_name]
        .iter()
        .find_map(|a| a.rsplit_once('@').map(|(_, d)| d.to_string()))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| {
            let fqdn = snap.server_label();
            fqdn.split_once('.')
                .map_or(fqdn.clone(), |(_, d)| d.to_string())
        })
}

/// The mailbox Guid in a `…/cn=<guid>@<domain>/…` DN, as GetMailboxUrl receives server DNs.
pub fn guid_in_dn(dn: &str) -> Option<Uuid> {
    dn.split('/')
        .filter_map(|rdn| {
            let (k, v) = rdn.split_once('=')?;
            k.eq_ignore_ascii_case("cn").then_some(v)
        })
        .find_map(|v| Uuid::parse_str(v.split('@').next()?).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_in_server_dns() {
        let g = Uuid::new_v4();
        let dn = format!(
            "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn={g}@contoso.com/cn=Microsoft Private MDB"
        );
        assert_eq!(guid_in_dn(&dn), Some(g));
        assert_eq!(guid_in_dn("/o=Contoso/cn=Servers/cn=EX01"), None);
    }
}
