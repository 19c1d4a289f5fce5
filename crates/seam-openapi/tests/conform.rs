//! Requests and responses checked against their operation
//! (`seam_openapi::conform`): security, parameters, media types, bodies (JSON,
//! forms, multipart, text), response statuses, headers and bodies, and `Accept`
//! negotiation.

use seam_openapi::conform::{
    check_request, check_response, negotiate, problem, RequestParts, ResponseParts, Violation,
    ViolationKind,
};
use seam_openapi::schema::{Schemas, Segment};
use seam_openapi::Spec;
use serde_json::json;

fn shop() -> (Spec, Schemas) {
    let path = format!(
        "{}/tests/data/validate-shop.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let spec = seam_openapi::load::load_str(
        "validate-shop.yaml",
        &std::fs::read_to_string(path).unwrap(),
    )
    .unwrap();
    let schemas = Schemas::compile(&spec).unwrap();
    (spec, schemas)
}

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct Req {
    op: &'static str,
    path: Vec<(String, String)>,
    query: Option<&'static str>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn req(op: &'static str) -> Req {
    Req {
        op,
        path: vec![],
        query: None,
        headers: vec![],
        body: vec![],
    }
}

impl Req {
    fn query(mut self, q: &'static str) -> Self {
        self.query = Some(q);
        self
    }
    fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    fn path(mut self, k: &str, v: &str) -> Self {
        self.path.push((k.into(), v.into()));
        self
    }
    fn body(mut self, content_type: &str, body: &[u8]) -> Self {
        self.headers
            .push(("Content-Type".into(), content_type.into()));
        self.body = body.to_vec();
        self
    }
    /// The violations, the same whether the caller hands over the body
    /// already read as JSON or not.
    fn check(&self, spec: &Spec, schemas: &Schemas) -> Vec<Violation> {
        let op = spec.operation_by_id(self.op).unwrap();
        let json = seam_openapi::conform::json_body(&self.body);
        let parts = RequestParts {
            method: &op.method,
            path_params: &self.path,
            query: self.query,
            headers: &self.headers,
            body: &self.body,
            json: None,
        };
        let read_here = check_request(spec, schemas, op, &parts);
        let read_before = check_request(
            spec,
            schemas,
            op,
            &RequestParts {
                json: json.as_ref(),
                ..parts
            },
        );
        assert_eq!(texts(&read_here), texts(&read_before));
        read_here
    }
}

fn texts(v: &[Violation]) -> Vec<String> {
    v.iter().map(|v| v.to_string()).collect()
}

#[test]
fn parameters_are_required_coerced_and_validated() {
    let (spec, schemas) = shop();
    let ok = req("listOrders")
        .query("limit=10&tags=a,b&unknown=1")
        .header("Accept", "application/json");
    assert_eq!(ok.check(&spec, &schemas), vec![]);
    let found = req("listOrders")
        .header("X-Trace", "nope")
        .check(&spec, &schemas);
    assert_eq!(
        texts(&found),
        vec![
            "query.limit: missing required query parameter `limit`",
            "header.X-Trace: \"nope\" is not a valid uuid",
        ]
    );
    assert_eq!(found[0].kind, ViolationKind::Parameter);
    assert_eq!(found[0].pointer, "#/paths/~1orders/get/parameters/0");
    assert_eq!(
        found[1].pointer,
        "#/paths/~1orders/get/parameters/2/schema/format"
    );
    let found = req("listOrders").query("limit=x").check(&spec, &schemas);
    assert_eq!(
        texts(&found),
        vec!["query.limit: expected an integer, got the string \"x\""]
    );
    let found = req("listOrders")
        .query("limit=101&q=")
        .check(&spec, &schemas);
    assert_eq!(texts(&found), vec!["query.limit: must be at most 100"]);
    let found = req("deleteOrder")
        .path("id", "12x")
        .header("X-API-Key", "k")
        .header("Cookie", "session=s")
        .check(&spec, &schemas);
    assert_eq!(
        texts(&found),
        vec!["path.id: expected an integer, got the string \"12x\""]
    );
}

#[test]
fn security_any_requirement_met() {
    let (spec, schemas) = shop();
    let order = br#"{"sku":"a","qty":1}"#;
    let post = |h: &[(&str, &str)]| {
        let mut r = req("addOrder").body("application/json", order);
        r.headers.extend(headers(h));
        r.check(&spec, &schemas)
    };
    assert_eq!(post(&[("Authorization", "Bearer abc")]), vec![]);
    assert_eq!(post(&[("X-API-Key", "k")]), vec![]);
    let found = post(&[("Authorization", "Basic abc")]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, ViolationKind::Security);
    assert_eq!(found[0].kind.status(), 401);
    assert_eq!(
        found[0].location,
        vec![Segment::from("header"), Segment::from("Authorization")]
    );
    assert_eq!(
        found[0].message,
        "missing credentials: POST /orders must send `Authorization: Bearer ...` (bearerAuth), or the header `X-API-Key` (apiKey)"
    );
    assert_eq!(found[0].pointer, "#/security");
    assert_eq!(
        post(&[("Authorization", "Bearer ")]).len(),
        1,
        "an empty token is no token"
    );
    // Both schemes of one requirement are needed.
    let delete = |h: &[(&str, &str)]| {
        let mut r = req("deleteOrder").path("id", "1");
        r.headers.extend(headers(h));
        r.check(&spec, &schemas)
    };
    assert_eq!(delete(&[("authorization", "basic dTpw")]), vec![]);
    assert_eq!(
        delete(&[("X-API-Key", "k"), ("Cookie", "a=1; session=s")]),
        vec![]
    );
    let found = delete(&[("X-API-Key", "k")]);
    assert_eq!(
        texts(&found),
        vec!["cookie.session: missing credentials: DELETE /orders/{id} must send `Authorization: Basic ...` (basicAuth), or the cookie `session` (cookieKey)"]
    );
    assert_eq!(found[0].pointer, "#/paths/~1orders~1{id}/delete/security");
}

#[test]
fn bodies_by_media_type() {
    let (spec, schemas) = shop();
    let auth = ("Authorization", "Bearer t");
    let post = |ct: &str, body: &[u8]| {
        let mut r = req("addOrder").header(auth.0, auth.1);
        if !ct.is_empty() {
            r = r.body(ct, body);
        } else {
            r.body = body.to_vec();
        }
        r.check(&spec, &schemas)
    };
    assert_eq!(
        post("application/json; charset=utf-8", br#"{"sku":"a","qty":1}"#),
        vec![]
    );
    let found = post(
        "application/json",
        br#"{"sku":"a","qty":0,"items":[{"qty":"x"}]}"#,
    );
    assert_eq!(
        found
            .iter()
            .map(|v| (v.location.clone(), v.message.clone()))
            .collect::<Vec<_>>(),
        vec![
            (
                vec![Segment::from("body"), Segment::from("qty")],
                "must be at least 1".to_string()
            ),
            (
                vec![
                    Segment::from("body"),
                    Segment::from("items"),
                    Segment::Index(0),
                    Segment::from("qty")
                ],
                "expected an integer, got the string \"x\"".to_string()
            ),
        ]
    );
    assert_eq!(
        texts(&post("application/json", br#"{"sku":"a","qty":1,"id":3}"#)),
        vec!["body.id: is read-only: it must not be sent in a request"]
    );
    assert_eq!(
        texts(&post("application/json", b"{\"sku\":")),
        vec!["body: the body is not valid JSON: EOF while parsing a value at line 1, column 7"]
    );
    let not_text = texts(&post("application/json", b"{\"sku\":\"\xff\"}"));
    assert_eq!(not_text.len(), 1, "{not_text:?}");
    assert!(
        not_text[0].starts_with("body: the body is not text: "),
        "{not_text:?}"
    );
    // Missing body, unsupported and missing Content-Type.
    assert_eq!(
        texts(&post("", b"")),
        vec!["body: missing required request body"]
    );
    let found = post("text/plain", b"x");
    assert_eq!(found[0].kind, ViolationKind::UnsupportedMediaType);
    assert_eq!(
        found[0].to_string(),
        "header.Content-Type: Content-Type `text/plain` is not accepted; expected one of `application/json`, `application/x-www-form-urlencoded`, `multipart/form-data`"
    );
    assert_eq!(post("", b"{}")[0].kind, ViolationKind::UnsupportedMediaType);
    // Forms are read into objects, coerced by the schema.
    assert_eq!(
        post("application/x-www-form-urlencoded", b"sku=a&qty=2"),
        vec![]
    );
    assert_eq!(
        texts(&post(
            "application/x-www-form-urlencoded",
            b"sku=a&qty=none"
        )),
        vec!["body.qty: expected an integer, got the string \"none\""]
    );
    // Multipart: required parts, JSON parts parsed, text parts coerced.
    let multipart = |parts: &[(&str, Option<&str>, &str)]| {
        let mut body = String::new();
        for (name, ct, value) in parts {
            body.push_str(&format!(
                "--B0\r\nContent-Disposition: form-data; name=\"{name}\"\r\n"
            ));
            if let Some(ct) = ct {
                body.push_str(&format!("Content-Type: {ct}\r\n"));
            }
            body.push_str(&format!("\r\n{value}\r\n"));
        }
        body.push_str("--B0--\r\n");
        post("multipart/form-data; boundary=B0", body.as_bytes())
    };
    assert_eq!(
        multipart(&[
            ("order", Some("application/json"), r#"{"sku":"a","qty":1}"#),
            ("receipt", None, "bytes"),
            ("copies", None, "2")
        ]),
        vec![]
    );
    assert_eq!(
        texts(&multipart(&[
            ("order", Some("application/json"), r#"{"sku":"a","qty":1}"#),
            ("copies", None, "two")
        ])),
        vec![
            "body: missing required property `receipt`",
            "body.copies: expected an integer, got the string \"two\""
        ]
    );
}

#[test]
fn wildcard_media_types_and_text() {
    let (spec, schemas) = shop();
    let put = |ct: &str, body: &[u8]| req("putNote").body(ct, body).check(&spec, &schemas);
    assert_eq!(put("text/plain", b"hi"), vec![]);
    assert_eq!(
        texts(&put("text/plain", b"too long")),
        vec!["body: must be at most 5 characters long"]
    );
    assert_eq!(put("application/vnd.note+json", br#"{"text":"x"}"#), vec![]);
    assert_eq!(
        texts(&put("application/json", b"{}")),
        vec!["body: missing required property `text`"]
    );
    assert_eq!(
        put("image/png", b"x")[0].kind,
        ViolationKind::UnsupportedMediaType
    );
    // Not required: no body is fine.
    assert_eq!(req("putNote").check(&spec, &schemas), vec![]);
}

#[test]
fn responses_status_headers_and_body() {
    let (spec, schemas) = shop();
    let op = spec.operation_by_id("listOrders").unwrap();
    let check = |status: u16, h: &[(&str, &str)], body: &str| {
        check_response(
            &spec,
            &schemas,
            op,
            &ResponseParts {
                status,
                headers: &headers(h),
                body: body.as_bytes(),
            },
        )
    };
    let json = ("Content-Type", "application/json");
    assert_eq!(
        check(
            200,
            &[json, ("X-Total", "1")],
            r#"[{"id":1,"sku":"a","qty":1}]"#
        ),
        vec![]
    );
    let found = check(503, &[], "");
    assert_eq!(
        texts(&found),
        vec!["status: status 503 is not declared for GET /orders"]
    );
    assert_eq!(found[0].kind, ViolationKind::ResponseStatus);
    assert_eq!(found[0].pointer, "#/paths/~1orders/get/responses");
    assert_eq!(
        texts(&check(200, &[json, ("X-Page", "two")], r#"[{"sku":"a"}]"#)),
        vec![
            "header.X-Total: missing required header `X-Total`",
            "header.X-Page: expected an integer, got the string \"two\"",
            "body[0]: missing required property `qty`",
        ]
    );
    assert_eq!(
        texts(&check(200, &[("Content-Type", "text/html"), ("X-Total", "1")], "<p>")),
        vec!["header.Content-Type: Content-Type `text/html` is not declared for 200 of GET /orders (declared: one of `application/json`, `text/csv`)"]
    );
    // A range: 4XX; application/problem+json.
    assert_eq!(
        check(
            404,
            &[("Content-Type", "application/problem+json")],
            r#"{"title":"x"}"#
        ),
        vec![]
    );
    assert_eq!(
        texts(&check(
            404,
            &[("Content-Type", "application/problem+json")],
            "{}"
        )),
        vec!["body: missing required property `title`"]
    );
    assert_eq!(
        texts(&check(200, &[json, ("X-Total", "1")], "")),
        vec!["body: the response has no body; 200 of GET /orders declares one of `application/json`, `text/csv`"]
    );
    let add = spec.operation_by_id("addOrder").unwrap();
    let r = |status, body: &str| {
        check_response(
            &spec,
            &schemas,
            add,
            &ResponseParts {
                status,
                headers: &headers(&[json]),
                body: body.as_bytes(),
            },
        )
    };
    assert_eq!(r(204, ""), vec![]);
    assert_eq!(
        texts(&r(204, "{}")),
        vec!["body: the spec declares no body for 204 of POST /orders, but one was sent"]
    );
    // readOnly may be sent in a response.
    assert_eq!(r(201, r#"{"id":1,"sku":"a","qty":1}"#), vec![]);
}

#[test]
fn accept_negotiation() {
    let (spec, _) = shop();
    let op = spec.operation_by_id("listOrders").unwrap();
    let ok = op.response_for(200).unwrap();
    let pick =
        |accept: Option<&str>| negotiate(ok, accept).map(|m| m.map(|m| m.media_type.as_str()));
    assert_eq!(pick(None), Ok(Some("application/json")));
    assert_eq!(pick(Some("*/*")), Ok(Some("application/json")));
    assert_eq!(pick(Some("text/*")), Ok(Some("text/csv")));
    assert_eq!(
        pick(Some("application/json;q=0.5, text/csv")),
        Ok(Some("text/csv"))
    );
    assert_eq!(
        pick(Some("text/csv;q=0.2, */*;q=0.1")),
        Ok(Some("text/csv"))
    );
    assert_eq!(
        pick(Some("application/*, text/csv;q=0")),
        Ok(Some("application/json"))
    );
    let err = pick(Some("text/html")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no declared media type (application/json, text/csv) matches Accept: text/html"
    );
    assert_eq!(err.to_violation(&ok.pointer).kind.status(), 406);
    let add = spec.operation_by_id("addOrder").unwrap();
    assert!(negotiate(add.response_for(204).unwrap(), Some("text/html"))
        .unwrap()
        .is_none());
}

#[test]
fn problem_json_lists_every_violation_with_the_decisive_status() {
    let (spec, schemas) = shop();
    let found = req("addOrder")
        .body("application/json", br#"{"qty":0}"#)
        .check(&spec, &schemas);
    let (status, body) = problem(&found);
    assert_eq!(status, 401);
    assert_eq!(body["errors"].as_array().unwrap().len(), 3);
    let found = req("addOrder")
        .header("X-API-Key", "k")
        .body("application/json", br#"{"qty":0}"#)
        .check(&spec, &schemas);
    let (status, body) = problem(&found);
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!({
            "type": "about:blank",
            "title": "Invalid request",
            "status": 422,
            "detail": "2 violations of the OpenAPI document",
            "errors": [
                {"location": ["body"], "message": "missing required property `sku`", "code": "body", "pointer": "#/components/schemas/Order/required"},
                {"location": ["body", "qty"], "message": "must be at least 1", "code": "body", "pointer": "#/components/schemas/Order/properties/qty/minimum"},
            ]
        })
    );
}

#[test]
fn a_swagger_2_spec_is_pointed_at_as_written() {
    let text = r##"
swagger: "2.0"
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, type: integer}
      responses:
        "200":
          description: pets
          schema: {type: array, items: {$ref: "#/definitions/Pet"}}
    post:
      operationId: addPet
      consumes: [application/json]
      parameters:
        - {name: pet, in: body, required: true, schema: {$ref: "#/definitions/Pet"}}
      responses:
        "201": {description: added}
definitions:
  Pet:
    type: object
    required: [name]
    properties:
      name: {type: string}
"##;
    let spec = seam_openapi::load::load_str("pets2.yaml", text).unwrap();
    let schemas = Schemas::compile(&spec).unwrap();
    let pointers =
        |found: Vec<Violation>| -> Vec<String> { found.into_iter().map(|v| v.pointer).collect() };
    let bad_body = req("addPet").body("application/json", br#"{"name": 5}"#);
    assert_eq!(
        pointers(bad_body.check(&spec, &schemas)),
        vec!["#/definitions/Pet/properties/name/type"]
    );
    let op = spec.operation_by_id("listPets").unwrap();
    let answer = ResponseParts {
        status: 200,
        headers: &headers(&[("Content-Type", "application/json")]),
        body: br#"[{"id": 1}]"#,
    };
    assert_eq!(
        pointers(check_response(&spec, &schemas, op, &answer)),
        vec!["#/definitions/Pet/required"]
    );
}
