//! What a load run measured, kept in constant memory whatever its length:
//! latency histograms (HdrHistogram, microseconds, 3 significant digits) per
//! endpoint and per status class, errors by kind, the send lag of the open
//! model, and completions per second. Stats of users, threads and shards add
//! up exactly (histogram addition, never averaged percentiles).

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest latency a histogram holds exactly (one hour, in µs); longer
/// ones are recorded as this.
pub const HIGHEST_US: u64 = 3_600_000_000;

/// An empty latency histogram: 1 µs to an hour, 3 significant digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("constant bounds are valid")
}

/// Why a request got no usable answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorKind {
    /// The connection was refused.
    Refused,
    /// Connecting failed otherwise (unreachable, no route, connect timeout).
    Connect,
    /// The connection was reset or closed before the whole answer came.
    Reset,
    /// No answer within the request timeout.
    Timeout,
    /// The TLS handshake failed (an untrusted certificate, no common
    /// protocol version).
    Tls,
    /// The answer was not HTTP.
    Protocol,
    /// An answer with a status outside 200-399.
    Status,
    /// An answer a suite scenario's assertions or captures refused.
    Check,
    /// A suite step that could not be sent: a variable it needs is unset
    /// (the capture that sets it failed), a file it names is missing.
    Unsent,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 9] = [
        ErrorKind::Refused,
        ErrorKind::Connect,
        ErrorKind::Reset,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::Protocol,
        ErrorKind::Status,
        ErrorKind::Check,
        ErrorKind::Unsent,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::Connect => "connect",
            ErrorKind::Reset => "reset",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Tls => "tls",
            ErrorKind::Protocol => "protocol",
            ErrorKind::Status => "status",
            ErrorKind::Check => "check",
            ErrorKind::Unsent => "unsent",
        }
    }
}

/// One endpoint's figures.
#[derive(Debug, Clone)]
pub struct EndpointStats {
    pub name: String,
    /// Every answer's latency, whatever its status.
    pub latency: Histogram<u64>,
    /// Latency by status class (2 for 2xx ...).
    pub by_class: BTreeMap<u16, Histogram<u64>>,
    pub errors: BTreeMap<ErrorKind, u64>,
    pub bytes_received: u64,
}

impl EndpointStats {
    pub fn new(name: &str) -> Self {
        EndpointStats {
            name: name.to_string(),
            latency: new_histogram(),
            by_class: BTreeMap::new(),
            errors: BTreeMap::new(),
            bytes_received: 0,
        }
    }

    /// Answers received (any status).
    pub fn responses(&self) -> u64 {
        self.latency.len()
    }

    /// Errors of every kind, status errors included.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Requests that ended: answers, and failures without an answer.
    pub fn requests(&self) -> u64 {
        let answered_errors = [ErrorKind::Status, ErrorKind::Check]
            .iter()
            .map(|k| self.errors.get(k).unwrap_or(&0))
            .sum::<u64>();
        self.responses() + self.error_count() - answered_errors
    }

    fn add(&mut self, other: &EndpointStats) {
        add_histogram(&mut self.latency, &other.latency);
        for (class, h) in &other.by_class {
            add_histogram(self.by_class.entry(*class).or_insert_with(new_histogram), h);
        }
        for (kind, n) in &other.errors {
            *self.errors.entry(*kind).or_default() += n;
        }
        self.bytes_received += other.bytes_received;
    }
}

/// Completions in one second of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Second {
    pub responses: u64,
    pub errors: u64,
    /// Latency of the second's answers (µs): p50, p95, p99, max. Set by the
    /// engine from all users at once; a merge of shards keeps the worst.
    #[serde(default)]
    pub latency_us: [u64; 4],
}

/// Everything a run (or a user, a thread, a shard) measured.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Indexed as the plan's targets.
    pub endpoints: Vec<EndpointStats>,
    /// Open model: how long after its intended time each request was sent.
    pub send_lag: Histogram<u64>,
    /// Open model: requests sent 10 ms or more after their intended time.
    pub late: u64,
    /// Open model: requests due before the end that were never sent.
    pub dropped: u64,
    /// Requests still in flight when the run ended (and its grace period too).
    pub interrupted: u64,
    /// Completions by second of the run.
    pub per_second: Vec<Second>,
    /// The latest second's answers (emptied by each progress report).
    pub window: Histogram<u64>,
}

/// Sent this long after its intended time, an open-model request is late.
pub const LATE_US: u64 = 10_000;

impl Stats {
    pub fn new(endpoint_names: &[&str]) -> Self {
        Stats {
            endpoints: endpoint_names
                .iter()
                .map(|n| EndpointStats::new(n))
                .collect(),
            send_lag: new_histogram(),
            late: 0,
            dropped: 0,
            interrupted: 0,
            per_second: Vec::new(),
            window: new_histogram(),
        }
    }

    fn second(&mut self, second: usize) -> &mut Second {
        if self.per_second.len() <= second {
            self.per_second.resize(second + 1, Second::default());
        }
        &mut self.per_second[second]
    }

    /// An answer with `status`, `latency_us` after the request was due; a
    /// status outside 200-399 is an error.
    pub fn record_answer(
        &mut self,
        endpoint: usize,
        status: u16,
        latency_us: u64,
        bytes: u64,
        second: usize,
    ) {
        let error = (!(200..400).contains(&status)).then_some(ErrorKind::Status);
        self.record_answer_as(endpoint, status, latency_us, bytes, second, error);
    }

    /// An answer judged by its caller: `error` names why it counts as one
    /// (a suite's failed check), `None` when it does not.
    pub fn record_answer_as(
        &mut self,
        endpoint: usize,
        status: u16,
        latency_us: u64,
        bytes: u64,
        second: usize,
        error: Option<ErrorKind>,
    ) {
        let e = &mut self.endpoints[endpoint];
        let latency_us = latency_us.clamp(1, HIGHEST_US);
        e.latency.saturating_record(latency_us);
        e.by_class
            .entry(status / 100)
            .or_insert_with(new_histogram)
            .saturating_record(latency_us);
        e.bytes_received += bytes;
        let failed = error.is_some();
        if let Some(kind) = error {
            *e.errors.entry(kind).or_default() += 1;
        }
        self.window.saturating_record(latency_us);
        let s = self.second(second);
        s.responses += 1;
        s.errors += u64::from(failed);
    }

    /// A request that got no answer.
    pub fn record_failure(&mut self, endpoint: usize, kind: ErrorKind, second: usize) {
        *self.endpoints[endpoint].errors.entry(kind).or_default() += 1;
        self.second(second).errors += 1;
    }

    /// Open model: a request sent `lag_us` after its intended time.
    pub fn record_lag(&mut self, lag_us: u64) {
        self.send_lag.saturating_record(lag_us.clamp(1, HIGHEST_US));
        self.late += u64::from(lag_us >= LATE_US);
    }

    /// Adds `other` in: counts add, histograms add bucket by bucket.
    pub fn add(&mut self, other: &Stats) {
        for (mine, theirs) in self.endpoints.iter_mut().zip(&other.endpoints) {
            mine.add(theirs);
        }
        for theirs in other.endpoints.iter().skip(self.endpoints.len()) {
            self.endpoints.push(theirs.clone());
        }
        add_histogram(&mut self.send_lag, &other.send_lag);
        add_histogram(&mut self.window, &other.window);
        self.late += other.late;
        self.dropped += other.dropped;
        self.interrupted += other.interrupted;
        for (i, s) in other.per_second.iter().enumerate() {
            let mine = self.second(i);
            mine.responses += s.responses;
            mine.errors += s.errors;
            for (m, t) in mine.latency_us.iter_mut().zip(s.latency_us) {
                *m = (*m).max(t);
            }
        }
    }

    /// Second `second`'s latency: p50, p95, p99 and max in µs.
    pub fn set_second_latency(&mut self, second: usize, latency_us: [u64; 4]) {
        self.second(second).latency_us = latency_us;
    }
}

/// p50, p95, p99 and max of `answers` in µs (zeros when empty).
pub fn second_latency(answers: &Histogram<u64>) -> [u64; 4] {
    if answers.is_empty() {
        return [0; 4];
    }
    let q = |v: f64| answers.value_at_quantile(v);
    [q(0.5), q(0.95), q(0.99), answers.max()]
}

impl Stats {
    /// Every endpoint's latency in one histogram.
    pub fn all_latency(&self) -> Histogram<u64> {
        let mut all = new_histogram();
        for e in &self.endpoints {
            add_histogram(&mut all, &e.latency);
        }
        all
    }

    /// Errors by kind over every endpoint.
    pub fn errors(&self) -> BTreeMap<ErrorKind, u64> {
        let mut all = BTreeMap::new();
        for e in &self.endpoints {
            for (kind, n) in &e.errors {
                *all.entry(*kind).or_default() += n;
            }
        }
        all
    }

    pub fn responses(&self) -> u64 {
        self.endpoints.iter().map(EndpointStats::responses).sum()
    }

    pub fn requests(&self) -> u64 {
        self.endpoints.iter().map(EndpointStats::requests).sum()
    }

    pub fn error_count(&self) -> u64 {
        self.endpoints.iter().map(EndpointStats::error_count).sum()
    }
}

/// `into += from`. Both come from [`new_histogram`], so they share bounds and
/// the addition cannot fail; a histogram read from a file with other bounds
/// is added value by value.
pub fn add_histogram(into: &mut Histogram<u64>, from: &Histogram<u64>) {
    if into.add(from).is_err() {
        for v in from.iter_recorded() {
            into.saturating_record_n(
                v.value_iterated_to().clamp(1, HIGHEST_US),
                v.count_at_value(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_merge_into_the_histogram_of_all_samples() {
        // samples spread over five decades, split unevenly over three shards
        let samples: Vec<u64> = (0..30_000u64)
            .map(|i| 1 + (i * i * 7919) % 5_000_000)
            .collect();
        let mut whole = Stats::new(&["GET /"]);
        let mut shards = [
            Stats::new(&["GET /"]),
            Stats::new(&["GET /"]),
            Stats::new(&["GET /"]),
        ];
        for (i, &s) in samples.iter().enumerate() {
            let status = if i % 97 == 0 { 503 } else { 200 };
            whole.record_answer(0, status, s, 10, i / 10_000);
            shards[(i * i) % 3].record_answer(0, status, s, 10, i / 10_000);
        }
        whole.record_failure(0, ErrorKind::Reset, 2);
        shards[1].record_failure(0, ErrorKind::Reset, 2);
        let mut merged = Stats::new(&["GET /"]);
        for s in &shards {
            merged.add(s);
        }
        let (w, m) = (whole.all_latency(), merged.all_latency());
        assert_eq!(w, m);
        for q in [0.5, 0.9, 0.95, 0.99, 0.999, 0.9999, 1.0] {
            assert_eq!(w.value_at_quantile(q), m.value_at_quantile(q), "q {q}");
        }
        assert_eq!(whole.errors(), merged.errors());
        assert_eq!(whole.per_second, merged.per_second);
        assert_eq!(merged.requests(), 30_001);
        assert_eq!(merged.responses(), 30_000);
        assert_eq!(merged.endpoints[0].by_class[&5].len(), 310);
    }

    #[test]
    fn a_status_outside_200_399_is_an_error_with_its_latency_kept() {
        let mut s = Stats::new(&["GET /a"]);
        s.record_answer(0, 200, 1_000, 5, 0);
        s.record_answer(0, 302, 1_000, 5, 0);
        s.record_answer(0, 404, 2_000, 5, 1);
        s.record_failure(0, ErrorKind::Timeout, 1);
        assert_eq!((s.requests(), s.responses(), s.error_count()), (4, 3, 2));
        assert_eq!(
            s.per_second
                .iter()
                .map(|s| (s.responses, s.errors))
                .collect::<Vec<_>>(),
            vec![(2, 0), (1, 2)]
        );
        s.record_lag(12_000);
        s.record_lag(50);
        assert_eq!(s.late, 1);
    }
}
