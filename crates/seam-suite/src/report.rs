//! Run reports, with the same method names as the verifier's report: the
//! terminal report (each failure with step, request, response excerpt, the
//! failed assertions and a curl command), JUnit XML, JSON and HTML.

use crate::run::{StepOutcome, TestResult};
use seam_core::html::{self, escape};
use seam_core::render::Style;
use serde_json::{json, Value};

/// The results of a run, as every report shows them.
#[derive(Debug, Clone, Copy)]
pub struct SuiteReport<'a> {
    /// The tests, in file order.
    pub results: &'a [TestResult],
}

impl SuiteReport<'_> {
    /// (passed, failed) tests.
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.results.iter().filter(|r| r.passed()).count();
        (passed, self.results.len() - passed)
    }

    /// The whole terminal report: status lines, then failures and the summary.
    pub fn to_text(&self, style: Style) -> String {
        let results = self.results;
        let mut out: String = results
            .iter()
            .map(|r| status_line(r, style) + "\n")
            .collect();
        out.push_str(&failures_and_summary(results));
        out
    }

    /// JSON: `{"summary": {"total", "passed", "failed"}, "tests": [{"suite", "file",
    /// "name", "passed", "durationMs", "skippedSteps", "steps": [{"name", "method",
    /// "url", "status", "outcome": "passed"|"failed"|"error", "failures": [{"what", "at"
    /// "expected", "actual", "reason"}], "error", "curl", "durationMs"}]}]}`.
    pub fn to_json(&self) -> Value {
        let results = self.results;
        let (passed, failed) = self.counts();
        let tests: Vec<Value> = results
            .iter()
            .map(|r| {
                let steps: Vec<Value> = r
                    .steps
                    .iter()
                    .map(|s| {
                        let mut v = json!({"name": s.name, "method": s.method, "url": s.url, "status": s.status,
                                           "curl": s.curl, "durationMs": s.duration.as_secs_f64() * 1000.0});
                        match &s.outcome {
                            StepOutcome::Passed => v["outcome"] = json!("passed"),
                            StepOutcome::Failed(f) => {
                                v["outcome"] = json!("failed");
                                v["failures"] = f.iter().map(|f| failure_json(s, f)).collect();
                            }
                            StepOutcome::Error(e) => {
                                v["outcome"] = json!("error");
                                v["error"] = json!(e);
                            }
                        }
                        v
                    })
                    .collect();
                json!({"suite": r.suite, "file": r.file, "name": r.name, "passed": r.passed(),
                       "durationMs": r.duration.as_secs_f64() * 1000.0, "skippedSteps": r.skipped_steps, "steps": steps})
            })
            .collect();
        json!({"summary": {"total": results.len(), "passed": passed, "failed": failed}, "tests": tests})
    }

    /// JUnit XML: a suite per file, a case per test.
    pub fn to_junit(&self) -> String {
        let mut report = quick_junit::Report::new("seam test");
        report.add_test_suites(self.junit_suites());
        report.to_string().unwrap_or_default()
    }

    /// JUnit test suites: one per suite file, a case per test.
    pub fn junit_suites(&self) -> Vec<quick_junit::TestSuite> {
        use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
        let mut suites: Vec<TestSuite> = Vec::new();
        for r in self.results {
            if suites.last().is_none_or(|s| s.name.as_str() != r.suite) {
                suites.push(TestSuite::new(r.suite.clone()));
            }
            let status = if r.passed() {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_description(
                    SuiteReport {
                        results: std::slice::from_ref(r),
                    }
                    .to_text(Style::Plain),
                );
                s
            };
            let mut case = TestCase::new(r.name.clone(), status);
            case.set_classname(r.file.clone());
            case.set_time(r.duration);
            suites.last_mut().expect("pushed above").add_test_case(case);
        }
        suites
    }

    /// The tests as HTML: each one a `<details>`, failed ones open, with steps,
    /// failed assertions, response excerpts and curl commands.
    pub fn html_fragment(&self) -> String {
        let results = self.results;
        let mut body = String::new();
        for r in results {
            let ok = r.passed();
            body.push_str(&format!(
                "<details class=\"{}\"{}><summary><b>{}</b> {} › {} <span class=\"t\">{:.0} ms</span></summary>\n<ol>\n",
                if ok { "pass" } else { "fail" },
                if ok { "" } else { " open" },
                if ok { "PASS" } else { "FAIL" },
                escape(&r.suite),
                escape(&r.name),
                r.duration.as_secs_f64() * 1000.0
            ));
            for s in &r.steps {
                let (class, detail) = match &s.outcome {
                    StepOutcome::Passed => ("pass", String::new()),
                    StepOutcome::Failed(f) => (
                        "fail",
                        f.iter()
                            .map(|f| {
                                let place = s
                                    .place(f)
                                    .map(|p| format!(" <span class=\"t\">{}</span>", escape(&p)))
                                    .unwrap_or_default();
                                format!(
                                    "<li><code>{}</code>: {}{place}</li>",
                                    escape(&f.what),
                                    escape(&f.reason)
                                )
                            })
                            .collect::<String>(),
                    ),
                    StepOutcome::Error(e) => ("fail", format!("<li>{}</li>", escape(e))),
                };
                body.push_str(&format!(
                    "<li class=\"{class}\">{} <code>{} {}</code>{}",
                    escape(&s.name),
                    escape(&s.method),
                    escape(&s.url),
                    s.status.map(|st| format!(" → {st}")).unwrap_or_default()
                ));
                if class == "fail" {
                    body.push_str(&format!("<ul>{detail}</ul>"));
                    if !s.response_excerpt.is_empty() {
                        body.push_str(&format!("<pre>{}</pre>", escape(&s.response_excerpt)));
                    }
                    if !s.curl.is_empty() {
                        body.push_str(&format!("<pre class=\"curl\">{}</pre>", escape(&s.curl)));
                    }
                }
                body.push_str("</li>\n");
            }
            if r.skipped_steps > 0 {
                body.push_str(&format!(
                    "<li class=\"skip\">{} later step(s) skipped</li>\n",
                    r.skipped_steps
                ));
            }
            body.push_str("</ol></details>\n");
        }
        body
    }

    /// One self-contained HTML page (no scripts or assets to fetch): a summary, then
    /// each test, failed ones open, with steps, failed assertions, response excerpts
    /// and curl commands.
    pub fn to_html(&self) -> String {
        let results = self.results;
        let (passed, failed) = self.counts();
        let body = html::summary(passed, failed, &format!("{} test(s)", results.len()))
            + &self.html_fragment();
        html::page(
            &format!("seam test: {passed} passed, {failed} failed"),
            &body,
        )
    }
}

/// The one-line status of a test (`PASS suite › test (2 step(s), 12 ms)`).
pub fn status_line(r: &TestResult, style: Style) -> String {
    let mark = if r.passed() {
        style.paint("32", "PASS")
    } else {
        style.paint("31", "FAIL")
    };
    format!(
        "{mark} {} › {} ({} step(s), {:.0} ms)",
        r.suite,
        r.name,
        r.steps.len(),
        r.duration.as_secs_f64() * 1000.0
    )
}

/// Each failed test with its failing step, request, response excerpt, failed
/// assertions and a curl command; then the summary.
fn failures_and_summary(results: &[TestResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| !r.passed()) {
        out.push_str(&format!("\n{} › {}  ({})\n", r.suite, r.name, r.file));
        for s in r
            .steps
            .iter()
            .filter(|s| !matches!(s.outcome, StepOutcome::Passed))
        {
            out.push_str(&format!("  step \"{}\": {} {}\n", s.name, s.method, s.url));
            match &s.outcome {
                StepOutcome::Failed(failures) => {
                    for (i, f) in failures.iter().enumerate() {
                        let place = s.place(f).map(|p| format!("{p}: ")).unwrap_or_default();
                        out.push_str(&format!("    {}) {place}{}: {}\n", i + 1, f.what, f.reason));
                    }
                    if let Some(st) = s.status {
                        out.push_str(&format!("    response: {st} {}\n", s.response_excerpt));
                    }
                }
                StepOutcome::Error(e) => out.push_str(&format!("    error: {e}\n")),
                StepOutcome::Passed => {}
            }
            if !s.curl.is_empty() {
                out.push_str(&format!("    reproduce: {}\n", s.curl));
            }
        }
        if r.skipped_steps > 0 {
            out.push_str(&format!("  ({} later step(s) skipped)\n", r.skipped_steps));
        }
    }
    let (passed, failed) = SuiteReport { results }.counts();
    out.push_str(&format!("\n{passed} passed, {failed} failed\n"));
    out
}

/// A failure in the JSON report: `expected`/`actual` are left out when nothing
/// was expected or nothing was there, so a real `null` stays distinguishable.
fn failure_json(step: &crate::run::StepResult, f: &crate::check::Failure) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("what".into(), json!(f.what));
    if let Some(place) = step.place(f) {
        o.insert("at".into(), json!(place));
    }
    if let Some(e) = &f.expected {
        o.insert("expected".into(), e.clone());
    }
    if let Some(a) = &f.actual {
        o.insert("actual".into(), a.clone());
    }
    o.insert("reason".into(), json!(f.reason));
    Value::Object(o)
}
