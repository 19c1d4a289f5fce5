//! Serves the deliberately vulnerable notes API: `vuln-api [--fixed]
//! [--port N]` (the flawed one unless `--fixed`, the hardened twin) prints
//! `http://127.0.0.1:PORT` on its first line, then serves; `vuln-api
//! --print-spec` prints its OpenAPI document and `vuln-api --print-auth` the
//! identities (Web Fuzzing Commons auth format).

use seam_testkit::vuln_api::{serve_on, Flaws, AUTH, SPEC};
use std::io::Write;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--print-spec") {
        print!("{SPEC}");
        return;
    }
    if args.iter().any(|a| a == "--print-auth") {
        print!("{AUTH}");
        return;
    }
    let flaws = if args.iter().any(|a| a == "--fixed") {
        Flaws::None
    } else {
        Flaws::All
    };
    let port: u16 = match args.iter().position(|a| a == "--port") {
        None => 0,
        Some(i) => match args.get(i + 1).and_then(|p| p.parse().ok()) {
            Some(p) => p,
            None => {
                eprintln!("usage: vuln-api [--fixed] [--port N] | --print-spec | --print-auth");
                std::process::exit(2);
            }
        },
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind 127.0.0.1");
    println!("http://{}", listener.local_addr().expect("address"));
    let _ = std::io::stdout().flush();
    serve_on(listener, flaws).await;
}
