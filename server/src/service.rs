//! The entry point of every request: draining check, routing by path (case-insensitively, as IIS does),
//! and the access log line.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use mapish_wire::{Endpoint, ResponseCode};

use crate::app::App;
use crate::auth::ConnAuth;
use crate::logs::AccessRecord;
use crate::mapi::{self, Reply};
use crate::response::{self, Body, Echo};
use crate::{autodiscover, health};

/// Answers one request.
pub async fn serve(
    app: Arc<App>,
    peer: SocketAddr,
    conn: Arc<ConnAuth>,
    req: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let in_flight = app.shutdown.enter();
    let started = Instant::now();
    let echo = Echo::from_headers(req.headers());
    let mut access = AccessRecord {
        time: chrono::Utc::now(),
        client: peer.to_string(),
        method: req.method().to_string(),
        path: req
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
        request_type: echo.request_type_text(),
        request_id: echo.request_id_text(),
        ..AccessRecord::default()
    };
    let path = req.uri().path().to_ascii_lowercase();
    let reply: Reply = if app.shutdown.is_draining() {
        draining(&app, &path, echo).into()
    } else if path == "/mapi/healthcheck.htm" {
        health::handle(&app, req.method()).into()
    } else if path == "/autodiscover/autodiscover.xml" {
        autodiscover::handle(Arc::clone(&app), req, &conn, &mut access)
            .await
            .into()
    } else if let Some(endpoint) = Endpoint::from_path(&path) {
        mapi::handle(Arc::clone(&app), req, endpoint, peer, &conn, &mut access).await
    } else if path.starts_with("/mapi/") && app.live.current().vdir.is_some() {
        invalid_path(&app, req, &conn, &mut access).await
    } else {
        response::plain(StatusCode::NOT_FOUND, "404 Not Found").into()
    };
    if !reply.streaming {
        access.status = reply.response.status().as_u16();
        access.response_code = reply
            .response
            .headers()
            .get("x-responsecode")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        access.elapsed_ms = crate::config::millis(started.elapsed());
        app.logs.access(access);
    }
    drop(in_flight);
    Ok(reply.response)
}

/// New requests while draining: MAPI clients get X-ResponseCode 18 (Endpoint Shutting Down), others 503;
/// the connection closes after the answer.
fn draining(app: &App, path: &str, echo: Echo) -> Response<Body> {
    let mut r = if path.starts_with("/mapi/") && path != "/mapi/healthcheck.htm" {
        response::mapi_error(
            &app.common(echo),
            ResponseCode::EndpointShuttingDown,
            "the server is shutting down",
        )
    } else if path == "/mapi/healthcheck.htm" {
        health::handle(app, &Method::GET)
    } else {
        response::plain(
            StatusCode::SERVICE_UNAVAILABLE,
            "503 Service Unavailable: shutting down",
        )
    };
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

/// Another path under an existing `/mapi` directory: authenticated, then X-ResponseCode 3.
async fn invalid_path(
    app: &Arc<App>,
    req: Request<Incoming>,
    conn: &ConnAuth,
    access: &mut AccessRecord,
) -> Reply {
    let common = app.common(Echo::from_headers(req.headers()));
    match mapi::authenticate(app, req, conn, &common, access).await {
        Ok((principal, _req, final_token)) => {
            access.user = principal.logon_name;
            let mut r =
                response::mapi_error(&common, ResponseCode::InvalidPath, "no such MAPI endpoint");
            if let Some(v) = final_token {
                r.headers_mut().append(header::WWW_AUTHENTICATE, v);
            }
            r.into()
        }
        Err(reply) => reply,
    }
}
