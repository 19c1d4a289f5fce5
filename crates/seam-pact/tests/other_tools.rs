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
            {"description": "a Java Unicode block", "request": {"method": "GET", "path": "/b"},
             "response": {"status": 200, "body": {"id": "αβ"},
                "matchingRules": {"body": {"$.id": {"matchers": [{"match": "regex", "regex": "\\p{InGreek}+"}]}}}}}
        ]),
    );
    let p = read_pact_str("lookahead.json", &text).unwrap();
    assert_eq!(p.interactions.len(), 2);
    assert_eq!(p.interactions[0].unusable, None);
    let why = "matching rule at $.interactions[1].response.matchingRules.body['$.id']: invalid regex `\\p{InGreek}+`: Unicode property not found";
    assert_eq!(p.interactions[1].unusable.as_deref(), Some(why));
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].file, "lookahead.json");
    assert_eq!(
        p.warnings[0].location,
        Location::JsonPath("$.interactions[1].response.matchingRules.body['$.id']".into())
    );
    assert_eq!(
        p.warnings[0].to_string(),
        "lookahead.json: at $.interactions[1].response.matchingRules.body['$.id']: invalid regex `\\p{InGreek}+`: Unicode property not found; seam cannot use this interaction"
    );
    // the example check skips what cannot run
    assert!(check_examples("lookahead.json", &p).is_empty());
    // and the rule survives a round trip
    let v4 = p.to_json(SpecVersion::V4).unwrap();
    assert_eq!(
        v4["interactions"][1]["response"]["matchingRules"]["body"]["$.id"]["matchers"][0]["regex"],
        "\\p{InGreek}+"
    );
    let (_, res) = http(&p.interactions[0]);
    assert_eq!(res.status, 200);

    // in a v2 flat rule key and nested in eachValue, the same
    let v2 = pact(
        "2.0.0",
        json!([{"description": "v2", "request": {"method": "GET", "path": "/c"},
            "response": {"status": 200, "body": {"m": {"k": "v"}},
                "matchingRules": {"$.body.m": {"match": "type"},
                    "$.headers.X": {"regex": "\\p{InArrows}"}}}}]),
    );
    let p = read_pact_str("v2.json", &v2).unwrap();
    assert!(
        p.interactions[0].unusable.as_deref().is_some_and(|u| u
            .starts_with("matching rule at $.interactions[0].response.matchingRules['$.headers.X']: invalid regex `\\p{InArrows}`")),
        "{:?}",
        p.interactions[0].unusable
    );
    let nested = pact(
        "4.0",
        json!([{"type": "Synchronous/HTTP", "description": "each", "request": {"method": "GET", "path": "/d"},
            "response": {"status": 200, "body": {"content": {"m": {"k": "v"}}, "contentType": "application/json"},
                "matchingRules": {"body": {"$.m": {"matchers": [{"match": "eachKey",
                    "rules": [{"match": "regex", "regex": "\\p{InGreek}"}]}]}}}}}]),
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

fn one_response(version: &str, content_type: &str, body: Value) -> seam_pact::Pact {
    let text = pact(
        version,
        json!([{"description": "x", "request": {"method": "GET", "path": "/x"},
            "response": {"status": 200, "headers": {"Content-Type": content_type}, "body": body}}]),
    );
    read_pact_str("body.json", &text).unwrap()
}

/// A JSON body written as a JSON string is that body's text: parsed, never
/// encoded a second time; text that is not JSON is a JSON string, as the
/// official stub serves it.
#[test]
fn a_json_body_written_as_a_string_is_its_text() {
    for (written, body) in [
        (json!("{\"a\":1}"), json!({"a": 1})),
        (json!("\"hello\""), json!("hello")),
        (json!("[1,2]"), json!([1, 2])),
        (json!("123"), json!(123)),
        (json!("hello"), json!("hello")),
    ] {
        let p = one_response("3.0.0", "application/json; charset=utf-8", written.clone());
        let (_, res) = http(&p.interactions[0]);
        assert_eq!(res.body, Body::Json(body.clone()), "{written}");
        assert_eq!(
            res.body.to_bytes(),
            serde_json::to_vec(&body).unwrap(),
            "{written}"
        );
        // stable through a write and a read
        let again = read_pact_str(
            "again.json",
            &p.to_json(SpecVersion::V3).unwrap().to_string(),
        )
        .unwrap();
        assert_eq!(http(&again.interactions[0]).1.body, res.body, "{written}");
    }
}

/// Binary bodies in v2/v3 pacts are base64 under a binary content type
/// (pact-jvm, pact-js): read as the bytes, written back as base64.
#[test]
fn binary_bodies_in_v3_are_base64_decoded_by_content_type() {
    let png = [
        0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d,
    ];
    for version in ["2.0.0", "3.0.0"] {
        let p = one_response(version, "image/png", json!("iVBORw0KGgoAAAAN"));
        let (_, res) = http(&p.interactions[0]);
        assert_eq!(res.body, Body::Bytes(png.to_vec()), "{version}");
        let v3 = p.to_json(SpecVersion::V3).unwrap();
        assert_eq!(
            v3["interactions"][0]["response"]["body"],
            "iVBORw0KGgoAAAAN"
        );
        let v4 = p.to_json(SpecVersion::V4).unwrap();
        assert_eq!(
            v4["interactions"][0]["response"]["body"],
            json!({"content": "iVBORw0KGgoAAAAN", "contentType": "image/png", "encoded": "base64"})
        );
        let back = read_pact_str("v4.json", &v4.to_string()).unwrap();
        assert_eq!(http(&back.interactions[0]).1.body, res.body);
    }
    // the pact-jvm PDF fixture: digits that are valid base64
    let p = one_response("3.0.0", "application/pdf", json!("0111010001110111"));
    assert_eq!(
        http(&p.interactions[0]).1.body.to_bytes(),
        [0xd3, 0x5d, 0x75, 0xd3, 0x5d, 0x34, 0xd3, 0x5d, 0x75, 0xd3, 0x5d, 0x75]
    );
    // multipart with a binary part, in base64
    let multipart =
        "LS1YeVoNCkNvbnRlbnQtRGlzcG9zaXRpb246IGZvcm0tZGF0YTsgbmFtZT0iZiINCg0KAP8NCi0tWHlaLS0NCg==";
    let p = one_response(
        "3.0.0",
        "multipart/form-data; boundary=XyZ",
        json!(multipart),
    );
    assert_eq!(
        http(&p.interactions[0]).1.body.to_bytes(),
        b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\x00\xff\r\n--XyZ--\r\n"
    );
    // not base64, or a text type: the text itself
    let p = one_response("3.0.0", "application/pdf", json!("hello world!"));
    assert_eq!(
        http(&p.interactions[0]).1.body,
        Body::Text("hello world!".into())
    );
    let p = one_response("3.0.0", "text/csv", json!("YWJj"));
    assert_eq!(http(&p.interactions[0]).1.body, Body::Text("YWJj".into()));
    let text = "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--XyZ--\r\n";
    let p = one_response("3.0.0", "multipart/form-data; boundary=XyZ", json!(text));
    assert_eq!(http(&p.interactions[0]).1.body, Body::Text(text.into()));
    // v4 says itself whether content is encoded: "encoded": false is the text
    let v4 = pact(
        "4.0",
        json!([{"type": "Synchronous/HTTP", "description": "x", "request": {"method": "GET", "path": "/x"},
            "response": {"status": 200, "body": {"content": "AAAA", "contentType": "application/octet-stream", "encoded": false}}}]),
    );
    let p = read_pact_str("v4.json", &v4).unwrap();
    assert_eq!(http(&p.interactions[0]).1.body.to_bytes(), b"AAAA");

    // verification compares the bytes
    let p = one_response("3.0.0", "image/png", json!("iVBORw0KGgoAAAAN"));
    let Exchange::Http { response, .. } = &p.interactions[0].exchange else {
        panic!("not HTTP")
    };
    let mut actual = response.response.clone();
    actual.body = Body::from_bytes(&png, actual.headers.content_type().as_ref());
    assert_eq!(
        match_response(&response.response, &actual, &response.rules),
        vec![]
    );
    actual.body = Body::from_bytes(b"iVBORw0KGgoAAAAN", actual.headers.content_type().as_ref());
    assert_eq!(
        match_response(&response.response, &actual, &response.rules).len(),
        1
    );
}

/// pact-php (the pact FFI) writes `"status": {}` in matchingRules and
/// `"status": 0` beside a status generator; the official tools load both.
#[test]
fn pact_ffi_status_quirks_load() {
    let text = pact(
        "4.0",
        json!([{"type": "Synchronous/HTTP", "description": "x", "request": {"method": "GET", "path": "/x"},
            "response": {"status": 0,
                "matchingRules": {"status": {"matchers": [{"match": "statusCode", "status": "clientError"}]}, "body": {}},
                "generators": {"status": {"type": "RandomInt", "min": 400, "max": 499}}}},
        {"type": "Synchronous/HTTP", "description": "y", "request": {"method": "GET", "path": "/y"},
            "response": {"status": 200, "matchingRules": {"status": {}, "body": {}}}},
        {"type": "Synchronous/HTTP", "description": "z", "request": {"method": "GET", "path": "/z"},
            "response": {"status": 503, "matchingRules": {"status": {"$": {"combine": "AND",
                "matchers": [{"match": "statusCode", "status": "serverError"}]}}}}}]),
    );
    let p = read_pact_str("ffi.json", &text).unwrap();
    assert_eq!(http(&p.interactions[0]).1.status, 400);
    assert_eq!(
        p.warnings.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["ffi.json: at $.interactions[0].response.status: 0 is not a status code: 400 stands for the status the generator gives"]
    );
    assert!(check_examples("ffi.json", &p).is_empty());
    let Exchange::Http { response, .. } = &p.interactions[1].exchange else {
        panic!("not HTTP")
    };
    assert!(response.rules.is_empty());
    // pact FFI 0.4.21 keys the status rules by "$"
    let Exchange::Http { response, .. } = &p.interactions[2].exchange else {
        panic!("not HTTP")
    };
    let mut actual = response.response.clone();
    actual.status = 500;
    assert_eq!(
        match_response(&response.response, &actual, &response.rules),
        vec![]
    );
    actual.status = 404;
    assert_eq!(
        match_response(&response.response, &actual, &response.rules).len(),
        1
    );
    // without a generator, 0 is still an error
    let e = read_pact_str(
        "ffi.json",
        &text.replace(
            r#""generators":{"status":{"type":"RandomInt","min":400,"max":499}}"#,
            r#""generators":{}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "ffi.json: at $.interactions[0].response.status: expected a status code (100-999), found 0"
    );
}

/// Plugin pacts (v4 `pluginConfiguration`, a plugin's transport, CSV
/// `column:N` rules, content only a plugin knows): each such interaction is
/// unusable with the plugin's name, never compared as plain bodies.
#[test]
fn plugin_interactions_are_unusable_with_the_plugin_named() {
    let csv = json!({"type": "Synchronous/HTTP", "description": "csv report",
        "pluginConfiguration": {"csv": {"csvHeaders": false}},
        "interactionMarkup": {"markup": "# Data", "markupType": "COMMON_MARK"},
        "request": {"method": "GET", "path": "/report.csv"},
        "response": {"status": 200,
            "body": {"content": "Name,100\n", "contentType": "text/csv", "encoded": false},
            "matchingRules": {"body": {"column:2": {"combine": "AND", "matchers": [{"match": "number"}]}}}}});
    let matt = json!({"type": "Synchronous/HTTP", "description": "matt",
        "request": {"method": "POST", "path": "/matt",
            "body": {"content": "MATThelloMATT", "contentType": "application/matt", "encoded": false}},
        "response": {"status": 200, "headers": {"content-type": ["application/matt"]},
            "body": {"content": "MATTworldMATT", "contentType": "application/matt", "encoded": false}}});
    let grpc = json!({"type": "Synchronous/Messages", "description": "grpc", "transport": "grpc",
        "request": {"contents": {"content": "EgoN", "contentType": "application/protobuf;message=M", "encoded": "base64"}},
        "response": [{"contents": {"content": "CgQA", "contentType": "application/protobuf;message=R", "encoded": "base64"}}]});
    let plain = json!({"type": "Synchronous/HTTP", "description": "plain", "transport": "http",
        "request": {"method": "GET", "path": "/p"},
        "response": {"status": 200, "body": {"content": {"a": 1}, "contentType": "application/json"}}});
    let text = json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "interactions": [csv, matt, grpc, plain],
        "metadata": {"pactSpecification": {"version": "4.0"},
            "plugins": [{"name": "matt", "version": "0.0.9", "configuration": {}}]}})
    .to_string();
    let p = read_pact_str("plugins.json", &text).unwrap();
    let unusable: Vec<Option<&str>> = p
        .interactions
        .iter()
        .map(|i| i.unusable.as_deref())
        .collect();
    assert_eq!(
        unusable,
        [
            Some("uses the csv plugin, which seam does not support"),
            Some("uses the matt plugin, which seam does not support"),
            Some("uses the matt plugin, which seam does not support"),
            None
        ]
    );
    let warnings: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        warnings,
        [
            "plugins.json: at $.interactions[0].pluginConfiguration: uses the csv plugin, which seam does not support; seam cannot use this interaction",
            "plugins.json: at $.interactions[1].request.body: uses the matt plugin, which seam does not support; seam cannot use this interaction",
            "plugins.json: at $.interactions[2].transport: uses the matt plugin, which seam does not support; seam cannot use this interaction",
        ]
    );
    assert!(check_examples("plugins.json", &p).is_empty());
    // kept for round trips
    let v4 = p.to_json(SpecVersion::V4).unwrap();
    assert_eq!(
        v4["interactions"][0]["pluginConfiguration"],
        json!({"csv": {"csvHeaders": false}})
    );

    // CSV's column rules say "plugin" even without the configuration
    let bare = pact(
        "4.0",
        json!([{"type": "Synchronous/HTTP", "description": "columns", "request": {"method": "GET", "path": "/r"},
            "response": {"status": 200, "body": {"content": "a,1\n", "contentType": "text/csv"},
                "matchingRules": {"body": {"column:1": {"matchers": [{"match": "type"}]}}}}}]),
    );
    let p = read_pact_str("columns.json", &bare).unwrap();
    assert_eq!(
        p.interactions[0].unusable.as_deref(),
        Some("uses a Pact plugin, which seam does not support")
    );
    assert!(
        p.warnings[0]
            .to_string()
            .contains("at $.interactions[0].response.matchingRules.body.column:1:"),
        "{}",
        p.warnings[0]
    );
}

/// pact-jvm #396: `{type, min: 2}` on `$.parent` with nested one-item arrays
/// is a valid pact (the official tools pass it); the bound is the outer
/// array's only.
#[test]
fn an_outer_min_rule_leaves_nested_arrays_alone() {
    let text = pact(
        "2.0.0",
        json!([{"description": "Get data", "request": {"method": "GET", "path": "/data"},
            "response": {"status": 200,
                "body": {"parent": [{"child": ["a"]}, {"child": ["a"]}]},
                "matchingRules": {"$.body.parent": {"match": "type", "min": 2}}}}]),
    );
    let p = read_pact_str("issue396.json", &text).unwrap();
    assert_eq!(check_examples("issue396.json", &p), vec![]);
    let Exchange::Http { response, .. } = &p.interactions[0].exchange else {
        panic!("not HTTP")
    };
    let mut actual = response.response.clone();
    actual.body =
        Body::Json(json!({"parent": [{"child": ["x", "y"]}, {"child": ["z"]}, {"child": []}]}));
    assert_eq!(
        match_response(&response.response, &actual, &response.rules),
        vec![]
    );
}

/// A value a generator replaces is a placeholder: the example check does not
/// hold it to the rules (pact-php writes `null` under an integer rule beside
/// a RandomInt generator).
#[test]
fn the_example_check_skips_generated_values() {
    let text = json!({"consumer": {"name": "web"}, "provider": {"name": "orders"},
        "messages": [{"description": "a number", "contents": {"number": null, "name": null},
            "metaData": {"contentType": "application/json"},
            "matchingRules": {"body": {"$.number": {"matchers": [{"match": "integer"}]},
                "$.name": {"matchers": [{"match": "type"}]}}},
            "generators": {"body": {"$.number": {"type": "RandomInt", "min": 1, "max": 9}}}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}}})
    .to_string();
    let p = read_pact_str("gen.json", &text).unwrap();
    assert_eq!(check_examples("gen.json", &p), vec![]);
    let text = text.replace(r#""$.number":{"type":"RandomInt","min":1,"max":9}"#, "");
    let p = read_pact_str("gen.json", &text).unwrap();
    assert_eq!(check_examples("gen.json", &p).len(), 1);
}

/// pact-jvm writes `"body": null` for "no body": read as an empty body (the
/// official stub sends none and the verifier expects none), not as JSON `null`.
#[test]
fn a_null_body_in_v1_to_v3_is_no_body() {
    let text = pact(
        "2.0.0",
        json!([{"description": "a", "request": {"method": "GET", "path": "/", "body": null},
            "response": {"status": 200, "body": null}}]),
    );
    let p = read_pact_str("null-bodies.json", &text).unwrap();
    let (req, res) = http(&p.interactions[0]);
    assert_eq!(res.body, seam_core::http::Body::Empty);
    assert_eq!(req.body, seam_core::http::Body::Empty);
}
