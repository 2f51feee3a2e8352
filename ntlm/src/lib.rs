//! NTLM (MS-NLMP, NTLMv2 only) and SPNEGO (RFC 4178 / MS-SPNG, NTLM as the only mechanism) for HTTP
//! `NTLM` and `Negotiate` authentication, shared by both ends: `mapish serve` accepts (its connection
//! state lives in the server's `auth` module) and `mapish-probe` initiates ([`client`]).
//!
//! | Module | What it has |
//! |---|---|
//! | [`nlmp`] | message layouts, NTOWFv2 / HMAC-MD5 / RC4, the acceptor's `verify`, signing keys |
//! | [`spnego`] | the DER of NegTokenInit / NegTokenResp, both directions |
//! | [`client`] | the initiator: NEGOTIATE, CHALLENGE parsing, NTLMv2 AUTHENTICATE with MIC, SPNEGO wrapping |
//!
//! Layers: this crate knows no HTTP and no store; the server and the probe sit above it.
//!
//! Tests: the MS-NLMP §4.2.4 NTLMv2 vectors (NT hash, NTProofStr, LMv2, EncryptedRandomSessionKey,
//! signing), the initiator against the acceptor in process (`tests.rs`), and the initiator against
//! pyspnego's acceptor (`tests/pyspnego.rs`, skipped without python3 and pyspnego unless
//! MAPISH_REQUIRE_INTEROP=1).

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

pub mod client;
pub mod nlmp;
pub mod spnego;

#[cfg(test)]
mod tests;
