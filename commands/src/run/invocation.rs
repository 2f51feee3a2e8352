//! One call of a cmdlet on one pipeline object: what its body sees.

use crate::lang::ast::Span;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::spec::{CmdletSpec, ConfirmImpact};
use crate::value::Value;

use super::host::{ConfirmChoice, Host};
use super::Session;

/// Whether the receiving end of a stage's output wants more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    Continue,
    /// Every later stage is done (Select-Object -First has its objects): stop producing.
    Stop,
}

/// Where a cmdlet's output goes: straight into the next pipeline stage, one object at a time, so
/// a Get- streaming into a Set- never holds the whole collection.
pub(crate) trait Sink {
    fn accept(&mut self, session: &mut Session, host: &mut dyn Host, value: Value) -> Result<Flow, ErrorRecord>;
}

/// Confirmation answers that last for the whole pipeline stage ("Yes to All").
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ConfirmState {
    pub yes_to_all: bool,
    pub no_to_all: bool,
}

pub struct Invocation<'a> {
    pub session: &'a mut Session,
    pub host: &'a mut dyn Host,
    pub spec: &'static CmdletSpec,
    /// The whole command call, for errors about the command as a whole.
    pub call_span: Span,
    /// The current pipeline input object, if any.
    pub input: Option<Value>,
    pub(crate) out: &'a mut dyn Sink,
    pub(crate) confirm_state: &'a mut ConfirmState,
    pub(crate) what_if: bool,
    pub(crate) confirm: Option<bool>,
    pub(crate) error_action: &'static str,
    pub(crate) warning_action: &'static str,
    pub(crate) verbose: bool,
    pub(crate) errors_written: Vec<ErrorRecord>,
    pub(crate) warnings_written: Vec<String>,
    /// A terminating error from a later stage, raised when this body returns.
    pub(crate) downstream_error: Option<ErrorRecord>,
    pub(crate) downstream_done: bool,
    /// Set by [`Invocation::stop_input`].
    pub(crate) input_stopped: bool,
}

impl Invocation<'_> {
    /// Passes an object on to the next stage at once. After a later stage failed or finished,
    /// further objects are dropped; loops that produce many should check [`Self::output_closed`].
    pub fn emit(&mut self, value: Value) {
        if self.output_closed() {
            return;
        }
        match self.out.accept(self.session, self.host, value) {
            Ok(Flow::Continue) => {}
            Ok(Flow::Stop) => self.downstream_done = true,
            Err(e) => self.downstream_error = Some(e),
        }
    }

    /// Whether nothing downstream wants more output: a producer can stop reading the store.
    pub fn output_closed(&self) -> bool {
        self.downstream_error.is_some() || self.downstream_done
    }

    /// This cmdlet wants no more input (Select-Object -First N has its N objects): the commands
    /// before it stop producing, as PowerShell 3+ stops upstream commands.
    pub fn stop_input(&mut self) {
        self.input_stopped = true;
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        let text = text.into();
        self.warnings_written.push(text.clone());
        match self.warning_action {
            "SilentlyContinue" | "Ignore" => {}
            _ => self.host.warning(&text),
        }
    }

    pub fn verbose(&mut self, text: impl Into<String>) {
        if self.verbose {
            self.host.verbose(&text.into());
        }
    }

    /// A non-terminating error: reported, and the pipeline goes on (unless -ErrorAction Stop).
    pub fn write_error(&mut self, record: ErrorRecord) -> Result<(), ErrorRecord> {
        let record = record.in_command(self.spec.name).non_terminating();
        match self.error_action {
            "Stop" => {
                let mut terminating = record;
                terminating.terminating = true;
                self.session.mark_stopped();
                Err(terminating)
            }
            "SilentlyContinue" | "Ignore" => {
                self.errors_written.push(record);
                Ok(())
            }
            _ => {
                self.session.had_error = true;
                self.host.error(&record);
                self.errors_written.push(record);
                Ok(())
            }
        }
    }

    /// PowerShell's ShouldProcess: `-WhatIf` prints and declines; `-Confirm` (or a High-impact
    /// cmdlet without `-Confirm:$false`) asks. A prompt that cannot be shown is an error, never a hang.
    pub fn should_process(&mut self, action: &str) -> Result<bool, ErrorRecord> {
        if self.what_if {
            self.host.information(&format!("What if: {action}"));
            return Ok(false);
        }
        let must_ask = match self.confirm {
            Some(explicit) => explicit,
            None => self.spec.confirm_impact >= ConfirmImpact::High,
        };
        if !must_ask || self.confirm_state.yes_to_all {
            // PowerShell's ShouldProcess reports each action under -Verbose.
            self.verbose(action.to_string());
            return Ok(true);
        }
        if self.confirm_state.no_to_all {
            return Ok(false);
        }
        if !self.host.interactive() {
            return Err(ErrorRecord::new(
                format!(
                    "{} needs your confirmation for this action, but mapish is not running interactively, so it cannot ask: {action} Add -Confirm:$false to go ahead without a prompt.",
                    self.spec.name
                ),
                ErrorCategory::InvalidOperation,
                "HostException",
                format!("ConfirmationNotPossible,{}", self.spec.name),
            )
            .in_command(self.spec.name)
            .at(self.call_span));
        }
        let answer = self.host.confirm("Confirm", &format!("Are you sure you want to perform this action?\n{action}"));
        Ok(match answer {
            ConfirmChoice::Yes => true,
            ConfirmChoice::YesToAll => {
                self.confirm_state.yes_to_all = true;
                true
            }
            ConfirmChoice::No => false,
            ConfirmChoice::NoToAll => {
                self.confirm_state.no_to_all = true;
                false
            }
        })
    }

    /// Runs a script block with `$_` bound (Where-Object, ForEach-Object, calculated properties).
    pub fn invoke(&mut self, block: &crate::lang::ast::ScriptBlock, item: Option<Value>) -> Result<Vec<Value>, ErrorRecord> {
        self.session.invoke_script_block(block, item, self.host)
    }
}
