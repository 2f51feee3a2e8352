//! Outlook POX Autodiscover (MS-OXDSCLI) as far as MAPI over HTTP needs it:
//! the request a client POSTs to `/autodiscover/autodiscover.xml`, the
//! settings response with its `<Protocol Type="mapiHttp" Version="1">`
//! element (MS-OXDSCLI §2.2.4.1.1.2.6, example §4.4), the variant for clients
//! without `X-MapiHttpCapability`, and error responses.
//!
//! XML is read with quick-xml into a small element tree (local names only:
//! clients differ in namespace prefixes) and written with quick-xml's
//! writer, which does the escaping. DOCTYPEs are refused, so no entity
//! tricks reach us.

mod error;
mod request;
mod response;
mod xml;

pub use error::AutodiscoverError;
pub use request::AutodiscoverRequest;
pub use response::{
    AutodiscoverOutcome, AutodiscoverResponse, AutodiscoverUser, EndpointUrls, LegacyProtocol,
    MapiHttpProtocol, parse_response,
};

use uuid::Uuid;

use crate::request_type::Endpoint;

/// Namespace of the request's root element.
pub const REQUEST_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
/// Namespace of the response's root element.
pub const RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
/// The Outlook response schema: the usual `AcceptableResponseSchema` and the
/// namespace of the inner `Response` element.
pub const OUTLOOK_RESPONSE_SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
/// The request header by which a client announces MAPI/HTTP support
/// (MS-OXDSCLI §3.1.4, §3.2.5.1).
pub const MAPI_HTTP_CAPABILITY_HEADER: &str = "X-MapiHttpCapability";
/// The path Outlook posts to (match it case-insensitively).
pub const AUTODISCOVER_PATH: &str = "/autodiscover/autodiscover.xml";
/// Highest mapiHttp response format this crate writes.
pub const MAPI_HTTP_VERSION: u32 = 1;

/// The mapiHttp `Version` to answer with, given the client's
/// `X-MapiHttpCapability` value: `None` if the header is absent or invalid
/// (not an integer > 0), which the server must treat alike
/// (MS-OXDSCLI §3.2.5.1).
pub fn negotiate_mapi_http_version(header: Option<&str>) -> Option<u32> {
    let offered: u32 = header?.trim().parse().ok()?;
    (offered > 0).then(|| offered.min(MAPI_HTTP_VERSION))
}

/// An endpoint URL as Autodiscover hands it out:
/// `https://<host>/mapi/<emsmdb|nspi>/?MailboxId=<guid>@<domain>`
/// (MS-OXDSCLI §4.4, fact sheet §1.1).
pub fn mapi_url(host: &str, endpoint: Endpoint, mailbox_guid: &Uuid, domain: &str) -> String {
    mapi_url_from_base(
        &format!("https://{host}/mapi"),
        endpoint,
        mailbox_guid,
        domain,
    )
}

/// Like [`mapi_url`], starting from a MAPI virtual directory URL such as
/// `https://mail.contoso.com/mapi` (a trailing `/` is fine).
pub fn mapi_url_from_base(
    base: &str,
    endpoint: Endpoint,
    mailbox_guid: &Uuid,
    domain: &str,
) -> String {
    format!(
        "{}/{}/?MailboxId={}@{}",
        base.trim_end_matches('/'),
        endpoint.path_segment(),
        mailbox_guid.hyphenated(),
        domain
    )
}

/// Splits the `MailboxId=<id>@<domain>` parameter out of an endpoint URL or
/// its query string, as `(id, domain)`. The parameter name matches in any
/// case (gromox matches the whole prefix case-insensitively); the split is
/// at the last `@`.
pub fn parse_mailbox_id(url_or_query: &str) -> Option<(&str, &str)> {
    let query = url_or_query
        .split_once('?')
        .map_or(url_or_query, |(_, q)| q);
    let value = query.split('&').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.eq_ignore_ascii_case("MailboxId").then_some(value)
    })?;
    let (id, domain) = value.rsplit_once('@')?;
    (!id.is_empty() && !domain.is_empty()).then_some((id, domain))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_header_negotiation() {
        // MS-OXDSCLI §3.2.5.1: valid = integer > 0; version ≤ the header.
        assert_eq!(negotiate_mapi_http_version(Some("1")), Some(1));
        assert_eq!(negotiate_mapi_http_version(Some("2")), Some(1));
        assert_eq!(negotiate_mapi_http_version(Some("0")), None);
        assert_eq!(negotiate_mapi_http_version(Some("yes")), None);
        assert_eq!(negotiate_mapi_http_version(None), None);
    }

    #[test]
    fn endpoint_urls_have_the_documented_shape() {
        // MS-OXDSCLI §4.4 example URL.
        let guid = Uuid::parse_str("416c6368-656d-794a-6f45-57615272456e").unwrap();
        assert_eq!(
            mapi_url("mail.contoso.com", Endpoint::Emsmdb, &guid, "Contoso.com"),
            "https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@Contoso.com"
        );
        assert_eq!(
            mapi_url_from_base(
                "https://mail.contoso.com/mapi/",
                Endpoint::Nspi,
                &guid,
                "Contoso.com"
            ),
            "https://mail.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@Contoso.com"
        );
    }

    #[test]
    fn mailbox_id_is_parsed_back_out_of_urls() {
        let url = "https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@Contoso.com";
        assert_eq!(
            parse_mailbox_id(url),
            Some(("416c6368-656d-794a-6f45-57615272456e", "Contoso.com"))
        );
        assert_eq!(parse_mailbox_id("mailboxid=a@b&x=1"), Some(("a", "b")));
        assert_eq!(parse_mailbox_id("/mapi/emsmdb/"), None);
        assert_eq!(parse_mailbox_id("?MailboxId=nodomain"), None);
        assert_eq!(parse_mailbox_id("?MailboxId=@x"), None);
    }
}
