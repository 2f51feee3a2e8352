//! Store objects as the pipeline objects Exchange's cmdlets return, with Exchange's property names
//! and order (cmdlets.md §2.4, §6.1, §7).

use std::sync::Arc;

use mapish_store::{AuthMethod, Mailbox, MapiVirtualDirectory, Organization, Server};

use crate::value::{PsObject, Value};

pub const VDIR_TYPE: &str = "Microsoft.Exchange.Data.Directory.SystemConfiguration.ADMapiVirtualDirectory";
pub const ORG_TYPE: &str = "Microsoft.Exchange.Data.Directory.Management.OrganizationConfig";
pub const CAS_MAILBOX_TYPE: &str = "Microsoft.Exchange.Data.Directory.Management.CASMailbox";
pub const MAILBOX_TYPE: &str = "Microsoft.Exchange.Data.Directory.Management.Mailbox";
pub const SERVER_TYPE: &str = "Microsoft.Exchange.Data.Directory.Management.ExchangeServer";

/// The version string mapish reports where Exchange shows its build.
pub const ADMIN_DISPLAY_VERSION: &str = concat!("Version 15.2 (mapish ", env!("CARGO_PKG_VERSION"), ")");

fn auth_list(methods: &[AuthMethod]) -> Value {
    Value::List(methods.iter().map(|m| Value::Enum(m.as_str())).collect())
}

fn org_dn(org: &Organization) -> String {
    format!("CN={},CN=Microsoft Exchange,CN=Services,CN=Configuration", org.name)
}

pub fn vdir_object(v: &MapiVirtualDirectory, server_fqdn: &str) -> Value {
    let obj = PsObject::new(VDIR_TYPE)
        .with("IISAuthenticationMethods", auth_list(&v.iis_authentication_methods))
        .with("MetabasePath", Value::str(v.metabase_path(server_fqdn)))
        .with("Server", Value::str(&v.server))
        .with("InternalUrl", Value::opt_str(v.internal_url.clone()))
        .with("InternalAuthenticationMethods", auth_list(&v.internal_authentication_methods))
        .with("ExternalUrl", Value::opt_str(v.external_url.clone()))
        .with("ExternalAuthenticationMethods", auth_list(&v.external_authentication_methods))
        .with("AdminDisplayName", Value::Null)
        .with("Name", Value::str(v.name()))
        .with("Identity", Value::str(v.identity()))
        .with("Guid", Value::Guid(v.guid))
        .with("WhenChanged", Value::DateTime(v.when_changed))
        .with("WhenCreated", Value::DateTime(v.when_created))
        .with("WhenChangedUTC", Value::DateTime(v.when_changed))
        .with("WhenCreatedUTC", Value::DateTime(v.when_created))
        .with("Id", Value::str(v.identity()))
        .with("IsValid", Value::Bool(true));
    Value::Object(Arc::new(obj))
}

pub fn org_object(o: &Organization) -> Value {
    let obj = PsObject::new(ORG_TYPE)
        .with("Name", Value::str(&o.name))
        .with("Identity", Value::str(&o.name))
        .with("Guid", Value::Guid(o.guid))
        .with("MapiHttpEnabled", Value::Bool(o.mapi_http_enabled))
        .with("OAuth2ClientProfileEnabled", Value::Bool(o.oauth2_client_profile_enabled))
        .with("EwsEnabled", Value::opt_bool(o.ews_enabled))
        .with("AdminDisplayVersion", Value::str(ADMIN_DISPLAY_VERSION))
        .with("DistinguishedName", Value::str(org_dn(o)))
        .with("WhenChanged", Value::DateTime(o.when_changed))
        .with("WhenCreated", Value::DateTime(o.when_created))
        .with("WhenChangedUTC", Value::DateTime(o.when_changed))
        .with("WhenCreatedUTC", Value::DateTime(o.when_created))
        .with("IsValid", Value::Bool(true));
    Value::Object(Arc::new(obj))
}

pub fn cas_mailbox_object(m: &Mailbox) -> Value {
    let obj = PsObject::new(CAS_MAILBOX_TYPE)
        .with("LegacyExchangeDN", Value::str(&m.legacy_exchange_dn))
        .with("PrimarySmtpAddress", Value::str(&m.primary_smtp_address))
        .with("ServerName", Value::str(m.server.to_lowercase()))
        .with("DisplayName", Value::str(&m.display_name))
        .with("ActiveSyncEnabled", Value::Bool(m.active_sync_enabled))
        .with("OWAEnabled", Value::Bool(m.owa_enabled))
        .with("ECPEnabled", Value::Bool(m.ecp_enabled))
        .with("PopEnabled", Value::Bool(m.pop_enabled))
        .with("ImapEnabled", Value::Bool(m.imap_enabled))
        .with("MAPIEnabled", Value::Bool(m.mapi_enabled))
        .with("MapiHttpEnabled", Value::opt_bool(m.mapi_http_enabled))
        .with("MAPIBlockOutlookNonCachedMode", Value::Bool(m.mapi_block_outlook_non_cached_mode))
        .with("MAPIBlockOutlookVersions", Value::opt_str(m.mapi_block_outlook_versions.clone()))
        .with("MAPIBlockOutlookRpcHttp", Value::Bool(m.mapi_block_outlook_rpc_http))
        .with("MAPIBlockOutlookExternalConnectivity", Value::Bool(m.mapi_block_outlook_external_connectivity))
        .with("EwsEnabled", Value::Bool(m.ews_enabled))
        .with("Name", Value::str(&m.name))
        .with("Identity", Value::str(&m.name))
        .with("Guid", Value::Guid(m.guid))
        .with("WhenChanged", Value::DateTime(m.when_changed))
        .with("WhenCreated", Value::DateTime(m.when_created))
        .with("WhenChangedUTC", Value::DateTime(m.when_changed))
        .with("WhenCreatedUTC", Value::DateTime(m.when_created))
        .with("IsValid", Value::Bool(true));
    Value::Object(Arc::new(obj))
}

pub fn mailbox_object(m: &Mailbox) -> Value {
    let obj = PsObject::new(MAILBOX_TYPE)
        .with("Name", Value::str(&m.name))
        .with("Alias", Value::str(&m.alias))
        .with("ServerName", Value::str(m.server.to_lowercase()))
        .with("ProhibitSendQuota", Value::str("Unlimited"))
        .with("DisplayName", Value::str(&m.display_name))
        .with("PrimarySmtpAddress", Value::str(&m.primary_smtp_address))
        .with("UserPrincipalName", Value::str(&m.user_principal_name))
        .with("LegacyExchangeDN", Value::str(&m.legacy_exchange_dn))
        .with("RecipientTypeDetails", Value::str(if m.is_health_mailbox { "MonitoringMailbox" } else { "UserMailbox" }))
        .with("Identity", Value::str(&m.name))
        .with("Guid", Value::Guid(m.guid))
        .with("WhenChanged", Value::DateTime(m.when_changed))
        .with("WhenCreated", Value::DateTime(m.when_created))
        .with("IsValid", Value::Bool(true));
    Value::Object(Arc::new(obj))
}

pub fn server_object(s: &Server) -> Value {
    let obj = PsObject::new(SERVER_TYPE)
        .with("Name", Value::str(&s.name))
        .with("Fqdn", Value::str(&s.fqdn))
        .with("ServerRole", Value::str("Mailbox"))
        .with("AdminDisplayVersion", Value::str(ADMIN_DISPLAY_VERSION))
        .with("Identity", Value::str(&s.name))
        .with("Guid", Value::Guid(s.guid))
        .with("WhenChanged", Value::DateTime(s.when_changed))
        .with("WhenCreated", Value::DateTime(s.when_created))
        .with("IsValid", Value::Bool(true));
    Value::Object(Arc::new(obj))
}
