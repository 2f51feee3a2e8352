//! Get-History: the command lines of this interactive session (shell-ux.md row 52).
//!
//! The REPL records each line it ran in the Session ([`crate::run::Session::add_history`]);
//! one-shot runs and scripts have no history, as in PowerShell.

use std::sync::Arc;

use crate::bind::Bound;
use crate::record::{ErrorCategory, ErrorRecord};
use crate::run::Invocation;
use crate::spec::{Body, CmdletSpec, ConfirmImpact, Example, ParamSpec, ParamType};
use crate::value::{PsObject, Value};

pub const HISTORY_INFO_TYPE: &str = "Microsoft.PowerShell.Commands.HistoryInfo";

pub static GET_HISTORY: CmdletSpec = CmdletSpec {
    name: "Get-History",
    aliases: &["h", "history", "ghy"],
    synopsis: "Shows the command lines entered in this session.",
    description: "Lists the command lines the interactive shell ran in this session, oldest first, each with its Id. The history file the shell keeps across sessions (for the Up arrow and Ctrl+R) is separate and leaves out lines containing password, secret, token, apikey or asplaintext; Get-History shows every line of the session.",
    params: &[
        ParamSpec { position: Some(0), ..ParamSpec::new("Id", ParamType::Int, "The Id of the history entry to show.") },
        ParamSpec { position: Some(1), ..ParamSpec::new("Count", ParamType::Int, "Shows only the last Count entries (or the Count entries up to -Id).") },
    ],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: HISTORY_INFO_TYPE,
    class: "Microsoft.PowerShell.Commands.GetHistoryCommand",
    examples: &[
        Example { code: "Get-History", remarks: "Lists this session's command lines with their Ids." },
        Example { code: "h -Count 5", remarks: "Shows the last five command lines." },
    ],
    body: Body::PerRecord(get_history),
};

fn history_info(id: usize, line: &str) -> Value {
    let obj = PsObject::new(HISTORY_INFO_TYPE).with("Id", Value::Int(id as i64)).with("CommandLine", Value::str(line));
    Value::Object(Arc::new(obj))
}

fn get_history(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let entries: Vec<(usize, String)> = inv.session.history().iter().enumerate().map(|(i, l)| (i + 1, l.clone())).collect();
    let count = b.int("Count");
    if let Some(c) = count.filter(|c| *c < 0) {
        return Err(ErrorRecord::new(
            format!("Cannot validate argument on parameter 'Count'. The {c} argument is less than the minimum allowed range of 0."),
            ErrorCategory::InvalidData,
            "ParameterBindingValidationException",
            "ParameterArgumentValidationError,Microsoft.PowerShell.Commands.GetHistoryCommand",
        ));
    }
    let selected: Vec<&(usize, String)> = match b.int("Id") {
        Some(id) => {
            let Some(pos) = entries.iter().position(|(i, _)| *i as i64 == id) else {
                let e = ErrorRecord::new(
                    format!("Cannot locate history for Id {id}."),
                    ErrorCategory::ObjectNotFound,
                    "ArgumentException",
                    "GetHistoryNoHistoryForId,Microsoft.PowerShell.Commands.GetHistoryCommand",
                )
                .at(b.span("Id").unwrap_or(inv.call_span));
                return inv.write_error(e);
            };
            // With -Count, PowerShell shows the Count entries ending at Id.
            let n = count.map_or(1, |c| c as usize);
            entries[(pos + 1).saturating_sub(n)..=pos].iter().collect()
        }
        None => {
            let n = count.map_or(entries.len(), |c| c as usize);
            entries[entries.len().saturating_sub(n)..].iter().collect()
        }
    };
    for (id, line) in selected {
        inv.emit(history_info(*id, line));
    }
    Ok(())
}

pub static INVOKE_HISTORY: CmdletSpec = CmdletSpec {
    name: "Invoke-History",
    aliases: &["r", "ihy"],
    synopsis: "Runs a command line from this session's history again.",
    description: "Runs the history entry with the given Id (or, with a text, the most recent entry that starts with it); without -Id, the last entry. The command line is shown before it runs, as PowerShell does.",
    params: &[ParamSpec {
        position: Some(0),
        ..ParamSpec::new("Id", ParamType::String, "The Id of the entry (Get-History shows it), or the beginning of its command line.")
    }],
    parameter_sets: &[],
    default_set: None,
    should_process: false,
    confirm_impact: ConfirmImpact::None,
    inputs: "None",
    outputs: "The output of the command line it runs",
    class: "Microsoft.PowerShell.Commands.InvokeHistoryCommand",
    examples: &[
        Example { code: "r 3", remarks: "Runs history entry 3 again." },
        Example { code: "Invoke-History Set-CAS", remarks: "Runs the last command line that starts with Set-CAS again." },
    ],
    body: Body::PerRecord(invoke_history),
};

fn history_error(message: String, id: &str) -> ErrorRecord {
    ErrorRecord::new(message, ErrorCategory::ObjectNotFound, "ArgumentException", format!("{id},Microsoft.PowerShell.Commands.InvokeHistoryCommand"))
}

/// Invoking history from history would loop, so PowerShell refuses it, and so do we.
fn invokes_history(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("");
    ["invoke-history", "r", "ihy"].iter().any(|n| first.eq_ignore_ascii_case(n))
}

fn invoke_history(inv: &mut Invocation<'_>, b: &Bound) -> Result<(), ErrorRecord> {
    let span = b.span("Id").unwrap_or(inv.call_span);
    let history = inv.session.history().to_vec();
    // The REPL records the line that called us before running it; it is not a candidate.
    let candidates = match history.last() {
        Some(last) if invokes_history(last) => &history[..history.len() - 1],
        _ => &history[..],
    };
    let line = match b.string("Id") {
        None => candidates.last().cloned().ok_or_else(|| history_error("Cannot locate the most recent history.".into(), "InvokeHistoryNoLastHistoryEntryFound").at(span))?,
        Some(id) => match id.trim().parse::<usize>() {
            Ok(n) => history.get(n.wrapping_sub(1)).cloned().ok_or_else(|| history_error(format!("Cannot locate history for Id {n}."), "InvokeHistoryNoHistoryForId").at(span))?,
            Err(_) => candidates
                .iter()
                .rev()
                .find(|l| l.to_lowercase().starts_with(&id.to_lowercase()))
                .cloned()
                .ok_or_else(|| history_error(format!("Cannot locate history for commandline {id}."), "InvokeHistoryNoHistoryForCommandline").at(span))?,
        },
    };
    if invokes_history(&line) {
        return Err(history_error("Invoke-History cannot run a command line that itself invokes history.".into(), "InvokeHistoryLoopDetected").at(span));
    }
    inv.host.information(&line);
    let script = crate::lang::parse(&line).map_err(|e| ErrorRecord::from(e).without_span())?;
    // Errors of the replayed line point into that line, not into the text on screen; drop their
    // positions rather than underline the wrong characters.
    for statement in &script.statements {
        let mut host = UnpositionedErrors { inner: &mut *inv.host };
        let values = inv.session.run_statement(statement, &mut host).map_err(ErrorRecord::without_span)?;
        for v in values {
            inv.emit(v);
        }
    }
    Ok(())
}

struct UnpositionedErrors<'a> {
    inner: &'a mut dyn crate::run::Host,
}

impl crate::run::Host for UnpositionedErrors<'_> {
    fn output(&mut self, values: Vec<Value>) {
        self.inner.output(values)
    }
    fn warning(&mut self, text: &str) {
        self.inner.warning(text)
    }
    fn verbose(&mut self, text: &str) {
        self.inner.verbose(text)
    }
    fn error(&mut self, record: &ErrorRecord) {
        self.inner.error(&record.clone().without_span())
    }
    fn information(&mut self, text: &str) {
        self.inner.information(text)
    }
    fn interactive(&self) -> bool {
        self.inner.interactive()
    }
    fn confirm(&mut self, caption: &str, message: &str) -> crate::run::ConfirmChoice {
        self.inner.confirm(caption, message)
    }
    fn redirect(&mut self, values: Vec<Value>, path: &str, append: bool) -> Result<(), String> {
        self.inner.redirect(values, path, append)
    }
    fn prompt_parameters(&mut self, caption: &str, message: &str, params: &[crate::run::ParameterPrompt]) -> Option<Vec<Value>> {
        self.inner.prompt_parameters(caption, message, params)
    }
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        self.inner.read_file(path)
    }
    fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        self.inner.write_file(path, text)
    }
    fn prompt_credential(&mut self, caption: &str, message: &str, user_name: Option<&str>) -> Option<(String, crate::value::SecretText)> {
        self.inner.prompt_credential(caption, message, user_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::{RecordingHost, Session};

    fn session_with(lines: &[&str]) -> Session {
        let store = mapish_store::Store::open_temporary().expect("temporary store");
        let mut s = Session::new(store, None);
        for l in lines {
            s.add_history(*l);
        }
        s
    }

    fn ids_and_lines(host: &RecordingHost) -> Vec<(String, String)> {
        host.outputs
            .iter()
            .flatten()
            .filter_map(|v| match v {
                Value::Object(o) => Some((o.get("Id")?.to_text(), o.get("CommandLine")?.to_text())),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn lists_the_session_history_with_ids() {
        let mut s = session_with(&["Get-Mailbox", "Get-CASMailbox alice"]);
        let mut host = RecordingHost::default();
        s.run_script("Get-History", &mut host);
        assert!(host.errors.is_empty(), "{:?}", host.errors);
        assert_eq!(ids_and_lines(&host), vec![("1".into(), "Get-Mailbox".into()), ("2".into(), "Get-CASMailbox alice".into())]);
    }

    #[test]
    fn count_and_id_select_entries_and_aliases_work() {
        let mut s = session_with(&["a", "b", "c"]);
        let mut host = RecordingHost::default();
        s.run_script("h -Count 2", &mut host);
        assert_eq!(ids_and_lines(&host), vec![("2".into(), "b".into()), ("3".into(), "c".into())]);
        let mut host = RecordingHost::default();
        s.run_script("history 1", &mut host);
        assert_eq!(ids_and_lines(&host), vec![("1".into(), "a".into())]);
        let mut host = RecordingHost::default();
        s.run_script("Get-History -Id 9", &mut host);
        assert_eq!(host.errors.len(), 1);
        assert_eq!(host.errors[0].message, "Cannot locate history for Id 9.");
    }
}

#[cfg(test)]
mod invoke_tests {
    use super::*;
    use crate::run::{RecordingHost, Session};

    #[test]
    fn invoke_history_reruns_by_id_by_prefix_and_the_last_line() {
        let store = mapish_store::Store::open_temporary().expect("temporary store");
        let mut s = Session::new(store, None);
        for l in ["$a = 1", "$a = $a + 1", "Write-Output $a"] {
            let mut host = RecordingHost::default();
            s.add_history(l);
            s.run_script(l, &mut host);
        }
        for (line, expected) in [("r", "2"), ("Invoke-History 2", "3"), ("r Write", "3")] {
            let mut host = RecordingHost::default();
            s.add_history(line);
            s.run_script(line, &mut host);
            assert!(host.errors.is_empty(), "{line}: {:?}", host.errors);
            if line != "Invoke-History 2" {
                assert_eq!(host.outputs.concat().iter().map(Value::to_text).collect::<Vec<_>>(), [expected], "{line}");
            }
        }
        let mut host = RecordingHost::default();
        s.run_script("r 99", &mut host);
        assert_eq!(host.errors[0].message, "Cannot locate history for Id 99.");
        let mut host = RecordingHost::default();
        s.add_history("r 7");
        s.run_script("r 7", &mut host);
        assert!(host.errors[0].message.contains("cannot run a command line that itself invokes history"));
    }
}
