//! Select-Object (`select`): picks properties (names, wildcards, calculated properties) into new
//! objects, expands one property, or picks objects by position (-First, -Last, -Skip, -Index).
//! Streams: -First stops the commands before it once it has its objects, and only -Last and
//! -SkipLast keep a buffer (of that many objects).

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;

use crate::bind::Bound;
use crate::format::{expand_properties, ColumnSource, SelectedColumn};
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::{wildcard_match, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType, StreamBody};
use crate::value::{PsObject, Value};

use super::{collapse, input_of, INPUT_OBJECT};

const DEFAULT_SETS: &[&str] = &["DefaultParameter", "SkipLastParameter"];

pub static SELECT_OBJECT: CmdletSpec = CmdletSpec {
    name: "Select-Object",
    aliases: &["select"],
    synopsis: "Selects objects or object properties.",
    description: "With -Property, outputs new objects that have only the named properties (names in any case, wildcards such as *mapi*, and calculated properties @{Name='X'; Expression={...}}); with -ExpandProperty, outputs the value of one property instead. -First, -Last, -Skip, -SkipLast and -Index pick objects by position, and -Unique drops duplicates. Objects with four properties or fewer show as a table, more as a list. A named property that no input object has is reported once as a warning (PowerShell stays silent).",
    params: &[
        INPUT_OBJECT,
        ParamSpec {
            sets: DEFAULT_SETS,
            position: Some(0),
            wildcards: true,
            ..ParamSpec::new("Property", ParamType::PropertyList, "The properties to select: names, wildcards, or calculated properties @{Name='Label'; Expression={$_.Name}}.")
        },
        ParamSpec { sets: DEFAULT_SETS, wildcards: true, ..ParamSpec::new("ExcludeProperty", ParamType::StringArray, "Properties to leave out of -Property (wildcards allowed).") },
        ParamSpec { sets: DEFAULT_SETS, ..ParamSpec::new("ExpandProperty", ParamType::String, "Outputs the value of this property instead of an object; a collection is output item by item.") },
        ParamSpec::new("Unique", ParamType::Switch, "Outputs each distinct object once (compared by all their properties, case-sensitively)."),
        ParamSpec { sets: &["DefaultParameter"], ..ParamSpec::new("First", ParamType::Int, "Outputs only the first n objects, then stops the commands before it.") },
        ParamSpec { sets: &["DefaultParameter"], ..ParamSpec::new("Last", ParamType::Int, "Outputs only the last n objects.") },
        ParamSpec { sets: &["DefaultParameter"], ..ParamSpec::new("Skip", ParamType::Int, "Skips the first n objects.") },
        ParamSpec { sets: &["SkipLastParameter"], mandatory: false, ..ParamSpec::new("SkipLast", ParamType::Int, "Skips the last n objects.") },
        ParamSpec { sets: &["IndexParameter"], ..ParamSpec::new("Index", ParamType::StringArray, "Outputs the objects at these 0-based positions.") },
        ParamSpec { sets: DEFAULT_SETS, ..ParamSpec::new("Wait", ParamType::Switch, "Accepted for compatibility.") },
    ],
    parameter_sets: &["DefaultParameter", "SkipLastParameter", "IndexParameter"],
    default_set: Some("DefaultParameter"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "System.Management.Automation.PSObject",
    class: "Microsoft.PowerShell.Commands.SelectObjectCommand",
    examples: &[
        Example { code: "Get-CASMailbox | select Name, MAPIEnabled, MapiHttpEnabled", remarks: "Shows three properties of each mailbox as a table." },
        Example { code: "Get-CASMailbox | select Name, @{n='MAPI';e={$_.MAPIEnabled}} -First 5", remarks: "Shows the first five mailboxes with a calculated MAPI column." },
        Example { code: "Get-MapiVirtualDirectory | select -ExpandProperty IISAuthenticationMethods", remarks: "Lists the authentication methods, one per line." },
    ],
    body: Body::Stream(begin),
};

struct Select {
    property: Option<Vec<Value>>,
    exclude: Vec<String>,
    expand: Option<String>,
    unique: Option<HashSet<String>>,
    first: Option<usize>,
    last: Option<usize>,
    skip: usize,
    skip_last: usize,
    index: Option<Vec<usize>>,
    seen: usize,
    emitted: usize,
    buffer: VecDeque<Value>,
    /// Named properties no input object had so far, and whether any input was an object.
    missing: Vec<String>,
    any_object: bool,
    warned: bool,
}

fn count(inv: &Invocation<'_>, b: &Bound, name: &str) -> Result<Option<usize>, ErrorRecord> {
    match b.int(name) {
        None => Ok(None),
        Some(n) if n >= 0 => Ok(Some(n as usize)),
        Some(n) => Err(ErrorRecord::new(
            format!("Cannot validate argument on parameter '{name}'. The {n} argument is less than the minimum allowed range of 0. Supply an argument that is greater than or equal to 0 and then try the command again."),
            ErrorCategory::InvalidData,
            "ParameterBindingValidationException",
            format!("ParameterArgumentValidationError,{}", inv.spec.class),
        )
        .at(b.span(name).unwrap_or(inv.call_span))),
    }
}

fn begin(inv: &mut Invocation<'_>, b: &Bound) -> Result<Box<dyn StreamBody>, ErrorRecord> {
    let index = match b.get("Index") {
        None => None,
        Some(v) => {
            let mut positions = Vec::new();
            for item in v.clone().into_items() {
                match item.to_text().trim().parse::<usize>() {
                    Ok(n) => positions.push(n),
                    Err(_) => {
                        return Err(ErrorRecord::transformation(
                            format!("Cannot process argument transformation on parameter 'Index'. Cannot convert value \"{}\" to type \"System.Int32\".", item.to_text()),
                            inv.spec.name,
                            b.span("Index").unwrap_or(inv.call_span),
                        ));
                    }
                }
            }
            Some(positions)
        }
    };
    let property = b.get("Property").map(|v| v.clone().into_items());
    let missing = property
        .iter()
        .flatten()
        .filter_map(|p| match p {
            Value::String(s) if !s.contains(['*', '?', '[']) => Some(s.clone()),
            _ => None,
        })
        .collect();
    Ok(Box::new(Select {
        property,
        exclude: b.get("ExcludeProperty").map(|v| v.clone().into_items().iter().map(Value::to_text).collect()).unwrap_or_default(),
        expand: b.string("ExpandProperty"),
        unique: b.switch("Unique").then(HashSet::new),
        first: count(inv, b, "First")?,
        last: count(inv, b, "Last")?,
        skip: count(inv, b, "Skip")?.unwrap_or(0),
        skip_last: count(inv, b, "SkipLast")?.unwrap_or(0),
        index,
        seen: 0,
        emitted: 0,
        buffer: VecDeque::new(),
        missing,
        any_object: false,
        warned: false,
    }))
}

impl StreamBody for Select {
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        let Some(item) = input_of(inv, b) else { return Ok(()) };
        let position = self.seen;
        self.seen += 1;
        if let Some(index) = &self.index {
            let (wanted, last) = (index.contains(&position), index.iter().all(|&i| i <= position));
            if wanted {
                self.output(inv, b, item)?;
            }
            if last {
                inv.stop_input();
            }
            return Ok(());
        }
        if position < self.skip {
            return Ok(());
        }
        if self.skip_last > 0 {
            self.buffer.push_back(item);
            if self.buffer.len() > self.skip_last
                && let Some(oldest) = self.buffer.pop_front()
            {
                self.output(inv, b, oldest)?;
            }
            return Ok(());
        }
        let within_first = self.first.is_some_and(|n| self.emitted < n);
        if within_first || (self.first.is_none() && self.last.is_none()) {
            self.output(inv, b, item)?;
            if self.first.is_some_and(|n| self.emitted >= n) && self.last.is_none() {
                inv.stop_input();
            }
        } else if let Some(n) = self.last {
            self.buffer.push_back(item);
            if self.buffer.len() > n {
                self.buffer.pop_front();
            }
        } else if self.first.is_some() {
            inv.stop_input();
        }
        Ok(())
    }

    fn end(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        if self.last.is_some() && self.skip_last == 0 {
            while let Some(item) = self.buffer.pop_front() {
                self.output(inv, b, item)?;
            }
        }
        if self.any_object && !self.warned && !self.missing.is_empty() {
            self.warned = true;
            let names = self.missing.join("', '");
            inv.warn(format!("Select-Object: no input object has a property named '{names}'; the column is empty. Check the spelling with Get-Member."));
        }
        Ok(())
    }
}

impl Select {
    /// Projects one chosen object and emits the result (unless -Unique has seen it).
    fn output(&mut self, inv: &mut Invocation<'_>, b: &Bound, item: Value) -> Result<(), ErrorRecord> {
        if let Value::Object(o) = &item {
            self.any_object = true;
            self.missing.retain(|name| o.get(name).is_none());
        }
        let mut produced = Vec::new();
        match (&self.expand, &self.property) {
            (Some(name), extra) => {
                let Some(value) = item.property(name) else {
                    let e = ErrorRecord::new(
                        format!("Property \"{name}\" cannot be found."),
                        ErrorCategory::InvalidArgument,
                        "PSArgumentException",
                        "ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand",
                    )
                    .target(item.to_text(), item.type_name())
                    .at(b.span("ExpandProperty").unwrap_or(inv.call_span));
                    return inv.write_error(e);
                };
                let extra = match extra {
                    Some(spec) => Some(project(inv, b, &item, spec, &self.exclude)?),
                    None => None,
                };
                for v in value.into_items() {
                    produced.push(match (&extra, v) {
                        // -Property with -ExpandProperty adds the selected properties to each expanded object.
                        (Some(Value::Object(add)), Value::Object(mut target)) => {
                            let t = Arc::make_mut(&mut target);
                            for (k, v) in &add.properties {
                                if t.get(k).is_none() {
                                    t.push(k, v.clone());
                                }
                            }
                            Value::Object(target)
                        }
                        (_, v) => v,
                    });
                }
            }
            (None, Some(spec)) => produced.push(project(inv, b, &item, spec, &self.exclude)?),
            (None, None) => produced.push(item),
        }
        for v in produced {
            if let Some(seen) = self.unique.as_mut()
                && !seen.insert(unique_key(&v))
            {
                continue;
            }
            self.emitted += 1;
            inv.emit(v);
        }
        Ok(())
    }
}

/// A new object with the selected properties, typed `Selected.<input type>` as PowerShell does
/// (so no declared view applies: four properties or fewer show as a table, more as a list).
fn project(inv: &mut Invocation<'_>, b: &Bound, item: &Value, spec: &[Value], exclude: &[String]) -> Result<Value, ErrorRecord> {
    let columns = expand_properties(spec, item).map_err(|m| {
        ErrorRecord::new(m, ErrorCategory::InvalidArgument, "NotSupportedException", "IllegalKeyInHashTable,Microsoft.PowerShell.Commands.SelectObjectCommand")
            .at(b.span("Property").unwrap_or(inv.call_span))
    })?;
    let type_name = match item {
        Value::Object(o) if o.type_name.starts_with("Selected.") => o.type_name.clone(),
        other => format!("Selected.{}", other.type_name()),
    };
    let mut obj = PsObject::new(type_name);
    for col in columns {
        if exclude.iter().any(|x| wildcard_match(x, &col.label, false)) {
            continue;
        }
        let value = column_value(inv, item, &col)?;
        obj.push(&col.label, value);
    }
    Ok(Value::Object(Arc::new(obj)))
}

pub(super) fn column_value(inv: &mut Invocation<'_>, item: &Value, col: &SelectedColumn) -> Result<Value, ErrorRecord> {
    Ok(match &col.source {
        ColumnSource::Property(name) | ColumnSource::Renamed(name) => item.property(name).unwrap_or(Value::Null),
        ColumnSource::Calculated(block) => collapse(inv.invoke(block, Some(item.clone()))?),
    })
}

/// What -Unique compares: the type and every property value, case-sensitively (as 5.1 does).
fn unique_key(v: &Value) -> String {
    match v {
        Value::Object(o) => {
            let mut key = o.type_name.clone();
            for (k, v) in &o.properties {
                key.push('\u{1}');
                key.push_str(k);
                key.push('\u{2}');
                key.push_str(&v.to_text());
            }
            key
        }
        other => format!("{}\u{1}{}", other.type_name(), other.to_text()),
    }
}
