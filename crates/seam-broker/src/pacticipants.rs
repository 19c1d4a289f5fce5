//! Pacticipants and their labels, versions, branches and tags: create, read,
//! update, delete, and the version resource the clients navigate from
//! (`pb:record-deployment`, `pb:record-release` per environment).

use crate::answer::{
    created_or_ok, found_pacticipant, found_version, json_body, ok, opt_str, ApiError, ApiResult,
    Shared,
};
use crate::hal::{display_name, link, Urls};
use crate::store::{Pacticipant, PacticipantFields, Placement, Version};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route(
        "/pacticipants/{name}/labels/{label}",
        get(show_label).put(put_label).delete(delete_label),
    )
    .route("/pacticipants/label/{label}", get(with_label))
    .route("/pacticipants", get(list).post(create))
    .route(
        "/pacticipants/{name}",
        get(show).put(put).patch(patch).delete(delete),
    )
    .route("/pacticipants/{name}/versions", get(versions))
    .route(
        "/pacticipants/{name}/versions/{version}",
        get(show_version).put(put_version).delete(delete_version),
    )
    .route("/pacticipants/{name}/latest-version", get(latest_version))
    .route(
        "/pacticipants/{name}/latest-version/{tag}",
        get(latest_tagged_version),
    )
    .route(
        "/pacticipants/{name}/versions/{version}/tags/{tag}",
        get(show_tag).put(put_tag).delete(delete_tag),
    )
    .route("/pacticipants/{name}/branches", get(branches))
    .route(
        "/pacticipants/{name}/branches/{branch}",
        get(show_branch).delete(delete_branch),
    )
    .route(
        "/pacticipants/{name}/branches/{branch}/versions/{version}",
        get(show_branch_version).put(put_branch_version),
    )
    .route(
        "/pacticipants/{name}/branches/{branch}/latest-version",
        get(latest_branch_version),
    )
}

pub fn pacticipant_json(u: &Urls, p: &Pacticipant) -> Value {
    json!({
        "name": p.name,
        "displayName": p.display_name.clone().unwrap_or_else(|| display_name(&p.name)),
        "mainBranch": p.main_branch,
        "repositoryUrl": p.repository_url,
        "repositoryName": p.repository_name,
        "repositoryNamespace": p.repository_namespace,
        "createdAt": crate::hal::time(&p.created_at),
        "updatedAt": crate::hal::time(&p.updated_at),
        "_links": {
            "self": link(u.pacticipant(&p.name), None, None),
            "pb:versions": link(format!("{}/versions", u.pacticipant(&p.name)), None, None),
            // the name the Ruby client's v1 pacts still read
            "versions": link(format!("{}/versions", u.pacticipant(&p.name)), None, None),
            "pb:version": {"href": format!("{}/versions/{{version}}", u.pacticipant(&p.name)), "title": "Get, create or delete a pacticipant version", "templated": true},
            "pb:version-tag": {"href": format!("{}/versions/{{version}}/tags/{{tag}}", u.pacticipant(&p.name)), "title": format!("Get, create or delete a tag for a version of {}", p.name), "templated": true},
            "pb:branch-version": {"href": format!("{}/branches/{{branch}}/versions/{{version}}", u.pacticipant(&p.name)), "title": format!("Get or add/create a version for a branch of {}", p.name), "templated": true},
            "pb:branches": link(format!("{}/branches", u.pacticipant(&p.name)), None, None),
            "pb:latest-version": link(format!("{}/latest-version", u.pacticipant(&p.name)), Some("Latest version for this pacticipant"), None),
            "pb:can-i-deploy-badge": {"href": format!("{}/latest-version/{{tag}}/can-i-deploy/to/{{environmentTag}}/badge", u.pacticipant(&p.name)), "title": format!("Can I Deploy {} badge", p.name), "templated": true},
            "pb:can-i-deploy-branch-to-environment-badge": {"href": format!("{}/branches/{{branch}}/latest-version/can-i-deploy/to-environment/{{environment}}/badge", u.pacticipant(&p.name)), "title": format!("Can I Deploy {} from branch to environment badge", p.name), "templated": true},
            "pb:label": {"href": format!("{}/labels/{{label}}", u.pacticipant(&p.name)), "title": format!("Get, create or delete a label for {}", p.name), "templated": true},
            "curies": [{"name": "pb", "href": u.at("/doc/{rel}?context=pacticipant"), "templated": true}],
        }
    })
}

/// A pacticipant with its latest version embedded, as the Pact Broker
/// shows it (`_embedded.latest-version`, absent without versions).
async fn pacticipant_with_latest(state: &Shared, p: &Pacticipant) -> Result<Value, ApiError> {
    let u = state.urls();
    let mut body = pacticipant_json(&u, p);
    if let Some(v) = state.store.latest_version(&p.name, None, None).await? {
        let latest = json!({
            "number": v.number,
            "_links": {"self": link(u.version(&p.name, &v.number), Some("Version"), Some(&v.number))}
        });
        // the older name first, still read by older clients
        body["_embedded"] = json!({"latest-version": latest, "latestVersion": latest});
    }
    body["_links"]["pb:deployed-environments"] = Value::Array(
        state
            .store
            .deployed_now(&p.name)
            .await?
            .iter()
            .map(|d| {
                link(
                    u.environment(&d.environment_uuid),
                    Some(&format!(
                        "Version {} deployed to {}",
                        d.version, d.environment
                    )),
                    Some(&d.environment),
                )
            })
            .collect(),
    );
    let labels: Vec<Value> = state
        .store
        .labels_of(&p.name)
        .await?
        .iter()
        .map(|l| label_json(&u, &p.name, l))
        .collect();
    body["_embedded"]["labels"] = Value::Array(labels);
    Ok(body)
}

fn label_url(u: &Urls, pacticipant: &str, label: &str) -> String {
    format!(
        "{}/labels/{}",
        u.pacticipant(pacticipant),
        crate::hal::seg(label)
    )
}

fn label_json(u: &Urls, pacticipant: &str, label: &str) -> Value {
    json!({
        "name": label,
        "_links": {
            "self": link(label_url(u, pacticipant, label), Some("Label"), Some(label)),
            "pb:pacticipant": link(u.pacticipant(pacticipant), Some("Pacticipant"), Some(pacticipant)),
        }
    })
}

async fn show_label(
    State(state): State<Shared>,
    Path((name, label)): Path<(String, String)>,
) -> ApiResult {
    found_pacticipant(&state, &name).await?;
    if !state.store.labels_of(&name).await?.contains(&label) {
        return Err(ApiError::NotFound(format!(
            "No label '{label}' on pacticipant '{name}'"
        )));
    }
    ok(label_json(&state.urls(), &name, &label))
}

/// Labels a pacticipant, making it when it does not exist (as the Pact
/// Broker does).
async fn put_label(
    State(state): State<Shared>,
    Path((name, label)): Path<(String, String)>,
) -> ApiResult {
    let p = state.store.ensure_pacticipant(&name).await?;
    let created = state.store.add_label(&p, &label).await?;
    let u = state.urls();
    created_or_ok(
        created,
        &label_url(&u, &name, &label),
        label_json(&u, &name, &label),
    )
}

async fn delete_label(
    State(state): State<Shared>,
    Path((name, label)): Path<(String, String)>,
) -> ApiResult {
    let p = found_pacticipant(&state, &name).await?;
    if state.store.delete_label(p.id, &label).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!(
            "No label '{label}' on pacticipant '{name}'"
        )))
    }
}

/// `GET /pacticipants/label/{label}`: the pacticipants carrying it.
async fn with_label(State(state): State<Shared>, Path(label): Path<String>) -> ApiResult {
    let u = state.urls();
    let mut items = Vec::new();
    for p in state.store.pacticipants_with_label(&label).await? {
        items.push(pacticipant_with_latest(&state, &p).await?);
    }
    ok(json!({
        "_embedded": {"pacticipants": items},
        "_links": {"self": link(u.at(&format!("/pacticipants/label/{}", crate::hal::seg(&label))), Some(&format!("Pacticipants labelled '{label}'")), None)},
    }))
}

async fn list(State(state): State<Shared>) -> ApiResult {
    let u = state.urls();
    let all = state.store.pacticipants().await?;
    let mut items = Vec::new();
    for p in &all {
        items.push(pacticipant_with_latest(&state, p).await?);
    }
    let links: Vec<Value> = all
        .iter()
        .map(|p| {
            link(
                u.pacticipant(&p.name),
                Some(&display_name(&p.name)),
                Some(&p.name),
            )
        })
        .collect();
    // `pacticipants` (the list and the relation) is the older name the
    // Ruby client's pacts read
    ok(json!({
        "pacticipants": items,
        "_embedded": {"pacticipants": items},
        "_links": {"self": link(u.at("/pacticipants"), None, None), "pb:pacticipants": links, "pacticipants": links}
    }))
}

/// The name a body gives (if any) and the fields it sets.
fn fields(body: &Value) -> Result<(Option<&str>, PacticipantFields<'_>), ApiError> {
    if !body.is_object() {
        return Err(ApiError::invalid("body", "expected a JSON object"));
    }
    Ok((
        opt_str(body, "name")?,
        PacticipantFields {
            display_name: opt_str(body, "displayName")?,
            main_branch: opt_str(body, "mainBranch")?,
            repository_url: opt_str(body, "repositoryUrl")?,
            repository_name: opt_str(body, "repositoryName")?,
            repository_namespace: opt_str(body, "repositoryNamespace")?,
        },
    ))
}

fn check_name(name: &str) -> Result<(), ApiError> {
    if name.trim().is_empty() {
        return Err(ApiError::invalid("name", "name cannot be blank"));
    }
    Ok(())
}

async fn create(State(state): State<Shared>, body: Bytes) -> ApiResult {
    let body = json_body(&body)?;
    let (name, f) = fields(&body)?;
    let Some(name) = name else {
        return Err(ApiError::invalid("name", "name is missing"));
    };
    check_name(name)?;
    let (p, created) = state.store.upsert_pacticipant(name, &f, false).await?;
    let u = state.urls();
    created_or_ok(
        created,
        &u.pacticipant(&p.name),
        pacticipant_with_latest(&state, &p).await?,
    )
}

async fn show(State(state): State<Shared>, Path(name): Path<String>) -> ApiResult {
    let p = found_pacticipant(&state, &name).await?;
    ok(pacticipant_with_latest(&state, &p).await?)
}

/// PUT replaces what the pacticipant says of itself (absent fields are
/// cleared), as the Pact Broker does.
async fn put(State(state): State<Shared>, Path(name): Path<String>, body: Bytes) -> ApiResult {
    upsert(state, name, body, true).await
}

/// PATCH changes the fields given and leaves the others.
async fn patch(State(state): State<Shared>, Path(name): Path<String>, body: Bytes) -> ApiResult {
    upsert(state, name, body, false).await
}

async fn upsert(state: Shared, name: String, body: Bytes, replace: bool) -> ApiResult {
    check_name(&name)?;
    let body = json_body(&body)?;
    let (given, f) = fields(&body)?;
    if let Some(other) = given.filter(|n| *n != name) {
        return Err(ApiError::invalid(
            "name",
            format!("name in the body ({other}) does not match the name in the path ({name})"),
        ));
    }
    let (p, created) = state.store.upsert_pacticipant(&name, &f, replace).await?;
    let u = state.urls();
    created_or_ok(
        created,
        &u.pacticipant(&p.name),
        pacticipant_with_latest(&state, &p).await?,
    )
}

async fn delete(State(state): State<Shared>, Path(name): Path<String>) -> ApiResult {
    if state.store.delete_pacticipant(&name).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!(
            "No pacticipant with name '{name}' found"
        )))
    }
}

/// The version resource, with what the clients look for in it.
pub async fn version_json(state: &Shared, v: &Version) -> Result<Value, ApiError> {
    let u = state.urls();
    let tags = state.store.tags_of(v.id).await?;
    let branches = state.store.branches_of(v.id).await?;
    let environments = state.store.environments().await?;
    let placements = state.store.placements_of(v.id).await?;
    let tag_items: Vec<Value> = tags
        .iter()
        .map(|t| {
            json!({"name": t, "_links": {"self": link(u.tag(&v.pacticipant, &v.number, t), None, Some(t))}})
        })
        .collect();
    let mut branch_items = Vec::new();
    for b in &branches {
        let latest = state
            .store
            .latest_version(&v.pacticipant, None, Some(b))
            .await?
            .is_some_and(|l| l.id == v.id);
        branch_items.push(json!({
            "name": b,
            "latest": latest,
            "_links": {"self": link(u.branch_version(&v.pacticipant, b, &v.number), None, Some(b))}
        }));
    }
    let record = |kind: &str, verb: &str| -> Vec<Value> {
        environments
            .iter()
            .map(|e| {
                let title = format!(
                    "{verb} to {}",
                    e.display_name
                        .clone()
                        .unwrap_or_else(|| display_name(&e.name))
                );
                link(
                    format!(
                        "{}/{kind}/environment/{}",
                        u.version(&v.pacticipant, &v.number),
                        e.uuid
                    ),
                    Some(&title),
                    Some(&e.name),
                )
            })
            .collect()
    };
    let deployed: Vec<Value> = placements
        .iter()
        .filter(|(k, _)| *k == Placement::Deployed)
        .map(|(_, d)| crate::environments::placement_json(&u, Placement::Deployed, d))
        .collect();
    let released: Vec<Value> = placements
        .iter()
        .filter(|(k, _)| *k == Placement::Released)
        .map(|(_, d)| crate::environments::placement_json(&u, Placement::Released, d))
        .collect();
    Ok(json!({
        "number": v.number,
        "buildUrl": v.build_url,
        "createdAt": crate::hal::time(&v.created_at),
        "_embedded": {
            "branchVersions": branch_items,
            "tags": tag_items,
            "deployedVersions": deployed,
            "releasedVersions": released,
        },
        "_links": {
            "self": link(u.version(&v.pacticipant, &v.number), Some("Version"), Some(&v.number)),
            "pb:pacticipant": link(u.pacticipant(&v.pacticipant), Some("Pacticipant"), Some(&v.pacticipant)),
            "pb:tag": {"href": format!("{}/tags/{{tag}}", u.version(&v.pacticipant, &v.number)), "title": "Get, create or delete a tag for this pacticipant version", "templated": true},
            "pb:record-deployment": record("deployed-versions", "Record deployment"),
            "pb:record-release": record("released-versions", "Record release"),
            "pb:deployed-environments": link(format!("{}/deployed-versions", u.version(&v.pacticipant, &v.number)), None, None),
        }
    }))
}

async fn versions(State(state): State<Shared>, Path(name): Path<String>) -> ApiResult {
    found_pacticipant(&state, &name).await?;
    let all = state.store.versions(&name).await?;
    let mut items = Vec::new();
    for v in &all {
        items.push(version_json(&state, v).await?);
    }
    let u = state.urls();
    ok(json!({
        "_embedded": {"versions": items},
        "_links": {"self": link(format!("{}/versions", u.pacticipant(&name)), None, None)}
    }))
}

async fn show_version(
    State(state): State<Shared>,
    Path((name, number)): Path<(String, String)>,
) -> ApiResult {
    let v = found_version(&state, &name, &number).await?;
    ok(version_json(&state, &v).await?)
}

/// `PUT /pacticipants/{p}/versions/{v}`: creates the version; `buildUrl`
/// and `branch` in the body are recorded.
async fn put_version(
    State(state): State<Shared>,
    Path((name, number)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let body = json_body(&body)?;
    if number.trim().is_empty() {
        return Err(ApiError::invalid(
            "number",
            "version number cannot be blank",
        ));
    }
    let existed = state.store.version(&name, &number).await?.is_some();
    let v = state.store.ensure_version(&name, &number).await?;
    if let Some(url) = opt_str(&body, "buildUrl")? {
        state.store.set_build_url(v.id, url).await?;
    }
    if let Some(branch) = opt_str(&body, "branch")? {
        state.store.add_branch(&v, branch).await?;
    }
    if let Some(tags) = body.get("tags").and_then(Value::as_array) {
        for t in tags {
            if let Some(name) = t.get("name").and_then(Value::as_str).or(t.as_str()) {
                state.store.add_tag(&v, name).await?;
            }
        }
    }
    let v = found_version(&state, &name, &number).await?;
    let u = state.urls();
    created_or_ok(
        !existed,
        &u.version(&name, &number),
        version_json(&state, &v).await?,
    )
}

async fn delete_version(
    State(state): State<Shared>,
    Path((name, number)): Path<(String, String)>,
) -> ApiResult {
    if state.store.delete_version(&name, &number).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!(
            "No version '{number}' of pacticipant '{name}' found"
        )))
    }
}

async fn latest_version(State(state): State<Shared>, Path(name): Path<String>) -> ApiResult {
    found_pacticipant(&state, &name).await?;
    match state.store.latest_version(&name, None, None).await? {
        Some(v) => ok(version_json(&state, &v).await?),
        None => Err(ApiError::NotFound(format!(
            "No versions of pacticipant '{name}' found"
        ))),
    }
}

async fn latest_tagged_version(
    State(state): State<Shared>,
    Path((name, tag)): Path<(String, String)>,
) -> ApiResult {
    match state.store.latest_version(&name, Some(&tag), None).await? {
        Some(v) => ok(version_json(&state, &v).await?),
        None => Err(ApiError::NotFound(format!(
            "No version of pacticipant '{name}' with tag '{tag}' found"
        ))),
    }
}

async fn latest_branch_version(
    State(state): State<Shared>,
    Path((name, branch)): Path<(String, String)>,
) -> ApiResult {
    match state
        .store
        .latest_version(&name, None, Some(&branch))
        .await?
    {
        Some(v) => ok(version_json(&state, &v).await?),
        None => Err(ApiError::NotFound(format!(
            "No version of pacticipant '{name}' on branch '{branch}' found"
        ))),
    }
}

fn tag_json(u: &Urls, v: &Version, tag: &str, created_at: Option<String>) -> Value {
    json!({
        "name": tag,
        "createdAt": created_at.as_deref().map(crate::hal::time),
        "_links": {
            "self": link(u.tag(&v.pacticipant, &v.number, tag), Some("Tag"), Some(tag)),
            "pb:version": link(u.version(&v.pacticipant, &v.number), Some("Version"), Some(&v.number)),
            "pb:pacticipant": link(u.pacticipant(&v.pacticipant), Some("Pacticipant"), Some(&v.pacticipant)),
        }
    })
}

async fn show_tag(
    State(state): State<Shared>,
    Path((name, number, tag)): Path<(String, String, String)>,
) -> ApiResult {
    let v = found_version(&state, &name, &number).await?;
    match state.store.tag_created_at(v.id, &tag).await? {
        Some(at) => ok(tag_json(&state.urls(), &v, &tag, Some(at))),
        None => Err(ApiError::NotFound(format!(
            "No tag '{tag}' on version '{number}' of '{name}'"
        ))),
    }
}

async fn put_tag(
    State(state): State<Shared>,
    Path((name, number, tag)): Path<(String, String, String)>,
) -> ApiResult {
    if tag.trim().is_empty() {
        return Err(ApiError::invalid("tag", "tag name cannot be blank"));
    }
    let v = state.store.ensure_version(&name, &number).await?;
    let created = state.store.add_tag(&v, &tag).await?;
    let at = state.store.tag_created_at(v.id, &tag).await?;
    let u = state.urls();
    created_or_ok(
        created,
        &u.tag(&name, &number, &tag),
        tag_json(&u, &v, &tag, at),
    )
}

async fn delete_tag(
    State(state): State<Shared>,
    Path((name, number, tag)): Path<(String, String, String)>,
) -> ApiResult {
    let v = found_version(&state, &name, &number).await?;
    if state.store.delete_tag(v.id, &tag).await? {
        Ok(StatusCode::NO_CONTENT.into_response())
    } else {
        Err(ApiError::NotFound(format!(
            "No tag '{tag}' on version '{number}' of '{name}'"
        )))
    }
}

async fn branches(State(state): State<Shared>, Path(name): Path<String>) -> ApiResult {
    found_pacticipant(&state, &name).await?;
    let u = state.urls();
    let branches = state.store.branches_made(&name).await?;
    let items: Vec<Value> = branches
        .iter()
        .map(|(b, latest, made)| {
            json!({
                "name": b,
                "latestVersion": latest,
                "createdAt": crate::hal::time(made),
                "_links": {
                    "self": link(u.branch(&name, b), Some("Branch"), Some(b)),
                    "pb:latest-version": link(format!("{}/latest-version", u.branch(&name, b)), Some("Latest version for branch"), None),
                }
            })
        })
        .collect();
    let links: Vec<Value> = branches
        .iter()
        .map(|(b, _, _)| link(u.branch(&name, b), None, Some(b)))
        .collect();
    ok(json!({
        "_embedded": {"branches": items},
        "_links": {
            "self": link(format!("{}/branches", u.pacticipant(&name)), Some(&format!("{name} branches")), None),
            "pb:branches": links,
        }
    }))
}

async fn found_branch(state: &Shared, name: &str, branch: &str) -> Result<String, ApiError> {
    state
        .store
        .branches(name)
        .await?
        .into_iter()
        .find(|(b, _)| b == branch)
        .map(|(_, latest)| latest)
        .ok_or_else(|| {
            ApiError::NotFound(format!(
                "No branch '{branch}' of pacticipant '{name}' found"
            ))
        })
}

async fn show_branch(
    State(state): State<Shared>,
    Path((name, branch)): Path<(String, String)>,
) -> ApiResult {
    let latest = found_branch(&state, &name, &branch).await?;
    let u = state.urls();
    ok(json!({
        "name": branch,
        "latestVersion": latest,
        "_links": {
            "self": link(u.branch(&name, &branch), None, Some(&branch)),
            "pb:latest-version": link(format!("{}/latest-version", u.branch(&name, &branch)), Some("Latest version for this branch"), None),
            "pb:pacticipant": link(u.pacticipant(&name), None, Some(&name)),
        }
    }))
}

/// Removes the branch; its versions stay.
async fn delete_branch(
    State(state): State<Shared>,
    Path((name, branch)): Path<(String, String)>,
) -> ApiResult {
    found_branch(&state, &name, &branch).await?;
    state.store.delete_branch(&name, &branch).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn branch_version_json(u: &Urls, v: &Version, branch: &str) -> Value {
    json!({
        "name": branch,
        "_links": {
            "self": link(u.branch_version(&v.pacticipant, branch, &v.number), None, None),
            "pb:version": link(u.version(&v.pacticipant, &v.number), Some("Version"), Some(&v.number)),
            "pb:branch": link(u.branch(&v.pacticipant, branch), Some("Branch"), Some(branch)),
        }
    })
}

async fn show_branch_version(
    State(state): State<Shared>,
    Path((name, branch, number)): Path<(String, String, String)>,
) -> ApiResult {
    let v = found_version(&state, &name, &number).await?;
    if !state.store.branches_of(v.id).await?.contains(&branch) {
        return Err(ApiError::NotFound(format!(
            "Version '{number}' of '{name}' is not on branch '{branch}'"
        )));
    }
    ok(branch_version_json(&state.urls(), &v, &branch))
}

async fn put_branch_version(
    State(state): State<Shared>,
    Path((name, branch, number)): Path<(String, String, String)>,
) -> ApiResult {
    if branch.trim().is_empty() {
        return Err(ApiError::invalid("branch", "branch name cannot be blank"));
    }
    let v = state.store.ensure_version(&name, &number).await?;
    let created = state.store.add_branch(&v, &branch).await?;
    let u = state.urls();
    created_or_ok(
        created,
        &u.branch_version(&name, &branch, &number),
        branch_version_json(&u, &v, &branch),
    )
}
