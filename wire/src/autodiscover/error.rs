//! Autodiscover error responses (MS-OXDSCLI §2.2.4; element layout as
//! Exchange sends it, fact sheet §7.3).

use super::RESPONSE_SCHEMA;
use super::xml::XmlOut;
use crate::error::Result;

/// An `<Error>` response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutodiscoverError {
    /// `ErrorCode`, e.g. 500, 600, 601.
    pub error_code: u32,
    /// `Message`.
    pub message: String,
    /// `Time` attribute, `hh:mm:ss.fffffff` in Exchange.
    pub time: String,
    /// `Id` attribute: a server-chosen correlation number.
    pub id: String,
    /// `DebugData` (usually empty).
    pub debug_data: String,
}

impl AutodiscoverError {
    /// What Exchange answers for an address with no mailbox:
    /// `500` / `The email address can't be found.` (Exchange on-premises
    /// behaviour recorded in Microsoft's "Autodiscover - E-mail address
    /// cannot be found" support article and client libraries).
    pub fn address_not_found(time: impl Into<String>, id: impl Into<String>) -> Self {
        AutodiscoverError {
            error_code: 500,
            message: "The email address can't be found.".into(),
            time: time.into(),
            id: id.into(),
            debug_data: String::new(),
        }
    }

    /// `600` / `Invalid Request` (fact sheet §7.3).
    pub fn invalid_request(time: impl Into<String>, id: impl Into<String>) -> Self {
        AutodiscoverError {
            error_code: 600,
            message: "Invalid Request".into(),
            time: time.into(),
            id: id.into(),
            debug_data: String::new(),
        }
    }

    /// `601` / `Provider is not available`: the requested
    /// AcceptableResponseSchema is not served (fact sheet §7.3).
    pub fn provider_unavailable(time: impl Into<String>, id: impl Into<String>) -> Self {
        AutodiscoverError {
            error_code: 601,
            message: "Provider is not available".into(),
            time: time.into(),
            id: id.into(),
            debug_data: String::new(),
        }
    }

    /// The error document. Like Exchange, the inner `Response` carries no
    /// namespace of its own.
    pub fn to_xml(&self) -> Result<String> {
        let mut out = XmlOut::new()?;
        out.open("Autodiscover", &[("xmlns", RESPONSE_SCHEMA)])?;
        out.open("Response", &[])?;
        out.open("Error", &[("Time", &self.time), ("Id", &self.id)])?;
        out.leaf("ErrorCode", &self.error_code.to_string())?;
        out.leaf("Message", &self.message)?;
        if self.debug_data.is_empty() {
            out.empty("DebugData")?;
        } else {
            out.leaf("DebugData", &self.debug_data)?;
        }
        out.close("Error")?;
        out.close("Response")?;
        out.close("Autodiscover")?;
        out.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autodiscover::{AutodiscoverOutcome, parse_response};

    #[test]
    fn address_not_found_error_matches_exchange() {
        // Exchange's answer for an unknown address, as recorded in
        // Microsoft's support article (fact sheet §7.3 gives the layout).
        let err = AutodiscoverError::address_not_found("12:03:32.8803744", "2422600485");
        let expected = r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response>
    <Error Time="12:03:32.8803744" Id="2422600485">
      <ErrorCode>500</ErrorCode>
      <Message>The email address can't be found.</Message>
      <DebugData/>
    </Error>
  </Response>
</Autodiscover>"#;
        let xml = err.to_xml().unwrap();
        assert_eq!(xml, expected);
        assert_eq!(
            parse_response(xml.as_bytes()).unwrap(),
            AutodiscoverOutcome::Error(err)
        );
        let invalid = AutodiscoverError::invalid_request("1", "2")
            .to_xml()
            .unwrap();
        assert!(invalid.contains("<ErrorCode>600</ErrorCode>"));
        assert!(invalid.contains("<Message>Invalid Request</Message>"));
    }
}
