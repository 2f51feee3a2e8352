//! The TLS client. Certificate checking is split in two so a failure can say which half failed:
//! "the certificate does not cover this host" (the article's warning: the certificate must cover
//! the directory URLs) and "the certificate's issuer is not trusted". -TrustAnySSLCertificate drops
//! only the second check, so a self-signed test server still gets its names checked.

use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::error::ProbeError;

/// What the verifier saw during the last handshake.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    /// The certificate does not cover the name asked for.
    pub name_error: Option<rustls::Error>,
    /// The chain does not lead to a trusted root (or is expired, or badly signed).
    pub trust_error: Option<rustls::Error>,
}

/// Trust settings for one probe. The roots are loaded on the first TLS handshake only, so an http
/// probe never reads the system's trust store.
#[derive(Clone)]
pub struct Trust {
    provider: Arc<CryptoProvider>,
    trust_any: bool,
    roots: Arc<OnceLock<Arc<RootCertStore>>>,
}

impl Trust {
    /// The system's trust store plus Mozilla's roots, or any issuer.
    pub fn new(trust_any: bool) -> Trust {
        Trust {
            provider: Arc::new(rustls::crypto::ring::default_provider()),
            trust_any,
            roots: Arc::new(OnceLock::new()),
        }
    }

    fn roots(&self) -> Option<Arc<RootCertStore>> {
        if self.trust_any {
            return None;
        }
        Some(Arc::clone(self.roots.get_or_init(|| {
            let mut roots = RootCertStore::empty();
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            let native = rustls_native_certs::load_native_certs();
            for e in &native.errors {
                tracing::debug!("a system certificate could not be loaded: {e}");
            }
            let (added, ignored) = roots.add_parsable_certificates(native.certs);
            tracing::debug!(added, ignored, "system trust store loaded");
            Arc::new(roots)
        })))
    }

    /// A client configuration whose verifier reports into `findings`.
    pub fn client_config(
        &self,
        findings: Arc<Mutex<Findings>>,
    ) -> Result<Arc<ClientConfig>, ProbeError> {
        let verifier = Arc::new(Verifier {
            provider: Arc::clone(&self.provider),
            roots: self.roots(),
            findings,
        });
        let mut config = ClientConfig::builder_with_provider(Arc::clone(&self.provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| ProbeError::protocol("The TLS client could not be set up.", e))?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth();
        // MS-OXCMAPIHTTP §2.1: HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Arc::new(config))
    }
}

#[derive(Debug)]
struct Verifier {
    provider: Arc<CryptoProvider>,
    roots: Option<Arc<RootCertStore>>,
    findings: Arc<Mutex<Findings>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        // Both checks run, so that a certificate that is untrusted *and* for another name is
        // reported with both faults.
        let name = verify_server_name(&cert, server_name);
        let trust = match &self.roots {
            Some(roots) => verify_server_cert_signed_by_trust_anchor(
                &cert,
                roots,
                intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            ),
            None => Ok(()),
        };
        let mut findings = self.findings.lock().unwrap_or_else(|p| p.into_inner());
        findings.name_error = name.clone().err();
        findings.trust_error = trust.clone().err();
        name.and(trust).map(|()| ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The names a certificate was found to cover, from rustls' name error, for messages.
pub fn presented_names(error: &rustls::Error) -> Option<Vec<String>> {
    match error {
        rustls::Error::InvalidCertificate(rustls::CertificateError::NotValidForNameContext {
            presented,
            ..
        }) => Some(presented.clone()),
        _ => None,
    }
}
