//! SPNEGO (RFC 4178, MS-SPNG) for HTTP Negotiate, with NTLM as the only mechanism.
//!
//! The DER here is the handful of shapes SPNEGO uses (tag, definite length, a few context tags), read and
//! written by hand: a general ASN.1 crate (`rasn`, `der`) would cost more to build than this file is long.
//! Kerberos is never offered: a client whose token offers only Kerberos is refused by the caller with a
//! log line, and our replies name NTLM as the supported mechanism.

/// DER of OID 1.3.6.1.5.5.2 (SPNEGO).
const SPNEGO_OID: &[u8] = &[0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
/// DER of OID 1.3.6.1.4.1.311.2.2.10 (NTLMSSP).
pub const NTLM_OID: &[u8] = &[
    0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
];
/// Kerberos OIDs clients offer: 1.2.840.113554.1.2.2, MS 1.2.840.48018.1.2.2, user-to-user 1.2.840.113554.1.2.2.3.
const KERBEROS_OIDS: &[&[u8]] = &[
    &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ],
    &[
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ],
    &[
        0x06, 0x0a, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02, 0x03,
    ],
];

/// negState values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegState {
    /// accept-completed.
    AcceptCompleted = 0,
    /// accept-incomplete.
    AcceptIncomplete = 1,
    /// reject.
    #[allow(dead_code)]
    Reject = 2,
    /// request-mic.
    RequestMic = 3,
}

/// What a client's Negotiate token contained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// A NegTokenInit (first token).
    Init {
        /// The DER of the mechTypes SEQUENCE exactly as sent (the mechListMIC covers it).
        mech_list: Vec<u8>,
        /// The mechanism OIDs (full DER TLVs), in the client's order of preference.
        mechs: Vec<Vec<u8>>,
        /// The optimistic token for the first mechanism.
        mech_token: Option<Vec<u8>>,
    },
    /// A NegTokenResp (later tokens).
    Resp {
        /// responseToken.
        response_token: Option<Vec<u8>>,
        /// mechListMIC.
        mech_list_mic: Option<Vec<u8>>,
    },
    /// A bare NTLMSSP message under the Negotiate scheme (no SPNEGO wrapper), as some clients send.
    RawNtlm(Vec<u8>),
    /// A bare Kerberos (GSS-API krb5) token.
    RawKerberos,
}

impl Token {
    /// Whether a NegTokenInit offers NTLM.
    pub fn offers_ntlm(mechs: &[Vec<u8>]) -> bool {
        mechs.iter().any(|m| m == NTLM_OID)
    }

    /// Whether an OID (DER) is a Kerberos one.
    pub fn is_kerberos(oid: &[u8]) -> bool {
        KERBEROS_OIDS.contains(&oid)
    }
}

/// One TLV: (tag, value, whole encoding), and the rest of the input.
type Tlv<'a> = (u8, &'a [u8], &'a [u8], &'a [u8]);

fn tlv(input: &[u8]) -> Option<Tlv<'_>> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let mut len = 0usize;
        for i in 0..n {
            len = (len << 8) | usize::from(*input.get(2 + i)?);
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let value = input.get(header..end)?;
    Some((tag, value, &input[..end], &input[end..]))
}

/// The context-tagged fields [n] of a SEQUENCE's contents: (tag, value).
fn fields(mut seq: &[u8]) -> Option<Vec<(u8, &[u8])>> {
    let mut out = Vec::new();
    while !seq.is_empty() {
        let (tag, value, _, rest) = tlv(seq)?;
        out.push((tag, value));
        seq = rest;
    }
    Some(out)
}

fn octet_string(explicit: &[u8]) -> Option<Vec<u8>> {
    let (tag, value, _, _) = tlv(explicit)?;
    (tag == 0x04).then(|| value.to_vec())
}

/// Parses a client's Negotiate token. `None`: not a token we understand.
pub fn parse(token: &[u8]) -> Option<Token> {
    if token.starts_with(crate::nlmp::SIGNATURE) {
        return Some(Token::RawNtlm(token.to_vec()));
    }
    match token.first()? {
        // [APPLICATION 0] InitialContextToken: thisMech OID, then the inner token.
        0x60 => {
            let (_, inner, _, _) = tlv(token)?;
            let (tag, _, oid, rest) = tlv(inner)?;
            if tag != 0x06 {
                return None;
            }
            if oid != SPNEGO_OID {
                return Token::is_kerberos(oid).then_some(Token::RawKerberos);
            }
            let (tag, init, _, _) = tlv(rest)?;
            if tag != 0xa0 {
                return None;
            }
            parse_init(init)
        }
        // [1] NegTokenResp.
        0xa1 => {
            let (_, seq, _, _) = tlv(token)?;
            let (tag, body, _, _) = tlv(seq)?;
            if tag != 0x30 {
                return None;
            }
            let mut response_token = None;
            let mut mech_list_mic = None;
            for (tag, value) in fields(body)? {
                match tag {
                    0xa2 => response_token = Some(octet_string(value)?),
                    0xa3 => mech_list_mic = Some(octet_string(value)?),
                    _ => {}
                }
            }
            Some(Token::Resp {
                response_token,
                mech_list_mic,
            })
        }
        _ => None,
    }
}

fn parse_init(init: &[u8]) -> Option<Token> {
    let (tag, body, _, _) = tlv(init)?;
    if tag != 0x30 {
        return None;
    }
    let mut mech_list = None;
    let mut mechs = Vec::new();
    let mut mech_token = None;
    for (tag, value) in fields(body)? {
        match tag {
            0xa0 => {
                let (tag, mut list, whole, _) = tlv(value)?;
                if tag != 0x30 {
                    return None;
                }
                mech_list = Some(whole.to_vec());
                while !list.is_empty() {
                    let (tag, _, oid, rest) = tlv(list)?;
                    if tag != 0x06 {
                        return None;
                    }
                    mechs.push(oid.to_vec());
                    list = rest;
                }
            }
            0xa2 => mech_token = Some(octet_string(value)?),
            _ => {}
        }
    }
    Some(Token::Init {
        mech_list: mech_list?,
        mechs,
        mech_token,
    })
}

fn encode(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

/// A NegTokenResp from the server. `supported_mech` is set (to NTLM) in the first reply only.
pub fn response(
    state: NegState,
    supported_mech: bool,
    response_token: Option<&[u8]>,
    mech_list_mic: Option<&[u8]>,
) -> Vec<u8> {
    let mut body = encode(0xa0, &encode(0x0a, &[state as u8]));
    if supported_mech {
        body.extend(encode(0xa1, NTLM_OID));
    }
    if let Some(t) = response_token {
        body.extend(encode(0xa2, &encode(0x04, t)));
    }
    if let Some(m) = mech_list_mic {
        body.extend(encode(0xa3, &encode(0x04, m)));
    }
    encode(0xa1, &encode(0x30, &body))
}

/// A client's NegTokenInit (InitialContextToken) offering `mechs` (DER OIDs), with an optimistic `mech_token`
/// for the first of them.
pub fn init_token(mechs: &[&[u8]], mech_token: Option<&[u8]>) -> Vec<u8> {
    let list: Vec<u8> = mechs.iter().flat_map(|m| m.to_vec()).collect();
    let mut body = encode(0xa0, &encode(0x30, &list));
    if let Some(t) = mech_token {
        body.extend(encode(0xa2, &encode(0x04, t)));
    }
    let mut inner = SPNEGO_OID.to_vec();
    inner.extend(encode(0xa0, &encode(0x30, &body)));
    encode(0x60, &inner)
}

/// The DER mechTypes list of `mechs`, as the mechListMIC covers it.
pub fn mech_list(mechs: &[&[u8]]) -> Vec<u8> {
    encode(
        0x30,
        &mechs.iter().flat_map(|m| m.to_vec()).collect::<Vec<u8>>(),
    )
}

/// A client's NegTokenResp (after the NegTokenInit): no negState, as Windows sends it.
pub fn client_response(response_token: Option<&[u8]>, mech_list_mic: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(t) = response_token {
        body.extend(encode(0xa2, &encode(0x04, t)));
    }
    if let Some(m) = mech_list_mic {
        body.extend(encode(0xa3, &encode(0x04, m)));
    }
    encode(0xa1, &encode(0x30, &body))
}

/// A server's NegTokenResp as the initiator reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// negState (0 accept-completed, 1 accept-incomplete, 2 reject, 3 request-mic), if sent.
    pub neg_state: Option<u8>,
    /// supportedMech (a DER OID), if sent.
    pub supported_mech: Option<Vec<u8>>,
    /// responseToken.
    pub response_token: Option<Vec<u8>>,
    /// mechListMIC.
    pub mech_list_mic: Option<Vec<u8>>,
}

/// Parses a server's NegTokenResp. `None`: not one.
pub fn parse_reply(token: &[u8]) -> Option<Reply> {
    let (tag, seq, _, _) = tlv(token)?;
    if tag != 0xa1 {
        return None;
    }
    let (tag, body, _, _) = tlv(seq)?;
    if tag != 0x30 {
        return None;
    }
    let mut reply = Reply {
        neg_state: None,
        supported_mech: None,
        response_token: None,
        mech_list_mic: None,
    };
    for (tag, value) in fields(body)? {
        match tag {
            0xa0 => {
                let (tag, v, _, _) = tlv(value)?;
                if tag != 0x0a || v.len() != 1 {
                    return None;
                }
                reply.neg_state = Some(v[0]);
            }
            0xa1 => {
                let (tag, _, oid, _) = tlv(value)?;
                if tag != 0x06 {
                    return None;
                }
                reply.supported_mech = Some(oid.to_vec());
            }
            0xa2 => reply.response_token = Some(octet_string(value)?),
            0xa3 => reply.mech_list_mic = Some(octet_string(value)?),
            _ => {}
        }
    }
    Some(reply)
}

/// Client tokens for tests of the acceptor (the server's tests use them too), and the krb5 OID.
#[doc(hidden)]
pub mod test_client {
    use super::*;

    /// The krb5 mechanism OID (DER).
    pub const KERBEROS: &[u8] = KERBEROS_OIDS[0];

    /// An InitialContextToken offering `mechs`, with an optimistic `mech_token`.
    pub fn init(mechs: &[&[u8]], mech_token: Option<&[u8]>) -> Vec<u8> {
        init_token(mechs, mech_token)
    }

    /// The DER mechTypes list of `mechs`, as the mechListMIC covers it.
    pub fn mech_list(mechs: &[&[u8]]) -> Vec<u8> {
        super::mech_list(mechs)
    }
}

#[cfg(test)]
mod tests {
    use super::test_client::init;
    use super::*;

    #[test]
    fn init_round_trip_and_kerberos() {
        let ntlm_neg = b"NTLMSSP\0\x01\0\0\0\x07\x82\x08\xa2".to_vec();
        let t = parse(&init(&[NTLM_OID], Some(&ntlm_neg))).unwrap();
        let Token::Init {
            mech_list,
            mechs,
            mech_token,
        } = t
        else {
            panic!("{t:?}")
        };
        assert_eq!(mech_list, encode(0x30, NTLM_OID));
        assert!(Token::offers_ntlm(&mechs));
        assert_eq!(mech_token.as_deref(), Some(ntlm_neg.as_slice()));

        let krb_only = parse(&init(
            &[KERBEROS_OIDS[1], KERBEROS_OIDS[0]],
            Some(b"\x60\x01\x00"),
        ))
        .unwrap();
        let Token::Init { mechs, .. } = krb_only else {
            panic!()
        };
        assert!(!Token::offers_ntlm(&mechs));
        assert!(mechs.iter().all(|m| Token::is_kerberos(m)));

        // A bare krb5 AP-REQ wrapper.
        let mut inner = KERBEROS_OIDS[0].to_vec();
        inner.extend([0x01, 0x00, 0x6e, 0x00]);
        assert_eq!(parse(&encode(0x60, &inner)), Some(Token::RawKerberos));
        assert!(matches!(parse(&ntlm_neg), Some(Token::RawNtlm(_))));
        assert_eq!(parse(b"\x60\xff"), None);
        assert_eq!(parse(b""), None);
    }

    #[test]
    fn resp_round_trip_long_lengths() {
        let big = vec![7u8; 300];
        let r = response(NegState::AcceptIncomplete, true, Some(&big), Some(b"mic"));
        let Some(Token::Resp {
            response_token,
            mech_list_mic,
        }) = parse(&r)
        else {
            panic!()
        };
        assert_eq!(response_token, Some(big));
        assert_eq!(mech_list_mic.as_deref(), Some(&b"mic"[..]));
        assert_eq!(
            response(NegState::AcceptCompleted, false, None, None),
            vec![0xa1, 0x07, 0x30, 0x05, 0xa0, 0x03, 0x0a, 0x01, 0x00]
        );
    }
}
