//! Turning a -Property list (names, wildcards, calculated-property hashtables) into columns for
//! one object, with PowerShell's rules: a plain name takes the object's own spelling as label, a
//! wildcard expands to every matching property in object order.

use std::sync::Arc;

use crate::lang::ast::ScriptBlock;
use crate::run::wildcard_match;
use crate::value::Value;

#[derive(Debug, Clone)]
pub enum ColumnSource {
    Property(String),
    Calculated(Arc<ScriptBlock>),
    /// `@{ e = 'Name' }`: a calculated property naming another property.
    Renamed(String),
}

#[derive(Debug, Clone)]
pub struct SelectedColumn {
    pub label: String,
    pub source: ColumnSource,
}

pub fn property_names(obj: &Value) -> Vec<String> {
    match obj {
        Value::Object(o) => o.properties.iter().map(|(k, _)| k.clone()).collect(),
        Value::Hashtable(e) => e.iter().map(|(k, _)| k.clone()).collect(),
        _ => Vec::new(),
    }
}

/// Err is a message about a malformed calculated property.
pub fn expand_properties(spec: &[Value], obj: &Value) -> Result<Vec<SelectedColumn>, String> {
    let names = property_names(obj);
    let mut columns: Vec<SelectedColumn> = Vec::new();
    let push = |c: SelectedColumn, columns: &mut Vec<SelectedColumn>| {
        if !columns.iter().any(|e| e.label.eq_ignore_ascii_case(&c.label)) {
            columns.push(c);
        }
    };
    for item in spec {
        match item {
            Value::Hashtable(entries) => {
                let get = |full_names: &[&str]| entries.iter().find(|(k, _)| key_matches(k, full_names)).map(|(_, v)| v.clone());
                let expr = get(&["expression"]).ok_or("The hash table of a calculated property needs an Expression (e) key.")?;
                let label = get(&["name", "label"]);
                let source = match &expr {
                    Value::ScriptBlock(b) => ColumnSource::Calculated(b.clone()),
                    other => ColumnSource::Renamed(other.to_text()),
                };
                let label = match (label, &source) {
                    (Some(l), _) => l.to_text(),
                    (None, ColumnSource::Calculated(b)) => b.text.trim().to_string(),
                    (None, ColumnSource::Renamed(n)) | (None, ColumnSource::Property(n)) => n.clone(),
                };
                push(SelectedColumn { label, source }, &mut columns);
            }
            other => {
                let pattern = other.to_text();
                if pattern.contains(['*', '?']) {
                    for n in names.iter().filter(|n| wildcard_match(&pattern, n, false)) {
                        push(SelectedColumn { label: n.clone(), source: ColumnSource::Property(n.clone()) }, &mut columns);
                    }
                } else {
                    let label = names.iter().find(|n| n.eq_ignore_ascii_case(&pattern)).cloned().unwrap_or(pattern);
                    push(SelectedColumn { label: label.clone(), source: ColumnSource::Property(label) }, &mut columns);
                }
            }
        }
    }
    Ok(columns)
}

/// Calculated-property keys may be abbreviated (`n`, `na`, `name`; `e`, `exp`…).
fn key_matches(key: &str, full_names: &[&str]) -> bool {
    let k = key.to_ascii_lowercase();
    !k.is_empty() && full_names.iter().any(|full| full.starts_with(&k))
}
