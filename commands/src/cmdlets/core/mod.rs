//! PowerShell's own pipeline cmdlets (Microsoft.PowerShell.Core and .Utility), declared like the
//! Exchange ones: filtering, projection, sorting, aggregation, conversion, output and the few
//! object constructors scripts use for credentials.

pub mod convert_csv;
pub mod convert_json;
pub mod credential;
pub mod foreach_object;
pub mod get_member;
pub mod group_object;
pub mod measure_object;
pub mod new_object;
pub mod out;
pub mod read_file;
pub mod select_object;
pub mod sort_object;
pub mod where_object;
pub mod write;

use crate::bind::Bound;
use crate::run::Invocation;
use crate::spec::{ParamSpec, ParamType, PipelineInput};
use crate::value::Value;

/// `-InputObject`: the pipeline object, bound by value. Named only, as in PowerShell.
pub const INPUT_OBJECT: ParamSpec = ParamSpec {
    pipeline: PipelineInput::BY_VALUE,
    ..ParamSpec::new("InputObject", ParamType::Object, "The object to work on; normally it comes from the pipeline.")
};

/// The object this call works on: the bound -InputObject, else the pipeline object.
pub fn input_of(inv: &Invocation<'_>, b: &Bound) -> Option<Value> {
    b.get("InputObject").cloned().or_else(|| inv.input.clone())
}

/// Script-block output as one value, as PowerShell's `DoInvokeReturnAsIs`: nothing → $null,
/// one object → itself, several → a list.
pub fn collapse(mut values: Vec<Value>) -> Value {
    match values.len() {
        0 => Value::Null,
        1 => values.remove(0),
        _ => Value::List(values),
    }
}

/// The key of a calculated-property hashtable, abbreviations allowed (`n`, `e`, `exp`, `desc`).
pub fn hashtable_entry<'a>(entries: &'a [(String, Value)], full_name: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| !k.is_empty() && full_name.len() >= k.len() && full_name[..k.len()].eq_ignore_ascii_case(k))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests;
