//! One HTTP/1.1 connection to one target (hyper's client connection, no pool: a probe talks to
//! one or two hosts, one request at a time). If the server closes the connection between requests
//! it is opened again, quietly: that is normal keep-alive behaviour, not a finding. Every request
//! of a probe to one target goes over this one connection, so an NTLM or Negotiate logon (bound to
//! the connection on the server, as in IIS) carries the requests after it; `generation` counts
//! the connections, so a logon is known to be lost when the connection was opened again (`auth`).

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HOST, HeaderMap, HeaderValue, USER_AGENT};
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use mapish_commands::probe::{FailureCause, ProbeFailure};

use crate::conn::{self, Io};
use crate::error::ProbeError;
use crate::steps::Recorder;
use crate::target::Target;
use crate::tls::Trust;

/// Replies larger than this are refused: a MAPI/HTTP reply to the probe's requests is a few
/// hundred bytes, an Autodiscover document a few kilobytes.
const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

/// Sent on every request, so the server's access log tells probe traffic from Outlook's.
pub const PROBE_USER_AGENT: &str = concat!(
    "mapish-probe/",
    env!("CARGO_PKG_VERSION"),
    " (Test-OutlookConnectivity)"
);

/// A whole reply.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    /// Every value of header `name`, as text.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.all(name).into_iter().next()
    }

    /// The `WWW-Authenticate` schemes offered, e.g. `["Basic"]`.
    pub fn challenge_schemes(&self) -> Vec<String> {
        self.all("www-authenticate")
            .iter()
            .filter_map(|v| v.split_whitespace().next().map(str::to_string))
            .collect()
    }

    /// The body as text, cut short for messages.
    pub fn text(&self, max: usize) -> String {
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        match text.char_indices().nth(max) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text.to_string(),
        }
    }
}

/// A connection to one target.
pub struct Http {
    target: Target,
    trust: Trust,
    /// A stream opened by [`Http::open`] and not yet handed to hyper.
    fresh: Option<Io>,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many connections have been opened for this target (the current one's number).
    pub(crate) generation: u64,
    /// Who the probe logs on as on this target, if it does (`auth`).
    pub(crate) auth: crate::auth::AuthState,
}

impl Http {
    /// Opens the connection, recording the resolve, TCP and TLS steps.
    pub async fn open(
        rec: &mut Recorder,
        target: &Target,
        trust: &Trust,
    ) -> Result<Http, ProbeFailure> {
        let io = conn::open(rec, target, trust).await?;
        Ok(Http {
            target: target.clone(),
            trust: trust.clone(),
            fresh: Some(io),
            sender: None,
            generation: 0,
            auth: crate::auth::AuthState::default(),
        })
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// A request for `path_and_query` on this target, with the headers every probe request has.
    pub fn request(&self, method: Method, path_and_query: &str) -> hyper::http::request::Builder {
        let host = HeaderValue::from_str(&self.target.authority())
            .unwrap_or_else(|_| HeaderValue::from_static("localhost"));
        Request::builder()
            .method(method)
            .uri(path_and_query)
            .header(HOST, host)
            .header(USER_AGENT, PROBE_USER_AGENT)
    }

    /// Sends `request` and reads the whole reply.
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Reply, ProbeError> {
        let what = format!("{} {}", request.method(), request.uri());
        let sender = self.ready_sender().await?;
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| self.broken(&what, e))?;
        let (parts, body) = response.into_parts();
        let body = Limited::new(body, MAX_REPLY_BYTES)
            .collect()
            .await
            .map_err(|e| {
                ProbeError::new(
                    FailureCause::Connection,
                    format!(
                        "The reply of {} to {what} could not be read to its end.",
                        self.target
                    ),
                    e,
                )
            })?
            .to_bytes();
        tracing::debug!(target = %self.target, %what, status = %parts.status, len = body.len(), "probe request answered");
        Ok(Reply {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    async fn ready_sender(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, ProbeError> {
        let alive = match &mut self.sender {
            Some(s) => s.ready().await.is_ok(),
            None => false,
        };
        if !alive {
            let io = match self.fresh.take() {
                Some(io) => io,
                None => conn::reopen(&self.target, &self.trust).await?,
            };
            let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
                .await
                .map_err(|e| self.broken("the HTTP handshake", e))?;
            let target = self.target.clone();
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::debug!(%target, "probe connection ended: {e}");
                }
            });
            self.sender = Some(sender);
            self.generation += 1;
        }
        self.sender.as_mut().ok_or_else(|| {
            ProbeError::new(
                FailureCause::Connection,
                format!("No connection to {}.", self.target),
                "no sender",
            )
        })
    }

    fn broken(&self, what: &str, e: hyper::Error) -> ProbeError {
        ProbeError::new(
            FailureCause::Connection,
            format!(
                "The connection to {} broke during {what}: the server closed it without an answer.",
                self.target
            ),
            e,
        )
    }
}

/// A request with no body.
pub fn empty(builder: hyper::http::request::Builder) -> Result<Request<Full<Bytes>>, ProbeError> {
    with_body(builder, Vec::new())
}

/// A request with `body`.
pub fn with_body(
    builder: hyper::http::request::Builder,
    body: Vec<u8>,
) -> Result<Request<Full<Bytes>>, ProbeError> {
    builder
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| ProbeError::protocol("The probe built an invalid HTTP request.", e))
}
