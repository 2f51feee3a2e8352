//! The listening side of the admin endpoint: `<store>/admin.sock`, started by `mapish serve`.
//!
//! The socket is bound with mode 0600 and replaced when a crashed server left it behind (nobody
//! answers a connect). It is removed again when the endpoint is dropped at shutdown.

use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use mapish_store::Store;

use super::peer;
use super::protocol::{StatusReport, SOCKET_NAME};

#[derive(Debug, thiserror::Error)]
pub enum EndpointError {
    #[error("another mapish server already answers on the admin endpoint {0}")]
    InUse(PathBuf),
    #[error("cannot create the admin endpoint {path}: {source}")]
    Bind { path: PathBuf, source: std::io::Error },
}

/// What every connection thread shares: the store and the numbers `mapish status` reports.
pub struct Shared {
    pub store: Store,
    pub local_server: Option<String>,
    pub owner_uid: u32,
    pub sessions_open: AtomicUsize,
    pub sessions_total: AtomicU64,
    store_dir: PathBuf,
    started: Instant,
    listeners: Vec<String>,
    stats: Option<mapish_server::ServerStats>,
}

impl Shared {
    pub fn status(&self) -> StatusReport {
        StatusReport {
            server_version: env!("CARGO_PKG_VERSION").to_string(),
            pid: std::process::id(),
            store: self.store_dir.display().to_string(),
            organization: self.store.organization().map(|o| o.name).unwrap_or_default(),
            local_server: self.local_server.clone(),
            listeners: self.listeners.clone(),
            uptime_secs: self.started.elapsed().as_secs(),
            admin_sessions: self.sessions_open.load(Ordering::SeqCst),
            admin_sessions_total: self.sessions_total.load(Ordering::SeqCst),
            mapi_sessions: self.stats.as_ref().map_or(0, |s| s.session_count()),
            requests_in_flight: self.stats.as_ref().map_or(0, |s| s.requests_in_flight()),
            changes_applied: self.stats.as_ref().map_or(0, |s| s.changes_applied()),
        }
    }
}

/// The running endpoint; dropping it stops accepting and removes the socket file.
pub struct AdminEndpoint {
    path: PathBuf,
    stop: Arc<AtomicBool>,
}

pub fn socket_path(store_dir: &Path) -> PathBuf {
    store_dir.join(SOCKET_NAME)
}

impl AdminEndpoint {
    /// Binds `<store_dir>/admin.sock` and serves it on background threads.
    pub fn start(
        store: Store,
        store_dir: &Path,
        listeners: Vec<String>,
        stats: Option<mapish_server::ServerStats>,
    ) -> Result<AdminEndpoint, EndpointError> {
        let path = socket_path(store_dir);
        let listener = bind(&path)?;
        let local_server = crate::store_location::local_server(&store);
        let shared = Arc::new(Shared {
            store,
            local_server,
            owner_uid: peer::own_uid(),
            sessions_open: AtomicUsize::new(0),
            sessions_total: AtomicU64::new(0),
            store_dir: store_dir.to_path_buf(),
            started: Instant::now(),
            listeners,
            stats,
        });
        let stop = Arc::new(AtomicBool::new(false));
        let accept_stop = stop.clone();
        std::thread::Builder::new()
            .name("mapish-admin".into())
            .spawn(move || accept_loop(listener, shared, accept_stop))
            .map_err(|source| EndpointError::Bind { path: path.clone(), source })?;
        tracing::info!(socket = %path.display(), "admin endpoint listening");
        Ok(AdminEndpoint { path, stop })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for AdminEndpoint {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag; then no shell can find a dead socket.
        let _ = UnixStream::connect(&self.path);
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Binds the socket, replacing a stale one; refuses when a live server answers on it.
fn bind(path: &Path) -> Result<UnixListener, EndpointError> {
    if path.exists() {
        match UnixStream::connect(path) {
            Ok(_) => return Err(EndpointError::InUse(path.to_path_buf())),
            Err(_) => {
                tracing::info!(socket = %path.display(), "removing a stale admin socket left by a server that is gone");
                let _ = std::fs::remove_file(path);
            }
        }
    }
    let listener = UnixListener::bind(path).map_err(|source| EndpointError::Bind { path: path.to_path_buf(), source })?;
    // Owner only; the peer-credential check in connection.rs covers the instant before this.
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(|source| EndpointError::Bind { path: path.to_path_buf(), source })?;
    Ok(listener)
}

fn accept_loop(listener: UnixListener, shared: Arc<Shared>, stop: Arc<AtomicBool>) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        match conn {
            Ok(stream) => {
                let shared = shared.clone();
                let spawned = std::thread::Builder::new()
                    .name("mapish-admin-conn".into())
                    .spawn(move || super::connection::serve(shared, stream));
                if let Err(e) = spawned {
                    tracing::warn!(error = %e, "admin endpoint: cannot start a connection thread");
                }
            }
            // Out of file descriptors and the like: keep serving the connections we have.
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => {
                tracing::warn!(error = %e, "admin endpoint: accept failed");
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
    }
}
