//! `seam fuzz replay`: a reported finding's steps and request sent again, and
//! its check applied to the new answer, so "fixed" means the check passes
//! (the response schema is met, the status is declared), not merely that
//! another status came back. The spec is the one the JSON report names.

use crate::check::Check;
use crate::finding::Answer;
use crate::run::conformance;
use serde_json::Value;
use std::time::{Duration, Instant};

/// What replaying a finding gave.
#[derive(Debug, Clone)]
pub struct Replayed {
    /// Each earlier step: `METHOD target` and its status (or the failure).
    pub steps: Vec<(String, String)>,
    /// The answer to the finding's request, or why there was none.
    pub answer: Result<Answer, String>,
    pub check: Check,
    pub still_failing: bool,
    /// Why it still fails, or that it passes now.
    pub reason: String,
}

/// Finds the finding `id` in a `seam fuzz` JSON report.
pub fn find<'r>(report: &'r Value, id: &str) -> Result<&'r Value, String> {
    let findings = report["findings"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    findings.iter().find(|f| f["id"] == id).ok_or_else(|| {
        let ids: Vec<&str> = findings.iter().filter_map(|f| f["id"].as_str()).collect();
        format!(
            "no finding `{id}`{} ({} finding(s) in the report)",
            seam_core::source::did_you_mean(id, ids.iter().copied()),
            ids.len()
        )
    })
}

/// Sends `finding`'s steps and request to `base_url` and applies its check.
pub async fn replay(report: &Value, finding: &Value, base_url: &str) -> Result<Replayed, String> {
    let check = finding["check"]
        .as_str()
        .and_then(Check::from_code)
        .ok_or("the finding names no check this seam knows")?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(
            (report["request_timeout_ms"].as_u64().unwrap_or(10_000) / 1000).max(1),
        ))
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let mut steps = Vec::new();
    for step in finding["steps"].as_array().into_iter().flatten() {
        let label = format!(
            "{} {}",
            step["method"].as_str().unwrap_or(""),
            step["target"].as_str().unwrap_or("")
        );
        let outcome = match send(&client, base_url, step).await {
            Ok(a) => a.status.to_string(),
            Err(e) => e,
        };
        steps.push((label, outcome));
    }
    let answer = send(&client, base_url, &finding["request"]).await;
    let (still_failing, reason) = judge(report, finding, check, &answer);
    Ok(Replayed {
        steps,
        answer,
        check,
        still_failing,
        reason,
    })
}

async fn send(client: &reqwest::Client, base: &str, req: &Value) -> Result<Answer, String> {
    let method = req["method"].as_str().unwrap_or("GET");
    let url = format!(
        "{}{}",
        base.trim_end_matches('/'),
        req["target"].as_str().unwrap_or("/")
    );
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut r = client.request(method, &url);
    for h in req["headers"].as_array().into_iter().flatten() {
        if let (Some(n), Some(v)) = (h[0].as_str(), h[1].as_str()) {
            r = r.header(n, v);
        }
    }
    if let Some(body) = req["body"].as_str().filter(|b| !b.is_empty()) {
        r = r.body(body.to_string());
    }
    let started = Instant::now();
    let res = r.send().await.map_err(|e| {
        format!(
            "no answer: {}",
            seam_core::reproduce::network_error_text(&e)
        )
    })?;
    let status = res.status().as_u16();
    let headers = crate::finding::header_pairs(res.headers());
    let body = res.bytes().await.map_err(|e| e.to_string())?.to_vec();
    Ok(Answer {
        status,
        headers,
        body,
        elapsed: started.elapsed(),
    })
}

fn judge(
    report: &Value,
    finding: &Value,
    check: Check,
    answer: &Result<Answer, String>,
) -> (bool, String) {
    let a = match answer {
        Ok(a) => a,
        Err(e) => return (true, e.clone()),
    };
    let status = a.status;
    let recorded = finding["answer"]["status"].as_u64();
    let verdict = |failing: bool, why: String| (failing, why);
    match check {
        Check::ServerError => verdict(status >= 500, format!("answered {status}")),
        Check::InvalidAccepted | Check::MissingHeaderAccepted => verdict(
            (200..400).contains(&status),
            format!("answered {status} to a request the spec forbids"),
        ),
        Check::ValidRejected => verdict(
            matches!(status, 400 | 405 | 406 | 413 | 415 | 422),
            format!("answered {status} to a request the spec allows"),
        ),
        Check::MethodNotAllowed => verdict(
            status != 405 || a.header("allow").is_none(),
            format!(
                "answered {status}{}",
                if a.header("allow").is_some() {
                    " with Allow"
                } else {
                    " without Allow"
                }
            ),
        ),
        Check::UseAfterDelete => verdict(
            (200..300).contains(&status),
            format!("the deleted resource answers {status}"),
        ),
        Check::CreatedNotFound => verdict(
            matches!(status, 404 | 410),
            format!("the created resource answers {status}"),
        ),
        Check::ResponseTime => {
            let limit = report["max_response_time_ms"].as_u64();
            let ms = a.elapsed.as_millis() as u64;
            match limit {
                Some(l) => verdict(ms > l, format!("answered in {ms} ms (threshold {l} ms)")),
                None => verdict(
                    true,
                    format!("answered in {ms} ms (the report has no threshold)"),
                ),
            }
        }
        Check::UndocumentedStatus
        | Check::ContentType
        | Check::ResponseHeaders
        | Check::ResponseSchema => match spec_operation(report, finding) {
            Some((spec, index)) => {
                let schemas = match seam_openapi::schema::Schemas::compile(&spec) {
                    Ok(s) => s,
                    Err(_) => {
                        return by_status(recorded, status, "the spec's schemas do not compile")
                    }
                };
                let op = &spec.operations[index];
                let found: Vec<String> = conformance(&spec, &schemas, op, a)
                    .into_iter()
                    .filter(|c| c.check == check)
                    .map(|c| c.message)
                    .collect();
                if found.is_empty() {
                    (false, format!("answered {status}, which meets the spec"))
                } else {
                    (true, found.join("; "))
                }
            }
            None => by_status(
                recorded,
                status,
                "the spec the report names could not be read",
            ),
        },
        // the before/after comparison needs the whole sequence: the status decides
        Check::FailedWriteChangedState => {
            by_status(recorded, status, "the check needs the whole sequence")
        }
    }
}

/// Still failing when the status is the one recorded; `why` says why only
/// the status is compared.
fn by_status(recorded: Option<u64>, status: u16, why: &str) -> (bool, String) {
    let same = recorded == Some(u64::from(status));
    let was = match recorded {
        Some(r) if same => format!(", as when found ({r})"),
        Some(r) => format!(", not {r} as when found"),
        None => String::new(),
    };
    (
        same,
        format!("answered {status}{was} (compared by status: {why})"),
    )
}

/// The spec the report names and the finding's operation in it.
fn spec_operation(report: &Value, finding: &Value) -> Option<(seam_openapi::Spec, usize)> {
    let path = report["spec"].as_str()?;
    let spec = seam_openapi::load::load(std::path::Path::new(path)).ok()?;
    let label = finding["operation"].as_str()?;
    let index = spec.operations.iter().position(|o| o.label() == label)?;
    Some((spec, index))
}
