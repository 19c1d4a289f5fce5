//! What every probe shares: the options, the scan's state (client,
//! identities, plan, control answers, objects created, findings, notes),
//! sending as an identity (logging in again when its credentials stop
//! working, stopping the scan when that fails), and reading every answer for
//! exposures. [`crate::runner`] drives the probe families over it.

use crate::check::Check;
use crate::client::{Client, SendError};
use crate::finding::{Finding, Outcome};
use crate::identity::Identity;
use crate::plan::Plan;
use seam_fuzz::auth::{Credentials, User};
use seam_fuzz::case::{render, Case, CaseBody, Phase, Sent};
use seam_fuzz::cases::Maker;
use seam_fuzz::finding::Answer;
use seam_openapi::model::ParamLocation;
use seam_openapi::Spec;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::Duration;

/// What a scan does.
#[derive(Debug, Clone)]
pub struct Options {
    pub base_url: String,
    /// The identities, in order (the first creates the objects the others try).
    pub identities: Vec<User>,
    /// The checks that run.
    pub checks: BTreeSet<Check>,
    /// Hosts besides loopback that may be sent to.
    pub allow_hosts: Vec<String>,
    /// Requests per second at most.
    pub rate: Option<f64>,
    pub max_requests: Option<u64>,
    pub request_timeout: Duration,
    /// Delete objects the scan did not create, and call operations that
    /// change credentials.
    pub allow_destructive: bool,
    /// The HMAC key the API signs JWTs with, when known (a test environment's).
    pub jwt_key: Option<Vec<u8>>,
    /// Public keys (PEM) the API publishes, besides the ones it serves.
    pub jwt_public_keys: Vec<String>,
    /// Secrets to try before the built-in list.
    pub jwt_wordlist: Vec<String>,
    /// Only these operations (`METHOD /path` or operationId).
    pub operations: Vec<String>,
    pub seed: u64,
    /// What time-based probes ask the server to sleep.
    pub delay: Duration,
    /// Requests in a rate-limit burst (failed logins; each expensive operation).
    pub burst: usize,
}

impl Options {
    pub fn new(base_url: impl Into<String>) -> Options {
        Options {
            base_url: base_url.into(),
            identities: Vec::new(),
            checks: Check::ALL.iter().copied().collect(),
            allow_hosts: Vec::new(),
            rate: None,
            max_requests: None,
            request_timeout: Duration::from_secs(10),
            allow_destructive: false,
            jwt_key: None,
            jwt_public_keys: Vec::new(),
            jwt_wordlist: Vec::new(),
            operations: Vec::new(),
            seed: 1,
            delay: Duration::from_secs(2),
            burst: 30,
        }
    }
}

/// Why a scan could not run, or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanError {
    /// Bad options, spec or auth file (exit 2).
    Usage(String),
    /// The API does not answer (exit 3).
    Unreachable(String),
}

impl std::fmt::Display for ScanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScanError::Usage(m) | ScanError::Unreachable(m) => f.write_str(m),
        }
    }
}

/// Why probing stopped early: the budget is spent, or an identity cannot
/// log in any more.
#[derive(Debug, Clone)]
pub struct Stop(pub String);

impl From<SendError> for Stop {
    fn from(e: SendError) -> Stop {
        Stop(e.to_string())
    }
}

/// What a probe gives back: done, or the scan must stop.
pub type Probed = Result<(), Stop>;

/// A finding before it has an id.
pub struct Found<'s> {
    pub check: Check,
    pub operation: String,
    pub identity: &'s str,
    pub key: String,
    pub message: String,
    pub evidence: String,
    pub request: &'s Sent,
    pub answer: Option<&'s Answer>,
    pub steps: Vec<Sent>,
}

/// An object the scan created: (identity, id, the object as answered).
pub type Created = (usize, Value, Value);

/// The state every probe shares.
pub struct Scan<'a> {
    pub spec: &'a Spec,
    pub options: &'a Options,
    pub client: Client,
    pub identities: Vec<Identity>,
    pub plan: Plan,
    maker: Maker<'a>,
    findings: Mutex<Vec<Finding>>,
    notes: Mutex<Vec<String>>,
    probes: Mutex<BTreeMap<Check, u64>>,
    /// Per operation, the first identity's answer to its valid request.
    pub controls: Mutex<HashMap<usize, Answer>>,
    /// Ids of objects each identity created, per resource collection:
    /// (identity, id, the object as created).
    pub created: Mutex<BTreeMap<String, Vec<Created>>>,
    /// Authenticated 2xx answers without a header: header → operations.
    pub missing_headers: Mutex<BTreeMap<&'static str, BTreeSet<String>>>,
    counter: Mutex<u64>,
    /// Slots whose answers are slow (a pattern that backtracks): no
    /// injection payloads are sent to them.
    pub slow_slots: Mutex<BTreeSet<(usize, String)>>,
    /// Requests in a row that got no answer.
    silent: Mutex<usize>,
}

impl<'a> Scan<'a> {
    /// A scan's state before any probe: nothing found, nothing created.
    pub fn new(
        spec: &'a Spec,
        options: &'a Options,
        client: Client,
        identities: Vec<Identity>,
        plan: Plan,
    ) -> Scan<'a> {
        Scan {
            spec,
            options,
            client,
            identities,
            plan,
            maker: Maker {
                spec,
                seed: options.seed,
            },
            findings: Mutex::new(Vec::new()),
            notes: Mutex::new(Vec::new()),
            probes: Mutex::new(BTreeMap::new()),
            controls: Mutex::new(HashMap::new()),
            created: Mutex::new(BTreeMap::new()),
            missing_headers: Mutex::new(BTreeMap::new()),
            counter: Mutex::new(0),
            slow_slots: Mutex::new(BTreeSet::new()),
            silent: Mutex::new(0),
        }
    }

    /// How many findings there are so far.
    pub fn findings_so_far(&self) -> usize {
        self.findings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// The outcome, once the probes are done (or stopped, and why).
    pub fn finish(self, elapsed: Duration, stopped: Option<String>) -> Outcome {
        self.header_findings();
        let mut findings = self.findings.into_inner().unwrap_or_default();
        findings.sort_by(|a, b| {
            (a.severity, &a.operation, a.check, &a.key).cmp(&(
                b.severity,
                &b.operation,
                b.check,
                &b.key,
            ))
        });
        Outcome {
            base_url: self.options.base_url.clone(),
            requests: self.client.requests(),
            elapsed,
            identities: self
                .identities
                .iter()
                .map(|i| i.name().to_string())
                .collect(),
            findings,
            notes: self.notes.into_inner().unwrap_or_default(),
            probes: self
                .probes
                .into_inner()
                .unwrap_or_default()
                .into_iter()
                .collect(),
            stopped,
        }
    }

    pub fn on(&self, check: Check) -> bool {
        self.options.checks.contains(&check)
    }

    /// Counts a probe of `check`.
    pub fn probe(&self, check: Check) {
        *self
            .probes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(check)
            .or_default() += 1;
    }

    pub fn note(&self, text: impl Into<String>) {
        let text = text.into();
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        if !notes.contains(&text) {
            notes.push(text);
        }
    }

    /// A number unique in this scan (for made-up names).
    pub fn unique(&self) -> u64 {
        let mut c = self.counter.lock().unwrap_or_else(|e| e.into_inner());
        *c += 1;
        self.options.seed.wrapping_mul(7919).wrapping_add(*c) % 1_000_000
    }

    pub fn label(&self, op: usize) -> String {
        self.spec.operations[op].label()
    }

    /// A valid request for `op`: examples first, names and emails made
    /// unique so creates do not collide, ids of objects the first identity
    /// created filled in.
    pub fn valid_case(&self, op: usize) -> Case {
        let mut case = self.maker.base(op, Phase::Examples, self.options.seed);
        if let Some(CaseBody::Json {
            value: Value::Object(m),
            ..
        }) = &mut case.body
        {
            for (k, v) in m.iter_mut() {
                let lower = k.to_ascii_lowercase();
                if !v.is_string() {
                    continue;
                }
                let n = self.unique();
                if lower.contains("email") {
                    *v = Value::String(format!("seam-{n}@example.test"));
                } else if ["username", "user", "login", "handle", "nickname"]
                    .contains(&lower.as_str())
                {
                    *v = Value::String(format!("seam{n}"));
                } else if ["title", "name", "slug", "label", "code", "key"]
                    .iter()
                    .any(|w| lower.ends_with(w))
                {
                    // names are often unique: digits appended keep most
                    // patterns satisfied
                    if let Value::String(s) = v {
                        s.push_str(&n.to_string());
                    }
                }
            }
        }
        let path = &self.spec.operations[op].path;
        if let Some(r) = self
            .plan
            .resources
            .iter()
            .find(|r| path == &format!("{}/{{{}}}", r.collection, r.param))
        {
            if let Some(id) = self.created_by(&r.collection, 0) {
                case.set_param(ParamLocation::Path, &r.param, id);
            }
        }
        case
    }

    /// An id of an object identity `who` created in `collection`.
    pub fn created_by(&self, collection: &str, who: usize) -> Option<Value> {
        self.created
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(collection)?
            .iter()
            .find(|(w, _, _)| *w == who)
            .map(|(_, id, _)| id.clone())
    }

    /// The request `case` becomes with `creds`.
    pub fn request(&self, op: usize, case: &Case, creds: &Credentials) -> Sent {
        render(&self.spec.operations[op], case, creds)
    }

    /// Sends a request; `None` when nothing answered (refused, reset or
    /// timed out).
    pub async fn send(&self, sent: &Sent) -> Result<Option<Answer>, Stop> {
        match self.client.send(sent).await {
            Ok(a) => {
                *self.silent.lock().unwrap_or_else(|e| e.into_inner()) = 0;
                Ok(Some(a))
            }
            Err(SendError::Failed(why)) => {
                let silent = {
                    let mut s = self.silent.lock().unwrap_or_else(|e| e.into_inner());
                    *s += 1;
                    *s
                };
                // three requests in a row without an answer: is anyone there?
                if silent >= 3 && !self.alive().await? {
                    return Err(Stop(format!(
                        "the API stopped answering ({silent} requests in a row got none, the last {} {}: {why}); what was found before is reported",
                        sent.method, sent.target
                    )));
                }
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Whether the API still answers: a GET of the base URL, allowed the
    /// request timeout.
    pub async fn alive(&self) -> Result<bool, Stop> {
        let probe = Sent {
            method: "GET".into(),
            target: "/".into(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        match self.client.send(&probe).await {
            Ok(_) => Ok(true),
            Err(SendError::Failed(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Sends `case` to `op` as identity `who` (`None`: no credentials).
    /// A 401 to an identity whose control request got past auth logs it in
    /// again and sends once more; a failed login stops the scan.
    pub async fn send_as(
        &self,
        who: Option<usize>,
        op: usize,
        case: &Case,
    ) -> Result<(Sent, Option<Answer>), Stop> {
        let creds = who
            .map(|w| self.identities[w].credentials())
            .unwrap_or_default();
        let sent = self.request(op, case, &creds);
        if let Some(name) = self.names_an_identity(op, &sent) {
            self.note(format!(
                "{}: a request naming identity `{name}`'s account was not sent (it deletes or changes credentials)",
                self.label(op)
            ));
            return Ok((sent, None));
        }
        let mut answer = self.send(&sent).await?;
        let mut sent = sent;
        if let (Some(w), Some(a)) = (who, &answer) {
            if a.status == 401 && self.identities[w].user.login.is_some() && self.passed_auth(op) {
                self.log_in_again(w).await?;
                sent = self.request(op, case, &self.identities[w].credentials());
                answer = self.send(&sent).await?;
            }
        }
        if let Some(a) = &answer {
            self.inspect(op, who, &sent, a);
        }
        Ok((sent, answer))
    }

    /// For an operation that deletes or changes credentials: the identity
    /// whose username the request names (such a request is never sent: the
    /// scan does not lock its own identities out).
    fn names_an_identity(&self, op: usize, sent: &Sent) -> Option<String> {
        if !crate::plan::is_destructive(&self.spec.operations[op]) {
            return None;
        }
        let body = sent.body_text();
        self.identities
            .iter()
            .filter_map(|i| i.username())
            .find(|name| {
                sent.target.contains(name)
                    || sent.target.contains(&seam_core::http::percent_encode(name))
                    || body.contains(name)
            })
            .map(str::to_string)
    }

    /// Whether the first identity's control request to `op` got past auth.
    fn passed_auth(&self, op: usize) -> bool {
        self.controls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&op)
            .is_some_and(|a| a.status != 401)
    }

    /// Logs identity `who` in again; a failure stops the scan.
    pub async fn log_in_again(&self, who: usize) -> Probed {
        let identity = &self.identities[who];
        identity
            .log_in(&self.client.http, &self.client.base_url)
            .await
            .map_err(|e| {
                Stop(format!(
                    "authentication stopped working mid-scan: {e}; the scan stops rather than go on unauthenticated"
                ))
            })
    }

    /// Records a finding (once per id).
    pub fn found(&self, f: Found<'_>) {
        self.found_at(f, None)
    }

    /// Records a finding with a severity other than its check's (once per id).
    pub fn found_at(&self, f: Found<'_>, severity: Option<crate::check::Severity>) {
        let id = Finding::id_for(&f.operation, f.check, &f.key);
        let mut findings = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        if findings.iter().any(|x| x.id == id) {
            return;
        }
        let location = (0..self.spec.operations.len())
            .find(|&i| self.label(i) == f.operation)
            .map(|i| self.spec.locate(&self.spec.operations[i].pointer))
            .unwrap_or_default();
        findings.push(Finding {
            id,
            location,
            check: f.check,
            severity: severity.unwrap_or(f.check.severity()),
            owasp: f.check.owasp(),
            operation: f.operation,
            identity: f.identity.to_string(),
            key: f.key,
            message: f.message,
            evidence: f.evidence,
            curl: f.request.curl(&self.client.base_url),
            request: f.request.clone(),
            answer: f.answer.map(Answer::excerpt),
            steps: f.steps,
        });
    }

    /// Reads an answer for what it gives away (secrets, undeclared
    /// properties, stack traces) and notes missing security headers.
    pub fn inspect(&self, op: usize, who: Option<usize>, sent: &Sent, answer: &Answer) {
        let operation = self.label(op);
        let identity = who.map(|w| self.identities[w].name()).unwrap_or("-");
        let text = String::from_utf8_lossy(&answer.body);
        if self.on(Check::VerboseError) {
            if let Some((what, line)) = crate::exposure::verbose_error(&text) {
                self.found(Found {
                    check: Check::VerboseError,
                    operation: operation.clone(),
                    identity,
                    key: what.clone(),
                    message: format!("the answer ({}) shows {what}", answer.status),
                    evidence: format!("`{line}`"),
                    request: sent,
                    answer: Some(answer),
                    steps: Vec::new(),
                });
            }
        }
        if !(200..300).contains(&answer.status) || !answer.is_json() {
            return;
        }
        if who.is_some() {
            let mut missing = self
                .missing_headers
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if answer
                .header("x-content-type-options")
                .is_none_or(|v| !v.eq_ignore_ascii_case("nosniff"))
            {
                missing
                    .entry("X-Content-Type-Options")
                    .or_default()
                    .insert(operation.clone());
            }
            let cache = answer
                .header("cache-control")
                .unwrap_or("")
                .to_ascii_lowercase();
            if !["no-store", "private", "no-cache"]
                .iter()
                .any(|d| cache.contains(d))
            {
                missing
                    .entry("Cache-Control")
                    .or_default()
                    .insert(operation.clone());
            }
        }
        let Ok(value) = serde_json::from_slice::<Value>(&answer.body) else {
            return;
        };
        let is_login = Some(op) == self.plan.login;
        if self.on(Check::SensitiveData) && !is_login {
            for s in crate::exposure::secrets(&value) {
                self.found(Found {
                    check: Check::SensitiveData,
                    operation: operation.clone(),
                    identity,
                    key: s.path.clone(),
                    message: format!("`{}` in the answer is {}", s.path, s.what),
                    evidence: format!("{} answered {} with it", operation, answer.status),
                    request: sent,
                    answer: Some(answer),
                    steps: Vec::new(),
                });
            }
        }
        if self.on(Check::UndeclaredField) {
            let extra = crate::exposure::undeclared(
                self.spec,
                &self.spec.operations[op],
                answer.status,
                &value,
            );
            if !extra.is_empty() {
                // one finding per operation, keyed by the first array item's
                // paths made index-free so lists do not multiply it
                let mut names: Vec<String> = extra
                    .iter()
                    .map(|p| strip_indexes(p))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                names.truncate(10);
                self.found(Found {
                    check: Check::UndeclaredField,
                    operation: operation.clone(),
                    identity,
                    key: names.join(","),
                    message: format!(
                        "the {} answer carries {} the schema does not declare",
                        answer.status,
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    evidence: format!(
                        "declared response schema of {} {}",
                        operation, answer.status
                    ),
                    request: sent,
                    answer: Some(answer),
                    steps: Vec::new(),
                });
            }
        }
    }

    /// Findings for the security headers missing on authenticated answers.
    fn header_findings(&self) {
        if !self.on(Check::SecurityHeaders) {
            return;
        }
        let missing = self
            .missing_headers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for (header, ops) in missing {
            let ops: Vec<String> = ops.into_iter().collect();
            let example = Sent {
                method: "GET".into(),
                target: "/".into(),
                headers: Vec::new(),
                body: Vec::new(),
            };
            let sample = ops.first().cloned().unwrap_or_default();
            let (sent, answer) = self
                .sample_for(&sample)
                .map(|(s, a)| (s, Some(a)))
                .unwrap_or((example, None));
            self.found(Found {
                check: Check::SecurityHeaders,
                operation: "*".into(),
                identity: self.identities.first().map(|i| i.name()).unwrap_or("-"),
                key: header.to_string(),
                message: format!(
                    "authenticated answers lack `{header}`{}",
                    if header == "Cache-Control" {
                        " (no-store or private)"
                    } else {
                        ": nosniff"
                    }
                ),
                evidence: format!("{} operation(s): {}", ops.len(), ops.join(", ")),
                request: &sent,
                answer: answer.as_ref(),
                steps: Vec::new(),
            });
        }
    }

    /// The control request and answer of an operation, by label.
    fn sample_for(&self, label: &str) -> Option<(Sent, Answer)> {
        let i = (0..self.spec.operations.len()).find(|&i| self.label(i) == label)?;
        let answer = self
            .controls
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&i)?
            .clone();
        let creds = self
            .identities
            .first()
            .map(|x| x.credentials())
            .unwrap_or_default();
        Some((self.request(i, &self.valid_case(i), &creds), answer))
    }
}

/// `$[0].card` → `card`, `$.a.b` → `a.b`.
fn strip_indexes(path: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in path.trim_start_matches('$').chars() {
        match c {
            '[' => in_index = true,
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out.trim_start_matches('.').to_string()
}

/// Whether an answer is a 2xx.
pub fn success(answer: &Option<Answer>) -> bool {
    answer
        .as_ref()
        .is_some_and(|a| (200..300).contains(&a.status))
}
