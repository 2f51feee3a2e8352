//! Each step of a probe is timed and bounded by what is left of the probe's budget
//! (-TimeOutSeconds covers the whole probe, as on Exchange); the first failure ends the probe.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mapish_commands::probe::{FailureCause, ProbeFailure, ProbeRequest, ProbeStep, StepOutcome};

use crate::error::ProbeError;

/// How often a running step looks at the cancel flag.
const CANCEL_POLL: Duration = Duration::from_millis(50);

/// Collects the steps of one probe.
pub struct Recorder {
    steps: Vec<ProbeStep>,
    deadline: Instant,
    budget: Duration,
    cancel: Option<Arc<AtomicBool>>,
}

impl Recorder {
    pub fn new(request: &ProbeRequest) -> Recorder {
        Recorder {
            steps: Vec::new(),
            deadline: Instant::now() + request.timeout,
            budget: request.timeout,
            cancel: request.cancel.clone(),
        }
    }

    /// Runs `work` as the step `name`. `work` answers its result and a detail line for the report.
    pub async fn step<T>(
        &mut self,
        name: impl Into<String>,
        work: impl Future<Output = Result<(T, String), ProbeError>>,
    ) -> Result<T, ProbeFailure> {
        let name = name.into();
        let started = Instant::now();
        let left = self.deadline.saturating_duration_since(started);
        let outcome = tokio::select! {
            r = tokio::time::timeout(left, work) => r.unwrap_or_else(|_| Err(self.timed_out(&name))),
            () = cancelled(self.cancel.clone()) => Err(ProbeError::new(FailureCause::Cancelled, "The probe was stopped before it finished.", "cancelled")),
        };
        let latency = started.elapsed();
        match outcome {
            Ok((value, detail)) => {
                self.steps.push(ProbeStep {
                    name,
                    outcome: StepOutcome::Succeeded,
                    latency,
                    detail,
                });
                Ok(value)
            }
            Err(e) => {
                self.steps.push(ProbeStep {
                    name: name.clone(),
                    outcome: StepOutcome::Failed,
                    latency,
                    detail: e.message.clone(),
                });
                Err(ProbeFailure {
                    cause: e.cause,
                    step: name,
                    message: e.message,
                    exception: e.exception,
                })
            }
        }
    }

    /// A step that does not apply (TLS on an http URL).
    pub fn skip(&mut self, name: impl Into<String>, detail: impl Into<String>) {
        self.steps.push(ProbeStep {
            name: name.into(),
            outcome: StepOutcome::Skipped,
            latency: Duration::ZERO,
            detail: detail.into(),
        });
    }

    pub fn into_steps(self) -> Vec<ProbeStep> {
        self.steps
    }

    fn timed_out(&self, step: &str) -> ProbeError {
        let secs = self.budget.as_secs_f64();
        ProbeError::new(
            FailureCause::Timeout,
            format!(
                "Timed out: the probe's {secs} s (-TimeOutSeconds) ran out during '{step}'. The server accepted the connection but did not answer in time, or the network drops packets; check that the host and port belong to mapish serve and that nothing in between holds the request."
            ),
            format!("operation timed out after {} ms", self.budget.as_millis()),
        )
    }
}

/// Resolves when the cancel flag is set; never without one.
async fn cancelled(flag: Option<Arc<AtomicBool>>) {
    let Some(flag) = flag else {
        return std::future::pending().await;
    };
    while !flag.load(Ordering::Relaxed) {
        tokio::time::sleep(CANCEL_POLL).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mapish_commands::probe::ProbeKind;

    fn request(timeout: Duration, cancel: Option<Arc<AtomicBool>>) -> ProbeRequest {
        ProbeRequest {
            kind: ProbeKind::SelfTest,
            directory_url: "http://127.0.0.1:1/mapi".into(),
            hostname: None,
            expected_schemes: vec![],
            account: None,
            timeout,
            trust_any_certificate: false,
            cancel,
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn steps_are_recorded_in_order_with_their_outcome() {
        let mut rec = Recorder::new(&request(Duration::from_secs(5), None));
        let v = rec
            .step("first", async { Ok((7, "seven".to_string())) })
            .await
            .unwrap();
        assert_eq!(v, 7);
        rec.skip("second", "not needed");
        let err = rec
            .step("third", async {
                Err::<((), String), _>(ProbeError::protocol("bad", "x"))
            })
            .await
            .unwrap_err();
        assert_eq!(err.step, "third");
        assert_eq!(err.cause, FailureCause::Protocol);
        let steps = rec.into_steps();
        let outcomes: Vec<_> = steps.iter().map(|s| (s.name.as_str(), s.outcome)).collect();
        assert_eq!(
            outcomes,
            [
                ("first", StepOutcome::Succeeded),
                ("second", StepOutcome::Skipped),
                ("third", StepOutcome::Failed)
            ]
        );
        assert_eq!(steps[2].detail, "bad");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_budget_covers_the_whole_probe() {
        let mut rec = Recorder::new(&request(Duration::from_millis(50), None));
        let err = rec
            .step("slow", async {
                std::future::pending::<Result<((), String), ProbeError>>().await
            })
            .await
            .unwrap_err();
        assert_eq!(err.cause, FailureCause::Timeout);
        assert!(err.message.contains("'slow'"), "{}", err.message);
        // Nothing is left for the next step.
        let err = rec
            .step("next", async {
                tokio::time::sleep(Duration::from_millis(10)).await;
                Ok(((), String::new()))
            })
            .await
            .unwrap_err();
        assert_eq!(err.cause, FailureCause::Timeout);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_set_cancel_flag_stops_the_step() {
        let flag = Arc::new(AtomicBool::new(true));
        let mut rec = Recorder::new(&request(Duration::from_secs(30), Some(flag)));
        let err = rec
            .step("wait", async {
                std::future::pending::<Result<((), String), ProbeError>>().await
            })
            .await
            .unwrap_err();
        assert_eq!(err.cause, FailureCause::Cancelled);
    }
}
