//! A load scenario from an OpenAPI spec: one target per operation (its
//! parameters and body from the spec's examples and defaults, else values
//! generated from the schemas, as `seam fuzz` builds its valid requests),
//! named by its path template (`GET /pets/{petId}`), sent in turn by every
//! user in a weighted order.
//!
//! Only the safe methods (GET, HEAD) unless every method is asked for: a
//! load run repeats each request thousands of times.

use crate::plan::Target;
use seam_fuzz::auth::Credentials;
use seam_fuzz::case::{render, Phase};
use seam_fuzz::cases::Maker;
use seam_openapi::Spec;

/// The targets of a spec's operations and the order users send them in.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub targets: Vec<Target>,
    /// Indexes into `targets`, each as often as its weight.
    pub order: Vec<usize>,
}

/// `GET /pets=3`: an operation (its label or operationId) and its weight.
pub fn parse_weight(text: &str) -> Result<(String, u32), String> {
    let bad = || format!("weight `{text}`: write OPERATION=N, e.g. 'GET /pets=3' or listPets=3");
    let (op, n) = text.rsplit_once('=').ok_or_else(bad)?;
    let n = n.trim().parse::<u32>().map_err(|_| bad())?;
    Ok((op.trim().to_string(), n))
}

/// The scenario of `spec` against `base_url` (its paths appended), with
/// `headers` on every request. `all_methods` takes writes too; `weights`
/// repeat an operation in the order (0 leaves it out; the rest weigh 1).
pub fn from_openapi(
    spec: &Spec,
    base_url: &str,
    headers: &[(String, String)],
    all_methods: bool,
    weights: &[(String, u32)],
) -> Result<Scenario, String> {
    let base = base_url.trim_end_matches('/');
    let named = |op: &seam_openapi::Operation, name: &str| {
        op.label() == name || op.operation_id.as_deref() == Some(name)
    };
    for (name, _) in weights {
        if !spec.operations.iter().any(|op| named(op, name)) {
            return Err(format!(
                "weight: no operation `{name}` in the spec (name one as `METHOD /path` or by operationId)"
            ));
        }
    }
    let maker = Maker { spec, seed: 1 };
    let credentials = Credentials {
        headers: headers.to_vec(),
        query: Vec::new(),
    };
    let (mut targets, mut order) = (Vec::new(), Vec::new());
    for (index, op) in spec.operations.iter().enumerate() {
        let safe = op.method == "GET" || op.method == "HEAD";
        if (!safe && !all_methods) || !op.path.starts_with('/') {
            continue;
        }
        let weight = weights
            .iter()
            .find(|(name, _)| named(op, name))
            .map_or(1, |(_, w)| *w);
        if weight == 0 {
            continue;
        }
        let case = maker.base(index, Phase::Examples, maker.seed);
        let sent = render(op, &case, &credentials);
        let mut target = Target::parse(
            &format!("{base}{}", sent.target),
            &sent.method,
            &sent.headers,
            sent.body.into(),
        )
        .map_err(|e| format!("{}: {e}", op.label()))?;
        target.name = op.label();
        order.extend(std::iter::repeat_n(targets.len(), weight as usize));
        targets.push(target);
    }
    if targets.is_empty() {
        return Err(if all_methods {
            "the spec has no operation to load".into()
        } else {
            "the spec has no GET or HEAD operation to load (--all-methods sends the others too)"
                .into()
        });
    }
    Ok(Scenario { targets, order })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, example: 20}}
      responses: {"200": {description: ok}}
    post:
      requestBody:
        content:
          application/json:
            schema: {type: object, required: [name], properties: {name: {type: string}}}
            example: {name: Rex}
      responses: {"201": {description: created}}
  /pets/{petId}:
    get:
      parameters:
        - {name: petId, in: path, required: true, schema: {type: integer}, example: 7}
      responses: {"200": {description: ok}}
"#;

    #[test]
    fn safe_operations_become_targets_with_their_examples_and_weights() {
        let spec = seam_openapi::load::load_str("pets.yaml", SPEC).unwrap();
        let auth = [("Authorization".to_string(), "Bearer t".to_string())];
        let s = from_openapi(
            &spec,
            "http://127.0.0.1:9/api/",
            &auth,
            false,
            &[("listPets".into(), 3)],
        )
        .unwrap();
        let names: Vec<&str> = s.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["GET /pets", "GET /pets/{petId}"]);
        assert_eq!(s.order, [0, 0, 0, 1]);
        let wire = String::from_utf8_lossy(s.targets[0].wire(true)).into_owned();
        assert!(
            wire.starts_with("GET /api/pets?limit=20 HTTP/1.1\r\n"),
            "{wire}"
        );
        assert!(wire.contains("authorization: Bearer t\r\n"), "{wire}");
        assert!(String::from_utf8_lossy(s.targets[1].wire(true)).starts_with("GET /api/pets/7 "));

        let all = from_openapi(
            &spec,
            "http://127.0.0.1:9",
            &[],
            true,
            &[("GET /pets/{petId}".into(), 0)],
        )
        .unwrap();
        let names: Vec<&str> = all.targets.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["GET /pets", "POST /pets"]);
        let post = String::from_utf8_lossy(all.targets[1].wire(true)).into_owned();
        assert!(
            post.ends_with("\r\n\r\n{\"name\":\"Rex\"}")
                && post.contains("content-type: application/json"),
            "{post}"
        );

        let e = from_openapi(&spec, "http://x", &[], false, &[("nope".into(), 2)]).unwrap_err();
        assert!(e.contains("no operation `nope`"), "{e}");
        assert!(parse_weight("GET /pets=3").unwrap() == ("GET /pets".into(), 3));
        assert!(parse_weight("GET /pets").is_err());
    }
}
