//! Every real-world spec in the shared conformance data
//! (`conformance/openapi/specs/`, listed in its INDEX.json) loads, with the
//! operation counts the index gives, and a few models are spot-checked: a known
//! operationId, a multi-file ref resolved, webhooks.

use seam_openapi::load::load;
use seam_openapi::model::ParamLocation;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn specs_dir() -> Option<PathBuf> {
    seam_testkit::conformance_dir("openapi", "load_specs").map(|d| d.join("specs"))
}

/// Specs that cannot load offline, and the error they must give instead: none
/// (a remote `$ref`, as in security-scheme-object-examples.yaml, is a warning
/// and what it names is left out).
const REFUSED: &[(&str, &str)] = &[];

/// Specs whose index counts miss operations reached through a path item
/// `$ref` (`paths: {/pets/{id}: {$ref: ...}}`, a webhook that is a ref): the
/// counts the loader finds, (path operations, webhook operations).
const REF_COUNTS: &[(&str, usize, usize)] = &[
    ("oai-3.1-schema-tests/tests/schema/pass/mega.yaml", 1, 1),
    ("redoc-demo/demo/openapi-3-1.yaml", 23, 3),
    (
        "openapi-spec-validator/tests/integration/data/v3.1/petstore.yaml",
        3,
        0,
    ),
    (
        "kin-openapi/openapi3/testdata/recursiveRef/openapi.yml",
        2,
        0,
    ),
];

fn index(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("INDEX.json")).expect("INDEX.json");
    let index: Value = serde_json::from_str(&text).expect("INDEX.json is JSON");
    index["specs"].as_array().expect("specs").clone()
}

#[test]
fn every_spec_loads_with_its_operations() {
    let Some(dir) = specs_dir() else { return };
    let mut failures = vec![];
    let entries = index(&dir);
    assert!(entries.len() >= 60, "{} specs listed", entries.len());
    for entry in &entries {
        let file = entry["file"].as_str().unwrap();
        let path = dir.join(file);
        let result = load(&path);
        if let Some((_, why)) = REFUSED.iter().find(|(f, _)| *f == file) {
            match result {
                Ok(_) => failures.push(format!("{file}: loaded, expected an error `{why}`")),
                Err(e) => {
                    let text = e[0].to_string();
                    if !text.contains(why) || !text.starts_with(&path.display().to_string()) {
                        failures.push(format!("{file}: expected `{why}`, got {text}"));
                    }
                }
            }
            continue;
        }
        match result {
            Err(errors) => failures.push(format!(
                "{file}: {}",
                errors
                    .iter()
                    .take(3)
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
            Ok(spec) => {
                let (paths, hooks) = match REF_COUNTS.iter().find(|(f, ..)| *f == file) {
                    Some((_, p, h)) => (*p, *h),
                    None => (
                        entry["path_operations"].as_u64().unwrap() as usize,
                        entry["webhook_operations"].as_u64().unwrap() as usize,
                    ),
                };
                if spec.operations.len() != paths || spec.webhooks.len() != hooks {
                    failures.push(format!(
                        "{file}: {} operations and {} webhooks, the index says {paths} and {hooks}",
                        spec.operations.len(),
                        spec.webhooks.len()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} specs:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn spot_checks() {
    let Some(dir) = specs_dir() else { return };
    let stripe = load(&dir.join("stripe/spec3.yaml")).unwrap();
    let op = stripe.operation_by_id("GetCustomersCustomer").unwrap();
    assert_eq!(op.label(), "GET /v1/customers/{customer}");
    assert!(op.parameters.iter().any(|p| p.name == "customer"));

    // A multi-file spec: an operation, its parameter and its response in other
    // files, each named relative to the file it is written in.
    let path = dir.join("digitalocean/specification/DigitalOcean-public.v2.yaml");
    let ocean = load(&path).unwrap();
    assert!(ocean.sources.files().count() > 100);
    let op = ocean.operation_by_id("droplets_get").unwrap();
    assert_eq!(op.label(), "GET /v2/droplets/{droplet_id}");
    assert_eq!(op.parameters[0].name, "droplet_id");
    assert_eq!(op.parameters[0].location, ParamLocation::Path);
    assert_eq!(op.responses.len(), 6);
    assert!(op.responses[0].content[0].schema.is_some());
    let place = ocean.locate(&op.parameters[0].pointer);
    assert!(
        place.ends_with("resources/droplets/parameters.yml:1:1")
            || place.contains("resources/droplets/parameters.yml:"),
        "{place}"
    );

    let openai = load(&dir.join("openai/openapi.yaml")).unwrap();
    assert_eq!(openai.webhooks.len(), 16);
    assert!(openai.operation_by_id("createChatCompletion").is_some());
}
