//! Bind, Unbind, GetMailboxUrl and GetAddressBookUrl bodies (MS-OXCMAPIHTTP
//! §2.2.5.1, §2.2.5.2, §2.2.5.18, §2.2.5.19).

use uuid::Uuid;

use crate::body::{ErrorCodeOnly, Response};
use crate::buf::{Codec, Reader, Writer};
use crate::ec;
use crate::error::Result;

#[cfg(doc)]
use super::flags::BIND_FLAG_ANONYMOUS_LOGIN;
use super::stat::{Stat, read_optional_stat, write_optional_stat};

/// Bind request body (§2.2.5.1.1; NspiBind).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BindRequest {
    /// `Flags`; see [`BIND_FLAG_ANONYMOUS_LOGIN`].
    pub flags: u32,
    /// `HasState` + `State`.
    pub state: Option<Stat>,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for BindRequest {
    const NAME: &'static str = "Bind request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        write_optional_stat(w, &self.state)?;
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(BindRequest {
            flags: r.u32("Flags")?,
            state: read_optional_stat(r)?,
            aux: r.aux()?,
        })
    }
}

/// Bind success body after `StatusCode` (§2.2.5.1.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `ServerGuid`: the server's own GUID (Microsoft byte order on the wire).
    pub server_guid: Uuid,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for BindSuccess {
    const NAME: &'static str = "Bind response body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.guid(&self.server_guid);
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(BindSuccess {
            error_code: r.u32("ErrorCode")?,
            server_guid: r.guid("ServerGuid")?,
            aux: r.aux()?,
        })
    }
}

/// A Bind response body.
pub type BindResponse = Response<BindSuccess>;

/// Unbind request body (§2.2.5.2.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UnbindRequest {
    /// `Reserved`: 0.
    pub reserved: u32,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for UnbindRequest {
    const NAME: &'static str = "Unbind request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.reserved);
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(UnbindRequest {
            reserved: r.u32("Reserved")?,
            aux: r.aux()?,
        })
    }
}

/// Unbind success body after `StatusCode` (§2.2.5.2.2). Success is
/// `ErrorCode` = [`ec::nspi::UNBIND_SUCCESS`] (1), not 0.
pub type UnbindSuccess = ErrorCodeOnly;
/// An Unbind response body.
pub type UnbindResponse = Response<UnbindSuccess>;

/// The successful Unbind answer.
pub fn unbind_success() -> UnbindResponse {
    Response::Success(ErrorCodeOnly {
        error_code: ec::nspi::UNBIND_SUCCESS,
        aux: Vec::new(),
    })
}

/// Request body of GetMailboxUrl (§2.2.5.18.1) and GetAddressBookUrl
/// (§2.2.5.19.1): `Flags`, a UTF-16 DN, aux. The DN is the server DN for
/// GetMailboxUrl and the user DN for GetAddressBookUrl.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlRequest {
    /// `Flags`: 0, ignored.
    pub flags: u32,
    /// `ServerDn` (GetMailboxUrl) or `UserDn` (GetAddressBookUrl).
    pub dn: String,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for UrlRequest {
    const NAME: &'static str = "GetMailboxUrl/GetAddressBookUrl request body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.flags);
        w.utf16z(&self.dn, "DN")?;
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(UrlRequest {
            flags: r.u32("Flags")?,
            dn: r.utf16z("DN")?,
            aux: r.aux()?,
        })
    }
}

/// Success body after `StatusCode` of GetMailboxUrl (§2.2.5.18.2) and
/// GetAddressBookUrl (§2.2.5.19.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct UrlSuccess {
    /// `ErrorCode`.
    pub error_code: u32,
    /// `ServerUrl` (UTF-16): the EMSMDB or NSPI endpoint URL.
    pub server_url: String,
    /// `AuxiliaryBuffer`.
    pub aux: Vec<u8>,
}

impl Codec for UrlSuccess {
    const NAME: &'static str = "GetMailboxUrl/GetAddressBookUrl response body";

    fn write_to(&self, w: &mut Writer) -> Result<()> {
        w.u32(self.error_code);
        w.utf16z(&self.server_url, "ServerUrl")?;
        w.aux(&self.aux)
    }

    fn read_from(r: &mut Reader<'_>) -> Result<Self> {
        Ok(UrlSuccess {
            error_code: r.u32("ErrorCode")?,
            server_url: r.utf16z("ServerUrl")?,
            aux: r.aux()?,
        })
    }
}

/// GetMailboxUrl request body.
pub type GetMailboxUrlRequest = UrlRequest;
/// GetMailboxUrl response body.
pub type GetMailboxUrlResponse = Response<UrlSuccess>;
/// GetAddressBookUrl request body.
pub type GetAddressBookUrlRequest = UrlRequest;
/// GetAddressBookUrl response body.
pub type GetAddressBookUrlResponse = Response<UrlSuccess>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    fn probe_stat() -> Stat {
        Stat {
            code_page: 1252,
            template_locale: 0x409,
            sort_locale: 0x409,
            ..Stat::default()
        }
    }

    #[test]
    fn bind_requests_match_t9() {
        // Fact sheet §11 T9: without STAT (9 bytes) and with STAT cp 1252,
        // locales 0x409 (45 bytes).
        let bare = BindRequest::default();
        assert_eq!(bare.encode().unwrap(), hex("00000000 00 00000000"));
        let with_stat = BindRequest {
            state: Some(probe_stat()),
            ..BindRequest::default()
        };
        let expected = hex("00000000 01
             00000000 00000000 00000000 00000000 00000000 00000000 e4040000 09040000 09040000
             00000000");
        assert_eq!(expected.len(), 45);
        assert_eq!(with_stat.encode().unwrap(), expected);
        assert_eq!(BindRequest::decode(&expected).unwrap(), with_stat);
        // ruler sends HasState 0xFF: any non-zero byte is true.
        let mut ff = expected.clone();
        ff[4] = 0xff;
        assert_eq!(BindRequest::decode(&ff).unwrap(), with_stat);
    }

    #[test]
    fn stat_delta_is_signed() {
        let stat = Stat {
            delta: -1,
            ..Stat::default()
        };
        let bytes = stat.encode().unwrap();
        assert_eq!(bytes.len(), Stat::LEN);
        assert_eq!(&bytes[12..16], hex("ffffffff"));
        assert_eq!(Stat::decode(&bytes).unwrap(), stat);
    }

    #[test]
    fn bind_response_matches_t9() {
        // Fact sheet §11 T9: ServerGuid 01234567-89ab-cdef-0123-456789abcdef.
        let expected = hex("00000000 00000000 67452301 ab89efcd 01234567 89abcdef 00000000");
        assert_eq!(expected.len(), 28);
        let resp = BindResponse::Success(BindSuccess {
            error_code: 0,
            server_guid: Uuid::parse_str("01234567-89ab-cdef-0123-456789abcdef").unwrap(),
            aux: vec![],
        });
        assert_eq!(resp.encode().unwrap(), expected);
        assert_eq!(BindResponse::decode(&expected).unwrap(), resp);
    }

    #[test]
    fn unbind_matches_t9() {
        // Fact sheet §11 T9; UnbindSuccess = 1 (MS-OXNSPI §3.1.4.1.2).
        assert_eq!(
            UnbindRequest::default().encode().unwrap(),
            hex("00000000 00000000")
        );
        let bytes = hex("00000000 01000000 00000000");
        assert_eq!(unbind_success().encode().unwrap(), bytes);
        assert_eq!(UnbindResponse::decode(&bytes).unwrap(), unbind_success());
    }

    fn utf16z(s: &str) -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    }

    #[test]
    fn get_mailbox_url_matches_t9() {
        // Fact sheet §11 T9: Flags 0 + utf16z ServerDn + aux; response
        // StatusCode, ErrorCode, utf16z ServerUrl, aux.
        let dn = "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=a1b2@contoso.com";
        let mut expected = hex("00000000");
        expected.extend(utf16z(dn));
        expected.extend(hex("00000000"));
        let req = GetMailboxUrlRequest {
            flags: 0,
            dn: dn.into(),
            aux: vec![],
        };
        assert_eq!(req.encode().unwrap(), expected);
        assert_eq!(GetMailboxUrlRequest::decode(&expected).unwrap(), req);

        let url = "https://mail.contoso.com/mapi/emsmdb/?MailboxId=a1b2@contoso.com";
        let mut expected = hex("00000000 00000000");
        expected.extend(utf16z(url));
        expected.extend(hex("00000000"));
        let resp = GetMailboxUrlResponse::Success(UrlSuccess {
            error_code: 0,
            server_url: url.into(),
            aux: vec![],
        });
        assert_eq!(resp.encode().unwrap(), expected);
        assert_eq!(GetMailboxUrlResponse::decode(&expected).unwrap(), resp);
    }

    #[test]
    fn get_address_book_url_round_trips() {
        let req = GetAddressBookUrlRequest {
            flags: 0,
            dn: "/o=Contoso/cn=user1".into(),
            aux: vec![1, 2],
        };
        assert_eq!(
            GetAddressBookUrlRequest::decode(&req.encode().unwrap()).unwrap(),
            req
        );
        let resp = GetAddressBookUrlResponse::Success(UrlSuccess {
            error_code: 0,
            server_url: "https://mail.contoso.com/mapi/nspi/?MailboxId=a1b2@contoso.com".into(),
            aux: vec![],
        });
        assert_eq!(
            GetAddressBookUrlResponse::decode(&resp.encode().unwrap()).unwrap(),
            resp
        );
    }
}
