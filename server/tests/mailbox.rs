//! The mailbox endpoint over real HTTP on 127.0.0.1: every request type, the framing and headers, the
//! X-ResponseCodes, sessions (sequence, expiry, reconnect, concurrency) and NotificationWait.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;
use mapish_wire::buf::Codec;
use mapish_wire::emsmdb::{ConnectResponse, ConnectSuccess, ExecuteResponse};
use mapish_wire::framing::MetaTag;
use mapish_wire::rop::{self, LogonResponse, RopBuffer, RopResponse};

fn alice_dn(lab: &Lab) -> String {
    lab.alice.legacy_exchange_dn.clone()
}

#[test]
fn connect_execute_ping_disconnect_round_trip() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);

    // Anonymous: 401 with the Basic challenge and the echo headers (as Exchange Online sends them).
    let spec = c
        .spec("Connect")
        .without("Authorization")
        .body(&connect_body(&alice_dn(&lab)));
    let r = c.run(spec);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.all("www-authenticate"),
        ["Basic realm=\"ex01.contoso.com\", charset=\"UTF-8\""]
    );
    assert_eq!(r.header("x-requesttype").as_deref(), Some("Connect"));
    assert_eq!(r.header("x-clientinfo").as_deref(), Some(CLIENT_INFO));
    assert!(r.header("x-serverapplication").is_some());
    // Wrong password: 401 too.
    let spec = c
        .spec("Connect")
        .with("Authorization", &basic("alice@contoso.com", "nope"));
    assert_eq!(c.run(spec.body(&connect_body(&alice_dn(&lab)))).status, 401);

    // Connect (request type in any case, echoed verbatim).
    let spec = c.spec("CONNECT").body(&connect_body(&alice_dn(&lab)));
    let request_id = spec
        .headers
        .iter()
        .find(|(n, _)| n == "X-RequestId")
        .unwrap()
        .1
        .clone();
    let r = c.run(spec);
    r.expect_code(0);
    assert_eq!(r.header("x-requesttype").as_deref(), Some("CONNECT"));
    assert_eq!(r.header("x-requestid"), Some(request_id));
    assert_eq!(r.header("x-clientinfo").as_deref(), Some(CLIENT_INFO));
    assert_eq!(
        r.header("x-serverapplication").as_deref(),
        Some(mapish_server::SERVER_APPLICATION)
    );
    assert_eq!(r.header("x-pendingperiod").as_deref(), Some("30000"));
    assert_eq!(r.header("x-expirationinfo").as_deref(), Some("900000"));
    let cookies = r.all("set-cookie");
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(
        cookies[0].starts_with("MapiContext=E1.")
            && cookies[0].ends_with("; Path=/mapi/emsmdb/; HttpOnly")
    );
    assert!(cookies[1].starts_with("MapiSequence="));
    let parsed = r.parsed();
    assert_eq!(parsed.meta_tags, [MetaTag::Processing, MetaTag::Done]);
    let names: Vec<&str> = parsed.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["X-ResponseCode", "X-ElapsedTime", "X-StartTime"]);
    assert!(parsed.header("X-StartTime").unwrap().ends_with(" GMT"));
    // The body byte for byte: T2's layout with this mailbox's display name.
    let expected = ConnectResponse::Success(ConnectSuccess::new("Alice Example"))
        .encode()
        .unwrap();
    assert_eq!(parsed.body, expected.as_slice());
    assert_eq!(
        &parsed.body[..21],
        hex("00000000 00000000 60ea0000 06000000 10270000 00")
    );

    // Execute with a private RopLogon (T4): chunked, 200-byte body of T5's shape.
    let r = c.send("Execute", &logon_execute_body(&alice_dn(&lab)));
    r.expect_code(0);
    assert_eq!(r.header("transfer-encoding").as_deref(), Some("chunked"));
    assert_eq!(r.all("set-cookie").len(), 2, "sequence rotated");
    let body = r.body();
    assert_eq!(body.len(), 200);
    let exec = ExecuteResponse::decode(&body)
        .unwrap()
        .into_result()
        .unwrap();
    let payload = exec.rop_payloads().unwrap().remove(0);
    let buf = RopBuffer::decode(&payload).unwrap();
    assert_eq!(buf.handles, [1]);
    match rop::parse_responses(&buf.rops).unwrap().remove(0) {
        RopResponse::Logon(LogonResponse::Private { logon, .. }) => {
            assert_eq!(logon.mailbox_guid, lab.alice.guid);
            assert_eq!(logon.response_flags, 0x07);
            assert_eq!(
                logon.folder_ids[4].to_bytes(),
                hex("0100 0000 0000 000d").as_slice(),
                "Inbox"
            );
        }
        other => panic!("{other:?}"),
    }

    // PING: meta only, no body; refreshes; the sequence cookie does not travel.
    let r = c.send("PING", &[]);
    r.expect_code(0);
    assert!(r.body().is_empty());
    let text = r.text();
    assert!(
        text.starts_with("PROCESSING\r\nDONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: "),
        "{text}"
    );
    assert!(text.ends_with(" GMT\r\n\r\n"));
    assert_eq!(r.all("set-cookie").len(), 1);
    let r = c.send("ping", &[]);
    r.expect_code(0);

    // Disconnect: T9 body, cookies removed; the context is gone afterwards (ITS TC01 → 10).
    let old_cookies = c.cookies.clone();
    let r = c.send("Disconnect", &hex("00000000"));
    r.expect_code(0);
    assert_eq!(r.body(), hex("00000000 00000000 00000000"));
    assert!(r.all("set-cookie").iter().all(|c| c.contains("Max-Age=0")));
    assert!(c.cookies.is_empty());
    c.cookies = old_cookies;
    c.send("Execute", &logon_execute_body(&alice_dn(&lab)))
        .expect_code(10);
    server.shutdown();
}

#[test]
fn connect_refuses_another_users_dn_and_unknown_dns() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    for (dn, code) in [
        (lab.bob.legacy_exchange_dn.as_str(), "05000780"),
        ("/o=Nowhere/cn=nobody", "eb030000"),
    ] {
        let r = c.connect(dn);
        r.expect_code(0);
        assert!(r.all("set-cookie").is_empty(), "no session");
        assert_eq!(&r.body()[..8], hex(&format!("00000000 {code}")).as_slice());
    }
    assert_eq!(server.running().session_count(), 0);
}

#[test]
fn execute_failures_unknown_rop_and_obfuscated_input() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&alice_dn(&lab)).expect_code(0);
    // An unknown ROP (RopCreateMessage, not served) fails the buffer: T8.
    let payload = hex("0700 06000000 00");
    let body = mapish_wire::emsmdb::ExecuteRequest {
        flags: 3,
        rop_buffer: mapish_wire::rpc_header::pack(&payload, Default::default()).unwrap(),
        max_rop_out: 0x10008,
        aux: vec![],
    }
    .encode()
    .unwrap();
    let r = c.send("Execute", &body);
    r.expect_code(0);
    assert_eq!(
        r.body(),
        hex("00000000 b6040000 00000000 00000000 00000000")
    );
    // XorMagic + LZ77 input is accepted.
    let plain =
        mapish_wire::emsmdb::ExecuteRequest::decode(&logon_execute_body(&alice_dn(&lab))).unwrap();
    let inner = plain.rop_payloads().unwrap().remove(0);
    let packed = mapish_wire::emsmdb::ExecuteRequest {
        rop_buffer: mapish_wire::rpc_header::pack(
            &inner,
            mapish_wire::rpc_header::PackOptions {
                compress: true,
                xor_magic: true,
                last: true,
            },
        )
        .unwrap(),
        ..plain
    };
    let r = c.send("Execute", &packed.encode().unwrap());
    assert_eq!(r.body().len(), 200);
    // A truncated body (ITS TC05: RopBufferSize 0x71 with nothing after it) → 12.
    c.send("Execute", &hex("03000000 71000000")).expect_code(12);
}

#[test]
fn every_pipeline_response_code() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.limits.max_body_bytes = 4096;
    let server = lab.start_with(config);
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);

    // 2: not POST.
    let r = Reply::from(
        agent()
            .get(&c.url)
            .header("Authorization", basic("alice@contoso.com", ALICE_PASSWORD))
            .call()
            .unwrap(),
    );
    r.expect_code(2);
    // 3: another path under /mapi.
    let r = Reply::from(
        agent()
            .post(server.url("/mapi/other/"))
            .header("Authorization", basic("alice@contoso.com", ALICE_PASSWORD))
            .send(&[][..])
            .unwrap(),
    );
    r.expect_code(3);
    // 4: wrong Content-Type.
    let spec = c
        .spec("Connect")
        .with("Content-Type", "text/plain")
        .body(&connect_body(&dn));
    c.run(spec).expect_code(4);
    // 5: unknown type, and a type of the other endpoint.
    let spec = c.spec("invalidValue");
    c.run(spec).expect_code(5);
    let spec = c.spec("Bind");
    c.run(spec).expect_code(5);
    // 7: each required header missing (ITS TC11: X-RequestId).
    for h in ["X-RequestType", "X-RequestId", "X-ClientInfo"] {
        let spec = c.spec("Connect").without(h).body(&connect_body(&dn));
        c.run(spec).expect_code(7);
    }
    // 9: too large, announced and chunked.
    c.send("Connect", &vec![0u8; 5000]).expect_code(9);
    // 13: no cookie at all (ITS TC03).
    c.send("Execute", &logon_execute_body(&dn)).expect_code(13);
    c.send("PING", &[]).expect_code(13);

    c.connect(&dn).expect_code(0);
    // 13: the sequence cookie missing where it is checked.
    let seq = c
        .cookies
        .iter()
        .find(|(n, _)| n == "MapiSequence")
        .cloned()
        .unwrap();
    c.cookies.retain(|(n, _)| n != "MapiSequence");
    c.send("Execute", &logon_execute_body(&dn)).expect_code(13);
    c.cookies.push(seq.clone());
    // 15: a stale sequence.
    c.send("Execute", &logon_execute_body(&dn)).expect_code(0);
    let fresh = c.cookies.clone();
    c.cookies.retain(|(n, _)| n != "MapiSequence");
    c.cookies.push(seq);
    c.send("Execute", &logon_execute_body(&dn)).expect_code(15);
    c.cookies = fresh.clone();
    // 6: garbage session cookie (ITS TC04) and garbage sequence.
    c.cookies = vec![("MapiContext".into(), "Invalid cookie".into())];
    c.send("PING", &[]).expect_code(6);
    c.cookies = fresh.clone();
    c.cookies.retain(|(n, _)| n != "MapiSequence");
    c.cookies.push(("MapiSequence".into(), "nonsense".into()));
    c.send("Execute", &logon_execute_body(&dn)).expect_code(6);
    // 10: a well-formed cookie nobody issued, and a session of another user.
    c.cookies = vec![(
        "MapiContext".into(),
        "E1.0123456789abcdef0123456789abcdef.0000".into(),
    )];
    let r = c.send("PING", &[]);
    assert!(matches!(r.code(), Some(6) | Some(10)));
    let mut bob = Mapi::emsmdb(&server, &lab.bob, BOB_PASSWORD);
    bob.connect(&lab.bob.legacy_exchange_dn).expect_code(0);
    // A real cookie from a real, other session: well formed, so 10 exactly.
    let mut other = bob.cookies.clone();
    other.retain(|(n, _)| n == "MapiContext");
    c.cookies = other;
    c.send("PING", &[]).expect_code(10);
    c.cookies = fresh;
    // 12: PING with a body.
    c.send("PING", &[1, 2, 3]).expect_code(12);
    // 16: MAPI over HTTP off for the mailbox → Connect refused.
    lab.set_mailbox(lab.alice.guid, |m| m.mapi_http_enabled = Some(false));
    c.connect(&dn).expect_code(16);
}

#[test]
fn garbage_and_unknown_session_cookies_differ() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    c.connect(&alice_dn(&lab)).expect_code(0);
    let good = c
        .cookies
        .iter()
        .find(|(n, _)| n == "MapiContext")
        .unwrap()
        .1
        .clone();
    // Same shape, different random id: the check sum fails unless recomputed, so craft one via a second
    // session that is then disconnected.
    let mut d = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    d.connect(&alice_dn(&lab)).expect_code(0);
    let gone = d.cookies.clone();
    d.send("Disconnect", &hex("00000000")).expect_code(0);
    d.cookies = gone;
    d.send("PING", &[]).expect_code(10);
    let mut broken = good.clone();
    broken.push('x');
    c.cookies = vec![("MapiContext".into(), broken)];
    c.send("PING", &[]).expect_code(6);
}

#[test]
fn concurrent_request_on_one_session_gets_15() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);
    c.connect(&dn).expect_code(0);
    // Request 1 is outstanding from its first byte: send its headers and half its body by hand.
    let body = logon_execute_body(&dn);
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    let head = format!(
        "POST /mapi/emsmdb/ HTTP/1.1\r\nHost: {}\r\nAuthorization: {}\r\nContent-Type: application/mapi-http\r\nX-RequestType: Execute\r\nX-RequestId: {{X}}:1\r\nX-ClientInfo: {{Y}}\r\nCookie: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr(),
        basic("alice@contoso.com", ALICE_PASSWORD),
        c.cookie_header(),
        body.len()
    );
    raw.write_all(head.as_bytes()).unwrap();
    raw.write_all(&body[..10]).unwrap();
    raw.flush().unwrap();
    // Request 2 on the same session once request 1 is inside the server.
    server.await_in_flight(1);
    c.send("Execute", &body).expect_code(15);
    // Request 1 completes normally.
    raw.write_all(&body[10..]).unwrap();
    let mut answer = Vec::new();
    raw.read_to_end(&mut answer).unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(
        text.to_ascii_lowercase().contains("x-responsecode: 0\r\n"),
        "{text}"
    );
}

#[test]
fn chunked_framing_on_the_wire() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);
    c.connect(&dn).expect_code(0);
    let body = logon_execute_body(&dn);
    let mut raw = TcpStream::connect(server.addr()).unwrap();
    let head = format!(
        "POST /mapi/emsmdb/ HTTP/1.1\r\nHost: x\r\nAuthorization: {}\r\nContent-Type: application/mapi-http\r\nX-RequestType: Execute\r\nX-RequestId: {{X}}:1\r\nX-ClientInfo: {{Y}}\r\nCookie: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        basic("alice@contoso.com", ALICE_PASSWORD),
        c.cookie_header(),
        body.len()
    );
    raw.write_all(head.as_bytes()).unwrap();
    raw.write_all(&body).unwrap();
    let mut answer = Vec::new();
    raw.read_to_end(&mut answer).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    assert!(head.contains("transfer-encoding: chunked\r\n"), "{head}");
    let chunks = &answer[split..];
    // First chunk: exactly PROCESSING (§4.2: "C\r\nPROCESSING\r\n\r\n"), then the DONE tail + body, then 0.
    assert!(
        chunks
            .to_ascii_uppercase()
            .starts_with(b"C\r\nPROCESSING\r\n\r\n"),
        "{:?}",
        String::from_utf8_lossy(chunks)
    );
    assert!(chunks.ends_with(b"\r\n0\r\n\r\n"));
    let rest = &chunks[17..];
    let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
    let size = usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap(), 16).unwrap();
    let data = &rest[line_end + 2..line_end + 2 + size];
    assert!(data.starts_with(b"DONE\r\nX-ResponseCode: 0\r\nX-ElapsedTime: "));
    assert!(data.ends_with(&hex("01000000 00000000")));
}

#[test]
fn session_expires_after_the_idle_timeout_and_ping_keeps_it() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.session_idle_timeout = Duration::from_millis(300);
    let server = lab.start_with(config);
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);
    let r = c.connect(&dn);
    assert_eq!(r.header("x-expirationinfo").as_deref(), Some("300"));
    // PINGs more often than the timeout keep it alive well past it.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(900) {
        c.send("PING", &[]).expect_code(0);
        std::thread::sleep(Duration::from_millis(100));
    }
    c.send("Execute", &logon_execute_body(&dn)).expect_code(0);
    // Idle past the advertised expiry (ITS TC02) → 10. The wait is the behaviour under test.
    std::thread::sleep(Duration::from_millis(400));
    c.send("Execute", &logon_execute_body(&dn)).expect_code(10);
    assert_eq!(server.running().session_count(), 0);
}

#[test]
fn reconnect_with_old_cookies_creates_a_fresh_context() {
    let lab = Lab::new();
    let server = lab.start();
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);
    c.connect(&dn).expect_code(0);
    let first = c.cookies.clone();
    // Reconnect carrying the old cookies: new values for both (§4.4), the old context is gone.
    c.connect(&dn).expect_code(0);
    let second = c.cookies.clone();
    assert_ne!(first, second);
    assert_eq!(server.running().session_count(), 1);
    c.cookies = first;
    c.send("PING", &[]).expect_code(10);
    // Reconnect without the sequence cookie works too (§3.2.5.6, ITS R1329).
    c.cookies = second;
    c.cookies.retain(|(n, _)| n != "MapiSequence");
    c.connect(&dn).expect_code(0);
    assert_eq!(c.cookies.len(), 2);
    c.send("Execute", &logon_execute_body(&dn)).expect_code(0);
    assert_eq!(server.running().session_count(), 1);
}

#[test]
fn notification_wait_keeps_alive_overlaps_and_returns() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.limits.pending_period = Duration::from_millis(100);
    config.limits.notification_wait = Duration::from_millis(450);
    let server = lab.start_with(config);
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);
    c.connect(&dn).expect_code(0);
    let started = Instant::now();
    let spec = c.spec("NotificationWait").body(&hex("00000000 00000000"));
    let resp = c.run_streaming(spec);
    assert_eq!(resp.headers()["x-pendingperiod"], "100");
    assert_eq!(resp.headers()["transfer-encoding"], "chunked");
    assert_eq!(
        resp.headers().get_all("set-cookie").iter().count(),
        1,
        "no sequence cookie on a wait"
    );
    let mut reader = resp.into_body().into_reader();
    // PROCESSING arrives at once, long before the wait is over.
    let mut first = [0u8; 12];
    reader.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"PROCESSING\r\n");
    assert!(started.elapsed() < Duration::from_millis(400));
    // Another request overlaps the wait (§3.1.5.5), and a second wait is refused.
    c.send("Execute", &logon_execute_body(&dn)).expect_code(0);
    c.send("NotificationWait", &hex("00000000 00000000"))
        .expect_code(15);
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(450));
    let mut entity = first.to_vec();
    entity.extend(rest);
    let parsed = mapish_wire::framing::decode_response(&entity).unwrap();
    assert!(parsed.pending_count() >= 2, "{:?}", parsed.meta_tags);
    assert_eq!(parsed.response_code().unwrap(), Some(0));
    assert_eq!(parsed.body, hex("00000000 00000000 00000000 00000000"));
}

#[test]
fn notification_wait_ends_when_the_session_does() {
    let lab = Lab::new();
    let mut config = lab.config();
    config.limits.notification_wait = Duration::from_secs(60);
    let server = lab.start_with(config);
    let mut c = Mapi::emsmdb(&server, &lab.alice, ALICE_PASSWORD);
    let dn = alice_dn(&lab);
    c.connect(&dn).expect_code(0);
    let spec = c.spec("NotificationWait").body(&hex("00000000 00000000"));
    let resp = c.run_streaming(spec);
    let mut reader = resp.into_body().into_reader();
    let mut first = [0u8; 12];
    reader.read_exact(&mut first).unwrap();
    let started = Instant::now();
    c.send("Disconnect", &hex("00000000")).expect_code(0);
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let mut entity = first.to_vec();
    entity.extend(rest);
    let parsed = mapish_wire::framing::decode_response(&entity).unwrap();
    assert_eq!(parsed.body, hex("00000000 00000000 00000000 00000000"));
}
