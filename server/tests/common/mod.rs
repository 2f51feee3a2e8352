//! Helpers for the in-process server tests: a store with the article's lab in it, a server started on
//! 127.0.0.1:0, and a small MAPI/HTTP client over ureq that keeps the session cookies.

#![allow(dead_code)]

pub mod nspi;
pub mod rops;

use std::time::Duration;

use base64::Engine;
use mapish_server::{RunningServer, ServeConfig};
use mapish_store::{
    AuthMethod, InitParams, Mailbox, MapiVirtualDirectory, OpenOptions, Organization, Store,
};
use mapish_wire::buf::Codec;
use mapish_wire::framing::{self, ParsedResponse};

pub const ALICE_PASSWORD: &str = "P@ss1";
pub const BOB_PASSWORD: &str = "B0b!pass";

/// A store in a temporary directory: organization Contoso with MAPI over HTTP on, server EX01, its MAPI
/// directory with Basic, and mailboxes alice and bob.
pub struct Lab {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub alice: Mailbox,
    pub bob: Mailbox,
}

impl Lab {
    pub fn new() -> Lab {
        let dir = tempfile::tempdir().expect("temp dir");
        let store =
            Store::open(&dir.path().join("store"), &OpenOptions::default()).expect("open store");
        store
            .initialize(&InitParams {
                organization: "Contoso".into(),
                server: "EX01".into(),
                fqdn: "ex01.contoso.com".into(),
            })
            .expect("init");
        let mailbox = |name: &str, password: &str| {
            let mut m = Mailbox::new(
                name,
                name.to_lowercase(),
                format!("{}@contoso.com", name.to_lowercase()),
                format!("{}@contoso.com", name.to_lowercase()),
                "Contoso",
                "EX01",
            );
            m.display_name = format!("{name} Example");
            m.password_hash = Some(mapish_store::hash_password(password).expect("hash"));
            m
        };
        let alice = mailbox("Alice", ALICE_PASSWORD);
        let bob = mailbox("Bob", BOB_PASSWORD);
        store
            .update(|tx| {
                tx.put_mailbox(&alice)?;
                tx.put_mailbox(&bob)?;
                let mut org = tx.organization()?;
                org.mapi_http_enabled = true;
                tx.put_organization(&org)?;
                let mut v = tx.mapi_virtual_directories()?.remove(0);
                v.iis_authentication_methods = vec![AuthMethod::Basic];
                v.internal_url = Some("http://127.0.0.1/mapi".into());
                v.external_url = Some("https://mail.contoso.com/mapi".into());
                tx.put_mapi_virtual_directory(&v)
            })
            .expect("lab setup");
        Lab {
            dir,
            store,
            alice,
            bob,
        }
    }

    pub fn config(&self) -> ServeConfig {
        ServeConfig {
            listen: vec!["127.0.0.1:0".parse().expect("addr")],
            log_dir: Some(self.dir.path().join("logs")),
            ..ServeConfig::default()
        }
    }

    pub fn start(&self) -> Server {
        self.start_with(self.config())
    }

    pub fn start_with(&self, config: ServeConfig) -> Server {
        let running = mapish_server::start(self.store.clone(), config).expect("start server");
        let base = running.urls()[0].clone();
        Server {
            running: Some(running),
            base,
        }
    }

    pub fn org(&self) -> Organization {
        self.store.organization().expect("org")
    }

    pub fn vdir(&self) -> MapiVirtualDirectory {
        self.store
            .mapi_virtual_directories()
            .expect("vdirs")
            .remove(0)
    }

    pub fn set_org_mapi_http(&self, on: bool) {
        let mut org = self.org();
        org.mapi_http_enabled = on;
        self.store
            .update(|tx| tx.put_organization(&org))
            .expect("update org");
    }

    pub fn set_mailbox(&self, guid: mapish_store::Uuid, f: impl Fn(&mut Mailbox)) {
        let mut m = self.store.mailbox(guid).expect("read").expect("mailbox");
        f(&mut m);
        self.store
            .update(|tx| tx.put_mailbox(&m))
            .expect("update mailbox");
    }

    pub fn set_vdir(&self, f: impl Fn(&mut MapiVirtualDirectory)) {
        let mut v = self.vdir();
        f(&mut v);
        self.store
            .update(|tx| tx.put_mapi_virtual_directory(&v))
            .expect("update vdir");
    }

    pub fn remove_vdir(&self) -> MapiVirtualDirectory {
        let v = self.vdir();
        self.store
            .update(|tx| tx.delete_mapi_virtual_directory(v.guid))
            .expect("delete vdir");
        v
    }

    pub fn recreate_vdir(&self, old: &MapiVirtualDirectory) {
        let server = self.store.server("EX01").expect("read").expect("server");
        let mut v = MapiVirtualDirectory::with_defaults(&server);
        v.iis_authentication_methods = old.iis_authentication_methods.clone();
        v.internal_url = old.internal_url.clone();
        v.external_url = old.external_url.clone();
        self.store
            .update(|tx| tx.put_mapi_virtual_directory(&v))
            .expect("create vdir");
    }
}

/// A running server; shut down gracefully when dropped.
pub struct Server {
    pub running: Option<RunningServer>,
    pub base: String,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.running.as_ref().expect("running").local_addrs()[0]
    }

    pub fn running(&self) -> &RunningServer {
        self.running.as_ref().expect("running")
    }

    /// Waits until the server has applied `n` more store changes than `since` (a condition variable, not a
    /// sleep).
    pub fn await_changes(&self, since: u64, n: u64) {
        assert!(
            self.running()
                .wait_for_changes(since + n, Duration::from_secs(5)),
            "the server did not apply the change within 5 s"
        );
    }

    /// Waits (polling server state, with a deadline) until `n` requests are inside the server.
    pub fn await_in_flight(&self, n: usize) {
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while self.running().requests_in_flight() < n {
            assert!(std::time::Instant::now() < deadline, "no request arrived");
            std::thread::yield_now();
        }
    }

    pub fn changes(&self) -> u64 {
        self.running().changes_applied()
    }

    pub fn shutdown(mut self) {
        if let Some(r) = self.running.take() {
            r.shutdown().expect("shutdown");
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(r) = self.running.take() {
            let _ = r.shutdown();
        }
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(60)))
        .build()
        .into()
}

pub fn basic(user: &str, password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// An HTTP response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: ureq::http::HeaderMap,
    pub entity: Vec<u8>,
}

impl Reply {
    pub fn from(resp: ureq::http::Response<ureq::Body>) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let entity = resp.into_body().read_to_vec().expect("read body");
        Reply {
            status,
            headers,
            entity,
        }
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }

    /// The HTTP `X-ResponseCode`.
    pub fn code(&self) -> Option<u32> {
        self.header("x-responsecode").and_then(|v| v.parse().ok())
    }

    pub fn parsed(&self) -> ParsedResponse<'_> {
        framing::decode_response(&self.entity).expect("inner response stream")
    }

    /// The binary body after the meta block.
    pub fn body(&self) -> Vec<u8> {
        self.parsed().body.to_vec()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.entity).into_owned()
    }

    #[track_caller]
    pub fn expect_code(&self, code: u32) -> &Reply {
        assert_eq!(self.status, 200, "HTTP status; body {}", self.text());
        assert_eq!(
            self.code(),
            Some(code),
            "X-ResponseCode; body {}",
            self.text()
        );
        let ct = self.header("content-type").unwrap_or_default();
        if code == 0 {
            assert_eq!(ct, "application/mapi-http");
        } else {
            assert!(ct.starts_with("text/html"), "{ct}");
        }
        self
    }
}

/// One request about to be sent.
pub struct Spec {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub cookies: bool,
}

impl Spec {
    pub fn without(mut self, name: &str) -> Spec {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self
    }

    pub fn with(mut self, name: &str, value: &str) -> Spec {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    pub fn body(mut self, body: &[u8]) -> Spec {
        self.body = body.to_vec();
        self
    }

    pub fn no_cookies(mut self) -> Spec {
        self.cookies = false;
        self
    }
}

/// A MAPI/HTTP client for one endpoint, keeping that endpoint's cookies as a browser would.
pub struct Mapi {
    pub agent: ureq::Agent,
    pub url: String,
    pub user: String,
    pub password: String,
    pub cookies: Vec<(String, String)>,
    pub request_guid: String,
    pub counter: u32,
}

pub const CLIENT_INFO: &str = "{A7A47AAD-233C-412B-9D10-DDE9108FEBD7}-5";

impl Mapi {
    pub fn new(server: &Server, endpoint: &str, mailbox: &Mailbox, password: &str) -> Mapi {
        Mapi {
            agent: agent(),
            url: server.url(&format!(
                "/mapi/{endpoint}/?MailboxId={}@contoso.com",
                mailbox.guid
            )),
            user: mailbox.user_principal_name.clone(),
            password: password.to_string(),
            cookies: Vec::new(),
            request_guid: format!(
                "{{{}}}",
                mapish_store::Uuid::new_v4().to_string().to_uppercase()
            ),
            counter: 0,
        }
    }

    pub fn emsmdb(server: &Server, mailbox: &Mailbox, password: &str) -> Mapi {
        Mapi::new(server, "emsmdb", mailbox, password)
    }

    pub fn nspi(server: &Server, mailbox: &Mailbox, password: &str) -> Mapi {
        Mapi::new(server, "nspi", mailbox, password)
    }

    pub fn spec(&mut self, request_type: &str) -> Spec {
        self.counter += 1;
        Spec {
            headers: vec![
                ("Authorization".into(), basic(&self.user, &self.password)),
                ("Content-Type".into(), "application/mapi-http".into()),
                ("X-RequestType".into(), request_type.into()),
                (
                    "X-RequestId".into(),
                    format!("{}:{}", self.request_guid, self.counter),
                ),
                ("X-ClientInfo".into(), CLIENT_INFO.into()),
                (
                    "X-ClientApplication".into(),
                    "Outlook/15.00.0856.000".into(),
                ),
            ],
            body: Vec::new(),
            cookies: true,
        }
    }

    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn builder(&self, spec: &Spec) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let mut b = self.agent.post(&self.url);
        for (n, v) in &spec.headers {
            b = b.header(n.as_str(), v.as_str());
        }
        if spec.cookies && !self.cookies.is_empty() {
            b = b.header("Cookie", self.cookie_header());
        }
        b
    }

    /// Sends and reads the whole response; remembers cookies from `Set-Cookie`.
    pub fn run(&mut self, spec: Spec) -> Reply {
        let resp = self.builder(&spec).send(&spec.body[..]).expect("request");
        let reply = Reply::from(resp);
        self.absorb(&reply.all("set-cookie"));
        reply
    }

    /// Sends and returns the streaming response (cookies are taken from its headers).
    pub fn run_streaming(&mut self, spec: Spec) -> ureq::http::Response<ureq::Body> {
        let resp = self.builder(&spec).send(&spec.body[..]).expect("request");
        let set: Vec<String> = resp
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        self.absorb(&set);
        resp
    }

    pub fn absorb(&mut self, set_cookies: &[String]) {
        for line in set_cookies {
            let c = mapish_wire::cookie::SetCookie::parse(line).expect("Set-Cookie");
            self.cookies.retain(|(n, _)| *n != c.name);
            if !c.is_removal() {
                self.cookies.push((c.name.clone(), c.value.clone()));
            }
        }
    }

    pub fn send(&mut self, request_type: &str, body: &[u8]) -> Reply {
        let spec = self.spec(request_type).body(body);
        self.run(spec)
    }

    pub fn connect(&mut self, dn: &str) -> Reply {
        self.send("Connect", &connect_body(dn))
    }

    pub fn bind(&mut self) -> Reply {
        self.send("Bind", &hex("00000000 00 00000000"))
    }
}

pub fn connect_body(dn: &str) -> Vec<u8> {
    mapish_wire::emsmdb::ConnectRequest {
        user_dn: dn.into(),
        flags: 0,
        default_code_page: 1252,
        lcid_sort: 0x409,
        lcid_string: 0x409,
        aux: vec![],
    }
    .encode()
    .expect("encode")
}

/// The Execute request of fact sheet §11 T4 for `dn` (private RopLogon, handle table [0xFFFFFFFF]).
pub fn logon_execute_body(dn: &str) -> Vec<u8> {
    use mapish_wire::rop::{self, LogonRequest, RopBuffer, RopRequest};
    let rops = rop::encode_requests(&[RopRequest::Logon(LogonRequest {
        logon_id: 0,
        output_handle_index: 0,
        logon_flags: 0x01,
        open_flags: 0x0100_0000,
        store_state: 0,
        essdn: dn.into(),
    })])
    .expect("rops");
    let payload = RopBuffer {
        rops,
        handles: vec![0xFFFF_FFFF],
    }
    .encode()
    .expect("buffer");
    mapish_wire::emsmdb::ExecuteRequest {
        flags: 3,
        rop_buffer: mapish_wire::rpc_header::pack(&payload, Default::default()).expect("pack"),
        max_rop_out: 0x10008,
        aux: vec![],
    }
    .encode()
    .expect("encode")
}

pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

pub fn utf16z(s: &str) -> Vec<u8> {
    let mut out: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    out.extend([0, 0]);
    out
}
