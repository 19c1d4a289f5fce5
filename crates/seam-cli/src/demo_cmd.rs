//! `seam demo`: starts the sample shop (seam-demo) on loopback ports and runs
//! its own `seam.toml` through the same pipeline as `seam ci`: contracts, the
//! shop's API suite, fault scenarios on the virtualized gateway; then the
//! summary and a self-contained HTML report. `--break` ships a provider change
//! that breaks a consumer; `--serve` keeps the shop up for trying things by
//! hand; `--eject DIR` writes the demo's files out.

use crate::reports::{self, Requested};
use crate::{ci_cmd, exit, failure::input, CliError, Outcome};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Ship a breaking provider change (inventory renames `priceCents` to
    /// `price`) and watch the pipeline block it.
    #[arg(long = "break")]
    breaking: bool,
    /// Where to write the HTML report.
    #[arg(long, value_name = "FILE", default_value = "seam-demo-report.html")]
    report: PathBuf,
    /// Also write the combined JUnit report here.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Start the shop and keep it running (Ctrl-C stops it); prints the
    /// variables for running the demo's seam.toml with `seam ci`.
    #[arg(long, conflicts_with = "eject")]
    serve: bool,
    /// Write the demo's files (seam.toml, contracts, suites, gateway mappings)
    /// into DIR and exit.
    #[arg(long, value_name = "DIR")]
    eject: Option<PathBuf>,
}

const INTRO: &str = "A checkout on loopback ports: orders calls inventory, shipping and payments; \
payments calls a third-party payment gateway virtualized by seam mock.";

pub fn run(args: DemoArgs) -> Result<Outcome, CliError> {
    if let Some(dir) = &args.eject {
        seam_demo::assets::write_to(dir)
            .map_err(|e| input(format!("cannot write {}: {e}", dir.display())))?;
        println!("wrote the demo's files to {}", dir.display());
        println!(
            "  run them against the shop: seam demo --serve, then seam ci -c {}",
            dir.join("seam.toml").display()
        );
        return Ok(exit::OK);
    }
    crate::runtime()?.block_on(async {
        let options = seam_demo::ShopOptions {
            broken: args.breaking,
            ..Default::default()
        };
        let shop = seam_demo::Shop::start(options).await.map_err(input)?;
        let code = if args.serve {
            Ok(serve(&shop).await)
        } else {
            pipeline(&shop, &args).await
        };
        shop.shutdown().await;
        code
    })
}

fn print_shop(shop: &seam_demo::Shop) {
    println!("Seamline demo. {INTRO}\n");
    for (name, url) in [
        ("orders", &shop.orders),
        ("inventory", &shop.inventory),
        ("shipping", &shop.shipping),
        ("payments", &shop.payments),
        ("gateway", &shop.gateway),
    ] {
        println!("  {name:<10} {url}");
    }
}

async fn serve(shop: &seam_demo::Shop) -> u8 {
    print_shop(shop);
    println!("\nTo run the demo's pipeline yourself:\n");
    for (k, v) in shop.vars() {
        println!("  export {k}={v}");
    }
    println!("  seam demo --eject seam-demo && seam ci -c seam-demo/seam.toml\n");
    println!("Serving until Ctrl-C.");
    let _ = tokio::signal::ctrl_c().await;
    exit::OK
}

async fn pipeline(shop: &seam_demo::Shop, args: &DemoArgs) -> Result<Outcome, CliError> {
    let start = Instant::now();
    print_shop(shop);
    if args.breaking {
        println!("\n--break: inventory ships a change its consumer did not agree to: `priceCents` (integer cents) becomes `price` (a decimal string).");
    }
    // The demo's files go to a scratch directory; reports name them as written
    // in its seam.toml, as the user sees them after `seam demo --eject DIR`
    // (`contracts/orders-inventory.yaml`).
    let dir = std::env::temp_dir().join(format!("seam-demo-{}", std::process::id()));
    let code = match seam_demo::assets::write_to(&dir) {
        Ok(()) => run_here(shop, &dir, &args.report, args.junit.as_deref(), start).await,
        Err(e) => Err(input(format!(
            "cannot write the demo's files to {}: {e}",
            dir.display()
        ))),
    };
    let _ = std::fs::remove_dir_all(&dir);
    code
}

async fn run_here(
    shop: &seam_demo::Shop,
    dir: &Path,
    report_path: &Path,
    junit: Option<&Path>,
    start: Instant,
) -> Result<Outcome, CliError> {
    let vars = shop.vars();
    let lookup = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let pipeline = seam_pipeline::load(&dir.join("seam.toml"), &lookup).map_err(input)?;
    let report = ci_cmd::run_printing(&pipeline).await;
    println!("\n== pipeline");
    print!("{}", report.summary(ci_cmd::style()));
    let title = if report.ok() {
        "seam demo: the build passes"
    } else {
        "seam demo: the build is blocked"
    };
    let to_html = || report.to_html(title, INTRO);
    let to_junit = || report.to_junit("seam demo");
    reports::write_all(&[
        Requested {
            label: "html",
            path: Some(report_path),
            render: &to_html,
        },
        Requested {
            label: "junit",
            path: junit,
            render: &to_junit,
        },
    ])?;
    let elapsed = start.elapsed().as_secs_f64();
    if report.ok() {
        println!("\nThe build passes: contracts honoured, the API works, and the shop degrades gracefully when the gateway fails. ({elapsed:.1} s)");
        println!("Try `seam demo --break` to see a breaking change blocked.");
        Ok(exit::OK)
    } else {
        let blocked: Vec<&str> = report
            .layers
            .iter()
            .filter(|l| !l.ok())
            .map(|l| l.name.as_str())
            .collect();
        println!(
            "\nThe build is blocked by: {}. Each failure above names the interaction, the field and the reason, with a curl command to reproduce it. ({elapsed:.1} s)",
            blocked.join(", ")
        );
        Ok(ci_cmd::exit_code(&report))
    }
}
