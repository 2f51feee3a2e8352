//! `mapish serve` as a real process: the readiness line, requests over real HTTP, and SIGTERM.
//!
//! The store is prepared with mapish-store before the server starts (sled allows one process at a time;
//! live changes are tested in-process in server/tests/). The HTTP client here is a few lines over
//! TcpStream because this test crate's dependencies are the binary's, which include no HTTP client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mapish_store::{AuthMethod, InitParams, Mailbox, OpenOptions, Store};
use mapish_wire::buf::Codec;

const PASSWORD: &str = "P@ss1";

/// A store with organization Contoso (MAPI over HTTP on), server EX01 with Basic on its directory, and
/// mailbox alice. Returns alice.
fn prepare(dir: &Path) -> Mailbox {
    let store = Store::open(dir, &OpenOptions::default()).expect("open");
    store
        .initialize(&InitParams {
            organization: "Contoso".into(),
            server: "EX01".into(),
            fqdn: "ex01.contoso.com".into(),
        })
        .expect("init");
    let mut alice = Mailbox::new("alice", "alice", "alice@contoso.com", "alice@contoso.com", "Contoso", "EX01");
    alice.password_hash = Some(mapish_store::hash_password(PASSWORD).expect("hash"));
    store
        .update(|tx| {
            tx.put_mailbox(&alice)?;
            let mut org = tx.organization()?;
            org.mapi_http_enabled = true;
            tx.put_organization(&org)?;
            let mut v = tx.mapi_virtual_directories()?.remove(0);
            v.iis_authentication_methods = vec![AuthMethod::Basic];
            v.internal_url = Some("http://127.0.0.1/mapi".into());
            tx.put_mapi_virtual_directory(&v)
        })
        .expect("setup");
    alice
}

struct Serve {
    child: Child,
    urls: Vec<String>,
}

impl Serve {
    fn start(store: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mapish"))
            .arg("--store")
            .arg(store)
            .arg("serve")
            .args(extra)
            .env_remove("MAPISH_STORE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn mapish serve");
        let listeners = extra.iter().filter(|a| **a == "--listen").count().max(1);
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut urls = Vec::new();
        for _ in 0..listeners {
            let mut line = String::new();
            out.read_line(&mut line).expect("read stdout");
            let Some(url) = line.trim_end().strip_prefix("Listening on ") else {
                let mut err = String::new();
                let _ = child.kill();
                let _ = child.stderr.take().map(|mut e| e.read_to_string(&mut err));
                panic!("no readiness line, got {line:?}; stderr:\n{err}");
            };
            urls.push(url.to_string());
        }
        Serve { child, urls }
    }

    fn addr(&self) -> String {
        self.urls[0].split("://").nth(1).expect("url").to_string()
    }

    /// SIGTERM, then the exit status.
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().expect("kill");
        self.child.wait().expect("wait")
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Http {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Http {
    fn header(&self, name: &str) -> Vec<String> {
        self.head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .filter(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

fn http(addr: &str, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> Http {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (n, v) in headers {
        req.push_str(&format!("{n}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write");
    s.write_all(body).expect("write body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").expect("head") + 4;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let mut r = Http { status, head, body: raw[split..].to_vec() };
    if r.header("transfer-encoding").iter().any(|v| v.eq_ignore_ascii_case("chunked")) {
        r.body = dechunk(&r.body);
    }
    r
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n").expect("chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&data[..end]).expect("hex").trim(), 16).expect("size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&data[end + 2..end + 2 + size]);
        data = &data[end + 2 + size + 2..];
    }
}

fn basic() -> String {
    // alice@contoso.com:P@ss1
    let creds = format!("alice@contoso.com:{PASSWORD}");
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in creds.as_bytes().chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

fn mapi_headers(request_type: &str, cookie: Option<&str>) -> Vec<(&'static str, String)> {
    let mut h = vec![
        ("Authorization", basic()),
        ("Content-Type", "application/mapi-http".to_string()),
        ("X-RequestType", request_type.to_string()),
        ("X-RequestId", "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:1".to_string()),
        ("X-ClientInfo", "{2F94A2BF-A2E6-4CCC-BF98-B5F22C542226}".to_string()),
        ("X-ClientApplication", "Outlook/15.0.4815.1002".to_string()),
    ];
    if let Some(c) = cookie {
        h.push(("Cookie", c.to_string()));
    }
    h
}

#[test]
fn serve_prints_readiness_answers_mapi_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    let alice = prepare(&store);
    let logs = tmp.path().join("logs");
    let serve = Serve::start(
        &store,
        &["--listen", "127.0.0.1:0", "--log-dir", logs.to_str().expect("utf-8"), "--session-idle-timeout-ms", "60000"],
    );
    assert!(serve.urls[0].starts_with("http://127.0.0.1:"), "{:?}", serve.urls);
    let addr = serve.addr();

    let health = http(&addr, "GET", "/mapi/healthcheck.htm", &[], &[]);
    assert_eq!(health.status, 200);
    assert_eq!(health.body, b"200 OK<br/>ex01.contoso.com");

    // Connect → cookies; PING with them; Disconnect.
    let connect = mapish_wire::emsmdb::ConnectRequest {
        user_dn: alice.legacy_exchange_dn.clone(),
        flags: 0,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        aux: vec![],
    }
    .encode()
    .expect("encode");
    let path = format!("/mapi/emsmdb/?MailboxId={}@contoso.com", alice.guid);
    let r = http(&addr, "POST", &path, &mapi_headers("Connect", None), &connect);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-responsecode"), ["0"]);
    assert_eq!(r.header("x-expirationinfo"), ["60000"]);
    let cookie = r
        .header("set-cookie")
        .iter()
        .map(|c| c.split(';').next().expect("pair").to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let parsed = mapish_wire::framing::decode_response(&r.body).expect("framing");
    let body = mapish_wire::emsmdb::ConnectResponse::decode(parsed.body).expect("body");
    assert_eq!(body.success().expect("success").display_name, "alice");

    let r = http(&addr, "POST", &path, &mapi_headers("PING", Some(&cookie)), &[]);
    assert_eq!(r.header("x-responsecode"), ["0"]);
    let r = http(&addr, "POST", &path, &mapi_headers("Disconnect", Some(&cookie)), &[0, 0, 0, 0]);
    assert_eq!(r.header("x-responsecode"), ["0"]);
    let r = http(&addr, "POST", &path, &mapi_headers("PING", Some(&cookie)), &[]);
    assert_eq!(r.header("x-responsecode"), ["10"]);

    // Autodiscover with the capability header names the mapiHttp endpoints.
    let xml = mapish_wire::autodiscover::AutodiscoverRequest::for_email("alice@contoso.com").to_xml().expect("xml");
    let r = http(
        &addr,
        "POST",
        "/autodiscover/autodiscover.xml",
        &[("Authorization", basic()), ("X-MapiHttpCapability", "1".into()), ("Content-Type", "text/xml".into())],
        xml.as_bytes(),
    );
    let text = String::from_utf8_lossy(&r.body);
    assert!(text.contains(&format!("<InternalUrl>http://127.0.0.1/mapi/emsmdb/?MailboxId={}@contoso.com</InternalUrl>", alice.guid)), "{text}");

    let status = serve.terminate();
    assert!(status.success(), "exit status {status:?}");
    let day = chrono::Utc::now().format("%Y%m%d").to_string();
    let access = std::fs::read_to_string(logs.join(format!("Access/Access_{day}.csv"))).expect("access log");
    assert!(access.contains(",alice@contoso.com,POST,/mapi/emsmdb/"), "{access}");
    assert!(!access.contains(PASSWORD));
}

#[test]
fn serve_listens_on_several_addresses_and_with_tls() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    prepare(&store);
    let serve = Serve::start(&store, &["--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--self-signed"]);
    assert_eq!(serve.urls.len(), 2);
    assert!(serve.urls.iter().all(|u| u.starts_with("https://127.0.0.1:")), "{:?}", serve.urls);
    assert_ne!(serve.urls[0], serve.urls[1]);
    assert!(store.join("tls/self-signed-cert.pem").exists());
    assert!(serve.terminate().success());
}

#[test]
fn serve_refuses_plain_http_off_loopback() {
    let tmp = tempfile::tempdir().expect("tmp");
    let store = tmp.path().join("store");
    prepare(&store);
    let out = Command::new(env!("CARGO_BIN_EXE_mapish"))
        .arg("--store")
        .arg(&store)
        .args(["serve", "--listen", "0.0.0.0:0"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no readiness line");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--insecure-http"), "{err}");
}
