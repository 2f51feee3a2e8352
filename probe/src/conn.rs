//! Opening a connection: resolve the host, connect over TCP, and (for https) the TLS handshake,
//! each a step of its own so the report shows which one failed and how long each took.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use mapish_commands::probe::{FailureCause, ProbeFailure};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::error::ProbeError;
use crate::steps::Recorder;
use crate::target::Target;
use crate::tls::{Findings, Trust, presented_names};

/// A byte stream HTTP runs over: plain TCP or TLS.
pub trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub type Io = Box<dyn Stream>;

/// Opens a connection to `target`, recording each step.
pub async fn open(rec: &mut Recorder, target: &Target, trust: &Trust) -> Result<Io, ProbeFailure> {
    let addrs = rec
        .step(format!("Resolve {}", target.host), resolve(target))
        .await?;
    let tcp = rec
        .step(
            format!("TCP connect to {}", target.authority()),
            connect(target, &addrs),
        )
        .await?;
    if !target.tls {
        rec.skip(
            "TLS handshake",
            "the URL is http: no TLS, while Outlook itself requires https",
        );
        return Ok(Box::new(tcp));
    }
    let tls = rec
        .step(
            format!("TLS handshake with {}", target.host),
            handshake(target, tcp, trust),
        )
        .await?;
    Ok(tls)
}

/// The same without recording steps: re-opening a connection the server closed between requests.
pub async fn reopen(target: &Target, trust: &Trust) -> Result<Io, ProbeError> {
    let (addrs, _) = resolve(target).await?;
    let (tcp, _) = connect(target, &addrs).await?;
    if !target.tls {
        return Ok(Box::new(tcp));
    }
    Ok(handshake(target, tcp, trust).await?.0)
}

async fn resolve(target: &Target) -> Result<(Vec<SocketAddr>, String), ProbeError> {
    let found = tokio::net::lookup_host((target.host.as_str(), target.port)).await;
    let addrs: Vec<SocketAddr> = match found {
        Ok(addrs) => addrs.collect(),
        Err(e) => {
            return Err(ProbeError::new(
                FailureCause::NameResolution,
                format!(
                    "The host name '{}' does not resolve. Check the host in the directory URL (Get-MapiVirtualDirectory | fl *Url) and the DNS, or name another host with -Hostname.",
                    target.host
                ),
                e,
            ));
        }
    };
    if addrs.is_empty() {
        return Err(ProbeError::new(
            FailureCause::NameResolution,
            format!("The host name '{}' resolves to no address.", target.host),
            "no addresses",
        ));
    }
    let detail = addrs
        .iter()
        .map(|a| a.ip().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Ok((addrs, detail))
}

/// Tries every address in turn, as a browser would (`localhost` may give ::1 first while the
/// server listens on 127.0.0.1 only).
async fn connect(target: &Target, addrs: &[SocketAddr]) -> Result<(TcpStream, String), ProbeError> {
    let mut errors = Vec::new();
    for addr in addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                // Requests are small and answered one at a time: send them at once.
                let _ = stream.set_nodelay(true);
                return Ok((stream, format!("connected to {addr}")));
            }
            Err(e) => errors.push((addr, e)),
        }
    }
    let exception = errors
        .iter()
        .map(|(a, e)| format!("{a}: {e}"))
        .collect::<Vec<_>>()
        .join("; ");
    let refused = errors
        .iter()
        .all(|(_, e)| e.kind() == std::io::ErrorKind::ConnectionRefused);
    if refused {
        return Err(ProbeError::new(
            FailureCause::ConnectionRefused,
            format!(
                "Connection refused by {}: no server is listening there, so the MAPI over HTTP server is not running (or listens on another address). Start it with 'mapish serve' and check that its --listen address matches the directory URL's host and port.",
                target.authority()
            ),
            exception,
        ));
    }
    Err(ProbeError::new(
        FailureCause::Connection,
        format!(
            "Cannot connect to {}: the host is unreachable or a firewall drops the connection.",
            target.authority()
        ),
        exception,
    ))
}

async fn handshake(
    target: &Target,
    tcp: TcpStream,
    trust: &Trust,
) -> Result<(Io, String), ProbeError> {
    let findings = Arc::new(Mutex::new(Findings::default()));
    let config = trust.client_config(Arc::clone(&findings))?;
    let name = ServerName::try_from(target.host.clone()).map_err(|e| {
        ProbeError::new(
            FailureCause::Tls,
            format!("'{}' cannot be used as a TLS server name.", target.host),
            e,
        )
    })?;
    match TlsConnector::from(config).connect(name, tcp).await {
        Ok(stream) => {
            let (_, conn) = stream.get_ref();
            let detail = format!(
                "{:?}, certificate covers {}",
                conn.protocol_version()
                    .map(|v| format!("{v:?}"))
                    .unwrap_or_default(),
                target.host
            );
            Ok((Box::new(stream), detail))
        }
        Err(e) => {
            let seen = findings.lock().map(|f| f.clone()).unwrap_or_default();
            Err(classify(target, &seen, e))
        }
    }
}

fn classify(target: &Target, seen: &Findings, e: std::io::Error) -> ProbeError {
    let host = &target.host;
    if let Some(name_error) = &seen.name_error {
        let covers = match presented_names(name_error) {
            Some(names) if !names.is_empty() => format!("it covers only {}", names.join(", ")),
            Some(_) => "it names no host at all".to_string(),
            None => name_error.to_string(),
        };
        let mut message = format!(
            "TLS name mismatch: the certificate of {} does not cover the host name '{host}' ({covers}). Outlook refuses such a certificate: issue one whose names include {host}, or point the directory URL (or -Hostname) at a name the certificate covers.",
            target.authority()
        );
        if let Some(trust) = &seen.trust_error {
            message.push_str(&format!(" It is also not from a trusted issuer ({trust})."));
        }
        return ProbeError::new(FailureCause::TlsNameMismatch, message, e);
    }
    if let Some(trust) = &seen.trust_error {
        return ProbeError::new(
            FailureCause::TlsUntrusted,
            format!(
                "Untrusted TLS certificate: the certificate of {} is not accepted ({trust}). Use a certificate from an authority this machine trusts or add its issuing CA to the system trust store; for a self-signed test server add -TrustAnySSLCertificate.",
                target.authority()
            ),
            e,
        );
    }
    ProbeError::new(
        FailureCause::Tls,
        format!(
            "The TLS handshake with {} failed. If the server speaks plain http on this port, the directory URL must start with http://; otherwise start 'mapish serve' with --self-signed or --tls-cert.",
            target.authority()
        ),
        e,
    )
}
