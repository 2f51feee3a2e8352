//! The settings response (MS-OXDSCLI §2.2.4, example §4.4) and reading
//! any response back (probe side).

use uuid::Uuid;

use super::error::AutodiscoverError;
use super::xml::{Element, XmlOut, parse_tree};
use super::{OUTLOOK_RESPONSE_SCHEMA, RESPONSE_SCHEMA};
use crate::error::{Result, WireError};

/// Internal and external URL of one endpoint; at least one must be set
/// (MS-OXDSCLI §2.2.4.1.1.2.6). Send both: ruler reads AddressBook's
/// ExternalUrl only, Microsoft's test suite reads InternalUrl.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EndpointUrls {
    /// `InternalUrl`.
    pub internal: Option<String>,
    /// `ExternalUrl`.
    pub external: Option<String>,
}

impl EndpointUrls {
    /// The same URL inside and outside.
    pub fn both(url: impl Into<String>) -> Self {
        let url = url.into();
        EndpointUrls {
            internal: Some(url.clone()),
            external: Some(url),
        }
    }

    /// The URL a client outside the network would use, else the internal one.
    pub fn preferred_external(&self) -> Option<&str> {
        self.external.as_deref().or(self.internal.as_deref())
    }
}

/// The `<Protocol Type="mapiHttp">` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapiHttpProtocol {
    /// `Version` attribute: > 0 and ≤ the client's capability.
    pub version: u32,
    /// `MailStore`: the EMSMDB endpoint.
    pub mail_store: EndpointUrls,
    /// `AddressBook`: the NSPI endpoint.
    pub address_book: EndpointUrls,
}

/// An older-style `<Protocol>` with a `<Type>` child (EXCH, EXPR, EXHTTP,
/// WEB, …) and simple `name → text` settings, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LegacyProtocol {
    /// `Type` child element.
    pub protocol_type: String,
    /// Further child elements, e.g. `("Server", "mail.contoso.com")`.
    pub settings: Vec<(String, String)>,
}

/// The `User` element.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutodiscoverUser {
    /// `DisplayName`.
    pub display_name: String,
    /// `LegacyDN`.
    pub legacy_dn: String,
    /// `AutoDiscoverSMTPAddress`.
    pub smtp_address: String,
    /// `DeploymentId` (the organization's GUID), if known.
    pub deployment_id: Option<Uuid>,
}

/// A settings response (`Action` = `settings`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutodiscoverResponse {
    /// `User`.
    pub user: AutodiscoverUser,
    /// The mapiHttp protocol, only for clients that sent a valid
    /// `X-MapiHttpCapability` and mailboxes with MAPI/HTTP in effect.
    pub mapi_http: Option<MapiHttpProtocol>,
    /// Other protocols, written after mapiHttp. When mapiHttp is present
    /// the server must not include EXCH or EXPR (MS-OXDSCLI §3.2.5.1).
    pub legacy_protocols: Vec<LegacyProtocol>,
}

impl AutodiscoverResponse {
    /// The response document (MS-OXDSCLI §4.4 layout).
    pub fn to_xml(&self) -> Result<String> {
        let mut out = XmlOut::new()?;
        out.open("Autodiscover", &[("xmlns", RESPONSE_SCHEMA)])?;
        out.open("Response", &[("xmlns", OUTLOOK_RESPONSE_SCHEMA)])?;
        out.open("User", &[])?;
        out.leaf("DisplayName", &self.user.display_name)?;
        out.leaf("LegacyDN", &self.user.legacy_dn)?;
        out.leaf("AutoDiscoverSMTPAddress", &self.user.smtp_address)?;
        if let Some(id) = &self.user.deployment_id {
            out.leaf("DeploymentId", &id.hyphenated().to_string())?;
        }
        out.close("User")?;
        out.open("Account", &[])?;
        out.leaf("AccountType", "email")?;
        out.leaf("Action", "settings")?;
        if let Some(mapi) = &self.mapi_http {
            if mapi.version == 0 {
                return Err(WireError::invalid(
                    "mapiHttp Version",
                    "must be greater than 0",
                ));
            }
            let version = mapi.version.to_string();
            out.open("Protocol", &[("Type", "mapiHttp"), ("Version", &version)])?;
            for (name, urls) in [
                ("MailStore", &mapi.mail_store),
                ("AddressBook", &mapi.address_book),
            ] {
                if urls.internal.is_none() && urls.external.is_none() {
                    return Err(WireError::invalid(
                        "mapiHttp protocol",
                        format!("{name} needs a URL"),
                    ));
                }
                out.open(name, &[])?;
                if let Some(url) = &urls.internal {
                    out.leaf("InternalUrl", url)?;
                }
                if let Some(url) = &urls.external {
                    out.leaf("ExternalUrl", url)?;
                }
                out.close(name)?;
            }
            out.close("Protocol")?;
        }
        for protocol in &self.legacy_protocols {
            out.open("Protocol", &[])?;
            out.leaf("Type", &protocol.protocol_type)?;
            for (name, value) in &protocol.settings {
                out.leaf(name, value)?;
            }
            out.close("Protocol")?;
        }
        out.close("Account")?;
        out.close("Response")?;
        out.close("Autodiscover")?;
        out.finish()
    }
}

/// What an Autodiscover response said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AutodiscoverOutcome {
    /// `Action` settings.
    Settings(AutodiscoverResponse),
    /// An `Error` element.
    Error(AutodiscoverError),
    /// `Action` redirectAddr: ask again for this address.
    RedirectAddr(String),
    /// `Action` redirectUrl: ask again at this URL.
    RedirectUrl(String),
}

fn parse_urls(element: Option<&Element>) -> EndpointUrls {
    EndpointUrls {
        internal: element.and_then(|e| e.child_text("InternalUrl")),
        external: element.and_then(|e| e.child_text("ExternalUrl")),
    }
}

/// Parses a response document.
pub fn parse_response(xml: &[u8]) -> Result<AutodiscoverOutcome> {
    let root = parse_tree(xml)?;
    if root.name != "Autodiscover" {
        return Err(WireError::Xml(format!(
            "root element is {:?}, not Autodiscover",
            root.name
        )));
    }
    let response = root
        .child("Response")
        .ok_or_else(|| WireError::Xml("no Response element".into()))?;
    if let Some(error) = response.child("Error") {
        let code = error.child_text("ErrorCode").unwrap_or_default();
        return Ok(AutodiscoverOutcome::Error(AutodiscoverError {
            error_code: code
                .parse()
                .map_err(|_| WireError::Xml(format!("ErrorCode {code:?} is not a number")))?,
            message: error.child_text("Message").unwrap_or_default(),
            time: error.attribute("Time").unwrap_or_default().to_owned(),
            id: error.attribute("Id").unwrap_or_default().to_owned(),
            debug_data: error.child_text("DebugData").unwrap_or_default(),
        }));
    }
    let account = response
        .child("Account")
        .ok_or_else(|| WireError::Xml("no Account element".into()))?;
    match account.child_text("Action").as_deref() {
        Some("redirectAddr") => {
            return Ok(AutodiscoverOutcome::RedirectAddr(
                account.child_text("RedirectAddr").unwrap_or_default(),
            ));
        }
        Some("redirectUrl") => {
            return Ok(AutodiscoverOutcome::RedirectUrl(
                account.child_text("RedirectUrl").unwrap_or_default(),
            ));
        }
        _ => {}
    }
    let user = response.child("User");
    let text = |name: &str| user.and_then(|u| u.child_text(name)).unwrap_or_default();
    let mut out = AutodiscoverResponse {
        user: AutodiscoverUser {
            display_name: text("DisplayName"),
            legacy_dn: text("LegacyDN"),
            smtp_address: text("AutoDiscoverSMTPAddress"),
            deployment_id: user
                .and_then(|u| u.child_text("DeploymentId"))
                .and_then(|id| Uuid::parse_str(&id).ok()),
        },
        ..AutodiscoverResponse::default()
    };
    for protocol in account.children("Protocol") {
        if protocol.attribute("Type") == Some("mapiHttp") {
            let version = protocol.attribute("Version").unwrap_or("1");
            out.mapi_http = Some(MapiHttpProtocol {
                version: version.parse().map_err(|_| {
                    WireError::Xml(format!("mapiHttp Version {version:?} is not a number"))
                })?,
                mail_store: parse_urls(protocol.child("MailStore")),
                address_book: parse_urls(protocol.child("AddressBook")),
            });
        } else {
            out.legacy_protocols.push(LegacyProtocol {
                protocol_type: protocol.child_text("Type").unwrap_or_default(),
                settings: protocol
                    .children
                    .iter()
                    .filter(|c| c.name != "Type" && c.children.is_empty())
                    .map(|c| (c.name.clone(), c.text.trim().to_owned()))
                    .collect(),
            });
        }
    }
    Ok(AutodiscoverOutcome::Settings(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::autodiscover::mapi_url;
    use crate::request_type::Endpoint;

    fn sample() -> AutodiscoverResponse {
        let guid = Uuid::parse_str("416c6368-656d-794a-6f45-57615272456e").unwrap();
        AutodiscoverResponse {
            user: AutodiscoverUser {
                display_name: "Tom & Jerry <QA>".into(),
                legacy_dn: "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=tom".into(),
                smtp_address: "tom@contoso.com".into(),
                deployment_id: Some(Uuid::parse_str("8e85ca31-da1d-4277-a0f9-c86572a65bde").unwrap()),
            },
            mapi_http: Some(MapiHttpProtocol {
                version: 1,
                mail_store: EndpointUrls::both(mapi_url("mail.contoso.com", Endpoint::Emsmdb, &guid, "contoso.com")),
                address_book: EndpointUrls::both(mapi_url("mail.contoso.com", Endpoint::Nspi, &guid, "contoso.com")),
            }),
            legacy_protocols: vec![],
        }
    }

    #[test]
    fn mapi_http_response_has_the_spec_shape() {
        // Fact sheet §7.3 / MS-OXDSCLI §4.4: two namespaces, Type/Version as
        // attributes, MailStore and AddressBook with both URLs; escaping of
        // & and < in the display name.
        let expected = r#"<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>Tom &amp; Jerry &lt;QA&gt;</DisplayName>
      <LegacyDN>/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=tom</LegacyDN>
      <AutoDiscoverSMTPAddress>tom@contoso.com</AutoDiscoverSMTPAddress>
      <DeploymentId>8e85ca31-da1d-4277-a0f9-c86572a65bde</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol Type="mapiHttp" Version="1">
        <MailStore>
          <InternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</InternalUrl>
          <ExternalUrl>https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</ExternalUrl>
        </MailStore>
        <AddressBook>
          <InternalUrl>https://mail.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</InternalUrl>
          <ExternalUrl>https://mail.contoso.com/mapi/nspi/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com</ExternalUrl>
        </AddressBook>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>"#;
        let xml = sample().to_xml().unwrap();
        assert_eq!(xml, expected);
        assert_eq!(
            parse_response(xml.as_bytes()).unwrap(),
            AutodiscoverOutcome::Settings(sample())
        );
    }

    #[test]
    fn variant_without_mapi_http() {
        let mut resp = sample();
        resp.mapi_http = None;
        resp.legacy_protocols.push(LegacyProtocol {
            protocol_type: "EXHTTP".into(),
            settings: vec![
                ("Server".into(), "mail.contoso.com".into()),
                ("SSL".into(), "On".into()),
            ],
        });
        let xml = resp.to_xml().unwrap();
        assert!(!xml.contains("mapiHttp"));
        assert!(xml.contains(
            "<Protocol>\n        <Type>EXHTTP</Type>\n        <Server>mail.contoso.com</Server>"
        ));
        assert_eq!(
            parse_response(xml.as_bytes()).unwrap(),
            AutodiscoverOutcome::Settings(resp)
        );
    }

    #[test]
    fn invalid_settings_are_refused() {
        let mut resp = sample();
        if let Some(m) = resp.mapi_http.as_mut() {
            m.address_book = EndpointUrls::default();
        }
        assert!(resp.to_xml().is_err());
        let mut resp = sample();
        if let Some(m) = resp.mapi_http.as_mut() {
            m.version = 0;
        }
        assert!(resp.to_xml().is_err());
    }

    #[test]
    fn control_characters_cannot_break_the_document() {
        let mut resp = sample();
        resp.user.display_name = "bad\u{1}name".into();
        let xml = resp.to_xml().unwrap();
        let AutodiscoverOutcome::Settings(back) = parse_response(xml.as_bytes()).unwrap() else {
            panic!("settings expected")
        };
        assert_eq!(back.user.display_name, "bad\u{FFFD}name");
    }

    #[test]
    fn redirects_are_recognised() {
        let xml = format!(
            r#"<Autodiscover xmlns="{RESPONSE_SCHEMA}"><Response xmlns="{OUTLOOK_RESPONSE_SCHEMA}"><Account><Action>redirectAddr</Action><RedirectAddr>bill@home.com</RedirectAddr></Account></Response></Autodiscover>"#
        );
        assert_eq!(
            parse_response(xml.as_bytes()).unwrap(),
            AutodiscoverOutcome::RedirectAddr("bill@home.com".into())
        );
    }
}
