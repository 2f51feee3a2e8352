//! What `mapish serve` is told on its command line, with the defaults the CLI shows.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use crate::error::ServeError;

/// Everything `run`/`start` need besides the store. Each field mirrors a `mapish serve` flag.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// `--listen ADDR:PORT` (repeatable). Default `127.0.0.1:8080`. Port 0 picks a free port; the readiness
    /// line tells which.
    pub listen: Vec<SocketAddr>,
    /// `--server NAME`: the Server object (Name or Fqdn) this process serves. Default: the only server, or
    /// the one named like this host.
    pub server_name: Option<String>,
    /// `--tls-cert/--tls-key` or `--self-signed`; plain HTTP otherwise.
    pub tls: TlsMode,
    /// `--insecure-http`: allow plain HTTP on addresses other than loopback.
    pub insecure_http: bool,
    /// `--log-dir DIR`: access and protocol logs. Default `<store>/logs`; none for a temporary store.
    pub log_dir: Option<PathBuf>,
    /// `--session-idle-timeout-ms N` (hidden): how long an unused session context lives. Default 15 minutes,
    /// advertised in `X-ExpirationInfo`.
    pub session_idle_timeout: Duration,
    /// Resource limits.
    pub limits: Limits,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 8080))],
            server_name: None,
            tls: TlsMode::None,
            insecure_http: false,
            log_dir: None,
            session_idle_timeout: Duration::from_secs(15 * 60),
            limits: Limits::default(),
        }
    }
}

/// How listeners speak.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum TlsMode {
    /// Plain HTTP: for loopback and tests (elsewhere only with `insecure_http`).
    #[default]
    None,
    /// `--tls-cert PEM --tls-key PEM`: a certificate chain and its private key (PKCS#8, PKCS#1 or SEC1).
    Files {
        /// The certificate chain, leaf first.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
    /// `--self-signed`: a certificate kept in `<store>/tls/`, covering the host names of this server's MAPI
    /// virtual directory URLs and its FQDN; regenerated (live) when those names change.
    SelfSigned,
}

/// Limits that keep memory and CPU bounded whatever clients send. The defaults suit a real deployment;
/// tests shrink the time-based ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body accepted (X-ResponseCode 9 above it). Default 320 KiB: Execute's RopBuffer may
    /// hold 256 KiB (MS-OXCRPC cbIn limit 0x40000) plus a 4 KiB auxiliary buffer.
    pub max_body_bytes: usize,
    /// Time allowed for a client to send a request's header block (also the TLS handshake). Default 30 s.
    pub header_read_timeout: Duration,
    /// Time allowed for a client to send a request body. Default 60 s.
    pub body_read_timeout: Duration,
    /// Open connections at once; further clients wait in the kernel's backlog. Default 1,024.
    pub max_connections: usize,
    /// Session contexts (mailbox + address book) one mailbox may hold. Default 64.
    pub max_sessions_per_user: usize,
    /// Session contexts in total. Default 50,000.
    pub max_sessions_total: usize,
    /// Interval of PENDING keep-alives on long requests, advertised in X-PendingPeriod. Default 30 s
    /// (Exchange 2016 SP1 and later).
    pub pending_period: Duration,
    /// How long NotificationWait waits for an event before answering EventPending 0. Default 5 minutes
    /// (MS-OXCMAPIHTTP §3.1.5.5).
    pub notification_wait: Duration,
    /// How long a shutdown waits for in-flight requests. Default 30 s.
    pub drain_timeout: Duration,
    /// How long a successful Basic verification is remembered (keyed by a hash of the credentials and
    /// checked against the mailbox's current password hash). Default 10 minutes.
    pub auth_cache_ttl: Duration,
    /// argon2 verifications running at once (each takes ~19 MiB and tens of ms). Default 4.
    pub max_concurrent_password_checks: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 320 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
            max_connections: 1024,
            max_sessions_per_user: 64,
            max_sessions_total: 50_000,
            pending_period: Duration::from_secs(30),
            notification_wait: Duration::from_secs(300),
            drain_timeout: Duration::from_secs(30),
            auth_cache_ttl: Duration::from_secs(600),
            max_concurrent_password_checks: 4,
        }
    }
}

impl ServeConfig {
    /// Refuses configurations that cannot work or would be unsafe, before anything is bound.
    pub fn validate(&self) -> Result<(), ServeError> {
        if self.listen.is_empty() {
            return Err(ServeError::NoListenAddress);
        }
        if self.tls == TlsMode::None
            && !self.insecure_http
            && let Some(addr) = self.listen.iter().find(|a| !a.ip().is_loopback())
        {
            return Err(ServeError::PlainHttpNotLoopback { addr: *addr });
        }
        if self.session_idle_timeout.is_zero() {
            return Err(ServeError::InvalidSetting {
                setting: "--session-idle-timeout-ms",
                reason: "must be greater than 0".into(),
            });
        }
        let l = &self.limits;
        let zero = [
            ("max_body_bytes", l.max_body_bytes == 0),
            ("max_connections", l.max_connections == 0),
            ("max_sessions_per_user", l.max_sessions_per_user == 0),
            ("max_sessions_total", l.max_sessions_total == 0),
            ("pending_period", l.pending_period.is_zero()),
            (
                "max_concurrent_password_checks",
                l.max_concurrent_password_checks == 0,
            ),
        ];
        if let Some((setting, _)) = zero.into_iter().find(|(_, is_zero)| *is_zero) {
            return Err(ServeError::InvalidSetting {
                setting,
                reason: "must be greater than 0".into(),
            });
        }
        Ok(())
    }

    /// Whether listeners speak TLS.
    pub fn is_tls(&self) -> bool {
        self.tls != TlsMode::None
    }
}

/// Milliseconds as a u64 header value, saturating.
pub(crate) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_loopback_plain_http_and_valid() {
        let c = ServeConfig::default();
        assert_eq!(c.listen, vec!["127.0.0.1:8080".parse().unwrap()]);
        assert_eq!(c.session_idle_timeout, Duration::from_secs(900));
        c.validate().unwrap();
    }

    #[test]
    fn plain_http_off_loopback_needs_the_flag() {
        let mut c = ServeConfig {
            listen: vec!["0.0.0.0:8080".parse().unwrap()],
            ..ServeConfig::default()
        };
        let err = c.validate().unwrap_err();
        assert!(err.to_string().contains("--insecure-http"), "{err}");
        c.insecure_http = true;
        c.validate().unwrap();
        c.insecure_http = false;
        c.tls = TlsMode::SelfSigned;
        c.validate().unwrap();
        c.listen = vec!["[::1]:0".parse().unwrap()];
        c.tls = TlsMode::None;
        c.validate().unwrap();
    }

    #[test]
    fn zero_limits_are_refused() {
        let mut c = ServeConfig::default();
        c.limits.max_sessions_total = 0;
        assert!(c.validate().is_err());
        let c = ServeConfig {
            listen: vec![],
            ..ServeConfig::default()
        };
        assert!(c.validate().is_err());
    }
}
