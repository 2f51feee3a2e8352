//! The port through which Test-OutlookConnectivity reaches a MAPI over HTTP client.
//!
//! The command layer knows no HTTP (DESIGN.md: layers point one way), so the cmdlet describes what
//! to test in a [`ProbeRequest`] and the edge that built the [`Session`](crate::run::Session) plugs
//! in a [`Probe`] that does it over the network (the `mapish-probe` crate). The cmdlet reads the
//! store before and after: it finds the directory and the mailbox, and it explains a failure from
//! the effective settings, which the wire alone cannot know.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::value::SecretText;

/// The type name of Test-OutlookConnectivity's output, which selects its default table. Exchange's
/// own type name for probe results is not documented (cmdlets.md §9), so mapish does not claim one.
pub const RESULT_TYPE: &str = "Mapish.Monitoring.OutlookConnectivityProbeResult";

/// The authentication schemes mapish's server can complete, as `WWW-Authenticate` tokens: the ones
/// an unauthenticated request must be offered when the directory lists them (docs/server.md, "Who
/// may connect", "Authentication"). OAuth may be configured but is never offered.
pub const COMPLETABLE_SCHEMES: &[&str] = &["Basic", "NTLM", "Negotiate"];

/// Runs probes against a MAPI over HTTP endpoint.
pub trait Probe: Send + Sync {
    /// Runs one probe to the end (or to its first failure) within `request.timeout`. Never panics
    /// and never returns an error: whatever goes wrong is a failed step in the report.
    fn run(&self, request: &ProbeRequest) -> ProbeReport;
}

/// Which checks to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeKind {
    /// The endpoint answers like a MAPI over HTTP endpoint: the host resolves, TLS is accepted with
    /// a certificate covering the host, an unauthenticated request gets 401 with the expected
    /// schemes, and the health check is healthy. No logon.
    SelfTest,
    /// Autodiscover offers mapiHttp for the account's mailbox; Connect, Execute(RopLogon), PING and
    /// Disconnect on the mailbox endpoint; Bind, GetMailboxUrl and Unbind on the address book.
    /// Uses the internal URLs.
    DeepTest,
    /// The deep test through the external URLs (the client access path).
    Ctp,
}

/// Who logs on in a deep test.
pub struct ProbeAccount {
    /// The user name (a UPN, an SMTP address, an alias or `DOMAIN\alias`).
    pub user_name: String,
    pub password: SecretText,
    /// The address Autodiscover is asked about.
    pub email_address: String,
}

/// What to test.
pub struct ProbeRequest {
    pub kind: ProbeKind,
    /// The MAPI virtual directory URL to start from, e.g. `https://mail.contoso.com/mapi`: its
    /// host and port also serve Autodiscover.
    pub directory_url: String,
    /// -Hostname: every request goes to this host (and port, if given) instead of the one in the
    /// URL, Autodiscover's URLs included; the certificate must cover this name.
    pub hostname: Option<String>,
    /// `WWW-Authenticate` tokens the 401 of the self test must offer.
    pub expected_schemes: Vec<String>,
    /// Required for the deep tests.
    pub account: Option<ProbeAccount>,
    /// The budget of the whole probe.
    pub timeout: Duration,
    /// Accept a certificate whatever its issuer (a self-signed test setup). The certificate must
    /// still cover the host name: that mismatch is what breaks Outlook.
    pub trust_any_certificate: bool,
    /// Set from outside (Ctrl-C) to abandon the probe early.
    pub cancel: Option<Arc<AtomicBool>>,
}

/// How one step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOutcome {
    Succeeded,
    Failed,
    /// Not applicable (TLS on an http URL).
    Skipped,
}

impl StepOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            StepOutcome::Succeeded => "Succeeded",
            StepOutcome::Failed => "Failed",
            StepOutcome::Skipped => "Skipped",
        }
    }
}

/// One timed step of a probe.
#[derive(Debug, Clone)]
pub struct ProbeStep {
    /// e.g. `Connect (emsmdb)`.
    pub name: String,
    pub outcome: StepOutcome,
    pub latency: Duration,
    /// What was seen: the address connected to, the response code, the URL handed out.
    pub detail: String,
}

/// Why a probe failed, for the cmdlet to explain from the store and for scripts to match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureCause {
    /// The host name does not resolve.
    NameResolution,
    /// Nothing listens on the port: the server is not running.
    ConnectionRefused,
    /// Another network error while connecting or talking.
    Connection,
    /// The budget ran out.
    Timeout,
    /// The certificate does not cover the host name.
    TlsNameMismatch,
    /// The certificate's issuer is not trusted.
    TlsUntrusted,
    /// Another TLS failure.
    Tls,
    /// 404 under /mapi: the server has no MAPI virtual directory.
    DirectoryMissing,
    /// /mapi/healthcheck.htm did not answer 200.
    Unhealthy,
    /// The 401 did not offer the expected schemes (or none at all).
    ChallengeMismatch,
    /// The credentials were refused with this scheme.
    AuthenticationFailed { scheme: String },
    /// An `X-ResponseCode` other than 0.
    ResponseCode(u32),
    /// Autodiscover answered settings without the mapiHttp protocol.
    AutodiscoverNoMapiHttp,
    /// Autodiscover answered an error document with this code.
    AutodiscoverError(u32),
    /// The answer was not what the protocol says (bad framing, a failing ErrorCode…).
    Protocol,
    /// Abandoned on request (Ctrl-C).
    Cancelled,
}

/// The first failure of a probe.
#[derive(Debug, Clone)]
pub struct ProbeFailure {
    pub cause: FailureCause,
    /// The step that failed.
    pub step: String,
    /// What went wrong, in words an administrator acts on.
    pub message: String,
    /// The underlying error as the library reported it (the Exception column).
    pub exception: String,
}

/// What a probe found.
#[derive(Debug, Clone, Default)]
pub struct ProbeReport {
    /// The URL the probe aimed at (after -Hostname).
    pub target_url: String,
    pub steps: Vec<ProbeStep>,
    /// None when every step succeeded.
    pub failure: Option<ProbeFailure>,
    /// The `WWW-Authenticate` scheme the probe logged on (or, in the self test, started its
    /// handshake) with: `Negotiate`, `NTLM` or `Basic`; None when it got no further.
    pub auth_scheme: Option<String>,
}
