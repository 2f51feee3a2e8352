//! Formatting decisions: which properties become columns or list lines, their labels, alignment
//! and text. The output layer only lays the text out (src/render).

mod select;
mod views;

pub use select::{expand_properties, property_names, ColumnSource, SelectedColumn};
pub use views::{default_view, DefaultView};

use std::sync::Arc;

use crate::value::{display_value, DisplayOptions, PsObject, Value};

#[derive(Debug, Clone, PartialEq)]
pub enum FormatDirective {
    Table(TableFormat),
    List(ListFormat),
    /// Scalars print one per line.
    Text(Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TableFormat {
    pub columns: Vec<FormatColumn>,
    pub groups: Vec<FormatGroup>,
    pub autosize: bool,
    pub wrap: bool,
    pub hide_headers: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormatColumn {
    pub header: String,
    pub right_align: bool,
    pub width: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FormatGroup {
    /// `-GroupBy`: (property, value).
    pub label: Option<(String, String)>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListFormat {
    pub objects: Vec<Vec<(String, String)>>,
}

/// PowerShell right-aligns a column whose first value is a number, Boolean, date or Guid.
pub fn right_aligned(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::DateTime(_) | Value::Guid(_))
}

pub fn cell_text(v: &Value, limit: i64) -> String {
    display_value(v, &DisplayOptions::formatting(limit))
}

/// Out-Default: objects with a declared table view become tables, other objects with more than
/// four properties become lists, scalars print one per line. Runs of the same type share one table.
pub fn out_default(values: Vec<Value>, limit: i64) -> Vec<FormatDirective> {
    let mut directives: Vec<FormatDirective> = Vec::new();
    let mut run: Vec<Arc<PsObject>> = Vec::new();
    let mut text: Vec<String> = Vec::new();
    let flush_run = |run: &mut Vec<Arc<PsObject>>, directives: &mut Vec<FormatDirective>| {
        if !run.is_empty() {
            directives.push(format_objects(std::mem::take(run), limit));
        }
    };
    let flush_text = |text: &mut Vec<String>, directives: &mut Vec<FormatDirective>| {
        if !text.is_empty() {
            directives.push(FormatDirective::Text(std::mem::take(text)));
        }
    };
    for value in values {
        match value {
            Value::Format(d) => {
                flush_run(&mut run, &mut directives);
                flush_text(&mut text, &mut directives);
                directives.push((*d).clone());
            }
            Value::Object(o) => {
                flush_text(&mut text, &mut directives);
                if run.first().is_some_and(|first| first.type_name != o.type_name) {
                    flush_run(&mut run, &mut directives);
                }
                run.push(o);
            }
            Value::Hashtable(entries) => {
                flush_run(&mut run, &mut directives);
                flush_text(&mut text, &mut directives);
                let rows = entries.iter().map(|(k, v)| vec![k.clone(), cell_text(v, limit)]).collect();
                directives.push(FormatDirective::Table(TableFormat {
                    columns: vec![
                        FormatColumn { header: "Name".into(), right_align: false, width: None },
                        FormatColumn { header: "Value".into(), right_align: false, width: None },
                    ],
                    groups: vec![FormatGroup { label: None, rows }],
                    autosize: true,
                    wrap: false,
                    hide_headers: false,
                }));
            }
            Value::List(items) => {
                flush_run(&mut run, &mut directives);
                for item in items {
                    text.push(cell_text(&item, limit));
                }
            }
            Value::Null => {}
            scalar => {
                flush_run(&mut run, &mut directives);
                text.push(cell_text(&scalar, limit));
            }
        }
    }
    flush_run(&mut run, &mut directives);
    flush_text(&mut text, &mut directives);
    directives
}

fn format_objects(objects: Vec<Arc<PsObject>>, limit: i64) -> FormatDirective {
    let first = &objects[0];
    match default_view(&first.type_name) {
        Some(DefaultView::Table(columns)) => {
            let header_of = |(prop, label, width): &(&'static str, Option<&'static str>, Option<usize>)| FormatColumn {
                header: label.unwrap_or(prop).to_string(),
                right_align: first.get(prop).is_some_and(right_aligned),
                width: *width,
            };
            let rows = objects
                .iter()
                .map(|o| columns.iter().map(|(p, _, _)| o.get(p).map(|v| cell_text(v, limit)).unwrap_or_default()).collect())
                .collect();
            FormatDirective::Table(TableFormat {
                columns: columns.iter().map(header_of).collect(),
                groups: vec![FormatGroup { label: None, rows }],
                autosize: false,
                wrap: false,
                hide_headers: false,
            })
        }
        Some(DefaultView::GroupedTable(group_by, columns)) => {
            let mut groups: Vec<FormatGroup> = Vec::new();
            for o in &objects {
                let label = Some((group_by.to_string(), o.get(group_by).map(|v| cell_text(v, limit)).unwrap_or_default()));
                let row = columns.iter().map(|(p, _, _)| o.get(p).map(|v| cell_text(v, limit)).unwrap_or_default()).collect();
                match groups.last_mut() {
                    Some(g) if g.label == label => g.rows.push(row),
                    _ => groups.push(FormatGroup { label, rows: vec![row] }),
                }
            }
            FormatDirective::Table(TableFormat {
                columns: columns.iter().map(|(p, label, width)| FormatColumn { header: label.unwrap_or(p).to_string(), right_align: false, width: *width }).collect(),
                groups,
                autosize: true,
                wrap: false,
                hide_headers: false,
            })
        }
        Some(DefaultView::List) => list_of(&objects, limit),
        None if first.properties.len() > 4 => list_of(&objects, limit),
        None => {
            let names: Vec<String> = first.properties.iter().map(|(k, _)| k.clone()).collect();
            let rows = objects
                .iter()
                .map(|o| names.iter().map(|n| o.get(n).map(|v| cell_text(v, limit)).unwrap_or_default()).collect())
                .collect();
            FormatDirective::Table(TableFormat {
                columns: first
                    .properties
                    .iter()
                    .map(|(k, v)| FormatColumn { header: k.clone(), right_align: right_aligned(v), width: None })
                    .collect(),
                groups: vec![FormatGroup { label: None, rows }],
                autosize: true,
                wrap: false,
                hide_headers: false,
            })
        }
    }
}

fn list_of(objects: &[Arc<PsObject>], limit: i64) -> FormatDirective {
    FormatDirective::List(ListFormat {
        objects: objects
            .iter()
            .map(|o| o.properties.iter().map(|(k, v)| (k.clone(), cell_text(v, limit))).collect())
            .collect(),
    })
}
