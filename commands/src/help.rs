//! Help text from the declarations: syntax lines, parameter attribute tables, examples. The same
//! functions feed Get-Help, `Cmdlet -?` and the generated Markdown reference in docs/cmdlets.

use crate::spec::{CmdletSpec, ParamSpec, ParamType, COMMON_PARAMS, SHOULD_PROCESS_PARAMS};

/// One syntax line per parameter set, PowerShell style.
pub fn syntax_lines(spec: &CmdletSpec) -> Vec<String> {
    spec.set_names()
        .into_iter()
        .map(|set| {
            let mut parts = vec![spec.name.to_string()];
            let mut params: Vec<&ParamSpec> = spec.params.iter().filter(|p| p.in_set(set)).collect();
            // Positional parameters first in position order, then mandatory named, then the rest, as PowerShell lists them.
            params.sort_by_key(|p| (p.position.is_none(), p.position, !p.mandatory));
            for p in params {
                parts.push(syntax_of(p));
            }
            if spec.should_process {
                for p in SHOULD_PROCESS_PARAMS {
                    parts.push(syntax_of(p));
                }
            }
            parts.push("[<CommonParameters>]".to_string());
            parts.join(" ")
        })
        .collect()
}

fn syntax_of(p: &ParamSpec) -> String {
    let name = match p.position {
        Some(_) => format!("[-{}]", p.name),
        None => format!("-{}", p.name),
    };
    let with_type = match p.ty {
        ParamType::Switch => name,
        ty => format!("{name} <{}>", ty.type_name()),
    };
    if p.mandatory { with_type } else { format!("[{with_type}]") }
}

pub struct ParamAttributes {
    pub required: &'static str,
    pub position: String,
    pub default: String,
    pub pipeline: String,
    pub wildcards: &'static str,
    pub sets: String,
    pub aliases: String,
}

pub fn attributes(spec: &CmdletSpec, p: &ParamSpec) -> ParamAttributes {
    let pipeline = match (p.pipeline.by_value, p.pipeline.by_property_name) {
        (true, true) => "True (ByValue, ByPropertyName)".to_string(),
        (true, false) => "True (ByValue)".to_string(),
        (false, true) => "True (ByPropertyName)".to_string(),
        (false, false) => "False".to_string(),
    };
    ParamAttributes {
        required: if p.mandatory { "True" } else { "False" },
        position: p.position.map(|n| (n + 1).to_string()).unwrap_or_else(|| "Named".into()),
        default: p.default.unwrap_or("None").to_string(),
        pipeline,
        wildcards: if p.wildcards { "True" } else { "False" },
        sets: if p.sets.is_empty() {
            if spec.parameter_sets.is_empty() { "(All)".to_string() } else { "(All)".to_string() }
        } else {
            p.sets.join(", ")
        },
        aliases: if p.aliases.is_empty() { "None".into() } else { p.aliases.join(", ") },
    }
}

fn own_params(spec: &CmdletSpec) -> Vec<&ParamSpec> {
    let mut params: Vec<&ParamSpec> = spec.params.iter().collect();
    if spec.should_process {
        params.extend(SHOULD_PROCESS_PARAMS.iter());
    }
    params
}

fn accepted_values(p: &ParamSpec) -> Option<String> {
    match p.ty {
        ParamType::Enum(e) | ParamType::MultiValued(e) => Some(e.members.join(", ")),
        ParamType::Bool => Some("$true, $false".into()),
        ParamType::NullableBool => Some("$true, $false, $null".into()),
        ParamType::ResultSize => Some("a number, Unlimited".into()),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelpDetail {
    Default,
    Detailed,
    Full,
    Examples,
}

/// Get-Help text, with PowerShell's section names.
pub fn help_text(spec: &CmdletSpec, detail: HelpDetail) -> String {
    let mut t = String::new();
    let indent = |text: &str| text.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n");
    t.push_str(&format!("\nNAME\n    {}\n\nSYNOPSIS\n{}\n", spec.name, indent(spec.synopsis)));
    if detail == HelpDetail::Examples {
        t.push_str(&examples_text(spec));
        return t;
    }
    t.push_str("\n\nSYNTAX\n");
    for line in syntax_lines(spec) {
        t.push_str(&format!("    {line}\n\n"));
    }
    t.push_str(&format!("\nDESCRIPTION\n{}\n", indent(spec.description)));
    if detail == HelpDetail::Default {
        if !spec.aliases.is_empty() {
            t.push_str(&format!("\n\nALIASES\n    {}\n", spec.aliases.join(", ")));
        }
        t.push_str(&format!(
            "\n\nREMARKS\n    To see the examples, type: \"Get-Help {0} -Examples\".\n    For more information, type: \"Get-Help {0} -Detailed\".\n    For technical information, type: \"Get-Help {0} -Full\".\n",
            spec.name
        ));
        return t;
    }
    t.push_str("\n\nPARAMETERS\n");
    for p in own_params(spec) {
        t.push_str(&parameter_text(spec, p, detail == HelpDetail::Full));
    }
    t.push_str("    <CommonParameters>\n        This cmdlet supports the common parameters: Verbose, Debug,\n        ErrorAction, ErrorVariable, WarningAction, WarningVariable,\n        OutBuffer, PipelineVariable, and OutVariable.\n\n");
    if detail == HelpDetail::Full {
        t.push_str(&format!("\nINPUTS\n    {}\n\n\nOUTPUTS\n    {}\n\n", spec.inputs, spec.outputs));
    }
    t.push_str(&examples_text(spec));
    t
}

/// One parameter's help block (also `Get-Help X -Parameter Name`).
pub fn parameter_text(spec: &CmdletSpec, p: &ParamSpec, with_attributes: bool) -> String {
    let mut t = String::new();
    let ty = match p.ty {
        ParamType::Switch => String::new(),
        ty => format!(" <{}>", ty.type_name()),
    };
    t.push_str(&format!("    -{}{ty}\n        {}\n", p.name, p.help));
    if let Some(values) = accepted_values(p) {
        t.push_str(&format!("        Accepted values: {values}\n"));
    }
    if with_attributes {
        let a = attributes(spec, p);
        t.push_str(&format!(
            "\n        Required?                    {}\n        Position?                    {}\n        Default value                {}\n        Accept pipeline input?       {}\n        Accept wildcard characters?  {}\n",
            a.required, a.position, a.default, a.pipeline, a.wildcards
        ));
        if a.aliases != "None" {
            t.push_str(&format!("        Aliases                      {}\n", a.aliases));
        }
    }
    t.push('\n');
    t
}

fn examples_text(spec: &CmdletSpec) -> String {
    let mut t = String::new();
    for (i, ex) in spec.examples.iter().enumerate() {
        t.push_str(&format!("\n    -------------------------- Example {} --------------------------\n\n    {}\n\n    {}\n", i + 1, ex.code, ex.remarks));
    }
    t
}

/// The Markdown reference page of one cmdlet (docs/cmdlets/<Name>.md).
pub fn markdown(spec: &CmdletSpec) -> String {
    let mut md = String::new();
    md.push_str("<!-- Generated by `mapish docs` from the cmdlet declarations; do not edit by hand. -->\n\n");
    md.push_str(&format!("# {}\n\n{}\n\n", spec.name, spec.synopsis));
    if !spec.aliases.is_empty() {
        md.push_str(&format!("Aliases: {}\n\n", spec.aliases.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")));
    }
    md.push_str("## Syntax\n\n```\n");
    for line in syntax_lines(spec) {
        md.push_str(&line);
        md.push_str("\n\n");
    }
    md.push_str("```\n\n## Description\n\n");
    md.push_str(spec.description);
    md.push_str("\n\n## Examples\n\n");
    for (i, ex) in spec.examples.iter().enumerate() {
        md.push_str(&format!("### Example {}\n\n```powershell\n{}\n```\n\n{}\n\n", i + 1, ex.code, ex.remarks));
    }
    md.push_str("## Parameters\n\n");
    for p in own_params(spec) {
        let a = attributes(spec, p);
        md.push_str(&format!("### -{}\n\n{}\n\n", p.name, p.help));
        md.push_str("| | |\n|---|---|\n");
        md.push_str(&format!("| Type | {} |\n", p.ty.type_name()));
        if let Some(values) = accepted_values(p) {
            md.push_str(&format!("| Accepted values | {values} |\n"));
        }
        md.push_str(&format!(
            "| Parameter sets | {} |\n| Aliases | {} |\n| Required | {} |\n| Position | {} |\n| Default value | {} |\n| Accept pipeline input | {} |\n| Accept wildcard characters | {} |\n\n",
            a.sets, a.aliases, a.required, a.position, a.default, a.pipeline, a.wildcards
        ));
    }
    md.push_str("### CommonParameters\n\nThis cmdlet supports the common parameters: ");
    md.push_str(&COMMON_PARAMS.iter().map(|p| format!("-{}", p.name)).collect::<Vec<_>>().join(", "));
    md.push_str(".\n\n");
    md.push_str(&format!("## Inputs\n\n{}\n\n## Outputs\n\n{}\n", spec.inputs, spec.outputs));
    md
}

/// docs/cmdlets/README.md: the index.
pub fn markdown_index(specs: &[&CmdletSpec]) -> String {
    let mut md = String::from("<!-- Generated by `mapish docs` from the cmdlet declarations; do not edit by hand. -->\n\n# Cmdlet reference\n\n| Cmdlet | Aliases | Synopsis |\n|---|---|---|\n");
    let mut sorted: Vec<&&CmdletSpec> = specs.iter().collect();
    sorted.sort_by_key(|s| s.name);
    for s in sorted {
        md.push_str(&format!("| [{0}]({0}.md) | {1} | {2} |\n", s.name, s.aliases.join(", "), s.synopsis));
    }
    md
}
