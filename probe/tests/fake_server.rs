//! The probe against a scripted fake server on 127.0.0.1, for the answers mapish's own server does
//! not give on demand: an X-ResponseCode in the HTTP header or after DONE, a 401 with other
//! schemes, an unhealthy health check, a 404 from the endpoint, TLS spoken to a plain HTTP port.
//! The replies are built with mapish-wire, as the server builds them.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use mapish_commands::probe::{
    FailureCause, Probe, ProbeAccount, ProbeKind, ProbeReport, ProbeRequest, StepOutcome,
};
use mapish_commands::value::SecretText;
use mapish_probe::HttpProbe;
use mapish_wire::Endpoint;
use mapish_wire::Response;
use mapish_wire::autodiscover::{
    AutodiscoverResponse, AutodiscoverUser, EndpointUrls, MapiHttpProtocol, mapi_url_from_base,
};
use mapish_wire::buf::Codec;
use mapish_wire::emsmdb::ConnectSuccess;
use mapish_wire::framing::{AdditionalHeaders, encode_response};
use uuid::Uuid;

/// What the fake saw of one request.
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Script = dyn Fn(&Seen, u16) -> Vec<u8> + Send + Sync;

/// Serves `script` on a free port until the test ends; answers the port.
fn fake(script: impl Fn(&Seen, u16) -> Vec<u8> + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let script: Arc<Script> = Arc::new(script);
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let script = Arc::clone(&script);
            std::thread::spawn(move || serve(conn, &*script, port));
        }
    });
    port
}

fn serve(conn: TcpStream, script: &Script, port: u16) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(conn.try_clone().expect("clone"));
    let mut writer = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or_default().to_string(),
            parts.next().unwrap_or_default().to_string(),
        );
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_string(), v.trim().to_string()));
            }
        }
        let seen = Seen {
            method,
            path,
            headers,
        };
        let len: usize = seen
            .header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if writer.write_all(&script(&seen, port)).is_err() {
            return;
        }
    }
}

fn reply(status: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n", body.len());
    for (n, v) in headers {
        out.push_str(&format!("{n}: {v}\r\n"));
    }
    out.push_str("\r\n");
    let mut out = out.into_bytes();
    out.extend_from_slice(body);
    out
}

/// A successful MAPI/HTTP reply with `code` after DONE.
fn mapi(request_type: &str, code_after_done: u32, body: &[u8]) -> Vec<u8> {
    let entity = encode_response(
        0,
        &AdditionalHeaders::new(code_after_done, 0, "Mon, 06 Jan 2025 10:00:00 GMT"),
        body,
    )
    .expect("entity");
    reply(
        "200 OK",
        &[
            ("Content-Type", "application/mapi-http"),
            ("X-RequestType", request_type),
            ("X-ResponseCode", "0"),
            ("Set-Cookie", "MapiContext=E1.abc; Path=/mapi/emsmdb/"),
        ],
        &entity,
    )
}

const MAILBOX: &str = "416c6368-656d-794a-6f45-57615272456e";

/// Autodiscover's answer: mapiHttp at this fake.
fn autodiscover(port: u16) -> Vec<u8> {
    let guid = Uuid::parse_str(MAILBOX).expect("guid");
    let base = format!("http://127.0.0.1:{port}/mapi");
    let doc = AutodiscoverResponse {
        user: AutodiscoverUser {
            display_name: "Alice".into(),
            legacy_dn: "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=alice".into(),
            smtp_address: "alice@contoso.com".into(),
            deployment_id: None,
        },
        mapi_http: Some(MapiHttpProtocol {
            version: 1,
            mail_store: EndpointUrls::both(mapi_url_from_base(&base, Endpoint::Emsmdb, &guid, "contoso.com")),
            address_book: EndpointUrls::both(mapi_url_from_base(&base, Endpoint::Nspi, &guid, "contoso.com")),
        }),
        legacy_protocols: Vec::new(),
    }
    .to_xml()
    .expect("xml");
    reply("200 OK", &[("Content-Type", "text/xml")], doc.as_bytes())
}

fn request(kind: ProbeKind, url: String) -> ProbeRequest {
    ProbeRequest {
        kind,
        directory_url: url,
        hostname: None,
        expected_schemes: vec!["Basic".into()],
        account: Some(ProbeAccount {
            user_name: "alice@contoso.com".into(),
            password: SecretText("pw".into()),
            email_address: "alice@contoso.com".into(),
        }),
        timeout: Duration::from_secs(10),
        trust_any_certificate: false,
        cancel: None,
    }
}

#[track_caller]
fn failure(report: &ProbeReport) -> (&FailureCause, &str) {
    let f = report
        .failure
        .as_ref()
        .unwrap_or_else(|| panic!("expected a failure: {report:#?}"));
    (&f.cause, f.message.as_str())
}

#[test]
fn a_response_code_in_the_http_header_is_named() {
    let port = fake(|seen, port| match seen.path.as_str() {
        "/autodiscover/autodiscover.xml" => {
            // The probe says it speaks MAPI over HTTP.
            assert_eq!(seen.header("X-MapiHttpCapability"), Some("1"));
            autodiscover(port)
        }
        _ => reply(
            "200 OK",
            &[("Content-Type", "text/html"), ("X-ResponseCode", "16")],
            b"<html>MAPI over HTTP is disabled</html>",
        ),
    });
    let report = HttpProbe.run(&request(
        ProbeKind::DeepTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::ResponseCode(16));
    assert_eq!(
        message,
        "Unexpected X-ResponseCode 16 (Endpoint Disabled) to Connect. MAPI over HTTP is not in effect for this mailbox."
    );
    let last = report.steps.last().expect("steps");
    assert_eq!(
        (last.name.as_str(), last.outcome),
        ("Connect (emsmdb)", StepOutcome::Failed)
    );
    assert!(
        report
            .failure
            .as_ref()
            .expect("failure")
            .exception
            .contains("MAPI over HTTP is disabled")
    );
}

#[test]
fn a_response_code_after_done_is_named() {
    let port = fake(|seen, port| {
        if seen.path.starts_with("/autodiscover") {
            return autodiscover(port);
        }
        let body = Response::Success(ConnectSuccess::new("Alice"))
            .encode()
            .expect("body");
        mapi("Connect", 18, &body)
    });
    let report = HttpProbe.run(&request(
        ProbeKind::DeepTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::ResponseCode(18));
    assert!(message.contains("18 (Endpoint Shutting Down)"), "{message}");
}

#[test]
fn a_challenge_without_the_configured_scheme_fails_the_self_test() {
    let port = fake(|seen, _| {
        assert!(
            seen.header("Authorization").is_none(),
            "the self test sends no credentials"
        );
        reply(
            "401 Unauthorized",
            &[
                ("WWW-Authenticate", "NTLM"),
                ("WWW-Authenticate", "Negotiate"),
            ],
            b"",
        )
    });
    let report = HttpProbe.run(&request(
        ProbeKind::SelfTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::ChallengeMismatch);
    assert!(
        message.contains("offers NTLM, Negotiate but not Basic"),
        "{message}"
    );
}

#[test]
fn an_unhealthy_health_check_fails_the_self_test() {
    let port = fake(|seen, _| match seen.method.as_str() {
        "GET" => reply(
            "503 Service Unavailable",
            &[],
            b"503 no usable authentication method",
        ),
        _ => reply(
            "401 Unauthorized",
            &[("WWW-Authenticate", "Basic realm=\"x\"")],
            b"",
        ),
    });
    let report = HttpProbe.run(&request(
        ProbeKind::SelfTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::Unhealthy);
    assert!(
        message.contains("503") && message.contains("no usable authentication method"),
        "{message}"
    );
    assert_eq!(
        report
            .steps
            .iter()
            .filter(|s| s.outcome == StepOutcome::Succeeded)
            .count(),
        4,
        "{:#?}",
        report.steps
    );
}

#[test]
fn a_404_from_the_endpoint_is_a_missing_directory() {
    let port = fake(|_, _| reply("404 Not Found", &[], b"no such directory"));
    let report = HttpProbe.run(&request(
        ProbeKind::SelfTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::DirectoryMissing);
    assert!(
        message.contains("The MAPI virtual directory is missing"),
        "{message}"
    );
}

#[test]
fn tls_to_a_plain_http_port_says_so() {
    let port = fake(|_, _| reply("400 Bad Request", &[], b"plain http here"));
    let mut req = request(
        ProbeKind::SelfTest,
        format!("https://127.0.0.1:{port}/mapi"),
    );
    req.trust_any_certificate = true;
    let report = HttpProbe.run(&req);
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::Tls);
    assert!(message.contains("must start with http://"), "{message}");
}

#[test]
fn a_deep_test_without_an_account_fails_cleanly() {
    let mut req = request(ProbeKind::DeepTest, "http://127.0.0.1:1/mapi".into());
    req.account = None;
    let report = HttpProbe.run(&req);
    assert!(failure(&report).1.contains("needs its credentials"));
}

#[test]
fn a_draining_server_is_named_in_the_self_test() {
    // While draining, mapish serve answers every MAPI request 18 before authentication.
    let port = fake(|_, _| {
        reply(
            "200 OK",
            &[("Content-Type", "text/html"), ("X-ResponseCode", "18")],
            b"shutting down",
        )
    });
    let report = HttpProbe.run(&request(
        ProbeKind::SelfTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(*cause, FailureCause::ResponseCode(18));
    assert!(
        message.contains("18 (Endpoint Shutting Down)") && message.contains("shutting down"),
        "{message}"
    );
}

/// The admin endpoint will run commands inside the server's tokio runtime: the probe must not
/// try to block on a runtime of its own there.
#[tokio::test(flavor = "current_thread")]
async fn runs_from_inside_another_runtime() {
    let port = fake(|_, _| {
        reply(
            "401 Unauthorized",
            &[("WWW-Authenticate", "Basic realm=\"x\"")],
            b"",
        )
    });
    let report = HttpProbe.run(&request(
        ProbeKind::SelfTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    // The health check gets the same 401 here: the step after the challenge fails, but the probe ran.
    assert_eq!(failure(&report).0, &FailureCause::Unhealthy);
}

/// A server offering Negotiate, NTLM and Basic gets Negotiate (SPNEGO with NTLM inside): the probe
/// sends its NEGOTIATE, gets the CHALLENGE, and answers with an AUTHENTICATE that this fake refuses,
/// as a server refuses a wrong password. The failure names the scheme.
#[test]
fn a_refused_negotiate_logon_names_negotiate() {
    use base64::Engine;
    use mapish_ntlm::{nlmp, spnego};
    let b64 = base64::engine::general_purpose::STANDARD;
    let port = fake(move |seen, port| {
        if seen.path.starts_with("/autodiscover") {
            return autodiscover(port);
        }
        let all = [
            ("WWW-Authenticate", "Negotiate"),
            ("WWW-Authenticate", "NTLM"),
            ("WWW-Authenticate", "Basic realm=\"x\""),
        ];
        let Some(auth) = seen.header("Authorization") else {
            return reply("401 Unauthorized", &all, b"");
        };
        let (scheme, token) = auth.split_once(' ').expect("scheme and token");
        assert_eq!(scheme, "Negotiate", "the strongest offered scheme");
        let token = b64.decode(token).expect("base64");
        match spnego::parse(&token) {
            Some(spnego::Token::Init {
                mechs,
                mech_token: Some(negotiate),
                ..
            }) => {
                assert_eq!(mechs, vec![spnego::NTLM_OID.to_vec()], "NTLM only");
                let neg = nlmp::parse_negotiate(&negotiate).expect("NTLM NEGOTIATE");
                let challenge = nlmp::build_challenge(
                    neg.flags,
                    &[7; 8],
                    &nlmp::TargetNames::for_server("EX01", "ex01.contoso.com"),
                    nlmp::filetime_now(),
                );
                let resp = spnego::response(
                    spnego::NegState::AcceptIncomplete,
                    true,
                    Some(&challenge),
                    None,
                );
                let header = format!("Negotiate {}", b64.encode(resp));
                reply("401 Unauthorized", &[("WWW-Authenticate", &header)], b"")
            }
            Some(spnego::Token::Resp {
                response_token: Some(auth),
                mech_list_mic,
            }) => {
                assert_eq!(nlmp::message_type(&auth), Some(3));
                assert!(
                    mech_list_mic.is_some(),
                    "a MIC in the AUTHENTICATE calls for a mechListMIC"
                );
                reply("401 Unauthorized", &all, b"")
            }
            other => panic!("unexpected token {other:?}"),
        }
    });
    let report = HttpProbe.run(&request(
        ProbeKind::DeepTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(
        *cause,
        FailureCause::AuthenticationFailed {
            scheme: "Negotiate".into()
        }
    );
    assert!(
        message.contains("Authentication failed (Negotiate)")
            && message
                .contains("refused the user name and password of 'alice@contoso.com' on Connect"),
        "{message}"
    );
}

/// A server that offers only OAuth (Bearer): the probe says mapish does not do OAuth.
#[test]
fn an_oauth_only_server_is_named() {
    let port = fake(|_, _| {
        reply(
            "401 Unauthorized",
            &[(
                "WWW-Authenticate",
                "Bearer client_id=\"00000002-0000-0ff1-ce00-000000000000\"",
            )],
            b"",
        )
    });
    let report = HttpProbe.run(&request(
        ProbeKind::DeepTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    let (cause, message) = failure(&report);
    assert_eq!(
        *cause,
        FailureCause::AuthenticationFailed {
            scheme: "OAuth".into()
        }
    );
    assert!(
        message.contains("OAuth is not supported by mapish") && message.contains("Autodiscover"),
        "{message}"
    );
    assert_eq!(report.auth_scheme, None);
}

/// NTLM is bound to its connection: when the server closes the connection after a logon, the next
/// request is challenged again and the probe runs the handshake again on the new connection.
#[test]
fn a_closed_connection_means_a_new_ntlm_handshake() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use base64::Engine;
    use mapish_ntlm::nlmp;
    let b64 = base64::engine::general_purpose::STANDARD;
    let negotiates = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&negotiates);
    let port = fake(move |seen, port| {
        if seen.path.starts_with("/autodiscover") {
            return autodiscover(port);
        }
        let Some(auth) = seen.header("Authorization") else {
            return reply("401 Unauthorized", &[("WWW-Authenticate", "NTLM")], b"");
        };
        let token = b64
            .decode(
                auth.strip_prefix("NTLM ")
                    .expect("NTLM, the only scheme offered"),
            )
            .expect("base64");
        match nlmp::message_type(&token) {
            Some(1) => {
                counted.fetch_add(1, Ordering::SeqCst);
                let neg = nlmp::parse_negotiate(&token).expect("NEGOTIATE");
                let challenge = nlmp::build_challenge(
                    neg.flags,
                    &[7; 8],
                    &nlmp::TargetNames::for_server("EX01", "ex01.contoso.com"),
                    nlmp::filetime_now(),
                );
                let header = format!("NTLM {}", b64.encode(challenge));
                reply("401 Unauthorized", &[("WWW-Authenticate", &header)], b"")
            }
            Some(3) if seen.header("X-RequestType") == Some("Connect") => {
                let body = Response::Success(ConnectSuccess::new("Alice"))
                    .encode()
                    .expect("body");
                // Logged on, and the connection is closed after the answer.
                let mut answer = mapi("Connect", 0, &body);
                let line_end = answer
                    .windows(2)
                    .position(|w| w == b"\r\n")
                    .expect("status line")
                    + 2;
                answer.splice(line_end..line_end, b"Connection: close\r\n".iter().copied());
                answer
            }
            Some(3) => reply(
                "200 OK",
                &[("Content-Type", "text/html"), ("X-ResponseCode", "16")],
                b"disabled",
            ),
            other => panic!("unexpected NTLM message {other:?}"),
        }
    });
    let report = HttpProbe.run(&request(
        ProbeKind::DeepTest,
        format!("http://127.0.0.1:{port}/mapi"),
    ));
    // Execute got past authentication on the new connection; its answer is the finding.
    let (cause, _) = failure(&report);
    assert_eq!(*cause, FailureCause::ResponseCode(16), "{report:#?}");
    assert_eq!(
        report.failure.as_ref().expect("failure").step,
        "Execute RopLogon"
    );
    assert_eq!(
        negotiates.load(Ordering::SeqCst),
        2,
        "one handshake per connection"
    );
    assert_eq!(report.auth_scheme.as_deref(), Some("NTLM"));
    assert!(
        report
            .steps
            .iter()
            .any(|s| s.detail == "session opened for Alice; authenticated with NTLM"),
        "{report:#?}"
    );
}
