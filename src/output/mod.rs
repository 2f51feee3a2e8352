//! The output layer: the only place that writes to stdout/stderr. It turns pipeline output into
//! PowerShell-shaped text (or JSON) and error records into NormalView.

mod json;
mod text;

pub use json::value_to_json;
pub use text::{directives_to_text, error_to_text};

use std::io::{BufRead, IsTerminal, Write};

use mapish_commands::record::ErrorRecord;
use mapish_commands::run::{ConfirmChoice, Host};
use mapish_commands::value::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    Text,
    Json,
}

/// The host for one-shot commands, scripts and stdin: output to stdout, the rest to stderr.
pub struct ConsoleHost {
    mode: OutputMode,
    /// The script text, so error records can point into it.
    pub source: String,
    enumeration_limit: i64,
    json_values: Vec<serde_json::Value>,
    interactive: bool,
    /// The width tables are laid out for when it is not this process's console: the admin
    /// endpoint renders for the client's terminal, not its own.
    width: Option<usize>,
}

/// Pipeline output already formatted for one [`OutputMode`]: what the admin endpoint sends to a
/// shell, so that the shell prints exactly what embedded mode prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    Text(String),
    Json(Vec<serde_json::Value>),
}

impl ConsoleHost {
    pub fn new(mode: OutputMode, source: String) -> Self {
        let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        ConsoleHost { mode, source, enumeration_limit: 4, json_values: Vec::new(), interactive, width: None }
    }

    /// A host used only to render for another console `width` columns wide (the admin endpoint).
    pub fn renderer(mode: OutputMode, source: String, width: usize) -> Self {
        ConsoleHost { mode, source, enumeration_limit: 4, json_values: Vec::new(), interactive: false, width: Some(width) }
    }

    pub fn mode(&self) -> OutputMode {
        self.mode
    }

    fn width(&self) -> usize {
        self.width.unwrap_or_else(console_width)
    }

    /// Formats one statement's output as [`Host::output`] would print it.
    pub fn render_output(&self, values: Vec<Value>) -> Rendered {
        match self.mode {
            OutputMode::Text => Rendered::Text(directives_to_text(values, self.enumeration_limit, self.width())),
            OutputMode::Json => Rendered::Json(values.iter().flat_map(value_to_json).collect()),
        }
    }

    /// Prints output rendered by [`ConsoleHost::render_output`] (here or in the serving process).
    pub fn emit_output(&mut self, rendered: Rendered) {
        match rendered {
            Rendered::Text(text) => write_stdout(&text),
            Rendered::Json(values) => self.json_values.extend(values),
        }
    }

    /// An error record as [`Host::error`] prints it.
    pub fn render_error(&self, record: &ErrorRecord) -> String {
        match self.mode {
            OutputMode::Text => error_to_text(record, &self.source),
            OutputMode::Json => format!("{}\n", serde_json::to_string(record).unwrap_or_default()),
        }
    }

    /// Prints an error rendered by [`ConsoleHost::render_error`].
    pub fn emit_error_text(&mut self, text: &str) {
        write_stderr(text);
    }

    /// What `> file` writes: the console layout at PowerShell's redirected width.
    pub fn render_redirect(&self, values: Vec<Value>) -> String {
        directives_to_text(values, self.enumeration_limit, 120)
    }

    pub fn set_enumeration_limit(&mut self, limit: i64) {
        self.enumeration_limit = limit;
    }

    /// In JSON mode everything is printed at the end as one array.
    pub fn finish(&mut self) {
        if self.mode == OutputMode::Json {
            let all = serde_json::Value::Array(std::mem::take(&mut self.json_values));
            let text = serde_json::to_string_pretty(&all).unwrap_or_else(|_| "[]".into());
            write_stdout(&format!("{text}\n"));
        }
    }
}

/// The width tables are laid out for: the terminal's, else 120 as PowerShell uses for redirected output.
pub fn console_width() -> usize {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse::<usize>().ok()) {
        return cols.saturating_sub(1).max(20);
    }
    120
}

/// A line for the user on stdout (used by subcommands such as `init`).
pub fn print_line(text: &str) {
    write_stdout(&format!("{text}\n"));
}

/// A line for the user on stderr (messages outside the error-record shape).
pub fn print_error_line(text: &str) {
    write_stderr(&format!("{text}\n"));
}

/// Text for the user on stdout, as given (no newline added).
pub fn write_text(text: &str) {
    write_stdout(text);
}

/// Text for the user on stderr, as given (a prompt that the answer follows on the same line).
pub fn write_error_text(text: &str) {
    write_stderr(text);
}

fn write_stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (mapish … | head) is not an error worth reporting.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

fn write_stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}

impl Host for ConsoleHost {
    fn output(&mut self, values: Vec<Value>) {
        let rendered = self.render_output(values);
        self.emit_output(rendered);
    }

    fn warning(&mut self, text: &str) {
        write_stderr(&crate::render::render_warning(text));
    }

    fn verbose(&mut self, text: &str) {
        write_stderr(&crate::render::render_verbose(text));
    }

    fn error(&mut self, record: &ErrorRecord) {
        let text = self.render_error(record);
        self.emit_error_text(&text);
    }

    fn information(&mut self, text: &str) {
        write_stdout(&format!("{text}\n"));
    }

    fn interactive(&self) -> bool {
        self.interactive
    }

    fn confirm(&mut self, caption: &str, message: &str) -> ConfirmChoice {
        loop {
            write_stderr(&format!(
                "\n{caption}\n{message}\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is \"Y\"): "
            ));
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line).unwrap_or(0) == 0 {
                return ConfirmChoice::No;
            }
            match line.trim().to_ascii_lowercase().as_str() {
                "" | "y" => return ConfirmChoice::Yes,
                "a" => return ConfirmChoice::YesToAll,
                "n" => return ConfirmChoice::No,
                "l" => return ConfirmChoice::NoToAll,
                _ => write_stderr("Y - Continue with only the next step of the operation.\nA - Continue with all the steps of the operation.\nN - Skip this operation and proceed with the next operation.\nL - Skip this operation and all subsequent operations.\n"),
            }
        }
    }

    fn redirect(&mut self, values: Vec<Value>, path: &str, append: bool) -> Result<(), String> {
        let text = self.render_redirect(values);
        write_redirect(path, append, &text)
    }
}

/// Writes redirected output to the file the user named (relative to this process's directory).
pub fn write_redirect(path: &str, append: bool, text: &str) -> Result<(), String> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .append(append)
        .truncate(!append)
        .open(path)
        .map_err(|e| format!("Could not open the file '{path}': {e}."))?;
    file.write_all(text.as_bytes()).map_err(|e| format!("Could not write to the file '{path}': {e}."))
}
