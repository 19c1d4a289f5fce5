//! `seam import openapi SPEC -o SUITE`: the suite it writes passes, as
//! written, against `seam mock --openapi SPEC` (secrets from the environment,
//! `--var baseUrl=`): for the repository's own spec (every parameter kind,
//! API key and bearer auth) and for real specs from the shared conformance data.

mod common;

use common::{mock, seam, seam_in};
use std::path::{Path, PathBuf};

/// Imports `spec` into `dir/suite.yaml`, serves the spec with `seam mock`
/// and runs the suite against it, with every secret the suite names set.
fn import_and_run(dir: &Path, spec: &Path) -> (String, i32, String) {
    let suite = dir.join("suite.yaml");
    let (code, _, stderr) = seam(&[
        "import",
        "openapi",
        spec.to_str().unwrap(),
        "-o",
        suite.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(&suite).unwrap();
    let secrets: Vec<(String, String)> = written
        .lines()
        .filter_map(|l| l.strip_prefix("#   "))
        .filter_map(|l| l.split_once(':'))
        .map(|(name, _)| (name.to_string(), "s3cr3t".to_string()))
        .collect();
    let server = mock(&["--openapi", spec.to_str().unwrap()]);
    let (code, stdout, stderr) = seam_in(
        None,
        &secrets,
        &[
            "test",
            suite.to_str().unwrap(),
            "--var",
            &format!("baseUrl={}", server.url),
        ],
    );
    (written, code, format!("{stdout}{stderr}"))
}

#[test]
fn the_imported_suite_passes_against_a_mock_of_its_spec() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../seam-openapi/tests/data/proxy-pets.yaml")
        .canonicalize()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (suite, code, out) = import_and_run(dir.path(), &spec);
    assert_eq!(code, 0, "{out}\n{suite}");
    assert!(out.contains("5 passed, 0 failed"), "{out}");
    // what the file says: the secrets, the base URL, the assertion, the values
    assert!(
        suite.starts_with("# Proxy pets 1.0.0: imported from"),
        "{suite}"
    );
    assert!(
        suite.contains("#   API_KEY: API key `apiKey` (sent in the header as `X-Api-Key`)"),
        "{suite}"
    );
    assert!(
        suite.contains("secrets:\n- API_KEY\n- BEARER_AUTH_TOKEN"),
        "{suite}"
    );
    assert!(suite.contains("baseUrl: http://localhost:8080"), "{suite}");
    assert!(suite.contains("X-Api-Key: \"{{API_KEY}}\""), "{suite}");
    assert!(
        suite.contains("bearer: \"{{BEARER_AUTH_TOKEN}}\""),
        "{suite}"
    );
    assert!(suite.contains("path: /pets/1"), "the path example: {suite}");
    assert!(
        suite.contains("q: rex"),
        "a required query parameter: {suite}"
    );
    assert!(
        suite.contains("operationId: searchPets"),
        "each answer checked against the spec: {suite}"
    );
    assert!(suite.contains("status: 204"), "{suite}");
    // the secrets are needed: without them the run stops, naming one
    let (code, _, stderr) = seam(&[
        "test",
        dir.path().join("suite.yaml").to_str().unwrap(),
        "--var",
        "baseUrl=http://127.0.0.1:9",
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("secret `API_KEY` is not set"), "{stderr}");
}

#[test]
fn real_specs_import_into_passing_suites() {
    let Some(specs) = seam_testkit::conformance_dir("openapi", "import_openapi_cli") else {
        return;
    };
    let specs = specs.join("specs");
    for (spec, tests) in [
        ("oai-examples/examples/v3.0/petstore.yaml", 3),
        ("oai-examples/examples/v3.0/petstore-expanded.json", 4),
        ("oai-examples/examples/v2.0/yaml/petstore.yaml", 3),
        (
            "openapi-spec-validator/tests/integration/data/v3.1/petstore.yaml",
            3,
        ),
        ("redocly-museum/openapi.yaml", 8),
        // path parameters in every style (simple, label, matrix; exploded or not)
        ("readme-oas-examples/3.0/yaml/parameters-style.yaml", 25),
    ] {
        let path: PathBuf = specs.join(spec);
        let dir = tempfile::tempdir().unwrap();
        let (suite, code, out) = import_and_run(dir.path(), &path);
        assert_eq!(code, 0, "{spec}: {out}\n{suite}");
        assert!(
            out.contains(&format!("{tests} passed, 0 failed")),
            "{spec}: {out}"
        );
    }
}

#[test]
fn a_broken_spec_is_refused_with_its_positions() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(
        &broken,
        "openapi: 3.0.3\ninfo: { title: x, version: '1' }\npaths:\n  /a:\n    get:\n      responses:\n        '200': { $ref: '#/components/responses/Nope' }\n",
    )
    .unwrap();
    let out = dir.path().join("suite.yaml");
    let (code, _, stderr) = seam(&[
        "import",
        "openapi",
        broken.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("broken.yaml:7:"), "{stderr}");
    assert!(!out.exists(), "nothing written");
}
