//! HTTP authentication: Basic (against the mailbox's argon2id hash), NTLM and Negotiate (NTLMv2 against the
//! mailbox's NT hash). The message codecs and NTLMv2 computations live in the `mapish-ntlm` crate, shared
//! with the probe's initiator, re-exported here as `ntlm` and `spnego`; this module keeps the connection
//! state. A scheme is offered in `WWW-Authenticate` when the MAPI virtual directory's
//! IISAuthenticationMethods lists it and the server can complete it; OAuth never is.
//!
//! NTLM and Negotiate are connection-oriented, as in IIS: NEGOTIATE → 401 with the CHALLENGE →
//! AUTHENTICATE runs over one TCP connection (`ConnAuth`, one per connection), and the identity then stays
//! bound to that connection, so later requests on it need no `Authorization` header. Any request may carry
//! a fresh `Authorization` and start over. Kerberos is not implemented and never offered.
//!
//! argon2 is deliberately slow (tens of ms, ~19 MiB), so verification runs on the blocking pool behind a
//! small semaphore, and a success is remembered for a while under a keyed hash of the credentials: Outlook
//! sends the same Authorization header on every PING and Execute. Failures are never remembered, so every
//! guess costs the attacker a full argon2 run. Nothing here logs a credential.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine;
use hyper::header::HeaderValue;
use mapish_store::{AuthMethod, Mailbox, Store, Uuid};
use tokio::sync::Semaphore;

pub use mapish_ntlm::nlmp as ntlm;
pub use mapish_ntlm::spnego;

use ntlm::TargetNames;
use spnego::{NegState, Token};

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The mailbox the credentials belong to.
    pub mailbox: Uuid,
    /// Its UserPrincipalName (or Name), for logs.
    pub logon_name: String,
}

/// The outcome of checking a request's credentials.
#[derive(Debug)]
pub enum AuthOutcome {
    /// Valid credentials.
    Authenticated(Principal),
    /// No usable credentials: answer 401. `user` is the name that was tried (never the password), for the
    /// access log.
    Denied {
        /// The user name sent, if any.
        user: Option<String>,
        /// Why, for diagnostics.
        reason: &'static str,
    },
}

/// The `WWW-Authenticate` values for the methods the server can complete, in configured order.
pub fn challenges(methods: &[AuthMethod], realm: &str) -> Vec<String> {
    methods
        .iter()
        .filter_map(|m| match m {
            AuthMethod::Basic => Some(format!(
                "Basic realm=\"{}\", charset=\"UTF-8\"",
                realm.replace(['"', '\\'], "")
            )),
            AuthMethod::Ntlm => Some("NTLM".to_string()),
            AuthMethod::Negotiate => Some("Negotiate".to_string()),
            // Not offered: it cannot be completed (live::COMPLETABLE); App logs it.
            AuthMethod::OAuth => None,
        })
        .collect()
}

/// The header token a method is offered under.
pub fn scheme_token(m: AuthMethod) -> &'static str {
    match m {
        AuthMethod::Basic => "Basic",
        AuthMethod::Ntlm => "NTLM",
        AuthMethod::Negotiate => "Negotiate",
        AuthMethod::OAuth => "Bearer",
    }
}

struct CacheEntry {
    mailbox: Uuid,
    /// The PHC string the password was checked against; a password change makes the entry stale.
    phc: String,
    logon_name: String,
    expires: Instant,
}

/// Verifies credentials and remembers successes.
pub struct Authenticator {
    cache: Mutex<HashMap<u128, CacheEntry>>,
    /// Two independently keyed SipHash instances make a 128-bit keyed hash; the keys are random per process,
    /// so the cache keys reveal nothing about passwords and cannot be forged.
    keys: (
        std::collections::hash_map::RandomState,
        std::collections::hash_map::RandomState,
    ),
    checks: Semaphore,
    ttl: Duration,
}

/// Entries beyond this are not added (expired ones are swept first), bounding memory under abuse.
const CACHE_CAPACITY: usize = 10_000;

impl Authenticator {
    /// An authenticator running at most `concurrent_checks` argon2 verifications at once.
    pub fn new(ttl: Duration, concurrent_checks: usize) -> Authenticator {
        Authenticator {
            cache: Mutex::new(HashMap::new()),
            keys: Default::default(),
            checks: Semaphore::new(concurrent_checks),
            ttl,
        }
    }

    /// Checks the `Authorization` header against the methods the server can complete.
    pub async fn authenticate(
        &self,
        store: &Store,
        methods: &[AuthMethod],
        authorization: Option<&HeaderValue>,
    ) -> AuthOutcome {
        let Some(value) = authorization else {
            return denied(None, "no credentials");
        };
        let Some((user, password)) = parse_basic(value.as_bytes()) else {
            return denied(None, "not Basic credentials, or malformed");
        };
        if !methods.contains(&AuthMethod::Basic) {
            return denied(Some(user), "Basic is not enabled on this directory");
        }
        let key = self.key(&user, &password);
        if let Some(p) = self.cached(store, key) {
            return AuthOutcome::Authenticated(p);
        }
        let mailbox = match resolve_user(store, &user) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("cannot read the store to authenticate a request: {e}");
                return denied(Some(user), "store error");
            }
        };
        let phc = mailbox.as_ref().and_then(|m| m.password_hash.clone());
        let Ok(_permit) = self.checks.acquire().await else {
            return denied(Some(user), "shutting down");
        };
        let verified = {
            let phc = phc.clone();
            tokio::task::spawn_blocking(move || match phc {
                Some(phc) => mapish_store::verify_password(&phc, &password),
                // Spend the same time as a real check so that timing does not reveal which users exist.
                None => {
                    let _ = mapish_store::verify_password(dummy_hash(), &password);
                    false
                }
            })
            .await
            .unwrap_or(false)
        };
        match (verified, mailbox, phc) {
            (true, Some(m), Some(phc)) => {
                let logon_name = logon_name(&m);
                self.remember(key, &m, phc, &logon_name);
                AuthOutcome::Authenticated(Principal {
                    mailbox: m.guid,
                    logon_name,
                })
            }
            _ => denied(Some(user), "wrong user name or password"),
        }
    }

    fn key(&self, user: &str, password: &str) -> u128 {
        let hash = |state: &std::collections::hash_map::RandomState| {
            let mut h = state.build_hasher();
            h.write(user.as_bytes());
            h.write_u8(0xff);
            h.write(password.as_bytes());
            h.finish()
        };
        (u128::from(hash(&self.keys.0)) << 64) | u128::from(hash(&self.keys.1))
    }

    fn cached(&self, store: &Store, key: u128) -> Option<Principal> {
        let (guid, phc, logon_name) = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            let e = cache.get(&key)?;
            if e.expires <= Instant::now() {
                return None;
            }
            (e.mailbox, e.phc.clone(), e.logon_name.clone())
        };
        // The mailbox must still exist with the same password hash.
        let current = store.mailbox(guid).ok()??;
        (current.password_hash.as_deref() == Some(phc.as_str())).then_some(Principal {
            mailbox: guid,
            logon_name,
        })
    }

    fn remember(&self, key: u128, m: &Mailbox, phc: String, logon_name: &str) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if cache.len() >= CACHE_CAPACITY {
            cache.retain(|_, e| e.expires > now);
        }
        if cache.len() < CACHE_CAPACITY {
            cache.insert(
                key,
                CacheEntry {
                    mailbox: m.guid,
                    phc,
                    logon_name: logon_name.to_string(),
                    expires: now + self.ttl,
                },
            );
        }
    }
}

fn denied(user: Option<String>, reason: &'static str) -> AuthOutcome {
    AuthOutcome::Denied { user, reason }
}

fn logon_name(m: &Mailbox) -> String {
    if m.user_principal_name.is_empty() {
        m.name.clone()
    } else {
        m.user_principal_name.clone()
    }
}

/// A hash of a random password, to verify against when the user does not exist.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let random = Uuid::new_v4().to_string();
        mapish_store::hash_password(&random).unwrap_or_default()
    })
}

/// `Basic <base64(user:password)>` → (user, password). The scheme matches in any case (RFC 7235); the
/// credentials are UTF-8 (RFC 7617 `charset="UTF-8"`, which we announce), else read as Latin-1.
pub fn parse_basic(header: &[u8]) -> Option<(String, String)> {
    let text = std::str::from_utf8(header).ok()?.trim();
    let (scheme, token) = text.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("Basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token.trim())
        .ok()?;
    let text = match String::from_utf8(decoded) {
        Ok(s) => s,
        Err(e) => e.into_bytes().iter().map(|&b| char::from(b)).collect(),
    };
    let (user, password) = text.split_once(':')?;
    if user.is_empty() {
        return None;
    }
    Some((user.to_string(), password.to_string()))
}

/// The mailbox a Basic user name designates: its UserPrincipalName, PrimarySmtpAddress, Alias or Name, or
/// `DOMAIN\alias`. Ambiguous names match nobody.
pub fn resolve_user(
    store: &Store,
    user: &str,
) -> Result<Option<Mailbox>, mapish_store::StoreError> {
    let find = |name: &str| -> Result<Option<Mailbox>, mapish_store::StoreError> {
        let mut hits: Vec<Mailbox> = store
            .find_mailboxes(name)?
            .into_iter()
            .filter(|m| {
                [
                    &m.user_principal_name,
                    &m.primary_smtp_address,
                    &m.alias,
                    &m.name,
                ]
                .iter()
                .any(|v| v.eq_ignore_ascii_case(name))
            })
            .collect();
        Ok(if hits.len() == 1 { hits.pop() } else { None })
    };
    if let Some(m) = find(user)? {
        return Ok(Some(m));
    }
    match user.split_once('\\') {
        Some((_, alias)) if !alias.is_empty() => find(alias),
        _ => Ok(None),
    }
}

/// The header scheme an NTLM handshake runs under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Ntlm,
    Negotiate,
}

impl Scheme {
    fn method(self) -> AuthMethod {
        match self {
            Scheme::Ntlm => AuthMethod::Ntlm,
            Scheme::Negotiate => AuthMethod::Negotiate,
        }
    }

    fn token(self) -> &'static str {
        match self {
            Scheme::Ntlm => "NTLM",
            Scheme::Negotiate => "Negotiate",
        }
    }
}

/// SPNEGO's part of a Negotiate handshake.
#[derive(Clone)]
struct SpnegoState {
    /// The client's mechTypes DER, which the mechListMIC covers.
    mech_list: Vec<u8>,
    /// We asked for a mechListMIC (the client did not prefer NTLM).
    mic_requested: bool,
    /// Whether the first reply (with supportedMech) has gone out.
    mech_sent: bool,
}

/// An NTLM exchange waiting for the AUTHENTICATE.
struct Pending {
    scheme: Scheme,
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    server_challenge: [u8; 8],
    spnego: Option<SpnegoState>,
}

/// A logon bound to the connection.
#[derive(Clone)]
struct Bound {
    principal: Principal,
    scheme: Scheme,
    /// The NT hash it was verified with: a password change ends the binding.
    nt: [u8; 16],
}

#[derive(Default)]
enum ConnState {
    #[default]
    Idle,
    /// Negotiate chose NTLM but the client has not sent its NTLM NEGOTIATE yet.
    SpnegoAwaitingNtlm(SpnegoState),
    Challenged(Box<Pending>),
    Authenticated(Box<Bound>),
}

/// One connection's NTLM/Negotiate state. Requests on a connection run one after another, so the lock is
/// never contended; it is never held across an await.
#[derive(Default)]
pub struct ConnAuth {
    state: Mutex<ConnState>,
}

impl ConnAuth {
    /// A fresh, unauthenticated connection.
    pub fn new() -> ConnAuth {
        ConnAuth::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, ConnState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self) -> ConnState {
        std::mem::take(&mut *self.lock())
    }

    fn set(&self, s: ConnState) {
        *self.lock() = s;
    }
}

/// The outcome of checking a request on a connection.
#[derive(Debug)]
pub enum ConnOutcome {
    /// Authenticated; `header` is a final `WWW-Authenticate` value for the response (Negotiate's last token).
    Authenticated {
        /// Who.
        principal: Principal,
        /// A `WWW-Authenticate` value to send with the (successful) response.
        header: Option<String>,
    },
    /// Handshake in progress: answer 401 with this single `WWW-Authenticate` value, keep the connection.
    Continue(String),
    /// Refused: 401 with every offered challenge.
    Denied {
        /// The user name tried, if known.
        user: Option<String>,
        /// Why, for diagnostics.
        reason: &'static str,
    },
}

fn conn_denied(user: Option<String>, reason: &'static str) -> ConnOutcome {
    ConnOutcome::Denied { user, reason }
}

/// The NTLM target names for a server Name / FQDN.
pub fn target_names(name: &str, fqdn: &str) -> TargetNames {
    TargetNames::for_server(name, fqdn)
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn random_challenge() -> [u8; 8] {
    let mut c = [0u8; 8];
    if getrandom::getrandom(&mut c).is_err() {
        // No OS randomness: fall back on v4 UUIDs (themselves from the OS or a CSPRNG).
        c.copy_from_slice(&Uuid::new_v4().as_bytes()[..8]);
    }
    c
}

impl Authenticator {
    /// Checks a request on a connection: Basic as `authenticate`, NTLM and Negotiate as a handshake whose
    /// state lives in `conn`, and a logon bound to the connection for requests without credentials.
    pub async fn authenticate_conn(
        &self,
        store: &Store,
        methods: &[AuthMethod],
        names: &TargetNames,
        conn: &ConnAuth,
        authorization: Option<&HeaderValue>,
    ) -> ConnOutcome {
        let Some(value) = authorization else {
            return self.bound(store, methods, conn);
        };
        let text = value.to_str().unwrap_or_default().trim();
        let (scheme, token) = text.split_once(' ').unwrap_or((text, ""));
        let token = token.trim();
        let decode = || base64::engine::general_purpose::STANDARD.decode(token).ok();
        if scheme.eq_ignore_ascii_case("NTLM") || scheme.eq_ignore_ascii_case("Negotiate") {
            let s = if scheme.eq_ignore_ascii_case("NTLM") {
                Scheme::Ntlm
            } else {
                Scheme::Negotiate
            };
            if !methods.contains(&s.method()) {
                conn.set(ConnState::Idle);
                return conn_denied(
                    None,
                    match s {
                        Scheme::Ntlm => "NTLM is not enabled on this directory",
                        Scheme::Negotiate => "Negotiate is not enabled on this directory",
                    },
                );
            }
            let Some(bytes) = decode().filter(|b| !b.is_empty()) else {
                conn.set(ConnState::Idle);
                return conn_denied(None, "malformed NTLM/Negotiate token");
            };
            return match s {
                Scheme::Ntlm => self.ntlm_step(store, names, conn, Scheme::Ntlm, &bytes, None),
                Scheme::Negotiate => self.negotiate_step(store, names, conn, &bytes),
            };
        }
        // Any other scheme replaces a connection's logon.
        conn.set(ConnState::Idle);
        if scheme.eq_ignore_ascii_case("Bearer") {
            return conn_denied(None, "OAuth (Bearer) is not supported by this server");
        }
        match self.authenticate(store, methods, Some(value)).await {
            AuthOutcome::Authenticated(principal) => ConnOutcome::Authenticated {
                principal,
                header: None,
            },
            AuthOutcome::Denied { user, reason } => conn_denied(user, reason),
        }
    }

    /// A request without credentials: the connection's logon, if it still holds.
    fn bound(&self, store: &Store, methods: &[AuthMethod], conn: &ConnAuth) -> ConnOutcome {
        let bound = match &*conn.lock() {
            ConnState::Authenticated(b) => Some((**b).clone()),
            _ => None,
        };
        let Some(b) = bound else {
            conn.set(ConnState::Idle);
            return conn_denied(None, "no credentials");
        };
        if !methods.contains(&b.scheme.method()) {
            conn.set(ConnState::Idle);
            return conn_denied(None, "the connection's logon scheme is no longer enabled");
        }
        let current = store
            .mailbox(b.principal.mailbox)
            .ok()
            .flatten()
            .and_then(|m| m.current_nt_hash());
        if current.is_some_and(|nt| bool::from(subtle::ConstantTimeEq::ct_eq(&nt[..], &b.nt[..]))) {
            ConnOutcome::Authenticated {
                principal: b.principal,
                header: None,
            }
        } else {
            conn.set(ConnState::Idle);
            conn_denied(
                Some(b.principal.logon_name),
                "the mailbox or its password changed since this connection logged on",
            )
        }
    }

    /// One NTLM message (type 1 or 3) under `scheme`; `spnego` wraps replies for Negotiate.
    fn ntlm_step(
        &self,
        store: &Store,
        names: &TargetNames,
        conn: &ConnAuth,
        scheme: Scheme,
        msg: &[u8],
        spnego: Option<SpnegoState>,
    ) -> ConnOutcome {
        match ntlm::message_type(msg) {
            Some(1) => {
                let Ok(neg) = ntlm::parse_negotiate(msg) else {
                    conn.set(ConnState::Idle);
                    return conn_denied(None, "malformed NTLM NEGOTIATE");
                };
                let server_challenge = random_challenge();
                let challenge = ntlm::build_challenge(
                    neg.flags,
                    &server_challenge,
                    names,
                    ntlm::filetime_now(),
                );
                let header = match &spnego {
                    None => format!("{} {}", scheme.token(), b64(&challenge)),
                    Some(sp) => {
                        let state = if sp.mic_requested && !sp.mech_sent {
                            NegState::RequestMic
                        } else {
                            NegState::AcceptIncomplete
                        };
                        let resp = spnego::response(state, !sp.mech_sent, Some(&challenge), None);
                        format!("Negotiate {}", b64(&resp))
                    }
                };
                conn.set(ConnState::Challenged(Box::new(Pending {
                    scheme,
                    negotiate: msg.to_vec(),
                    challenge,
                    server_challenge,
                    spnego: spnego.map(|s| SpnegoState {
                        mech_sent: true,
                        ..s
                    }),
                })));
                ConnOutcome::Continue(header)
            }
            Some(3) => {
                let pending = match conn.take() {
                    ConnState::Challenged(p) if p.scheme == scheme => p,
                    _ => {
                        return conn_denied(
                            None,
                            "NTLM AUTHENTICATE without a CHALLENGE on this connection",
                        );
                    }
                };
                let (principal, verified, nt) = match self.verify_ntlm(store, &pending, msg) {
                    Ok(v) => v,
                    Err(denied) => return denied,
                };
                let header = match &pending.spnego {
                    None => None,
                    Some(sp) => match spnego_finish(sp, &verified, None) {
                        Ok(h) => Some(h),
                        Err(reason) => return conn_denied(Some(principal.logon_name), reason),
                    },
                };
                conn.set(ConnState::Authenticated(Box::new(Bound {
                    principal: principal.clone(),
                    scheme,
                    nt,
                })));
                ConnOutcome::Authenticated { principal, header }
            }
            _ => {
                conn.set(ConnState::Idle);
                conn_denied(None, "not an NTLM NEGOTIATE or AUTHENTICATE message")
            }
        }
    }

    /// One Negotiate token.
    fn negotiate_step(
        &self,
        store: &Store,
        names: &TargetNames,
        conn: &ConnAuth,
        token: &[u8],
    ) -> ConnOutcome {
        match spnego::parse(token) {
            Some(Token::RawNtlm(msg)) => {
                self.ntlm_step(store, names, conn, Scheme::Negotiate, &msg, None)
            }
            Some(Token::RawKerberos) => {
                conn.set(ConnState::Idle);
                tracing::warn!(
                    "Negotiate: the client sent a Kerberos token; Kerberos is not supported by this server (use NTLM inside Negotiate, NTLM or Basic)"
                );
                conn_denied(None, "Kerberos is not supported")
            }
            Some(Token::Init {
                mech_list,
                mechs,
                mech_token,
            }) => {
                if !Token::offers_ntlm(&mechs) {
                    conn.set(ConnState::Idle);
                    let kerberos = mechs.iter().any(|m| Token::is_kerberos(m));
                    tracing::warn!(
                        kerberos_only = kerberos,
                        "Negotiate: the client offered no NTLM mechanism; Kerberos is not supported by this server, so the logon is refused"
                    );
                    return conn_denied(None, "Negotiate without NTLM (Kerberos is not supported)");
                }
                let ntlm_first = mechs.first().is_some_and(|m| m == spnego::NTLM_OID);
                let sp = SpnegoState {
                    mech_list,
                    mic_requested: !ntlm_first,
                    mech_sent: false,
                };
                match mech_token {
                    Some(t) if ntlm_first && ntlm::message_type(&t) == Some(1) => {
                        self.ntlm_step(store, names, conn, Scheme::Negotiate, &t, Some(sp))
                    }
                    _ => {
                        // NTLM is not the client's first choice (or came without a token): pick it and ask
                        // for its NEGOTIATE; the client then owes us a mechListMIC.
                        let resp = spnego::response(NegState::RequestMic, true, None, None);
                        conn.set(ConnState::SpnegoAwaitingNtlm(SpnegoState {
                            mic_requested: true,
                            mech_sent: true,
                            ..sp
                        }));
                        ConnOutcome::Continue(format!("Negotiate {}", b64(&resp)))
                    }
                }
            }
            Some(Token::Resp {
                response_token,
                mech_list_mic,
            }) => {
                let state = conn.take();
                let Some(msg) = response_token else {
                    return conn_denied(None, "Negotiate token without an NTLM message");
                };
                match (state, ntlm::message_type(&msg)) {
                    (ConnState::SpnegoAwaitingNtlm(sp), Some(1)) => {
                        self.ntlm_step(store, names, conn, Scheme::Negotiate, &msg, Some(sp))
                    }
                    (ConnState::Challenged(pending), Some(3))
                        if pending.scheme == Scheme::Negotiate =>
                    {
                        let Some(sp) = pending.spnego.as_ref() else {
                            return conn_denied(
                                None,
                                "Negotiate token out of sequence on this connection",
                            );
                        };
                        let (principal, verified, nt) =
                            match self.verify_ntlm(store, &pending, &msg) {
                                Ok(v) => v,
                                Err(denied) => return denied,
                            };
                        let header = match spnego_finish(sp, &verified, mech_list_mic.as_deref()) {
                            Ok(h) => h,
                            Err(reason) => {
                                return conn_denied(Some(principal.logon_name), reason);
                            }
                        };
                        conn.set(ConnState::Authenticated(Box::new(Bound {
                            principal: principal.clone(),
                            scheme: Scheme::Negotiate,
                            nt,
                        })));
                        ConnOutcome::Authenticated {
                            principal,
                            header: Some(header),
                        }
                    }
                    _ => conn_denied(None, "Negotiate token out of sequence on this connection"),
                }
            }
            None => {
                conn.set(ConnState::Idle);
                conn_denied(None, "malformed Negotiate token")
            }
        }
    }

    /// Verifies an AUTHENTICATE against the named mailbox's NT hash.
    fn verify_ntlm(
        &self,
        store: &Store,
        pending: &Pending,
        raw: &[u8],
    ) -> Result<(Principal, ntlm::Verified, [u8; 16]), ConnOutcome> {
        let Ok(msg) = ntlm::parse_authenticate(raw) else {
            return Err(conn_denied(None, "malformed NTLM AUTHENTICATE"));
        };
        let user = Some(msg.user.clone()).filter(|u| !u.is_empty());
        let mailbox = match resolve_user(store, &msg.user) {
            Ok(m) => m,
            Err(e) => {
                tracing::error!("cannot read the store to authenticate a request: {e}");
                return Err(conn_denied(user, "store error"));
            }
        };
        let nt = mailbox.as_ref().and_then(Mailbox::current_nt_hash);
        if let (Some(m), None) = (&mailbox, nt)
            && m.password_hash.is_some()
        {
            tracing::warn!(
                mailbox = %logon_name(m),
                "NTLM logon refused: the mailbox has no NT hash (its password was set before NTLM support, or as a PasswordHash); set the password again (Set-Mailbox -Password)"
            );
            return Err(conn_denied(user, "no NT hash; set the password again (Set-Mailbox -Password)"));
        }
        // Unknown users are checked against a random hash, so both paths cost the same.
        let hash = nt.unwrap_or_else(|| *dummy_nt_hash());
        match ntlm::verify(
            raw,
            &msg,
            &hash,
            &pending.server_challenge,
            &pending.negotiate,
            &pending.challenge,
        ) {
            Ok(v) => match (mailbox, nt) {
                (Some(m), Some(nt)) => Ok((
                    Principal {
                        mailbox: m.guid,
                        logon_name: logon_name(&m),
                    },
                    v,
                    nt,
                )),
                _ => Err(conn_denied(user, "wrong user name or password")),
            },
            Err(refusal) => {
                if refusal == ntlm::Refusal::NtlmV1 {
                    tracing::warn!(
                        user = user.as_deref().unwrap_or(""),
                        "NTLM logon refused: the client sent an LM/NTLMv1 response; only NTLMv2 is accepted (raise the client's LmCompatibilityLevel to 3 or more)"
                    );
                }
                Err(conn_denied(user, refusal.as_str()))
            }
        }
    }
}

/// Checks the client's mechListMIC (when it sent one, or owes one) and builds the final NegTokenResp.
fn spnego_finish(
    sp: &SpnegoState,
    v: &ntlm::Verified,
    client_mic: Option<&[u8]>,
) -> Result<String, &'static str> {
    let needed = sp.mic_requested || v.had_mic || client_mic.is_some();
    let server_mic = if needed {
        let Some(mic) = client_mic else {
            return Err("Negotiate: the mechListMIC is missing");
        };
        let (Some(mut from_client), Some(mut to_client)) = (
            ntlm::Direction::new(v, true),
            ntlm::Direction::new(v, false),
        ) else {
            return Err("Negotiate: mechListMIC needs NTLM extended session security");
        };
        let want = from_client.sign(0, &sp.mech_list);
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&want[..], mic)) {
            return Err("Negotiate: the mechListMIC does not verify");
        }
        Some(to_client.sign(0, &sp.mech_list))
    } else {
        None
    };
    let resp = spnego::response(
        NegState::AcceptCompleted,
        false,
        None,
        server_mic.as_ref().map(|m| &m[..]),
    );
    Ok(format!("Negotiate {}", b64(&resp)))
}

/// A random NT hash, for unknown users.
fn dummy_nt_hash() -> &'static [u8; 16] {
    static DUMMY: OnceLock<[u8; 16]> = OnceLock::new();
    DUMMY.get_or_init(|| *Uuid::new_v4().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapish_store::InitParams;

    fn basic(user_pass: &str) -> HeaderValue {
        let b64 = base64::engine::general_purpose::STANDARD.encode(user_pass);
        HeaderValue::from_str(&format!("Basic {b64}")).unwrap()
    }

    fn store_with_alice() -> (Store, Mailbox) {
        let store = Store::open_temporary().unwrap();
        store
            .initialize(&InitParams {
                organization: "Contoso".into(),
                server: "EX01".into(),
                fqdn: "ex01.contoso.com".into(),
            })
            .unwrap();
        let mut m = Mailbox::new(
            "Alice",
            "alice",
            "alice@contoso.com",
            "alice@contoso.com",
            "Contoso",
            "EX01",
        );
        m.password_hash = Some(mapish_store::hash_password("P@ss1").unwrap());
        store.update(|tx| tx.put_mailbox(&m)).unwrap();
        (store, m)
    }

    #[test]
    fn basic_parsing() {
        assert_eq!(
            parse_basic(basic("a@b.c:p:w").as_bytes()),
            Some(("a@b.c".into(), "p:w".into()))
        );
        assert_eq!(parse_basic(b"bAsIc  YTpi"), Some(("a".into(), "b".into())));
        assert_eq!(parse_basic(b"Bearer abc"), None);
        assert_eq!(parse_basic(b"Basic !!!"), None);
        assert_eq!(parse_basic(basic(":x").as_bytes()), None);
        assert_eq!(parse_basic(basic("nocolon").as_bytes()), None);
        // Latin-1 fallback.
        let latin = base64::engine::general_purpose::STANDARD.encode(b"j\xf6rg:x");
        assert_eq!(
            parse_basic(format!("Basic {latin}").as_bytes()).unwrap().0,
            "jörg"
        );
    }

    #[test]
    fn challenges_offer_only_what_can_be_completed() {
        assert_eq!(
            challenges(&[AuthMethod::Ntlm, AuthMethod::Basic], "ex01.contoso.com"),
            vec![
                "NTLM".to_string(),
                "Basic realm=\"ex01.contoso.com\", charset=\"UTF-8\"".to_string()
            ]
        );
        // One header per scheme, in configured order; OAuth (Bearer) and Kerberos never.
        assert_eq!(
            challenges(
                &[AuthMethod::OAuth, AuthMethod::Negotiate, AuthMethod::Ntlm],
                "x"
            ),
            vec!["Negotiate".to_string(), "NTLM".to_string()]
        );
        assert!(challenges(&[AuthMethod::OAuth], "x").is_empty());
        assert_eq!(scheme_token(AuthMethod::OAuth), "Bearer");
        assert_eq!(scheme_token(AuthMethod::Ntlm), "NTLM");
    }

    #[tokio::test]
    async fn basic_success_failure_cache_and_password_change() {
        let (store, alice) = store_with_alice();
        let auth = Authenticator::new(Duration::from_secs(60), 2);
        let methods = [AuthMethod::Basic];
        for user in ["alice@contoso.com", "ALICE", "contoso\\alice", "Alice"] {
            match auth
                .authenticate(&store, &methods, Some(&basic(&format!("{user}:P@ss1"))))
                .await
            {
                AuthOutcome::Authenticated(p) => assert_eq!(p.mailbox, alice.guid),
                other => panic!("{user}: {other:?}"),
            }
        }
        assert!(matches!(
            auth.authenticate(&store, &methods, Some(&basic("alice:wrong")))
                .await,
            AuthOutcome::Denied { user: Some(u), .. } if u == "alice"
        ));
        assert!(matches!(
            auth.authenticate(&store, &methods, Some(&basic("nobody:P@ss1")))
                .await,
            AuthOutcome::Denied { .. }
        ));
        assert!(matches!(
            auth.authenticate(&store, &[], Some(&basic("alice:P@ss1")))
                .await,
            AuthOutcome::Denied { .. }
        ));
        assert!(matches!(
            auth.authenticate(&store, &methods, None).await,
            AuthOutcome::Denied { user: None, .. }
        ));

        // The cached success dies with a password change.
        let mut changed = alice.clone();
        changed.password_hash = Some(mapish_store::hash_password("N3w").unwrap());
        store.update(|tx| tx.put_mailbox(&changed)).unwrap();
        assert!(matches!(
            auth.authenticate(&store, &methods, Some(&basic("alice:P@ss1")))
                .await,
            AuthOutcome::Denied { .. }
        ));
        assert!(matches!(
            auth.authenticate(&store, &methods, Some(&basic("alice:N3w")))
                .await,
            AuthOutcome::Authenticated(_)
        ));
    }

    fn ntlm_header(msg: &[u8]) -> HeaderValue {
        HeaderValue::from_str(&format!("NTLM {}", b64(msg))).unwrap()
    }

    /// NEGOTIATE → CHALLENGE → AUTHENTICATE on `conn`.
    async fn ntlm_logon(
        auth: &Authenticator,
        store: &Store,
        methods: &[AuthMethod],
        conn: &ConnAuth,
        user: &str,
        password: &str,
    ) -> ConnOutcome {
        let names = target_names("EX01", "ex01.contoso.com");
        let neg = ntlm_header(&ntlm::test_client::negotiate());
        let challenge = match auth
            .authenticate_conn(store, methods, &names, conn, Some(&neg))
            .await
        {
            ConnOutcome::Continue(h) => {
                let (scheme, token) = h.split_once(' ').unwrap();
                assert_eq!(scheme, "NTLM");
                base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .unwrap()
            }
            other => return other,
        };
        let msg = ntlm::test_client::authenticate(&challenge, user, "CONTOSO", password);
        auth.authenticate_conn(store, methods, &names, conn, Some(&ntlm_header(&msg)))
            .await
    }

    #[tokio::test]
    async fn ntlm_binds_the_connection_until_the_password_changes() {
        let (store, mut alice) = store_with_alice();
        alice.set_password("P@ss1").unwrap();
        store.update(|tx| tx.put_mailbox(&alice)).unwrap();
        let auth = Authenticator::new(Duration::from_secs(60), 2);
        let names = target_names("EX01", "ex01.contoso.com");
        let methods = [AuthMethod::Ntlm, AuthMethod::Basic];
        let conn = ConnAuth::new();
        match ntlm_logon(&auth, &store, &methods, &conn, "alice", "P@ss1").await {
            ConnOutcome::Authenticated { principal, header } => {
                assert_eq!(principal.mailbox, alice.guid);
                assert!(header.is_none());
            }
            other => panic!("{other:?}"),
        }
        // Bound to this connection, and only this one.
        for _ in 0..2 {
            assert!(matches!(
                auth.authenticate_conn(&store, &methods, &names, &conn, None)
                    .await,
                ConnOutcome::Authenticated { .. }
            ));
        }
        let other = ConnAuth::new();
        assert!(matches!(
            auth.authenticate_conn(&store, &methods, &names, &other, None)
                .await,
            ConnOutcome::Denied { .. }
        ));
        // Wrong password, unknown user, NTLM not enabled.
        for (user, pw, m) in [
            ("alice", "wrong", &methods[..]),
            ("nobody", "P@ss1", &methods[..]),
            ("alice", "P@ss1", &[AuthMethod::Basic][..]),
        ] {
            let c = ConnAuth::new();
            assert!(
                matches!(
                    ntlm_logon(&auth, &store, m, &c, user, pw).await,
                    ConnOutcome::Denied { .. }
                ),
                "{user}/{pw}"
            );
            assert!(matches!(
                auth.authenticate_conn(&store, m, &names, &c, None).await,
                ConnOutcome::Denied { .. }
            ));
        }
        // A password change ends the connection's logon.
        alice.set_password("N3w").unwrap();
        store.update(|tx| tx.put_mailbox(&alice)).unwrap();
        assert!(matches!(
            auth.authenticate_conn(&store, &methods, &names, &conn, None)
                .await,
            ConnOutcome::Denied { .. }
        ));
        assert!(matches!(
            ntlm_logon(&auth, &store, &methods, &conn, "alice@contoso.com", "N3w").await,
            ConnOutcome::Authenticated { .. }
        ));
        // A password hash set without the clear text (config PasswordHash) leaves no usable NT hash.
        alice.password_hash = Some(mapish_store::hash_password("Other").unwrap());
        store.update(|tx| tx.put_mailbox(&alice)).unwrap();
        match ntlm_logon(&auth, &store, &methods, &ConnAuth::new(), "alice", "N3w").await {
            ConnOutcome::Denied { reason, .. } => {
                assert_eq!(reason, "no NT hash; set the password again (Set-Mailbox -Password)")
            }
            other => panic!("{other:?}"),
        }
        // Basic on the same connection re-authenticates (and drops the NTLM logon).
        let basic_ok = basic("alice:Other");
        assert!(matches!(
            auth.authenticate_conn(&store, &methods, &names, &conn, Some(&basic_ok))
                .await,
            ConnOutcome::Authenticated { .. }
        ));
        assert!(matches!(
            auth.authenticate_conn(&store, &methods, &names, &conn, None)
                .await,
            ConnOutcome::Denied { .. }
        ));
    }

    #[tokio::test]
    async fn negotiate_refuses_kerberos_only_and_out_of_sequence_tokens() {
        let (store, _) = store_with_alice();
        let auth = Authenticator::new(Duration::from_secs(60), 2);
        let names = target_names("EX01", "ex01.contoso.com");
        let methods = [AuthMethod::Negotiate];
        let conn = ConnAuth::new();
        // A raw krb5 AP-REQ wrapper.
        let krb = [
            0x60, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x01,
            0x00,
        ];
        let h = HeaderValue::from_str(&format!("Negotiate {}", b64(&krb))).unwrap();
        assert!(matches!(
            auth.authenticate_conn(&store, &methods, &names, &conn, Some(&h))
                .await,
            ConnOutcome::Denied {
                reason: "Kerberos is not supported",
                ..
            }
        ));
        // A NegTokenResp before any NegTokenInit.
        let resp = spnego::response(
            NegState::AcceptIncomplete,
            false,
            Some(b"NTLMSSP\0\x03\0\0\0"),
            None,
        );
        let h = HeaderValue::from_str(&format!("Negotiate {}", b64(&resp))).unwrap();
        assert!(matches!(
            auth.authenticate_conn(&store, &methods, &names, &conn, Some(&h))
                .await,
            ConnOutcome::Denied { .. }
        ));
        // Bearer is never accepted.
        let h = HeaderValue::from_static("Bearer abc");
        assert!(matches!(
            auth.authenticate_conn(&store, &[AuthMethod::OAuth], &names, &conn, Some(&h))
                .await,
            ConnOutcome::Denied { .. }
        ));
    }

    /// The initiator the probe uses (mapish-ntlm's `client`), against this acceptor, for both schemes.
    #[tokio::test]
    async fn the_shared_initiator_logs_on_with_ntlm_and_negotiate() {
        use mapish_ntlm::client::{Credentials, Initiator, Step};
        let (store, mut alice) = store_with_alice();
        alice.set_password("P@ss1").unwrap();
        store.update(|tx| tx.put_mailbox(&alice)).unwrap();
        let auth = Authenticator::new(Duration::from_secs(60), 2);
        let names = target_names("EX01", "ex01.contoso.com");
        let methods = [AuthMethod::Ntlm, AuthMethod::Negotiate];
        for (scheme, password) in [
            ("NTLM", "P@ss1"),
            ("Negotiate", "P@ss1"),
            ("NTLM", "wrong"),
            ("Negotiate", "wrong"),
        ] {
            let creds = Credentials::new("alice@contoso.com", password);
            let mut init = if scheme == "NTLM" {
                Initiator::ntlm(creds)
            } else {
                Initiator::negotiate(creds)
            };
            let conn = ConnAuth::new();
            let mut token = init.start();
            let outcome = loop {
                let h = HeaderValue::from_str(&format!("{scheme} {}", b64(&token))).unwrap();
                match auth
                    .authenticate_conn(&store, &methods, &names, &conn, Some(&h))
                    .await
                {
                    ConnOutcome::Continue(c) => {
                        let (s, t) = c.split_once(' ').unwrap();
                        assert_eq!(s, scheme);
                        let t = base64::engine::general_purpose::STANDARD.decode(t).unwrap();
                        match init.step(Some(&t)).unwrap() {
                            Step::Send(next) => token = next,
                            Step::Done => panic!("{scheme}: done while the server continues"),
                        }
                    }
                    other => break other,
                }
            };
            match (password, outcome) {
                ("P@ss1", ConnOutcome::Authenticated { principal, header }) => {
                    assert_eq!(principal.mailbox, alice.guid);
                    let last = header.map(|h| {
                        base64::engine::general_purpose::STANDARD
                            .decode(h.split_once(' ').unwrap().1)
                            .unwrap()
                    });
                    assert_eq!(last.is_some(), scheme == "Negotiate");
                    assert!(matches!(init.step(last.as_deref()).unwrap(), Step::Done));
                    assert!(matches!(
                        auth.authenticate_conn(&store, &methods, &names, &conn, None)
                            .await,
                        ConnOutcome::Authenticated { .. }
                    ));
                }
                ("wrong", ConnOutcome::Denied { reason, .. }) => {
                    assert_eq!(reason, "wrong user name or password")
                }
                (_, other) => panic!("{scheme}/{password}: {other:?}"),
            }
        }
    }

    /// Negotiate where NTLM is not the client's first mechanism: the server picks NTLM with request-mic,
    /// and the logon needs a valid mechListMIC, answered with the server's own.
    #[tokio::test]
    async fn negotiate_picks_ntlm_and_checks_the_mech_list_mic() {
        let (store, mut alice) = store_with_alice();
        alice.set_password("P@ss1").unwrap();
        store.update(|tx| tx.put_mailbox(&alice)).unwrap();
        let auth = Authenticator::new(Duration::from_secs(60), 2);
        let names = target_names("EX01", "ex01.contoso.com");
        let methods = [AuthMethod::Negotiate];
        let mechs: [&[u8]; 2] = [spnego::test_client::KERBEROS, spnego::NTLM_OID];
        let mech_list = spnego::test_client::mech_list(&mechs);
        let header =
            |token: &[u8]| HeaderValue::from_str(&format!("Negotiate {}", b64(token))).unwrap();
        let reply_token = |o: ConnOutcome| -> (Option<Vec<u8>>, Option<Vec<u8>>) {
            let h = match o {
                ConnOutcome::Continue(h) => h,
                ConnOutcome::Authenticated {
                    header: Some(h), ..
                } => h,
                other => panic!("{other:?}"),
            };
            let raw = base64::engine::general_purpose::STANDARD
                .decode(h.strip_prefix("Negotiate ").unwrap())
                .unwrap();
            match spnego::parse(&raw) {
                Some(Token::Resp {
                    response_token,
                    mech_list_mic,
                }) => (response_token, mech_list_mic),
                other => panic!("{other:?}"),
            }
        };
        for case in ["good", "missing", "bad"] {
            let conn = ConnAuth::new();
            let init = spnego::test_client::init(&mechs, Some(b"\x60\x03\x06\x01\x00"));
            let out = auth
                .authenticate_conn(&store, &methods, &names, &conn, Some(&header(&init)))
                .await;
            assert_eq!(
                reply_token(out),
                (None, None),
                "NTLM chosen, its NEGOTIATE asked for"
            );
            let neg = spnego::response(
                NegState::AcceptIncomplete,
                false,
                Some(&ntlm::test_client::negotiate()),
                None,
            );
            let out = auth
                .authenticate_conn(&store, &methods, &names, &conn, Some(&header(&neg)))
                .await;
            let challenge = reply_token(out).0.expect("CHALLENGE");
            let msg = ntlm::test_client::authenticate(&challenge, "alice", "CONTOSO", "P@ss1");
            // The client's side of the keys, from the same message.
            let parsed = ntlm::parse_authenticate(&msg).unwrap();
            let server_challenge: [u8; 8] = challenge[24..32].try_into().unwrap();
            let v = ntlm::verify(
                &msg,
                &parsed,
                &mapish_store::nt_owf("P@ss1"),
                &server_challenge,
                &[],
                &[],
            )
            .unwrap();
            let mut client_mic = ntlm::Direction::new(&v, true).unwrap().sign(0, &mech_list);
            if case == "bad" {
                client_mic[6] ^= 1;
            }
            let last = spnego::response(
                NegState::AcceptIncomplete,
                false,
                Some(&msg),
                (case != "missing").then_some(&client_mic[..]),
            );
            let out = auth
                .authenticate_conn(&store, &methods, &names, &conn, Some(&header(&last)))
                .await;
            match case {
                "good" => {
                    let (_, server_mic) = reply_token(out);
                    let want = ntlm::Direction::new(&v, false).unwrap().sign(0, &mech_list);
                    assert_eq!(server_mic.as_deref(), Some(&want[..]));
                    assert!(matches!(
                        auth.authenticate_conn(&store, &methods, &names, &conn, None)
                            .await,
                        ConnOutcome::Authenticated { .. }
                    ));
                }
                "missing" => assert!(matches!(
                    out,
                    ConnOutcome::Denied {
                        reason: "Negotiate: the mechListMIC is missing",
                        ..
                    }
                )),
                _ => assert!(matches!(
                    out,
                    ConnOutcome::Denied {
                        reason: "Negotiate: the mechListMIC does not verify",
                        ..
                    }
                )),
            }
        }
    }
}
