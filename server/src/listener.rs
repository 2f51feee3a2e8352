//! Listening sockets, the accept loop and one HTTP/1.1 connection (plain or TLS).
//!
//! Connections are bounded by a semaphore taken before `accept`, so excess clients wait in the kernel's
//! backlog instead of costing memory. Each connection is told to close gracefully at shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::app::App;
use crate::error::ServeError;
use crate::service;

/// Binds every address now, so that errors surface before the server claims to be ready.
pub fn bind(addrs: &[SocketAddr]) -> Result<Vec<std::net::TcpListener>, ServeError> {
    addrs
        .iter()
        .map(|addr| {
            let l = std::net::TcpListener::bind(addr).map_err(|source| ServeError::Bind {
                addr: *addr,
                source,
            })?;
            l.set_nonblocking(true).map_err(|source| ServeError::Bind {
                addr: *addr,
                source,
            })?;
            Ok(l)
        })
        .collect()
}

/// Open connections, and the signal that asks them to close.
pub struct Connections {
    open: AtomicUsize,
    idle: Notify,
    close: watch::Sender<bool>,
    permits: Arc<Semaphore>,
}

impl Connections {
    /// Room for `max` connections.
    pub fn new(max: usize) -> Connections {
        Connections {
            open: AtomicUsize::new(0),
            idle: Notify::new(),
            close: watch::channel(false).0,
            permits: Arc::new(Semaphore::new(max)),
        }
    }

    /// Asks every connection to finish its current request and close.
    pub fn close_all(&self) {
        self.close.send_replace(true);
    }

    /// Waits until every connection has closed.
    pub async fn closed(&self) {
        loop {
            let notified = self.idle.notified();
            if self.open.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

struct Open(Arc<Connections>);

impl Drop for Open {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Accepts connections on `listener` until `stop` turns true.
pub async fn accept_loop(
    app: Arc<App>,
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    conns: Arc<Connections>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&conns.permits).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => return,
            },
            _ = async { let _ = stop.wait_for(|s| *s).await; } => return,
        };
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = async { let _ = stop.wait_for(|s| *s).await; } => return,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Typically EMFILE: back off briefly instead of spinning.
                tracing::warn!("accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        // PROCESSING and PENDING must leave at once (§3.2.5.2: Nagle off).
        let _ = stream.set_nodelay(true);
        conns.open.fetch_add(1, Ordering::AcqRel);
        let open = Open(Arc::clone(&conns));
        let close = conns.close.subscribe();
        let app = Arc::clone(&app);
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _open = open;
            connection(app, stream, peer, tls, close).await;
        });
    }
}

async fn connection(
    app: Arc<App>,
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    close: watch::Receiver<bool>,
) {
    match tls {
        None => http(app, stream, peer, close).await,
        Some(acceptor) => {
            let timeout = app.config.limits.header_read_timeout;
            match tokio::time::timeout(timeout, acceptor.accept(stream)).await {
                Ok(Ok(tls_stream)) => http(app, tls_stream, peer, close).await,
                Ok(Err(e)) => tracing::debug!(%peer, "TLS handshake failed: {e}"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
    }
}

async fn http<I>(app: Arc<App>, io: I, peer: SocketAddr, mut close: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let timeout = app.config.limits.header_read_timeout;
    let service = {
        let app = Arc::clone(&app);
        // NTLM/Negotiate logons belong to the connection (auth::ConnAuth).
        let conn_auth = Arc::new(crate::auth::ConnAuth::new());
        service_fn(move |req| service::serve(Arc::clone(&app), peer, Arc::clone(&conn_auth), req))
    };
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    let mut conn = std::pin::pin!(conn);
    tokio::select! {
        r = conn.as_mut() => {
            if let Err(e) = r {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        }
        _ = async { let _ = close.wait_for(|c| *c).await; } => {
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        }
    }
}
