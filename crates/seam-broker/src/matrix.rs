//! The matrix and can-i-deploy: the Pact Broker's query string read the way
//! Rack reads it (`q[][pacticipant]=A&q[][version]=1&q[][pacticipant]=B`),
//! selectors resolved to versions, the other side of each integration
//! inferred from a target (`latest`, `tag`, `environment`, `mainBranch`),
//! one row per consumer version, provider version and pact, and the summary:
//! deployable `true`, `false` or `null` (a verification missing) with the
//! broker's reasons.

use crate::answer::{hal_response, ApiError, ApiResult, Shared};
use crate::hal::{link, Urls};
use crate::store::{Pacticipant, Publication, Verification, Version, VersionFacts};
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};

pub fn routes(app: Router<Shared>) -> Router<Shared> {
    app.route("/matrix", get(matrix))
        .route("/can-i-deploy", get(can_i_deploy))
        .route("/matrix/provider/{provider}/consumer/{consumer}", get(matrix_for_pair))
        .route(
            "/pacticipants/{name}/latest-version/{tag}/can-i-deploy/to/{to}",
            get(can_i_deploy_tag_to_tag),
        )
        .route(
            "/pacticipants/{name}/branches/{branch}/latest-version/can-i-deploy/to-environment/{environment}",
            get(can_i_deploy_branch_to_environment),
        )
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
    /// `success[]=true|false|` (empty: unverified): rows kept after latestby
    pub success: Vec<Option<bool>>,
    /// `explain=true` (seam's own): each failed row names the interactions
    /// and fields that failed, from the verification's test results.
    pub explain: bool,
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
    let flat = format!("{key}[]");
    let mut out: Vec<BTreeMap<String, String>> = Vec::new();
    for (k, v) in pairs {
        // `q[][field]`, or the flat `q[]field` some clients send
        let field = match k.strip_prefix(&prefix).and_then(|f| f.strip_suffix(']')) {
            Some(f) => f,
            None => match k.strip_prefix(&flat) {
                Some(f) if !f.is_empty() && !f.contains('[') => f,
                _ => continue,
            },
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
pub(crate) fn form_pairs(raw: &str) -> Vec<(String, String)> {
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
        explain: single("explain").as_deref() == Some("true"),
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
    for (k, v) in &pairs {
        match (k.as_str(), v.as_str()) {
            ("success[]" | "success", "true") => q.success.push(Some(true)),
            ("success[]" | "success", "false") => q.success.push(Some(false)),
            ("success[]" | "success", "") => q.success.push(None),
            ("success[]" | "success", other) => {
                return Err(ApiError::invalid(
                    "success",
                    format!("success must be true, false or empty, not '{other}'"),
                ))
            }
            _ => {}
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
    q.ignore = ignores(&pairs);
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
        explain: single("explain").as_deref() == Some("true"),
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
    q.ignore = ignores(&pairs);
    Ok(q)
}

/// `ignore[][pacticipant]=X&ignore[][version]=1`, or `ignore[]=X`.
fn ignores(pairs: &[(String, String)]) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = rack_list(pairs, "ignore")
        .into_iter()
        .filter_map(|m| nonempty(m.get("pacticipant")).map(|p| (p, nonempty(m.get("version")))))
        .collect();
    out.extend(
        pairs
            .iter()
            .filter(|(k, v)| k == "ignore[]" && !v.is_empty())
            .map(|(_, v)| (v.clone(), None)),
    );
    out
}

/// A selector resolved: the pacticipant (if it exists) and its versions.
struct Resolved {
    selector: Selector,
    pacticipant: Option<Pacticipant>,
    versions: Vec<Version>,
}

impl Resolved {
    /// A selector of the pacticipant's name alone: every version.
    fn name_only(&self) -> bool {
        let s = &self.selector;
        s.version.is_none()
            && !s.latest
            && s.tag.is_none()
            && s.branch.is_none()
            && !s.main_branch
            && s.environment.is_none()
    }

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
        environment_versions(state, p, e).await?
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
    pacticipant: &Pacticipant,
    environment: &str,
) -> Result<Vec<Version>, ApiError> {
    Ok(state
        .store
        .versions_in_environment(pacticipant.id, environment)
        .await?)
}

/// The versions of `pacticipant` the query's target names (the other side
/// of an integration when only one side was selected).
async fn target_versions(
    state: &Shared,
    q: &MatrixQuery,
    pacticipant: &Pacticipant,
) -> Result<Vec<Version>, ApiError> {
    if let Some(e) = &q.environment {
        // the pacticipant is known: one query, no lookup by name
        return environment_versions(state, pacticipant, e).await;
    }
    if q.main_branch && q.tag.is_none() {
        // every version on the main branch, not only its head
        let mut all = match &pacticipant.main_branch {
            Some(b) => state.store.versions_on_branch(&pacticipant.name, b).await?,
            None => Vec::new(),
        };
        if q.latest {
            all.truncate(1);
        }
        return Ok(all);
    }
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
    pub ignored: bool,
}

impl Row {
    /// When the row last changed: its verification, else its publication.
    fn last_action(&self) -> &str {
        self.verification
            .as_ref()
            .map_or(&self.pact.created_at, |v| &v.created_at)
    }
}

/// Rows for one consumer version and provider: one per verification by a
/// provider version among `provider_versions` (any when `None`), or one
/// without a verification. Every revision of the pact without `latestby`,
/// the latest otherwise.
async fn rows_for(
    state: &Shared,
    q: &MatrixQuery,
    consumer_version: &Version,
    provider: &Pacticipant,
    provider_versions: Option<&[Version]>,
    out: &mut Vec<Row>,
) -> Result<(), ApiError> {
    let mut revisions = state
        .store
        .revisions(consumer_version.id, provider.id)
        .await?;
    if q.latestby.is_some() {
        revisions.truncate(1);
    }
    for pact in revisions {
        let picked: Vec<Verification> = state
            .store
            .verifications_of(pact.pact_version_id)
            .await?
            .into_iter()
            .filter(|v| {
                provider_versions
                    .is_none_or(|pvs| pvs.iter().any(|pv| pv.id == v.provider_version_id))
            })
            .collect();
        if picked.is_empty() {
            out.push(Row {
                pact,
                verification: None,
                ignored: false,
            });
        } else {
            for v in picked {
                out.push(Row {
                    pact: pact.clone(),
                    verification: Some(v),
                    ignored: false,
                });
            }
        }
    }
    Ok(())
}

/// The matrix's answer: rows, the reasons (class, type, text), the summary.
pub struct Outcome {
    pub rows: Vec<Row>,
    pub deployable: Option<bool>,
    pub reasons: Vec<(String, &'static str, String)>,
    pub success: usize,
    pub failed: usize,
    pub unknown: usize,
    pub ignored: usize,
}

/// How a pacticipant is named in reasons: by its selector when the query
/// gave one (or inferred one), else by the row's version.
struct Describe {
    by_name: HashMap<String, String>,
}

impl Describe {
    fn of(&self, name: &str, version: Option<&str>) -> String {
        if let Some(d) = self.by_name.get(name) {
            return d.clone();
        }
        match version {
            Some(v) => format!("version {v} of {name}"),
            None => format!("any version of {name}"),
        }
    }
}

fn numbers(versions: &[Version]) -> Option<String> {
    match versions {
        [] => None,
        [one] => Some(one.number.clone()),
        many => Some(
            many.iter()
                .map(|v| v.number.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}

/// A specified selector in words, as the Pact Broker writes it.
fn describe_selector(r: &Resolved) -> String {
    let s = &r.selector;
    let p = &s.pacticipant;
    let found = numbers(&r.versions);
    let or = |none: &str| found.clone().unwrap_or_else(|| none.to_string());
    if r.pacticipant.is_none() {
        return format!("any version of {p} (no such pacticipant exists)");
    }
    if let Some(v) = &s.version {
        return if r.versions.is_empty() {
            format!("version {v} of {p} (no such version exists)")
        } else {
            format!("version {v} of {p}")
        };
    }
    if let Some(t) = &s.tag {
        return if s.latest {
            format!(
                "the latest version of {p} with tag {t} ({})",
                or("no such version exists")
            )
        } else {
            format!(
                "a version of {p} with tag {t} ({})",
                or("no such version exists")
            )
        };
    }
    if let Some(b) = &s.branch {
        return format!(
            "the latest version of {p} from branch {b} ({})",
            or("no such version exists")
        );
    }
    if s.main_branch {
        return format!(
            "the latest version of {p} from the main branch ({})",
            or("no such version exists")
        );
    }
    if let Some(e) = &s.environment {
        return format!(
            "a version of {p} currently in {e} ({})",
            or("no version is currently recorded as deployed/released in this environment")
        );
    }
    if s.latest {
        return format!(
            "the latest version of {p} ({})",
            or("no such version exists")
        );
    }
    format!("any version of {p}")
}

/// The other side of an integration in words, from the query's target.
fn describe_target(q: &MatrixQuery, name: &str, versions: &[Version]) -> String {
    let found = numbers(versions);
    if let Some(e) = &q.environment {
        return format!(
            "a version of {name} currently in {e} ({})",
            found.unwrap_or_else(|| {
                "no version is currently recorded as deployed/released in this environment".into()
            })
        );
    }
    if let Some(t) = &q.tag {
        return if q.latest {
            format!(
                "the latest version of {name} with tag {t} ({})",
                found.unwrap_or_else(|| "no such version exists".into())
            )
        } else {
            format!(
                "a version of {name} with tag {t} ({})",
                found.unwrap_or_else(|| "no such version exists".into())
            )
        };
    }
    if q.main_branch {
        return format!(
            "any version of {name} from the main branch ({})",
            found.unwrap_or_else(|| "no versions exist for this branch".into())
        );
    }
    format!(
        "the latest version of {name} ({})",
        found.unwrap_or_else(|| "no such version exists".into())
    )
}

pub async fn evaluate(state: &Shared, q: &MatrixQuery) -> Result<Outcome, ApiError> {
    // an environment that does not exist is a mistake, not an empty answer
    let named = q
        .environment
        .iter()
        .chain(q.selectors.iter().filter_map(|s| s.environment.as_ref()));
    for e in named {
        if state.store.environment_named(e).await?.is_none() {
            return Err(ApiError::invalid(
                "environment",
                format!("Environment with name '{e}' does not exist"),
            ));
        }
    }
    let mut resolved = Vec::new();
    for s in &q.selectors {
        resolved.push(resolve(state, s).await?);
    }
    let ignored = |name: &str, version: Option<&str>| {
        q.ignore
            .iter()
            .any(|(n, v)| n == name && v.as_deref().is_none_or(|v| Some(v) == version))
    };
    let mut describe = Describe {
        by_name: resolved
            .iter()
            .map(|r| (r.selector.pacticipant.clone(), describe_selector(r)))
            .collect(),
    };
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
                    None if q.has_target() => {
                        let found = target_versions(state, q, &provider).await?;
                        describe
                            .by_name
                            .entry(provider.name.clone())
                            .or_insert_with(|| describe_target(q, &provider.name, &found));
                        Some(found)
                    }
                    None if selected.len() > 1 => continue,
                    None => None,
                };
                rows_for(state, q, v, &provider, versions.as_deref(), &mut rows).await?;
            }
            // as provider: the consumers with pacts for it (a selector of
            // the name alone is every version: done once, below)
            if r.name_only() && !q.has_target() {
                continue;
            }
            for consumer in state.store.consumers_of(p.id).await? {
                if selected.contains_key(&consumer.name) {
                    // both selected: the consumer's side adds these rows
                    continue;
                }
                let consumer_versions = if q.has_target() {
                    let found = target_versions(state, q, &consumer).await?;
                    describe
                        .by_name
                        .entry(consumer.name.clone())
                        .or_insert_with(|| describe_target(q, &consumer.name, &found));
                    found
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
    for r in resolved.iter().filter(|r| r.name_only() && !q.has_target()) {
        let Some(p) = &r.pacticipant else { continue };
        for consumer in state.store.consumers_of(p.id).await? {
            if selected.contains_key(&consumer.name) {
                continue;
            }
            if selected.len() > 1 {
                continue;
            }
            for cv in state.store.versions(&consumer.name).await? {
                rows_for(state, q, &cv, p, None, &mut rows).await?;
            }
        }
    }
    // newest first, then the limit, then one row per latestby key
    rows.sort_by(|a, b| b.last_action().cmp(a.last_action()));
    rows.truncate(q.limit);
    if let Some(by) = q.latestby.as_deref() {
        let mut seen = HashSet::new();
        rows.retain(|r| {
            let pv = r.verification.as_ref().map(|v| v.provider_version_id);
            let cv = Some(r.pact.consumer_version_id);
            let key = match by {
                "cvpv" => (r.pact.consumer.clone(), r.pact.provider_id, cv, pv),
                "cvp" => (r.pact.consumer.clone(), r.pact.provider_id, cv, None),
                _ => (r.pact.consumer.clone(), r.pact.provider_id, None, None),
            };
            seen.insert(key)
        });
    }
    if !q.success.is_empty() {
        rows.retain(|r| {
            q.success
                .contains(&r.verification.as_ref().map(|v| v.success))
        });
    }
    for row in &mut rows {
        let provider_version = row
            .verification
            .as_ref()
            .map(|v| v.provider_version.as_str());
        row.ignored = ignored(&row.pact.consumer, Some(&row.pact.consumer_version))
            || (q
                .ignore
                .iter()
                .any(|(n, v)| *n == row.pact.provider && v.is_none())
                || ignored(&row.pact.provider, provider_version) && provider_version.is_some());
    }
    // the rows considered first, then the ignored ones, as the Pact Broker lists them
    rows.sort_by_key(|r| r.ignored);
    let considered: Vec<&Row> = rows.iter().filter(|r| !r.ignored).collect();
    let success = considered
        .iter()
        .filter(|r| r.verification.as_ref().is_some_and(|v| v.success))
        .count();
    let failed = considered
        .iter()
        .filter(|r| r.verification.as_ref().is_some_and(|v| !v.success))
        .count();
    let unknown = considered
        .iter()
        .filter(|r| r.verification.is_none())
        .count();
    let ignored_count = rows.len() - considered.len();

    let missing: Vec<(String, &'static str, String)> = resolved
        .iter()
        .filter(|r| !ignored(&r.selector.pacticipant, r.selector.version.as_deref()))
        .filter_map(|r| r.missing())
        .map(|text| ("SpecifiedVersionDoesNotExist".to_string(), "error", text))
        .collect();
    let deployable = if !missing.is_empty() {
        Some(false)
    } else if unknown > 0 {
        None
    } else {
        Some(failed == 0)
    };
    let mut errors = missing;
    if errors.is_empty() {
        for row in considered
            .iter()
            .filter(|r| r.verification.as_ref().is_some_and(|v| !v.success))
        {
            let text = format!(
                "The verification for the pact between {} and {} failed",
                describe.of(&row.pact.consumer, Some(&row.pact.consumer_version)),
                describe.of(
                    &row.pact.provider,
                    row.verification
                        .as_ref()
                        .map(|v| v.provider_version.as_str())
                )
            );
            errors.push(("VerificationFailed".into(), "error", text));
        }
        for row in considered.iter().filter(|r| r.verification.is_none()) {
            let text = format!(
                "There is no verified pact between {} and {}",
                describe.of(&row.pact.consumer, Some(&row.pact.consumer_version)),
                describe.of(&row.pact.provider, None)
            );
            errors.push(("PactNotEverVerifiedByProvider".into(), "error", text));
        }
        let mut seen = HashSet::new();
        errors.retain(|(_, _, t)| seen.insert(t.clone()));
    }
    let mut warnings: Vec<(String, &'static str, String)> = Vec::new();
    let single = resolved.len() == 1;
    if single {
        let s = &resolved[0].selector;
        if s.version.is_none()
            && (s.latest
                || s.tag.is_some()
                || s.branch.is_some()
                || s.main_branch
                || s.environment.is_some())
        {
            warnings.push((
                "SelectorWithoutPacticipantVersionNumberSpecified".into(),
                "warning",
                "WARN: It is recommended to specify the version number (rather than the tag or branch) of the pacticipant you wish to deploy to avoid race conditions. Without a version number, this result will not be reliable.".into(),
            ));
        }
        if q.environment.is_none() && q.tag.is_none() && !q.main_branch {
            warnings.push((
                "NoEnvironmentSpecified".into(),
                "warning",
                "WARN: It is recommended to specify the environment into which you are deploying. Without the environment, this result will not be reliable.".into(),
            ));
        }
    }
    for (name, version) in &q.ignore {
        let exists = match version {
            Some(v) => state.store.version(name, v).await?.is_some(),
            None => state.store.pacticipant(name).await?.is_some(),
        };
        if !exists {
            let what = match version {
                Some(v) => format!("version {v} of {name} (no such version exists)"),
                None => format!("any version of {name} (no such pacticipant exists)"),
            };
            warnings.push((
                "IgnoreSelectorDoesNotExist".into(),
                "warning",
                format!("WARN: Cannot ignore {what}"),
            ));
        }
    }
    let mut reasons = warnings;
    if errors.is_empty() {
        let (class, text) = if considered.is_empty() {
            ("NoDependenciesMissing", "There are no missing dependencies")
        } else {
            (
                "Successful",
                "All required verification results are published and successful",
            )
        };
        reasons.push((class.into(), "success", text.into()));
    } else {
        reasons.extend(errors);
    }
    Ok(Outcome {
        rows,
        deployable,
        reasons,
        success,
        failed,
        unknown,
        ignored: ignored_count,
    })
}

/// A version in a matrix row: its branches, tags and environments too.
fn version_json(u: &Urls, pacticipant: &str, number: &str, facts: Option<&VersionFacts>) -> Value {
    let empty = VersionFacts::default();
    let f = facts.unwrap_or(&empty);
    let branches: Vec<Value> = f
        .branches
        .iter()
        .map(|(b, latest)| {
            json!({"name": b, "latest": latest, "_links": {"self": link(u.branch_version(pacticipant, b, number), Some("Branch version"), Some(b))}})
        })
        .collect();
    let environments: Vec<Value> = f
        .environments
        .iter()
        .map(|(uuid, name, display, production)| {
            json!({"uuid": uuid, "name": name, "displayName": display.clone().unwrap_or_else(|| crate::hal::display_name(name)), "production": production, "_links": {"self": link(u.environment(uuid), None, Some(name))}})
        })
        .collect();
    let tags: Vec<Value> = f
        .tags
        .iter()
        .map(|t| json!({"name": t, "_links": {"self": link(u.tag(pacticipant, number, t), None, Some(t))}}))
        .collect();
    json!({
        "number": number,
        "branch": f.branches.last().map(|(b, _)| b),
        "branches": branches,
        "branchVersions": branches,
        "environments": environments,
        "tags": tags,
        "_links": {"self": link(u.version(pacticipant, number), None, None)},
    })
}

fn row_json(u: &Urls, row: &Row, explain: bool, facts: &HashMap<i64, VersionFacts>) -> Value {
    let p = &row.pact;
    let verification = row.verification.as_ref().map(|v| {
        // with the consumer version in its metadata, as the Pact Broker links it
        let href = format!(
            "{}/verification-results/{}",
            u.pact_with_metadata(
                &p.provider,
                &p.consumer,
                &p.sha,
                false,
                p.consumer_version_id
            ),
            v.number
        );
        json!({
            "success": v.success,
            "verifiedAt": crate::hal::time(&v.created_at),
            "_links": {"self": link(href, None, None)}
        })
    });
    let provider_version = row.verification.as_ref().map(|v| {
        version_json(
            u,
            &p.provider,
            &v.provider_version,
            facts.get(&v.provider_version_id),
        )
    });
    let mut body = json!({
        "consumer": {
            "name": p.consumer,
            "_links": {"self": link(u.pacticipant(&p.consumer), None, None)},
            "version": version_json(u, &p.consumer, &p.consumer_version, facts.get(&p.consumer_version_id)),
        },
        "provider": {
            "name": p.provider,
            "_links": {"self": link(u.pacticipant(&p.provider), None, None)},
            "version": provider_version,
        },
        "pact": {
            "createdAt": crate::hal::time(&p.created_at),
            "revision": p.revision,
            "_links": {"self": link(u.pact(&p.provider, &p.consumer, &p.consumer_version), None, None)},
        },
        "verificationResult": verification,
        "ignored": row.ignored,
    });
    if explain {
        if let Some(v) = row.verification.as_ref().filter(|v| !v.success) {
            let results = v
                .test_results
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok())
                .unwrap_or(Value::Null);
            body["verificationResult"]["blockers"] =
                Value::Array(crate::explain::blockers(&results, &p.content));
        }
    }
    body
}

/// The matrix as the table the Pact Broker's CLI prints (`Accept:
/// text/plain`): one line per row, then the decision and its reasons.
fn outcome_text(o: &Outcome) -> String {
    let header = [
        "CONSUMER",
        "C_VERSION",
        "REVISION",
        "PROVIDER",
        "P_VERSION",
        "NUMBER",
        "SUCCESS",
    ];
    let rows: Vec<[String; 7]> = o
        .rows
        .iter()
        .map(|r| {
            let v = r.verification.as_ref();
            [
                r.pact.consumer.clone(),
                r.pact.consumer_version.clone(),
                r.pact.revision.to_string(),
                r.pact.provider.clone(),
                v.map(|v| v.provider_version.clone()).unwrap_or_default(),
                v.map(|v| v.number.to_string()).unwrap_or_default(),
                v.map(|v| v.success.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..7)
        .map(|i| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let mut text = line(&header.map(String::from));
    text.push('\n');
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(i, w)| "-".repeat(w + if i == 0 || i == 6 { 1 } else { 2 }))
        .collect();
    text.push_str(&rule.join("|"));
    text.push('\n');
    for r in &rows {
        text.push_str(&line(r));
        text.push('\n');
    }
    let deployable = match o.deployable {
        Some(d) => d.to_string(),
        None => "nil".to_string(),
    };
    let reasons: Vec<&str> = o.reasons.iter().map(|(_, _, t)| t.as_str()).collect();
    text.push_str(&format!(
        "\nDeployable: {deployable}\nReason: {}\n",
        reasons.join("\n")
    ));
    text
}

/// The versions' branches, tags and environments, for every row's versions.
pub async fn facts_of(state: &Shared, o: &Outcome) -> Result<HashMap<i64, VersionFacts>, ApiError> {
    let mut ids = Vec::new();
    for r in &o.rows {
        ids.push(r.pact.consumer_version_id);
        if let Some(v) = &r.verification {
            ids.push(v.provider_version_id);
        }
    }
    Ok(state.store.version_facts(&ids).await?)
}

pub fn outcome_json(
    u: &Urls,
    o: &Outcome,
    explain: bool,
    facts: &HashMap<i64, VersionFacts>,
) -> Value {
    let reason: Vec<&str> = o.reasons.iter().map(|(_, _, t)| t.as_str()).collect();
    let mut summary = json!({
        "deployable": o.deployable,
        "reason": reason.join("\n"),
        "success": o.success,
        "failed": o.failed,
        "unknown": o.unknown,
    });
    if o.ignored > 0 {
        summary["ignored"] = json!(o.ignored);
    }
    json!({
        "summary": summary,
        "notices": o.reasons.iter().map(|(_, kind, text)| json!({"type": kind, "text": text})).collect::<Vec<_>>(),
        "matrix": o.rows.iter().map(|r| row_json(u, r, explain, facts)).collect::<Vec<_>>(),
        "_links": {},
    })
}

async fn answer(state: &Shared, q: &MatrixQuery) -> ApiResult {
    let o = evaluate(state, q).await?;
    let facts = facts_of(state, &o).await?;
    Ok(hal_response(
        StatusCode::OK,
        outcome_json(&state.urls(), &o, q.explain, &facts),
    ))
}

/// Every row between two pacticipants.
async fn matrix_for_pair(
    State(state): State<Shared>,
    Path((provider, consumer)): Path<(String, String)>,
) -> ApiResult {
    let q = MatrixQuery {
        selectors: [consumer, provider]
            .into_iter()
            .map(|pacticipant| Selector {
                pacticipant,
                ..Selector::default()
            })
            .collect(),
        limit: 100,
        ..MatrixQuery::default()
    };
    answer(&state, &q).await
}

/// The latest version with `tag`, to the latest version of each integrated
/// pacticipant with tag `to`.
pub fn tag_to_tag(name: String, tag: String, to: String) -> MatrixQuery {
    let selector = Selector {
        pacticipant: name,
        latest: true,
        tag: Some(tag),
        ..Selector::default()
    };
    MatrixQuery {
        latestby: Some("cvp".into()),
        latest: true,
        tag: Some(to),
        ..one_selector(selector)
    }
}

/// The latest version on `branch`, to what is in `environment`.
pub fn branch_to_environment(name: String, branch: String, environment: String) -> MatrixQuery {
    let selector = Selector {
        pacticipant: name,
        latest: true,
        branch: Some(branch),
        ..Selector::default()
    };
    MatrixQuery {
        latestby: Some("cvpv".into()),
        environment: Some(environment),
        ..one_selector(selector)
    }
}

async fn can_i_deploy_tag_to_tag(
    State(state): State<Shared>,
    Path((name, tag, to)): Path<(String, String, String)>,
) -> ApiResult {
    answer(&state, &tag_to_tag(name, tag, to)).await
}

async fn can_i_deploy_branch_to_environment(
    State(state): State<Shared>,
    Path((name, branch, environment)): Path<(String, String, String)>,
) -> ApiResult {
    answer(&state, &branch_to_environment(name, branch, environment)).await
}

/// A query of one selector, the default limit and nothing else.
fn one_selector(selector: Selector) -> MatrixQuery {
    MatrixQuery {
        selectors: vec![selector],
        limit: 100,
        ..MatrixQuery::default()
    }
}

async fn matrix(
    State(state): State<Shared>,
    headers: axum::http::HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let q = parse_matrix_query(raw.as_deref())?;
    // a selector naming no pacticipant is a 400 listing them, as the
    // Pact Broker answers (`{"errors": ["Pacticipant X not found"]}`)
    let mut unknown = Vec::new();
    for s in &q.selectors {
        if state.store.pacticipant(&s.pacticipant).await?.is_none() {
            unknown.push(Value::String(format!(
                "Pacticipant {} not found",
                s.pacticipant
            )));
        }
    }
    if !unknown.is_empty() {
        return Ok(hal_response(
            StatusCode::BAD_REQUEST,
            json!({ "errors": unknown }),
        ));
    }
    let wants_text = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.starts_with("text/plain"));
    if wants_text {
        let o = evaluate(&state, &q).await?;
        return Ok((
            [(axum::http::header::CONTENT_TYPE, "text/plain;charset=utf-8")],
            outcome_text(&o),
        )
            .into_response());
    }
    answer(&state, &q).await
}

async fn can_i_deploy(State(state): State<Shared>, RawQuery(raw): RawQuery) -> ApiResult {
    let q = parse_can_i_deploy(raw.as_deref())?;
    answer(&state, &q).await
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
