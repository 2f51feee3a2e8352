//! Group-Object (`group`): groups objects by the values of properties (`Get-CASMailbox | group
//! MAPIEnabled` to see the split), in order of first appearance, as PowerShell 5.1 does.

use std::collections::HashMap;
use std::sync::Arc;

use crate::bind::Bound;
use crate::lang::ast::ScriptBlock;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::{PsObject, Value};

use super::{collapse, hashtable_entry, INPUT_OBJECT};

pub const GROUP_INFO_TYPE: &str = "Microsoft.PowerShell.Commands.GroupInfo";
pub const GROUP_INFO_NO_ELEMENT_TYPE: &str = "Microsoft.PowerShell.Commands.GroupInfoNoElement";

pub static GROUP_OBJECT: CmdletSpec = CmdletSpec {
    name: "Group-Object",
    aliases: &["group"],
    synopsis: "Groups objects that contain the same value for specified properties.",
    description: "Outputs one group per distinct value of the properties (or calculated keys), with its Count, its Name (the value as text; several properties are joined with \", \") and its Group (the objects). Groups come in order of first appearance. -NoElement leaves out the objects; -AsHashTable outputs one hashtable from each value to its objects.",
    params: &[
        INPUT_OBJECT,
        ParamSpec { position: Some(0), ..ParamSpec::new("Property", ParamType::PropertyList, "The properties (or script blocks) to group by.") },
        ParamSpec::new("NoElement", ParamType::Switch, "Leaves the objects out of the result: only Count and Name."),
        ParamSpec::new("CaseSensitive", ParamType::Switch, "Values that differ only in case go to different groups."),
        ParamSpec { sets: &["HashTable"], mandatory: true, ..ParamSpec::new("AsHashTable", ParamType::Switch, "Outputs a hashtable whose keys are the values and whose values are the groups' objects.") },
        ParamSpec { sets: &["HashTable"], ..ParamSpec::new("AsString", ParamType::Switch, "With -AsHashTable, makes the keys strings.") },
    ],
    parameter_sets: &["Default", "HashTable"],
    default_set: Some("Default"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: GROUP_INFO_TYPE,
    class: "Microsoft.PowerShell.Commands.GroupObjectCommand",
    examples: &[
        Example { code: "Get-CASMailbox | group MAPIEnabled", remarks: "Shows how many mailboxes have MAPI enabled and how many not." },
        Example { code: "Get-CASMailbox | group MapiHttpEnabled -NoElement", remarks: "Counts the mailboxes per MAPI over HTTP override ($true, $false, or empty: follows the organization)." },
    ],
    body: Body::Collect(group_object),
};

enum KeySource {
    Property(String),
    Script(Arc<ScriptBlock>),
    Whole,
}

struct Group {
    name: String,
    values: Vec<Value>,
    count: usize,
    items: Vec<Value>,
}

fn sources(inv: &Invocation<'_>, b: &Bound) -> Result<Vec<KeySource>, ErrorRecord> {
    let Some(spec) = b.get("Property") else { return Ok(vec![KeySource::Whole]) };
    spec.clone()
        .into_items()
        .into_iter()
        .map(|item| match item {
            Value::ScriptBlock(block) => Ok(KeySource::Script(block)),
            Value::Hashtable(entries) => match hashtable_entry(&entries, "Expression") {
                Some(Value::ScriptBlock(block)) => Ok(KeySource::Script(block.clone())),
                Some(other) => Ok(KeySource::Property(other.to_text())),
                None => Err(ErrorRecord::new(
                    "The hash table of a grouping key needs an Expression (e) key.",
                    ErrorCategory::InvalidArgument,
                    "NotSupportedException",
                    "DictionaryKeyMissing,Microsoft.PowerShell.Commands.GroupObjectCommand",
                )
                .at(b.span("Property").unwrap_or(inv.call_span))),
            },
            other => Ok(KeySource::Property(other.to_text())),
        })
        .collect()
}

fn group_object(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let sources = sources(inv, b)?;
    let case_sensitive = b.switch("CaseSensitive");
    let no_element = b.switch("NoElement");
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for item in input {
        let mut values = Vec::with_capacity(sources.len());
        for source in &sources {
            values.push(match source {
                KeySource::Property(name) => item.property(name).unwrap_or(Value::Null),
                KeySource::Script(block) => collapse(inv.invoke(block, Some(item.clone()))?),
                KeySource::Whole => item.clone(),
            });
        }
        let name = values.iter().map(Value::to_text).collect::<Vec<_>>().join(", ");
        let key = if case_sensitive { name.clone() } else { name.to_lowercase() };
        let at = *index.entry(key).or_insert_with(|| {
            groups.push(Group { name, values, count: 0, items: Vec::new() });
            groups.len() - 1
        });
        groups[at].count += 1;
        // -NoElement counts without keeping the objects.
        if !no_element || b.switch("AsHashTable") {
            groups[at].items.push(item);
        }
    }
    if b.switch("AsHashTable") {
        let table = groups
            .into_iter()
            .map(|g| {
                let key = if b.switch("AsString") || g.values.len() != 1 { g.name } else { g.values[0].to_text() };
                (key, Value::List(g.items))
            })
            .collect();
        inv.emit(Value::Hashtable(table));
        return Ok(());
    }
    for g in groups {
        let count = Value::Int(g.count as i64);
        let values = Value::List(g.values);
        let obj = if no_element {
            PsObject::new(GROUP_INFO_NO_ELEMENT_TYPE).with("Values", values).with("Count", count).with("Group", Value::Null).with("Name", Value::str(g.name))
        } else {
            PsObject::new(GROUP_INFO_TYPE).with("Values", values).with("Count", count).with("Group", Value::List(g.items)).with("Name", Value::str(g.name))
        };
        inv.emit(Value::Object(Arc::new(obj)));
        if inv.output_closed() {
            break;
        }
    }
    Ok(())
}
