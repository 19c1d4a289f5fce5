//! Thresholds that decide a run: `p95<200ms`, `p99.9<1s`, `avg<50ms`,
//! `max<2s`, `errors<0.1%`, `rps>2000`, over the whole run or one endpoint
//! (`p95[GET /users]<200ms`). A failed threshold names its measured value.

use crate::stats::{EndpointStats, Stats};
use crate::summary::Latency;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// A latency percentile, 0-100.
    Percentile(f64),
    Mean,
    Min,
    Max,
    /// Errors over requests.
    Errors,
    /// Answers a second.
    Rps,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    fn holds(self, measured: f64, limit: f64) -> bool {
        match self {
            Op::Lt => measured < limit,
            Op::Le => measured <= limit,
            Op::Gt => measured > limit,
            Op::Ge => measured >= limit,
        }
    }
}

/// One parsed threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// As written.
    pub source: String,
    /// The endpoint it judges (`GET /users`), or the whole run.
    pub endpoint: Option<String>,
    pub metric: Metric,
    pub op: Op,
    /// Milliseconds for latencies, a fraction for errors, a rate for rps.
    pub limit: f64,
}

/// What a threshold found.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub passed: bool,
    /// `p95 was 312.4ms`.
    pub measured: String,
}

const HELP: &str = "write METRIC<VALUE or METRIC[ENDPOINT]<VALUE: p95<200ms, p99.9<1s, avg<50ms, max<2s, errors<0.1%, rps>2000";

impl Threshold {
    pub fn parse(text: &str) -> Result<Threshold, String> {
        let t = text.trim();
        let bad = |why: &str| format!("threshold `{text}`: {why} ({HELP})");
        let op_at = t.find(['<', '>']).ok_or_else(|| bad("no comparison"))?;
        let (left, rest) = t.split_at(op_at);
        let (op, value) = match rest.as_bytes() {
            [b'<', b'=', ..] => (Op::Le, &rest[2..]),
            [b'>', b'=', ..] => (Op::Ge, &rest[2..]),
            [b'<', ..] => (Op::Lt, &rest[1..]),
            _ => (Op::Gt, &rest[1..]),
        };
        let left = left.trim();
        let (name, endpoint) = match left.split_once('[') {
            Some((name, ep)) => {
                let ep = ep.strip_suffix(']').ok_or_else(|| bad("`[` without `]`"))?;
                (name.trim(), Some(ep.trim().to_string()))
            }
            None => (left, None),
        };
        let metric = match name.to_ascii_lowercase().as_str() {
            "avg" | "mean" => Metric::Mean,
            "min" => Metric::Min,
            "max" => Metric::Max,
            "errors" | "error_rate" | "errors_rate" => Metric::Errors,
            "rps" => Metric::Rps,
            "med" | "median" => Metric::Percentile(50.0),
            other => match other.strip_prefix('p').map(str::parse::<f64>) {
                Some(Ok(p)) if p > 0.0 && p <= 100.0 => Metric::Percentile(p),
                _ => return Err(bad(&format!("unknown metric `{name}`"))),
            },
        };
        let value = value.trim();
        let bad = |why: &str| format!("threshold `{text}`: {why}");
        let limit = match metric {
            Metric::Errors => match value.strip_suffix('%') {
                Some(pct) => pct.trim().parse::<f64>().map(|p| p / 100.0),
                None => value.parse::<f64>(),
            }
            .map_err(|_| bad(&format!("`{value}` is not a rate (write 0.1% or 0.001)")))?,
            Metric::Rps => value
                .trim_end_matches("/s")
                .parse::<f64>()
                .map_err(|_| bad(&format!("`{value}` is not a number of requests a second")))?,
            _ => {
                let d = seam_core::units::parse_duration(value).map_err(|e| bad(&e))?;
                if value
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                    .is_empty()
                {
                    return Err(bad(&format!(
                        "`{value}` needs a unit (write {value}ms or {value}s)"
                    )));
                }
                d.as_secs_f64() * 1000.0
            }
        };
        Ok(Threshold {
            source: t.to_string(),
            endpoint,
            metric,
            op,
            limit,
        })
    }

    /// Names the threshold's endpoint must match among `names`, if it names one.
    pub fn check_endpoint(&self, names: &[&str]) -> Result<(), String> {
        match &self.endpoint {
            Some(ep) if !names.contains(&ep.as_str()) => Err(format!(
                "threshold `{}`: no endpoint `{ep}` in this run (endpoints: {})",
                self.source,
                names.join(", ")
            )),
            _ => Ok(()),
        }
    }

    /// Judges `stats` of a run that lasted `elapsed`.
    pub fn judge(&self, stats: &Stats, elapsed: Duration) -> Verdict {
        let endpoint: Option<&EndpointStats> = self
            .endpoint
            .as_ref()
            .and_then(|name| stats.endpoints.iter().find(|e| &e.name == name));
        let latency = match endpoint {
            Some(e) => e.latency.clone(),
            None => stats.all_latency(),
        };
        let (requests, errors, responses) = match endpoint {
            Some(e) => (e.requests(), e.error_count(), e.responses()),
            None => (stats.requests(), stats.error_count(), stats.responses()),
        };
        let secs = elapsed.as_secs_f64();
        let (measured, shown) = match self.metric {
            Metric::Percentile(p) => {
                let v = Latency::percentile(&latency, p);
                (v, format!("{} was {}", metric_name(p), ms(v)))
            }
            Metric::Mean => {
                let v = if latency.is_empty() {
                    0.0
                } else {
                    latency.mean() / 1000.0
                };
                (v, format!("avg was {}", ms(v)))
            }
            Metric::Min => {
                let v = latency.min() as f64 / 1000.0;
                (v, format!("min was {}", ms(v)))
            }
            Metric::Max => {
                let v = latency.max() as f64 / 1000.0;
                (v, format!("max was {}", ms(v)))
            }
            Metric::Errors => {
                let v = if requests == 0 {
                    0.0
                } else {
                    errors as f64 / requests as f64
                };
                (
                    v,
                    format!("errors were {:.3}% ({errors} of {requests})", v * 100.0),
                )
            }
            Metric::Rps => {
                let v = if secs > 0.0 {
                    responses as f64 / secs
                } else {
                    0.0
                };
                (v, format!("rps was {v:.1}"))
            }
        };
        // a latency threshold over no answers at all cannot pass
        let nothing = responses == 0 && !matches!(self.metric, Metric::Errors | Metric::Rps);
        Verdict {
            passed: !nothing && self.op.holds(measured, self.limit),
            measured: if nothing {
                "no answers to measure".into()
            } else {
                shown
            },
        }
    }
}

fn metric_name(p: f64) -> String {
    format!("p{p}")
}

/// `0.412ms`, `12.3ms`, `1.20s`.
pub fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2}s", v / 1000.0)
    } else if v >= 10.0 {
        format!("{v:.1}ms")
    } else {
        format!("{v:.3}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::ErrorKind;

    #[test]
    fn every_form_parses() {
        let t = Threshold::parse("p95<200ms").unwrap();
        assert_eq!(
            (t.metric, t.op, t.limit, t.endpoint),
            (Metric::Percentile(95.0), Op::Lt, 200.0, None)
        );
        assert_eq!(Threshold::parse("p99.9 < 1s").unwrap().limit, 1000.0);
        assert_eq!(Threshold::parse("errors<0.1%").unwrap().limit, 0.001);
        assert_eq!(Threshold::parse("errors<=0.01").unwrap().op, Op::Le);
        assert_eq!(Threshold::parse("rps>2000").unwrap().limit, 2000.0);
        let t = Threshold::parse("p95[GET /users]<200ms").unwrap();
        assert_eq!(t.endpoint.as_deref(), Some("GET /users"));
        assert!(t.check_endpoint(&["GET /users"]).is_ok());
        assert!(t
            .check_endpoint(&["GET /"])
            .unwrap_err()
            .contains("no endpoint"));
        for bad in ["p95", "p101<1s", "fast<1s", "p95[GET /<1s"] {
            let e = Threshold::parse(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("threshold `{bad}`")) && e.contains("p95<200ms"),
                "{e}"
            );
        }
        let e = Threshold::parse("p95<soon").unwrap_err();
        assert!(e.contains("`soon` is not a duration"), "{e}");
        let e = Threshold::parse("p95<200").unwrap_err();
        assert!(e.contains("needs a unit (write 200ms or 200s)"), "{e}");
        assert!(Threshold::parse("errors<lots")
            .unwrap_err()
            .contains("0.1%"));
    }

    #[test]
    fn verdicts_name_the_measured_value() {
        let mut s = Stats::new(&["GET /"]);
        for i in 1..=100u64 {
            s.record_answer(0, 200, i * 1000, 0, 0);
        }
        s.record_failure(0, ErrorKind::Reset, 0);
        let judge = |t: &str| {
            Threshold::parse(t)
                .unwrap()
                .judge(&s, Duration::from_secs(2))
        };
        assert!(judge("p95<200ms").passed);
        let v = judge("p95<50ms");
        assert!(!v.passed);
        assert_eq!(v.measured, "p95 was 95.0ms");
        // HDR keeps 3 significant digits: the max reads as its bucket's top
        assert!(judge("max<=100.1ms").passed && !judge("max<99ms").passed);
        assert!(!judge("errors<0.5%").passed);
        assert_eq!(
            judge("errors<0.5%").measured,
            "errors were 0.990% (1 of 101)"
        );
        assert!(judge("rps>49").passed && !judge("rps>51").passed);
        let empty = Stats::new(&["GET /"]);
        let v = Threshold::parse("p95<1s")
            .unwrap()
            .judge(&empty, Duration::from_secs(1));
        assert!(!v.passed && v.measured.contains("no answers"));
    }
}
