//! ConvertTo-Csv and Export-Csv (`epcsv`) in Windows PowerShell 5.1's shape: a `#TYPE` line
//! unless -NoTypeInformation, a header from the first object's properties, every value quoted,
//! `$null` written as nothing, and a collection written as its type name (`System.Object[]`),
//! which is why admins join multi-valued properties themselves (`@{n='X';e={$_.X -join ';'}}`).

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, EnumSpec, Example, ParamSpec, ParamType, StreamBody};
use crate::value::Value;

use super::{input_of, INPUT_OBJECT};

pub static ENCODING: EnumSpec = EnumSpec {
    type_name: "Encoding",
    members: &["ASCII", "BigEndianUnicode", "Default", "OEM", "Unicode", "UTF7", "UTF8", "UTF32"],
};

const NO_TYPE_INFORMATION: ParamSpec = ParamSpec {
    aliases: &["NTI"],
    ..ParamSpec::new("NoTypeInformation", ParamType::Switch, "Leaves out the #TYPE line that Windows PowerShell 5.1 writes first.")
};

const DELIMITER: ParamSpec = ParamSpec {
    sets: &["Delimiter"],
    position: Some(1),
    ..ParamSpec::new("Delimiter", ParamType::String, "The character between values (default: a comma).")
};

const USE_CULTURE: ParamSpec = ParamSpec {
    sets: &["UseCulture"],
    ..ParamSpec::new("UseCulture", ParamType::Switch, "Uses the list separator of the culture (a comma for en-US).")
};

pub static CONVERT_TO_CSV: CmdletSpec = CmdletSpec {
    name: "ConvertTo-Csv",
    aliases: &[],
    synopsis: "Converts objects into a series of comma-separated value (CSV) strings.",
    description: "Outputs CSV lines: a #TYPE line (unless -NoTypeInformation), a header with the first object's property names, then one line per object with every value in double quotes. $null values are written as nothing, and collections as their type name (System.Object[]); join them yourself with a calculated property.",
    params: &[INPUT_OBJECT, NO_TYPE_INFORMATION, DELIMITER, USE_CULTURE],
    parameter_sets: &["Delimiter", "UseCulture"],
    default_set: Some("Delimiter"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "System.String",
    class: "Microsoft.PowerShell.Commands.ConvertToCsvCommand",
    examples: &[Example {
        code: "Get-CASMailbox | select Name, MAPIEnabled | ConvertTo-Csv -NoTypeInformation",
        remarks: "Writes the name and MAPIEnabled of each mailbox as CSV.",
    }],
    body: Body::Stream(begin_convert),
};

pub static EXPORT_CSV: CmdletSpec = CmdletSpec {
    name: "Export-Csv",
    aliases: &["epcsv"],
    synopsis: "Converts objects into a series of comma-separated value (CSV) strings and saves the strings to a file.",
    description: "Writes the objects to a CSV file in the layout of ConvertTo-Csv. -Append adds lines to an existing file without a second header. The file is written as UTF-8 whatever -Encoding says (Windows PowerShell 5.1 defaults to ASCII).",
    params: &[
        ParamSpec { position: Some(0), mandatory: true, ..ParamSpec::new("Path", ParamType::String, "The file to write.") },
        INPUT_OBJECT,
        NO_TYPE_INFORMATION,
        DELIMITER,
        USE_CULTURE,
        ParamSpec::new("Append", ParamType::Switch, "Adds to the end of the file instead of replacing it."),
        ParamSpec { aliases: &["NoOverwrite"], ..ParamSpec::new("NoClobber", ParamType::Switch, "Fails instead of replacing an existing file.") },
        ParamSpec::new("Force", ParamType::Switch, "Accepted for compatibility."),
        ParamSpec::new("Encoding", ParamType::Enum(&ENCODING), "Accepted for compatibility; mapish writes UTF-8."),
    ],
    parameter_sets: &["Delimiter", "UseCulture"],
    default_set: Some("Delimiter"),
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "PSObject",
    outputs: "None",
    class: "Microsoft.PowerShell.Commands.ExportCsvCommand",
    examples: &[
        Example { code: "Get-CASMailbox -ResultSize Unlimited | select Name, MAPIEnabled, MapiHttpEnabled | Export-Csv mapi.csv -NoTypeInformation", remarks: "Saves the MAPI settings of every mailbox to mapi.csv." },
    ],
    body: Body::Stream(begin_export),
};

/// The CSV writer shared by both cmdlets: the header comes from the first object.
struct Csv {
    delimiter: char,
    type_line: bool,
    header: Option<Vec<String>>,
}

fn csv_writer(inv: &Invocation<'_>, b: &Bound) -> Result<Csv, ErrorRecord> {
    let delimiter = match b.string("Delimiter") {
        None => ',',
        Some(d) => {
            let mut chars = d.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => {
                    return Err(ErrorRecord::transformation(
                        format!("Cannot process argument transformation on parameter 'Delimiter'. Cannot convert value \"{d}\" to type \"System.Char\". Error: \"String must be exactly one character long.\""),
                        inv.spec.name,
                        b.span("Delimiter").unwrap_or(inv.call_span),
                    ));
                }
            }
        }
    };
    Ok(Csv { delimiter, type_line: !b.switch("NoTypeInformation"), header: None })
}

fn property_names(v: &Value) -> Vec<String> {
    match v {
        Value::Object(o) => o.properties.iter().map(|(k, _)| k.clone()).collect(),
        Value::Hashtable(e) => e.iter().map(|(k, _)| k.clone()).collect(),
        Value::String(_) => vec!["Length".into()],
        _ => Vec::new(),
    }
}

/// What 5.1 writes for a value: its ToString(), so a collection becomes its type name.
fn field_text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::List(_) | Value::Hashtable(_) => Some(v.type_name()),
        other => Some(other.to_text()),
    }
}

impl Csv {
    fn quote(&self, text: &str) -> String {
        format!("\"{}\"", text.replace('"', "\"\""))
    }

    /// The lines for one object: the #TYPE and header lines first when it is the first object.
    fn lines(&mut self, item: &Value, with_header: bool) -> Vec<String> {
        let mut out = Vec::new();
        if self.header.is_none() {
            let names = property_names(item);
            if with_header {
                if self.type_line {
                    out.push(format!("#TYPE {}", item.type_name()));
                }
                out.push(names.iter().map(|n| self.quote(n)).collect::<Vec<_>>().join(&self.delimiter.to_string()));
            }
            self.header = Some(names);
        }
        let header = self.header.as_deref().unwrap_or_default();
        let row: Vec<String> = header
            .iter()
            .map(|name| item.property(name).as_ref().and_then(field_text).map(|t| self.quote(&t)).unwrap_or_default())
            .collect();
        out.push(row.join(&self.delimiter.to_string()));
        out
    }
}

fn begin_convert(inv: &mut Invocation<'_>, b: &Bound) -> Result<Box<dyn StreamBody>, ErrorRecord> {
    Ok(Box::new(csv_writer(inv, b)?))
}

impl StreamBody for Csv {
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        let Some(item) = input_of(inv, b).filter(|v| !v.is_null()) else { return Ok(()) };
        for line in self.lines(&item, true) {
            inv.emit(Value::String(line));
        }
        Ok(())
    }
}

struct Export {
    csv: Csv,
    path: String,
    append: bool,
    /// Appending to a file that has content: its header is already there.
    header_present: bool,
    lines: Vec<Value>,
}

fn begin_export(inv: &mut Invocation<'_>, b: &Bound) -> Result<Box<dyn StreamBody>, ErrorRecord> {
    let path = crate::run::file_path(&b.string("Path").unwrap_or_default());
    let exists = std::fs::metadata(&path).map(|m| m.len() > 0).unwrap_or(false);
    if b.switch("NoClobber") && exists && !b.switch("Append") {
        return Err(ErrorRecord::new(
            format!("The file '{path}' already exists."),
            ErrorCategory::ResourceUnavailable,
            "IOException",
            "NoClobber,Microsoft.PowerShell.Commands.ExportCsvCommand",
        )
        .target(path.clone(), "String")
        .at(b.span("Path").unwrap_or(inv.call_span)));
    }
    let append = b.switch("Append");
    Ok(Box::new(Export { csv: csv_writer(inv, b)?, path, append, header_present: append && exists, lines: Vec::new() }))
}

impl StreamBody for Export {
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        let Some(item) = input_of(inv, b).filter(|v| !v.is_null()) else { return Ok(()) };
        let with_header = !self.header_present;
        self.lines.extend(self.csv.lines(&item, with_header).into_iter().map(Value::String));
        Ok(())
    }

    fn end(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        if !inv.should_process(&format!("Performing the operation \"Export-Csv\" on target \"{}\".", self.path))? {
            return Ok(());
        }
        let lines = std::mem::take(&mut self.lines);
        inv.host.redirect(lines, &self.path, self.append).map_err(|why| {
            ErrorRecord::new(why, ErrorCategory::WriteError, "IOException", "FileOpenFailure,Microsoft.PowerShell.Commands.ExportCsvCommand")
                .at(b.span("Path").unwrap_or(inv.call_span))
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::value::PsObject;

    #[test]
    fn lines_follow_windows_powershell() {
        let mut csv = Csv { delimiter: ',', type_line: true, header: None };
        let obj = Value::Object(Arc::new(
            PsObject::new("Selected.X")
                .with("Name", Value::str("a \"b\""))
                .with("On", Value::Bool(true))
                .with("Gone", Value::Null)
                .with("List", Value::List(vec![Value::str("x")])),
        ));
        assert_eq!(csv.lines(&obj, true), ["#TYPE Selected.X", "\"Name\",\"On\",\"Gone\",\"List\"", "\"a \"\"b\"\"\",\"True\",,\"System.Object[]\""]);
        assert_eq!(csv.lines(&obj, true).len(), 1);
    }
}
