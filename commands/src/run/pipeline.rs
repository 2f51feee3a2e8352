//! The pipeline runner. Objects are pushed depth-first from stage to stage: a cmdlet's `emit`
//! hands each object straight to the next stage, so a Get- streaming into a Set- never holds the
//! whole collection; only collecting stages (Sort-Object, Format-Table) gather their input.

use crate::bind::{bind_arguments, finish_binding, RawArg, StaticBinding};
use crate::cmdlets;
use crate::lang::ast::{CommandArg, CommandCall, Pipeline, PipelineElement, Span};
use crate::record::{ErrorCategory, ErrorRecord};
use crate::spec::{Body, CmdletSpec, ParamType, StreamBody};
use crate::value::Value;

use super::eval;
use super::host::{Host, ParameterPrompt};
use super::invocation::{ConfirmState, Flow, Invocation, Sink};
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
    /// The state of a `Body::Stream` cmdlet between its begin, process and end calls.
    stream: Option<Box<dyn StreamBody>>,
    /// The stage takes no more input: it asked to stop (Select-Object -First) or everything after
    /// it is done. Pushing to it tells the stage before to stop producing.
    done: bool,
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
    let offset = usize::from(initial.is_some());
    let mut stages = Vec::new();
    for (i, element) in elements.enumerate() {
        match element {
            PipelineElement::Command(call) => {
                let position = i + offset + 1;
                stages.push(prepare_stage(session, call, host, position, position > 1)?);
            }
            PipelineElement::Expression(e) => {
                return Err(ErrorRecord::runtime(
                    "Expressions are only allowed as the first element of a pipeline.",
                    "ExpressionsMustBeFirstInPipeline",
                    e.span,
                ));
            }
        }
    }

    // Output of the last stage goes to `final_out` (formatted by the host after the statement);
    // a redirected pipeline collects it for the file instead.
    let mut final_out = Vec::new();
    let result: Result<(), ErrorRecord> = (|| {
        // Begin blocks run first, in pipeline order, as in PowerShell.
        for i in 0..stages.len() {
            if let Body::Stream(begin) = stages[i].spec.body {
                let mut state = None;
                run_step(session, host, &mut stages, i, None, false, &mut final_out, |inv, b| {
                    state = Some(begin(inv, b)?);
                    Ok(())
                })?;
                stages[i].stream = state;
            }
        }
        match initial {
            Some(items) => {
                for item in items {
                    if push(session, host, &mut stages, 0, Some(item), &mut final_out)? == Flow::Stop {
                        break;
                    }
                }
            }
            None if !stages.is_empty() => {
                push(session, host, &mut stages, 0, None, &mut final_out)?;
            }
            None => {}
        }
        for i in 0..stages.len() {
            match stages[i].spec.body {
                Body::Collect(run) => {
                    let collected = std::mem::take(&mut stages[i].collected);
                    run_step(session, host, &mut stages, i, None, false, &mut final_out, |inv, bound| run(inv, bound, collected))?;
                }
                Body::Stream(_) => {
                    if let Some(mut state) = stages[i].stream.take() {
                        run_step(session, host, &mut stages, i, None, false, &mut final_out, |inv, bound| state.end(inv, bound))?;
                    }
                }
                Body::PerRecord(_) => {}
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
            let target = super::file_path(&eval::expr(session, &r.target, host)?.to_text());
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

/// Binds a command's arguments. `position` is its 1-based place in the pipeline; `expects_input`
/// says whether a stage before it will feed it objects.
fn prepare_stage(session: &mut Session, call: &CommandCall, host: &mut dyn Host, position: usize, expects_input: bool) -> Result<Stage, ErrorRecord> {
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
    let mut binding = bind_arguments(spec, args, call.span)?;
    if host.interactive() {
        prompt_for_missing(spec, &mut binding, host, position, expects_input, call.span)?;
    }
    Ok(new_stage(spec, binding, call.span))
}

/// PowerShell prompts for mandatory parameters the command line left out when it runs in an
/// interactive host; scripts keep the MissingMandatoryParameter error (raised by the binder when
/// the host cannot or will not ask).
fn prompt_for_missing(
    spec: &'static CmdletSpec,
    binding: &mut StaticBinding,
    host: &mut dyn Host,
    position: usize,
    expects_input: bool,
    span: Span,
) -> Result<(), ErrorRecord> {
    let missing = binding.missing_mandatory(spec, expects_input);
    if missing.is_empty() {
        return Ok(());
    }
    let prompts: Vec<ParameterPrompt> = missing
        .iter()
        .map(|p| ParameterPrompt {
            name: p.name.to_string(),
            type_name: p.ty.type_name().to_string(),
            help: p.help.to_string(),
            secret: matches!(p.ty, ParamType::SecureString),
            list: matches!(p.ty, ParamType::StringArray | ParamType::PropertyList | ParamType::MultiValued(_)),
        })
        .collect();
    let caption = format!("cmdlet {} at command pipeline position {position}", spec.name);
    let Some(values) = host.prompt_parameters(&caption, "Supply values for the following parameters:", &prompts) else {
        return Ok(());
    };
    for (param, value) in missing.into_iter().zip(values) {
        if matches!(&value, Value::String(s) if s.is_empty()) {
            return Err(ErrorRecord::new(
                format!("Cannot bind argument to parameter '{}' because it is an empty string.", param.name),
                ErrorCategory::InvalidData,
                "ParameterBindingValidationException",
                format!("ParameterArgumentValidationErrorEmptyStringNotAllowed,{}", spec.name),
            )
            .in_command(spec.name)
            .at(span));
        }
        binding.bind_prompted(spec, param, value, span)?;
    }
    Ok(())
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
        stream: None,
        done: false,
    }
}

/// Gives one object (or, for a first stage, no object) to stage `index`.
fn push(
    session: &mut Session,
    host: &mut dyn Host,
    stages: &mut [Stage],
    index: usize,
    item: Option<Value>,
    final_out: &mut Vec<Value>,
) -> Result<Flow, ErrorRecord> {
    if index == stages.len() {
        final_out.extend(item);
        return Ok(Flow::Continue);
    }
    // Ctrl-C in the REPL: every object passes through here, so the pipeline stops at the next one
    // with PowerShell's "The pipeline has been stopped." (a terminating error).
    session.check_interrupt()?;
    if stages[index].done {
        return Ok(Flow::Stop);
    }
    match stages[index].spec.body {
        Body::Collect(_) => stages[index].collected.extend(item),
        Body::PerRecord(run) => run_step(session, host, stages, index, item, true, final_out, run)?,
        Body::Stream(_) => {
            let mut state = stages[index].stream.take();
            let result = run_step(session, host, stages, index, item, true, final_out, |inv, bound| match state.as_mut() {
                Some(s) => s.process(inv, bound),
                None => Ok(()),
            });
            stages[index].stream = state;
            result?;
        }
    }
    Ok(if stages[index].done { Flow::Stop } else { Flow::Continue })
}

/// The stages after the one running, as the sink its output goes into.
struct Downstream<'s> {
    stages: &'s mut [Stage],
    final_out: &'s mut Vec<Value>,
    /// `-OutVariable`: a copy of everything the stage emits.
    capture: Option<&'s mut Vec<Value>>,
}

impl Sink for Downstream<'_> {
    fn accept(&mut self, session: &mut Session, host: &mut dyn Host, value: Value) -> Result<Flow, ErrorRecord> {
        if let Some(capture) = self.capture.as_mut() {
            capture.push(value.clone());
        }
        push(session, host, self.stages, 0, Some(value), self.final_out)
    }
}

/// Binds stage `index` (per object when `per_item`, else with the command-line arguments only)
/// and runs `body` with its output streaming into the following stages.
#[allow(clippy::too_many_arguments)]
fn run_step(
    session: &mut Session,
    host: &mut dyn Host,
    stages: &mut [Stage],
    index: usize,
    item: Option<Value>,
    per_item: bool,
    final_out: &mut Vec<Value>,
    body: impl FnOnce(&mut Invocation<'_>, &crate::bind::Bound) -> Result<(), ErrorRecord>,
) -> Result<(), ErrorRecord> {
    let (head, rest) = stages.split_at_mut(index + 1);
    let stage = &mut head[index];
    let spec = stage.spec;
    let input = if per_item { item.as_ref() } else { None };
    let bound = match finish_binding(spec, &stage.binding, input, stage.span) {
        Ok(b) => b,
        Err(e) if !e.terminating => {
            session.report(host, &e);
            return Ok(());
        }
        Err(e) => return Err(e),
    };
    let preference = |name: &str| session.variable(name).map(|v| v.to_text());
    let error_action = stage.common.error_action.unwrap_or_else(|| static_action(preference("ErrorActionPreference")));
    let warning_action = stage.common.warning_action.unwrap_or_else(|| static_action(preference("WarningPreference")));
    let capture = if stage.common.out_variable.is_some() { Some(&mut stage.outputs) } else { None };
    let mut sink = Downstream { stages: rest, final_out, capture };
    let mut inv = Invocation {
        session,
        host,
        spec,
        call_span: stage.span,
        input: item,
        out: &mut sink,
        confirm_state: &mut stage.confirm_state,
        what_if: stage.common.what_if,
        confirm: stage.common.confirm,
        error_action,
        warning_action,
        verbose: stage.common.verbose,
        errors_written: Vec::new(),
        warnings_written: Vec::new(),
        downstream_error: None,
        downstream_done: false,
        input_stopped: false,
    };
    let result = body(&mut inv, &bound);
    stage.errors.append(&mut inv.errors_written);
    stage.warnings.append(&mut inv.warnings_written);
    if inv.input_stopped || inv.downstream_done {
        stage.done = true;
    }
    // A later stage's terminating error ends the pipeline; it already names its own command.
    if let Some(e) = inv.downstream_error.take() {
        return Err(e);
    }
    let result = result.map_err(|e| e.in_command(spec.name).at(stage.span));
    if let (Err(e), Some(_)) = (&result, &stage.common.error_variable) {
        stage.errors.push(e.clone());
    }
    result
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
