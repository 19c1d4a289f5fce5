//! A pact's history between one consumer and one provider: every version
//! of it, and what changed from one to another, interaction by
//! interaction and field by field (the `pb:diff-previous-distinct` and
//! `pb:diff` relations), as plain text a reviewer reads.

use crate::answer::{ok, ApiError, ApiResult, Shared};
use crate::hal::{link, seg};
use crate::store::Publication;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route(
        "/pacts/provider/{provider}/consumer/{consumer}/versions",
        get(all_versions),
    )
    .route(
        "/pacts/provider/{provider}/consumer/{consumer}/version/{version}/diff/previous-distinct",
        get(diff_previous_distinct),
    )
    .route(
        "/pacts/provider/{provider}/consumer/{consumer}/version/{version}/diff/version/{other}",
        get(diff_versions),
    )
}

async fn all_versions(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let pacts = state
        .store
        .publications(Some(&consumer), Some(&provider))
        .await?;
    if pacts.is_empty() {
        return Err(ApiError::NotFound(format!(
            "No pact found between {consumer} and {provider}"
        )));
    }
    let u = state.urls();
    let items: Vec<Value> = pacts
        .iter()
        .map(|p| {
            link(
                u.pact(&p.provider, &p.consumer, &p.consumer_version),
                Some(&format!("Version {}", p.consumer_version)),
                Some(&p.consumer_version),
            )
        })
        .collect();
    ok(json!({
        "_links": {
            "self": link(u.at(&format!("/pacts/provider/{}/consumer/{}/versions", seg(&provider), seg(&consumer))), Some(&format!("All versions of the pact between {consumer} and {provider}")), None),
            "pb:consumer": link(u.pacticipant(&consumer), Some("Consumer"), Some(&consumer)),
            "pb:provider": link(u.pacticipant(&provider), Some("Provider"), Some(&provider)),
            "pb:pact-versions": items,
        }
    }))
}

/// The publication for `version`, and all of the pair's, newest first.
async fn with_history(
    state: &Shared,
    provider: &str,
    consumer: &str,
    version: &str,
) -> Result<(Publication, Vec<Publication>), ApiError> {
    let all = state
        .store
        .publications(Some(consumer), Some(provider))
        .await?;
    let this = all
        .iter()
        .find(|p| p.consumer_version == version)
        .cloned()
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No pact found for {consumer} version {version} and provider {provider}"
            ))
        })?;
    Ok((this, all))
}

async fn diff_previous_distinct(
    State(state): State<Shared>,
    Path((provider, consumer, version)): Path<(String, String, String)>,
) -> ApiResult {
    let (this, all) = with_history(&state, &provider, &consumer, &version).await?;
    // publications come newest first: the first different one after this
    let previous = all
        .iter()
        .skip_while(|p| p.consumer_version != version)
        .find(|p| p.sha != this.sha);
    let text = match previous {
        Some(previous) => describe(previous, &this),
        None => format!(
            "# No previous distinct version of the pact between {consumer} and {provider} before version {version}\n"
        ),
    };
    Ok(plain(text))
}

async fn diff_versions(
    State(state): State<Shared>,
    Path((provider, consumer, version, other)): Path<(String, String, String, String)>,
) -> ApiResult {
    let (this, all) = with_history(&state, &provider, &consumer, &version).await?;
    let other = all
        .iter()
        .find(|p| p.consumer_version == other)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No pact found for {consumer} version {other} and provider {provider}"
            ))
        })?;
    Ok(plain(describe(other, &this)))
}

fn plain(text: String) -> axum::response::Response {
    ([(header::CONTENT_TYPE, "text/plain;charset=utf-8")], text).into_response()
}

/// The provider states of a pact interaction: v3+ `providerStates`
/// names, or the v2 `providerState`.
pub fn provider_states(i: &Value) -> Vec<String> {
    match (i.get("providerStates"), i.get("providerState")) {
        (Some(Value::Array(list)), _) => list
            .iter()
            .filter_map(|s| s["name"].as_str().map(str::to_string))
            .collect(),
        (_, Some(Value::String(s))) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// An interaction's name in a diff: its description, with its provider
/// states when it has any (two interactions may share a description).
fn interaction_key(i: &Value) -> String {
    let description = i["description"].as_str().unwrap_or("(no description)");
    let states = provider_states(i);
    if states.is_empty() {
        format!("\"{description}\"")
    } else {
        format!("\"{description}\" given {}", states.join(", "))
    }
}

fn interactions(content: &str) -> BTreeMap<String, Value> {
    let pact: Value = serde_json::from_str(content).unwrap_or(Value::Null);
    let list = pact
        .get("interactions")
        .or_else(|| pact.get("messages"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    list.into_iter().map(|i| (interaction_key(&i), i)).collect()
}

/// Every path where `a` and `b` differ, with both values.
fn differences(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let at = format!("{path}.{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differences(&at, p, q, out),
                    (Some(p), None) => out.push(format!("{at}: removed (was {p})")),
                    (None, Some(q)) => out.push(format!("{at}: added {q}")),
                    (None, None) => {}
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (n, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}[{n}]"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} -> {b}")),
        _ => {}
    }
}

/// What changed from `before` to `after`, in words.
fn describe(before: &Publication, after: &Publication) -> String {
    let mut text = format!(
        "# Diff between versions {} and {} of the pact between {} and {}\n",
        before.consumer_version, after.consumer_version, after.consumer, after.provider
    );
    if before.sha == after.sha {
        text.push_str("\nThe two versions have the same content.\n");
        return text;
    }
    let (old, new) = (interactions(&before.content), interactions(&after.content));
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            text.push_str(&format!("\n{title}:\n"));
            for line in lines {
                text.push_str(&format!("  {line}\n"));
            }
        }
    };
    section(
        "Interactions added",
        new.keys()
            .filter(|k| !old.contains_key(*k))
            .map(|k| format!("+ {k}"))
            .collect(),
    );
    section(
        "Interactions removed",
        old.keys()
            .filter(|k| !new.contains_key(*k))
            .map(|k| format!("- {k}"))
            .collect(),
    );
    let mut changed = Vec::new();
    for (k, a) in &old {
        if let Some(b) = new.get(k) {
            let mut found = Vec::new();
            differences("", a, b, &mut found);
            for d in found {
                changed.push(format!("~ {k} {}", d.trim_start_matches('.')));
            }
        }
    }
    section("Interactions changed", changed);
    // what is not in the interactions: metadata, the pacticipants' names
    let strip = |content: &str| {
        let mut v: Value = serde_json::from_str(content).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.remove("interactions");
            m.remove("messages");
        }
        v
    };
    let mut rest = Vec::new();
    differences(
        "",
        &strip(&before.content),
        &strip(&after.content),
        &mut rest,
    );
    section(
        "Other changes",
        rest.into_iter()
            .map(|d| d.trim_start_matches('.').to_string())
            .collect(),
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn publication(version: &str, content: Value) -> Publication {
        Publication {
            id: 0,
            consumer: "web".into(),
            provider: "orders".into(),
            provider_id: 0,
            consumer_version: version.into(),
            consumer_version_id: 0,
            revision: 1,
            pact_version_id: 0,
            sha: crate::store::content_sha(&content.to_string()),
            content: content.to_string(),
            created_at: String::new(),
        }
    }

    #[test]
    fn a_diff_names_each_interaction_and_field_that_changed() {
        let a = publication(
            "1",
            json!({"interactions": [
                {"description": "an order", "request": {"path": "/o/1"}, "response": {"status": 200, "body": {"id": 1}}},
                {"description": "gone", "request": {"path": "/g"}, "response": {"status": 200}}
            ], "metadata": {"pactSpecification": {"version": "2.0.0"}}}),
        );
        let b = publication(
            "2",
            json!({"interactions": [
                {"description": "an order", "request": {"path": "/o/1"}, "response": {"status": 200, "body": {"id": "1", "total": 3}}},
                {"description": "new", "providerStates": [{"name": "an order exists"}], "request": {"path": "/n"}, "response": {"status": 201}}
            ], "metadata": {"pactSpecification": {"version": "3.0.0"}}}),
        );
        let text = describe(&a, &b);
        assert!(text.contains("+ \"new\" given an order exists"), "{text}");
        assert!(text.contains("- \"gone\""), "{text}");
        assert!(
            text.contains("~ \"an order\" response.body.id: 1 -> \"1\""),
            "{text}"
        );
        assert!(
            text.contains("~ \"an order\" response.body.total: added 3"),
            "{text}"
        );
        assert!(
            text.contains("metadata.pactSpecification.version: \"2.0.0\" -> \"3.0.0\""),
            "{text}"
        );
    }
}
