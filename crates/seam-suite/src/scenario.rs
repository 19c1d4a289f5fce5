//! A suite as a load scenario (`seam load --suite`): each case (a test, or
//! one row of its matrix) is an iteration that virtual users run again and
//! again, steps in order, with the suite's variables, auth helpers and
//! captures, exactly as `seam test` runs it once. Each step is reported
//! under its endpoint's name as written (`GET /orders/{{id}}`), so figures
//! stay per endpoint however many ids the captures bring.

use crate::model::SuiteStep;
use crate::run::{cases, run_test, Case, RunOptions, StepOutcome, TestResult};
use crate::vars::interpolate;
use crate::Suite;
use std::sync::Arc;

/// A suite ready to be run as load.
pub struct Scenario {
    client: reqwest::Client,
    suite: Arc<Suite>,
    cases: Vec<Case>,
    /// Distinct endpoint names, in the order first written.
    endpoints: Vec<String>,
    /// Each test's steps (setup, steps, teardown): their endpoint's index,
    /// and whether the step asserts a status.
    endpoint_of: Vec<Vec<(usize, bool)>>,
    /// `baseUrl` with the variables filled in.
    base_url: Option<String>,
}

impl std::fmt::Debug for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scenario")
            .field("suite", &self.suite.shown)
            .field("cases", &self.cases.len())
            .field("endpoints", &self.endpoints)
            .finish()
    }
}

/// How a step's answer went, as load figures count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepVerdict {
    /// Answered, and every assertion and capture held.
    Passed,
    /// Answered, but an assertion or a capture failed.
    CheckFailed,
    /// Answered with a status outside 200-399 that no assertion of the
    /// step's expected.
    BadStatus,
    /// No answer: the request failed (its kind, as `seam test` names it:
    /// "connection refused", "timed out", ...), or the step could not be
    /// built (a variable no capture set).
    NoAnswer(&'static str),
}

/// One step of an iteration.
#[derive(Debug, Clone)]
pub struct StepFigures {
    pub endpoint: usize,
    pub status: Option<u16>,
    pub duration: std::time::Duration,
    pub verdict: StepVerdict,
}

/// The kinds `seam_core::reproduce::network_failure` names a failed request
/// by, which start a step's error message.
const NETWORK_KINDS: [&str; 6] = [
    "timed out",
    "DNS lookup failed",
    "TLS handshake failed",
    "connection refused",
    "cannot connect",
    "request failed",
];

impl Scenario {
    /// The cases of `suite` that `options` select; `base_url` replaces the
    /// suite's `baseUrl`. Requests time out after `options.timeout`.
    pub fn new(
        mut suite: Suite,
        base_url: Option<&str>,
        options: &RunOptions,
    ) -> Result<Scenario, String> {
        if let Some(url) = base_url {
            suite.file.base_url = Some(url.to_string());
        }
        let (cases, _secrets) = cases(&suite, options)?;
        if cases.is_empty() {
            return Err(format!(
                "{}: no test has one of the tags asked for",
                suite.shown
            ));
        }
        let mut endpoints: Vec<String> = Vec::new();
        let mut endpoint_of = Vec::new();
        for test in &suite.file.tests {
            let steps: Vec<&SuiteStep> = test
                .setup
                .iter()
                .chain(&test.steps)
                .chain(&test.teardown)
                .collect();
            let mut of = Vec::new();
            for step in steps {
                let name = match &step.request {
                    Some(r) => format!("{} {}", r.method.to_ascii_uppercase(), r.path),
                    None => step.name.clone().unwrap_or_else(|| "step".into()),
                };
                let at = match endpoints.iter().position(|e| *e == name) {
                    Some(at) => at,
                    None => {
                        endpoints.push(name);
                        endpoints.len() - 1
                    }
                };
                of.push((at, step.assertions.status.is_some()));
            }
            endpoint_of.push(of);
        }
        let base_url = match &suite.file.base_url {
            Some(base) => Some(
                interpolate(base, &cases[0].vars)
                    .map_err(|e| format!("{}: baseUrl `{base}`: {e}", suite.shown))?,
            ),
            None => None,
        };
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .pool_max_idle_per_host(usize::MAX)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Scenario {
            client,
            suite: Arc::new(suite),
            cases,
            endpoints,
            endpoint_of,
            base_url,
        })
    }

    /// Every step's endpoint name, `METHOD /path` as written.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// How many cases one round of the scenario runs.
    pub fn cases(&self) -> usize {
        self.cases.len()
    }

    /// The suite's base URL with its variables filled in (of the first
    /// case), for a reachability check before the load.
    pub fn base_url(&self) -> Option<String> {
        self.base_url.clone()
    }

    /// The suite's name as reports show it.
    pub fn name(&self) -> String {
        self.suite.name()
    }

    /// Runs case `case` (wrapped) once: its steps' figures, in order.
    pub async fn iterate(&self, case: usize) -> Vec<StepFigures> {
        let case = &self.cases[case % self.cases.len()];
        let result = run_test(
            self.client.clone(),
            self.suite.clone(),
            case.test,
            case.vars.clone(),
            String::new(),
        )
        .await;
        self.figures(case.test, &result)
    }

    fn figures(&self, test: usize, result: &TestResult) -> Vec<StepFigures> {
        result
            .steps
            .iter()
            .filter(|s| !s.method.is_empty() || !matches!(s.outcome, StepOutcome::Passed))
            .map(|s| {
                let (endpoint, status_asserted) = self.endpoint_of[test]
                    .get(s.index)
                    .copied()
                    .unwrap_or_default();
                StepFigures {
                    endpoint,
                    status: s.status,
                    duration: s.duration,
                    verdict: match (&s.outcome, s.status) {
                        (StepOutcome::Passed, Some(status))
                            if !status_asserted && !(200..400).contains(&status) =>
                        {
                            StepVerdict::BadStatus
                        }
                        (StepOutcome::Passed, _) => StepVerdict::Passed,
                        (_, Some(_)) => StepVerdict::CheckFailed,
                        (StepOutcome::Error(e), None) => StepVerdict::NoAnswer(
                            NETWORK_KINDS
                                .into_iter()
                                .find(|k| e.starts_with(k))
                                .unwrap_or("step"),
                        ),
                        (StepOutcome::Failed(_), None) => StepVerdict::NoAnswer("step"),
                    },
                }
            })
            .collect()
    }
}
