//! Writing values the way the file spells them, for exports and for plans (which show values as
//! they would be written in the file).

use super::schema::Setting;

/// A TOML basic string: quotes, backslashes and control characters escaped.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The value as it would appear after `Key = ` in the file; `None` when the key would be left out.
pub fn value_text(s: &Setting) -> Option<String> {
    match s {
        Setting::Absent => None,
        Setting::Bool(b) => Some(b.to_string()),
        Setting::Text(t) => Some(quote(t)),
        Setting::List(items) => Some(format!("[{}]", items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_through_toml() {
        for s in ["plain", "with \"quotes\" and \\", "tab\tnew\nline", "\u{1}ctl", "mapi (Default Web Site)", "ünï"] {
            let doc = format!("k = {}", quote(s));
            let parsed = toml::de::DeTable::parse(&doc).expect("valid toml");
            let v = parsed.get_ref().get("k").expect("key");
            assert_eq!(v.get_ref().as_str(), Some(s));
        }
        assert_eq!(value_text(&Setting::List(vec!["Ntlm".into(), "OAuth".into()])).as_deref(), Some("[\"Ntlm\", \"OAuth\"]"));
        assert_eq!(value_text(&Setting::Absent), None);
    }
}
