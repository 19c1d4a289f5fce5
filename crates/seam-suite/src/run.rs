//! Running suites: tests in parallel (`jobs` at a time), steps in order; a
//! failing step stops its test; network errors are reported per step while the
//! run goes on.

use crate::check::{check, excerpt, select, Failure, Received};
use crate::model::{StepSpec, TestSpec};
use crate::vars::{interpolate, interpolate_json, Vars};
use crate::Suite;
use seam_core::http::Headers;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Run settings.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Tests at a time.
    pub jobs: usize,
    /// Only tests with one of these tags (all when empty).
    pub tags: Vec<String>,
    /// `--var k=v`: override suite variables.
    pub vars: Vars,
    pub timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            tags: Vec::new(),
            vars: Vars::new(),
            timeout: Duration::from_secs(30),
        }
    }
}

/// How a step went.
#[derive(Debug, Clone)]
pub enum StepOutcome {
    Passed,
    /// Assertions or captures failed.
    Failed(Vec<Failure>),
    /// The request could not be made or the step is malformed.
    Error(String),
}

/// One executed step.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub name: String,
    pub method: String,
    pub url: String,
    pub outcome: StepOutcome,
    pub status: Option<u16>,
    pub response_excerpt: String,
    pub curl: String,
    pub duration: Duration,
}

/// One executed test.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub suite: String,
    pub file: String,
    pub name: String,
    pub steps: Vec<StepResult>,
    /// Steps not run because an earlier one failed.
    pub skipped_steps: usize,
    pub duration: Duration,
}

impl TestResult {
    pub fn passed(&self) -> bool {
        self.steps
            .iter()
            .all(|s| matches!(s.outcome, StepOutcome::Passed))
    }
}

fn network_error(e: &reqwest::Error, url: &str) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        let text = format!("{e:?}").to_lowercase();
        if text.contains("dns") || text.contains("resolve") {
            "DNS lookup failed"
        } else if text.contains("certificate") || text.contains("tls") {
            "TLS handshake failed"
        } else {
            "connection refused"
        }
    } else {
        "request failed"
    };
    format!("{kind}: {url}: {e}")
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

struct Prepared {
    method: reqwest::Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Option<&'static str>)>,
}

fn prepare(step: &StepSpec, base: Option<&str>, vars: &Vars) -> Result<Prepared, String> {
    let r = &step.request;
    let path = interpolate(&r.path, vars)?;
    let mut url = if path.starts_with("http://") || path.starts_with("https://") {
        path
    } else {
        let base = base.ok_or("the suite has no baseUrl and the path is not a full URL")?;
        format!("{}{}", base.trim_end_matches('/'), path)
    };
    if !r.query.is_empty() {
        let mut q = seam_core::http::Query::new();
        for (k, v) in &r.query {
            q.append(k.clone(), text(&interpolate_json(v, vars)?));
        }
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&q.to_query_string());
    }
    let mut headers = Vec::new();
    for (k, v) in &r.headers {
        headers.push((k.clone(), text(&interpolate_json(v, vars)?)));
    }
    let body = match (&r.json, &r.body, &r.form) {
        (Some(j), None, None) => Some((
            interpolate_json(j, vars)?.to_string(),
            Some("application/json"),
        )),
        (None, Some(b), None) => Some((interpolate(b, vars)?, None)),
        (None, None, Some(f)) => {
            let mut q = seam_core::http::Query::new();
            for (k, v) in f {
                q.append(k.clone(), text(&interpolate_json(v, vars)?));
            }
            Some((
                q.to_query_string(),
                Some("application/x-www-form-urlencoded"),
            ))
        }
        (None, None, None) => None,
        _ => return Err("give at most one of json, body and form".into()),
    };
    let method = reqwest::Method::from_bytes(r.method.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("invalid method `{}`", r.method))?;
    Ok(Prepared {
        method,
        url,
        headers,
        body,
    })
}

fn text(v: &Value) -> String {
    seam_core::matching::scalar_text(v).unwrap_or_else(|| v.to_string())
}

impl Prepared {
    fn curl(&self) -> String {
        let mut cmd = format!("curl -X {} {}", self.method, quote(&self.url));
        for (k, v) in &self.headers {
            cmd.push_str(&format!(" -H {}", quote(&format!("{k}: {v}"))));
        }
        if let Some((b, ct)) = &self.body {
            if let Some(ct) = ct {
                if !self
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                {
                    cmd.push_str(&format!(" -H {}", quote(&format!("Content-Type: {ct}"))));
                }
            }
            cmd.push_str(&format!(" --data-binary {}", quote(b)));
        }
        cmd
    }
}

async fn run_step(
    client: &reqwest::Client,
    step: &StepSpec,
    n: usize,
    base: Option<&str>,
    vars: &mut Vars,
) -> StepResult {
    let name = step
        .name
        .clone()
        .unwrap_or_else(|| format!("step {}", n + 1));
    let started = Instant::now();
    let mut result = StepResult {
        name,
        method: step.request.method.to_ascii_uppercase(),
        url: step.request.path.clone(),
        outcome: StepOutcome::Passed,
        status: None,
        response_excerpt: String::new(),
        curl: String::new(),
        duration: Duration::ZERO,
    };
    let prepared = match prepare(step, base, vars) {
        Ok(p) => p,
        Err(e) => {
            result.outcome = StepOutcome::Error(e);
            return result;
        }
    };
    result.url = prepared.url.clone();
    result.curl = prepared.curl();
    let mut req = client.request(prepared.method.clone(), &prepared.url);
    for (k, v) in &prepared.headers {
        req = req.header(k, v);
    }
    if let Some((b, ct)) = &prepared.body {
        if let Some(ct) = ct {
            if !prepared
                .headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            {
                req = req.header("content-type", *ct);
            }
        }
        req = req.body(b.clone());
    }
    let sent = Instant::now();
    let res = match req.send().await {
        Ok(r) => r,
        Err(e) => {
            result.outcome = StepOutcome::Error(network_error(&e, &prepared.url));
            result.duration = started.elapsed();
            return result;
        }
    };
    let status = res.status().as_u16();
    let mut headers = Headers::new();
    for (k, v) in res.headers() {
        headers.append(
            k.as_str(),
            String::from_utf8_lossy(v.as_bytes()).into_owned(),
        );
    }
    let body = match res.text().await {
        Ok(b) => b,
        Err(e) => {
            result.outcome = StepOutcome::Error(network_error(&e, &prepared.url));
            return result;
        }
    };
    let elapsed = sent.elapsed();
    result.status = Some(status);
    result.response_excerpt = excerpt(&body);
    let json: Option<Value> = serde_json::from_str(&body).ok();
    let got = Received {
        status,
        headers: &headers,
        body: &body,
        json: json.as_ref(),
        elapsed,
    };
    let mut failures = match check(&step.assertions, &got, vars) {
        Ok(f) => f,
        Err(e) => {
            result.outcome = StepOutcome::Error(e);
            return result;
        }
    };
    for (var, c) in &step.capture {
        match capture(c, &got) {
            Ok(v) => {
                vars.insert(var.clone(), v);
            }
            Err(reason) => failures.push(Failure {
                what: format!("capture {var}"),
                expected: Value::Null,
                actual: Value::Null,
                reason,
            }),
        }
    }
    result.duration = started.elapsed();
    if !failures.is_empty() {
        result.outcome = StepOutcome::Failed(failures);
    }
    result
}

fn capture(c: &crate::model::CaptureSpec, got: &Received) -> Result<Value, String> {
    match (&c.jsonpath, &c.header, &c.regex) {
        (Some(p), None, None) => {
            let found = select(p, got.json)?;
            match found.len() {
                0 => Err(format!("JSONPath `{p}` selects nothing")),
                1 => Ok(found[0].clone()),
                _ => Ok(Value::Array(found)),
            }
        }
        (None, Some(h), None) => got
            .headers
            .get(h)
            .map(|v| Value::String(v.to_string()))
            .ok_or_else(|| format!("no header `{h}` in the response")),
        (None, None, Some(re)) => {
            let re = regex::Regex::new(re).map_err(|e| format!("invalid regex `{re}`: {e}"))?;
            let caps = re
                .captures(got.body)
                .ok_or_else(|| format!("regex `{}` does not match the body", re.as_str()))?;
            Ok(Value::String(
                caps.get(1)
                    .or(caps.get(0))
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default(),
            ))
        }
        _ => Err("a capture needs exactly one of jsonpath, header and regex".into()),
    }
}

async fn run_test(
    client: reqwest::Client,
    suite: Arc<Suite>,
    t: usize,
    base_vars: Vars,
) -> TestResult {
    let test: &TestSpec = &suite.file.tests[t];
    let started = Instant::now();
    let mut vars = base_vars;
    let base = match suite
        .file
        .base_url
        .as_deref()
        .map(|b| interpolate(b, &vars))
        .transpose()
    {
        Ok(b) => b,
        Err(e) => {
            return TestResult {
                suite: suite.name(),
                file: suite.path.display().to_string(),
                name: test.name.clone(),
                steps: vec![StepResult {
                    name: "baseUrl".into(),
                    method: String::new(),
                    url: String::new(),
                    outcome: StepOutcome::Error(e),
                    status: None,
                    response_excerpt: String::new(),
                    curl: String::new(),
                    duration: Duration::ZERO,
                }],
                skipped_steps: test.steps.len(),
                duration: started.elapsed(),
            }
        }
    };
    let mut steps = Vec::new();
    for (n, step) in test.steps.iter().enumerate() {
        let r = run_step(&client, step, n, base.as_deref(), &mut vars).await;
        let ok = matches!(r.outcome, StepOutcome::Passed);
        steps.push(r);
        if !ok {
            break;
        }
    }
    TestResult {
        suite: suite.name(),
        file: suite.path.display().to_string(),
        name: test.name.clone(),
        skipped_steps: test.steps.len() - steps.len(),
        steps,
        duration: started.elapsed(),
    }
}

/// Runs every selected test of `suites`; results come back in file order.
pub async fn run(suites: Vec<Suite>, options: &RunOptions) -> Result<Vec<TestResult>, String> {
    let client = reqwest::Client::builder()
        .timeout(options.timeout)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let limit = Arc::new(tokio::sync::Semaphore::new(options.jobs.max(1)));
    let mut handles = Vec::new();
    for suite in suites {
        let suite = Arc::new(suite);
        let mut vars = suite
            .file
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<Vars>();
        vars.extend(options.vars.clone());
        for (t, test) in suite.file.tests.iter().enumerate() {
            if !options.tags.is_empty() && !test.tags.iter().any(|g| options.tags.contains(g)) {
                continue;
            }
            let (client, suite, vars, limit) =
                (client.clone(), suite.clone(), vars.clone(), limit.clone());
            handles.push(tokio::spawn(async move {
                let _permit = limit
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                run_test(client, suite, t, vars).await
            }));
        }
    }
    let mut results = Vec::new();
    for h in handles {
        results.push(h.await.map_err(|e| format!("a test task failed: {e}"))?);
    }
    Ok(results)
}
