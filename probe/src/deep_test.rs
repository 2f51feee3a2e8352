//! OutlookMapiHttpDeepTestProbe and OutlookMapiHttpCtpProbe: what Outlook does to open a mailbox.
//! Autodiscover with `X-MapiHttpCapability: 1`, then the mailbox endpoint (Connect, Execute with
//! RopLogon, PING, Disconnect) and the address book (Bind, GetMailboxUrl, Unbind) at the URLs
//! Autodiscover handed out: the internal ones for the deep test, the external ones for Ctp.

use mapish_commands::probe::{FailureCause, ProbeFailure, ProbeKind, ProbeReport, ProbeRequest};
use mapish_wire::autodiscover::{EndpointUrls, parse_mailbox_id};

use crate::auth::Account;
use crate::autodiscover;
use crate::emsmdb;
use crate::error::ProbeError;
use crate::http::Http;
use crate::nspi;
use crate::steps::Recorder;
use crate::target::{self, Resolved, Target};
use crate::tls::Trust;

pub async fn run(request: &ProbeRequest) -> ProbeReport {
    let mut rec = Recorder::new(request);
    let mut target_url = request.directory_url.clone();
    let mut auth_scheme = None;
    let failure = flow(&mut rec, request, &mut target_url, &mut auth_scheme)
        .await
        .err();
    ProbeReport {
        target_url,
        steps: rec.into_steps(),
        failure,
        auth_scheme,
    }
}

async fn flow(
    rec: &mut Recorder,
    request: &ProbeRequest,
    target_url: &mut String,
    auth_scheme: &mut Option<String>,
) -> Result<(), ProbeFailure> {
    let hostname = request.hostname.as_deref();
    let Some(account) = &request.account else {
        return Err(ProbeFailure {
            cause: FailureCause::AuthenticationFailed {
                scheme: String::new(),
            },
            step: "Account".into(),
            message: "A deep test logs on to a mailbox and needs its credentials.".into(),
            exception: "no account".into(),
        });
    };
    let dir = resolve_step(rec, "Directory URL", &request.directory_url, hostname).await?;
    *target_url = dir.url();
    let mut conns = Connections {
        trust: Trust::new(request.trust_any_certificate),
        account: Account {
            user: account.user_name.clone(),
            password: account.password.0.clone(),
        },
        open: Vec::new(),
    };

    let http = conns.get(rec, &dir.target).await?;
    let found = rec
        .step(
            format!("Autodiscover for {}", account.email_address),
            autodiscover::discover(http, account),
        )
        .await;
    *auth_scheme = http.scheme_used().map(|s| s.token().to_string());
    let found = found?;
    let external = request.kind == ProbeKind::Ctp;
    let (mail_url, mail) = rec
        .step(
            "MailStore URL",
            endpoint(&found.mapi_http.mail_store, external, "MailStore", hostname),
        )
        .await?;
    let (_, book) = rec
        .step(
            "AddressBook URL",
            endpoint(
                &found.mapi_http.address_book,
                external,
                "AddressBook",
                hostname,
            ),
        )
        .await?;

    let legacy_dn = found.user.legacy_dn.clone();
    let http = conns.get(rec, &mail.target).await?;
    let done = emsmdb::exercise(
        rec,
        http,
        &mail.path_and_query,
        &account.user_name,
        &legacy_dn,
    )
    .await;
    // The scheme the mailbox endpoint took is the one reported (Autodiscover may have used another).
    if let Some(s) = http.scheme_used() {
        *auth_scheme = Some(s.token().to_string());
    }
    done?;

    let http = conns.get(rec, &book.target).await?;
    let server_dn = server_dn(&legacy_dn, &mail_url);
    nspi::exercise(
        rec,
        http,
        &book.path_and_query,
        &account.user_name,
        &server_dn,
    )
    .await
}

/// The URL Autodiscover gave for one endpoint, and where requests for it go (after -Hostname).
async fn endpoint(
    urls: &EndpointUrls,
    external: bool,
    element: &str,
    hostname: Option<&str>,
) -> Result<((String, Resolved), String), ProbeError> {
    let url = pick(urls, external, element)?;
    let resolved = target::resolve(&url, hostname)?;
    let shown = resolved.url();
    Ok(((url, resolved), shown))
}

/// The internal URL for the deep test (else the external one); only the external one for Ctp.
fn pick(urls: &EndpointUrls, external: bool, element: &str) -> Result<String, ProbeError> {
    let url = if external {
        urls.external.clone()
    } else {
        urls.internal.clone().or_else(|| urls.external.clone())
    };
    match url {
        Some(u) => Ok(u),
        None => Err(ProbeError::new(
            FailureCause::AutodiscoverNoMapiHttp,
            if external {
                format!(
                    "Autodiscover offered mapiHttp without an ExternalUrl for {element}, so clients outside cannot use MAPI over HTTP: the directory has no ExternalUrl, or the mailbox has MAPIBlockOutlookExternalConnectivity."
                )
            } else {
                format!("Autodiscover offered mapiHttp without any URL for {element}.")
            },
            format!(
                "no {} URL for {element}",
                if external {
                    "external"
                } else {
                    "internal or external"
                }
            ),
        )),
    }
}

async fn resolve_step(
    rec: &mut Recorder,
    name: &str,
    url: &str,
    hostname: Option<&str>,
) -> Result<Resolved, ProbeFailure> {
    rec.step(name, async {
        target::resolve(url, hostname).map(|r| {
            let shown = r.url();
            (r, shown)
        })
    })
    .await
}

/// The server DN GetMailboxUrl is asked about, built as Exchange builds it for a mailbox:
/// `<org>/cn=Configuration/cn=Servers/cn=<mailbox guid>@<domain>/cn=Microsoft Private MDB`, where
/// `<org>` is the LegacyDN up to its recipients container and the guid and domain come from the
/// MailboxId of the MailStore URL.
fn server_dn(legacy_dn: &str, mail_url: &str) -> String {
    let org = legacy_dn
        .split_once("/cn=")
        .map_or(legacy_dn, |(org, _)| org);
    match parse_mailbox_id(mail_url) {
        Some((id, domain)) => {
            format!("{org}/cn=Configuration/cn=Servers/cn={id}@{domain}/cn=Microsoft Private MDB")
        }
        None => format!("{org}/cn=Configuration/cn=Servers"),
    }
}

/// The connections of one probe, one per target, opened on first use (with their steps).
struct Connections {
    trust: Trust,
    account: Account,
    open: Vec<Http>,
}

impl Connections {
    async fn get(
        &mut self,
        rec: &mut Recorder,
        target: &Target,
    ) -> Result<&mut Http, ProbeFailure> {
        let at = match self.open.iter().position(|h| h.target() == target) {
            Some(at) => at,
            None => {
                let mut http = Http::open(rec, target, &self.trust).await?;
                http.set_account(self.account.clone());
                self.open.push(http);
                self.open.len() - 1
            }
        };
        self.open.get_mut(at).ok_or_else(|| ProbeFailure {
            cause: FailureCause::Connection,
            step: "Connect".into(),
            message: format!("No connection to {target}."),
            exception: "connection list".into(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_dn_carries_the_mailbox_id() {
        let dn = server_dn(
            "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/cn=abc-alice",
            "https://mail.contoso.com/mapi/emsmdb/?MailboxId=416c6368-656d-794a-6f45-57615272456e@contoso.com",
        );
        assert_eq!(
            dn,
            "/o=Contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=416c6368-656d-794a-6f45-57615272456e@contoso.com/cn=Microsoft Private MDB"
        );
    }

    #[test]
    fn ctp_takes_only_external_urls() {
        let internal_only = EndpointUrls {
            internal: Some("https://in/mapi/emsmdb/".into()),
            external: None,
        };
        assert_eq!(
            pick(&internal_only, false, "MailStore").unwrap(),
            "https://in/mapi/emsmdb/"
        );
        let e = pick(&internal_only, true, "MailStore").unwrap_err();
        assert_eq!(e.cause, FailureCause::AutodiscoverNoMapiHttp);
        let external_only = EndpointUrls {
            internal: None,
            external: Some("https://out/mapi/emsmdb/".into()),
        };
        assert_eq!(
            pick(&external_only, false, "MailStore").unwrap(),
            "https://out/mapi/emsmdb/"
        );
    }
}
