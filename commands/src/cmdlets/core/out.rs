//! Out-File (the cmdlet behind `>` and `>>`) and Out-Null.

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::Value;

use super::convert_csv::ENCODING;
use super::INPUT_OBJECT;

pub static OUT_FILE: CmdletSpec = CmdletSpec {
    name: "Out-File",
    aliases: &[],
    synopsis: "Sends output to a file.",
    description: "Writes the input to a file formatted exactly as the console would show it (tables, lists, text), like the > and >> operators. The file is UTF-8 whatever -Encoding says (Windows PowerShell 5.1 writes UTF-16 by default), laid out for 120 columns.",
    params: &[
        ParamSpec { position: Some(0), mandatory: true, aliases: &["Path"], ..ParamSpec::new("FilePath", ParamType::String, "The file to write.") },
        ParamSpec { position: Some(1), ..ParamSpec::new("Encoding", ParamType::Enum(&ENCODING), "Accepted for compatibility; mapish writes UTF-8.") },
        ParamSpec::new("Append", ParamType::Switch, "Adds to the end of the file instead of replacing it."),
        ParamSpec::new("Force", ParamType::Switch, "Accepted for compatibility."),
        ParamSpec { aliases: &["NoOverwrite"], ..ParamSpec::new("NoClobber", ParamType::Switch, "Fails instead of replacing an existing file.") },
        ParamSpec::new("Width", ParamType::Int, "Accepted for compatibility; files are laid out for 120 columns."),
        ParamSpec::new("NoNewline", ParamType::Switch, "Accepted for compatibility."),
        INPUT_OBJECT,
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: true,
    confirm_impact: ConfirmImpact::Medium,
    inputs: "PSObject",
    outputs: "None",
    class: "Microsoft.PowerShell.Commands.OutFileCommand",
    examples: &[
        Example { code: "Get-CASMailbox | ft Name, *mapi* -AutoSize | Out-File mapi.txt", remarks: "Saves the table to mapi.txt, as Get-CASMailbox | ft Name, *mapi* -AutoSize > mapi.txt does." },
        Example { code: "Get-MapiVirtualDirectory | fl | Out-File -FilePath report.txt -Append", remarks: "Adds the directory settings to the end of report.txt." },
    ],
    body: Body::Collect(out_file),
};

fn out_file(inv: &mut Invocation<'_>, b: &Bound, input: Vec<Value>) -> Result<(), ErrorRecord> {
    let path = crate::run::file_path(&b.string("FilePath").unwrap_or_default());
    let span = b.span("FilePath").unwrap_or(inv.call_span);
    let append = b.switch("Append");
    if b.switch("NoClobber") && !append && std::path::Path::new(&path).exists() {
        return Err(ErrorRecord::new(
            format!("The file '{path}' already exists."),
            ErrorCategory::ResourceUnavailable,
            "IOException",
            "NoClobber,Microsoft.PowerShell.Commands.OutFileCommand",
        )
        .target(path, "String")
        .at(span));
    }
    if !inv.should_process(&format!("Performing the operation \"Output to File\" on target \"{path}\"."))? {
        return Ok(());
    }
    let values = match b.get("InputObject") {
        Some(v) if input.is_empty() => vec![v.clone()],
        _ => input,
    };
    inv.host.redirect(values, &path, append).map_err(|why| {
        ErrorRecord::new(why, ErrorCategory::WriteError, "IOException", "FileOpenFailure,Microsoft.PowerShell.Commands.OutFileCommand").at(span)
    })
}

pub static OUT_NULL: CmdletSpec = CmdletSpec {
    name: "Out-Null",
    aliases: &[],
    synopsis: "Hides the output instead of sending it down the pipeline or displaying it.",
    description: "Discards its input; use it to silence a command's output.",
    params: &[INPUT_OBJECT],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "None",
    class: "Microsoft.PowerShell.Commands.OutNullCommand",
    examples: &[Example { code: "New-Mailbox -Name Test -UserPrincipalName test@contoso.com -Password 'P@ss-1' | Out-Null", remarks: "Creates a mailbox without showing it." }],
    body: Body::PerRecord(out_null),
};

fn out_null(_inv: &mut Invocation<'_>, _b: &Bound) -> Result<(), ErrorRecord> {
    Ok(())
}
