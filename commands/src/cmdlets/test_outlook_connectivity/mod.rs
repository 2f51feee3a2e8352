//! Test-OutlookConnectivity (Probe parameter set, cmdlets.md §9): runs a real probe of the MAPI
//! over HTTP endpoint through the session's [`Probe`](crate::probe::Probe) and says exactly what is
//! wrong when it fails.
//!
//! The cmdlet does what needs the store: it finds the server's MAPI virtual directory and the
//! mailbox (or the health mailbox), hands the network part to the probe, and explains a failure
//! from the effective settings. A Failed result is also written as a non-terminating error, so a
//! one-shot run exits with status 1 and the full cause is printed even when the table cuts the
//! Error column short.

mod explain;
mod health_mailbox;
mod probe_identity;
mod result;

use std::time::{Duration, Instant};

use chrono::Utc;
use mapish_store::{Mailbox, MapiVirtualDirectory, Server};

use crate::bind::Bound;
use crate::probe::{FailureCause, ProbeAccount, ProbeKind, ProbeRequest, ProbeStep, StepOutcome, RESULT_TYPE};
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, IdKind, ParamSpec, ParamType, PipelineInput};
use crate::value::{SecretText, Value};

use super::errors::{ambiguous, exchange_error, not_found};
use super::identity::{find_mailboxes, find_server, IdentityArg};
use explain::{expected_schemes, explain, Context};
use probe_identity::KnownProbe;
use result::ProbeResult;

/// Exchange's default budget of a probe; invalid -TimeOutSeconds values fall back to it.
const DEFAULT_TIMEOUT_SECONDS: u64 = 30;

pub static TEST_OUTLOOK_CONNECTIVITY: CmdletSpec = CmdletSpec {
    name: "Test-OutlookConnectivity",
    aliases: &[],
    synopsis: "Probes the MAPI over HTTP endpoint as Outlook would and says whether it works, and if not, why.",
    description: "Runs a real client against the server's MAPI over HTTP endpoint. OutlookMapiHttpSelfTestProbe checks that the endpoint can receive traffic: the directory URL resolves, TLS is accepted with a certificate that covers its host, an unauthenticated request gets 401 with the configured authentication schemes, the scheme a client would pick (Negotiate, then NTLM) answers its first handshake step with a CHALLENGE, and /mapi/healthcheck.htm is healthy; it does not log on. OutlookMapiHttpDeepTestProbe does what Outlook does to open a mailbox: Autodiscover with X-MapiHttpCapability: 1, then Connect, Execute (RopLogon), PING and Disconnect on the mailbox endpoint and Bind, GetMailboxUrl and Unbind on the address book, at the internal URLs; OutlookMapiHttpCtpProbe does the same through the ExternalUrl. Without -MailboxId the deep tests log on to the server's health mailbox, which mapish creates and keeps itself (Get-Mailbox -Monitoring shows it). The RPC over HTTP probes answer Failed: mapish serves MAPI over HTTP only. A Failed result names its cause in Error and is also reported as an error, so a one-shot run exits with status 1; Format-List shows the target URL, the authentication scheme used (AuthenticationMethod: the probe picks Negotiate, then NTLM, then Basic from the 401, as Windows clients do; OAuth is not supported) and every step with its latency.",
    params: &[
        ParamSpec {
            mandatory: true,
            position: Some(0),
            ..ParamSpec::new(
                "ProbeIdentity",
                ParamType::String,
                "The probe: OutlookMapiHttpSelfTestProbe, OutlookMapiHttpDeepTestProbe or OutlookMapiHttpCtpProbe, alone or as HealthSet\\Probe[\\Target] (OutlookMapiHttp.Protocol\\OutlookMapiHttpDeepTestProbe\\<database>). The RPC probes (OutlookRpcSelfTestProbe, OutlookRpcDeepTestProbe, OutlookRpcCtpProbe) are accepted and answer Failed.",
            )
        },
        ParamSpec::new("RunFromServerId", ParamType::Identity(IdKind::Server), "The server whose MAPI virtual directory is probed (Name or FQDN). Default: the server mapish runs on."),
        ParamSpec {
            pipeline: PipelineInput::BY_VALUE,
            ..ParamSpec::new("MailboxId", ParamType::Identity(IdKind::Mailbox), "The mailbox a deep test logs on to; needs -Credential. Default: the server's health mailbox.")
        },
        ParamSpec::new(
            "Credential",
            ParamType::Credential,
            "The user name and password a deep test logs on with: Get-Credential, or New-Object System.Management.Automation.PSCredential('user@contoso.com', (ConvertTo-SecureString 'pw' -AsPlainText -Force)).",
        ),
        ParamSpec::new("Hostname", ParamType::String, "Sends every request to this host (host or host:port) instead of the one in the directory URL; the certificate must cover it."),
        ParamSpec {
            default: Some("30"),
            ..ParamSpec::new("TimeOutSeconds", ParamType::String, "How long the whole probe may take, in seconds. Default 30; a value that is not a positive whole number means 30.")
        },
        ParamSpec {
            aliases: &["TrustAnySslCert"],
            ..ParamSpec::new(
                "TrustAnySSLCertificate",
                ParamType::Switch,
                "Accepts a certificate whatever its issuer (a self-signed test server). The certificate must still cover the host name.",
            )
        },
    ],
    parameter_sets: &["Probe"],
    default_set: Some("Probe"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "MailboxIdParameter",
    outputs: RESULT_TYPE,
    class: "Microsoft.Exchange.Monitoring.TestOutlookConnectivity",
    examples: &[
        Example {
            code: "Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe",
            remarks: "Checks that the MAPI over HTTP endpoint of EX01 can receive traffic, without logging on.",
        },
        Example {
            code: "Test-OutlookConnectivity OutlookMapiHttp.Protocol\\OutlookMapiHttpDeepTestProbe | Format-List",
            remarks: "Logs on to the health mailbox through Autodiscover and MAPI over HTTP and shows every step with its latency.",
        },
        Example {
            code: "Test-OutlookConnectivity OutlookMapiHttpCtpProbe -MailboxId alice@contoso.com -Credential (Get-Credential alice@contoso.com)",
            remarks: "Logs on to alice's mailbox through the external URL, with her credentials.",
        },
        Example {
            code: "Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe -TrustAnySSLCertificate -TimeOutSeconds 5",
            remarks: "Probes a test server with a self-signed certificate, giving up after 5 seconds.",
        },
    ],
    body: Body::PerRecord(run),
};

/// -TimeOutSeconds: a positive whole number of seconds, anything else the default (as Exchange).
fn timeout_of(text: Option<String>) -> Duration {
    let secs = text.and_then(|t| t.trim().parse::<u64>().ok()).filter(|s| *s > 0).unwrap_or(DEFAULT_TIMEOUT_SECONDS);
    Duration::from_secs(secs)
}

fn run(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let text = b.string("ProbeIdentity").unwrap_or_default();
    let id = match probe_identity::parse(&text) {
        Ok(id) => id,
        Err(message) => {
            let e = exchange_error(inv, message, ErrorCategory::InvalidArgument, "ArgumentException").at(b.span("ProbeIdentity").unwrap_or(inv.call_span));
            return inv.write_error(e);
        }
    };
    let start = Utc::now();
    let mut result = ProbeResult {
        monitor_identity: id.monitor_identity.clone(),
        start,
        end: start,
        failure: None,
        server: None,
        mailbox: None,
        target_url: None,
        auth_scheme: None,
        timeout: timeout_of(b.string("TimeOutSeconds")),
        steps: Vec::new(),
    };
    let kind = match id.probe {
        KnownProbe::MapiSelfTest => ProbeKind::SelfTest,
        KnownProbe::MapiDeepTest => ProbeKind::DeepTest,
        KnownProbe::MapiCtp => ProbeKind::Ctp,
        KnownProbe::RpcSelfTest | KnownProbe::RpcDeepTest | KnownProbe::RpcCtp => {
            result.failure = Some((
                "RPC over HTTP is not provided by mapish: it serves MAPI over HTTP only. Test it with OutlookMapiHttpSelfTestProbe, OutlookMapiHttpDeepTestProbe or OutlookMapiHttpCtpProbe.".into(),
                "RPC over HTTP (Outlook Anywhere) is not implemented".into(),
            ));
            return finish(inv, result, ErrorCategory::NotImplemented);
        }
    };
    let Some(server) = resolve_server(inv, b)? else { return Ok(()) };
    result.server = Some(server.name.clone());
    let hostname = b.string("Hostname").map(|h| h.trim().to_string()).filter(|h| !h.is_empty());

    let Some((vdir, url)) = find_directory(inv, &server, kind, hostname.as_deref(), &mut result)? else {
        return finish(inv, result, ErrorCategory::ObjectNotFound);
    };
    result.target_url = Some(url.clone());

    let (account, mailbox, health) = if kind == ProbeKind::SelfTest {
        (None, None, false)
    } else {
        let Some(chosen) = choose_account(inv, b, &server, &mut result)? else { return Ok(()) };
        (Some(chosen.account), chosen.mailbox, chosen.health)
    };
    result.mailbox = mailbox.as_ref().map(|m| m.primary_smtp_address.clone());

    let Some(probe) = inv.session.probe.clone() else {
        let e = exchange_error(
            inv,
            "Test-OutlookConnectivity needs a network probe, and this mapish host does not provide one.",
            ErrorCategory::NotImplemented,
            "NotSupportedException",
        );
        return inv.write_error(e.at(inv.call_span));
    };
    let request = ProbeRequest {
        kind,
        directory_url: url,
        hostname,
        expected_schemes: expected_schemes(&vdir),
        account,
        timeout: result.timeout,
        trust_any_certificate: b.switch("TrustAnySSLCertificate"),
        cancel: Some(inv.session.interrupt_flag()),
    };
    let report = probe.run(&request);
    result.target_url = Some(report.target_url);
    result.auth_scheme = report.auth_scheme;
    result.steps.extend(report.steps);
    let Some(failure) = report.failure else {
        return finish(inv, result, ErrorCategory::NotSpecified);
    };
    // Read the settings again: they are what the server saw during the probe.
    let store = inv.session.store.clone();
    let org = store.organization().ok();
    let mailbox_now = mailbox.as_ref().and_then(|m| store.mailbox(m.guid).ok().flatten());
    let vdir_now = directory_of(inv, &server)?;
    let cx = Context { kind, org: org.as_ref(), server: &server.name, vdir: vdir_now.as_ref(), mailbox: mailbox_now.as_ref(), health_mailbox: health };
    let mut message = failure.message;
    if let Some(why) = explain(&failure.cause, &cx) {
        message.push(' ');
        message.push_str(&why);
    }
    result.failure = Some((message, failure.exception));
    finish(inv, result, category_of(&failure.cause))
}

/// Emits the result and, for a Failed one, the error that makes the run fail.
fn finish(inv: &mut Invocation<'_>, mut result: ProbeResult, category: ErrorCategory) -> Result<(), ErrorRecord> {
    result.end = Utc::now();
    inv.emit(result.to_value());
    match &result.failure {
        None => Ok(()),
        Some((error, _)) => {
            let e = exchange_error(inv, format!("{} failed: {error}", result.monitor_identity), category, "ProbeFailedException")
                .target(result.monitor_identity.clone(), "String")
                .at(inv.call_span);
            inv.write_error(e)
        }
    }
}

fn category_of(cause: &FailureCause) -> ErrorCategory {
    match cause {
        FailureCause::DirectoryMissing => ErrorCategory::ObjectNotFound,
        FailureCause::AuthenticationFailed { .. } | FailureCause::TlsNameMismatch | FailureCause::TlsUntrusted => ErrorCategory::SecurityError,
        FailureCause::Cancelled => ErrorCategory::OperationStopped,
        FailureCause::Protocol | FailureCause::ResponseCode(_) | FailureCause::AutodiscoverError(_) => ErrorCategory::InvalidData,
        _ => ErrorCategory::ConnectionError,
    }
}

/// -RunFromServerId, else the server this shell runs on, else the only server.
fn resolve_server(inv: &mut Invocation<'_>, b: &Bound) -> Result<Option<Server>, ErrorRecord> {
    let store = inv.session.store.clone();
    if let Some(id) = b.get("RunFromServerId").and_then(IdentityArg::from_value) {
        return match find_server(&store, &id)? {
            Some(s) => Ok(Some(s)),
            None => {
                let e = not_found(inv, &id.text).at(b.span("RunFromServerId").unwrap_or(inv.call_span));
                inv.write_error(e)?;
                Ok(None)
            }
        };
    }
    if let Some(local) = inv.session.local_server.clone()
        && let Some(s) = store.server(&local)?
    {
        return Ok(Some(s));
    }
    let mut servers = store.servers()?;
    if servers.len() == 1 {
        return Ok(servers.pop());
    }
    let e = exchange_error(
        inv,
        "Which server's endpoint should be probed? This store has several servers and none is this machine: add -RunFromServerId <server>.",
        ErrorCategory::InvalidArgument,
        "ArgumentException",
    );
    inv.write_error(e.at(inv.call_span))?;
    Ok(None)
}

fn directory_of(inv: &Invocation<'_>, server: &Server) -> Result<Option<MapiVirtualDirectory>, ErrorRecord> {
    Ok(inv.session.store.mapi_virtual_directories()?.into_iter().find(|v| v.server.eq_ignore_ascii_case(&server.name)))
}

/// The server's MAPI virtual directory and the URL to probe (InternalUrl, ExternalUrl for Ctp),
/// recorded as the first step; None with the failure filled in when either is missing.
fn find_directory(
    inv: &Invocation<'_>,
    server: &Server,
    kind: ProbeKind,
    hostname: Option<&str>,
    result: &mut ProbeResult,
) -> Result<Option<(MapiVirtualDirectory, String)>, ErrorRecord> {
    let started = Instant::now();
    let step = |outcome, detail: String| ProbeStep { name: "Find the MAPI virtual directory".into(), outcome, latency: started.elapsed(), detail };
    let Some(vdir) = directory_of(inv, server)? else {
        let message = format!(
            "The MAPI virtual directory is missing: server {} has none, so there is no MAPI over HTTP endpoint to probe. Fix: New-MapiVirtualDirectory -Server {} -InternalUrl https://{}/mapi",
            server.name, server.name, server.fqdn
        );
        result.steps.push(step(StepOutcome::Failed, message.clone()));
        result.failure = Some((message, "no MapiVirtualDirectory for the server in the store".into()));
        return Ok(None);
    };
    let (which, url) = match kind {
        ProbeKind::Ctp => ("ExternalUrl", vdir.external_url.clone()),
        _ => ("InternalUrl", vdir.internal_url.clone()),
    };
    let url = url.filter(|u| !u.is_empty()).or_else(|| hostname.map(|h| format!("https://{h}/mapi")));
    let Some(url) = url else {
        let message = format!(
            "The MAPI virtual directory {} has no {which}, so there is no address to probe. Fix: Set-MapiVirtualDirectory '{}' -{which} https://<host>/mapi",
            vdir.identity(),
            vdir.identity()
        );
        result.steps.push(step(StepOutcome::Failed, message.clone()));
        result.failure = Some((message, format!("{which} is empty")));
        return Ok(None);
    };
    result.steps.push(step(StepOutcome::Succeeded, format!("{}, {which} {url}", vdir.identity())));
    Ok(Some((vdir, url)))
}

/// Who a deep test logs on as.
struct Chosen {
    account: ProbeAccount,
    /// The mailbox tested, when the store knows it (for explaining failures).
    mailbox: Option<Mailbox>,
    health: bool,
}

/// -MailboxId with -Credential, -Credential alone, or the health mailbox; None when an error was
/// written instead.
fn choose_account(inv: &mut Invocation<'_>, b: &Bound, server: &Server, result: &mut ProbeResult) -> Result<Option<Chosen>, ErrorRecord> {
    let store = inv.session.store.clone();
    let credential = match b.get("Credential") {
        Some(Value::Credential(c)) => Some(c.clone()),
        _ => None,
    };
    let named = match b.get("MailboxId").and_then(IdentityArg::from_value) {
        None => None,
        Some(id) => {
            let span = b.span("MailboxId").unwrap_or(inv.call_span);
            let mut found = find_mailboxes(&store, &id)?;
            match found.len() {
                1 => found.pop(),
                0 => {
                    let e = not_found(inv, &id.text).at(span);
                    inv.write_error(e)?;
                    return Ok(None);
                }
                _ => {
                    let e = ambiguous(inv, &id.text).at(span);
                    inv.write_error(e)?;
                    return Ok(None);
                }
            }
        }
    };
    let credential_mailbox = |user: &str| -> Result<Option<Mailbox>, ErrorRecord> {
        let arg = IdentityArg::from_value(&Value::str(user));
        let mut found = match arg {
            Some(a) => find_mailboxes(&store, &a)?,
            None => Vec::new(),
        };
        Ok(if found.len() == 1 { found.pop() } else { None })
    };
    match (named, credential) {
        (Some(mailbox), Some(c)) => {
            if credential_mailbox(&c.user_name)?.map(|m| m.guid) != Some(mailbox.guid) {
                let e = exchange_error(
                    inv,
                    format!(
                        "The credential's user '{}' is not the mailbox '{}'. The probe logs on as the mailbox it tests: give that mailbox's own credentials.",
                        c.user_name, mailbox.name
                    ),
                    ErrorCategory::InvalidArgument,
                    "ArgumentException",
                )
                .at(b.span("Credential").unwrap_or(inv.call_span));
                inv.write_error(e)?;
                return Ok(None);
            }
            let account = ProbeAccount { user_name: c.user_name.clone(), password: SecretText(c.password.0.clone()), email_address: mailbox.primary_smtp_address.clone() };
            Ok(Some(Chosen { account, mailbox: Some(mailbox), health: false }))
        }
        (Some(mailbox), None) => {
            let e = exchange_error(
                inv,
                format!(
                    "Testing the mailbox '{}' needs its credentials: mapish has no monitoring account that may open other users' mailboxes. Add -Credential (Get-Credential), or leave out -MailboxId to test with the server's health mailbox.",
                    mailbox.name
                ),
                ErrorCategory::InvalidArgument,
                "ArgumentException",
            )
            .at(b.span("MailboxId").unwrap_or(inv.call_span));
            inv.write_error(e)?;
            Ok(None)
        }
        (None, Some(c)) => {
            let mailbox = credential_mailbox(&c.user_name)?;
            // An unknown user is still tried: the server's answer (401) is the finding.
            let email = mailbox.as_ref().map_or_else(|| c.user_name.clone(), |m| m.primary_smtp_address.clone());
            let account = ProbeAccount { user_name: c.user_name.clone(), password: SecretText(c.password.0.clone()), email_address: email };
            Ok(Some(Chosen { account, mailbox, health: false }))
        }
        (None, None) => {
            let started = Instant::now();
            let health = health_mailbox::ensure(&store, server)?;
            result.steps.push(ProbeStep {
                name: "Health mailbox".into(),
                outcome: StepOutcome::Succeeded,
                latency: started.elapsed(),
                detail: health.mailbox.user_principal_name.clone(),
            });
            let account = ProbeAccount {
                user_name: health.mailbox.user_principal_name.clone(),
                password: SecretText(health.password),
                email_address: health.mailbox.primary_smtp_address.clone(),
            };
            Ok(Some(Chosen { account, mailbox: Some(health.mailbox), health: true }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_fall_back_to_thirty_seconds() {
        assert_eq!(timeout_of(Some("10".into())), Duration::from_secs(10));
        assert_eq!(timeout_of(Some(" 5 ".into())), Duration::from_secs(5));
        for bad in ["", "abc", "0", "-3", "1.5"] {
            assert_eq!(timeout_of(Some(bad.into())), Duration::from_secs(30), "{bad:?}");
        }
        assert_eq!(timeout_of(None), Duration::from_secs(30));
    }
}
