//! The vocabulary of the configuration file: which keys each table has, where each key's name, type
//! and validation come from, and how it reads and writes the store's object.
//!
//! A key is named after the cmdlet parameter that sets the same property (`MAPIEnabled` of
//! Set-CASMailbox), and its type is that parameter's declared `ParamType`, looked up in the cmdlet
//! catalogue at run time: the file and the command line share one vocabulary by construction.
//! Properties no Set- cmdlet changes (the organization's and servers' names) take the property name
//! of the object the Get- cmdlet returns. `tests::every_key_is_declared_by_a_cmdlet` fails when a
//! declaration is renamed or retyped under the file format.

use mapish_store::{AuthMethod, Mailbox, MapiVirtualDirectory, Organization, Server, DEFAULT_AUTH_METHODS, DEFAULT_WEBSITE};

use crate::cmdlets::rules;
use crate::spec::{ParamSpec, ParamType};

/// The format version this build reads and writes (`Version = 1`).
pub const FORMAT_VERSION: i64 = 1;

/// One key's value in the file's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setting {
    /// Not written: the default, which for a nullable setting is `$null`.
    Absent,
    Bool(bool),
    Text(String),
    List(Vec<String>),
}

/// Where a key's name and type are declared.
#[derive(Clone, Copy)]
pub enum Origin {
    /// A parameter of a cmdlet: the key is the parameter's name, its type the parameter's type.
    Parameter { cmdlet: &'static str },
    /// A property of the object a Get- cmdlet returns, for what no cmdlet parameter sets.
    Property { cmdlet: &'static str, ty: ParamType },
    /// An alternative way of giving a cmdlet's parameter (`PasswordHash` for New-Mailbox's
    /// `-Password`): the format's own key, tied to that parameter.
    StandsFor { cmdlet: &'static str, parameter: &'static str },
}

/// When an export writes a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Export {
    /// Always (when it has a value): identities, and every setting of the few configuration objects.
    Always,
    /// Only when it differs from what an import would give the object without it, so that a file of
    /// 100,000 mailboxes stays small and a diff shows real settings.
    WhenNotDefault,
    /// Never: an input-only alternative (`PasswordFile`, `PasswordEnv`).
    Never,
}

/// A cmdlet's check of a key's value (the key's name, the converted value): the normalised value, or
/// the message.
pub type Check = fn(&str, Setting) -> Result<Setting, String>;

/// One key of one table.
pub struct Field<T: 'static> {
    pub key: &'static str,
    pub origin: Origin,
    pub required: bool,
    pub export: Export,
    /// A value that must never be printed in a plan (password hashes).
    pub secret: bool,
    /// The cmdlet's own check beyond type conversion, returning the normalised value.
    pub check: Option<Check>,
    pub get: fn(&T) -> Setting,
    pub set: fn(&mut T, Setting),
    /// What the key means in the file (identity, default), for docs/config-format.md.
    pub note: &'static str,
}

impl<T> Field<T> {
    /// The declared type of the key, from the cmdlet catalogue; `Err` names a declaration that is missing.
    pub fn param_type(&self) -> Result<ParamType, String> {
        match self.origin {
            Origin::Parameter { cmdlet } => declared(cmdlet, self.key).map(|p| p.ty),
            Origin::Property { ty, .. } => Ok(ty),
            Origin::StandsFor { cmdlet, parameter } => declared(cmdlet, parameter).map(|_| ParamType::String),
        }
    }

    /// The cmdlet that declares the key (for errors and docs).
    pub fn cmdlet(&self) -> &'static str {
        match self.origin {
            Origin::Parameter { cmdlet } | Origin::Property { cmdlet, .. } | Origin::StandsFor { cmdlet, .. } => cmdlet,
        }
    }
}

/// The parameter `name` (exact spelling) of `cmdlet`.
pub fn declared(cmdlet: &str, name: &str) -> Result<&'static ParamSpec, String> {
    let spec = crate::cmdlets::find(cmdlet).ok_or_else(|| format!("the cmdlet {cmdlet} is not declared"))?;
    spec.params
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| format!("{cmdlet} declares no parameter named exactly {name}"))
}

/// A kind of object the file declares: one table (or array of tables) of the file.
pub trait Kind: Clone + PartialEq + 'static {
    /// The table name: `Organization`, `Server`, `MapiVirtualDirectory`, `Mailbox`.
    const TABLE: &'static str;
    /// `[[Table]]` (many objects) rather than `[Table]` (the one organization).
    const ARRAY: bool;
    fn fields() -> &'static [Field<Self>];
    /// The object an import starts from: every key absent.
    fn template() -> Self;
    /// Fills the defaults that derive from other keys (Alias from Name…), after the keys are set.
    fn complete(&mut self) {}
    /// What an import would make of `self`'s always-exported keys alone: the baseline an export
    /// compares `WhenNotDefault` keys with.
    fn export_base(&self) -> Self {
        let mut base = Self::template();
        for f in Self::fields().iter().filter(|f| f.export == Export::Always) {
            (f.set)(&mut base, (f.get)(self));
        }
        base.complete();
        base
    }
    /// How the plan and the messages name the object (`EX01\mapi (Default Web Site)`).
    fn identity(&self) -> String;
    /// The key whose value an absent `key` is derived from (Alias from Name), for messages.
    fn derived_from(_key: &str) -> Option<&'static str> {
        None
    }
}

fn opt_text(v: &Option<String>) -> Setting {
    v.as_ref().map_or(Setting::Absent, |s| Setting::Text(s.clone()))
}

fn text(s: &str) -> Setting {
    if s.is_empty() { Setting::Absent } else { Setting::Text(s.to_string()) }
}

fn into_text(s: Setting) -> String {
    match s {
        Setting::Text(t) => t,
        _ => String::new(),
    }
}

fn into_opt_text(s: Setting) -> Option<String> {
    match s {
        Setting::Text(t) => Some(t),
        _ => None,
    }
}

fn into_bool(s: Setting, default: bool) -> bool {
    match s {
        Setting::Bool(b) => b,
        _ => default,
    }
}

fn into_opt_bool(s: Setting) -> Option<bool> {
    match s {
        Setting::Bool(b) => Some(b),
        _ => None,
    }
}

fn auth_setting(methods: &[AuthMethod]) -> Setting {
    Setting::List(methods.iter().map(|m| m.as_str().to_string()).collect())
}

/// Declared enum members are canonical already (the binder converted them), so parsing cannot fail
/// for a value that came through `bind::convert`; anything else is dropped rather than trusted.
fn into_auth(s: Setting) -> Vec<AuthMethod> {
    match s {
        Setting::List(items) => items.iter().filter_map(|m| m.parse().ok()).collect(),
        _ => DEFAULT_AUTH_METHODS.to_vec(),
    }
}

/// A key set by a parameter of `cmdlet`.
const fn param<T>(key: &'static str, cmdlet: &'static str, get: fn(&T) -> Setting, set: fn(&mut T, Setting)) -> Field<T> {
    Field {
        key,
        origin: Origin::Parameter { cmdlet },
        required: false,
        export: Export::Always,
        secret: false,
        check: None,
        get,
        set,
        note: "",
    }
}

fn check_url(key: &str, s: Setting) -> Result<Setting, String> {
    match s {
        Setting::Text(t) => rules::check_mapi_url(key, &t).map(|c| Setting::Text(c.url)),
        other => Ok(other),
    }
}

fn check_with(s: Setting, rule: fn(&str) -> Result<(), String>) -> Result<Setting, String> {
    if let Setting::Text(t) = &s {
        rule(t)?;
    }
    Ok(s)
}

fn check_not_blank(key: &str, s: Setting) -> Result<Setting, String> {
    match &s {
        Setting::Text(t) if t.trim().is_empty() => Err(format!("{key} can't be blank.")),
        _ => Ok(s),
    }
}

fn check_phc(_key: &str, s: Setting) -> Result<Setting, String> {
    match &s {
        Setting::Text(t) => mapish_store::check_password_hash(t)
            .map(|()| s.clone())
            .map_err(|why| format!("PasswordHash must be an argon2id PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash), but {why}.")),
        _ => Ok(s),
    }
}

impl Kind for Organization {
    const TABLE: &'static str = "Organization";
    const ARRAY: bool = false;

    fn fields() -> &'static [Field<Organization>] {
        static FIELDS: &[Field<Organization>] = &[
            Field {
                required: true,
                check: Some(check_not_blank),
                note: "The organization's name. Set when an import creates the organization; an organization can't be renamed.",
                origin: Origin::Property { cmdlet: "Get-OrganizationConfig", ty: ParamType::String },
                ..param("Name", "", |o| text(&o.name), |o, s| o.name = into_text(s))
            },
            Field {
                note: "Absent: false.",
                ..param("MapiHttpEnabled", "Set-OrganizationConfig", |o| Setting::Bool(o.mapi_http_enabled), |o, s| o.mapi_http_enabled = into_bool(s, false))
            },
            Field {
                note: "Absent: not set ($null), the per-mailbox settings decide.",
                ..param("EwsEnabled", "Set-OrganizationConfig", |o| o.ews_enabled.map_or(Setting::Absent, Setting::Bool), |o, s| o.ews_enabled = into_opt_bool(s))
            },
            Field {
                note: "Absent: false.",
                ..param(
                    "OAuth2ClientProfileEnabled",
                    "Set-OrganizationConfig",
                    |o| Setting::Bool(o.oauth2_client_profile_enabled),
                    |o, s| o.oauth2_client_profile_enabled = into_bool(s, false),
                )
            },
        ];
        FIELDS
    }

    fn template() -> Organization {
        Organization::default()
    }

    fn identity(&self) -> String {
        self.name.clone()
    }
}

impl Kind for Server {
    const TABLE: &'static str = "Server";
    const ARRAY: bool = true;

    fn fields() -> &'static [Field<Server>] {
        static FIELDS: &[Field<Server>] = &[
            Field {
                required: true,
                check: Some(check_not_blank),
                note: "The short name (EX01); identifies the server.",
                origin: Origin::Property { cmdlet: "Get-ExchangeServer", ty: ParamType::String },
                ..param("Name", "", |s| text(&s.name), |o, s| o.name = into_text(s))
            },
            Field {
                required: true,
                note: "The fully qualified domain name.",
                origin: Origin::Property { cmdlet: "Get-ExchangeServer", ty: ParamType::Fqdn },
                ..param("Fqdn", "", |s| text(&s.fqdn), |o, s| o.fqdn = into_text(s))
            },
        ];
        FIELDS
    }

    fn template() -> Server {
        Server::default()
    }

    fn identity(&self) -> String {
        self.name.clone()
    }
}

impl Kind for MapiVirtualDirectory {
    const TABLE: &'static str = "MapiVirtualDirectory";
    const ARRAY: bool = true;

    fn fields() -> &'static [Field<MapiVirtualDirectory>] {
        static FIELDS: &[Field<MapiVirtualDirectory>] = &[
            Field {
                required: true,
                note: "The server's Name; with WebSiteName, identifies the directory. A server has at most one.",
                ..param("Server", "New-MapiVirtualDirectory", |v| text(&v.server), |v, s| v.server = into_text(s))
            },
            Field {
                check: Some(check_not_blank),
                note: "Absent: Default Web Site.",
                ..param("WebSiteName", "New-MapiVirtualDirectory", |v| text(&v.website), |v, s| {
                    v.website = into_opt_text(s).unwrap_or_else(|| DEFAULT_WEBSITE.to_string())
                })
            },
            Field {
                check: Some(check_url),
                note: "https://<host>/mapi. Absent: none. InternalUrl or ExternalUrl must be set.",
                ..param("InternalUrl", "Set-MapiVirtualDirectory", |v| opt_text(&v.internal_url), |v, s| v.internal_url = into_opt_text(s))
            },
            Field {
                check: Some(check_url),
                note: "https://<host>/mapi. Absent: none.",
                ..param("ExternalUrl", "Set-MapiVirtualDirectory", |v| opt_text(&v.external_url), |v, s| v.external_url = into_opt_text(s))
            },
            Field {
                note: "Also sets InternalAuthenticationMethods and ExternalAuthenticationMethods, as the cmdlet does. Absent: [\"Ntlm\", \"OAuth\", \"Negotiate\"].",
                ..param(
                    "IISAuthenticationMethods",
                    "Set-MapiVirtualDirectory",
                    |v| auth_setting(&v.iis_authentication_methods),
                    |v, s| {
                        let methods = into_auth(s);
                        v.internal_authentication_methods = methods.clone();
                        v.external_authentication_methods = methods.clone();
                        v.iis_authentication_methods = methods;
                    },
                )
            },
        ];
        FIELDS
    }

    fn template() -> MapiVirtualDirectory {
        MapiVirtualDirectory {
            website: DEFAULT_WEBSITE.to_string(),
            iis_authentication_methods: DEFAULT_AUTH_METHODS.to_vec(),
            internal_authentication_methods: DEFAULT_AUTH_METHODS.to_vec(),
            external_authentication_methods: DEFAULT_AUTH_METHODS.to_vec(),
            ..MapiVirtualDirectory::default()
        }
    }

    fn identity(&self) -> String {
        MapiVirtualDirectory::identity(self)
    }
}

/// A mailbox flag of Set-CASMailbox, written only when it differs from a new mailbox's value.
const fn flag(key: &'static str, get: fn(&Mailbox) -> Setting, set: fn(&mut Mailbox, Setting)) -> Field<Mailbox> {
    Field { export: Export::WhenNotDefault, ..param(key, "Set-CASMailbox", get, set) }
}

/// Reads and writes one `bool` of a mailbox, defaulting to a new mailbox's value.
macro_rules! mailbox_flag {
    ($key:literal, $field:ident) => {
        flag($key, |m| Setting::Bool(m.$field), |m, s| m.$field = into_bool(s, Mailbox::default().$field))
    };
}

impl Kind for Mailbox {
    const TABLE: &'static str = "Mailbox";
    const ARRAY: bool = true;

    fn fields() -> &'static [Field<Mailbox>] {
        static FIELDS: &[Field<Mailbox>] = &[
            Field {
                required: true,
                check: Some(|_, s| check_with(s, rules::check_name)),
                note: "Identifies the mailbox (case-insensitive).",
                ..param("Name", "New-Mailbox", |m| text(&m.name), |m, s| m.name = into_text(s))
            },
            Field {
                check: Some(|_, s| check_with(s, rules::check_alias)),
                export: Export::WhenNotDefault,
                note: "Absent: the Name without spaces.",
                ..param("Alias", "New-Mailbox", |m| text(&m.alias), |m, s| m.alias = into_text(s))
            },
            Field {
                check: Some(|_, s| check_with(s, rules::check_display_name)),
                export: Export::WhenNotDefault,
                note: "Absent: the Name.",
                ..param("DisplayName", "New-Mailbox", |m| text(&m.display_name), |m, s| m.display_name = into_text(s))
            },
            Field {
                required: true,
                note: "The logon name, user@domain.",
                ..param("UserPrincipalName", "New-Mailbox", |m| text(&m.user_principal_name), |m, s| m.user_principal_name = into_text(s))
            },
            Field {
                export: Export::WhenNotDefault,
                note: "Absent: the UserPrincipalName.",
                ..param("PrimarySmtpAddress", "New-Mailbox", |m| text(&m.primary_smtp_address), |m, s| m.primary_smtp_address = into_text(s))
            },
            Field {
                origin: Origin::StandsFor { cmdlet: "New-Mailbox", parameter: "Password" },
                secret: true,
                check: Some(check_phc),
                note: "The password as an argon2id PHC string, as an export writes it. Absent (and no PasswordFile/PasswordEnv): no password, so no logon.",
                ..param("PasswordHash", "", |m| opt_text(&m.password_hash), |m, s| m.password_hash = into_opt_text(s))
            },
            Field {
                origin: Origin::StandsFor { cmdlet: "New-Mailbox", parameter: "Password" },
                export: Export::Never,
                note: "A file holding the password in clear (first line), relative to the configuration file; hashed on import.",
                ..param("PasswordFile", "", |_| Setting::Absent, |_, _| {})
            },
            Field {
                origin: Origin::StandsFor { cmdlet: "New-Mailbox", parameter: "Password" },
                export: Export::Never,
                note: "An environment variable holding the password in clear; hashed on import.",
                ..param("PasswordEnv", "", |_| Setting::Absent, |_, _| {})
            },
            mailbox_flag!("MAPIEnabled", mapi_enabled),
            flag("MapiHttpEnabled", |m| m.mapi_http_enabled.map_or(Setting::Absent, Setting::Bool), |m, s| m.mapi_http_enabled = into_opt_bool(s)),
            mailbox_flag!("MAPIBlockOutlookNonCachedMode", mapi_block_outlook_non_cached_mode),
            flag("MAPIBlockOutlookVersions", |m| opt_text(&m.mapi_block_outlook_versions), |m, s| m.mapi_block_outlook_versions = into_opt_text(s)),
            mailbox_flag!("MAPIBlockOutlookRpcHttp", mapi_block_outlook_rpc_http),
            mailbox_flag!("MAPIBlockOutlookExternalConnectivity", mapi_block_outlook_external_connectivity),
            mailbox_flag!("ActiveSyncEnabled", active_sync_enabled),
            mailbox_flag!("OWAEnabled", owa_enabled),
            mailbox_flag!("ECPEnabled", ecp_enabled),
            mailbox_flag!("PopEnabled", pop_enabled),
            mailbox_flag!("ImapEnabled", imap_enabled),
            mailbox_flag!("EwsEnabled", ews_enabled),
        ];
        FIELDS
    }

    fn template() -> Mailbox {
        Mailbox::default()
    }

    fn complete(&mut self) {
        if self.alias.is_empty() {
            self.alias = rules::default_alias(&self.name);
        }
        if self.display_name.is_empty() {
            self.display_name = self.name.clone();
        }
        if self.primary_smtp_address.is_empty() {
            self.primary_smtp_address = self.user_principal_name.clone();
        }
    }

    fn identity(&self) -> String {
        self.name.clone()
    }

    fn derived_from(key: &str) -> Option<&'static str> {
        match key {
            "Alias" | "DisplayName" => Some("Name"),
            "PrimarySmtpAddress" => Some("UserPrincipalName"),
            _ => None,
        }
    }
}

/// The top-level keys, in the order an export writes them.
pub const TOP_LEVEL: [&str; 5] = ["Version", Organization::TABLE, Server::TABLE, MapiVirtualDirectory::TABLE, Mailbox::TABLE];

#[cfg(test)]
mod tests;
