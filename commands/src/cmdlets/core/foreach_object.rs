//! ForEach-Object (`%`, `foreach`): runs a script block for each object (`% { Set-CASMailbox
//! $_.Identity -MAPIEnabled $true }`), with optional -Begin/-End blocks, or gets a property or
//! calls a method of each object (`% Name`).

use std::sync::Arc;

use crate::bind::Bound;
use crate::lang::ast::ScriptBlock;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::{call_method, Invocation};
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType, StreamBody};
use crate::value::Value;

use super::{input_of, INPUT_OBJECT};

pub static FOREACH_OBJECT: CmdletSpec = CmdletSpec {
    name: "ForEach-Object",
    aliases: &["%", "foreach"],
    synopsis: "Performs an operation against each item in a collection of input objects.",
    description: "Runs the -Process script block once for each input object, with the object in $_ (or $PSItem); -Begin runs once before the first object and -End once after the last. `% {a} {b} {c}` is short for -Begin {a} -Process {b} -End {c}. With -MemberName (`% Name`) it outputs that property of each object, or calls that method with -ArgumentList.",
    params: &[
        INPUT_OBJECT,
        ParamSpec {
            sets: &["ScriptBlockSet"],
            mandatory: true,
            position: Some(0),
            ..ParamSpec::new("Process", ParamType::ScriptBlock, "The script block run for each input object, with the object in $_.")
        },
        ParamSpec { sets: &["ScriptBlockSet"], ..ParamSpec::new("Begin", ParamType::ScriptBlock, "A script block run once, before the first input object.") },
        ParamSpec { sets: &["ScriptBlockSet"], ..ParamSpec::new("End", ParamType::ScriptBlock, "A script block run once, after the last input object.") },
        ParamSpec {
            sets: &["ScriptBlockSet"],
            remaining: true,
            ..ParamSpec::new("RemainingScripts", ParamType::Object, "Further script blocks given by position: with two or three, the first is -Begin and the last -End.")
        },
        ParamSpec {
            sets: &["PropertyAndMethodSet"],
            mandatory: true,
            position: Some(0),
            ..ParamSpec::new("MemberName", ParamType::String, "A property to output, or a method to call, for each input object (`% Name`).")
        },
        ParamSpec {
            sets: &["PropertyAndMethodSet"],
            aliases: &["Args"],
            remaining: true,
            ..ParamSpec::new("ArgumentList", ParamType::Object, "The arguments of the method named by -MemberName.")
        },
    ],
    parameter_sets: &["ScriptBlockSet", "PropertyAndMethodSet"],
    default_set: Some("ScriptBlockSet"),
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "PSObject",
    outputs: "PSObject",
    class: "Microsoft.PowerShell.Commands.ForEachObjectCommand",
    examples: &[
        Example { code: "Get-CASMailbox | % { Set-CASMailbox $_.Identity -MAPIEnabled $true }", remarks: "Enables MAPI for every mailbox, one Set-CASMailbox per mailbox." },
        Example { code: "Get-CASMailbox | ForEach-Object Name", remarks: "Lists the mailbox names (the -MemberName form)." },
        Example { code: "Get-CASMailbox | % -Begin { $n = 0 } -Process { $n += 1 } -End { \"$n mailboxes\" }", remarks: "Counts the mailboxes with -Begin, -Process and -End blocks." },
    ],
    body: Body::Stream(begin),
};

/// The blocks to run, after `% {a} {b} {c}` has been sorted into begin/process/end.
struct Blocks {
    process: Vec<Arc<ScriptBlock>>,
    end: Option<Arc<ScriptBlock>>,
}

fn block_arg(inv: &Invocation<'_>, b: &Bound, v: &Value) -> Result<Arc<ScriptBlock>, ErrorRecord> {
    match v {
        Value::ScriptBlock(block) => Ok(block.clone()),
        other => Err(ErrorRecord::binding(
            format!(
                "Cannot bind parameter 'RemainingScripts'. Cannot convert the \"{}\" value of type \"{}\" to type \"System.Management.Automation.ScriptBlock\".",
                other.to_text(),
                other.type_name()
            ),
            "CannotConvertArgument",
            inv.spec.name,
            b.span("RemainingScripts").unwrap_or(inv.call_span),
        )),
    }
}

fn begin(inv: &mut Invocation<'_>, b: &Bound) -> Result<Box<dyn StreamBody>, ErrorRecord> {
    if let Some(member) = b.string("MemberName") {
        let args = b.get("ArgumentList").cloned().map(Value::into_items).unwrap_or_default();
        return Ok(Box::new(Member { name: member, args }));
    }
    let mut scripts = Vec::new();
    if let Some(Value::ScriptBlock(p)) = b.get("Process") {
        scripts.push(p.clone());
    }
    for extra in b.get("RemainingScripts").cloned().map(Value::into_items).unwrap_or_default() {
        scripts.push(block_arg(inv, b, &extra)?);
    }
    let mut begin = match b.get("Begin") {
        Some(Value::ScriptBlock(s)) => Some(s.clone()),
        _ => None,
    };
    let mut end = match b.get("End") {
        Some(Value::ScriptBlock(s)) => Some(s.clone()),
        _ => None,
    };
    // PowerShell's rule for several positional blocks: the first is Begin, the last End.
    if begin.is_none() && scripts.len() >= 2 {
        begin = Some(scripts.remove(0));
    }
    if end.is_none() && scripts.len() >= 2 {
        end = scripts.pop();
    }
    if let Some(block) = begin {
        for v in inv.invoke(&block, None)? {
            inv.emit(v);
        }
    }
    Ok(Box::new(Blocks { process: scripts, end }))
}

impl StreamBody for Blocks {
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        let item = input_of(inv, b);
        for block in &self.process {
            for v in inv.invoke(block, Some(item.clone().unwrap_or(Value::Null)))? {
                inv.emit(v);
            }
        }
        Ok(())
    }

    fn end(&mut self, inv: &mut Invocation<'_>, _b: &Bound) -> Result<(), ErrorRecord> {
        if let Some(block) = &self.end {
            for v in inv.invoke(block, None)? {
                inv.emit(v);
            }
        }
        Ok(())
    }
}

/// `% Name` / `% ToUpper`: a property of each object, else a method call on it.
struct Member {
    name: String,
    args: Vec<Value>,
}

impl StreamBody for Member {
    fn process(&mut self, inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
        let Some(item) = input_of(inv, b) else { return Ok(()) };
        if self.args.is_empty()
            && let Some(v) = item.property(&self.name)
        {
            for x in v.into_items() {
                inv.emit(x);
            }
            return Ok(());
        }
        match call_method(&item, &self.name, &self.args, inv.call_span) {
            Ok(v) => {
                inv.emit(v);
                Ok(())
            }
            Err(_) => {
                let e = ErrorRecord::new(
                    format!("Input name \"{}\" cannot be resolved to a method.", self.name),
                    ErrorCategory::InvalidArgument,
                    "PSArgumentException",
                    "MethodNotFound,Microsoft.PowerShell.Commands.ForEachObjectCommand",
                )
                .target(item.to_text(), item.type_name())
                .at(b.span("MemberName").unwrap_or(inv.call_span));
                inv.write_error(e)
            }
        }
    }
}
