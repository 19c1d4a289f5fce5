//! Runs a [`Plan`]: checks that every target answers at all, starts one task
//! per user (closed model) or per connection (open model), reports progress
//! once a second, stops at the end of the duration or when asked, and gives
//! in-flight requests a short grace period before counting them as
//! interrupted.
//!
//! In the open model, connection `c` of `n` sends requests `c`, `c + n`,
//! `c + 2n`, ... of the run, request `j` due `j / rate` seconds after the
//! start. A request that cannot be sent on time (its connection is still
//! waiting for an earlier answer) is sent as soon as it can, and its latency
//! is counted from when it was due, as wrk2 does: a server that stalls is
//! not let off by the requests it held back.

use crate::client::{Answer, Connection};
use crate::h2;
use crate::plan::{Model, Plan, Target};
use crate::stats::{new_histogram, ErrorKind, Stats};
use crate::summary::Latency;
use crate::transport::{ConnectError, Connector, Endpoint};
use seam_suite::scenario::{StepFigures, StepVerdict};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long requests still in flight at the end may take to finish.
pub const GRACE: Duration = Duration::from_secs(2);

/// Why a run could not start.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// A target's host does not resolve or does not accept connections.
    #[error("{0}")]
    Unreachable(String),
    /// The transport's settings cannot be used (a CA rustls refuses).
    #[error("{0}")]
    Transport(String),
}

/// Stops a run early (Ctrl-C, a failed threshold); cheap to clone.
#[derive(Clone, Default)]
pub struct StopHandle(Arc<(AtomicBool, Notify)>);

impl StopHandle {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn stop(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        self.0 .1.notify_waiters();
    }

    pub fn is_stopped(&self) -> bool {
        self.0 .0.load(Ordering::SeqCst)
    }

    async fn stopped(&self) {
        let notified = self.0 .1.notified();
        if self.is_stopped() {
            return;
        }
        notified.await;
    }
}

/// Once a second while the run goes on.
pub struct Progress<'a> {
    pub elapsed: Duration,
    /// Requests ended so far, and how many of them failed.
    pub requests: u64,
    pub errors: u64,
    /// Answers in the last second, and their 95th percentile (ms).
    pub rps: f64,
    pub p95_ms: f64,
    shards: &'a [Mutex<Stats>],
}

impl Progress<'_> {
    /// Everything measured so far.
    pub fn stats(&self) -> Stats {
        merge(self.shards)
    }
}

/// How a run ended.
pub struct Outcome {
    pub stats: Stats,
    /// From the first request to the last answer.
    pub elapsed: Duration,
    /// Stopped through the [`StopHandle`] before its duration.
    pub stopped_early: bool,
}

fn merge(shards: &[Mutex<Stats>]) -> Stats {
    let mut all: Option<Stats> = None;
    for shard in shards {
        let s = shard.lock().unwrap_or_else(|p| p.into_inner());
        match &mut all {
            Some(a) => a.add(&s),
            None => all = Some(s.clone()),
        }
    }
    all.unwrap_or_else(|| Stats::new(&[]))
}

/// Resolves each target's address and connects to each distinct one once
/// (with the TLS handshake for https, and the HTTP/2 handshake with
/// `--http2`), so that a run against an address nothing answers on fails
/// before any load starts: the distinct endpoints, each target's among them,
/// and the HTTP/2 pools (empty without `--http2`).
async fn preflight(
    plan: &Plan,
    connector: &Connector,
) -> Result<(Vec<Endpoint>, Vec<usize>, Vec<h2::Pool>), LoadError> {
    let mut endpoints: Vec<Endpoint> = Vec::new();
    let mut of_target = Vec::new();
    let mut pools = Vec::new();
    let suite_base = match &plan.suite {
        Some(suite) => match suite.base_url() {
            Some(url) => vec![Target::parse(&url, "GET", &[], bytes::Bytes::new())
                .map_err(|e| LoadError::Unreachable(format!("the suite's baseUrl: {e}")))?],
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let per_pool = plan
        .model
        .connections()
        .div_ceil(plan.transport.streams.max(1)) as usize;
    // a suite's baseUrl is checked for a listener only: its requests make
    // their own TLS handshakes (as `seam test` does) and report their own
    // failures
    let checked = plan.targets.iter().map(|t| (t, t.is_tls()));
    for (target, tls) in checked.chain(suite_base.iter().map(|t| (t, false))) {
        let authority = target.authority();
        let addr = tokio::net::lookup_host(&authority)
            .await
            .map_err(|e| LoadError::Unreachable(format!("cannot resolve `{authority}`: {e}")))?
            .min_by_key(|a| a.is_ipv6())
            .ok_or_else(|| {
                LoadError::Unreachable(format!("`{authority}` resolves to no address"))
            })?;
        let endpoint = Endpoint {
            addr,
            tls: tls.then(|| target.uri.host().unwrap_or_default().to_string()),
        };
        if let Some(i) = endpoints.iter().position(|e| *e == endpoint) {
            of_target.push(i);
            continue;
        }
        let unreachable = |e: ConnectError| {
            LoadError::Unreachable(format!(
                "cannot connect to {authority} ({addr}): {}",
                e.detail
            ))
        };
        if plan.transport.http2 {
            let pool = h2::Pool::new(per_pool);
            let mut sender = pool
                .sender(0, connector, &endpoint, plan.timeout)
                .await
                .map_err(unreachable)?;
            h2::probe(&mut sender, target, plan.timeout)
                .await
                .map_err(|detail| {
                    unreachable(ConnectError {
                        kind: ErrorKind::Protocol,
                        detail,
                    })
                })?;
            pools.push(pool);
        } else {
            Connection::open(connector, &endpoint, plan.timeout)
                .await
                .map_err(unreachable)?;
        }
        of_target.push(endpoints.len());
        endpoints.push(endpoint);
    }
    Ok((endpoints, of_target, pools))
}

struct Shared {
    plan: Plan,
    endpoints: Vec<Endpoint>,
    /// Each target's endpoint, by index into `endpoints`.
    endpoint_of: Vec<usize>,
    connector: Connector,
    /// Each endpoint's HTTP/2 connections (none without `--http2`).
    pools: Vec<h2::Pool>,
    start: Instant,
    stop: StopHandle,
    shards: Vec<Mutex<Stats>>,
    requests: AtomicU64,
    errors: AtomicU64,
    /// Closed model with a request count: the requests (suite: cases) not
    /// yet started.
    budget: AtomicU64,
    /// Users still running, and the signal that the last one ended.
    running: AtomicU64,
    all_done: Notify,
}

impl Shared {
    fn record(&self, user: u32, f: impl FnOnce(&mut Stats)) {
        let shard = &self.shards[user as usize % self.shards.len()];
        f(&mut shard.lock().unwrap_or_else(|p| p.into_inner()));
    }

    fn second(&self) -> usize {
        self.start.elapsed().as_secs() as usize
    }

    /// Takes one request of the count (always, without one).
    fn take(&self) -> bool {
        self.plan.requests.is_none()
            || self
                .budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(1)
                })
                .is_ok()
    }

    /// Resolves once every user has ended (a request count used up).
    async fn finished(&self) {
        let notified = self.all_done.notified();
        if self.running.load(Ordering::SeqCst) == 0 {
            return;
        }
        notified.await;
    }
}

/// Runs `plan` until its duration is over or `stop` is called; `progress` is
/// called once a second.
pub async fn run(
    plan: &Plan,
    stop: &StopHandle,
    mut progress: impl FnMut(&Progress<'_>),
) -> Result<Outcome, LoadError> {
    let any_tls = plan.targets.iter().any(|t| t.is_tls());
    let connector = Connector::new(&plan.transport, any_tls).map_err(LoadError::Transport)?;
    let (endpoints, endpoint_of, pools) = preflight(plan, &connector).await?;
    let names = plan.endpoint_names();
    let connections = plan.model.connections().max(1);
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shards = (0..(threads * 4).min(connections as usize).max(1))
        .map(|_| Mutex::new(Stats::new(&names)))
        .collect();
    let shared = Arc::new(Shared {
        plan: plan.clone(),
        endpoints,
        endpoint_of,
        connector,
        pools,
        start: Instant::now(),
        stop: StopHandle::new(),
        shards,
        requests: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        budget: AtomicU64::new(plan.requests.unwrap_or(0)),
        running: AtomicU64::new(u64::from(connections)),
        all_done: Notify::new(),
    });
    let mut users = JoinSet::new();
    for user in 0..connections {
        let shared = shared.clone();
        users.spawn(async move {
            user_loop(&shared, user).await;
            if shared.running.fetch_sub(1, Ordering::SeqCst) == 1 {
                shared.all_done.notify_waiters();
            }
        });
    }
    // an open model's request count is sent whole: the schedule ends the
    // run when its last request is answered, late ones included (the
    // timeout past the schedule is only a safety cap)
    let counted_open = plan.requests.is_some() && matches!(plan.model, Model::Open { .. });
    let end = shared.start
        + plan.duration
        + if counted_open {
            plan.timeout
        } else {
            Duration::ZERO
        };
    let mut tick = shared.start + Duration::from_secs(1);
    // each second's latency, read off the window of all users' answers
    let mut seconds: Vec<(usize, [u64; 4])> = Vec::new();
    let drain = |shards: &[Mutex<Stats>]| {
        let mut window = new_histogram();
        for shard in shards {
            let mut s = shard.lock().unwrap_or_else(|p| p.into_inner());
            crate::stats::add_histogram(&mut window, &s.window);
            s.window.reset();
        }
        window
    };
    let stopped_early = loop {
        tokio::select! {
            _ = tokio::time::sleep_until(tick.min(end)) => {}
            _ = stop.stopped() => break true,
            _ = shared.finished() => break false,
        }
        let now = Instant::now();
        if now >= tick {
            let window = drain(&shared.shards);
            let second = (tick - shared.start).as_secs() as usize - 1;
            seconds.push((second, crate::stats::second_latency(&window)));
            progress(&Progress {
                elapsed: now - shared.start,
                requests: shared.requests.load(Ordering::Relaxed),
                errors: shared.errors.load(Ordering::Relaxed),
                rps: window.len() as f64,
                p95_ms: Latency::percentile(&window, 95.0),
                shards: &shared.shards,
            });
            tick += Duration::from_secs(1);
        }
        if now >= end {
            break false;
        }
    };
    shared.stop.stop();
    let grace = tokio::time::sleep(GRACE);
    tokio::pin!(grace);
    loop {
        tokio::select! {
            joined = users.join_next() => if joined.is_none() { break },
            _ = &mut grace => break,
        }
    }
    let interrupted = users.len() as u64;
    users.abort_all();
    let elapsed = shared.start.elapsed();
    // the last, partial second (and the grace period)
    let last = (tick - shared.start).as_secs() as usize - 1;
    seconds.push((last, crate::stats::second_latency(&drain(&shared.shards))));
    let mut stats = merge(&shared.shards);
    stats.interrupted += interrupted;
    for (second, latency) in seconds {
        if second < stats.per_second.len() {
            stats.set_second_latency(second, latency);
        }
    }
    Ok(Outcome {
        stats,
        elapsed,
        stopped_early,
    })
}

/// How often a user above a ramp's level looks again.
const RAMP_CHECK: Duration = Duration::from_millis(10);

/// The timer's resolution: tokio wakes a sleeper on the millisecond tick
/// after its deadline, up to a millisecond late.
const TIMER_TICK: Duration = Duration::from_millis(1);

/// Waits until `due` (or a stop): sleeps until a tick before it, then yields
/// to other tasks until it comes, so that requests leave on time instead of
/// on the timer's next tick (which would add up to a millisecond to every
/// latency counted from the intended time).
async fn wait_until(due: Instant, stop: &StopHandle) {
    if Instant::now() + TIMER_TICK < due {
        tokio::select! {
            _ = tokio::time::sleep_until(due - TIMER_TICK) => {}
            _ = stop.stopped() => return,
        }
    }
    while Instant::now() < due && !stop.is_stopped() {
        tokio::task::yield_now().await;
    }
}

/// One user (closed model) or one connection's share of the schedule (open
/// model), until the run stops.
async fn user_loop(shared: &Shared, user: u32) {
    let plan = &shared.plan;
    // one connection per endpoint, whichever target goes there
    let mut conns: Vec<Option<Conn>> = (0..shared.endpoints.len()).map(|_| None).collect();
    let mut turn = user as usize;
    let mut slot = u64::from(user);
    loop {
        let due = match plan.model {
            Model::Closed { .. } => {
                if shared.stop.is_stopped() || !shared.take() {
                    return;
                }
                if let Some(ramp) = &plan.stages {
                    // a user above the ramp's level waits for it to rise
                    let level = ramp.level_at(shared.start.elapsed().as_secs_f64());
                    if f64::from(user) >= level.round() {
                        tokio::select! {
                            _ = tokio::time::sleep(RAMP_CHECK) => {}
                            _ = shared.stop.stopped() => {}
                        }
                        continue;
                    }
                }
                Instant::now()
            }
            Model::Open { rate, connections } => {
                let per = u64::from(connections.max(1));
                let (total, offset) = match &plan.stages {
                    Some(ramp) => (ramp.total(), ramp.due(slot)),
                    None => {
                        let total = (plan.duration.as_secs_f64() * rate).ceil() as u64;
                        (total, Some(slot as f64 / rate))
                    }
                };
                let total = plan.requests.map_or(total, |n| n.min(total));
                let Some(offset) = offset.filter(|_| slot < total) else {
                    return;
                };
                let due = shared.start + Duration::from_secs_f64(offset);
                wait_until(due, &shared.stop).await;
                if shared.stop.is_stopped() {
                    let left = (total - slot).div_ceil(per);
                    shared.record(user, |s| s.dropped += left);
                    return;
                }
                let lag = Instant::now().saturating_duration_since(due);
                shared.record(user, |s| s.record_lag(lag.as_micros() as u64));
                slot += per;
                due
            }
        };
        if let Some(suite) = &plan.suite {
            // a suite case: the wait past its due time counts in its first
            // step (the open model's correction), its steps each on its own
            let late = Instant::now().saturating_duration_since(due);
            let steps = suite.iterate(turn).await;
            turn += 1;
            let second = shared.second();
            let failed = steps
                .iter()
                .filter(|s| s.verdict != StepVerdict::Passed)
                .count() as u64;
            shared
                .requests
                .fetch_add(steps.len() as u64, Ordering::Relaxed);
            shared.errors.fetch_add(failed, Ordering::Relaxed);
            shared.record(user, |s| {
                for (n, step) in steps.iter().enumerate() {
                    let latency = step.duration + if n == 0 { late } else { Duration::ZERO };
                    record_step(s, step, latency.as_micros() as u64, second);
                }
            });
            // an iteration that fails at once (or skips every step) awaits
            // nothing: give the scheduler its turn, or the timers that end
            // the run never fire
            tokio::task::coop::consume_budget().await;
            continue;
        }
        let index = if plan.order.is_empty() {
            turn % plan.targets.len()
        } else {
            plan.order[turn % plan.order.len()]
        };
        turn += 1;
        let target = &plan.targets[index];
        let at = shared.endpoint_of[index];
        let conn = match &mut conns[at] {
            Some(c) => c,
            slot @ None => match Conn::open(shared, at, user).await {
                Ok(c) => slot.insert(c),
                Err(ConnectError { kind, .. }) => {
                    shared.requests.fetch_add(1, Ordering::Relaxed);
                    shared.errors.fetch_add(1, Ordering::Relaxed);
                    let second = shared.second();
                    shared.record(user, |s| s.record_failure(index, kind, second));
                    // nothing listens: do not spin; the next try comes soon
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let result = conn.send(target, plan).await;
        let now = Instant::now();
        let latency = now - due;
        let second = (now - shared.start).as_secs() as usize;
        shared.requests.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(answer) => {
                if !(200..400).contains(&answer.status) {
                    shared.errors.fetch_add(1, Ordering::Relaxed);
                }
                shared.record(user, |s| {
                    s.record_answer(
                        index,
                        answer.status,
                        latency.as_micros() as u64,
                        answer.bytes,
                        second,
                    )
                });
                if answer.closed || !plan.keep_alive {
                    conns[at] = None;
                }
            }
            Err(kind) => {
                shared.errors.fetch_add(1, Ordering::Relaxed);
                shared.record(user, |s| s.record_failure(index, kind, second));
                conns[at] = None;
            }
        }
    }
}

/// One step of a suite case into the stats: an answer (an error when its
/// checks failed or its status was bad and unexpected), or a failure
/// without one, by the kind `seam test` named it.
fn record_step(s: &mut Stats, step: &StepFigures, latency_us: u64, second: usize) {
    let error = match step.verdict {
        StepVerdict::Passed => None,
        StepVerdict::BadStatus => Some(ErrorKind::Status),
        StepVerdict::CheckFailed => Some(ErrorKind::Check),
        StepVerdict::NoAnswer(named) => {
            let kind = match named {
                "timed out" => ErrorKind::Timeout,
                "connection refused" => ErrorKind::Refused,
                "TLS handshake failed" => ErrorKind::Tls,
                "DNS lookup failed" | "cannot connect" => ErrorKind::Connect,
                "request failed" => ErrorKind::Reset,
                // a step that could not be built (a capture it needs failed)
                _ => ErrorKind::Unsent,
            };
            s.record_failure(step.endpoint, kind, second);
            return;
        }
    };
    match step.status {
        Some(status) => s.record_answer_as(step.endpoint, status, latency_us, 0, second, error),
        None => s.record_failure(step.endpoint, ErrorKind::Unsent, second),
    }
}

/// A user's way to an endpoint: its own HTTP/1.1 connection, or a share of
/// one of the endpoint's HTTP/2 connections.
enum Conn {
    H1(Connection),
    H2(h2::Share),
}

impl Conn {
    async fn open(shared: &Shared, at: usize, user: u32) -> Result<Conn, ConnectError> {
        let (endpoint, timeout) = (&shared.endpoints[at], shared.plan.timeout);
        match shared.pools.get(at) {
            Some(pool) => {
                let index = (user / shared.plan.transport.streams.max(1)) as usize;
                let sender = pool
                    .sender(index, &shared.connector, endpoint, timeout)
                    .await?;
                Ok(Conn::H2(h2::Share::new(sender)))
            }
            None => Connection::open(&shared.connector, endpoint, timeout)
                .await
                .map(Conn::H1),
        }
    }

    async fn send(
        &mut self,
        target: &crate::plan::Target,
        plan: &Plan,
    ) -> Result<Answer, ErrorKind> {
        match self {
            Conn::H1(c) => c.send(target, plan.timeout, plan.keep_alive).await,
            Conn::H2(s) => s.send(target, plan.timeout).await,
        }
    }
}

/// Raises this process's soft open-file limit to `needed` (at most the hard
/// limit); says what it did, or why it could not, when it had to act.
#[cfg(unix)]
pub fn raise_open_files(needed: u64) -> Option<String> {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    let current = limit.current?;
    if current >= needed {
        return None;
    }
    let target = limit.maximum.map_or(needed, |max| max.min(needed));
    if target <= current {
        return Some(format!(
            "the open-file limit is {current} (hard limit {target}); connections beyond it will fail: raise it with `ulimit -n`"
        ));
    }
    limit.current = Some(target);
    match setrlimit(Resource::Nofile, limit) {
        Ok(()) => Some(format!(
            "raised the open-file limit from {current} to {target} for the connections"
        )),
        Err(e) => Some(format!(
            "could not raise the open-file limit from {current}: {e}"
        )),
    }
}
