//! Serves the sample API for benchmarks: `sample-api [--fixed] [--port N]
//! [--count-file FILE]` (the flawed one unless `--fixed`; the number of
//! requests answered so far written to FILE every 100 ms), or
//! `sample-api --print-spec`.

use seam_testkit::sample_api::{serve_counted, Flaws, SPEC};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    if args.iter().any(|a| a == "--print-spec") {
        print!("{SPEC}");
        return;
    }
    let flaws = if args.iter().any(|a| a == "--fixed") {
        Flaws::None
    } else {
        Flaws::All
    };
    let port: u16 = value("--port").and_then(|p| p.parse().ok()).unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind 127.0.0.1");
    println!("http://{}", listener.local_addr().expect("address"));
    let requests = Arc::new(AtomicU64::new(0));
    if let Some(file) = value("--count-file") {
        let requests = requests.clone();
        tokio::spawn(async move {
            loop {
                let _ = std::fs::write(&file, requests.load(Ordering::Relaxed).to_string());
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        });
    }
    serve_counted(listener, flaws, requests).await;
}
