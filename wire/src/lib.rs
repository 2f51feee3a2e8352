//! MS-OXCMAPIHTTP wire codec for mapish: every byte layout that the
//! embedded MAPI over HTTP server (`mapish serve`) and the probe client
//! (Test-OutlookConnectivity) exchange, in both directions.
//!
//! Pure data in, data out: no I/O, no HTTP, no clocks. Decoders take bytes
//! from the network and return [`WireError`] on anything malformed; they do
//! not panic.
//!
//! | Module | What it covers |
//! |---|---|
//! | [`framing`] | `PROCESSING`/`PENDING`/`DONE` + additional headers around every body |
//! | [`request_type`], [`response_code`], [`headers`] | `X-RequestType`, `X-ResponseCode`, header names, endpoints |
//! | [`cookie`] | `MapiContext` / `MapiSequence` cookies |
//! | [`body`] | the StatusCode / failure envelope of response bodies |
//! | [`emsmdb`] | Connect, Execute, Disconnect, NotificationWait, PING |
//! | [`nspi`] | every NSPI body: Bind … ResolveNames, GetMatches restrictions, AddressBookPropertyValue, entry IDs, STAT |
//! | [`rpc_header`], [`lz77`] | RPC_HEADER_EXT framing, XorMagic, LZ77 (DIRECT2) |
//! | [`aux_buffer`] | AUX_HEADER blocks in auxiliary buffers |
//! | [`rop`], [`ids`] | ROP buffers and the ROPs the server runs (logon, folders, tables, properties, ids, RopBufferTooSmall), FIDs |
//! | [`ec`] | return values (ecRpcFormat, ecNotSupported, …) |
//! | [`prop`] | property tags (the one table), PropertyValue, PropertyRow |
//! | [`autodiscover`] | POX Autodiscover request/response XML |

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::todo)
)]

pub mod autodiscover;
pub mod aux_buffer;
pub mod body;
pub mod buf;
pub mod cookie;
pub mod ec;
pub mod emsmdb;
pub mod error;
pub mod framing;
pub mod headers;
pub mod ids;
pub mod lz77;
pub mod nspi;
pub mod prop;
pub mod request_type;
pub mod response_code;
pub mod rop;
pub mod rpc_header;

#[cfg(test)]
mod fuzz_tests;
#[cfg(test)]
mod testutil;

pub use body::{FailureBody, Response};
pub use buf::{Codec, Reader, Writer};
pub use error::{Result, WireError};
pub use request_type::{Endpoint, RequestType};
pub use response_code::ResponseCode;

/// `Content-Type` of MAPI/HTTP requests and successful responses (§2.2.3.2.2).
pub const CONTENT_TYPE: &str = "application/mapi-http";
