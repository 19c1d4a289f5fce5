//! Bi-directional contracts, free: a provider publishes its OpenAPI
//! document (`pact pactflow publish-provider-contract`, PactFlow's API),
//! with the result of its own tests against it; the broker checks each
//! consumer pact against it with `seam compat` and records the outcome as
//! a verification by that provider version, so the matrix, can-i-deploy
//! and `--explain` treat it like any other. A contract is checked against
//! the pacts the default selectors pick when it is published, and a pact
//! against the contracts of the provider's latest main-branch version and
//! of what is deployed or released when the pact is published.

use crate::answer::{found_pacticipant, json_body, opt_str, ApiError, ApiResult, Shared};
use crate::hal::{link, seg};
use crate::store::{Publication, StoreError, Version};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use serde_json::{json, Value};
use sqlx::Row;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route(
        "/provider-contracts/provider/{provider}/publish",
        post(publish),
    )
    .route(
        "/provider-contracts/provider/{provider}/version/{version}",
        get(show),
    )
}

/// A provider version's published contract.
#[derive(Debug, Clone)]
pub struct ProviderContract {
    pub specification: String,
    pub content_type: String,
    pub content: String,
    /// The provider's own tests against its contract: passed, failed or not said.
    pub self_verified: Option<bool>,
    pub self_verification: Option<String>,
    pub verifier: Option<String>,
    pub created_at: String,
}

async fn contract_of(
    state: &Shared,
    version_id: i64,
) -> Result<Option<ProviderContract>, StoreError> {
    let row = sqlx::query(
        "SELECT specification, content_type, content, self_verified, self_verification, verifier, created_at FROM provider_contracts WHERE provider_version_id = $1",
    )
    .bind(version_id)
    .fetch_optional(&state.store.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let self_verified: Option<i64> = r.try_get(3)?;
    Ok(Some(ProviderContract {
        specification: r.try_get(0)?,
        content_type: r.try_get(1)?,
        content: r.try_get(2)?,
        self_verified: self_verified.map(|v| v != 0),
        self_verification: r.try_get(4)?,
        verifier: r.try_get(5)?,
        created_at: r.try_get(6)?,
    }))
}

async fn save_contract(
    state: &Shared,
    version_id: i64,
    c: &ProviderContract,
) -> Result<(), StoreError> {
    let mut tx = state.store.pool.begin().await?;
    sqlx::query("DELETE FROM provider_contracts WHERE provider_version_id = $1")
        .bind(version_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO provider_contracts (provider_version_id, specification, content_type, content, self_verified, self_verification, verifier, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(version_id)
    .bind(&c.specification)
    .bind(&c.content_type)
    .bind(&c.content)
    .bind(c.self_verified.map(i64::from))
    .bind(&c.self_verification)
    .bind(&c.verifier)
    .bind(&c.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn decode(field: &str, b64: &str) -> Result<String, ApiError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|e| ApiError::invalid(field, format!("{field} is not base64: {e}")))?;
    String::from_utf8(bytes)
        .map_err(|_| ApiError::invalid(field, format!("{field} is not UTF-8 text")))
}

fn contract_url(state: &Shared, provider: &str, version: &str) -> String {
    state.urls().at(&format!(
        "/provider-contracts/provider/{}/version/{}",
        seg(provider),
        seg(version)
    ))
}

/// Checks `pact` against the provider version's contract and records the
/// outcome as a verification (once per pact content and contract).
async fn cross_check(
    state: &Shared,
    pact: &Publication,
    provider_version: &Version,
    contract: &ProviderContract,
) -> Result<bool, ApiError> {
    let marker = contract_url(state, &pact.provider, &provider_version.number);
    let done = state
        .store
        .verifications_of(pact.pact_version_id)
        .await?
        .into_iter()
        .find(|v| {
            v.provider_version_id == provider_version.id
                && v.build_url.as_deref() == Some(marker.as_str())
        });
    if let Some(v) = done {
        return Ok(v.success);
    }
    let spec_file = format!("{} {} contract", pact.provider, provider_version.number);
    let mut results = Vec::new();
    let compatible = match (
        seam_openapi::load::load_str(&spec_file, &contract.content),
        seam_pact::read_pact_str(&format!("{} pact", pact.consumer), &pact.content),
    ) {
        (Ok(spec), Ok(read)) => {
            match seam_compat::check(&spec, &spec_file, &[(String::new(), read)]) {
                Ok(report) => {
                    let mut by_interaction: Vec<(String, Vec<Value>)> = Vec::new();
                    for f in report.pacts.iter().flat_map(|p| &p.findings) {
                        if f.severity != seam_compat::Severity::Error {
                            continue;
                        }
                        let mismatch = json!({
                            "attribute": f.code,
                            "identifier": f.pact_location,
                            "description": match &f.spec_location {
                                Some(at) => format!("{} (the contract at {at})", f.message),
                                None => f.message.clone(),
                            },
                        });
                        match by_interaction.iter_mut().find(|(d, _)| *d == f.interaction) {
                            Some((_, list)) => list.push(mismatch),
                            None => by_interaction.push((f.interaction.clone(), vec![mismatch])),
                        }
                    }
                    for (description, mismatches) in by_interaction {
                        results.push(json!({"interactionDescription": description, "success": false, "mismatches": mismatches}));
                    }
                    report.is_compatible()
                }
                Err(errors) => {
                    results.push(json!({"interactionDescription": "(the provider contract)", "success": false,
                    "mismatches": errors.iter().map(|e| json!({"attribute": "contract", "description": e.to_string()})).collect::<Vec<_>>()}));
                    false
                }
            }
        }
        (Err(errors), _) => {
            results.push(json!({"interactionDescription": "(the provider contract)", "success": false,
                "mismatches": errors.iter().map(|e| json!({"attribute": "contract", "description": e.to_string()})).collect::<Vec<_>>()}));
            false
        }
        (_, Err(e)) => {
            results.push(
                json!({"interactionDescription": "(the pact)", "success": false,
                "mismatches": [{"attribute": "pact", "description": e.to_string()}]}),
            );
            false
        }
    };
    if contract.self_verified == Some(false) {
        results.push(json!({"interactionDescription": "(the provider's own tests of its contract)", "success": false,
            "mismatches": [{"attribute": "self-verification", "description": format!("the provider's tests against its contract failed ({})", contract.verifier.as_deref().unwrap_or("verifier not named"))}]}));
    }
    let success = compatible && contract.self_verified != Some(false);
    state
        .store
        .add_verification(
            pact.pact_version_id,
            provider_version,
            success,
            Some(&marker),
            Some(&Value::Array(results).to_string()),
            false,
        )
        .await?;
    Ok(success)
}

/// `POST /provider-contracts/provider/P/publish` (PactFlow's shape).
async fn publish(
    State(state): State<Shared>,
    Path(provider): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = json_body(&body)?;
    let Some(number) = opt_str(&body, "pacticipantVersionNumber")?.filter(|n| !n.trim().is_empty())
    else {
        return Err(ApiError::invalid(
            "pacticipantVersionNumber",
            "pacticipantVersionNumber is missing",
        ));
    };
    let contract = match body.get("contract") {
        Some(c) if c.is_object() => c,
        _ => return Err(ApiError::invalid("contract", "contract is missing: {\"content\": base64, \"contentType\": \"application/yaml\", \"specification\": \"oas\"}")),
    };
    let specification = opt_str(contract, "specification")?.unwrap_or("oas");
    if specification != "oas" {
        return Err(ApiError::invalid("contract.specification", format!("specification '{specification}' is not supported; provider contracts are OpenAPI documents (\"oas\")")));
    }
    let Some(content) = opt_str(contract, "content")? else {
        return Err(ApiError::invalid(
            "contract.content",
            "contract.content is missing (the OpenAPI document, base64)",
        ));
    };
    let content = decode("contract.content", content)?;
    if let Err(errors) =
        seam_openapi::load::load_str(&format!("{provider} {number} contract"), &content)
    {
        return Err(ApiError::Invalid(
            errors
                .iter()
                .map(|e| ("contract.content".to_string(), e.to_string()))
                .collect(),
        ));
    }
    let content_type = opt_str(contract, "contentType")?
        .unwrap_or("application/yaml")
        .to_string();
    let own = contract
        .get("selfVerificationResults")
        .cloned()
        .unwrap_or(Value::Null);
    let self_verified = match own.get("success") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            return Err(ApiError::invalid(
                "contract.selfVerificationResults.success",
                "success must be true or false",
            ))
        }
    };
    let self_verification = match own.get("content").and_then(Value::as_str) {
        Some(b64) => Some(decode("contract.selfVerificationResults.content", b64)?),
        None => None,
    };
    let verifier = own
        .get("verifier")
        .and_then(Value::as_str)
        .map(str::to_string);

    let version = state.store.ensure_version(&provider, number).await?;
    if let Some(branch) = opt_str(&body, "branch")?.filter(|b| !b.is_empty()) {
        state.store.add_branch(&version, branch).await?;
    }
    for tag in body
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(tag) = tag.as_str() {
            state.store.add_tag(&version, tag).await?;
        }
    }
    if let Some(url) = opt_str(&body, "buildUrl")? {
        state.store.set_build_url(version.id, url).await?;
    }
    let record = ProviderContract {
        specification: specification.to_string(),
        content_type,
        content,
        self_verified,
        self_verification,
        verifier,
        created_at: state.store.now(),
    };
    save_contract(&state, version.id, &record).await?;

    let mut notices = vec![
        json!({"type": "success", "text": format!("Provider contract for {provider} version {number} published.")}),
    ];
    if self_verified.is_none() {
        notices.push(json!({"type": "warning", "text": "No self-verification results were published: can-i-deploy counts the contract as unverified by the provider's own tests only when they fail; publish them with --verification-exit-code."}));
    }
    let p = found_pacticipant(&state, &provider).await?;
    for pact in crate::for_verification::default_pacts(&state, &p).await? {
        let ok = cross_check(&state, &pact, &version, &record).await?;
        notices.push(json!({"type": if ok { "success" } else { "danger" }, "text": format!(
            "The pact of {} version {} is {} with this contract.",
            pact.consumer, pact.consumer_version, if ok { "compatible" } else { "NOT compatible" }
        )}));
    }
    let url = contract_url(&state, &provider, number);
    let u = state.urls();
    let tags: Vec<Value> = state
        .store
        .tags_of(version.id)
        .await?
        .iter()
        .map(|t| link(u.tag(&provider, number, t), Some("Tag"), Some(t)))
        .collect();
    // the shape the official clients read back (PactFlow's)
    let mut response = crate::answer::hal_response(
        StatusCode::CREATED,
        json!({
            "notices": notices,
            "_embedded": {
                "pacticipant": {"name": provider, "_links": {"self": link(u.pacticipant(&provider), Some("Pacticipant"), Some(&provider))}},
                "version": crate::pacticipants::version_json(&state, &version).await?,
            },
            "_links": {
                "self": link(url.clone(), Some("Provider contract"), Some(number)),
                "pf:provider-contract": link(url.clone(), Some("Provider contract"), Some(number)),
                "pb:pacticipant": link(u.pacticipant(&provider), Some("Pacticipant"), Some(&provider)),
                "pb:pacticipant-version": link(u.version(&provider, number), Some("Pacticipant version"), Some(number)),
                "pb:pacticipant-version-tags": tags,
            }
        }),
    );
    if let Ok(v) = axum::http::HeaderValue::from_str(&url) {
        response
            .headers_mut()
            .insert(axum::http::header::LOCATION, v);
    }
    Ok(response)
}

async fn show(
    State(state): State<Shared>,
    Path((provider, number)): Path<(String, String)>,
) -> ApiResult {
    let version = crate::answer::found_version(&state, &provider, &number).await?;
    let Some(c) = contract_of(&state, version.id).await? else {
        return Err(ApiError::NotFound(format!(
            "No provider contract for {provider} version {number}"
        )));
    };
    crate::answer::ok(json!({
        "specification": c.specification,
        "contentType": c.content_type,
        "content": c.content,
        "selfVerificationResults": {"success": c.self_verified, "content": c.self_verification, "verifier": c.verifier},
        "createdAt": crate::hal::time(&c.created_at),
        "_links": {
            "self": link(contract_url(&state, &provider, &number), Some("Provider contract"), None),
            "pb:pacticipant-version": link(state.urls().version(&provider, &number), Some("Provider version"), Some(&number)),
        }
    }))
}

/// A pact just published: check it against the contracts of the
/// provider's latest main-branch version with one and of its deployed or
/// released versions.
pub async fn on_pact_published(state: &Shared, pact: &Publication) -> Result<(), ApiError> {
    let rows = sqlx::query(
        "SELECT pc.provider_version_id FROM provider_contracts pc JOIN versions v ON v.id = pc.provider_version_id WHERE v.pacticipant_id = $1 ORDER BY v.id DESC",
    )
    .bind(pact.provider_id)
    .fetch_all(&state.store.pool)
    .await
    .map_err(StoreError::from)?;
    if rows.is_empty() {
        return Ok(());
    }
    let provider = state.store.pacticipant(&pact.provider).await?;
    let main = provider.and_then(|p| p.main_branch);
    let mut latest_main_seen = false;
    for r in rows {
        let id: i64 = r.try_get(0).map_err(StoreError::from)?;
        let Some(version) = state.store.version_by_id(id).await? else {
            continue;
        };
        let on_main = match &main {
            Some(m) => state.store.branches_of(id).await?.contains(m),
            None => false,
        };
        let placed = !state.store.placements_of(id).await?.is_empty();
        let latest_main = on_main && !latest_main_seen;
        latest_main_seen |= on_main;
        if !(latest_main || placed) {
            continue;
        }
        if let Some(contract) = contract_of(state, id).await? {
            cross_check(state, pact, &version, &contract).await?;
        }
    }
    Ok(())
}
