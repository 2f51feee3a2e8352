//! Autodiscover over real HTTP: authentication, with and without X-MapiHttpCapability, the error
//! responses, and an independent parser (exchangelib 4.9.0) reading our reply.

mod common;

use common::*;
use mapish_wire::autodiscover::{AutodiscoverOutcome, AutodiscoverRequest, parse_response};

fn request_xml(email: &str) -> String {
    AutodiscoverRequest::for_email(email).to_xml().unwrap()
}

fn post(
    server: &Server,
    path: &str,
    auth: Option<&str>,
    capability: Option<&str>,
    body: &str,
) -> Reply {
    let mut b = agent()
        .post(server.url(path))
        .header("Content-Type", "text/xml");
    if let Some(a) = auth {
        b = b.header("Authorization", a);
    }
    if let Some(c) = capability {
        b = b.header("X-MapiHttpCapability", c);
    }
    Reply::from(b.send(body).unwrap())
}

fn alice_auth() -> String {
    basic("alice@contoso.com", ALICE_PASSWORD)
}

#[test]
fn with_and_without_the_capability_header() {
    let lab = Lab::new();
    let server = lab.start();
    let xml = request_xml("alice@contoso.com");
    // 401 first, with Basic offered.
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        None,
        Some("1"),
        &xml,
    );
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with("Basic realm=")
    );

    // The path matches in any case; the header asks for mapiHttp.
    let r = post(
        &server,
        "/AutoDiscover/AutoDiscover.xml",
        Some(&alice_auth()),
        Some("1"),
        &xml,
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/xml; charset=utf-8")
    );
    let text = r.text();
    assert!(text.contains(r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">"#));
    assert!(text.contains(r#"<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">"#));
    assert!(
        text.contains(r#"<Protocol Type="mapiHttp" Version="1">"#),
        "{text}"
    );
    let AutodiscoverOutcome::Settings(s) = parse_response(&r.entity).unwrap() else {
        panic!("{text}")
    };
    assert_eq!(s.user.display_name, "Alice Example");
    assert_eq!(s.user.legacy_dn, lab.alice.legacy_exchange_dn);
    assert_eq!(s.user.smtp_address, "alice@contoso.com");
    assert_eq!(s.user.deployment_id, Some(lab.org().guid));
    let mapi = s.mapi_http.unwrap();
    let id = format!("?MailboxId={}@contoso.com", lab.alice.guid);
    assert_eq!(
        mapi.mail_store.internal.as_deref(),
        Some(format!("http://127.0.0.1/mapi/emsmdb/{id}").as_str())
    );
    assert_eq!(
        mapi.mail_store.external.as_deref(),
        Some(format!("https://mail.contoso.com/mapi/emsmdb/{id}").as_str())
    );
    assert_eq!(
        mapi.address_book.internal.as_deref(),
        Some(format!("http://127.0.0.1/mapi/nspi/{id}").as_str())
    );
    assert_eq!(
        mapi.address_book.external.as_deref(),
        Some(format!("https://mail.contoso.com/mapi/nspi/{id}").as_str())
    );
    assert!(s.legacy_protocols.is_empty(), "no EXCH/EXPR with mapiHttp");

    // ITS sends 2: we answer the highest version we have, 1.
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&alice_auth()),
        Some("2"),
        &xml,
    );
    assert!(r.text().contains(r#"Version="1""#));

    // No header, or an invalid one: no mapiHttp element.
    for cap in [None, Some("0"), Some("yes")] {
        let r = post(
            &server,
            "/autodiscover/autodiscover.xml",
            Some(&alice_auth()),
            cap,
            &xml,
        );
        assert_eq!(r.status, 200);
        assert!(!r.text().contains("mapiHttp"), "{cap:?}: {}", r.text());
        assert!(r.text().contains("<LegacyDN>"));
    }

    // An empty InternalUrl is omitted; MAPIBlockOutlookExternalConnectivity hides the external one.
    lab.set_vdir(|v| v.internal_url = None);
    let before = server.changes();
    lab.set_mailbox(lab.alice.guid, |m| {
        m.mapi_block_outlook_external_connectivity = true
    });
    server.await_changes(before, 1);
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&alice_auth()),
        Some("1"),
        &xml,
    );
    assert!(!r.text().contains("mapiHttp"), "{}", r.text());
    lab.set_mailbox(lab.alice.guid, |m| {
        m.mapi_block_outlook_external_connectivity = false
    });
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&alice_auth()),
        Some("1"),
        &xml,
    );
    assert!(
        r.text().contains("mapiHttp") && !r.text().contains("InternalUrl"),
        "{}",
        r.text()
    );
}

#[test]
fn error_responses() {
    let lab = Lab::new();
    let server = lab.start();
    let code_of = |r: &Reply| match parse_response(&r.entity).unwrap() {
        AutodiscoverOutcome::Error(e) => e.error_code,
        other => panic!("{other:?}"),
    };
    let auth = alice_auth();
    // 600: not XML, wrong root, or GET.
    for body in ["", "<nope/>", "<Autodiscover><Request/></Autodiscover>"] {
        let r = post(
            &server,
            "/autodiscover/autodiscover.xml",
            Some(&auth),
            None,
            body,
        );
        assert_eq!(code_of(&r), 600, "{body}");
    }
    let r = Reply::from(
        agent()
            .get(server.url("/autodiscover/autodiscover.xml"))
            .header("Authorization", &auth)
            .call()
            .unwrap(),
    );
    assert_eq!(code_of(&r), 600);
    // 601: a response schema we do not serve.
    let mut req = AutodiscoverRequest::for_email("alice@contoso.com");
    req.acceptable_response_schema = Some(
        "http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006".into(),
    );
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&auth),
        None,
        &req.to_xml().unwrap(),
    );
    assert_eq!(code_of(&r), 601);
    // 501: an address with no mailbox.
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&auth),
        None,
        &request_xml("nobody@contoso.com"),
    );
    assert_eq!(code_of(&r), 501);
    assert!(
        r.text()
            .contains("<Message>The email address can't be found.</Message>")
    );
    // LegacyDN wins over the address.
    let mut req = AutodiscoverRequest::for_email("nobody@contoso.com");
    req.legacy_dn = Some(lab.bob.legacy_exchange_dn.clone());
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&auth),
        None,
        &req.to_xml().unwrap(),
    );
    assert!(
        r.text().contains("<DisplayName>Bob Example</DisplayName>"),
        "{}",
        r.text()
    );
}

/// exchangelib 4.9.0's POX parser reads the User and the mapiHttp Protocol with both URLs. Skipped (with a
/// message) when exchangelib is not installed, unless MAPISH_REQUIRE_INTEROP=1 (as .ci/run sets it).
#[test]
fn exchangelib_parses_our_reply() {
    let has_exchangelib = std::process::Command::new("python3")
        .args(["-c", "import exchangelib"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !has_exchangelib {
        assert!(
            std::env::var("MAPISH_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "MAPISH_REQUIRE_INTEROP=1 but exchangelib is missing: python3 -m pip install exchangelib==4.9.0"
        );
        eprintln!(
            "skipped: exchangelib is not installed (python3 -m pip install exchangelib==4.9.0)"
        );
        return;
    }
    let lab = Lab::new();
    let server = lab.start();
    let r = post(
        &server,
        "/autodiscover/autodiscover.xml",
        Some(&alice_auth()),
        Some("1"),
        &request_xml("alice@contoso.com"),
    );
    let file = lab.dir.path().join("reply.xml");
    std::fs::write(&file, &r.entity).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/interop/autodiscover_exchangelib.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "exchangelib failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let id = format!("?MailboxId={}@contoso.com", lab.alice.guid);
    for expected in [
        "\"display_name\": \"Alice Example\"".to_string(),
        format!("\"legacy_dn\": \"{}\"", lab.alice.legacy_exchange_dn),
        "\"smtp_address\": \"alice@contoso.com\"".to_string(),
        format!("\"deployment_id\": \"{}\"", lab.org().guid),
        "\"version\": \"1\"".to_string(),
        format!(
            "\"mail_store\": {{\"internal_url\": \"http://127.0.0.1/mapi/emsmdb/{id}\", \"external_url\": \"https://mail.contoso.com/mapi/emsmdb/{id}\"}}"
        ),
        format!(
            "\"address_book\": {{\"internal_url\": \"http://127.0.0.1/mapi/nspi/{id}\", \"external_url\": \"https://mail.contoso.com/mapi/nspi/{id}\"}}"
        ),
    ] {
        assert!(
            stdout.contains(&expected),
            "missing {expected}\nin {stdout}"
        );
    }
}
