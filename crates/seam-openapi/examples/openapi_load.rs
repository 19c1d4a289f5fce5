//! Loads OpenAPI specs the way every seam command does (`load`, then the
//! router) and prints, per spec, its operation count and the time taken inside
//! the process: the harness of bench/openapi-load.sh.
//!
//! Usage: `openapi_load SPEC...`; exit 1 when a spec does not load.

use seam_openapi::load::load;
use seam_openapi::router::Router;
use std::path::Path;
use std::time::Instant;

fn main() {
    let mut failed = false;
    for arg in std::env::args().skip(1) {
        let start = Instant::now();
        match load(Path::new(&arg)) {
            Ok(spec) => {
                let loaded = start.elapsed();
                let router = Router::new(&spec);
                let routed = start.elapsed();
                std::hint::black_box(&router);
                println!(
                    "{arg}\t{} operations\tload {:.1} ms\tload+router {:.1} ms",
                    spec.operations.len() + spec.webhooks.len(),
                    loaded.as_secs_f64() * 1e3,
                    routed.as_secs_f64() * 1e3
                );
            }
            Err(errors) => {
                failed = true;
                for e in errors.iter().take(5) {
                    eprintln!("{e}");
                }
            }
        }
    }
    std::process::exit(i32::from(failed));
}
