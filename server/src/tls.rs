//! TLS with rustls (ring provider; HTTP/1.1 only over ALPN, as MS-OXCMAPIHTTP §2.1 requires).
//!
//! `--tls-cert/--tls-key` load a PEM chain and key. `--self-signed` keeps a certificate in
//! `<store>/tls/` whose names are the host names of this server's MAPI directory URLs plus its FQDN; when an
//! administrator changes those URLs, the certificate is regenerated and swapped in live through a
//! certificate resolver, so new handshakes see it at once.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::ServerConfig;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio_rustls::TlsAcceptor;

use crate::config::TlsMode;
use crate::error::ServeError;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// An acceptor, and the self-signed certificate behind it if there is one.
pub type Acceptor = (TlsAcceptor, Option<Arc<SelfSigned>>);

/// Builds the acceptor for `mode`; `names` are the certificate names a self-signed certificate needs.
pub fn acceptor(
    mode: &TlsMode,
    store_dir: Option<&Path>,
    names: &[String],
) -> Result<Option<Acceptor>, ServeError> {
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::Tls(e.to_string()))?
        .with_no_client_auth();
    let (mut config, self_signed) = match mode {
        TlsMode::None => return Ok(None),
        TlsMode::Files { cert, key } => {
            let chain = load_chain(cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| ServeError::TlsFile {
                path: key.clone(),
                reason: format!("no usable private key: {e}"),
            })?;
            let config = builder.with_single_cert(chain, key).map_err(|e| {
                ServeError::Tls(format!("the certificate and key do not fit together: {e}"))
            })?;
            (config, None)
        }
        TlsMode::SelfSigned => {
            let ss = Arc::new(SelfSigned::load_or_create(
                store_dir.map(|d| d.join("tls")),
                names,
            )?);
            let resolver: Arc<dyn ResolvesServerCert> =
                Arc::clone(&ss) as Arc<dyn ResolvesServerCert>;
            (builder.with_cert_resolver(resolver), Some(ss))
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Some((TlsAcceptor::from(Arc::new(config)), self_signed)))
}

fn load_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, ServeError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| ServeError::TlsFile {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
    if chain.is_empty() {
        return Err(ServeError::TlsFile {
            path: path.to_path_buf(),
            reason: "no PEM certificate in it".into(),
        });
    }
    Ok(chain)
}

/// A self-signed certificate kept on disk and swapped live.
pub struct SelfSigned {
    dir: Option<PathBuf>,
    current: RwLock<(Vec<String>, Arc<CertifiedKey>, String)>,
}

impl fmt::Debug for SelfSigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SelfSigned")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

const CERT_FILE: &str = "self-signed-cert.pem";
const KEY_FILE: &str = "self-signed-key.pem";
const NAMES_FILE: &str = "self-signed-names.txt";

impl SelfSigned {
    /// Loads the kept certificate if it covers exactly `names`, else makes (and keeps) a new one.
    pub fn load_or_create(
        dir: Option<PathBuf>,
        names: &[String],
    ) -> Result<SelfSigned, ServeError> {
        let names = usable_names(names);
        if let Some(d) = &dir
            && let Some(loaded) = load_kept(d, &names)
        {
            tracing::info!(names = ?names, "using the kept self-signed certificate");
            return Ok(SelfSigned {
                dir,
                current: RwLock::new(loaded),
            });
        }
        let made = make(&names, dir.as_deref())?;
        Ok(SelfSigned {
            dir,
            current: RwLock::new(made),
        })
    }

    /// Regenerates the certificate if `names` differ from the ones it covers; returns whether it did.
    pub fn update(&self, names: &[String]) -> Result<bool, ServeError> {
        let names = usable_names(names);
        if self.current.read().map(|c| c.0 == names).unwrap_or(false) {
            return Ok(false);
        }
        let made = make(&names, self.dir.as_deref())?;
        tracing::info!(names = ?names, "the server's names changed: issued a new self-signed certificate");
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = made;
        Ok(true)
    }

    /// The names the current certificate covers.
    pub fn names(&self) -> Vec<String> {
        self.current.read().map(|c| c.0.clone()).unwrap_or_default()
    }

    /// The current certificate, PEM (for clients that must trust it).
    pub fn cert_pem(&self) -> String {
        self.current.read().map(|c| c.2.clone()).unwrap_or_default()
    }
}

impl ResolvesServerCert for SelfSigned {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().map(|c| Arc::clone(&c.1))
    }
}

/// Names a certificate can carry: at least `localhost`.
fn usable_names(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = names.iter().filter(|n| !n.is_empty()).cloned().collect();
    if out.is_empty() {
        out.push("localhost".into());
    }
    out
}

type Made = (Vec<String>, Arc<CertifiedKey>, String);

fn certified(cert_pem: &str, key_pem: &str) -> Result<Arc<CertifiedKey>, String> {
    let chain =
        vec![CertificateDer::from_pem_slice(cert_pem.as_bytes()).map_err(|e| e.to_string())?];
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(|e| e.to_string())?;
    let signing = provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(CertifiedKey::new(chain, signing)))
}

fn load_kept(dir: &Path, names: &[String]) -> Option<Made> {
    let kept: Vec<String> = std::fs::read_to_string(dir.join(NAMES_FILE))
        .ok()?
        .lines()
        .map(str::to_string)
        .collect();
    if kept != names {
        return None;
    }
    let cert = std::fs::read_to_string(dir.join(CERT_FILE)).ok()?;
    let key = std::fs::read_to_string(dir.join(KEY_FILE)).ok()?;
    let ck = certified(&cert, &key).ok()?;
    Some((kept, ck, cert))
}

fn make(names: &[String], dir: Option<&Path>) -> Result<Made, ServeError> {
    let generated = rcgen::generate_simple_self_signed(names.to_vec())
        .map_err(|e| ServeError::Tls(format!("cannot make a self-signed certificate: {e}")))?;
    let cert_pem = generated.cert.pem();
    let key_pem = generated.signing_key.serialize_pem();
    let ck = certified(&cert_pem, &key_pem).map_err(ServeError::Tls)?;
    if let Some(dir) = dir
        && let Err(e) = keep(dir, names, &cert_pem, &key_pem)
    {
        // Serving still works; only the next start makes a new certificate.
        tracing::warn!(dir = %dir.display(), "cannot keep the self-signed certificate: {e}");
    }
    Ok((names.to_vec(), ck, cert_pem))
}

fn keep(dir: &Path, names: &[String], cert: &str, key: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_private(&dir.join(KEY_FILE), key)?;
    std::fs::write(dir.join(CERT_FILE), cert)?;
    std::fs::write(dir.join(NAMES_FILE), names.join("\n"))
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .mode(0o600)
            .open(path)?;
        f.write_all(text.as_bytes())
    }
    #[cfg(not(unix))]
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_is_kept_and_renewed_when_names_change() {
        let dir = tempfile::tempdir().unwrap();
        let tls = dir.path().join("tls");
        let names = vec!["ex01.contoso.com".to_string(), "127.0.0.1".to_string()];
        let first = SelfSigned::load_or_create(Some(tls.clone()), &names).unwrap();
        let pem = first.cert_pem();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(tls.join(KEY_FILE).exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(tls.join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = SelfSigned::load_or_create(Some(tls.clone()), &names).unwrap();
        assert_eq!(again.cert_pem(), pem, "kept across restarts");
        assert!(!again.update(&names).unwrap());
        assert!(again.update(&["mail.contoso.com".to_string()]).unwrap());
        assert_ne!(again.cert_pem(), pem);
        assert_eq!(again.names(), ["mail.contoso.com"]);
        assert_eq!(
            std::fs::read_to_string(tls.join(NAMES_FILE)).unwrap(),
            "mail.contoso.com"
        );
    }

    #[test]
    fn files_mode_reports_bad_paths() {
        let err = acceptor(
            &TlsMode::Files {
                cert: "/nonexistent/cert.pem".into(),
                key: "/nonexistent/key.pem".into(),
            },
            None,
            &[],
        )
        .err()
        .unwrap();
        assert!(err.to_string().contains("/nonexistent/cert.pem"), "{err}");
    }
}
