//! Request and response bodies of the mailbox server endpoint
//! (`/mapi/emsmdb/`): Connect, Execute, Disconnect, NotificationWait and
//! PING (MS-OXCMAPIHTTP §2.2.4, §2.2.6).
//!
//! Response types are [`Response`]`<…Success>`: the success structs hold
//! everything after the zero `StatusCode`.

use crate::body::{ErrorCodeOnly, Response};
use crate::buf::{Codec, Reader, Writer};
use crate::ec;
use crate::error::{Result, WireError};
use crate::rpc_header;

/// Connect `Flags` values (MS-OXCRPC §3.1.4.1, `ulFlags`).
pub mod connect_flags {
    /// Requests administrator behaviour; servers check the right
    /// (ecLoginPerm otherwise). ITS sends it believing it means "no
    /// compression".
    pub const ADMIN: u32 = 0x0000_0001;
    /// Do not fail old (< 12.0) clients when no public folders exist.
    pub const NO_PUBLIC_FOLDER_CHECK: u32 = 0x0000_8000;
}

/// Execute request `Flags` values (MS-OXCRPC §3.1.4.2, `pulFlags`).
pub mod execute_flags {
    /// The server must not compress the response payload.
    pub const NO_COMPRESSION: u32 = 0x0000_0001;
    /// The server must not obfuscate (XorMagic) the response payload.
    pub const NO_XOR_MAGIC: u32 = 0x0000_0002;
    /// The client accepts chained response payloads.
    pub const CHAIN: u32 = 0x0000_0004;
}

/// Largest `RopBufferSize` (cbIn) EMSMDB accepts (MS-OXCRPC §3.1.4.2).
pub const MAX_ROP_BUFFER_IN: usize = 0x40000;
/// Largest auxiliary input buffer (MS-OXCRPC §3.1.4.1).
pub const MAX_AUX_IN: usize = 0x1008;
/// Smallest usable `MaxRopOut` (MS-OXCRPC §3.1.4.2: below 8 → ecRpcFailed).
pub const MIN_MAX_ROP_OUT: u32 = 8;

/// Connect request body (§2.2.4.1.1; the `[in]` side of EcDoConnectEx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRequest {
    /// `UserDn`: the user's legacyExchangeDN (ASCII).
    pub user_dn: String,
    /// `Flags`, see [`connect_flags`].
    pub flags: u32,
    /// `DefaultCodePage`, e.g. 1252.
    pub default_code_page: u32,
    /// `LcidSort`, e.g. 0x409. Comes before `LcidString` (ITS
    /// `ConnectRequestBody.Serialize`; gromox and ruler have them swapped).
    pub lcid_sort: u32,
    /// `LcidString`, e.g. 0x409.
    pub lcid_string: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for ConnectRequest {
    const NAME: &'static str = "Connect request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.asciiz(&self.user_dn, "UserDn")?;
        w.u32(self.flags);
        w.u32(self.default_code_page);
        w.u32(self.lcid_sort);
        w.u32(self.lcid_string);
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ConnectRequest {
            user_dn: r.asciiz("UserDn")?,
            flags: r.u32("Flags")?,
            default_code_page: r.u32("DefaultCodePage")?,
            lcid_sort: r.u32("LcidSort")?,
            lcid_string: r.u32("LcidString")?,
            aux: r.aux()?,
        })
    }
}

/// Connect success response body after `StatusCode` (§2.2.4.1.2).
///
/// There is no session handle or server version here: the session is the
/// cookie and the version is `X-ServerApplication`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectSuccess {
    /// `ErrorCode`: EcDoConnectEx's return value (0, ecUnknownUser, …).
    pub error_code: u32,
    /// `PollsMax`: the maximum polling interval in milliseconds.
    pub polls_max: u32,
    /// `RetryCount`: how often the client retries a failed call.
    pub retry_count: u32,
    /// `RetryDelay`: milliseconds between retries.
    pub retry_delay: u32,
    /// `DnPrefix` (ASCII; Exchange and gromox send "").
    pub dn_prefix: String,
    /// `DisplayName` of the user (UTF-16).
    pub display_name: String,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl ConnectSuccess {
    /// A successful Connect with the timing values gromox uses (PollsMax
    /// 60000 ms, 6 retries, 10000 ms apart) and an empty DnPrefix.
    pub fn new(display_name: impl Into<String>) -> Self {
        ConnectSuccess {
            error_code: ec::SUCCESS,
            polls_max: 60_000,
            retry_count: 6,
            retry_delay: 10_000,
            dn_prefix: String::new(),
            display_name: display_name.into(),
            aux: Vec::new(),
        }
    }
}

impl Codec for ConnectSuccess {
    const NAME: &'static str = "Connect response body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.u32(self.polls_max);
        w.u32(self.retry_count);
        w.u32(self.retry_delay);
        w.asciiz(&self.dn_prefix, "DnPrefix")?;
        w.utf16z(&self.display_name, "DisplayName")?;
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ConnectSuccess {
            error_code: r.u32("ErrorCode")?,
            polls_max: r.u32("PollsMax")?,
            retry_count: r.u32("RetryCount")?,
            retry_delay: r.u32("RetryDelay")?,
            dn_prefix: r.asciiz("DnPrefix")?,
            display_name: r.utf16z("DisplayName")?,
            aux: r.aux()?,
        })
    }
}

/// A Connect response body.
pub type ConnectResponse = Response<ConnectSuccess>;

/// Execute request body (§2.2.4.2.1; the `[in]` side of EcDoRpcExt2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteRequest {
    /// `Flags`, see [`execute_flags`]. ITS and ruler send 0x3.
    pub flags: u32,
    /// `RopBuffer` (rgbIn): RPC_HEADER_EXT-framed ROP payload(s); see
    /// [`ExecuteRequest::rop_payloads`].
    pub rop_buffer: Vec<u8>,
    /// `MaxRopOut`: the largest response RopBuffer the client accepts.
    pub max_rop_out: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl ExecuteRequest {
    /// The decoded (un-obfuscated, decompressed) payloads of `rop_buffer`,
    /// each of which is a ROP request buffer (MS-OXCROPS §2.2.1).
    pub fn rop_payloads(&self) -> Result<Vec<Vec<u8>>> {
        rpc_header::unpack(&self.rop_buffer)
    }
}

impl Codec for ExecuteRequest {
    const NAME: &'static str = "Execute request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        w.sized_u32(&self.rop_buffer, "RopBuffer")?;
        w.u32(self.max_rop_out);
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ExecuteRequest {
            flags: r.u32("Flags")?,
            rop_buffer: r.sized_u32("RopBuffer")?.to_vec(),
            max_rop_out: r.u32("MaxRopOut")?,
            aux: r.aux()?,
        })
    }
}

/// Execute success response body after `StatusCode` (§2.2.4.2.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecuteSuccess {
    /// `ErrorCode`: 0, or e.g. ecRpcFormat for an unparsable ROP buffer.
    pub error_code: u32,
    /// `Flags`: reserved, 0.
    pub flags: u32,
    /// `RopBuffer` (rgbOut): RPC_HEADER_EXT-framed ROP response payload(s);
    /// empty when `error_code` ≠ 0.
    pub rop_buffer: Vec<u8>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl ExecuteSuccess {
    /// A call that failed as a whole: `ErrorCode` set, no RopBuffer
    /// (e.g. [`ec::RPC_FORMAT`] when the ROP input cannot be parsed,
    /// MS-OXCROPS §3.2.5.1).
    pub fn failed(error_code: u32) -> Self {
        ExecuteSuccess {
            error_code,
            ..ExecuteSuccess::default()
        }
    }

    /// A successful call whose ROP response payload is framed in one
    /// uncompressed RPC_HEADER_EXT with the Last flag.
    pub fn with_payload(payload: &[u8]) -> Result<Self> {
        Ok(ExecuteSuccess {
            rop_buffer: rpc_header::pack(payload, rpc_header::PackOptions::default())?,
            ..ExecuteSuccess::default()
        })
    }

    /// The decoded payloads of `rop_buffer`.
    pub fn rop_payloads(&self) -> Result<Vec<Vec<u8>>> {
        rpc_header::unpack(&self.rop_buffer)
    }
}

impl Codec for ExecuteSuccess {
    const NAME: &'static str = "Execute response body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.u32(self.flags);
        w.sized_u32(&self.rop_buffer, "RopBuffer")?;
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(ExecuteSuccess {
            error_code: r.u32("ErrorCode")?,
            flags: r.u32("Flags")?,
            rop_buffer: r.sized_u32("RopBuffer")?.to_vec(),
            aux: r.aux()?,
        })
    }
}

/// An Execute response body.
pub type ExecuteResponse = Response<ExecuteSuccess>;

/// Disconnect request body (§2.2.4.3.1): only the auxiliary buffer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DisconnectRequest {
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl DisconnectRequest {
    /// Like [`Codec::decode`] but also accepts an empty body, because
    /// §3.1.5.4 says Disconnect has "no request body" while §2.2.4.3.1
    /// gives it one.
    pub fn decode_lenient(bytes: &[u8]) -> Result<Self> {
        if bytes.is_empty() {
            return Ok(DisconnectRequest::default());
        }
        Self::decode(bytes)
    }
}

impl Codec for DisconnectRequest {
    const NAME: &'static str = "Disconnect request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(DisconnectRequest { aux: r.aux()? })
    }
}

/// Disconnect success body after `StatusCode` (§2.2.4.3.2): ErrorCode + aux.
pub type DisconnectSuccess = ErrorCodeOnly;
/// A Disconnect response body.
pub type DisconnectResponse = Response<DisconnectSuccess>;

/// NotificationWait request body (§2.2.4.4.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationWaitRequest {
    /// `Flags`: reserved; clients send 0 and servers ignore it.
    pub flags: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for NotificationWaitRequest {
    const NAME: &'static str = "NotificationWait request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(NotificationWaitRequest {
            flags: r.u32("Flags")?,
            aux: r.aux()?,
        })
    }
}

/// NotificationWait success body after `StatusCode` (§2.2.4.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotificationWaitSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `EventPending`: whether the client should send an Execute to fetch
    /// notifications. Sent as 1 / 0; any non-zero value reads as true.
    pub event_pending: bool,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for NotificationWaitSuccess {
    const NAME: &'static str = "NotificationWait response body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.u32(u32::from(self.event_pending));
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(NotificationWaitSuccess {
            error_code: r.u32("ErrorCode")?,
            event_pending: r.u32("EventPending")? != 0,
            aux: r.aux()?,
        })
    }
}

/// A NotificationWait response body.
pub type NotificationWaitResponse = Response<NotificationWaitSuccess>;

/// PING (§2.2.6, §3.2.5.3): no request body and no response body; the
/// response consists of the meta-tags and additional headers only. Used for
/// both directions so that a non-empty body is caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ping;

impl Codec for Ping {
    const NAME: &'static str = "PING body";

    fn write_to(&self, _w: &mut Writer) -> Result<()> {
        Ok(())
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        match r.remaining() {
            0 => Ok(Ping),
            count => Err(WireError::TrailingBytes {
                what: "PING body (must be empty)",
                count,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::FailureBody;
    use crate::testutil::{DN, dn_z, hex};

    #[test]
    fn connect_request_matches_t1() {
        // Fact sheet §11 T1 (layout of §2.2.4.1.1): DN, Flags 0, cpid 1252,
        // LcidSort 0x409, LcidString 0x409, AuxiliaryBufferSize 0.
        let mut expected = dn_z();
        expected.extend(hex("00000000 e4040000 09040000 09040000 00000000"));
        assert_eq!(expected.len(), 105);
        let req = ConnectRequest {
            user_dn: DN.into(),
            flags: 0,
            default_code_page: 1252,
            lcid_sort: 0x409,
            lcid_string: 0x409,
            aux: vec![],
        };
        assert_eq!(req.encode().unwrap(), expected);
        assert_eq!(ConnectRequest::decode(&expected).unwrap(), req);
    }

    #[test]
    fn connect_response_matches_t2() {
        // Fact sheet §11 T2: StatusCode, ErrorCode, PollsMax 60000,
        // RetryCount 6, RetryDelay 10000, DnPrefix "", DisplayName
        // "User One" (UTF-16), AuxiliaryBufferSize 0 — 43 bytes.
        let expected = hex("00000000 00000000 60ea0000 06000000 10270000 00
             5500 7300 6500 7200 2000 4f00 6e00 6500 0000 00000000");
        assert_eq!(expected.len(), 43);
        let resp = ConnectResponse::Success(ConnectSuccess::new("User One"));
        assert_eq!(resp.encode().unwrap(), expected);
        assert_eq!(ConnectResponse::decode(&expected).unwrap(), resp);
    }

    #[test]
    fn connect_response_carries_an_aux_buffer() {
        // Fact sheet §11 T3: gromox's 36-byte Connect AuxiliaryBuffer.
        let aux =
            hex("00000400 1c001c00 08000117 03000000 0c00010a 0c000000 00840c24 08000148 01000000");
        let mut success = ConnectSuccess::new("");
        success.aux = aux.clone();
        let bytes = ConnectResponse::Success(success.clone()).encode().unwrap();
        assert_eq!(&bytes[bytes.len() - 40..bytes.len() - 36], hex("24000000"));
        assert_eq!(&bytes[bytes.len() - 36..], aux);
        assert_eq!(
            ConnectResponse::decode(&bytes).unwrap(),
            ConnectResponse::Success(success)
        );
    }

    #[test]
    fn execute_request_matches_t4() {
        // Fact sheet §11 T4: Execute with a private RopLogon, 129 bytes.
        let mut rop_buffer = hex("00000400 69006900 6500 fe000001 00000001 00000000 5500");
        rop_buffer.extend(dn_z());
        rop_buffer.extend(hex("ffffffff"));
        let mut expected = hex("03000000 71000000");
        expected.extend(&rop_buffer);
        expected.extend(hex("08000100 00000000"));
        assert_eq!(expected.len(), 129);
        let req = ExecuteRequest::decode(&expected).unwrap();
        assert_eq!(
            req.flags,
            execute_flags::NO_COMPRESSION | execute_flags::NO_XOR_MAGIC
        );
        assert_eq!(req.max_rop_out, 0x10008);
        assert_eq!(req.rop_buffer, rop_buffer);
        assert_eq!(req.encode().unwrap(), expected);
        let payloads = req.rop_payloads().unwrap();
        assert_eq!(payloads.len(), 1);
        assert_eq!(payloads[0].len(), 105);
    }

    #[test]
    fn execute_request_with_missing_rop_bytes_is_truncated() {
        // ITS TC05: RopBufferSize announces bytes that never come (→ X-ResponseCode 12).
        let body = hex("03000000 71000000");
        assert!(matches!(
            ExecuteRequest::decode(&body),
            Err(WireError::Truncated { .. })
        ));
    }

    #[test]
    fn execute_failure_for_unparsable_rops_matches_t8() {
        // Fact sheet §11 T8: StatusCode 0, ErrorCode ecRpcFormat, Flags 0,
        // RopBufferSize 0, AuxiliaryBufferSize 0.
        let expected = hex("00000000 b6040000 00000000 00000000 00000000");
        let resp = ExecuteResponse::Success(ExecuteSuccess::failed(ec::RPC_FORMAT));
        assert_eq!(resp.encode().unwrap(), expected);
        assert_eq!(ExecuteResponse::decode(&expected).unwrap(), resp);
    }

    #[test]
    fn execute_success_frames_its_payload() {
        // Fact sheet §11 T5 (outer part): RopBufferSize 0xb4 and an
        // RPC_HEADER_EXT of v0, Last, Size = SizeActual = 0xac.
        let payload = vec![0x5a; 0xac];
        let resp = ExecuteResponse::Success(ExecuteSuccess::with_payload(&payload).unwrap());
        let bytes = resp.encode().unwrap();
        assert_eq!(
            &bytes[..24],
            hex("00000000 00000000 00000000 b4000000 00000400 ac00ac00")
        );
        assert_eq!(bytes.len(), 16 + 0xb4 + 4);
        let back = ExecuteResponse::decode(&bytes)
            .unwrap()
            .into_result()
            .unwrap();
        assert_eq!(back.rop_payloads().unwrap(), vec![payload]);
    }

    #[test]
    fn small_bodies_match_t9() {
        // Fact sheet §11 T9.
        assert_eq!(
            DisconnectRequest::default().encode().unwrap(),
            hex("00000000")
        );
        assert_eq!(
            DisconnectRequest::decode_lenient(&[]).unwrap(),
            DisconnectRequest::default()
        );
        assert!(DisconnectRequest::decode(&[]).is_err());
        let ok = DisconnectResponse::Success(ErrorCodeOnly::default());
        assert_eq!(ok.encode().unwrap(), hex("00000000 00000000 00000000"));
        assert_eq!(
            DisconnectResponse::decode(&hex("00000000 00000000 00000000")).unwrap(),
            ok
        );

        let wait = NotificationWaitRequest::default();
        assert_eq!(wait.encode().unwrap(), hex("00000000 00000000"));
        let pending = NotificationWaitResponse::Success(NotificationWaitSuccess {
            error_code: 0,
            event_pending: true,
            aux: vec![],
        });
        let bytes = hex("00000000 00000000 01000000 00000000");
        assert_eq!(pending.encode().unwrap(), bytes);
        assert_eq!(NotificationWaitResponse::decode(&bytes).unwrap(), pending);
    }

    #[test]
    fn ping_has_no_body() {
        // §2.2.6 / §3.2.5.3; ITS asserts a zero-length PING body.
        assert!(Ping.encode().unwrap().is_empty());
        assert_eq!(Ping::decode(&[]).unwrap(), Ping);
        assert!(Ping::decode(&[0]).is_err());
    }

    #[test]
    fn failure_bodies_decode_for_every_response_type() {
        let bytes = hex("15010480 00000000");
        let failure = FailureBody {
            status_code: 0x8004_0115,
            aux: vec![],
        };
        assert_eq!(
            ConnectResponse::decode(&bytes).unwrap(),
            Response::Failure(failure.clone())
        );
        assert_eq!(
            ExecuteResponse::decode(&bytes).unwrap(),
            Response::Failure(failure.clone())
        );
        assert_eq!(
            NotificationWaitResponse::decode(&bytes).unwrap(),
            Response::Failure(failure)
        );
    }
}
