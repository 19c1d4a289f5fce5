//! Pacts: publishing (the older `PUT` per pact and `POST /contracts/publish`
//! for a consumer version's whole set, with branch and tags), reading a pact
//! by consumer version, by content hash or the latest, and the verification
//! results a provider publishes against a pact's content.

use crate::answer::{
    created_or_ok, hal_response, json_body, ok, opt_str, ApiError, ApiResult, Shared,
};
use crate::hal::{link, Urls};
use crate::store::{Publication, PublishKind, Verification};
use crate::webhooks::{self, Event};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Map, Value};

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/contracts/publish", post(publish_contracts))
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/version/{version}",
            get(show_pact).put(put_pact).delete(delete_pact),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/latest",
            get(latest_pact),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}",
            get(latest_tagged_pact),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}",
            get(pact_by_sha),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}",
            get(pact_by_sha_with_metadata),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results",
            get(list_verifications).post(publish_verification),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}/verification-results",
            post(publish_verification_with_metadata),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/verification-results/{id}",
            get(show_verification),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/pact-version/{sha}/metadata/{metadata}/verification-results/{id}",
            get(show_verification_with_metadata),
        )
        .route("/pacts/provider/{provider}/latest", get(latest_provider_pacts))
        .route(
            "/pacts/provider/{provider}/latest/{tag}",
            get(latest_tagged_provider_pacts),
        )
        .route(
            "/pacts/provider/{provider}/branch",
            get(latest_main_branch_provider_pacts),
        )
        .route(
            "/pacts/provider/{provider}/branch/{branch}/latest",
            get(latest_branch_provider_pacts),
        )
        .route(
            "/pacts/provider/{provider}/consumer/{consumer}/branch/{branch}",
            get(branch_pact_versions),
        )
        .route("/pacts/provider/{provider}", get(provider_pacts))
        .route("/pacts/latest", get(latest_pacts))
}

/// A pact as the broker serves it: the content as published, with
/// `createdAt` and the links a verifier follows.
pub fn pact_json(u: &Urls, p: &Publication, metadata: Option<&str>) -> Value {
    let mut body: Value =
        serde_json::from_str(&p.content).unwrap_or_else(|_| Value::Object(Map::new()));
    let results = match metadata {
        Some(m) => format!(
            "{}/metadata/{m}/verification-results",
            u.pact_version(&p.provider, &p.consumer, &p.sha)
        ),
        None => u.verification_results(&p.provider, &p.consumer, &p.sha),
    };
    let links = json!({
        "self": link(u.pact(&p.provider, &p.consumer, &p.consumer_version), Some(&format!("Pact between {} ({}) and {}", p.consumer, p.consumer_version, p.provider)), None),
        "pb:consumer": link(u.pacticipant(&p.consumer), Some("Consumer"), Some(&p.consumer)),
        "pb:consumer-version": link(u.version(&p.consumer, &p.consumer_version), Some("Consumer version"), Some(&p.consumer_version)),
        "pb:provider": link(u.pacticipant(&p.provider), Some("Provider"), Some(&p.provider)),
        "pb:pact-version": link(u.pact_version(&p.provider, &p.consumer, &p.sha), Some("Pact content version permalink"), Some(&p.sha)),
        "pb:latest-pact-version": link(u.latest_pact(&p.provider, &p.consumer), Some("Latest version of this pact"), None),
        "pb:all-pact-versions": link(format!("{}/versions", u.at(&format!("/pacts/provider/{}/consumer/{}", crate::hal::seg(&p.provider), crate::hal::seg(&p.consumer)))), Some("All versions of this pact"), None),
        "pb:latest-verification-results": link(format!("{}/latest", u.verification_results(&p.provider, &p.consumer, &p.sha)), Some("Latest verification results"), None),
        "pb:publish-verification-results": link(results, Some("Publish verification results"), None),
        "pb:diff-previous-distinct": link(format!("{}/diff/previous-distinct", u.pact(&p.provider, &p.consumer, &p.consumer_version)), Some("Diff with previous distinct version of this pact"), None),
        "pb:diff": {"href": format!("{}/diff/version/{{version}}", u.pact(&p.provider, &p.consumer, &p.consumer_version)), "title": "Diff with another version of this pact", "templated": true},
        "pb:consumer-versions": [link(u.version(&p.consumer, &p.consumer_version), Some("Consumer version"), Some(&p.consumer_version))],
    });
    if let Value::Object(map) = &mut body {
        map.insert(
            "createdAt".into(),
            Value::String(crate::hal::time(&p.created_at)),
        );
        map.insert("_links".into(), links);
    }
    body
}

/// Reads a pact's content: JSON, an object, with the consumer and provider
/// it names (when it names them) matching the path.
fn read_pact(content: &[u8], consumer: &str, provider: &str) -> Result<String, ApiError> {
    let value = json_body(content)?;
    let Value::Object(map) = &value else {
        return Err(ApiError::invalid("pact", "a pact is a JSON object"));
    };
    for (key, expected) in [("consumer", consumer), ("provider", provider)] {
        match map.get(key).and_then(|v| v.get("name")).and_then(Value::as_str) {
            Some(name) if name != expected => {
                return Err(ApiError::invalid(
                    key,
                    format!("the pact's {key} name '{name}' does not match the {key} '{expected}' in the path"),
                ))
            }
            _ => {}
        }
    }
    Ok(serde_json::to_string(&value).unwrap_or_default())
}

/// Whether no pact between the two has had this content before.
async fn is_new_content(
    state: &Shared,
    consumer: &str,
    provider: &str,
    content: &str,
) -> Result<bool, ApiError> {
    let sha = crate::store::content_sha(content);
    Ok(state
        .store
        .publication_by_sha(consumer, provider, &sha)
        .await?
        .is_none())
}

/// Queues the webhooks a publication fires: always `contract_published`;
/// with new content also `contract_content_changed` and, while nobody has
/// verified it, `contract_requiring_verification_published`. Answers what
/// was queued, for each event.
async fn fire_published(
    state: &Shared,
    p: &Publication,
    new_content: bool,
) -> Vec<(Event, webhooks::queue::Queued)> {
    if let Err(e) = crate::bidirectional::on_pact_published(state, p).await {
        eprintln!("seam broker: checking the pact against provider contracts: {e:?}");
    }
    let Ok(context) = webhooks::context(state, p, None).await else {
        return Vec::new();
    };
    let mut events = vec![Event::ContractPublished];
    if new_content {
        events.push(Event::ContractContentChanged);
        let verified = state
            .store
            .verifications_of(p.pact_version_id)
            .await
            .is_ok_and(|list| list.iter().any(|v| v.success));
        if !verified {
            events.push(Event::ContractRequiringVerificationPublished);
        }
    }
    let mut queued = Vec::new();
    for event in events {
        for q in webhooks::trigger(state, event, context.clone()).await {
            queued.push((event, q));
        }
    }
    queued
}

/// Why a publication counts as changed content, in the Pact Broker's words
/// (empty: it did not change): per consumer version tag, against the last
/// pact of a version with that tag; without tags, against the last pact.
async fn content_changed_reasons(
    state: &Shared,
    p: &Publication,
    kind: PublishKind,
    tags: &[&str],
) -> Result<Vec<String>, ApiError> {
    if kind == PublishKind::Revised {
        return Ok(vec![format!(
            "pact content modified since previous publication for {} version {}",
            p.consumer, p.consumer_version
        )]);
    }
    let mut reasons = Vec::new();
    if tags.is_empty() {
        let previous = state
            .store
            .publications(Some(&p.consumer), Some(&p.provider))
            .await?
            .into_iter()
            .find(|q| q.consumer_version_id != p.consumer_version_id);
        match previous {
            None => reasons.push("first time untagged pact published".to_string()),
            Some(q) if q.sha != p.sha => {
                reasons.push("pact content has changed since previous untagged version".to_string())
            }
            Some(_) => {}
        }
        return Ok(reasons);
    }
    for tag in tags {
        let mut previous = None;
        for v in state.store.versions_with_tag(&p.consumer, tag).await? {
            if v.id == p.consumer_version_id {
                continue;
            }
            if let Some(q) = state
                .store
                .publication(&p.consumer, &p.provider, &v.number)
                .await?
            {
                previous = Some(q);
                break;
            }
        }
        match previous {
            None => reasons.push(format!(
                "first time any pact published for this consumer with consumer version tagged {tag}"
            )),
            Some(q) if q.sha != p.sha => reasons.push(format!(
                "pact content has changed since the last consumer version tagged with {tag}"
            )),
            Some(_) => {}
        }
    }
    Ok(reasons)
}

async fn put_pact(
    State(state): State<Shared>,
    Path((provider, consumer, version)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    let content = read_pact(&body, &consumer, &provider)?;
    refuse_change(&state, &consumer, &version, &provider, &content).await?;
    let v = state.store.ensure_version(&consumer, &version).await?;
    let new_content = is_new_content(&state, &consumer, &provider, &content).await?;
    let (publication, kind) = state.store.publish_pact(&v, &provider, &content).await?;
    fire_published(&state, &publication, new_content).await;
    let u = state.urls();
    created_or_ok(
        kind == PublishKind::Created,
        &u.pact(&provider, &consumer, &version),
        pact_json(&u, &publication, None),
    )
}

async fn show_pact(
    State(state): State<Shared>,
    Path((provider, consumer, version)): Path<(String, String, String)>,
) -> ApiResult {
    let p = state
        .store
        .publication(&consumer, &provider, &version)
        .await?
        .ok_or_else(|| no_pact(&consumer, &version, &provider))?;
    ok(pact_json(&state.urls(), &p, None))
}

/// 409 when the consumer version already has a pact for the provider with
/// other content, unless the broker allows contract modification.
async fn refuse_change(
    state: &Shared,
    consumer: &str,
    version: &str,
    provider: &str,
    content: &str,
) -> Result<(), ApiError> {
    if state.allow_contract_modification {
        return Ok(());
    }
    match state.store.publication(consumer, provider, version).await? {
        Some(existing) if existing.sha != crate::store::content_sha(content) => {
            Err(ApiError::Conflict(format!(
                "Cannot change the content of the pact for {consumer} version {version} and provider {provider}, as race conditions will cause unreliable results for can-i-deploy. Each pact must be published with a unique consumer version number. Start the broker with --allow-contract-modification to allow it."
            )))
        }
        _ => Ok(()),
    }
}

fn no_pact(consumer: &str, version: &str, provider: &str) -> ApiError {
    ApiError::NotFound(format!(
        "No pact found between {consumer} version {version} and {provider}"
    ))
}

async fn delete_pact(
    State(state): State<Shared>,
    Path((provider, consumer, version)): Path<(String, String, String)>,
) -> ApiResult {
    if state
        .store
        .delete_publications(&consumer, &provider, &version)
        .await?
    {
        Ok(axum::response::IntoResponse::into_response(
            StatusCode::NO_CONTENT,
        ))
    } else {
        Err(no_pact(&consumer, &version, &provider))
    }
}

async fn latest_pact(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let p = state
        .store
        .publications(Some(&consumer), Some(&provider))
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| {
            ApiError::NotFound(format!("No pact found between {consumer} and {provider}"))
        })?;
    latest_pact_response(&state, &p)
}

/// A latest pact, naming the consumer version it is in a header (as the
/// Pact Broker does: `X-Pact-Consumer-Version`).
fn latest_pact_response(state: &Shared, p: &Publication) -> ApiResult {
    let mut response =
        crate::answer::hal_response(StatusCode::OK, pact_json(&state.urls(), p, None));
    if let Ok(v) = axum::http::HeaderValue::from_str(&p.consumer_version) {
        response.headers_mut().insert("X-Pact-Consumer-Version", v);
    }
    Ok(response)
}

async fn latest_tagged_pact(
    State(state): State<Shared>,
    Path((provider, consumer, tag)): Path<(String, String, String)>,
) -> ApiResult {
    for v in state.store.versions_with_tag(&consumer, &tag).await? {
        if let Some(p) = state
            .store
            .publication(&consumer, &provider, &v.number)
            .await?
        {
            return latest_pact_response(&state, &p);
        }
    }
    Err(ApiError::NotFound(format!(
        "No pact found between {consumer} with tag {tag} and {provider}"
    )))
}

async fn pact_by_sha(
    State(state): State<Shared>,
    Path((provider, consumer, sha)): Path<(String, String, String)>,
) -> ApiResult {
    let p = found_by_sha(&state, &consumer, &provider, &sha).await?;
    ok(pact_json(&state.urls(), &p, None))
}

async fn pact_by_sha_with_metadata(
    State(state): State<Shared>,
    Path((provider, consumer, sha, metadata)): Path<(String, String, String, String)>,
) -> ApiResult {
    let p = found_by_sha(&state, &consumer, &provider, &sha).await?;
    ok(pact_json(&state.urls(), &p, Some(&metadata)))
}

async fn found_by_sha(
    state: &Shared,
    consumer: &str,
    provider: &str,
    sha: &str,
) -> Result<Publication, ApiError> {
    state
        .store
        .publication_by_sha(consumer, provider, sha)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No pact version {sha} found between {consumer} and {provider}"
            ))
        })
}

/// `POST /contracts/publish`: a consumer version's pacts, its branch, tags
/// and build URL, in one request.
async fn publish_contracts(State(state): State<Shared>, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let mut errors = Vec::new();
    let name = opt_str(&body, "pacticipantName")?;
    let number = opt_str(&body, "pacticipantVersionNumber")?;
    if name.is_none_or(|n| n.trim().is_empty()) {
        errors.push(("pacticipantName".to_string(), "is missing".to_string()));
    }
    if number.is_none_or(|n| n.trim().is_empty()) {
        errors.push((
            "pacticipantVersionNumber".to_string(),
            "is missing".to_string(),
        ));
    }
    let branch = opt_str(&body, "branch")?;
    let build_url = opt_str(&body, "buildUrl")?;
    let tags: Vec<&str> = match body.get("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(_) => {
            errors.push((
                "tags".to_string(),
                "tags must be an array of strings".to_string(),
            ));
            Vec::new()
        }
    };
    let contracts = match body.get("contracts") {
        Some(Value::Array(items)) if !items.is_empty() => items.clone(),
        _ => {
            errors.push((
                "contracts".to_string(),
                "contracts must be a non-empty array".to_string(),
            ));
            Vec::new()
        }
    };
    // every contract is read before anything is stored
    let mut pacts = Vec::new();
    for (i, c) in contracts.iter().enumerate() {
        let field = |k: &str| format!("contracts[{i}].{k}");
        let consumer = c.get("consumerName").and_then(Value::as_str);
        let provider = c.get("providerName").and_then(Value::as_str);
        let spec = c
            .get("specification")
            .and_then(Value::as_str)
            .unwrap_or("pact");
        let content_type = c
            .get("contentType")
            .and_then(Value::as_str)
            .unwrap_or("application/json");
        let content = c.get("content").and_then(Value::as_str);
        if consumer.is_none() {
            errors.push((field("consumerName"), "consumerName is missing".into()));
        }
        if provider.is_none() {
            errors.push((field("providerName"), "providerName is missing".into()));
        }
        if spec != "pact" {
            errors.push((
                field("specification"),
                format!("specification '{spec}' is not supported here: only 'pact'"),
            ));
        }
        if !content_type.contains("json") {
            errors.push((
                field("contentType"),
                format!(
                    "contentType '{content_type}' is not supported: pacts are application/json"
                ),
            ));
        }
        if let (Some(cn), Some(n)) = (consumer, name) {
            if cn != n {
                errors.push((
                    field("consumerName"),
                    format!("consumerName '{cn}' does not match pacticipantName '{n}'"),
                ));
            }
        }
        let decoded = match content.map(|s| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.decode(s.trim())
        }) {
            None => {
                errors.push((field("content"), "content is missing".into()));
                continue;
            }
            Some(Err(_)) => {
                errors.push((field("content"), "content is not valid Base64".into()));
                continue;
            }
            Some(Ok(bytes)) => bytes,
        };
        if let (Some(cn), Some(pn)) = (consumer, provider) {
            match read_pact(&decoded, cn, pn) {
                Ok(text) => pacts.push((cn.to_string(), pn.to_string(), text)),
                Err(ApiError::Invalid(list)) => {
                    errors.extend(list.into_iter().map(|(_, m)| (field("content"), m)))
                }
                Err(other) => return Err(other),
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let (name, number) = (name.unwrap_or_default(), number.unwrap_or_default());
    let existed = state.store.version(name, number).await?.is_some();
    for (consumer, provider, content) in &pacts {
        refuse_change(&state, consumer, number, provider, content).await?;
    }
    let v = state.store.ensure_version(name, number).await?;
    if let Some(url) = build_url {
        state.store.set_build_url(v.id, url).await?;
    }
    let mut notices = Vec::new();
    if let Some(b) = branch {
        state.store.add_branch(&v, b).await?;
    }
    for t in &tags {
        state.store.add_tag(&v, t).await?;
    }
    let u = state.urls();
    let mut pact_links = Vec::new();
    for (consumer, provider, content) in &pacts {
        let new_content = is_new_content(&state, consumer, provider, content).await?;
        let (p, kind) = state.store.publish_pact(&v, provider, content).await?;
        // asked before this publication's webhooks are queued
        let provider_verified = state.store.provider_has_verified(p.provider_id).await?;
        let reasons = content_changed_reasons(&state, &p, kind, &tags).await?;
        let queued = fire_published(&state, &p, new_content).await;
        notices.push(match kind {
            PublishKind::Revised => json!({"type": "warning", "text": format!("Pact with changed content published over existing content for {consumer} version {number} and provider {provider}. This is not recommended in normal circumstances and may indicate that you have not configured your Pact pipeline correctly. For more information see https://docs.pact.io/go/versioning")}),
            _ => json!({"type": "success", "text": format!("Pact successfully published for {consumer} version {number} and provider {provider}.")}),
        });
        pact_links.push(link(
            u.pact(provider, consumer, number),
            Some("Pact"),
            Some(&format!(
                "Pact between {consumer} ({number}) and {provider}"
            )),
        ));
        notices.push(json!({"type": "debug", "text": format!("  View the published pact at {}", u.pact(&p.provider, &p.consumer, &p.consumer_version))}));
        let events = if reasons.is_empty() {
            "contract_published".to_string()
        } else {
            format!(
                "contract_published, contract_content_changed ({})",
                reasons.join(", ")
            )
        };
        notices.push(json!({"type": "debug", "text": format!("  Events detected: {events}")}));
        for (event, q) in &queued {
            notices.push(json!({"type": "debug", "text": format!(
                "  Webhook \"{}\" triggered for event {}.\n    View logs at {}",
                q.title,
                event.name(),
                u.at(&format!("/triggered-webhooks/{}/logs", q.delivery))
            )}));
        }
        let mut steps = Vec::new();
        if !provider_verified {
            steps.push(format!("    * Add Pact verification tests to the {provider} build. See https://docs.pact.io/go/provider_verification"));
        }
        if !webhooks::queue::listens_for_changes(&state.store, consumer, provider).await? {
            steps.push(format!("    * Configure separate {provider} pact verification build and webhook to trigger it when the pact content changes. See https://docs.pact.io/go/webhooks"));
        }
        if !steps.is_empty() {
            notices.push(json!({"type": "prompt", "text": "  Next steps:"}));
            for step in steps {
                notices.push(json!({"type": "prompt", "text": step}));
            }
        }
    }
    let mut what_was_done = format!(
        "{} {name} version {number}",
        if existed { "Updated" } else { "Created" }
    );
    if let Some(b) = branch {
        what_was_done.push_str(&format!(" with branch {b}"));
    }
    if !tags.is_empty() {
        let joint = if branch.is_some() { "and" } else { "with" };
        what_was_done.push_str(&format!(" {joint} tags {}", tags.join(", ")));
    }
    if branch.is_none() {
        notices.insert(
            0,
            json!({"type": "prompt", "text": "  Next steps:\n    Configure the version branch to be the value of your repository branch."}),
        );
    }
    notices.insert(0, json!({"type": "debug", "text": what_was_done}));
    // `logs` is what older clients read (the broker keeps it, deprecated)
    let logs: Vec<Value> = notices
        .iter()
        .map(|n| json!({"level": n["type"], "message": n["text"], "deprecationWarning": "Replaced by notices"}))
        .collect();
    let version_body = crate::pacticipants::version_json(&state, &v).await?;
    Ok(hal_response(
        StatusCode::OK,
        json!({
            "logs": logs,
            "notices": notices,
            "_embedded": {
                "pacticipant": {"name": name, "_links": {"self": link(u.pacticipant(name), None, Some(name))}},
                "version": version_body,
            },
            "_links": {
                "pb:pacticipant": link(u.pacticipant(name), Some("Pacticipant"), Some(name)),
                "pb:pacticipant-version": link(u.version(name, number), Some("Pacticipant version"), Some(number)),
                "pb:pacticipant-version-tags": tags.iter().map(|t| link(u.tag(name, number, t), Some("Tag"), Some(t))).collect::<Vec<_>>(),
                "pb:contracts": pact_links,
            }
        }),
    ))
}

pub fn verification_json(u: &Urls, p: &Publication, vr: &Verification) -> Value {
    let test_results = vr
        .test_results
        .as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    json!({
        "providerName": p.provider,
        "providerApplicationVersion": vr.provider_version,
        "success": vr.success,
        "verifiedAt": crate::hal::time(&vr.created_at),
        "buildUrl": vr.build_url,
        "testResults": test_results,
        "_links": {
            "self": link(u.verification(&p.provider, &p.consumer, &p.sha, vr.number), Some("Verification result"), Some(&format!("Verification result {} for Pact between {} ({}) and {}", vr.number, p.consumer, p.consumer_version, p.provider))),
            "pb:pact-version": link(u.pact_version(&p.provider, &p.consumer, &p.sha), Some("Pact"), None),
            "pb:provider-version": link(u.version(&p.provider, &vr.provider_version), Some("Provider version"), Some(&vr.provider_version)),
        }
    })
}

async fn publish_verification(
    State(state): State<Shared>,
    Path((provider, consumer, sha)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    verify(state, provider, consumer, sha, None, body).await
}

async fn publish_verification_with_metadata(
    State(state): State<Shared>,
    Path((provider, consumer, sha, metadata)): Path<(String, String, String, String)>,
    body: Bytes,
) -> ApiResult {
    verify(state, provider, consumer, sha, Some(metadata), body).await
}

async fn verify(
    state: Shared,
    provider: String,
    consumer: String,
    sha: String,
    metadata: Option<String>,
    body: Bytes,
) -> ApiResult {
    let p = found_by_sha(&state, &consumer, &provider, &sha).await?;
    let body = json_body(&body)?;
    let success = match body.get("success") {
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::invalid(
                "success",
                "success must be true or false",
            ))
        }
        None => return Err(ApiError::invalid("success", "success is missing")),
    };
    let version = match opt_str(&body, "providerApplicationVersion")? {
        Some(v) if !v.trim().is_empty() => v,
        _ => {
            return Err(ApiError::invalid(
                "providerApplicationVersion",
                "providerApplicationVersion is missing",
            ))
        }
    };
    let build_url = opt_str(&body, "buildUrl")?;
    let test_results = body
        .get("testResults")
        .filter(|v| !v.is_null())
        .map(|v| v.to_string());
    let wip = metadata
        .as_deref()
        .and_then(crate::hal::read_metadata)
        .is_some_and(|m| m.wip);
    let pv = state.store.ensure_version(&provider, version).await?;
    if let Some(branch) = opt_str(&body, "providerVersionBranch")? {
        state.store.add_branch(&pv, branch).await?;
    }
    let vr = state
        .store
        .add_verification(
            p.pact_version_id,
            &pv,
            success,
            build_url,
            test_results.as_deref(),
            wip,
        )
        .await?;
    if let Ok(context) = webhooks::context(&state, &p, Some((&vr, &pv))).await {
        webhooks::trigger(&state, Event::VerificationPublished, context.clone()).await;
        let outcome = if vr.success {
            Event::VerificationSucceeded
        } else {
            Event::VerificationFailed
        };
        webhooks::trigger(&state, outcome, context).await;
    }
    let u = state.urls();
    created_or_ok(
        true,
        &u.verification(&provider, &consumer, &sha, vr.number),
        verification_json(&u, &p, &vr),
    )
}

async fn list_verifications(
    State(state): State<Shared>,
    Path((provider, consumer, sha)): Path<(String, String, String)>,
) -> ApiResult {
    let p = found_by_sha(&state, &consumer, &provider, &sha).await?;
    let u = state.urls();
    let items: Vec<Value> = state
        .store
        .verifications_of(p.pact_version_id)
        .await?
        .iter()
        .map(|vr| verification_json(&u, &p, vr))
        .collect();
    ok(
        json!({"_embedded": {"verificationResults": items}, "_links": {"self": link(u.verification_results(&provider, &consumer, &sha), None, None)}}),
    )
}

async fn show_verification(
    State(state): State<Shared>,
    Path((provider, consumer, sha, id)): Path<(String, String, String, String)>,
) -> ApiResult {
    let p = found_by_sha(&state, &consumer, &provider, &sha).await?;
    let all = state.store.verifications_of(p.pact_version_id).await?;
    let found = if id == "latest" {
        all.first()
    } else {
        let id: i64 = id
            .parse()
            .map_err(|_| ApiError::NotFound(format!("No verification result {id}")))?;
        // the latest of a number two verifiers took at once
        all.iter().find(|v| v.number == id)
    };
    match found {
        Some(vr) => ok(verification_json(&state.urls(), &p, vr)),
        None => Err(ApiError::NotFound(format!("No verification result {id}"))),
    }
}

/// The same, at the address the matrix links (the consumer version in
/// the metadata segment, which a result does not need).
async fn show_verification_with_metadata(
    state: State<Shared>,
    Path((provider, consumer, sha, _metadata, id)): Path<(String, String, String, String, String)>,
) -> ApiResult {
    show_verification(state, Path((provider, consumer, sha, id))).await
}

fn pact_list(
    u: &Urls,
    provider: &str,
    title: &str,
    self_href: String,
    pacts: &[Publication],
) -> Value {
    let links: Vec<Value> = pacts
        .iter()
        .map(|p| {
            link(
                u.pact(&p.provider, &p.consumer, &p.consumer_version),
                Some(&format!(
                    "Pact between {} ({}) and {}",
                    p.consumer, p.consumer_version, p.provider
                )),
                Some(&p.consumer),
            )
        })
        .collect();
    // `pacts` is the relation's old name, which the Rust verifier still
    // follows when it is given no consumer version selectors
    // `provider`, like `pacts`, is the name older clients read
    json!({"_links": {
        "self": link(self_href, Some(title), None),
        "pb:provider": link(u.pacticipant(provider), None, Some(provider)),
        "provider": link(u.pacticipant(provider), Some(provider), None),
        "pb:pacts": links.clone(),
        "pacts": links,
    }})
}

/// The newest pact of each consumer for `provider`.
fn newest_per_consumer(all: Vec<Publication>) -> Vec<Publication> {
    let mut seen = std::collections::HashSet::new();
    all.into_iter()
        .filter(|p| seen.insert((p.consumer.clone(), p.provider.clone())))
        .collect()
}

async fn latest_provider_pacts(
    State(state): State<Shared>,
    Path(provider): Path<String>,
) -> ApiResult {
    crate::answer::found_pacticipant(&state, &provider).await?;
    let pacts = newest_per_consumer(state.store.publications(None, Some(&provider)).await?);
    let u = state.urls();
    let href = u.at(&format!(
        "/pacts/provider/{}/latest",
        crate::hal::seg(&provider)
    ));
    ok(pact_list(
        &u,
        &provider,
        "Latest pact versions for the provider",
        href,
        &pacts,
    ))
}

/// The newest pact of each consumer whose version has `tag`.
async fn latest_tagged_provider_pacts(
    State(state): State<Shared>,
    Path((provider, tag)): Path<(String, String)>,
) -> ApiResult {
    crate::answer::found_pacticipant(&state, &provider).await?;
    let mut tagged = Vec::new();
    for p in state.store.publications(None, Some(&provider)).await? {
        if state
            .store
            .tags_of(p.consumer_version_id)
            .await?
            .contains(&tag)
        {
            tagged.push(p);
        }
    }
    let pacts = newest_per_consumer(tagged);
    let u = state.urls();
    let href = u.at(&format!(
        "/pacts/provider/{}/latest/{}",
        crate::hal::seg(&provider),
        crate::hal::seg(&tag)
    ));
    ok(pact_list(
        &u,
        &provider,
        &format!("Latest pact versions for the provider with consumer version tag '{tag}'"),
        href,
        &pacts,
    ))
}

/// The newest pact of each consumer from a version on its branch
/// `branch`, or (`None`) on its own main branch.
async fn newest_on_branch(
    state: &Shared,
    provider: &str,
    branch: Option<&str>,
) -> Result<Vec<Publication>, ApiError> {
    let mut on_branch = Vec::new();
    for p in state.store.publications(None, Some(provider)).await? {
        let wanted = match branch {
            Some(b) => b.to_string(),
            None => match state
                .store
                .pacticipant(&p.consumer)
                .await?
                .and_then(|c| c.main_branch)
            {
                Some(main) => main,
                None => continue,
            },
        };
        if state
            .store
            .branches_of(p.consumer_version_id)
            .await?
            .contains(&wanted)
        {
            on_branch.push(p);
        }
    }
    Ok(newest_per_consumer(on_branch))
}

async fn latest_branch_provider_pacts(
    State(state): State<Shared>,
    Path((provider, branch)): Path<(String, String)>,
) -> ApiResult {
    crate::answer::found_pacticipant(&state, &provider).await?;
    let pacts = newest_on_branch(&state, &provider, Some(&branch)).await?;
    let u = state.urls();
    let href = u.at(&format!(
        "/pacts/provider/{}/branch/{}/latest",
        crate::hal::seg(&provider),
        crate::hal::seg(&branch)
    ));
    ok(pact_list(
        &u,
        &provider,
        &format!("Latest pact versions for the provider {provider} with consumer version branch '{branch}'"),
        href,
        &pacts,
    ))
}

/// The newest pact from each consumer's main branch.
async fn latest_main_branch_provider_pacts(
    State(state): State<Shared>,
    Path(provider): Path<String>,
) -> ApiResult {
    crate::answer::found_pacticipant(&state, &provider).await?;
    let pacts = newest_on_branch(&state, &provider, None).await?;
    let u = state.urls();
    let href = u.at(&format!(
        "/pacts/provider/{}/branch",
        crate::hal::seg(&provider)
    ));
    ok(pact_list(
        &u,
        &provider,
        &format!("All pact versions for the provider {provider}"),
        href,
        &pacts,
    ))
}

/// Every pact of the pair from consumer versions on `branch`, newest first.
async fn branch_pact_versions(
    State(state): State<Shared>,
    Path((provider, consumer, branch)): Path<(String, String, String)>,
) -> ApiResult {
    crate::answer::found_pacticipant(&state, &consumer).await?;
    crate::answer::found_pacticipant(&state, &provider).await?;
    let mut pacts = Vec::new();
    for p in state
        .store
        .publications(Some(&consumer), Some(&provider))
        .await?
    {
        if state
            .store
            .branches_of(p.consumer_version_id)
            .await?
            .contains(&branch)
        {
            pacts.push(p);
        }
    }
    let u = state.urls();
    let title = |p: &Publication| {
        format!(
            "Pact between {} ({}) and {}",
            p.consumer, p.consumer_version, p.provider
        )
    };
    let items: Vec<Value> = pacts
        .iter()
        .map(|p| {
            json!({
                "createdAt": crate::hal::time(&p.created_at),
                "_embedded": {"consumerVersion": {
                    "number": p.consumer_version,
                    "_links": {"self": link(u.version(&p.consumer, &p.consumer_version), Some("Version"), Some(&p.consumer_version))}
                }},
                "_links": {"self": link(u.pact(&p.provider, &p.consumer, &p.consumer_version), Some(&title(p)), None)}
            })
        })
        .collect();
    // "Version 1.3.0 - 28/10/2025", as the Pact Broker names them
    let day = |at: &str| match (at.get(0..4), at.get(5..7), at.get(8..10)) {
        (Some(y), Some(m), Some(d)) => format!("{d}/{m}/{y}"),
        _ => at.to_string(),
    };
    let versions: Vec<Value> = pacts
        .iter()
        .map(|p| {
            link(
                u.pact(&p.provider, &p.consumer, &p.consumer_version),
                Some("Pact"),
                Some(&format!(
                    "Version {} - {}",
                    p.consumer_version,
                    day(&p.created_at)
                )),
            )
        })
        .collect();
    let href = u.at(&format!(
        "/pacts/provider/{}/consumer/{}/branch/{}",
        crate::hal::seg(&provider),
        crate::hal::seg(&consumer),
        crate::hal::seg(&branch)
    ));
    ok(json!({
        "_embedded": {"pacts": items},
        "_links": {
            "self": link(href, Some(&format!("All versions of the pact between {consumer} and {provider}")), None),
            "consumer": link(u.pacticipant(&consumer), Some("Consumer"), Some(&consumer)),
            "provider": link(u.pacticipant(&provider), Some("Provider"), Some(&provider)),
            "pact-versions": versions,
        }
    }))
}

async fn provider_pacts(State(state): State<Shared>, Path(provider): Path<String>) -> ApiResult {
    crate::answer::found_pacticipant(&state, &provider).await?;
    let pacts = state.store.publications(None, Some(&provider)).await?;
    let u = state.urls();
    let href = u.at(&format!("/pacts/provider/{}", crate::hal::seg(&provider)));
    ok(pact_list(
        &u,
        &provider,
        "All pact versions for the provider",
        href,
        &pacts,
    ))
}

async fn latest_pacts(State(state): State<Shared>) -> ApiResult {
    let pacts = newest_per_consumer(state.store.publications(None, None).await?);
    let u = state.urls();
    let items: Vec<Value> = pacts
        .iter()
        .map(|p| {
            json!({
                "createdAt": crate::hal::time(&p.created_at),
                "_embedded": {
                    "consumer": {"name": p.consumer, "_embedded": {"version": {"number": p.consumer_version}}, "_links": {"self": link(u.pacticipant(&p.consumer), None, None)}},
                    "provider": {"name": p.provider, "_links": {"self": link(u.pacticipant(&p.provider), None, None)}},
                },
                "_links": {"self": [link(u.latest_pact(&p.provider, &p.consumer), None, None), link(u.pact(&p.provider, &p.consumer, &p.consumer_version), None, None)]}
            })
        })
        .collect();
    ok(json!({"pacts": items, "_links": {"self": link(u.at("/pacts/latest"), None, None)}}))
}
