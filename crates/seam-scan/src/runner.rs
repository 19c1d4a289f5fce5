//! A scan from start to end: the operations selected, logging the identities
//! in, the plan, the probe families in the order they run (with a progress
//! line redrawn while each runs), and the outcome; `--dry-run`'s listing.

use crate::client::Client;
use crate::finding::Outcome;
use crate::identity::Identity;
use crate::plan::Plan;
use crate::scan::{Options, Scan, ScanError, Stop};
use seam_openapi::Spec;
use std::time::{Duration, Instant};

fn selected(op: &seam_openapi::Operation, names: &[String]) -> bool {
    names.is_empty()
        || names
            .iter()
            .any(|n| op.label().eq_ignore_ascii_case(n) || op.operation_id.as_deref() == Some(n))
}

/// The plan and identities (not logged in) for `--dry-run`.
/// Each line: (check code, `-` for an operation left out; operation; what
/// is sent).
pub fn dry_run(
    spec: &Spec,
    options: &Options,
) -> Result<Vec<(&'static str, String, String)>, ScanError> {
    let identities = identities(options);
    let selected = select(spec, options)?;
    let plan = Plan::new(spec, &selected, &identities, options.allow_destructive);
    let mut lines: Vec<(&'static str, String, String)> = plan
        .describe(spec, &identities)
        .into_iter()
        .filter(|(c, _, _)| options.checks.contains(c))
        .map(|(c, op, what)| (c.code(), op, what))
        .collect();
    for (i, why) in &plan.skipped {
        lines.push(("-", spec.operations[*i].label(), format!("not sent: {why}")));
    }
    Ok(lines)
}

/// The auth file's users as identities, not logged in yet.
fn identities(options: &Options) -> Vec<Identity> {
    options
        .identities
        .iter()
        .cloned()
        .map(Identity::new)
        .collect()
}

fn select(spec: &Spec, options: &Options) -> Result<Vec<usize>, ScanError> {
    let selected: Vec<usize> = (0..spec.operations.len())
        .filter(|&i| selected(&spec.operations[i], &options.operations))
        .collect();
    if selected.is_empty() {
        return Err(ScanError::Usage(if options.operations.is_empty() {
            "the spec has no operations".into()
        } else {
            format!(
                "no operation is named {}; operations are named `METHOD /path` or by operationId",
                options.operations.join(", ")
            )
        }));
    }
    Ok(selected)
}

/// Runs the scan.
pub async fn run(
    spec: &Spec,
    options: &Options,
    progress: &(dyn Fn(&str, u64, usize) + Sync),
) -> Result<Outcome, ScanError> {
    let started = Instant::now();
    let client = Client::new(
        &options.base_url,
        options.allow_hosts.clone(),
        options.rate,
        options.max_requests,
        options.request_timeout,
    )
    .map_err(ScanError::Usage)?;
    if let Err(e) = client.http.get(&client.base_url).send().await {
        if e.is_connect() {
            return Err(ScanError::Unreachable(format!(
                "cannot reach {}: {}",
                client.base_url,
                seam_core::reproduce::network_error_text(&e)
            )));
        }
    }
    let identities = identities(options);
    for identity in &identities {
        if let Some(l) = &identity.user.login {
            if l.target.starts_with("http") {
                client.allowed(&l.target).map_err(ScanError::Usage)?;
            }
        }
        identity
            .log_in(&client.http, &client.base_url)
            .await
            .map_err(|e| ScanError::Usage(format!("cannot log in: {e}")))?;
    }
    let selected = select(spec, options)?;
    let plan = Plan::new(spec, &selected, &identities, options.allow_destructive);
    let scan = Scan::new(spec, options, client, identities, plan);
    if scan.identities.is_empty() {
        scan.note("no identities (--auth): only unauthenticated checks ran; BOLA, BFLA and JWT checks need two or more identities");
    } else if scan.identities.len() < 2 {
        scan.note("one identity: BOLA needs a second identity in the auth file");
    }
    let mut stopped = None;
    for family in FAMILIES {
        let probes = async {
            match family {
                "controls" => crate::access::controls(&scan).await,
                "authentication" => crate::authn::run(&scan).await,
                "authorization" => crate::access::run(&scan).await,
                "patterns" => crate::consume::redos(&scan).await,
                "injection" => crate::inject::run(&scan).await,
                "resource consumption" => crate::consume::run(&scan).await,
                "misconfiguration" => crate::misconfig::run(&scan).await,
                "accounts" => crate::accounts::run(&scan).await,
                "login" => crate::consume::login(&scan).await,
                "rate limits" => crate::consume::rate_limits(&scan).await,
                _ => crate::consume::payloads(&scan).await,
            }
        };
        // the progress line is redrawn while a family runs
        let done = with_ticks(probes, Duration::from_millis(250), || {
            progress(family, scan.client.requests(), scan.findings_so_far())
        })
        .await;
        if let Err(Stop(why)) = done {
            stopped = Some(why);
            break;
        }
    }
    let outcome = scan.finish(started.elapsed(), stopped);
    progress("done", outcome.requests, outcome.findings.len());
    Ok(outcome)
}

/// The probe families, in the order they run: patterns (ReDoS) before
/// injection, so a slot that backtracks is not sent two dozen slow payloads;
/// throwaway accounts (password changes, deletes) after every read and
/// write; login probes and rate-limit bursts last, so a limit they trigger
/// cannot lock the identities out of the others; huge bodies at the very
/// end, since a service may not survive one.
const FAMILIES: [&str; 11] = [
    "controls",
    "authentication",
    "authorization",
    "patterns",
    "injection",
    "resource consumption",
    "misconfiguration",
    "accounts",
    "login",
    "rate limits",
    "huge bodies",
];

/// Runs `work`, calling `tick` at once and then every `every` until it ends.
async fn with_ticks<T>(
    work: impl std::future::Future<Output = T>,
    every: Duration,
    tick: impl Fn(),
) -> T {
    tokio::pin!(work);
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = interval.tick() => tick(),
        }
    }
}
