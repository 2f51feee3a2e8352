//! Get-Help and Get-Command: discovery, from the same declarations as everything else.

use std::sync::Arc;

use crate::bind::Bound;
use crate::format::FormatDirective;
use crate::help::{help_text, parameter_text, syntax_lines, HelpDetail};
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::{wildcard_match, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::{PsObject, Value};

pub const COMMAND_INFO_TYPE: &str = "System.Management.Automation.CmdletInfo";

pub static GET_HELP: CmdletSpec = CmdletSpec {
    name: "Get-Help",
    aliases: &["help"],
    synopsis: "Shows help for a cmdlet.",
    description: "Shows the synopsis, syntax, description, parameters and examples of a cmdlet, generated from the same declarations that drive parsing. `Cmdlet -?` is the same as `Get-Help Cmdlet`.",
    params: &[
        ParamSpec { position: Some(0), ..ParamSpec::new("Name", ParamType::String, "The cmdlet (or alias) to show help for.") },
        ParamSpec { sets: &["Examples"], mandatory: true, ..ParamSpec::new("Examples", ParamType::Switch, "Shows only the name, synopsis and examples.") },
        ParamSpec { sets: &["DetailedView"], mandatory: true, ..ParamSpec::new("Detailed", ParamType::Switch, "Adds parameter descriptions and examples.") },
        ParamSpec { sets: &["AllUsersView"], ..ParamSpec::new("Full", ParamType::Switch, "Shows everything, including each parameter's attributes, inputs and outputs.") },
        ParamSpec { sets: &["Parameters"], mandatory: true, ..ParamSpec::new("Parameter", ParamType::String, "Shows only the named parameter (wildcards allowed).") },
    ],
    parameter_sets: &["AllUsersView", "DetailedView", "Examples", "Parameters"],
    default_set: Some("AllUsersView"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: "System.String",
    class: "Microsoft.PowerShell.Commands.GetHelpCommand",
    examples: &[
        Example { code: "Get-Help Set-CASMailbox -Parameter MAPIEnabled", remarks: "Shows the help of one parameter." },
        Example { code: "Set-MapiVirtualDirectory -?", remarks: "Shows the help of Set-MapiVirtualDirectory." },
    ],
    body: Body::PerRecord(get_help),
};

fn text_lines(inv: &mut Invocation<'_>, text: String) {
    inv.emit(Value::Format(Arc::new(FormatDirective::Text(text.lines().map(str::to_string).collect()))));
}

fn get_help(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let Some(name) = b.string("Name") else {
        text_lines(
            inv,
            "\nTOPIC\n    mapish help\n\nSHORT DESCRIPTION\n    Get-Help <cmdlet> shows a cmdlet's help; Get-Command lists the cmdlets.\n".into(),
        );
        return Ok(());
    };
    let Some(spec) = super::find(&name) else {
        return Err(ErrorRecord::new(
            format!("Get-Help could not find {name} in a help file in this session. Get-Command lists the cmdlets mapish has."),
            ErrorCategory::ResourceUnavailable,
            "HelpNotFoundException",
            "HelpNotFound,Microsoft.PowerShell.Commands.GetHelpCommand",
        )
        .target(name, "String")
        .at(b.span("Name").unwrap_or(inv.call_span)));
    };
    if let Some(pattern) = b.string("Parameter") {
        let params: Vec<&ParamSpec> = crate::bind::all_params(spec).filter(|p| wildcard_match(&pattern, p.name, false)).collect();
        if params.is_empty() {
            return Err(ErrorRecord::new(
                format!("No parameter matches criteria {pattern}."),
                ErrorCategory::InvalidArgument,
                "PSArgumentException",
                "NoParmsFound,Microsoft.PowerShell.Commands.GetHelpCommand",
            )
            .at(b.span("Parameter").unwrap_or(inv.call_span)));
        }
        let text = params.iter().map(|p| parameter_text(spec, p, true)).collect::<String>();
        text_lines(inv, format!("\n{text}"));
        return Ok(());
    }
    let detail = if b.switch("Examples") {
        HelpDetail::Examples
    } else if b.switch("Full") {
        HelpDetail::Full
    } else if b.switch("Detailed") {
        HelpDetail::Detailed
    } else {
        HelpDetail::Default
    };
    text_lines(inv, help_text(spec, detail));
    Ok(())
}

pub static GET_COMMAND: CmdletSpec = CmdletSpec {
    name: "Get-Command",
    aliases: &["gcm"],
    synopsis: "Lists the cmdlets mapish has.",
    description: "Lists cmdlets by name (wildcards allowed), verb or noun; -Syntax shows their syntax lines.",
    params: &[
        ParamSpec { position: Some(0), wildcards: true, ..ParamSpec::new("Name", ParamType::StringArray, "Names or patterns such as *Mapi*.") },
        ParamSpec { wildcards: true, ..ParamSpec::new("Verb", ParamType::StringArray, "Only cmdlets with this verb (Get, Set, New, Remove…).") },
        ParamSpec { wildcards: true, ..ParamSpec::new("Noun", ParamType::StringArray, "Only cmdlets with this noun (CASMailbox, MapiVirtualDirectory…).") },
        ParamSpec::new("Syntax", ParamType::Switch, "Shows the syntax lines instead of the list."),
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: COMMAND_INFO_TYPE,
    class: "Microsoft.PowerShell.Commands.GetCommandCommand",
    examples: &[
        Example { code: "Get-Command *Mapi*", remarks: "Lists the MAPI cmdlets." },
        Example { code: "Get-Command -Noun CASMailbox", remarks: "Lists the CASMailbox cmdlets." },
    ],
    body: Body::PerRecord(get_command),
};

fn matches_any(patterns: Option<&Value>, text: &str) -> bool {
    match patterns {
        None => true,
        Some(v) => v.clone().into_items().iter().any(|p| wildcard_match(&p.to_text(), text, false)),
    }
}

fn get_command(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let mut found = 0;
    for spec in super::CATALOG.iter().copied() {
        let name_ok = matches_any(b.get("Name"), spec.name) || spec.aliases.iter().any(|a| matches_any(b.get("Name"), a));
        if !(name_ok && matches_any(b.get("Verb"), spec.verb()) && matches_any(b.get("Noun"), spec.noun())) {
            continue;
        }
        found += 1;
        if b.switch("Syntax") {
            let lines = syntax_lines(spec).into_iter().flat_map(|l| [l, String::new()]).collect();
            inv.emit(Value::Format(Arc::new(FormatDirective::Text(lines))));
        } else {
            let obj = PsObject::new(COMMAND_INFO_TYPE)
                .with("CommandType", Value::str("Cmdlet"))
                .with("Name", Value::str(spec.name))
                .with("Version", Value::str(env!("CARGO_PKG_VERSION")))
                .with("Source", Value::str("mapish"))
                .with("Verb", Value::str(spec.verb()))
                .with("Noun", Value::str(spec.noun()))
                .with("Synopsis", Value::str(spec.synopsis));
            inv.emit(Value::Object(Arc::new(obj)));
        }
    }
    if found == 0 {
        if let Some(name) = b.get("Name").map(|v| v.to_text()).filter(|n| !n.contains(['*', '?'])) {
            return Err(ErrorRecord::command_not_found(&name, b.span("Name").unwrap_or(inv.call_span)));
        }
    }
    Ok(())
}
