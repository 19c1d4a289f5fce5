//! Components reached from many places and through cycles: each schema pair
//! is compared once per run, so a change inside a shared or recursive
//! component must still be reported at every operation that reaches it, and
//! a spec as interlinked as Stripe's must diff without re-walking it.

use seam_diff::{diff, Change, Options};
use serde_json::Value;
use std::io::Write;

fn load_text(text: &str, suffix: &str) -> seam_openapi::Spec {
    let mut file = tempfile::NamedTempFile::with_suffix(suffix).expect("temp file");
    file.write_all(text.as_bytes()).expect("write spec");
    seam_openapi::load::load(file.path()).unwrap_or_else(|e| panic!("spec does not load: {e:?}"))
}

/// Two operations: `GET /nodes` answers a `Node` (which holds `Edge`s, which
/// point back to a `Node`), `GET /edges` answers an `Edge` directly.
fn graph_spec(node_name: &str, edge_weight: &str) -> seam_openapi::Spec {
    load_text(
        &format!(
            r##"openapi: 3.0.3
info: {{title: graph, version: "1"}}
paths:
  /nodes:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Node"}}
  /edges:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{$ref: "#/components/schemas/Edge"}}
components:
  schemas:
    Node:
      type: object
      properties:
        name: {node_name}
        edges:
          type: array
          items: {{$ref: "#/components/schemas/Edge"}}
    Edge:
      type: object
      properties:
        weight: {edge_weight}
        to: {{$ref: "#/components/schemas/Node"}}
"##
        ),
        ".yaml",
    )
}

fn ids_by_operation(changes: &[Change]) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = changes
        .iter()
        .map(|c| (c.operation.clone().unwrap_or_default(), c.id.clone()))
        .collect();
    found.sort();
    found.dedup();
    found
}

fn assert_new_value_reported_by_both(changes: &[Change], property: &str) {
    let found = ids_by_operation(changes);
    for operation in ["GET /nodes", "GET /edges"] {
        assert!(
            found.contains(&(
                operation.to_string(),
                "response-property-enum-value-added".to_string()
            )),
            "{operation} reaches {property} and must report its new value: {found:?}"
        );
    }
}

#[test]
fn a_change_inside_a_cycle_is_reported_at_every_operation_that_reaches_it() {
    let plain = "{type: string, enum: [light, heavy]}";
    let widened = "{type: string, enum: [light, heavy, huge]}";
    // The change in Edge, the second schema of the cycle seen from /nodes.
    let changes = diff(
        &graph_spec(plain, plain),
        &graph_spec(plain, widened),
        &Options::default(),
    );
    assert_new_value_reported_by_both(&changes, "Edge.weight");
    // The change in Node: Edge, compared first under /nodes, was the same
    // only while Node was assumed to be; /edges must still see Node's change.
    let changes = diff(
        &graph_spec(plain, plain),
        &graph_spec(widened, plain),
        &Options::default(),
    );
    assert_new_value_reported_by_both(&changes, "Node.name");
}

#[test]
fn an_unchanged_cycle_reports_nothing() {
    let base = graph_spec("{type: string}", "{type: number}");
    let revision = graph_spec("{type: string}", "{type: number}");
    assert_eq!(diff(&base, &revision, &Options::default()), Vec::new());
}

/// Stripe's spec: ~1,000 schemas, every resource expandable into others, so
/// each component is reachable by a vast number of paths. The diff against
/// itself is empty, and one new enum value in a component used everywhere is
/// reported at the operations that reach it, a bounded number of times each.
#[test]
fn stripe_diffs_against_itself_and_against_a_small_edit() {
    let Some(root) = seam_testkit::conformance_dir("openapi", "Stripe diff") else {
        return;
    };
    let path = root.join("specs/stripe/spec3.yaml");
    let base = seam_openapi::load::load(&path).expect("Stripe's spec loads");
    assert_eq!(diff(&base, &base, &Options::default()), Vec::new());

    let mut document: Value = base.document.clone();
    let status = document
        .pointer_mut("/components/schemas/payment_intent/properties/status/enum")
        .and_then(Value::as_array_mut)
        .expect("payment_intent.status is an enum in Stripe's spec");
    status.push(Value::String("seam_added".into()));
    let revision = load_text(&document.to_string(), ".json");
    let changes = diff(&base, &revision, &Options::default());
    assert!(!changes.is_empty());
    assert!(changes
        .iter()
        .all(|c| c.id == "response-property-enum-value-added" && c.args[0] == "seam_added"));
    let operations = ids_by_operation(&changes).len();
    assert!(
        changes
            .iter()
            .any(|c| c.operation.as_deref() == Some("GET /v1/payment_intents/{intent}")),
        "the payment intent's own operation reports it"
    );
    assert!(
        changes.len() <= operations * 64,
        "{} findings for {operations} operations: each is bounded",
        changes.len()
    );
}
