//! Reading YAML contracts strictly: YAML 1.2 scalars keep their text, misspelt
//! keys are errors with a position and a suggestion, numbers are not methods.

use seam_contract::parse_yaml;
use std::path::Path;

fn read(text: &str) -> Result<seam_pact::Pact, String> {
    parse_yaml(Path::new("c.yaml"), text).map_err(|e| e.to_string())
}

const HEAD: &str = "consumer: web\nprovider: orders\ninteractions:\n";

#[test]
fn yaml_1_1_booleans_and_numbers_stay_strings_in_bodies() {
    let pact = read(&format!(
        "{HEAD}  - description: ship to norway\n    request:\n      method: POST\n      path: /orders\n      body: {{ country: NO, answer: y, light: on, qty: 1_000, ok: true }}\n    response:\n      status: 201\n"
    ))
    .unwrap();
    let body = pact.to_json(seam_pact::SpecVersion::V3).unwrap()["interactions"][0]["request"]
        ["body"]
        .clone();
    assert_eq!(
        body,
        serde_json::json!({"country": "NO", "answer": "y", "light": "on", "qty": "1_000", "ok": true})
    );
}

#[test]
fn a_misspelt_key_under_given_is_an_error_with_a_suggestion() {
    let e = read(&format!(
        "{HEAD}  - description: an order\n    given:\n      - state: order exists\n        parms: {{ id: 1 }}\n    request: {{ path: /orders/1 }}\n"
    ))
    .unwrap_err();
    assert!(e.starts_with("c.yaml:7:9: "), "{e}");
    assert!(e.contains("unknown field `parms`"), "{e}");
    assert!(e.contains("did you mean `params`?"), "{e}");
    // the well-formed states still read, params included
    let pact = read(&format!(
        "{HEAD}  - description: an order\n    given:\n      - state: order exists\n        params: {{ id: 1 }}\n      - a plain state\n    request: {{ path: /orders/1 }}\n"
    ))
    .unwrap();
    let states = &pact.interactions[0].provider_states;
    assert_eq!(states[0].params["id"], 1);
    assert_eq!(states[1].name, "a plain state");
}

#[test]
fn a_number_is_not_a_method() {
    for m in ["5", "1.5"] {
        let e = read(&format!(
            "{HEAD}  - description: x\n    request: {{ method: {m}, path: /x }}\n"
        ))
        .unwrap_err();
        assert!(e.starts_with("c.yaml:5:"), "{e}");
        assert!(e.contains(&format!("`{m}` is not an HTTP method")), "{e}");
    }
}

/// Found by `fuzz_contract_files`: a broken regex printed the regex crate's
/// three-line report, with the anchored form seam compiles.
#[test]
fn a_broken_regex_is_one_line_about_what_was_written() {
    let e = read(&format!(
        "{HEAD}  - description: x\n    request: {{ path: /x }}\n    response:\n      headers: {{ Content-Type: {{ $regex: \"applicat[on/json.*\", example: application/json }} }}\n"
    ))
    .unwrap_err();
    assert!(!e.contains('\n'), "{e}");
    assert!(
        e.ends_with("invalid regex `applicat[on/json.*`: unclosed character class"),
        "{e}"
    );
}

/// A `$date`/`$time`/`$timestamp` format is translated when the contract is
/// read: a bad one is an error with its place, not a failure at check time.
#[test]
fn a_bad_date_format_is_an_error_with_its_place() {
    let e = read(&format!(
        "{HEAD}  - description: x\n    request: {{ path: /x }}\n    response:\n      body: {{ when: {{ $date: yyyy-qq-dd, example: 2024-01-02 }} }}\n"
    ))
    .unwrap_err();
    assert!(
        e.starts_with("c.yaml:7:13: response body: at $.when: "),
        "{e}"
    );
    assert!(
        e.ends_with("unsupported letter `q` in date format `yyyy-qq-dd`"),
        "{e}"
    );
    let pact = read(&format!(
        "{HEAD}  - description: x\n    request: {{ path: /x }}\n    response:\n      body: {{ when: {{ $time: \"HH:mm\", example: \"10:30\" }} }}\n"
    ))
    .unwrap();
    let written = pact.to_json(seam_pact::SpecVersion::V3).unwrap();
    assert_eq!(
        written["interactions"][0]["response"]["matchingRules"]["body"]["$.when"],
        serde_json::json!({"matchers": [{"match": "time", "format": "HH:mm"}]})
    );
}
