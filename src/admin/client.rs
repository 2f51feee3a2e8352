//! The shell's side of the admin endpoint: find a running server on the store, hand it command
//! lines, and print what comes back with the same ConsoleHost embedded mode uses.

use std::io::ErrorKind;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use mapish_commands::run::{ConfirmChoice, Host, ParameterPrompt};
use mapish_commands::value::Value;

use super::endpoint::socket_path;
use super::protocol::{hello, read_frame, write_frame, Answer, Choice, FrameError, Request, Response, StatusReport, Typed};
use crate::output::{ConsoleHost, OutputMode, Rendered};

/// How long the handshake may take: a live server answers in microseconds; a hung one must not
/// hang the shell (it then reports the problem instead of waiting for the store lock).
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the mapish server on this store refused the connection: {0}")]
    Refused(String),
    #[error("lost the connection to the mapish server: {0}")]
    Frame(#[from] FrameError),
    #[error("the mapish server sent an unexpected message: {0}")]
    Unexpected(String),
}

/// Where a shell prints what the server sends: the one-shot [`ConsoleHost`] or the REPL's
/// terminal host. Output and errors arrive rendered; the rest goes through [`Host`] as usual.
pub trait RemoteConsole: Host {
    fn json(&self) -> bool;
    fn emit_output(&mut self, rendered: Rendered);
    fn emit_error_text(&mut self, text: &str);
}

impl RemoteConsole for ConsoleHost {
    fn json(&self) -> bool {
        self.mode() == OutputMode::Json
    }
    fn emit_output(&mut self, rendered: Rendered) {
        ConsoleHost::emit_output(self, rendered);
    }
    fn emit_error_text(&mut self, text: &str) {
        ConsoleHost::emit_error_text(self, text);
    }
}

pub struct AdminClient {
    stream: UnixStream,
    pub server_version: String,
}

impl AdminClient {
    /// Connects to the server on `store_dir`. `Ok(None)`: no server answers there (embedded mode).
    pub fn connect(store_dir: &Path) -> Result<Option<AdminClient>, ClientError> {
        let path = socket_path(store_dir);
        let mut stream = match UnixStream::connect(&path) {
            Ok(s) => s,
            // No socket, or a stale one from a server that is gone.
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::ConnectionRefused) => return Ok(None),
            Err(e) => {
                tracing::debug!(error = %e, socket = %path.display(), "admin endpoint not usable");
                if e.kind() == ErrorKind::PermissionDenied {
                    return Err(ClientError::Refused(format!("{} is not accessible to this user ({e})", path.display())));
                }
                return Ok(None);
            }
        };
        let _ = stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
        // A server that refuses us (another uid) answers and closes without reading our hello, so
        // a failed write still leaves its reason to read.
        let sent = write_frame(&mut stream, &hello());
        let answer = match (read_frame::<Response>(&mut stream), sent) {
            (Ok(answer), _) => answer,
            (Err(_), Err(e)) | (Err(e), Ok(())) => return Err(e.into()),
        };
        let _ = stream.set_read_timeout(None);
        match answer {
            Response::Welcome { server_version, .. } => Ok(Some(AdminClient { stream, server_version })),
            Response::ProtocolError { message } => Err(ClientError::Refused(message)),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// Runs `source` on the server, printing through `host` exactly as embedded mode would.
    /// Returns whether an error record was written.
    pub fn run(&mut self, source: &str, host: &mut dyn RemoteConsole, width: usize) -> Result<bool, ClientError> {
        let request = Request::Run {
            source: source.to_string(),
            json: host.json(),
            width,
            interactive: host.interactive(),
        };
        write_frame(&mut self.stream, &request)?;
        loop {
            match read_frame::<Response>(&mut self.stream)? {
                Response::Output { text } => host.emit_output(Rendered::Text(text)),
                Response::OutputJson { values } => host.emit_output(Rendered::Json(values)),
                Response::Warning { text } => host.warning(&text),
                Response::Verbose { text } => host.verbose(&text),
                Response::Information { text } => host.information(&text),
                Response::Error { text, .. } => host.emit_error_text(&text),
                Response::Confirm { caption, message } => {
                    let choice = match host.confirm(&caption, &message) {
                        ConfirmChoice::Yes => Choice::Yes,
                        ConfirmChoice::YesToAll => Choice::YesToAll,
                        ConfirmChoice::No => Choice::No,
                        ConfirmChoice::NoToAll => Choice::NoToAll,
                    };
                    write_frame(&mut self.stream, &Request::Answer(Answer::Confirm { choice }))?;
                }
                Response::Redirect { path, append, text } => {
                    let error = crate::output::write_redirect(&path, append, &text).err();
                    write_frame(&mut self.stream, &Request::Answer(Answer::Done { error }))?;
                }
                Response::ReadFile { path } => {
                    let answer = match host.read_file(&path) {
                        Ok(text) => Answer::File { text: Some(text), error: None },
                        Err(error) => Answer::File { text: None, error: Some(error) },
                    };
                    write_frame(&mut self.stream, &Request::Answer(answer))?;
                }
                Response::WriteFile { path, text } => {
                    let error = host.write_file(&path, &text).err();
                    write_frame(&mut self.stream, &Request::Answer(Answer::Done { error }))?;
                }
                Response::PromptParameters { caption, message, params } => {
                    let params: Vec<ParameterPrompt> = params
                        .into_iter()
                        .map(|p| ParameterPrompt { name: p.name, type_name: p.type_name, help: p.help, secret: p.secret, list: p.list })
                        .collect();
                    let values = if host.interactive() { host.prompt_parameters(&caption, &message, &params) } else { None };
                    let values = values.map(|vs| vs.iter().map(typed).collect());
                    write_frame(&mut self.stream, &Request::Answer(Answer::Parameters { values }))?;
                }
                Response::PromptCredential { caption, message, user_name } => {
                    let answer = if host.interactive() { host.prompt_credential(&caption, &message, user_name.as_deref()) } else { None };
                    let answer = answer.map(|(user, password)| (user, password.0));
                    write_frame(&mut self.stream, &Request::Answer(Answer::Credential { answer }))?;
                }
                Response::Done { had_error } => return Ok(had_error),
                Response::ProtocolError { message } => return Err(ClientError::Refused(message)),
                other => return Err(ClientError::Unexpected(format!("{other:?}"))),
            }
        }
    }

    /// Tab completion on the server (it has the store for identities and this session's variables).
    pub fn complete(&mut self, pending: &str, line: &str, pos: usize) -> Result<(usize, Vec<(String, String)>), ClientError> {
        let request = Request::Complete { pending: pending.to_string(), line: line.to_string(), pos };
        write_frame(&mut self.stream, &request)?;
        match read_frame::<Response>(&mut self.stream)? {
            Response::Completions { start, candidates } => Ok((start, candidates)),
            Response::ProtocolError { message } => Err(ClientError::Refused(message)),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    pub fn status(&mut self) -> Result<StatusReport, ClientError> {
        write_frame(&mut self.stream, &Request::Status)?;
        match read_frame::<Response>(&mut self.stream)? {
            Response::Status(report) => Ok(report),
            Response::ProtocolError { message } => Err(ClientError::Refused(message)),
            other => Err(ClientError::Unexpected(format!("{other:?}"))),
        }
    }

    /// A handle that can ask the server to stop the running pipeline (Ctrl-C) from another thread.
    pub fn canceller(&self) -> Option<Canceller> {
        self.stream.try_clone().ok().map(Canceller)
    }
}

/// Sends `cancel` on a duplicate of the connection, from the REPL's Ctrl-C watcher thread. The
/// main thread may be writing an answer at the same moment; each frame goes out as one buffer in
/// one `write` on a local stream socket, so the two do not interleave in practice, and a cancel
/// only ever races with the end of the run it targets.
pub struct Canceller(UnixStream);

impl Canceller {
    pub fn cancel(&mut self) {
        let _ = write_frame(&mut self.0, &Request::Cancel);
    }
}

/// A prompt answer in its wire form.
fn typed(value: &Value) -> Typed {
    match value {
        Value::SecureString(secret) => Typed::Secret(secret.0.clone()),
        Value::List(items) => Typed::List(items.iter().map(Value::to_text).collect()),
        other => Typed::String(other.to_text()),
    }
}
