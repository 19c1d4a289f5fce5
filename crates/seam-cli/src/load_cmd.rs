//! `seam load`: load a URL with virtual users (closed model) or at a fixed
//! arrival rate (open model), show progress and a summary, judge thresholds
//! (exit 1 on a failed one), write the JSON summary, JUnit and the raw
//! histograms; `seam load merge` adds shards' histograms up exactly;
//! `seam load k8s` writes the Kubernetes Jobs that run the shards.

use crate::reports::{write_all, Requested};
use crate::{exit, CliError, Outcome};
use clap::{Args, Subcommand};
use seam_load::config::{LoadSettings, Resolved};
use seam_load::engine::Outcome as RunOutcome;
use seam_load::summary::Summary;
use seam_load::threshold::ms;
use seam_load::{hdr_file, k8s, report, Model, Plan, Shard, Stats, StopHandle, Threshold};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

const AFTER_HELP: &str = "\
Examples:
  seam load http://127.0.0.1:8080/health -c 256 -d 30s
  seam load http://127.0.0.1:8080/orders --rate 5000/s -d 1m --threshold 'p99<50ms' --threshold 'errors<0.1%'
  seam load http://127.0.0.1:8080/orders -n 10000 -c 32
  seam load https://localhost:8443/orders --http2 --cacert ca.pem -c 256 -d 30s
  seam load http://127.0.0.1:8080 --suite suites/shop.yaml --var user=load -c 50 -d 2m
  seam load http://127.0.0.1:8080/orders -m POST -H 'Content-Type: application/json' --body '{\"sku\":\"A-1\"}'
  seam load http://svc:8080/ --rate 20000/s --shard 2/4 --out shard-2.hdr
  seam load merge shard-*.hdr --threshold 'p95<200ms'
  seam load k8s --shards 4 --image ghcr.io/acme/seam:1 -- http://svc:8080/ --rate 20000/s -d 5m

Closed model (default): -c users, each sending its next request when the last
is answered. Open model (--rate): requests start at their intended times over
-c connections; latency counts from the intended time (coordinated omission
corrected); late (sent 10 ms or more after their time) and dropped (never sent)
requests are reported.

Thresholds: p50..p99.99, avg, min, max (durations), errors (a rate: 0.1%),
rps (a number); compare with <, <=, >, >=; one endpoint: p95[GET /users]<200ms.

Exit codes: 0 every threshold held, 1 a threshold failed, 2 bad input, 3 the
target could not be reached before the load started.";

/// `seam load`.
#[derive(Args)]
#[command(
    after_help = AFTER_HELP,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct LoadArgs {
    #[command(subcommand)]
    command: Option<LoadCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand)]
enum LoadCommand {
    /// Add up the histograms of shards' `--out` files (or every .hdr file of
    /// a directory) into exact percentiles; judge thresholds on the whole.
    Merge(MergeArgs),
    /// Write a Kubernetes manifest that runs a load as N shards (an Indexed
    /// Job) and merges them: `seam load k8s --shards 4 -- URL [LOAD FLAGS]`.
    K8s(K8sArgs),
}

#[derive(Args, Clone)]
struct RunArgs {
    /// The URL to load (http:// or https://); with --openapi, the base URL the spec's
    /// paths are appended to.
    #[arg(value_name = "URL", required_unless_present_any = ["config", "suite"])]
    target: Option<String>,
    /// Run the cases of this suite file (`seam test`'s format) as the load:
    /// each user runs them in turn, steps in order, with their variables,
    /// auth helpers and captures; figures per step endpoint. A URL given
    /// replaces the suite's baseUrl.
    #[arg(long, value_name = "FILE", conflicts_with = "openapi")]
    suite: Option<String>,
    /// With --suite: set a suite variable, `name=value`. Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", requires = "suite")]
    vars: Vec<String>,
    /// With --suite: only the tests with this tag. Repeatable.
    #[arg(long = "tag", value_name = "TAG", requires = "suite")]
    tags: Vec<String>,
    /// Load every GET and HEAD operation of this OpenAPI spec in turn, each
    /// with its example (or generated) parameters; reported per operation.
    #[arg(long, value_name = "SPEC")]
    openapi: Option<String>,
    /// With --openapi: every operation, writes included.
    #[arg(long, requires = "openapi")]
    all_methods: bool,
    /// With --openapi: `OPERATION=N` sends an operation N times in each
    /// user's turn (0 leaves it out). Repeatable.
    #[arg(long = "weight", value_name = "OPERATION=N", requires = "openapi")]
    weights: Vec<String>,
    /// Read settings from the `[load]` table of this seam.toml (flags given
    /// here win).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Users (closed model) or connections (open model) [default: 64].
    #[arg(short = 'c', long = "connections", visible_alias = "users")]
    connections: Option<u32>,
    /// How long the load lasts: 30s, 5m [default: 10s; with -n, at most
    /// 10m].
    #[arg(short = 'd', long)]
    duration: Option<String>,
    /// Send N requests in all (with --suite: N cases), then stop; a shard
    /// sends its exact share. With --rate, the rate and N set the length.
    #[arg(short = 'n', long = "requests", value_name = "N")]
    requests: Option<u64>,
    /// Open model: requests a second (5000/s, 300/m), started on schedule
    /// whatever the answers take.
    #[arg(long, value_name = "N/s")]
    rate: Option<String>,
    /// Ramping stages instead of -d: users (30s:100,1m:100,30s:0) or rates
    /// (30s:2000/s,2m:2000/s, the open model), each reached linearly from
    /// the last (0 at the start).
    #[arg(long, value_name = "STAGES")]
    stages: Option<String>,
    /// The request's method [default: GET].
    #[arg(short = 'm', long)]
    method: Option<String>,
    /// A request header, `Name: value`. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// The request body.
    #[arg(long, conflicts_with = "body_file")]
    body: Option<String>,
    /// The request body, read from a file.
    #[arg(long, value_name = "FILE")]
    body_file: Option<String>,
    /// A request with no answer this long after it was due is a timeout
    /// [default: 10s].
    #[arg(long)]
    timeout: Option<String>,
    /// Open a new connection for every request (Connection: close).
    #[arg(long)]
    no_keep_alive: bool,
    /// HTTP/2: users share connections (h2c by prior knowledge on http://,
    /// ALPN on https://).
    #[arg(long)]
    http2: bool,
    /// With --http2: requests one connection carries at once; users beyond
    /// open the next connection [default: 100].
    #[arg(long, value_name = "N")]
    streams: Option<u32>,
    /// https: accept any server certificate (a test server's self-signed
    /// one).
    #[arg(short = 'k', long)]
    insecure: bool,
    /// https: trust the CA certificates of this PEM file besides the
    /// Mozilla roots.
    #[arg(long, value_name = "FILE")]
    cacert: Option<String>,
    /// A threshold the run must hold (p95<200ms, errors<0.1%, rps>2000);
    /// a failed one makes the exit code 1. Repeatable.
    #[arg(long = "threshold", value_name = "EXPR")]
    thresholds: Vec<String>,
    /// Stop as soon as a threshold fails (judged once a second, after the
    /// first full second).
    #[arg(long)]
    abort_on_fail: bool,
    #[command(flatten)]
    files: ReportFiles,
    /// Run shard i of n: its exact share of the users (or connections), the
    /// rate and a request count (-n). `auto/n` takes i from JOB_COMPLETION_INDEX (Kubernetes).
    #[arg(long, value_name = "i/n")]
    shard: Option<String>,
    /// No live progress line.
    #[arg(short, long)]
    quiet: bool,
    /// Worker threads sending the load [default: one per core].
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

impl RunArgs {
    /// The settings the flags give (unset ones left to a config file or the
    /// defaults).
    fn settings(&self) -> LoadSettings {
        let some = |v: &Vec<String>| (!v.is_empty()).then(|| v.clone());
        LoadSettings {
            name: None,
            url: self.target.clone(),
            connections: self.connections,
            duration: self.duration.clone(),
            rate: self.rate.clone(),
            method: self.method.clone(),
            headers: some(&self.headers),
            body: self.body.clone(),
            body_file: self.body_file.clone(),
            timeout: self.timeout.clone(),
            keep_alive: self.no_keep_alive.then_some(false),
            thresholds: some(&self.thresholds),
            shard: self.shard.clone(),
            stages: self.stages.clone(),
            openapi: self.openapi.clone(),
            all_methods: self.all_methods.then_some(true),
            weights: some(&self.weights),
            http2: self.http2.then_some(true),
            streams: self.streams,
            insecure: self.insecure.then_some(true),
            cacert: self.cacert.clone(),
            suite: self.suite.clone(),
            vars: some(&self.vars),
            tags: some(&self.tags),
            requests: self.requests,
        }
    }
}

#[derive(Args)]
struct MergeArgs {
    /// `--out` files of the shards, or directories holding them.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// A threshold the merged run must hold. Repeatable.
    #[arg(long = "threshold", value_name = "EXPR")]
    thresholds: Vec<String>,
    #[command(flatten)]
    reports: ReportFiles,
}

/// The files a run (or a merge) writes.
#[derive(Args, Clone)]
struct ReportFiles {
    /// Write the summary as JSON here (`rps` and the percentiles at the top).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the thresholds as a JUnit report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write a self-contained HTML report here: latency over time, answers
    /// and errors over time, the latency distribution, the thresholds.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write the raw histograms here (an HdrHistogram interval log), for
    /// `seam load merge`.
    #[arg(long, value_name = "FILE.hdr")]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct K8sArgs {
    /// How many pods share the load.
    #[arg(long, value_name = "N")]
    shards: u32,
    /// A container image with `seam` on its PATH.
    #[arg(long, default_value = "ghcr.io/seamline/seam:latest")]
    image: String,
    /// The Jobs' name.
    #[arg(long, default_value = "seam-load")]
    name: String,
    /// Write the manifest here instead of to standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// `seam load` arguments for every shard: URL, -c, --rate, -d,
    /// --threshold ... (thresholds are judged again on the merge).
    #[arg(last = true, required = true, value_name = "LOAD ARGS")]
    load: Vec<String>,
}

pub fn run(args: LoadArgs) -> Result<Outcome, CliError> {
    match args.command {
        Some(LoadCommand::Merge(m)) => merge(m),
        Some(LoadCommand::K8s(k)) => kubernetes(k),
        None => load(args.run),
    }
}

fn parse_thresholds(texts: &[String]) -> Result<Vec<Threshold>, CliError> {
    texts
        .iter()
        .map(|t| Threshold::parse(t).map_err(CliError::Input))
        .collect()
}

/// The run the flags (over the `--config` file's `[load]` table) ask for.
fn resolve(args: &RunArgs) -> Result<Resolved, CliError> {
    let flags = args.settings();
    let (settings, dir) = match &args.config {
        Some(path) => {
            let file = seam_pipeline::config::load_load(path, &|name| std::env::var(name).ok())
                .map_err(|e| CliError::Input(e.to_string()))?;
            (file.overridden_by(flags), crate::reports::config_dir(path))
        }
        None => (flags, PathBuf::from(".")),
    };
    let job_index = std::env::var("JOB_COMPLETION_INDEX").ok();
    settings
        .resolve(&dir, job_index.as_deref())
        .map_err(CliError::Input)
}

/// Raises the soft open-file limit to fit `connections` (and says so).
fn raise_file_limit(connections: u32) {
    #[cfg(unix)]
    {
        let needed = u64::from(connections) + 256;
        if let Some(change) = seam_load::engine::raise_open_files(needed) {
            eprintln!("{change}");
        }
    }
    #[cfg(not(unix))]
    let _ = connections;
}

fn describe(plan: &Plan, shard: Shard) -> String {
    let model = match (plan.model, &plan.stages) {
        (Model::Closed { users }, Some(_)) => format!("up to {users} users in stages"),
        (Model::Open { rate, connections }, Some(_)) => {
            format!("up to {rate}/s in stages over {connections} connections")
        }
        (Model::Closed { users }, None) => format!("{users} users"),
        (Model::Open { rate, connections }, None) => {
            format!("{rate}/s over {connections} connections")
        }
    };
    let shard = if shard == Shard::WHOLE {
        String::new()
    } else {
        format!(", shard {}/{}", shard.index, shard.count)
    };
    let model = if plan.transport.http2 {
        format!(
            "{model}, HTTP/2 with up to {} streams a connection",
            plan.transport.streams
        )
    } else {
        model
    };
    let what = match (&plan.suite, plan.targets.as_slice()) {
        (Some(suite), _) => format!(
            "suite {} ({} cases, {} endpoints)",
            suite.name(),
            suite.cases(),
            suite.endpoints().len()
        ),
        (None, [one]) => format!("{} {}", one.method, one.uri),
        (None, many) => format!("{} operations", many.len()),
    };
    let unit = if plan.suite.is_some() {
        "cases"
    } else {
        "requests"
    };
    let length = match (plan.requests, plan.model) {
        (Some(n), Model::Closed { .. }) => {
            format!("{n} {unit}, at most {}", humantime(plan.duration))
        }
        (Some(n), Model::Open { .. }) => format!("{n} {unit} ({})", humantime(plan.duration)),
        (None, _) => humantime(plan.duration),
    };
    format!("seam load {what}: {model} for {length}{shard}")
}

fn humantime(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 60.0 && s % 60.0 == 0.0 {
        format!("{}m", s / 60.0)
    } else {
        format!("{s}s")
    }
}

fn load(args: RunArgs) -> Result<Outcome, CliError> {
    let Resolved {
        plan,
        thresholds,
        shard,
    } = resolve(&args)?;
    raise_file_limit(plan.model.connections());
    let live = !args.quiet && std::io::stderr().is_terminal();
    eprintln!("{}", describe(&plan, shard));
    if args.threads == Some(0) {
        return Err(CliError::Input("--threads: at least 1".into()));
    }
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n);
    }
    let runtime = builder
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("cannot start the runtime: {e}")))?;
    let stop = StopHandle::new();
    let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let aborted: std::cell::RefCell<Option<String>> = Default::default();
    let result: Result<RunOutcome, _> = runtime.block_on(async {
        let (ctrl_c_stop, flag) = (stop.clone(), interrupted.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, std::sync::atomic::Ordering::SeqCst);
                ctrl_c_stop.stop();
            }
        });
        seam_load::run(&plan, &stop, |p| {
            if live {
                eprint!(
                    "\r\x1b[2K  {:>4.0}s  {} requests  {:.0}/s  p95 {}  errors {}",
                    p.elapsed.as_secs_f64(),
                    p.requests,
                    p.rps,
                    ms(p.p95_ms),
                    p.errors
                );
                let _ = std::io::stderr().flush();
            }
            if args.abort_on_fail && !thresholds.is_empty() && aborted.borrow().is_none() {
                let stats = p.stats();
                if let Some((t, v)) = thresholds
                    .iter()
                    .map(|t| (t, t.judge(&stats, p.elapsed)))
                    .find(|(_, v)| !v.passed)
                {
                    *aborted.borrow_mut() = Some(format!("`{}` failed ({})", t.source, v.measured));
                    stop.stop();
                }
            }
        })
        .await
    });
    if live {
        eprint!("\r\x1b[2K");
    }
    let outcome = result.map_err(|e| match e {
        seam_load::LoadError::Unreachable(why) => CliError::Unreachable(why),
        seam_load::LoadError::Transport(why) => CliError::Input(why),
    })?;
    if interrupted.load(std::sync::atomic::Ordering::SeqCst) {
        eprintln!(
            "stopped by Ctrl-C after {:.1}s",
            outcome.elapsed.as_secs_f64()
        );
    }
    if let Some(why) = aborted.borrow().as_ref() {
        eprintln!("stopped early: threshold {why}");
    }
    let open = matches!(plan.model, Model::Open { .. });
    finish(
        &outcome.stats,
        outcome.elapsed,
        open,
        &thresholds,
        &match (&plan.suite, plan.targets.as_slice()) {
            (Some(suite), _) => format!("seam load: suite {}", suite.name()),
            (None, [one]) => format!("seam load: {}", one.name),
            (None, many) => format!("seam load: {} operations", many.len()),
        },
        &args.files,
    )
}

/// Prints the summary and the thresholds' verdicts, writes the files asked
/// for; exit 1 if a threshold failed.
fn finish(
    stats: &Stats,
    elapsed: Duration,
    open: bool,
    thresholds: &[Threshold],
    title: &str,
    files: &ReportFiles,
) -> Result<Outcome, CliError> {
    let summary = Summary::of(stats, elapsed, open);
    let verdicts = report::judge_all(thresholds, stats, elapsed);
    print!("{}", report::text(&summary, &verdicts));
    let json = || {
        let mut value = serde_json::to_value(&summary).expect("a summary serializes");
        value["thresholds"] = verdicts
            .iter()
            .map(|(t, v)| serde_json::json!({"threshold": t.source, "passed": v.passed, "measured": v.measured}))
            .collect();
        serde_json::to_string_pretty(&value).expect("JSON") + "\n"
    };
    let junit = || report::junit(&verdicts, elapsed);
    let html = || report::html_page(title, &summary, &verdicts);
    let out = files
        .out
        .as_ref()
        .map(|_| hdr_file::write(stats, elapsed, open));
    if let Some(Err(e)) = &out {
        return Err(CliError::Input(format!("--out: {e}")));
    }
    let raw = out.and_then(Result::ok).unwrap_or_default();
    let raw_text = || String::from_utf8_lossy(&raw).into_owned();
    write_all(&[
        Requested::new("json", files.json.as_ref(), &json),
        Requested::new("junit", files.junit.as_ref(), &junit),
        Requested::new("html", files.html.as_ref(), &html),
        Requested::new("histograms", files.out.as_ref(), &raw_text),
    ])?;
    Ok(if verdicts.iter().all(|(_, v)| v.passed) {
        exit::OK
    } else {
        exit::FAILED
    })
}

fn hdr_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "hdr"))
                .collect();
            inside.sort();
            if inside.is_empty() {
                return Err(CliError::Input(format!(
                    "{}: no .hdr files in this directory",
                    p.display()
                )));
            }
            files.extend(inside);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

fn merge(args: MergeArgs) -> Result<Outcome, CliError> {
    let thresholds = parse_thresholds(&args.thresholds)?;
    let mut runs = Vec::new();
    for file in hdr_files(&args.files)? {
        let shown = file.display().to_string();
        let bytes = std::fs::read(&file).map_err(|e| CliError::Input(format!("{shown}: {e}")))?;
        runs.push(hdr_file::read(&shown, &bytes).map_err(CliError::Input)?);
    }
    let count = runs.len();
    let merged = hdr_file::merge(runs);
    let names: Vec<&str> = merged
        .stats
        .endpoints
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    for t in &thresholds {
        t.check_endpoint(&names).map_err(CliError::Input)?;
    }
    eprintln!("seam load merge: {count} shard files");
    finish(
        &merged.stats,
        merged.elapsed,
        merged.open,
        &thresholds,
        &format!("seam load merge: {count} shards"),
        &args.reports,
    )
}

fn kubernetes(args: K8sArgs) -> Result<Outcome, CliError> {
    k8s::check_name(&args.name).map_err(|e| CliError::Input(format!("--name: {e}")))?;
    if args.shards == 0 {
        return Err(CliError::Input("--shards: at least 1".into()));
    }
    // the shards' arguments must make a valid `seam load` before they ship
    #[derive(clap::Parser)]
    struct Check {
        #[command(flatten)]
        run: RunArgs,
    }
    let mut argv = vec!["seam load".to_string()];
    argv.extend(args.load.iter().cloned());
    let check = <Check as clap::Parser>::try_parse_from(&argv).map_err(|e| {
        CliError::Input(format!(
            "the load arguments after `--`: {}",
            e.to_string().trim()
        ))
    })?;
    if check.run.shard.is_some() || check.run.files.out.is_some() {
        return Err(CliError::Input(
            "the load arguments after `--`: leave out --shard and --out; the manifest sets them for each pod".into(),
        ));
    }
    resolve(&check.run)?;
    let mut merge_args = Vec::new();
    for t in &check.run.thresholds {
        Threshold::parse(t).map_err(CliError::Input)?;
        merge_args.extend(["--threshold".to_string(), t.clone()]);
    }
    let yaml = k8s::Manifest {
        name: &args.name,
        image: &args.image,
        shards: args.shards,
        load_args: &args.load,
        merge_args: &merge_args,
    }
    .render();
    match &args.output {
        Some(path) => {
            crate::reports::write_one(path, &yaml)
                .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))?;
            eprintln!("wrote {}", path.display());
        }
        None => print!("{yaml}"),
    }
    Ok(exit::OK)
}
