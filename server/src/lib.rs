//! `mapish serve`: the embedded MAPI over HTTP server and Autodiscover, driven live by the store.
//!
//! ```text
//! POST /autodiscover/autodiscover.xml   POX Autodiscover (MS-OXDSCLI)
//! POST /mapi/emsmdb/?MailboxId=…        Connect, Execute, Disconnect, NotificationWait, PING
//! POST /mapi/nspi/?MailboxId=…          Bind, Unbind, GetMailboxUrl, GetAddressBookUrl, PING
//! GET  /mapi/healthcheck.htm            200 / 503 for load balancers
//! ```
//!
//! Routing, URLs, authentication schemes and the enabled/disabled state come from the store and follow
//! its change feed: a committed change is in effect for the next request, with no restart.
//!
//! [`run`] is what the CLI calls: it serves until SIGINT/SIGTERM and drains gracefully. [`start`] is the
//! same without the signal handling, for tests and embedders.

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

mod app;
mod auth;
mod autodiscover;
mod config;
mod emsmdb;
mod error;
mod folders;
mod health;
mod limits;
mod listener;
mod live;
mod logs;
mod mapi;
mod nspi;
mod response;
mod rops;
mod service;
mod session;
mod tls;

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::thread::JoinHandle;
use std::time::Duration;

use mapish_store::Store;
use tokio::sync::watch;

pub use config::{Limits, ServeConfig, TlsMode};
pub use error::ServeError;
pub use logs::{ACCESS_FIELDS, PROTOCOL_FIELDS};
pub use response::SERVER_APPLICATION;

use app::App;
use listener::Connections;

/// Serves until SIGINT or SIGTERM, then drains: requests in flight finish, new ones get X-ResponseCode 18,
/// and the call returns. Prints one `Listening on <url>` line per listener to stdout once all are bound.
pub fn run(store: Store, config: ServeConfig) -> Result<(), ServeError> {
    run_with(store, config, |_| ())
}

/// [`run`], with `on_started` called once every listener is bound and before the `Listening on` lines
/// are printed. Whatever it returns is kept alive until the server has drained: the binary starts its
/// admin endpoint here (this crate does not know the command layer) and the guard closes it.
pub fn run_with<G>(
    store: Store,
    config: ServeConfig,
    on_started: impl FnOnce(&RunningServer) -> G,
) -> Result<(), ServeError> {
    let server = start(store, config)?;
    let guard = on_started(&server);
    // The handlers are installed before readiness is announced: a SIGTERM sent as soon as the
    // `Listening on` line appears must drain, not kill the process with the default action.
    let signalled = {
        let _entered = server.runtime().enter();
        wait_for_signal()
    };
    let trigger = server.shutdown_handle();
    server.runtime().spawn(async move {
        signalled.await;
        tracing::info!("signal received: draining");
        trigger.trigger();
    });
    {
        let mut out = std::io::stdout().lock();
        for url in server.urls() {
            // The one line scripts and tests wait for.
            let _ = writeln!(out, "Listening on {url}");
        }
        let _ = out.flush();
    }
    let result = server.wait();
    drop(guard);
    result
}

/// A cheap, clonable view of a running server's counters, for status reports from other threads.
#[derive(Clone)]
pub struct ServerStats {
    app: Arc<App>,
}

impl ServerStats {
    /// Live MAPI session contexts (both endpoints).
    pub fn session_count(&self) -> usize {
        self.app.sessions.live_count()
    }

    /// HTTP requests being answered right now.
    pub fn requests_in_flight(&self) -> usize {
        self.app.shutdown.in_flight()
    }

    /// Store changes applied since the server started.
    pub fn changes_applied(&self) -> u64 {
        self.app.changes_applied()
    }
}

/// Registers SIGINT and SIGTERM now (inside the runtime's context) and returns a future that
/// completes on the first of them.
#[cfg(unix)]
fn wait_for_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    use tokio::signal::unix::{SignalKind, signal};
    let int = signal(SignalKind::interrupt());
    let term = signal(SignalKind::terminate());
    async move {
        match (int, term) {
            (Ok(mut int), Ok(mut term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}

#[cfg(not(unix))]
fn wait_for_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Starts serving in the background: binds every listener, then returns. Nothing is printed.
pub fn start(store: Store, config: ServeConfig) -> Result<RunningServer, ServeError> {
    config.validate()?;
    // Subscribe before the first read so no change can fall between the two.
    let feed = store.subscribe();
    let live = live::Live::load(store.clone(), config.server_name.as_deref())?;
    let log_dir = config
        .log_dir
        .clone()
        .or_else(|| store.dir().map(|d| d.join("logs")));
    let (logs, logs_thread) = logs::Logs::start(log_dir.as_deref())?;
    let tls = tls::acceptor(&config.tls, store.dir(), &live.current().host_names())?;
    let (acceptor, self_signed) = match tls {
        Some((a, s)) => (Some(a), s),
        None => (None, None),
    };
    let listeners = listener::bind(&config.listen)?;
    let addrs = listeners
        .iter()
        .zip(&config.listen)
        .map(|(l, wanted)| {
            l.local_addr().map_err(|source| ServeError::Bind {
                addr: *wanted,
                source,
            })
        })
        .collect::<Result<Vec<SocketAddr>, ServeError>>()?;
    let scheme = if config.is_tls() { "https" } else { "http" };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("mapish-serve")
        .build()
        .map_err(ServeError::Runtime)?;

    let max_connections = config.limits.max_connections;
    let idle = config.session_idle_timeout;
    let app = Arc::new(App::new(store, config, live, logs, self_signed));
    let conns = Arc::new(Connections::new(max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    {
        let _entered = runtime.enter();
        for l in listeners {
            let addr = l.local_addr().ok();
            let listener =
                tokio::net::TcpListener::from_std(l).map_err(|source| ServeError::Bind {
                    addr: addr.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
                    source,
                })?;
            runtime.spawn(listener::accept_loop(
                Arc::clone(&app),
                listener,
                acceptor.clone(),
                Arc::clone(&conns),
                stop_rx.clone(),
            ));
        }
        // Idle sessions are also ended exactly on lookup; the sweep only frees memory.
        let sweeper = Arc::clone(&app);
        let period = (idle / 4).clamp(Duration::from_millis(10), Duration::from_secs(30));
        let mut stop = stop_rx.clone();
        runtime.spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tokio::select! {
                    _ = tick.tick() => { sweeper.sessions.sweep(); }
                    _ = async { let _ = stop.wait_for(|s| *s).await; } => return,
                }
            }
        });
    }

    let feed_stop = Arc::new(AtomicBool::new(false));
    let feed_thread = {
        let app = Arc::clone(&app);
        let stop = Arc::clone(&feed_stop);
        std::thread::Builder::new()
            .name("mapish-serve-config".into())
            .spawn(move || {
                // The store's receiver is a std channel fed by the store's own draining thread; a timeout
                // lets this thread notice shutdown.
                loop {
                    match feed.recv_timeout(Duration::from_millis(200)) {
                        Ok(change) => {
                            app.on_change(&change);
                            app.mark_applied();
                        }
                        Err(RecvTimeoutError::Timeout) => {}
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                    if stop.load(Ordering::Acquire) {
                        return;
                    }
                }
            })
            .map_err(ServeError::Runtime)?
    };
    // Changes committed between `subscribe` and `Live::load` are already in the snapshot; re-reading is
    // harmless, so nothing else is needed here.
    let urls = addrs.iter().map(|a| format!("{scheme}://{a}")).collect();
    tracing::info!(?addrs, "serving");
    let (trigger_tx, _) = watch::channel(false);
    Ok(RunningServer {
        runtime: Some(runtime),
        app: Some(app),
        addrs,
        urls,
        stop_tx,
        conns,
        trigger: ShutdownHandle(Arc::new(trigger_tx)),
        feed_stop,
        feed_thread: Some(feed_thread),
        logs_thread,
    })
}

/// A server started by [`start`].
pub struct RunningServer {
    runtime: Option<tokio::runtime::Runtime>,
    /// Present until `wait` finishes.
    app: Option<Arc<App>>,
    addrs: Vec<SocketAddr>,
    urls: Vec<String>,
    stop_tx: watch::Sender<bool>,
    conns: Arc<Connections>,
    trigger: ShutdownHandle,
    feed_stop: Arc<AtomicBool>,
    feed_thread: Option<JoinHandle<()>>,
    logs_thread: Option<JoinHandle<()>>,
}

/// Starts a graceful shutdown from anywhere (a signal handler, a test).
#[derive(Clone, Debug)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Begins draining; [`RunningServer::wait`] then finishes the shutdown.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }
}

impl RunningServer {
    /// The bound addresses, in `listen` order (with the real port where 0 was asked for).
    pub fn local_addrs(&self) -> &[SocketAddr] {
        &self.addrs
    }

    /// `http://ADDR` or `https://ADDR` per listener.
    pub fn urls(&self) -> Vec<String> {
        self.urls.clone()
    }

    /// A handle that starts the shutdown.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        self.trigger.clone()
    }

    /// The PEM of the self-signed certificate in use, if `--self-signed`.
    pub fn self_signed_cert_pem(&self) -> Option<String> {
        self.app
            .as_ref()?
            .self_signed
            .as_ref()
            .map(|s| s.cert_pem())
    }

    /// The names the self-signed certificate covers, if `--self-signed`.
    pub fn self_signed_names(&self) -> Option<Vec<String>> {
        self.app.as_ref()?.self_signed.as_ref().map(|s| s.names())
    }

    /// How many store changes the server has applied since it started (for tests and diagnostics: a
    /// change is in effect for requests once this count includes it).
    pub fn changes_applied(&self) -> u64 {
        self.app.as_ref().map_or(0, |a| a.changes_applied())
    }

    /// Waits until `n` store changes have been applied; false on timeout.
    pub fn wait_for_changes(&self, n: u64, timeout: Duration) -> bool {
        self.app
            .as_ref()
            .is_some_and(|a| a.wait_for_changes(n, timeout))
    }

    /// Requests being answered right now (for tests and diagnostics).
    pub fn requests_in_flight(&self) -> usize {
        self.app.as_ref().map_or(0, |a| a.shutdown.in_flight())
    }

    /// Counters that outlive this borrow (None once `wait` has finished).
    pub fn stats(&self) -> Option<ServerStats> {
        self.app.as_ref().map(|app| ServerStats { app: Arc::clone(app) })
    }

    /// Live session contexts (both endpoints).
    pub fn session_count(&self) -> usize {
        self.app.as_ref().map_or(0, |a| a.sessions.live_count())
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        // Present until `wait` consumes self.
        match &self.runtime {
            Some(rt) => rt,
            None => unreachable!("the runtime lives until wait() returns"),
        }
    }

    /// Begins draining and waits for the shutdown to finish.
    pub fn shutdown(self) -> Result<(), ServeError> {
        self.trigger.trigger();
        self.wait()
    }

    /// Waits until the shutdown handle fires, then drains: new requests get X-ResponseCode 18 (connections
    /// stay open to say so) while in-flight requests finish, up to `limits.drain_timeout`; then listeners
    /// and connections close and the call returns.
    pub fn wait(mut self) -> Result<(), ServeError> {
        let (Some(runtime), Some(app)) = (self.runtime.take(), self.app.clone()) else {
            return Ok(());
        };
        let mut trigger = self.trigger.0.subscribe();
        let conns = Arc::clone(&self.conns);
        let stop_tx = self.stop_tx.clone();
        runtime.block_on(async move {
            let _ = trigger.wait_for(|t| *t).await;
            app.shutdown.begin();
            let drain = app.config.limits.drain_timeout;
            if tokio::time::timeout(drain, app.shutdown.idle())
                .await
                .is_err()
            {
                tracing::warn!("requests still in flight after {drain:?}; closing anyway");
            }
            stop_tx.send_replace(true);
            conns.close_all();
            let _ = tokio::time::timeout(Duration::from_secs(5), conns.closed()).await;
            app.sessions
                .end_where(session::EndReason::Shutdown, |_| true);
        });
        runtime.shutdown_timeout(Duration::from_secs(1));
        self.finish();
        // Once the last App clone is gone the log sender is dropped and the writer drains and ends; join it
        // so every line is on disk when this returns.
        if let Some(app) = self.app.take()
            && Arc::try_unwrap(app).is_ok()
            && let Some(t) = self.logs_thread.take()
        {
            let _ = t.join();
        }
        tracing::info!("stopped");
        Ok(())
    }

    fn finish(&mut self) {
        self.feed_stop.store(true, Ordering::Release);
        if let Some(t) = self.feed_thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            self.stop_tx.send_replace(true);
            self.conns.close_all();
            rt.shutdown_background();
        }
        self.finish();
        // The log writer ends once the last App clone (and with it the log sender) is gone; it is not
        // joined here because tasks of a background-shut runtime may still hold one briefly.
        let _ = self.logs_thread.take();
    }
}
