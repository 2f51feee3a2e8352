//! The initiator: an NTLMv2 client (MS-NLMP §3.1) and its SPNEGO wrapping for HTTP Negotiate, as a
//! Windows client runs them against IIS, and as `mapish-probe` runs them against `mapish serve`.
//!
//! - NEGOTIATE: Unicode, NTLM, extended session security, always-sign, 128-bit, key exchange, version.
//! - AUTHENTICATE: the NTLMv2 response over the CHALLENGE's TargetInfo. When the CHALLENGE carries an
//!   MsvAvTimestamp the client uses that time, sends an all-zero LmChallengeResponse, adds MsvAvFlags with
//!   the MIC bit and puts a MIC over the three messages in the AUTHENTICATE (§3.1.5.1.2), as Windows does;
//!   without one it uses its own clock and sends the LMv2 response. With key exchange negotiated the
//!   ExportedSessionKey is random and travels RC4-encrypted under the SessionBaseKey.
//! - SPNEGO (`Negotiate`): a NegTokenInit offering NTLM only (Kerberos is never offered) with the
//!   NEGOTIATE as its optimistic token; then a NegTokenResp with the AUTHENTICATE and, whenever the
//!   AUTHENTICATE has a MIC (or the server asked for one with request-mic), a mechListMIC over the
//!   mechTypes; the server's final mechListMIC is checked (RFC 4178 §5, MS-SPNG §3.1.5.1).
//!
//! Nothing here logs or formats a password, a hash or a key.

use crate::nlmp::{
    self, AV_FLAG_MIC, Direction, NtlmError, Rc4, SIGNATURE, Verified, av, field, flags, hmac_md5,
    ntowfv2, u16_at, u32_at, utf16le,
};
use crate::spnego;

/// What the initiator logs on with. The domain may be empty (the server resolves the user name alone,
/// a UPN for instance).
#[derive(Clone)]
pub struct Credentials {
    /// The user name as sent (`alice@contoso.com`, `alice`).
    pub user: String,
    /// The domain as sent (may be empty).
    pub domain: String,
    nt_hash: [u8; 16],
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Credentials from a clear-text password. A `DOMAIN\user` name is split; anything else is the user
    /// name with an empty domain.
    pub fn new(user_name: &str, password: &str) -> Credentials {
        let (domain, user) = match user_name.split_once('\\') {
            Some((d, u)) if !u.is_empty() => (d.to_string(), u.to_string()),
            _ => (String::new(), user_name.to_string()),
        };
        Credentials {
            user,
            domain,
            nt_hash: nlmp::nt_owf(password),
        }
    }
}

/// The flags the initiator asks for in its NEGOTIATE.
pub const NEGOTIATE_FLAGS: u32 = flags::UNICODE
    | flags::REQUEST_TARGET
    | flags::SIGN
    | flags::NTLM
    | flags::ALWAYS_SIGN
    | flags::EXTENDED_SESSIONSECURITY
    | flags::VERSION
    | flags::N128
    | flags::KEY_EXCH
    | flags::N56;

/// The version the initiator announces: 10.0 build 20348, NTLMSSP revision 15.
const VERSION: [u8; 8] = [10, 0, 0x7c, 0x4f, 0, 0, 0, 15];

/// The NEGOTIATE message (type 1), with no domain or workstation.
pub fn negotiate_message() -> Vec<u8> {
    let mut m = Vec::with_capacity(40);
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&1u32.to_le_bytes());
    m.extend_from_slice(&NEGOTIATE_FLAGS.to_le_bytes());
    // DomainNameFields, WorkstationFields: empty, pointing at the end of the header.
    for _ in 0..2 {
        m.extend_from_slice(&0u16.to_le_bytes());
        m.extend_from_slice(&0u16.to_le_bytes());
        m.extend_from_slice(&40u32.to_le_bytes());
    }
    m.extend_from_slice(&VERSION);
    m
}

/// A parsed CHALLENGE message (type 2).
#[derive(Debug, Clone)]
pub struct Challenge {
    /// NegotiateFlags as the server chose them.
    pub flags: u32,
    /// ServerChallenge.
    pub server_challenge: [u8; 8],
    /// TargetName, decoded.
    pub target_name: String,
    /// The raw TargetInfo AV pairs (ending with MsvAvEOL).
    pub target_info: Vec<u8>,
    /// MsvAvTimestamp, if the server sent one (a FILETIME).
    pub timestamp: Option<u64>,
    /// MsvAvNbDomainName, if sent.
    pub nb_domain: Option<String>,
    /// MsvAvNbComputerName, if sent.
    pub nb_computer: Option<String>,
}

/// Parses a CHALLENGE message.
pub fn parse_challenge(msg: &[u8]) -> Result<Challenge, NtlmError> {
    if nlmp::message_type(msg) != Some(2) || msg.len() < 48 {
        return Err(NtlmError("not an NTLM CHALLENGE message"));
    }
    let flags = u32_at(msg, 20);
    let mut server_challenge = [0u8; 8];
    server_challenge.copy_from_slice(&msg[24..32]);
    let target_name = nlmp::text_of(field(msg, 12)?, flags & flags::UNICODE != 0)?;
    let target_info = if flags & flags::TARGET_INFO != 0 {
        field(msg, 40)?.to_vec()
    } else {
        Vec::new()
    };
    let mut c = Challenge {
        flags,
        server_challenge,
        target_name,
        target_info,
        timestamp: None,
        nb_domain: None,
        nb_computer: None,
    };
    for (id, value) in av_pairs(&c.target_info)? {
        match id {
            av::TIMESTAMP if value.len() == 8 => {
                let mut b = [0u8; 8];
                b.copy_from_slice(value);
                c.timestamp = Some(u64::from_le_bytes(b));
            }
            av::NB_DOMAIN => c.nb_domain = nlmp::text_of(value, true).ok(),
            av::NB_COMPUTER => c.nb_computer = nlmp::text_of(value, true).ok(),
            _ => {}
        }
    }
    Ok(c)
}

/// The AV pairs of a TargetInfo, up to (not including) MsvAvEOL.
fn av_pairs(mut info: &[u8]) -> Result<Vec<(u16, &[u8])>, NtlmError> {
    let mut out = Vec::new();
    while info.len() >= 4 {
        let id = u16_at(info, 0);
        let len = usize::from(u16_at(info, 2));
        let value = info
            .get(4..4 + len)
            .ok_or(NtlmError("an AV pair runs past the TargetInfo"))?;
        if id == av::EOL {
            return Ok(out);
        }
        out.push((id, value));
        info = &info[4 + len..];
    }
    if info.is_empty() {
        Ok(out)
    } else {
        Err(NtlmError("a truncated AV pair in the TargetInfo"))
    }
}

/// The randomness one AUTHENTICATE needs; fixed in the MS-NLMP test vectors.
#[derive(Debug, Clone, Copy)]
pub struct Randomness {
    /// ChallengeFromClient.
    pub client_challenge: [u8; 8],
    /// RandomSessionKey (the ExportedSessionKey under key exchange).
    pub session_key: [u8; 16],
    /// The client's clock as a FILETIME, used when the CHALLENGE has no MsvAvTimestamp.
    pub now: u64,
}

impl Randomness {
    /// Fresh values from the operating system.
    pub fn fresh() -> Result<Randomness, NtlmError> {
        let mut bytes = [0u8; 24];
        getrandom::getrandom(&mut bytes).map_err(|_| NtlmError("no randomness from the OS"))?;
        let mut r = Randomness {
            client_challenge: [0; 8],
            session_key: [0; 16],
            now: nlmp::filetime_now(),
        };
        r.client_challenge.copy_from_slice(&bytes[..8]);
        r.session_key.copy_from_slice(&bytes[8..]);
        Ok(r)
    }
}

/// An AUTHENTICATE and the session it establishes.
#[derive(Clone)]
pub struct Authenticated {
    /// The AUTHENTICATE message.
    pub message: Vec<u8>,
    /// The session (ExportedSessionKey, negotiated flags, whether a MIC was sent), for SPNEGO's mechListMIC.
    pub session: Verified,
}

/// Builds the AUTHENTICATE answering `challenge_raw` (whose NEGOTIATE was `negotiate_raw`), with fresh
/// randomness.
pub fn authenticate(
    creds: &Credentials,
    negotiate_raw: &[u8],
    challenge_raw: &[u8],
) -> Result<Authenticated, NtlmError> {
    authenticate_with(
        creds,
        negotiate_raw,
        challenge_raw,
        Randomness::fresh()?,
        "",
    )
}

/// [`authenticate`] with given randomness and workstation name (for the MS-NLMP vectors).
pub fn authenticate_with(
    creds: &Credentials,
    negotiate_raw: &[u8],
    challenge_raw: &[u8],
    random: Randomness,
    workstation: &str,
) -> Result<Authenticated, NtlmError> {
    let challenge = parse_challenge(challenge_raw)?;
    if challenge.flags & flags::NTLM == 0 && challenge.flags & flags::EXTENDED_SESSIONSECURITY == 0
    {
        return Err(NtlmError("the server's CHALLENGE does not offer NTLM"));
    }
    let negotiated = (NEGOTIATE_FLAGS & challenge.flags) | flags::NTLM;
    let unicode = negotiated & flags::UNICODE != 0;
    let with_mic = challenge.timestamp.is_some();
    let time = challenge.timestamp.unwrap_or(random.now);

    // The AV pairs the client signs: the server's, plus MsvAvFlags (MIC present) when a MIC is sent.
    let mut info = Vec::new();
    for (id, value) in av_pairs(&challenge.target_info)? {
        if id == av::FLAGS {
            continue;
        }
        info.extend_from_slice(&id.to_le_bytes());
        info.extend_from_slice(&(value.len() as u16).to_le_bytes());
        info.extend_from_slice(value);
    }
    if with_mic {
        info.extend_from_slice(&av::FLAGS.to_le_bytes());
        info.extend_from_slice(&4u16.to_le_bytes());
        info.extend_from_slice(&AV_FLAG_MIC.to_le_bytes());
    }
    info.extend_from_slice(&[0, 0, 0, 0]); // MsvAvEOL

    // NTLMv2 (MS-NLMP §3.3.2).
    let key = ntowfv2(&creds.nt_hash, &creds.user, &creds.domain);
    let mut temp = vec![1, 1, 0, 0, 0, 0, 0, 0];
    temp.extend_from_slice(&time.to_le_bytes());
    temp.extend_from_slice(&random.client_challenge);
    temp.extend_from_slice(&[0; 4]);
    temp.extend_from_slice(&info);
    temp.extend_from_slice(&[0; 4]);
    let proof = hmac_md5(&key, &[&challenge.server_challenge, &temp]);
    let mut nt_response = proof.to_vec();
    nt_response.extend_from_slice(&temp);
    let lm_response = if with_mic {
        // With MsvAvTimestamp the client sends Z(24) for the LM response.
        vec![0u8; 24]
    } else {
        let mut lm = hmac_md5(
            &key,
            &[&challenge.server_challenge, &random.client_challenge],
        )
        .to_vec();
        lm.extend_from_slice(&random.client_challenge);
        lm
    };
    let session_base_key = hmac_md5(&key, &[&proof]);
    let (exported_session_key, encrypted_key) = if negotiated & flags::KEY_EXCH != 0 {
        let mut enc = random.session_key;
        Rc4::new(&session_base_key).apply(&mut enc);
        (random.session_key, enc.to_vec())
    } else {
        (session_base_key, Vec::new())
    };

    let text = |s: &str| -> Vec<u8> {
        if unicode {
            utf16le(s)
        } else {
            s.bytes().filter(u8::is_ascii).collect()
        }
    };
    let domain = text(&creds.domain);
    let user = text(&creds.user);
    let workstation = text(workstation);
    // Header: 64 bytes of fields and flags, the Version (8) and the MIC (16).
    let header_len = 88u32;
    let mut m = Vec::with_capacity(256 + nt_response.len());
    m.extend_from_slice(SIGNATURE);
    m.extend_from_slice(&3u32.to_le_bytes());
    let mut payload = Vec::new();
    let mut at = header_len;
    for data in [
        &lm_response[..],
        &nt_response,
        &domain,
        &user,
        &workstation,
        &encrypted_key,
    ] {
        let len = u16::try_from(data.len()).map_err(|_| NtlmError("a field is too long"))?;
        m.extend_from_slice(&len.to_le_bytes());
        m.extend_from_slice(&len.to_le_bytes());
        m.extend_from_slice(&at.to_le_bytes());
        at += u32::from(len);
        payload.extend_from_slice(data);
    }
    m.extend_from_slice(&negotiated.to_le_bytes());
    m.extend_from_slice(&VERSION);
    m.extend_from_slice(&[0u8; 16]);
    m.extend_from_slice(&payload);
    if with_mic {
        let mic = hmac_md5(&exported_session_key, &[negotiate_raw, challenge_raw, &m]);
        m[72..88].copy_from_slice(&mic);
    }
    Ok(Authenticated {
        message: m,
        session: Verified {
            exported_session_key,
            flags: negotiated,
            had_mic: with_mic,
        },
    })
}

/// Where an NTLM or Negotiate logon stands, from the initiator's side.
#[derive(Debug)]
pub enum Step {
    /// Send this token (in `Authorization: <scheme> <base64>`) and feed the server's answer back.
    Send(Vec<u8>),
    /// The logon is complete on the client's side; the server's answer decides.
    Done,
}

/// Why the initiator cannot go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitiatorError {
    /// The server's token is not what the protocol allows at this point.
    Protocol(&'static str),
    /// The server's SPNEGO reply rejects the logon (negState reject).
    Rejected,
    /// The server's final mechListMIC does not verify: something altered the exchange.
    BadServerMic,
}

impl std::fmt::Display for InitiatorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitiatorError::Protocol(why) => f.write_str(why),
            InitiatorError::Rejected => f.write_str("the server rejected the SPNEGO negotiation"),
            InitiatorError::BadServerMic => {
                f.write_str("the server's SPNEGO mechListMIC does not verify")
            }
        }
    }
}

impl std::error::Error for InitiatorError {}

impl From<NtlmError> for InitiatorError {
    fn from(e: NtlmError) -> Self {
        InitiatorError::Protocol(e.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Start,
    /// NEGOTIATE sent (inside a NegTokenInit for SPNEGO).
    Negotiated,
    /// AUTHENTICATE sent.
    Authenticated,
    /// The server's accept-completed (SPNEGO) was checked.
    Complete,
}

/// One NTLM (`spnego: false`) or Negotiate (`spnego: true`) logon, from the first token to the server's
/// last.
pub struct Initiator {
    creds: Credentials,
    spnego: bool,
    stage: Stage,
    negotiate: Vec<u8>,
    session: Option<Verified>,
    /// The mechTypes DER of our NegTokenInit.
    mech_list: Vec<u8>,
    /// The server asked for a mechListMIC (request-mic).
    mic_requested: bool,
}

impl std::fmt::Debug for Initiator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Initiator")
            .field("user", &self.creds.user)
            .field("spnego", &self.spnego)
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

impl Initiator {
    /// A raw NTLM logon (HTTP `NTLM`).
    pub fn ntlm(creds: Credentials) -> Initiator {
        Initiator::new(creds, false)
    }

    /// NTLM inside SPNEGO (HTTP `Negotiate`).
    pub fn negotiate(creds: Credentials) -> Initiator {
        Initiator::new(creds, true)
    }

    fn new(creds: Credentials, spnego: bool) -> Initiator {
        Initiator {
            creds,
            spnego,
            stage: Stage::Start,
            negotiate: Vec::new(),
            session: None,
            mech_list: spnego::mech_list(&[spnego::NTLM_OID]),
            mic_requested: false,
        }
    }

    /// The first token.
    pub fn start(&mut self) -> Vec<u8> {
        self.negotiate = negotiate_message();
        self.stage = Stage::Negotiated;
        if self.spnego {
            spnego::init_token(&[spnego::NTLM_OID], Some(&self.negotiate))
        } else {
            self.negotiate.clone()
        }
    }

    /// Feeds the server's token (from its `WWW-Authenticate: <scheme> <base64>`); `None` when it sent
    /// none (a final 200 without a token).
    pub fn step(&mut self, server_token: Option<&[u8]>) -> Result<Step, InitiatorError> {
        self.step_with(server_token, None)
    }

    /// [`Initiator::step`] with given randomness (tests).
    pub fn step_with(
        &mut self,
        server_token: Option<&[u8]>,
        random: Option<Randomness>,
    ) -> Result<Step, InitiatorError> {
        match self.stage {
            Stage::Start => Ok(Step::Send(self.start())),
            Stage::Negotiated => {
                let token =
                    server_token.ok_or(InitiatorError::Protocol("the server sent no CHALLENGE"))?;
                let challenge = if self.spnego {
                    let reply = spnego::parse_reply(token)
                        .ok_or(InitiatorError::Protocol("not a SPNEGO NegTokenResp"))?;
                    match reply.neg_state {
                        Some(2) => return Err(InitiatorError::Rejected),
                        Some(3) => self.mic_requested = true,
                        _ => {}
                    }
                    if let Some(m) = &reply.supported_mech
                        && m != spnego::NTLM_OID
                    {
                        return Err(InitiatorError::Protocol(
                            "the server chose a mechanism other than NTLM",
                        ));
                    }
                    reply.response_token.ok_or(InitiatorError::Protocol(
                        "the server's NegTokenResp carries no NTLM CHALLENGE",
                    ))?
                } else {
                    token.to_vec()
                };
                let random = match random {
                    Some(r) => r,
                    None => Randomness::fresh()?,
                };
                let auth = authenticate_with(&self.creds, &self.negotiate, &challenge, random, "")?;
                self.stage = Stage::Authenticated;
                let out = if self.spnego {
                    let mic = if auth.session.had_mic || self.mic_requested {
                        let mut d =
                            Direction::new(&auth.session, true).ok_or(InitiatorError::Protocol(
                                "a mechListMIC needs NTLM extended session security",
                            ))?;
                        Some(d.sign(0, &self.mech_list))
                    } else {
                        None
                    };
                    spnego::client_response(Some(&auth.message), mic.as_ref().map(|m| &m[..]))
                } else {
                    auth.message.clone()
                };
                self.session = Some(auth.session);
                Ok(Step::Send(out))
            }
            Stage::Authenticated => {
                if !self.spnego {
                    self.stage = Stage::Complete;
                    return Ok(Step::Done);
                }
                let Some(token) = server_token else {
                    // IIS may leave the final token out; nothing to check then.
                    self.stage = Stage::Complete;
                    return Ok(Step::Done);
                };
                let reply = spnego::parse_reply(token)
                    .ok_or(InitiatorError::Protocol("not a SPNEGO NegTokenResp"))?;
                match reply.neg_state {
                    Some(0) | None => {}
                    Some(2) => return Err(InitiatorError::Rejected),
                    Some(_) => {
                        return Err(InitiatorError::Protocol(
                            "the server did not complete the SPNEGO negotiation",
                        ));
                    }
                }
                let session = self
                    .session
                    .as_ref()
                    .ok_or(InitiatorError::Protocol("no NTLM session"))?;
                let mic_expected = session.had_mic || self.mic_requested;
                match (&reply.mech_list_mic, mic_expected) {
                    (Some(mic), _) => {
                        let mut d =
                            Direction::new(session, false).ok_or(InitiatorError::Protocol(
                                "a mechListMIC needs NTLM extended session security",
                            ))?;
                        let want = d.sign(0, &self.mech_list);
                        if !bool::from(subtle::ConstantTimeEq::ct_eq(&want[..], &mic[..])) {
                            return Err(InitiatorError::BadServerMic);
                        }
                    }
                    (None, true) => {
                        return Err(InitiatorError::Protocol(
                            "the server's final SPNEGO token lacks the mechListMIC",
                        ));
                    }
                    (None, false) => {}
                }
                self.stage = Stage::Complete;
                Ok(Step::Done)
            }
            Stage::Complete => Ok(Step::Done),
        }
    }

    /// Whether the client's side of the logon is complete.
    pub fn is_complete(&self) -> bool {
        self.stage == Stage::Complete
    }
}
