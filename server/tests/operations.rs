//! Running the server: graceful shutdown (X-ResponseCode 18 while draining), limits, TLS, and the logs.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use mapish_server::{ServeConfig, TlsMode};

fn partial_execute(server: &Server, c: &Mapi, body: &[u8]) -> TcpStream {
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    let head = format!(
        "POST /mapi/emsmdb/ HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Type: application/mapi-http\r\nX-RequestType: Execute\r\nX-RequestId: {{X}}:1\r\nX-ClientInfo: {{Y}}\r\nCookie: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        basic("alice@contoso.com", ALICE_PASSWORD),
        c.cookie_header(),
        body.len()
    );
    raw.write_all(head.as_bytes()).unwrap();
    raw.write_all(&body[..10]).unwrap();
    raw.flush().unwrap();
    raw
}

#[test]
fn graceful_shutdown_finishes_in_flight_and_answers_18() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.limits.notification_wait = Duration::from_secs(120);
    let mut server = lab.start_with(config);
    let dn = lab.alice.legacy_exchange_dn.clone();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&dn).expect_code(0);
    // In flight: a NotificationWait, and an Execute whose body is still arriving.
    let mut w = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    w.cookies = c.cookies.clone();
    let spec = w.spec("NotificationWait").body(&hex("00000000 00000000"));
    let mut wait = w.run_streaming(spec).into_body().into_reader();
    let mut first = [0u8; 12];
    wait.read_exact(&mut first).unwrap();
    let body = logon_execute_body(&dn);
    let mut raw = partial_execute(&server, &c, &body);
    // Both are inside the server before draining starts.
    server.await_in_flight(2);
    c.send("Execute", &body).expect_code(15);

    let running = server.running.take().unwrap();
    let handle = running.shutdown_handle();
    let addr = running.local_addrs()[0];
    let waiter = std::thread::spawn(move || running.wait());
    handle.trigger();

    // The wait ends at once with no event.
    let mut rest = Vec::new();
    wait.read_to_end(&mut rest).unwrap();
    let mut entity = first.to_vec();
    entity.extend(rest);
    let parsed = mapish_wire::framing::decode_response(&entity).unwrap();
    assert_eq!(parsed.response_code().unwrap(), Some(0));
    assert_eq!(parsed.body, hex("00000000 00000000 00000000 00000000"));
    // New requests: 18 and Connection: close; the health check tells the load balancer.
    let deadline = Instant::now() + Duration::from_secs(10);
    let r = loop {
        let r = c.send("PING", &[]);
        if r.code() == Some(18) || Instant::now() > deadline {
            break r;
        }
    };
    r.expect_code(18);
    assert_eq!(r.header("connection").as_deref(), Some("close"));
    let h = Reply::from(
        agent()
            .get(format!("http://{addr}/mapi/healthcheck.htm"))
            .call()
            .unwrap(),
    );
    assert_eq!(h.status, 503);
    // The in-flight Execute completes normally, then the server stops.
    raw.write_all(&body[10..]).unwrap();
    let mut answer = Vec::new();
    raw.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer).to_ascii_lowercase();
    assert!(
        text.starts_with("http/1.1 200 ok") && text.contains("x-responsecode: 0\r\n"),
        "{text}"
    );
    waiter.join().unwrap().unwrap();
    assert!(TcpStream::connect(addr).is_err(), "listener closed");
}

#[test]
fn limits_body_header_timeout_and_sessions() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.limits.max_body_bytes = 4096;
    config.limits.header_read_timeout = Duration::from_millis(300);
    config.limits.max_sessions_per_user = 2;
    config.limits.max_sessions_total = 3;
    let server = lab.start_with(config);
    let dn = lab.alice.legacy_exchange_dn.clone();

    // A chunked body over the cap → 9 (no Content-Length to refuse it by).
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let spec = c.spec("Connect");
    let mut b = agent().post(&c.url);
    for (n, v) in &spec.headers {
        b = b.header(n.as_str(), v.as_str());
    }
    let big = vec![0u8; 10_000];
    let mut reader: &[u8] = &big;
    let r = Reply::from(b.send(ureq::SendBody::from_reader(&mut reader)).unwrap());
    r.expect_code(9);

    // A client that never finishes its header block is cut off.
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.write_all(b"POST /mapi/emsmdb/ HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut sink = Vec::new();
    let _ = slow.read_to_end(&mut sink);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "closed after {:?}",
        started.elapsed()
    );

    // Sessions per user (2) and in total (3): Connect answers ecLoginFailure and sets no cookie.
    let mut clients: Vec<Mapi> = (0..2)
        .map(|_| Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD))
        .collect();
    for cl in &mut clients {
        cl.connect(&dn).expect_code(0);
    }
    let mut third = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let r = third.connect(&dn);
    r.expect_code(0);
    assert_eq!(&r.body()[..8], hex("00000000 11010480").as_slice());
    assert!(r.all("set-cookie").is_empty());
    let mut bob = Mapi::nspi(&server, &lab.bob, BOB_PASSWORD);
    bob.bind().expect_code(0);
    let mut bob2 = Mapi::emsmdb(&server, &lab.bob, BOB_PASSWORD);
    let r = bob2.connect(&lab.bob.legacy_exchange_dn);
    assert_eq!(
        &r.body()[..8],
        hex("00000000 11010480").as_slice(),
        "total limit"
    );
    // Ending one frees room.
    clients[0]
        .send("Disconnect", &hex("00000000"))
        .expect_code(0);
    bob2.connect(&lab.bob.legacy_exchange_dn).expect_code(0);
    assert_eq!(server.running().session_count(), 3);
}

#[test]
fn plain_http_is_refused_off_loopback() {
    let lab = Lab::new();
    let config = ServeConfig {
        listen: vec!["0.0.0.0:0".parse().unwrap()],
        ..lab.config()
    };
    let err = mapish_server::start(lab.store.clone(), config)
        .err()
        .unwrap();
    assert!(err.to_string().contains("--insecure-http"), "{err}");
}

fn tls_agent(pem: &str) -> ureq::Agent {
    let cert = ureq::tls::Certificate::from_pem(pem.as_bytes()).unwrap();
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&[cert]))
        .build();
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .tls_config(tls)
        .build()
        .into()
}

#[test]
fn self_signed_tls_covers_the_directory_names_and_follows_them() {
    let lab = Lab::new();
    let config = ServeConfig {
        tls: TlsMode::SelfSigned,
        ..lab.config()
    };
    let server = lab.start_with(config);
    assert!(server.base.starts_with("https://127.0.0.1:"));
    let names = server.running().self_signed_names().unwrap();
    assert_eq!(names, ["127.0.0.1", "mail.contoso.com", "ex01.contoso.com"]);
    let pem = server.running().self_signed_cert_pem().unwrap();
    assert!(
        lab.dir
            .path()
            .join("store/tls/self-signed-cert.pem")
            .exists()
    );
    let r = Reply::from(
        tls_agent(&pem)
            .get(server.url("/mapi/healthcheck.htm"))
            .call()
            .unwrap(),
    );
    assert_eq!(r.status, 200);
    // Cookies are Secure over TLS.
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    n.agent = tls_agent(&pem);
    let r = n.bind();
    r.expect_code(0);
    assert!(r.all("set-cookie").iter().all(|c| c.contains("; Secure")));
    // A new URL host: a new certificate, live.
    let before = server.changes();
    lab.set_vdir(|v| v.external_url = Some("https://outlook.contoso.com/mapi".into()));
    server.await_changes(before, 1);
    assert_eq!(
        server.running().self_signed_names().unwrap(),
        ["127.0.0.1", "outlook.contoso.com", "ex01.contoso.com"]
    );
    let new_pem = server.running().self_signed_cert_pem().unwrap();
    assert_ne!(new_pem, pem);
    assert!(
        tls_agent(&pem)
            .get(server.url("/mapi/healthcheck.htm"))
            .call()
            .is_err(),
        "old cert no longer served"
    );
    let r = Reply::from(
        tls_agent(&new_pem)
            .get(server.url("/mapi/healthcheck.htm"))
            .call()
            .unwrap(),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn tls_from_pem_files() {
    let lab = Lab::new();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = lab.dir.path().join("cert.pem");
    let key = lab.dir.path().join("key.pem");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let config = ServeConfig {
        tls: TlsMode::Files { cert, key },
        ..lab.config()
    };
    let server = lab.start_with(config);
    let r = Reply::from(
        tls_agent(&made.cert.pem())
            .get(server.url("/mapi/healthcheck.htm"))
            .call()
            .unwrap(),
    );
    assert_eq!(r.status, 200);
    assert!(
        agent()
            .get(server.url("/mapi/healthcheck.htm"))
            .call()
            .is_err(),
        "untrusted by default"
    );
}

#[test]
fn access_and_protocol_logs_without_credentials() {
    let lab = Lab::new();
    let server = lab.start();
    let dn = lab.alice.legacy_exchange_dn.clone();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&dn).expect_code(0);
    c.send("Execute", &logon_execute_body(&dn)).expect_code(0);
    let mut n = Mapi::nspi(&server, &lab.alice, ALICE_PASSWORD);
    n.bind().expect_code(0);
    let spec = c
        .spec("PING")
        .with("Authorization", &basic("alice@contoso.com", "Wr0ngSecret"));
    assert_eq!(c.run(spec).status, 401);
    server.shutdown();

    let day = chrono::Utc::now().format("%Y%m%d").to_string();
    let logs = lab.dir.path().join("logs");
    let access = std::fs::read_to_string(logs.join(format!("Access/Access_{day}.csv"))).unwrap();
    let mut lines = access.lines();
    assert_eq!(lines.next(), Some(mapish_server::ACCESS_FIELDS));
    let connect = lines.next().unwrap();
    assert!(
        connect.contains(",alice@contoso.com,POST,/mapi/emsmdb/?MailboxId="),
        "{connect}"
    );
    assert!(connect.contains(",Connect,"), "{connect}");
    assert!(connect.contains(",200,0,"), "{connect}");
    assert!(
        access
            .lines()
            .any(|l| l.contains(",Execute,") && l.contains(",200,0,")),
        "{access}"
    );
    assert!(
        access
            .lines()
            .any(|l| l.contains(",PING,") && l.contains(",401,,")),
        "{access}"
    );
    let mailbox =
        std::fs::read_to_string(logs.join(format!("MapiHttp/Mailbox/MapiHttp_{day}.csv"))).unwrap();
    assert!(mailbox.starts_with(mapish_server::PROTOCOL_FIELDS));
    assert!(mailbox.contains("RopLogon ok"), "{mailbox}");
    assert!(mailbox.contains("Outlook/15.00.0856.000"));
    let book =
        std::fs::read_to_string(logs.join(format!("MapiHttp/AddressBook/MapiHttp_{day}.csv")))
            .unwrap();
    assert!(book.contains(",Bind,"), "{book}");
    for text in [&access, &mailbox, &book] {
        for secret in [ALICE_PASSWORD, "Wr0ngSecret", "Basic ", "YWxpY2"] {
            assert!(!text.contains(secret), "a log holds {secret:?}");
        }
    }
}
