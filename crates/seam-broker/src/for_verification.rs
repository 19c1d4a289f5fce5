//! Pacts for verification: a provider's consumer version selectors (`tag`,
//! `latest`, `fallbackTag`, `branch`, `fallbackBranch`, `mainBranch`,
//! `matchingBranch`, `deployed`, `released`, `deployedOrReleased`,
//! `environment`, `consumer`), the broker's defaults when none are given,
//! one entry per pact content under its newest consumer version, pending
//! status and work-in-progress pacts (marked in each pact URL's metadata,
//! `hal::Urls::pact_with_metadata`, which a verification carries back).

use crate::answer::{found_pacticipant, hal_response, json_body, ApiError, ApiResult, Shared};
use crate::hal::link;
use crate::store::{Pacticipant, Placement, Publication, Version};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::BTreeMap;

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route(
        "/pacts/provider/{provider}/for-verification",
        get(for_verification_get).post(for_verification_post),
    )
}

/// What a pact's URL says about why it was given: read back when a
/// verification is published through it.
/// One consumer version selector, as the verifier sends it.
#[derive(Debug, Clone, Default)]
struct ConsumerSelector {
    tag: Option<String>,
    fallback_tag: Option<String>,
    latest: Option<bool>,
    consumer: Option<String>,
    branch: Option<String>,
    fallback_branch: Option<String>,
    main_branch: bool,
    matching_branch: bool,
    deployed: bool,
    released: bool,
    environment: Option<String>,
}

const SELECTOR_KEYS: &[&str] = &[
    "tag",
    "fallbackTag",
    "latest",
    "consumer",
    "branch",
    "fallbackBranch",
    "mainBranch",
    "matchingBranch",
    "deployed",
    "released",
    "deployedOrReleased",
    "environment",
];

fn read_selector(i: usize, v: &Value) -> Result<Vec<ConsumerSelector>, ApiError> {
    let field = format!("consumerVersionSelectors[{i}]");
    let Value::Object(map) = v else {
        return Err(ApiError::invalid(&field, "a selector is a JSON object"));
    };
    for key in map.keys() {
        if !SELECTOR_KEYS.contains(&key.as_str()) {
            return Err(ApiError::invalid(
                &field,
                format!(
                    "unknown key '{key}'{}",
                    seam_core::source::did_you_mean(key, SELECTOR_KEYS.iter().copied())
                ),
            ));
        }
    }
    let s = |k: &str| -> Result<Option<String>, ApiError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::invalid(
                &field,
                format!("{k} must be a non-empty string"),
            )),
        }
    };
    let b = |k: &str| -> Result<Option<bool>, ApiError> {
        match map.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(ApiError::invalid(
                &field,
                format!("{k} must be true or false"),
            )),
        }
    };
    let base = ConsumerSelector {
        tag: s("tag")?,
        fallback_tag: s("fallbackTag")?,
        latest: b("latest")?,
        consumer: s("consumer")?,
        branch: s("branch")?,
        fallback_branch: s("fallbackBranch")?,
        main_branch: b("mainBranch")?.unwrap_or(false),
        matching_branch: b("matchingBranch")?.unwrap_or(false),
        deployed: b("deployed")?.unwrap_or(false),
        released: b("released")?.unwrap_or(false),
        environment: s("environment")?,
    };
    if base.fallback_tag.is_some() && base.latest != Some(true) {
        return Err(ApiError::invalid(
            &field,
            "fallbackTag can only be set if latest is true",
        ));
    }
    if base.fallback_branch.is_some() && base.branch.is_none() {
        return Err(ApiError::invalid(
            &field,
            "fallbackBranch can only be set if branch is set",
        ));
    }
    let chosen = [
        base.tag.is_some(),
        base.branch.is_some(),
        base.main_branch,
        base.matching_branch,
        base.deployed
            || base.released
            || base.environment.is_some()
            || b("deployedOrReleased")?.unwrap_or(false),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if chosen > 1 {
        return Err(ApiError::invalid(
            &field,
            "only one of tag, branch, mainBranch, matchingBranch and deployed/released/environment may be set",
        ));
    }
    if chosen == 0 && base.latest.is_none() && base.consumer.is_none() {
        return Err(ApiError::invalid(
            &field,
            "a selector needs at least one criterion",
        ));
    }
    if b("deployedOrReleased")?.unwrap_or(false) {
        return Ok(vec![
            ConsumerSelector {
                deployed: true,
                ..base.clone()
            },
            ConsumerSelector {
                released: true,
                ..base
            },
        ]);
    }
    Ok(vec![base])
}

struct Request {
    selectors: Option<Vec<ConsumerSelector>>,
    provider_branch: Option<String>,
    provider_tags: Vec<String>,
    include_pending: bool,
    wip_since: Option<String>,
}

fn read_request(body: &Value) -> Result<Request, ApiError> {
    let selectors = match body.get("consumerVersionSelectors") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                out.extend(read_selector(i, item)?);
            }
            Some(out)
        }
        Some(_) => {
            return Err(ApiError::invalid(
                "consumerVersionSelectors",
                "consumerVersionSelectors must be an array",
            ))
        }
    };
    let provider_tags = match body.get("providerVersionTags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect(),
        Some(_) => {
            return Err(ApiError::invalid(
                "providerVersionTags",
                "providerVersionTags must be an array of strings",
            ))
        }
    };
    let wip_since = match body.get("includeWipPactsSince") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(read_date(s)?),
        Some(_) => {
            return Err(ApiError::invalid(
                "includeWipPactsSince",
                "includeWipPactsSince must be a date",
            ))
        }
    };
    Ok(Request {
        selectors,
        provider_branch: body
            .get("providerVersionBranch")
            .and_then(Value::as_str)
            .map(String::from),
        provider_tags,
        include_pending: body
            .get("includePendingStatus")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        wip_since,
    })
}

/// A date or date-time as a stamp comparable with stored ones.
fn read_date(s: &str) -> Result<String, ApiError> {
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(crate::store::stamp(t.with_timezone(&chrono::Utc)));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        let t = d.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
        return Ok(crate::store::stamp(t));
    }
    Err(ApiError::invalid(
        "includeWipPactsSince",
        format!("'{s}' is not a date (expected YYYY-MM-DD or an ISO 8601 date-time)"),
    ))
}

/// A pact chosen for verification and why.
struct Chosen {
    pact: Publication,
    version: Version,
    why: Vec<String>,
    /// the Pact Broker's short form of each reason (`latest with tag prod`)
    short: Vec<String>,
    wip: bool,
}

/// The consumer's versions with a pact for `provider` that `s` selects,
/// newest first, each with the words saying why.
async fn select(
    state: &Shared,
    provider: &Pacticipant,
    consumer: &Pacticipant,
    s: &ConsumerSelector,
    provider_branch: Option<&str>,
) -> Result<Vec<(Version, String, String)>, ApiError> {
    let store = &state.store;
    let with_pact = |versions: Vec<Version>| async move {
        let mut out = Vec::new();
        for v in versions {
            if store.publication_for(v.id, provider.id).await?.is_some() {
                out.push(v);
            }
        }
        Ok::<_, ApiError>(out)
    };
    let name = consumer.name.as_str();
    let latest_only = |mut v: Vec<Version>| {
        v.truncate(1);
        v
    };
    if s.deployed || s.released || s.environment.is_some() {
        let kinds: Vec<Placement> = match (s.deployed, s.released) {
            (true, false) => vec![Placement::Deployed],
            (false, true) => vec![Placement::Released],
            _ => vec![Placement::Deployed, Placement::Released],
        };
        let environments = match &s.environment {
            Some(e) => vec![e.clone()],
            None => store
                .environments()
                .await?
                .into_iter()
                .map(|e| e.name)
                .collect(),
        };
        let mut out = Vec::new();
        for kind in kinds {
            for env in &environments {
                for d in store.current(kind, env, Some(name)).await? {
                    if let Some(v) = store.version_by_id(d.version_id).await? {
                        let (verb, short) = if kind == Placement::Deployed {
                            ("currently deployed to", "deployed to")
                        } else {
                            ("currently released and supported in", "released in")
                        };
                        out.push((
                            v,
                            format!("version(s) {verb} {env} ({})", d.version),
                            format!("{short} {env}"),
                        ));
                    }
                }
            }
        }
        let versions: Vec<Version> = out.iter().map(|(v, _, _)| v.clone()).collect();
        let keep = with_pact(versions).await?;
        return Ok(out
            .into_iter()
            .filter(|(v, _, _)| keep.iter().any(|k| k.id == v.id))
            .collect());
    }
    let branch = if s.matching_branch {
        provider_branch.map(String::from)
    } else if s.main_branch {
        match &consumer.main_branch {
            Some(b) => Some(b.clone()),
            None => return Ok(Vec::new()),
        }
    } else {
        s.branch.clone()
    };
    if let Some(b) = branch {
        let mut found = latest_only(with_pact(store.versions_on_branch(name, &b).await?).await?);
        let mut words = format!("latest version from branch '{b}'");
        let mut short = format!("latest from branch {b}");
        if s.main_branch {
            words = format!("latest version from the main branch '{b}'");
            short = "latest from main branch".to_string();
        }
        if found.is_empty() {
            if let Some(fb) = &s.fallback_branch {
                found = latest_only(with_pact(store.versions_on_branch(name, fb).await?).await?);
                words = format!("latest version from fallback branch '{fb}'");
                short = format!("latest from branch {fb}");
            }
        }
        return Ok(worded(found, &words, &short));
    }
    if let Some(t) = &s.tag {
        let all = with_pact(store.versions_with_tag(name, t).await?).await?;
        if s.latest == Some(true) {
            let mut found = latest_only(all);
            let mut words = format!("latest version tagged '{t}'");
            let mut short = format!("latest with tag {t}");
            if found.is_empty() {
                if let Some(ft) = &s.fallback_tag {
                    found = latest_only(with_pact(store.versions_with_tag(name, ft).await?).await?);
                    words = format!("latest version with fallback tag '{ft}'");
                    short = format!("latest with tag {ft}");
                }
            }
            return Ok(worded(found, &words, &short));
        }
        let short = match &s.consumer {
            Some(c) => format!("one of {c} {t}"),
            None => format!("one of {t}"),
        };
        return Ok(all
            .into_iter()
            .map(|v| {
                let w = format!("one of all versions tagged '{t}' ({})", v.number);
                (v, w, short.clone())
            })
            .collect());
    }
    // `latest: true`, or a consumer alone: the newest version with a pact
    let found = latest_only(with_pact(store.versions(name).await?).await?);
    Ok(found
        .into_iter()
        .map(|v| {
            let w = format!(
                "latest version of {name} that has a pact with {} ({})",
                provider.name, v.number
            );
            (v, w, "latest".to_string())
        })
        .collect())
}

/// Each version with why it was chosen, `words (number)`, and the short
/// form (the Pact Broker's `shortDescription`).
fn worded(found: Vec<Version>, words: &str, short: &str) -> Vec<(Version, String, String)> {
    found
        .into_iter()
        .map(|v| {
            let w = format!("{words} ({})", v.number);
            (v, w, short.to_string())
        })
        .collect()
}

/// The consumers with pacts for `provider`.
async fn consumers(state: &Shared, provider: &Pacticipant) -> Result<Vec<Pacticipant>, ApiError> {
    Ok(state.store.consumers_of(provider.id).await?)
}

/// The broker's default selectors: per consumer, the latest from its main
/// branch (or the overall latest when it has none), and what is deployed or
/// released.
fn default_selectors() -> Vec<ConsumerSelector> {
    vec![
        ConsumerSelector {
            main_branch: true,
            ..ConsumerSelector::default()
        },
        ConsumerSelector {
            deployed: true,
            ..ConsumerSelector::default()
        },
        ConsumerSelector {
            released: true,
            ..ConsumerSelector::default()
        },
    ]
}

/// Whether the pact content is still pending for the provider: not yet
/// verified successfully by a provider version on its branch (or with each
/// of its tags), nor by any version before that branch or tag was first
/// used (a new branch inherits what came before it). Without a branch or
/// tags: no successful verification at all. Verifications of WIP pacts do
/// not count.
async fn pending(
    state: &Shared,
    provider: &Pacticipant,
    pact: &Publication,
    req: &Request,
    for_wip: bool,
) -> Result<bool, ApiError> {
    // the WIP finder ignores verifications made more than 30 days before
    // the pact was published
    let cutoff = for_wip
        .then(|| chrono::DateTime::parse_from_rfc3339(&pact.created_at).ok())
        .flatten()
        .map(|t| crate::store::stamp(t.with_timezone(&chrono::Utc) - chrono::Duration::days(30)));
    let successes: Vec<_> = state
        .store
        .verifications_of(pact.pact_version_id)
        .await?
        .into_iter()
        .filter(|v| v.success && !v.wip)
        .filter(|v| cutoff.as_ref().is_none_or(|c| v.created_at >= *c))
        .collect();
    if req.provider_branch.is_none() && req.provider_tags.is_empty() {
        return Ok(successes.is_empty());
    }
    // (kind, name): pending for it unless a success counts
    let mut checks: Vec<(bool, &str)> = Vec::new();
    if let Some(b) = &req.provider_branch {
        checks.push((true, b));
    } else {
        checks.extend(req.provider_tags.iter().map(|t| (false, t.as_str())));
    }
    for (is_branch, name) in checks {
        let first_used = if is_branch {
            state.store.branch_first_used(provider.id, name).await?
        } else {
            state.store.tag_first_used(provider.id, name).await?
        };
        let mut verified = false;
        for v in &successes {
            // what a version was on: its branches, or its tags
            let marks = if is_branch {
                state.store.branches_of(v.provider_version_id).await?
            } else {
                state.store.tags_of(v.provider_version_id).await?
            };
            let on_it = marks.iter().any(|m| m == name);
            // a new branch or tag inherits successes of branched or tagged
            // versions from before it was first used
            let inherited =
                !marks.is_empty() && first_used.as_ref().is_none_or(|at| v.created_at < *at);
            if on_it || inherited {
                verified = true;
                break;
            }
        }
        if !verified {
            return Ok(true);
        }
    }
    Ok(false)
}

async fn choose(
    state: &Shared,
    provider: &Pacticipant,
    req: &Request,
) -> Result<Vec<Chosen>, ApiError> {
    let selectors = req.selectors.clone().unwrap_or_else(default_selectors);
    let defaults = req.selectors.is_none();
    let mut by_content: BTreeMap<i64, Chosen> = BTreeMap::new();
    let all_consumers = consumers(state, provider).await?;
    for consumer in &all_consumers {
        for s in &selectors {
            if s.consumer.as_ref().is_some_and(|c| *c != consumer.name) {
                continue;
            }
            let mut picked =
                select(state, provider, consumer, s, req.provider_branch.as_deref()).await?;
            if defaults && s.main_branch && picked.is_empty() {
                // no main branch version: the latest tagged with its name,
                // else the latest
                let tagged = consumer.main_branch.as_ref().map(|b| ConsumerSelector {
                    tag: Some(b.clone()),
                    latest: Some(true),
                    ..ConsumerSelector::default()
                });
                let latest = ConsumerSelector {
                    latest: Some(true),
                    ..ConsumerSelector::default()
                };
                for fallback in tagged.into_iter().chain([latest]) {
                    picked = select(state, provider, consumer, &fallback, None).await?;
                    if !picked.is_empty() {
                        break;
                    }
                }
            }
            for (v, why, short) in picked {
                let Some(pact) = state.store.publication_for(v.id, provider.id).await? else {
                    continue;
                };
                let entry = by_content
                    .entry(pact.pact_version_id)
                    .or_insert_with(|| Chosen {
                        pact: pact.clone(),
                        version: v.clone(),
                        why: Vec::new(),
                        short: Vec::new(),
                        wip: false,
                    });
                if v.id > entry.version.id {
                    entry.version = v.clone();
                    entry.pact = pact;
                }
                if !entry.why.contains(&why) {
                    entry.why.push(why);
                }
                if !entry.short.contains(&short) {
                    entry.short.push(short);
                }
            }
        }
    }
    let mut chosen: Vec<Chosen> = by_content.into_values().collect();
    chosen.sort_by_key(|c| (c.pact.consumer.clone(), c.version.id));
    let mut wip_pacts: Vec<Chosen> = Vec::new();
    if let Some(since) = &req.wip_since {
        // work in progress: the newest pact of each consumer branch or tag,
        // published since the date, not selected above and still pending
        for consumer in &all_consumers {
            let mut heads: Vec<Version> = Vec::new();
            for (branch, _) in state.store.branches(&consumer.name).await? {
                heads.extend(
                    state
                        .store
                        .latest_version(&consumer.name, None, Some(&branch))
                        .await?,
                );
            }
            for v in state.store.versions(&consumer.name).await? {
                if !state.store.tags_of(v.id).await?.is_empty() {
                    let tags = state.store.tags_of(v.id).await?;
                    for t in tags {
                        if let Some(latest) = state
                            .store
                            .latest_version(&consumer.name, Some(&t), None)
                            .await?
                        {
                            if latest.id == v.id {
                                heads.push(v.clone());
                            }
                        }
                    }
                }
            }
            for v in heads {
                let Some(pact) = state.store.publication_for(v.id, provider.id).await? else {
                    continue;
                };
                if pact.created_at < *since
                    || chosen
                        .iter()
                        .chain(&wip_pacts)
                        .any(|c| c.pact.pact_version_id == pact.pact_version_id)
                {
                    continue;
                }
                if !pending(state, provider, &pact, req, true).await? {
                    continue;
                }
                wip_pacts.push(Chosen {
                    why: vec![format!("work in progress pact ({})", v.number)],
                    short: vec!["work in progress".to_string()],
                    pact,
                    version: v,
                    wip: true,
                });
            }
        }
    }
    // the explicitly selected first, then work in progress
    wip_pacts.sort_by_key(|c| (c.pact.consumer.clone(), c.version.id));
    chosen.extend(wip_pacts);
    Ok(chosen)
}

/// The pacts the default selectors pick for `provider` (each consumer's
/// main branch, and what is deployed or released): what a provider
/// contract is checked against.
pub(crate) async fn default_pacts(
    state: &Shared,
    provider: &Pacticipant,
) -> Result<Vec<Publication>, ApiError> {
    let req = Request {
        selectors: None,
        provider_branch: None,
        provider_tags: Vec::new(),
        include_pending: false,
        wip_since: None,
    };
    Ok(choose(state, provider, &req)
        .await?
        .into_iter()
        .map(|c| c.pact)
        .collect())
}

async fn answer(state: Shared, provider: String, req: Request, deprecated_get: bool) -> ApiResult {
    let provider = found_pacticipant(&state, &provider).await?;
    let chosen = choose(&state, &provider, &req).await?;
    let u = state.urls();
    let mut items = Vec::new();
    for c in &chosen {
        let p = &c.pact;
        let href = u.pact_with_metadata(&p.provider, &p.consumer, &p.sha, c.wip, c.version.id);
        let criteria: Vec<String> = c.why.iter().map(|w| format!("    * {w}")).collect();
        let mut text = format!(
            "The pact at {} is being verified because the pact content belongs to the consumer version matching the following criterion:\n{}",
            u.pact_version(&p.provider, &p.consumer, &p.sha),
            criteria.join("\n")
        );
        if deprecated_get {
            text = format!(
                "WARNING - this endpoint is deprecated; POST the selectors instead. {text}"
            );
        }
        let mut properties = json!({"notices": [{"when": "before_verification", "text": text}]});
        if req.include_pending || c.wip {
            let is_pending = c.wip || pending(&state, &provider, p, &req, false).await?;
            properties["pending"] = json!(is_pending);
            let words = if is_pending {
                "This pact is in pending state for this version of the provider: a failed verification will not fail the build."
            } else {
                "This pact has been successfully verified by a version of the provider on the same branch or tag: a failed verification will fail the build."
            };
            properties["notices"]
                .as_array_mut()
                .expect("an array")
                .push(json!({"when": "before_verification", "text": words}));
        }
        if c.wip {
            properties["wip"] = json!(true);
        }
        items.push(json!({
            "shortDescription": c.short.join(", "),
            "verificationProperties": properties,
            "_links": {"self": link(href, None, Some(&format!("Pact between {} ({}) and {}", p.consumer, c.version.number, p.provider)))}
        }));
    }
    Ok(hal_response(
        StatusCode::OK,
        json!({
            "_embedded": {"pacts": items},
            "_links": {"self": link(u.at(&format!("/pacts/provider/{}/for-verification", crate::hal::seg(&provider.name))), Some("Pacts to be verified"), None)}
        }),
    ))
}

async fn for_verification_post(
    State(state): State<Shared>,
    Path(provider): Path<String>,
    body: Bytes,
) -> ApiResult {
    let body = json_body(&body)?;
    let req = read_request(&body)?;
    answer(state, provider, req, false).await
}

/// The deprecated GET form: `consumer_version_selectors[][tag]=prod&...`.
async fn for_verification_get(
    State(state): State<Shared>,
    Path(provider): Path<String>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let pairs = crate::matrix::form_pairs(raw.as_deref().unwrap_or(""));
    let mut selectors: Vec<serde_json::Map<String, Value>> = Vec::new();
    let mut tags = Vec::new();
    for (k, v) in &pairs {
        if let Some(field) = k
            .strip_prefix("consumer_version_selectors[][")
            .and_then(|f| f.strip_suffix(']'))
        {
            let value = match v.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => Value::String(other.to_string()),
            };
            match selectors.last_mut() {
                Some(last) if !last.contains_key(field) => {
                    last.insert(field.to_string(), value);
                }
                _ => {
                    let mut m = serde_json::Map::new();
                    m.insert(field.to_string(), value);
                    selectors.push(m);
                }
            }
        } else if k == "provider_version_tags[]" {
            tags.push(Value::String(v.clone()));
        }
    }
    let mut body = json!({"providerVersionTags": tags});
    if !selectors.is_empty() {
        body["consumerVersionSelectors"] =
            Value::Array(selectors.into_iter().map(Value::Object).collect());
    }
    let req = read_request(&body)?;
    answer(state, provider, req, true).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_read_strictly() {
        let bad = [
            json!({"tagg": "prod"}),
            json!({"fallbackTag": "x", "tag": "prod"}),
            json!({"tag": "prod", "branch": "main"}),
            json!({"latest": "yes"}),
            json!([1]),
        ];
        for b in bad {
            assert!(read_selector(0, &b).is_err(), "{b}");
        }
        let split = read_selector(0, &json!({"deployedOrReleased": true})).unwrap();
        assert_eq!(split.len(), 2);
        match read_selector(0, &json!({"tagg": "prod"})) {
            Err(ApiError::Invalid(e)) => {
                assert!(e[0].1.contains("did you mean `tag`"), "{}", e[0].1)
            }
            _ => unreachable!(),
        }
    }
}
