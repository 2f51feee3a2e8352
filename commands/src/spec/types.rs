//! Parameter types: the .NET-ish names help shows, and the enumerations with their members.

/// An enumeration accepted by a parameter, matched case-insensitively, shown in canonical case.
pub struct EnumSpec {
    /// The type name in messages and help (`AuthenticationMethod`).
    pub type_name: &'static str,
    pub members: &'static [&'static str],
}

impl EnumSpec {
    pub fn find(&self, text: &str) -> Option<&'static str> {
        self.members.iter().copied().find(|m| m.eq_ignore_ascii_case(text))
    }
}

/// Which kind of object an identity parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    VirtualDirectory,
    Mailbox,
    Server,
}

#[derive(Clone, Copy)]
pub enum ParamType {
    /// A SwitchParameter: present or `-Name:$false`.
    Switch,
    /// System.Boolean: takes `$true`/`$false`/1/0.
    Bool,
    /// Nullable Boolean: also `$null`, meaning "not set".
    NullableBool,
    String,
    Int,
    /// System.Uri (absolute URL), `$null` clears.
    Uri,
    Fqdn,
    SmtpAddress,
    Enum(&'static EnumSpec),
    /// MultiValuedProperty of an enumeration: `a,b` replaces, `@{Add=…;Remove=…}` edits, `$null` clears.
    MultiValued(&'static EnumSpec),
    Identity(IdKind),
    /// Unlimited<UInt32>: a number or `Unlimited`.
    ResultSize,
    /// SecureString, or plain text for convenience in scripts.
    SecureString,
    Credential,
    ScriptBlock,
    /// Object[]: property names, wildcards, calculated-property hashtables (Format-Table, Select-Object).
    PropertyList,
    /// String[].
    StringArray,
    /// Any value, unconverted (InputObject, Where-Object's -Value).
    Object,
}

impl ParamType {
    /// The type name shown in syntax lines, help and conversion errors.
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamType::Switch => "SwitchParameter",
            ParamType::Bool => "Boolean",
            ParamType::NullableBool => "Boolean",
            ParamType::String => "String",
            ParamType::Int => "Int32",
            ParamType::Uri => "Uri",
            ParamType::Fqdn => "Fqdn",
            ParamType::SmtpAddress => "SmtpAddress",
            ParamType::Enum(e) => e.type_name,
            ParamType::MultiValued(_) => "MultiValuedProperty",
            ParamType::Identity(IdKind::VirtualDirectory) => "VirtualDirectoryIdParameter",
            ParamType::Identity(IdKind::Mailbox) => "MailboxIdParameter",
            ParamType::Identity(IdKind::Server) => "ServerIdParameter",
            ParamType::ResultSize => "Unlimited",
            ParamType::SecureString => "SecureString",
            ParamType::Credential => "PSCredential",
            ParamType::ScriptBlock => "ScriptBlock",
            ParamType::PropertyList => "Object[]",
            ParamType::StringArray => "String[]",
            ParamType::Object => "PSObject",
        }
    }

    /// The full .NET name used in "Cannot convert value … to type …" messages.
    pub fn dotnet_name(&self) -> &'static str {
        match self {
            ParamType::Switch => "System.Management.Automation.SwitchParameter",
            ParamType::Bool | ParamType::NullableBool => "System.Boolean",
            ParamType::String => "System.String",
            ParamType::Int => "System.Int32",
            ParamType::Uri => "System.Uri",
            ParamType::Fqdn => "Microsoft.Exchange.Data.Fqdn",
            ParamType::SmtpAddress => "Microsoft.Exchange.Data.SmtpAddress",
            ParamType::Enum(e) | ParamType::MultiValued(e) => e.type_name,
            ParamType::Identity(IdKind::VirtualDirectory) => "Microsoft.Exchange.Configuration.Tasks.VirtualDirectoryIdParameter",
            ParamType::Identity(IdKind::Mailbox) => "Microsoft.Exchange.Configuration.Tasks.MailboxIdParameter",
            ParamType::Identity(IdKind::Server) => "Microsoft.Exchange.Configuration.Tasks.ServerIdParameter",
            ParamType::ResultSize => "Microsoft.Exchange.Data.Unlimited`1[System.UInt32]",
            ParamType::SecureString => "System.Security.SecureString",
            ParamType::Credential => "System.Management.Automation.PSCredential",
            ParamType::ScriptBlock => "System.Management.Automation.ScriptBlock",
            ParamType::PropertyList => "System.Object[]",
            ParamType::StringArray => "System.String[]",
            ParamType::Object => "System.Management.Automation.PSObject",
        }
    }

    /// Values offered by tab completion and listed in help.
    pub fn completions(&self) -> Vec<&'static str> {
        match self {
            ParamType::Bool => vec!["$true", "$false"],
            ParamType::NullableBool => vec!["$true", "$false", "$null"],
            ParamType::Enum(e) | ParamType::MultiValued(e) => e.members.to_vec(),
            ParamType::ResultSize => vec!["Unlimited"],
            _ => Vec::new(),
        }
    }
}

pub static AUTHENTICATION_METHOD: EnumSpec = EnumSpec {
    type_name: "AuthenticationMethod",
    members: &["Basic", "Ntlm", "Negotiate", "OAuth"],
};

pub static ACTION_PREFERENCE: EnumSpec = EnumSpec {
    type_name: "ActionPreference",
    members: &["SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend"],
};
