//! The cases of the three single-request phases, per operation: examples
//! (every example and default the spec gives), coverage (the deterministic
//! walk of [`crate::mutate`] over each parameter and the body, missing
//! parameters, repeated ones, malformed and unsupported bodies) and random
//! (valid data generated from the schemas with a seed, and random mutants of
//! it). Cases are made here; the run decides what each should get.

use crate::case::{Case, CaseBody, Phase, Purpose};
use crate::mutate::{self, describe_at, Budget, Mutant, Step};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use seam_openapi::generate::{self, Direction};
use seam_openapi::model::{MediaType, ParamLocation, Parameter};
use seam_openapi::{Operation, Spec};
use serde_json::{json, Value};

/// Header parameters OpenAPI ignores (described by other fields).
fn ignored(p: &Parameter) -> bool {
    p.location == ParamLocation::Header
        && ["accept", "content-type", "authorization"]
            .iter()
            .any(|h| p.name.eq_ignore_ascii_case(h))
}

/// Whether a media type carries JSON (`application/json`, `+json`, a range).
pub use seam_openapi::conform::carries_json as is_json;

/// The media type cases send a body as: the first JSON one, else the first.
pub fn body_media(op: &Operation) -> Option<&MediaType> {
    let content = &op.request_body.as_ref()?.content;
    content
        .iter()
        .find(|m| is_json(&m.media_type))
        .or_else(|| content.first())
}

/// The Content-Type to send for a declared media type (a wildcard as JSON).
fn concrete(media: &str) -> String {
    if media.contains('*') {
        "application/json".into()
    } else {
        media.to_string()
    }
}

/// Makes cases for one spec.
pub struct Maker<'a> {
    pub spec: &'a Spec,
    pub seed: u64,
}

impl<'a> Maker<'a> {
    fn op(&self, index: usize) -> &'a Operation {
        &self.spec.operations[index]
    }

    fn param_value(&self, p: &Parameter, seed: u64) -> Value {
        if let Some(v) = p.examples.iter().find_map(|e| e.value.clone()) {
            return v;
        }
        match &p.schema {
            Some(s) => {
                let doc = &self.spec.document;
                let schema = self.spec.schema(s);
                if let Some(d) = schema
                    .and_then(|s| mutate::resolve(doc, s))
                    .and_then(|s| s.get("default").or_else(|| s.get("example")))
                {
                    if seed == self.seed {
                        return d.clone();
                    }
                }
                generate::from_schema(self.spec, s, Direction::Request, seed)
            }
            None => json!("seam"),
        }
    }

    fn body_value(&self, media: &MediaType, seed: u64) -> Option<Value> {
        if seed == self.seed {
            if let Some(v) = generate::example(self.spec, media, None) {
                return Some(v);
            }
        }
        media
            .schema
            .as_ref()
            .map(|s| generate::from_schema(self.spec, s, Direction::Request, seed))
    }

    /// A valid case for the operation: every parameter (examples and
    /// defaults first when `seed` is the run's), the body from its example
    /// or generated.
    pub fn base(&self, index: usize, phase: Phase, seed: u64) -> Case {
        let op = self.op(index);
        let mut case = Case::new(index, phase);
        for (i, p) in op.parameters.iter().enumerate() {
            if ignored(p) {
                continue;
            }
            let v = self.param_value(p, seed.wrapping_add(i as u64 * 7919));
            case.params.push((p.location, p.name.clone(), v));
        }
        if let Some(media) = body_media(op) {
            case.body = Some(self.body_for(media, self.body_value(media, seed)));
        }
        case
    }

    fn body_for(&self, media: &MediaType, value: Option<Value>) -> CaseBody {
        let value = value.unwrap_or(Value::Null);
        if is_json(&media.media_type) {
            return CaseBody::Json {
                media: concrete(&media.media_type),
                value,
            };
        }
        let essence = media.media_type.to_ascii_lowercase();
        let bytes = if essence.starts_with("application/x-www-form-urlencoded") {
            form_encode(&value)
        } else {
            match &value {
                Value::String(s) => s.clone().into_bytes(),
                other => other.to_string().into_bytes(),
            }
        };
        CaseBody::Raw {
            media: Some(concrete(&media.media_type)),
            bytes,
        }
    }

    /// Phase 1: a case per body example (each media type's named examples),
    /// one per parameter example beyond the first, and the base case.
    pub fn examples(&self, index: usize) -> Vec<Case> {
        let op = self.op(index);
        let base = self.base(index, Phase::Examples, self.seed);
        let mut out = vec![base.clone()];
        if let Some(body) = &op.request_body {
            for media in &body.content {
                for ex in &media.examples {
                    let Some(v) = ex.value.clone() else { continue };
                    let mut c = base.clone();
                    c.body = Some(self.body_for(media, Some(v)));
                    out.push(c);
                }
            }
        }
        for p in op.parameters.iter().filter(|p| !ignored(p)) {
            for ex in p.examples.iter().skip(1) {
                let Some(v) = ex.value.clone() else { continue };
                let mut c = base.clone();
                c.set_param(p.location, &p.name, v);
                out.push(c);
            }
        }
        dedup(out)
    }

    /// Phase 2: the deterministic walk. `huge`: whether 1 MB strings and
    /// 100,000-item arrays are sent.
    pub fn coverage(&self, index: usize, huge: bool) -> Vec<Case> {
        let op = self.op(index);
        let base = self.base(index, Phase::Coverage, self.seed);
        let doc = &self.spec.document;
        let mut out = Vec::new();
        for p in op.parameters.iter().filter(|p| !ignored(p)) {
            let place = format!("{} {}", p.location.as_str(), p.name);
            let Some(value) = base.param(p.location, &p.name).cloned() else {
                continue;
            };
            // left out (a path parameter cannot be: its segment would be empty)
            let mut c = base.clone();
            c.remove_param(p.location, &p.name);
            c.mutation = Some(format!(
                "{place}: {}",
                if p.required {
                    "missing (required)"
                } else {
                    "left out (optional)"
                }
            ));
            if p.required && p.location == ParamLocation::Header {
                c.purpose = Purpose::MissingHeader;
            }
            if p.location != ParamLocation::Path {
                out.push(c);
            }
            // each mutant of its value
            let schema = p
                .schema
                .as_ref()
                .and_then(|s| self.spec.schema(s))
                .cloned()
                .unwrap_or(Value::Bool(true));
            let budget = Budget {
                nodes: 8,
                huge: false,
            };
            for m in mutate::mutants(doc, &schema, &value, budget) {
                if m.value.is_none() && m.at.is_empty() {
                    continue;
                }
                let mut c = base.clone();
                c.set_param(p.location, &p.name, mutate::apply(&value, &m));
                c.mutation = Some(format!("{}: {}", describe_at(&place, &m.at), m.what));
                out.push(c);
            }
            if p.location == ParamLocation::Query {
                let mut c = base.clone();
                let text = crate::case::scalar_text(&value);
                c.extra_query.push(format!(
                    "{}={}",
                    seam_core::http::percent_encode(&p.name),
                    seam_core::http::percent_encode(&text)
                ));
                c.mutation = Some(format!("{place}: sent twice"));
                c.purpose = Purpose::Lenient;
                out.push(c);
            }
        }
        if let (Some(media), Some(CaseBody::Json { value, .. })) = (body_media(op), &base.body) {
            let schema = media
                .schema
                .as_ref()
                .and_then(|s| self.spec.schema(s))
                .cloned()
                .unwrap_or(Value::Bool(true));
            let budget = Budget { nodes: 200, huge };
            for m in mutate::mutants(doc, &schema, value, budget) {
                out.push(self.body_mutant(&base, value, &m));
            }
        }
        if let Some(body) = &base.body {
            out.extend(self.malformed_bodies(&base, body, op));
        }
        dedup(out)
    }

    fn body_mutant(&self, base: &Case, value: &Value, m: &Mutant) -> Case {
        let mut c = base.clone();
        let media = match &base.body {
            Some(CaseBody::Json { media, .. }) => media.clone(),
            _ => "application/json".into(),
        };
        if m.at.is_empty() && m.value.is_none() {
            c.body = None;
        } else {
            c.body = Some(CaseBody::Json {
                media,
                value: mutate::apply(value, m),
            });
        }
        c.mutation = Some(format!("{}: {}", describe_at("body", &m.at), m.what));
        c
    }

    fn malformed_bodies(&self, base: &Case, body: &CaseBody, op: &Operation) -> Vec<Case> {
        let (media, bytes) = match body {
            CaseBody::Json { media, value } => (
                Some(media.clone()),
                serde_json::to_vec(value).unwrap_or_default(),
            ),
            CaseBody::Raw { media, bytes } => (media.clone(), bytes.clone()),
        };
        let mut out = Vec::new();
        let mut with = |body: Option<CaseBody>, what: &str| {
            let mut c = base.clone();
            c.body = body;
            c.mutation = Some(format!("body: {what}"));
            out.push(c);
        };
        let lenient = |mut c: Case| {
            c.purpose = Purpose::Lenient;
            c
        };
        if op.request_body.as_ref().is_some_and(|b| b.required) {
            with(None, "missing (required)");
        }
        if media.as_deref().is_some_and(is_json) {
            with(
                Some(CaseBody::Raw {
                    media: media.clone(),
                    bytes: b"{\"seam\": ".to_vec(),
                }),
                "malformed JSON (cut short)",
            );
            with(
                Some(CaseBody::Raw {
                    media: media.clone(),
                    bytes: b"{\"name\": \"\\ud800\"}".to_vec(),
                }),
                "a lone UTF-16 surrogate in a JSON string",
            );
        }
        with(
            Some(CaseBody::Raw {
                media: Some("application/x-seam-unsupported".into()),
                bytes: bytes.clone(),
            }),
            "an unsupported Content-Type (application/x-seam-unsupported)",
        );
        with(
            Some(CaseBody::Raw { media: None, bytes }),
            "no Content-Type",
        );
        if let Some(last) = out.pop() {
            out.push(lenient(last));
        }
        out
    }

    /// Phase 3: `count` cases; about half valid data generated from a seed,
    /// half a random mutant of such data.
    pub fn random(&self, index: usize, count: usize) -> Vec<Case> {
        let op = self.op(index);
        let mut rng = StdRng::seed_from_u64(self.seed ^ (index as u64).wrapping_mul(0x9E37_79B9));
        let doc = &self.spec.document;
        let mut out = Vec::new();
        for n in 0..count {
            let seed = rng.gen::<u64>();
            let mut c = self.base(index, Phase::Random, seed);
            if n % 2 == 1 {
                // mutate one part: a parameter or the body
                let body = match (&c.body, body_media(op)) {
                    (Some(CaseBody::Json { value, .. }), Some(media)) => Some((
                        value.clone(),
                        media
                            .schema
                            .as_ref()
                            .and_then(|s| self.spec.schema(s))
                            .cloned()
                            .unwrap_or(Value::Bool(true)),
                    )),
                    _ => None,
                };
                let params: Vec<(ParamLocation, String, Value, Value)> = op
                    .parameters
                    .iter()
                    .filter_map(|p| {
                        let v = c.param(p.location, &p.name)?.clone();
                        let s = p.schema.as_ref().and_then(|s| self.spec.schema(s))?.clone();
                        Some((p.location, p.name.clone(), v, s))
                    })
                    .collect();
                let choices = params.len() + usize::from(body.is_some());
                if choices == 0 {
                    out.push(c);
                    continue;
                }
                let pick = rng.gen_range(0..choices);
                if pick < params.len() {
                    let (loc, name, value, schema) = &params[pick];
                    let all = mutate::mutants(
                        doc,
                        schema,
                        value,
                        Budget {
                            nodes: 4,
                            huge: false,
                        },
                    );
                    if let Some(m) = pick_one(&mut rng, &all) {
                        let place = format!("{} {name}", loc.as_str());
                        c.set_param(*loc, name, mutate::apply(value, m));
                        c.mutation = Some(format!("{}: {}", describe_at(&place, &m.at), m.what));
                    }
                } else if let Some((value, schema)) = body {
                    let all = mutate::mutants(
                        doc,
                        &schema,
                        &value,
                        Budget {
                            nodes: 60,
                            huge: false,
                        },
                    );
                    if let Some(m) = pick_one(&mut rng, &all) {
                        c = self.body_mutant(&c, &value, m);
                        c.phase = Phase::Random;
                    }
                }
            }
            out.push(c);
        }
        dedup(out)
    }

    /// Smaller versions of a case's JSON body, simplest first: each optional
    /// part removed, arrays cut to one item, strings halved, numbers to 0.
    pub fn shrink_steps(&self, case: &Case) -> Vec<Case> {
        let Some(CaseBody::Json { media, value }) = &case.body else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut push = |v: Value| {
            if &v != value {
                let mut c = case.clone();
                c.body = Some(CaseBody::Json {
                    media: media.clone(),
                    value: v,
                });
                out.push(c);
            }
        };
        let mut paths = Vec::new();
        collect_paths(value, &mut Vec::new(), &mut paths);
        for at in &paths {
            push(mutate::apply(
                value,
                &Mutant {
                    at: at.clone(),
                    value: None,
                    what: String::new(),
                },
            ));
        }
        for at in &paths {
            let node = node_at(value, at);
            let simpler = match node {
                Some(Value::Array(a)) if a.len() > 1 => Some(Value::Array(vec![a[0].clone()])),
                Some(Value::String(s)) if s.chars().count() > 1 => Some(Value::String(
                    s.chars().take(s.chars().count() / 2).collect(),
                )),
                Some(Value::Number(n)) if n.as_f64() != Some(0.0) => Some(json!(0)),
                _ => None,
            };
            if let Some(v) = simpler {
                push(mutate::apply(
                    value,
                    &Mutant {
                        at: at.clone(),
                        value: Some(v),
                        what: String::new(),
                    },
                ));
            }
        }
        out
    }
}

fn pick_one<'m>(rng: &mut StdRng, all: &'m [Mutant]) -> Option<&'m Mutant> {
    if all.is_empty() {
        None
    } else {
        Some(&all[rng.gen_range(0..all.len())])
    }
}

fn collect_paths(v: &Value, at: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                at.push(Step::Key(k.clone()));
                out.push(at.clone());
                collect_paths(child, at, out);
                at.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate().take(4) {
                at.push(Step::Index(i));
                out.push(at.clone());
                collect_paths(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn node_at<'v>(v: &'v Value, at: &[Step]) -> Option<&'v Value> {
    let mut node = v;
    for s in at {
        node = match s {
            Step::Key(k) => node.get(k)?,
            Step::Index(i) => node.get(*i)?,
        };
    }
    Some(node)
}

fn form_encode(v: &Value) -> Vec<u8> {
    let enc = seam_core::http::percent_encode;
    match v {
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(&crate::case::scalar_text(v))))
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes(),
        other => crate::case::scalar_text(other).into_bytes(),
    }
}

/// Whether a path parameter would be sent as an empty segment (left out,
/// `""`, `null`, `[]`, `{}`): `/pets/` is another route (or the same one
/// normalised), so its answer says nothing about this operation.
fn empty_path_segment(c: &Case) -> bool {
    c.params.iter().any(|(l, _, v)| {
        *l == ParamLocation::Path
            && match v {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            }
    })
}

/// The cases without repeats (the first of equal ones kept), and without
/// those with an empty path segment.
fn dedup(cases: Vec<Case>) -> Vec<Case> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Case> = Vec::with_capacity(cases.len());
    for c in cases {
        if empty_path_segment(&c) {
            continue;
        }
        if seen.insert(fingerprint(&c)) {
            out.push(c);
        }
    }
    out
}

/// What makes two cases send the same request: a hash of parameters, extra
/// query pairs, method and body.
fn fingerprint(c: &Case) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for (l, n, v) in &c.params {
        (l.as_str(), n, v.to_string()).hash(&mut h);
    }
    c.extra_query.hash(&mut h);
    c.method.hash(&mut h);
    match &c.body {
        Some(CaseBody::Json { media, value }) => (0u8, media, value.to_string()).hash(&mut h),
        Some(CaseBody::Raw { media, bytes }) => (1u8, media, bytes).hash(&mut h),
        None => 2u8.hash(&mut h),
    }
    h.finish()
}
