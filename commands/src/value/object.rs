//! Objects with ordered, case-insensitively named properties: what Get-* cmdlets emit.

use super::Value;

#[derive(Debug, Clone)]
pub struct PsObject {
    /// The .NET-ish type name, which selects the default view (e.g.
    /// `Microsoft.Exchange.Data.Directory.SystemConfiguration.ADMapiVirtualDirectory`).
    pub type_name: String,
    pub properties: Vec<(String, Value)>,
}

impl PsObject {
    pub fn new(type_name: impl Into<String>) -> Self {
        PsObject { type_name: type_name.into(), properties: Vec::new() }
    }

    pub fn with(mut self, name: &str, value: Value) -> Self {
        self.properties.push((name.to_string(), value));
        self
    }

    pub fn push(&mut self, name: &str, value: Value) {
        self.properties.push((name.to_string(), value));
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
    }

    /// The property's own spelling (`mapienabled` → `MAPIEnabled`), as PowerShell uses for headers.
    pub fn canonical_name(&self, name: &str) -> Option<&str> {
        self.properties.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(k, _)| k.as_str())
    }

    /// The short type name Get-Member and `fl` headers use (`ADMapiVirtualDirectory`).
    pub fn short_type_name(&self) -> &str {
        self.type_name.rsplit('.').next().unwrap_or(&self.type_name)
    }
}
