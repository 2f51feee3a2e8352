//! Get-Content and Import-Csv: the two ways admin one-liners read a list of mailboxes from a file
//! (`Get-Content users.txt | % { Set-CASMailbox $_ -MAPIEnabled $false }`). The host reads the
//! file, so a path means what it means to the user's shell.

use std::sync::Arc;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType, PipelineInput};
use crate::value::{PsObject, Value};

use super::convert_csv::ENCODING;

const PATH: ParamSpec = ParamSpec {
    position: Some(0),
    mandatory: true,
    pipeline: PipelineInput::BY_PROPERTY_NAME,
    aliases: &["PSPath", "FullName"],
    ..ParamSpec::new("Path", ParamType::StringArray, "The file (or files) to read.")
};

pub static GET_CONTENT: CmdletSpec = CmdletSpec {
    name: "Get-Content",
    aliases: &["gc", "cat", "type"],
    synopsis: "Gets the content of the item at the specified location.",
    description: "Outputs the lines of a text file, one string per line (or the whole text with -Raw). -TotalCount reads only the first lines, -Tail only the last.",
    params: &[
        PATH,
        ParamSpec { aliases: &["First", "Head"], ..ParamSpec::new("TotalCount", ParamType::Int, "Only the first n lines.") },
        ParamSpec { aliases: &["Last"], ..ParamSpec::new("Tail", ParamType::Int, "Only the last n lines.") },
        ParamSpec::new("Raw", ParamType::Switch, "The whole file as one string."),
        ParamSpec::new("Encoding", ParamType::Enum(&ENCODING), "Accepted for compatibility; files are read as UTF-8."),
        ParamSpec::new("ReadCount", ParamType::Int, "Accepted for compatibility."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "String",
    outputs: "System.String",
    class: "Microsoft.PowerShell.Commands.GetContentCommand",
    examples: &[Example {
        code: "Get-Content users.txt | foreach {Set-CasMailbox $_ -MAPIEnabled $false}",
        remarks: "Blocks MAPI for every mailbox named in users.txt, one per line.",
    }],
    body: Body::PerRecord(get_content),
};

fn read(inv: &mut Invocation<'_>, b: &Bound, path: &str) -> Result<Option<String>, ErrorRecord> {
    match inv.host.read_file(&crate::run::file_path(path)) {
        Ok(text) => Ok(Some(text)),
        Err(why) => {
            let e = ErrorRecord::new(why, ErrorCategory::ObjectNotFound, "ItemNotFoundException", format!("PathNotFound,{}", inv.spec.class))
                .target(path.to_string(), "String")
                .at(b.span("Path").unwrap_or(inv.call_span));
            inv.write_error(e)?;
            Ok(None)
        }
    }
}

fn paths(b: &Bound) -> Vec<String> {
    b.get("Path").cloned().map(Value::into_items).unwrap_or_default().iter().map(Value::to_text).collect()
}

fn get_content(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    for path in paths(b) {
        let Some(text) = read(inv, b, &path)? else { continue };
        if b.switch("Raw") {
            inv.emit(Value::String(text));
            continue;
        }
        let lines: Vec<&str> = text.lines().collect();
        let first = b.int("TotalCount").filter(|n| *n >= 0).map(|n| n as usize).unwrap_or(lines.len());
        let mut chosen = &lines[..first.min(lines.len())];
        if let Some(n) = b.int("Tail").filter(|n| *n >= 0) {
            chosen = &chosen[chosen.len().saturating_sub(n as usize)..];
        }
        for line in chosen {
            inv.emit(Value::str(*line));
            if inv.output_closed() {
                return Ok(());
            }
        }
    }
    Ok(())
}

pub static IMPORT_CSV: CmdletSpec = CmdletSpec {
    name: "Import-Csv",
    aliases: &["ipcsv"],
    synopsis: "Creates table-like custom objects from the items in a CSV file.",
    description: "Reads a CSV file (as Export-Csv writes it) and outputs one object per line, whose properties are the header's columns, all strings. A #TYPE line is skipped.",
    params: &[
        PATH,
        ParamSpec { position: Some(1), ..ParamSpec::new("Delimiter", ParamType::String, "The character between values (default: a comma).") },
        ParamSpec::new("Header", ParamType::StringArray, "Column names to use instead of the file's first line."),
        ParamSpec::new("UseCulture", ParamType::Switch, "Uses the culture's list separator (a comma for en-US)."),
        ParamSpec::new("Encoding", ParamType::Enum(&ENCODING), "Accepted for compatibility; files are read as UTF-8."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "String",
    outputs: "System.Management.Automation.PSCustomObject",
    class: "Microsoft.PowerShell.Commands.ImportCsvCommand",
    examples: &[Example {
        code: "Import-Csv users.csv | % { Set-CASMailbox $_.Name -MAPIEnabled $false }",
        remarks: "Blocks MAPI for every mailbox in the Name column of users.csv.",
    }],
    body: Body::PerRecord(import_csv),
};

/// Splits CSV text into records of fields: quoted fields may hold the delimiter, `""` and line breaks.
pub(super) fn parse_csv(text: &str, delimiter: char) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut started = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => {
                quoted = true;
                started = true;
            }
            c if c == delimiter && !quoted => {
                record.push(std::mem::take(&mut field));
                started = true;
            }
            '\r' if !quoted => {}
            '\n' if !quoted => {
                if started || !field.is_empty() {
                    record.push(std::mem::take(&mut field));
                    records.push(std::mem::take(&mut record));
                }
                started = false;
            }
            c => {
                field.push(c);
                started = true;
            }
        }
    }
    if started || !field.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

fn import_csv(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let delimiter = b.string("Delimiter").and_then(|d| d.chars().next()).unwrap_or(',');
    for path in paths(b) {
        let Some(text) = read(inv, b, &path)? else { continue };
        let mut records = parse_csv(&text, delimiter).into_iter().filter(|r| !(r.len() == 1 && r[0].starts_with("#TYPE")));
        let header: Vec<String> = match b.get("Header") {
            Some(h) => h.clone().into_items().iter().map(Value::to_text).collect(),
            None => match records.next() {
                Some(h) => h,
                None => continue,
            },
        };
        for record in records {
            let mut obj = PsObject::new("System.Management.Automation.PSCustomObject");
            for (i, name) in header.iter().enumerate() {
                obj.push(name, record.get(i).map(|v| Value::str(v.clone())).unwrap_or(Value::Null));
            }
            inv.emit(Value::Object(Arc::new(obj)));
            if inv.output_closed() {
                return Ok(());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_csv;

    #[test]
    fn csv_fields_follow_the_quoting_rules() {
        assert_eq!(
            parse_csv("#TYPE X\n\"Name\",\"Note\"\n\"a\",\"x, \"\"y\"\"\"\nb,\n", ','),
            [vec!["#TYPE X"], vec!["Name", "Note"], vec!["a", "x, \"y\""], vec!["b", ""]]
        );
    }
}
