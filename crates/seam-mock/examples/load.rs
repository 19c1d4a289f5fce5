//! Loads stub sources as `seam mock` does and serves them, printing how long
//! loading and starting took: a profiling target for large stub files
//! (`perf record target/release/examples/load FILE...`). With `--exit`, stops
//! once started.

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let exit = args.iter().any(|a| a == "--exit");
    let started = std::time::Instant::now();
    let mut stubs = Vec::new();
    for path in args.iter().filter(|a| !a.starts_with("--")) {
        match seam_mock::sources::load(std::path::Path::new(path)) {
            Ok(s) => stubs.extend(s),
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(2);
            }
        }
    }
    let loaded = started.elapsed();
    let count = stubs.len();
    let server = seam_mock::MockServer::start(seam_mock::MockConfig::default(), stubs)
        .await
        .expect("bind");
    println!(
        "listening on {} ({count} stub(s); loaded in {loaded:?}, started in {:?})",
        server.base_url(),
        started.elapsed()
    );
    if !exit {
        std::future::pending::<()>().await;
    }
}
