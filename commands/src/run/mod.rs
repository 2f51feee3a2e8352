//! Running scripts: statements, pipelines streaming objects from stage to stage, variables.

mod eval;
mod host;
mod invocation;
mod ops;
mod pipeline;

pub use crate::bind::Bound;
pub use host::{ConfirmChoice, Host, ParameterPrompt, RecordingHost};
pub use invocation::Invocation;
pub use ops::{binary as apply_operator, compare_values, method as call_method, wildcard_match};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mapish_store::Store;

use crate::lang::ast::{Script, Statement};
use crate::lang::parse;
use crate::record::ErrorRecord;
use crate::value::Value;

/// A file path as typed in a script, for the local file system: Windows scripts write
/// `.\report.csv` and `logs\mapi.txt`, so on other systems backslashes separate directories.
pub fn file_path(typed: &str) -> String {
    if cfg!(windows) { typed.to_string() } else { typed.replace('\\', "/") }
}

/// State that lives across the statements of a script or REPL session.
pub struct Session {
    pub store: Store,
    /// The server this shell runs on (the default for -Server and -RunFromServerId).
    pub local_server: Option<String>,
    variables: HashMap<String, Value>,
    /// `$_` for the script block being run.
    current_item: Vec<Value>,
    /// Set when any error record was written: the one-shot exit status.
    pub had_error: bool,
    /// Set by an error under ErrorAction Stop: the rest of the script does not run.
    stopped: bool,
    /// Set from outside (the REPL's Ctrl-C handler) to stop the running pipeline; checked
    /// between pipeline objects, so a stop takes effect at the next object.
    interrupt: Arc<AtomicBool>,
    /// The command lines the interactive shell ran, oldest first (Get-History).
    history: Vec<String>,
    /// The MAPI over HTTP client Test-OutlookConnectivity uses; plugged in by the edge that
    /// creates the session (the command layer has no HTTP client of its own).
    pub probe: Option<Arc<dyn crate::probe::Probe>>,
}

/// How a script run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOutcome {
    pub had_error: bool,
}

impl Session {
    pub fn new(store: Store, local_server: Option<String>) -> Self {
        let mut variables = HashMap::new();
        variables.insert("formatenumerationlimit".to_string(), Value::Int(4));
        variables.insert("erroractionpreference".to_string(), Value::Enum("Continue"));
        variables.insert("warningpreference".to_string(), Value::Enum("Continue"));
        variables.insert("confirmpreference".to_string(), Value::Enum("High"));
        Session {
            store,
            local_server,
            variables,
            current_item: Vec::new(),
            had_error: false,
            stopped: false,
            interrupt: Arc::new(AtomicBool::new(false)),
            history: Vec::new(),
            probe: None,
        }
    }

    /// The session with a probe client for Test-OutlookConnectivity.
    pub fn with_probe(mut self, probe: Arc<dyn crate::probe::Probe>) -> Self {
        self.probe = Some(probe);
        self
    }

    pub fn variable(&self, name: &str) -> Option<Value> {
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            "null" => Some(Value::Null),
            "_" | "psitem" => self.current_item.last().cloned(),
            _ => {
                if let Some(env) = lower.strip_prefix("env:") {
                    return std::env::var(env.to_ascii_uppercase())
                        .or_else(|_| std::env::var(&name[4..]))
                        .ok()
                        .map(Value::String);
                }
                let plain = lower.strip_prefix("global:").or_else(|| lower.strip_prefix("script:")).or_else(|| lower.strip_prefix("local:")).unwrap_or(&lower);
                self.variables.get(plain).cloned()
            }
        }
    }

    pub fn set_variable(&mut self, name: &str, value: Value) -> Result<(), String> {
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "true" | "false" | "null" | "_" | "psitem") {
            return Err(format!("Cannot overwrite variable {name} because it is read-only or constant."));
        }
        let plain = lower.strip_prefix("global:").or_else(|| lower.strip_prefix("script:")).unwrap_or(&lower).to_string();
        self.variables.insert(plain, value);
        Ok(())
    }

    /// The flag a Ctrl-C handler sets to stop the running pipeline. The owner clears it before
    /// running the next command line.
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        self.interrupt.clone()
    }

    pub fn interrupted(&self) -> bool {
        self.interrupt.load(Ordering::Relaxed)
    }

    /// PowerShell's PipelineStoppedException when Ctrl-C was pressed, checked between objects.
    pub(crate) fn check_interrupt(&self) -> Result<(), ErrorRecord> {
        if self.interrupted() {
            return Err(ErrorRecord::new(
                "The pipeline has been stopped.",
                crate::record::ErrorCategory::OperationStopped,
                "PipelineStoppedException",
                "PipelineStopped",
            ));
        }
        Ok(())
    }

    /// The command lines of this interactive session, oldest first; entry i has Id i + 1.
    pub fn history(&self) -> &[String] {
        &self.history
    }

    pub fn add_history(&mut self, line: impl Into<String>) {
        self.history.push(line.into());
    }

    pub fn variable_names(&self) -> Vec<String> {
        self.variables.keys().cloned().collect()
    }

    /// `$FormatEnumerationLimit`
    pub fn enumeration_limit(&self) -> i64 {
        match self.variable("FormatEnumerationLimit") {
            Some(Value::Int(i)) => i,
            _ => 4,
        }
    }

    /// Parses and runs a whole script. A parse error anywhere means nothing runs, as in PowerShell.
    pub fn run_script(&mut self, source: &str, host: &mut dyn Host) -> RunOutcome {
        self.had_error = false;
        self.stopped = false;
        match parse(source) {
            Ok(script) => self.run_parsed(&script, host),
            Err(e) => {
                self.report(host, &ErrorRecord::from(e));
            }
        }
        RunOutcome { had_error: self.had_error }
    }

    pub fn run_parsed(&mut self, script: &Script, host: &mut dyn Host) {
        for statement in &script.statements {
            // A stopped pipeline (Ctrl-C) ends the whole command line, as in PowerShell.
            if self.stopped || self.interrupted() {
                break;
            }
            match self.run_statement(statement, host) {
                Ok(values) => {
                    if !values.is_empty() {
                        host.output(values);
                    }
                }
                Err(record) => self.report(host, &record),
            }
        }
    }

    pub(crate) fn report(&mut self, host: &mut dyn Host, record: &ErrorRecord) {
        self.had_error = true;
        host.error(record);
        if record.terminating && self.stop_on_error() {
            self.stopped = true;
        }
    }

    fn stop_on_error(&self) -> bool {
        matches!(self.variable("ErrorActionPreference"), Some(v) if v.to_text().eq_ignore_ascii_case("Stop"))
    }

    pub(crate) fn mark_stopped(&mut self) {
        self.stopped = true;
    }

    /// Runs one statement and returns its output objects.
    pub fn run_statement(&mut self, statement: &Statement, host: &mut dyn Host) -> Result<Vec<Value>, ErrorRecord> {
        let mut out = Vec::new();
        eval::statement(self, statement, host, &mut out)?;
        Ok(out)
    }

    /// Runs a script block with `$_` set; used by Where-Object, ForEach-Object, calculated properties.
    pub fn invoke_script_block(
        &mut self,
        block: &crate::lang::ast::ScriptBlock,
        item: Option<Value>,
        host: &mut dyn Host,
    ) -> Result<Vec<Value>, ErrorRecord> {
        let pushed = item.is_some();
        if let Some(item) = item {
            self.current_item.push(item);
        }
        let mut out = Vec::new();
        let mut result = Ok(());
        for statement in &block.body.statements {
            result = eval::statement(self, statement, host, &mut out);
            if result.is_err() {
                break;
            }
        }
        if pushed {
            self.current_item.pop();
        }
        result.map(|_| out)
    }
}
