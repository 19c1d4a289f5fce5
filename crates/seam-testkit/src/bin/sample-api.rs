//! Serves the sample API for benchmarks: `sample-api [--fixed] [--port N]`
//! (the flawed one unless `--fixed`), or `sample-api --print-spec`.

use seam_testkit::sample_api::{serve_on, Flaws, SPEC};

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--print-spec") {
        print!("{SPEC}");
        return;
    }
    let flaws = if args.iter().any(|a| a == "--fixed") {
        Flaws::None
    } else {
        Flaws::All
    };
    let port: u16 = args
        .iter()
        .position(|a| a == "--port")
        .and_then(|i| args.get(i + 1))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind 127.0.0.1");
    println!("http://{}", listener.local_addr().expect("address"));
    serve_on(listener, flaws).await;
}
