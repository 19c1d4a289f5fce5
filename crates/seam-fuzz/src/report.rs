//! A run's reports: the terminal summary (findings grouped by operation and
//! check, each with its minimal request, answer excerpt, spec location and
//! curl line), JSON, NDJSON (one finding per line, then the totals), JUnit
//! (a test case per operation and check), SARIF 2.1.0, HTML and HAR (the
//! findings' requests and answers, for any HTTP tool to replay).

use crate::check::Check;
use crate::finding::{Finding, Outcome};
use seam_core::html::escape;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The formats `--report` takes.
pub const FORMATS: [&str; 6] = ["junit", "json", "ndjson", "html", "sarif", "har"];

/// The file name a format is written to in `--report-dir`.
pub fn file_name(format: &str) -> String {
    match format {
        "junit" => "fuzz-junit.xml".into(),
        other => format!("fuzz.{other}"),
    }
}

/// A report in `format` (one of [`FORMATS`]); `accepted`: finding ids in the
/// baseline (they do not fail a JUnit test case).
pub fn render(format: &str, outcome: &Outcome, spec_path: &str, accepted: &[String]) -> String {
    match format {
        "junit" => junit(outcome, accepted),
        "json" => {
            serde_json::to_string_pretty(&to_json(outcome, spec_path)).unwrap_or_default() + "\n"
        }
        "ndjson" => ndjson(outcome, spec_path),
        "html" => seam_core::html::page("seam fuzz", &html_fragment(outcome, spec_path)),
        "sarif" => sarif(outcome, spec_path),
        "har" => serde_json::to_string_pretty(&har(outcome)).unwrap_or_default() + "\n",
        _ => String::new(),
    }
}

fn by_operation(outcome: &Outcome) -> BTreeMap<(usize, &str), Vec<&Finding>> {
    let mut groups: BTreeMap<(usize, &str), Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        groups
            .entry((f.operation_index, f.operation.as_str()))
            .or_default()
            .push(f);
    }
    groups
}

/// The terminal summary.
pub fn text(outcome: &Outcome, accepted: &[String]) -> String {
    let mut out = String::new();
    for ((_, operation), findings) in by_operation(outcome) {
        let _ = writeln!(out, "\n{operation}");
        for f in findings {
            let tags = [
                f.flaky.then_some("flaky"),
                accepted.contains(&f.id).then_some("in the baseline"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" ({})", tags.join(", "))
            };
            let _ = writeln!(
                out,
                "  {} [{}]{tags} {}",
                f.id,
                f.check.code(),
                f.check.title()
            );
            let _ = writeln!(out, "    {}", f.message);
            if let Some(m) = &f.mutation {
                let _ = writeln!(out, "    sent: {m}");
            }
            if let Some(a) = &f.answer {
                let body: String = a.body.split_whitespace().collect::<Vec<_>>().join(" ");
                let body = if body.chars().count() > 200 {
                    format!("{}…", body.chars().take(200).collect::<String>())
                } else {
                    body
                };
                let _ = writeln!(out, "    answer: {} {body}", a.status);
            }
            let _ = writeln!(out, "    spec: {} ({})", f.spec_location, f.pointer);
            for s in &f.steps {
                let _ = writeln!(out, "    after: {} {}", s.method, s.target);
            }
            let _ = writeln!(out, "    reproduce: {}", f.curl);
        }
    }
    let confirmed = outcome
        .confirmed()
        .filter(|f| !accepted.contains(&f.id))
        .count();
    let flaky = outcome.findings.iter().filter(|f| f.flaky).count();
    let baseline = outcome
        .findings
        .iter()
        .filter(|f| accepted.contains(&f.id))
        .count();
    for n in &outcome.notes {
        let _ = writeln!(out, "\nnote: {n}");
    }
    let _ = writeln!(
        out,
        "\n{} operations, {} requests in {:.1} s ({:.0}/s), seed {}{}",
        outcome.operations.len(),
        outcome.requests,
        outcome.elapsed.as_secs_f64(),
        outcome.rate(),
        outcome.seed,
        if outcome.stopped_by_time {
            "; stopped at --max-time"
        } else {
            ""
        }
    );
    let mut counts: BTreeMap<Check, usize> = BTreeMap::new();
    for f in outcome.confirmed().filter(|f| !accepted.contains(&f.id)) {
        *counts.entry(f.check).or_default() += 1;
    }
    let by_check = counts
        .iter()
        .map(|(c, n)| format!("{n} {}", c.code()))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(
        out,
        "{confirmed} finding(s){}{}{}",
        if by_check.is_empty() {
            String::new()
        } else {
            format!(": {by_check}")
        },
        if flaky > 0 {
            format!("; {flaky} flaky")
        } else {
            String::new()
        },
        if baseline > 0 {
            format!("; {baseline} in the baseline")
        } else {
            String::new()
        },
    );
    out
}

fn finding_json(f: &Finding) -> Value {
    let mut v = serde_json::to_value(f).unwrap_or(Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("title".into(), json!(f.check.title()));
        o.insert(
            "request".into(),
            json!({
                "method": f.request.method,
                "target": f.request.target,
                "headers": f.request.headers,
                "body": f.request.body_text(),
            }),
        );
    }
    v
}

fn totals(outcome: &Outcome, spec_path: &str) -> Value {
    json!({
        "spec": spec_path,
        "base_url": outcome.base_url,
        "seed": outcome.seed,
        "phases": outcome.phases,
        "requests": outcome.requests,
        "elapsed_ms": outcome.elapsed.as_millis() as u64,
        "stopped_by_time": outcome.stopped_by_time,
        "max_response_time_ms": outcome.max_response_time.map(|d| d.as_millis() as u64),
        "request_timeout_ms": outcome.request_timeout.as_millis() as u64,
        "findings": outcome.confirmed().count(),
        "flaky": outcome.findings.iter().filter(|f| f.flaky).count(),
        "notes": outcome.notes,
    })
}

/// The JSON report: totals, operations and findings.
pub fn to_json(outcome: &Outcome, spec_path: &str) -> Value {
    let mut v = totals(outcome, spec_path);
    v["operations"] = serde_json::to_value(&outcome.operations).unwrap_or(Value::Null);
    v["findings"] = Value::Array(outcome.findings.iter().map(finding_json).collect());
    v["summary"] = json!({
        "findings": outcome.confirmed().count(),
        "flaky": outcome.findings.iter().filter(|f| f.flaky).count(),
    });
    v
}

fn ndjson(outcome: &Outcome, spec_path: &str) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let mut v = finding_json(f);
        v["type"] = json!("finding");
        out.push_str(&v.to_string());
        out.push('\n');
    }
    let mut t = totals(outcome, spec_path);
    t["type"] = json!("summary");
    out.push_str(&t.to_string());
    out.push('\n');
    out
}

fn junit(outcome: &Outcome, accepted: &[String]) -> String {
    let mut report = quick_junit::Report::new("seam fuzz");
    report.add_test_suites(junit_suites(outcome, accepted));
    report.to_string().unwrap_or_default()
}

/// A JUnit suite per operation, a test case per check: failed when a
/// confirmed finding of that check is not in the baseline.
pub fn junit_suites(outcome: &Outcome, accepted: &[String]) -> Vec<quick_junit::TestSuite> {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut suites = Vec::new();
    for stats in &outcome.operations {
        let mut suite = TestSuite::new(format!("fuzz {}", stats.operation));
        for check in Check::ALL {
            let of_check: Vec<&Finding> = outcome
                .findings
                .iter()
                .filter(|f| f.operation == stats.operation && f.check == check)
                .collect();
            let failing: Vec<&&Finding> = of_check
                .iter()
                .filter(|f| !f.flaky && !accepted.contains(&f.id))
                .collect();
            let status = match failing.first() {
                Some(first) => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(first.message.as_str());
                    s.set_description(
                        failing
                            .iter()
                            .map(|f| format!("{} {}\n{}", f.id, f.message, f.curl))
                            .collect::<Vec<_>>()
                            .join("\n\n"),
                    );
                    s
                }
                None => TestCaseStatus::success(),
            };
            suite.add_test_case(TestCase::new(check.code(), status));
        }
        suites.push(suite);
    }
    suites
}

fn sarif(outcome: &Outcome, spec_path: &str) -> String {
    sarif_log_of(vec![sarif_run(outcome, spec_path)])
}

/// The SARIF run of a fuzz outcome: its checks as rules, its findings as
/// results at their place in the spec.
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
                "defaultConfiguration": {"level": "error"},
            })
        })
        .collect();
    let results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let (file, line, col) = split_location(&f.spec_location, spec_path);
            json!({
                "ruleId": f.check.code(),
                "level": if f.flaky { "warning" } else { "error" },
                "message": {"text": format!("{}: {} (reproduce: {})", f.operation, f.message, f.curl)},
                "partialFingerprints": {"seamFinding": f.id},
                "locations": [sarif_location(&file, line, col, &f.pointer, "object")],
            })
        })
        .collect();
    tool_run("seam fuzz", rules, results)
}

/// One SARIF run of `tool` (`seam fuzz`, `seam scan`).
pub fn tool_run(tool: &str, rules: Vec<Value>, results: Vec<Value>) -> Value {
    json!({
        "tool": {"driver": {"name": tool, "informationUri": "https://github.com/seamline/seamline", "rules": rules}},
        "results": results,
    })
}

/// A SARIF 2.1.0 log of these runs.
pub fn sarif_log_of(runs: Vec<Value>) -> String {
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    });
    serde_json::to_string_pretty(&log).unwrap_or_default() + "\n"
}

/// A SARIF location: a place in the spec file, and the logical name of what
/// is there (a JSON pointer, an operation) with its kind.
pub fn sarif_location(file: &str, line: u64, col: u64, name: &str, kind: &str) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": file},
            "region": {"startLine": line, "startColumn": col},
        },
        "logicalLocations": [{"fullyQualifiedName": name, "kind": kind}],
    })
}

/// `file:line:col` split, the spec's path and line 1 where not known.
pub fn split_location(location: &str, spec_path: &str) -> (String, u64, u64) {
    let mut parts = location.rsplitn(3, ':');
    let col = parts.next().and_then(|c| c.parse().ok());
    let line = parts.next().and_then(|l| l.parse().ok());
    match (line, col, parts.next()) {
        (Some(line), Some(col), Some(file)) => (file.to_string(), line, col),
        _ => (
            if location.is_empty() {
                spec_path.to_string()
            } else {
                location.to_string()
            },
            1,
            1,
        ),
    }
}

/// The HTML report's body (for a page of its own, or a section of `seam ci`'s).
pub fn html_fragment(outcome: &Outcome, spec_path: &str) -> String {
    let confirmed = outcome.confirmed().count();
    let mut body = seam_core::html::summary(
        outcome.operations.len().saturating_sub(
            outcome
                .operations
                .iter()
                .filter(|o| {
                    outcome
                        .findings
                        .iter()
                        .any(|f| f.operation == o.operation && !f.flaky)
                })
                .count(),
        ),
        confirmed,
        &format!(
            "{} requests in {:.1} s against {}; spec {}; seed {}",
            outcome.requests,
            outcome.elapsed.as_secs_f64(),
            escape(&outcome.base_url),
            escape(spec_path),
            outcome.seed
        ),
    );
    for ((_, operation), findings) in by_operation(outcome) {
        let _ = write!(body, "<h2>{}</h2>", escape(operation));
        for f in findings {
            let _ = write!(
                body,
                "<details class=\"fail\"><summary><code>{}</code> <b>{}</b>{} {}</summary>\
                 <p>{}</p>{}<p>spec: <code>{}</code> ({})</p><pre>{}</pre>{}</details>",
                escape(&f.id),
                escape(f.check.code()),
                if f.flaky { " (flaky)" } else { "" },
                escape(f.check.title()),
                escape(&f.message),
                f.mutation
                    .as_deref()
                    .map(|m| format!("<p>sent: {}</p>", escape(m)))
                    .unwrap_or_default(),
                escape(&f.spec_location),
                escape(&f.pointer),
                escape(&f.curl),
                f.answer
                    .as_ref()
                    .map(|a| format!("<p>answer {}</p><pre>{}</pre>", a.status, escape(&a.body)))
                    .unwrap_or_default(),
            );
        }
    }
    let _ = write!(body, "<h2>Requests per operation</h2><table><tr><th>operation</th><th>requests</th><th>statuses</th></tr>");
    for o in &outcome.operations {
        let statuses = o
            .statuses
            .iter()
            .map(|(s, n)| format!("{s}: {n}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(&o.operation),
            o.requests,
            escape(&statuses)
        );
    }
    body.push_str("</table>");
    body
}

fn har(outcome: &Outcome) -> Value {
    let entries: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| {
            let url = format!("{}{}", outcome.base_url.trim_end_matches('/'), f.request.target);
            let headers: Vec<Value> = f
                .request
                .headers
                .iter()
                .map(|(n, v)| json!({"name": n, "value": seam_core::reproduce::shown_header_value(n, v)}))
                .collect();
            let mime = f
                .request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let mut request = json!({
                "method": f.request.method,
                "url": url,
                "httpVersion": "HTTP/1.1",
                "headers": headers,
                "queryString": [],
                "cookies": [],
                "headersSize": -1,
                "bodySize": f.request.body.len(),
            });
            if !f.request.body.is_empty() {
                request["postData"] = json!({"mimeType": mime, "text": f.request.body_text()});
            }
            let response = match &f.answer {
                Some(a) => json!({
                    "status": a.status,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "headers": a.headers.iter().map(|(n, v)| json!({"name": n, "value": v})).collect::<Vec<_>>(),
                    "cookies": [],
                    "content": {"size": a.body.len(), "mimeType": a.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-type")).map(|(_, v)| v.clone()).unwrap_or_default(), "text": a.body},
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": a.body.len(),
                }),
                None => json!({"status": 0, "statusText": f.failure.clone().unwrap_or_default(), "httpVersion": "HTTP/1.1", "headers": [], "cookies": [], "content": {"size": 0, "mimeType": ""}, "redirectURL": "", "headersSize": -1, "bodySize": -1}),
            };
            json!({
                "startedDateTime": "1970-01-01T00:00:00Z",
                "time": f.answer.as_ref().map(|a| a.elapsed_ms).unwrap_or(0),
                "request": request,
                "response": response,
                "cache": {},
                "timings": {"send": 0, "wait": f.answer.as_ref().map(|a| a.elapsed_ms).unwrap_or(0), "receive": 0},
                "comment": format!("{} {}: {}", f.id, f.check.code(), f.message),
            })
        })
        .collect();
    json!({"log": {"version": "1.2", "creator": {"name": "seam fuzz", "version": env!("CARGO_PKG_VERSION")}, "entries": entries}})
}
