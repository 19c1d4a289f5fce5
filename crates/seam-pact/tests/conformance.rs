//! Runs every case of the Pact specification's own test suite (read in place from
//! `$SEAM_SHARED/conformance/pact-spec` or `../shared/conformance/pact-spec`) and
//! prints pass counts per version and folder. Every case must pass.

use seam_core::matching::{match_message, match_request, match_response, Mismatch};
use seam_core::path::DocPath;
use seam_pact::{Reader, SpecVersion};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Cases where Seamline deliberately differs from the specification, with the
/// reason; docs/conformance.md lists the same. They run, and must keep failing
/// the way the reason says (so a change in behaviour is noticed).
const DIVERGENCES: &[(&str, &str)] = &[
    (
        "v1/request/query/different param order.json",
        "query parameters are compared parsed in every version (as v1.1+ do), so order across keys does not matter",
    ),
    (
        "v1/request/query/trailing amperand.json",
        "query parameters are compared parsed in every version, so a trailing '&' adds no parameter",
    ),
];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Runs one case: Ok(()) when the engine agrees with the case's `match`.
fn run_case(path: &Path, version: SpecVersion, kind: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Value =
        seam_pact::parse_json(&path.display().to_string(), &text).map_err(|e| e.to_string())?;
    let should_match = case["match"]
        .as_bool()
        .ok_or("case has no boolean `match`")?;
    let file = path.display().to_string();
    let reader = Reader::new(&file, version);
    let at = DocPath::root();
    let mismatches: Vec<Mismatch> = match kind {
        "request" => {
            let e = reader
                .request(&case["expected"], &at.field("expected"))
                .map_err(|e| e.to_string())?;
            let a = reader
                .request(&case["actual"], &at.field("actual"))
                .map_err(|e| e.to_string())?;
            match_request(&e.request, &a.request, &e.rules)
        }
        "response" => {
            let e = reader
                .response(&case["expected"], &at.field("expected"))
                .map_err(|e| e.to_string())?;
            let a = reader
                .response(&case["actual"], &at.field("actual"))
                .map_err(|e| e.to_string())?;
            match_response(&e.response, &a.response, &e.rules)
        }
        "message" => {
            let e = reader
                .message(&case["expected"], &at.field("expected"))
                .map_err(|e| e.to_string())?;
            let a = reader
                .message(&case["actual"], &at.field("actual"))
                .map_err(|e| e.to_string())?;
            match_message(&e.message, &a.message, &e.rules)
        }
        other => return Err(format!("unknown case kind {other}")),
    };
    if mismatches.is_empty() == should_match {
        Ok(())
    } else if should_match {
        Err(format!(
            "expected a match ({}), got: {}",
            case["comment"],
            mismatches
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        ))
    } else {
        Err(format!(
            "expected a mismatch ({}), but everything matched",
            case["comment"]
        ))
    }
}

#[test]
fn pact_specification_cases_all_pass() {
    let Some(root) =
        seam_testkit::conformance_dir("pact-spec", "pact_specification_cases_all_pass")
    else {
        return;
    };
    let mut all = Vec::new();
    files(&root, &mut all);
    assert!(
        all.len() > 700,
        "expected the whole suite, found {} cases",
        all.len()
    );
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for path in &all {
        let rel = path.strip_prefix(&root).unwrap();
        let parts: Vec<_> = rel
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        let version = SpecVersion::parse(&parts[0]).expect("version folder");
        let kind = parts[1].as_str();
        let folder = format!(
            "{}/{}/{}",
            parts[0],
            parts[1],
            parts
                .get(2)
                .filter(|_| parts.len() > 3)
                .cloned()
                .unwrap_or_default()
        );
        let entry = counts.entry(folder).or_default();
        entry.1 += 1;
        let divergence = DIVERGENCES.iter().find(|(p, _)| Path::new(p) == rel);
        match (run_case(path, version, kind), divergence) {
            (Ok(()), None) => entry.0 += 1,
            (Err(e), None) => failures.push(format!("{}: {e}", rel.display())),
            (Err(_), Some((_, why))) => println!("  divergence: {} ({why})", rel.display()),
            (Ok(()), Some(_)) => failures.push(format!(
                "{}: listed as a divergence but now passes: remove it from DIVERGENCES and docs/conformance.md",
                rel.display()
            )),
        }
    }
    let mut per_version: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    println!("Pact specification conformance:");
    for (folder, (pass, total)) in &counts {
        println!("  {folder:<28} {pass:>4}/{total}");
        let v = per_version
            .entry(folder.split('/').next().unwrap().to_string())
            .or_default();
        v.0 += pass;
        v.1 += total;
    }
    for (v, (pass, total)) in &per_version {
        println!("  {v:<6} total {pass:>4}/{total}");
    }
    println!(
        "  {} deliberate divergence(s), see docs/conformance.md",
        DIVERGENCES.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
