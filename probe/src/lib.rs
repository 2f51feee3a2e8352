//! Test-OutlookConnectivity's client: real probes of a MAPI over HTTP endpoint over the network,
//! speaking the protocol with `mapish-wire`, the same codec the server uses.
//!
//! | Module | What it does |
//! |---|---|
//! | [`target`] | which scheme, host and port a URL (and -Hostname) aims at |
//! | `tls` | the rustls client: trusted roots, or any issuer, and which of the two checks failed |
//! | `conn` | resolve, TCP connect, TLS handshake, each a timed step with its cause on failure |
//! | `http` | one HTTP/1.1 connection (hyper) that requests go over, re-opened if the server closes it |
//! | `auth` | the scheme from the 401 (Negotiate, NTLM, Basic) and the NTLM/Negotiate handshake, via `mapish-ntlm` |
//! | `mapi` | MAPI/HTTP requests: headers, cookies, `X-ResponseCode`, the PROCESSING/DONE framing |
//! | `autodiscover` | the POX Autodiscover request with `X-MapiHttpCapability: 1` |
//! | `self_test`, `deep_test` | the probes themselves |
//! | `steps` | timing each step against the probe's budget, and turning errors into the report |
//!
//! The entry point is [`HttpProbe`], which implements the command layer's
//! [`Probe`](mapish_commands::probe::Probe) port.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

mod auth;
mod autodiscover;
mod conn;
mod deep_test;
mod emsmdb;
mod error;
mod http;
mod mapi;
mod nspi;
mod self_test;
mod steps;
pub mod target;
mod tls;

use std::sync::Arc;

use mapish_commands::probe::{
    FailureCause, Probe, ProbeFailure, ProbeKind, ProbeReport, ProbeRequest,
};

pub use error::ProbeError;

/// The network probe client.
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpProbe;

/// The probe the binary plugs into every Session it creates.
pub fn probe() -> Arc<dyn Probe> {
    Arc::new(HttpProbe)
}

impl Probe for HttpProbe {
    fn run(&self, request: &ProbeRequest) -> ProbeReport {
        // A thread of its own with its own runtime: the cmdlet may be called from inside another
        // tokio runtime (the admin endpoint runs commands in the server process), where blocking
        // on a second runtime would panic.
        let outcome = std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("mapish-probe".into())
                .spawn_scoped(scope, || run_on_own_runtime(request))
                .map(|handle| handle.join())
        });
        match outcome {
            Ok(Ok(report)) => report,
            Ok(Err(_)) => internal_failure(request, "the probe thread panicked".into()),
            Err(e) => internal_failure(request, format!("cannot start the probe thread: {e}")),
        }
    }
}

fn run_on_own_runtime(request: &ProbeRequest) -> ProbeReport {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return internal_failure(
                request,
                format!("cannot start the probe's I/O runtime: {e}"),
            );
        }
    };
    runtime.block_on(async {
        match request.kind {
            ProbeKind::SelfTest => self_test::run(request).await,
            ProbeKind::DeepTest | ProbeKind::Ctp => deep_test::run(request).await,
        }
    })
}

fn internal_failure(request: &ProbeRequest, exception: String) -> ProbeReport {
    tracing::error!("{exception}");
    ProbeReport {
        target_url: request.directory_url.clone(),
        steps: Vec::new(),
        failure: Some(ProbeFailure {
            cause: FailureCause::Protocol,
            step: "Start".into(),
            message: "The probe could not run on this machine.".into(),
            exception,
        }),
        auth_scheme: None,
    }
}
