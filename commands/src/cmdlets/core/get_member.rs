//! Get-Member (`gm`): the properties and methods of the input objects, one section per type
//! (`TypeName: …`), to find the names to use with ft, select and where.

use std::sync::Arc;

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::{wildcard_match, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, EnumSpec, Example, ParamSpec, ParamType};
use crate::value::{PsObject, Value};

use super::INPUT_OBJECT;

pub const MEMBER_DEFINITION_TYPE: &str = "Microsoft.PowerShell.Commands.MemberDefinition";

static MEMBER_TYPES: EnumSpec = EnumSpec {
    type_name: "PSMemberTypes",
    members: &["Property", "NoteProperty", "Method", "Properties", "Methods", "All"],
};

pub static GET_MEMBER: CmdletSpec = CmdletSpec {
    name: "Get-Member",
    aliases: &["gm"],
    synopsis: "Gets the properties and methods of objects.",
    description: "Lists, for each type of input object, its properties and methods with their types: the names to use with Format-Table, Select-Object and Where-Object. Properties of objects that Select-Object or New-Object made are NoteProperties and show their value.",
    params: &[
        INPUT_OBJECT,
        ParamSpec { position: Some(0), wildcards: true, ..ParamSpec::new("Name", ParamType::StringArray, "Only the members with these names (wildcards allowed).") },
        ParamSpec { aliases: &["Type"], ..ParamSpec::new("MemberType", ParamType::Enum(&MEMBER_TYPES), "Only members of this kind: Property, NoteProperty, Method, Properties (both kinds of property), Methods, All.") },
        ParamSpec::new("Force", ParamType::Switch, "Accepted for compatibility."),
        ParamSpec::new("Static", ParamType::Switch, "Accepted for compatibility; mapish objects have no static members."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: MEMBER_DEFINITION_TYPE,
    class: "Microsoft.PowerShell.Commands.GetMemberCommand",
    examples: &[
        Example { code: "Get-CASMailbox alice | gm", remarks: "Lists the properties of a CASMailbox, to pick columns for ft or select." },
        Example { code: "Get-CASMailbox alice | gm *mapi* -MemberType Property", remarks: "Lists only the MAPI properties." },
    ],
    body: Body::Collect(get_member),
};

/// The short type PowerShell writes in a member definition (`bool`, `string`, `datetime`).
fn type_word(v: &Value) -> String {
    match v {
        Value::Null => "System.Object".into(),
        Value::Bool(_) => "bool".into(),
        Value::Int(_) => "int".into(),
        Value::Float(_) => "double".into(),
        Value::String(_) => "string".into(),
        Value::DateTime(_) => "datetime".into(),
        Value::Guid(_) => "guid".into(),
        Value::Hashtable(_) => "hashtable".into(),
        Value::ScriptBlock(_) => "scriptblock".into(),
        Value::SecureString(_) => "securestring".into(),
        Value::Credential(_) => "pscredential".into(),
        other => other.type_name(),
    }
}

const METHODS: &[(&str, &str)] = &[
    ("Equals", "bool Equals(System.Object obj)"),
    ("GetHashCode", "int GetHashCode()"),
    ("GetType", "type GetType()"),
    ("ToString", "string ToString()"),
];

const STRING_METHODS: &[(&str, &str)] = &[
    ("Contains", "bool Contains(string value)"),
    ("EndsWith", "bool EndsWith(string value)"),
    ("Replace", "string Replace(string oldValue, string newValue)"),
    ("Split", "string[] Split(Params char[] separator)"),
    ("StartsWith", "bool StartsWith(string value)"),
    ("Substring", "string Substring(int startIndex), string Substring(int startIndex, int length)"),
    ("ToLower", "string ToLower()"),
    ("ToUpper", "string ToUpper()"),
    ("Trim", "string Trim()"),
    ("TrimEnd", "string TrimEnd(Params char[] trimChars)"),
    ("TrimStart", "string TrimStart(Params char[] trimChars)"),
];

/// (name, member type, definition) of one object's members, in Get-Member's order: methods,
/// then properties, each by name.
fn members(v: &Value) -> Vec<(String, &'static str, String)> {
    let mut methods: Vec<(String, &'static str, String)> = METHODS.iter().map(|(n, d)| (n.to_string(), "Method", d.to_string())).collect();
    let mut properties = Vec::new();
    match v {
        Value::Object(o) => {
            // Objects built by Select-Object, New-Object and the like carry NoteProperties.
            let note = o.type_name.starts_with("Selected.") || o.type_name == "System.Management.Automation.PSCustomObject";
            for (k, val) in &o.properties {
                if note {
                    let shown = if val.is_null() { "null".to_string() } else { val.to_text() };
                    let ty = if val.is_null() { "object".to_string() } else { type_word(val) };
                    properties.push((k.clone(), "NoteProperty", format!("{ty} {k}={shown}")));
                } else {
                    properties.push((k.clone(), "Property", format!("{} {k} {{get;set;}}", type_word(val))));
                }
            }
        }
        Value::String(_) => {
            methods.extend(STRING_METHODS.iter().map(|(n, d)| (n.to_string(), "Method", d.to_string())));
            properties.push(("Length".into(), "Property", "int Length {get;}".into()));
        }
        Value::Hashtable(_) => {
            properties.push(("Count".into(), "Property", "int Count {get;}".into()));
            properties.push(("Keys".into(), "Property", "System.Collections.ICollection Keys {get;}".into()));
            properties.push(("Values".into(), "Property", "System.Collections.ICollection Values {get;}".into()));
        }
        Value::Credential(_) => {
            properties.push(("Password".into(), "Property", "securestring Password {get;}".into()));
            properties.push(("UserName".into(), "Property", "string UserName {get;}".into()));
        }
        _ => {}
    }
    methods.sort_by_key(|m| m.0.to_lowercase());
    properties.sort_by_key(|p| p.0.to_lowercase());
    methods.extend(properties);
    methods
}

fn wanted(kind: &str, filter: Option<&str>) -> bool {
    match filter {
        None | Some("All") => true,
        Some("Properties") => kind.ends_with("Property"),
        Some("Methods") => kind == "Method",
        Some(f) => f == kind,
    }
}

fn get_member(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let names: Option<Vec<String>> = b.get("Name").map(|v| v.clone().into_items().iter().map(Value::to_text).collect());
    let kind_filter = match b.get("MemberType") {
        Some(Value::Enum(e)) => Some(*e),
        _ => None,
    };
    let items: Vec<Value> = match b.get("InputObject") {
        // -InputObject given by name describes that value as a whole (a list is System.Object[]).
        Some(v) if input.is_empty() => vec![v.clone()],
        _ => input,
    };
    let mut seen: Vec<String> = Vec::new();
    for item in items.iter().filter(|v| !v.is_null()) {
        let type_name = item.type_name();
        if seen.contains(&type_name) {
            continue;
        }
        seen.push(type_name.clone());
        for (name, kind, definition) in members(item) {
            if !wanted(kind, kind_filter) {
                continue;
            }
            if let Some(patterns) = &names
                && !patterns.iter().any(|p| wildcard_match(p, &name, false))
            {
                continue;
            }
            let obj = PsObject::new(MEMBER_DEFINITION_TYPE)
                .with("TypeName", Value::str(&type_name))
                .with("Name", Value::str(name))
                .with("MemberType", Value::str(kind))
                .with("Definition", Value::str(definition));
            inv.emit(Value::Object(Arc::new(obj)));
        }
    }
    if items.iter().all(Value::is_null) {
        return Err(ErrorRecord::new(
            "You must specify an object for the Get-Member cmdlet.",
            crate::record::ErrorCategory::InvalidOperation,
            "InvalidOperationException",
            "NoObjectInGetMember,Microsoft.PowerShell.Commands.GetMemberCommand",
        ));
    }
    Ok(())
}
