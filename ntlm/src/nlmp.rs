//! NTLM (MS-NLMP) messages and NTLMv2 computations: the acceptor's side (moved here from the server) and
//! what the initiator in `client.rs` shares with it. NTLMv2 only.
//!
//! Why hand-written and not the `sspi` crate (Devolutions, 0.23): its NTLM acceptor checks the response
//! against one identity (with its clear-text password) fixed when the credentials handle is acquired. We
//! learn the user only from the AUTHENTICATE message and hold only NT hashes, not passwords, so it has no
//! way in for a user database; it also brings the picky/Kerberos stack and defaults to aws-lc-rs (cmake).
//! What NTLMv2 acceptance needs is small: three message layouts, HMAC-MD5 (RustCrypto `hmac` + `md-5`,
//! on the `digest` 0.10 already in the tree), RC4 for the key exchange (a dozen lines, below), and the
//! signing keys for SPNEGO's mechListMIC. It is tested against MS-NLMP §4.2.4 and against pyspnego.
//!
//! Refused: LM and NTLMv1 responses (24-byte NT responses), anonymous logons, and AUTHENTICATE messages
//! whose MIC does not verify. Nothing here logs a hash, a key or a response.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// `NTLMSSP\0`.
pub const SIGNATURE: &[u8; 8] = b"NTLMSSP\0";

/// NEGOTIATE flags (MS-NLMP §2.2.2.5).
pub mod flags {
    /// Unicode strings.
    pub const UNICODE: u32 = 0x0000_0001;
    /// OEM strings.
    pub const OEM: u32 = 0x0000_0002;
    /// TargetName wanted.
    pub const REQUEST_TARGET: u32 = 0x0000_0004;
    /// Signing.
    pub const SIGN: u32 = 0x0000_0010;
    /// Sealing.
    pub const SEAL: u32 = 0x0000_0020;
    /// LM session key (never granted).
    pub const LM_KEY: u32 = 0x0000_0080;
    /// NTLM.
    pub const NTLM: u32 = 0x0000_0200;
    /// Always sign.
    pub const ALWAYS_SIGN: u32 = 0x0000_8000;
    /// TargetName is a server name.
    pub const TARGET_TYPE_SERVER: u32 = 0x0002_0000;
    /// Extended session security.
    pub const EXTENDED_SESSIONSECURITY: u32 = 0x0008_0000;
    /// TargetInfo present.
    pub const TARGET_INFO: u32 = 0x0080_0000;
    /// Version present.
    pub const VERSION: u32 = 0x0200_0000;
    /// 128-bit keys.
    pub const N128: u32 = 0x2000_0000;
    /// Key exchange.
    pub const KEY_EXCH: u32 = 0x4000_0000;
    /// 56-bit keys.
    pub const N56: u32 = 0x8000_0000;
}

/// AV_PAIR ids (MS-NLMP §2.2.2.1).
pub mod av {
    pub const EOL: u16 = 0;
    pub const NB_COMPUTER: u16 = 1;
    pub const NB_DOMAIN: u16 = 2;
    pub const DNS_COMPUTER: u16 = 3;
    pub const DNS_DOMAIN: u16 = 4;
    pub const FLAGS: u16 = 6;
    pub const TIMESTAMP: u16 = 7;
}

/// MsvAvFlags bit: the AUTHENTICATE message carries a MIC.
pub const AV_FLAG_MIC: u32 = 0x2;

/// A malformed or refused message, with a reason for the log (never secret material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NtlmError(pub &'static str);

type HmacMd5 = Hmac<Md5>;

/// HMAC-MD5 over the concatenation of `parts`.
pub fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> [u8; 16] {
    // HMAC zero-pads a key to the block size (and hashes a longer one), so a full block is the same key;
    // that way no fallible constructor is needed.
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        block[..16].copy_from_slice(&md5(&[key]));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut mac = <HmacMd5 as KeyInit>::new(&block.into());
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

pub(crate) fn md5(parts: &[&[u8]]) -> [u8; 16] {
    let mut h = Md5::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// RC4, for EncryptedRandomSessionKey and the sealed checksum of a signature (MS-NLMP §3.4.4.2).
#[derive(Clone)]
pub struct Rc4 {
    s: [u8; 256],
    i: u8,
    j: u8,
}

impl Rc4 {
    /// A cipher keyed with `key` (1 to 256 bytes).
    pub fn new(key: &[u8]) -> Rc4 {
        let mut s = [0u8; 256];
        for (i, b) in s.iter_mut().enumerate() {
            *b = i as u8;
        }
        let mut j: u8 = 0;
        for i in 0..256 {
            j = j.wrapping_add(s[i]).wrapping_add(key[i % key.len()]);
            s.swap(i, j as usize);
        }
        Rc4 { s, i: 0, j: 0 }
    }

    /// Encrypts (or decrypts) `data` in place.
    pub fn apply(&mut self, data: &mut [u8]) {
        for b in data {
            self.i = self.i.wrapping_add(1);
            self.j = self.j.wrapping_add(self.s[self.i as usize]);
            self.s.swap(self.i as usize, self.j as usize);
            let k =
                self.s[(self.s[self.i as usize].wrapping_add(self.s[self.j as usize])) as usize];
            *b ^= k;
        }
    }
}

pub(crate) fn utf16le(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// The NT hash of a password (NTOWFv1, MS-NLMP §3.3.1): MD4 over its UTF-16LE encoding.
pub fn nt_owf(password: &str) -> [u8; 16] {
    use md4::Md4;
    let mut h = Md4::new();
    for unit in password.encode_utf16() {
        h.update(unit.to_le_bytes());
    }
    h.finalize().into()
}

/// NTOWFv2 (MS-NLMP §3.3.2): HMAC-MD5 keyed with the NT hash over UNICODE(Uppercase(user) + domain).
pub fn ntowfv2(nt_hash: &[u8; 16], user: &str, domain: &str) -> [u8; 16] {
    hmac_md5(nt_hash, &[&utf16le(&(user.to_uppercase() + domain))])
}

/// The names the server announces in its CHALLENGE (TargetName and TargetInfo).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetNames {
    /// NetBIOS computer name, e.g. `EX01`.
    pub nb_computer: String,
    /// NetBIOS domain name, e.g. `CONTOSO`.
    pub nb_domain: String,
    /// DNS computer name, e.g. `ex01.contoso.com`.
    pub dns_computer: String,
    /// DNS domain name, e.g. `contoso.com`.
    pub dns_domain: String,
}

impl TargetNames {
    /// Names derived from a server's Name and FQDN.
    pub fn for_server(name: &str, fqdn: &str) -> TargetNames {
        let dns_domain = fqdn.split_once('.').map(|(_, d)| d).unwrap_or_default();
        let nb_domain = dns_domain.split('.').next().unwrap_or_default();
        let nb = |s: &str| s.to_ascii_uppercase().chars().take(15).collect::<String>();
        TargetNames {
            nb_computer: nb(if name.is_empty() { "MAPISH" } else { name }),
            nb_domain: nb(if nb_domain.is_empty() {
                "WORKGROUP"
            } else {
                nb_domain
            }),
            dns_computer: fqdn.to_ascii_lowercase(),
            dns_domain: dns_domain.to_ascii_lowercase(),
        }
    }
}

/// A parsed NEGOTIATE message.
#[derive(Debug, Clone)]
pub struct Negotiate {
    /// Its flags.
    pub flags: u32,
}

/// The message type of an NTLMSSP message, if `msg` is one.
pub fn message_type(msg: &[u8]) -> Option<u32> {
    (msg.len() >= 12 && &msg[..8] == SIGNATURE).then(|| u32_at(msg, 8))
}

pub(crate) fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

pub(crate) fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The payload a (Len, MaxLen, Offset) field at `at` points to.
pub(crate) fn field(msg: &[u8], at: usize) -> Result<&[u8], NtlmError> {
    if msg.len() < at + 8 {
        return Err(NtlmError("message too short"));
    }
    let len = usize::from(u16_at(msg, at));
    let offset = u32_at(msg, at + 4) as usize;
    if len == 0 {
        return Ok(&[]);
    }
    msg.get(offset..offset.checked_add(len).ok_or(NtlmError("bad field"))?)
        .ok_or(NtlmError("a field points outside the message"))
}

/// Parses a NEGOTIATE message (type 1).
pub fn parse_negotiate(msg: &[u8]) -> Result<Negotiate, NtlmError> {
    if message_type(msg) != Some(1) || msg.len() < 16 {
        return Err(NtlmError("not an NTLM NEGOTIATE message"));
    }
    Ok(Negotiate {
        flags: u32_at(msg, 12),
    })
}

/// The flags the server answers a NEGOTIATE with: what the client asked for among what we do, never LM.
pub fn challenge_flags(client: u32) -> u32 {
    use flags::*;
    let mut f = REQUEST_TARGET | NTLM | TARGET_TYPE_SERVER | TARGET_INFO | ALWAYS_SIGN;
    f |= if client & UNICODE != 0 { UNICODE } else { OEM };
    f |= client & (SIGN | SEAL | EXTENDED_SESSIONSECURITY | VERSION | N128 | N56 | KEY_EXCH);
    f
}

/// Builds a CHALLENGE message (type 2). `filetime` is the current time as a Windows FILETIME.
pub fn build_challenge(
    negotiate_flags: u32,
    server_challenge: &[u8; 8],
    names: &TargetNames,
    filetime: u64,
) -> Vec<u8> {
    let f = challenge_flags(negotiate_flags);
    let text = |s: &str| {
        if f & flags::UNICODE != 0 {
            utf16le(s)
        } else {
            s.bytes().filter(u8::is_ascii).collect()
        }
    };
    let target_name = text(&names.nb_computer);
    let mut info = Vec::new();
    let mut pair = |id: u16, value: &[u8]| {
        info.extend_from_slice(&id.to_le_bytes());
        info.extend_from_slice(&(value.len() as u16).to_le_bytes());
        info.extend_from_slice(value);
    };
    pair(av::NB_DOMAIN, &utf16le(&names.nb_domain));
    pair(av::NB_COMPUTER, &utf16le(&names.nb_computer));
    if !names.dns_domain.is_empty() {
        pair(av::DNS_DOMAIN, &utf16le(&names.dns_domain));
    }
    if !names.dns_computer.is_empty() {
        pair(av::DNS_COMPUTER, &utf16le(&names.dns_computer));
    }
    pair(av::TIMESTAMP, &filetime.to_le_bytes());
    pair(av::EOL, &[]);

    let header_len = 56u32;
    let mut m = Vec::with_capacity(56 + target_name.len() + info.len());
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&2u32.to_le_bytes());
    m.extend_from_slice(&(target_name.len() as u16).to_le_bytes());
    m.extend_from_slice(&(target_name.len() as u16).to_le_bytes());
    m.extend_from_slice(&header_len.to_le_bytes());
    m.extend_from_slice(&f.to_le_bytes());
    m.extend_from_slice(server_challenge);
    m.extend_from_slice(&[0u8; 8]);
    m.extend_from_slice(&(info.len() as u16).to_le_bytes());
    m.extend_from_slice(&(info.len() as u16).to_le_bytes());
    m.extend_from_slice(&(header_len + target_name.len() as u32).to_le_bytes());
    // Version: 10.0 build 20348, NTLMSSP revision 15.
    m.extend_from_slice(&[10, 0, 0x7c, 0x4f, 0, 0, 0, 15]);
    m.extend_from_slice(&target_name);
    m.extend_from_slice(&info);
    m
}

/// A parsed AUTHENTICATE message (type 3).
#[derive(Debug, Clone)]
pub struct Authenticate {
    /// LmChallengeResponse.
    pub lm_response: Vec<u8>,
    /// NtChallengeResponse.
    pub nt_response: Vec<u8>,
    /// DomainName as sent.
    pub domain: String,
    /// UserName as sent.
    pub user: String,
    /// EncryptedRandomSessionKey.
    pub encrypted_session_key: Vec<u8>,
    /// NegotiateFlags.
    pub flags: u32,
}

pub(crate) fn text_of(bytes: &[u8], unicode: bool) -> Result<String, NtlmError> {
    if unicode {
        if !bytes.len().is_multiple_of(2) {
            return Err(NtlmError("odd-length Unicode string"));
        }
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).map_err(|_| NtlmError("invalid UTF-16"))
    } else {
        Ok(bytes.iter().map(|&b| char::from(b)).collect())
    }
}

/// Parses an AUTHENTICATE message.
pub fn parse_authenticate(msg: &[u8]) -> Result<Authenticate, NtlmError> {
    if message_type(msg) != Some(3) || msg.len() < 64 {
        return Err(NtlmError("not an NTLM AUTHENTICATE message"));
    }
    let flags = u32_at(msg, 60);
    let unicode = flags & flags::UNICODE != 0;
    Ok(Authenticate {
        lm_response: field(msg, 12)?.to_vec(),
        nt_response: field(msg, 20)?.to_vec(),
        domain: text_of(field(msg, 28)?, unicode)?,
        user: text_of(field(msg, 36)?, unicode)?,
        encrypted_session_key: field(msg, 52)?.to_vec(),
        flags,
    })
}

/// What a verified AUTHENTICATE leaves behind.
#[derive(Clone)]
pub struct Verified {
    /// The ExportedSessionKey (for the MIC and for signing).
    pub exported_session_key: [u8; 16],
    /// The negotiated flags (the AUTHENTICATE message's).
    pub flags: u32,
    /// Whether the client put a MIC in its AUTHENTICATE (and so will want a mechListMIC under SPNEGO).
    pub had_mic: bool,
}

impl std::fmt::Debug for Verified {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("flags", &format_args!("{:#010x}", self.flags))
            .field("had_mic", &self.had_mic)
            .finish_non_exhaustive()
    }
}

/// Why an AUTHENTICATE was refused (for logs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Anonymous (empty NT response).
    Anonymous,
    /// An LM or NTLMv1 response: refused by policy.
    NtlmV1,
    /// Malformed response.
    Malformed,
    /// The NTProofStr does not match: wrong password (or user).
    WrongPassword,
    /// The MIC over the three messages does not match.
    BadMic,
}

impl Refusal {
    /// Text for the log and the access record.
    pub fn as_str(self) -> &'static str {
        match self {
            Refusal::Anonymous => "NTLM anonymous logon refused",
            Refusal::NtlmV1 => "LM/NTLMv1 response refused (only NTLMv2 is accepted)",
            Refusal::Malformed => "malformed NTLMv2 response",
            Refusal::WrongPassword => "wrong user name or password",
            Refusal::BadMic => "NTLM MIC does not verify",
        }
    }
}

/// Verifies an NTLMv2 AUTHENTICATE against `nt_hash`. `negotiate` and `challenge` are the raw earlier
/// messages of the same exchange (for the MIC).
pub fn verify(
    auth_raw: &[u8],
    auth: &Authenticate,
    nt_hash: &[u8; 16],
    server_challenge: &[u8; 8],
    negotiate: &[u8],
    challenge: &[u8],
) -> Result<Verified, Refusal> {
    let nt = &auth.nt_response;
    if nt.is_empty() {
        // An LM response alone is an LM logon; nothing at all is anonymous.
        return Err(if auth.lm_response.iter().any(|&b| b != 0) {
            Refusal::NtlmV1
        } else {
            Refusal::Anonymous
        });
    }
    if nt.len() == 24 {
        return Err(Refusal::NtlmV1);
    }
    // NTProofStr(16) + RespType, HiRespType, Reserved(6), TimeStamp(8), ChallengeFromClient(8), Reserved(4).
    if nt.len() < 16 + 28 {
        return Err(Refusal::Malformed);
    }
    let (proof, blob) = nt.split_at(16);
    let key = ntowfv2(nt_hash, &auth.user, &auth.domain);
    let expected = hmac_md5(&key, &[server_challenge, blob]);
    let proof_ok: bool = expected.ct_eq(proof).into();
    if !proof_ok {
        return Err(Refusal::WrongPassword);
    }
    if blob[0] != 1 || blob[1] != 1 {
        return Err(Refusal::Malformed);
    }
    let session_base_key = hmac_md5(&key, &[proof]);
    // NTLMv2: KeyExchangeKey = SessionBaseKey.
    let exported_session_key =
        if auth.flags & flags::KEY_EXCH != 0 && auth.encrypted_session_key.len() == 16 {
            let mut k = [0u8; 16];
            k.copy_from_slice(&auth.encrypted_session_key);
            Rc4::new(&session_base_key).apply(&mut k);
            k
        } else {
            session_base_key
        };
    let had_mic = av_flags(&blob[28..]) & AV_FLAG_MIC != 0;
    if had_mic {
        let Some(mic) = auth_raw.get(72..88) else {
            return Err(Refusal::BadMic);
        };
        let mut zeroed = auth_raw.to_vec();
        zeroed[72..88].fill(0);
        let want = hmac_md5(&exported_session_key, &[negotiate, challenge, &zeroed]);
        if !bool::from(want.ct_eq(mic)) {
            return Err(Refusal::BadMic);
        }
    }
    Ok(Verified {
        exported_session_key,
        flags: auth.flags,
        had_mic,
    })
}

/// The MsvAvFlags value in a client's AV_PAIR list (0 if absent or malformed).
fn av_flags(mut pairs: &[u8]) -> u32 {
    while pairs.len() >= 4 {
        let id = u16_at(pairs, 0);
        let len = usize::from(u16_at(pairs, 2));
        let Some(value) = pairs.get(4..4 + len) else {
            return 0;
        };
        if id == av::EOL {
            return 0;
        }
        if id == av::FLAGS && len == 4 {
            return u32_at(value, 0);
        }
        pairs = &pairs[4 + len..];
    }
    0
}

/// Session security keys for one direction (MS-NLMP §3.4.5), used here for SPNEGO's mechListMIC.
pub struct Direction {
    sign_key: [u8; 16],
    seal: Option<Rc4>,
}

const CLIENT_SIGN: &[u8] = b"session key to client-to-server signing key magic constant\0";
const SERVER_SIGN: &[u8] = b"session key to server-to-client signing key magic constant\0";
const CLIENT_SEAL: &[u8] = b"session key to client-to-server sealing key magic constant\0";
const SERVER_SEAL: &[u8] = b"session key to server-to-client sealing key magic constant\0";

impl Direction {
    /// Keys for client→server (`from_client`) or server→client messages. `None` without extended session
    /// security (the older signing scheme is not implemented).
    pub fn new(v: &Verified, from_client: bool) -> Option<Direction> {
        if v.flags & flags::EXTENDED_SESSIONSECURITY == 0 {
            return None;
        }
        let esk = &v.exported_session_key;
        let (sign, seal) = if from_client {
            (CLIENT_SIGN, CLIENT_SEAL)
        } else {
            (SERVER_SIGN, SERVER_SEAL)
        };
        let seal_base: &[u8] = if v.flags & flags::N128 != 0 {
            &esk[..16]
        } else if v.flags & flags::N56 != 0 {
            &esk[..7]
        } else {
            &esk[..5]
        };
        Some(Direction {
            sign_key: md5(&[esk, sign]),
            seal: (v.flags & flags::KEY_EXCH != 0).then(|| Rc4::new(&md5(&[seal_base, seal]))),
        })
    }

    /// The 16-byte NTLMSSP_MESSAGE_SIGNATURE of `data` under sequence number `seq`.
    pub fn sign(&mut self, seq: u32, data: &[u8]) -> [u8; 16] {
        let mac = hmac_md5(&self.sign_key, &[&seq.to_le_bytes(), data]);
        let mut checksum = [0u8; 8];
        checksum.copy_from_slice(&mac[..8]);
        if let Some(rc4) = &mut self.seal {
            rc4.apply(&mut checksum);
        }
        let mut out = [0u8; 16];
        out[..4].copy_from_slice(&1u32.to_le_bytes());
        out[4..12].copy_from_slice(&checksum);
        out[12..].copy_from_slice(&seq.to_le_bytes());
        out
    }
}

/// Windows FILETIME for now (100 ns units since 1601).
pub fn filetime_now() -> u64 {
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (unix.as_secs() + 11_644_473_600) * 10_000_000 + u64::from(unix.subsec_nanos() / 100)
}

/// Hand-made messages for tests of an acceptor (the server's tests use them too): unlike the real
/// initiator in `client`, these let a test put any NT response into an AUTHENTICATE.
#[doc(hidden)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub mod test_client {
    use super::*;

    /// A NEGOTIATE message with Unicode, NTLM and extended session security.
    pub fn negotiate() -> Vec<u8> {
        let mut m = SIGNATURE.to_vec();
        m.extend_from_slice(&1u32.to_le_bytes());
        let f =
            flags::UNICODE | flags::NTLM | flags::EXTENDED_SESSIONSECURITY | flags::REQUEST_TARGET;
        m.extend_from_slice(&f.to_le_bytes());
        m.extend_from_slice(&[0u8; 16]);
        m
    }

    /// An AUTHENTICATE message (no MIC, no version) with the given NT response.
    pub fn authenticate_message(
        user: &str,
        domain: &str,
        nt_response: &[u8],
        flags: u32,
    ) -> Vec<u8> {
        let user = utf16le(user);
        let domain = utf16le(domain);
        let payload_at = 88u32;
        let mut m = Vec::new();
        m.extend_from_slice(SIGNATURE);
        m.extend_from_slice(&3u32.to_le_bytes());
        let mut at = payload_at;
        let mut payload = Vec::new();
        for data in [&[][..], nt_response, &domain, &user, &[], &[]] {
            m.extend_from_slice(&(data.len() as u16).to_le_bytes());
            m.extend_from_slice(&(data.len() as u16).to_le_bytes());
            m.extend_from_slice(&at.to_le_bytes());
            at += data.len() as u32;
            payload.extend_from_slice(data);
        }
        m.extend_from_slice(&flags.to_le_bytes());
        m.extend_from_slice(&[0u8; 8 + 16]);
        m.extend_from_slice(&payload);
        m
    }

    /// The AUTHENTICATE answering `challenge` for `user`/`domain`/`password` (NTLMv2).
    pub fn authenticate(challenge: &[u8], user: &str, domain: &str, password: &str) -> Vec<u8> {
        let server_challenge: [u8; 8] = challenge[24..32].try_into().unwrap();
        let info = field(challenge, 40).unwrap();
        let mut temp = vec![1, 1, 0, 0, 0, 0, 0, 0];
        temp.extend_from_slice(&filetime_now().to_le_bytes());
        temp.extend_from_slice(&[0x42; 8]);
        temp.extend_from_slice(&[0; 4]);
        temp.extend_from_slice(info);
        temp.extend_from_slice(&[0; 4]);
        let key = ntowfv2(&nt_owf(password), user, domain);
        let mut nt = hmac_md5(&key, &[&server_challenge, &temp]).to_vec();
        nt.extend(temp);
        authenticate_message(
            user,
            domain,
            &nt,
            flags::UNICODE | flags::NTLM | flags::EXTENDED_SESSIONSECURITY,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    const SERVER_CHALLENGE: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];

    /// MS-NLMP §4.2.4.1.3 "temp": time 0, client challenge aa…, AV pairs Domain / Server.
    fn temp() -> Vec<u8> {
        let mut t = hex("0101 0000 00000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000");
        t.extend(hex("0200 0c00"));
        t.extend(utf16le("Domain"));
        t.extend(hex("0100 0c00"));
        t.extend(utf16le("Server"));
        t.extend(hex("0000 0000 00000000"));
        t
    }

    #[test]
    fn ms_nlmp_4_2_4_vectors() {
        let nt_hash = nt_owf("Password");
        assert_eq!(nt_hash.to_vec(), hex("a4f49c406510bdcab6824ee7c30fd852"));
        let v2 = ntowfv2(&nt_hash, "User", "Domain");
        assert_eq!(v2.to_vec(), hex("0c868a403bfd7a93a3001ef22ef02e3f"));
        let proof = hmac_md5(&v2, &[&SERVER_CHALLENGE, &temp()]);
        assert_eq!(proof.to_vec(), hex("68cd0ab851e51c96aabc927bebef6a1c"));
        let session_base_key = hmac_md5(&v2, &[&proof]);
        assert_eq!(
            session_base_key.to_vec(),
            hex("8de40ccadbc14a82f15cb0ad0de95ca3")
        );
        // §4.2.4.2.? EncryptedSessionKey: RC4(SessionBaseKey, RandomSessionKey 55…55).
        let mut k = [0x55u8; 16];
        Rc4::new(&session_base_key).apply(&mut k);
        assert_eq!(k.to_vec(), hex("c5dad2544fc9799094ce1ce90bc9d03e"));
    }

    use super::test_client::authenticate_message;

    #[test]
    fn verify_accepts_v2_and_refuses_v1_wrong_and_anonymous() {
        let nt_hash = nt_owf("Password");
        let v2 = ntowfv2(&nt_hash, "User", "Domain");
        let proof = hmac_md5(&v2, &[&SERVER_CHALLENGE, &temp()]);
        let mut nt_response = proof.to_vec();
        nt_response.extend(temp());
        let f = flags::UNICODE | flags::NTLM | flags::EXTENDED_SESSIONSECURITY;
        let raw = authenticate_message("User", "Domain", &nt_response, f);
        let msg = parse_authenticate(&raw).unwrap();
        assert_eq!((msg.user.as_str(), msg.domain.as_str()), ("User", "Domain"));
        let ok = verify(&raw, &msg, &nt_hash, &SERVER_CHALLENGE, &[], &[]).unwrap();
        assert_eq!(
            ok.exported_session_key.to_vec(),
            hex("8de40ccadbc14a82f15cb0ad0de95ca3")
        );
        assert!(!ok.had_mic);
        // Case of the user name does not matter (it is upper-cased), the domain's does.
        let raw_upper = authenticate_message("USER", "Domain", &nt_response, f);
        let m = parse_authenticate(&raw_upper).unwrap();
        assert!(verify(&raw_upper, &m, &nt_hash, &SERVER_CHALLENGE, &[], &[]).is_ok());
        let wrong = nt_owf("password");
        assert_eq!(
            verify(&raw, &msg, &wrong, &SERVER_CHALLENGE, &[], &[]).unwrap_err(),
            Refusal::WrongPassword
        );
        let other_challenge = [0u8; 8];
        assert_eq!(
            verify(&raw, &msg, &nt_hash, &other_challenge, &[], &[]).unwrap_err(),
            Refusal::WrongPassword
        );
        let v1 = authenticate_message("User", "Domain", &[7u8; 24], f);
        let m = parse_authenticate(&v1).unwrap();
        assert_eq!(
            verify(&v1, &m, &nt_hash, &SERVER_CHALLENGE, &[], &[]).unwrap_err(),
            Refusal::NtlmV1
        );
        let anon = authenticate_message("", "", &[], f);
        let m = parse_authenticate(&anon).unwrap();
        assert_eq!(
            verify(&anon, &m, &nt_hash, &SERVER_CHALLENGE, &[], &[]).unwrap_err(),
            Refusal::Anonymous
        );
        // Garbage never panics.
        assert!(parse_authenticate(b"NTLMSSP\0\x03\0\0\0").is_err());
        let mut broken = raw.clone();
        broken[24] = 0xff; // NT response offset far outside
        assert!(parse_authenticate(&broken).is_err());
    }

    #[test]
    fn challenge_layout() {
        let names = TargetNames::for_server("EX01", "ex01.contoso.com");
        assert_eq!(names.nb_domain, "CONTOSO");
        assert_eq!(names.dns_domain, "contoso.com");
        let client = flags::UNICODE | flags::NTLM | flags::LM_KEY | flags::KEY_EXCH | flags::N128;
        let c = build_challenge(client, &SERVER_CHALLENGE, &names, 0);
        assert_eq!(message_type(&c), Some(2));
        let f = u32_at(&c, 20);
        assert_eq!(f & flags::LM_KEY, 0, "LM is never granted");
        assert_ne!(f & flags::KEY_EXCH, 0);
        assert_eq!(&c[24..32], &SERVER_CHALLENGE);
        assert_eq!(field(&c, 12).unwrap(), utf16le("EX01").as_slice());
        let info = field(&c, 40).unwrap();
        assert!(info.ends_with(&[0, 0, 0, 0]));
    }

    #[test]
    fn signing_matches_ms_nlmp_4_2_4_4() {
        // MS-NLMP §4.2.4.4 (NTLMv2 with ESS, KEY_EXCH, 128): ExportedSessionKey 55…55, sequence 0,
        // plaintext "Plaintext" in UTF-16LE → signature 01000000 7fb38ec5c55d4976 00000000.
        let v = Verified {
            exported_session_key: [0x55; 16],
            flags: flags::EXTENDED_SESSIONSECURITY
                | flags::KEY_EXCH
                | flags::N128
                | flags::SEAL
                | flags::SIGN,
            had_mic: false,
        };
        let mut client = Direction::new(&v, true).unwrap();
        let mut data = utf16le("Plaintext");
        // The sealing RC4 stream is shared by seal and sign: seal the message first, as the vector does.
        client.seal.as_mut().unwrap().apply(&mut data);
        assert_eq!(data, hex("54e50165bf1936dc996020c1811b0f06fb5f"));
        let sig = client.sign(0, &utf16le("Plaintext"));
        assert_eq!(sig.to_vec(), hex("010000007fb38ec5c55d497600000000"));
    }
}
