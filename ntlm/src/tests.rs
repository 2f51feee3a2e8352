//! The initiator against MS-NLMP §4.2.4 (NTLMv2) and against the acceptor, in process.

use crate::client::{self, Credentials, Initiator, Randomness, Step};
use crate::nlmp::{self, Direction, Refusal, TargetNames, flags};
use crate::spnego::{self, NegState, Token};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

const SERVER_CHALLENGE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];

fn spec_randomness() -> Randomness {
    Randomness {
        client_challenge: [0xaa; 8],
        session_key: [0x55; 16],
        now: 0,
    }
}

#[test]
fn authenticate_matches_ms_nlmp_4_2_4() {
    // MS-NLMP §4.2.4.3: the CHALLENGE of the NTLMv2 example (TargetName "Server", AV pairs
    // MsvAvNbDomainName "Domain" and MsvAvNbComputerName "Server", no timestamp).
    let mut challenge = hex(
        "4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 0123456789abcdef 0000000000000000 24002400 44000000 0600701700000000",
    );
    challenge.truncate(56);
    // Version is 8 bytes: 06 00 70 17 00 00 00 0f.
    challenge[48..56].copy_from_slice(&hex("060070170000000f"));
    challenge.extend(nlmp::utf16le("Server"));
    challenge.extend(hex("02000c00"));
    challenge.extend(nlmp::utf16le("Domain"));
    challenge.extend(hex("01000c00"));
    challenge.extend(nlmp::utf16le("Server"));
    challenge.extend(hex("00000000"));

    let parsed = client::parse_challenge(&challenge).unwrap();
    assert_eq!(parsed.flags, 0xe28a_8233);
    assert_eq!(parsed.server_challenge, SERVER_CHALLENGE);
    assert_eq!(parsed.target_name, "Server");
    assert_eq!(parsed.nb_domain.as_deref(), Some("Domain"));
    assert_eq!(parsed.nb_computer.as_deref(), Some("Server"));
    assert_eq!(parsed.timestamp, None);

    let creds = Credentials::new("Domain\\User", "Password");
    assert_eq!(
        (creds.user.as_str(), creds.domain.as_str()),
        ("User", "Domain")
    );
    let negotiate = client::negotiate_message();
    let out = client::authenticate_with(
        &creds,
        &negotiate,
        &challenge,
        spec_randomness(),
        "COMPUTER",
    )
    .unwrap();
    let msg = nlmp::parse_authenticate(&out.message).unwrap();
    // §4.2.4.2.1 LMv2 response (no timestamp in the CHALLENGE, so LMv2 is sent).
    assert_eq!(
        msg.lm_response,
        hex("86c35097ac9cec102554764a57cccc19 aaaaaaaaaaaaaaaa")
    );
    // §4.2.4.2.2 NTLMv2 response: NTProofStr, then "temp" (time 0, client challenge aa…, the AV pairs).
    assert_eq!(
        msg.nt_response[..16],
        hex("68cd0ab851e51c96aabc927bebef6a1c")[..]
    );
    let mut temp = hex("0101 0000 00000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000");
    temp.extend(hex("0200 0c00"));
    temp.extend(nlmp::utf16le("Domain"));
    temp.extend(hex("0100 0c00"));
    temp.extend(nlmp::utf16le("Server"));
    temp.extend(hex("0000 0000 00000000"));
    assert_eq!(msg.nt_response[16..], temp[..]);
    // §4.2.4.2.3 EncryptedRandomSessionKey.
    assert_eq!(
        msg.encrypted_session_key,
        hex("c5dad2544fc9799094ce1ce90bc9d03e")
    );
    assert_eq!((msg.user.as_str(), msg.domain.as_str()), ("User", "Domain"));
    assert_ne!(msg.flags & flags::KEY_EXCH, 0);
    assert!(!out.session.had_mic, "no MsvAvTimestamp, so no MIC");
    assert_eq!(out.message[72..88], [0u8; 16]);
    // The acceptor verifies it and recovers the same ExportedSessionKey (55…55).
    let v = nlmp::verify(
        &out.message,
        &msg,
        &nlmp::nt_owf("Password"),
        &SERVER_CHALLENGE,
        &negotiate,
        &challenge,
    )
    .unwrap();
    assert_eq!(v.exported_session_key, [0x55; 16]);
    assert_eq!(out.session.exported_session_key, [0x55; 16]);
}

#[test]
fn nt_owf_matches_ms_nlmp_4_2_1() {
    assert_eq!(
        nlmp::nt_owf("Password").to_vec(),
        hex("a4f49c406510bdcab6824ee7c30fd852")
    );
}

fn server_challenge_for(negotiate: &[u8]) -> Vec<u8> {
    let neg = nlmp::parse_negotiate(negotiate).unwrap();
    nlmp::build_challenge(
        neg.flags,
        &SERVER_CHALLENGE,
        &TargetNames::for_server("EX01", "ex01.contoso.com"),
        nlmp::filetime_now(),
    )
}

#[test]
fn initiator_against_the_acceptor_with_mic() {
    let creds = Credentials::new("alice@contoso.com", "P@ss1");
    let negotiate = client::negotiate_message();
    let challenge = server_challenge_for(&negotiate);
    let parsed = client::parse_challenge(&challenge).unwrap();
    assert!(parsed.timestamp.is_some());
    assert_eq!(parsed.nb_domain.as_deref(), Some("CONTOSO"));
    let out = client::authenticate(&creds, &negotiate, &challenge).unwrap();
    assert!(out.session.had_mic);
    let msg = nlmp::parse_authenticate(&out.message).unwrap();
    assert_eq!(msg.lm_response, vec![0u8; 24], "Z(24) with a timestamp");
    let nt = nlmp::nt_owf("P@ss1");
    let v = nlmp::verify(
        &out.message,
        &msg,
        &nt,
        &SERVER_CHALLENGE,
        &negotiate,
        &challenge,
    )
    .unwrap();
    assert!(v.had_mic);
    assert_eq!(v.exported_session_key, out.session.exported_session_key);
    assert_eq!(v.flags, out.session.flags);
    // Wrong password; a changed NEGOTIATE (the MIC covers it); another server challenge.
    assert_eq!(
        nlmp::verify(
            &out.message,
            &msg,
            &nlmp::nt_owf("nope"),
            &SERVER_CHALLENGE,
            &negotiate,
            &challenge
        )
        .unwrap_err(),
        Refusal::WrongPassword
    );
    let mut other_neg = negotiate.clone();
    other_neg[12] ^= 0x04;
    assert_eq!(
        nlmp::verify(
            &out.message,
            &msg,
            &nt,
            &SERVER_CHALLENGE,
            &other_neg,
            &challenge
        )
        .unwrap_err(),
        Refusal::BadMic
    );
    assert_eq!(
        nlmp::verify(&out.message, &msg, &nt, &[9; 8], &negotiate, &challenge).unwrap_err(),
        Refusal::WrongPassword
    );
    // Two logons never share a client challenge or session key.
    let again = client::authenticate(&creds, &negotiate, &challenge).unwrap();
    assert_ne!(
        again.session.exported_session_key,
        out.session.exported_session_key
    );
}

#[test]
fn garbage_challenges_are_errors_not_panics() {
    let creds = Credentials::new("a", "b");
    let neg = client::negotiate_message();
    for bad in [
        &b""[..],
        b"NTLMSSP\0\x02\0\0\0",
        b"NTLMSSP\0\x01\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
    ] {
        assert!(client::authenticate(&creds, &neg, bad).is_err());
    }
    let mut c = server_challenge_for(&neg);
    let n = c.len();
    c[40] = 0xff; // TargetInfo length past the end
    c[41] = 0xff;
    assert!(client::authenticate(&creds, &neg, &c).is_err());
    c.truncate(n - 10);
    assert!(client::authenticate(&creds, &neg, &c).is_err());
}

/// The acceptor's SPNEGO side, as the server runs it (server/src/auth: ntlm first, so no request-mic).
#[test]
fn negotiate_initiator_against_an_acceptor() {
    for password in ["P@ss1", "wrong"] {
        let mut init = Initiator::negotiate(Credentials::new("alice", password));
        let first = init.start();
        let Some(Token::Init {
            mech_list,
            mechs,
            mech_token,
        }) = spnego::parse(&first)
        else {
            panic!("not a NegTokenInit")
        };
        assert_eq!(
            mechs,
            vec![spnego::NTLM_OID.to_vec()],
            "NTLM only, never Kerberos"
        );
        let negotiate = mech_token.unwrap();
        let challenge = server_challenge_for(&negotiate);
        let reply = spnego::response(NegState::AcceptIncomplete, true, Some(&challenge), None);
        let Step::Send(second) = init.step(Some(&reply)).unwrap() else {
            panic!("no AUTHENTICATE")
        };
        let Some(Token::Resp {
            response_token: Some(auth),
            mech_list_mic: Some(mic),
        }) = spnego::parse(&second)
        else {
            panic!("no AUTHENTICATE with a mechListMIC")
        };
        let msg = nlmp::parse_authenticate(&auth).unwrap();
        let verified = nlmp::verify(
            &auth,
            &msg,
            &nlmp::nt_owf("P@ss1"),
            &SERVER_CHALLENGE,
            &negotiate,
            &challenge,
        );
        if password == "wrong" {
            assert_eq!(verified.unwrap_err(), Refusal::WrongPassword);
            continue;
        }
        let v = verified.unwrap();
        let want = Direction::new(&v, true).unwrap().sign(0, &mech_list);
        assert_eq!(mic, want.to_vec(), "the client's mechListMIC verifies");
        let server_mic = Direction::new(&v, false).unwrap().sign(0, &mech_list);
        let last = spnego::response(NegState::AcceptCompleted, false, None, Some(&server_mic));
        assert!(matches!(init.step(Some(&last)).unwrap(), Step::Done));
        assert!(init.is_complete());
    }
}

#[test]
fn a_bad_server_mech_list_mic_is_refused() {
    let mut init = Initiator::negotiate(Credentials::new("alice", "P@ss1"));
    let first = init.start();
    let Some(Token::Init {
        mech_token: Some(negotiate),
        ..
    }) = spnego::parse(&first)
    else {
        panic!()
    };
    let challenge = server_challenge_for(&negotiate);
    let reply = spnego::response(NegState::AcceptIncomplete, true, Some(&challenge), None);
    init.step(Some(&reply)).unwrap();
    let last = spnego::response(NegState::AcceptCompleted, false, None, Some(&[1u8; 16]));
    assert_eq!(
        init.step(Some(&last)).unwrap_err(),
        client::InitiatorError::BadServerMic
    );
    // A reject, and a reply without the MIC the AUTHENTICATE's MIC calls for.
    let mut init = Initiator::negotiate(Credentials::new("alice", "P@ss1"));
    init.start();
    let reject = spnego::response(NegState::Reject, false, None, None);
    assert_eq!(
        init.step(Some(&reject)).unwrap_err(),
        client::InitiatorError::Rejected
    );
}

#[test]
fn raw_ntlm_initiator() {
    let mut init = Initiator::ntlm(Credentials::new("CONTOSO\\alice", "P@ss1"));
    let neg = init.start();
    assert_eq!(nlmp::message_type(&neg), Some(1));
    let challenge = server_challenge_for(&neg);
    let Step::Send(auth) = init.step(Some(&challenge)).unwrap() else {
        panic!()
    };
    let msg = nlmp::parse_authenticate(&auth).unwrap();
    assert_eq!(
        (msg.user.as_str(), msg.domain.as_str()),
        ("alice", "CONTOSO")
    );
    assert!(
        nlmp::verify(
            &auth,
            &msg,
            &nlmp::nt_owf("P@ss1"),
            &SERVER_CHALLENGE,
            &neg,
            &challenge
        )
        .is_ok()
    );
    assert!(matches!(init.step(None).unwrap(), Step::Done));
}
