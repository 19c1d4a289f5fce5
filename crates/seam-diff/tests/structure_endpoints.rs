//! Focused checks of the endpoint, security, component, tag and versioning
//! rules (the oasdiff corpus covers only some of them): each spec pair is
//! written to temp files, loaded and diffed as `seam diff` would.

use chrono::NaiveDate;
use seam_diff::{diff, Change, Level, Options, Stability};
use std::io::Write;

fn load(text: &str) -> seam_openapi::Spec {
    let mut file = tempfile::NamedTempFile::with_suffix(".yaml").expect("temp file");
    file.write_all(text.as_bytes()).expect("write spec");
    seam_openapi::load::load(file.path()).unwrap_or_else(|e| panic!("spec does not load: {e:?}"))
}

/// A fixed "today", so sunset dates are judged the same every day.
fn options() -> Options {
    Options {
        today: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap(),
        ..Options::default()
    }
}

fn changes_with(base: &str, revision: &str, options: &Options) -> Vec<Change> {
    diff(&load(base), &load(revision), options)
}

fn changes(base: &str, revision: &str) -> Vec<Change> {
    changes_with(base, revision, &options())
}

fn ids(changes: &[Change]) -> Vec<&str> {
    changes.iter().map(|c| c.id.as_str()).collect()
}

fn only<'c>(changes: &'c [Change], id: &str) -> &'c Change {
    let found: Vec<&Change> = changes.iter().filter(|c| c.id == id).collect();
    assert_eq!(found.len(), 1, "one {id} expected in {:?}", ids(changes));
    found[0]
}

/// A 3.0 document: `paths` as given (indented under `paths:`), plus `extra`
/// top-level YAML.
fn doc(version: &str, paths: &str, extra: &str) -> String {
    format!("openapi: 3.0.3\ninfo: {{title: t, version: \"{version}\"}}\npaths:\n{paths}{extra}")
}

const OK: &str = "      responses:\n        \"200\": {description: ok}\n";

fn get(path: &str, extra: &str) -> String {
    format!("  {path}:\n    get:\n{extra}{OK}")
}

#[test]
fn a_method_removed_from_a_path_that_remains_is_api_removed() {
    let base = doc(
        "1.0.0",
        &format!("  /pets:\n    get:\n{OK}    post:\n{OK}"),
        "",
    );
    let revision = doc("1.0.0", &get("/pets", ""), "");
    let found = changes(&base, &revision);
    let change = only(&found, "api-removed-without-deprecation");
    assert_eq!(change.level, Level::Err);
    assert_eq!(change.operation.as_deref(), Some("POST /pets"));
    assert_eq!(change.text, "api removed without deprecation");
    let place = change.base.as_ref().and_then(|s| s.place.clone()).unwrap();
    assert!(place.ends_with(":8:5"), "base place {place}");
    assert!(change.revision.is_none());
}

#[test]
fn removal_after_the_sunset_is_info_and_before_it_is_breaking() {
    let base = doc(
        "1.0.0",
        &format!(
            "{}{}",
            get(
                "/old",
                "      deprecated: true\n      x-sunset: \"2025-12-31\"\n"
            ),
            get(
                "/soon",
                "      deprecated: true\n      x-sunset: \"2026-02-01\"\n"
            ),
        ),
        "",
    );
    let revision = doc("1.0.0", &get("/other", ""), "");
    let found = changes(&base, &revision);
    let with = only(&found, "api-path-removed-with-deprecation");
    assert_eq!(with.operation.as_deref(), Some("GET /old"));
    assert_eq!(with.level, Level::Info);
    let before = only(&found, "api-path-removed-before-sunset");
    assert_eq!(before.operation.as_deref(), Some("GET /soon"));
    assert_eq!(
        before.text,
        "api path removed before the sunset date `2026-02-01`"
    );
}

#[test]
fn a_removed_path_with_an_unreadable_sunset_says_so() {
    let base = doc(
        "1.0.0",
        &get(
            "/old",
            "      deprecated: true\n      x-sunset: \"next year\"\n",
        ),
        "",
    );
    let revision = doc("1.0.0", &get("/other", ""), "");
    let found = changes(&base, &revision);
    let change = only(&found, "api-path-sunset-parse");
    assert_eq!(
        change.args,
        vec!["sunset date doesn't conform with RFC3339: next year"]
    );
}

#[test]
fn a_sunset_inside_the_deprecation_window_is_too_small() {
    let base = doc("1.0.0", &get("/pets", ""), "");
    let revision = doc(
        "1.0.0",
        &get(
            "/pets",
            "      deprecated: true\n      x-sunset: \"2026-02-01\"\n      x-stability-level: beta\n",
        ),
        "",
    );
    let strict = Options {
        deprecation_days_beta: 30,
        ..options()
    };
    let found = changes_with(&base, &revision, &strict);
    let change = only(&found, "api-sunset-date-too-small");
    assert_eq!(change.args, vec!["2026-02-01", "30"]);
    assert_eq!(change.level, Level::Err);

    // within the window's default (0 days) it is a plain deprecation, with its details
    let found = changes(&base, &revision);
    let change = only(&found, "endpoint-deprecated-with-sunset");
    assert_eq!(
        change.text,
        "endpoint deprecated with sunset date `2026-02-01` (stability: beta)"
    );
}

#[test]
fn an_earlier_sunset_must_still_leave_the_window() {
    let with_sunset = |date: &str| {
        get(
            "/pets",
            &format!("      deprecated: true\n      x-sunset: \"{date}\"\n"),
        )
    };
    let strict = Options {
        deprecation_days_stable: 60,
        ..options()
    };
    let found = changes_with(
        &doc("1.0.0", &with_sunset("2026-12-01"), ""),
        &doc("1.0.0", &with_sunset("2026-02-01"), ""),
        &strict,
    );
    let change = only(&found, "api-sunset-date-changed-too-small");
    assert_eq!(
        change.args,
        vec!["2026-12-01", "2026-02-01", "2026-12-01", "60"]
    );
    // later is always fine, and so is earlier but still outside the window
    for (from, to) in [("2026-02-01", "2026-12-01"), ("2026-12-01", "2026-06-01")] {
        let found = changes_with(
            &doc("1.0.0", &with_sunset(from), ""),
            &doc("1.0.0", &with_sunset(to), ""),
            &strict,
        );
        assert!(found.is_empty(), "{from} -> {to}: {:?}", ids(&found));
    }
}

#[test]
fn stability_changes_compare_unset_as_stable() {
    let found = changes(
        &doc("1.0.0", &get("/pets", ""), ""),
        &doc(
            "1.0.0",
            &get("/pets", "      x-stability-level: beta\n"),
            "",
        ),
    );
    let change = only(&found, "api-stability-decreased");
    assert_eq!(change.args, vec!["stable", "beta"]);
    let found = changes(
        &doc(
            "1.0.0",
            &get("/pets", "      x-stability-level: beta\n"),
            "",
        ),
        &doc("1.0.0", &get("/pets", ""), ""),
    );
    assert_eq!(
        only(&found, "api-stability-increased").args,
        vec!["beta", "stable"]
    );
}

#[test]
fn operations_below_the_stability_threshold_are_not_checked() {
    let base = doc(
        "1.0.0",
        &format!("  /pets:\n    get:\n      x-stability-level: alpha\n      tags: [a]\n      operationId: list\n{OK}"),
        "",
    );
    let revision = doc(
        "1.0.0",
        &format!("  /pets:\n    get:\n      x-stability-level: alpha\n      tags: [b]\n      operationId: listPets\n      deprecated: true\n{OK}"),
        "",
    );
    assert!(changes(&base, &revision).is_empty());
    let everything = Options {
        stability_level: Stability::Draft,
        ..options()
    };
    let found = changes_with(&base, &revision, &everything);
    let mut found_ids = ids(&found);
    found_ids.sort_unstable();
    assert_eq!(
        found_ids,
        vec![
            "api-operation-id-removed",
            "api-tag-added",
            "api-tag-removed",
            "endpoint-deprecated"
        ]
    );
    assert_eq!(
        only(&found, "api-operation-id-removed").args,
        vec!["list", "listPets"]
    );
    assert_eq!(
        only(&found, "endpoint-deprecated").text,
        "endpoint deprecated (stability: alpha)"
    );
}

#[test]
fn an_invalid_stability_level_of_a_removed_operation_is_reported_instead() {
    let base = doc("1.0.0", &get("/pets", "      x-stability-level: ga\n"), "");
    let revision = doc("1.0.0", &get("/other", ""), "");
    let found = changes(&base, &revision);
    assert_eq!(
        ids(&found),
        vec!["api-invalid-stability-level", "endpoint-added"]
    );
    assert_eq!(
        found[0].text,
        "failed to parse stability level: `value is not one of draft, alpha, beta or stable: \"ga\"`"
    );
}

#[test]
fn operation_ids_added_and_tags() {
    let found = changes(
        &doc("1.0.0", &get("/pets", "      tags: [pets]\n"), ""),
        &doc(
            "1.0.0",
            &get(
                "/pets",
                "      operationId: listPets\n      tags: [pets, store]\n",
            ),
            "",
        ),
    );
    assert_eq!(
        only(&found, "api-operation-id-added").args,
        vec!["listPets"]
    );
    assert_eq!(only(&found, "api-tag-added").text, "api tag `store` added");
    assert!(!ids(&found).contains(&"api-tag-removed"));
}

#[test]
fn a_renamed_path_parameter_keeps_the_base_spelling() {
    let found = changes(
        &doc("1.0.0", &get("/pets/{petId}", ""), ""),
        &doc(
            "1.0.0",
            &format!("  /pets/{{id}}:\n    get:\n      operationId: getPet\n{OK}    delete:\n{OK}"),
            "",
        ),
    );
    assert_eq!(
        only(&found, "endpoint-added").operation.as_deref(),
        Some("DELETE /pets/{petId}")
    );
    assert_eq!(
        only(&found, "api-operation-id-added").operation.as_deref(),
        Some("GET /pets/{petId}")
    );
}

const SCHEMES: &str = r#"components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://auth.example.com/authorize
          tokenUrl: https://auth.example.com/token
          scopes:
            read: read things
            write: write things
    key: {type: apiKey, in: header, name: X-Key}
"#;

#[test]
fn global_security_requirements_and_scopes() {
    let paths = get("/pets", "");
    let base = doc(
        "1.0.0",
        &paths,
        &format!("security:\n  - oauth: [read]\n  - key: []\n{SCHEMES}"),
    );
    let revision = doc(
        "1.0.0",
        &paths,
        &format!("security:\n  - oauth: [read, write]\n  - key: []\n    oauth: []\n{SCHEMES}"),
    );
    let found = changes(&base, &revision);
    let mut found_ids = ids(&found);
    found_ids.sort_unstable();
    assert_eq!(
        found_ids,
        vec![
            "api-global-security-added",
            "api-global-security-removed",
            "api-global-security-scope-added"
        ]
    );
    assert_eq!(
        only(&found, "api-global-security-added").args,
        vec!["key: [] AND oauth: []"]
    );
    assert_eq!(
        only(&found, "api-global-security-removed").args,
        vec!["key: []"]
    );
    assert_eq!(
        only(&found, "api-global-security-scope-added").text,
        "the security scope `write` was added to the global security scheme `oauth`"
    );
    // an operation inheriting the global security reports nothing of its own
    assert!(found.iter().all(|c| c.operation.is_none()));
}

#[test]
fn security_schemes_added_removed_and_changed() {
    let paths = get("/pets", "");
    let changed = SCHEMES
        .replace("auth.example.com/authorize", "login.example.com/authorize")
        .replace("auth.example.com/token", "login.example.com/token")
        .replace("read: read things", "read: read pets")
        .replace(
            "            write: write things\n",
            "            admin: everything\n",
        )
        .replace(
            "    key: {type: apiKey, in: header, name: X-Key}\n",
            "    basic: {type: http, scheme: basic}\n",
        );
    let found = changes(
        &doc("1.0.0", &paths, SCHEMES),
        &doc("1.0.0", &paths, &changed),
    );
    let args = |id: &str| only(&found, id).args.clone();
    assert_eq!(args("api-security-component-removed"), vec!["key"]);
    assert_eq!(args("api-security-component-added"), vec!["basic"]);
    assert_eq!(
        args("api-security-component-oauth-url-changed"),
        vec![
            "oauth",
            "https://auth.example.com/authorize",
            "https://login.example.com/authorize"
        ]
    );
    assert_eq!(
        args("api-security-component-oauth-token-url-changed"),
        vec![
            "oauth",
            "https://auth.example.com/token",
            "https://login.example.com/token"
        ]
    );
    assert_eq!(
        args("api-security-component-oauth-scope-added"),
        vec!["oauth", "admin"]
    );
    assert_eq!(
        args("api-security-component-oauth-scope-removed"),
        vec!["oauth", "write"]
    );
    assert_eq!(
        args("api-security-component-oauth-scope-changed"),
        vec!["oauth", "read", "read things", "read pets"]
    );
    assert_eq!(found.len(), 7, "{:?}", ids(&found));

    let retyped = SCHEMES.replace(
        "key: {type: apiKey, in: header, name: X-Key}",
        "key: {type: http, scheme: bearer}",
    );
    let found = changes(
        &doc("1.0.0", &paths, SCHEMES),
        &doc("1.0.0", &paths, &retyped),
    );
    assert_eq!(
        only(&found, "api-security-component-type-changed").args,
        vec!["key", "apiKey", "http"]
    );
}

#[test]
fn webhooks_and_component_schemas() {
    let webhook = |name: &str| format!("  {name}:\n    post:\n{OK}");
    let spec = |hooks: &str, schemas: &str| {
        format!(
            "openapi: 3.1.0\ninfo: {{title: t, version: \"1.0.0\"}}\npaths: {{}}\nwebhooks:\n{hooks}components:\n  schemas:\n{schemas}"
        )
    };
    let found = changes(
        &spec(
            &webhook("newPet"),
            "    Pet: {type: object}\n    Toy: {type: object}\n",
        ),
        &spec(&webhook("petSold"), "    Pet: {type: object}\n"),
    );
    assert_eq!(only(&found, "webhook-removed").args, vec!["newPet"]);
    assert_eq!(only(&found, "webhook-removed").level, Level::Err);
    assert_eq!(only(&found, "webhook-added").args, vec!["petSold"]);
    assert_eq!(
        only(&found, "api-schema-removed").text,
        "removed the schema `Toy`"
    );
}

#[test]
fn the_version_policy_is_opt_in_and_needs_a_breaking_change() {
    let breaking = |from: &str, to: &str, policy: bool| {
        let options = Options {
            version_policy: policy,
            ..options()
        };
        let base = doc(
            from,
            &format!("  /pets:\n    get:\n{OK}    post:\n{OK}"),
            "",
        );
        changes_with(&base, &doc(to, &get("/pets", ""), ""), &options)
    };
    let policy = |found: &[Change]| -> Vec<(String, Vec<String>)> {
        found
            .iter()
            .filter(|c| c.id.starts_with("api-version") || c.id.starts_with("api-major"))
            .map(|c| (c.id.clone(), c.args.clone()))
            .collect()
    };
    assert!(policy(&breaking("1.0.0", "1.0.0", false)).is_empty());
    assert_eq!(
        policy(&breaking("1.0.0", "1.0.0", true)),
        vec![("api-version-not-bumped".into(), vec!["1.0.0".into()])]
    );
    assert_eq!(
        policy(&breaking("1.2.0", "1.1.0", true)),
        vec![(
            "api-version-decreased".into(),
            vec!["1.2.0".into(), "1.1.0".into()]
        )]
    );
    assert_eq!(
        policy(&breaking("v1.0.0", "v1.1.0", true)),
        vec![(
            "api-major-version-not-bumped".into(),
            vec!["v1.0.0".into(), "v1.1.0".into()]
        )]
    );
    assert!(policy(&breaking("1.9.3", "2.0.0", true)).is_empty());
    assert!(policy(&breaking("0.1.0", "0.2.0", true)).is_empty());
    assert!(policy(&breaking("2024-01-01", "2024-01-01", true)).is_empty());
    // no breaking change, nothing to say about the version
    let options = Options {
        version_policy: true,
        ..options()
    };
    let same = doc("1.0.0", &get("/pets", ""), "");
    let added = doc(
        "1.0.0",
        &format!("  /pets:\n    get:\n{OK}    post:\n{OK}"),
        "",
    );
    assert_eq!(
        ids(&changes_with(&same, &added, &options)),
        vec!["endpoint-added"]
    );
}

#[test]
fn sunset_dates_of_an_operation_that_stays_deprecated() {
    let deprecated = |sunset: &str| {
        let sunset = if sunset.is_empty() {
            String::new()
        } else {
            format!("      x-sunset: \"{sunset}\"\n")
        };
        doc(
            "1.0.0",
            &get("/pets", &format!("      deprecated: true\n{sunset}")),
            "",
        )
    };
    // unreadable on either side: said once, whichever side it is on
    for (from, to, bad) in [
        ("2026-06-01", "soon", "soon"),
        ("soon", "2026-06-01", "soon"),
    ] {
        let found = changes(&deprecated(from), &deprecated(to));
        assert_eq!(
            only(&found, "api-path-sunset-parse").args,
            vec![format!("sunset date doesn't conform with RFC3339: {bad}")]
        );
        assert_eq!(found.len(), 1);
    }
    let found = changes(&deprecated("2026-06-01"), &deprecated(""));
    let change = only(&found, "sunset-deleted");
    assert_eq!(change.level, Level::Err);
    assert!(change
        .base
        .as_ref()
        .is_some_and(|b| b.pointer == "#/paths/~1pets/get/x-sunset"));
}

#[test]
fn deprecation_without_a_sunset_needs_one_when_there_is_a_window() {
    let base = doc(
        "1.0.0",
        &get("/pets", "      x-stability-level: beta\n"),
        "",
    );
    let revision = doc(
        "1.0.0",
        &get(
            "/pets",
            "      x-stability-level: beta\n      deprecated: true\n",
        ),
        "",
    );
    let beta_window = Options {
        deprecation_days_beta: 30,
        ..options()
    };
    assert_eq!(
        ids(&changes_with(&base, &revision, &beta_window)),
        vec!["api-deprecated-sunset-missing"]
    );
    // the stable window does not apply to a beta operation
    let stable_window = Options {
        deprecation_days_stable: 30,
        ..options()
    };
    assert_eq!(
        ids(&changes_with(&base, &revision, &stable_window)),
        vec!["endpoint-deprecated"]
    );
    let found = changes(&revision, &base);
    assert_eq!(
        only(&found, "endpoint-reactivated").text,
        "endpoint reactivated (stability: beta)"
    );
}

#[test]
fn an_unreadable_sunset_on_a_newly_deprecated_operation() {
    let found = changes(
        &doc("1.0.0", &get("/pets", ""), ""),
        &doc(
            "1.0.0",
            &get(
                "/pets",
                "      deprecated: true\n      x-sunset: 31/12/2026\n",
            ),
            "",
        ),
    );
    assert_eq!(
        only(&found, "api-deprecated-sunset-parse").text,
        "failed to parse sunset date: `sunset date doesn't conform with RFC3339: 31/12/2026`"
    );
}

#[test]
fn an_operations_own_security_is_compared_not_the_inherited_one() {
    let extra = format!("security:\n  - key: []\n{SCHEMES}");
    let found = changes(
        &doc("1.0.0", &get("/pets", ""), &extra),
        &doc(
            "1.0.0",
            &get("/pets", "      security:\n        - oauth: [write, read]\n"),
            &extra,
        ),
    );
    let change = only(&found, "api-security-added");
    assert_eq!(change.operation.as_deref(), Some("GET /pets"));
    assert_eq!(
        change.text,
        "the endpoint scheme security `oauth: [read, write]` was added to the API"
    );
    assert_eq!(found.len(), 1, "{:?}", ids(&found));
    // `- {}` (no credentials) is not a scheme to name
    let found = changes(
        &doc(
            "1.0.0",
            &get("/pets", "      security:\n        - oauth: [read]\n"),
            &extra,
        ),
        &doc(
            "1.0.0",
            &get(
                "/pets",
                "      security:\n        - oauth: [read]\n        - {}\n",
            ),
            &extra,
        ),
    );
    assert!(found.is_empty(), "{:?}", ids(&found));
}
