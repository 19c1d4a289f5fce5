//! Reading every version, writing v3 and v4, round trips, merging, and errors
//! that name the file and JSON path.

use seam_core::generators::Generator;
use seam_core::interaction::Exchange;
use seam_core::path::DocPath;
use seam_core::rules::{Category, MatchingRule};
use seam_pact::{read_pact_str, Location, MergeError, Pact, SpecVersion};
use serde_json::json;

const V2: &str = r#"{
  "consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{
    "description": "an order", "providerState": "order 1 exists",
    "request": {"method": "get", "path": "/orders/1", "query": "expand=items&expand=customer",
                "headers": {"Accept": "application/json"}},
    "response": {"status": 200, "headers": {"Content-Type": "application/json"},
      "body": {"id": 1, "items": [{"sku": "A-1", "qty": 2}]},
      "matchingRules": {"$.body.id": {"match": "integer"}, "$.body.items": {"min": 1, "match": "type"},
                        "$.body.items[*].sku": {"regex": "[A-Z]-\\d+"}, "$.headers.Content-Type": {"regex": "application/json.*"}}}
  }],
  "metadata": {"pactSpecification": {"version": "2.0.0"}}
}"#;

const V3: &str = r#"{
  "consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [{
    "description": "create an order",
    "providerStates": [{"name": "customer exists", "params": {"customerId": 7}}],
    "request": {"method": "POST", "path": "/orders", "query": {"dry": ["false"]},
      "headers": {"Content-Type": "application/json"},
      "body": {"customer": 7, "when": "2024-01-02"},
      "matchingRules": {"body": {"$.when": {"matchers": [{"match": "date", "format": "yyyy-MM-dd"}]}},
                        "query": {"dry": {"matchers": [{"match": "regex", "regex": "true|false"}]}}},
      "generators": {"body": {"$.customer": {"type": "ProviderState", "expression": "${customerId}"}}}},
    "response": {"status": 201, "headers": {"Location": "/orders/1"},
      "body": {"id": "3b1f0e4e-52a5-4bb4-9d59-5b3c1c1c3c3c"},
      "matchingRules": {"body": {"$.id": {"matchers": [{"match": "regex", "regex": "[0-9a-f-]{36}"}], "combine": "AND"}},
                        "status": {"matchers": [{"match": "statusCode", "status": "success"}]}},
      "generators": {"body": {"$.id": {"type": "Uuid"}}}}
  }],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}"#;

const V3_MESSAGES: &str = r#"{
  "consumer": {"name": "billing"}, "provider": {"name": "orders"},
  "messages": [{"description": "order created", "providerStates": [{"name": "an order"}],
    "contents": {"orderId": 1, "total": 9.5}, "metaData": {"contentType": "application/json", "topic": "orders"},
    "matchingRules": {"body": {"$.total": {"matchers": [{"match": "decimal"}]}}}}],
  "metadata": {"pactSpecification": {"version": "3.0.0"}}
}"#;

const V4: &str = r#"{
  "consumer": {"name": "web"}, "provider": {"name": "orders"},
  "interactions": [
    {"type": "Synchronous/HTTP", "key": "k1", "pending": true, "description": "list orders",
     "comments": {"text": ["kept as is"]},
     "request": {"method": "GET", "path": "/orders", "headers": {"Accept": ["application/json"]}},
     "response": {"status": 200, "headers": {"Content-Type": ["application/json"]},
       "body": {"content": [{"id": 1}], "contentType": "application/json", "encoded": false},
       "matchingRules": {"body": {"$": {"matchers": [{"match": "type", "min": 1}]},
         "$[*].id": {"matchers": [{"match": "integer"}, {"match": "null"}], "combine": "OR"}}}}},
    {"type": "Asynchronous/Messages", "description": "order shipped",
     "contents": {"content": {"id": 1}, "contentType": "application/json", "encoded": false},
     "metadata": {"topic": "shipping"}},
    {"type": "Synchronous/Messages", "description": "price quote",
     "request": {"contents": {"content": "cXVvdGU=", "contentType": "application/octet-stream", "encoded": "base64"}},
     "response": [{"contents": {"content": {"price": 3}, "contentType": "application/json", "encoded": false}}]}
  ],
  "metadata": {"pactSpecification": {"version": "4.0"}}
}"#;

#[test]
fn reads_v2_rules_into_categories() {
    let p = read_pact_str("v2.json", V2).unwrap();
    assert_eq!(p.version, SpecVersion::V2);
    let i = &p.interactions[0];
    assert_eq!(i.provider_states[0].name, "order 1 exists");
    let Exchange::Http { request, response } = &i.exchange else {
        panic!("http")
    };
    assert_eq!(request.request.method, "GET");
    assert_eq!(
        request.request.query.get_all("expand").unwrap(),
        ["items", "customer"]
    );
    let body = response.rules.category(Category::Body).unwrap();
    let at = DocPath::root().field("items").index(3).field("sku");
    assert!(matches!(
        body.best_for(&at).unwrap().rules[0],
        MatchingRule::Regex(_)
    ));
    assert!(response.rules.category(Category::Header).is_some());
}

#[test]
fn v3_round_trip_keeps_rules_generators_and_params() {
    let p = read_pact_str("v3.json", V3).unwrap();
    for version in [SpecVersion::V3, SpecVersion::V4] {
        let text = serde_json::to_string(&p.to_json(version).unwrap()).unwrap();
        let back = read_pact_str("written.json", &text).unwrap();
        assert_eq!(back.version, version);
        assert_eq!(
            back.interactions, p.interactions,
            "round trip through {version}"
        );
    }
    let Exchange::Http { request, response } = &p.interactions[0].exchange else {
        panic!()
    };
    assert_eq!(
        p.interactions[0].provider_states[0].params["customerId"],
        json!(7)
    );
    assert!(matches!(
        request.generators.category(Category::Body)[0].1,
        Generator::ProviderState { .. }
    ));
    assert!(response.rules.category(Category::Status).is_some());
}

#[test]
fn v3_messages_and_v4_all_kinds_round_trip() {
    let m = read_pact_str("m.json", V3_MESSAGES).unwrap();
    assert!(matches!(
        m.interactions[0].exchange,
        Exchange::AsyncMessage(_)
    ));
    let text = serde_json::to_string(&m.to_json(SpecVersion::V3).unwrap()).unwrap();
    assert_eq!(
        read_pact_str("m3.json", &text).unwrap().interactions,
        m.interactions
    );

    let p = read_pact_str("v4.json", V4).unwrap();
    assert_eq!(p.interactions.len(), 3);
    assert!(p.interactions[0].pending);
    assert_eq!(p.interactions[0].key.as_deref(), Some("k1"));
    assert_eq!(
        p.interactions[0].extra["comments"],
        json!({"text": ["kept as is"]})
    );
    let Exchange::SyncMessage { request, responses } = &p.interactions[2].exchange else {
        panic!()
    };
    assert_eq!(
        request.message.contents,
        seam_core::http::Body::Bytes(b"quote".to_vec())
    );
    assert_eq!(responses.len(), 1);
    let text = serde_json::to_string(&p.to_json(SpecVersion::V4).unwrap()).unwrap();
    assert_eq!(
        read_pact_str("v4b.json", &text).unwrap().interactions,
        p.interactions
    );
    // a synchronous message has no v3 form
    assert!(matches!(
        p.to_json(SpecVersion::V3),
        Err(MergeError::NotInV3(_))
    ));
}

#[test]
fn merge_replaces_same_identity_and_reports_conflicts() {
    let mut p = read_pact_str("v3.json", V3).unwrap();
    let mut changed = p.clone();
    let Exchange::Http { response, .. } = &mut changed.interactions[0].exchange else {
        panic!()
    };
    response.response.status = 202;
    p.merge(changed.clone()).unwrap();
    assert_eq!(p.interactions.len(), 1);
    assert_eq!(p.interactions, changed.interactions);

    let mut other_state = changed.interactions[0].clone();
    other_state.provider_states[0]
        .params
        .insert("customerId".into(), json!(8));
    p.merge_interaction(other_state).unwrap();
    assert_eq!(
        p.interactions.len(),
        2,
        "different params are a different interaction"
    );

    let mut dup = Pact::new("web", "orders");
    dup.interactions = vec![changed.interactions[0].clone(), p.interactions[0].clone()];
    let Exchange::Http { response, .. } = &mut dup.interactions[1].exchange else {
        panic!()
    };
    response.response.status = 500;
    let e = p.merge(dup).unwrap_err();
    assert!(
        e.to_string()
            .contains("\"create an order\" given \"customer exists\" is given twice"),
        "{e}"
    );

    let e = p.merge(Pact::new("web", "payments")).unwrap_err();
    assert!(matches!(e, MergeError::Parties { .. }));

    let mut msg = read_pact_str("m.json", V3_MESSAGES)
        .unwrap()
        .interactions
        .remove(0);
    msg.description = "create an order".into();
    msg.provider_states = changed.interactions[0].provider_states.clone();
    assert!(matches!(
        p.merge_interaction(msg),
        Err(MergeError::KindChange { .. })
    ));
}

fn error_of(text: &str) -> seam_pact::PactError {
    read_pact_str("bad.json", text).unwrap_err()
}

#[test]
fn bad_input_names_file_and_json_path() {
    let e = error_of("{\n  \"consumer\": {\"name\": \"a\"},\n  \"provider\": \n}");
    assert_eq!(e.location, Location::LineColumn(4, 1));
    assert!(
        e.to_string().starts_with("bad.json:4:1: invalid JSON"),
        "{e}"
    );

    let bad_matcher = V3.replace(r#""match": "date""#, r#""match": "fuzzy""#);
    let e = error_of(&bad_matcher);
    assert_eq!(
        e.location,
        Location::JsonPath("$.interactions[0].request.matchingRules.body['$.when']".into())
    );
    assert!(e.message.contains("unknown matcher `fuzzy`"), "{e}");

    // a regex that does not compile is a warning and an unusable interaction,
    // not an error (the official tools load such files)
    let bad_regex = V3.replace(r#""regex": "true|false""#, r#""regex": "(true""#);
    let p = read_pact_str("bad.json", &bad_regex).unwrap();
    let e = &p.warnings[0];
    assert!(e.message.contains("invalid regex `(true`"), "{e}");
    assert!(
        e.to_string()
            .contains("$.interactions[0].request.matchingRules.query.dry"),
        "{e}"
    );
    assert!(p.interactions[0].unusable.is_some());

    let bad_version = V3.replace("\"3.0.0\"", "\"9.0.0\"");
    let e = error_of(&bad_version);
    assert!(
        e.message
            .contains("unsupported pact specification version `9.0.0`"),
        "{e}"
    );

    let bad_status = V3.replace("\"status\": 201", "\"status\": \"created\"");
    assert_eq!(
        error_of(&bad_status).location,
        Location::JsonPath("$.interactions[0].response.status".into())
    );

    let bad_type = V4.replace("Asynchronous/Messages", "Carrier/Pigeon");
    assert!(error_of(&bad_type)
        .to_string()
        .contains("$.interactions[1].type"));

    let bad_generator = V3.replace(r#""type": "Uuid""#, r#""type": "Telepathy""#);
    assert!(error_of(&bad_generator)
        .message
        .contains("unknown generator `Telepathy`"));

    let no_provider = r#"{"consumer": {"name": "a"}, "interactions": []}"#;
    assert_eq!(
        error_of(no_provider).location,
        Location::JsonPath("$.provider".into())
    );
}

#[test]
fn examples_are_checked_against_their_own_rules() {
    let p = read_pact_str("v3.json", V3).unwrap();
    assert!(seam_pact::check_examples("v3.json", &p).is_empty());
    let broken = V3.replace("\"2024-01-02\"", "\"02/01/2024\"");
    let p = read_pact_str("v3.json", &broken).unwrap();
    let errors = seam_pact::check_examples("v3.json", &p);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].to_string().contains("$.interactions[0].request"),
        "{}",
        errors[0]
    );
    assert!(errors[0].message.contains("body $.when"), "{}", errors[0]);
}

#[test]
fn a_bad_date_format_fails_when_the_pact_is_read() {
    // a rule's format: rejected at read time, at the rule's JSON path
    let bad_rule = V3.replace(r#""format": "yyyy-MM-dd""#, r#""format": "yyyy-qq-dd""#);
    let e = error_of(&bad_rule);
    assert_eq!(
        e.location,
        Location::JsonPath("$.interactions[0].request.matchingRules.body['$.when']".into())
    );
    assert!(
        e.message
            .contains("unsupported letter `q` in date format `yyyy-qq-dd`"),
        "{e}"
    );
    let unterminated = V3.replace(r#""format": "yyyy-MM-dd""#, r#""format": "yyyy-MM-dd'T""#);
    assert!(error_of(&unterminated)
        .message
        .contains("unterminated quote"));

    // a generator's format too, at the generators' JSON path
    let bad_generator = V3.replace(
        r#""type": "Uuid""#,
        r#""type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss qq""#,
    );
    let e = error_of(&bad_generator);
    assert_eq!(
        e.location,
        Location::JsonPath("$.interactions[0].response.generators".into())
    );
    assert!(e.message.contains("unsupported letter `q`"), "{e}");

    // a good format reads, writes back as written, and checks values as before
    let p = read_pact_str("v3.json", V3).unwrap();
    let written = p.to_json(SpecVersion::V3).unwrap();
    assert_eq!(
        written["interactions"][0]["request"]["matchingRules"]["body"]["$.when"],
        json!({"matchers": [{"match": "date", "format": "yyyy-MM-dd"}]})
    );
    let Exchange::Http { request, .. } = &p.interactions[0].exchange else {
        panic!("an HTTP interaction")
    };
    let when = DocPath::root().field("when");
    let rules = request.rules.category(Category::Body).unwrap();
    let rule = &rules.best_for(&when).unwrap().rules[0];
    assert!(matches!(rule, MatchingRule::Date(f) if f.as_str() == "yyyy-MM-dd"));
    let check = |v: &str| seam_core::matching::check_rule(rule, &json!(v), &json!(v));
    assert_eq!(check("2024-02-29"), Ok(()));
    assert_eq!(
        check("2023-02-30"),
        Err("'2023-02-30' is not a valid date".into())
    );
    assert!(check("02/01/2024")
        .unwrap_err()
        .starts_with("'02/01/2024' is not a valid value for format 'yyyy-MM-dd'"));
}
