//! HTTP authentication. Basic is implemented, against the mailbox's argon2id hash; the schemes are offered
//! in `WWW-Authenticate` only when the server can complete them.
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
            // Not offered until they can be completed (live::COMPLETABLE).
            AuthMethod::Ntlm | AuthMethod::Negotiate | AuthMethod::OAuth => None,
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
            vec!["Basic realm=\"ex01.contoso.com\", charset=\"UTF-8\"".to_string()]
        );
        assert!(challenges(&[AuthMethod::Negotiate, AuthMethod::OAuth], "x").is_empty());
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
}
