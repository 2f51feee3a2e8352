//! The REPL's Host: PowerShell's console host on a terminal. Output goes to stdout, errors,
//! warnings and verbose lines to stderr, coloured as PowerShell colours them (errors red,
//! warnings and verbose yellow) when that stream is a terminal and NO_COLOR is not set.
//! Questions (confirmation, missing mandatory parameters, Get-Credential) are asked with a
//! small line editor, so Ctrl-C at a prompt stops the pipeline instead of waiting for Enter.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use mapish_commands::record::ErrorRecord;
use mapish_commands::run::{ConfirmChoice, Host, ParameterPrompt};
use mapish_commands::value::{SecretText, Value};
use rustyline::error::ReadlineError;
use rustyline::history::MemHistory;
use rustyline::{ColorMode, Config, Editor};

use super::helper::PromptHelper;
use crate::output::{directives_to_text, error_to_text, value_to_json, ConsoleHost, OutputMode};

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// NO_COLOR (https://no-color.org): present and not empty turns colour off.
pub fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

pub struct TerminalHost {
    mode: OutputMode,
    /// The command line being run, so error records can point into it.
    source: String,
    enumeration_limit: i64,
    width: usize,
    colour_out: bool,
    colour_err: bool,
    /// The Session's stop flag: Ctrl-C at a prompt stops the pipeline like Ctrl-C elsewhere.
    interrupt: Arc<AtomicBool>,
    /// For `>`/Out-File, which format exactly as one-shot runs do.
    files: ConsoleHost,
}

/// What a one-off prompt read.
enum Answer {
    Line(String),
    /// Ctrl-C: stop the pipeline.
    Cancelled,
    /// Ctrl-D or the terminal went away.
    Closed,
}

impl TerminalHost {
    pub fn new(mode: OutputMode, interrupt: Arc<AtomicBool>) -> Self {
        let colour = !no_color();
        TerminalHost {
            mode,
            source: String::new(),
            enumeration_limit: 4,
            width: 120,
            colour_out: colour && std::io::stdout().is_terminal(),
            colour_err: colour && std::io::stderr().is_terminal(),
            interrupt,
            files: ConsoleHost::new(OutputMode::Text, String::new()),
        }
    }

    /// Called before each command line: its text, the console width and $FormatEnumerationLimit.
    pub fn begin_line(&mut self, source: &str, width: usize, enumeration_limit: i64) {
        source.clone_into(&mut self.source);
        self.width = width;
        self.enumeration_limit = enumeration_limit;
        self.files.set_enumeration_limit(enumeration_limit);
    }

    pub fn colour_out(&self) -> bool {
        self.colour_out
    }

    fn write_err(&self, text: &str, colour: &str) {
        let text = if self.colour_err { paint(text, colour) } else { text.to_string() };
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        let _ = err.flush();
    }

    /// Reads one answer with a fresh line editor (no history: answers can be secrets).
    fn ask(&mut self, prompt: &str, initial: &str, mask: bool) -> Answer {
        let config = Config::builder()
            .auto_add_history(false)
            // Masking is done by the highlighter, which rustyline only calls when colours are
            // on; it is not colour, so it must not depend on NO_COLOR.
            .color_mode(if mask { ColorMode::Forced } else { ColorMode::Disabled })
            .build();
        let mut editor = match Editor::<PromptHelper, MemHistory>::with_history(config, MemHistory::new()) {
            Ok(e) => e,
            Err(_) => return Answer::Closed,
        };
        editor.set_helper(Some(PromptHelper { mask }));
        match editor.readline_with_initial(prompt, (initial, "")) {
            Ok(line) => Answer::Line(line),
            Err(ReadlineError::Interrupted) => {
                self.interrupt.store(true, Ordering::Relaxed);
                Answer::Cancelled
            }
            Err(_) => Answer::Closed,
        }
    }

    fn say(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn caption(&self, caption: &str, message: &str) {
        let mut text = String::from("\n");
        for part in [caption, message] {
            if !part.is_empty() {
                text.push_str(part);
                text.push('\n');
            }
        }
        self.say(&text);
    }
}

/// The REPL connected to `mapish serve`: output and errors arrive rendered for this terminal's
/// width and mode; they are printed (and coloured) as [`Host::output`] and [`Host::error`] do.
impl crate::admin::client::RemoteConsole for TerminalHost {
    fn json(&self) -> bool {
        self.mode == OutputMode::Json
    }

    fn emit_output(&mut self, rendered: crate::output::Rendered) {
        let text = match rendered {
            crate::output::Rendered::Text(text) => text,
            crate::output::Rendered::Json(all) => {
                let json = serde_json::to_string_pretty(&serde_json::Value::Array(all)).unwrap_or_else(|_| "[]".into());
                format!("{json}\n")
            }
        };
        self.say(&text);
    }

    fn emit_error_text(&mut self, text: &str) {
        self.write_err(text, RED);
    }
}

/// Colours each line separately so a reset always comes before the newline: a terminal that
/// scrolls while coloured would otherwise paint the new row.
fn paint(text: &str, colour: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let (body, nl) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
            if body.is_empty() { line.to_string() } else { format!("{colour}{body}{RESET}{nl}") }
        })
        .collect()
}

impl Host for TerminalHost {
    fn output(&mut self, values: Vec<Value>) {
        let text = match self.mode {
            OutputMode::Text => directives_to_text(values, self.enumeration_limit, self.width),
            OutputMode::Json => {
                let all: Vec<serde_json::Value> = values.iter().flat_map(value_to_json).collect();
                let json = serde_json::to_string_pretty(&serde_json::Value::Array(all)).unwrap_or_else(|_| "[]".into());
                format!("{json}\n")
            }
        };
        self.say(&text);
    }

    fn warning(&mut self, text: &str) {
        self.write_err(&crate::render::render_warning(text), YELLOW);
    }

    fn verbose(&mut self, text: &str) {
        self.write_err(&crate::render::render_verbose(text), YELLOW);
    }

    fn error(&mut self, record: &ErrorRecord) {
        let text = match self.mode {
            OutputMode::Text => error_to_text(record, &self.source),
            OutputMode::Json => format!("{}\n", serde_json::to_string(record).unwrap_or_default()),
        };
        self.write_err(&text, RED);
    }

    fn information(&mut self, text: &str) {
        self.say(&format!("{text}\n"));
    }

    fn interactive(&self) -> bool {
        true
    }

    fn confirm(&mut self, caption: &str, message: &str) -> ConfirmChoice {
        self.caption(caption, message);
        loop {
            let line = match self.ask("[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [?] Help (default is \"Y\"): ", "", false) {
                Answer::Line(l) => l,
                Answer::Cancelled | Answer::Closed => return ConfirmChoice::No,
            };
            match line.trim().to_ascii_lowercase().as_str() {
                "" | "y" => return ConfirmChoice::Yes,
                "a" => return ConfirmChoice::YesToAll,
                "n" => return ConfirmChoice::No,
                "l" => return ConfirmChoice::NoToAll,
                _ => self.say(
                    "Y - Continue with only the next step of the operation.\nA - Continue with all the steps of the operation.\nN - Skip this operation and proceed with the next operation.\nL - Skip this operation and all subsequent operations.\n",
                ),
            }
        }
    }

    fn redirect(&mut self, values: Vec<Value>, path: &str, append: bool) -> Result<(), String> {
        self.files.redirect(values, path, append)
    }

    fn prompt_parameters(&mut self, caption: &str, message: &str, params: &[ParameterPrompt]) -> Option<Vec<Value>> {
        self.caption(caption, message);
        self.say("(Type !? for Help.)\n");
        let mut answers = Vec::with_capacity(params.len());
        for p in params {
            let value = if p.list {
                let mut items = Vec::new();
                loop {
                    match self.ask_parameter(p, &format!("{}[{}]: ", p.name, items.len()))? {
                        Value::String(s) if s.is_empty() => break,
                        v => items.push(v),
                    }
                }
                Value::List(items)
            } else {
                self.ask_parameter(p, &format!("{}: ", p.name))?
            };
            answers.push(value);
        }
        Some(answers)
    }

    fn prompt_credential(&mut self, caption: &str, message: &str, user_name: Option<&str>) -> Option<(String, SecretText)> {
        self.caption(caption, message);
        let user = match self.ask("User: ", user_name.unwrap_or(""), false) {
            Answer::Line(l) => l.trim().to_string(),
            Answer::Cancelled | Answer::Closed => return None,
        };
        match self.ask(&format!("Password for user {user}: "), "", true) {
            Answer::Line(password) => Some((user, SecretText(password))),
            Answer::Cancelled | Answer::Closed => None,
        }
    }
}

impl TerminalHost {
    /// One answer for a mandatory parameter; `!?` shows its help and asks again.
    fn ask_parameter(&mut self, p: &ParameterPrompt, prompt: &str) -> Option<Value> {
        loop {
            match self.ask(prompt, "", p.secret) {
                Answer::Line(l) if l.trim() == "!?" => {
                    let help = if p.help.is_empty() { format!("{} ({})", p.name, p.type_name) } else { format!("{} ({}): {}", p.name, p.type_name, p.help) };
                    self.say(&format!("{help}\n"));
                }
                Answer::Line(l) if p.secret => return Some(Value::SecureString(Arc::new(SecretText(l)))),
                Answer::Line(l) => return Some(Value::String(l)),
                Answer::Cancelled | Answer::Closed => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_reset_before_each_newline() {
        assert_eq!(paint("WARNING: x\n", YELLOW), "\x1b[33mWARNING: x\x1b[0m\n");
        assert_eq!(paint("a\n\nb", RED), "\x1b[31ma\x1b[0m\n\n\x1b[31mb\x1b[0m");
    }
}
