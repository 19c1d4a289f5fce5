//! Environments and what runs in them: deployments (one current version per
//! application instance; a new deployment ends the previous one) and
//! releases (several supported at once), recorded and ended.

use crate::answer::{
    created_or_ok, found_version, json_body, ok, opt_str, ApiError, ApiResult, Shared,
};
use crate::hal::{display_name, link, Urls};
use crate::store::{Deployment, Environment, Placement};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use serde_json::{json, Value};
use std::collections::HashMap;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/environments", get(list).post(create))
        .route("/environments/{uuid}", get(show).put(update).delete(delete))
        .route(
            "/environments/{uuid}/deployed-versions/currently-deployed",
            get(currently_deployed),
        )
        .route(
            "/environments/{uuid}/released-versions/currently-supported",
            get(currently_supported),
        )
        .route(
            "/pacticipants/{name}/versions/{version}/deployed-versions",
            get(deployments_of_version),
        )
        .route(
            "/pacticipants/{name}/versions/{version}/deployed-versions/environment/{uuid}",
            post(record_deployment),
        )
        .route(
            "/pacticipants/{name}/versions/{version}/released-versions/environment/{uuid}",
            post(record_release),
        )
        .route(
            "/deployed-versions/{uuid}",
            get(show_deployed).patch(patch_deployed),
        )
        .route(
            "/released-versions/{uuid}",
            get(show_released).patch(patch_released),
        )
}

pub fn environment_json(u: &Urls, e: &Environment) -> Value {
    json!({
        "uuid": e.uuid,
        "name": e.name,
        "displayName": e.display_name.clone().unwrap_or_else(|| display_name(&e.name)),
        "production": e.production,
        "contacts": e.contacts.as_deref().and_then(|c| serde_json::from_str::<Value>(c).ok()),
        "createdAt": crate::hal::time(&e.created_at),
        "updatedAt": crate::hal::time(&e.updated_at),
        "_links": {
            "self": link(u.environment(&e.uuid), Some("Environment"), Some(&e.name)),
            "pb:currently-deployed-deployed-versions": link(format!("{}/deployed-versions/currently-deployed", u.environment(&e.uuid)), Some("Versions currently deployed to this environment"), None),
            "pb:currently-supported-released-versions": link(format!("{}/released-versions/currently-supported", u.environment(&e.uuid)), Some("Versions released and supported in this environment"), None),
            "pb:environments": link(u.at("/environments"), Some("Environments"), None),
        }
    })
}

pub fn placement_json(u: &Urls, kind: Placement, d: &Deployment) -> Value {
    let (href, current_key, ended_key) = match kind {
        Placement::Deployed => (
            u.deployed_version(&d.uuid),
            "currentlyDeployed",
            "undeployedAt",
        ),
        Placement::Released => (
            u.released_version(&d.uuid),
            "currentlySupported",
            "supportEndedAt",
        ),
    };
    let mut body = json!({
        "uuid": d.uuid,
        current_key: d.ended_at.is_none(),
        "createdAt": crate::hal::time(&d.created_at),
        ended_key: d.ended_at.as_deref().map(crate::hal::time),
        "_embedded": {
            "version": {"number": d.version, "_links": {"self": link(u.version(&d.pacticipant, &d.version), None, Some(&d.version))}},
            "pacticipant": {"name": d.pacticipant, "_links": {"self": link(u.pacticipant(&d.pacticipant), None, Some(&d.pacticipant))}},
            "environment": {"uuid": d.environment_uuid, "name": d.environment, "_links": {"self": link(u.environment(&d.environment_uuid), None, Some(&d.environment))}},
        },
        "_links": {
            "self": link(href, None, None),
            "pb:version": link(u.version(&d.pacticipant, &d.version), Some("Version"), Some(&d.version)),
            "pb:environment": link(u.environment(&d.environment_uuid), Some("Environment"), Some(&d.environment)),
        }
    });
    if kind == Placement::Deployed {
        body["applicationInstance"] = json!(d.application_instance);
        body["target"] = json!(d.application_instance);
    }
    body
}

async fn list(
    State(state): State<Shared>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    let u = state.urls();
    let all: Vec<Environment> = state
        .store
        .environments()
        .await?
        .into_iter()
        .filter(|e| query.get("name").is_none_or(|n| *n == e.name))
        .collect();
    let items: Vec<Value> = all.iter().map(|e| environment_json(&u, e)).collect();
    // the Ruby client reads environments from `_links`, the Rust one from `_embedded`
    let links: Vec<Value> = all
        .iter()
        .map(|e| link(u.environment(&e.uuid), Some("Environment"), Some(&e.name)))
        .collect();
    ok(json!({
        "_embedded": {"environments": items},
        "_links": {"self": link(u.at("/environments"), Some("Environments"), None), "pb:environments": links}
    }))
}

struct EnvironmentFields<'a> {
    name: &'a str,
    display_name: Option<&'a str>,
    production: bool,
    /// `contacts` as JSON text: a list of `{name, details}`
    contacts: Option<String>,
}

fn environment_fields(body: &Value) -> Result<EnvironmentFields<'_>, ApiError> {
    let name = match opt_str(body, "name")? {
        Some(n) if !n.trim().is_empty() => n,
        _ => return Err(ApiError::invalid("name", "name is missing")),
    };
    if name.contains(char::is_whitespace) {
        return Err(ApiError::invalid("name", "name cannot contain spaces"));
    }
    let production = match body.get("production") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Err(ApiError::invalid(
                "production",
                "production must be true or false",
            ))
        }
    };
    let contacts =
        match body.get("contacts") {
            None | Some(Value::Null) => None,
            Some(list @ Value::Array(items)) if items.iter().all(Value::is_object) => {
                Some(list.to_string())
            }
            Some(_) => return Err(ApiError::invalid(
                "contacts",
                "contacts must be a list of objects like {\"name\": \"...\", \"details\": {...}}",
            )),
        };
    Ok(EnvironmentFields {
        name,
        display_name: opt_str(body, "displayName")?,
        production,
        contacts,
    })
}

async fn create(State(state): State<Shared>, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let f = environment_fields(&body)?;
    if state.store.environment_named(f.name).await?.is_some() {
        return Err(ApiError::Invalid(vec![(
            "name".into(),
            format!("Another environment with name '{}' already exists.", f.name),
        )]));
    }
    let e = state
        .store
        .create_environment(f.name, f.display_name, f.production, f.contacts.as_deref())
        .await?;
    let u = state.urls();
    created_or_ok(true, &u.environment(&e.uuid), environment_json(&u, &e))
}

async fn found(state: &Shared, uuid: &str) -> Result<Environment, ApiError> {
    state
        .store
        .environment(uuid)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No environment with uuid {uuid} found")))
}

async fn show(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    let e = found(&state, &uuid).await?;
    ok(environment_json(&state.urls(), &e))
}

async fn update(State(state): State<Shared>, Path(uuid): Path<String>, body: Bytes) -> ApiResult {
    found(&state, &uuid).await?;
    let body = json_body(&body)?;
    let f = environment_fields(&body)?;
    if let Some(other) = state.store.environment_named(f.name).await? {
        if other.uuid != uuid {
            return Err(ApiError::invalid(
                "name",
                format!("Another environment with name '{}' already exists.", f.name),
            ));
        }
    }
    let e = state
        .store
        .update_environment(
            &uuid,
            f.name,
            f.display_name,
            f.production,
            f.contacts.as_deref(),
        )
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No environment with uuid {uuid} found")))?;
    ok(environment_json(&state.urls(), &e))
}

async fn delete(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    if state.store.delete_environment(&uuid).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!(
            "No environment with uuid {uuid} found"
        )))
    }
}

async fn current_in(
    state: Shared,
    uuid: String,
    kind: Placement,
    query: HashMap<String, String>,
) -> ApiResult {
    let e = found(&state, &uuid).await?;
    let u = state.urls();
    let items: Vec<Value> = state
        .store
        .current(kind, &e.name, query.get("pacticipant").map(String::as_str))
        .await?
        .iter()
        .filter(|d| {
            query
                .get("applicationInstance")
                .or(query.get("target"))
                .is_none_or(|i| d.application_instance.as_deref() == Some(i.as_str()))
        })
        .map(|d| placement_json(&u, kind, d))
        .collect();
    let key = match kind {
        Placement::Deployed => "deployedVersions",
        Placement::Released => "releasedVersions",
    };
    ok(
        json!({"_embedded": {key: items}, "_links": {"self": link(u.environment(&uuid), None, None)}}),
    )
}

async fn currently_deployed(
    State(state): State<Shared>,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    current_in(state, uuid, Placement::Deployed, query).await
}

async fn currently_supported(
    State(state): State<Shared>,
    Path(uuid): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> ApiResult {
    current_in(state, uuid, Placement::Released, query).await
}

/// Where a version is deployed now (`pb:deployed-environments`).
async fn deployments_of_version(
    State(state): State<Shared>,
    Path((name, number)): Path<(String, String)>,
) -> ApiResult {
    let v = crate::answer::found_version(&state, &name, &number).await?;
    let u = state.urls();
    let items: Vec<Value> = state
        .store
        .placements_of(v.id)
        .await?
        .iter()
        .filter(|(kind, _)| *kind == Placement::Deployed)
        .map(|(kind, d)| placement_json(&u, *kind, d))
        .collect();
    ok(json!({
        "_embedded": {"deployedVersions": items},
        "_links": {"self": link(format!("{}/deployed-versions", u.version(&name, &number)), Some("Deployed versions"), None)},
    }))
}

async fn record_deployment(
    State(state): State<Shared>,
    Path((name, number, uuid)): Path<(String, String, String)>,
    body: Bytes,
) -> ApiResult {
    let v = found_version(&state, &name, &number).await?;
    let e = found(&state, &uuid).await?;
    let body = json_body(&body)?;
    let instance = match opt_str(&body, "applicationInstance")? {
        Some(i) => Some(i),
        None => opt_str(&body, "target")?,
    };
    let d = state.store.record_deployment(&v, &e, instance).await?;
    let u = state.urls();
    created_or_ok(
        true,
        &u.deployed_version(&d.uuid),
        placement_json(&u, Placement::Deployed, &d),
    )
}

async fn record_release(
    State(state): State<Shared>,
    Path((name, number, uuid)): Path<(String, String, String)>,
) -> ApiResult {
    let v = found_version(&state, &name, &number).await?;
    let e = found(&state, &uuid).await?;
    let (d, created) = state.store.record_release(&v, &e).await?;
    let u = state.urls();
    created_or_ok(
        created,
        &u.released_version(&d.uuid),
        placement_json(&u, Placement::Released, &d),
    )
}

async fn show_placement(state: Shared, kind: Placement, uuid: String) -> ApiResult {
    match state.store.placement(kind, &uuid).await? {
        Some(d) => ok(placement_json(&state.urls(), kind, &d)),
        None => Err(ApiError::NotFound(format!(
            "No record with uuid {uuid} found"
        ))),
    }
}

async fn show_deployed(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    show_placement(state, Placement::Deployed, uuid).await
}

async fn show_released(State(state): State<Shared>, Path(uuid): Path<String>) -> ApiResult {
    show_placement(state, Placement::Released, uuid).await
}

/// `PATCH {"currentlyDeployed": false}` (or `currentlySupported`) ends it;
/// `true` on an ended one is refused, as the Pact Broker refuses it.
async fn patch_placement(state: Shared, kind: Placement, uuid: String, body: Bytes) -> ApiResult {
    let key = match kind {
        Placement::Deployed => "currentlyDeployed",
        Placement::Released => "currentlySupported",
    };
    let body = json_body(&body)?;
    let current = state
        .store
        .placement(kind, &uuid)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No record with uuid {uuid} found")))?;
    let d = match body.get(key) {
        Some(Value::Bool(false)) => state
            .store
            .end_placement(kind, &uuid)
            .await?
            .unwrap_or(current),
        Some(Value::Bool(true)) if current.ended_at.is_none() => current,
        Some(Value::Bool(true)) => {
            return Err(ApiError::invalid(
                key,
                format!("{key} cannot be set back to true"),
            ))
        }
        None => current,
        Some(_) => {
            return Err(ApiError::invalid(
                key,
                format!("{key} must be true or false"),
            ))
        }
    };
    ok(placement_json(&state.urls(), kind, &d))
}

async fn patch_deployed(
    State(state): State<Shared>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> ApiResult {
    patch_placement(state, Placement::Deployed, uuid, body).await
}

async fn patch_released(
    State(state): State<Shared>,
    Path(uuid): Path<String>,
    body: Bytes,
) -> ApiResult {
    patch_placement(state, Placement::Released, uuid, body).await
}
