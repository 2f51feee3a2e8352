//! Live configuration: each change an administrator commits to the store is in effect for the next
//! request, with no restart — org switch, mailbox switch ($true/$false/$null, MAPIEnabled), URLs,
//! authentication methods, and the directory removed and re-created. Changes to the organization or the
//! directory travel through the store's change feed; `await_changes` waits on the server's own count of
//! applied changes (a condition variable), not on a clock.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::*;
use mapish_store::AuthMethod;
use mapish_wire::autodiscover::AutodiscoverRequest;

fn autodiscover(server: &Server) -> String {
    let xml = AutodiscoverRequest::for_email("alice@contoso.com")
        .to_xml()
        .unwrap();
    let r = agent()
        .post(server.url("/autodiscover/autodiscover.xml"))
        .header("Authorization", basic("alice@contoso.com", ALICE_PASSWORD))
        .header("X-MapiHttpCapability", "1")
        .send(&xml)
        .unwrap();
    Reply::from(r).text()
}

fn health(server: &Server) -> Reply {
    Reply::from(
        agent()
            .get(server.url("/mapi/healthcheck.htm"))
            .call()
            .unwrap(),
    )
}

#[test]
fn organization_switch() {
    let lab = Lab::new();
    let server = lab.start();
    let dn = lab.alice.legacy_exchange_dn.clone();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&dn).expect_code(0);
    assert!(autodiscover(&server).contains("mapiHttp"));

    let before = server.changes();
    lab.set_org_mapi_http(false);
    server.await_changes(before, 1);
    // The live session ends at its next request with 16; a new Connect is refused; Autodiscover stops
    // offering mapiHttp.
    c.send("PING", &[]).expect_code(16);
    c.send("PING", &[]).expect_code(10);
    c.connect(&dn).expect_code(16);
    assert!(!autodiscover(&server).contains("mapiHttp"));
    // Bob decides for himself.
    lab.set_mailbox(lab.bob.guid, |m| m.mapi_http_enabled = Some(true));
    let mut b = Mapi::emsmdb(&server, &lab.bob, BOB_PASSWORD);
    b.connect(&lab.bob.legacy_exchange_dn).expect_code(0);

    let before = server.changes();
    lab.set_org_mapi_http(true);
    server.await_changes(before, 1);
    c.connect(&dn).expect_code(0);
    b.send("PING", &[]).expect_code(0);
}

#[test]
fn mailbox_switch_true_false_null_and_mapi_enabled() {
    let lab = Lab::new();
    let server = lab.start();
    let dn = lab.alice.legacy_exchange_dn.clone();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);

    // $false wins over the organization's $true.
    c.connect(&dn).expect_code(0);
    n.bind().expect_code(0);
    lab.set_mailbox(lab.alice.guid, |m| m.mapi_http_enabled = Some(false));
    c.send("Execute", &logon_execute_body(&dn)).expect_code(16);
    n.send("PING", &[]).expect_code(16);
    c.connect(&dn).expect_code(16);
    assert!(!autodiscover(&server).contains("mapiHttp"));

    // $null follows the organization (on).
    lab.set_mailbox(lab.alice.guid, |m| m.mapi_http_enabled = None);
    c.connect(&dn).expect_code(0);
    assert!(autodiscover(&server).contains("mapiHttp"));

    // $true wins over the organization's $false.
    let before = server.changes();
    lab.set_org_mapi_http(false);
    server.await_changes(before, 1);
    c.connect(&dn).expect_code(16);
    lab.set_mailbox(lab.alice.guid, |m| m.mapi_http_enabled = Some(true));
    c.connect(&dn).expect_code(0);
    assert!(autodiscover(&server).contains("mapiHttp"));

    // MAPIEnabled $false blocks MAPI of every kind, whatever MapiHttpEnabled says.
    lab.set_mailbox(lab.alice.guid, |m| m.mapi_enabled = false);
    c.send("PING", &[]).expect_code(16);
    c.connect(&dn).expect_code(16);
    n.bind().expect_code(16);
    assert!(!autodiscover(&server).contains("mapiHttp"));
}

#[test]
fn a_waiting_notification_ends_when_the_mailbox_is_disabled() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.limits.notification_wait = Duration::from_secs(60);
    let server = lab.start_with(config);
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&lab.alice.legacy_exchange_dn).expect_code(0);
    let spec = c.spec("NotificationWait").body(&hex("00000000 00000000"));
    let resp = c.run_streaming(spec);
    let mut reader = resp.into_body().into_reader();
    let mut first = [0u8; 12];
    reader.read_exact(&mut first).unwrap();
    let started = Instant::now();
    lab.set_mailbox(lab.alice.guid, |m| m.mapi_http_enabled = Some(false));
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut entity = first.to_vec();
    entity.extend(rest);
    let parsed = mapish_wire::framing::decode_response(&entity).unwrap();
    // Found after the 200 header went out: the code travels in the tail (§3.2.5.2).
    assert_eq!(parsed.response_code().unwrap(), Some(16));
    assert_eq!(parsed.header("Content-Type"), Some("text/html"));
}

#[test]
fn url_change_reaches_autodiscover_and_the_address_book() {
    let lab = Lab::new();
    let server = lab.start();
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    n.bind().expect_code(0);
    let before = server.changes();
    lab.set_vdir(|v| {
        v.internal_url = Some("http://127.0.0.1:1234/mapi".into());
        v.external_url = Some("https://outlook.contoso.com/mapi".into());
    });
    server.await_changes(before, 1);
    let text = autodiscover(&server);
    assert!(
        text.contains("<InternalUrl>http://127.0.0.1:1234/mapi/emsmdb/?MailboxId="),
        "{text}"
    );
    assert!(
        text.contains("<ExternalUrl>https://outlook.contoso.com/mapi/nspi/?MailboxId="),
        "{text}"
    );
    let mut body = hex("00000000");
    body.extend(utf16z(&lab.alice.legacy_exchange_dn));
    body.extend(hex("00000000"));
    let r = n.send("GetAddressBookUrl", &body);
    let url = String::from_utf16(
        &r.body()[8..r.body().len() - 6]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(
        url,
        format!(
            "http://127.0.0.1:1234/mapi/nspi/?MailboxId={}@contoso.com",
            lab.alice.guid
        )
    );
    // Both URLs empty: Autodiscover has nothing to offer.
    let before = server.changes();
    lab.set_vdir(|v| {
        v.internal_url = None;
        v.external_url = None;
    });
    server.await_changes(before, 1);
    assert!(!autodiscover(&server).contains("mapiHttp"));
}

#[test]
fn authentication_method_change() {
    let lab = Lab::new();
    let server = lab.start();
    let dn = lab.alice.legacy_exchange_dn.clone();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&dn).expect_code(0);

    // Only OAuth: nothing this server can complete → 401 with no challenge at all, even with valid Basic
    // credentials; the health check says why.
    let before = server.changes();
    lab.set_vdir(|v| v.iis_authentication_methods = vec![AuthMethod::OAuth]);
    server.await_changes(before, 1);
    let r = c.send("PING", &[]);
    assert_eq!(r.status, 401);
    assert!(
        r.all("www-authenticate").is_empty(),
        "{:?}",
        r.all("www-authenticate")
    );
    let h = health(&server);
    assert_eq!(h.status, 503);
    assert!(h.text().contains("authentication"));

    // Exchange's defaults: NTLM and Negotiate are offered (not OAuth); Basic credentials are refused.
    let before = server.changes();
    lab.set_vdir(|v| {
        v.iis_authentication_methods =
            vec![AuthMethod::Ntlm, AuthMethod::OAuth, AuthMethod::Negotiate]
    });
    server.await_changes(before, 1);
    let r = c.send("PING", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.all("www-authenticate"), ["NTLM", "Negotiate"]);
    assert_eq!(health(&server).status, 200);

    // Basic next to NTLM: both are offered, in configured order, and the session still works.
    let before = server.changes();
    lab.set_vdir(|v| v.iis_authentication_methods = vec![AuthMethod::Ntlm, AuthMethod::Basic]);
    server.await_changes(before, 1);
    let spec = c.spec("PING").without("Authorization");
    let r = c.run(spec);
    assert_eq!(r.status, 401);
    assert_eq!(r.all("www-authenticate").len(), 2);
    assert_eq!(r.all("www-authenticate")[0], "NTLM");
    assert!(r.all("www-authenticate")[1].starts_with("Basic "));
    c.send("PING", &[]).expect_code(0);
    assert_eq!(health(&server).status, 200);
}

#[test]
fn directory_removed_and_recreated() {
    let lab = Lab::new();
    let server = lab.start();
    let dn = lab.alice.legacy_exchange_dn.clone();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&dn).expect_code(0);
    let h = health(&server);
    assert_eq!(h.status, 200);
    assert_eq!(h.text(), "200 OK<br/>ex01.contoso.com");

    let before = server.changes();
    let old = lab.remove_vdir();
    server.await_changes(before, 1);
    assert_eq!(c.send("PING", &[]).status, 404);
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    assert_eq!(n.bind().status, 404);
    assert_eq!(health(&server).status, 503);
    assert!(!autodiscover(&server).contains("mapiHttp"));

    let before = server.changes();
    lab.recreate_vdir(&old);
    server.await_changes(before, 1);
    assert_eq!(health(&server).status, 200);
    // The old session did not survive the removal.
    c.send("PING", &[]).expect_code(10);
    c.connect(&dn).expect_code(0);
    n.bind().expect_code(0);
    assert!(autodiscover(&server).contains("mapiHttp"));
}

#[test]
fn changes_take_effect_within_50_ms() {
    let lab = Lab::new();
    let server = lab.start();
    let mut took = Vec::new();
    for i in 0..21 {
        let before = server.changes();
        let started = Instant::now();
        lab.set_org_mapi_http(i % 2 == 1);
        server.await_changes(before, 1);
        took.push(started.elapsed());
    }
    took.sort();
    let median = took[took.len() / 2];
    eprintln!(
        "commit → in effect: median {median:?}, max {:?}",
        took[took.len() - 1]
    );
    // Includes the commit's own fsync; the target is 50 ms from commit to effect.
    assert!(median < Duration::from_millis(50), "median {median:?}");
}
