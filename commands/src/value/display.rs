//! How values turn into text in tables, lists and string conversion.

use chrono::{Local, TimeZone};

use super::Value;

pub struct DisplayOptions {
    /// `$FormatEnumerationLimit`: items of a collection shown before `...`; negative = all.
    pub enumeration_limit: i64,
    /// Inside a collection, wrap in `{…}` (formatting) or join with spaces (string conversion).
    pub braces: bool,
}

impl DisplayOptions {
    pub fn formatting(enumeration_limit: i64) -> Self {
        DisplayOptions { enumeration_limit, braces: true }
    }

    /// PowerShell's string conversion: `"$list"` joins with spaces and never truncates.
    pub fn conversion() -> Self {
        DisplayOptions { enumeration_limit: -1, braces: false }
    }
}

pub fn display_value(value: &Value, opts: &DisplayOptions) -> String {
    match value {
        Value::Null => String::new(),
        Value::Bool(true) => "True".into(),
        Value::Bool(false) => "False".into(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::String(s) => s.clone(),
        Value::DateTime(t) => format_datetime(t),
        Value::Guid(g) => g.to_string(),
        Value::Enum(name) => (*name).to_string(),
        Value::List(items) => display_list(items, opts),
        Value::Object(o) => match o.get("Identity").or_else(|| o.get("Name")) {
            Some(v) if !matches!(v, Value::Object(_)) => display_value(v, opts),
            _ => o.type_name.clone(),
        },
        Value::Hashtable(_) => "System.Collections.Hashtable".into(),
        Value::ScriptBlock(sb) => sb.text.clone(),
        Value::SecureString(_) => "System.Security.SecureString".into(),
        Value::Credential(_) => "System.Management.Automation.PSCredential".into(),
        Value::Format(_) => "Microsoft.PowerShell.Commands.Internal.Format.FormatStartData".into(),
    }
}

fn display_list(items: &[Value], opts: &DisplayOptions) -> String {
    let inner_opts = DisplayOptions { enumeration_limit: opts.enumeration_limit, braces: opts.braces };
    if !opts.braces {
        return items.iter().map(|v| display_value(v, &inner_opts)).collect::<Vec<_>>().join(" ");
    }
    let limit = if opts.enumeration_limit < 0 { usize::MAX } else { opts.enumeration_limit as usize };
    let shown: Vec<String> = items.iter().take(limit).map(|v| display_value(v, &inner_opts)).collect();
    let mut text = format!("{{{}", shown.join(", "));
    if items.len() > limit {
        text.push_str("...");
    }
    text.push('}');
    text
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// en-US general date/time in local time, as EMS prints WhenChanged: `11/26/2026 4:51:37 AM`.
pub fn format_datetime(t: &chrono::DateTime<chrono::Utc>) -> String {
    let local = Local.from_utc_datetime(&t.naive_utc());
    local.format("%-m/%-d/%Y %-I:%M:%S %p").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::String(s.to_string())).collect())
    }

    #[test]
    fn collections_print_in_braces_and_cut_after_the_limit() {
        let opts = DisplayOptions::formatting(4);
        assert_eq!(display_value(&list(&["Ntlm", "OAuth", "Negotiate"]), &opts), "{Ntlm, OAuth, Negotiate}");
        assert_eq!(display_value(&list(&[]), &opts), "{}");
        assert_eq!(display_value(&list(&["a", "b", "c", "d", "e"]), &opts), "{a, b, c, d...}");
        assert_eq!(display_value(&list(&["a", "b", "c", "d", "e"]), &DisplayOptions::formatting(-1)), "{a, b, c, d, e}");
    }

    #[test]
    fn string_conversion_joins_with_spaces() {
        assert_eq!(list(&["a", "b"]).to_text(), "a b");
        assert_eq!(Value::Bool(false).to_text(), "False");
        assert_eq!(Value::Null.to_text(), "");
    }
}
