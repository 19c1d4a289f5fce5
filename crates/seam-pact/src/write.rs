//! Writing pacts as v3 or v4 JSON, keeping matching rules, generators, provider
//! state params and unknown interaction fields.

use crate::error::MergeError;
use crate::{Pact, SpecVersion};
use base64::Engine;
use seam_core::generators::Generators;
use seam_core::http::{Body, ContentType, Headers, Query};
use seam_core::interaction::{Exchange, Interaction, MessageSpec, ProviderState};
use seam_core::rules::{Category, MatchingRules};
use serde_json::{json, Map, Value};

pub fn pact_to_json(pact: &Pact, version: SpecVersion) -> Result<Value, MergeError> {
    let v4 = match version {
        SpecVersion::V4 => true,
        SpecVersion::V3 => false,
        other => {
            return Err(MergeError::NotInV3(format!(
                "output version {other} (write v3 or v4)"
            )))
        }
    };
    let mut doc = Map::new();
    doc.insert("consumer".into(), json!({"name": pact.consumer}));
    doc.insert("provider".into(), json!({"name": pact.provider}));
    let mut interactions = Vec::new();
    let mut messages = Vec::new();
    for i in &pact.interactions {
        if v4 {
            interactions.push(interaction_v4(i));
        } else {
            match &i.exchange {
                Exchange::Http { .. } => interactions.push(interaction_v3(i)),
                Exchange::AsyncMessage(m) => messages.push(message_v3(i, m)),
                Exchange::SyncMessage { .. } => {
                    return Err(MergeError::NotInV3(format!(
                        "the synchronous message interaction \"{}\"",
                        i.description
                    )))
                }
            }
        }
    }
    if !interactions.is_empty() || messages.is_empty() {
        doc.insert("interactions".into(), Value::Array(interactions));
    }
    if !messages.is_empty() {
        doc.insert("messages".into(), Value::Array(messages));
    }
    let mut meta = pact.metadata.clone();
    meta.insert(
        "pactSpecification".into(),
        json!({"version": version.as_str()}),
    );
    meta.entry("seamline")
        .or_insert_with(|| json!({"version": env!("CARGO_PKG_VERSION")}));
    doc.insert("metadata".into(), Value::Object(meta));
    Ok(Value::Object(doc))
}

fn states(i: &Interaction, out: &mut Map<String, Value>) {
    if !i.provider_states.is_empty() {
        out.insert(
            "providerStates".into(),
            Value::Array(i.provider_states.iter().map(state_json).collect()),
        );
    }
}

fn state_json(s: &ProviderState) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(s.name));
    if !s.params.is_empty() {
        m.insert("params".into(), Value::Object(s.params.clone()));
    }
    Value::Object(m)
}

fn common(i: &Interaction, v4: bool) -> Map<String, Value> {
    let mut o = Map::new();
    if v4 {
        o.insert("type".into(), json!(i.kind()));
        if let Some(k) = &i.key {
            o.insert("key".into(), json!(k));
        }
        if i.pending {
            o.insert("pending".into(), json!(true));
        }
    }
    o.insert("description".into(), json!(i.description));
    states(i, &mut o);
    for (k, v) in &i.extra {
        o.insert(k.clone(), v.clone());
    }
    o
}

fn interaction_v3(i: &Interaction) -> Value {
    let mut o = common(i, false);
    if let Exchange::Http { request, response } = &i.exchange {
        let mut req = Map::new();
        req.insert("method".into(), json!(request.request.method));
        req.insert("path".into(), json!(request.request.path));
        if !request.request.query.is_empty() {
            req.insert("query".into(), query_json(&request.request.query));
        }
        headers_into(&request.request.headers, false, &mut req);
        body_v3(&request.request.body, &mut req);
        rules_into(&request.rules, false, &mut req);
        generators_into(&request.generators, false, &mut req);
        o.insert("request".into(), Value::Object(req));

        let mut res = Map::new();
        res.insert("status".into(), json!(response.response.status));
        headers_into(&response.response.headers, false, &mut res);
        body_v3(&response.response.body, &mut res);
        rules_into(&response.rules, false, &mut res);
        generators_into(&response.generators, false, &mut res);
        o.insert("response".into(), Value::Object(res));
    }
    Value::Object(o)
}

fn interaction_v4(i: &Interaction) -> Value {
    let mut o = common(i, true);
    match &i.exchange {
        Exchange::Http { request, response } => {
            let mut req = Map::new();
            req.insert("method".into(), json!(request.request.method));
            req.insert("path".into(), json!(request.request.path));
            if !request.request.query.is_empty() {
                req.insert("query".into(), query_json(&request.request.query));
            }
            headers_into(&request.request.headers, true, &mut req);
            if let Some(b) = body_v4(
                &request.request.body,
                request.request.headers.content_type(),
            ) {
                req.insert("body".into(), b);
            }
            rules_into(&request.rules, false, &mut req);
            generators_into(&request.generators, false, &mut req);
            o.insert("request".into(), Value::Object(req));

            let mut res = Map::new();
            res.insert("status".into(), json!(response.response.status));
            headers_into(&response.response.headers, true, &mut res);
            if let Some(b) = body_v4(
                &response.response.body,
                response.response.headers.content_type(),
            ) {
                res.insert("body".into(), b);
            }
            rules_into(&response.rules, false, &mut res);
            generators_into(&response.generators, false, &mut res);
            o.insert("response".into(), Value::Object(res));
        }
        Exchange::AsyncMessage(m) => message_v4_into(m, &mut o),
        Exchange::SyncMessage { request, responses } => {
            let mut req = Map::new();
            message_v4_into(request, &mut req);
            o.insert("request".into(), Value::Object(req));
            o.insert(
                "response".into(),
                Value::Array(
                    responses
                        .iter()
                        .map(|r| {
                            let mut m = Map::new();
                            message_v4_into(r, &mut m);
                            Value::Object(m)
                        })
                        .collect(),
                ),
            );
        }
    }
    Value::Object(o)
}

fn message_v3(i: &Interaction, m: &MessageSpec) -> Value {
    let mut o = common(i, false);
    o.insert(
        "contents".into(),
        body_json_v3(&m.message.contents).unwrap_or(Value::Null),
    );
    let mut meta = m.message.metadata.clone();
    if let Some(ct) = &m.message.content_type {
        meta.entry("contentType")
            .or_insert_with(|| json!(ct.to_string()));
    }
    o.insert("metaData".into(), Value::Object(meta));
    rules_into(&m.rules, true, &mut o);
    generators_into(&m.generators, true, &mut o);
    Value::Object(o)
}

fn message_v4_into(m: &MessageSpec, o: &mut Map<String, Value>) {
    if let Some(b) = body_v4(&m.message.contents, m.message.content_type.clone()) {
        o.insert("contents".into(), b);
    }
    o.insert("metadata".into(), Value::Object(m.message.metadata.clone()));
    rules_into(&m.rules, false, o);
    generators_into(&m.generators, false, o);
}

fn query_json(q: &Query) -> Value {
    Value::Object(q.iter().map(|(k, v)| (k.to_string(), json!(v))).collect())
}

fn headers_into(h: &Headers, v4: bool, out: &mut Map<String, Value>) {
    if h.is_empty() {
        return;
    }
    let m: Map<String, Value> = h
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                if v4 { json!(v) } else { json!(v.join(", ")) },
            )
        })
        .collect();
    out.insert("headers".into(), Value::Object(m));
}

fn body_json_v3(b: &Body) -> Option<Value> {
    Some(match b {
        Body::Absent => return None,
        Body::Empty => json!(""),
        Body::Json(v) => v.clone(),
        Body::Xml(s) | Body::Text(s) => json!(s),
        Body::Form(q) => json!(q.to_query_string()),
        Body::Bytes(bytes) => json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
    })
}

fn body_v3(b: &Body, out: &mut Map<String, Value>) {
    if let Some(v) = body_json_v3(b) {
        out.insert("body".into(), v);
    }
}

fn body_v4(b: &Body, declared: Option<ContentType>) -> Option<Value> {
    let default_type = match b {
        Body::Json(_) => "application/json",
        Body::Xml(_) => "application/xml",
        Body::Form(_) => "application/x-www-form-urlencoded",
        Body::Text(_) | Body::Empty => "text/plain",
        Body::Bytes(_) => "application/octet-stream",
        Body::Absent => return None,
    };
    let ct = declared
        .map(|c| c.to_string())
        .unwrap_or_else(|| default_type.to_string());
    let (content, encoded) = match b {
        Body::Bytes(bytes) => (
            json!(base64::engine::general_purpose::STANDARD.encode(bytes)),
            json!("base64"),
        ),
        other => (body_json_v3(other).unwrap_or(Value::Null), json!(false)),
    };
    Some(json!({"content": content, "contentType": ct, "encoded": encoded}))
}

fn rules_into(rules: &MatchingRules, message_v3: bool, out: &mut Map<String, Value>) {
    if rules.is_empty() {
        return;
    }
    let mut m = Map::new();
    for (cat, set) in rules.iter() {
        let key = if message_v3 && cat == Category::Content {
            "body"
        } else {
            cat.key()
        };
        let value = if matches!(cat, Category::Path | Category::Status | Category::Method) {
            set.iter()
                .next()
                .map(|(_, l)| l.to_json())
                .unwrap_or(Value::Null)
        } else {
            set.to_v3_json()
        };
        m.insert(key.into(), value);
    }
    out.insert("matchingRules".into(), Value::Object(m));
}

fn generators_into(g: &Generators, _message_v3: bool, out: &mut Map<String, Value>) {
    if !g.is_empty() {
        out.insert("generators".into(), g.to_json());
    }
}
