//! `seam compat SPEC PACTS...` as a user runs it: the text report (exact),
//! the JSON, JUnit and SARIF reports, directories of pacts, exit codes 0/1/2,
//! and positioned errors for specs and pacts that do not load.

mod common;

use common::seam;
use std::path::{Path, PathBuf};

fn data(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compat")
        .join(name)
        .display()
        .to_string()
}

/// The output with the data folder's path shown as `DATA`.
fn shown(text: &str) -> String {
    text.replace(&data(""), "DATA/")
}

#[test]
fn a_compatible_pact_exits_0() {
    let (code, out, err) = seam(&[
        "compat",
        &data("orders.yaml"),
        &data("pacts/web-orders.json"),
    ]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(
        shown(&out),
        "web → orders (DATA/pacts/web-orders.json): 1 interaction(s), 0 error(s), 0 warning(s)\n\
         compatible: 1 pact(s), 1 interaction(s) against DATA/orders.yaml: 0 error(s), 0 warning(s)\n"
    );
}

#[test]
fn findings_name_consumer_interaction_pact_and_spec_locations_and_exit_1() {
    let (code, out, _) = seam(&[
        "compat",
        &data("orders.yaml"),
        &data("pacts/app-orders.json"),
    ]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        shown(&out),
        "app → orders (DATA/pacts/app-orders.json): 2 interaction(s), 2 error(s), 0 warning(s)
  interaction \"get order 7\" [GET /orders/{id}]
    error: response.body.incompatible at $.interactions[0].response.body.total
      body.total: expected a number, got the string \"12\"
      spec: DATA/orders.yaml:21:17 #/components/schemas/Order/properties/total/type
  interaction \"cancel order 7\"
    error: request.path-or-method.unknown at $.interactions[1].request.path
      path or method not defined in the spec: DELETE /orders/7
      spec: DATA/orders.yaml:3:1 #/paths
incompatible: 1 pact(s), 2 interaction(s) against DATA/orders.yaml: 2 error(s), 0 warning(s)
"
    );
}

#[test]
fn a_directory_is_every_pact_in_it() {
    let (code, out, _) = seam(&["compat", &data("orders.yaml"), &data("pacts"), "-f", "json"]);
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).expect("one JSON object");
    let consumers: Vec<&str> = report["pacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["consumer"].as_str().unwrap())
        .collect();
    assert_eq!(consumers, ["app", "web"]);
    assert_eq!(
        (report["errors"].as_u64(), report["compatible"].as_bool()),
        (Some(2), Some(false))
    );
    let finding = &report["pacts"][0]["findings"][0];
    assert_eq!(finding["code"], "response.body.incompatible");
    assert_eq!(finding["severity"], "error");
    assert_eq!(
        finding["pact_location"],
        "$.interactions[0].response.body.total"
    );
    assert_eq!(finding["spec_location"]["line"], 21);
}

#[test]
fn junit_and_sarif_reports_are_written_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let junit: PathBuf = dir.path().join("reports/compat.xml");
    let (code, out, _) = seam(&[
        "compat",
        &data("orders.yaml"),
        &data("pacts"),
        "--format",
        "junit",
        "-o",
        &junit.display().to_string(),
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("incompatible: 2 pact(s), 3 interaction(s)"),
        "the text report is printed too: {out}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("<testsuite name=\"app → orders\" tests=\"2\""),
        "{xml}"
    );
    assert_eq!(xml.matches("<failure").count(), 2, "{xml}");

    let (code, out, _) = seam(&[
        "compat",
        &data("orders.yaml"),
        &data("pacts"),
        "-f",
        "sarif",
    ]);
    assert_eq!(code, 1);
    common::assert_sarif(&out);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["ruleId"], "response.body.incompatible");
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["region"]["startLine"],
        21
    );
}

#[test]
fn specs_and_pacts_that_do_not_load_exit_2_with_positions() {
    let (code, out, err) = seam(&[
        "compat",
        &data("broken.yaml"),
        &data("pacts/web-orders.json"),
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(shown(&err).starts_with("error: DATA/broken.yaml:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let (code, _, err) = seam(&[
        "compat",
        &data("unresolved.yaml"),
        &data("pacts/web-orders.json"),
    ]);
    assert_eq!(code, 2);
    assert!(shown(&err).contains("DATA/unresolved.yaml:11:"), "{err}");
    assert!(err.contains("Missing"), "{err}");

    let (code, _, err) = seam(&["compat", &data("orders.yaml"), &data("broken.pact.json")]);
    assert_eq!(code, 2);
    assert!(
        shown(&err).starts_with("error: DATA/broken.pact.json:3:"),
        "{err}"
    );

    let (code, _, err) = seam(&["compat", &data("orders.yaml"), &data("no-such.json")]);
    assert_eq!(code, 2);
    assert!(
        err.contains("no-such.json") && err.contains("no such file"),
        "{err}"
    );
}

/// The SARIF check the report tests use refuses what the schema does not
/// allow: a property the schema lacks, and a wrong type.
#[test]
fn the_sarif_check_can_fail() {
    let good =
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "seam"}}, "results": []}]}"#;
    common::assert_sarif(good);
    for bad in [
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "seam"}}, "results": [], "bogus": 1}]}"#,
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": 7}}}]}"#,
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "seam"}}, "results": [{"message": {"text": "x"}, "level": "fatal"}]}]}"#,
    ] {
        let caught = std::panic::catch_unwind(|| common::assert_sarif(bad));
        assert!(caught.is_err(), "accepted: {bad}");
    }
}
