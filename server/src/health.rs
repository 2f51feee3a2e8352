//! `GET /mapi/healthcheck.htm`: for load balancers, unauthenticated. 200 with the server name while the
//! MAPI virtual directory exists and clients can log on (some configured method can be completed, and the
//! server is not draining); 503 otherwise, saying why.

use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};

use crate::app::App;
use crate::response::Body;

/// Answers the health check.
pub fn handle(app: &App, method: &Method) -> Response<Body> {
    let snap = app.live.current();
    let (status, text) = if app.shutdown.is_draining() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "503 Service Unavailable<br/>shutting down".to_string(),
        )
    } else if snap.vdir.is_none() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "503 Service Unavailable<br/>no MAPI virtual directory on this server".to_string(),
        )
    } else if snap.completable_methods().is_empty() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "503 Service Unavailable<br/>no usable authentication method".to_string(),
        )
    } else {
        // Exchange's page reads "200 OK<br/>server.fqdn".
        (
            StatusCode::OK,
            format!("200 OK<br/>{}", snap.server_label()),
        )
    };
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::full(text)
    };
    let mut r = Response::new(body);
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}
