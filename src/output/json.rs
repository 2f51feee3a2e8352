//! `--output json`: result objects as JSON for scripts.

use mapish_commands::format::FormatDirective;
use mapish_commands::value::Value;
use serde_json::{Map, Value as Json};

/// One pipeline value as JSON values (a format directive becomes its rows).
pub fn value_to_json(v: &Value) -> Vec<Json> {
    match v {
        Value::Format(d) => match d.as_ref() {
            FormatDirective::Table(t) => t
                .groups
                .iter()
                .flat_map(|g| g.rows.iter())
                .map(|row| Json::Object(t.columns.iter().zip(row).map(|(c, cell)| (c.header.clone(), Json::String(cell.clone()))).collect()))
                .collect(),
            FormatDirective::List(l) => l
                .objects
                .iter()
                .map(|o| Json::Object(o.iter().map(|(k, v)| (k.clone(), Json::String(v.clone()))).collect()))
                .collect(),
            FormatDirective::Text(lines) => lines.iter().map(|l| Json::String(l.clone())).collect(),
        },
        other => vec![to_json(other)],
    }
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number).unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone()),
        Value::DateTime(t) => Json::String(t.to_rfc3339()),
        Value::Guid(g) => Json::String(g.to_string()),
        Value::Enum(e) => Json::String((*e).to_string()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Object(o) => Json::Object(o.properties.iter().map(|(k, v)| (k.clone(), to_json(v))).collect::<Map<_, _>>()),
        Value::Hashtable(e) => Json::Object(e.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Value::Format(_) => Json::Array(value_to_json(v)),
        other => Json::String(other.to_text()),
    }
}
