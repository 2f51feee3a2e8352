//! One shell connected to the admin endpoint: a handshake, then one Session for the connection's
//! lifetime (variables persist between runs, like a remote PowerShell runspace).
//!
//! Each connection has its own thread, so a slow or silent shell only ever holds up itself. A
//! second thread reads the shell's frames so that `cancel` (and a shell that disappears) stops
//! a running pipeline at once instead of after it finishes.

use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use mapish_commands::run::Session;

use super::endpoint::Shared;
use super::peer;
use super::protocol::{read_frame, welcome, write_frame, FrameError, Request, Response, PROTOCOL_VERSION};
use super::remote_host::RemoteHost;
use crate::output::{ConsoleHost, OutputMode};

/// How long a new connection has to say hello: a connection that never does must not keep a thread.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves one connection until the shell leaves or breaks the protocol. Never panics on input.
pub fn serve(shared: Arc<Shared>, mut stream: UnixStream) {
    match peer::peer_uid(&stream) {
        Ok(uid) if peer::allowed(uid, shared.owner_uid) => {}
        Ok(uid) => {
            tracing::warn!(uid, owner = shared.owner_uid, "admin endpoint: refused a connection from another user");
            refuse(&mut stream, &format!("access denied: the admin endpoint serves only uid {} and root, not uid {uid}", shared.owner_uid));
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "admin endpoint: cannot read the peer's credentials; refusing");
            refuse(&mut stream, "access denied: the peer's credentials could not be checked");
            return;
        }
    }
    if !handshake(&mut stream) {
        return;
    }
    shared.sessions_open.fetch_add(1, Ordering::SeqCst);
    shared.sessions_total.fetch_add(1, Ordering::SeqCst);
    session_loop(&shared, stream);
    shared.sessions_open.fetch_sub(1, Ordering::SeqCst);
}

fn refuse(stream: &mut UnixStream, message: &str) {
    let _ = write_frame(stream, &Response::ProtocolError { message: message.to_string() });
}

/// The first frame must be a hello with our protocol version; anything else ends the connection.
fn handshake(stream: &mut UnixStream) -> bool {
    let _ = stream.set_read_timeout(Some(HANDSHAKE_TIMEOUT));
    let first = read_frame::<Request>(stream);
    // A shell may then sit at its prompt for hours: no timeout after the handshake.
    let _ = stream.set_read_timeout(None);
    match first {
        Ok(Request::Hello { protocol, .. }) if protocol == PROTOCOL_VERSION => write_frame(stream, &welcome()).is_ok(),
        Ok(Request::Hello { protocol, client_version }) => {
            tracing::warn!(protocol, %client_version, "admin endpoint: protocol version mismatch");
            refuse(
                stream,
                &format!(
                    "protocol version mismatch: this server (mapish {}) speaks admin protocol {PROTOCOL_VERSION}, \
                     the shell (mapish {client_version}) speaks protocol {protocol}; run the same mapish version for both",
                    env!("CARGO_PKG_VERSION")
                ),
            );
            false
        }
        Ok(_) => {
            refuse(stream, "the first message must be a hello handshake");
            false
        }
        Err(FrameError::Closed) => false,
        Err(e) => {
            tracing::info!(error = %e, "admin endpoint: bad handshake frame");
            refuse(stream, &format!("bad handshake: {e}"));
            false
        }
    }
}

fn session_loop(shared: &Shared, mut stream: UnixStream) {
    run_requests(shared, &mut stream);
    // The reader thread holds a duplicate of the socket: shutting it down is what tells the shell
    // (and that thread) that the connection is over.
    let _ = stream.shutdown(std::net::Shutdown::Both);
}

fn run_requests(shared: &Shared, stream: &mut UnixStream) {
    let mut session: Session = crate::session::new_session(shared.store.clone(), shared.local_server.clone());
    let interrupt = session.interrupt_flag();
    // Set by the reader when the shell is gone, so that a run received just before it left still
    // starts stopped (each run otherwise clears the flag a previous cancel left behind).
    let gone = Arc::new(AtomicBool::new(false));
    let (tx, incoming) = mpsc::channel();
    let reader = match stream.try_clone() {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "admin endpoint: cannot clone the connection");
            return;
        }
    };
    {
        let (interrupt, gone) = (interrupt.clone(), gone.clone());
        let spawned = std::thread::Builder::new().name("mapish-admin-read".into()).spawn(move || {
            let mut reader = reader;
            loop {
                match read_frame::<Request>(&mut reader) {
                    Ok(Request::Cancel) => interrupt.store(true, Ordering::SeqCst),
                    Ok(request) => {
                        if tx.send(Ok(request)).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        // The shell left or broke the protocol: stop whatever it started.
                        gone.store(true, Ordering::SeqCst);
                        interrupt.store(true, Ordering::SeqCst);
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "admin endpoint: cannot start the connection's reader");
            return;
        }
    }
    loop {
        let request = match incoming.recv() {
            Ok(Ok(r)) => r,
            Ok(Err(FrameError::Closed)) | Err(_) => return,
            Ok(Err(e)) => {
                tracing::info!(error = %e, "admin endpoint: bad frame; closing the connection");
                refuse(stream, &format!("bad frame: {e}"));
                return;
            }
        };
        match request {
            Request::Run { source, json, width, interactive } => {
                let mode = if json { OutputMode::Json } else { OutputMode::Text };
                let mut render = ConsoleHost::renderer(mode, source.clone(), width.clamp(20, 10_000));
                render.set_enumeration_limit(session.enumeration_limit());
                interrupt.store(gone.load(Ordering::SeqCst), Ordering::SeqCst);
                let mut host = RemoteHost::new(stream, &incoming, render, interactive, interrupt.clone());
                let outcome = session.run_script(&source, &mut host);
                if host.broken() {
                    return;
                }
                // Get-History in a remote REPL lists the lines this connection ran.
                session.add_history(source);
                if write_frame(stream, &Response::Done { had_error: outcome.had_error }).is_err() {
                    return;
                }
            }
            Request::Complete { pending, line, pos } => {
                let (start, pairs) =
                    crate::shell::complete::candidates(&pending, &line, pos, Some(&shared.store), &session.variable_names());
                let candidates = pairs.into_iter().map(|p| (p.display, p.replacement)).collect();
                if write_frame(stream, &Response::Completions { start, candidates }).is_err() {
                    return;
                }
            }
            Request::Status => {
                if write_frame(stream, &Response::Status(shared.status())).is_err() {
                    return;
                }
            }
            Request::Hello { .. } | Request::Answer(_) | Request::Cancel => {
                refuse(stream, "unexpected message: only run, complete and status are accepted between runs");
                return;
            }
        }
    }
}
