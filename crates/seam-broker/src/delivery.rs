//! Delivery metrics from the broker's own history, per pacticipant, over a
//! window of days (`GET /metrics/delivery?days=30`):
//!
//! - deployment frequency: deployments and releases recorded, per
//!   environment, and per week;
//! - lead time: from a version's first appearance in the broker (its pact
//!   or results published) to each deployment or release of it;
//! - change failure rate: of the verifications by a provider's main-branch
//!   versions, the share that failed;
//! - time to restore: an integration (consumer, provider) is broken from a
//!   failed verification by the provider's main branch until the next
//!   passing one; each such period's length (the open ones are counted).

use crate::answer::{ok, ApiError, ApiResult, Shared};
use crate::store::{Store, StoreError};
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use sqlx::Row;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
pub struct Window {
    days: Option<String>,
}

fn parse(t: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(t)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn hours(d: chrono::Duration) -> f64 {
    (d.num_seconds() as f64 / 3600.0 * 100.0).round() / 100.0
}

/// The value at `q` (0..=1) of sorted hours, nearest rank.
fn rank(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

#[derive(Default)]
struct PerPacticipant {
    deployments: BTreeMap<String, i64>,
    lead_hours: Vec<f64>,
    verifications: i64,
    failed: i64,
    restore_hours: Vec<f64>,
    open_incidents: Vec<Value>,
}

/// The metrics over the last `days` days, as JSON.
pub async fn metrics(store: &Store, days: i64) -> Result<Value, StoreError> {
    let now = store.clock.now();
    let from = now - chrono::Duration::days(days);
    let mut by: BTreeMap<String, PerPacticipant> = BTreeMap::new();

    for (table, kind) in [
        ("deployed_versions", "deployment"),
        ("released_versions", "release"),
    ] {
        let rows = sqlx::query(&format!(
            "SELECT p.name, e.name, d.created_at, v.created_at FROM {table} d JOIN versions v ON v.id = d.version_id JOIN pacticipants p ON p.id = v.pacticipant_id JOIN environments e ON e.id = d.environment_id ORDER BY d.id"
        ))
        .fetch_all(&store.pool)
        .await?;
        for r in rows {
            let (name, environment): (String, String) = (r.try_get(0)?, r.try_get(1)?);
            let (at, born): (String, String) = (r.try_get(2)?, r.try_get(3)?);
            let (Some(at), Some(born)) = (parse(&at), parse(&born)) else {
                continue;
            };
            if at < from {
                continue;
            }
            let p = by.entry(name).or_default();
            let key = if kind == "release" {
                format!("{environment} (releases)")
            } else {
                environment
            };
            *p.deployments.entry(key).or_default() += 1;
            p.lead_hours.push(hours(at - born).max(0.0));
        }
    }

    // verifications by main-branch provider versions, oldest first
    let rows = sqlx::query(
        "SELECT pr.name, c.name, vr.success, vr.created_at, pv.number FROM verifications vr \
         JOIN versions pv ON pv.id = vr.provider_version_id \
         JOIN pacticipants pr ON pr.id = pv.pacticipant_id \
         JOIN branch_versions bv ON bv.version_id = pv.id AND bv.branch = pr.main_branch \
         JOIN pact_versions pc ON pc.id = vr.pact_version_id \
         JOIN pacticipants c ON c.id = pc.consumer_id \
         ORDER BY vr.id",
    )
    .fetch_all(&store.pool)
    .await?;
    // when each integration broke, and by which provider version
    let mut broken: BTreeMap<(String, String), (DateTime<Utc>, String)> = BTreeMap::new();
    for r in rows {
        let (provider, consumer): (String, String) = (r.try_get(0)?, r.try_get(1)?);
        let success: i64 = r.try_get(2)?;
        let at: String = r.try_get(3)?;
        let version: String = r.try_get(4)?;
        let Some(at) = parse(&at) else { continue };
        let p = by.entry(provider.clone()).or_default();
        if at >= from {
            p.verifications += 1;
            if success == 0 {
                p.failed += 1;
            }
        }
        let key = (consumer, provider);
        match (success != 0, broken.get(&key)) {
            (false, None) => {
                broken.insert(key, (at, version));
            }
            (true, Some((since, _))) => {
                if at >= from {
                    p.restore_hours.push(hours(at - *since));
                }
                broken.remove(&key);
            }
            _ => {}
        }
    }
    for ((consumer, provider), (since, version)) in broken {
        by.entry(provider).or_default().open_incidents.push(json!({
            "consumer": consumer,
            "since": crate::store::stamp(since),
            "failingProviderVersion": version,
            "hoursSoFar": hours(now - since),
        }));
    }

    let weeks = (days as f64 / 7.0).max(1.0 / 7.0);
    let pacticipants: Vec<Value> = by
        .into_iter()
        .map(|(name, mut p)| {
            p.lead_hours.sort_by(f64::total_cmp);
            p.restore_hours.sort_by(f64::total_cmp);
            let total: i64 = p.deployments.values().sum();
            json!({
                "name": name,
                "deploymentFrequency": {
                    "total": total,
                    "perWeek": (total as f64 / weeks * 100.0).round() / 100.0,
                    "byEnvironment": p.deployments,
                },
                "leadTimeHours": {
                    "count": p.lead_hours.len(),
                    "median": rank(&p.lead_hours, 0.5),
                    "p90": rank(&p.lead_hours, 0.9),
                },
                "changeFailureRate": {
                    "mainBranchVerifications": p.verifications,
                    "failed": p.failed,
                    "rate": if p.verifications == 0 { Value::Null } else { json!(((p.failed as f64 / p.verifications as f64) * 1000.0).round() / 1000.0) },
                },
                "timeToRestoreHours": {
                    "restored": p.restore_hours.len(),
                    "median": rank(&p.restore_hours, 0.5),
                    "max": p.restore_hours.last(),
                    "open": p.open_incidents,
                },
            })
        })
        .collect();
    Ok(json!({
        "window": {"days": days, "from": crate::store::stamp(from), "to": crate::store::stamp(now)},
        "pacticipants": pacticipants,
    }))
}

pub fn window_days(w: &Window) -> Result<i64, ApiError> {
    match w.days.as_deref() {
        None | Some("") => Ok(30),
        Some(d) => match d.parse::<i64>() {
            Ok(n) if (1..=3650).contains(&n) => Ok(n),
            _ => Err(ApiError::invalid(
                "days",
                format!("days must be a whole number from 1 to 3650, not '{d}'"),
            )),
        },
    }
}

pub async fn delivery_metrics(State(state): State<Shared>, Query(w): Query<Window>) -> ApiResult {
    let days = window_days(&w)?;
    let mut body = metrics(&state.store, days).await?;
    body["_links"] = json!({"self": crate::hal::link(state.urls().at("/metrics/delivery"), Some("Delivery metrics"), None)});
    ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(rank(&v, 0.5), Some(3.0));
        assert_eq!(rank(&v, 0.9), Some(10.0));
        assert_eq!(rank(&[], 0.5), None);
    }
}
