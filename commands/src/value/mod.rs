//! The values that flow through a pipeline: scalars, lists and objects with ordered properties.

mod display;
mod object;

pub use display::{display_value, DisplayOptions};
pub use object::PsObject;

use std::sync::Arc;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::lang::ast::ScriptBlock;

/// A pipeline value. Objects are shared (`Arc`) because the same object is often both the input of
/// a stage and part of its output (Where-Object, Sort-Object).
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    DateTime(DateTime<Utc>),
    Guid(Uuid),
    List(Vec<Value>),
    Object(Arc<PsObject>),
    /// `@{…}`: ordered keys, case-insensitive lookup.
    Hashtable(Vec<(String, Value)>),
    ScriptBlock(Arc<ScriptBlock>),
    /// What ConvertTo-SecureString returns; the plain text never prints.
    SecureString(Arc<SecretText>),
    /// A PSCredential (user name + secure password).
    Credential(Arc<Credential>),
    /// An enum value printed by name (e.g. `Negotiate`), compared by name case-insensitively.
    Enum(&'static str),
    /// What Format-Table and Format-List emit: laid-out text for the output layer to render.
    Format(Arc<crate::format::FormatDirective>),
}

/// Plain text kept out of Debug output and formatting.
pub struct SecretText(pub String);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText(***)")
    }
}

#[derive(Debug)]
pub struct Credential {
    pub user_name: String,
    pub password: SecretText,
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn opt_str(s: Option<impl Into<String>>) -> Value {
        s.map(|s| Value::String(s.into())).unwrap_or(Value::Null)
    }

    pub fn opt_bool(b: Option<bool>) -> Value {
        b.map(Value::Bool).unwrap_or(Value::Null)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// PowerShell's truthiness (`if ($x)`, Where-Object results).
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::String(s) => !s.is_empty(),
            Value::List(items) => match items.len() {
                0 => false,
                1 => items[0].is_truthy(),
                _ => true,
            },
            _ => true,
        }
    }

    /// The .NET-ish type name, used by Get-Member, error messages and the `#TYPE` line of CSV.
    pub fn type_name(&self) -> String {
        match self {
            Value::Null => "null".into(),
            Value::Bool(_) => "System.Boolean".into(),
            Value::Int(_) => "System.Int32".into(),
            Value::Float(_) => "System.Double".into(),
            Value::String(_) => "System.String".into(),
            Value::DateTime(_) => "System.DateTime".into(),
            Value::Guid(_) => "System.Guid".into(),
            Value::List(_) => "System.Object[]".into(),
            Value::Object(o) => o.type_name.clone(),
            Value::Hashtable(_) => "System.Collections.Hashtable".into(),
            Value::ScriptBlock(_) => "System.Management.Automation.ScriptBlock".into(),
            Value::SecureString(_) => "System.Security.SecureString".into(),
            Value::Credential(_) => "System.Management.Automation.PSCredential".into(),
            Value::Enum(_) => "System.Enum".into(),
            Value::Format(_) => "Microsoft.PowerShell.Commands.Internal.Format.FormatStartData".into(),
        }
    }

    /// A property by name, case-insensitive, for objects and hashtables (`$x.Name`).
    pub fn property(&self, name: &str) -> Option<Value> {
        let found = self.own_property(name);
        if found.is_some() {
            return found;
        }
        // PowerShell 3+ gives every value Count and Length: 0 for $null, 1 for one object, so
        // `(Get-CASMailbox | ? {...}).Count` is right whether 0, 1 or many mailboxes match.
        if name.eq_ignore_ascii_case("Count") || name.eq_ignore_ascii_case("Length") {
            return Some(Value::Int(match self {
                Value::Null => 0,
                Value::Hashtable(entries) => entries.len() as i64,
                _ => 1,
            }));
        }
        None
    }

    fn own_property(&self, name: &str) -> Option<Value> {
        match self {
            Value::Object(o) => o.get(name).cloned(),
            Value::Hashtable(entries) => entries
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.clone()),
            Value::Credential(c) if name.eq_ignore_ascii_case("UserName") => {
                Some(Value::String(c.user_name.clone()))
            }
            Value::Credential(c) if name.eq_ignore_ascii_case("Password") => {
                Some(Value::SecureString(Arc::new(SecretText(c.password.0.clone()))))
            }
            Value::List(items) if name.eq_ignore_ascii_case("Count") || name.eq_ignore_ascii_case("Length") => {
                Some(Value::Int(items.len() as i64))
            }
            Value::String(s) if name.eq_ignore_ascii_case("Length") => Some(Value::Int(s.chars().count() as i64)),
            // Member enumeration: `$list.Name` gives each item's Name.
            Value::List(items) => {
                let found: Vec<Value> = items.iter().filter_map(|v| v.property(name)).collect();
                if found.is_empty() { None } else { Some(Value::List(found)) }
            }
            _ => None,
        }
    }

    /// The number a value stands for in arithmetic, comparisons and Measure-Object (`"5"` is 5,
    /// `$true` is 1), or None.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Bool(b) => Some(*b as i64 as f64),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// Flattens one level: a list gives its items, anything else itself (how the pipeline enumerates).
    pub fn into_items(self) -> Vec<Value> {
        match self {
            Value::List(items) => items,
            Value::Null => Vec::new(),
            other => vec![other],
        }
    }

    /// The text PowerShell would use when the value is turned into a string (`"$x"`, parameter conversion).
    pub fn to_text(&self) -> String {
        display_value(self, &DisplayOptions::conversion())
    }
}
