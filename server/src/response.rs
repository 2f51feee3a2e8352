//! Response building: the response body type (whole or streamed), the headers every MAPI/HTTP response
//! carries (MS-OXCMAPIHTTP §2.2.2.2, §2.2.3.3), error responses with `X-ResponseCode`, and the inner
//! PROCESSING/DONE stream (framing from `mapish_wire::framing`).

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hyper::body::{Frame, SizeHint};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Response, StatusCode};
use mapish_wire::framing::{self, AdditionalHeaders};
use mapish_wire::headers as h;
use mapish_wire::{CONTENT_TYPE, ResponseCode};
use tokio::sync::mpsc;

/// What `X-ServerApplication` says. The ITS checks `^Exchange/15.\d{2}.\d{4}.\d{3}$`; this is Exchange 2013
/// SP1 (15.0.847.32), the first build with MAPI over HTTP. Outlook gates features on this value, and we claim
/// no more than we implement.
pub const SERVER_APPLICATION: &str = "Exchange/15.00.0847.032";

/// A response body: complete (sent with `Content-Length`) or streamed (sent chunked, each piece flushed as
/// it is produced so PROCESSING and PENDING reach the client at once).
#[derive(Debug)]
pub enum Body {
    /// A complete body; `None` once sent.
    Full(Option<Bytes>),
    /// Pieces arriving from the task that produces the response.
    Stream(mpsc::Receiver<Bytes>),
}

impl Body {
    /// A complete body.
    pub fn full(bytes: impl Into<Bytes>) -> Body {
        Body::Full(Some(bytes.into()))
    }

    /// An empty body (`Content-Length: 0`).
    pub fn empty() -> Body {
        Body::Full(None)
    }
}

impl hyper::body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            Body::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            Body::Stream(rx) => rx
                .poll_recv(cx)
                .map(|piece| piece.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, Body::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Body::Full(bytes) => SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64)),
            Body::Stream(_) => SizeHint::default(),
        }
    }
}

/// The request headers a MAPI/HTTP response echoes verbatim (§2.2.3.3.1, .2, .4).
#[derive(Debug, Clone, Default)]
pub struct Echo {
    /// `X-RequestType` as sent.
    pub request_type: Option<HeaderValue>,
    /// `X-RequestId` as sent.
    pub request_id: Option<HeaderValue>,
    /// `X-ClientInfo` as sent.
    pub client_info: Option<HeaderValue>,
}

impl Echo {
    /// Picks the echoed headers out of a request.
    pub fn from_headers(headers: &HeaderMap) -> Echo {
        let get = |name: &str| headers.get(name).cloned();
        Echo {
            request_type: get(h::X_REQUEST_TYPE),
            request_id: get(h::X_REQUEST_ID),
            client_info: get(h::X_CLIENT_INFO),
        }
    }

    fn apply(&self, headers: &mut HeaderMap) {
        for (name, value) in [
            (h::X_REQUEST_TYPE, &self.request_type),
            (h::X_REQUEST_ID, &self.request_id),
            (h::X_CLIENT_INFO, &self.client_info),
        ] {
            if let Some(value) = value {
                headers.insert(HeaderName::from_static(lower(name)), value.clone());
            }
        }
    }

    /// `X-RequestType` as text, for logs.
    pub fn request_type_text(&self) -> String {
        text(&self.request_type)
    }

    /// `X-RequestId` as text, for logs.
    pub fn request_id_text(&self) -> String {
        text(&self.request_id)
    }

    /// `X-ClientInfo` as text, for logs.
    pub fn client_info_text(&self) -> String {
        text(&self.client_info)
    }
}

fn text(v: &Option<HeaderValue>) -> String {
    v.as_ref()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// `HeaderName::from_static` wants lower case; the wire crate spells names as the spec does.
fn lower(name: &'static str) -> &'static str {
    match name {
        h::X_REQUEST_TYPE => "x-requesttype",
        h::X_REQUEST_ID => "x-requestid",
        h::X_CLIENT_INFO => "x-clientinfo",
        h::X_RESPONSE_CODE => "x-responsecode",
        h::X_SERVER_APPLICATION => "x-serverapplication",
        h::X_PENDING_PERIOD => "x-pendingperiod",
        h::X_EXPIRATION_INFO => "x-expirationinfo",
        _ => "x-unknown",
    }
}

/// The values every MAPI/HTTP response of one request carries.
#[derive(Debug, Clone)]
pub struct Common {
    /// Echoed request headers.
    pub echo: Echo,
    /// `X-PendingPeriod` in ms.
    pub pending_period_ms: u64,
    /// `X-ExpirationInfo` in ms.
    pub expiration_ms: u64,
}

impl Common {
    fn apply(&self, headers: &mut HeaderMap, code: ResponseCode) {
        self.echo.apply(headers);
        headers.insert(
            HeaderName::from_static("x-responsecode"),
            HeaderValue::from(code.code()),
        );
        headers.insert(
            HeaderName::from_static("x-serverapplication"),
            HeaderValue::from_static(SERVER_APPLICATION),
        );
        headers.insert(
            HeaderName::from_static("x-pendingperiod"),
            HeaderValue::from(self.pending_period_ms),
        );
        headers.insert(
            HeaderName::from_static("x-expirationinfo"),
            HeaderValue::from(self.expiration_ms),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("private"));
    }
}

/// A non-zero `X-ResponseCode`: HTTP 200 (these are "non-exceptional" failures, §2.2.2.2), `text/html`, and a
/// short diagnostic page.
pub fn mapi_error(common: &Common, code: ResponseCode, detail: &str) -> Response<Body> {
    let page = format!(
        "<html><head><title>{code}</title></head><body><h1>X-ResponseCode: {}</h1><p>{}</p></body></html>",
        code.code(),
        html_escape(detail)
    );
    let mut response = Response::new(Body::full(page));
    let headers = response.headers_mut();
    common.apply(headers, code);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

/// A successful MAPI/HTTP response sent whole: the inner stream `PROCESSING`, `DONE`, additional headers,
/// then `body` (§2.2.7), with `Content-Length`.
pub fn mapi_success(
    common: &Common,
    cookies: &[String],
    started: &Started,
    body: &[u8],
) -> Response<Body> {
    let headers = started.additional(ResponseCode::Success);
    let entity = match framing::encode_response(0, &headers, body) {
        Ok(entity) => entity,
        // Only a header value with a line break could fail, and ours are numbers and a date.
        Err(e) => return internal_error(common, &e.to_string()),
    };
    let mut response = Response::new(Body::full(entity));
    success_headers(response.headers_mut(), common, cookies);
    response
}

/// A successful MAPI/HTTP response whose inner stream is produced by a task: the headers go out at once
/// with `Transfer-Encoding: chunked`; the task sends PROCESSING, PENDING… and the DONE tail with the body.
pub fn mapi_stream(common: &Common, cookies: &[String]) -> (Response<Body>, mpsc::Sender<Bytes>) {
    // A few pieces in flight is plenty: PROCESSING, the odd PENDING, the final piece.
    let (tx, rx) = mpsc::channel(8);
    let mut response = Response::new(Body::Stream(rx));
    success_headers(response.headers_mut(), common, cookies);
    (response, tx)
}

fn success_headers(headers: &mut HeaderMap, common: &Common, cookies: &[String]) {
    common.apply(headers, ResponseCode::Success);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    for cookie in cookies {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            headers.append(header::SET_COOKIE, value);
        }
    }
}

/// When the work for a request started, for `X-ElapsedTime` and `X-StartTime` (§2.2.3.3.9–10).
#[derive(Debug, Clone)]
pub struct Started {
    instant: std::time::Instant,
    date: String,
}

impl Started {
    /// Now.
    pub fn now() -> Started {
        thread_local! {
            /// The last second formatted on this thread, and its text: a busy server starts thousands of
            /// requests per second, and they share a handful of dates.
            static LAST: std::cell::RefCell<(i64, String)> = const { std::cell::RefCell::new((i64::MIN, String::new())) };
        }
        let now = chrono::Utc::now();
        let date = LAST.with(|last| {
            let mut last = last.borrow_mut();
            if last.0 != now.timestamp() {
                *last = (now.timestamp(), http_date(now));
            }
            last.1.clone()
        });
        Started {
            instant: std::time::Instant::now(),
            date,
        }
    }

    /// The additional headers after DONE.
    pub fn additional(&self, code: ResponseCode) -> AdditionalHeaders {
        AdditionalHeaders::new(
            code.code(),
            crate::config::millis(self.instant.elapsed()),
            self.date.clone(),
        )
    }

    /// Milliseconds since start.
    pub fn elapsed_ms(&self) -> u64 {
        crate::config::millis(self.instant.elapsed())
    }
}

/// An RFC 1123 date, as HTTP and `X-StartTime` use.
pub fn http_date(t: chrono::DateTime<chrono::Utc>) -> String {
    use chrono::{Datelike, Timelike};
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[t.weekday().num_days_from_monday() as usize],
        t.day(),
        MONTHS[t.month0() as usize],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// 401 with one `WWW-Authenticate` per scheme the server can complete (none if it can complete none). MAPI
/// requests also get the echo headers and `X-ServerApplication`, as Exchange Online sends them.
pub fn unauthorized(common: Option<&Common>, challenges: &[String]) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    let headers = response.headers_mut();
    if let Some(common) = common {
        common.echo.apply(headers);
        headers.insert(
            HeaderName::from_static("x-serverapplication"),
            HeaderValue::from_static(SERVER_APPLICATION),
        );
    }
    for challenge in challenges {
        if let Ok(value) = HeaderValue::from_str(challenge) {
            headers.append(header::WWW_AUTHENTICATE, value);
        }
    }
    response
}

/// A plain HTTP response with a text body (404, 503, …).
pub fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Body::full(text.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// Something that cannot happen with our own inputs failed. Still no HTTP 500 (Outlook reads 5xx as an
/// authentication problem): X-ResponseCode 1, Unknown Failure.
pub fn internal_error(common: &Common, detail: &str) -> Response<Body> {
    tracing::error!("internal error building a response: {detail}");
    mapi_error(common, ResponseCode::UnknownFailure, "internal error")
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    fn common() -> Common {
        let mut headers = HeaderMap::new();
        headers.insert("x-requesttype", HeaderValue::from_static("ping"));
        headers.insert("x-requestid", HeaderValue::from_static("{A}:7"));
        headers.insert("x-clientinfo", HeaderValue::from_static("{B}-5"));
        Common {
            echo: Echo::from_headers(&headers),
            pending_period_ms: 30000,
            expiration_ms: 900000,
        }
    }

    async fn bytes(r: Response<Body>) -> Vec<u8> {
        r.into_body().collect().await.unwrap().to_bytes().to_vec()
    }

    #[tokio::test]
    async fn error_responses_are_200_text_html_with_every_required_header() {
        let r = mapi_error(
            &common(),
            ResponseCode::MissingHeader,
            "X-RequestId <missing>",
        );
        assert_eq!(r.status(), StatusCode::OK);
        let hd = r.headers();
        assert_eq!(hd["content-type"], "text/html; charset=utf-8");
        assert_eq!(hd["x-responsecode"], "7");
        assert_eq!(
            hd["x-requesttype"], "ping",
            "echoed verbatim, not canonicalised"
        );
        assert_eq!(hd["x-requestid"], "{A}:7");
        assert_eq!(hd["x-clientinfo"], "{B}-5");
        assert_eq!(hd["x-serverapplication"], SERVER_APPLICATION);
        assert_eq!(hd["x-pendingperiod"], "30000");
        assert_eq!(hd["x-expirationinfo"], "900000");
        let body = String::from_utf8(bytes(r).await).unwrap();
        assert!(body.contains("&lt;missing&gt;"), "{body}");
    }

    #[tokio::test]
    async fn success_body_is_the_inner_stream() {
        let started = Started::now();
        let r = mapi_success(&common(), &["a=b".into()], &started, &[1, 2]);
        assert_eq!(r.headers()["content-type"], CONTENT_TYPE);
        assert_eq!(r.headers()["x-responsecode"], "0");
        assert_eq!(r.headers()["set-cookie"], "a=b");
        let entity = bytes(r).await;
        let parsed = framing::decode_response(&entity).unwrap();
        assert!(parsed.starts_with_processing());
        assert_eq!(parsed.response_code().unwrap(), Some(0));
        assert_eq!(parsed.body, [1, 2]);
    }

    #[test]
    fn server_application_matches_the_test_suite_pattern() {
        // ITS: ^Exchange/15.\d{2}.\d{4}.\d{3}$
        let v = SERVER_APPLICATION.strip_prefix("Exchange/15.").unwrap();
        let parts: Vec<&str> = v.split('.').collect();
        assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [2, 4, 3]);
        assert!(parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())));
    }

    #[test]
    fn http_dates_are_rfc_1123() {
        use chrono::TimeZone;
        let t = chrono::Utc.with_ymd_and_hms(2025, 1, 6, 10, 0, 0).unwrap();
        assert_eq!(http_date(t), "Mon, 06 Jan 2025 10:00:00 GMT");
        // The same text as chrono's strftime, every weekday and month.
        for day in 0..400 {
            let t = t + chrono::Duration::days(day) + chrono::Duration::seconds(day * 3_607);
            assert_eq!(
                http_date(t),
                t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
            );
        }
        assert!(Started::now().date.ends_with(" GMT"));
    }
}
