//! Running suites: tests in parallel (`jobs` at a time), steps in order; a
//! failing step stops its test; network errors are reported per step while the
//! run goes on.

use crate::check::{check, excerpt, select, Failure, Received};
use crate::model::{SuiteStep, SuiteTest};
use crate::vars::{interpolate, interpolate_json, Vars};
use crate::Suite;
use seam_core::http::Headers;
use seam_core::reproduce::Redactor;
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
    /// `--shard i/n`: run only the cases whose index modulo n is i - 1.
    pub shard: Option<(usize, usize)>,
    /// Start no new test after a failure.
    pub fail_fast: bool,
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
            shard: None,
            fail_fast: false,
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
    /// The file the step was written in (for `file:line` of failed assertions).
    pub source: Option<String>,
    /// The step's place in its test: setup, steps, then teardown, from 0.
    pub index: usize,
}

impl StepResult {
    /// Where a failed assertion was written: `file:line`, when known.
    pub fn place(&self, f: &Failure) -> Option<String> {
        Some(format!("{}:{}", self.source.as_deref()?, f.line?))
    }
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

/// Names what went wrong on the network: refused, DNS, TLS, timeout.
fn network_error(e: &reqwest::Error, url: &str) -> String {
    let (kind, cause) = seam_core::reproduce::network_failure(e);
    let kind = if e.is_timeout() { "timed out" } else { kind };
    format!("{kind}: {url}: {cause}")
}

struct Prepared {
    method: reqwest::Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Option<(String, Option<&'static str>)>,
}

fn prepare(
    step: &SuiteStep,
    base: Option<&str>,
    dir: &std::path::Path,
    vars: &Vars,
) -> Result<Prepared, String> {
    let r = step.request.as_ref().ok_or("the step has no request")?;
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
    if let Some(auth) = &r.auth {
        if auth.oauth2.is_none() {
            headers.push(auth_header(auth, vars)?);
        }
    }
    let given = [
        r.json.is_some(),
        r.body.is_some(),
        r.form.is_some(),
        r.multipart.is_some(),
        r.file.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err("give at most one of json, body, form, multipart and file".into());
    }
    let method = parse_method(&r.method)?;
    if r.multipart.is_some() {
        // built as a reqwest multipart form when sent (see `multipart_form`)
        return Ok(Prepared {
            method,
            url,
            headers,
            body: None,
        });
    }
    if let Some(f) = &r.file {
        let path = dir.join(interpolate(f, vars)?);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("request file {}: {e}", path.display()))?;
        return Ok(Prepared {
            method,
            url,
            headers,
            body: Some((text, None)),
        });
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
        _ => None,
    };
    Ok(Prepared {
        method,
        url,
        headers,
        body,
    })
}

fn parse_method(m: &str) -> Result<reqwest::Method, String> {
    reqwest::Method::from_bytes(m.to_ascii_uppercase().as_bytes())
        .map_err(|_| format!("invalid method `{m}`"))
}

/// A multipart form: plain fields, and `{file: PATH, contentType: TYPE}` parts.
fn multipart_form(
    fields: &std::collections::BTreeMap<String, Value>,
    dir: &std::path::Path,
    vars: &Vars,
) -> Result<reqwest::multipart::Form, String> {
    let mut form = reqwest::multipart::Form::new();
    for (name, v) in fields {
        let v = interpolate_json(v, vars)?;
        match v.get("file").and_then(Value::as_str) {
            Some(f) => {
                let path = dir.join(f);
                let bytes = std::fs::read(&path)
                    .map_err(|e| format!("multipart file {}: {e}", path.display()))?;
                let mut part = reqwest::multipart::Part::bytes(bytes).file_name(
                    path.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                );
                if let Some(ct) = v.get("contentType").and_then(Value::as_str) {
                    part = part
                        .mime_str(ct)
                        .map_err(|e| format!("multipart {name}: {e}"))?;
                }
                form = form.part(name.clone(), part);
            }
            None => form = form.text(name.clone(), text(&v)),
        }
    }
    Ok(form)
}

/// The header an auth helper adds.
fn auth_header(a: &crate::model::AuthSpec, vars: &Vars) -> Result<(String, String), String> {
    use base64::Engine;
    match (&a.bearer, &a.basic, &a.api_key) {
        (Some(t), None, None) => Ok((
            "Authorization".into(),
            format!("Bearer {}", interpolate(t, vars)?),
        )),
        (None, Some(b), None) => {
            let pair = format!(
                "{}:{}",
                interpolate(&b.username, vars)?,
                interpolate(&b.password, vars)?
            );
            Ok((
                "Authorization".into(),
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(pair)
                ),
            ))
        }
        (None, None, Some(k)) => Ok((
            k.header.clone().unwrap_or_else(|| "X-Api-Key".into()),
            interpolate(&k.value, vars)?,
        )),
        (None, None, None) if a.oauth2.is_some() => Ok(("Authorization".into(), String::new())),
        _ => Err("auth needs exactly one of bearer, basic, apiKey and oauth2".into()),
    }
}

fn text(v: &Value) -> String {
    seam_core::matching::scalar_text(v).unwrap_or_else(|| v.to_string())
}

impl Prepared {
    /// The reproduce line: credential headers redacted (declared secrets are
    /// scrubbed later with everything else in the step's result).
    fn curl(&self) -> String {
        let content_type = self
            .body
            .as_ref()
            .and_then(|(_, ct)| *ct)
            .filter(|_| {
                !self
                    .headers
                    .iter()
                    .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            })
            .map(|ct| ("Content-Type", ct));
        let headers = self
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(content_type);
        seam_core::reproduce::curl(
            self.method.as_str(),
            &self.url,
            headers,
            self.body.as_ref().map(|(b, _)| b.as_str()),
        )
    }
}

/// Runs a step (unless its condition is false: `None`), again while it fails
/// and its retries last (with backoff).
async fn run_step(
    client: &reqwest::Client,
    step: &SuiteStep,
    n: usize,
    base: Option<&str>,
    dir: &std::path::Path,
    vars: &mut Vars,
) -> Option<StepResult> {
    if let Some(c) = &step.condition {
        match holds(c, vars) {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                let mut skipped = attempt_placeholder(step, n);
                skipped.outcome = StepOutcome::Error(e);
                return Some(skipped);
            }
        }
    }
    let mut result = attempt(client, step, n, base, dir, vars).await;
    if let Some(r) = &step.retry {
        let mut wait = Duration::from_millis(r.delay_ms);
        for _ in 0..r.times {
            if !matches!(result.outcome, StepOutcome::Failed(_)) {
                break;
            }
            tokio::time::sleep(wait).await;
            wait = wait.mul_f64(r.backoff.max(1.0));
            result = attempt(client, step, n, base, dir, vars).await;
        }
    }
    Some(result)
}

/// A result for a step that never sent anything.
fn attempt_placeholder(step: &SuiteStep, n: usize) -> StepResult {
    StepResult {
        name: step
            .name
            .clone()
            .unwrap_or_else(|| format!("step {}", n + 1)),
        method: String::new(),
        url: String::new(),
        outcome: StepOutcome::Passed,
        status: None,
        response_excerpt: String::new(),
        curl: String::new(),
        duration: Duration::ZERO,
        source: step.source.as_ref().map(|p| p.display().to_string()),
        index: n,
    }
}

/// Evaluates a step condition: `A == B`, `A != B`, or a truthy value.
fn holds(condition: &str, vars: &Vars) -> Result<bool, String> {
    let c = interpolate(condition, vars)?;
    Ok(if let Some((a, b)) = c.split_once("!=") {
        a.trim() != b.trim()
    } else if let Some((a, b)) = c.split_once("==") {
        a.trim() == b.trim()
    } else {
        let v = c.trim();
        !(v.is_empty() || v == "false" || v == "0")
    })
}

/// OAuth2 client-credentials tokens, cached per (token URL, client id) until
/// shortly before they expire.
async fn oauth_token(
    client: &reqwest::Client,
    o: &crate::model::OAuth2,
    vars: &Vars,
) -> Result<String, String> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    type Cache = Mutex<HashMap<(String, String), (String, Instant)>>;
    static TOKENS: OnceLock<Cache> = OnceLock::new();
    let url = interpolate(&o.token_url, vars)?;
    let id = interpolate(&o.client_id, vars)?;
    let key = (url.clone(), id.clone());
    let cache = TOKENS.get_or_init(Default::default);
    if let Some((token, until)) = cache.lock().expect("token cache").get(&key) {
        if Instant::now() < *until {
            return Ok(token.clone());
        }
    }
    let mut form = vec![
        ("grant_type".to_string(), "client_credentials".to_string()),
        ("client_id".to_string(), id.clone()),
        (
            "client_secret".to_string(),
            interpolate(&o.client_secret, vars)?,
        ),
    ];
    if let Some(s) = &o.scope {
        form.push(("scope".into(), interpolate(s, vars)?));
    }
    let mut q = seam_core::http::Query::new();
    for (k, v) in form {
        q.append(k, v);
    }
    let res = client
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(q.to_query_string())
        .send()
        .await
        .map_err(|e| network_error(&e, &url))?;
    let status = res.status();
    let body: Value = res
        .json()
        .await
        .map_err(|e| format!("OAuth2 token endpoint {url}: {e}"))?;
    let token = body
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            format!("OAuth2 token endpoint {url} answered {status} without access_token")
        })?
        .to_string();
    let lifetime = body
        .get("expires_in")
        .and_then(Value::as_u64)
        .unwrap_or(300)
        .saturating_sub(5);
    cache.lock().expect("token cache").insert(
        key,
        (
            token.clone(),
            Instant::now() + Duration::from_secs(lifetime),
        ),
    );
    Ok(token)
}

/// Why a step could not be checked (a variable, a file, the network): its
/// result is an error, not failed assertions.
struct StepError(String);

impl From<String> for StepError {
    fn from(e: String) -> Self {
        StepError(e)
    }
}

/// What the provider answered, as the assertions see it.
struct Answer {
    /// The request's method and URL, for checks that need the operation.
    method: String,
    url: String,
    status: u16,
    headers: Headers,
    body: String,
    elapsed: Duration,
}

/// Sends a step once: build the request, send it, assess the answer. Only
/// failures keep copies of the request and response, so memory stays flat
/// however long the suite.
async fn attempt(
    client: &reqwest::Client,
    step: &SuiteStep,
    n: usize,
    base: Option<&str>,
    dir: &std::path::Path,
    vars: &mut Vars,
) -> StepResult {
    let started = Instant::now();
    let mut result = attempt_placeholder(step, n);
    if let Some(r) = &step.request {
        result.method = r.method.to_ascii_uppercase();
        result.url = r.path.clone();
    }
    let outcome = async {
        let request = build(client, step, base, dir, vars).await?;
        result.url = request.url.clone();
        result.curl = request.curl();
        let answer = send(client, &request, step, dir, vars).await?;
        result.status = Some(answer.status);
        result.response_excerpt = excerpt(&answer.body);
        assess(step, &answer, dir, vars)
    }
    .await;
    result.duration = started.elapsed();
    match outcome {
        Ok(failures) if failures.is_empty() => {
            result.curl = String::new();
            result.response_excerpt = String::new();
        }
        Ok(failures) => result.outcome = StepOutcome::Failed(failures),
        Err(StepError(e)) => result.outcome = StepOutcome::Error(e),
    }
    result
}

/// The request a step sends: variables filled in, auth (an OAuth2 token fetched
/// or taken from the cache) added.
async fn build(
    client: &reqwest::Client,
    step: &SuiteStep,
    base: Option<&str>,
    dir: &std::path::Path,
    vars: &Vars,
) -> Result<Prepared, StepError> {
    let mut prepared = prepare(step, base, dir, vars)?;
    if let Some(o) = step
        .request
        .as_ref()
        .and_then(|r| r.auth.as_ref())
        .and_then(|a| a.oauth2.as_ref())
    {
        let token = oauth_token(client, o, vars).await?;
        prepared
            .headers
            .push(("Authorization".into(), format!("Bearer {token}")));
    }
    Ok(prepared)
}

/// Sends the request and reads the whole answer; network failures are named.
async fn send(
    client: &reqwest::Client,
    prepared: &Prepared,
    step: &SuiteStep,
    dir: &std::path::Path,
    vars: &Vars,
) -> Result<Answer, StepError> {
    let mut req = client.request(prepared.method.clone(), &prepared.url);
    for (k, v) in &prepared.headers {
        req = req.header(k, v);
    }
    if let Some((b, ct)) = &prepared.body {
        let typed = prepared
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
        if let Some(ct) = ct.filter(|_| !typed) {
            req = req.header("content-type", ct);
        }
        req = req.body(b.clone());
    }
    if let Some(fields) = step.request.as_ref().and_then(|r| r.multipart.as_ref()) {
        req = req.multipart(multipart_form(fields, dir, vars)?);
    }
    let sent = Instant::now();
    let network = |e: reqwest::Error| StepError(network_error(&e, &prepared.url));
    let res = req.send().await.map_err(network)?;
    let status = res.status().as_u16();
    let headers = Headers::from_raw(
        res.headers()
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_bytes())),
    );
    let body = res.text().await.map_err(network)?;
    Ok(Answer {
        method: prepared.method.to_string(),
        url: prepared.url.clone(),
        status,
        headers,
        body,
        elapsed: sent.elapsed(),
    })
}

/// The step's assertions and captures on the answer: the failures (none when
/// everything held); captured values go into `vars` for later steps.
fn assess(
    step: &SuiteStep,
    answer: &Answer,
    dir: &std::path::Path,
    vars: &mut Vars,
) -> Result<Vec<Failure>, StepError> {
    let json: Option<Value> = serde_json::from_str(&answer.body).ok();
    let got = Received {
        status: answer.status,
        headers: &answer.headers,
        body: &answer.body,
        json: json.as_ref(),
        elapsed: answer.elapsed,
        dir,
        method: &answer.method,
        url: &answer.url,
    };
    let mut failures = check(&step.assertions, &got, vars)?;
    for (var, c) in &step.capture {
        match capture(c, &got) {
            Ok(v) => {
                vars.insert(var.clone(), v);
            }
            Err(reason) => failures.push(Failure {
                what: format!("capture {var}"),
                expected: None,
                actual: None,
                reason,
                line: None,
            }),
        }
    }
    Ok(failures)
}

fn capture(c: &crate::model::CaptureSpec, got: &Received) -> Result<Value, String> {
    use crate::model::CaptureSpec;
    match c {
        CaptureSpec::Cookie(name) => got
            .headers
            .get_all("set-cookie")
            .unwrap_or(&[])
            .iter()
            .filter_map(|h| h.split(';').next()?.trim().split_once('='))
            .find(|(k, _)| k == name)
            .map(|(_, v)| Value::String(v.to_string()))
            .ok_or_else(|| format!("the response sets no cookie `{name}`")),
        CaptureSpec::Xpath(x) => crate::check::xpath_value(x, got.body)?
            .ok_or_else(|| format!("XPath `{x}` selects nothing")),
        CaptureSpec::Jsonpath(p) => {
            let found = select(p, got.json)?;
            match found.len() {
                0 => Err(format!("JSONPath `{p}` selects nothing")),
                1 => Ok(found[0].clone()),
                _ => Ok(Value::Array(found)),
            }
        }
        CaptureSpec::Header(h) => got
            .headers
            .get(h)
            .map(|v| Value::String(v.to_string()))
            .ok_or_else(|| format!("no header `{h}` in the response")),
        CaptureSpec::Regex(crate::model::BodyRegex(re)) => {
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
    }
}

pub(crate) async fn run_test(
    client: reqwest::Client,
    suite: Arc<Suite>,
    t: usize,
    base_vars: Vars,
    name: String,
) -> TestResult {
    let test: &SuiteTest = &suite.file.tests[t];
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
                file: suite.shown.clone(),
                name,
                steps: vec![StepResult {
                    name: "baseUrl".into(),
                    method: String::new(),
                    url: String::new(),
                    outcome: StepOutcome::Error(e),
                    status: None,
                    response_excerpt: String::new(),
                    curl: String::new(),
                    duration: Duration::ZERO,
                    source: None,
                    index: 0,
                }],
                skipped_steps: test.steps.len(),
                duration: started.elapsed(),
            }
        }
    };
    let dir = suite
        .path
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .to_path_buf();
    let main: Vec<&SuiteStep> = test.setup.iter().chain(&test.steps).collect();
    let mut steps = Vec::new();
    let mut done = 0;
    for (n, step) in main.iter().enumerate() {
        done += 1;
        let Some(r) = run_step(&client, step, n, base.as_deref(), &dir, &mut vars).await else {
            continue;
        };
        let ok = matches!(r.outcome, StepOutcome::Passed);
        steps.push(r);
        if !ok {
            break;
        }
    }
    let skipped = main.len() - done;
    for (n, step) in test.teardown.iter().enumerate() {
        if let Some(r) = run_step(
            &client,
            step,
            main.len() + n,
            base.as_deref(),
            &dir,
            &mut vars,
        )
        .await
        {
            steps.push(r);
        }
    }
    TestResult {
        suite: suite.name(),
        file: suite.shown.clone(),
        name,
        skipped_steps: skipped,
        steps,
        duration: started.elapsed(),
    }
}

/// One case of a suite: a test, with one row of its matrix.
#[derive(Debug, Clone)]
pub(crate) struct Case {
    /// The test's index in the suite.
    pub test: usize,
    /// The suite's variables with the row's.
    pub vars: Vars,
    pub name: String,
}

/// The cases of `suite` that `options` select (by tag), in file order, and
/// the secret values to redact.
pub(crate) fn cases(
    suite: &Suite,
    options: &RunOptions,
) -> Result<(Vec<Case>, Vec<String>), String> {
    let in_file = |e: String| format!("{}: {e}", suite.path.display());
    let (vars, secrets) = suite_vars(suite, options).map_err(in_file)?;
    let mut cases = Vec::new();
    for (t, test) in suite.file.tests.iter().enumerate() {
        if !options.tags.is_empty() && !test.tags.iter().any(|g| options.tags.contains(g)) {
            continue;
        }
        let rows = matrix_rows(suite, test).map_err(in_file)?;
        let of = rows.len();
        for (n, row) in rows.into_iter().enumerate() {
            let name = case_name(test, &row, n, of);
            let mut case_vars = vars.clone();
            case_vars.extend(row);
            cases.push(Case {
                test: t,
                vars: case_vars,
                name,
            });
        }
    }
    Ok((cases, secrets))
}

/// The suite's variables: `variables`, then `env` files, then `secrets` from the
/// environment, then `--var`. Returns them with the secret values to redact.
fn suite_vars(suite: &Suite, options: &RunOptions) -> Result<(Vars, Vec<String>), String> {
    let mut vars: Vars = suite
        .file
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let dir = suite.path.parent().unwrap_or(std::path::Path::new("."));
    for f in &suite.file.env {
        let path = dir.join(f);
        let text = crate::read_text(&path).map_err(|e| format!("env file {e}"))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| format!("{}:{}: expected KEY=VALUE", path.display(), n + 1))?;
            vars.insert(
                k.trim().to_string(),
                Value::String(v.trim().trim_matches('"').to_string()),
            );
        }
    }
    let mut secrets = Vec::new();
    for name in &suite.file.secrets {
        let value = std::env::var(name)
            .map_err(|_| format!("secret `{name}` is not set in the environment"))?;
        if !value.is_empty() {
            secrets.push(value.clone());
        }
        vars.insert(name.clone(), Value::String(value));
    }
    vars.extend(options.vars.clone());
    Ok((vars, secrets))
}

/// A data-driven test's rows (one empty row for a plain test).
fn matrix_rows(suite: &Suite, test: &SuiteTest) -> Result<Vec<Vars>, String> {
    let Some(m) = &test.matrix else {
        return Ok(vec![Vars::new()]);
    };
    let dir = suite.path.parent().unwrap_or(std::path::Path::new("."));
    let mut rows: Vec<Vars> = m
        .rows
        .iter()
        .map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .collect();
    if let Some(f) = &m.csv {
        let path = dir.join(f);
        let mut reader = csv::Reader::from_path(&path)
            .map_err(|e| format!("matrix csv {}: {e}", path.display()))?;
        let headers = reader
            .headers()
            .map_err(|e| format!("matrix csv {}: {e}", path.display()))?
            .clone();
        for record in reader.records() {
            let record = record.map_err(|e| format!("matrix csv {}: {e}", path.display()))?;
            rows.push(
                headers
                    .iter()
                    .zip(record.iter())
                    .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
                    .collect(),
            );
        }
    }
    if let Some(f) = &m.json {
        let path = dir.join(f);
        let text = crate::read_text(&path).map_err(|e| format!("matrix json {e}"))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("matrix json {}: {e}", path.display()))?;
        let items = v.as_array().ok_or_else(|| {
            format!(
                "matrix json {}: expected an array of objects",
                path.display()
            )
        })?;
        for (i, item) in items.iter().enumerate() {
            let o = item.as_object().ok_or_else(|| {
                format!("matrix json {}: item {i} is not an object", path.display())
            })?;
            rows.push(o.clone());
        }
    }
    if rows.is_empty() {
        return Err(format!("test `{}`: the matrix has no rows", test.name));
    }
    Ok(rows)
}

fn case_name(test: &SuiteTest, row: &Vars, n: usize, of: usize) -> String {
    if of <= 1 && test.matrix.is_none() {
        return test.name.clone();
    }
    // a name that uses the row's variables names the case by itself
    if test.name.contains("{{") {
        if let Ok(named) = crate::vars::interpolate(&test.name, row) {
            return format!("{named} [{}]", n + 1);
        }
    }
    let mut cells: Vec<String> = row
        .iter()
        .map(|(k, v)| format!("{k}={}", text(v)))
        .collect();
    cells.sort();
    cells.truncate(3);
    format!("{} [{}: {}]", test.name, n + 1, cells.join(", "))
}

/// Replaces declared secret values in a step's report fields.
fn redact(step: &mut StepResult, secrets: &Redactor) {
    if secrets.is_empty() {
        return;
    }
    step.url = secrets.scrub(&step.url);
    step.curl = secrets.scrub(&step.curl);
    step.response_excerpt = secrets.scrub(&step.response_excerpt);
    match &mut step.outcome {
        StepOutcome::Failed(failures) => {
            for f in failures {
                f.reason = secrets.scrub(&f.reason);
                for side in [&mut f.expected, &mut f.actual].into_iter().flatten() {
                    *side = secrets.scrub_json(side);
                }
            }
        }
        StepOutcome::Error(e) => *e = secrets.scrub(e),
        StepOutcome::Passed => {}
    }
}

/// Runs every selected test of `suites`; results come back in file order.
pub async fn run(suites: Vec<Suite>, options: &RunOptions) -> Result<Vec<TestResult>, String> {
    run_with(suites, options, |_| {}).await
}

/// Like [`run`], calling `on_result` as each test finishes (live progress).
pub async fn run_with(
    suites: Vec<Suite>,
    options: &RunOptions,
    on_result: impl Fn(&TestResult),
) -> Result<Vec<TestResult>, String> {
    let client = reqwest::Client::builder()
        .timeout(options.timeout)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let limit = Arc::new(tokio::sync::Semaphore::new(options.jobs.max(1)));
    let failed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = tokio::task::JoinSet::new();
    let mut index = 0usize;
    for suite in suites {
        let suite = Arc::new(suite);
        let (cases, secrets) = cases(&suite, options)?;
        let secrets = Arc::new(Redactor::new(secrets));
        for Case {
            test: t,
            vars: case_vars,
            name,
        } in cases
        {
            index += 1;
            if let Some((i, total)) = options.shard {
                if (index - 1) % total != i - 1 {
                    continue;
                }
            }
            let (client, suite, limit, failed, secrets) = (
                client.clone(),
                suite.clone(),
                limit.clone(),
                failed.clone(),
                secrets.clone(),
            );
            let fail_fast = options.fail_fast;
            let position = index;
            tasks.spawn(async move {
                let _permit = limit
                    .acquire_owned()
                    .await
                    .expect("the semaphore is never closed");
                if fail_fast && failed.load(std::sync::atomic::Ordering::SeqCst) {
                    return None;
                }
                let mut r = run_test(client, suite, t, case_vars, name).await;
                for s in &mut r.steps {
                    redact(s, &secrets);
                }
                if !r.passed() {
                    failed.store(true, std::sync::atomic::Ordering::SeqCst);
                }
                Some((position, r))
            });
        }
    }
    let mut results = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Some((position, r)) = joined.map_err(|e| format!("a test task failed: {e}"))? {
            on_result(&r);
            results.push((position, r));
        }
    }
    results.sort_by_key(|(p, _)| *p);
    Ok(results.into_iter().map(|(_, r)| r).collect())
}
