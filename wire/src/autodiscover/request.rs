//! The POX Autodiscover request (MS-OXDSCLI §2.2, fact sheet §7.1).

use super::xml::{XmlOut, parse_tree};
use super::{OUTLOOK_RESPONSE_SCHEMA, REQUEST_SCHEMA};
use crate::error::{Result, WireError};

/// The fields of a POX Autodiscover request (MS-OXDSCLI §2.2, fact sheet §7.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutodiscoverRequest {
    /// `EMailAddress`.
    pub email_address: Option<String>,
    /// `LegacyDN`; takes precedence over the address when both are given
    /// (MS-OXDSCLI §3.2.5).
    pub legacy_dn: Option<String>,
    /// `AcceptableResponseSchema`.
    pub acceptable_response_schema: Option<String>,
}

impl AutodiscoverRequest {
    /// A request for `email` asking for the Outlook response schema.
    pub fn for_email(email: impl Into<String>) -> Self {
        AutodiscoverRequest {
            email_address: Some(email.into()),
            legacy_dn: None,
            acceptable_response_schema: Some(OUTLOOK_RESPONSE_SCHEMA.into()),
        }
    }

    /// Parses a request body. Element names match by local name; the root
    /// must be `Autodiscover` with a `Request` child.
    pub fn parse(xml: &[u8]) -> Result<Self> {
        let root = parse_tree(xml)?;
        if root.name != "Autodiscover" {
            return Err(WireError::Xml(format!(
                "root element is {:?}, not Autodiscover",
                root.name
            )));
        }
        let request = root
            .child("Request")
            .ok_or_else(|| WireError::Xml("no Request element".into()))?;
        let non_empty = |v: Option<String>| v.filter(|s| !s.is_empty());
        Ok(AutodiscoverRequest {
            email_address: non_empty(request.child_text("EMailAddress")),
            legacy_dn: non_empty(request.child_text("LegacyDN")),
            acceptable_response_schema: non_empty(request.child_text("AcceptableResponseSchema")),
        })
    }

    /// The request document (for the probe client).
    pub fn to_xml(&self) -> Result<String> {
        let mut out = XmlOut::new()?;
        out.open("Autodiscover", &[("xmlns", REQUEST_SCHEMA)])?;
        out.open("Request", &[])?;
        if let Some(v) = &self.email_address {
            out.leaf("EMailAddress", v)?;
        }
        if let Some(v) = &self.legacy_dn {
            out.leaf("LegacyDN", v)?;
        }
        if let Some(v) = &self.acceptable_response_schema {
            out.leaf("AcceptableResponseSchema", v)?;
        }
        out.close("Request")?;
        out.close("Autodiscover")?;
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T12_REQUEST: &str = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>user@example.com</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>"#;

    #[test]
    fn parses_the_t12_request() {
        // Fact sheet §11 T12.
        let req = AutodiscoverRequest::parse(T12_REQUEST.as_bytes()).unwrap();
        assert_eq!(req, AutodiscoverRequest::for_email("user@example.com"));
        let again = AutodiscoverRequest::parse(req.to_xml().unwrap().as_bytes()).unwrap();
        assert_eq!(again, req);
    }

    #[test]
    fn request_parsing_handles_prefixes_entities_and_bom() {
        let xml = "\u{feff}<?xml version=\"1.0\"?>\n<a:Autodiscover xmlns:a=\"x\"><a:Request>\
            <a:EMailAddress> o&apos;brien&#64;example.com </a:EMailAddress>\
            <a:LegacyDN><![CDATA[/o=A&B]]></a:LegacyDN></a:Request></a:Autodiscover>";
        let req = AutodiscoverRequest::parse(xml.as_bytes()).unwrap();
        assert_eq!(req.email_address.as_deref(), Some("o'brien@example.com"));
        assert_eq!(req.legacy_dn.as_deref(), Some("/o=A&B"));
        assert_eq!(req.acceptable_response_schema, None);
    }

    #[test]
    fn request_parsing_rejects_bad_documents() {
        for bad in [
            &b""[..],
            b"not xml at all <",
            b"<Autodiscover><Request>",
            b"<Other><Request/></Other>",
            b"<Autodiscover/>",
            b"<!DOCTYPE x [<!ENTITY e \"boom\">]><Autodiscover><Request/></Autodiscover>",
            b"<Autodiscover><Request><EMailAddress>&e;</EMailAddress></Request></Autodiscover>",
            b"<Autodiscover><Request/></Autodiscover><Autodiscover/>",
            b"<Autodiscover><Request></Wrong></Autodiscover>",
            b"\xff\xfe<\x00",
        ] {
            assert!(
                AutodiscoverRequest::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(AutodiscoverRequest::parse(deep.as_bytes()).is_err());
    }
}
