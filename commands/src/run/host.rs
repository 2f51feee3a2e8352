//! What the command layer needs from whoever runs it (a terminal, a one-shot CLI, the admin
//! endpoint): somewhere to put warnings and errors, and a way to ask the user.

use crate::record::ErrorRecord;
use crate::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmChoice {
    Yes,
    YesToAll,
    No,
    NoToAll,
}

pub trait Host {
    /// The output of one top-level statement, to be formatted (Out-Default) or serialised.
    fn output(&mut self, values: Vec<Value>);
    fn warning(&mut self, text: &str);
    fn verbose(&mut self, text: &str);
    fn error(&mut self, record: &ErrorRecord);
    /// Write-Host and `What if:` lines: text for the user, not pipeline output.
    fn information(&mut self, text: &str);
    /// Whether the host can ask questions (a terminal). One-shot runs on a pipe cannot.
    fn interactive(&self) -> bool;
    /// PowerShell's ShouldProcess prompt; only called when `interactive()`.
    fn confirm(&mut self, caption: &str, message: &str) -> ConfirmChoice;
    /// `> file` / `>> file` and Out-File: format the values as the console would and write them.
    fn redirect(&mut self, values: Vec<Value>, path: &str, append: bool) -> Result<(), String>;
}

/// A host that records everything; used by tests and as the base of non-terminal hosts.
#[derive(Default)]
pub struct RecordingHost {
    pub outputs: Vec<Vec<Value>>,
    pub warnings: Vec<String>,
    pub verbose: Vec<String>,
    pub errors: Vec<ErrorRecord>,
    pub information: Vec<String>,
    /// Answers given to confirmation prompts, in order; when empty the host is non-interactive.
    pub confirm_answers: Vec<ConfirmChoice>,
}

impl Host for RecordingHost {
    fn output(&mut self, values: Vec<Value>) {
        self.outputs.push(values);
    }
    fn warning(&mut self, text: &str) {
        self.warnings.push(text.to_string());
    }
    fn verbose(&mut self, text: &str) {
        self.verbose.push(text.to_string());
    }
    fn error(&mut self, record: &ErrorRecord) {
        self.errors.push(record.clone());
    }
    fn information(&mut self, text: &str) {
        self.information.push(text.to_string());
    }
    fn interactive(&self) -> bool {
        !self.confirm_answers.is_empty()
    }
    fn confirm(&mut self, _caption: &str, _message: &str) -> ConfirmChoice {
        if self.confirm_answers.is_empty() { ConfirmChoice::No } else { self.confirm_answers.remove(0) }
    }
    fn redirect(&mut self, values: Vec<Value>, path: &str, _append: bool) -> Result<(), String> {
        self.outputs.push(values);
        self.information.push(format!("redirected to {path}"));
        Ok(())
    }
}
