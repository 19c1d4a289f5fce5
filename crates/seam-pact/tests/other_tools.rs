//! Pact files as other tools write them (pact-jvm, pact-js, pact-ruby,
//! pact-reference): what the official tools load, seam loads too, with a
//! warning for what it tolerates and `unusable` on interactions it cannot use.

use seam_core::http::{Body, Request, Response};
use seam_core::interaction::Exchange;
use seam_core::matching::{match_request, match_response};
use seam_pact::{check_examples, read_pact_str, Location, SpecVersion};
use serde_json::{json, Value};

fn pact(version: &str, interactions: Value) -> String {
    json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": interactions,
        "metadata": {"pactSpecification": {"version": version}}})
    .to_string()
}

fn http(i: &seam_core::interaction::Interaction) -> (&Request, &Response) {
    match &i.exchange {
        Exchange::Http { request, response } => (&request.request, &response.response),
        _ => panic!("not HTTP"),
    }
}

/// Java/Ruby/JavaScript regexes the regex crate refuses as written: literal
/// braces, `\Q..\E`, possessive and atomic forms, Java's ASCII POSIX classes.
#[test]
fn java_and_ruby_regexes_load_and_match_as_they_mean() {
    let text = pact(
        "3.0.0",
        json!([{
            "description": "a template link",
            "request": {"method": "GET", "path": "/users/7",
                "matchingRules": {"path": {"matchers": [{"match": "regex", "regex": "/users/[^{}/]+"}]}}},
            "response": {"status": 200, "headers": {"Content-Type": "application/json"},
                "body": {"href": "/users/{id}", "code": "A.1", "tag": "ab", "n": "x!"},
                "matchingRules": {"body": {
                    "$.href": {"matchers": [{"match": "regex", "regex": "/users/\\{id\\}|/users/{id}"}]},
                    "$.code": {"matchers": [{"match": "regex", "regex": "\\QA.\\E\\d++"}]},
                    "$.tag": {"matchers": [{"match": "regex", "regex": "(?>\\p{Alpha}{1,3}+)"}]},
                    "$.n": {"matchers": [{"match": "regex", "regex": "\\p{Lower}\\p{Punct}"}]}
                }}}
        }]),
    );
    let p = read_pact_str("braces.json", &text).unwrap();
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    assert_eq!(p.interactions[0].unusable, None);
    assert!(check_examples("braces.json", &p).is_empty());

    let Exchange::Http { request, response } = &p.interactions[0].exchange else {
        panic!("not HTTP")
    };
    let mut other = request.request.clone();
    other.path = "/users/abc".into();
    assert!(match_request(&request.request, &other, &request.rules).is_empty());

    let mut actual = response.response.clone();
    actual.body =
        Body::Json(json!({"href": "/users/{id}", "code": "A.77", "tag": "xyz", "n": "q~"}));
    assert_eq!(
        match_response(&response.response, &actual, &response.rules),
        vec![]
    );
    // Java's \p{Alpha} and \p{Punct} are ASCII; `.` after \Q is a literal
    actual.body = Body::Json(json!({"href": "/users/7", "code": "AX1", "tag": "été", "n": "a«"}));
    let paths: Vec<String> = match_response(&response.response, &actual, &response.rules)
        .iter()
        .map(|m| m.path.clone())
        .collect();
    assert_eq!(paths, ["$.href", "$.code", "$.tag", "$.n"]);

    // written back as written
    let v3 = p.to_json(SpecVersion::V3).unwrap();
    assert_eq!(
        v3["interactions"][0]["response"]["matchingRules"]["body"]["$.code"]["matchers"][0]
            ["regex"],
        "\\QA.\\E\\d++"
    );
}

/// A regex nothing can translate (look-ahead) makes only its interaction
/// unusable, with a warning naming the rule; the other interaction is fine.
#[test]
fn a_regex_that_cannot_compile_fails_only_its_interaction() {
    let text = pact(
        "3.0.0",
        json!([
            {"description": "fine", "request": {"method": "GET", "path": "/a"},
             "response": {"status": 200, "body": {"id": "x"},
                "matchingRules": {"body": {"$.id": {"matchers": [{"match": "regex", "regex": "[a-z]+"}]}}}}},
            {"description": "look-ahead", "request": {"method": "GET", "path": "/b"},
             "response": {"status": 200, "body": {"id": "ab"},
                "matchingRules": {"body": {"$.id": {"matchers": [{"match": "regex", "regex": "(?=a)\\w+"}]}}}}}
        ]),
    );
    let p = read_pact_str("lookahead.json", &text).unwrap();
    assert_eq!(p.interactions.len(), 2);
    assert_eq!(p.interactions[0].unusable, None);
    let why = "matching rule at $.interactions[1].response.matchingRules.body['$.id']: invalid regex `(?=a)\\w+`: look-around, including look-ahead and look-behind, is not supported";
    assert_eq!(p.interactions[1].unusable.as_deref(), Some(why));
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].file, "lookahead.json");
    assert_eq!(
        p.warnings[0].location,
        Location::JsonPath("$.interactions[1].response.matchingRules.body['$.id']".into())
    );
    assert_eq!(
        p.warnings[0].to_string(),
        "lookahead.json: at $.interactions[1].response.matchingRules.body['$.id']: invalid regex `(?=a)\\w+`: look-around, including look-ahead and look-behind, is not supported; seam cannot use this interaction"
    );
    // the example check skips what cannot run
    assert!(check_examples("lookahead.json", &p).is_empty());
    // and the rule survives a round trip
    let v4 = p.to_json(SpecVersion::V4).unwrap();
    assert_eq!(
        v4["interactions"][1]["response"]["matchingRules"]["body"]["$.id"]["matchers"][0]["regex"],
        "(?=a)\\w+"
    );
    let (_, res) = http(&p.interactions[0]);
    assert_eq!(res.status, 200);

    // in a v2 flat rule key and nested in eachValue, the same
    let v2 = pact(
        "2.0.0",
        json!([{"description": "v2", "request": {"method": "GET", "path": "/c"},
            "response": {"status": 200, "body": {"m": {"k": "v"}},
                "matchingRules": {"$.body.m": {"match": "type"},
                    "$.headers.X": {"regex": "(a)\\1"}}}}]),
    );
    let p = read_pact_str("v2.json", &v2).unwrap();
    assert!(
        p.interactions[0].unusable.as_deref().is_some_and(|u| u
            .starts_with("matching rule at $.interactions[0].response.matchingRules['$.headers.X']: invalid regex `(a)\\1`")),
        "{:?}",
        p.interactions[0].unusable
    );
    let nested = pact(
        "4.0",
        json!([{"type": "Synchronous/HTTP", "description": "each", "request": {"method": "GET", "path": "/d"},
            "response": {"status": 200, "body": {"content": {"m": {"k": "v"}}, "contentType": "application/json"},
                "matchingRules": {"body": {"$.m": {"matchers": [{"match": "eachKey",
                    "rules": [{"match": "regex", "regex": "\\G[a-z]"}]}]}}}}}]),
    );
    let p = read_pact_str("nested.json", &nested).unwrap();
    assert!(
        p.interactions[0].unusable.is_some(),
        "{:?}",
        p.interactions[0]
    );
}

/// `"version": null` (or empty, or missing) is read as v3 with a warning, as
/// the official tools do; a file without metadata is still v2.
#[test]
fn a_null_or_missing_specification_version_reads_as_v3() {
    let body = json!([{"description": "a", "request": {"method": "GET", "path": "/a"},
        "response": {"status": 200}}]);
    for (version, what) in [
        (json!(null), "the specification version is null"),
        (json!(""), "the specification version is empty"),
    ] {
        let text = json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
            "interactions": body, "metadata": {"pactSpecification": {"version": version}}})
        .to_string();
        let p = read_pact_str("null.json", &text).unwrap();
        assert_eq!(p.version, SpecVersion::V3);
        assert_eq!(
            p.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
            [format!("null.json: at $.metadata.pactSpecification.version: {what}: read as 3.0.0, as the official Pact tools do")]
        );
    }
    let text = json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": body, "metadata": {"pact-specification": {}}})
    .to_string();
    let p = read_pact_str("none.json", &text).unwrap();
    assert_eq!(p.version, SpecVersion::V3);
    assert!(p.warnings[0]
        .to_string()
        .contains("$.metadata['pact-specification'].version: no specification version"));

    let text =
        json!({"consumer": {"name": "web"}, "provider": {"name": "orders"}, "interactions": body})
            .to_string();
    let p = read_pact_str("bare.json", &text).unwrap();
    assert_eq!((p.version, p.warnings.len()), (SpecVersion::V2, 0));
}

/// A v2 pact whose `providerStates` is a string (v2 only knows
/// `providerState`): the field is ignored with a warning.
#[test]
fn a_v2_string_provider_states_is_ignored_with_a_warning() {
    let text = pact(
        "2.0.0",
        json!([
            {"description": "a", "providerStates": "an order exists",
             "request": {"method": "GET", "path": "/a"}, "response": {"status": 200}},
            {"description": "b", "providerState": "kept", "providerStates": [{"nom": 1}],
             "request": {"method": "GET", "path": "/b"}, "response": {"status": 200}},
            {"description": "c", "providerStates": [{"name": "v3 style", "params": {"id": 1}}],
             "request": {"method": "GET", "path": "/c"}, "response": {"status": 200}}
        ]),
    );
    let p = read_pact_str("states.json", &text).unwrap();
    assert!(p.interactions[0].provider_states.is_empty());
    assert_eq!(p.interactions[1].provider_states[0].name, "kept");
    assert_eq!(p.interactions[2].provider_states[0].name, "v3 style");
    let warnings: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "states.json: at $.interactions[0].providerStates: expected an array of provider states, found a string: ignored, as the official Pact tools do",
            "states.json: at $.interactions[1].providerStates: expected provider states (objects with a name), found other items: ignored, as the official Pact tools do",
        ]
    );
    // v3 too (the official tools read a null version as v3, and ignore it
    // there as well), but a v3 array must hold v3 states
    let v3 = text
        .replace("\"2.0.0\"", "\"3.0.0\"")
        .replace(r#""providerState":"kept","#, "");
    let e = read_pact_str("states.json", &v3).unwrap_err();
    assert_eq!(
        e.to_string(),
        "states.json: at $.interactions[1].providerStates[0].name: a provider state needs a name"
    );
    let p = read_pact_str("states.json", &v3.replace(r#"[{"nom":1}]"#, "7")).unwrap();
    assert!(p.interactions[0].provider_states.is_empty());
    assert_eq!(p.warnings.len(), 2);
}
