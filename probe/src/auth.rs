//! Logging on as a client does: the scheme comes from the 401's `WWW-Authenticate` headers, and
//! NTLM / Negotiate run their handshake on the connection the requests then use.
//!
//! Which scheme: the strongest offered, in the order Windows' HTTP stack (WinHTTP, under Outlook
//! and Exchange's own monitoring probes) prefers them: **Negotiate, then NTLM, then Basic**. A
//! Windows client would get a Kerberos ticket under Negotiate where it can; the probe is no domain
//! member, so under Negotiate it offers NTLM only (SPNEGO with NTLM inside), which is also all that
//! `mapish serve` accepts there. OAuth (`Bearer`) is never used: mapish has no token issuer.
//!
//! How: the first request goes without credentials (a server that needs none answers it), and the
//! 401 says what to use. Basic is then sent with every request. NTLM and Negotiate resend the
//! request with each handshake token (NEGOTIATE, then AUTHENTICATE) on the same connection; once
//! the server accepts, the logon stays bound to that connection and later requests go without
//! `Authorization`. If the connection is lost (the server closed it) the next request is answered
//! 401 and the handshake runs again on the new one.

use base64::Engine;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};
use mapish_commands::probe::FailureCause;
use mapish_ntlm::client::{Credentials, Initiator, InitiatorError, Step};

use crate::error::ProbeError;
use crate::http::{Http, Reply};

/// An authentication scheme the probe can complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// SPNEGO with NTLM inside.
    Negotiate,
    Ntlm,
    Basic,
}

impl Scheme {
    /// Preference order (see the module comment).
    const PREFERRED: [Scheme; 3] = [Scheme::Negotiate, Scheme::Ntlm, Scheme::Basic];

    /// The `WWW-Authenticate` / `Authorization` token.
    pub fn token(self) -> &'static str {
        match self {
            Scheme::Negotiate => "Negotiate",
            Scheme::Ntlm => "NTLM",
            Scheme::Basic => "Basic",
        }
    }
}

/// The credentials of the account a probe logs on as.
#[derive(Clone)]
pub struct Account {
    pub user: String,
    pub password: String,
}

/// What a connection knows about logging on.
#[derive(Default)]
pub struct AuthState {
    account: Option<Account>,
    /// The paths' first segments (`autodiscover`, `mapi`) where Basic worked: sent there with every
    /// request, as no other scheme was offered there first.
    basic_realms: Vec<String>,
    /// An NTLM/Negotiate logon and the connection (generation) it is bound to.
    logon: Option<(Scheme, u64)>,
    /// The scheme of the last authenticated request.
    used: Option<Scheme>,
}

/// The scheme to use among those a 401 offers.
pub fn choose(offered: &[String]) -> Option<Scheme> {
    Scheme::PREFERRED
        .into_iter()
        .find(|s| offered.iter().any(|o| o.eq_ignore_ascii_case(s.token())))
}

/// `Authorization: Basic …` for a user name and password.
pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// Builds the request again with a given `Authorization` value (a handshake sends it several times).
pub type Build<'a> = dyn FnMut(Option<&str>) -> Result<Request<Full<Bytes>>, ProbeError> + 'a;

impl Http {
    /// Logs on as `account` for the requests sent with [`Http::send_authed`].
    pub fn set_account(&mut self, account: Account) {
        self.auth.account = Some(account);
    }

    /// The scheme the last authenticated request used.
    pub fn scheme_used(&self) -> Option<Scheme> {
        self.auth.used
    }

    /// `; authenticated with Negotiate` for a step's detail, or nothing.
    pub fn scheme_note(&self) -> String {
        self.auth
            .used
            .map(|s| format!("; authenticated with {}", s.token()))
            .unwrap_or_default()
    }

    /// Sends a request as the account (see the module comment); `what` names it in messages
    /// (`Autodiscover`, `Connect`). A refused logon is an error naming the scheme; any other
    /// answer is the caller's to read.
    pub async fn send_authed(
        &mut self,
        what: &str,
        build: &mut Build<'_>,
    ) -> Result<Reply, ProbeError> {
        let Some(account) = self.auth.account.clone() else {
            return self.send(build(None)?).await;
        };
        let bound = self
            .auth
            .logon
            .filter(|(_, generation)| *generation == self.generation)
            .map(|(s, _)| s);
        let plain = build(None)?;
        let realm = realm_of(plain.uri().path());
        let first_basic = bound.is_none() && self.auth.basic_realms.contains(&realm);
        let request = if first_basic {
            build(Some(&basic(&account.user, &account.password)))?
        } else {
            plain
        };
        let reply = self.send(request).await?;
        if reply.status != StatusCode::UNAUTHORIZED {
            // A server that needs no logon leaves `used` as it was.
            if first_basic {
                self.auth.used = Some(Scheme::Basic);
            } else if bound.is_some() && self.auth.logon.is_some_and(|(_, g)| g == self.generation)
            {
                self.auth.used = bound;
            }
            return Ok(reply);
        }
        let offered = reply.challenge_schemes();
        if first_basic && choose(&offered) == Some(Scheme::Basic) {
            return Err(refused(Scheme::Basic, &reply, &account.user, what));
        }
        let Some(scheme) = choose(&offered) else {
            return Err(no_scheme(&reply, what));
        };
        self.auth.logon = None;
        match scheme {
            Scheme::Basic => {
                let header = basic(&account.user, &account.password);
                let reply = self.send(build(Some(&header))?).await?;
                if reply.status == StatusCode::UNAUTHORIZED {
                    return Err(refused(Scheme::Basic, &reply, &account.user, what));
                }
                if !self.auth.basic_realms.contains(&realm) {
                    self.auth.basic_realms.push(realm);
                }
                self.auth.used = Some(Scheme::Basic);
                Ok(reply)
            }
            Scheme::Ntlm | Scheme::Negotiate => self.handshake(scheme, &account, what, build).await,
        }
    }

    /// NTLM or Negotiate: NEGOTIATE → 401 with the CHALLENGE → AUTHENTICATE → the answer, on one
    /// connection. Tried once more if the connection was replaced in the middle.
    async fn handshake(
        &mut self,
        scheme: Scheme,
        account: &Account,
        what: &str,
        build: &mut Build<'_>,
    ) -> Result<Reply, ProbeError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let creds = Credentials::new(&account.user, &account.password);
            let mut init = match scheme {
                Scheme::Negotiate => Initiator::negotiate(creds),
                _ => Initiator::ntlm(creds),
            };
            let mut token = init.start();
            let mut legs = 0;
            let mut generation = None;
            let reply = loop {
                legs += 1;
                let header = format!(
                    "{} {}",
                    scheme.token(),
                    base64::engine::general_purpose::STANDARD.encode(&token)
                );
                let reply = self.send(build(Some(&header))?).await?;
                // The connection the NEGOTIATE went over: the logon belongs to it.
                let g = *generation.get_or_insert(self.generation);
                if reply.status != StatusCode::UNAUTHORIZED {
                    break reply;
                }
                let server_token = continuation(&reply, scheme);
                match (legs, server_token) {
                    (1, Some(t)) if g == self.generation => {
                        match init
                            .step(Some(&t))
                            .map_err(|e| handshake_error(scheme, what, e))?
                        {
                            Step::Send(next) => token = next,
                            Step::Done => {
                                return Err(handshake_error(
                                    scheme,
                                    what,
                                    InitiatorError::Protocol("no AUTHENTICATE to send"),
                                ));
                            }
                        }
                    }
                    _ if g != self.generation && attempt == 1 => break reply,
                    (1, None) => {
                        return Err(ProbeError::new(
                            FailureCause::AuthenticationFailed {
                                scheme: scheme.token().into(),
                            },
                            format!(
                                "Authentication failed ({}): {what} was answered 401 to the {} NEGOTIATE without a CHALLENGE, so the server did not take up the {} handshake it offers.",
                                scheme.token(),
                                scheme.token(),
                                scheme.token()
                            ),
                            offered_text(&reply),
                        ));
                    }
                    _ => return Err(refused(scheme, &reply, &account.user, what)),
                }
            };
            if reply.status == StatusCode::UNAUTHORIZED {
                // The connection was replaced under the handshake: once more on the new one.
                continue;
            }
            if legs < 2 {
                // Answered without a logon (a 404 before authentication, a server that needs none).
                return Ok(reply);
            }
            if reply.status.is_success() {
                // Negotiate's last token (accept-completed, the server's mechListMIC) is checked.
                let last = continuation(&reply, scheme);
                init.step(last.as_deref())
                    .map_err(|e| handshake_error(scheme, what, e))?;
            }
            self.auth.logon = generation.map(|g| (scheme, g));
            self.auth.used = Some(scheme);
            return Ok(reply);
        }
    }
}

/// The first segment of a path, lower-cased: `/mapi/emsmdb/` → `mapi`. Schemes are chosen per
/// realm: Autodiscover and the MAPI directory may offer different ones.
fn realm_of(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// The base64 token in the reply's `WWW-Authenticate: <scheme> <token>`, if there is one.
pub fn continuation(reply: &Reply, scheme: Scheme) -> Option<Vec<u8>> {
    reply.all("www-authenticate").iter().find_map(|v| {
        let (s, t) = v.trim().split_once(' ')?;
        if !s.eq_ignore_ascii_case(scheme.token()) {
            return None;
        }
        base64::engine::general_purpose::STANDARD
            .decode(t.trim())
            .ok()
            .filter(|b| !b.is_empty())
    })
}

fn offered_text(reply: &Reply) -> String {
    let offered = reply.challenge_schemes();
    if offered.is_empty() {
        "HTTP 401 without WWW-Authenticate".into()
    } else {
        format!("HTTP 401, WWW-Authenticate: {}", offered.join(", "))
    }
}

/// The server refused the account's credentials under `scheme`.
pub fn refused(scheme: Scheme, reply: &Reply, user: &str, what: &str) -> ProbeError {
    let s = scheme.token();
    ProbeError::new(
        FailureCause::AuthenticationFailed { scheme: s.into() },
        format!(
            "Authentication failed ({s}): the server refused the user name and password of '{user}' on {what}. Check the password given with -Credential; the user name may be the mailbox's UserPrincipalName, e-mail address or alias."
        ),
        offered_text(reply),
    )
}

/// A 401 that offers nothing the probe can complete.
pub fn no_scheme(reply: &Reply, what: &str) -> ProbeError {
    let offered = reply.challenge_schemes();
    let oauth = offered
        .iter()
        .any(|o| o.eq_ignore_ascii_case("Bearer") || o.eq_ignore_ascii_case("OAuth"));
    let message = if offered.is_empty() {
        format!(
            "Authentication failed: {what} was answered 401 without any WWW-Authenticate challenge, so no client can learn how to log on."
        )
    } else if oauth {
        format!(
            "Authentication failed (OAuth): {what} was answered 401 offering only {}. OAuth is not supported by mapish (it has no token issuer); the probe logs on with Negotiate, NTLM or Basic.",
            offered.join(", ")
        )
    } else {
        format!(
            "Authentication failed: {what} was answered 401 offering {}, none of which the probe can complete (it logs on with Negotiate, NTLM or Basic).",
            offered.join(", ")
        )
    };
    ProbeError::new(
        FailureCause::AuthenticationFailed {
            scheme: if oauth {
                "OAuth".into()
            } else {
                offered.join(", ")
            },
        },
        message,
        offered_text(reply),
    )
}

fn handshake_error(scheme: Scheme, what: &str, e: InitiatorError) -> ProbeError {
    let s = scheme.token();
    ProbeError::new(
        FailureCause::AuthenticationFailed { scheme: s.into() },
        format!("Authentication failed ({s}): the {s} handshake on {what} broke off: {e}."),
        e,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strongest_offered_scheme_wins() {
        let s = |v: &[&str]| choose(&v.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["Basic", "NTLM", "Negotiate"]), Some(Scheme::Negotiate));
        assert_eq!(s(&["NTLM", "Basic"]), Some(Scheme::Ntlm));
        assert_eq!(s(&["basic"]), Some(Scheme::Basic));
        assert_eq!(s(&["Bearer"]), None);
        assert_eq!(s(&[]), None);
    }
}
