//! `seam scan`: the command line over the vulnerable Acme Notes API and its
//! hardened twin (reports, baseline, `--fail-on`, `--dry-run`, `--config`),
//! the `[scan]` layer of `seam ci`, and bad input.

mod common;

use common::seam_in;
use seam_testkit::vuln_api::{serve, Flaws, AUTH, SPEC};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), SPEC).unwrap();
    std::fs::write(dir.path().join("auth.yaml"), AUTH).unwrap();
    dir
}

/// A quick subset: the checks that need no waiting.
const QUICK: &str = "bola-read,bfla,jwt-alg-none,jwt-weak-key,sensitive-data,path-traversal";

#[test]
fn findings_fail_the_build_and_a_baseline_accepts_them() {
    let rt = runtime();
    let flawed = rt.block_on(serve(Flaws::All));
    let dir = workdir();
    let here = |args: &[&str]| seam_in(Some(dir.path()), &[], args);
    let url = format!("http://{flawed}");
    let (code, out, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        &url,
        "--auth",
        "auth.yaml",
        "--checks",
        QUICK,
        "--report",
        "json,sarif,junit,html",
    ]);
    assert_eq!(code, 1, "{out}{err}");
    for code in [
        "bola-read",
        "bfla",
        "jwt-alg-none",
        "jwt-weak-key",
        "sensitive-data",
        "path-traversal",
    ] {
        assert!(out.contains(&format!(" {code} [API")), "{code}: {out}");
    }
    assert!(out.contains("CRITICAL ("), "{out}");
    let sarif = std::fs::read_to_string(dir.path().join("seam-reports/seam-scan.sarif")).unwrap();
    common::assert_sarif(&sarif);
    assert!(
        sarif.contains("OWASP API1:2023 Broken Object Level Authorization"),
        "{sarif}"
    );
    let junit =
        std::fs::read_to_string(dir.path().join("seam-reports/seam-scan-junit.xml")).unwrap();
    assert!(
        junit.contains("scan API1:2023") && junit.contains("<failure"),
        "{junit}"
    );
    // --fail-on critical: the high findings alone would pass, the critical ones do not
    let (code, _, _) = here(&[
        "scan",
        "api.yaml",
        "--url",
        &url,
        "--auth",
        "auth.yaml",
        "--checks",
        "bola-read,bfla",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(code, 0);
    // every finding of the first run accepted
    let (code, out, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        &url,
        "--auth",
        "auth.yaml",
        "--checks",
        QUICK,
        "--baseline",
        "seam-reports/seam-scan.json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("in the baseline"), "{out}");
}

#[test]
fn the_twin_passes_and_a_dry_run_sends_nothing() {
    let rt = runtime();
    let fixed = rt.block_on(serve(Flaws::None));
    let dir = workdir();
    let here = |args: &[&str]| seam_in(Some(dir.path()), &[], args);
    let url = format!("http://{fixed}");
    let (code, out, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        &url,
        "--auth",
        "auth.yaml",
        "--checks",
        QUICK,
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("0 finding(s)"), "{out}");
    // nothing listens on port 9: a dry run does not need the API
    let (code, out, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        "http://127.0.0.1:9",
        "--auth",
        "auth.yaml",
        "--dry-run",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("bola-read") && out.contains("GET /notes/{id}"),
        "{out}"
    );
    assert!(out.contains("nothing was sent"), "{out}");
}

#[test]
fn a_scan_layer_blocks_the_vulnerable_api_and_passes_its_twin() {
    let rt = runtime();
    let flawed = rt.block_on(serve(Flaws::All));
    let fixed = rt.block_on(serve(Flaws::None));
    let dir = workdir();
    let config = dir.path().join("seam.toml");
    for (addr, code, mark) in [(flawed, 1, "FAILED scan"), (fixed, 0, "ok     scan")] {
        std::fs::write(
            &config,
            format!(
                "[scan]\nname = \"notes security\"\nspec = \"api.yaml\"\nurl = \"http://{addr}\"\n\
                 auth = \"auth.yaml\"\nchecks = [\"bola-read\", \"jwt-alg-none\"]\n\n\
                 [report]\njunit = \"reports/seam.xml\"\n"
            ),
        )
        .unwrap();
        let (got, out, err) = seam_in(Some(dir.path()), &[], &["ci", "--config", "seam.toml"]);
        assert_eq!(got, code, "{out}{err}");
        assert!(out.contains(mark), "{out}");
        let junit = std::fs::read_to_string(dir.path().join("reports/seam.xml")).unwrap();
        assert!(junit.contains("scan API1:2023"), "{junit}");
    }
    // `seam scan --config` reads the same table
    let (code, out, err) = seam_in(
        Some(dir.path()),
        &[],
        &["scan", "--config", "seam.toml", "--dry-run"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("jwt-alg-none"), "{out}");
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let dir = workdir();
    let here = |args: &[&str]| seam_in(Some(dir.path()), &[], args);
    let url = "http://127.0.0.1:9";
    let (code, _, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        url,
        "--checks",
        "bola-reed",
        "--dry-run",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `bola-read`"), "{err}");
    let (code, _, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        url,
        "--fail-on",
        "severe",
        "--dry-run",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("critical, high, medium or low"), "{err}");
    let (code, _, err) = here(&["scan", "api.yaml", "--url", "http://api.example.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("--allow-host"), "{err}");
    std::fs::write(
        dir.path().join("bad-auth.yaml"),
        "auth:\n  - name: a\n    rolse: [x]\n",
    )
    .unwrap();
    let (code, _, err) = here(&[
        "scan",
        "api.yaml",
        "--url",
        url,
        "--auth",
        "bad-auth.yaml",
        "--dry-run",
    ]);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad-auth.yaml:3:") && err.contains("roles"),
        "{err}"
    );
    // nothing listens: exit 3
    let (code, _, err) = here(&["scan", "api.yaml", "--url", url]);
    assert_eq!(code, 3, "{err}");
}
