//! `seam broker clean`: removes what no question will ask about again, in
//! batches so a broker running on the same database is never held up long.
//!
//! Application versions are kept when a keep selector picks them (the Pact
//! Broker's format: `{"latest": true}`, `{"branch": true, "latest": true}`,
//! `{"tag": "prod"}`, `{"deployedOrReleased": true}`, `{"max_age": 90}`, ...,
//! each optionally for one `pacticipant`); what is deployed or released now
//! is always kept. Everything else goes, with its tags, branches, pacts and
//! verifications. Also removed: overwritten pact revisions, repeated
//! verifications (same content, same provider version: the newest stays),
//! pact contents nothing publishes any more, and finished webhook
//! deliveries older than 30 days.

use crate::store::{stamp, Store, StoreError};
use serde_json::Value;
use sqlx::Row;
use std::collections::{HashMap, HashSet};

/// One keep selector.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keep {
    pub pacticipant: Option<String>,
    /// `true`: every branch; a name: that branch.
    pub branch: Option<Option<String>>,
    pub main_branch: bool,
    /// `true`: every tag; a name: that tag.
    pub tag: Option<Option<String>>,
    pub latest: bool,
    pub deployed: bool,
    pub released: bool,
    pub max_age_days: Option<i64>,
}

const KEEP_KEYS: &[&str] = &[
    "pacticipant",
    "branch",
    "mainBranch",
    "tag",
    "latest",
    "deployed",
    "released",
    "deployedOrReleased",
    "max_age",
    "maxAge",
];

impl Keep {
    /// The selectors kept when none are given: the latest version of each
    /// pacticipant, branch and tag, what is deployed or released, and
    /// anything from the last 90 days.
    pub fn defaults() -> Vec<Keep> {
        vec![
            Keep {
                latest: true,
                ..Keep::default()
            },
            Keep {
                branch: Some(None),
                latest: true,
                ..Keep::default()
            },
            Keep {
                tag: Some(None),
                latest: true,
                ..Keep::default()
            },
            Keep {
                deployed: true,
                released: true,
                ..Keep::default()
            },
            Keep {
                max_age_days: Some(90),
                ..Keep::default()
            },
        ]
    }

    /// Reads one selector, strictly; the error says what was expected.
    pub fn read(v: &Value) -> Result<Keep, String> {
        let Some(m) = v.as_object() else {
            return Err(
                "a keep selector is a JSON object, like {\"branch\": true, \"latest\": true}"
                    .into(),
            );
        };
        if m.is_empty() {
            return Err("an empty keep selector would keep everything; name what to keep".into());
        }
        let mut k = Keep::default();
        for (key, value) in m {
            let flag = || match value {
                Value::Bool(b) => Ok(*b),
                _ => Err(format!("{key} must be true or false")),
            };
            let name_or_all = || match value {
                Value::Bool(true) => Ok(Some(None)),
                Value::String(s) if !s.is_empty() => Ok(Some(Some(s.clone()))),
                _ => Err(format!("{key} must be true (every one) or a name")),
            };
            match key.as_str() {
                "pacticipant" => match value {
                    Value::String(s) if !s.is_empty() => k.pacticipant = Some(s.clone()),
                    _ => return Err("pacticipant must be a pacticipant's name".into()),
                },
                "branch" => k.branch = name_or_all()?,
                "tag" => k.tag = name_or_all()?,
                "mainBranch" => k.main_branch = flag()?,
                "latest" => k.latest = flag()?,
                "deployed" => k.deployed = flag()?,
                "released" => k.released = flag()?,
                "deployedOrReleased" => {
                    let b = flag()?;
                    k.deployed = b;
                    k.released = b;
                }
                "max_age" | "maxAge" => match value.as_i64() {
                    Some(days) if days >= 0 => k.max_age_days = Some(days),
                    _ => return Err(format!("{key} is a number of days")),
                },
                other => {
                    return Err(format!(
                        "unknown key '{other}'{}",
                        seam_core::source::did_you_mean(other, KEEP_KEYS.iter().copied())
                    ))
                }
            }
        }
        Ok(k)
    }
}

/// What a clean removed (or would remove, in a dry run).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub versions_kept: usize,
    pub versions_removed: usize,
    pub overwritten_revisions: i64,
    pub repeated_verifications: i64,
    pub orphaned_pact_contents: i64,
    pub old_webhook_deliveries: i64,
    pub batches: usize,
    /// Rows per table before and after.
    pub counts_before: Vec<(&'static str, i64)>,
    pub counts_after: Vec<(&'static str, i64)>,
}

struct VersionRow {
    id: i64,
    pacticipant: String,
    main_branch: Option<String>,
    created_at: String,
}

/// Which versions the selectors keep.
async fn kept(store: &Store, keep: &[Keep]) -> Result<(Vec<VersionRow>, HashSet<i64>), StoreError> {
    let pool = &store.pool;
    let versions: Vec<VersionRow> = sqlx::query(
        "SELECT v.id, p.name, p.main_branch, v.created_at FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id ORDER BY v.id",
    )
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(VersionRow {
            id: r.try_get(0)?,
            pacticipant: r.try_get(1)?,
            main_branch: r.try_get(2)?,
            created_at: r.try_get(3)?,
        })
    })
    .collect::<Result<_, sqlx::Error>>()?;
    let mut branches: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query("SELECT version_id, branch FROM branch_versions")
        .fetch_all(pool)
        .await?
    {
        branches
            .entry(r.try_get(0)?)
            .or_default()
            .push(r.try_get(1)?);
    }
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for r in sqlx::query("SELECT version_id, name FROM tags")
        .fetch_all(pool)
        .await?
    {
        tags.entry(r.try_get(0)?).or_default().push(r.try_get(1)?);
    }
    let mut deployed = HashSet::new();
    for r in sqlx::query("SELECT version_id FROM deployed_versions WHERE undeployed_at IS NULL")
        .fetch_all(pool)
        .await?
    {
        deployed.insert(r.try_get::<i64, _>(0)?);
    }
    let mut released = HashSet::new();
    for r in sqlx::query("SELECT version_id FROM released_versions WHERE support_ended_at IS NULL")
        .fetch_all(pool)
        .await?
    {
        released.insert(r.try_get::<i64, _>(0)?);
    }
    let now = store.clock.now();
    let none = Vec::new();
    // what is deployed or released now is never removed
    let mut keep_ids: HashSet<i64> = deployed.union(&released).copied().collect();
    for k in keep {
        let cutoff = k
            .max_age_days
            .map(|d| stamp(now - chrono::Duration::days(d)));
        // the versions this selector matches, and the groups its `latest` is per
        let mut latest_of: HashMap<(String, String), i64> = HashMap::new();
        for v in &versions {
            if k.pacticipant.as_ref().is_some_and(|p| *p != v.pacticipant) {
                continue;
            }
            if cutoff.as_ref().is_some_and(|c| v.created_at < *c) {
                continue;
            }
            if (k.deployed || k.released)
                && !((k.deployed && deployed.contains(&v.id))
                    || (k.released && released.contains(&v.id)))
            {
                continue;
            }
            let version_branches = branches.get(&v.id).unwrap_or(&none);
            let version_tags = tags.get(&v.id).unwrap_or(&none);
            if k.main_branch
                && !v
                    .main_branch
                    .as_ref()
                    .is_some_and(|m| version_branches.contains(m))
            {
                continue;
            }
            // the groups (a branch, a tag) the version is in, for this selector
            let mut groups: Vec<String> = Vec::new();
            match &k.branch {
                Some(Some(b)) if !version_branches.contains(b) => continue,
                Some(Some(b)) => groups.push(format!("branch {b}")),
                Some(None) if version_branches.is_empty() => continue,
                Some(None) => groups.extend(version_branches.iter().map(|b| format!("branch {b}"))),
                None => {}
            }
            match &k.tag {
                Some(Some(t)) if !version_tags.contains(t) => continue,
                Some(Some(t)) => groups.push(format!("tag {t}")),
                Some(None) if version_tags.is_empty() => continue,
                Some(None) => groups.extend(version_tags.iter().map(|t| format!("tag {t}"))),
                None => {}
            }
            if !k.latest {
                keep_ids.insert(v.id);
                continue;
            }
            if groups.is_empty() {
                groups.push(String::new());
            }
            for g in groups {
                // versions come in id order: the last one seen is the latest
                latest_of.insert((v.pacticipant.clone(), g), v.id);
            }
        }
        keep_ids.extend(latest_of.values());
    }
    Ok((versions, keep_ids))
}

async fn execute(
    store: &Store,
    sql: &str,
    dry_run: bool,
    count_sql: &str,
) -> Result<i64, StoreError> {
    if dry_run {
        let n: i64 = sqlx::query(count_sql)
            .fetch_one(&store.pool)
            .await?
            .try_get(0)?;
        return Ok(n);
    }
    Ok(sqlx::query(sql).execute(&store.pool).await?.rows_affected() as i64)
}

/// Cleans the database: versions no selector keeps, in batches of `batch`
/// per transaction, then overwritten and repeated data.
pub async fn clean(
    store: &Store,
    keep: &[Keep],
    batch: usize,
    dry_run: bool,
) -> Result<Report, StoreError> {
    let counts_before = store.counts().await?;
    let (versions, keep_ids) = kept(store, keep).await?;
    let doomed: Vec<i64> = versions
        .iter()
        .map(|v| v.id)
        .filter(|id| !keep_ids.contains(id))
        .collect();
    let mut report = Report {
        versions_kept: versions.len() - doomed.len(),
        versions_removed: doomed.len(),
        counts_before,
        ..Report::default()
    };
    if !dry_run {
        for chunk in doomed.chunks(batch.max(1)) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let mut tx = store.pool.begin().await?;
            // what points at these versions goes with them (ON DELETE CASCADE)
            sqlx::query(&format!("DELETE FROM versions WHERE id IN ({list})"))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            report.batches += 1;
        }
    }
    report.overwritten_revisions = execute(
        store,
        "DELETE FROM pact_publications WHERE revision < (SELECT MAX(p2.revision) FROM pact_publications p2 WHERE p2.consumer_version_id = pact_publications.consumer_version_id AND p2.provider_id = pact_publications.provider_id)",
        dry_run,
        "SELECT COUNT(*) FROM pact_publications WHERE revision < (SELECT MAX(p2.revision) FROM pact_publications p2 WHERE p2.consumer_version_id = pact_publications.consumer_version_id AND p2.provider_id = pact_publications.provider_id)",
    )
    .await?;
    report.repeated_verifications = execute(
        store,
        "DELETE FROM verifications WHERE id < (SELECT MAX(v2.id) FROM verifications v2 WHERE v2.pact_version_id = verifications.pact_version_id AND v2.provider_version_id = verifications.provider_version_id)",
        dry_run,
        "SELECT COUNT(*) FROM verifications WHERE id < (SELECT MAX(v2.id) FROM verifications v2 WHERE v2.pact_version_id = verifications.pact_version_id AND v2.provider_version_id = verifications.provider_version_id)",
    )
    .await?;
    report.orphaned_pact_contents = execute(
        store,
        "DELETE FROM pact_versions WHERE NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.pact_version_id = pact_versions.id)",
        dry_run,
        "SELECT COUNT(*) FROM pact_versions WHERE NOT EXISTS (SELECT 1 FROM pact_publications pp WHERE pp.pact_version_id = pact_versions.id)",
    )
    .await?;
    let month_ago = stamp(store.clock.now() - chrono::Duration::days(30));
    let deliveries =
        format!("FROM webhook_deliveries WHERE status <> 'pending' AND updated_at < '{month_ago}'");
    report.old_webhook_deliveries = execute(
        store,
        &format!("DELETE {deliveries}"),
        dry_run,
        &format!("SELECT COUNT(*) {deliveries}"),
    )
    .await?;
    report.counts_after = store.counts().await?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keep_selectors_are_read_strictly() {
        let k = Keep::read(&json!({"branch": true, "latest": true, "pacticipant": "web"})).unwrap();
        assert_eq!(k.branch, Some(None));
        assert!(k.latest);
        let k = Keep::read(&json!({"deployedOrReleased": true, "max_age": 30})).unwrap();
        assert!(k.deployed && k.released);
        assert_eq!(k.max_age_days, Some(30));
        let e = Keep::read(&json!({"lates": true})).unwrap_err();
        assert!(e.contains("did you mean `latest`"), "{e}");
        assert!(Keep::read(&json!({})).is_err());
        assert!(Keep::read(&json!({"tag": false})).is_err());
    }
}
