//! `seam ci`: the layered pipeline from `seam.toml`: contracts (provider
//! verification), then suites; one combined JUnit report; a non-zero exit when
//! any layer fails. Paths in `seam.toml` are relative to it.

use crate::exit;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
pub struct CiArgs {
    /// The pipeline file.
    #[arg(long, short, default_value = "seam.toml")]
    config: PathBuf,
    /// Write the combined JUnit report here (overrides `[report] junit`).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pipeline {
    contracts: Option<ContractsLayer>,
    suites: Option<SuitesLayer>,
    #[serde(default)]
    report: ReportSection,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ContractsLayer {
    provider_base_url: String,
    pacts: Vec<String>,
    provider_states_setup_url: Option<String>,
    #[serde(default)]
    headers: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuitesLayer {
    files: Vec<String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
    jobs: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ReportSection {
    junit: Option<String>,
}

/// One layer's outcome.
struct Layer {
    name: &'static str,
    passed: bool,
    summary: String,
    junit: Vec<quick_junit::TestSuite>,
}

fn read(config: &Path) -> Result<Pipeline, String> {
    let text = std::fs::read_to_string(config)
        .map_err(|e| format!("{}: cannot read: {e}", config.display()))?;
    let p: Pipeline = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text[..s.start].matches('\n').count() + 1;
                let col = s.start - text[..s.start].rfind('\n').map_or(0, |i| i + 1) + 1;
                format!(":{line}:{col}")
            })
            .unwrap_or_default();
        format!("{}{at}: {}", config.display(), e.message())
    })?;
    if p.contracts.is_none() && p.suites.is_none() {
        return Err(format!(
            "{}: no layers: add [contracts] and/or [suites]",
            config.display()
        ));
    }
    Ok(p)
}

async fn contracts(layer: &ContractsLayer, dir: &Path) -> Result<Layer, (u8, String)> {
    let headers = layer
        .headers
        .iter()
        .map(|h| {
            h.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| {
                    (
                        exit::USAGE,
                        format!("contracts.headers: `{h}`: expected NAME: VALUE"),
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    let options = seam_verify::VerifyOptions {
        provider_base_url: layer.provider_base_url.clone(),
        state_change_url: layer.provider_states_setup_url.clone(),
        headers,
        ..Default::default()
    };
    let fail = |e: seam_verify::VerifyError| (e.exit_code(), e.to_string());
    let verifier = seam_verify::Verifier::new(options).map_err(fail)?;
    let sources: Vec<String> = layer
        .pacts
        .iter()
        .map(|p| {
            if p.contains("://") {
                p.clone()
            } else {
                dir.join(p).display().to_string()
            }
        })
        .collect();
    let pacts = seam_verify::load(&sources, verifier.client())
        .await
        .map_err(fail)?;
    let report = verifier.verify(&pacts).await.map_err(fail)?;
    Ok(Layer {
        name: "contracts",
        passed: report.exit_code() == 0,
        summary: report.to_text(seam_core::render::Style::Plain),
        junit: report.junit_suites(),
    })
}

async fn suites(layer: &SuitesLayer, dir: &Path) -> Result<Layer, (u8, String)> {
    let mut loaded = Vec::new();
    for f in &layer.files {
        loaded.push(seam_suite::load(&dir.join(f)).map_err(|e| (exit::USAGE, e.to_string()))?);
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
        .map_err(|e| (exit::USAGE, e))?;
    Ok(Layer {
        name: "suites",
        passed: results.iter().all(|r| r.passed()),
        summary: seam_suite::report::to_text(&results, false),
        junit: seam_suite::report::junit_suites(&results),
    })
}

pub fn run(args: CiArgs) -> u8 {
    let pipeline = match read(&args.config) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let dir = args
        .config
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let Some(runtime) = crate::runtime() else {
        return exit::USAGE;
    };
    let outcome = runtime.block_on(async {
        let mut layers = Vec::new();
        if let Some(c) = &pipeline.contracts {
            println!("== layer: contracts ({})", c.provider_base_url);
            layers.push(contracts(c, &dir).await?);
            print!(
                "{}",
                layers
                    .last()
                    .map(|l| l.summary.as_str())
                    .unwrap_or_default()
            );
        }
        if let Some(s) = &pipeline.suites {
            println!("\n== layer: suites ({} file(s))", s.files.len());
            layers.push(suites(s, &dir).await?);
            print!(
                "{}",
                layers
                    .last()
                    .map(|l| l.summary.as_str())
                    .unwrap_or_default()
            );
        }
        Ok::<_, (u8, String)>(layers)
    });
    let layers = match outcome {
        Ok(l) => l,
        Err((code, e)) => {
            eprintln!("error: {e}");
            return code;
        }
    };
    println!("\n== pipeline");
    for l in &layers {
        println!(
            "  {:<10} {}",
            l.name,
            if l.passed { "passed" } else { "FAILED" }
        );
    }
    let junit = args
        .junit
        .clone()
        .or(pipeline.report.junit.as_ref().map(|j| dir.join(j)));
    if let Some(path) = junit {
        let mut report = quick_junit::Report::new("seam ci");
        for l in &layers {
            report.add_test_suites(l.junit.clone());
        }
        let text = report.to_string().unwrap_or_default();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            return exit::USAGE;
        }
        println!("  junit      {}", path.display());
    }
    if layers.iter().all(|l| l.passed) {
        exit::OK
    } else {
        exit::FAILED
    }
}
