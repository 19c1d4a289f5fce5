//! A scan's reports: the terminal summary (grouped by severity, then
//! operation), JSON, JUnit (a suite per OWASP category, a case per check),
//! SARIF (rules with OWASP tags and security-severity) and HTML.

use crate::check::{Check, Severity, OWASP};
use crate::finding::{Finding, Outcome};
use seam_core::html::escape;
use seam_fuzz::report::{sarif_location, sarif_log_of, split_location, tool_run};
use serde_json::{json, Value};
use std::fmt::Write as _;

pub const FORMATS: [&str; 4] = ["junit", "json", "html", "sarif"];

/// The file a format is written to in a report directory.
pub fn file_name(format: &str) -> String {
    match format {
        "junit" => "seam-scan-junit.xml".into(),
        "html" => "seam-scan.html".into(),
        "sarif" => "seam-scan.sarif".into(),
        other => format!("seam-scan.{other}"),
    }
}

/// A report in `format` (one of [`FORMATS`]).
pub fn render(format: &str, outcome: &Outcome, spec_path: &str, accepted: &[String]) -> String {
    match format {
        "junit" => junit(outcome, accepted),
        "sarif" => sarif(outcome, spec_path),
        "html" => seam_core::html::page("seam scan", &html_fragment(outcome, accepted)),
        _ => {
            serde_json::to_string_pretty(&to_json(outcome, spec_path, accepted)).unwrap_or_default()
                + "\n"
        }
    }
}

const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

/// What the terminal shows after a scan.
pub fn text(outcome: &Outcome, accepted: &[String]) -> String {
    let mut out = String::new();
    let new: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| !accepted.contains(&f.id))
        .collect();
    for severity in SEVERITIES {
        let of: Vec<&&Finding> = new.iter().filter(|f| f.severity == severity).collect();
        if of.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{} ({})", severity.name().to_uppercase(), of.len());
        let mut operation = "";
        for f in of {
            if f.operation != operation {
                operation = &f.operation;
                let _ = writeln!(out, "  {operation}");
            }
            let _ = writeln!(
                out,
                "    {} {} [{}]: {}",
                f.id,
                f.check.code(),
                owasp_short(f.check),
                f.message
            );
            let _ = writeln!(out, "      as {}: {}", f.identity, f.evidence);
            let _ = writeln!(out, "      {}", f.curl);
        }
    }
    let baselined = outcome.findings.len() - new.len();
    for note in &outcome.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if let Some(why) = &outcome.stopped {
        let _ = writeln!(out, "stopped early: {why}");
    }
    let counts: Vec<String> = SEVERITIES
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                new.iter().filter(|f| f.severity == *s).count(),
                s.name()
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "\n{} finding(s): {}{} — {} requests in {:.1} s as {}",
        new.len(),
        counts.join(", "),
        if baselined > 0 {
            format!(" ({baselined} in the baseline)")
        } else {
            String::new()
        },
        outcome.requests,
        outcome.elapsed.as_secs_f64(),
        if outcome.identities.is_empty() {
            "nobody".to_string()
        } else {
            outcome.identities.join(", ")
        }
    );
    out
}

/// `API1:2023`.
fn owasp_short(check: Check) -> &'static str {
    check.owasp().split(' ').next().unwrap_or("")
}

fn finding_json(f: &Finding, accepted: &[String]) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("title".into(), json!(f.check.title()));
        m.insert("baseline".into(), json!(accepted.contains(&f.id)));
        m.insert(
            "request".into(),
            json!({
                "method": f.request.method,
                "target": f.request.target,
                "headers": f.request.headers,
                "body": f.request.body_text(),
            }),
        );
        m.insert(
            "steps".into(),
            Value::Array(
                f.steps
                    .iter()
                    .map(|s| json!({"method": s.method, "target": s.target, "body": s.body_text()}))
                    .collect(),
            ),
        );
    }
    v
}

pub fn to_json(outcome: &Outcome, spec_path: &str, accepted: &[String]) -> Value {
    json!({
        "tool": "seam scan",
        "spec": spec_path,
        "baseUrl": outcome.base_url,
        "identities": outcome.identities,
        "requests": outcome.requests,
        "elapsedMs": outcome.elapsed.as_millis() as u64,
        "stopped": outcome.stopped,
        "notes": outcome.notes,
        "probes": outcome.probes.iter().map(|(c, n)| json!({"check": c.code(), "requests": n})).collect::<Vec<_>>(),
        "summary": SEVERITIES.iter().map(|s| (s.name().to_string(), json!(outcome.count(*s)))).collect::<serde_json::Map<_, _>>(),
        "findings": outcome.findings.iter().map(|f| finding_json(f, accepted)).collect::<Vec<_>>(),
    })
}

fn junit(outcome: &Outcome, accepted: &[String]) -> String {
    let mut report = quick_junit::Report::new("seam scan");
    report.add_test_suites(junit_suites(outcome, accepted));
    report.to_string().unwrap_or_default()
}

/// A suite per OWASP category, a case per check that probed: failed when a
/// finding of it is not in the baseline.
pub fn junit_suites(outcome: &Outcome, accepted: &[String]) -> Vec<quick_junit::TestSuite> {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut suites = Vec::new();
    for category in OWASP {
        let mut suite = TestSuite::new(format!("scan {category}"));
        for check in Check::ALL.iter().filter(|c| c.owasp() == category) {
            let failing: Vec<&Finding> = outcome
                .findings
                .iter()
                .filter(|f| f.check == *check && !accepted.contains(&f.id))
                .collect();
            let probed = outcome.probes.iter().any(|(c, _)| c == check);
            if !probed && failing.is_empty() {
                continue;
            }
            let status = match failing.first() {
                Some(first) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(format!("{}: {}", first.operation, first.message));
                    s.set_description(
                        failing
                            .iter()
                            .map(|f| {
                                format!(
                                    "{} {} {}\n{}\n{}",
                                    f.id, f.operation, f.message, f.evidence, f.curl
                                )
                            })
                            .collect::<Vec<_>>()
                            .join("\n\n"),
                    );
                    s
                }
                None => TestCaseStatus::success(),
            };
            suite.add_test_case(TestCase::new(check.code(), status));
        }
        if suite.test_cases.is_empty() {
            continue;
        }
        suites.push(suite);
    }
    suites
}

fn sarif(outcome: &Outcome, spec_path: &str) -> String {
    sarif_log_of(vec![sarif_run(outcome, spec_path)])
}

/// The SARIF run of a scan outcome: its checks as rules (with OWASP tags and
/// security severities), its findings as results at their operation.
pub fn sarif_run(outcome: &Outcome, spec_path: &str) -> Value {
    let mut used: Vec<Check> = outcome.findings.iter().map(|f| f.check).collect();
    used.sort();
    used.dedup();
    let rules: Vec<Value> = used
        .iter()
        .map(|c| {
            json!({
                "id": c.code(),
                "shortDescription": {"text": c.title()},
                "help": {"text": c.explain()},
                "defaultConfiguration": {"level": if c.severity() <= Severity::High { "error" } else { "warning" }},
                "properties": {
                    "security-severity": c.severity().score(),
                    "tags": ["security", format!("OWASP {}", c.owasp())],
                },
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let (file, line, col) = split_location(&f.location, spec_path);
            json!({
                "ruleId": f.check.code(),
                "level": if f.severity <= Severity::High { "error" } else { "warning" },
                "message": {"text": format!("{}: {} ({}) — reproduce: {}", f.operation, f.message, f.evidence, f.curl)},
                "partialFingerprints": {"seamFinding": f.id},
                "locations": [sarif_location(&file, line, col, &f.operation, "function")],
            })
        })
        .collect();
    tool_run("seam scan", rules, results)
}

/// The HTML report's body.
pub fn html_fragment(outcome: &Outcome, accepted: &[String]) -> String {
    let new = outcome
        .findings
        .iter()
        .filter(|f| !accepted.contains(&f.id))
        .count();
    let probed = outcome.probes.len();
    let failing_checks: std::collections::BTreeSet<Check> = outcome
        .findings
        .iter()
        .filter(|f| !accepted.contains(&f.id))
        .map(|f| f.check)
        .collect();
    let mut body = seam_core::html::summary(
        probed.saturating_sub(failing_checks.len()),
        new,
        &format!(
            "{} requests in {:.1} s against {} as {}",
            outcome.requests,
            outcome.elapsed.as_secs_f64(),
            escape(&outcome.base_url),
            escape(&outcome.identities.join(", "))
        ),
    );
    for severity in SEVERITIES {
        let of: Vec<&Finding> = outcome
            .findings
            .iter()
            .filter(|f| f.severity == severity)
            .collect();
        if of.is_empty() {
            continue;
        }
        let _ = write!(body, "<h2>{} ({})</h2>", severity.name(), of.len());
        for f in of {
            let _ = write!(
                body,
                "<details class=\"fail\"><summary><code>{}</code> <b>{}</b> {} — {}</summary>\
                 <p>{}</p><p>{}</p><p>as {}; {}</p><pre>{}</pre>{}</details>",
                escape(&f.id),
                escape(f.check.code()),
                escape(&f.operation),
                escape(&f.message),
                escape(f.owasp),
                escape(&f.evidence),
                escape(&f.identity),
                if accepted.contains(&f.id) {
                    "in the baseline"
                } else {
                    "new"
                },
                escape(&f.curl),
                f.answer
                    .as_ref()
                    .map(|a| format!("<p>answer {}</p><pre>{}</pre>", a.status, escape(&a.body)))
                    .unwrap_or_default(),
            );
        }
    }
    for note in &outcome.notes {
        let _ = write!(body, "<p>note: {}</p>", escape(note));
    }
    body
}
