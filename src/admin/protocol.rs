//! The admin endpoint's message format (docs/admin-endpoint.md): length-prefixed JSON frames.
//!
//! A frame is a 4-byte big-endian length followed by that many bytes of UTF-8 JSON. The first frame
//! each way is the handshake (`hello` / `welcome`), so a shell and a server of different protocol
//! versions stop with a clear message instead of misreading each other.

use std::io::{Read, Write};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// Bumped on any incompatible change to the messages below.
pub const PROTOCOL_VERSION: u32 = 1;

/// The largest frame either side accepts: a script or a rendered table is far smaller; a bigger
/// length prefix means garbage, and refusing it keeps a bad peer from making us allocate gigabytes.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// The name of the socket inside the store directory.
pub const SOCKET_NAME: &str = "admin.sock";

#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("the connection was closed")]
    Closed,
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("a frame of {0} bytes is larger than the limit of {MAX_FRAME} bytes")]
    TooLarge(usize),
    #[error("a frame is not a valid message: {0}")]
    Json(#[from] serde_json::Error),
}

/// Client → server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Request {
    Hello { protocol: u32, client_version: String },
    /// Runs a command line or script in this connection's session (variables persist).
    Run {
        source: String,
        json: bool,
        /// The client's console width, so tables are laid out for the terminal they appear on.
        width: usize,
        /// Whether the client can answer `confirm` questions.
        interactive: bool,
    },
    /// The answer to the last question the server asked during a run.
    Answer(Answer),
    /// Stops the running pipeline at its next object (Ctrl-C); closing the connection does too.
    Cancel,
    /// Tab completion of `line` at byte `pos`, with `pending` the earlier lines of a statement
    /// being continued; answered with `completions` (identities come from the server's store).
    Complete { pending: String, line: String, pos: usize },
    Status,
}

/// Server → client.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Response {
    Welcome { protocol: u32, server_version: String },
    /// The connection is unusable (bad frame, version mismatch, refused peer); the server closes it.
    ProtocolError { message: String },
    /// One statement's output, already laid out for the client's width (text mode).
    Output { text: String },
    /// One statement's output as JSON values (`--output json`); the client prints one array at the end.
    OutputJson { values: Vec<serde_json::Value> },
    Warning { text: String },
    Verbose { text: String },
    Information { text: String },
    /// An error record: `record` is its JSON form, `text` what the console prints for it.
    Error { record: serde_json::Value, text: String },
    /// A question; the client replies with `Answer::Confirm`.
    Confirm { caption: String, message: String },
    /// `> file`: the client writes `text` to its own file and replies with `Answer::Done`.
    Redirect { path: String, append: bool, text: String },
    /// Get-Content / Import-Csv: the client reads its own file and replies with `Answer::File`.
    ReadFile { path: String },
    /// Export-MapishConfig -Path: the client replaces its own file with `text` whole and replies with
    /// `Answer::Done`.
    WriteFile { path: String, text: String },
    /// Mandatory parameters the command line left out; the client replies with `Answer::Parameters`.
    PromptParameters { caption: String, message: String, params: Vec<PromptField> },
    /// Get-Credential; the client replies with `Answer::Credential`.
    PromptCredential { caption: String, message: String, user_name: Option<String> },
    /// The run finished.
    Done { had_error: bool },
    /// Where the replaced word starts in `line`, and (display, replacement) pairs.
    Completions { start: usize, candidates: Vec<(String, String)> },
    Status(StatusReport),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Confirm { choice: Choice },
    Done { error: Option<String> },
    File { text: Option<String>, error: Option<String> },
    /// One value per prompted parameter, or None when the user cancelled or cannot be asked.
    Parameters { values: Option<Vec<Typed>> },
    /// (user name, password), or None when cancelled.
    Credential { answer: Option<(String, String)> },
}

/// One mandatory-parameter prompt (mirrors `mapish_commands::run::ParameterPrompt`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PromptField {
    pub name: String,
    pub type_name: String,
    pub help: String,
    pub secret: bool,
    pub list: bool,
}

/// What the user typed at a prompt. Secrets travel only from the shell to the server (the user
/// typed them); the server never sends a SecureString's text to a shell.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Typed {
    String(String),
    Secret(String),
    List(Vec<String>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Yes,
    YesToAll,
    No,
    NoToAll,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatusReport {
    pub server_version: String,
    pub pid: u32,
    pub store: String,
    /// The organization's name and the server the shell's prompt names (the REPL shows them).
    pub organization: String,
    pub local_server: Option<String>,
    pub listeners: Vec<String>,
    pub uptime_secs: u64,
    /// Admin connections open now (one shell session each).
    pub admin_sessions: usize,
    pub admin_sessions_total: u64,
    pub mapi_sessions: usize,
    pub requests_in_flight: usize,
    pub changes_applied: u64,
}

pub fn hello() -> Request {
    Request::Hello { protocol: PROTOCOL_VERSION, client_version: env!("CARGO_PKG_VERSION").to_string() }
}

pub fn welcome() -> Response {
    Response::Welcome { protocol: PROTOCOL_VERSION, server_version: env!("CARGO_PKG_VERSION").to_string() }
}

pub fn write_frame<T: Serialize>(w: &mut impl Write, message: &T) -> Result<(), FrameError> {
    let body = serde_json::to_vec(message)?;
    if body.len() > MAX_FRAME {
        return Err(FrameError::TooLarge(body.len()));
    }
    let len = u32::try_from(body.len()).map_err(|_| FrameError::TooLarge(body.len()))?;
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(&body);
    w.write_all(&frame)?;
    w.flush()?;
    Ok(())
}

/// Reads one frame; a clean end of stream before the length is `Closed`.
pub fn read_frame<T: DeserializeOwned>(r: &mut impl Read) -> Result<T, FrameError> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Err(FrameError::Closed),
        Err(e) => return Err(e.into()),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body)?;
    Ok(serde_json::from_slice(&body)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_round_trips() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &Request::Run { source: "Get-CASMailbox".into(), json: false, width: 120, interactive: false })
            .expect("write");
        assert_eq!(&buf[..4], &((buf.len() - 4) as u32).to_be_bytes());
        let back: Request = read_frame(&mut buf.as_slice()).expect("read");
        assert!(matches!(back, Request::Run { ref source, .. } if source == "Get-CASMailbox"));
    }

    #[test]
    fn an_oversized_length_is_refused_before_allocating() {
        let frame = u32::MAX.to_be_bytes();
        let r: Result<Request, _> = read_frame(&mut frame.as_slice());
        assert!(matches!(r, Err(FrameError::TooLarge(_))));
    }

    #[test]
    fn garbage_json_is_an_error() {
        let mut buf = Vec::new();
        buf.extend_from_slice(&5u32.to_be_bytes());
        buf.extend_from_slice(b"nope!");
        let r: Result<Request, _> = read_frame(&mut buf.as_slice());
        assert!(matches!(r, Err(FrameError::Json(_))));
    }

    #[test]
    fn the_handshake_is_stable_json() {
        // The wire form other clients rely on (docs/admin-endpoint.md).
        let text = serde_json::to_string(&Request::Hello { protocol: 1, client_version: "0.1.0".into() }).expect("json");
        assert_eq!(text, r#"{"hello":{"protocol":1,"client_version":"0.1.0"}}"#);
    }
}
