//! Where the store lives and how a command gets an open, initialised store.

use std::path::{Path, PathBuf};
use std::time::Duration;

use mapish_store::{InitParams, OpenOptions, Store, StoreError};

/// `--store DIR`, else `MAPISH_STORE`, else the platform data directory.
pub fn resolve(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os("MAPISH_STORE").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    dirs::data_dir().unwrap_or_else(|| PathBuf::from(".")).join("mapish")
}

/// How long a one-shot command waits for a store another mapish process holds (MAPISH_LOCK_WAIT
/// seconds, default 10): concurrent one-shot commands queue instead of failing.
pub fn lock_wait() -> Duration {
    let secs = std::env::var("MAPISH_LOCK_WAIT").ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(10.0);
    Duration::from_secs_f64(secs.clamp(0.0, 3600.0))
}

pub fn open(dir: &Path) -> Result<Store, StoreError> {
    Store::open(dir, &OpenOptions { lock_wait: lock_wait() })
}

/// The defaults for a store nobody initialised explicitly: this host as the server.
pub fn default_init_params() -> InitParams {
    let host = gethostname::gethostname().to_string_lossy().trim().to_string();
    let host = if host.is_empty() { "localhost".to_string() } else { host };
    let short = host.split('.').next().unwrap_or(&host).to_string();
    InitParams { organization: "First Organization".into(), server: short.to_uppercase(), fqdn: host.to_lowercase() }
}

/// Opens the store and, on first use, creates the defaults.
pub fn open_initialised(dir: &Path) -> Result<Store, StoreError> {
    initialised(open(dir)?, dir)
}

/// `open_initialised` for a one-shot command or a script: the process exits when it is done, so the
/// engine runs no background flusher (see `Store::open_short_lived`).
pub fn open_initialised_short_lived(dir: &Path) -> Result<Store, StoreError> {
    initialised(Store::open_short_lived(dir, &OpenOptions { lock_wait: lock_wait() })?, dir)
}

fn initialised(store: Store, dir: &Path) -> Result<Store, StoreError> {
    if !store.is_initialized()? {
        tracing::info!(store = %dir.display(), "Initialising a new store with defaults.");
        store.initialize(&default_init_params())?;
    }
    Ok(store)
}

/// The server this shell runs on: the only server, or the one named like this host.
pub fn local_server(store: &Store) -> Option<String> {
    let servers = store.servers().ok()?;
    if servers.len() == 1 {
        return servers.first().map(|s| s.name.clone());
    }
    let host = default_init_params();
    servers.iter().find(|s| s.is_named(&host.server) || s.is_named(&host.fqdn)).map(|s| s.name.clone())
}
