//! Format directives and error records as text.

use mapish_commands::format::{out_default, FormatDirective};
use mapish_commands::record::ErrorRecord;
use mapish_commands::value::Value;

use crate::render::{self, Align, Column, ErrorView, ListEntry, ListView, TableGroup, TableView};

pub fn directives_to_text(values: Vec<Value>, enumeration_limit: i64, width: usize) -> String {
    let mut text = String::new();
    for directive in out_default(values, enumeration_limit) {
        match directive {
            FormatDirective::Table(t) => {
                let view = TableView {
                    columns: t
                        .columns
                        .into_iter()
                        .map(|c| Column { header: c.header, align: if c.right_align { Align::Right } else { Align::Left }, width: c.width })
                        .collect(),
                    groups: t.groups.into_iter().map(|g| TableGroup { label: g.label, rows: g.rows }).collect(),
                    autosize: t.autosize,
                    wrap: t.wrap,
                    hide_headers: t.hide_headers,
                };
                text.push_str(&render::render_table(&view, width));
            }
            FormatDirective::List(l) => {
                let view = ListView {
                    objects: l
                        .objects
                        .into_iter()
                        .map(|o| o.into_iter().map(|(label, value)| ListEntry { label, value }).collect())
                        .collect(),
                };
                text.push_str(&render::render_list(&view));
            }
            FormatDirective::Text(lines) => {
                for line in lines {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
        }
    }
    text
}

pub fn error_to_text(record: &ErrorRecord, source: &str) -> String {
    let view = ErrorView {
        command: record.command.clone(),
        message: record.message.clone(),
        source: record.span.map(|_| source.to_string()),
        span: record.span.map(|s| (s.start, s.end)),
        category_info: record.category_info(),
        fully_qualified_error_id: record.fully_qualified_error_id.clone(),
    };
    render::render_error(&view)
}
