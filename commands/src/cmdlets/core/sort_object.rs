//! Sort-Object (`sort`): a stable sort on one or more properties (or calculated keys), ascending
//! unless -Descending or a key's own `Descending = $true`.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::bind::Bound;
use crate::lang::ast::ScriptBlock;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::{compare_values, wildcard_match, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

use super::{collapse, hashtable_entry, INPUT_OBJECT};

pub static SORT_OBJECT: CmdletSpec = CmdletSpec {
    name: "Sort-Object",
    aliases: &["sort"],
    synopsis: "Sorts objects by property values.",
    description: "Sorts the input objects by the values of one or more properties, in ascending order unless -Descending is given. Keys can be calculated: @{Expression={$_.Name.Length}; Descending=$true}. Text compares case-insensitively unless -CaseSensitive; the sort is stable, so objects with equal keys keep their order. -Unique keeps one object per distinct key.",
    params: &[
        INPUT_OBJECT,
        ParamSpec {
            position: Some(0),
            wildcards: true,
            ..ParamSpec::new("Property", ParamType::PropertyList, "The properties to sort by, in order of importance; hashtables @{Expression=...; Descending=$true} give calculated keys and their own direction.")
        },
        ParamSpec::new("Descending", ParamType::Switch, "Sorts in descending order."),
        ParamSpec::new("Unique", ParamType::Switch, "Keeps only the first object of each distinct key."),
        ParamSpec::new("CaseSensitive", ParamType::Switch, "Compares text case-sensitively."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "PSObject",
    class: "Microsoft.PowerShell.Commands.SortObjectCommand",
    examples: &[
        Example { code: "Get-CASMailbox | sort Name", remarks: "Lists the mailboxes by name." },
        Example { code: "Get-CASMailbox | sort MAPIEnabled, Name -Descending", remarks: "Lists the mailboxes with MAPI enabled first, then by name in reverse order." },
        Example { code: "Get-Mailbox | sort @{e={$_.Name.Length}; Descending=$true}", remarks: "Sorts by a calculated key." },
    ],
    body: Body::Collect(sort_object),
};

enum KeySource {
    Property(String),
    Script(Arc<ScriptBlock>),
    /// No -Property: the object itself.
    Whole,
}

struct Key {
    source: KeySource,
    descending: bool,
}

fn keys(inv: &Invocation<'_>, b: &Bound, first: Option<&Value>) -> Result<Vec<Key>, ErrorRecord> {
    let descending = b.switch("Descending");
    let Some(spec) = b.get("Property") else {
        return Ok(vec![Key { source: KeySource::Whole, descending }]);
    };
    let span = b.span("Property").unwrap_or(inv.call_span);
    let mut keys = Vec::new();
    for item in spec.clone().into_items() {
        match item {
            Value::Hashtable(entries) => {
                let source = match hashtable_entry(&entries, "Expression") {
                    Some(Value::ScriptBlock(block)) => KeySource::Script(block.clone()),
                    Some(other) => KeySource::Property(other.to_text()),
                    None => {
                        return Err(ErrorRecord::new(
                            "The hash table of a sort key needs an Expression (e) key.",
                            ErrorCategory::InvalidArgument,
                            "NotSupportedException",
                            "DictionaryKeyMissing,Microsoft.PowerShell.Commands.SortObjectCommand",
                        )
                        .at(span));
                    }
                };
                let own = match (hashtable_entry(&entries, "Descending"), hashtable_entry(&entries, "Ascending")) {
                    (Some(d), _) => d.is_truthy(),
                    (None, Some(a)) => !a.is_truthy(),
                    (None, None) => descending,
                };
                keys.push(Key { source, descending: own });
            }
            other => {
                let name = other.to_text();
                if name.contains(['*', '?']) {
                    // A wildcard sorts by every matching property of the first object, in its order.
                    if let Some(Value::Object(o)) = first {
                        for (k, _) in o.properties.iter().filter(|(k, _)| wildcard_match(&name, k, false)) {
                            keys.push(Key { source: KeySource::Property(k.clone()), descending });
                        }
                    }
                } else {
                    keys.push(Key { source: KeySource::Property(name), descending });
                }
            }
        }
    }
    Ok(keys)
}

fn key_value(inv: &mut Invocation<'_>, key: &Key, item: &Value) -> Result<Value, ErrorRecord> {
    Ok(match &key.source {
        KeySource::Property(name) => item.property(name).unwrap_or(Value::Null),
        KeySource::Script(block) => collapse(inv.invoke(block, Some(item.clone()))?),
        KeySource::Whole => item.clone(),
    })
}

fn sort_object(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let keys = keys(inv, b, input.first())?;
    let case_sensitive = b.switch("CaseSensitive");
    let mut rows: Vec<(Vec<Value>, Value)> = Vec::with_capacity(input.len());
    for item in input {
        let mut values = Vec::with_capacity(keys.len());
        for key in &keys {
            values.push(key_value(inv, key, &item)?);
        }
        rows.push((values, item));
    }
    let order = |a: &[Value], b: &[Value]| -> Ordering {
        for ((x, y), key) in a.iter().zip(b).zip(&keys) {
            let o = compare_values(x, y, case_sensitive);
            let o = if key.descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    };
    // `sort_by` is stable: equal keys keep their input order, as PowerShell's Sort-Object does.
    rows.sort_by(|a, b| order(&a.0, &b.0));
    let unique = b.switch("Unique");
    let mut previous: Option<Vec<Value>> = None;
    for (values, item) in rows {
        if unique {
            if previous.as_ref().is_some_and(|p| same(p, &values, case_sensitive)) {
                continue;
            }
            previous = Some(values);
        }
        inv.emit(item);
        if inv.output_closed() {
            break;
        }
    }
    Ok(())
}

/// Equality for -Unique: text compares case-insensitively unless -CaseSensitive.
fn same(a: &[Value], b: &[Value], case_sensitive: bool) -> bool {
    a.iter().zip(b).all(|(x, y)| {
        // The case-insensitive ordering breaks ties by case, so equality is checked on its own.
        compare_values(x, y, case_sensitive) == Ordering::Equal
            || (!case_sensitive && matches!((x, y), (Value::String(_), _) | (_, Value::String(_))) && x.to_text().to_lowercase() == y.to_text().to_lowercase())
    })
}
