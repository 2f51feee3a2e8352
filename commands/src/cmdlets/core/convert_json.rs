//! ConvertTo-Json in Windows PowerShell 5.1's layout: four-space indents, `"Name":  value` with
//! two spaces after the colon, nested objects indented past their key, dates as
//! `"\/Date(ms)\/"`, and `<`, `>`, `&`, `'` escaped as \u003c … (JavaScriptSerializer's habits).
//! -Depth (default 2) limits nesting; deeper objects become their string form, as in 5.1.

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

use super::INPUT_OBJECT;

pub static CONVERT_TO_JSON: CmdletSpec = CmdletSpec {
    name: "ConvertTo-Json",
    aliases: &[],
    synopsis: "Converts an object to a JSON-formatted string.",
    description: "Writes the input as JSON text: one object as a JSON object, several as an array. The layout is Windows PowerShell 5.1's (four-space indents, two spaces after each colon, dates as \"\\/Date(milliseconds)\\/\"); -Compress writes it on one line. Enumeration values are written by name (as they arrive in a remote Exchange session). Only -Depth levels are expanded (default 2); deeper objects are written as their string form.",
    params: &[
        ParamSpec { position: Some(0), ..INPUT_OBJECT },
        ParamSpec { default: Some("2"), ..ParamSpec::new("Depth", ParamType::Int, "How many levels of contained objects to expand (default 2).") },
        ParamSpec::new("Compress", ParamType::Switch, "Omits white space and indentation."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "Object",
    outputs: "System.String",
    class: "Microsoft.PowerShell.Commands.ConvertToJsonCommand",
    examples: &[
        Example { code: "Get-MapiVirtualDirectory | ConvertTo-Json", remarks: "Writes the MAPI virtual directories as JSON." },
        Example { code: "Get-CASMailbox alice | select Name, MAPIEnabled | ConvertTo-Json -Compress", remarks: "Writes two properties of one mailbox on one line." },
    ],
    body: Body::Collect(convert_to_json),
};

fn convert_to_json(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let value = match (b.get("InputObject"), input.len()) {
        (Some(v), 0) => v.clone(),
        (_, 0) => return Ok(()),
        (_, 1) => input.into_iter().next().unwrap_or(Value::Null),
        _ => Value::List(input),
    };
    let depth = b.int("Depth").unwrap_or(2).clamp(0, 100) as usize;
    let mut compact = String::new();
    write_value(&mut compact, &value, 0, depth);
    let text = if b.switch("Compress") { compact } else { pretty(&compact) };
    inv.emit(Value::String(text));
    Ok(())
}

/// JavaScriptSerializer's string escaping.
fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\'' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(out: &mut String, f: f64) {
    if f.is_finite() {
        if f.fract() == 0.0 && f.abs() < 1e15 {
            out.push_str(&format!("{}", f as i64));
        } else {
            out.push_str(&format!("{f}"));
        }
    } else {
        // JSON has no NaN or infinity; 5.1 writes them as strings.
        write_string(out, &format!("{f}"));
    }
}

/// Compact JSON of `v` at nesting `depth` (the top object is 0), expanding up to `max`.
fn write_value(out: &mut String, v: &Value, depth: usize, max: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => write_number(out, *f),
        Value::String(s) => write_string(out, s),
        Value::Enum(e) => write_string(out, e),
        Value::Guid(g) => write_string(out, &g.to_string()),
        Value::DateTime(t) => out.push_str(&format!("\"\\/Date({})\\/\"", t.timestamp_millis())),
        Value::SecureString(_) | Value::ScriptBlock(_) | Value::Credential(_) | Value::Format(_) => write_string(out, &v.to_text()),
        _ if depth > max => write_string(out, &v.to_text()),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, depth + 1, max);
            }
            out.push(']');
        }
        Value::Object(o) => write_members(out, o.properties.iter().map(|(k, v)| (k.as_str(), v)), depth, max),
        Value::Hashtable(entries) => write_members(out, entries.iter().map(|(k, v)| (k.as_str(), v)), depth, max),
    }
}

fn write_members<'a>(out: &mut String, members: impl Iterator<Item = (&'a str, &'a Value)>, depth: usize, max: usize) {
    out.push('{');
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(out, k);
        out.push(':');
        write_value(out, v, depth + 1, max);
    }
    out.push('}');
}

/// Re-indents compact JSON the way Windows PowerShell 5.1's ConvertTo-Json does: a container
/// inside an object is indented past its key (`"Key":  {` and its members line up under the
/// brace plus four spaces). Line ends are `\n` (5.1 writes `\r\n`).
pub fn pretty(json: &str) -> String {
    let chars: Vec<char> = json.chars().collect();
    let mut out = String::with_capacity(json.len() * 2);
    match chars.first() {
        Some('{') => {
            out.push('{');
            dictionary(&chars, 1, &mut out, "", 0);
        }
        Some('[') => {
            out.push('[');
            list(&chars, 1, &mut out, "", 0);
        }
        _ => return json.to_string(),
    }
    out
}

fn spaces(n: usize) -> String {
    " ".repeat(n)
}

/// Copies a quoted string starting after its opening quote; returns the index of the closing quote.
fn quoted(chars: &[char], mut i: usize, out: &mut String) -> usize {
    while i < chars.len() {
        out.push(chars[i]);
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                out.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '"' => return i,
            _ => {}
        }
        i += 1;
    }
    chars.len().saturating_sub(1)
}

fn list(chars: &[char], start: usize, out: &mut String, pad: &str, extra: usize) -> usize {
    out.push('\n');
    let inner = format!("{pad}{}{}", spaces(extra), spaces(4));
    let mut head = true;
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '{' => {
                out.push_str(&inner);
                out.push('{');
                i = dictionary(chars, i + 1, out, &inner, 0);
                head = false;
            }
            '[' => {
                out.push_str(&inner);
                out.push('[');
                i = list(chars, i + 1, out, &inner, 0);
                head = false;
            }
            ']' => {
                out.push('\n');
                out.push_str(pad);
                out.push_str(&spaces(extra));
                out.push(']');
                return i;
            }
            '"' => {
                if head {
                    out.push_str(&inner);
                }
                out.push('"');
                i = quoted(chars, i + 1, out);
                head = false;
            }
            ',' => {
                out.push_str(",\n");
                head = true;
            }
            c => {
                if head {
                    out.push_str(&inner);
                }
                out.push(c);
                head = false;
            }
        }
        i += 1;
    }
    chars.len().saturating_sub(1)
}

fn dictionary(chars: &[char], start: usize, out: &mut String, pad: &str, extra: usize) -> usize {
    out.push('\n');
    let inner = format!("{pad}{}{}", spaces(extra), spaces(4));
    let mut head = true;
    let mut before_colon = true;
    let mut key_width = 0;
    let mut i = start;
    while i < chars.len() {
        match chars[i] {
            '{' => {
                out.push('{');
                i = dictionary(chars, i + 1, out, &inner, key_width);
                head = false;
            }
            '[' => {
                out.push('[');
                i = list(chars, i + 1, out, &inner, key_width);
                head = false;
            }
            '}' => {
                out.push('\n');
                out.push_str(pad);
                out.push_str(&spaces(extra));
                out.push('}');
                return i;
            }
            '"' => {
                if head {
                    out.push_str(&inner);
                }
                out.push('"');
                let end = quoted(chars, i + 1, out);
                if before_colon {
                    // The key with its quotes, the colon and two spaces: where a nested container starts.
                    key_width = end - i + 1 + 3;
                }
                i = end;
                head = false;
            }
            ':' => {
                out.push_str(":  ");
                before_colon = false;
            }
            ',' => {
                out.push_str(",\n");
                head = true;
                before_colon = true;
                key_width = 0;
            }
            c => {
                if head {
                    out.push_str(&inner);
                }
                out.push(c);
                head = false;
            }
        }
        i += 1;
    }
    chars.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_use_the_5_1_layout() {
        assert_eq!(pretty(r#"{"Name":"alice","MAPIEnabled":true}"#), "{\n    \"Name\":  \"alice\",\n    \"MAPIEnabled\":  true\n}");
    }

    #[test]
    fn nested_containers_are_indented_past_their_key() {
        assert_eq!(
            pretty(r#"{"a":1,"Methods":["Ntlm","OAuth"]}"#),
            "{\n    \"a\":  1,\n    \"Methods\":  [\n                    \"Ntlm\",\n                    \"OAuth\"\n                ]\n}"
        );
        assert_eq!(pretty(r#"{"e":[]}"#), "{\n    \"e\":  [\n\n          ]\n}");
    }

    #[test]
    fn arrays_of_objects() {
        assert_eq!(pretty(r#"[{"a":1},{"a":2}]"#), "[\n    {\n        \"a\":  1\n    },\n    {\n        \"a\":  2\n    }\n]");
    }

    #[test]
    fn strings_are_escaped_like_javascriptserializer() {
        let mut s = String::new();
        write_string(&mut s, "it's <b> & \"q\"\n");
        assert_eq!(s, r#""it\u0027s \u003cb\u003e \u0026 \"q\"\n""#);
    }

    #[test]
    fn depth_limits_nesting() {
        let inner = Value::Hashtable(vec![("x".into(), Value::Int(1))]);
        let mid = Value::Hashtable(vec![("inner".into(), inner)]);
        let top = Value::Hashtable(vec![("mid".into(), mid)]);
        let mut s = String::new();
        write_value(&mut s, &top, 0, 1);
        assert_eq!(s, r#"{"mid":{"inner":"System.Collections.Hashtable"}}"#);
    }
}
