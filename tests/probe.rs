//! Test-OutlookConnectivity end to end (issue 7): a real `mapish serve` (started in-process on
//! 127.0.0.1:0 over the same store), a Session with the real network probe, and command lines
//! run through the language, as an administrator types them. Each probe is run in the Succeeded
//! case and in every failure case the issue names, checking Result and the named cause.
//!
//! In-process because a one-shot mapish and a running server cannot open one store at the same
//! time until the admin endpoint lands (sled's lock); the exit-status tests at the end run the
//! real binary.

#[path = "common/mod.rs"]
mod common;

use std::io::Read;
use std::net::TcpListener;
use std::time::Duration;

use mapish_commands::run::{RecordingHost, Session};
use mapish_commands::value::Value;
use mapish_server::{RunningServer, ServeConfig, TlsMode};
use mapish_store::{InitParams, OpenOptions, Store};

const ALICE_PASSWORD: &str = "P@ss1";
const ALICE_CREDENTIAL: &str =
    "$c = New-Object System.Management.Automation.PSCredential('alice@contoso.com', (ConvertTo-SecureString 'P@ss1' -AsPlainText -Force))";

/// A store like the article's lab, configured with the cmdlets, and a server on it.
struct Lab {
    dir: tempfile::TempDir,
    store: Store,
    server: Option<RunningServer>,
}

impl Lab {
    /// Organization Contoso with MAPI over HTTP on, server EX01, mailbox alice, and the MAPI
    /// directory with Basic; no server yet.
    fn new() -> Lab {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("store"), &OpenOptions::default()).expect("open store");
        store
            .initialize(&InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() })
            .expect("init");
        let lab = Lab { dir, store, server: None };
        lab.ok("Set-OrganizationConfig -MapiHttpEnabled $true");
        lab.ok(&format!("New-Mailbox -Name Alice -UserPrincipalName alice@contoso.com -Password '{ALICE_PASSWORD}'"));
        lab.ok("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Basic");
        lab
    }

    /// Starts the server and points the directory's URLs at it: InternalUrl by address,
    /// ExternalUrl by the name `localhost`, so the two are told apart.
    fn serve(&mut self, tls: TlsMode) -> u16 {
        let scheme = if tls == TlsMode::None { "http" } else { "https" };
        // The self-signed certificate is made from the URL host names when the server starts.
        self.ok(&format!("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl {scheme}://localhost:1/mapi -ExternalUrl {scheme}://localhost:1/mapi"));
        let config = ServeConfig {
            listen: vec!["127.0.0.1:0".parse().expect("addr")],
            log_dir: Some(self.dir.path().join("logs")),
            tls,
            ..ServeConfig::default()
        };
        let server = mapish_server::start(self.store.clone(), config).expect("start server");
        let port = server.local_addrs()[0].port();
        self.server = Some(server);
        let internal_host = if scheme == "https" { "localhost" } else { "127.0.0.1" };
        self.apply(&format!(
            "Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl {scheme}://{internal_host}:{port}/mapi -ExternalUrl {scheme}://localhost:{port}/mapi"
        ));
        port
    }

    fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.shutdown().expect("shutdown");
        }
    }

    fn session(&self) -> Session {
        mapish::session::new_session(self.store.clone(), Some("EX01".into()))
    }

    fn run(&self, line: &str) -> RecordingHost {
        let mut host = RecordingHost::default();
        self.session().run_script(line, &mut host);
        host
    }

    #[track_caller]
    fn ok(&self, line: &str) {
        let host = self.run(line);
        assert!(host.errors.is_empty(), "{line}: {:?}", host.errors);
    }

    /// Runs a configuration change and waits until the running server has applied it.
    #[track_caller]
    fn apply(&self, line: &str) {
        let server = self.server.as_ref().expect("server");
        let before = server.changes_applied();
        self.ok(line);
        assert!(server.wait_for_changes(before + 1, Duration::from_secs(5)), "the server did not apply: {line}");
    }

    /// Runs a Test-OutlookConnectivity line and returns its one result object and the host.
    #[track_caller]
    fn probe(&self, line: &str) -> (Outcome, RecordingHost) {
        let host = self.run(line);
        let results: Vec<Value> = host
            .outputs
            .iter()
            .flatten()
            .filter(|v| v.property("MonitorIdentity").is_some())
            .cloned()
            .collect();
        assert_eq!(results.len(), 1, "{line}: outputs {:?}, errors {:?}", host.outputs, host.errors);
        let text = |name: &str| results[0].property(name).map(|v| v.to_text()).unwrap_or_default();
        let outcome = Outcome {
            monitor_identity: text("MonitorIdentity"),
            result: text("Result"),
            error: text("Error"),
            exception: text("Exception"),
            target_url: text("TargetUrl"),
            auth: text("AuthenticationMethod"),
            steps: text("Steps"),
        };
        (outcome, host)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.stop();
    }
}

#[derive(Debug)]
struct Outcome {
    monitor_identity: String,
    result: String,
    error: String,
    exception: String,
    target_url: String,
    /// AuthenticationMethod: the scheme the probe used.
    auth: String,
    steps: String,
}

impl Outcome {
    #[track_caller]
    fn succeeded(&self) -> &Outcome {
        assert_eq!(self.result, "Succeeded", "{self:#?}");
        assert!(self.error.is_empty() && self.exception.is_empty(), "{self:#?}");
        self
    }

    /// Failed, with every one of `phrases` in Error.
    #[track_caller]
    fn failed_with(&self, phrases: &[&str]) -> &Outcome {
        assert_eq!(self.result, "Failed", "{self:#?}");
        for p in phrases {
            assert!(self.error.contains(p), "Error lacks {p:?}: {self:#?}");
        }
        self
    }

    #[track_caller]
    fn steps_include(&self, names: &[&str]) -> &Outcome {
        for n in names {
            assert!(self.steps.contains(n), "no step {n:?} in:\n{}", self.steps);
        }
        self
    }
}

/// A failed probe is also written as an error, so a one-shot run exits 1.
#[track_caller]
fn error_written(host: &RecordingHost, phrase: &str) {
    assert_eq!(host.errors.len(), 1, "{:?}", host.errors);
    assert!(host.errors[0].message.contains(phrase), "{}", host.errors[0].message);
    assert_eq!(host.errors[0].reason, "ProbeFailedException");
}

#[test]
fn self_test_succeeds_against_the_running_server() {
    let mut lab = Lab::new();
    let port = lab.serve(TlsMode::None);
    let (out, host) = lab.probe("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&[
        "Find the MAPI virtual directory: Succeeded",
        "Resolve 127.0.0.1: Succeeded in",
        &format!("TCP connect to 127.0.0.1:{port}: Succeeded"),
        "TLS handshake: Skipped",
        "Unauthenticated POST /mapi/emsmdb/ (expects 401): Succeeded",
        "401 Unauthorized offering Basic",
        "Authentication handshake: Skipped (Basic",
        "GET /mapi/healthcheck.htm: Succeeded",
        "200 OK<br/>ex01.contoso.com",
    ]);
    assert_eq!(out.monitor_identity, "OutlookMapiHttp.Protocol\\OutlookMapiHttpSelfTestProbe");
    assert_eq!(out.target_url, format!("http://127.0.0.1:{port}/mapi"));
    assert_eq!(out.auth, "Basic");
    // The full form of the identity is the same probe.
    let (out, _) = lab.probe("Test-OutlookConnectivity 'OutlookMapiHttp.Protocol\\OutlookMapiHttpSelfTestProbe'");
    out.succeeded();
}

#[test]
fn deep_test_logs_on_to_the_health_mailbox_and_keeps_it_hidden() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    let (out, host) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&[
        "Health mailbox: Succeeded",
        "Autodiscover for HealthMailbox",
        "mapiHttp Version 1",
        "Connect (emsmdb): Succeeded",
        "Execute RopLogon: Succeeded",
        "private logon to mailbox",
        "PING (emsmdb): Succeeded",
        "Disconnect: Succeeded",
        "Bind (nspi): Succeeded",
        "GetMailboxUrl: Succeeded",
        "/mapi/emsmdb/?MailboxId=",
        "Unbind: Succeeded",
    ]);
    // Hidden from the default views, shown with -Monitoring.
    let names = |line: &str| -> Vec<String> {
        lab.run(line).outputs.iter().flatten().filter_map(|v| v.property("Name")).map(|v| v.to_text()).collect()
    };
    assert_eq!(names("Get-Mailbox"), ["Alice"]);
    assert_eq!(names("Get-CASMailbox"), ["Alice"]);
    let monitoring = names("Get-Mailbox -Monitoring");
    assert_eq!(monitoring.len(), 2);
    assert!(monitoring.iter().any(|n| n.starts_with("HealthMailbox")), "{monitoring:?}");
    // Its secret is readable by the owner only; a second run reuses mailbox and secret.
    let secret = lab.dir.path().join("store/health/EX01.secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&secret).expect("secret file").permissions().mode() & 0o777, 0o600);
    }
    let before = std::fs::read_to_string(&secret).expect("secret");
    lab.probe("Test-OutlookConnectivity OutlookMapiHttp.Protocol\\OutlookMapiHttpDeepTestProbe").0.succeeded();
    assert_eq!(std::fs::read_to_string(&secret).expect("secret"), before);
    assert_eq!(names("Get-Mailbox -Monitoring").len(), 2);
}

#[test]
fn deep_test_of_a_named_mailbox_with_its_credential() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    let (out, host) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&["Autodiscover for alice@contoso.com: Succeeded", "session opened for Alice", "Unbind: Succeeded"]);
    // Format-List shows the target URL and every step with its latency.
    let host = lab.run(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c | Format-List"));
    let listed = format!("{:?}", host.outputs);
    for part in ["\"TargetUrl\"", "\"MailboxId\", \"alice@contoso.com\"", "\"Steps\"", "Execute RopLogon: Succeeded in "] {
        assert!(listed.contains(part), "{part} missing from {listed}");
    }
    // The mailbox may come down the pipeline.
    let (out, _) = lab.probe(&format!("{ALICE_CREDENTIAL}; Get-Mailbox alice | Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -Credential $c"));
    out.succeeded();
}

#[test]
fn ctp_probe_goes_through_the_external_url() {
    let mut lab = Lab::new();
    let port = lab.serve(TlsMode::None);
    let (out, host) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpCtpProbe");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    assert_eq!(out.monitor_identity, "OutlookMapiHttp\\OutlookMapiHttpCtpProbe");
    assert_eq!(out.target_url, format!("http://localhost:{port}/mapi"));
    out.succeeded().steps_include(&["Resolve localhost", "MailStore URL: Succeeded", &format!("(http://localhost:{port}/mapi/emsmdb/?MailboxId=")]);

    // Blocked external access: Ctp fails and says which setting does it.
    lab.ok("Set-CASMailbox alice -MAPIBlockOutlookExternalConnectivity $true");
    let (out, _) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpCtpProbe -MailboxId alice -Credential $c"));
    out.failed_with(&["without an ExternalUrl", "MAPIBlockOutlookExternalConnectivity is True", "Set-CASMailbox 'Alice' -MAPIBlockOutlookExternalConnectivity $false"]);
}

#[test]
fn a_stopped_server_is_named_as_not_running() {
    let mut lab = Lab::new();
    let port = lab.serve(TlsMode::None);
    lab.stop();
    let (out, host) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe");
    out.failed_with(&[&format!("Connection refused by 127.0.0.1:{port}"), "not running", "mapish serve"]);
    assert!(out.exception.contains("refused"), "{out:#?}");
    error_written(&host, "Connection refused");
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe");
    out.failed_with(&["not running"]);
}

#[test]
fn tls_certificate_name_and_trust_are_checked_apart() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::SelfSigned);
    // The self-signed certificate covers localhost (the URL host): trusted on request, it passes.
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe -TrustAnySSLCertificate");
    out.succeeded().steps_include(&["TLS handshake with localhost: Succeeded"]);
    lab.probe("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -TrustAnySSLCertificate").0.succeeded();
    // Not trusted by default.
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe");
    out.failed_with(&["Untrusted TLS certificate", "-TrustAnySSLCertificate"]);
    // Reached by a name it does not cover: a name mismatch, even when any issuer is trusted.
    let (out, host) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe -TrustAnySSLCertificate -Hostname 127.0.0.1");
    out.failed_with(&["TLS name mismatch", "does not cover the host name '127.0.0.1'", "localhost"]);
    error_written(&host, "TLS name mismatch");
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe -Hostname 127.0.0.1");
    out.failed_with(&["TLS name mismatch", "also not from a trusted issuer"]);
}

#[test]
fn organization_switch_off_is_explained() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Set-OrganizationConfig -MapiHttpEnabled $false");
    let (out, host) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe");
    out.failed_with(&["Autodiscover did not offer mapiHttp", "disabled for the organization", "Fix: Set-OrganizationConfig -MapiHttpEnabled $true"]);
    error_written(&host, "disabled for the organization");
    // The self test does not log on, so it still passes.
    lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe").0.succeeded();
    lab.apply("Set-OrganizationConfig -MapiHttpEnabled $true");
    lab.probe("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe").0.succeeded();
}

#[test]
fn mailbox_switch_off_is_explained() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    let deep = format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c");
    lab.ok("Set-CASMailbox alice -MapiHttpEnabled $false");
    lab.probe(&deep).0.failed_with(&["Autodiscover did not offer mapiHttp for alice@contoso.com", "disabled for the mailbox 'Alice'", "Set-CASMailbox 'Alice' -MapiHttpEnabled $null"]);
    // A mailbox value wins over the organization's.
    lab.apply("Set-OrganizationConfig -MapiHttpEnabled $false");
    lab.ok("Set-CASMailbox alice -MapiHttpEnabled $true");
    lab.probe(&deep).0.succeeded();
}

#[test]
fn mapi_enabled_false_is_explained() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.ok("Set-CASMailbox alice -MAPIEnabled $false");
    let (out, _) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    out.failed_with(&["Autodiscover did not offer mapiHttp", "MAPIEnabled is False for mailbox 'Alice'", "Set-CASMailbox 'Alice' -MAPIEnabled $true"]);
}

#[test]
fn a_wrong_credential_is_an_authentication_failure() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    let (out, host) = lab.probe(
        "$c = New-Object System.Management.Automation.PSCredential('alice@contoso.com', (ConvertTo-SecureString 'wrong' -AsPlainText -Force)); Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c",
    );
    // Autodiscover offers Basic, NTLM and Negotiate; the probe takes Negotiate, as Windows clients do.
    out.failed_with(&["Authentication failed (Negotiate)", "refused the user name and password of 'alice@contoso.com'"])
        .steps_include(&["Autodiscover for alice@contoso.com: Failed"]);
    assert!(out.exception.contains("HTTP 401"), "{out:#?}");
    error_written(&host, "Authentication failed (Negotiate)");
    // A credential for another user than the mailbox is refused before anything is sent.
    let host = lab.run("$c = New-Object System.Management.Automation.PSCredential('bob@contoso.com', (ConvertTo-SecureString 'x' -AsPlainText -Force)); Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c");
    assert!(host.errors[0].message.contains("is not the mailbox 'Alice'"), "{:?}", host.errors);
    // A mailbox without a credential is refused too.
    let host = lab.run("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice");
    assert!(host.errors[0].message.contains("needs its credentials"), "{:?}", host.errors);
}

#[test]
fn authentication_methods_the_server_cannot_complete_are_named() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods OAuth");
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe");
    out.failed_with(&["401 without any WWW-Authenticate challenge", "IISAuthenticationMethods {OAuth}", "OAuth is not supported by mapish", "-IISAuthenticationMethods Ntlm, Negotiate"]);
    // The deep test gets past Autodiscover (Negotiate) and stops at the mailbox endpoint, which offers nothing.
    let (out, _) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    out.failed_with(&["Authentication failed", "Connect was answered 401 without any WWW-Authenticate challenge", "OAuth is not supported by mapish"])
        .steps_include(&["Autodiscover for alice@contoso.com: Succeeded", "Connect (emsmdb): Failed"]);
}

/// The article's `-IISAuthenticationMethods Negotiate`: the self test starts the Negotiate handshake
/// (NTLM inside SPNEGO) and gets the server's CHALLENGE; the deep tests log on with Negotiate and
/// the MAPI requests after the handshake ride on the same connection's logon.
#[test]
fn the_articles_negotiate_only_directory_is_probed_with_negotiate() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Negotiate");
    let (out, host) = lab.probe("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&[
        "401 Unauthorized offering Negotiate",
        "Negotiate NEGOTIATE to /mapi/emsmdb/ (expects a CHALLENGE): Succeeded",
        "Negotiate: NTLM CHALLENGE from EX01, domain CONTOSO",
        "GET /mapi/healthcheck.htm: Succeeded",
    ]);
    assert_eq!(out.auth, "Negotiate");

    let (out, host) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&[
        // mapish serve's Autodiscover offers Exchange's default schemes (Basic, NTLM, Negotiate).
        "Autodiscover for alice@contoso.com: Succeeded",
        "session opened for Alice; authenticated with Negotiate",
        "Execute RopLogon: Succeeded",
        "Disconnect: Succeeded",
        "; authenticated with Negotiate",
        "Unbind: Succeeded",
    ]);
    assert_eq!(out.auth, "Negotiate");
    // The health mailbox, and the Ctp probe through the external URL.
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe");
    out.succeeded();
    assert_eq!(out.auth, "Negotiate");
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpCtpProbe");
    out.succeeded();
    assert_eq!(out.auth, "Negotiate");
}

/// Exchange's default `{Ntlm, OAuth, Negotiate}`: OAuth is not offered, Negotiate is preferred.
#[test]
fn exchanges_default_methods_are_probed_with_negotiate() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Ntlm, OAuth, Negotiate");
    let (out, _) = lab.probe("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    out.succeeded().steps_include(&["401 Unauthorized offering NTLM, Negotiate", "Negotiate: NTLM CHALLENGE from EX01"]);
    assert_eq!(out.auth, "Negotiate");
    let (out, host) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&["session opened for Alice; authenticated with Negotiate", "Unbind: Succeeded"]);
    assert_eq!(out.auth, "Negotiate");
    // With Basic added, Negotiate is still preferred at /mapi.
    lab.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods @{Add=\"Basic\"}");
    let (out, _) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    out.succeeded().steps_include(&["session opened for Alice; authenticated with Negotiate"]);
    assert_eq!(out.auth, "Negotiate");
}

#[test]
fn an_ntlm_only_directory_is_probed_with_ntlm() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Ntlm");
    let (out, _) = lab.probe("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    out.succeeded().steps_include(&["NTLM NEGOTIATE to /mapi/emsmdb/ (expects a CHALLENGE): Succeeded", "NTLM: CHALLENGE from EX01, domain CONTOSO"]);
    assert_eq!(out.auth, "NTLM");
    let (out, host) = lab.probe(&format!("{ALICE_CREDENTIAL}; Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c"));
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    out.succeeded().steps_include(&["session opened for Alice; authenticated with NTLM", "PING (emsmdb): Succeeded", "Unbind: Succeeded"]);
    assert_eq!(out.auth, "NTLM");
}

/// A wrong password against a Negotiate directory fails and names the scheme that refused it: the
/// server's Autodiscover, the first request, with Negotiate. (The refusal at the mailbox endpoint is
/// covered against the acceptor in server/src/auth and in probe/tests/fake_server.rs.)
#[test]
fn a_wrong_password_fails_naming_the_scheme() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Negotiate");
    let (out, host) = lab.probe(
        "$c = New-Object System.Management.Automation.PSCredential('alice@contoso.com', (ConvertTo-SecureString 'wrong' -AsPlainText -Force)); Test-OutlookConnectivity OutlookMapiHttpDeepTestProbe -MailboxId alice -Credential $c",
    );
    out.failed_with(&["Authentication failed (Negotiate)", "refused the user name and password of 'alice@contoso.com' on Autodiscover"]);
    assert!(!out.error.contains("IISAuthenticationMethods"), "a refused password is not blamed on the directory: {out:#?}");
    error_written(&host, "Authentication failed (Negotiate)");
}

#[test]
fn a_removed_directory_is_named() {
    let mut lab = Lab::new();
    lab.serve(TlsMode::None);
    lab.apply("Remove-MapiVirtualDirectory 'mapi (Default Web Site)' -Confirm:$false");
    for probe in ["OutlookMapiHttpSelfTestProbe", "OutlookMapiHttpDeepTestProbe"] {
        let (out, host) = lab.probe(&format!("Test-OutlookConnectivity {probe}"));
        out.failed_with(&["The MAPI virtual directory is missing", "New-MapiVirtualDirectory -Server EX01"])
            .steps_include(&["Find the MAPI virtual directory: Failed"]);
        error_written(&host, "is missing");
    }
}

#[test]
fn a_server_that_does_not_answer_times_out() {
    let lab = Lab::new();
    // Accepts connections and never answers.
    let silent = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    let holder = std::thread::spawn(move || {
        let (mut conn, _) = silent.accept().expect("accept");
        let mut sink = [0u8; 1024];
        // Reads until the probe gives up and closes.
        while matches!(conn.read(&mut sink), Ok(n) if n > 0) {}
    });
    lab.ok(&format!("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl http://127.0.0.1:{port}/mapi"));
    let started = std::time::Instant::now();
    let (out, _) = lab.probe("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe -TimeOutSeconds 1");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
    out.failed_with(&["Timed out", "1 s (-TimeOutSeconds)", "Unauthenticated POST"]);
    holder.join().expect("holder");
}

#[test]
fn rpc_probes_answer_failed() {
    let lab = Lab::new();
    for (probe, identity) in [
        ("OutlookRpcSelfTestProbe", "Outlook.Protocol\\OutlookRpcSelfTestProbe"),
        ("'Outlook.Protocol\\OutlookRpcDeepTestProbe\\Mailbox Database 1'", "Outlook.Protocol\\OutlookRpcDeepTestProbe\\Mailbox Database 1"),
        ("OutlookRpcCtpProbe", "Outlook\\OutlookRpcCtpProbe"),
    ] {
        let (out, host) = lab.probe(&format!("Test-OutlookConnectivity {probe}"));
        assert_eq!(out.monitor_identity, identity);
        out.failed_with(&["RPC over HTTP is not provided by mapish"]);
        error_written(&host, "RPC over HTTP is not provided by mapish");
    }
    // Scripts test the Result by name; SilentlyContinue keeps the object and drops the error.
    let host = lab.run("$r = Test-OutlookConnectivity OutlookRpcSelfTestProbe -ErrorAction SilentlyContinue; $r.Result -eq 'Failed'");
    assert!(host.errors.is_empty(), "{:?}", host.errors);
    assert!(matches!(host.outputs.concat().as_slice(), [Value::Bool(true)]), "{:?}", host.outputs);
}

#[test]
fn unknown_probes_and_servers_are_errors_without_a_result() {
    let lab = Lab::new();
    let host = lab.run("Test-OutlookConnectivity OutlookFooProbe");
    assert!(host.outputs.iter().flatten().next().is_none());
    assert!(host.errors[0].message.contains("doesn't exist"), "{:?}", host.errors);
    let host = lab.run("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe -RunFromServerId EX99");
    assert!(host.errors[0].message.contains("'EX99' couldn't be found"), "{:?}", host.errors);
}

/// The one-shot binary: Failed exits 1 with the cause on stderr, Succeeded exits 0. The binary
/// cannot share a store with a running server yet, so the success case probes a server that
/// runs on a second store configured alike (the self test needs no mailbox).
#[test]
fn one_shot_exit_status_follows_the_result() {
    let lab = common::Lab::new();
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl http://127.0.0.1:1/mapi -IISAuthenticationMethods Basic");
    let run = lab.c("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    assert_eq!(run.status, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("Failed"), "{}", run.stdout);
    assert!(run.stderr.contains("Connection refused by 127.0.0.1:1"), "{}", run.stderr);

    let mut other = Lab::new();
    let port = other.serve(TlsMode::None);
    lab.c(&format!("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -InternalUrl http://127.0.0.1:{port}/mapi"));
    let run = lab.c("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("OutlookMapiHttp.Protocol\\OutlookMapiHttpSelfTestProbe") && run.stdout.contains("Succeeded"), "{}", run.stdout);
    let json = lab.json("Test-OutlookConnectivity OutlookMapiHttpSelfTestProbe");
    assert_eq!(json[0]["Result"], "Succeeded", "{json}");
    assert!(json[0]["Steps"].as_str().unwrap_or_default().contains("healthcheck.htm"), "{json}");

    // The article: the directory set to Negotiate (in both stores), then the self test by the binary.
    other.apply("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Negotiate");
    lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Negotiate");
    let run = lab.c("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    assert_eq!(run.status, 0, "{}\n{}", run.stdout, run.stderr);
    let json = lab.json("Test-OutlookConnectivity -RunFromServerId EX01 -ProbeIdentity OutlookMapiHttpSelfTestProbe");
    assert_eq!(json[0]["Result"], "Succeeded", "{json}");
    assert_eq!(json[0]["AuthenticationMethod"], "Negotiate", "{json}");
}
