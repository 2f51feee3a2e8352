//! What the command layer needs from whoever runs it (a terminal, a one-shot CLI, the admin
//! endpoint): somewhere to put warnings and errors, and a way to ask the user.

use crate::record::ErrorRecord;
use crate::value::{SecretText, Value};

/// One mandatory parameter the host is asked to prompt for ([`Host::prompt_parameters`]).
#[derive(Debug, Clone)]
pub struct ParameterPrompt {
    /// The parameter's name as declared (`Identity`): the prompt is `Identity: `.
    pub name: String,
    /// Its type as help shows it (`MailboxIdParameter`), for a `!?` help answer.
    pub type_name: String,
    /// Its help text, for a `!?` help answer.
    pub help: String,
    /// A SecureString parameter: read without echo and answer a `Value::SecureString`.
    pub secret: bool,
    /// A list parameter: PowerShell reads `Name[0]: `, `Name[1]: `, … until an empty line and
    /// answers a `Value::List` of the strings.
    pub list: bool,
}

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

    /// Asks for mandatory parameters the command line left out, as PowerShell's console does:
    ///
    /// ```text
    /// cmdlet Set-CASMailbox at command pipeline position 1      <- caption
    /// Supply values for the following parameters:               <- message
    /// Identity: _
    /// ```
    ///
    /// One line per parameter, in order. Answer one value per prompt: a `Value::String` with the
    /// text typed (the runner converts it to the parameter's type and reports conversion errors
    /// itself; an empty answer is refused with PowerShell's "because it is an empty string"), a
    /// `Value::SecureString` for `secret` prompts (read without echo), a `Value::List` of strings
    /// for `list` prompts. Return `None` when the user cancels (Ctrl-C) or the host cannot ask:
    /// the command then fails with "Cannot process command because of one or more missing
    /// mandatory parameters", as in a script. Only called when [`Host::interactive`] is true.
    /// The default cannot ask.
    fn prompt_parameters(&mut self, _caption: &str, _message: &str, _params: &[ParameterPrompt]) -> Option<Vec<Value>> {
        None
    }

    /// Get-Content and Import-Csv: the text of a file the user named. The host decides what a
    /// path means (relative to the shell's directory); the default reads the local file.
    fn read_file(&mut self, path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("Cannot find path '{path}' because it does not exist."),
            _ => format!("Could not read the file '{path}': {e}."),
        })
    }

    /// Export-MapishConfig -Path: replaces the file the user named with `text` whole. Like
    /// [`Host::read_file`], the host decides what a path means; the default writes the local file
    /// beside its target and renames it over, so a crash never leaves half a file.
    fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        write_whole(std::path::Path::new(path), text).map_err(|e| format!("Cannot write the file '{path}': {e}."))
    }

    /// Get-Credential: asks for a user name (offered pre-filled when `user_name` is given) and a
    /// password read without echo. PowerShell's console shows the caption ("Windows PowerShell
    /// credential request") and message ("Enter your credentials."), then `User: ` and
    /// `Password for user X: `. Return `None` when the user cancels or the host cannot ask; the
    /// cmdlet then writes an error that explains how to build a credential in a script. The
    /// default cannot ask.
    fn prompt_credential(&mut self, _caption: &str, _message: &str, _user_name: Option<&str>) -> Option<(String, SecretText)> {
        None
    }
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
    /// Values typed at mandatory-parameter prompts, one per prompted parameter, in order; when
    /// not empty the host is interactive.
    pub parameter_answers: Vec<Value>,
    /// What the parameter prompts showed: the caption, the message, then `Name: ` per parameter.
    pub prompts: Vec<String>,
    /// (user name, password) answers to Get-Credential; when not empty the host is interactive.
    pub credential_answers: Vec<(String, String)>,
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
        !self.confirm_answers.is_empty() || !self.parameter_answers.is_empty() || !self.credential_answers.is_empty()
    }
    fn confirm(&mut self, _caption: &str, _message: &str) -> ConfirmChoice {
        if self.confirm_answers.is_empty() { ConfirmChoice::No } else { self.confirm_answers.remove(0) }
    }
    fn redirect(&mut self, values: Vec<Value>, path: &str, _append: bool) -> Result<(), String> {
        self.outputs.push(values);
        self.information.push(format!("redirected to {path}"));
        Ok(())
    }
    fn prompt_parameters(&mut self, caption: &str, message: &str, params: &[ParameterPrompt]) -> Option<Vec<Value>> {
        self.prompts.push(caption.to_string());
        self.prompts.push(message.to_string());
        let mut answers = Vec::new();
        for p in params {
            self.prompts.push(format!("{}: ", p.name));
            if self.parameter_answers.is_empty() {
                return None;
            }
            answers.push(self.parameter_answers.remove(0));
        }
        Some(answers)
    }
    fn prompt_credential(&mut self, _caption: &str, _message: &str, user_name: Option<&str>) -> Option<(String, SecretText)> {
        if self.credential_answers.is_empty() {
            return None;
        }
        let (user, password) = self.credential_answers.remove(0);
        let user = if user.is_empty() { user_name.unwrap_or_default().to_string() } else { user };
        Some((user, SecretText(password)))
    }
}

/// Writes `text` beside `path` and renames it over the target.
pub fn write_whole(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
