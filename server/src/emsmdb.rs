//! The mailbox endpoint, `/mapi/emsmdb/` (MS-OXCMAPIHTTP §2.2.4): Connect, Execute, Disconnect,
//! NotificationWait and PING.

use std::sync::Arc;

use mapish_store::Mailbox;
use mapish_wire::body::ErrorCodeOnly;
use mapish_wire::buf::Codec;
use mapish_wire::ec;
use mapish_wire::emsmdb::{
    ConnectRequest, ConnectResponse, ConnectSuccess, DisconnectRequest, DisconnectResponse,
    ExecuteRequest, ExecuteResponse, NotificationWaitRequest, NotificationWaitResponse,
    NotificationWaitSuccess, Ping,
};
use mapish_wire::{RequestType, ResponseCode};

use crate::mapi::{Call, Reply, Streamed};
use crate::rops;
use crate::session::{EndReason, Use};

/// Sequence checked and rotated, one request at a time: Execute.
const SEQUENCED: Use = Use {
    check_sequence: true,
    rotate: true,
    exclusive: true,
    wait: false,
};

/// One at a time but without the sequence (Disconnect, like gromox: a client tearing down after a lost
/// response must still get out).
const EXCLUSIVE: Use = Use {
    check_sequence: false,
    rotate: false,
    exclusive: true,
    wait: false,
};

/// PING may overlap anything; it only refreshes the idle timer.
pub const PING: Use = Use {
    check_sequence: false,
    rotate: false,
    exclusive: false,
    wait: false,
};

/// NotificationWait may overlap another request (§3.1.5.5), one wait at a time.
const WAIT: Use = Use {
    check_sequence: false,
    rotate: false,
    exclusive: false,
    wait: true,
};

/// Dispatches a validated mailbox-endpoint request.
pub async fn handle(call: Call) -> Reply {
    match call.request_type {
        RequestType::Connect => connect(call).await,
        RequestType::Execute => execute(call).await,
        RequestType::Disconnect => disconnect(call).await,
        RequestType::NotificationWait => notification_wait(call).await,
        RequestType::Ping => ping(call).await,
        // The pipeline only lets this endpoint's types through.
        _ => call.fail(
            None,
            ResponseCode::InvalidRequestType,
            "not a mailbox request type",
        ),
    }
}

async fn connect(mut call: Call) -> Reply {
    let mailbox = match call.admit_new_context().await {
        Ok(m) => m,
        Err(reply) => return reply,
    };
    let req = match ConnectRequest::decode(&call.body) {
        Ok(r) => r,
        Err(e) => {
            return call.fail(
                None,
                ResponseCode::InvalidRequestBody,
                &format!("Connect body: {e}"),
            );
        }
    };
    // A Connect carrying old cookies is a reconnect; the sequence cookie is ignored (§3.2.5.6).
    call.end_previous_session();
    // EcDoConnectEx: the UserDn must be the authenticated user's own (gromox: ecAccessDenied otherwise).
    if !req
        .user_dn
        .eq_ignore_ascii_case(&mailbox.legacy_exchange_dn)
    {
        let someone_else = call
            .app
            .store
            .find_mailboxes(&req.user_dn)
            .unwrap_or_default()
            .iter()
            .any(|m| m.legacy_exchange_dn.eq_ignore_ascii_case(&req.user_dn));
        let code = if someone_else {
            ec::ACCESS_DENIED
        } else {
            ec::UNKNOWN_USER
        };
        return connect_failure(
            &call,
            code,
            "UserDn is not the authenticated user's LegacyExchangeDN",
        );
    }
    // Connect Flags 0x1 asks for administrator behaviour; Microsoft's test suite sets it believing it
    // means "no compression". We grant nothing extra either way, so it is ignored rather than refused.
    let session =
        match call
            .app
            .sessions
            .create(call.endpoint, mailbox.guid, &call.principal.logon_name)
        {
            Ok(s) => s,
            Err(e) => {
                return connect_failure(&call, ec::LOGIN_FAILURE, &format!("session limit: {e:?}"));
            }
        };
    let display_name = display_name(&mailbox);
    let body = match ConnectResponse::Success(ConnectSuccess::new(display_name)).encode() {
        Ok(b) => b,
        Err(e) => {
            call.app.sessions.end(&session, EndReason::Disconnected);
            return call.fail(
                None,
                ResponseCode::UnknownFailure,
                &format!("Connect response: {e}"),
            );
        }
    };
    call.log(Some(&session), ResponseCode::Success, 0, 0, "connected");
    call.success(&session.cookies(call.app.secure(), true), &body)
}

fn connect_failure(call: &Call, error_code: u32, detail: &str) -> Reply {
    let mut failure = ConnectSuccess::new("");
    failure.error_code = error_code;
    failure.polls_max = 0;
    failure.retry_count = 0;
    failure.retry_delay = 0;
    call.log(None, ResponseCode::Success, 0, error_code, detail);
    match ConnectResponse::Success(failure).encode() {
        Ok(body) => call.success(&[], &body),
        Err(e) => call.fail(None, ResponseCode::UnknownFailure, &e.to_string()),
    }
}

fn display_name(m: &Mailbox) -> String {
    if m.display_name.is_empty() {
        m.name.clone()
    } else {
        m.display_name.clone()
    }
}

async fn execute(mut call: Call) -> Reply {
    let (in_use, mailbox, req) = match call.open::<ExecuteRequest>(SEQUENCED).await {
        Ok(opened) => opened,
        Err(reply) => return reply,
    };
    let cookies = in_use.session().cookies(call.app.secure(), true);
    let store = call.app.store.clone();
    let in_flight = call.app.shutdown.enter();
    call.stream(cookies, in_flight, async move {
        let session = Arc::clone(in_use.session());
        let outcome = rops::execute(&store, &session, &mailbox, &req, chrono::Utc::now());
        let error_code = outcome.body.error_code;
        let body = ExecuteResponse::Success(outcome.body)
            .encode()
            .unwrap_or_default();
        drop(in_use);
        Streamed {
            code: ResponseCode::Success,
            body,
            error_code,
            detail: outcome.detail,
            session: Some(session),
        }
    })
}

async fn disconnect(mut call: Call) -> Reply {
    let (in_use, _mailbox) = match call.session(EXCLUSIVE) {
        Ok(pair) => pair,
        Err(reply) => return reply,
    };
    if let Err(reply) = call.read_body(Some(in_use.session())).await {
        return reply;
    }
    if let Err(e) = DisconnectRequest::decode_lenient(&call.body) {
        return call.fail(
            Some(in_use.session()),
            ResponseCode::InvalidRequestBody,
            &format!("Disconnect body: {e}"),
        );
    }
    let body = DisconnectResponse::Success(ErrorCodeOnly::default())
        .encode()
        .unwrap_or_default();
    call.end_session(in_use, 0, "disconnected", &body)
}

async fn notification_wait(mut call: Call) -> Reply {
    let (in_use, _mailbox, _request) = match call.open::<NotificationWaitRequest>(WAIT).await {
        Ok(opened) => opened,
        Err(reply) => return reply,
    };
    // The PING-style cookie set: the sequence cookie must not travel here, or a wait finishing after an
    // overlapping Execute would hand the client a stale sequence.
    let cookies = in_use.session().cookies(call.app.secure(), false);
    let wait_for = call.app.config.limits.notification_wait;
    let mut ended = in_use.session().ended();
    let mut shutting_down = call.app.shutdown.subscribe();
    let in_flight = call.app.shutdown.enter();
    call.stream(cookies, in_flight, async move {
        let session = Arc::clone(in_use.session());
        // This server raises no notifications (there is no message store yet), so a wait ends by time,
        // by the session ending, or by shutdown.
        let reason = tokio::select! {
            _ = tokio::time::sleep(wait_for) => None,
            r = async { ended.wait_for(|r| r.is_some()).await.ok().and_then(|r| *r) } => r,
            _ = async { let _ = shutting_down.wait_for(|d| *d).await; } => Some(EndReason::Shutdown),
        };
        drop(in_use);
        let (code, detail) = match reason {
            Some(EndReason::Disabled) => (ResponseCode::EndpointDisabled, "session ended: MAPI over HTTP disabled"),
            Some(r @ (EndReason::MailboxGone | EndReason::DirectoryRemoved | EndReason::Expired)) => {
                (ResponseCode::ContextNotFound, r.as_str())
            }
            Some(EndReason::Shutdown) => (ResponseCode::Success, "no event (server shutting down)"),
            Some(EndReason::Disconnected | EndReason::Replaced) => (ResponseCode::Success, "no event (session ended)"),
            None => (ResponseCode::Success, "no event"),
        };
        let body = if code.is_success() {
            NotificationWaitResponse::Success(NotificationWaitSuccess {
                error_code: 0,
                event_pending: false,
                aux: Vec::new(),
            })
            .encode()
            .unwrap_or_default()
        } else {
            Vec::new()
        };
        Streamed {
            code,
            body,
            error_code: 0,
            detail: detail.to_string(),
            session: Some(session),
        }
    })
}

async fn ping(mut call: Call) -> Reply {
    let (in_use, _mailbox) = match call.session(PING) {
        Ok(pair) => pair,
        Err(reply) => return reply,
    };
    if let Err(reply) = call.read_body(Some(in_use.session())).await {
        return reply;
    }
    if let Err(e) = Ping::decode(&call.body) {
        return call.fail(
            Some(in_use.session()),
            ResponseCode::InvalidRequestBody,
            &format!("PING: {e}"),
        );
    }
    call.log(Some(in_use.session()), ResponseCode::Success, 0, 0, "ping");
    let cookies = in_use.session().cookies(call.app.secure(), false);
    call.success(&cookies, &[])
}
