//! Session cookies (MS-OXCMAPIHTTP §3.2.5.1, §3.1.5.1).
//!
//! The server chooses cookie names and values; the client returns all of
//! them on every request. We use Exchange's names (`MapiContext` for the
//! session, `MapiSequence` for the request sequence). Values are opaque
//! tokens here; this module only parses `Cookie` headers and formats and
//! parses `Set-Cookie` lines (RFC 6265 §4.1, §5.2, §5.4).

use crate::error::{Result, WireError};

/// The Session Context cookie name Exchange uses.
pub const SESSION_COOKIE: &str = "MapiContext";
/// The request sequence cookie name Exchange uses.
pub const SEQUENCE_COOKIE: &str = "MapiSequence";

/// Splits a `Cookie` header value into `(name, value)` pairs, in order.
///
/// Lenient like browsers and servers are: pieces without `=` or with an
/// empty name are skipped, whitespace around names and values is trimmed,
/// and a value in double quotes loses its quotes.
pub fn parse_cookie_header(value: &str) -> Vec<(&str, &str)> {
    value
        .split(';')
        .filter_map(|piece| {
            let (name, value) = piece.split_once('=')?;
            let name = name.trim();
            if name.is_empty() {
                return None;
            }
            Some((name, unquote(value.trim())))
        })
        .collect()
}

fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// The value of the first cookie called `name` (case-sensitive, as cookie
/// names are) in a `Cookie` header value.
pub fn find_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    parse_cookie_header(header)
        .into_iter()
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v)
}

/// RFC 6265 `token` for cookie names.
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// RFC 6265 `cookie-octet`s: printable ASCII without space, `"`, `,`, `;`, `\`.
fn is_cookie_value(s: &str) -> bool {
    s.bytes()
        .all(|b| matches!(b, 0x21 | 0x23..=0x2B | 0x2D..=0x3A | 0x3C..=0x5B | 0x5D..=0x7E))
}

/// One `Set-Cookie` header value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SetCookie {
    /// Cookie name.
    pub name: String,
    /// Cookie value.
    pub value: String,
    /// `Path` attribute; Exchange Online uses `/mapi/`. Separate paths (or
    /// names) keep EMSMDB and NSPI cookies apart in a shared cookie jar.
    pub path: Option<String>,
    /// `Max-Age` in seconds; `Some(0)` deletes the cookie.
    pub max_age: Option<u64>,
    /// `Expires`, an HTTP date, for clients that ignore `Max-Age`.
    pub expires: Option<String>,
    /// `Secure`.
    pub secure: bool,
    /// `HttpOnly`.
    pub http_only: bool,
}

impl SetCookie {
    /// A plain session cookie with no attributes.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        SetCookie {
            name: name.into(),
            value: value.into(),
            ..SetCookie::default()
        }
    }

    /// A cookie that tells the client to drop `name` (after Disconnect /
    /// Unbind, §3.2.5.4).
    pub fn expired(name: impl Into<String>) -> Self {
        SetCookie {
            name: name.into(),
            max_age: Some(0),
            expires: Some("Thu, 01 Jan 1970 00:00:00 GMT".into()),
            ..SetCookie::default()
        }
    }

    /// Sets `Path`.
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// The header value, e.g. `MapiContext=abc; Path=/mapi/; Secure; HttpOnly`.
    ///
    /// Fails if the name is not a token or the value or an attribute holds
    /// characters a cookie cannot carry, rather than emitting a header the
    /// client would misread.
    pub fn to_header_value(&self) -> Result<String> {
        if !is_token(&self.name) {
            return Err(WireError::invalid(
                "cookie name",
                format!("{:?}", self.name),
            ));
        }
        if !is_cookie_value(&self.value) {
            return Err(WireError::invalid(
                "cookie value",
                format!("{:?}", self.value),
            ));
        }
        let mut out = format!("{}={}", self.name, self.value);
        if let Some(path) = &self.path {
            if path.bytes().any(|b| b == b';' || b.is_ascii_control()) {
                return Err(WireError::invalid("cookie Path", format!("{path:?}")));
            }
            out.push_str("; Path=");
            out.push_str(path);
        }
        if let Some(expires) = &self.expires {
            if expires.bytes().any(|b| b == b';' || b.is_ascii_control()) {
                return Err(WireError::invalid("cookie Expires", format!("{expires:?}")));
            }
            out.push_str("; Expires=");
            out.push_str(expires);
        }
        if let Some(max_age) = self.max_age {
            out.push_str(&format!("; Max-Age={max_age}"));
        }
        if self.secure {
            out.push_str("; Secure");
        }
        if self.http_only {
            out.push_str("; HttpOnly");
        }
        Ok(out)
    }

    /// Parses a `Set-Cookie` header value (the probe reads the server's).
    /// Unknown attributes are ignored; attribute names match in any case.
    pub fn parse(line: &str) -> Result<Self> {
        let mut parts = line.split(';');
        let first = parts.next().unwrap_or_default();
        let (name, value) = first
            .split_once('=')
            .ok_or_else(|| WireError::invalid("Set-Cookie", format!("no '=' in {first:?}")))?;
        let name = name.trim();
        if name.is_empty() {
            return Err(WireError::invalid("Set-Cookie", "empty cookie name"));
        }
        let mut cookie = SetCookie::new(name, unquote(value.trim()));
        for attribute in parts {
            let (key, val) = match attribute.split_once('=') {
                Some((k, v)) => (k.trim(), Some(v.trim())),
                None => (attribute.trim(), None),
            };
            match (key.to_ascii_lowercase().as_str(), val) {
                ("path", Some(v)) => cookie.path = Some(v.to_owned()),
                ("expires", Some(v)) => cookie.expires = Some(v.to_owned()),
                ("max-age", Some(v)) => {
                    // RFC 6265 §5.2.2: a non-positive Max-Age expires the cookie.
                    cookie.max_age = match v.parse::<i64>() {
                        Ok(n) => Some(u64::try_from(n).unwrap_or(0)),
                        Err(_) => cookie.max_age,
                    }
                }
                ("secure", _) => cookie.secure = true,
                ("httponly", _) => cookie.http_only = true,
                _ => {}
            }
        }
        Ok(cookie)
    }

    /// Whether this `Set-Cookie` removes the cookie.
    pub fn is_removal(&self) -> bool {
        self.max_age == Some(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_header_from_outlook() {
        // Fact sheet §11 T11 (Outlook 16 → Office 365 PING): three cookies.
        let header = "MapiContext=MAPIAAAAAOabc; MapiRouting=xyz; MapiSequence=474-nbWQMw==";
        let pairs = parse_cookie_header(header);
        assert_eq!(
            pairs,
            [
                ("MapiContext", "MAPIAAAAAOabc"),
                ("MapiRouting", "xyz"),
                ("MapiSequence", "474-nbWQMw==")
            ]
        );
        assert_eq!(find_cookie(header, SEQUENCE_COOKIE), Some("474-nbWQMw=="));
        assert_eq!(find_cookie(header, "mapicontext"), None);
    }

    #[test]
    fn cookie_header_is_parsed_leniently() {
        assert_eq!(parse_cookie_header(""), []);
        assert_eq!(
            parse_cookie_header("junk; =x; a=\"q\" ;b="),
            [("a", "q"), ("b", "")]
        );
        // ITS TC04 sends this value; parsing keeps it, the server decides (→ 6).
        assert_eq!(
            find_cookie("MapiContext=Invalid cookie", SESSION_COOKIE),
            Some("Invalid cookie")
        );
    }

    #[test]
    fn set_cookie_formats_and_parses_back() {
        let mut cookie = SetCookie::new(SESSION_COOKIE, "s3ss10n").with_path("/mapi/emsmdb/");
        cookie.secure = true;
        cookie.http_only = true;
        let line = cookie.to_header_value().unwrap();
        assert_eq!(
            line,
            "MapiContext=s3ss10n; Path=/mapi/emsmdb/; Secure; HttpOnly"
        );
        assert_eq!(SetCookie::parse(&line).unwrap(), cookie);

        let gone = SetCookie::expired(SEQUENCE_COOKIE);
        let line = gone.to_header_value().unwrap();
        assert_eq!(
            line,
            "MapiSequence=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0"
        );
        let back = SetCookie::parse(&line).unwrap();
        assert!(back.is_removal());
        assert_eq!(back, gone);
    }

    #[test]
    fn set_cookie_as_exchange_online_sends_it() {
        // Fact sheet §5.1 / T11: `MapiRouting=…; path=/mapi/; secure; HttpOnly`.
        let c = SetCookie::parse("MapiRouting=abc; path=/mapi/; secure; HttpOnly").unwrap();
        assert_eq!(c.path.as_deref(), Some("/mapi/"));
        assert!(c.secure && c.http_only);
        assert!(SetCookie::parse("Max-Age=5").is_ok());
        assert!(SetCookie::parse("novalue").is_err());
        assert!(SetCookie::parse("=v").is_err());
        assert_eq!(
            SetCookie::parse("a=b; Max-Age=-3").unwrap().max_age,
            Some(0)
        );
    }

    #[test]
    fn set_cookie_refuses_unsafe_content() {
        assert!(
            SetCookie::new("Mapi Context", "v")
                .to_header_value()
                .is_err()
        );
        assert!(
            SetCookie::new("MapiContext", "a;b")
                .to_header_value()
                .is_err()
        );
        assert!(
            SetCookie::new("MapiContext", "a b")
                .to_header_value()
                .is_err()
        );
        assert!(
            SetCookie::new("MapiContext", "v")
                .with_path("/x\r\n")
                .to_header_value()
                .is_err()
        );
    }
}
