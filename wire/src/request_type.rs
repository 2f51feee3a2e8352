//! The `X-RequestType` header (MS-OXCMAPIHTTP §2.2.3.3.1).
//!
//! Parsing is case-insensitive because real clients disagree on case
//! (ruler sends `BIND`, gromox lower-cases NSPI names); printing always uses
//! the spec's spelling, including the odd `CompareMIds` / `DNToMId`.

use std::fmt;
use std::str::FromStr;

use crate::error::WireError;

/// Which of the two MAPI/HTTP endpoints a request goes to (§2.1, §2.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// The mailbox server endpoint, `/mapi/emsmdb/` (EMSMDB semantics).
    Emsmdb,
    /// The address book server endpoint, `/mapi/nspi/` (NSPI semantics).
    Nspi,
}

impl Endpoint {
    /// The endpoint a request path addresses: `/mapi/emsmdb` or
    /// `/mapi/nspi`, with or without a trailing slash or query, in any case
    /// (IIS matches paths case-insensitively).
    pub fn from_path(path: &str) -> Option<Endpoint> {
        let path = path.split_once('?').map_or(path, |(p, _)| p);
        let path = path.strip_suffix('/').unwrap_or(path);
        [Endpoint::Emsmdb, Endpoint::Nspi]
            .into_iter()
            .find(|e| path.eq_ignore_ascii_case(&format!("/mapi/{}", e.path_segment())))
    }

    /// The path segment used in endpoint URLs (`emsmdb` / `nspi`).
    pub fn path_segment(self) -> &'static str {
        match self {
            Endpoint::Emsmdb => "emsmdb",
            Endpoint::Nspi => "nspi",
        }
    }
}

macro_rules! request_types {
    ($($variant:ident => $name:literal, $section:literal, $endpoint:expr;)*) => {
        /// A value of `X-RequestType`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RequestType {
            $(
                #[doc = concat!("`", $name, "` (MS-OXCMAPIHTTP §", $section, ").")]
                $variant,
            )*
        }

        impl RequestType {
            /// Every request type, in the order of the spec's table.
            pub const ALL: &'static [RequestType] = &[$(RequestType::$variant),*];

            /// The canonical header value.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RequestType::$variant => $name,)*
                }
            }

            /// The endpoint(s) that accept this request type.
            pub fn endpoints(self) -> &'static [Endpoint] {
                match self {
                    $(RequestType::$variant => $endpoint,)*
                }
            }
        }
    };
}

const EMSMDB: &[Endpoint] = &[Endpoint::Emsmdb];
const NSPI: &[Endpoint] = &[Endpoint::Nspi];
const BOTH: &[Endpoint] = &[Endpoint::Emsmdb, Endpoint::Nspi];

request_types! {
    Connect => "Connect", "2.2.4.1", EMSMDB;
    Execute => "Execute", "2.2.4.2", EMSMDB;
    Disconnect => "Disconnect", "2.2.4.3", EMSMDB;
    NotificationWait => "NotificationWait", "2.2.4.4", EMSMDB;
    Ping => "PING", "2.2.6", BOTH;
    Bind => "Bind", "2.2.5.1", NSPI;
    Unbind => "Unbind", "2.2.5.2", NSPI;
    CompareMIds => "CompareMIds", "2.2.5.3", NSPI;
    DnToMId => "DNToMId", "2.2.5.4", NSPI;
    GetMatches => "GetMatches", "2.2.5.5", NSPI;
    GetPropList => "GetPropList", "2.2.5.6", NSPI;
    GetProps => "GetProps", "2.2.5.7", NSPI;
    GetSpecialTable => "GetSpecialTable", "2.2.5.8", NSPI;
    GetTemplateInfo => "GetTemplateInfo", "2.2.5.9", NSPI;
    ModLinkAtt => "ModLinkAtt", "2.2.5.10", NSPI;
    ModProps => "ModProps", "2.2.5.11", NSPI;
    QueryRows => "QueryRows", "2.2.5.12", NSPI;
    QueryColumns => "QueryColumns", "2.2.5.13", NSPI;
    ResolveNames => "ResolveNames", "2.2.5.14", NSPI;
    ResortRestriction => "ResortRestriction", "2.2.5.15", NSPI;
    SeekEntries => "SeekEntries", "2.2.5.16", NSPI;
    UpdateStat => "UpdateStat", "2.2.5.17", NSPI;
    GetMailboxUrl => "GetMailboxUrl", "2.2.5.18", NSPI;
    GetAddressBookUrl => "GetAddressBookUrl", "2.2.5.19", NSPI;
}

impl RequestType {
    /// Whether `endpoint` accepts this request type.
    pub fn is_valid_on(self, endpoint: Endpoint) -> bool {
        self.endpoints().contains(&endpoint)
    }
}

impl fmt::Display for RequestType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RequestType {
    type Err = WireError;

    /// Case-insensitive; surrounding whitespace is not accepted because a
    /// header value never carries any after the HTTP layer trims it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RequestType::ALL
            .iter()
            .copied()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| WireError::UnknownRequestType(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_names_follow_the_spec_table() {
        // MS-OXCMAPIHTTP §2.2.3.3.1 and fact sheet §3.1: 5 mailbox names,
        // 19 address book names + PING; note CompareMIds / DNToMId.
        let names: Vec<&str> = RequestType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "Connect",
                "Execute",
                "Disconnect",
                "NotificationWait",
                "PING",
                "Bind",
                "Unbind",
                "CompareMIds",
                "DNToMId",
                "GetMatches",
                "GetPropList",
                "GetProps",
                "GetSpecialTable",
                "GetTemplateInfo",
                "ModLinkAtt",
                "ModProps",
                "QueryRows",
                "QueryColumns",
                "ResolveNames",
                "ResortRestriction",
                "SeekEntries",
                "UpdateStat",
                "GetMailboxUrl",
                "GetAddressBookUrl",
            ]
        );
        let nspi = RequestType::ALL
            .iter()
            .filter(|t| t.is_valid_on(Endpoint::Nspi))
            .count();
        assert_eq!(nspi, 20);
        let emsmdb = RequestType::ALL
            .iter()
            .filter(|t| t.is_valid_on(Endpoint::Emsmdb))
            .count();
        assert_eq!(emsmdb, 5);
    }

    #[test]
    fn endpoints_from_paths() {
        assert_eq!(
            Endpoint::from_path("/mapi/emsmdb/?MailboxId=a@b"),
            Some(Endpoint::Emsmdb)
        );
        assert_eq!(Endpoint::from_path("/MAPI/NSPI"), Some(Endpoint::Nspi));
        assert_eq!(Endpoint::from_path("/mapi/nspi/"), Some(Endpoint::Nspi));
        assert_eq!(Endpoint::from_path("/mapi/healthcheck.htm"), None);
        assert_eq!(Endpoint::from_path("/mapi/emsmdbx/"), None);
    }

    #[test]
    fn parsing_ignores_case_and_round_trips() {
        assert_eq!("BIND".parse::<RequestType>().unwrap(), RequestType::Bind);
        assert_eq!("ping".parse::<RequestType>().unwrap(), RequestType::Ping);
        assert_eq!(
            "dntomid".parse::<RequestType>().unwrap(),
            RequestType::DnToMId
        );
        assert_eq!(
            "querycolumns".parse::<RequestType>().unwrap(),
            RequestType::QueryColumns
        );
        for t in RequestType::ALL {
            assert_eq!(t.to_string().parse::<RequestType>().unwrap(), *t);
        }
        // ITS TC03 sends this value and expects X-ResponseCode 5.
        assert_eq!(
            "invalidValue".parse::<RequestType>(),
            Err(WireError::UnknownRequestType("invalidValue".into()))
        );
        assert!("".parse::<RequestType>().is_err());
        assert!(" Bind".parse::<RequestType>().is_err());
    }
}
