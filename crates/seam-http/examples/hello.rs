//! A hello-world server on seam-http, to compare the plumbing alone with a bare
//! hyper server (bench/hello-hyper). Prints its address; serves until killed.

#[tokio::main]
async fn main() {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let server = seam_http::serve(([127, 0, 0, 1], port).into(), None, |_req, _conn| async {
        hyper::Response::builder()
            .header("content-type", "application/json")
            .body(seam_http::full(&b"{\"hello\":\"world\"}"[..]))
            .expect("static response")
    })
    .await
    .expect("bind");
    println!("listening on {}", server.base_url());
    std::future::pending::<()>().await;
}
