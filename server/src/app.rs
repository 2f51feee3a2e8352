//! The state every request shares, and how a store change reaches it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use mapish_store::{AuthMethod, Change, Mailbox, ObjectKind, Store};
use tokio::sync::{Notify, watch};

use crate::auth::Authenticator;
use crate::config::{ServeConfig, millis};
use crate::live::{Live, Snapshot};
use crate::logs::Logs;
use crate::response::{Common, Echo};
use crate::session::{EndReason, Sessions};
use crate::tls::SelfSigned;

/// Shared server state.
pub struct App {
    /// The store (shared; other users, such as a future admin endpoint, may hold clones).
    pub store: Store,
    /// The command-line settings.
    pub config: ServeConfig,
    /// The live configuration snapshot.
    pub live: Live,
    /// Session contexts.
    pub sessions: Sessions,
    /// Credential checks.
    pub auth: Authenticator,
    /// Access and protocol logs.
    pub logs: Logs,
    /// Draining and in-flight accounting.
    pub shutdown: Arc<Shutdown>,
    /// The self-signed certificate, when `--self-signed` (regenerated when the names change).
    pub self_signed: Option<Arc<SelfSigned>>,
    warned_methods: Mutex<Vec<AuthMethod>>,
    applied: Mutex<u64>,
    applied_cv: std::sync::Condvar,
}

impl App {
    /// Assembles the state.
    pub fn new(
        store: Store,
        config: ServeConfig,
        live: Live,
        logs: Logs,
        self_signed: Option<Arc<SelfSigned>>,
    ) -> App {
        let l = &config.limits;
        let app = App {
            sessions: Sessions::new(
                config.session_idle_timeout,
                l.max_sessions_per_user,
                l.max_sessions_total,
            ),
            auth: Authenticator::new(l.auth_cache_ttl, l.max_concurrent_password_checks),
            store,
            live,
            logs,
            shutdown: Arc::new(Shutdown::new()),
            self_signed,
            warned_methods: Mutex::new(Vec::new()),
            applied: Mutex::new(0),
            applied_cv: std::sync::Condvar::new(),
            config,
        };
        app.warn_about_methods(&app.live.current());
        app
    }

    /// The per-request header values.
    pub fn common(&self, echo: Echo) -> Common {
        Common {
            echo,
            pending_period_ms: millis(self.config.limits.pending_period),
            expiration_ms: millis(self.config.session_idle_timeout),
        }
    }

    /// Whether listeners speak TLS (cookies then get `Secure`).
    pub fn secure(&self) -> bool {
        self.config.is_tls()
    }

    /// Whether MAPI over HTTP is in effect for `mailbox` under `snap`.
    pub fn effective(snap: &Snapshot, mailbox: &Mailbox) -> bool {
        snap.org
            .as_ref()
            .is_some_and(|org| mapish_store::effective_mapi_http(org, mailbox))
    }

    /// Applies one store change. Runs on the change-feed thread, right after the commit.
    pub fn on_change(&self, change: &Change) {
        match change.kind {
            ObjectKind::Mailbox => {
                if let Some(guid) = change.guid() {
                    self.revalidate_mailbox(guid, &self.live.current());
                }
            }
            ObjectKind::Organization | ObjectKind::Server | ObjectKind::MapiVirtualDirectory => {
                self.reload()
            }
        }
    }

    /// Counts an applied change (after `on_change` returns) and wakes `wait_for_changes`.
    pub fn mark_applied(&self) {
        let mut n = self.applied.lock().unwrap_or_else(|p| p.into_inner());
        *n += 1;
        self.applied_cv.notify_all();
    }

    /// Store changes applied so far.
    pub fn changes_applied(&self) -> u64 {
        *self.applied.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until `n` changes have been applied; false on timeout.
    pub fn wait_for_changes(&self, n: u64, timeout: std::time::Duration) -> bool {
        let guard = self.applied.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = self
            .applied_cv
            .wait_timeout_while(guard, timeout, |applied| *applied < n)
            .unwrap_or_else(|p| p.into_inner());
        *guard >= n
    }

    /// Rebuilds the snapshot and ends whatever the new configuration no longer allows.
    pub fn reload(&self) {
        let (old, new) = match self.live.reload() {
            Ok(pair) => pair,
            Err(e) => {
                tracing::error!("cannot re-read the configuration after a change: {e}");
                return;
            }
        };
        if old == new {
            return;
        }
        let vdir_guid = |s: &Snapshot| s.vdir.as_ref().map(|v| v.guid);
        match (vdir_guid(&old), vdir_guid(&new)) {
            (Some(a), b) if Some(a) != b => {
                let n = self
                    .sessions
                    .end_where(EndReason::DirectoryRemoved, |_| true);
                tracing::info!(
                    sessions = n,
                    "the MAPI virtual directory was removed: /mapi/emsmdb and /mapi/nspi answer 404"
                );
            }
            (None, Some(_)) => {
                tracing::info!(
                    "a MAPI virtual directory now exists: /mapi/emsmdb and /mapi/nspi serve"
                )
            }
            _ => {}
        }
        if old.org_mapi_http() != new.org_mapi_http() || new.org.is_none() {
            tracing::info!(
                mapi_http_enabled = new.org_mapi_http(),
                "organization MapiHttpEnabled changed"
            );
            for guid in self.sessions.mailboxes() {
                self.revalidate_mailbox(guid, &new);
            }
        }
        self.warn_about_methods(&new);
        if let Some(ss) = &self.self_signed
            && old.host_names() != new.host_names()
            && let Err(e) = ss.update(&new.host_names())
        {
            tracing::error!("cannot renew the self-signed certificate: {e}");
        }
    }

    /// Ends the sessions of `guid` if the mailbox is gone or MAPI over HTTP no longer applies to it.
    fn revalidate_mailbox(&self, guid: mapish_store::Uuid, snap: &Snapshot) {
        let reason = match self.store.mailbox(guid) {
            Ok(None) => EndReason::MailboxGone,
            Ok(Some(m)) if !App::effective(snap, &m) => EndReason::Disabled,
            Ok(Some(_)) => return,
            Err(e) => {
                tracing::error!("cannot read mailbox {guid}: {e}");
                return;
            }
        };
        let n = self.sessions.end_where(reason, |s| s.mailbox == guid);
        if n > 0 {
            tracing::info!(mailbox = %guid, sessions = n, reason = reason.as_str(), "sessions ended");
        }
    }

    /// Logs once per configuration change which configured methods are not offered, and whether any
    /// method is left.
    fn warn_about_methods(&self, snap: &Snapshot) {
        let Some(vdir) = &snap.vdir else { return };
        let mut warned = self
            .warned_methods
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if *warned == vdir.iis_authentication_methods {
            return;
        }
        warned.clone_from(&vdir.iis_authentication_methods);
        let unsupported = snap.unsupported_methods();
        if !unsupported.is_empty() {
            let names: Vec<String> = unsupported
                .iter()
                .map(|m| format!("{} ({})", m.as_str(), crate::auth::scheme_token(*m)))
                .collect();
            tracing::warn!(
                "IISAuthenticationMethods of {} includes {}, which this server cannot complete; not offered in WWW-Authenticate",
                vdir.identity(),
                names.join(", ")
            );
        }
        if snap.completable_methods().is_empty() {
            tracing::warn!(
                "IISAuthenticationMethods of {} offers no method this server can complete (Basic, Ntlm and Negotiate are implemented): every MAPI request gets 401 without a challenge. Run Set-MapiVirtualDirectory -IISAuthenticationMethods Ntlm,Negotiate (or Basic) to allow logons",
                vdir.identity()
            );
        }
    }
}

/// Draining and in-flight accounting for graceful shutdown.
pub struct Shutdown {
    draining: AtomicBool,
    tx: watch::Sender<bool>,
    inflight: AtomicUsize,
    idle: Notify,
}

impl Shutdown {
    fn new() -> Shutdown {
        Shutdown {
            draining: AtomicBool::new(false),
            tx: watch::channel(false).0,
            inflight: AtomicUsize::new(0),
            idle: Notify::new(),
        }
    }

    /// Whether new requests are refused (X-ResponseCode 18).
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Starts draining; waiting requests (NotificationWait) are woken to finish now.
    pub fn begin(&self) {
        self.draining.store(true, Ordering::Release);
        self.tx.send_replace(true);
    }

    /// Turns true when draining starts.
    pub fn subscribe(&self) -> watch::Receiver<bool> {
        self.tx.subscribe()
    }

    /// Counts a request as in flight until the guard drops.
    pub fn enter(self: &Arc<Self>) -> InFlight {
        self.inflight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(self))
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> usize {
        self.inflight.load(Ordering::Acquire)
    }

    /// Waits until no request is in flight.
    pub async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            if self.inflight.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// A request in flight.
pub struct InFlight(Arc<Shutdown>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.inflight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}
