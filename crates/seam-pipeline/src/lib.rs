//! seam-pipeline: the layered pipeline `seam ci` and `seam demo` run.
//!
//! - [`config`]: `seam.toml` (layers, `${VAR}`s, report paths).
//! - [`run`]: the layers in order (every contracts layer, then every suites
//!   layer); each gives a [`LayerOutcome`] with its terminal text, JUnit suites
//!   and HTML; [`PipelineReport`] combines them into one JUnit file and one
//!   self-contained HTML page.
//!
//! A layer that fails does not stop the next (the report shows every break),
//! unless `fail-fast = true`: then a failed contracts layer skips the suites.
//! A layer that cannot run (bad input, an unreachable provider) is reported as
//! errored with its reason, and the run goes on to the layers it can still run,
//! so the summary and the reports are always written; [`PipelineReport::error`]
//! tells the caller the worst such kind.

pub mod config;

pub use config::{load, ConfigError, ContractsLayer, Pipeline, SuitesLayer};

use seam_core::html;
use seam_core::render::Style;
use std::path::Path;
use std::time::{Duration, Instant};

/// What a layer checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    Contracts,
    Suites,
    Fuzz,
    Scan,
    Load,
}

impl LayerKind {
    pub fn label(self) -> &'static str {
        match self {
            LayerKind::Contracts => "contracts",
            LayerKind::Suites => "suites",
            LayerKind::Fuzz => "fuzz",
            LayerKind::Scan => "scan",
            LayerKind::Load => "load",
        }
    }
}

/// One layer's outcome.
#[derive(Debug, Clone)]
pub struct LayerOutcome {
    pub kind: LayerKind,
    pub name: String,
    pub passed: usize,
    pub failed: usize,
    /// The terminal report (colored when the run was asked to).
    pub text: String,
    pub junit: Vec<quick_junit::TestSuite>,
    /// The HTML section's body.
    pub html: String,
    /// The layer's SARIF run, for layers that find things in a spec (fuzz,
    /// scan).
    pub sarif: Option<serde_json::Value>,
    pub duration: Duration,
    /// Not run: an earlier layer failed under `fail-fast`.
    pub skipped: bool,
    /// Could not run: why (the layer counts as failed).
    pub error: Option<LayerError>,
}

/// Why a layer could not run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerError {
    pub kind: ErrorKind,
    pub message: String,
}

/// Kinds of layers that could not run, from the least to the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErrorKind {
    /// A file or setting is wrong.
    Input,
    /// A provider or API did not answer at all.
    Unreachable,
}

impl LayerOutcome {
    pub fn ok(&self) -> bool {
        self.failed == 0 && self.error.is_none()
    }

    /// A layer that could not run: one errored test case, the reason in every report.
    fn errored(kind: LayerKind, name: String, error: LayerError, start: Instant) -> LayerOutcome {
        use quick_junit::{TestCase, TestCaseStatus, TestSuite};
        let mut status = TestCaseStatus::non_success(quick_junit::NonSuccessKind::Error);
        status.set_message(error.message.as_str());
        let mut suite = TestSuite::new(name.as_str());
        suite.add_test_case(TestCase::new(format!("{} layer", kind.label()), status));
        let what = match error.kind {
            ErrorKind::Input => "bad input",
            ErrorKind::Unreachable => "unreachable",
        };
        LayerOutcome {
            kind,
            name,
            passed: 0,
            failed: 0,
            text: format!("error ({what}): {}\n", error.message),
            junit: vec![suite],
            html: format!(
                "<p class=\"ko\">Could not run ({what}): {}</p>\n",
                html::escape(&error.message)
            ),
            sarif: None,
            duration: start.elapsed(),
            skipped: false,
            error: Some(error),
        }
    }

    fn skipped(kind: LayerKind, name: String) -> LayerOutcome {
        use quick_junit::{TestCase, TestCaseStatus, TestSuite};
        let mut status = TestCaseStatus::skipped();
        status.set_message("a contracts layer failed (fail-fast)");
        let mut suite = TestSuite::new(name.as_str());
        suite.add_test_case(TestCase::new(format!("{} layer", kind.label()), status));
        LayerOutcome {
            kind,
            name,
            passed: 0,
            failed: 0,
            text: "skipped: a contracts layer failed (fail-fast)\n".into(),
            junit: vec![suite],
            html: "<p>Skipped: a contracts layer failed (<code>fail-fast</code>).</p>\n".into(),
            sarif: None,
            duration: Duration::ZERO,
            skipped: true,
            error: None,
        }
    }

    fn mark(&self) -> &'static str {
        match (self.skipped, &self.error, self.ok()) {
            (true, _, _) => "skip",
            (false, Some(_), _) => "ERROR",
            (false, None, true) => "ok",
            (false, None, false) => "FAILED",
        }
    }
}

/// Progress, as it happens.
pub enum Event<'a> {
    Started { kind: LayerKind, name: &'a str },
    Finished(&'a LayerOutcome),
}

/// Every layer's outcome.
#[derive(Debug, Clone)]
pub struct PipelineReport {
    pub layers: Vec<LayerOutcome>,
    pub duration: Duration,
}

impl PipelineReport {
    /// The most severe reason a layer could not run, if any did not.
    pub fn error(&self) -> Option<ErrorKind> {
        self.layers
            .iter()
            .filter_map(|l| l.error.as_ref().map(|e| e.kind))
            .max()
    }

    pub fn ok(&self) -> bool {
        self.layers.iter().all(LayerOutcome::ok)
    }

    /// One line per layer: `  ok     contracts  orders → inventory  5 passed, 0 failed`.
    pub fn summary(&self, style: Style) -> String {
        let width = self
            .layers
            .iter()
            .map(|l| l.name.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = String::new();
        for l in &self.layers {
            let mark = format!("{:<6}", l.mark());
            let mark = match (l.skipped, l.ok()) {
                (true, _) => style.paint("90", &mark),
                (false, true) => style.paint("32", &mark),
                (false, false) => style.paint("31", &mark),
            };
            out.push_str(&format!(
                "  {mark} {:<10} {:<width$}  {} passed, {} failed  ({:.0} ms)\n",
                l.kind.label(),
                l.name,
                l.passed,
                l.failed,
                l.duration.as_secs_f64() * 1000.0
            ));
        }
        out
    }

    /// One SARIF 2.1.0 log with a run per fuzz and scan layer that ran (no
    /// runs when none did: a valid, empty log).
    pub fn to_sarif(&self) -> String {
        let runs = self.layers.iter().filter_map(|l| l.sarif.clone()).collect();
        seam_fuzz::report::sarif_log_of(runs)
    }

    /// One JUnit file for every layer.
    pub fn to_junit(&self, name: &str) -> String {
        let mut report = quick_junit::Report::new(name);
        for l in &self.layers {
            report.add_test_suites(l.junit.clone());
        }
        report.to_string().unwrap_or_default()
    }

    /// One self-contained HTML page: the layer table, then each layer's details.
    pub fn to_html(&self, title: &str, intro: &str) -> String {
        let passed: usize = self.layers.iter().map(|l| l.passed).sum();
        let failed: usize = self.layers.iter().map(|l| l.failed).sum();
        let mut body = html::summary(
            passed,
            failed,
            &format!(
                "{} layer(s) in {:.2} s",
                self.layers.len(),
                self.duration.as_secs_f64()
            ),
        );
        if !intro.is_empty() {
            body.push_str(&format!("<p>{}</p>\n", html::escape(intro)));
        }
        body.push_str("<table><tr><th></th><th>layer</th><th>name</th><th>passed</th><th>failed</th><th>time</th></tr>\n");
        for (i, l) in self.layers.iter().enumerate() {
            body.push_str(&format!(
                "<tr><td class=\"{}\">{}</td><td>{}</td><td><a href=\"#layer-{i}\">{}</a></td><td>{}</td><td>{}</td><td>{:.0} ms</td></tr>\n",
                match (l.skipped, l.ok()) {
                    (true, _) => "skip",
                    (false, true) => "ok",
                    (false, false) => "ko",
                },
                l.mark(),
                l.kind.label(),
                html::escape(&l.name),
                l.passed,
                l.failed,
                l.duration.as_secs_f64() * 1000.0
            ));
        }
        body.push_str("</table>\n");
        for (i, l) in self.layers.iter().enumerate() {
            body.push_str(&format!(
                "<h2 id=\"layer-{i}\">{}: {}</h2>\n{}",
                l.kind.label(),
                html::escape(&l.name),
                l.html
            ));
        }
        html::page(title, &body)
    }
}

/// One layer: announced, skipped when `skip`, else run; its outcome is
/// announced and returned (an error becomes an errored layer).
async fn layer<F>(
    kind: LayerKind,
    name: String,
    skip: bool,
    on_event: &mut impl FnMut(Event<'_>),
    work: impl FnOnce(String) -> F,
) -> LayerOutcome
where
    F: std::future::Future<Output = Result<LayerOutcome, LayerError>>,
{
    on_event(Event::Started { kind, name: &name });
    let outcome = if skip {
        LayerOutcome::skipped(kind, name)
    } else {
        let started = Instant::now();
        match work(name.clone()).await {
            Ok(o) => o,
            Err(e) => LayerOutcome::errored(kind, name, e, started),
        }
    };
    on_event(Event::Finished(&outcome));
    outcome
}

/// Runs every layer in order, reporting progress to `on_event`.
pub async fn run(
    pipeline: &Pipeline,
    style: Style,
    mut on_event: impl FnMut(Event<'_>),
) -> PipelineReport {
    let start = Instant::now();
    let mut layers = Vec::new();
    for c in &pipeline.contracts {
        let name = c
            .name
            .clone()
            .unwrap_or_else(|| format!("contracts ({})", c.provider_base_url));
        let outcome = layer(LayerKind::Contracts, name, false, &mut on_event, |name| {
            contracts(c, name, &pipeline.dir, style)
        })
        .await;
        layers.push(outcome);
    }
    // under fail-fast, a failed contracts layer skips the rest
    let skip = pipeline.fail_fast && layers.iter().any(|l| !l.ok());
    for s in &pipeline.suites {
        let name = s.name.clone().unwrap_or_else(|| "suites".into());
        let outcome = layer(LayerKind::Suites, name, skip, &mut on_event, |name| {
            suites(s, name, &pipeline.dir, style)
        })
        .await;
        layers.push(outcome);
    }
    for f in &pipeline.fuzz {
        let name = f
            .name
            .clone()
            .unwrap_or_else(|| format!("fuzz ({})", f.spec.as_deref().unwrap_or("no spec")));
        let outcome = layer(LayerKind::Fuzz, name, skip, &mut on_event, |name| {
            fuzz(f, name, &pipeline.dir)
        })
        .await;
        layers.push(outcome);
    }
    for sc in &pipeline.scan {
        let name = sc
            .name
            .clone()
            .unwrap_or_else(|| format!("scan ({})", sc.spec.as_deref().unwrap_or("no spec")));
        let outcome = layer(LayerKind::Scan, name, skip, &mut on_event, |name| {
            scan(sc, name, &pipeline.dir)
        })
        .await;
        layers.push(outcome);
    }
    for l in &pipeline.load {
        let name = l
            .name
            .clone()
            .unwrap_or_else(|| format!("load ({})", l.url.as_deref().unwrap_or("no URL")));
        let outcome = layer(LayerKind::Load, name, skip, &mut on_event, |name| {
            load_layer(l, name, &pipeline.dir)
        })
        .await;
        layers.push(outcome);
    }
    PipelineReport {
        layers,
        duration: start.elapsed(),
    }
}

fn input_error(message: String) -> LayerError {
    LayerError {
        kind: ErrorKind::Input,
        message,
    }
}

async fn contracts(
    layer: &ContractsLayer,
    name: String,
    dir: &Path,
    style: Style,
) -> Result<LayerOutcome, LayerError> {
    let start = Instant::now();
    let headers = layer
        .headers
        .iter()
        .map(|h| {
            seam_verify::parse_header(h).ok_or_else(|| {
                input_error(format!("contracts.headers: `{h}`: expected NAME: VALUE"))
            })
        })
        .collect::<Result<_, _>>()?;
    let options = seam_verify::VerifyOptions {
        provider_base_url: layer.provider_base_url.clone(),
        state_change_url: layer.provider_states_setup_url.clone(),
        headers,
        ..Default::default()
    };
    let stop = |e: seam_verify::VerifyError| LayerError {
        kind: if e.is_unreachable() {
            ErrorKind::Unreachable
        } else {
            ErrorKind::Input
        },
        message: e.to_string(),
    };
    let verifier = seam_verify::Verifier::new(options).map_err(stop)?;
    let pacts = seam_verify::load_in(dir, &layer.pacts, verifier.client())
        .await
        .map_err(stop)?;
    let report = verifier.verify(&pacts).await.map_err(stop)?;
    let (passed, failed, _pending, errors) = report.counts();
    Ok(LayerOutcome {
        kind: LayerKind::Contracts,
        name,
        passed,
        failed: failed + errors,
        text: report.to_text(style),
        junit: report.junit_suites(),
        html: report.html_fragment(),
        sarif: None,
        duration: start.elapsed(),
        skipped: false,
        error: None,
    })
}

async fn suites(
    layer: &SuitesLayer,
    name: String,
    dir: &Path,
    style: Style,
) -> Result<LayerOutcome, LayerError> {
    let start = Instant::now();
    let mut loaded = Vec::new();
    for f in &layer.files {
        loaded.push(seam_suite::load_in(dir, f).map_err(|e| input_error(e.to_string()))?);
    }
    let mut options = seam_suite::run::RunOptions::default();
    if let Some(j) = layer.jobs {
        options.jobs = j.max(1);
    }
    for (k, v) in &layer.vars {
        options
            .vars
            .insert(k.clone(), serde_json::Value::String(v.clone()));
    }
    let results = seam_suite::run::run(loaded, &options)
        .await
        .map_err(input_error)?;
    let report = seam_suite::report::SuiteReport { results: &results };
    let (passed, failed) = report.counts();
    Ok(LayerOutcome {
        kind: LayerKind::Suites,
        name,
        passed,
        failed,
        text: report.to_text(style),
        junit: report.junit_suites(),
        html: report.html_fragment(),
        sarif: None,
        duration: start.elapsed(),
        skipped: false,
        error: None,
    })
}

async fn fuzz(
    layer: &seam_fuzz::config::FuzzSettings,
    name: String,
    dir: &Path,
) -> Result<LayerOutcome, LayerError> {
    let start = Instant::now();
    let resolved = layer
        .resolve(dir)
        .map_err(|e| input_error(format!("fuzz: {e}")))?;
    let spec = seam_openapi::load::load(&resolved.spec).map_err(|errors| {
        input_error(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let outcome = seam_fuzz::run(&spec, &resolved.options, &|_| {})
        .await
        .map_err(|e| match e {
            seam_fuzz::RunError::Unreachable(message) => LayerError {
                kind: ErrorKind::Unreachable,
                message,
            },
            seam_fuzz::RunError::Usage(message) => input_error(message),
        })?;
    let accepted = &resolved.baseline;
    let failing: Vec<&seam_fuzz::Finding> = outcome
        .confirmed()
        .filter(|f| !accepted.contains(&f.id))
        .collect();
    let operations_failing = outcome
        .operations
        .iter()
        .filter(|o| failing.iter().any(|f| f.operation == o.operation))
        .count();
    let spec_name = resolved.spec.display().to_string();
    Ok(LayerOutcome {
        kind: LayerKind::Fuzz,
        name,
        passed: outcome.operations.len() - operations_failing,
        failed: failing.len(),
        text: seam_fuzz::report::text(&outcome, accepted),
        junit: seam_fuzz::report::junit_suites(&outcome, accepted),
        html: seam_fuzz::report::html_fragment(&outcome, &spec_name),
        sarif: Some(seam_fuzz::report::sarif_run(&outcome, &spec_name)),
        duration: start.elapsed(),
        skipped: false,
        error: None,
    })
}

async fn scan(
    layer: &seam_scan::config::ScanSettings,
    name: String,
    dir: &Path,
) -> Result<LayerOutcome, LayerError> {
    let start = Instant::now();
    let resolved = layer
        .resolve(dir)
        .map_err(|e| input_error(format!("scan: {e}")))?;
    let spec = seam_openapi::load::load(&resolved.spec).map_err(|errors| {
        input_error(
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })?;
    let outcome = seam_scan::run(&spec, &resolved.options, &|_, _, _| {})
        .await
        .map_err(|e| match e {
            seam_scan::ScanError::Unreachable(message) => LayerError {
                kind: ErrorKind::Unreachable,
                message,
            },
            seam_scan::ScanError::Usage(message) => input_error(message),
        })?;
    let accepted = &resolved.baseline;
    let failing = outcome
        .findings
        .iter()
        .filter(|f| !accepted.contains(&f.id) && f.severity <= resolved.fail_on)
        .count();
    let failing_checks: std::collections::BTreeSet<_> = outcome
        .findings
        .iter()
        .filter(|f| !accepted.contains(&f.id) && f.severity <= resolved.fail_on)
        .map(|f| f.check)
        .collect();
    Ok(LayerOutcome {
        kind: LayerKind::Scan,
        name,
        passed: outcome.probes.len().saturating_sub(failing_checks.len()),
        failed: failing,
        text: seam_scan::report::text(&outcome, accepted),
        junit: seam_scan::report::junit_suites(&outcome, accepted),
        html: seam_scan::report::html_fragment(&outcome, accepted),
        sarif: Some(seam_scan::report::sarif_run(
            &outcome,
            &resolved.spec.display().to_string(),
        )),
        duration: start.elapsed(),
        skipped: false,
        error: None,
    })
}

async fn load_layer(
    layer: &seam_load::config::LoadSettings,
    name: String,
    dir: &Path,
) -> Result<LayerOutcome, LayerError> {
    let start = Instant::now();
    let job_index = std::env::var("JOB_COMPLETION_INDEX").ok();
    let resolved = layer
        .resolve(dir, job_index.as_deref())
        .map_err(|e| input_error(format!("load: {e}")))?;
    let outcome = seam_load::run(&resolved.plan, &seam_load::StopHandle::new(), |_| {})
        .await
        .map_err(|e| LayerError {
            kind: ErrorKind::Unreachable,
            message: e.to_string(),
        })?;
    let open = matches!(resolved.plan.model, seam_load::Model::Open { .. });
    let summary = seam_load::Summary::of(&outcome.stats, outcome.elapsed, open);
    let verdicts =
        seam_load::report::judge_all(&resolved.thresholds, &outcome.stats, outcome.elapsed);
    let failed = verdicts.iter().filter(|(_, v)| !v.passed).count();
    Ok(LayerOutcome {
        kind: LayerKind::Load,
        passed: verdicts.len() - failed,
        failed,
        text: seam_load::report::text(&summary, &verdicts),
        junit: vec![seam_load::report::junit_suite(
            &name,
            &verdicts,
            outcome.elapsed,
        )],
        html: seam_load::report::html_fragment(&summary, &verdicts),
        name,
        sarif: None,
        duration: start.elapsed(),
        skipped: false,
        error: None,
    })
}
