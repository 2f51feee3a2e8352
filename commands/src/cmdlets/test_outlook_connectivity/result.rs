//! The output object: Exchange's default columns (MonitorIdentity, StartTime, EndTime, Result,
//! Error, Exception) and, for `fl`, where the probe aimed, the authentication scheme it used
//! (AuthenticationMethod: Negotiate, NTLM or Basic) and every step with its latency.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::probe::{ProbeStep, StepOutcome, RESULT_TYPE};
use crate::value::{PsObject, Value};

/// Everything one probe run produced.
pub struct ProbeResult {
    pub monitor_identity: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// None when it succeeded; else the Error and Exception texts.
    pub failure: Option<(String, String)>,
    pub server: Option<String>,
    pub mailbox: Option<String>,
    pub target_url: Option<String>,
    /// The authentication scheme the probe used (Negotiate, NTLM, Basic), if it got that far.
    pub auth_scheme: Option<String>,
    pub timeout: Duration,
    pub steps: Vec<ProbeStep>,
}

impl ProbeResult {
    pub fn succeeded(&self) -> bool {
        self.failure.is_none()
    }

    pub fn to_value(&self) -> Value {
        let (error, exception) = self.failure.clone().unwrap_or_default();
        let obj = PsObject::new(RESULT_TYPE)
            .with("MonitorIdentity", Value::str(&self.monitor_identity))
            .with("StartTime", Value::DateTime(self.start))
            .with("EndTime", Value::DateTime(self.end))
            // Scripts compare `$_.Result -eq "Failed"`: an enum compares by name.
            .with("Result", Value::Enum(if self.succeeded() { "Succeeded" } else { "Failed" }))
            .with("Error", Value::str(error))
            .with("Exception", Value::str(exception))
            .with("Server", Value::opt_str(self.server.clone()))
            .with("MailboxId", Value::opt_str(self.mailbox.clone()))
            .with("TargetUrl", Value::opt_str(self.target_url.clone()))
            .with("AuthenticationMethod", Value::opt_str(self.auth_scheme.clone()))
            .with("TimeOutSeconds", Value::Int(self.timeout.as_secs() as i64))
            .with("LatencyMs", Value::Int((self.end - self.start).num_milliseconds()))
            .with("Steps", Value::str(steps_text(&self.steps)));
        Value::Object(Arc::new(obj))
    }
}

/// One line per step: `TCP connect to 127.0.0.1:8080: Succeeded in 1 ms (connected to …)`.
pub fn steps_text(steps: &[ProbeStep]) -> String {
    steps
        .iter()
        .map(|s| {
            let ms = s.latency.as_millis();
            let head = match s.outcome {
                StepOutcome::Succeeded => format!("{}: Succeeded in {ms} ms", s.name),
                StepOutcome::Failed => format!("{}: Failed after {ms} ms", s.name),
                StepOutcome::Skipped => format!("{}: Skipped", s.name),
            };
            if s.detail.is_empty() { head } else { format!("{head} ({})", s.detail) }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_read_as_lines_with_latency() {
        let steps = vec![
            ProbeStep { name: "Resolve x".into(), outcome: StepOutcome::Succeeded, latency: Duration::from_millis(3), detail: "127.0.0.1".into() },
            ProbeStep { name: "TLS handshake".into(), outcome: StepOutcome::Skipped, latency: Duration::ZERO, detail: "http".into() },
            ProbeStep { name: "PING".into(), outcome: StepOutcome::Failed, latency: Duration::from_millis(12), detail: String::new() },
        ];
        assert_eq!(steps_text(&steps), "Resolve x: Succeeded in 3 ms (127.0.0.1)\nTLS handshake: Skipped (http)\nPING: Failed after 12 ms");
    }
}
