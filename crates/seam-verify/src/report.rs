//! Verification results and their forms: a terminal report (colored when it is
//! a terminal), JUnit XML, JSON (schema below), and the exit code.
//!
//! JSON: `{"provider": url, "summary": {"total", "passed", "failed", "pending",
//! "errors", "notVerified", "skipped"}, "interactions": [{"consumer",
//! "provider", "pact", "description", "states", "pending", "status":
//! "passed"|"failed"|"error"|"not verified"|"skipped", "durationMs",
//! "mismatches": [{"part", "path", "expected", "actual", "reason"}], "error",
//! "notVerified", "curl", "notes"}]}`. A mismatch has no `expected` (or
//! `actual`) key when nothing was expected (or found) there: an unexpected
//! key, a missing header. `notVerified` is the reason an interaction could not
//! be checked (an unsupported plugin, a rule that does not compile); `notes`
//! (only when there are some) say what the verifier did in place of the pact
//! (an example value used where a provider state gave none).

use seam_core::matching::Mismatch;
use seam_core::render::{render_mismatches, Style};
use serde_json::{json, Value};
use std::time::Duration;

/// How one interaction went.
#[derive(Debug, Clone)]
pub enum Outcome {
    Passed,
    /// The provider answered differently; `curl` sends the same request.
    Failed {
        mismatches: Vec<Mismatch>,
        curl: String,
    },
    /// The interaction could not be checked (a provider state failed, ...).
    Error(String),
    /// seam cannot use the interaction (an unsupported plugin, a rule that does
    /// not compile): nothing was sent. `skipped` (`--skip-unsupported`) lists
    /// it without failing the run.
    NotVerified {
        reason: String,
        skipped: bool,
    },
}

impl Outcome {
    /// The outcome as reports may show it: credential headers in mismatches
    /// and every declared secret value (`--header` values) redacted.
    pub fn redacted(self, secrets: &seam_core::reproduce::Redactor) -> Outcome {
        match self {
            Outcome::Passed => Outcome::Passed,
            Outcome::Failed {
                mut mismatches,
                curl,
            } => {
                for m in &mut mismatches {
                    seam_core::reproduce::redact_mismatch(m);
                    m.reason = secrets.scrub(&m.reason);
                    for side in [&mut m.expected, &mut m.actual].into_iter().flatten() {
                        *side = secrets.scrub_json(side);
                    }
                }
                Outcome::Failed {
                    mismatches,
                    curl: secrets.scrub(&curl),
                }
            }
            Outcome::Error(e) => Outcome::Error(secrets.scrub(&e)),
            Outcome::NotVerified { reason, skipped } => Outcome::NotVerified {
                reason: secrets.scrub(&reason),
                skipped,
            },
        }
    }
}

/// One verified interaction.
#[derive(Debug, Clone)]
pub struct VerifiedInteraction {
    pub consumer: String,
    pub provider: String,
    /// The pact file or URL.
    pub origin: String,
    pub description: String,
    pub states: Vec<String>,
    /// Pending: a failure is reported but does not fail the build.
    pub pending: bool,
    pub outcome: Outcome,
    /// What the verifier did in place of the pact (an example value used
    /// where a provider state gave none, a response message left unchecked).
    pub notes: Vec<String>,
    pub duration: Duration,
}

impl VerifiedInteraction {
    fn status(&self) -> &'static str {
        match self.outcome {
            Outcome::Passed => "passed",
            Outcome::Failed { .. } => "failed",
            Outcome::Error(_) => "error",
            Outcome::NotVerified { skipped: false, .. } => "not verified",
            Outcome::NotVerified { skipped: true, .. } => "skipped",
        }
    }

    fn counts_as_failure(&self) -> bool {
        match self.outcome {
            Outcome::Passed => false,
            Outcome::NotVerified { skipped, .. } => !skipped,
            _ => !self.pending,
        }
    }

    /// The four-letter mark of the terminal and HTML reports, and whether it
    /// is a failing one.
    fn mark(&self) -> (&'static str, bool) {
        match (&self.outcome, self.pending) {
            (Outcome::Passed, _) => ("PASS", false),
            (Outcome::NotVerified { skipped: true, .. }, _) => ("SKIP", false),
            (Outcome::NotVerified { skipped: false, .. }, _) => ("N/V ", true),
            (_, true) => ("PEND", false),
            (Outcome::Failed { .. }, _) => ("FAIL", true),
            (Outcome::Error(_), _) => ("ERR ", true),
        }
    }

    fn title(&self) -> String {
        let given = if self.states.is_empty() {
            String::new()
        } else {
            format!(" given {}", self.states.join(" and "))
        };
        format!(
            "{} → {}: {}{given}",
            self.consumer, self.provider, self.description
        )
    }
}

/// Everything one run verified.
#[derive(Debug, Clone)]
pub struct Report {
    pub provider_base_url: String,
    pub results: Vec<VerifiedInteraction>,
    pub duration: Duration,
}

impl Report {
    /// Whether every interaction that is not pending passed (the build may go on).
    pub fn passed(&self) -> bool {
        !self
            .results
            .iter()
            .any(VerifiedInteraction::counts_as_failure)
    }

    /// (passed, failed, pending failures, errors); interactions not verified
    /// and not skipped count as errors, skipped ones in none.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut c = (0, 0, 0, 0);
        for r in &self.results {
            match (&r.outcome, r.pending) {
                (Outcome::Passed, _) => c.0 += 1,
                (Outcome::NotVerified { skipped: true, .. }, _) => {}
                (Outcome::NotVerified { skipped: false, .. }, _) => c.3 += 1,
                (_, true) => c.2 += 1,
                (Outcome::Failed { .. }, false) => c.1 += 1,
                (Outcome::Error(_), false) => c.3 += 1,
            }
        }
        c
    }

    /// (not verified, skipped): interactions seam could not use, failing the
    /// run or listed as skipped (`--skip-unsupported`).
    pub fn unsupported(&self) -> (usize, usize) {
        self.results
            .iter()
            .fold((0, 0), |(n, s), r| match r.outcome {
                Outcome::NotVerified { skipped: false, .. } => (n + 1, s),
                Outcome::NotVerified { skipped: true, .. } => (n, s + 1),
                _ => (n, s),
            })
    }

    /// The terminal report: one line per interaction, then each failure with its
    /// mismatches (path, expected, actual, reason) and a curl command.
    pub fn to_text(&self, style: Style) -> String {
        let paint = |code: &str, s: &str| match style {
            Style::Color => format!("\x1b[{code}m{s}\x1b[0m"),
            Style::Plain => s.to_string(),
        };
        let mut out = format!(
            "Verifying {} against {}\n\n",
            plural(self.results.len()),
            self.provider_base_url
        );
        for r in &self.results {
            let (mark, failing) = r.mark();
            let color = match (failing, mark) {
                (true, _) => "31",
                (false, "PASS") => "32",
                _ => "33",
            };
            out.push_str(&format!("  {} {}\n", paint(color, mark), r.title()));
            for note in &r.notes {
                out.push_str(&format!("       note: {note}\n"));
            }
        }
        for r in self
            .results
            .iter()
            .filter(|r| !matches!(r.outcome, Outcome::Passed))
        {
            out.push_str(&format!(
                "\n{}{}\n",
                r.title(),
                if r.pending { " (pending)" } else { "" }
            ));
            out.push_str(&format!("  pact: {}\n", r.origin));
            match &r.outcome {
                Outcome::Failed { mismatches, curl } => {
                    for line in render_mismatches(mismatches, style).lines() {
                        out.push_str(&format!("  {line}\n"));
                    }
                    out.push_str(&format!("  reproduce: {curl}\n"));
                }
                Outcome::Error(e) => out.push_str(&format!("  error: {e}\n")),
                Outcome::NotVerified { reason, skipped } => out.push_str(&format!(
                    "  {}not verified: {reason}\n",
                    if *skipped { "skipped, " } else { "" }
                )),
                Outcome::Passed => {}
            }
        }
        let (passed, failed, pending, errors) = self.counts();
        let (not_verified, skipped) = self.unsupported();
        let mut unsupported = String::new();
        if not_verified > 0 {
            unsupported.push_str(&format!(
                " ({not_verified} not verified: seam cannot use them; --skip-unsupported lists them as skipped)"
            ));
        }
        if skipped > 0 {
            unsupported.push_str(&format!(", {skipped} skipped (not verified)"));
        }
        out.push_str(&format!(
            "\n{passed} passed, {failed} failed, {pending} pending, {errors} error(s){unsupported} in {:.2}s\n",
            self.duration.as_secs_f64()
        ));
        out
    }

    pub fn to_json(&self) -> Value {
        let (passed, failed, pending, errors) = self.counts();
        let (not_verified, skipped) = self.unsupported();
        let interactions: Vec<Value> = self
            .results
            .iter()
            .map(|r| {
                let mut v = json!({
                    "consumer": r.consumer,
                    "provider": r.provider,
                    "pact": r.origin,
                    "description": r.description,
                    "states": r.states,
                    "pending": r.pending,
                    "status": r.status(),
                    "durationMs": r.duration.as_secs_f64() * 1000.0,
                });
                match &r.outcome {
                    Outcome::Failed { mismatches, curl } => {
                        v["mismatches"] = Value::Array(
                            mismatches
                                .iter()
                                .map(|m| {
                                    // an absent side has no key (a `null` is a null)
                                    let mut o = json!({"part": m.part.name(), "path": m.path, "reason": m.reason});
                                    if let Some(e) = &m.expected {
                                        o["expected"] = e.clone();
                                    }
                                    if let Some(a) = &m.actual {
                                        o["actual"] = a.clone();
                                    }
                                    o
                                })
                                .collect(),
                        );
                        v["curl"] = json!(curl);
                    }
                    Outcome::Error(e) => v["error"] = json!(e),
                    Outcome::NotVerified { reason, .. } => v["notVerified"] = json!(reason),
                    Outcome::Passed => {}
                }
                if !r.notes.is_empty() {
                    v["notes"] = json!(r.notes);
                }
                v
            })
            .collect();
        json!({
            "provider": self.provider_base_url,
            "summary": {"total": self.results.len(), "passed": passed, "failed": failed,
                        "pending": pending, "errors": errors, "notVerified": not_verified,
                        "skipped": skipped},
            "interactions": interactions,
        })
    }

    /// JUnit test suites: one per pact, a case per interaction.
    pub fn junit_suites(&self) -> Vec<quick_junit::TestSuite> {
        use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
        let mut suites: Vec<TestSuite> = Vec::new();
        for r in &self.results {
            let name = format!("{} → {}", r.consumer, r.provider);
            if suites.last().is_none_or(|s| s.name.as_str() != name) {
                suites.push(TestSuite::new(name));
            }
            let status = match &r.outcome {
                Outcome::Passed => TestCaseStatus::success(),
                Outcome::NotVerified {
                    reason,
                    skipped: true,
                } => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!("skipped, not verified: {reason}"));
                    s
                }
                Outcome::NotVerified {
                    reason,
                    skipped: false,
                } => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(format!("not verified: {reason}"));
                    s
                }
                Outcome::Failed { .. } | Outcome::Error(_) if r.pending => {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message("pending: failure reported, not failing");
                    s
                }
                Outcome::Failed { mismatches, curl } => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(
                        mismatches
                            .iter()
                            .map(|m| format!("{}: {}", m.location(), m.reason))
                            .collect::<Vec<_>>()
                            .join("; "),
                    );
                    s.set_description(format!(
                        "{}\nreproduce: {curl}",
                        render_mismatches(mismatches, Style::Plain)
                    ));
                    s
                }
                Outcome::Error(e) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Error);
                    s.set_message(e.clone());
                    s
                }
            };
            let mut case = TestCase::new(r.title(), status);
            case.set_classname(r.origin.clone());
            if !r.notes.is_empty() {
                case.set_system_out(
                    r.notes
                        .iter()
                        .map(|n| format!("note: {n}\n"))
                        .collect::<String>(),
                );
            }
            case.set_time(r.duration);
            suites.last_mut().expect("pushed above").add_test_case(case);
        }
        suites
    }

    /// The interactions as HTML: each one a `<details>`, failed ones open with
    /// their mismatches (part, path, expected, actual, reason) and a curl command.
    pub fn html_fragment(&self) -> String {
        use seam_core::html::escape;
        let mut out = String::new();
        for r in &self.results {
            let (mark, failing) = r.mark();
            let (class, mark) = (if failing { "fail" } else { "pass" }, mark.trim_end());
            out.push_str(&format!(
                "<details class=\"{class}\"{}><summary><b>{mark}</b> {} <span class=\"t\">{:.0} ms</span></summary>\n",
                if class == "fail" { " open" } else { "" },
                escape(&r.title()),
                r.duration.as_secs_f64() * 1000.0
            ));
            out.push_str(&format!(
                "<p>pact: <code>{}</code></p>\n",
                escape(&r.origin)
            ));
            for note in &r.notes {
                out.push_str(&format!("<p>note: {}</p>\n", escape(note)));
            }
            match &r.outcome {
                Outcome::Failed { mismatches, curl } => {
                    out.push_str("<table><tr><th>where</th><th>expected</th><th>actual</th><th>reason</th></tr>\n");
                    for m in mismatches {
                        out.push_str(&format!(
                            "<tr class=\"ko\"><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>\n",
                            escape(&m.location()),
                            escape(&side(m.expected.as_ref())),
                            escape(&side(m.actual.as_ref())),
                            escape(&m.reason)
                        ));
                    }
                    out.push_str(&format!(
                        "</table>\n<pre class=\"curl\">{}</pre>\n",
                        escape(curl)
                    ));
                }
                Outcome::Error(e) => out.push_str(&format!("<pre>{}</pre>\n", escape(e))),
                Outcome::NotVerified { reason, skipped } => out.push_str(&format!(
                    "<p>{}not verified: {}</p>\n",
                    if *skipped { "skipped, " } else { "" },
                    escape(reason)
                )),
                Outcome::Passed => {}
            }
            out.push_str("</details>\n");
        }
        out
    }

    /// JUnit XML: one test suite per pact, one test case per interaction.
    pub fn to_junit(&self) -> String {
        let mut report = quick_junit::Report::new("seam verify");
        report.add_test_suites(self.junit_suites());
        report.to_string().unwrap_or_default()
    }
}

fn plural(n: usize) -> String {
    if n == 1 {
        "1 interaction".into()
    } else {
        format!("{n} interactions")
    }
}

/// A mismatch side in full, or [`seam_core::matching::ABSENT`].
fn side(v: Option<&Value>) -> String {
    v.map_or_else(|| seam_core::matching::ABSENT.to_string(), Value::to_string)
}
