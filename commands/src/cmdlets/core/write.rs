//! Write-Output (`echo`, `write`) and Write-Host.

use crate::bind::Bound;
use crate::record::ErrorRecord;
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, EnumSpec, Example, ParamSpec, ParamType, PipelineInput};
use crate::value::Value;

pub static WRITE_OUTPUT: CmdletSpec = CmdletSpec {
    name: "Write-Output",
    aliases: &["echo", "write"],
    synopsis: "Writes the specified objects to the pipeline.",
    description: "Sends its arguments (or its input) to the next command, or to the console at the end of the pipeline. A collection is sent item by item unless -NoEnumerate.",
    params: &[
        ParamSpec {
            position: Some(0),
            mandatory: true,
            pipeline: PipelineInput::BY_VALUE,
            remaining: true,
            ..ParamSpec::new("InputObject", ParamType::Object, "The objects to send down the pipeline.")
        },
        ParamSpec::new("NoEnumerate", ParamType::Switch, "Sends a collection as one object."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "PSObject",
    class: "Microsoft.PowerShell.Commands.WriteOutputCommand",
    examples: &[Example { code: "Write-Output \"MAPI over HTTP: $((Get-OrganizationConfig).MapiHttpEnabled)\"", remarks: "Writes a line with the organization's setting." }],
    body: Body::PerRecord(write_output),
};

fn write_output(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let value = b.get("InputObject").cloned().unwrap_or(Value::Null);
    if b.switch("NoEnumerate") {
        inv.emit(value);
        return Ok(());
    }
    for item in value.into_items() {
        inv.emit(item);
    }
    Ok(())
}

static CONSOLE_COLOR: EnumSpec = EnumSpec {
    type_name: "ConsoleColor",
    members: &[
        "Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed", "DarkMagenta", "DarkYellow", "Gray", "DarkGray", "Blue", "Green", "Cyan", "Red", "Magenta",
        "Yellow", "White",
    ],
};

pub static WRITE_HOST: CmdletSpec = CmdletSpec {
    name: "Write-Host",
    aliases: &[],
    synopsis: "Writes customized output to a host.",
    description: "Shows text to the user: the arguments converted to text and joined by spaces (or -Separator). The text is not pipeline output, so it cannot be piped, assigned or redirected with >. Colours are accepted and not shown.",
    params: &[
        ParamSpec {
            position: Some(0),
            pipeline: PipelineInput::BY_VALUE,
            remaining: true,
            aliases: &["Msg", "Message"],
            ..ParamSpec::new("Object", ParamType::Object, "What to show; several values are joined by the separator.")
        },
        ParamSpec::new("NoNewline", ParamType::Switch, "Accepted for compatibility; each Write-Host ends its line."),
        ParamSpec { default: Some("\" \""), ..ParamSpec::new("Separator", ParamType::Object, "The text put between values.") },
        ParamSpec::new("ForegroundColor", ParamType::Enum(&CONSOLE_COLOR), "The text colour (accepted, not shown)."),
        ParamSpec::new("BackgroundColor", ParamType::Enum(&CONSOLE_COLOR), "The background colour (accepted, not shown)."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "Object",
    outputs: "None",
    class: "Microsoft.PowerShell.Commands.WriteHostCommand",
    examples: &[Example { code: "Write-Host \"Checked $((Get-CASMailbox).Count) mailboxes\" -ForegroundColor Green", remarks: "Shows a message to the user." }],
    body: Body::PerRecord(write_host),
};

fn write_host(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let separator = b.get("Separator").map(Value::to_text).unwrap_or_else(|| " ".into());
    let mut parts = Vec::new();
    flatten(b.get("Object").cloned().unwrap_or(Value::Null), &mut parts);
    inv.host.information(&parts.join(&separator));
    Ok(())
}

/// Write-Host writes the items of collections (nested too) separated like the arguments.
fn flatten(v: Value, parts: &mut Vec<String>) {
    match v {
        Value::List(items) => items.into_iter().for_each(|i| flatten(i, parts)),
        other => parts.push(other.to_text()),
    }
}
