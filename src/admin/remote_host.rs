//! The Host a command sees when it runs for a shell connected to the admin endpoint: everything it
//! writes becomes a frame to that shell, and its questions are asked there.
//!
//! Output is rendered here with the same [`ConsoleHost`] code and the client's width and mode, so
//! the shell prints exactly what embedded mode prints (the value model has format directives,
//! script blocks and static enum names that no wire form would carry back faithfully).

use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::Arc;

use mapish_commands::record::ErrorRecord;
use mapish_commands::run::{ConfirmChoice, Host, ParameterPrompt};
use mapish_commands::value::{SecretText, Value};

use super::protocol::{write_frame, Answer, Choice, FrameError, PromptField, Request, Response, Typed};
use crate::output::{ConsoleHost, Rendered};

pub struct RemoteHost<'a> {
    stream: &'a mut UnixStream,
    /// Frames from the shell, read by the connection's reader thread (which handles `cancel`).
    incoming: &'a Receiver<Result<Request, FrameError>>,
    render: ConsoleHost,
    interactive: bool,
    /// Set when the shell went away: the pipeline is stopped at its next object.
    interrupt: Arc<AtomicBool>,
    broken: bool,
}

impl<'a> RemoteHost<'a> {
    pub fn new(
        stream: &'a mut UnixStream,
        incoming: &'a Receiver<Result<Request, FrameError>>,
        render: ConsoleHost,
        interactive: bool,
        interrupt: Arc<AtomicBool>,
    ) -> Self {
        RemoteHost { stream, incoming, render, interactive, interrupt, broken: false }
    }

    /// Whether the connection failed during the run (the caller then closes it).
    pub fn broken(&self) -> bool {
        self.broken
    }

    fn send(&mut self, message: &Response) {
        if self.broken {
            return;
        }
        if let Err(e) = write_frame(self.stream, message) {
            tracing::info!(error = %e, "admin shell went away during a run; stopping the pipeline");
            self.broken = true;
            self.interrupt.store(true, Ordering::SeqCst);
        }
    }

    /// Sends a question and waits for its answer; None when the shell sent something else or left.
    fn ask(&mut self, question: &Response) -> Option<Answer> {
        self.send(question);
        if self.broken {
            return None;
        }
        match self.incoming.recv() {
            Ok(Ok(Request::Answer(answer))) => Some(answer),
            Ok(Ok(other)) => {
                tracing::warn!(?other, "admin shell answered a question with another request; closing");
                self.broken = true;
                self.interrupt.store(true, Ordering::SeqCst);
                None
            }
            Ok(Err(e)) => {
                tracing::info!(error = %e, "admin shell did not answer a question");
                self.broken = true;
                self.interrupt.store(true, Ordering::SeqCst);
                None
            }
            Err(_) => {
                tracing::info!("admin shell's reader ended before an answer");
                self.broken = true;
                self.interrupt.store(true, Ordering::SeqCst);
                None
            }
        }
    }
}

impl Host for RemoteHost<'_> {
    fn output(&mut self, values: Vec<Value>) {
        let message = match self.render.render_output(values) {
            Rendered::Text(text) => Response::Output { text },
            Rendered::Json(values) => Response::OutputJson { values },
        };
        self.send(&message);
    }

    fn warning(&mut self, text: &str) {
        self.send(&Response::Warning { text: text.to_string() });
    }

    fn verbose(&mut self, text: &str) {
        self.send(&Response::Verbose { text: text.to_string() });
    }

    fn error(&mut self, record: &ErrorRecord) {
        let text = self.render.render_error(record);
        let record = serde_json::to_value(record).unwrap_or(serde_json::Value::Null);
        self.send(&Response::Error { record, text });
    }

    fn information(&mut self, text: &str) {
        self.send(&Response::Information { text: text.to_string() });
    }

    fn interactive(&self) -> bool {
        self.interactive && !self.broken
    }

    fn confirm(&mut self, caption: &str, message: &str) -> ConfirmChoice {
        match self.ask(&Response::Confirm { caption: caption.to_string(), message: message.to_string() }) {
            Some(Answer::Confirm { choice }) => match choice {
                Choice::Yes => ConfirmChoice::Yes,
                Choice::YesToAll => ConfirmChoice::YesToAll,
                Choice::No => ConfirmChoice::No,
                Choice::NoToAll => ConfirmChoice::NoToAll,
            },
            // No answer means no: nothing is changed without the user's yes.
            _ => ConfirmChoice::No,
        }
    }

    fn redirect(&mut self, values: Vec<Value>, path: &str, append: bool) -> Result<(), String> {
        let text = self.render.render_redirect(values);
        match self.ask(&Response::Redirect { path: path.to_string(), append, text }) {
            Some(Answer::Done { error: None }) => Ok(()),
            Some(Answer::Done { error: Some(e) }) => Err(e),
            _ => Err(format!("Could not write to the file '{path}': the shell did not answer.")),
        }
    }

    fn prompt_parameters(&mut self, caption: &str, message: &str, params: &[ParameterPrompt]) -> Option<Vec<Value>> {
        let params = params
            .iter()
            .map(|p| PromptField { name: p.name.clone(), type_name: p.type_name.clone(), help: p.help.clone(), secret: p.secret, list: p.list })
            .collect();
        let question = Response::PromptParameters { caption: caption.to_string(), message: message.to_string(), params };
        match self.ask(&question) {
            Some(Answer::Parameters { values: Some(values) }) => Some(
                values
                    .into_iter()
                    .map(|v| match v {
                        Typed::String(s) => Value::String(s),
                        Typed::Secret(s) => Value::SecureString(Arc::new(SecretText(s))),
                        Typed::List(items) => Value::List(items.into_iter().map(Value::String).collect()),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    fn prompt_credential(&mut self, caption: &str, message: &str, user_name: Option<&str>) -> Option<(String, SecretText)> {
        let question = Response::PromptCredential {
            caption: caption.to_string(),
            message: message.to_string(),
            user_name: user_name.map(str::to_string),
        };
        match self.ask(&question) {
            Some(Answer::Credential { answer: Some((user, password)) }) => Some((user, SecretText(password))),
            _ => None,
        }
    }

    fn read_file(&mut self, path: &str) -> Result<String, String> {
        match self.ask(&Response::ReadFile { path: path.to_string() }) {
            Some(Answer::File { text: Some(text), .. }) => Ok(text),
            Some(Answer::File { error: Some(e), .. }) => Err(e),
            _ => Err(format!("Could not read the file '{path}': the shell did not answer.")),
        }
    }

    fn write_file(&mut self, path: &str, text: &str) -> Result<(), String> {
        match self.ask(&Response::WriteFile { path: path.to_string(), text: text.to_string() }) {
            Some(Answer::Done { error: None }) => Ok(()),
            Some(Answer::Done { error: Some(e) }) => Err(e),
            _ => Err(format!("Cannot write the file '{path}': the shell did not answer.")),
        }
    }
}
