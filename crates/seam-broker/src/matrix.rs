//! The matrix and can-i-deploy: the Pact Broker's query string read the way
//! Rack reads it (`q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B`),
//! selectors resolved to versions, the other side of each integration
//! inferred from a target (`latest`, `tag`, `environment`, `mainBranch`),
//! one row per consumer version, provider version and pact, and the summary:
//! deployable `true`, `false` or `null` (a verification missing) with the
//! broker's reasons.

use crate::api::{hal_response, ApiError, ApiResult, Shared};
use crate::hal::{link, Urls};
use crate::store::{Pacticipant, Placement, Publication, Verification, Version};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/matrix", get(matrix))
        .route("/can-i-deploy", get(can_i_deploy))
}

/// One `q[]` entry: a pacticipant and which of its versions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selector {
    pub pacticipant: String,
    pub version: Option<String>,
    pub latest: bool,
    pub tag: Option<String>,
    pub branch: Option<String>,
    pub main_branch: bool,
    pub environment: Option<String>,
}

/// A matrix query: the selectors, how rows are cut (`latestby`) and the
/// target the other side is inferred from.
#[derive(Debug, Clone, Default)]
pub struct MatrixQuery {
    pub selectors: Vec<Selector>,
    pub latestby: Option<String>,
    pub latest: bool,
    pub tag: Option<String>,
    pub environment: Option<String>,
    pub main_branch: bool,
    pub limit: usize,
    pub ignore: Vec<(String, Option<String>)>,
}

impl MatrixQuery {
    fn has_target(&self) -> bool {
        self.latest || self.tag.is_some() || self.environment.is_some() || self.main_branch
    }
}

/// Reads `key[]`/`key[][field]` pairs into objects, a new object starting
/// whenever a field repeats (as Rack's nested query parser does).
fn rack_list(pairs: &[(String, String)], key: &str) -> Vec<BTreeMap<String, String>> {
    let prefix = format!("{key}[][");
    let mut out: Vec<BTreeMap<String, String>> = Vec::new();
    for (k, v) in pairs {
        let Some(field) = k.strip_prefix(&prefix).and_then(|f| f.strip_suffix(']')) else {
            continue;
        };
        match out.last_mut() {
            Some(last) if !last.contains_key(field) => {
                last.insert(field.to_string(), v.clone());
            }
            _ => {
                let mut m = BTreeMap::new();
                m.insert(field.to_string(), v.clone());
                out.push(m);
            }
        }
    }
    out
}

fn truthy(v: Option<&String>) -> bool {
    v.is_some_and(|v| v == "true")
}

fn nonempty(v: Option<&String>) -> Option<String> {
    v.filter(|s| !s.is_empty()).cloned()
}

fn pairs_of(raw: Option<&str>) -> Vec<(String, String)> {
    form_pairs(raw.unwrap_or(""))
}

/// `application/x-www-form-urlencoded` pairs, `+` as a space.
fn form_pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let s = s.replace('+', " ");
    percent_encoding::percent_decode_str(&s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Reads `/matrix`'s query string.
pub fn parse_matrix_query(raw: Option<&str>) -> Result<MatrixQuery, ApiError> {
    let pairs = pairs_of(raw);
    let single = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let mut q = MatrixQuery {
        latestby: single("latestby").filter(|s| !s.is_empty()),
        latest: single("latest").as_deref() == Some("true"),
        tag: single("tag").filter(|s| !s.is_empty()),
        environment: single("environment").filter(|s| !s.is_empty()),
        main_branch: single("mainBranch").as_deref() == Some("true"),
        limit: 100,
        ..MatrixQuery::default()
    };
    if let Some(limit) = single("limit") {
        q.limit = limit
            .parse()
            .ok()
            .filter(|n| (1..=10_000).contains(n))
            .ok_or_else(|| ApiError::invalid("limit", "limit must be a number from 1 to 10000"))?;
    }
    if let Some(by) = &q.latestby {
        if !["cvp", "cvpv", "cp"].contains(&by.as_str()) {
            return Err(ApiError::invalid(
                "latestby",
                format!("latestby must be cvp, cvpv or cp, not '{by}'"),
            ));
        }
    }
    for m in rack_list(&pairs, "q") {
        let Some(pacticipant) = nonempty(m.get("pacticipant")) else {
            return Err(ApiError::invalid(
                "q",
                "Please provide 1 or more version selectors, each with a pacticipant name",
            ));
        };
        q.selectors.push(Selector {
            pacticipant,
            version: nonempty(m.get("version")),
            latest: truthy(m.get("latest")),
            tag: nonempty(m.get("tag")),
            branch: nonempty(m.get("branch")),
            main_branch: truthy(m.get("mainBranch")),
            environment: nonempty(m.get("environment")),
        });
    }
    for m in rack_list(&pairs, "ignore") {
        if let Some(p) = nonempty(m.get("pacticipant")) {
            q.ignore.push((p, nonempty(m.get("version"))));
        }
    }
    if q.selectors.is_empty() {
        return Err(ApiError::invalid(
            "selectors",
            "Please provide 1 or more version selectors.",
        ));
    }
    for s in &q.selectors {
        if s.version.is_some() && (s.tag.is_some() || s.branch.is_some() || s.latest) {
            return Err(ApiError::invalid(
                "selectors",
                format!(
                    "A version number and latest/tag/branch cannot both be specified for {}",
                    s.pacticipant
                ),
            ));
        }
    }
    Ok(q)
}

/// Reads `/can-i-deploy?pacticipant=&version=&to=|environment=`.
pub fn parse_can_i_deploy(raw: Option<&str>) -> Result<MatrixQuery, ApiError> {
    let pairs = pairs_of(raw);
    let single = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let Some(pacticipant) = single("pacticipant") else {
        return Err(ApiError::invalid("pacticipant", "pacticipant is missing"));
    };
    let selector = Selector {
        pacticipant,
        version: single("version"),
        latest: single("version").is_none(),
        tag: single("tag"),
        branch: single("branch"),
        main_branch: single("mainBranch").as_deref() == Some("true"),
        environment: None,
    };
    let mut q = MatrixQuery {
        selectors: vec![selector],
        limit: 100,
        ..MatrixQuery::default()
    };
    if let Some(env) = single("environment") {
        q.environment = Some(env);
        q.latestby = Some("cvpv".into());
    } else if let Some(to) = single("to") {
        q.tag = Some(to);
        q.latest = true;
        q.latestby = Some("cvp".into());
    } else {
        return Err(ApiError::invalid(
            "environment",
            "an environment (or a tag with to=) is required",
        ));
    }
    for m in rack_list(&pairs, "ignore") {
        if let Some(p) = nonempty(m.get("pacticipant")) {
            q.ignore.push((p, nonempty(m.get("version"))));
        }
    }
    Ok(q)
}

/// A selector resolved: the pacticipant (if it exists) and its versions.
struct Resolved {
    selector: Selector,
    pacticipant: Option<Pacticipant>,
    versions: Vec<Version>,
}

impl Resolved {
    /// Why the selector found nothing, when it was asked for something.
    fn missing(&self) -> Option<String> {
        let s = &self.selector;
        let p = &s.pacticipant;
        if self.pacticipant.is_none() {
            return Some(format!(
                "No pacts or verifications have been published for {p}"
            ));
        }
        if !self.versions.is_empty() {
            return None;
        }
        Some(if let Some(v) = &s.version {
            format!("No pacts or verifications have been published for version {v} of {p}")
        } else if let Some(t) = &s.tag {
            format!("No version with tag {t} exists for {p}")
        } else if let Some(b) = &s.branch {
            format!("No version of {p} from branch {b} exists")
        } else if s.main_branch {
            format!("No version of {p} from the main branch exists")
        } else if let Some(e) = &s.environment {
            format!("No version of {p} is currently recorded as deployed or released in environment {e}")
        } else {
            format!("No pacts or verifications have been published for {p}")
        })
    }
}

/// The versions of `pacticipant` a selector names.
async fn resolve(state: &Shared, s: &Selector) -> Result<Resolved, ApiError> {
    let store = &state.store;
    let pacticipant = store.pacticipant(&s.pacticipant).await?;
    let Some(p) = &pacticipant else {
        return Ok(Resolved {
            selector: s.clone(),
            pacticipant,
            versions: Vec::new(),
        });
    };
    let name = p.name.as_str();
    let versions = if let Some(v) = &s.version {
        store.version(name, v).await?.into_iter().collect()
    } else if let Some(e) = &s.environment {
        environment_versions(state, name, e).await?
    } else if let Some(t) = &s.tag {
        let all = store.versions_with_tag(name, t).await?;
        if s.latest {
            all.into_iter().take(1).collect()
        } else {
            all
        }
    } else if let Some(b) = s.branch.as_deref().or(if s.main_branch {
        p.main_branch.as_deref()
    } else {
        None
    }) {
        let all = store.versions_on_branch(name, b).await?;
        if s.latest || s.main_branch {
            all.into_iter().take(1).collect()
        } else {
            all
        }
    } else if s.main_branch {
        Vec::new()
    } else if s.latest {
        store
            .latest_version(name, None, None)
            .await?
            .into_iter()
            .collect()
    } else {
        store.versions(name).await?
    };
    Ok(Resolved {
        selector: s.clone(),
        pacticipant,
        versions,
    })
}

/// The versions of `pacticipant` deployed or released in `environment`.
async fn environment_versions(
    state: &Shared,
    pacticipant: &str,
    environment: &str,
) -> Result<Vec<Version>, ApiError> {
    let mut ids = Vec::new();
    for kind in [Placement::Deployed, Placement::Released] {
        for d in state
            .store
            .current(kind, environment, Some(pacticipant))
            .await?
        {
            if !ids.contains(&d.version_id) {
                ids.push(d.version_id);
            }
        }
    }
    let mut out = Vec::new();
    for id in ids {
        out.extend(state.store.version_by_id(id).await?);
    }
    out.sort_by_key(|v| std::cmp::Reverse(v.id));
    Ok(out)
}

/// The versions of `pacticipant` the query's target names (the other side
/// of an integration when only one side was selected).
async fn target_versions(
    state: &Shared,
    q: &MatrixQuery,
    pacticipant: &Pacticipant,
) -> Result<Vec<Version>, ApiError> {
    let selector = Selector {
        pacticipant: pacticipant.name.clone(),
        latest: q.latest,
        tag: q.tag.clone(),
        main_branch: q.main_branch,
        environment: q.environment.clone(),
        ..Selector::default()
    };
    Ok(resolve(state, &selector).await?.versions)
}

/// One matrix row: a pact of a consumer version and, when there is one, the
/// verification of it by a provider version.
#[derive(Debug, Clone)]
pub struct Row {
    pub pact: Publication,
    pub verification: Option<Verification>,
    /// whether any provider version ever verified this pact
    pub ever_verified: bool,
    pub ignored: bool,
}

/// Rows for one consumer version and provider: one per provider version
/// among `provider_versions` (any when `None`) that verified the pact, or
/// one without a verification.
async fn rows_for(
    state: &Shared,
    q: &MatrixQuery,
    consumer_version: &Version,
    provider: &Pacticipant,
    provider_versions: Option<&[Version]>,
    out: &mut Vec<Row>,
) -> Result<(), ApiError> {
    let Some(pact) = state
        .store
        .publication_for(consumer_version.id, provider.id)
        .await?
    else {
        return Ok(());
    };
    let all = state.store.verifications_of(pact.pact_version_id).await?;
    let ever_verified = !all.is_empty();
    // newest first: the first verification per provider version is its latest
    let mut seen = HashSet::new();
    let mut picked: Vec<Verification> = all
        .into_iter()
        .filter(|v| {
            provider_versions.is_none_or(|pvs| pvs.iter().any(|pv| pv.id == v.provider_version_id))
        })
        .filter(|v| seen.insert(v.provider_version_id))
        .collect();
    if matches!(q.latestby.as_deref(), Some("cvp") | Some("cp")) {
        picked.sort_by_key(|v| std::cmp::Reverse(v.provider_version_id));
        picked.truncate(1);
    }
    if picked.is_empty() {
        out.push(Row {
            pact,
            verification: None,
            ever_verified,
            ignored: false,
        });
    } else {
        for v in picked {
            out.push(Row {
                pact: pact.clone(),
                verification: Some(v),
                ever_verified,
                ignored: false,
            });
        }
    }
    Ok(())
}

/// The matrix's answer: rows, reasons, summary.
pub struct Outcome {
    pub rows: Vec<Row>,
    pub deployable: Option<bool>,
    pub reasons: Vec<(String, &'static str, String)>,
    pub counts: (usize, usize, usize),
}

pub async fn evaluate(state: &Shared, q: &MatrixQuery) -> Result<Outcome, ApiError> {
    let mut resolved = Vec::new();
    for s in &q.selectors {
        resolved.push(resolve(state, s).await?);
    }
    let mut reasons: Vec<(String, &'static str, String)> = Vec::new();
    let mut missing_selector = false;
    for r in &resolved {
        if let Some(text) = r.missing() {
            missing_selector = true;
            reasons.push(("SpecifiedVersionDoesNotExist".into(), "error", text));
        }
    }
    let selected: HashMap<String, &Resolved> = resolved
        .iter()
        .map(|r| (r.selector.pacticipant.clone(), r))
        .collect();
    let mut rows = Vec::new();
    for r in &resolved {
        let Some(p) = &r.pacticipant else { continue };
        for v in &r.versions {
            // as consumer: the providers this version has pacts with
            for provider in state.store.providers_of_version(v.id).await? {
                let versions = match selected.get(&provider.name) {
                    Some(other) => Some(other.versions.clone()),
                    None if q.has_target() => Some(target_versions(state, q, &provider).await?),
                    None => None,
                };
                if !q.has_target() && selected.len() > 1 && !selected.contains_key(&provider.name) {
                    continue;
                }
                rows_for(state, q, v, &provider, versions.as_deref(), &mut rows).await?;
            }
            // as provider: the consumers with pacts for it
            for consumer in state.store.consumers_of(p.id).await? {
                if selected.contains_key(&consumer.name) {
                    // both selected: the consumer's side adds these rows
                    continue;
                }
                let consumer_versions = if q.has_target() {
                    target_versions(state, q, &consumer).await?
                } else if selected.len() > 1 {
                    continue;
                } else {
                    state.store.versions(&consumer.name).await?
                };
                for cv in &consumer_versions {
                    rows_for(state, q, cv, p, Some(std::slice::from_ref(v)), &mut rows).await?;
                }
            }
        }
    }
    // ignores
    let mut ignore_found = vec![false; q.ignore.len()];
    for row in &mut rows {
        for (i, (name, version)) in q.ignore.iter().enumerate() {
            let hits_consumer = row.pact.consumer == *name
                && version
                    .as_ref()
                    .is_none_or(|v| *v == row.pact.consumer_version);
            let hits_provider = row.pact.provider == *name
                && version.as_ref().is_none_or(|v| {
                    row.verification
                        .as_ref()
                        .is_some_and(|vr| vr.provider_version == *v)
                });
            if hits_consumer || hits_provider {
                row.ignored = true;
                ignore_found[i] = true;
            }
        }
    }
    for (i, (name, version)) in q.ignore.iter().enumerate() {
        if !ignore_found[i] {
            let exists = match version {
                Some(v) => state.store.version(name, v).await?.is_some(),
                None => state.store.pacticipant(name).await?.is_some(),
            };
            if !exists {
                let what = match version {
                    Some(v) => format!("version {v} of {name}"),
                    None => name.clone(),
                };
                reasons.push((
                    "IgnoreSelectorDoesNotExist".into(),
                    "warning",
                    format!("WARN: Cannot ignore {what} (not found)"),
                ));
            }
        }
    }
    let describe_consumer =
        |row: &Row| format!("{} ({})", row.pact.consumer, row.pact.consumer_version);
    let describe_provider = |row: &Row| match &row.verification {
        Some(v) => format!("{} ({})", row.pact.provider, v.provider_version),
        None => format!(
            "{} (no version verified it{})",
            row.pact.provider,
            target_words(q)
        ),
    };
    let (mut success, mut failed, mut unknown) = (0, 0, 0);
    for row in rows.iter().filter(|r| !r.ignored) {
        match row.verification.as_ref().map(|v| v.success) {
            Some(true) => success += 1,
            Some(false) => {
                failed += 1;
                reasons.push((
                    "VerificationFailed".into(),
                    "error",
                    format!(
                        "The verification for the pact between {} and {} failed",
                        describe_consumer(row),
                        describe_provider(row)
                    ),
                ));
            }
            None => {
                unknown += 1;
                let class = if row.ever_verified {
                    "PactNotVerifiedByRequiredProviderVersion"
                } else {
                    "PactNotEverVerifiedByProvider"
                };
                reasons.push((
                    class.into(),
                    "error",
                    format!(
                        "There is no verified pact between {} and {}",
                        describe_consumer(row),
                        describe_provider(row)
                    ),
                ));
            }
        }
    }
    let deployable = if missing_selector || failed > 0 {
        Some(false)
    } else if unknown > 0 {
        None
    } else {
        Some(true)
    };
    if deployable == Some(true) {
        let (class, text) = if rows.iter().any(|r| !r.ignored) {
            (
                "Successful",
                "All required verification results are published and successful",
            )
        } else {
            ("NoDependenciesMissing", "There are no missing dependencies")
        };
        reasons.insert(0, (class.into(), "success", text.into()));
    }
    if resolved.iter().any(|r| r.selector.version.is_none()) && q.has_target() {
        reasons.push((
            "SelectorWithoutPacticipantVersionNumberSpecified".into(),
            "warning",
            "WARN: It is recommended to specify the version number (rather than the tag or branch) of the pacticipant you wish to deploy to avoid race conditions. Without a version number, this result will not be reliable.".into(),
        ));
    }
    if q.has_target() && q.environment.is_none() && q.tag.is_none() && !q.main_branch {
        reasons.push((
            "NoEnvironmentSpecified".into(),
            "warning",
            "WARN: It is recommended to specify the environment into which you are deploying. Without the environment, this result will not be reliable.".into(),
        ));
    }
    rows.truncate(q.limit);
    Ok(Outcome {
        rows,
        deployable,
        reasons,
        counts: (success, failed, unknown),
    })
}

fn target_words(q: &MatrixQuery) -> String {
    if let Some(e) = &q.environment {
        format!(" in {e}")
    } else if let Some(t) = &q.tag {
        format!(" with tag {t}")
    } else if q.main_branch {
        " on the main branch".into()
    } else {
        String::new()
    }
}

fn row_json(u: &Urls, row: &Row) -> Value {
    let p = &row.pact;
    let verification = row.verification.as_ref().map(|v| {
        json!({
            "success": v.success,
            "verifiedAt": v.created_at,
            "_links": {"self": link(u.verification(&p.provider, &p.consumer, &p.sha, v.id), None, None)}
        })
    });
    let provider_version = row.verification.as_ref().map(|v| {
        json!({
            "number": v.provider_version,
            "_links": {"self": link(u.version(&p.provider, &v.provider_version), None, None)}
        })
    });
    json!({
        "consumer": {
            "name": p.consumer,
            "_links": {"self": link(u.pacticipant(&p.consumer), None, None)},
            "version": {"number": p.consumer_version, "_links": {"self": link(u.version(&p.consumer, &p.consumer_version), None, None)}},
        },
        "provider": {
            "name": p.provider,
            "_links": {"self": link(u.pacticipant(&p.provider), None, None)},
            "version": provider_version,
        },
        "pact": {
            "createdAt": p.created_at,
            "revision": p.revision,
            "_links": {"self": link(u.pact(&p.provider, &p.consumer, &p.consumer_version), None, None)},
        },
        "verificationResult": verification,
        "ignored": row.ignored,
    })
}

pub fn outcome_json(u: &Urls, o: &Outcome) -> Value {
    let (success, failed, unknown) = o.counts;
    let reason: Vec<&str> = o.reasons.iter().map(|(_, _, t)| t.as_str()).collect();
    json!({
        "summary": {
            "deployable": o.deployable,
            "reason": reason.join("\n"),
            "success": success,
            "failed": failed,
            "unknown": unknown,
        },
        "notices": o.reasons.iter().map(|(_, kind, text)| json!({"type": kind, "text": text})).collect::<Vec<_>>(),
        "matrix": o.rows.iter().map(|r| row_json(u, r)).collect::<Vec<_>>(),
        "_links": {},
    })
}

async fn matrix(State(state): State<Shared>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = parse_matrix_query(raw.as_deref())?;
    let o = evaluate(&state, &q).await?;
    Ok(hal_response(
        StatusCode::OK,
        outcome_json(&state.urls(), &o),
    ))
}

async fn can_i_deploy(State(state): State<Shared>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = parse_can_i_deploy(raw.as_deref())?;
    let o = evaluate(&state, &q).await?;
    Ok(hal_response(
        StatusCode::OK,
        outcome_json(&state.urls(), &o),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_read_as_rack_reads_them() {
        let q = parse_matrix_query(Some(
            "q[][pacticipant]=Foo&q[][version]=1&q%5B%5D%5Bpacticipant%5D=Bar&q[][latest]=true&q[][tag]=prod&latestby=cvp&ignore[][pacticipant]=Baz",
        ))
        .unwrap();
        assert_eq!(q.selectors.len(), 2);
        assert_eq!(q.selectors[0].version.as_deref(), Some("1"));
        assert_eq!(q.selectors[1].pacticipant, "Bar");
        assert!(q.selectors[1].latest);
        assert_eq!(q.selectors[1].tag.as_deref(), Some("prod"));
        assert_eq!(q.latestby.as_deref(), Some("cvp"));
        assert_eq!(q.ignore, vec![("Baz".to_string(), None)]);
    }

    #[test]
    fn bad_queries_are_400s_that_say_why() {
        for (raw, field) in [
            ("", "selectors"),
            ("q[][version]=1", "q"),
            ("q[][pacticipant]=Foo&latestby=xyz", "latestby"),
            ("q[][pacticipant]=Foo&limit=0", "limit"),
        ] {
            match parse_matrix_query(Some(raw)) {
                Err(ApiError::Invalid(errors)) => assert_eq!(errors[0].0, field, "{raw}"),
                other => panic!("{raw}: {other:?}"),
            }
        }
    }
}
