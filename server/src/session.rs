//! Session contexts (MS-OXCMAPIHTTP §3.2.5.1, fact sheet §5): created by Connect/Bind, named by cookies,
//! bound to the authenticated mailbox, one request at a time (NotificationWait and PING excepted), expiring
//! after an idle period, and ended by Disconnect/Unbind or by the administrator (mailbox or endpoint
//! disabled).
//!
//! Cookie values are self-describing — endpoint prefix, 128 random bits, a check sum — so a value we could
//! never have issued is told apart (X-ResponseCode 6) from a well-formed one we do not know (10).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mapish_store::Uuid;
use mapish_wire::Endpoint;
use mapish_wire::cookie::{SEQUENCE_COOKIE, SESSION_COOKIE, SetCookie};
use tokio::sync::watch;

/// A session's 128-bit random id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SessionId([u8; 16]);

impl SessionId {
    fn random() -> SessionId {
        SessionId(*Uuid::new_v4().as_bytes())
    }

    fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// A short form for logs.
    pub fn short(&self) -> String {
        self.hex().chars().take(8).collect()
    }
}

fn prefix(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Emsmdb => "E1.",
        Endpoint::Nspi => "N1.",
    }
}

/// FNV-1a folded to 16 bits: not a secret, just enough to tell typing errors and junk from our own values.
fn check(bytes: &[u8]) -> u16 {
    let mut h: u32 = 0x811c_9dc5;
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(0x0100_0193);
    }
    ((h >> 16) ^ (h & 0xffff)) as u16
}

/// The session cookie value: `E1.<32 hex>.<4 hex>` (N1 for the address book).
pub fn format_session_cookie(endpoint: Endpoint, id: SessionId) -> String {
    format!("{}{}.{:04x}", prefix(endpoint), id.hex(), check(&id.0))
}

/// Parses a session cookie value of `endpoint`; `None` if it is not one we could have issued.
pub fn parse_session_cookie(endpoint: Endpoint, value: &str) -> Option<SessionId> {
    let rest = value.strip_prefix(prefix(endpoint))?;
    let (hex, sum) = rest.split_once('.')?;
    if hex.len() != 32 || sum.len() != 4 {
        return None;
    }
    let mut id = [0u8; 16];
    for (i, byte) in id.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    (u16::from_str_radix(sum, 16).ok()? == check(&id)).then_some(SessionId(id))
}

/// The sequence cookie value: 16 hex digits.
pub fn format_sequence(seq: u64) -> String {
    format!("{seq:016x}")
}

/// Parses a sequence cookie value; `None` if malformed.
pub fn parse_sequence(value: &str) -> Option<u64> {
    (value.len() == 16)
        .then(|| u64::from_str_radix(value, 16).ok())
        .flatten()
}

fn random_u64() -> u64 {
    let b = Uuid::new_v4().as_u128();
    (b >> 64) as u64 ^ b as u64
}

/// Why a session ended. A later request with its cookie gets X-ResponseCode 16 for `Disabled`, else 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    /// Disconnect or Unbind.
    Disconnected,
    /// Idle for longer than the timeout.
    Expired,
    /// MAPI over HTTP stopped being effective for the mailbox.
    Disabled,
    /// The mailbox was deleted.
    MailboxGone,
    /// The MAPI virtual directory was removed.
    DirectoryRemoved,
    /// A Connect/Bind with this session's cookies replaced it (reconnect).
    Replaced,
    /// The server is shutting down.
    Shutdown,
}

impl EndReason {
    /// For logs.
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Disconnected => "disconnected",
            EndReason::Expired => "expired",
            EndReason::Disabled => "MAPI over HTTP disabled for the mailbox",
            EndReason::MailboxGone => "mailbox deleted",
            EndReason::DirectoryRemoved => "MAPI virtual directory removed",
            EndReason::Replaced => "replaced by a reconnect",
            EndReason::Shutdown => "server shutting down",
        }
    }
}

pub use crate::rops::objects::Objects;

struct State {
    sequence: u64,
    busy: bool,
    waiting: bool,
    last_used: Instant,
    ended: Option<EndReason>,
    objects: Objects,
}

/// One session context.
pub struct Session {
    /// Its id.
    pub id: SessionId,
    /// Mailbox or address book.
    pub endpoint: Endpoint,
    /// The authenticated mailbox it belongs to.
    pub mailbox: Uuid,
    /// The logon name, for logs.
    pub user: String,
    state: Mutex<State>,
    ended_tx: watch::Sender<Option<EndReason>>,
}

impl Session {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Notified (value set) when the session ends; NotificationWait listens to it.
    pub fn ended(&self) -> watch::Receiver<Option<EndReason>> {
        self.ended_tx.subscribe()
    }

    /// Why it ended, if it did.
    pub fn end_reason(&self) -> Option<EndReason> {
        self.lock().ended
    }

    /// Runs `f` on the session's objects.
    pub fn with_objects<T>(&self, f: impl FnOnce(&mut Objects) -> T) -> T {
        f(&mut self.lock().objects)
    }

    /// The cookies that name this session with its current sequence value.
    pub fn cookies(&self, secure: bool, with_sequence: bool) -> Vec<String> {
        let sequence = self.lock().sequence;
        let path = cookie_path(self.endpoint);
        let mut out = vec![cookie(
            SESSION_COOKIE,
            &format_session_cookie(self.endpoint, self.id),
            path,
            secure,
        )];
        if with_sequence {
            out.push(cookie(
                SEQUENCE_COOKIE,
                &format_sequence(sequence),
                path,
                secure,
            ));
        }
        out
    }

    fn end(&self, reason: EndReason) -> bool {
        let mut st = self.lock();
        if st.ended.is_some() {
            return false;
        }
        tracing::debug!(session = %self.id.short(), user = %self.user, reason = reason.as_str(), "session ended");
        st.ended = Some(reason);
        st.objects = Objects::default();
        st.last_used = Instant::now();
        drop(st);
        self.ended_tx.send_replace(Some(reason));
        true
    }
}

/// The cookie path per endpoint: simple clients share one cookie jar across both endpoints (ruler does),
/// and distinct paths keep the two sessions apart.
pub fn cookie_path(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Emsmdb => "/mapi/emsmdb/",
        Endpoint::Nspi => "/mapi/nspi/",
    }
}

fn cookie(name: &str, value: &str, path: &str, secure: bool) -> String {
    let mut c = SetCookie::new(name, value).with_path(path);
    c.secure = secure;
    c.http_only = true;
    c.to_header_value().unwrap_or_default()
}

/// The `Set-Cookie` values that delete both cookies of `endpoint` (after Disconnect/Unbind, §3.2.5.4).
pub fn expired_cookies(endpoint: Endpoint, secure: bool) -> Vec<String> {
    [SESSION_COOKIE, SEQUENCE_COOKIE]
        .into_iter()
        .filter_map(|name| {
            let mut c = SetCookie::expired(name).with_path(cookie_path(endpoint));
            c.secure = secure;
            c.http_only = true;
            c.to_header_value().ok()
        })
        .collect()
}

/// What the cookie of a request designates.
pub enum Lookup {
    /// A live session.
    Found(Arc<Session>),
    /// The value is not one we could have issued (→ 6).
    Garbage,
    /// Well-formed but unknown or expired (→ 10).
    NotFound,
    /// It ended for this reason (→ 16 for Disabled, else 10).
    Ended(EndReason),
}

/// How a request uses its session.
#[derive(Debug, Clone, Copy)]
pub struct Use {
    /// The sequence cookie must equal the last one issued.
    pub check_sequence: bool,
    /// Issue a new sequence value.
    pub rotate: bool,
    /// No other exclusive request may be outstanding (all but PING and NotificationWait).
    pub exclusive: bool,
    /// This is a NotificationWait (at most one at a time).
    pub wait: bool,
}

/// Why a request may not use its session now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseError {
    /// The sequence cookie is missing (→ 13).
    MissingSequence,
    /// The sequence cookie is malformed (→ 6).
    GarbageSequence,
    /// Stale sequence or another request outstanding (→ 15).
    InvalidSequence,
    /// Ended meanwhile (→ per reason).
    Ended(EndReason),
}

/// Held while a request uses its session; releases it (and refreshes its idle timer) when dropped.
pub struct InUse {
    session: Arc<Session>,
    exclusive: bool,
    wait: bool,
}

impl Drop for InUse {
    fn drop(&mut self) {
        let mut st = self.session.lock();
        if self.exclusive {
            st.busy = false;
        }
        if self.wait {
            st.waiting = false;
        }
        st.last_used = Instant::now();
    }
}

impl InUse {
    /// The session.
    pub fn session(&self) -> &Arc<Session> {
        &self.session
    }
}

/// Why a new session was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateError {
    /// The mailbox holds `max_sessions_per_user`.
    PerUserLimit,
    /// The server holds `max_sessions_total`.
    TotalLimit,
}

#[derive(Default)]
struct Table {
    map: HashMap<SessionId, Arc<Session>>,
    per_user: HashMap<Uuid, usize>,
    live: usize,
}

impl Table {
    fn forget_live(&mut self, mailbox: Uuid) {
        self.live = self.live.saturating_sub(1);
        if let Some(n) = self.per_user.get_mut(&mailbox) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_user.remove(&mailbox);
            }
        }
    }
}

/// Every session context of the server.
pub struct Sessions {
    table: Mutex<Table>,
    idle: Duration,
    per_user: usize,
    total: usize,
}

impl Sessions {
    /// An empty table.
    pub fn new(idle: Duration, per_user: usize, total: usize) -> Sessions {
        Sessions {
            table: Mutex::new(Table::default()),
            idle,
            per_user,
            total,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new session for `mailbox`.
    pub fn create(
        &self,
        endpoint: Endpoint,
        mailbox: Uuid,
        user: &str,
    ) -> Result<Arc<Session>, CreateError> {
        let mut t = self.lock();
        if t.live >= self.total {
            return Err(CreateError::TotalLimit);
        }
        if t.per_user.get(&mailbox).copied().unwrap_or(0) >= self.per_user {
            return Err(CreateError::PerUserLimit);
        }
        let (ended_tx, _) = watch::channel(None);
        let session = Arc::new(Session {
            id: SessionId::random(),
            endpoint,
            mailbox,
            user: user.to_string(),
            state: Mutex::new(State {
                sequence: random_u64(),
                busy: false,
                waiting: false,
                last_used: Instant::now(),
                ended: None,
                objects: Objects::default(),
            }),
            ended_tx,
        });
        t.map.insert(session.id, Arc::clone(&session));
        *t.per_user.entry(mailbox).or_insert(0) += 1;
        t.live += 1;
        Ok(session)
    }

    /// The session a cookie value names on `endpoint`. An idle-expired session is ended here, so expiry is
    /// exact even between sweeps.
    pub fn lookup(&self, endpoint: Endpoint, cookie_value: &str) -> Lookup {
        let Some(id) = parse_session_cookie(endpoint, cookie_value) else {
            return Lookup::Garbage;
        };
        let mut t = self.lock();
        let Some(session) = t.map.get(&id).cloned() else {
            return Lookup::NotFound;
        };
        let (ended, expired) = {
            let st = session.lock();
            let expired = !st.busy && !st.waiting && st.last_used.elapsed() >= self.idle;
            (st.ended, expired)
        };
        match ended {
            Some(reason) => {
                // A tombstone answers once, then the cookie is simply unknown.
                t.map.remove(&id);
                Lookup::Ended(reason)
            }
            None if expired => {
                if session.end(EndReason::Expired) {
                    t.forget_live(session.mailbox);
                }
                t.map.remove(&id);
                Lookup::NotFound
            }
            None => Lookup::Found(session),
        }
    }

    /// Starts a request on `session`, checking the sequence cookie and the one-at-a-time rule
    /// (§3.2.5.1); returns the guard and, when rotated, nothing else is needed: `Session::cookies` then
    /// reports the new value.
    pub fn begin(
        &self,
        session: &Arc<Session>,
        usage: Use,
        sequence_cookies: &[String],
    ) -> Result<InUse, UseError> {
        // A client with one cookie jar for both endpoints may send two sequence cookies; any may match.
        let sequences: Vec<u64> = if usage.check_sequence {
            if sequence_cookies.is_empty() {
                return Err(UseError::MissingSequence);
            }
            let parsed: Vec<u64> = sequence_cookies
                .iter()
                .filter_map(|v| parse_sequence(v))
                .collect();
            if parsed.is_empty() {
                return Err(UseError::GarbageSequence);
            }
            parsed
        } else {
            Vec::new()
        };
        let mut st = session.lock();
        if let Some(reason) = st.ended {
            return Err(UseError::Ended(reason));
        }
        if usage.check_sequence && !sequences.contains(&st.sequence) {
            return Err(UseError::InvalidSequence);
        }
        if (usage.exclusive && st.busy) || (usage.wait && st.waiting) {
            return Err(UseError::InvalidSequence);
        }
        if usage.exclusive {
            st.busy = true;
        }
        if usage.wait {
            st.waiting = true;
        }
        if usage.rotate {
            st.sequence = random_u64();
        }
        st.last_used = Instant::now();
        Ok(InUse {
            session: Arc::clone(session),
            exclusive: usage.exclusive,
            wait: usage.wait,
        })
    }

    /// Ends `session`. With `keep_tombstone` the next request with its cookie learns why (used for
    /// `Disabled`, which must answer 16); otherwise the cookie becomes unknown at once.
    pub fn end(&self, session: &Session, reason: EndReason) {
        let mut t = self.lock();
        if session.end(reason) {
            t.forget_live(session.mailbox);
        }
        if reason != EndReason::Disabled {
            t.map.remove(&session.id);
        }
    }

    /// Ends every session for which `pred` holds (a live-configuration change).
    pub fn end_where(&self, reason: EndReason, pred: impl Fn(&Session) -> bool) -> usize {
        let mut t = self.lock();
        let doomed: Vec<Arc<Session>> = t
            .map
            .values()
            .filter(|s| s.end_reason().is_none() && pred(s))
            .cloned()
            .collect();
        for s in &doomed {
            if s.end(reason) {
                t.forget_live(s.mailbox);
            }
            if reason != EndReason::Disabled {
                t.map.remove(&s.id);
            }
        }
        doomed.len()
    }

    /// The distinct mailboxes with live sessions.
    pub fn mailboxes(&self) -> Vec<Uuid> {
        self.lock().per_user.keys().copied().collect()
    }

    /// Ends idle sessions and drops old tombstones; returns how many sessions expired.
    pub fn sweep(&self) -> usize {
        let mut t = self.lock();
        let idle = self.idle;
        let mut expired = Vec::new();
        let mut stale = Vec::new();
        for (id, s) in &t.map {
            let st = s.lock();
            match st.ended {
                Some(_) if st.last_used.elapsed() >= idle => stale.push(*id),
                Some(_) => {}
                None if !st.busy && !st.waiting && st.last_used.elapsed() >= idle => {
                    expired.push(Arc::clone(s))
                }
                None => {}
            }
        }
        for id in stale {
            t.map.remove(&id);
        }
        for s in &expired {
            if s.end(EndReason::Expired) {
                t.forget_live(s.mailbox);
            }
            t.map.remove(&s.id);
        }
        expired.len()
    }

    /// Live sessions.
    pub fn live_count(&self) -> usize {
        self.lock().live
    }
}

/// All values of cookie `name` in the request's `Cookie` headers, in order.
pub fn cookie_values(headers: &hyper::HeaderMap, name: &str) -> Vec<String> {
    headers
        .get_all(hyper::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| {
            mapish_wire::cookie::parse_cookie_header(v)
                .into_iter()
                .filter(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The session cookie meant for `endpoint`: a client with one jar may send both endpoints' cookies, so
/// prefer the value with this endpoint's prefix.
pub fn pick_session_cookie(values: &[String], endpoint: Endpoint) -> Option<&str> {
    values
        .iter()
        .find(|v| v.starts_with(prefix(endpoint)))
        .or_else(|| values.first())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rops::objects::ServerObject;

    const EXCLUSIVE: Use = Use {
        check_sequence: true,
        rotate: true,
        exclusive: true,
        wait: false,
    };

    fn seq_of(s: &Session) -> String {
        format_sequence(s.lock().sequence)
    }

    #[test]
    fn cookies_are_self_describing() {
        let id = SessionId::random();
        let v = format_session_cookie(Endpoint::Emsmdb, id);
        assert_eq!(v.len(), 3 + 32 + 1 + 4);
        assert_eq!(parse_session_cookie(Endpoint::Emsmdb, &v), Some(id));
        assert_eq!(parse_session_cookie(Endpoint::Nspi, &v), None);
        let mut broken = v.clone();
        broken.replace_range(5..6, if &v[5..6] == "0" { "1" } else { "0" });
        assert_eq!(parse_session_cookie(Endpoint::Emsmdb, &broken), None);
        assert_eq!(
            parse_session_cookie(Endpoint::Emsmdb, "Invalid cookie"),
            None
        );
        assert_eq!(parse_sequence("00000000000000ff"), Some(255));
        assert_eq!(parse_sequence("xyz"), None);
        for c in Session::cookies(
            &Sessions::new(Duration::from_secs(1), 1, 1)
                .create(Endpoint::Nspi, Uuid::nil(), "u")
                .unwrap(),
            true,
            true,
        ) {
            assert!(c.contains("Path=/mapi/nspi/; Secure; HttpOnly"), "{c}");
        }
    }

    #[test]
    fn sequence_one_at_a_time_and_rotation() {
        let sessions = Sessions::new(Duration::from_secs(60), 4, 10);
        let s = sessions.create(Endpoint::Emsmdb, Uuid::nil(), "u").unwrap();
        let first = seq_of(&s);
        assert_eq!(
            sessions.begin(&s, EXCLUSIVE, &[]).err(),
            Some(UseError::MissingSequence)
        );
        assert_eq!(
            sessions.begin(&s, EXCLUSIVE, &["junk".into()]).err(),
            Some(UseError::GarbageSequence)
        );
        let guard = sessions
            .begin(&s, EXCLUSIVE, std::slice::from_ref(&first))
            .unwrap();
        let second = seq_of(&s);
        assert_ne!(first, second);
        // Concurrent: rejected even with the right sequence.
        assert_eq!(
            sessions
                .begin(&s, EXCLUSIVE, std::slice::from_ref(&second))
                .err(),
            Some(UseError::InvalidSequence)
        );
        // NotificationWait and PING may overlap.
        let wait = Use {
            check_sequence: false,
            rotate: false,
            exclusive: false,
            wait: true,
        };
        let w = sessions.begin(&s, wait, &[]).unwrap();
        assert!(sessions.begin(&s, wait, &[]).is_err(), "one wait at a time");
        drop(w);
        drop(guard);
        assert_eq!(
            sessions
                .begin(&s, EXCLUSIVE, std::slice::from_ref(&first))
                .err(),
            Some(UseError::InvalidSequence),
            "a stale sequence"
        );
        sessions
            .begin(&s, EXCLUSIVE, std::slice::from_ref(&second))
            .unwrap();
    }

    #[test]
    fn limits_lookup_expiry_and_tombstones() {
        let sessions = Sessions::new(Duration::from_millis(30), 2, 3);
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        let s1 = sessions.create(Endpoint::Emsmdb, a, "a").unwrap();
        let s2 = sessions.create(Endpoint::Nspi, a, "a").unwrap();
        assert_eq!(
            sessions.create(Endpoint::Emsmdb, a, "a").err(),
            Some(CreateError::PerUserLimit)
        );
        let s3 = sessions.create(Endpoint::Emsmdb, b, "b").unwrap();
        assert_eq!(
            sessions.create(Endpoint::Emsmdb, b, "b").err(),
            Some(CreateError::TotalLimit)
        );

        let c1 = format_session_cookie(Endpoint::Emsmdb, s1.id);
        assert!(matches!(
            sessions.lookup(Endpoint::Emsmdb, &c1),
            Lookup::Found(_)
        ));
        assert!(matches!(
            sessions.lookup(Endpoint::Emsmdb, "E1.garbage"),
            Lookup::Garbage
        ));
        let unknown = format_session_cookie(Endpoint::Emsmdb, SessionId::random());
        assert!(matches!(
            sessions.lookup(Endpoint::Emsmdb, &unknown),
            Lookup::NotFound
        ));

        sessions.end(&s2, EndReason::Disabled);
        let c2 = format_session_cookie(Endpoint::Nspi, s2.id);
        assert!(matches!(
            sessions.lookup(Endpoint::Nspi, &c2),
            Lookup::Ended(EndReason::Disabled)
        ));
        assert!(matches!(
            sessions.lookup(Endpoint::Nspi, &c2),
            Lookup::NotFound
        ));
        assert_eq!(sessions.live_count(), 2);

        // Idle expiry: a session in use does not expire.
        let guard = sessions
            .begin(
                &s3,
                Use {
                    check_sequence: false,
                    rotate: false,
                    exclusive: true,
                    wait: false,
                },
                &[],
            )
            .unwrap();
        std::thread::sleep(Duration::from_millis(40));
        assert!(matches!(
            sessions.lookup(Endpoint::Emsmdb, &c1),
            Lookup::NotFound
        ));
        assert_eq!(sessions.sweep(), 0, "s3 is busy");
        drop(guard);
        assert_eq!(sessions.live_count(), 1);
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(sessions.sweep(), 1);
        assert_eq!(sessions.live_count(), 0);
        assert!(sessions.mailboxes().is_empty());
    }

    #[test]
    fn ending_wakes_waiters_and_objects_get_handles() {
        let sessions = Sessions::new(Duration::from_secs(60), 4, 10);
        let s = sessions.create(Endpoint::Emsmdb, Uuid::nil(), "u").unwrap();
        let h = s.with_objects(|o| {
            o.insert(0, ServerObject::Logon {
                logon_id: 0,
                mailbox: Uuid::nil(),
            })
        });
        assert_eq!(h, Some(1));
        let rx = s.ended();
        assert_eq!(sessions.end_where(EndReason::DirectoryRemoved, |_| true), 1);
        assert_eq!(*rx.borrow(), Some(EndReason::DirectoryRemoved));
        assert!(s.with_objects(|o| o.is_empty()));
        assert_eq!(sessions.live_count(), 0);
    }

    #[test]
    fn cookie_picking_prefers_this_endpoint() {
        let mut headers = hyper::HeaderMap::new();
        headers.append(
            hyper::header::COOKIE,
            "MapiContext=N1.x; MapiSequence=1".parse().unwrap(),
        );
        headers.append(hyper::header::COOKIE, "MapiContext=E1.y".parse().unwrap());
        let values = cookie_values(&headers, SESSION_COOKIE);
        assert_eq!(values, ["N1.x", "E1.y"]);
        assert_eq!(pick_session_cookie(&values, Endpoint::Emsmdb), Some("E1.y"));
        assert_eq!(pick_session_cookie(&values, Endpoint::Nspi), Some("N1.x"));
        assert_eq!(pick_session_cookie(&[], Endpoint::Nspi), None);
    }
}
