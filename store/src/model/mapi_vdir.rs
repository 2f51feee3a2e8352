//! The MAPI virtual directory (`Get-MapiVirtualDirectory`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::auth::AuthMethod;
use super::server::Server;

/// The website that Exchange installs its virtual directories under.
pub const DEFAULT_WEBSITE: &str = "Default Web Site";

/// The authentication methods Exchange sets on a new MAPI virtual directory (cmdlets.md §2.4).
pub const DEFAULT_AUTH_METHODS: [AuthMethod; 3] =
    [AuthMethod::Ntlm, AuthMethod::OAuth, AuthMethod::Negotiate];

/// The `/mapi` virtual directory of one server's website: where MAPI over HTTP clients connect, and how they must
/// authenticate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MapiVirtualDirectory {
    /// Guid.
    pub guid: Uuid,
    /// The Name of the server this directory lives on.
    pub server: String,
    /// The IIS website, normally `Default Web Site`.
    pub website: String,
    /// InternalUrl, handed out by Autodiscover to clients inside the network.
    pub internal_url: Option<String>,
    /// ExternalUrl, handed out by Autodiscover to clients outside.
    pub external_url: Option<String>,
    /// IISAuthenticationMethods: what the web server offers and accepts.
    pub iis_authentication_methods: Vec<AuthMethod>,
    /// InternalAuthenticationMethods, advertised for the internal URL.
    pub internal_authentication_methods: Vec<AuthMethod>,
    /// ExternalAuthenticationMethods, advertised for the external URL.
    pub external_authentication_methods: Vec<AuthMethod>,
    /// WhenCreated (UTC).
    pub when_created: DateTime<Utc>,
    /// WhenChanged (UTC).
    pub when_changed: DateTime<Utc>,
}

impl MapiVirtualDirectory {
    /// The directory Exchange setup creates on `server`: Default Web Site, InternalUrl `https://<fqdn>/mapi`,
    /// no ExternalUrl, and {Ntlm, OAuth, Negotiate} everywhere.
    pub fn with_defaults(server: &Server) -> MapiVirtualDirectory {
        let now = Utc::now();
        MapiVirtualDirectory {
            guid: Uuid::new_v4(),
            server: server.name.clone(),
            website: DEFAULT_WEBSITE.to_string(),
            internal_url: Some(format!("https://{}/mapi", server.fqdn)),
            external_url: None,
            iis_authentication_methods: DEFAULT_AUTH_METHODS.to_vec(),
            internal_authentication_methods: DEFAULT_AUTH_METHODS.to_vec(),
            external_authentication_methods: DEFAULT_AUTH_METHODS.to_vec(),
            when_created: now,
            when_changed: now,
        }
    }

    /// Name, e.g. `mapi (Default Web Site)`.
    pub fn name(&self) -> String {
        format!("mapi ({})", self.website)
    }

    /// Identity, e.g. `EX01\mapi (Default Web Site)`.
    pub fn identity(&self) -> String {
        format!("{}\\{}", self.server, self.name())
    }

    /// MetabasePath, e.g. `IIS://ex01.contoso.com/W3SVC/1/ROOT/mapi`.
    ///
    /// Site id 1 is the Default Web Site; mapish does not model IIS site ids, so every website maps to 1.
    pub fn metabase_path(&self, server_fqdn: &str) -> String {
        format!("IIS://{server_fqdn}/W3SVC/1/ROOT/mapi")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names() {
        let server = Server::new("EX01", "ex01.contoso.com");
        let v = MapiVirtualDirectory::with_defaults(&server);
        assert_eq!(v.name(), "mapi (Default Web Site)");
        assert_eq!(v.identity(), "EX01\\mapi (Default Web Site)");
        assert_eq!(
            v.metabase_path(&server.fqdn),
            "IIS://ex01.contoso.com/W3SVC/1/ROOT/mapi"
        );
        assert_eq!(
            v.internal_url.as_deref(),
            Some("https://ex01.contoso.com/mapi")
        );
        assert_eq!(
            v.iis_authentication_methods,
            vec![AuthMethod::Ntlm, AuthMethod::OAuth, AuthMethod::Negotiate]
        );
    }
}
