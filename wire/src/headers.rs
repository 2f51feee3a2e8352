//! HTTP header names of MAPI/HTTP (MS-OXCMAPIHTTP §2.2.3), shared so the
//! server and the probe spell them the same way.

/// Request type; echoed in the response (§2.2.3.3.1).
pub const X_REQUEST_TYPE: &str = "X-RequestType";
/// `<GUID>:<counter>`; echoed verbatim (§2.2.3.3.2).
pub const X_REQUEST_ID: &str = "X-RequestId";
/// Client instance id; echoed verbatim (§2.2.3.3.4).
pub const X_CLIENT_INFO: &str = "X-ClientInfo";
/// `Outlook/15.xx.xxxx.xxxx`; the client version (§2.2.3.3.6).
pub const X_CLIENT_APPLICATION: &str = "X-ClientApplication";
/// Response code, as HTTP header and as additional header (§2.2.3.3.3).
pub const X_RESPONSE_CODE: &str = "X-ResponseCode";
/// `Exchange/15.xx.xxxx.xxx` on every response (§2.2.3.3.7).
pub const X_SERVER_APPLICATION: &str = "X-ServerApplication";
/// Milliseconds between PENDING keep-alives (§2.2.3.3.5).
pub const X_PENDING_PERIOD: &str = "X-PendingPeriod";
/// Milliseconds until the Session Context expires (§2.2.3.3.8).
pub const X_EXPIRATION_INFO: &str = "X-ExpirationInfo";
/// Additional header after DONE: server time spent, ms (§2.2.3.3.9).
pub const X_ELAPSED_TIME: &str = "X-ElapsedTime";
/// Additional header after DONE: RFC 1123 start time (§2.2.3.3.10).
pub const X_START_TIME: &str = "X-StartTime";
/// Only for middle boxes; endpoints must not send it (§2.2.3.3.11).
pub const X_DEVICE_INFO: &str = "X-DeviceInfo";
