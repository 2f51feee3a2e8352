//! What a MAPI virtual directory URL may be: absolute, with a host, https (http only with a
//! warning, for TLS terminated in front or loopback tests), at the path /mapi.

use crate::bind::parse_url;

#[derive(Debug)]
pub struct CheckedUrl {
    pub url: String,
    pub warning: Option<String>,
}

/// Checks and normalises a URL given to -InternalUrl/-ExternalUrl; Err is the message.
pub fn check_mapi_url(param: &str, text: &str) -> Result<CheckedUrl, String> {
    let mut url = parse_url(text).map_err(|why| format!("The value of {param} '{text}' is not a valid URL: {why}"))?;
    let mut warning = None;
    match url.scheme() {
        "https" => {}
        "http" => {
            warning = Some(format!(
                "{param} '{text}' uses http. Outlook requires https to reach MAPI over HTTP; use http only when TLS is terminated in front of mapish (a load balancer or reverse proxy) or for a test on loopback."
            ));
        }
        other => {
            return Err(format!("The value of {param} '{text}' uses the scheme '{other}'. A MAPI virtual directory URL must start with https:// (or http:// behind a TLS-terminating proxy)."));
        }
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!("The value of {param} '{text}' must not contain a user name, password, query or fragment: it is the base address clients append /emsmdb and /nspi to."));
    }
    match url.path().trim_end_matches('/').to_ascii_lowercase().as_str() {
        "" | "/mapi" => url.set_path("/mapi"),
        _ => {
            return Err(format!(
                "The value of {param} '{text}' has the path '{}'. The MAPI virtual directory is served at /mapi, so the URL must be of the form https://<host>/mapi.",
                url.path()
            ));
        }
    }
    Ok(CheckedUrl { url: url.to_string(), warning })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_mapi_urls_pass_unchanged() {
        assert_eq!(check_mapi_url("InternalUrl", "https://mail.contoso.com/mapi").unwrap().url, "https://mail.contoso.com/mapi");
        assert_eq!(check_mapi_url("InternalUrl", "https://Mail.Contoso.com:8443/MAPI/").unwrap().url, "https://mail.contoso.com:8443/mapi");
        assert_eq!(check_mapi_url("InternalUrl", "https://mail.contoso.com").unwrap().url, "https://mail.contoso.com/mapi");
    }

    #[test]
    fn http_is_accepted_with_a_warning() {
        let c = check_mapi_url("InternalUrl", "http://127.0.0.1:8080/mapi").unwrap();
        assert!(c.warning.unwrap().contains("uses http"));
    }

    #[test]
    fn other_paths_schemes_and_queries_are_refused() {
        assert!(check_mapi_url("InternalUrl", "https://x.contoso.com/owa").unwrap_err().contains("must be of the form https://<host>/mapi"));
        assert!(check_mapi_url("InternalUrl", "ftp://x.contoso.com/mapi").unwrap_err().contains("scheme 'ftp'"));
        assert!(check_mapi_url("InternalUrl", "https://x.contoso.com/mapi?a=1").is_err());
        assert!(check_mapi_url("InternalUrl", "x.contoso.com").is_err());
    }
}
