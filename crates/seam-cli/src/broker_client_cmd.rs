//! `seam broker can-i-deploy`: asks a broker (seam's or the Pact Broker)
//! whether a version can be deployed, prints the matrix and the reasons,
//! and exits 0 only for yes. With `--explain` (seam's broker) it names
//! each interaction and field that failed verification. Flags and
//! environment variables are the official clients', so a pipeline can
//! switch to it unchanged.

use crate::{exit, CliError, Outcome};
use clap::{Args, ValueEnum};
use serde_json::Value;
use std::time::Duration;

#[derive(Args)]
#[command(disable_version_flag = true)]
pub struct CanIDeployArgs {
    /// The broker's URL.
    #[arg(long, short = 'b', env = "PACT_BROKER_BASE_URL")]
    broker_base_url: String,
    /// A bearer token for the broker.
    #[arg(long, short = 'k', env = "PACT_BROKER_TOKEN", hide_env_values = true)]
    broker_token: Option<String>,
    /// A basic-auth user for the broker.
    #[arg(long, short = 'u', env = "PACT_BROKER_USERNAME")]
    broker_username: Option<String>,
    /// The basic-auth user's password.
    #[arg(
        long,
        short = 'p',
        env = "PACT_BROKER_PASSWORD",
        hide_env_values = true
    )]
    broker_password: Option<String>,
    /// The application to deploy.
    #[arg(long, short = 'a')]
    pacticipant: String,
    /// Its version (default: its latest, or the latest on --branch).
    #[arg(long, short = 'e')]
    version: Option<String>,
    /// The latest version on this branch.
    #[arg(long, conflicts_with = "version")]
    branch: Option<String>,
    /// The environment to deploy to.
    #[arg(long, required_unless_present = "to")]
    to_environment: Option<String>,
    /// The tag the target versions carry (the older, tag-based way).
    #[arg(long, conflicts_with = "to_environment")]
    to: Option<String>,
    /// An application whose results do not count (repeatable).
    #[arg(long)]
    ignore: Vec<String>,
    /// Name the interactions and fields that failed verification.
    #[arg(long)]
    explain: bool,
    /// text or json.
    #[arg(long, short = 'o', value_enum, default_value_t = Format::Text)]
    output: Format,
    /// Ask again this many times while the answer is unknown (results not
    /// yet published).
    #[arg(long, default_value_t = 0)]
    retry_while_unknown: u32,
    /// Seconds between those retries.
    #[arg(long, default_value_t = 10)]
    retry_interval: u64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: CanIDeployArgs) -> Result<Outcome, CliError> {
    let base = args.broker_base_url.trim_end_matches('/');
    let mut query: Vec<(&str, String)> = vec![("pacticipant", args.pacticipant.clone())];
    if let Some(v) = &args.version {
        query.push(("version", v.clone()));
    }
    if let Some(b) = &args.branch {
        query.push(("branch", b.clone()));
    }
    match (&args.to_environment, &args.to) {
        (Some(e), _) => query.push(("environment", e.clone())),
        (None, Some(t)) => query.push(("to", t.clone())),
        (None, None) => unreachable!("clap requires one"),
    }
    for i in &args.ignore {
        query.push(("ignore[]", i.clone()));
    }
    if args.explain {
        query.push(("explain", "true".into()));
    }
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| CliError::Input(format!("cannot make an HTTP client: {e}")))?;
    let url = format!("{base}/can-i-deploy");
    let mut attempts_left = args.retry_while_unknown;
    let answer = loop {
        let mut request = client
            .get(&url)
            .query(&query)
            .header("Accept", "application/hal+json");
        if let Some(token) = &args.broker_token {
            request = request.bearer_auth(token);
        } else if let Some(user) = &args.broker_username {
            request = request.basic_auth(user, args.broker_password.as_deref());
        }
        let response = request.send().map_err(|e| {
            CliError::Unreachable(format!("the broker at {base} did not answer: {e}"))
        })?;
        let status = response.status();
        let body: Value = response.json().unwrap_or(Value::Null);
        if !status.is_success() {
            let message = body["errors"]
                .as_object()
                .map(|m| {
                    m.values()
                        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .filter(|m| !m.is_empty())
                .or_else(|| body["error"].as_str().map(str::to_string))
                .unwrap_or_default();
            return Err(CliError::Input(format!(
                "the broker answered {status} to {url}: {message}"
            )));
        }
        if body["summary"]["deployable"].is_null() && attempts_left > 0 {
            attempts_left -= 1;
            eprintln!(
                "the answer is not known yet; asking again in {} s ({attempts_left} more after that)",
                args.retry_interval
            );
            std::thread::sleep(Duration::from_secs(args.retry_interval));
            continue;
        }
        break body;
    };
    let deployable = answer["summary"]["deployable"] == Value::Bool(true);
    match args.output {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&answer).unwrap_or_default()
        ),
        Format::Text => print!("{}", text(&args, &answer)),
    }
    Ok(if deployable { exit::OK } else { exit::FAILED })
}

fn text(args: &CanIDeployArgs, answer: &Value) -> String {
    let rows = answer["matrix"].as_array().cloned().unwrap_or_default();
    let cell = |v: &Value| v.as_str().unwrap_or("???").to_string();
    let mut table = vec![[
        "CONSUMER".to_string(),
        "C.VERSION".into(),
        "PROVIDER".into(),
        "P.VERSION".into(),
        "SUCCESS?".into(),
    ]];
    for r in &rows {
        table.push([
            cell(&r["consumer"]["name"]),
            cell(&r["consumer"]["version"]["number"]),
            cell(&r["provider"]["name"]),
            cell(&r["provider"]["version"]["number"]),
            match &r["verificationResult"]["success"] {
                Value::Bool(b) => b.to_string(),
                _ => "???".into(),
            },
        ]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|c| table.iter().map(|row| row[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    let answer_word = match &answer["summary"]["deployable"] {
        Value::Bool(true) => "yes",
        Value::Bool(false) => "no",
        _ => "not known (results are missing)",
    };
    let what = match (&args.version, &args.branch) {
        (Some(v), _) => format!("{} {v}", args.pacticipant),
        (None, Some(b)) => format!("the latest {} on {b}", args.pacticipant),
        (None, None) => format!("the latest {}", args.pacticipant),
    };
    let target = args
        .to_environment
        .clone()
        .or_else(|| args.to.as_ref().map(|t| format!("versions tagged {t}")))
        .unwrap_or_default();
    out.push_str(&format!(
        "can {what} be deployed to {target}? {answer_word}\n\n"
    ));
    if rows.is_empty() {
        out.push_str("There are no rows in the matrix for this question.\n");
    } else {
        for row in &table {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect();
            out.push_str(line.join(" | ").trim_end());
            out.push('\n');
        }
    }
    out.push('\n');
    if let Some(reason) = answer["summary"]["reason"].as_str() {
        out.push_str(reason);
        out.push('\n');
    }
    if args.explain {
        out.push_str(&explanation(&rows));
    }
    out
}

/// `--explain`: each failed row's interactions and fields.
fn explanation(rows: &[Value]) -> String {
    let mut out = String::new();
    for r in rows {
        let v = &r["verificationResult"];
        if v["success"] != Value::Bool(false) {
            continue;
        }
        out.push_str(&format!(
            "\nWhy {} {} and {} {} fail together:\n",
            r["consumer"]["name"].as_str().unwrap_or("?"),
            r["consumer"]["version"]["number"].as_str().unwrap_or("?"),
            r["provider"]["name"].as_str().unwrap_or("?"),
            r["provider"]["version"]["number"].as_str().unwrap_or("?"),
        ));
        let blockers = v["blockers"].as_array().cloned().unwrap_or_default();
        if blockers.is_empty() {
            out.push_str("  the verification failed, and its results name no interaction (the broker may not be seam's, or the verifier published no test results)\n");
        }
        for b in &blockers {
            let states: Vec<&str> = b["providerStates"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let given = if states.is_empty() {
                String::new()
            } else {
                format!(" given {}", states.join(", "))
            };
            out.push_str(&format!(
                "  \"{}\"{given}\n",
                b["interaction"].as_str().unwrap_or("?")
            ));
            for m in b["mismatches"].as_array().into_iter().flatten() {
                out.push_str(&format!(
                    "    {}: {}\n",
                    m["field"].as_str().unwrap_or("?"),
                    m["reason"].as_str().unwrap_or("?")
                ));
            }
        }
        if let Some(href) = v["_links"]["self"]["href"].as_str() {
            out.push_str(&format!("  results: {href}\n"));
        }
        if let Some(href) = r["pact"]["_links"]["self"]["href"].as_str() {
            out.push_str(&format!("  pact: {href}\n"));
        }
    }
    out
}
