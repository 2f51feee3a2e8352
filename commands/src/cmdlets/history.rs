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
