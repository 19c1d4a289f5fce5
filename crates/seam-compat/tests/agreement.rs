//! Agreement with swagger-mock-validator (PactFlow's bi-directional engine): on
//! every (spec, pact) pair of `tests/data/agreement/cases.json`, seam reports
//! the same validator codes per interaction, and the same pass/fail, except for
//! the differences listed in [`DIFFERENCES`] (each with its reason, mirrored in
//! docs/conformance.md). seam's own codes (matchers, messages) are not
//! compared: the validator has none.
//!
//! The validator's findings are committed per case (`<name>.expected.json`), so
//! the test compares against them without node. When the validator is
//! installed (`npm ci --prefix crates/seam-compat/tests/smv-client`, or
//! `$SWAGGER_MOCK_VALIDATOR` naming an npm prefix that has it), it is run too
//! and must still give the snapshots (`BLESS=1` rewrites them); when it is
//! not, that part is skipped with one `skipped:` line, and fails under CI=true.

use seam_compat::codes;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (case, interaction, code, who reports it, why they differ): codes one
/// tool reports on an interaction and the other does not.
const DIFFERENCES: &[(&str, usize, &str, Side, &str)] = &[(
    "status_range",
    0,
    "response.status.unknown",
    Side::ValidatorOnly,
    "seam honours OpenAPI status ranges (`2XX`); swagger-mock-validator matches exact codes and `default` only",
)];

/// (case, why): pacts the tools judge differently (seam stricter or smarter).
const VERDICT_DIFFERENCES: &[(&str, &str)] = &[
    (
        "status_range",
        "a 200 under a declared `2XX` response is documented (see DIFFERENCES)",
    ),
    (
        "matchers_v3_shape",
        "a `decimal` matcher on an integer property: no value the provider may send satisfies the consumer \
         (swagger-mock-validator ignores matchers)",
    ),
    (
        "matchers_v3_request",
        "an `eachLike` with `min: 4` on an array the spec caps at `maxItems: 3`: the consumer always sends \
         more items than the provider accepts (swagger-mock-validator ignores matchers)",
    ),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    /// seam reports the code, the validator does not.
    SeamOnly,
    /// The validator reports the code, seam does not.
    ValidatorOnly,
}

/// (interaction, code, severity) as both tools report them.
type Found = BTreeSet<(usize, String, String)>;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/agreement")
}

struct Case {
    name: String,
    spec: PathBuf,
    pact: PathBuf,
}

/// The cases whose files are present (`@shared/` ones need the conformance data).
fn cases() -> Vec<Case> {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("cases.json")).unwrap())
            .unwrap();
    let mut shared: Option<Option<PathBuf>> = None;
    let mut out = Vec::new();
    'cases: for c in manifest.as_array().unwrap() {
        let mut paths = Vec::new();
        for key in ["spec", "pact"] {
            let p = c[key].as_str().unwrap();
            let path = match p.strip_prefix("@shared/") {
                Some(rest) => {
                    let dir = shared.get_or_insert_with(|| {
                        seam_testkit::conformance_dir(
                            "openapi",
                            "seam-compat agreement (real specs)",
                        )
                        .and_then(|d| d.parent().map(Path::to_path_buf))
                    });
                    match dir {
                        Some(d) => d.join(rest),
                        None => continue 'cases,
                    }
                }
                None => data_dir().join(p),
            };
            paths.push(path);
        }
        out.push(Case {
            name: c["name"].as_str().unwrap().to_string(),
            spec: paths[0].clone(),
            pact: paths[1].clone(),
        });
    }
    out
}

fn validator_codes() -> BTreeSet<&'static str> {
    codes::ALL
        .iter()
        .filter(|c| c.from_validator)
        .map(|c| c.name)
        .collect()
}

/// seam's findings with a validator code, and whether it finds the pact compatible.
fn run_seam(case: &Case) -> (Found, bool) {
    let spec = seam_openapi::load::load(&case.spec)
        .unwrap_or_else(|e| panic!("{}: spec does not load: {e:?}", case.name));
    let pact = seam_pact::read_pact_file(&case.pact)
        .unwrap_or_else(|e| panic!("{}: pact does not read: {e}", case.name));
    let checker = seam_compat::Checker::new(&spec).unwrap();
    let report = checker.check_pact(&case.pact.display().to_string(), &pact);
    let ours = validator_codes();
    let found = report
        .findings
        .iter()
        .filter(|f| ours.contains(f.code))
        .map(|f| (f.index, f.code.to_string(), f.severity.as_str().to_string()))
        .collect();
    (found, report.errors() == 0)
}

/// The validator's (interaction, code, type) set and success, from a result line.
fn validator_found(result: &Value) -> (Found, bool) {
    let found = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| {
            Some((
                f["interaction"].as_u64()? as usize,
                f["code"].as_str()?.to_string(),
                f["type"].as_str()?.to_string(),
            ))
        })
        .collect();
    (found, result["success"].as_bool().unwrap_or(false))
}

/// The validator's npm prefix when it is installed.
fn validator_prefix() -> Option<PathBuf> {
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smv-client");
    let prefix = std::env::var_os("SWAGGER_MOCK_VALIDATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| client.clone());
    prefix
        .join("node_modules/@pactflow/swagger-mock-validator/package.json")
        .is_file()
        .then_some(prefix)
}

/// Runs the validator on every case at once (one node process).
fn run_validator(prefix: &Path, cases: &[Case]) -> Vec<Value> {
    let client = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smv-client/run.mjs");
    let mut cmd = Command::new("node");
    cmd.arg(client).env("SWAGGER_MOCK_VALIDATOR", prefix);
    for c in cases {
        cmd.arg(&c.spec).arg(&c.pact);
    }
    let out = cmd.output().expect("node runs");
    assert!(
        out.status.success(),
        "the validator failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A validator result as committed: no absolute paths.
fn snapshot_of(result: &Value) -> Value {
    json!({"success": result["success"], "findings": result["findings"]})
}

#[test]
fn seam_agrees_with_swagger_mock_validator() {
    let cases = cases();
    assert!(
        cases.len() >= 20,
        "too few agreement cases: {}",
        cases.len()
    );
    let bless = std::env::var("BLESS").is_ok_and(|v| v == "1");

    // 1. the committed snapshots are still what the validator says
    match validator_prefix() {
        Some(prefix) => {
            let live = run_validator(&prefix, &cases);
            for (case, result) in cases.iter().zip(&live) {
                assert!(
                    result.get("failure").is_none(),
                    "{}: the validator refused it: {result}",
                    case.name
                );
                let file = data_dir().join(format!("{}.expected.json", case.name));
                let fresh = snapshot_of(result);
                if bless {
                    let text = serde_json::to_string_pretty(&fresh).unwrap() + "\n";
                    std::fs::write(&file, text).unwrap();
                    continue;
                }
                let committed: Value = std::fs::read_to_string(&file)
                    .ok()
                    .and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or_else(|| panic!("{}: no snapshot; run with BLESS=1", case.name));
                assert_eq!(
                    validator_found(&committed),
                    validator_found(&fresh),
                    "{}: the validator's findings changed; rerun with BLESS=1 after checking",
                    case.name
                );
            }
        }
        None => {
            let why = "seam-compat agreement: swagger-mock-validator is not installed \
                (npm ci --prefix crates/seam-compat/tests/smv-client); compared with the committed snapshots only";
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{why} (required when CI=true)");
            }
            let _ = writeln!(std::io::stderr(), "skipped: {why}");
        }
    }

    // 2. seam agrees with the snapshots, except for the documented differences
    let mut identical = 0;
    let mut problems = Vec::new();
    for case in &cases {
        let file = data_dir().join(format!("{}.expected.json", case.name));
        let committed: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let (theirs, their_pass) = validator_found(&committed);
        let (ours, our_pass) = run_seam(case);
        if ours == theirs && our_pass == their_pass {
            identical += 1;
        }
        let documented = |i: usize, code: &str, side: Side| {
            DIFFERENCES
                .iter()
                .any(|d| d.0 == case.name && d.1 == i && d.2 == code && d.3 == side)
        };
        for (i, code, severity) in ours.difference(&theirs) {
            if !documented(*i, code, Side::SeamOnly) {
                problems.push(format!(
                    "{}: interaction {i}: seam reports {code} ({severity}), the validator does not",
                    case.name
                ));
            }
        }
        for (i, code, severity) in theirs.difference(&ours) {
            if !documented(*i, code, Side::ValidatorOnly) {
                problems.push(format!(
                    "{}: interaction {i}: the validator reports {code} ({severity}), seam does not",
                    case.name
                ));
            }
        }
        if our_pass != their_pass && !VERDICT_DIFFERENCES.iter().any(|d| d.0 == case.name) {
            problems.push(format!(
                "{}: seam says {}, the validator {}",
                case.name,
                if our_pass {
                    "compatible"
                } else {
                    "incompatible"
                },
                if their_pass {
                    "compatible"
                } else {
                    "incompatible"
                }
            ));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "agreement: {identical} of {} cases identical; documented: {} code difference(s), {} verdict difference(s)",
        cases.len(),
        DIFFERENCES.len(),
        VERDICT_DIFFERENCES.len()
    );
    assert!(
        problems.is_empty(),
        "undocumented differences:\n{}",
        problems.join("\n")
    );
}
