//! A failed step: its cause for the cmdlet, a sentence for the administrator, and the underlying
//! error for the Exception column.

use std::fmt::Display;

use mapish_commands::probe::FailureCause;

/// What went wrong in one step of a probe.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct ProbeError {
    pub cause: FailureCause,
    /// Says what is wrong and, where the wire tells, what to do about it.
    pub message: String,
    /// The library's own words (an io error, a rustls error, the server's diagnostic body).
    pub exception: String,
}

impl ProbeError {
    pub fn new(cause: FailureCause, message: impl Into<String>, exception: impl Display) -> Self {
        ProbeError {
            cause,
            message: message.into(),
            exception: exception.to_string(),
        }
    }

    /// A reply that breaks the protocol (bad framing, an undecodable body, a failing ErrorCode).
    pub fn protocol(message: impl Into<String>, exception: impl Display) -> Self {
        ProbeError::new(FailureCause::Protocol, message, exception)
    }
}
