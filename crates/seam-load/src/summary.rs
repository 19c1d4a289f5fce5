//! The figures a report shows, computed from a run's [`Stats`]: requests a
//! second, latency percentiles (ms), statuses, errors by kind, per endpoint
//! and in all. Serialized as `seam load --json` writes it: `rps` and the
//! percentiles at the top level.

use crate::stats::{EndpointStats, ErrorKind, Second, Stats};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Latency {
    pub min: f64,
    pub mean: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    #[serde(rename = "p99.9")]
    pub p99_9: f64,
    #[serde(rename = "p99.99")]
    pub p99_99: f64,
    pub max: f64,
}

impl Latency {
    pub fn of(h: &Histogram<u64>) -> Latency {
        if h.is_empty() {
            return Latency::default();
        }
        let ms = |us: u64| us as f64 / 1000.0;
        let at = |q: f64| ms(h.value_at_quantile(q));
        Latency {
            min: ms(h.min()),
            mean: h.mean().round() / 1000.0,
            p50: at(0.5),
            p75: at(0.75),
            p90: at(0.9),
            p95: at(0.95),
            p99: at(0.99),
            p99_9: at(0.999),
            p99_99: at(0.9999),
            max: ms(h.max()),
        }
    }

    /// The percentile `p` (0-100) read from `h`, in ms.
    pub fn percentile(h: &Histogram<u64>, p: f64) -> f64 {
        if h.is_empty() {
            return 0.0;
        }
        h.value_at_quantile(p / 100.0) as f64 / 1000.0
    }
}

/// One endpoint's line.
#[derive(Debug, Clone, Serialize)]
pub struct EndpointSummary {
    pub name: String,
    pub requests: u64,
    pub rps: f64,
    pub errors: u64,
    pub latency: Latency,
    /// Answers by status class: `2xx` ...
    pub statuses: BTreeMap<String, u64>,
    pub errors_by_kind: BTreeMap<ErrorKind, u64>,
}

/// A whole run, as reports show it.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub rps: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    #[serde(rename = "p99.9")]
    pub p99_9: f64,
    pub max: f64,
    pub requests: u64,
    pub responses: u64,
    pub errors: u64,
    /// errors / requests (0 when nothing was sent).
    pub error_rate: f64,
    pub duration_s: f64,
    pub latency: Latency,
    pub statuses: BTreeMap<String, u64>,
    pub errors_by_kind: BTreeMap<ErrorKind, u64>,
    pub bytes_received: u64,
    /// Open model: how late requests were sent, and how many were late,
    /// never sent, or unfinished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_lag: Option<Latency>,
    pub late: u64,
    pub dropped: u64,
    pub interrupted: u64,
    pub endpoints: Vec<EndpointSummary>,
    /// Answers and errors in each second of the run.
    pub per_second: Vec<Second>,
}

fn statuses(e: &EndpointStats, into: &mut BTreeMap<String, u64>) {
    for (class, h) in &e.by_class {
        *into.entry(format!("{class}xx")).or_default() += h.len();
    }
}

fn rate(n: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        ((n as f64 / secs) * 10.0).round() / 10.0
    } else {
        0.0
    }
}

impl Summary {
    /// The figures of `stats` over a run that lasted `elapsed`; `open` says
    /// whether it ran the open model (the send lag is shown then).
    pub fn of(stats: &Stats, elapsed: Duration, open: bool) -> Summary {
        let secs = elapsed.as_secs_f64();
        let all = stats.all_latency();
        let latency = Latency::of(&all);
        let mut all_statuses = BTreeMap::new();
        let endpoints = stats
            .endpoints
            .iter()
            .map(|e| {
                let mut st = BTreeMap::new();
                statuses(e, &mut st);
                statuses(e, &mut all_statuses);
                EndpointSummary {
                    name: e.name.clone(),
                    requests: e.requests(),
                    rps: rate(e.responses(), secs),
                    errors: e.error_count(),
                    latency: Latency::of(&e.latency),
                    statuses: st,
                    errors_by_kind: e.errors.clone(),
                }
            })
            .collect();
        let (requests, errors) = (stats.requests(), stats.error_count());
        Summary {
            rps: rate(stats.responses(), secs),
            p50: latency.p50,
            p90: latency.p90,
            p95: latency.p95,
            p99: latency.p99,
            p99_9: latency.p99_9,
            max: latency.max,
            requests,
            responses: stats.responses(),
            errors,
            error_rate: if requests == 0 {
                0.0
            } else {
                errors as f64 / requests as f64
            },
            duration_s: (secs * 1000.0).round() / 1000.0,
            latency,
            statuses: all_statuses,
            errors_by_kind: stats.errors(),
            bytes_received: stats.endpoints.iter().map(|e| e.bytes_received).sum(),
            send_lag: open.then(|| Latency::of(&stats.send_lag)),
            late: stats.late,
            dropped: stats.dropped,
            interrupted: stats.interrupted,
            endpoints,
            per_second: stats.per_second.clone(),
        }
    }
}
