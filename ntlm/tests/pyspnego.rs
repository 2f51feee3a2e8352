//! The initiator against an acceptor we did not write: pyspnego's NTLM and Negotiate server
//! (tests/pyspnego_acceptor.py), which checks the NTLMv2 response, the MIC and (Negotiate) the
//! mechListMIC, and whose final mechListMIC the initiator checks in turn. Skipped with a message
//! when python3 or pyspnego is missing, unless MAPISH_REQUIRE_INTEROP=1.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use base64::Engine as _;
use mapish_ntlm::client::{Credentials, Initiator, Step};

fn have_pyspnego() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import spnego"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("MAPISH_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "MAPISH_REQUIRE_INTEROP=1 but pyspnego is missing"
        );
        eprintln!("skipped: pyspnego is not installed");
    }
    ok
}

/// Runs one logon; answers (complete, user, error).
fn logon(protocol: &str, user: &str, password: &str) -> (bool, Option<String>, Option<String>) {
    let dir = std::env::temp_dir().join(format!("mapish-ntlm-{}-{protocol}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let users = dir.join("users");
    std::fs::write(&users, "CONTOSO:alice:P@ss1\n").unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pyspnego_acceptor.py");
    let mut child = Command::new("python3")
        .args([script, protocol, users.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let b64 = base64::engine::general_purpose::STANDARD;
    let creds = Credentials::new(user, password);
    let mut init = if protocol == "ntlm" {
        Initiator::ntlm(creds)
    } else {
        Initiator::negotiate(creds)
    };
    let mut token = init.start();
    let result = loop {
        writeln!(stdin, "{}", b64.encode(&token)).unwrap();
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let answer: serde_json_lite::Answer = serde_json_lite::parse(&line);
        if let Some(e) = answer.error {
            break (false, None, Some(e));
        }
        let server = answer.token.map(|t| b64.decode(t).unwrap());
        if answer.complete {
            // The server's last token (Negotiate: accept-completed with its mechListMIC) is checked.
            if protocol == "negotiate" {
                let last = server.as_deref().expect("Negotiate's final token");
                let reply = mapish_ntlm::spnego::parse_reply(last).expect("a NegTokenResp");
                assert_eq!(reply.neg_state, Some(0));
                assert!(
                    reply.mech_list_mic.is_some(),
                    "pyspnego returns a mechListMIC"
                );
            }
            assert!(matches!(init.step(server.as_deref()).unwrap(), Step::Done));
            break (true, answer.user, None);
        }
        match init.step(server.as_deref()).unwrap() {
            Step::Send(next) => token = next,
            Step::Done => panic!("the initiator is done, the acceptor is not"),
        }
    };
    drop(stdin);
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The few fields of the script's JSON line, without a JSON dependency.
mod serde_json_lite {
    pub struct Answer {
        pub token: Option<String>,
        pub complete: bool,
        pub user: Option<String>,
        pub error: Option<String>,
    }

    fn field(line: &str, name: &str) -> Option<String> {
        let at = line.find(&format!("\"{name}\": "))? + name.len() + 4;
        let rest = &line[at..];
        if rest.starts_with("null") {
            return None;
        }
        let rest = rest.strip_prefix('"')?;
        let mut out = String::new();
        let mut chars = rest.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => return Some(out),
                '\\' => out.push(chars.next()?),
                c => out.push(c),
            }
        }
        None
    }

    pub fn parse(line: &str) -> Answer {
        Answer {
            token: field(line, "token"),
            complete: line.contains("\"complete\": true"),
            user: field(line, "user"),
            error: field(line, "error"),
        }
    }
}

#[test]
fn pyspnego_accepts_the_initiator_and_refuses_a_wrong_password() {
    if !have_pyspnego() {
        return;
    }
    for protocol in ["ntlm", "negotiate"] {
        let (complete, user, error) = logon(protocol, "CONTOSO\\alice", "P@ss1");
        assert!(complete, "{protocol}: {error:?}");
        assert_eq!(user.as_deref(), Some("CONTOSO\\alice"), "{protocol}");
        let (complete, _, error) = logon(protocol, "CONTOSO\\alice", "wrong");
        assert!(!complete, "{protocol}: a wrong password must not log on");
        assert!(error.is_some(), "{protocol}");
    }
}
