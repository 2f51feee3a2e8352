//! Format-Table (ft) and Format-List (fl).

use std::sync::Arc;

use crate::bind::Bound;
use crate::format::{cell_text, expand_properties, right_aligned, ColumnSource, FormatColumn, FormatDirective, FormatGroup, ListFormat, SelectedColumn, TableFormat};
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

const PROPERTY: ParamSpec = ParamSpec {
    position: Some(0),
    wildcards: true,
    ..ParamSpec::new(
        "Property",
        ParamType::PropertyList,
        "The properties to show, in order: names (any case), wildcards such as *url*, or calculated properties @{n='Label'; e={$_.Name}}.",
    )
};

pub static FORMAT_TABLE: CmdletSpec = CmdletSpec {
    name: "Format-Table",
    aliases: &["ft"],
    synopsis: "Formats objects as a table.",
    description: "Shows the chosen properties as columns, one row per object. Without -AutoSize the columns share the window width and long values end in \"...\"; with -AutoSize each column is as wide as its longest value.",
    params: &[
        PROPERTY,
        ParamSpec::new("AutoSize", ParamType::Switch, "Sizes each column to its widest value instead of sharing the window width."),
        ParamSpec::new("Wrap", ParamType::Switch, "Wraps long values onto more lines instead of cutting them."),
        ParamSpec::new("GroupBy", ParamType::Object, "A property (or calculated property) whose value starts a new table each time it changes."),
        ParamSpec::new("HideTableHeaders", ParamType::Switch, "Leaves out the header and the dashes."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "Microsoft.PowerShell.Commands.Internal.Format",
    class: "Microsoft.PowerShell.Commands.FormatTableCommand",
    examples: &[
        Example { code: "Get-CASMailbox | ft Name, MapiEnabled -AutoSize", remarks: "Shows each mailbox with its MAPIEnabled setting." },
        Example { code: "Get-CASMailbox | ft Name, *mapi*", remarks: "Shows every MAPI property of each mailbox." },
    ],
    body: Body::Collect(format_table),
};

pub static FORMAT_LIST: CmdletSpec = CmdletSpec {
    name: "Format-List",
    aliases: &["fl"],
    synopsis: "Formats objects as a list of properties.",
    description: "Shows each object as lines of `Name : value`. `fl *` shows every property; names and wildcards pick some.",
    params: &[PROPERTY],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "Microsoft.PowerShell.Commands.Internal.Format",
    class: "Microsoft.PowerShell.Commands.FormatListCommand",
    examples: &[
        Example { code: "Get-OrganizationConfig | fl Name, MapiHttpEnabled", remarks: "Checks the organization-wide MAPI over HTTP switch." },
        Example { code: "Get-MapiVirtualDirectory | fl server,*url*,*auth*", remarks: "Shows the URLs and authentication methods of each MAPI virtual directory." },
    ],
    body: Body::Collect(format_list),
};

fn cell(inv: &mut Invocation<'_>, obj: &Value, col: &SelectedColumn) -> Result<Value, ErrorRecord> {
    Ok(match &col.source {
        ColumnSource::Property(name) | ColumnSource::Renamed(name) => obj.property(name).unwrap_or(Value::Null),
        ColumnSource::Calculated(block) => {
            let out = inv.invoke(block, Some(obj.clone()))?;
            match out.len() {
                0 => Value::Null,
                1 => out.into_iter().next().unwrap_or(Value::Null),
                _ => Value::List(out),
            }
        }
    })
}

fn columns_for(inv: &Invocation<'_>, b: &Bound, obj: &Value) -> Result<Option<Vec<SelectedColumn>>, ErrorRecord> {
    match b.get("Property") {
        None => Ok(None),
        Some(spec) => expand_properties(&spec.clone().into_items(), obj)
            .map(Some)
            .map_err(|m| ErrorRecord::new(m, ErrorCategory::InvalidArgument, "NotSupportedException", format!("IllegalKeyInHashTable,{}", inv.spec.name)).at(b.span("Property").unwrap_or(inv.call_span))),
    }
}

fn default_columns(obj: &Value) -> Vec<SelectedColumn> {
    let names: Vec<String> = match obj {
        Value::Object(o) => match crate::format::default_view(&o.type_name) {
            Some(crate::format::DefaultView::Table(cols)) => {
                return cols
                    .iter()
                    .map(|(p, label, _)| SelectedColumn { label: label.unwrap_or(p).to_string(), source: ColumnSource::Property(p.to_string()) })
                    .collect();
            }
            _ => o.properties.iter().map(|(k, _)| k.clone()).collect(),
        },
        other => crate::format::property_names(other),
    };
    names.into_iter().map(|n| SelectedColumn { label: n.clone(), source: ColumnSource::Property(n) }).collect()
}

fn format_table(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let Some(first) = input.iter().find(|v| !v.is_null()) else { return Ok(()) };
    let columns = match columns_for(inv, b, first)? {
        Some(c) => c,
        None => default_columns(first),
    };
    if matches!(first, Value::String(_) | Value::Int(_) | Value::Bool(_)) && b.get("Property").is_none() {
        let limit = inv.session.enumeration_limit();
        inv.emit(Value::Format(Arc::new(FormatDirective::Text(input.iter().map(|v| cell_text(v, limit)).collect()))));
        return Ok(());
    }
    let limit = inv.session.enumeration_limit();
    let group_by = b.get("GroupBy").cloned();
    let mut rows_by_group: Vec<FormatGroup> = Vec::new();
    let mut align: Vec<Option<bool>> = vec![None; columns.len()];
    for obj in &input {
        let mut row = Vec::with_capacity(columns.len());
        for (i, col) in columns.iter().enumerate() {
            let v = cell(inv, obj, col)?;
            if align[i].is_none() && !v.is_null() {
                align[i] = Some(right_aligned(&v));
            }
            row.push(cell_text(&v, limit));
        }
        let label = match &group_by {
            None => None,
            Some(g) => {
                let name = g.to_text();
                let v = match g {
                    Value::ScriptBlock(block) => {
                        let out = inv.invoke(block, Some(obj.clone()))?;
                        out.into_iter().next().unwrap_or(Value::Null)
                    }
                    _ => obj.property(&name).unwrap_or(Value::Null),
                };
                let canonical = match obj {
                    Value::Object(o) => o.canonical_name(&name).unwrap_or(&name).to_string(),
                    _ => name,
                };
                Some((canonical, cell_text(&v, limit)))
            }
        };
        match rows_by_group.last_mut() {
            Some(g) if g.label == label => g.rows.push(row),
            _ => rows_by_group.push(FormatGroup { label, rows: vec![row] }),
        }
    }
    let table = TableFormat {
        columns: columns
            .iter()
            .zip(align)
            .map(|(c, a)| FormatColumn { header: c.label.clone(), right_align: a.unwrap_or(false), width: None })
            .collect(),
        groups: rows_by_group,
        autosize: b.switch("AutoSize"),
        wrap: b.switch("Wrap"),
        hide_headers: b.switch("HideTableHeaders"),
    };
    inv.emit(Value::Format(Arc::new(FormatDirective::Table(table))));
    Ok(())
}

fn format_list(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let limit = inv.session.enumeration_limit();
    let mut objects = Vec::new();
    let mut scalars = Vec::new();
    for obj in &input {
        match obj {
            Value::Object(_) | Value::Hashtable(_) => {
                // Format-List expands the property list for each object (unlike Format-Table).
                let columns = match columns_for(inv, b, obj)? {
                    Some(c) => c,
                    None => crate::format::property_names(obj)
                        .into_iter()
                        .map(|n| SelectedColumn { label: n.clone(), source: ColumnSource::Property(n) })
                        .collect(),
                };
                let mut lines = Vec::with_capacity(columns.len());
                for col in &columns {
                    let v = cell(inv, obj, col)?;
                    lines.push((col.label.clone(), cell_text(&v, limit)));
                }
                objects.push(lines);
            }
            Value::Null => {}
            scalar => scalars.push(cell_text(scalar, limit)),
        }
    }
    if !scalars.is_empty() {
        inv.emit(Value::Format(Arc::new(FormatDirective::Text(scalars))));
    }
    if !objects.is_empty() {
        inv.emit(Value::Format(Arc::new(FormatDirective::List(ListFormat { objects }))));
    }
    Ok(())
}
