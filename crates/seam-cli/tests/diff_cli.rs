//! `seam diff` as users run it: real processes on the specs in
//! `tests/data/diff` (v1 → v2: `GET /pets/{petId}` removed, a new required
//! request property `owner`, a response enum value `sold` added), every
//! format parsed, exit codes, the ignore file, `REV:path` from a git repository
//! made by the test, and `--pacts`.

mod common;

use common::{seam, seam_in};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/diff")
}

/// `seam diff ARGS` run in tests/data/diff, so places read `v1.yaml:36:5`.
fn diff(args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["diff"];
    all.extend_from_slice(args);
    seam_in(Some(&data()), &[], &all)
}

const TEXT: &str = "\
error [api-path-removed-without-deprecation] GET /pets/{petId}
  api path removed without deprecation
  base: v1.yaml:36:5

error [new-required-request-property] POST /pets
  added the new required request property `owner`
  revision: v2.yaml:28:17

warning [response-property-enum-value-added] GET /pets
  added the new `sold` enum value to the `items/status` response property for the response status `200`
  base: v1.yaml:61:9
  revision: v2.yaml:47:9

3 changes: 2 errors, 1 warning, 0 info
";

#[test]
fn text_groups_changes_by_operation_with_places_and_a_summary() {
    let (code, out, err) = diff(&["v1.yaml", "v2.yaml"]);
    assert_eq!((code, err.as_str()), (0, ""), "{out}");
    assert_eq!(out, TEXT);
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(diff(&["v1.yaml", "v2.yaml", "--fail-on", "ERR"]).0, 1);
    assert_eq!(diff(&["v1.yaml", "v2.yaml", "--fail-on", "WARN"]).0, 1);
    // nothing changed: nothing fails
    let (code, out, _) = diff(&["v1.yaml", "v1.yaml", "--fail-on", "WARN"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "0 changes: 0 errors, 0 warnings, 0 info\n")
    );
    // only the WARN change is left once the ERR ones are accepted
    let (code, out, _) = diff(&[
        "v1.yaml",
        "v2.yaml",
        "--ignore",
        "accepted.ignore",
        "--level",
        "WARN",
        "--fail-on",
        "ERR",
    ]);
    assert_eq!(code, 1, "{out}");
    let (code, _, err) = diff(&["v1.yaml", "v2.yaml", "--fail-on", "LOUD"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown level `LOUD`: expected ERR, WARN or INFO"),
        "{err}"
    );
}

#[test]
fn level_hides_lower_changes_and_says_how_many() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "--level", "ERR"]);
    assert_eq!(code, 0);
    assert!(!out.contains("warning ["), "{out}");
    assert!(
        out.ends_with("2 changes: 2 errors, 0 warnings, 0 info, 1 below --level\n"),
        "{out}"
    );
}

#[test]
fn json_has_one_object_per_change_with_oasdiff_ids_and_places() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "-f", "json"]);
    assert_eq!(code, 0);
    let changes: Vec<Value> = serde_json::from_str(&out).expect("JSON");
    let ids: Vec<&str> = changes.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "api-path-removed-without-deprecation",
            "new-required-request-property",
            "response-property-enum-value-added"
        ]
    );
    let owner = &changes[1];
    assert_eq!(owner["level"], "ERR");
    assert_eq!(owner["operation"], "POST /pets");
    assert_eq!(owner["args"], serde_json::json!(["owner"]));
    assert_eq!(
        owner["text"],
        "added the new required request property `owner`"
    );
    assert_eq!(owner["revision"]["place"], "v2.yaml:28:17");
    assert_eq!(
        owner["revision"]["pointer"],
        "#/paths/~1pets/post/requestBody/content/application~1json/schema/properties/owner"
    );
    assert!(owner["base"].is_null());
    assert!(owner.get("consumers").is_none(), "no --pacts, no consumers");
    assert_eq!(changes[0]["base"]["place"], "v1.yaml:36:5");
}

#[test]
fn yaml_is_the_json_report_in_yaml() {
    let (_, json, _) = diff(&["v1.yaml", "v2.yaml", "-f", "json"]);
    let (code, yaml, _) = diff(&["v1.yaml", "v2.yaml", "-f", "yaml"]);
    assert_eq!(code, 0);
    let from_yaml: Value = serde_saphyr::from_str(&yaml).expect("YAML");
    let from_json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(from_yaml, from_json);
    assert_eq!(from_yaml.as_array().map(Vec::len), Some(3));
}

#[test]
fn markdown_is_one_table() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "-f", "markdown"]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| ")).collect();
    assert_eq!(rows.len(), 5, "{out}"); // header, rule, three changes
    assert_eq!(
        rows[3],
        "| ERR | `new-required-request-property` | POST /pets | added the new required request property `owner` | v2.yaml:28:17 |"
    );
}

#[test]
fn html_is_one_escaped_page() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "-f", "html"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("<!doctype html>"), "{out}");
    assert!(!out.contains("<script"), "self-contained, no scripts");
    assert!(!out.contains("src=\"http"), "nothing fetched");
    assert_eq!(out.matches("<tr><td>").count(), 3, "{out}");
    assert!(out.contains("<td>GET /pets/{petId}</td>"), "{out}");
    assert!(
        out.contains("3 changes: 2 errors, 1 warning, 0 info"),
        "{out}"
    );
}

#[test]
fn junit_fails_one_case_per_change_at_the_fail_level() {
    let junit_cases = |args: &[&str]| {
        let (code, out, _) = diff(args);
        assert_eq!(code, if args.contains(&"--fail-on") { 1 } else { 0 });
        let doc = roxmltree::Document::parse(&out).expect("XML");
        doc.descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .map(|case| {
                (
                    case.attribute("name").unwrap().to_string(),
                    case.attribute("classname").unwrap().to_string(),
                    case.children().any(|c| c.has_tag_name("failure")),
                )
            })
            .collect::<Vec<_>>()
    };
    // no --fail-on: the ERR changes fail
    assert_eq!(
        junit_cases(&["v1.yaml", "v2.yaml", "-f", "junit"]),
        [
            (
                "api-path-removed-without-deprecation GET /pets/{petId}".to_string(),
                "v1.yaml:36:5".to_string(),
                true
            ),
            (
                "new-required-request-property POST /pets".to_string(),
                "v2.yaml:28:17".to_string(),
                true
            ),
        ]
    );
    let warn = junit_cases(&["v1.yaml", "v2.yaml", "-f", "junit", "--fail-on", "WARN"]);
    assert_eq!(warn.len(), 3);
    assert!(warn.iter().all(|(_, _, failed)| *failed));
    // nothing at the fail level: one passing case says the check ran
    let (_, out, _) = diff(&["v1.yaml", "v1.yaml", "-f", "junit"]);
    assert!(out.contains("tests=\"1\" failures=\"0\""), "{out}");
}

#[test]
fn githubactions_annotates_each_change_at_its_line() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "-f", "githubactions"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "::error file=v1.yaml,line=36,col=5,title=api-path-removed-without-deprecation::GET /pets/{petId}: api path removed without deprecation\n\
         ::error file=v2.yaml,line=28,col=17,title=new-required-request-property::POST /pets: added the new required request property `owner`\n\
         ::warning file=v2.yaml,line=47,col=9,title=response-property-enum-value-added::GET /pets: added the new `sold` enum value to the `items/status` response property for the response status `200`\n"
    );
}

#[test]
fn sarif_has_rules_and_located_results() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "-f", "sarif"]);
    assert_eq!(code, 0);
    common::assert_sarif(&out);
    let sarif: Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "api-path-removed-without-deprecation",
            "new-required-request-property",
            "response-property-enum-value-added"
        ]
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels, ["error", "error", "warning"]);
    let owner = &results[1]["locations"][0]["physicalLocation"];
    assert_eq!(owner["artifactLocation"]["uri"], "v2.yaml");
    assert_eq!(owner["region"]["startLine"], 28);
    assert_eq!(owner["region"]["startColumn"], 17);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index], result["ruleId"]);
    }
}

#[test]
fn output_writes_the_report_and_prints_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reports/diff.json");
    let (code, out, _) = diff(&[
        "v1.yaml",
        "v2.yaml",
        "-f",
        "json",
        "-o",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(out, TEXT);
    let written: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(written.len(), 3);
}

#[test]
fn the_ignore_file_accepts_changes_and_counts_them() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "--ignore", "accepted.ignore"]);
    assert_eq!(code, 0);
    assert!(!out.contains("response-property-enum-value-added"), "{out}");
    assert!(
        out.ends_with("2 changes: 2 errors, 0 warnings, 0 info, 1 ignored\n"),
        "{out}"
    );
    // oasdiff's own format: method, path and the change's text
    let (_, out, _) = diff(&["v1.yaml", "v2.yaml", "--ignore", "oasdiff.ignore"]);
    assert!(!out.contains("new-required-request-property"), "{out}");
    assert!(
        out.ends_with("2 changes: 1 error, 1 warning, 0 info, 1 ignored\n"),
        "{out}"
    );
}

#[test]
fn an_unknown_rule_id_in_the_ignore_file_is_placed_with_a_suggestion() {
    let (code, out, err) = diff(&["v1.yaml", "v2.yaml", "--ignore", "typo.ignore"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "error: typo.ignore:3:3: unknown rule id \"new-required-request-propety\"; did you mean \"new-required-request-property\"?\n"
    );
}

#[test]
fn a_spec_that_does_not_load_is_exit_2_with_its_place() {
    let (code, out, err) = diff(&["v1.yaml", "broken.yaml"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert_eq!(
        err,
        "error: broken.yaml:14:17: #/paths/~1pets/get/responses/200/content/application~1json/schema/$ref: `#/components/schemas/Missing` names nothing in the document\n"
    );
    let (code, _, err) = diff(&["missing.yaml", "v2.yaml"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: missing.yaml: cannot read"), "{err}");
    // not YAML at all: still a place, never a panic
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.yaml");
    std::fs::write(&garbage, "openapi: [3.0\n  : :\n").unwrap();
    let (code, _, err) = seam(&["diff", garbage.to_str().unwrap(), garbage.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("garbage.yaml:"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn pacts_say_which_consumers_each_breaking_change_hits() {
    let (code, out, _) = diff(&["v1.yaml", "v2.yaml", "--pacts", "pacts"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "\
error [api-path-removed-without-deprecation] GET /pets/{petId}
  api path removed without deprecation
  base: v1.yaml:36:5
  breaking for mobile (1 interaction), safe for web

error [new-required-request-property] POST /pets
  added the new required request property `owner`
  revision: v2.yaml:28:17
  breaking for web (2 interactions), safe for mobile

warning [response-property-enum-value-added] GET /pets
  added the new `sold` enum value to the `items/status` response property for the response status `200`
  base: v1.yaml:61:9
  revision: v2.yaml:47:9
  may affect web (1 interaction), safe for mobile

3 changes: 2 errors, 1 warning, 0 info
"
    );
    let (_, out, _) = diff(&["v1.yaml", "v2.yaml", "--pacts", "pacts", "-f", "json"]);
    let changes: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(
        changes[1]["consumers"],
        serde_json::json!([
            {"consumer": "web", "interactions": 2, "hit": true},
            {"consumer": "mobile", "interactions": 0, "hit": false}
        ])
    );
    let (code, _, err) = diff(&["v1.yaml", "v2.yaml", "--pacts", "no-such-dir"]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-dir"), "{err}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn git_revisions_load_multi_file_specs_as_they_were() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path();
    git(root, &["init", "-q"]);
    copy_dir(&data().join("multi"), &root.join("api"));
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "v1"]);
    let schema = root.join("api/schemas/order.yaml");
    let text = std::fs::read_to_string(&schema).unwrap();
    std::fs::write(
        &schema,
        text.replace("enum: [open, paid]", "enum: [open, paid, refunded]"),
    )
    .unwrap();
    git(root, &["commit", "-q", "-am", "v2"]);

    let env: Vec<(String, String)> = vec![];
    // a revision against the working tree, and two revisions
    for revision in ["api/openapi.yaml", "HEAD:api/openapi.yaml"] {
        let (code, out, err) = seam_in(
            Some(root),
            &env,
            &["diff", "HEAD~1:api/openapi.yaml", revision, "-f", "json"],
        );
        assert_eq!(code, 0, "{err}");
        let changes: Vec<Value> = serde_json::from_str(&out).unwrap();
        assert_eq!(changes.len(), 1, "{out}");
        assert_eq!(changes[0]["id"], "response-property-enum-value-added");
        assert_eq!(
            changes[0]["base"]["place"],
            "HEAD~1:api/schemas/order.yaml:6:3"
        );
        let expected_revision = if revision.starts_with("HEAD:") {
            "HEAD:api/schemas/order.yaml:6:3"
        } else {
            "api/schemas/order.yaml:6:3"
        };
        assert_eq!(changes[0]["revision"]["place"], expected_revision);
    }
    let (code, out, err) = seam_in(
        Some(root),
        &env,
        &["diff", "nope~3:api/openapi.yaml", "api/openapi.yaml"],
    );
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.starts_with("error: `nope~3` is not a git revision here"),
        "{err}"
    );
    let (code, _, err) = seam_in(
        Some(root),
        &env,
        &["diff", "HEAD~1:api/missing.yaml", "api/openapi.yaml"],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: HEAD~1:api/missing.yaml: `api/missing.yaml` is not a file in git revision `HEAD~1`\n"
    );
}

/// `--check-version`: v1 → v2 breaks, so `info.version` 1.4.0 → 1.5.0 is not
/// enough (an ERR that fails the build); 1.4.0 → 2.0.0 is; without the flag
/// the version is not looked at.
#[test]
fn check_version_wants_a_major_bump_for_breaking_changes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let versioned = |file: &str, version: &str| {
        let text: String = std::fs::read_to_string(data().join(file))
            .expect("fixture")
            .lines()
            .map(|line| match line.strip_prefix("  version: ") {
                Some(_) => format!("  version: \"{version}\"\n"),
                None => format!("{line}\n"),
            })
            .collect();
        let path = dir.path().join(format!("{version}.yaml"));
        std::fs::write(&path, text).expect("write spec");
        path.to_string_lossy().into_owned()
    };
    let (v140, v150, v200) = (
        versioned("v1.yaml", "1.4.0"),
        versioned("v2.yaml", "1.5.0"),
        versioned("v2.yaml", "2.0.0"),
    );
    let run = |args: &[&str]| {
        let mut all = vec!["diff", "-f", "json"];
        all.extend_from_slice(args);
        let (code, out, err) = seam(&all);
        let changes: Vec<Value> =
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
        (code, changes)
    };
    let version_findings = |changes: &[Value]| -> Vec<(String, String)> {
        changes
            .iter()
            .filter(|c| c["id"].as_str().unwrap_or_default().contains("version"))
            .map(|c| {
                (
                    c["id"].as_str().unwrap().to_string(),
                    c["level"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let (_, changes) = run(&[&v140, &v150, "--check-version"]);
    assert_eq!(
        version_findings(&changes),
        [(
            "api-major-version-not-bumped".to_string(),
            "ERR".to_string()
        )]
    );
    let (_, changes) = run(&[&v140, &v200, "--check-version"]);
    assert_eq!(version_findings(&changes), []);
    let (_, changes) = run(&[&v140, &v150]);
    assert_eq!(version_findings(&changes), []);
}
