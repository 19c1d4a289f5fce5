//! `seam demo`: the sample shop through the whole pipeline; `--break` blocks
//! the build at the contract; the demo's own seam.toml runs under `seam ci`.

mod common;

use common::{seam, seam_in};

#[test]
fn the_demo_passes_and_writes_its_reports() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = seam_in(Some(dir.path()), &[], &["demo", "--junit", "junit.xml"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    for expected in [
        "ok     contracts  orders → inventory",
        "ok     contracts  orders → payments",
        "ok     contracts  orders → shipping",
        "ok     suites     shop API",
        "ok     suites     gateway faults",
        "PASS gateway faults › the gateway times out",
        // a matrix test named with its row's variables
        "PASS shop API › rejects an invalid order (quantity a string) [3]",
        "PASS gateway faults › a gateway 503 once is retried",
        "The build passes",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    assert!(!stdout.contains("FAIL"), "{stdout}");
    let html = std::fs::read_to_string(dir.path().join("seam-demo-report.html")).unwrap();
    assert!(html.starts_with("<!doctype html>") && html.contains("seam demo: the build passes"));
    assert!(
        html.contains("the gateway resets the connection") && html.contains("orders → shipping")
    );
    assert!(
        !html.contains("<script") && !html.contains("src=\"http"),
        "self-contained"
    );
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        junit.contains("a declined card releases the stock") && junit.contains("failures=\"0\""),
        "{junit}"
    );
}

#[test]
fn break_blocks_the_build_at_the_broken_field() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = seam_in(
        Some(dir.path()),
        &[],
        &["demo", "--break", "--junit", "junit.xml"],
    );
    assert_eq!(code, 1, "{stdout}");
    for expected in [
        "FAIL orders → inventory: get an item given an item exists",
        "pact: contracts/orders-inventory.yaml",
        "body $.priceCents expected key 'priceCents' but it was missing",
        "reproduce: curl -X GET 'http://127.0.0.1:",
        "FAILED contracts  orders → inventory",
        "ok     contracts  orders → payments",
        "skip   suites     shop API",
        "The build is blocked by: orders → inventory.",
    ] {
        assert!(
            stdout.contains(expected),
            "missing `{expected}` in:\n{stdout}"
        );
    }
    // the skipped layers are in the JUnit report, as skipped
    let junit = std::fs::read_to_string(dir.path().join("junit.xml")).unwrap();
    assert!(
        junit.contains("<testsuite name=\"gateway faults\" tests=\"1\" disabled=\"1\"")
            && junit.contains("<skipped message=\"a contracts layer failed (fail-fast)\""),
        "{junit}"
    );
    let html = std::fs::read_to_string(dir.path().join("seam-demo-report.html")).unwrap();
    assert!(
        html.contains("seam demo: the build is blocked") && html.contains("$.priceCents"),
        "{html}"
    );
}

#[test]
fn the_demo_pipeline_runs_under_seam_ci() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = seam(&["demo", "--eject", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let config = dir.path().join("seam.toml");

    // without the shop's addresses: the unset variable, where it is used
    let (code, _, err) = seam(&["ci", "-c", config.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("seam.toml:") && err.contains("variable `INVENTORY_URL` is not set"),
        "{err}"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let shop = runtime
        .block_on(seam_demo::Shop::start(Default::default()))
        .unwrap();
    let (code, stdout, stderr) =
        seam_in(None, &shop.vars(), &["ci", "-c", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("ok     suites     gateway faults"),
        "{stdout}"
    );
    let junit = std::fs::read_to_string(dir.path().join("reports/junit.xml")).unwrap();
    assert!(junit.contains("orders → inventory") && junit.contains("the gateway answers 503"));
    // a served shop can be checked again: ids are never reused, so the
    // gateway's journal from the first run does not confuse the second
    let (code, stdout, stderr) =
        seam_in(None, &shop.vars(), &["ci", "-c", config.to_str().unwrap()]);
    assert_eq!(code, 0, "second run on the same shop: {stdout}{stderr}");
    runtime.block_on(shop.shutdown());
}
