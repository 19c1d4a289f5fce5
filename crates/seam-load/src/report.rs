//! A run's summary as people and CI read it: the terminal text, a JUnit
//! suite with one case per threshold, and an HTML section (for `seam ci`).

use crate::stats::Stats;
use crate::summary::{Latency, Summary};
use crate::threshold::{ms, Threshold, Verdict};
use seam_core::html::escape;
use std::time::Duration;

/// Each threshold judged on `stats`.
pub fn judge_all<'a>(
    thresholds: &'a [Threshold],
    stats: &Stats,
    elapsed: Duration,
) -> Vec<(&'a Threshold, Verdict)> {
    thresholds
        .iter()
        .map(|t| (t, t.judge(stats, elapsed)))
        .collect()
}

/// `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn latency_line(l: &Latency) -> String {
    format!(
        "p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}  (mean {})",
        ms(l.p50),
        ms(l.p90),
        ms(l.p95),
        ms(l.p99),
        ms(l.p99_9),
        ms(l.max),
        ms(l.mean)
    )
}

/// The lines of the summary: (label, text).
fn lines(s: &Summary) -> Vec<(&'static str, String)> {
    let mut out = vec![
        (
            "requests",
            format!(
                "{} in {:.2}s, {}/s",
                thousands(s.requests),
                s.duration_s,
                thousands(s.rps.round() as u64)
            ),
        ),
        ("latency", latency_line(&s.latency)),
    ];
    if !s.statuses.is_empty() {
        let st: Vec<String> = s
            .statuses
            .iter()
            .map(|(c, n)| format!("{c} {}", thousands(*n)))
            .collect();
        out.push(("statuses", st.join("  ")));
    }
    let errors = if s.errors == 0 {
        "none".to_string()
    } else {
        format!(
            "{} ({:.3}%): {}",
            thousands(s.errors),
            s.error_rate * 100.0,
            kinds(&s.errors_by_kind)
        )
    };
    out.push(("errors", errors));
    if let Some(lag) = &s.send_lag {
        out.push((
            "send lag",
            format!(
                "p50 {}  p99 {}  max {}; late {}, dropped {}",
                ms(lag.p50),
                ms(lag.p99),
                ms(lag.max),
                thousands(s.late),
                thousands(s.dropped)
            ),
        ));
    }
    if s.interrupted > 0 {
        out.push((
            "unfinished",
            format!(
                "{} requests still in flight at the end",
                thousands(s.interrupted)
            ),
        ));
    }
    if s.endpoints.len() > 1 {
        for e in &s.endpoints {
            let errors = if e.errors == 0 {
                String::new()
            } else {
                format!(
                    ", errors {}: {}",
                    thousands(e.errors),
                    kinds(&e.errors_by_kind)
                )
            };
            out.push((
                "endpoint",
                format!(
                    "{}: {} requests{errors}, {}",
                    e.name,
                    thousands(e.requests),
                    latency_line(&e.latency)
                ),
            ));
        }
    }
    out
}

/// `reset 3, timeout 1`.
fn kinds(errors: &std::collections::BTreeMap<crate::stats::ErrorKind, u64>) -> String {
    errors
        .iter()
        .map(|(k, n)| format!("{} {}", k.label(), thousands(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The terminal summary, thresholds last.
pub fn text(s: &Summary, verdicts: &[(&Threshold, Verdict)]) -> String {
    let mut out = String::new();
    for (label, text) in lines(s) {
        out.push_str(&format!("  {label:<11}{text}\n"));
    }
    if !verdicts.is_empty() {
        out.push_str("  thresholds\n");
        for (t, v) in verdicts {
            let mark = if v.passed { "ok  " } else { "FAIL" };
            out.push_str(&format!("    {mark} {}  ({})\n", t.source, v.measured));
        }
    }
    out
}

/// One test case per threshold (a failure names the measured value).
pub fn junit_suite(
    name: &str,
    verdicts: &[(&Threshold, Verdict)],
    elapsed: Duration,
) -> quick_junit::TestSuite {
    use quick_junit::{NonSuccessKind, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new(name);
    for (t, v) in verdicts {
        let status = if v.passed {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!("threshold `{}` failed: {}", t.source, v.measured));
            s
        };
        let mut case = TestCase::new(t.source.clone(), status);
        case.set_system_out(v.measured.clone());
        suite.add_test_case(case);
    }
    suite.set_time(elapsed);
    suite
}

/// A whole JUnit report of one suite.
pub fn junit(verdicts: &[(&Threshold, Verdict)], elapsed: Duration) -> String {
    let mut report = quick_junit::Report::new("seam load");
    report.add_test_suite(junit_suite("seam load thresholds", verdicts, elapsed));
    report.to_string().unwrap_or_default()
}

/// The summary and the thresholds as an HTML section body.
pub fn html_fragment(s: &Summary, verdicts: &[(&Threshold, Verdict)]) -> String {
    let mut out = String::from("<table>\n");
    for (label, text) in lines(s) {
        out.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            escape(label),
            escape(&text)
        ));
    }
    out.push_str("</table>\n");
    if !verdicts.is_empty() {
        out.push_str("<ul>\n");
        for (t, v) in verdicts {
            let (class, mark) = if v.passed {
                ("ok", "ok")
            } else {
                ("ko", "FAIL")
            };
            out.push_str(&format!(
                "<li class=\"{class}\">{mark} <code>{}</code> ({})</li>\n",
                escape(&t.source),
                escape(&v.measured)
            ));
        }
        out.push_str("</ul>\n");
    }
    out
}

/// A self-contained HTML page: the summary, the thresholds, latency over
/// time (p50, p95, p99 of each second), answers and errors over time, the
/// latency distribution, and a table per endpoint.
pub fn html_page(title: &str, s: &Summary, verdicts: &[(&Threshold, Verdict)]) -> String {
    use crate::charts::{line_chart, Series, XAxis};
    let failed = verdicts.iter().filter(|(_, v)| !v.passed).count();
    let mut body = seam_core::html::summary(
        verdicts.len() - failed,
        failed,
        &format!(
            "{} requests in {:.2}s, {}/s",
            thousands(s.requests),
            s.duration_s,
            thousands(s.rps.round() as u64)
        ),
    );
    body.push_str(&html_fragment(s, verdicts));
    let at = |i: usize| i as f64 + 1.0;
    let over_time = |pick: usize| -> Vec<(f64, f64)> {
        s.per_second
            .iter()
            .enumerate()
            .filter(|(_, sec)| sec.responses > 0)
            .map(|(i, sec)| (at(i), sec.latency_us[pick] as f64 / 1000.0))
            .collect()
    };
    body.push_str("<h2>Latency over time</h2>\n");
    body.push_str(&line_chart(
        "Latency of each second's answers",
        "ms",
        XAxis::Seconds,
        &[
            Series {
                name: "p50",
                color: "#1f77b4",
                points: over_time(0),
            },
            Series {
                name: "p95",
                color: "#ff7f0e",
                points: over_time(1),
            },
            Series {
                name: "p99",
                color: "#d62728",
                points: over_time(2),
            },
        ],
    ));
    body.push_str("<h2>Answers and errors over time</h2>\n");
    let counts = |f: fn(&crate::stats::Second) -> u64| -> Vec<(f64, f64)> {
        s.per_second
            .iter()
            .enumerate()
            .map(|(i, sec)| (at(i), f(sec) as f64))
            .collect()
    };
    body.push_str(&line_chart(
        "Answers and errors each second",
        "per second",
        XAxis::Seconds,
        &[
            Series {
                name: "answers",
                color: "#2ca02c",
                points: counts(|s| s.responses),
            },
            Series {
                name: "errors",
                color: "#d62728",
                points: counts(|s| s.errors),
            },
        ],
    ));
    body.push_str("<h2>Latency distribution</h2>\n");
    let l = &s.latency;
    body.push_str(&line_chart(
        "Latency by percentile, whole run",
        "ms",
        XAxis::Percentile,
        &[Series {
            name: "all answers",
            color: "#1f77b4",
            points: vec![
                (50.0, l.p50),
                (75.0, l.p75),
                (90.0, l.p90),
                (95.0, l.p95),
                (99.0, l.p99),
                (99.9, l.p99_9),
                (99.99, l.p99_99),
            ],
        }],
    ));
    body.push_str("<h2>Endpoints</h2>\n<table>\n<tr><th>endpoint</th><th>requests</th><th>per second</th><th>errors</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>\n");
    for e in &s.endpoints {
        body.push_str(&format!(
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&e.name),
            thousands(e.requests),
            thousands(e.rps.round() as u64),
            thousands(e.errors),
            ms(e.latency.p50),
            ms(e.latency.p95),
            ms(e.latency.p99),
            ms(e.latency.max)
        ));
    }
    body.push_str("</table>\n");
    seam_core::html::page(title, &body)
}
