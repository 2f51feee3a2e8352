//! The pipeline runner. Objects are pushed depth-first from stage to stage, so a Get- streaming
//! into a Set- never holds the whole collection; only collecting stages (Sort-Object, Format-Table)
//! gather their input.

use crate::bind::{bind_arguments, finish_binding, RawArg, StaticBinding};
use crate::cmdlets;
use crate::lang::ast::{CommandArg, CommandCall, Pipeline, PipelineElement, Span};
use crate::record::ErrorRecord;
use crate::spec::{Body, CmdletSpec};
use crate::value::Value;

use super::eval;
use super::host::Host;
use super::invocation::{ConfirmState, Invocation};
use super::Session;

struct Stage {
    spec: &'static CmdletSpec,
    binding: StaticBinding,
    span: Span,
    confirm_state: ConfirmState,
    collected: Vec<Value>,
    common: CommonArgs,
    errors: Vec<ErrorRecord>,
    warnings: Vec<String>,
    outputs: Vec<Value>,
}

#[derive(Default)]
struct CommonArgs {
    what_if: bool,
    confirm: Option<bool>,
    error_action: Option<&'static str>,
    warning_action: Option<&'static str>,
    verbose: bool,
    error_variable: Option<String>,
    warning_variable: Option<String>,
    out_variable: Option<String>,
}

impl CommonArgs {
    fn from_bound(b: &crate::bind::Bound) -> Self {
        let enum_name = |name: &str| match b.get(name) {
            Some(Value::Enum(e)) => Some(*e),
            _ => None,
        };
        CommonArgs {
            what_if: b.switch("WhatIf"),
            confirm: b.explicit_switch("Confirm"),
            error_action: enum_name("ErrorAction"),
            warning_action: enum_name("WarningAction"),
            verbose: b.switch("Verbose"),
            error_variable: b.string("ErrorVariable"),
            warning_variable: b.string("WarningVariable"),
            out_variable: b.string("OutVariable"),
        }
    }
}

pub(crate) fn run_pipeline(
    session: &mut Session,
    pipeline: &Pipeline,
    host: &mut dyn Host,
    out: &mut Vec<Value>,
) -> Result<(), ErrorRecord> {
    let mut elements = pipeline.elements.iter();
    let mut initial: Option<Vec<Value>> = None;
    if let Some(PipelineElement::Expression(expr)) = pipeline.elements.first() {
        elements.next();
        initial = Some(eval::expr(session, expr, host)?.into_items());
    }
    let mut stages = Vec::new();
    for element in elements {
        match element {
            PipelineElement::Command(call) => stages.push(prepare_stage(session, call, host)?),
            PipelineElement::Expression(e) => {
                return Err(ErrorRecord::runtime(
                    "Expressions are only allowed as the first element of a pipeline.",
                    "ExpressionsMustBeFirstInPipeline",
                    e.span,
                ));
            }
        }
    }

    let mut final_out = Vec::new();
    let result: Result<(), ErrorRecord> = (|| {
        match initial {
            Some(items) => {
                for item in items {
                    push(session, host, &mut stages, 0, Some(item), &mut final_out)?;
                }
            }
            None if !stages.is_empty() => push(session, host, &mut stages, 0, None, &mut final_out)?,
            None => {}
        }
        for i in 0..stages.len() {
            if let Body::Collect(run) = stages[i].spec.body {
                let collected = std::mem::take(&mut stages[i].collected);
                let produced = run_body(session, host, &mut stages[i], None, |inv, bound| run(inv, bound, collected))?;
                for item in produced {
                    push(session, host, &mut stages, i + 1, Some(item), &mut final_out)?;
                }
            }
        }
        Ok(())
    })();
    for stage in &stages {
        publish_variables(session, stage);
    }
    result?;

    match &pipeline.redirection {
        Some(r) => {
            let target = eval::expr(session, &r.target, host)?.to_text();
            host_redirect(host, final_out, &target, r.append, r.span)
        }
        None => {
            out.extend(final_out);
            Ok(())
        }
    }
}

fn host_redirect(host: &mut dyn Host, values: Vec<Value>, path: &str, append: bool, span: Span) -> Result<(), ErrorRecord> {
    host.redirect(values, path, append).map_err(|why| {
        ErrorRecord::new(why, crate::record::ErrorCategory::WriteError, "IOException", "FileOpenFailure").at(span)
    })
}

fn prepare_stage(session: &mut Session, call: &CommandCall, host: &mut dyn Host) -> Result<Stage, ErrorRecord> {
    let help_requested = call.args.iter().any(|a| matches!(a, CommandArg::Parameter { name, value: None, .. } if name == "?"));
    if help_requested {
        if let Some(spec) = cmdlets::find(&call.name) {
            let help = cmdlets::find("Get-Help").ok_or_else(|| ErrorRecord::command_not_found("Get-Help", call.name_span))?;
            let args = vec![RawArg::Positional { value: Value::str(spec.name), span: call.name_span }];
            return Ok(new_stage(help, bind_arguments(help, args, call.span)?, call.span));
        }
    }
    let spec = cmdlets::find(&call.name).ok_or_else(|| ErrorRecord::command_not_found(&call.name, call.name_span))?;
    let mut args = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        match arg {
            CommandArg::Parameter { name, value, span } => {
                let value = match value {
                    Some(e) => Some((eval::arg_expr(session, e, host)?, e.span)),
                    None => None,
                };
                args.push(RawArg::Named { name: name.clone(), value, span: *span });
            }
            CommandArg::Value(e) => args.push(RawArg::Positional { value: eval::arg_expr(session, e, host)?, span: e.span }),
        }
    }
    let binding = bind_arguments(spec, args, call.span)?;
    Ok(new_stage(spec, binding, call.span))
}

fn new_stage(spec: &'static CmdletSpec, binding: StaticBinding, span: Span) -> Stage {
    let common = CommonArgs::from_bound(&binding.bound);
    Stage {
        spec,
        binding,
        span,
        confirm_state: ConfirmState::default(),
        collected: Vec::new(),
        common,
        errors: Vec::new(),
        warnings: Vec::new(),
        outputs: Vec::new(),
    }
}

fn push(
    session: &mut Session,
    host: &mut dyn Host,
    stages: &mut [Stage],
    index: usize,
    item: Option<Value>,
    final_out: &mut Vec<Value>,
) -> Result<(), ErrorRecord> {
    if index == stages.len() {
        final_out.extend(item);
        return Ok(());
    }
    match stages[index].spec.body {
        Body::Collect(_) => {
            stages[index].collected.extend(item);
            Ok(())
        }
        Body::PerRecord(run) => {
            let produced = run_body(session, host, &mut stages[index], item, run)?;
            for next in produced {
                push(session, host, stages, index + 1, Some(next), final_out)?;
            }
            Ok(())
        }
    }
}

/// Binds the stage for this input and runs its body, returning what it emitted.
fn run_body(
    session: &mut Session,
    host: &mut dyn Host,
    stage: &mut Stage,
    item: Option<Value>,
    body: impl FnOnce(&mut Invocation<'_>, &crate::bind::Bound) -> Result<(), ErrorRecord>,
) -> Result<Vec<Value>, ErrorRecord> {
    let spec = stage.spec;
    let bound = match finish_binding(spec, &stage.binding, item.as_ref(), stage.span) {
        Ok(b) => b,
        Err(e) if !e.terminating => {
            session.report(host, &e);
            return Ok(Vec::new());
        }
        Err(e) => return Err(e),
    };
    let preference = |name: &str| session.variable(name).map(|v| v.to_text());
    let error_action = stage.common.error_action.unwrap_or_else(|| static_action(preference("ErrorActionPreference")));
    let warning_action = stage.common.warning_action.unwrap_or_else(|| static_action(preference("WarningPreference")));
    let mut out = Vec::new();
    let mut inv = Invocation {
        session,
        host,
        spec,
        call_span: stage.span,
        input: item,
        out: &mut out,
        confirm_state: &mut stage.confirm_state,
        what_if: stage.common.what_if,
        confirm: stage.common.confirm,
        error_action,
        warning_action,
        verbose: stage.common.verbose,
        errors_written: Vec::new(),
        warnings_written: Vec::new(),
    };
    let result = body(&mut inv, &bound);
    stage.errors.append(&mut inv.errors_written);
    stage.warnings.append(&mut inv.warnings_written);
    let result = result.map_err(|e| e.in_command(spec.name).at(stage.span));
    if let (Err(e), Some(_)) = (&result, &stage.common.error_variable) {
        stage.errors.push(e.clone());
    }
    result?;
    if stage.common.out_variable.is_some() {
        stage.outputs.extend(out.iter().cloned());
    }
    Ok(out)
}

fn static_action(name: Option<String>) -> &'static str {
    let name = name.unwrap_or_default();
    crate::spec::ACTION_PREFERENCE.find(&name).unwrap_or("Continue")
}

fn publish_variables(session: &mut Session, stage: &Stage) {
    let as_list = |v: Vec<Value>| Value::List(v);
    if let Some(name) = &stage.common.error_variable {
        let errors = stage.errors.iter().map(|e| Value::String(e.message.clone())).collect();
        let _ = session.set_variable(name.trim_start_matches('+'), as_list(errors));
    }
    if let Some(name) = &stage.common.warning_variable {
        let warnings = stage.warnings.iter().cloned().map(Value::String).collect();
        let _ = session.set_variable(name.trim_start_matches('+'), as_list(warnings));
    }
    if let Some(name) = &stage.common.out_variable {
        let _ = session.set_variable(name.trim_start_matches('+'), as_list(stage.outputs.clone()));
    }
}
