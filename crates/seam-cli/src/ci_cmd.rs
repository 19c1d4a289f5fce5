//! `seam ci`: runs the pipeline in `seam.toml` (seam-pipeline) with `${VAR}`s
//! from the environment; prints each layer, writes the combined reports, and
//! exits non-zero when any layer fails.

use crate::reports::{self, Requested};
use crate::{exit, failure::input, CliError, Outcome};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct CiArgs {
    /// The pipeline file.
    #[arg(long, short, default_value = "seam.toml")]
    config: PathBuf,
    /// Write the combined JUnit report here (overrides `[report] junit`).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write the combined HTML report here (overrides `[report] html`).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Write a SARIF 2.1.0 log here, a run per fuzz and scan layer, for code
    /// scanning (overrides `[report] sarif`).
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
}

pub fn run(args: CiArgs) -> Result<Outcome, CliError> {
    let pipeline =
        seam_pipeline::load(&args.config, &|name| std::env::var(name).ok()).map_err(input)?;
    let junit = args
        .junit
        .clone()
        .or(pipeline.report.junit.as_deref().map(|j| pipeline.path(j)));
    let html = args
        .html
        .clone()
        .or(pipeline.report.html.as_deref().map(|h| pipeline.path(h)));
    let sarif = args
        .sarif
        .clone()
        .or(pipeline.report.sarif.as_deref().map(|s| pipeline.path(s)));
    let report = crate::runtime()?.block_on(run_printing(&pipeline));
    println!("\n== pipeline ({:.2} s)", report.duration.as_secs_f64());
    print!("{}", report.summary(style()));
    let to_junit = || report.to_junit("seam ci");
    let to_html = || report.to_html("seam ci", "");
    let to_sarif = || report.to_sarif();
    reports::write_all(&[
        Requested::new("junit", junit.as_ref(), &to_junit),
        Requested::new("html", html.as_ref(), &to_html),
        Requested::new("sarif", sarif.as_ref(), &to_sarif),
    ])?;
    Ok(exit_code(&report))
}

/// 3 when a layer's target was unreachable, 2 when a layer had bad input, else
/// 1 when a check failed and 0 when all passed.
pub fn exit_code(report: &seam_pipeline::PipelineReport) -> u8 {
    match report.error() {
        Some(seam_pipeline::ErrorKind::Unreachable) => exit::UNREACHABLE,
        Some(seam_pipeline::ErrorKind::Input) => exit::USAGE,
        None if report.ok() => exit::OK,
        None => exit::FAILED,
    }
}

/// Runs `pipeline`, printing each layer's report as it finishes.
pub async fn run_printing(pipeline: &seam_pipeline::Pipeline) -> seam_pipeline::PipelineReport {
    seam_pipeline::run(pipeline, style(), |event| match event {
        seam_pipeline::Event::Started { kind, name } => {
            println!("\n== {}: {name}", kind.label())
        }
        seam_pipeline::Event::Finished(layer) => print!("{}", layer.text),
    })
    .await
}

/// Colors for the terminal, plain when piped or under `NO_COLOR`.
pub fn style() -> seam_core::render::Style {
    use std::io::IsTerminal;
    seam_core::render::Style::for_stream(std::io::stdout().is_terminal())
}
