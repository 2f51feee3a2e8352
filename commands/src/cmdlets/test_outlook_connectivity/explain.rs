//! What the store says about a failure the wire can only report: why MAPI over HTTP is off for a
//! mailbox, which authentication methods the directory lists, whether the directory exists. Each
//! explanation ends with the command that fixes it (docs/troubleshooting.md lists them all).

use mapish_store::{effective_mapi_http, AuthMethod, Mailbox, MapiVirtualDirectory, Organization};

use crate::probe::{FailureCause, ProbeKind, COMPLETABLE_SCHEMES};

/// What the cmdlet knows from the store when a probe fails.
pub struct Context<'a> {
    pub kind: ProbeKind,
    pub org: Option<&'a Organization>,
    pub server: &'a str,
    pub vdir: Option<&'a MapiVirtualDirectory>,
    pub mailbox: Option<&'a Mailbox>,
    pub health_mailbox: bool,
}

/// A sentence to add to the probe's message, if the store explains the failure.
pub fn explain(cause: &FailureCause, cx: &Context<'_>) -> Option<String> {
    match cause {
        FailureCause::ResponseCode(16) | FailureCause::AutodiscoverNoMapiHttp => mapi_http_reason(cx),
        FailureCause::ChallengeMismatch => cx.vdir.map(auth_reason),
        FailureCause::AuthenticationFailed { .. } if cx.health_mailbox => Some(
            "The health mailbox's password was refused, so the server that answered does not read this store (or --server names another server).".into(),
        ),
        // A refused password is the probe's finding; the store explains only a directory that offers
        // nothing the probe (and mapish serve) can complete, such as OAuth alone.
        FailureCause::AuthenticationFailed { .. } => cx.vdir.filter(|v| expected_schemes(v).is_empty()).map(auth_reason),
        FailureCause::DirectoryMissing => Some(match cx.vdir {
            Some(v) => format!(
                "This store has the directory {}, so the server that answered serves another store or another server (mapish serve --server).",
                v.identity()
            ),
            None => format!("Fix: New-MapiVirtualDirectory -Server {} -InternalUrl https://<host>/mapi", cx.server),
        }),
        _ => None,
    }
}

/// Why MAPI over HTTP is not in effect for the mailbox, from its settings and the organization's
/// (cmdlets.md §10: MAPIEnabled $false blocks everything; a mailbox value wins; $null follows the
/// organization).
fn mapi_http_reason(cx: &Context<'_>) -> Option<String> {
    let (org, mailbox) = (cx.org?, cx.mailbox?);
    let who = &mailbox.name;
    if !mailbox.mapi_enabled {
        return Some(format!("MAPIEnabled is False for mailbox '{who}', which blocks MAPI of every kind. Fix: Set-CASMailbox '{who}' -MAPIEnabled $true"));
    }
    match mailbox.mapi_http_enabled {
        Some(false) => {
            return Some(format!(
                "MAPI over HTTP is disabled for the mailbox '{who}': its MapiHttpEnabled is False, which wins over the organization's {}. Fix: Set-CASMailbox '{who}' -MapiHttpEnabled $null (follow the organization) or $true",
                if org.mapi_http_enabled { "True" } else { "False" }
            ));
        }
        None if !org.mapi_http_enabled => {
            return Some(format!(
                "MAPI over HTTP is disabled for the organization (Get-OrganizationConfig: MapiHttpEnabled False) and the mailbox '{who}' follows it (its MapiHttpEnabled is $null). Fix: Set-OrganizationConfig -MapiHttpEnabled $true"
            ));
        }
        _ => {}
    }
    if cx.kind == ProbeKind::Ctp {
        if mailbox.mapi_block_outlook_external_connectivity {
            return Some(format!(
                "MAPIBlockOutlookExternalConnectivity is True for the mailbox '{who}', so Autodiscover hands it internal URLs only. Fix: Set-CASMailbox '{who}' -MAPIBlockOutlookExternalConnectivity $false"
            ));
        }
        if let Some(v) = cx.vdir.filter(|v| v.external_url.is_none()) {
            return Some(format!("The directory {} has no ExternalUrl. Fix: Set-MapiVirtualDirectory '{}' -ExternalUrl https://<external host>/mapi", v.identity(), v.identity()));
        }
    }
    debug_assert!(effective_mapi_http(org, mailbox));
    Some(format!(
        "This store has MAPI over HTTP in effect for '{who}' (MAPIEnabled True, MapiHttpEnabled {}, organization {}), so the server that answered does not serve this store's current settings.",
        match mailbox.mapi_http_enabled {
            Some(true) => "True",
            Some(false) => "False",
            None => "$null",
        },
        if org.mapi_http_enabled { "True" } else { "False" }
    ))
}

/// The directory's authentication methods against what mapish serve can complete.
fn auth_reason(v: &MapiVirtualDirectory) -> String {
    let configured: Vec<&str> = v.iis_authentication_methods.iter().map(|m| m.as_str()).collect();
    let oauth = if v.iis_authentication_methods.contains(&AuthMethod::OAuth) { " OAuth is not supported by mapish, so it is never offered." } else { "" };
    format!(
        "The directory {} has IISAuthenticationMethods {{{}}}, and mapish serve completes only {}.{oauth} Fix: Set-MapiVirtualDirectory '{}' -IISAuthenticationMethods Ntlm, Negotiate (or Basic)",
        v.identity(),
        configured.join(", "),
        COMPLETABLE_SCHEMES.join(", "),
        v.identity()
    )
}

/// The `WWW-Authenticate` tokens the self test expects: the directory's methods that mapish serve
/// can complete.
pub fn expected_schemes(v: &MapiVirtualDirectory) -> Vec<String> {
    v.iis_authentication_methods
        .iter()
        .map(|m| match m {
            AuthMethod::Basic => "Basic",
            AuthMethod::Ntlm => "NTLM",
            AuthMethod::Negotiate => "Negotiate",
            AuthMethod::OAuth => "Bearer",
        })
        .filter(|token| COMPLETABLE_SCHEMES.iter().any(|c| c.eq_ignore_ascii_case(token)))
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapish_store::Server;

    fn lab() -> (Organization, Mailbox, MapiVirtualDirectory) {
        let mut org = Organization::new("Contoso");
        org.mapi_http_enabled = true;
        let m = Mailbox::new("Alice", "alice", "alice@contoso.com", "alice@contoso.com", "Contoso", "EX01");
        let v = MapiVirtualDirectory::with_defaults(&Server::new("EX01", "ex01.contoso.com"));
        (org, m, v)
    }

    fn why(cause: FailureCause, kind: ProbeKind, org: &Organization, m: &Mailbox, v: &MapiVirtualDirectory) -> String {
        let cx = Context { kind, org: Some(org), server: "EX01", vdir: Some(v), mailbox: Some(m), health_mailbox: false };
        explain(&cause, &cx).unwrap_or_default()
    }

    #[test]
    fn endpoint_disabled_is_traced_to_the_setting_that_decides() {
        let (mut org, mut m, v) = lab();
        let code16 = FailureCause::ResponseCode(16);
        m.mapi_enabled = false;
        assert!(why(code16.clone(), ProbeKind::DeepTest, &org, &m, &v).contains("MAPIEnabled is False"));
        m.mapi_enabled = true;
        m.mapi_http_enabled = Some(false);
        assert!(why(code16.clone(), ProbeKind::DeepTest, &org, &m, &v).contains("disabled for the mailbox 'Alice'"));
        m.mapi_http_enabled = None;
        org.mapi_http_enabled = false;
        let text = why(FailureCause::AutodiscoverNoMapiHttp, ProbeKind::DeepTest, &org, &m, &v);
        assert!(text.contains("disabled for the organization") && text.ends_with("Set-OrganizationConfig -MapiHttpEnabled $true"), "{text}");
        // A mailbox value wins: on for the mailbox, off for the organization, is in effect.
        m.mapi_http_enabled = Some(true);
        assert!(why(code16, ProbeKind::DeepTest, &org, &m, &v).contains("does not serve this store's current settings"));
    }

    #[test]
    fn ctp_names_the_missing_external_url() {
        let (org, m, v) = lab();
        assert!(why(FailureCause::AutodiscoverNoMapiHttp, ProbeKind::Ctp, &org, &m, &v).contains("has no ExternalUrl"));
    }

    #[test]
    fn schemes_follow_the_directory_and_what_the_server_completes() {
        let (org, m, mut v) = lab();
        assert_eq!(expected_schemes(&v), ["NTLM", "Negotiate"], "Exchange's default {{Ntlm, OAuth, Negotiate}}: OAuth is not offered");
        v.iis_authentication_methods = vec![AuthMethod::OAuth];
        assert!(expected_schemes(&v).is_empty());
        let text = why(FailureCause::ChallengeMismatch, ProbeKind::SelfTest, &org, &m, &v);
        assert!(text.contains("IISAuthenticationMethods {OAuth}") && text.contains("OAuth is not supported by mapish") && text.contains("-IISAuthenticationMethods Ntlm, Negotiate"), "{text}");
        // A refused password under a scheme the directory offers is not explained by the store.
        let refused = FailureCause::AuthenticationFailed { scheme: "Negotiate".into() };
        v.iis_authentication_methods = vec![AuthMethod::Negotiate];
        assert_eq!(why(refused.clone(), ProbeKind::DeepTest, &org, &m, &v), "");
        v.iis_authentication_methods = vec![AuthMethod::OAuth];
        assert!(why(refused, ProbeKind::DeepTest, &org, &m, &v).contains("OAuth is not supported by mapish"));
        v.iis_authentication_methods = vec![AuthMethod::Ntlm, AuthMethod::Basic];
        assert_eq!(expected_schemes(&v), ["NTLM", "Basic"]);
    }
}
