//! Parameters read back by style and explode (`seam_openapi::params`): the OpenAPI
//! 3.1 "Style Examples" table, row by row, plus percent-decoding and coercion.

use seam_openapi::model::{ParamLocation, Parameter, SchemaRef, Style};
use seam_openapi::params::{read, Read, Sent};
use seam_openapi::Spec;
use serde_json::{json, Value};

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: params, version: "1"}
paths: {}
components:
  schemas:
    Str: {type: string}
    Arr: {type: array, items: {type: string}}
    Ints: {type: array, items: {type: integer}}
    Obj:
      type: object
      properties:
        R: {type: integer}
        G: {type: integer}
        B: {type: integer}
    Num: {type: number}
    Flag: {type: boolean}
    Nested:
      type: object
      properties:
        a: {type: object, properties: {b: {type: integer}}}
"#;

fn spec() -> Spec {
    seam_openapi::load::load_str("params.yaml", SPEC).unwrap()
}

fn param(location: ParamLocation, style: Style, explode: bool, schema: &str) -> Parameter {
    Parameter {
        name: "color".into(),
        location,
        required: false,
        deprecated: false,
        allow_empty_value: false,
        style,
        explode,
        allow_reserved: false,
        schema: Some(SchemaRef(format!("#/components/schemas/{schema}"))),
        content_type: None,
        examples: vec![],
        pointer: "#/test".into(),
    }
}

fn schema_for(expected: &Value) -> &'static str {
    match expected {
        Value::Array(_) => "Arr",
        Value::Object(_) => "Obj",
        _ => "Str",
    }
}

/// Reads `raw` as sent in `location` and returns the value.
fn read_as(spec: &Spec, p: &Parameter, raw: &str) -> Value {
    let path = [("color".to_string(), raw.to_string())];
    let headers = match p.location {
        ParamLocation::Header => vec![("Color".to_string(), raw.to_string())],
        ParamLocation::Cookie => vec![("Cookie".to_string(), raw.to_string())],
        _ => vec![],
    };
    let query = (p.location == ParamLocation::Query).then_some(raw);
    let sent = Sent::new(&path, query, &headers);
    match read(spec, p, &sent) {
        Ok(Read::Present { value, .. }) => value,
        other => panic!("{:?} {} {raw:?}: {other:?}", p.style, p.explode),
    }
}

/// One row of the table: where, style, explode, then the empty, string, array
/// and object cells (`None`: n/a).
type Row = (
    ParamLocation,
    Style,
    bool,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

/// The OpenAPI 3.1 "Style Examples" table: color = "" / "blue" /
/// ["blue","black","brown"] / {"R":100,"G":200,"B":150}.
#[test]
fn style_examples_table() {
    let spec = spec();
    let string = json!("blue");
    let array = json!(["blue", "black", "brown"]);
    let object = json!({"R": 100, "G": 200, "B": 150});
    use ParamLocation::*;
    use Style::*;
    #[rustfmt::skip]
    let rows: Vec<Row> = vec![
        (Path, Matrix, false, Some(";color"), Some(";color=blue"), Some(";color=blue,black,brown"), Some(";color=R,100,G,200,B,150")),
        (Path, Matrix, true, Some(";color"), Some(";color=blue"), Some(";color=blue;color=black;color=brown"), Some(";R=100;G=200;B=150")),
        (Path, Label, false, Some("."), Some(".blue"), Some(".blue,black,brown"), Some(".R,100,G,200,B,150")),
        (Path, Label, true, Some("."), Some(".blue"), Some(".blue.black.brown"), Some(".R=100.G=200.B=150")),
        (Path, Simple, false, Some(""), Some("blue"), Some("blue,black,brown"), Some("R,100,G,200,B,150")),
        (Path, Simple, true, Some(""), Some("blue"), Some("blue,black,brown"), Some("R=100,G=200,B=150")),
        (Query, Form, false, Some("color="), Some("color=blue"), Some("color=blue,black,brown"), Some("color=R,100,G,200,B,150")),
        (Query, Form, true, Some("color="), Some("color=blue"), Some("color=blue&color=black&color=brown"), Some("R=100&G=200&B=150")),
        (Query, SpaceDelimited, false, None, None, Some("color=blue%20black%20brown"), Some("color=R%20100%20G%20200%20B%20150")),
        (Query, PipeDelimited, false, None, None, Some("color=blue|black|brown"), Some("color=R|100|G|200|B|150")),
        (Query, DeepObject, true, None, None, None, Some("color%5BR%5D=100&color[G]=200&color[B]=150")),
        (Header, Simple, false, None, Some("blue"), Some("blue,black,brown"), Some("R,100,G,200,B,150")),
        (Header, Simple, true, None, Some("blue"), Some("blue, black, brown"), Some("R=100,G=200,B=150")),
        (Cookie, Form, false, None, Some("color=blue"), Some("color=blue,black,brown"), Some("color=R,100,G,200,B,150")),
    ];
    for (location, style, explode, empty, s, a, o) in rows {
        for (raw, expected) in [
            (empty, json!("")),
            (s, string.clone()),
            (a, array.clone()),
            (o, object.clone()),
        ] {
            let Some(raw) = raw else { continue };
            let p = param(location, style, explode, schema_for(&expected));
            assert_eq!(
                read_as(&spec, &p, raw),
                expected,
                "{location:?} {style:?} explode={explode} {raw:?}"
            );
        }
    }
}

#[test]
fn values_are_coerced_by_schema_type_and_percent_decoded() {
    let spec = spec();
    let mut p = param(ParamLocation::Query, Style::Form, true, "Ints");
    assert_eq!(
        read_as(&spec, &p, "color=1&color=x&other=2"),
        json!([1, "x"])
    );
    p.schema = Some(SchemaRef("#/components/schemas/Num".into()));
    assert_eq!(read_as(&spec, &p, "color=-1.5e2"), json!(-150.0));
    assert_eq!(read_as(&spec, &p, "color=NaN"), json!("NaN"));
    p.schema = Some(SchemaRef("#/components/schemas/Flag".into()));
    assert_eq!(read_as(&spec, &p, "color=true"), json!(true));
    p.schema = Some(SchemaRef("#/components/schemas/Str".into()));
    assert_eq!(read_as(&spec, &p, "color=a%20b+c%2Cd"), json!("a b c,d"));
    let p = param(ParamLocation::Path, Style::Simple, false, "Str");
    assert_eq!(read_as(&spec, &p, "caf%C3%A9+1"), json!("café+1"));
    let p = param(ParamLocation::Query, Style::DeepObject, true, "Nested");
    assert_eq!(read_as(&spec, &p, "color[a][b]=7"), json!({"a": {"b": 7}}));
}

#[test]
fn missing_and_malformed_values() {
    let spec = spec();
    let p = param(ParamLocation::Query, Style::Form, true, "Str");
    let sent = Sent::new(&[], Some("other=1"), &[]);
    assert_eq!(read(&spec, &p, &sent), Ok(Read::Missing));
    let p = param(ParamLocation::Path, Style::Label, false, "Str");
    let path = [("color".to_string(), "blue".to_string())];
    let sent = Sent::new(&path, None, &[]);
    assert_eq!(
        read(&spec, &p, &sent),
        Err("expected a value starting with `.` (label style), got `blue`".to_string())
    );
    let mut p = param(ParamLocation::Query, Style::Form, true, "Obj");
    p.content_type = Some("application/json".into());
    let sent = Sent::new(&[], Some("color=%7B%22R%22%3A1%7D"), &[]);
    assert_eq!(
        read(&spec, &p, &sent),
        Ok(Read::Present {
            value: json!({"R": 1}),
            empty: false
        })
    );
    let sent = Sent::new(&[], Some("color=%7Bnope"), &[]);
    let err = read(&spec, &p, &sent).unwrap_err();
    assert!(
        err.starts_with("is not valid JSON (application/json): "),
        "{err}"
    );
}
