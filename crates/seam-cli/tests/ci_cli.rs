//! `seam ci`: contracts then suites from seam.toml, one JUnit report, exit codes.

mod common;

use common::{mock, seam};

const PACT: &str = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{"description": "fetch an order", "request": {"method": "GET", "path": "/orders/1"},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"}, "body": {"id": 1, "status": "PAID"},
      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "integer"}]}}}}}],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;

const SUITE: &str = r#"baseUrl: "{{base}}"
tests:
  - name: order is paid
    steps:
      - request: { path: /orders/1 }
        assert: { status: 200, json: [ { path: $.status, equals: PAID } ] }
"#;

#[test]
fn layers_run_in_order_with_one_junit_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pacts")).unwrap();
    std::fs::write(dir.path().join("pacts/web-orders.json"), PACT).unwrap();
    std::fs::write(dir.path().join("orders.yaml"), SUITE).unwrap();
    let provider = mock(&[
        "--pact",
        dir.path().join("pacts/web-orders.json").to_str().unwrap(),
    ]);
    let config = dir.path().join("seam.toml");
    let toml = format!(
        "[contracts]\nprovider-base-url = \"{url}\"\npacts = [\"pacts\"]\n\n[suites]\nfiles = [\"orders.yaml\"]\nvars = {{ base = \"{url}\" }}\n\n[report]\njunit = \"reports/seam.xml\"\nhtml = \"reports/seam.html\"\n",
        url = provider.url
    );
    std::fs::write(&config, &toml).unwrap();
    let (code, out, err) = seam(&["ci", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("== contracts: contracts (http://127.0.0.1:")
            && out.contains("== suites: suites"),
        "{out}"
    );
    assert!(
        out.contains("ok     contracts") && out.contains("ok     suites"),
        "{out}"
    );
    let junit = std::fs::read_to_string(dir.path().join("reports/seam.xml")).unwrap();
    assert!(
        junit.contains("web → orders") && junit.contains("order is paid"),
        "{junit}"
    );
    let html = std::fs::read_to_string(dir.path().join("reports/seam.html")).unwrap();
    assert!(
        html.starts_with("<!doctype html>")
            && html.contains("order is paid")
            && html.contains("fetch an order"),
        "{html}"
    );
    drop(provider);

    // a provider that renamed `status` fails both layers, and the pipeline
    let stubs = dir.path().join("breaking.yaml");
    std::fs::write(&stubs, "stubs:\n  - request: { path: /orders/1 }\n    response: { json: { id: 1, state: PAID } }\n").unwrap();
    let provider = mock(&["--stubs", stubs.to_str().unwrap()]);
    let toml = toml.replace(&provider_url_of(&toml), &provider.url);
    std::fs::write(&config, &toml).unwrap();
    let (code, out, _) = seam(&["ci", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("FAILED contracts") && out.contains("FAILED suites"),
        "{out}"
    );
    assert!(
        out.contains("body $.status expected key 'status' but it was missing"),
        "{out}"
    );

    // bad configuration: file:line:col and exit 2
    std::fs::write(
        &config,
        "[contracts]\nprovider-base-url = \"x\"\npact = []\n",
    )
    .unwrap();
    let (code, _, err) = seam(&["ci", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("seam.toml:3:") && err.contains("pact"),
        "{err}"
    );
}

fn provider_url_of(toml: &str) -> String {
    toml.split('"').nth(1).unwrap().to_string()
}

#[test]
fn an_unreachable_provider_still_runs_later_layers_and_writes_reports_then_exits_3() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pacts")).unwrap();
    std::fs::write(dir.path().join("pacts/web-orders.json"), PACT).unwrap();
    std::fs::write(dir.path().join("orders.yaml"), SUITE).unwrap();
    // the suites layer has a live API; the contracts layer's provider is down
    let api = mock(&[
        "--pact",
        dir.path().join("pacts/web-orders.json").to_str().unwrap(),
    ]);
    let down = format!("http://127.0.0.1:{}", common::closed_port());
    let config = dir.path().join("seam.toml");
    std::fs::write(
        &config,
        format!(
            "[contracts]\nprovider-base-url = \"{down}\"\npacts = [\"pacts\"]\n\n[suites]\nfiles = [\"orders.yaml\"]\nvars = {{ base = \"{}\" }}\n\n[report]\njunit = \"out/seam.xml\"\nhtml = \"out/seam.html\"\n",
            api.url
        ),
    )
    .unwrap();
    let (code, out, err) = seam(&["ci", "--config", config.to_str().unwrap()]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        out.contains("error (unreachable): the provider at"),
        "{out}"
    );
    assert!(
        out.contains("ERROR  contracts") && out.contains("ok     suites"),
        "the suites layer still ran: {out}"
    );
    let junit = std::fs::read_to_string(dir.path().join("out/seam.xml")).unwrap();
    assert!(
        junit.contains("<error") && junit.contains("order is paid"),
        "{junit}"
    );
    let html = std::fs::read_to_string(dir.path().join("out/seam.html")).unwrap();
    assert!(html.contains("Could not run (unreachable)"), "{html}");
}

/// A `[fuzz]` layer: the sample API with seeded defects fails the pipeline
/// (with the findings in the JUnit report), its corrected twin passes; a
/// per-operation `off` is honoured.
#[test]
fn a_fuzz_layer_blocks_a_flawed_service_and_passes_its_twin() {
    use seam_testkit::sample_api::{serve, Flaws, SPEC};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let flawed = rt.block_on(serve(Flaws::All));
    let fixed = rt.block_on(serve(Flaws::None));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.yaml"), SPEC).unwrap();
    let config = dir.path().join("seam.toml");
    for (addr, code, mark) in [(flawed, 1, "FAILED fuzz"), (fixed, 0, "ok     fuzz")] {
        std::fs::write(
            &config,
            format!(
                "[fuzz]\nname = \"inventory\"\nspec = \"api.yaml\"\nurl = \"http://{addr}\"\n\
                 bearer = \"sample-token\"\nmax-examples = 10\n\
                 [fuzz.operations.\"POST /items\"]\noff = [\"server-error\"]\n\n\
                 [report]\njunit = \"reports/seam.xml\"\nsarif = \"reports/seam.sarif\"\n"
            ),
        )
        .unwrap();
        let (got, out, err) = seam(&["ci", "--config", config.to_str().unwrap()]);
        assert_eq!(got, code, "{out}{err}");
        assert!(out.contains(mark), "{out}");
        // one SARIF run for the fuzz layer: its findings, or none
        let text = std::fs::read_to_string(dir.path().join("reports/seam.sarif")).unwrap();
        common::assert_sarif(&text);
        let sarif: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(sarif["version"], "2.1.0");
        assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "seam fuzz");
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        let rules: Vec<&str> = results
            .iter()
            .filter_map(|r| r["ruleId"].as_str())
            .collect();
        if code == 1 {
            assert!(rules.contains(&"invalid-accepted"), "{sarif}");
            assert!(
                results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .ends_with("api.yaml")
            );
        } else {
            assert!(results.is_empty(), "{sarif}");
        }
        let junit = std::fs::read_to_string(dir.path().join("reports/seam.xml")).unwrap();
        assert!(junit.contains("fuzz POST /items"), "{junit}");
        if code == 1 {
            assert!(out.contains("[invalid-accepted]"), "{out}");
            // turned off for POST /items: the `'` that makes it answer 500 is not reported
            assert!(!out.contains("[server-error]"), "{out}");
            assert!(junit.contains("<failure"), "{junit}");
        }
    }
}

/// `seam fuzz --config ci/seam.toml`: the file's paths are relative to the
/// file, paths given as flags to the current directory.
#[test]
fn fuzz_config_paths_are_relative_to_the_file_and_flags_to_here() {
    use seam_testkit::sample_api::{serve, Flaws, SPEC};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let flawed = rt.block_on(serve(Flaws::All));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("ci")).unwrap();
    std::fs::write(dir.path().join("ci/api.yaml"), SPEC).unwrap();
    std::fs::write(
        dir.path().join("ci/seam.toml"),
        format!(
            "[fuzz]\nspec = \"api.yaml\"\nurl = \"http://{flawed}\"\nbearer = \"sample-token\"\n\
             phases = [\"examples\"]\n"
        ),
    )
    .unwrap();
    let here = |args: &[&str]| common::seam_in(Some(dir.path()), &[], args);
    let (code, out, err) = here(&["fuzz", "--config", "ci/seam.toml", "--report", "json"]);
    assert_eq!(code, 1, "{out}{err}");
    // every finding of that run accepted, from a baseline named relative to here
    let report = std::fs::read_to_string(dir.path().join("seam-reports/fuzz.json")).unwrap();
    std::fs::write(dir.path().join("known.json"), report).unwrap();
    let (code, out, err) = here(&[
        "fuzz",
        "--config",
        "ci/seam.toml",
        "--baseline",
        "known.json",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("in the baseline"), "{out}");
}
