//! `seam init`: what it writes runs. From the sample API's spec and its
//! address, `seam ci` runs the suite (a test per operation) and the fuzz
//! layer against the real service and writes the three reports; files that
//! exist are kept unless `--force`; bad arguments are refused.

mod common;

use common::{seam, seam_in};

#[test]
fn a_pipeline_written_from_a_spec_runs_against_the_service() {
    use seam_testkit::sample_api::{serve, Flaws, SPEC};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = rt.block_on(serve(Flaws::None));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), SPEC).unwrap();
    let url = format!("http://{addr}");
    let (code, out, err) = seam_in(
        Some(dir.path()),
        &[],
        &["init", "--openapi", "api.yaml", "--url", &url],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("export BEARER_TOKEN="), "{out}");
    let toml = std::fs::read_to_string(dir.path().join("seam.toml")).unwrap();
    assert!(toml.contains("bearer = \"${BEARER_TOKEN}\""), "{toml}");
    let token = [("BEARER_TOKEN".to_string(), "sample-token".to_string())];
    let (_, out, err) = seam_in(Some(dir.path()), &token, &["ci"]);
    // the suite's tests use generated ids, so some answer 404 until the user
    // gives real ones; every operation is tried, and the fuzz layer passes
    let suites = out
        .lines()
        .find(|l| l.contains(" suites "))
        .unwrap_or_default();
    let passed: usize = suites
        .split(" passed")
        .next()
        .and_then(|s| s.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let failed: usize = suites
        .split(", ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert_eq!(passed + failed, 10, "one test per operation: {out}{err}");
    assert!(passed > 0, "{out}");
    assert!(out.contains("ok     fuzz"), "{out}{err}");
    for report in ["seam.xml", "seam.html", "seam.sarif"] {
        assert!(
            dir.path().join("seam-reports").join(report).is_file(),
            "{report}"
        );
    }
}

#[test]
fn a_base_url_gives_a_skeleton_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    let closed = format!("http://127.0.0.1:{}", seam_testkit::closed_port());
    let (code, out, err) = seam_in(
        Some(dir.path()),
        &[],
        &["init", "--url", &closed, "--dir", "app"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, _) = seam_in(Some(dir.path()), &[], &["ci", "-c", "app/seam.toml"]);
    // nothing listens there: the suite's one test runs and reports it
    assert_ne!(code, 0);
    assert!(out.contains("the service answers"), "{out}");
    assert!(dir.path().join("app/seam-reports/seam.xml").is_file());
}

#[test]
fn files_are_kept_unless_forced_and_bad_arguments_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, _, _) = seam(&["init", "--url", "http://127.0.0.1:8080", "--dir", d]);
    assert_eq!(code, 0);
    std::fs::write(dir.path().join("seam.toml"), "# mine\n").unwrap();
    let (code, _, err) = seam(&["init", "--url", "http://127.0.0.1:8080", "--dir", d]);
    assert_eq!(code, 2);
    assert!(
        err.contains("already there; --force overwrites it"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("seam.toml")).unwrap(),
        "# mine\n"
    );
    let (code, _, _) = seam(&[
        "init",
        "--url",
        "http://127.0.0.1:8080",
        "--dir",
        d,
        "--force",
    ]);
    assert_eq!(code, 0);
    assert!(std::fs::read_to_string(dir.path().join("seam.toml"))
        .unwrap()
        .contains("[suites]"));
    let (code, _, err) = seam(&["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("--openapi") && err.contains("--url"), "{err}");
    let (code, _, err) = seam(&["init", "--url", "ftp://x", "--dir", d]);
    assert_eq!(code, 2);
    assert!(err.contains("expected an http:// or https:// URL"), "{err}");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "openapi: 3.0.3\ninfo: {title: x}\n").unwrap();
    let (code, _, err) = seam(&[
        "init",
        "--openapi",
        bad.to_str().unwrap(),
        "--dir",
        d,
        "--force",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("bad.yaml:"), "{err}");
}
