//! NTLM and Negotiate against `mapish serve` over real HTTP on 127.0.0.1, driven by pyspnego 0.12.4 and
//! requests-ntlm 1.3.0 (clients we did not write) through tests/interop/ntlm_client.py, which keeps one
//! persistent connection.
//!
//! The store is prepared with the real binary (New-Mailbox -Password is what stores the NT hash). Skipped
//! with a message when python3 or pyspnego is missing, unless MAPISH_REQUIRE_INTEROP=1 (as .ci/run sets).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::Lab;
use mapish_wire::buf::Codec;

const PASSWORD: &str = "P@ss-w0rd";

fn have_pyspnego() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import spnego, requests_ntlm"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        assert!(
            std::env::var("MAPISH_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "MAPISH_REQUIRE_INTEROP=1 but pyspnego or requests-ntlm is missing: python3 -m pip install -r tests/interop/requirements.txt"
        );
        eprintln!("skipped: pyspnego or requests-ntlm is not installed (python3 -m pip install -r tests/interop/requirements.txt)");
    }
    ok
}

struct Serve {
    child: Child,
    url: String,
}

impl Serve {
    fn start(store: &Path) -> Serve {
        let mut child = Command::new(common::bin())
            .arg("--store")
            .arg(store)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .env_remove("MAPISH_STORE")
            .env("MAPISH_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mapish serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read stdout");
        let url = line.trim_end().strip_prefix("Listening on ").unwrap_or_else(|| {
            let _ = child.kill();
            panic!("no readiness line, got {line:?}")
        });
        Serve { url: url.trim_end_matches('/').to_string(), child }
    }

    /// Stops the server and returns what it logged.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        err
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A lab with MAPI over HTTP on, the directory's IISAuthenticationMethods set to `methods`, and mailbox
/// alice with a password. Returns the lab, alice's Guid and LegacyExchangeDN.
fn lab(methods: &str) -> (Lab, String, String) {
    let lab = Lab::new();
    lab.c("Set-OrganizationConfig -MapiHttpEnabled $true").ok();
    lab.c(&format!("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods {methods}")).ok();
    lab.c(&format!("New-Mailbox -Name alice -UserPrincipalName alice@contoso.com -Password '{PASSWORD}' | Out-Null")).ok();
    let m = lab.json("Get-Mailbox alice");
    let m = if m.is_array() { m[0].clone() } else { m };
    (
        lab,
        m["Guid"].as_str().expect("Guid").to_string(),
        m["LegacyExchangeDN"].as_str().expect("dn").to_string(),
    )
}

/// Runs the pyspnego client; returns its JSON report.
fn client(lab: &Lab, serve: &Serve, guid: &str, dn: &str, user: &str, password: &str, protocol: &str) -> serde_json::Value {
    let connect = mapish_wire::emsmdb::ConnectRequest {
        user_dn: dn.to_string(),
        flags: 0,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        aux: vec![],
    }
    .encode()
    .expect("encode");
    let body = lab.path("connect.bin");
    std::fs::write(&body, connect).expect("write body");
    let url = format!("{}/mapi/emsmdb/?MailboxId={guid}@contoso.com", serve.url);
    run_client(&url, &body, user, password, protocol)
}

/// Runs tests/interop/ntlm_client.py against `url` with the request body in `body`.
fn run_client(url: &str, body: &Path, user: &str, password: &str, protocol: &str) -> serde_json::Value {
    let script = common::repo_root().join("tests/interop/ntlm_client.py");
    let out = Command::new("python3")
        .arg(script)
        .args([url, user, password, protocol, body.to_str().expect("utf-8")])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "ntlm_client.py {protocol} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn offered(r: &serde_json::Value, key: &str) -> Vec<String> {
    r[key].as_array().expect("offered").iter().map(|v| v.as_str().expect("str").to_string()).collect()
}

#[test]
fn ntlm_and_negotiate_log_on_and_the_logon_stays_with_the_connection() {
    if !have_pyspnego() {
        return;
    }
    let (lab, guid, dn) = lab("Negotiate,Ntlm,Basic");
    let serve = Serve::start(&lab.store());

    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "ntlm");
    assert_eq!(r["anonymous_status"], 401, "{r}");
    // One header per scheme, in configured order; no Kerberos, no Bearer.
    assert_eq!(offered(&r, "offered"), ["Negotiate", "NTLM", "Basic"], "{r}");
    assert_eq!(r["steps"], serde_json::json!([401, 200]), "{r}");
    assert_eq!(r["final_status"], 200, "{r}");
    assert_eq!(r["final_response_code"], "0", "{r}");
    // A later request on the same connection, without Authorization: still alice.
    assert_eq!(r["again_status"], 200, "{r}");
    assert_eq!(r["again_response_code"], "0", "{r}");
    assert_eq!(r["same_connection"], true, "{r}");

    // DOMAIN\user form, Negotiate (SPNEGO with NTLM inside; pyspnego checks our mechListMIC).
    let r = client(&lab, &serve, &guid, &dn, "CONTOSO\\alice", PASSWORD, "negotiate");
    assert_eq!(r["steps"], serde_json::json!([401, 200]), "{r}");
    assert_eq!(r["final_response_code"], "0", "{r}");
    assert_eq!(r["context_complete"], true, "{r}");
    assert_eq!(r["again_status"], 200, "{r}");
    assert_eq!(r["same_connection"], true, "{r}");

    // Wrong password: 401 after the handshake, for both schemes; nothing bound to the connection.
    for protocol in ["ntlm", "negotiate"] {
        let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", "wrong", protocol);
        assert_eq!(r["final_status"], 401, "{protocol}: {r}");
        assert!(r.get("again_status").is_none(), "{r}");
    }
    let r = client(&lab, &serve, &guid, &dn, "nobody@contoso.com", PASSWORD, "ntlm");
    assert_eq!(r["final_status"], 401, "{r}");

    // requests-ntlm 1.3.0 drives the same handshake its own way.
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "requests-ntlm");
    assert_eq!(r["final_status"], 200, "{r}");
    assert_eq!(r["final_response_code"], "0", "{r}");
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", "wrong", "requests-ntlm");
    assert_eq!(r["final_status"], 401, "{r}");

    // Basic still works next to them.
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "basic");
    assert_eq!(r["final_status"], 200, "{r}");
    assert_eq!(r["final_response_code"], "0", "{r}");
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", "wrong", "basic");
    assert_eq!(r["final_status"], 401, "{r}");

    // Kerberos is never offered, and a Kerberos-only Negotiate token gets 401 and a log line.
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "negotiate-kerberos-only");
    assert_eq!(r["final_status"], 401, "{r}");
    assert!(!offered(&r, "final_offered").iter().any(|s| s.eq_ignore_ascii_case("Kerberos")), "{r}");
    let log = serve.stop();
    assert!(log.contains("Kerberos is not supported"), "{log}");
    assert!(!log.contains(PASSWORD));
}

#[test]
fn ntlm_not_configured_is_neither_offered_nor_accepted_and_oauth_is_not_offered() {
    if !have_pyspnego() {
        return;
    }
    let (lab, guid, dn) = lab("Basic,Negotiate");
    // OAuth configured: the cmdlet warns that it is not offered.
    let run = lab.c("Set-MapiVirtualDirectory 'mapi (Default Web Site)' -IISAuthenticationMethods Basic,Negotiate,OAuth");
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stderr.contains("OAuth"), "no OAuth warning: {}", run.stderr);
    let serve = Serve::start(&lab.store());

    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "ntlm");
    assert_eq!(offered(&r, "offered"), ["Basic", "Negotiate"], "{r}");
    assert_eq!(r["final_status"], 401, "{r}");
    assert_eq!(r["steps"], serde_json::json!([401]), "NTLM must be refused at once: {r}");

    // Negotiate still works.
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "negotiate");
    assert_eq!(r["final_status"], 200, "{r}");
    let log = serve.stop();
    assert!(log.contains("OAuth"), "the server logs that OAuth is not offered: {log}");
}

#[test]
fn mailbox_without_nt_hash_is_refused_with_a_hint() {
    if !have_pyspnego() {
        return;
    }
    let (lab, guid, dn) = lab("Ntlm,Basic");
    // Simulate a mailbox whose password was set before NT hashes were kept: drop the NT hash.
    {
        let store = mapish_store::Store::open(&lab.store(), &mapish_store::OpenOptions::default()).expect("open");
        let id: mapish_store::Uuid = guid.parse().expect("guid");
        let mut m = store.mailbox(id).expect("read").expect("alice");
        assert!(m.current_nt_hash().is_some(), "New-Mailbox -Password stores the NT hash");
        m.nt_hash = None;
        store.update(|tx| tx.put_mailbox(&m)).expect("write");
        store.flush().expect("flush");
    }
    let serve = Serve::start(&lab.store());
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "ntlm");
    assert_eq!(r["final_status"], 401, "{r}");
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "basic");
    assert_eq!(r["final_status"], 200, "Basic does not need the NT hash: {r}");
    // Setting the password again (through the running server's admin endpoint) stores the NT hash.
    let run = lab.c(&format!("Set-Mailbox alice -Password '{PASSWORD}'"));
    assert_eq!(run.status, 0, "{}", run.stderr);
    let r = client(&lab, &serve, &guid, &dn, "alice@contoso.com", PASSWORD, "ntlm");
    assert_eq!(r["final_status"], 200, "{r}");
    let log = serve.stop();
    assert!(log.contains("no NT hash") && log.contains("set the password again"), "{log}");
}

#[test]
fn autodiscover_accepts_ntlm_and_negotiate_as_exchanges_default_directory_does() {
    if !have_pyspnego() {
        return;
    }
    // The MAPI directory allows Basic only; Autodiscover has its own (Exchange's default) schemes.
    let (lab, _, _) = lab("Basic");
    let serve = Serve::start(&lab.store());
    let request = mapish_wire::autodiscover::AutodiscoverRequest::for_email("alice@contoso.com")
        .to_xml()
        .expect("request xml");
    let body = lab.path("autodiscover.xml");
    std::fs::write(&body, request).expect("write body");
    let url = format!("{}/autodiscover/autodiscover.xml", serve.url);
    for protocol in ["ntlm", "negotiate"] {
        let r = run_client(&url, &body, "alice@contoso.com", PASSWORD, protocol);
        assert_eq!(offered(&r, "offered"), ["Basic", "NTLM", "Negotiate"], "{r}");
        assert_eq!(r["steps"], serde_json::json!([401, 200]), "{protocol}: {r}");
        assert_eq!(r["final_status"], 200, "{protocol}: {r}");
        let r = run_client(&url, &body, "alice@contoso.com", "wrong", protocol);
        assert_eq!(r["final_status"], 401, "{protocol}: {r}");
    }
}
