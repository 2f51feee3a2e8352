//! The read-eval-print loop: `mapish` with no arguments on a terminal.
//!
//! Every line runs in one Session, so variables persist. A statement left open (quote, brace,
//! parenthesis, trailing `|` or backtick) continues on the next line after a `>> ` prompt. Ctrl-C
//! cancels the line being typed, or stops the running pipeline at its next object; Ctrl-D on an
//! empty line or `exit` leaves.

use std::cell::RefCell;
use std::io::Write;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mapish_commands::lang::parse;
use mapish_commands::run::{Host, Session};
use rustyline::error::ReadlineError;
use rustyline::history::History;
use rustyline::{CompletionType, Config, Editor};

use super::helper::{CompletionSource, ShellHelper};
use super::history::{self, HistoryFile, ShellHistory, MAX_HISTORY};
use super::terminal_host::TerminalHost;
use crate::admin::AdminClient;
use crate::cli::{EXIT_ERRORS, EXIT_OK};
use crate::output::{ConsoleHost, OutputMode};
use crate::store_location;

/// The continuation prompt (PSReadLine's default ContinuationPrompt).
pub const CONTINUATION_PROMPT: &str = ">> ";

/// What runs the lines: a Session over the store opened here (embedded mode), or the Session of
/// a connection to the `mapish serve` that owns the store.
enum Engine {
    Local(Box<Session>),
    Remote(Rc<RefCell<AdminClient>>),
}

/// Runs the REPL on the store in `store_dir` until `exit` or Ctrl-D; returns the exit status.
pub fn run(store_dir: &Path, mode: OutputMode) -> i32 {
    // A running server owns the store: every line then goes to it.
    match AdminClient::connect(store_dir) {
        Ok(Some(mut client)) => {
            let (organization, local) = match client.status() {
                Ok(report) => (report.organization, report.local_server),
                Err(_) => (String::new(), None),
            };
            let client = Rc::new(RefCell::new(client));
            let helper = ShellHelper::new(CompletionSource::Remote(client.clone()));
            return interact(store_dir, mode, Engine::Remote(client), helper, &organization, local.as_deref());
        }
        Ok(None) => {}
        Err(e) => {
            crate::output::print_error_line(&format!("mapish: {e}"));
            return EXIT_ERRORS;
        }
    }
    let store = match store_location::open_initialised(store_dir) {
        Ok(s) => s,
        Err(e) => {
            ConsoleHost::new(mode, String::new()).error(&mapish_commands::record::ErrorRecord::from(e));
            return EXIT_ERRORS;
        }
    };
    let local = store_location::local_server(&store);
    let organization = store.organization().map(|o| o.name).unwrap_or_default();
    let session = crate::session::new_session(store.clone(), local.clone());
    let helper = ShellHelper::new(CompletionSource::Store(store));
    interact(store_dir, mode, Engine::Local(Box::new(session)), helper, &organization, local.as_deref())
}

fn interact(store_dir: &Path, mode: OutputMode, mut engine: Engine, helper: ShellHelper, organization: &str, local: Option<&str>) -> i32 {
    let interrupt = match &engine {
        Engine::Local(session) => session.interrupt_flag(),
        // Forwarded to the server as a cancel frame while a line runs there.
        Engine::Remote(_) => Arc::new(AtomicBool::new(false)),
    };
    // While a pipeline runs the terminal is in cooked mode and Ctrl-C arrives as SIGINT: it sets
    // the Session's flag (the pipeline stops at its next object) instead of ending the process.
    // While a line is edited rustyline has the terminal in raw mode and reads Ctrl-C as a key.
    let sigint = signal_hook::flag::register(signal_hook::consts::SIGINT, interrupt.clone()).ok();

    let history_file = history::default_path(store_dir).map(HistoryFile::new);
    let saved = history_file.as_ref().map(HistoryFile::load).unwrap_or_default();
    let config = match Config::builder().max_history_size(MAX_HISTORY) {
        Ok(b) => b.completion_type(CompletionType::Circular).auto_add_history(false).build(),
        Err(_) => Config::builder().completion_type(CompletionType::Circular).auto_add_history(false).build(),
    };
    let mut editor = match Editor::with_history(config, ShellHistory::new(saved)) {
        Ok(e) => e,
        Err(e) => {
            crate::output::print_error_line(&format!("mapish: cannot start the interactive shell: {e}"));
            return EXIT_ERRORS;
        }
    };
    editor.set_helper(Some(helper));

    let prompt = prompt_for(local, organization);
    say(&banner(store_dir, organization, local, matches!(engine, Engine::Remote(_))));
    let mut host = TerminalHost::new(mode, interrupt.clone());
    let code = read_eval_print(&mut editor, &mut engine, &mut host, &prompt, history_file.as_ref(), &interrupt);
    if let Some(id) = sigint {
        signal_hook::low_level::unregister(id);
    }
    code
}

fn read_eval_print(
    editor: &mut Editor<ShellHelper, ShellHistory>,
    engine: &mut Engine,
    host: &mut TerminalHost,
    prompt: &str,
    history_file: Option<&HistoryFile>,
    interrupt: &Arc<AtomicBool>,
) -> i32 {
    let mut pending = String::new();
    let mut history_warned = false;
    loop {
        if let Some(h) = editor.helper() {
            h.set_pending(&pending);
        }
        let shown = if pending.is_empty() { prompt } else { CONTINUATION_PROMPT };
        let line = match editor.readline(shown) {
            Ok(line) => line,
            Err(ReadlineError::Interrupted) => {
                // Ctrl-C while typing: drop the line (and any statement being continued).
                pending.clear();
                continue;
            }
            Err(ReadlineError::Eof) => return EXIT_OK,
            Err(e) => {
                crate::output::print_error_line(&format!("mapish: cannot read from the terminal: {e}"));
                return EXIT_ERRORS;
            }
        };
        let text = if pending.is_empty() { line } else { format!("{pending}\n{line}") };
        pending.clear();
        if text.trim().is_empty() {
            continue;
        }
        if matches!(parse(&text), Err(e) if e.incomplete) {
            pending = text;
            continue;
        }
        if let Some(code) = exit_code(&text) {
            return code;
        }
        let _ = editor.history_mut().add(&text);
        // A history file that cannot be written is worth one warning, not one per command.
        if let Some(file) = history_file
            && let Err(e) = file.add(&text)
            && !history_warned
        {
            history_warned = true;
            host.warning(&format!("The history file {} could not be written: {e}", file.path().display()));
        }
        interrupt.store(false, Ordering::Relaxed);
        let columns = width(editor);
        match engine {
            Engine::Local(session) => {
                host.begin_line(&text, columns, session.enumeration_limit());
                session.run_script(&text, host);
                session.add_history(text);
                if let Some(h) = editor.helper() {
                    h.set_variables(session.variable_names());
                }
            }
            Engine::Remote(client) => {
                host.begin_line(&text, columns, 4);
                if let Err(e) = run_remote_line(client, &text, host, columns, interrupt) {
                    crate::output::print_error_line(&format!("mapish: {e}"));
                    return EXIT_ERRORS;
                }
            }
        }
        interrupt.store(false, Ordering::Relaxed);
    }
}

/// Runs one line on the server; Ctrl-C meanwhile (the SIGINT flag) is sent as a cancel frame.
fn run_remote_line(
    client: &RefCell<AdminClient>,
    text: &str,
    host: &mut TerminalHost,
    columns: usize,
    interrupt: &Arc<AtomicBool>,
) -> Result<(), crate::admin::ClientError> {
    let done = Arc::new(AtomicBool::new(false));
    let watcher = client.borrow().canceller().map(|mut canceller| {
        let (done, interrupt) = (done.clone(), interrupt.clone());
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                if interrupt.swap(false, Ordering::Relaxed) {
                    canceller.cancel();
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    });
    let result = client.borrow_mut().run(text, host, columns);
    done.store(true, Ordering::Relaxed);
    if let Some(w) = watcher {
        let _ = w.join();
    }
    result.map(|_| ())
}

/// `exit` or `exit N` (PowerShell's exit statement, which mapish's parser does not run).
fn exit_code(text: &str) -> Option<i32> {
    let trimmed = text.trim().trim_end_matches(';').trim();
    let mut words = trimmed.split_whitespace();
    if !words.next()?.eq_ignore_ascii_case("exit") {
        return None;
    }
    match (words.next(), words.next()) {
        (None, _) => Some(EXIT_OK),
        (Some(n), None) => n.parse::<i32>().ok(),
        _ => None,
    }
}

/// The width tables are laid out for: $COLUMNS, else the terminal's, minus one as PowerShell does.
fn width(editor: &mut Editor<ShellHelper, ShellHistory>) -> usize {
    if std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()).is_some() {
        return crate::output::console_width();
    }
    match editor.dimensions() {
        Some((cols, _)) if cols > 20 => usize::from(cols) - 1,
        _ => crate::output::console_width(),
    }
}

/// `[PS] mapish EX01> `: the Exchange Management Shell's `[PS]` marker, then the local server,
/// or the organization when this host is none of the store's servers.
pub fn prompt_for(local_server: Option<&str>, organization: &str) -> String {
    match local_server.filter(|s| !s.is_empty()) {
        Some(server) => format!("[PS] mapish {server}> "),
        None if !organization.is_empty() => format!("[PS] mapish {organization}> "),
        None => "[PS] mapish> ".to_string(),
    }
}

fn banner(store_dir: &Path, organization: &str, local_server: Option<&str>, remote: bool) -> String {
    let server = local_server.map(|s| format!(", server {s}")).unwrap_or_default();
    // Which door the lines go through: changes are live in the server at once when connected.
    let connected = if remote { " (connected to mapish serve)" } else { "" };
    format!(
        "mapish {} - Exchange Management Shell for MAPI over HTTP\n\
         Store: {} (organization '{organization}'{server}){connected}\n\
         Tab completes cmdlets, parameters and values; Get-Help NAME explains a cmdlet; exit or Ctrl+D leaves.\n\n",
        env!("CARGO_PKG_VERSION"),
        store_dir.display(),
    )
}

fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prompt_shows_the_server_or_the_organization() {
        assert_eq!(prompt_for(Some("EX01"), "Contoso"), "[PS] mapish EX01> ");
        assert_eq!(prompt_for(None, "Contoso"), "[PS] mapish Contoso> ");
        assert_eq!(prompt_for(None, ""), "[PS] mapish> ");
    }

    #[test]
    fn exit_with_or_without_a_status() {
        assert_eq!(exit_code("exit"), Some(0));
        assert_eq!(exit_code("  EXIT ; "), Some(0));
        assert_eq!(exit_code("exit 3"), Some(3));
        assert_eq!(exit_code("exit-thing"), None);
        assert_eq!(exit_code("Get-Mailbox"), None);
        assert_eq!(exit_code("exit 1 2"), None);
    }

    #[test]
    fn a_set_interrupt_flag_stops_the_pipeline_with_powershells_error() {
        use mapish_commands::run::RecordingHost;
        let store = mapish_store::Store::open_temporary().expect("temporary store");
        store
            .initialize(&mapish_store::InitParams { organization: "Contoso".into(), server: "EX01".into(), fqdn: "ex01.contoso.com".into() })
            .expect("initialize");
        let mut session = Session::new(store, Some("EX01".into()));
        session.interrupt_flag().store(true, Ordering::Relaxed);
        let mut host = RecordingHost::default();
        // A pipeline sees the flag at its first object...
        let script = parse("Get-ExchangeServer | fl Name").expect("parses");
        let stopped = session.run_statement(&script.statements[0], &mut host).expect_err("stopped");
        assert_eq!(stopped.message, "The pipeline has been stopped.");
        assert_eq!(stopped.fully_qualified_error_id, "PipelineStopped");
        assert_eq!(stopped.category_info(), "OperationStopped: (:) [], PipelineStoppedException");
        // ...and the rest of the command line does not run.
        session.run_script("Get-ExchangeServer; Get-OrganizationConfig", &mut host);
        assert!(host.outputs.is_empty(), "nothing runs after the stop: {:?}", host.outputs);
        // Cleared, the same session runs again.
        session.interrupt_flag().store(false, Ordering::Relaxed);
        let mut host = RecordingHost::default();
        session.run_script("Get-ExchangeServer", &mut host);
        assert!(host.errors.is_empty() && host.outputs.len() == 1);
    }

    #[test]
    fn incomplete_statements_continue_and_complete_ones_run() {
        for open in ["Get-CASMailbox | ? {", "'abc", "Get-CASMailbox |", "Get-CASMailbox `", "(1 +"] {
            assert!(matches!(parse(open), Err(e) if e.incomplete), "{open:?} should continue");
        }
        assert!(parse("Get-CASMailbox | ? {\n$_.Name -eq 'x' }").is_ok());
    }
}
