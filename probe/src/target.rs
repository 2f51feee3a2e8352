//! Where a request goes: the scheme, host and port of a URL, with -Hostname put in place of the
//! host (and port, when it names one).

use std::fmt;

use mapish_commands::probe::FailureCause;
use url::{Host, Url};

use crate::error::ProbeError;

/// The authority a connection is opened to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub tls: bool,
    /// The host as a name or an IP literal, without brackets: what is resolved and what the
    /// certificate must cover.
    pub host: String,
    pub port: u16,
}

impl Target {
    /// `https://host:port` (brackets around IPv6 literals), for messages and `Host` headers.
    pub fn origin(&self) -> String {
        format!(
            "{}://{}",
            if self.tls { "https" } else { "http" },
            self.authority()
        )
    }

    /// `host:port`, the `Host` header.
    pub fn authority(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.origin())
    }
}

/// A URL split into the connection target and the path with its query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub target: Target,
    pub path_and_query: String,
}

impl Resolved {
    /// The URL as the probe uses it.
    pub fn url(&self) -> String {
        format!("{}{}", self.target.origin(), self.path_and_query)
    }
}

/// Splits `url`, replacing its host (and port, if `hostname` has one) by `hostname`.
pub fn resolve(url: &str, hostname: Option<&str>) -> Result<Resolved, ProbeError> {
    let bad = |why: String| {
        ProbeError::new(
            FailureCause::Protocol,
            format!("The URL '{url}' cannot be probed: {why}."),
            why.clone(),
        )
    };
    let parsed = Url::parse(url).map_err(|e| bad(e.to_string()))?;
    let tls = match parsed.scheme() {
        "https" => true,
        "http" => false,
        other => return Err(bad(format!("the scheme '{other}' is not http or https"))),
    };
    let host = match parsed.host() {
        Some(Host::Domain(d)) => d.to_string(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => ip.to_string(),
        None => return Err(bad("it has no host".into())),
    };
    let port = parsed
        .port_or_known_default()
        .unwrap_or(if tls { 443 } else { 80 });
    let mut target = Target { tls, host, port };
    if let Some(over) = hostname.map(str::trim).filter(|h| !h.is_empty()) {
        let (host, port) = split_host_port(over).ok_or_else(|| {
            bad(format!(
                "-Hostname '{over}' is not a host name or host:port"
            ))
        })?;
        target.host = host;
        if let Some(p) = port {
            target.port = p;
        }
    }
    let mut path_and_query = parsed.path().to_string();
    if let Some(q) = parsed.query() {
        path_and_query.push('?');
        path_and_query.push_str(q);
    }
    Ok(Resolved {
        target,
        path_and_query,
    })
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` or a bare IPv6 literal.
fn split_host_port(text: &str) -> Option<(String, Option<u16>)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(p.parse().ok()?),
            None if after.is_empty() => None,
            None => return None,
        };
        return Some((host.to_string(), port));
    }
    if text.matches(':').count() > 1 {
        return text
            .parse::<std::net::Ipv6Addr>()
            .ok()
            .map(|ip| (ip.to_string(), None));
    }
    match text.split_once(':') {
        Some((host, port)) if !host.is_empty() => {
            Some((host.to_ascii_lowercase(), Some(port.parse().ok()?)))
        }
        Some(_) => None,
        None if text.contains(['/', ' ', '@']) => None,
        None => Some((text.to_ascii_lowercase(), None)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_target_and_path() {
        let r = resolve("https://mail.contoso.com/mapi", None).unwrap();
        assert_eq!(
            r.target,
            Target {
                tls: true,
                host: "mail.contoso.com".into(),
                port: 443
            }
        );
        assert_eq!(r.path_and_query, "/mapi");
        let r = resolve("http://127.0.0.1:8080/mapi/emsmdb/?MailboxId=a@b", None).unwrap();
        assert_eq!(r.target.origin(), "http://127.0.0.1:8080");
        assert_eq!(r.path_and_query, "/mapi/emsmdb/?MailboxId=a@b");
        assert_eq!(r.url(), "http://127.0.0.1:8080/mapi/emsmdb/?MailboxId=a@b");
        let v6 = resolve("https://[::1]:8443/mapi", None).unwrap();
        assert_eq!(v6.target.host, "::1");
        assert_eq!(v6.target.authority(), "[::1]:8443");
    }

    #[test]
    fn hostname_replaces_the_host_and_maybe_the_port() {
        let r = resolve("https://localhost:8443/mapi", Some("127.0.0.1")).unwrap();
        assert_eq!(r.target.origin(), "https://127.0.0.1:8443");
        let r = resolve(
            "https://mail.contoso.com/mapi",
            Some("EX01.contoso.com:444"),
        )
        .unwrap();
        assert_eq!(r.target.origin(), "https://ex01.contoso.com:444");
        let r = resolve("https://mail.contoso.com/mapi", Some("[::1]:9")).unwrap();
        assert_eq!(r.target.authority(), "[::1]:9");
        let r = resolve("https://mail.contoso.com/mapi", Some("::1")).unwrap();
        assert_eq!(r.target.host, "::1");
        assert!(resolve("https://mail.contoso.com/mapi", Some("a:b")).is_err());
        assert!(resolve("https://mail.contoso.com/mapi", Some("http://x/")).is_err());
    }

    #[test]
    fn unusable_urls_are_protocol_errors() {
        assert!(resolve("ftp://x/mapi", None).is_err());
        assert!(resolve("not a url", None).is_err());
    }
}
