//! The run: cases sent to the API, operation by operation (`--workers` at a
//! time), each answer checked, each candidate finding sent again before it is
//! reported (flaky when it does not repeat), random-phase findings shrunk to
//! a minimal case, rejected valid data re-sent with values taken from the
//! service's own answers, then the stateful sequences. The run prints
//! nothing: it reports progress through a callback and returns an
//! [`Outcome`].

use crate::auth::{touches_credentials, Credentials};
use crate::case::{judge, render, Case, CaseBody, Phase, Purpose, Sent, Verdict};
use crate::cases::{is_json, Maker};
use crate::check::{Check, CheckSet};
use crate::finding::{finding_id, Answer, Finding, OperationStats, Outcome};
use seam_openapi::conform::{check_response, ResponseParts};
use seam_openapi::model::ParamLocation;
use seam_openapi::schema::{Schemas, ViolationKind};
use seam_openapi::{Operation, Spec};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What a run does.
#[derive(Debug, Clone)]
pub struct Options {
    /// The API's base URL (`http://127.0.0.1:8080/v1`).
    pub base_url: String,
    pub phases: Vec<Phase>,
    pub checks: CheckSet,
    pub seed: u64,
    /// Random cases per operation.
    pub max_examples: usize,
    /// Stop sending once this much time has passed.
    pub max_time: Option<Duration>,
    /// Operations fuzzed at once.
    pub workers: usize,
    /// How long one request may take before it counts as a hang.
    pub request_timeout: Duration,
    /// The response-time check's threshold (the check is off without one).
    pub max_response_time: Option<Duration>,
    /// Headers every request carries (credentials).
    pub headers: Vec<(String, String)>,
    /// A user of an auth file: logged in before the run, and again when an
    /// answer is 401.
    pub login: Option<crate::auth::User>,
    /// Only operations whose label (`GET /items/{id}`) or operationId is listed.
    pub operations: Vec<String>,
    /// Send the 1 MB strings and 100,000-item arrays.
    pub huge: bool,
    /// Per operation label: statuses taken as expected (never reported as
    /// undocumented, and a valid request answered with one is not "rejected").
    pub expected_statuses: HashMap<String, Vec<u16>>,
    /// Per operation label: checks turned off for it.
    pub off: HashMap<String, Vec<Check>>,
}

impl Options {
    pub fn new(base_url: impl Into<String>) -> Options {
        Options {
            base_url: base_url.into(),
            phases: Phase::ALL.to_vec(),
            checks: CheckSet::default(),
            seed: 0,
            max_examples: 50,
            max_time: None,
            workers: 2,
            request_timeout: Duration::from_secs(10),
            max_response_time: None,
            headers: Vec::new(),
            login: None,
            operations: Vec::new(),
            huge: true,
            expected_statuses: HashMap::new(),
            off: HashMap::new(),
        }
    }
}

/// Where a run is, for a live progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub operations_done: usize,
    pub operations: usize,
    pub requests: u64,
    pub findings: usize,
}

/// Why a run could not be made.
#[derive(Debug)]
pub enum RunError {
    /// The API could not be reached at all (exit 3).
    Unreachable(String),
    /// Bad options (exit 2).
    Usage(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Unreachable(m) | RunError::Usage(m) => f.write_str(m),
        }
    }
}

/// A finding before it is confirmed.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub check: Check,
    /// What makes two findings of one check on one operation different.
    pub key: String,
    pub message: String,
    /// The spec location the rule comes from.
    pub pointer: String,
}

/// Everything the workers share.
pub(crate) struct Shared<'a> {
    pub spec: &'a Spec,
    pub schemas: Schemas,
    pub options: &'a Options,
    pub client: reqwest::Client,
    pub requests: AtomicU64,
    pub findings: Mutex<Vec<Finding>>,
    pub found: AtomicUsize,
    pub deadline: Option<Instant>,
    pub stopped: AtomicBool,
    /// Values of id-like fields seen in the service's answers, by field name.
    pub harvested: Mutex<HashMap<String, Vec<Value>>>,
    pub unauthorized: Mutex<BTreeMap<String, u64>>,
    pub stats: Mutex<BTreeMap<usize, OperationStats>>,
    /// What requests carry now (a login refreshes it).
    pub credentials: std::sync::RwLock<Credentials>,
    /// One login at a time.
    pub login_lock: tokio::sync::Mutex<()>,
    /// Logins after a 401 that the request then still got a 401 after.
    pub useless_relogins: AtomicUsize,
    /// Operations that change credentials or remove users.
    pub sensitive: Vec<usize>,
}

/// Runs every enabled phase against the API.
pub async fn run(
    spec: &Spec,
    options: &Options,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Outcome, RunError> {
    let started = Instant::now();
    let schemas = Schemas::compile(spec).map_err(|errors| {
        RunError::Usage(
            errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.request_timeout)
        .build()
        .map_err(|e| RunError::Usage(format!("cannot build the HTTP client: {e}")))?;
    // operations without path parameters first: they create and list the
    // resources whose ids the others then use
    let mut selected: Vec<usize> = spec
        .operations
        .iter()
        .enumerate()
        .filter(|(_, op)| selected(op, &options.operations))
        .map(|(i, _)| i)
        .collect();
    selected.sort_by_key(|&i| spec.operations[i].path.contains('{'));
    if selected.is_empty() {
        return Err(RunError::Usage(if options.operations.is_empty() {
            "the spec has no operations".into()
        } else {
            format!(
                "no operation is named {}; operations are named `METHOD /path` or by operationId",
                options.operations.join(", ")
            )
        }));
    }
    let shared = Shared {
        spec,
        schemas,
        options,
        client,
        requests: AtomicU64::new(0),
        findings: Mutex::new(Vec::new()),
        found: AtomicUsize::new(0),
        deadline: options.max_time.map(|t| started + t),
        stopped: AtomicBool::new(false),
        harvested: Mutex::new(HashMap::new()),
        unauthorized: Mutex::new(BTreeMap::new()),
        stats: Mutex::new(BTreeMap::new()),
        credentials: std::sync::RwLock::new(Credentials {
            headers: options.headers.clone(),
            query: Vec::new(),
        }),
        login_lock: tokio::sync::Mutex::new(()),
        useless_relogins: AtomicUsize::new(0),
        sensitive: selected
            .iter()
            .copied()
            .filter(|&i| {
                let op = &spec.operations[i];
                touches_credentials(&op.method, &op.path, op.operation_id.as_deref())
            })
            .collect(),
    };
    shared.reachable().await?;
    if options.login.is_some() {
        shared.login().await.map_err(RunError::Usage)?;
    }
    // operations that change credentials or remove users run last
    selected.sort_by_key(|i| shared.sensitive.contains(i));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let total = selected.len();
    let report = |shared: &Shared<'_>, done: usize| {
        progress(Progress {
            operations_done: done,
            operations: total,
            requests: shared.requests.load(Ordering::Relaxed),
            findings: shared.found.load(Ordering::Relaxed),
        })
    };
    report(&shared, 0);
    let worker = || async {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&index) = selected.get(i) else { break };
            shared.operation(index).await;
            let d = done.fetch_add(1, Ordering::Relaxed) + 1;
            report(&shared, d);
        }
    };
    let finished = AtomicBool::new(false);
    let all_work = async {
        let workers: Vec<_> = (0..options.workers.max(1))
            .map(|_| Box::pin(worker()))
            .collect();
        futures_join_all(workers).await;
        shared.undeclared_methods(&selected).await;
        if options.phases.contains(&Phase::Stateful) {
            crate::stateful::run(&shared, &selected).await;
        }
        finished.store(true, Ordering::Relaxed);
    };
    // the progress line moves with the requests, not only per operation
    let ticker = async {
        while !finished.load(Ordering::Relaxed) {
            tokio::time::sleep(Duration::from_millis(200)).await;
            report(&shared, done.load(Ordering::Relaxed));
        }
    };
    let both: Vec<std::pin::Pin<Box<dyn std::future::Future<Output = ()> + '_>>> =
        vec![Box::pin(all_work), Box::pin(ticker)];
    futures_join_all(both).await;
    report(&shared, total);
    let mut findings = shared.findings.into_inner().unwrap_or_default();
    findings.sort_by(|a, b| {
        (a.operation_index, a.check, &a.key).cmp(&(b.operation_index, b.check, &b.key))
    });
    let mut notes = Vec::new();
    for (label, n) in shared.unauthorized.into_inner().unwrap_or_default() {
        notes.push(format!(
            "{label}: {n} valid request(s) answered 401/403; give credentials (-H, --bearer, --basic, --auth) to test it past its auth"
        ));
    }
    let stats = shared
        .stats
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for s in stats.values() {
        let success: u64 = s.statuses.range(200..300).map(|(_, n)| n).sum();
        let not_found = s.statuses.get(&404).copied().unwrap_or(0);
        if success == 0 && not_found * 2 >= s.requests && s.requests >= 5 {
            notes.push(format!(
                "{}: {not_found} of {} requests answered 404, none 2xx: its data rarely got past \"not found\"; give ids that exist (a POST the spec links to it, or examples)",
                s.operation, s.requests
            ));
        }
    }
    Ok(Outcome {
        base_url: options.base_url.clone(),
        seed: options.seed,
        phases: options.phases.clone(),
        requests: shared.requests.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
        stopped_by_time: shared.stopped.load(Ordering::Relaxed),
        operations: shared
            .stats
            .into_inner()
            .unwrap_or_default()
            .into_values()
            .collect(),
        findings,
        notes,
        max_response_time: options.max_response_time,
        request_timeout: options.request_timeout,
    })
}

/// Runs futures to completion together (on the current task).
async fn futures_join_all<F: std::future::Future<Output = ()> + Unpin>(futures: Vec<F>) {
    let mut pinned: Vec<F> = futures;
    std::future::poll_fn(|cx| {
        pinned.retain_mut(|f| std::pin::Pin::new(f).poll(cx).is_pending());
        if pinned.is_empty() {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await
}

fn selected(op: &Operation, names: &[String]) -> bool {
    names.is_empty()
        || names.iter().any(|n| {
            n == &op.label()
                || op.operation_id.as_deref() == Some(n.as_str())
                || n.eq_ignore_ascii_case(&op.label())
        })
}

impl Shared<'_> {
    pub(crate) fn out_of_time(&self) -> bool {
        match self.deadline {
            Some(d) if Instant::now() >= d => {
                self.stopped.store(true, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    /// What requests carry now.
    pub(crate) fn credentials(&self) -> Credentials {
        self.credentials
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Logs in with the auth file's user; the credentials it gives replace
    /// the current ones (fixed `-H` headers kept).
    pub(crate) async fn login(&self) -> Result<(), String> {
        let Some(user) = &self.options.login else {
            return Ok(());
        };
        let mut creds = crate::auth::log_in(&self.client, &self.options.base_url, user).await?;
        let mut headers = self.options.headers.clone();
        headers.append(&mut creds.headers);
        creds.headers = headers;
        *self.credentials.write().unwrap_or_else(|e| e.into_inner()) = creds;
        Ok(())
    }

    /// After a 401 to a request sent with `used`: logs in again, unless
    /// another request already did (then the new credentials are there), or
    /// logging in again has not helped three times running (the 401 is not
    /// about an expired token). Whether the request should be sent again.
    async fn relogin(&self, used: &Credentials) -> bool {
        if self
            .options
            .login
            .as_ref()
            .and_then(|u| u.login.as_ref())
            .is_none()
            || self.useless_relogins.load(Ordering::Relaxed) >= 3
        {
            return false;
        }
        let _one_at_a_time = self.login_lock.lock().await;
        if self.credentials() != *used {
            return true;
        }
        self.login().await.is_ok()
    }

    /// Whether a request names the username the run logs in with.
    fn carries_login_identity(&self, sent: &Sent) -> bool {
        let Some(name) = self
            .options
            .login
            .as_ref()
            .and_then(|u| u.login.as_ref())
            .and_then(|l| l.username.as_deref())
        else {
            return false;
        };
        sent.target.contains(name)
            || sent.target.contains(&seam_core::http::percent_encode(name))
            || sent.body_text().contains(name)
    }

    /// One request to the base URL; an error when nothing answers.
    async fn reachable(&self) -> Result<(), RunError> {
        let url = self.options.base_url.clone();
        match self.client.get(&url).send().await {
            Ok(_) => Ok(()),
            Err(e) if e.is_connect() => Err(RunError::Unreachable(format!(
                "cannot reach {url}: {}",
                seam_core::reproduce::network_error_text(&e)
            ))),
            // answered, timed out or reset: something is there
            Err(_) => Ok(()),
        }
    }

    /// Sends a request; `Err` with words for a hang or a broken connection.
    pub(crate) async fn send(&self, sent: &Sent) -> Result<Answer, String> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let url = format!(
            "{}{}",
            self.options.base_url.trim_end_matches('/'),
            sent.target
        );
        let method = reqwest::Method::from_bytes(sent.method.as_bytes())
            .map_err(|_| format!("`{}` is not a method", sent.method))?;
        let mut req = self.client.request(method, &url);
        for (name, value) in &sent.headers {
            let (Ok(n), Ok(v)) = (
                reqwest::header::HeaderName::from_bytes(name.as_bytes()),
                reqwest::header::HeaderValue::from_bytes(value.as_bytes()),
            ) else {
                continue;
            };
            req = req.header(n, v);
        }
        if !sent.body.is_empty() {
            req = req.body(sent.body.clone());
        }
        let started = Instant::now();
        let res = req
            .send()
            .await
            .map_err(|e| describe_failure(&e, self.options))?;
        let status = res.status().as_u16();
        let headers = crate::finding::header_pairs(res.headers());
        let body = res
            .bytes()
            .await
            .map_err(|e| describe_failure(&e, self.options))?;
        let answer = Answer {
            status,
            headers,
            body: body.to_vec(),
            elapsed: started.elapsed(),
        };
        Ok(answer)
    }

    /// Keeps the id-like values of a 2xx JSON answer; a top-level `id` of
    /// an answer from `/orders...` is also kept as `orderId`, so `{orderId}`
    /// gets an order's id, not any id.
    fn harvest(&self, op: &Operation, answer: &Answer) {
        if !(200..300).contains(&answer.status) || !answer.is_json() {
            return;
        }
        let Ok(v) = serde_json::from_slice::<Value>(&answer.body) else {
            return;
        };
        let mut found = Vec::new();
        collect_ids(&v, &mut found, 0);
        if found.is_empty() {
            return;
        }
        if let Some(resource) = resource_name(&op.path) {
            let own = |item: &Value| {
                item.get("id")
                    .filter(|i| i.is_string() || i.is_number())
                    .cloned()
            };
            let ids: Vec<Value> = match &v {
                Value::Array(items) => items.iter().take(8).filter_map(own).collect(),
                other => own(other).into_iter().collect(),
            };
            found.extend(ids.into_iter().map(|id| (format!("{resource}Id"), id)));
        }
        let mut h = self.harvested.lock().unwrap_or_else(|e| e.into_inner());
        for (k, v) in found {
            let list = h.entry(k).or_default();
            if !list.contains(&v) && list.len() < 16 {
                list.push(v);
            }
        }
    }

    pub(crate) fn on(&self, op: &Operation, check: Check) -> bool {
        self.options.checks.contains(check)
            && !self
                .options
                .off
                .get(&op.label())
                .is_some_and(|off| off.contains(&check))
    }

    fn expected(&self, op: &Operation, status: u16) -> bool {
        self.options
            .expected_statuses
            .get(&op.label())
            .is_some_and(|s| s.contains(&status))
    }

    /// The checks a single answer fails.
    pub(crate) fn evaluate(
        &self,
        op: &Operation,
        case: &Case,
        verdict: &Verdict,
        answer: &Result<Answer, String>,
    ) -> Vec<Candidate> {
        let mut out = Vec::new();
        let answer = match answer {
            Ok(a) => a,
            Err(why) => {
                if self.on(op, Check::ServerError) {
                    out.push(Candidate {
                        check: Check::ServerError,
                        key: format!("no answer {}", mutated_at(case)),
                        message: why.clone(),
                        pointer: op.pointer.clone(),
                    });
                }
                return out;
            }
        };
        let status = answer.status;
        if status >= 500 {
            if self.on(op, Check::ServerError) && !self.expected(op, status) {
                out.push(Candidate {
                    check: Check::ServerError,
                    key: format!("{status} {}", mutated_at(case)),
                    message: format!("answered {status}{}", excerpt_suffix(answer)),
                    pointer: op.pointer.clone(),
                });
            }
            return out;
        }
        if case.purpose == Purpose::UndeclaredMethod {
            let method = case.method.as_deref().unwrap_or("");
            let allow = answer.header("allow");
            if self.on(op, Check::MethodNotAllowed) && (status != 405 || allow.is_none()) {
                out.push(Candidate {
                    check: Check::MethodNotAllowed,
                    key: status.to_string(),
                    message: if status == 405 {
                        format!("{method} {} answered 405 without an Allow header", op.path)
                    } else {
                        format!(
                            "{method} {} is not declared, but was answered {status}",
                            op.path
                        )
                    },
                    pointer: op
                        .pointer
                        .rsplit_once('/')
                        .map(|(p, _)| p.to_string())
                        .unwrap_or_default(),
                });
            }
            return out;
        }
        // (a public operation's 401 is its own answer: a wrong password)
        if matches!(status, 401 | 403) && verdict.is_valid() && !op.is_public() {
            *self
                .unauthorized
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .entry(op.label())
                .or_default() += 1;
        }
        // the answer against the spec
        if !self.expected(op, status) {
            out.extend(self.conformance(op, answer));
        }
        match verdict {
            Verdict::Invalid(violations)
                if (200..400).contains(&status) && case.purpose != Purpose::Lenient =>
            {
                let first = &violations[0];
                let (check, key) = if case.purpose == Purpose::MissingHeader {
                    (Check::MissingHeaderAccepted, first.path())
                } else {
                    (Check::InvalidAccepted, first.path())
                };
                if self.on(op, check) {
                    out.push(Candidate {
                        check,
                        key,
                        message: format!(
                            "answered {status} to a request the spec forbids: {first}{}",
                            case.mutation
                                .as_deref()
                                .map(|m| format!(" (sent {m})"))
                                .unwrap_or_default()
                        ),
                        pointer: first.pointer.clone(),
                    });
                }
            }
            Verdict::Valid
                if matches!(status, 400 | 405 | 406 | 413 | 415 | 422)
                    && case.purpose != Purpose::Lenient
                    && !self.expected(op, status)
                    && self.on(op, Check::ValidRejected) =>
            {
                out.push(Candidate {
                    check: Check::ValidRejected,
                    key: status.to_string(),
                    message: format!(
                        "answered {status} to a request the spec allows{}{}",
                        case.mutation
                            .as_deref()
                            .map(|m| format!(" (sent {m})"))
                            .unwrap_or_default(),
                        excerpt_suffix(answer)
                    ),
                    pointer: op.pointer.clone(),
                });
            }
            _ => {}
        }
        if let Some(limit) = self.options.max_response_time {
            if answer.elapsed > limit && self.on(op, Check::ResponseTime) {
                out.push(Candidate {
                    check: Check::ResponseTime,
                    key: String::new(),
                    message: format!(
                        "answered in {} ms, over the {} ms threshold",
                        answer.elapsed.as_millis(),
                        limit.as_millis()
                    ),
                    pointer: op.pointer.clone(),
                });
            }
        }
        out
    }

    /// Status, Content-Type, headers and body against the operation's responses.
    fn conformance(&self, op: &Operation, answer: &Answer) -> Vec<Candidate> {
        conformance(self.spec, &self.schemas, op, answer)
            .into_iter()
            .filter(|c| self.on(op, c.check))
            .collect()
    }

    /// Sends one case and checks its answer; candidates are confirmed and
    /// recorded. Returns the answer.
    pub(crate) async fn try_case(
        &self,
        case: &Case,
        steps: &[Sent],
    ) -> Option<Result<Answer, String>> {
        if self.out_of_time() {
            return None;
        }
        let op = &self.spec.operations[case.operation];
        let known;
        let sensitive = self.sensitive.contains(&case.operation);
        let case = if matches!(case.phase, Phase::Coverage | Phase::Random) && !sensitive {
            known = self.with_known_ids(case);
            &known
        } else {
            case
        };
        let used = self.credentials();
        let mut sent = render(op, case, &used);
        if sensitive && self.carries_login_identity(&sent) {
            return Some(Err(
                "skipped: it names the identity the run logs in with".into()
            ));
        }
        let verdict = judge(self.spec, &self.schemas, op, case, &sent);
        let mut answer = self.send(&sent).await;
        if let Ok(a) = &answer {
            self.harvest(op, a);
        }
        if matches!(&answer, Ok(a) if a.status == 401)
            && !op.is_public()
            && self.relogin(&used).await
        {
            sent = render(op, case, &self.credentials());
            answer = self.send(&sent).await;
            let still = matches!(&answer, Ok(a) if a.status == 401);
            if still {
                self.useless_relogins.fetch_add(1, Ordering::Relaxed);
            } else {
                self.useless_relogins.store(0, Ordering::Relaxed);
            }
        }
        self.count(case.operation, &answer);
        let candidates = self.evaluate(op, case, &verdict, &answer);
        for c in candidates {
            if self.known(case.operation, c.check, &c.key) {
                continue;
            }
            self.confirm(case, &verdict, sent.clone(), &answer, c, steps)
                .await;
        }
        Some(answer)
    }

    fn count(&self, index: usize, answer: &Result<Answer, String>) {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        let s = stats.entry(index).or_insert_with(|| OperationStats {
            operation: self.spec.operations[index].label(),
            requests: 0,
            statuses: BTreeMap::new(),
            failures: 0,
        });
        s.requests += 1;
        match answer {
            Ok(a) => *s.statuses.entry(a.status).or_default() += 1,
            Err(_) => s.failures += 1,
        }
    }

    fn known(&self, index: usize, check: Check, key: &str) -> bool {
        self.findings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|f| f.operation_index == index && f.check == check && f.key == key)
    }

    /// Sends the case again (shrunk first when it is random), and for
    /// rejected valid data with values from the service's own answers;
    /// records the finding.
    async fn confirm(
        &self,
        case: &Case,
        verdict: &Verdict,
        mut sent: Sent,
        answer: &Result<Answer, String>,
        candidate: Candidate,
        steps: &[Sent],
    ) {
        let op = &self.spec.operations[case.operation];
        let mut case = case.clone();
        let mut answer = answer.clone();
        let mut candidate = candidate;
        // a random case, or a coverage case over a body with optional parts:
        // the smallest request that still fails the same way
        if matches!(case.phase, Phase::Random | Phase::Coverage) {
            if let Some((mut c, s, a, cand)) = self.shrink(&case, verdict, &candidate).await {
                c.mutation = c.mutation.map(|m| format!("{m}, then shrunk"));
                case = c;
                sent = s;
                answer = a;
                candidate = cand;
            }
        }
        if candidate.check == Check::ValidRejected && !self.rejected_with_known_values(&case).await
        {
            return;
        }
        // stateful findings are confirmed by their sequence
        let repeated = if case.phase == Phase::Stateful || candidate.check == Check::ResponseTime {
            true
        } else {
            let again = self.send(&sent).await;
            self.evaluate(op, &case, verdict, &again)
                .iter()
                .any(|c| c.check == candidate.check && c.key == candidate.key)
        };
        self.record(
            case.operation,
            &case,
            sent,
            &answer,
            candidate,
            !repeated,
            steps.to_vec(),
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn record(
        &self,
        index: usize,
        case: &Case,
        sent: Sent,
        answer: &Result<Answer, String>,
        candidate: Candidate,
        flaky: bool,
        steps: Vec<Sent>,
    ) {
        let op = &self.spec.operations[index];
        let mut findings = self.findings.lock().unwrap_or_else(|e| e.into_inner());
        if findings.iter().any(|f| {
            f.operation_index == index && f.check == candidate.check && f.key == candidate.key
        }) {
            return;
        }
        let label = op.label();
        findings.push(Finding {
            id: finding_id(&label, candidate.check, &candidate.key),
            check: candidate.check,
            operation: label,
            operation_id: op.operation_id.clone(),
            operation_index: index,
            key: candidate.key,
            phase: case.phase,
            message: candidate.message,
            mutation: case.mutation.clone(),
            spec_location: self.spec.locate(&candidate.pointer),
            pointer: candidate.pointer,
            curl: sent.curl(&self.options.base_url),
            request: sent,
            answer: answer.as_ref().ok().map(|a| a.excerpt()),
            failure: answer.as_ref().err().cloned(),
            flaky,
            steps,
        });
        self.found.store(findings.len(), Ordering::Relaxed);
    }

    /// Shrinks a case while it keeps its verdict and the same finding (for a
    /// coverage case, the same key: what it mutated stays the point).
    async fn shrink(
        &self,
        case: &Case,
        verdict: &Verdict,
        candidate: &Candidate,
    ) -> Option<(Case, Sent, Result<Answer, String>, Candidate)> {
        let op = &self.spec.operations[case.operation];
        let maker = Maker {
            spec: self.spec,
            seed: self.options.seed,
        };
        let mut best: Option<(Case, Sent, Result<Answer, String>, Candidate)> = None;
        let mut current = case.clone();
        let mut tries = 0;
        'outer: while tries < 64 {
            for step in maker.shrink_steps(&current) {
                tries += 1;
                if tries >= 64 || self.out_of_time() {
                    break 'outer;
                }
                let sent = render(op, &step, &self.credentials());
                let v = judge(self.spec, &self.schemas, op, &step, &sent);
                if v.is_valid() != verdict.is_valid() {
                    continue;
                }
                let answer = self.send(&sent).await;
                if let Some(c) = self.evaluate(op, &step, &v, &answer).into_iter().find(|c| {
                    c.check == candidate.check
                        && (case.phase == Phase::Random || c.key == candidate.key)
                }) {
                    current = step.clone();
                    best = Some((step, sent, answer, c));
                    continue 'outer;
                }
            }
            break;
        }
        best
    }

    /// Whether a valid request the service rejected is rejected again with
    /// values the service itself gave (for its path parameters and id-like
    /// fields); a request with no such values only needs to be rejected again.
    async fn rejected_with_known_values(&self, case: &Case) -> bool {
        let op = &self.spec.operations[case.operation];
        let harvested = self
            .harvested
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some((c, refers)) = known_ids(case, &harvested, true) else {
            return false;
        };
        if !refers {
            return true;
        }
        let sent = render(op, &c, &self.credentials());
        let verdict = judge(self.spec, &self.schemas, op, &c, &sent);
        if !verdict.is_valid() {
            return false;
        }
        let answer = self.send(&sent).await;
        self.evaluate(op, &c, &verdict, &answer)
            .iter()
            .any(|x| x.check == Check::ValidRejected)
    }

    /// The case with ids the service gave (for path parameters and id-like
    /// fields the case did not mutate), so that it gets past "not found" to
    /// the code that handles the data.
    fn with_known_ids(&self, case: &Case) -> Case {
        let harvested = self.harvested.lock().unwrap_or_else(|e| e.into_inner());
        if harvested.is_empty() {
            return case.clone();
        }
        known_ids(case, &harvested, false)
            .map(|(c, _)| c)
            .unwrap_or_else(|| case.clone())
    }

    /// One operation's single-request phases.
    async fn operation(&self, index: usize) {
        let maker = Maker {
            spec: self.spec,
            seed: self.options.seed,
        };
        let phases = &self.options.phases;
        let mut cases = Vec::new();
        if phases.contains(&Phase::Examples) {
            cases.extend(maker.examples(index));
        }
        if phases.contains(&Phase::Coverage) {
            cases.extend(maker.coverage(index, self.options.huge));
        }
        if phases.contains(&Phase::Random) {
            cases.extend(maker.random(index, self.options.max_examples));
        }
        for case in &cases {
            if self.try_case(case, &[]).await.is_none() {
                return;
            }
        }
    }

    /// The coverage phase's undeclared methods: on each path, each of GET,
    /// PUT, POST, DELETE and PATCH it does not declare.
    async fn undeclared_methods(&self, selected: &[usize]) {
        if !self.options.phases.contains(&Phase::Coverage) {
            return;
        }
        let mut seen = Vec::new();
        for &index in selected {
            let op = &self.spec.operations[index];
            if seen.contains(&op.path) {
                continue;
            }
            seen.push(op.path.clone());
            let declared: Vec<&str> = self
                .spec
                .operations
                .iter()
                .filter(|o| o.path == op.path)
                .map(|o| o.method.as_str())
                .collect();
            let maker = Maker {
                spec: self.spec,
                seed: self.options.seed,
            };
            for method in ["GET", "PUT", "POST", "DELETE", "PATCH"] {
                if declared.contains(&method) {
                    continue;
                }
                let mut case = maker.base(index, Phase::Coverage, self.options.seed);
                case.body = None;
                case.method = Some(method.into());
                case.purpose = Purpose::UndeclaredMethod;
                case.mutation = Some(format!("method: {method} (not declared on {})", op.path));
                if self.try_case(&case, &[]).await.is_none() {
                    return;
                }
            }
        }
    }
}

/// What an answer breaks of its operation's responses: status, Content-Type,
/// required headers, body schema (one candidate per check and key).
pub(crate) fn conformance(
    spec: &Spec,
    schemas: &Schemas,
    op: &Operation,
    answer: &Answer,
) -> Vec<Candidate> {
    let res = ResponseParts {
        status: answer.status,
        headers: &answer.headers,
        body: &answer.body,
    };
    let declares_body = op
        .response_for(answer.status)
        .is_some_and(|r| !r.content.is_empty());
    let mut out: Vec<Candidate> = Vec::new();
    for v in check_response(spec, schemas, op, &res) {
        let (check, key) = match v.kind {
            ViolationKind::ResponseStatus => (Check::UndocumentedStatus, answer.status.to_string()),
            ViolationKind::ResponseHeader => (Check::ResponseHeaders, v.path()),
            ViolationKind::ResponseBody if v.path() == "header.Content-Type" => (
                Check::ContentType,
                format!(
                    "{} {}",
                    answer.status,
                    answer.header("content-type").unwrap_or("")
                ),
            ),
            // a body the spec does not describe is not checked
            ViolationKind::ResponseBody if !declares_body => continue,
            ViolationKind::ResponseBody => (
                Check::ResponseSchema,
                format!("{} {}", answer.status, v.path()),
            ),
            _ => continue,
        };
        if !out.iter().any(|c| c.check == check && c.key == key) {
            out.push(Candidate {
                check,
                key,
                message: format!("answered {}: {v}", answer.status),
                pointer: v.pointer.clone(),
            });
        }
    }
    out
}

/// `(at body.qty)` for a case's mutation, for finding keys.
fn mutated_at(case: &Case) -> String {
    case.mutation
        .as_deref()
        .and_then(|m| m.split(':').next())
        .map(|at| format!("at {at}"))
        .unwrap_or_else(|| "valid data".into())
}

fn excerpt_suffix(answer: &Answer) -> String {
    let text = answer.body_excerpt(160);
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

fn describe_failure(e: &reqwest::Error, options: &Options) -> String {
    if e.is_timeout() {
        format!(
            "no answer within {} s (the request timeout)",
            options.request_timeout.as_secs_f64()
        )
    } else {
        format!(
            "the connection failed: {}",
            seam_core::reproduce::network_error_text(e)
        )
    }
}

/// The resource a path serves, singular: `/v1/orders/{orderId}` → `order`.
fn resource_name(path: &str) -> Option<String> {
    let segment = path
        .split('/')
        .rev()
        .find(|s| !s.is_empty() && !s.starts_with('{'))?;
    let word: String = segment
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    let singular = word.strip_suffix('s').unwrap_or(&word);
    (!singular.is_empty()).then(|| singular.to_string())
}

/// `id`, `itemId`, `item_id`, `ID`.
pub(crate) fn is_id_name(name: &str) -> bool {
    name.eq_ignore_ascii_case("id")
        || name.ends_with("Id")
        || name.ends_with("ID")
        || name.to_ascii_lowercase().ends_with("_id")
}

fn collect_ids(v: &Value, out: &mut Vec<(String, Value)>, depth: usize) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                if is_id_name(k) && (child.is_string() || child.is_number()) {
                    out.push((k.clone(), child.clone()));
                } else {
                    collect_ids(child, out, depth + 1);
                }
            }
        }
        Value::Array(a) => {
            for child in a.iter().take(8) {
                collect_ids(child, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// A value the service gave for a field of this name (or for a plain `id`).
fn known_value(h: &HashMap<String, Vec<Value>>, name: &str) -> Option<Value> {
    h.get(name)
        .or_else(|| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
        })
        .or_else(|| h.get("id"))
        .and_then(|v| v.last())
        .cloned()
}

/// `case` with known values for the places that may refer to state (path
/// parameters, id-like parameters and body fields), except the place the
/// case mutated, and whether there was any such place. `strict`: `None`
/// when a place has no known value (else it keeps its own).
pub(crate) fn known_ids(
    case: &Case,
    harvested: &HashMap<String, Vec<Value>>,
    strict: bool,
) -> Option<(Case, bool)> {
    let mutated = case
        .mutation
        .as_deref()
        .and_then(|m| m.split(": ").next())
        .unwrap_or("")
        .to_string();
    let mut c = case.clone();
    let mut refers = false;
    for (loc, name, value) in c.params.iter_mut() {
        let place = format!("{} {name}", loc.as_str());
        if (*loc == ParamLocation::Path || is_id_name(name)) && !touches(&mutated, &place) {
            refers = true;
            match known_value(harvested, name) {
                Some(v) => *value = v,
                None if strict => return None,
                None => {}
            }
        }
    }
    if mutated != "body" {
        if let Some(CaseBody::Json { value, .. }) = &mut c.body {
            let mut at = "body".to_string();
            if !replace_ids(value, harvested, &mut refers, &mut at, &mutated, strict) {
                return None;
            }
        }
    }
    Some((c, refers))
}

/// Whether a mutation at `mutated` touches `place` (the same, inside, or around it).
fn touches(mutated: &str, place: &str) -> bool {
    mutated == place
        || mutated.starts_with(&format!("{place}."))
        || mutated.starts_with(&format!("{place}["))
        || place.starts_with(&format!("{mutated}."))
        || place.starts_with(&format!("{mutated}["))
}

/// Replaces id-like fields under `at` (but not the mutated one) with known
/// values; false when `strict` and one has none.
pub(crate) fn replace_ids(
    v: &mut Value,
    h: &HashMap<String, Vec<Value>>,
    refers: &mut bool,
    at: &mut String,
    mutated: &str,
    strict: bool,
) -> bool {
    let len = at.len();
    let ok = match v {
        Value::Object(m) => m.iter_mut().all(|(k, child)| {
            at.truncate(len);
            at.push('.');
            at.push_str(k);
            if is_id_name(k) && (child.is_string() || child.is_number()) {
                if touches(mutated, at) {
                    return true;
                }
                *refers = true;
                match known_value(h, k) {
                    Some(known) => {
                        *child = known;
                        true
                    }
                    None => !strict,
                }
            } else {
                replace_ids(child, h, refers, at, mutated, strict)
            }
        }),
        Value::Array(a) => a.iter_mut().enumerate().all(|(i, child)| {
            at.truncate(len);
            at.push_str(&format!("[{i}]"));
            replace_ids(child, h, refers, at, mutated, strict)
        }),
        _ => true,
    };
    at.truncate(len);
    ok
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_json(&self) -> bool {
        self.header("content-type").is_some_and(is_json)
    }
}
