//! Where the broker keeps its records: one connection pool on SQLite (a file
//! in the data directory, WAL) or PostgreSQL, the schema brought up to date
//! at open, and every read and write the API needs as a method. SQL is written
//! once with `$n` placeholders, which both backends read.

use crate::schema::{self, Backend};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {url}: {reason}")]
    Open { url: String, reason: String },
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The broker's clock: the wall clock moved by an offset a test can change,
/// and never going backwards, so records made in order are stamped in order.
/// A test may also freeze it at an instant: each stamp is then that instant
/// plus one millisecond per record, as if the world stood still.
#[derive(Debug)]
pub struct Clock {
    offset_ms: AtomicI64,
    last_ms: AtomicI64,
    frozen_ms: AtomicI64,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            offset_ms: AtomicI64::new(0),
            last_ms: AtomicI64::new(0),
            frozen_ms: AtomicI64::new(NOT_FROZEN),
        }
    }
}

const NOT_FROZEN: i64 = i64::MIN;

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        let frozen = self.frozen_ms.load(Ordering::SeqCst);
        let wall = if frozen == NOT_FROZEN {
            Utc::now().timestamp_millis() + self.offset_ms.load(Ordering::SeqCst)
        } else {
            frozen
        };
        let prev = self.last_ms.fetch_max(wall, Ordering::SeqCst);
        let ms = if wall > prev {
            wall
        } else {
            // same millisecond (or a clock moved back): one past the last
            self.last_ms.fetch_add(1, Ordering::SeqCst) + 1
        };
        DateTime::from_timestamp_millis(ms).unwrap_or_else(Utc::now)
    }

    /// Moves the clock by `ms` (may be negative; later stamps still follow
    /// earlier ones only when moved forward).
    pub fn freeze_at(&self, at: DateTime<Utc>) {
        self.frozen_ms
            .store(at.timestamp_millis(), Ordering::SeqCst);
        self.last_ms.store(i64::MIN, Ordering::SeqCst);
    }

    pub fn advance(&self, ms: i64) {
        let frozen = self.frozen_ms.load(Ordering::SeqCst);
        if frozen != NOT_FROZEN {
            self.frozen_ms.store(frozen + ms, Ordering::SeqCst);
        }
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
        if ms < 0 {
            self.last_ms.store(i64::MIN, Ordering::SeqCst);
        }
    }
}

/// A stamp as stored: RFC 3339, UTC, milliseconds (sorts as text).
pub fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A version's branches (name, whether it is the branch's newest), tags,
/// and the environments it is in now (uuid, name, display name, production).
#[derive(Debug, Default)]
pub struct VersionFacts {
    pub branches: Vec<(String, bool)>,
    pub tags: Vec<String>,
    pub environments: Vec<(String, String, Option<String>, bool)>,
}

/// What a request may set on a pacticipant.
#[derive(Debug, Default)]
pub struct PacticipantFields<'a> {
    pub display_name: Option<&'a str>,
    pub main_branch: Option<&'a str>,
    pub repository_url: Option<&'a str>,
    pub repository_name: Option<&'a str>,
    pub repository_namespace: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub struct Pacticipant {
    pub id: i64,
    pub name: String,
    pub display_name: Option<String>,
    pub main_branch: Option<String>,
    pub repository_url: Option<String>,
    pub repository_name: Option<String>,
    pub repository_namespace: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Version {
    pub id: i64,
    pub pacticipant_id: i64,
    pub pacticipant: String,
    pub number: String,
    pub build_url: Option<String>,
    pub created_at: String,
}

/// A pact as published for one consumer version: its content is shared by
/// every publication of the same bytes (the pact version).
#[derive(Debug, Clone)]
pub struct Publication {
    pub id: i64,
    pub consumer: String,
    pub provider: String,
    pub provider_id: i64,
    pub consumer_version: String,
    pub consumer_version_id: i64,
    pub revision: i64,
    pub pact_version_id: i64,
    pub sha: String,
    pub content: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct Verification {
    pub id: i64,
    /// Its place among the pact version's verifications, from 1 (in URLs).
    pub number: i64,
    pub pact_version_id: i64,
    pub provider_version_id: i64,
    pub provider_version: String,
    pub success: bool,
    pub build_url: Option<String>,
    pub test_results: Option<String>,
    pub wip: bool,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct Environment {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub display_name: Option<String>,
    pub production: bool,
    /// who to ask about it: the JSON list the client sent
    pub contacts: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub uuid: String,
    pub version_id: i64,
    pub pacticipant: String,
    pub version: String,
    pub environment: String,
    pub environment_uuid: String,
    pub application_instance: Option<String>,
    pub created_at: String,
    pub ended_at: Option<String>,
}

/// What publishing a pact did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishKind {
    /// a new publication for this consumer version
    Created,
    /// the same content was already published for this consumer version
    Unchanged,
    /// different content for a consumer version that had one: a new revision
    Revised,
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub backend: Backend,
    pub clock: Arc<Clock>,
}

const PACTICIPANT_COLUMNS: &str =
    "id, name, display_name, main_branch, repository_url, repository_name, repository_namespace, created_at, updated_at";
const PACTICIPANT_COLUMNS_P: &str =
    "p.id, p.name, p.display_name, p.main_branch, p.repository_url, p.repository_name, p.repository_namespace, p.created_at, p.updated_at";

impl Store {
    /// Opens (creating when missing) the database at `url` (`sqlite://...`
    /// or `postgres://...`) and brings its schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(StoreError::Open {
                url: redact(url),
                reason: "expected a postgres:// (or sqlite://) URL".into(),
            });
        };
        let open_error = |e: sqlx::Error| StoreError::Open {
            url: redact(url),
            reason: match e {
                sqlx::Error::PoolTimedOut => {
                    "no answer within 10 s: is the server running, and the host and port right?"
                        .into()
                }
                other => other.to_string(),
            },
        };
        let mut options = AnyPoolOptions::new()
            .acquire_timeout(std::time::Duration::from_secs(10))
            .max_connections(match backend {
                // one writer at a time is SQLite's rule anyway; readers share WAL
                Backend::Sqlite => 4,
                Backend::Postgres => 16,
            });
        if backend == Backend::Sqlite {
            options = options.after_connect(|conn, _| {
                Box::pin(async move {
                    use sqlx::Executor;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(url).await.map_err(open_error)?;
        let store = Store {
            pool,
            backend,
            clock: Arc::new(Clock::default()),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The SQLite file `broker.db` in `dir` (created when missing).
    pub fn sqlite_url(dir: &Path) -> String {
        format!("sqlite://{}?mode=rwc", dir.join("broker.db").display())
    }

    async fn migrate(&self) -> Result<()> {
        sqlx::query("CREATE TABLE IF NOT EXISTS seam_migrations (step BIGINT NOT NULL, applied_at TEXT NOT NULL)")
            .execute(&self.pool)
            .await?;
        let applied: i64 =
            sqlx::query("SELECT COALESCE(MAX(step), 0) AS step FROM seam_migrations")
                .fetch_one(&self.pool)
                .await?
                .try_get("step")?;
        for (step, statements) in schema::pending(self.backend, applied) {
            let mut tx = self.pool.begin().await?;
            for statement in statements {
                sqlx::query(&statement).execute(&mut *tx).await?;
            }
            sqlx::query("INSERT INTO seam_migrations (step, applied_at) VALUES ($1, $2)")
                .bind(step)
                .bind(stamp(self.clock.now()))
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    pub(crate) fn now(&self) -> String {
        stamp(self.clock.now())
    }

    // ---- pacticipants ----

    pub async fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>> {
        let row = sqlx::query(&format!(
            "SELECT {PACTICIPANT_COLUMNS} FROM pacticipants WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| pacticipant_of(&r)).transpose()
    }

    pub async fn pacticipants(&self) -> Result<Vec<Pacticipant>> {
        let rows = sqlx::query(&format!(
            "SELECT {PACTICIPANT_COLUMNS} FROM pacticipants ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pacticipant_of).collect()
    }

    /// The pacticipant `name`, created when missing.
    pub async fn ensure_pacticipant(&self, name: &str) -> Result<Pacticipant> {
        if let Some(p) = self.pacticipant(name).await? {
            return Ok(p);
        }
        let now = self.now();
        sqlx::query(
            "INSERT INTO pacticipants (name, created_at, updated_at) VALUES ($1, $2, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&now)
        .execute(&self.pool)
        .await?;
        Ok(self.pacticipant(name).await?.expect("inserted"))
    }

    /// Creates or updates a pacticipant. With `replace` (a PUT), every field
    /// takes the value given, absent ones cleared; without it (a PATCH), absent
    /// fields are left as they are. `Some("")` clears. Returns it and whether
    /// it was created.
    pub async fn upsert_pacticipant(
        &self,
        name: &str,
        fields: &PacticipantFields<'_>,
        replace: bool,
    ) -> Result<(Pacticipant, bool)> {
        let created = self.pacticipant(name).await?.is_none();
        let p = self.ensure_pacticipant(name).await?;
        let pick = |new: Option<&str>, old: &Option<String>| match new {
            Some("") => None,
            Some(v) => Some(v.to_string()),
            None if replace => None,
            None => old.clone(),
        };
        sqlx::query(
            "UPDATE pacticipants SET display_name = $1, main_branch = $2, repository_url = $3, repository_name = $4, repository_namespace = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(pick(fields.display_name, &p.display_name))
        .bind(pick(fields.main_branch, &p.main_branch))
        .bind(pick(fields.repository_url, &p.repository_url))
        .bind(pick(fields.repository_name, &p.repository_name))
        .bind(pick(fields.repository_namespace, &p.repository_namespace))
        .bind(self.now())
        .bind(p.id)
        .execute(&self.pool)
        .await?;
        Ok((self.pacticipant(name).await?.expect("exists"), created))
    }

    pub async fn delete_pacticipant(&self, name: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM pacticipants WHERE name = $1")
            .bind(name)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    // ---- versions, branches, tags ----

    fn version_select() -> &'static str {
        "SELECT v.id, v.pacticipant_id, p.name AS pacticipant, v.number, v.build_url, v.created_at FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id"
    }

    pub async fn version(&self, pacticipant: &str, number: &str) -> Result<Option<Version>> {
        let row = sqlx::query(&format!(
            "{} WHERE p.name = $1 AND v.number = $2",
            Self::version_select()
        ))
        .bind(pacticipant)
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| version_of(&r)).transpose()
    }

    pub async fn version_by_id(&self, id: i64) -> Result<Option<Version>> {
        let row = sqlx::query(&format!("{} WHERE v.id = $1", Self::version_select()))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| version_of(&r)).transpose()
    }

    /// Every version of `pacticipant`, newest first.
    pub async fn versions(&self, pacticipant: &str) -> Result<Vec<Version>> {
        let rows = sqlx::query(&format!(
            "{} WHERE p.name = $1 ORDER BY v.id DESC",
            Self::version_select()
        ))
        .bind(pacticipant)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_of).collect()
    }

    /// The version, created (with its pacticipant) when missing.
    pub async fn ensure_version(&self, pacticipant: &str, number: &str) -> Result<Version> {
        if let Some(v) = self.version(pacticipant, number).await? {
            return Ok(v);
        }
        let p = self.ensure_pacticipant(pacticipant).await?;
        sqlx::query(
            "INSERT INTO versions (pacticipant_id, number, created_at) VALUES ($1, $2, $3) ON CONFLICT (pacticipant_id, number) DO NOTHING",
        )
        .bind(p.id)
        .bind(number)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(self.version(pacticipant, number).await?.expect("inserted"))
    }

    pub async fn set_build_url(&self, version_id: i64, build_url: &str) -> Result<()> {
        sqlx::query("UPDATE versions SET build_url = $1 WHERE id = $2")
            .bind(build_url)
            .bind(version_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_version(&self, pacticipant: &str, number: &str) -> Result<bool> {
        let Some(v) = self.version(pacticipant, number).await? else {
            return Ok(false);
        };
        sqlx::query("DELETE FROM versions WHERE id = $1")
            .bind(v.id)
            .execute(&self.pool)
            .await?;
        Ok(true)
    }

    /// The newest version of `pacticipant` (with `tag`, or on `branch`, when given).
    pub async fn latest_version(
        &self,
        pacticipant: &str,
        tag: Option<&str>,
        branch: Option<&str>,
    ) -> Result<Option<Version>> {
        let mut sql = format!("{} WHERE p.name = $1", Self::version_select());
        if tag.is_some() {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.name = $2)",
            );
        } else if branch.is_some() {
            sql.push_str(" AND EXISTS (SELECT 1 FROM branch_versions b WHERE b.version_id = v.id AND b.branch = $2)");
        }
        sql.push_str(" ORDER BY v.id DESC LIMIT 1");
        let mut q = sqlx::query(&sql).bind(pacticipant);
        if let Some(x) = tag.or(branch) {
            q = q.bind(x);
        }
        let row = q.fetch_optional(&self.pool).await?;
        row.map(|r| version_of(&r)).transpose()
    }

    /// Every version of `pacticipant` with `tag`, newest first.
    pub async fn versions_with_tag(&self, pacticipant: &str, tag: &str) -> Result<Vec<Version>> {
        let rows = sqlx::query(&format!(
            "{} WHERE p.name = $1 AND EXISTS (SELECT 1 FROM tags t WHERE t.version_id = v.id AND t.name = $2) ORDER BY v.id DESC",
            Self::version_select()
        ))
        .bind(pacticipant)
        .bind(tag)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_of).collect()
    }

    /// Every version of `pacticipant` on `branch`, newest first.
    pub async fn versions_on_branch(
        &self,
        pacticipant: &str,
        branch: &str,
    ) -> Result<Vec<Version>> {
        let rows = sqlx::query(&format!(
            "{} WHERE p.name = $1 AND EXISTS (SELECT 1 FROM branch_versions b WHERE b.version_id = v.id AND b.branch = $2) ORDER BY v.id DESC",
            Self::version_select()
        ))
        .bind(pacticipant)
        .bind(branch)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(version_of).collect()
    }

    /// Puts `version` on `branch` (no-op when it is there). A pacticipant
    /// without a main branch gets this one when it is `main`, `master` or
    /// `develop`, as the Pact Broker detects it.
    pub async fn add_branch(&self, version: &Version, branch: &str) -> Result<bool> {
        if ["main", "master", "develop"].contains(&branch) {
            sqlx::query(
                "UPDATE pacticipants SET main_branch = $1 WHERE id = $2 AND main_branch IS NULL",
            )
            .bind(branch)
            .bind(version.pacticipant_id)
            .execute(&self.pool)
            .await?;
        }
        let done = sqlx::query(
            "INSERT INTO branch_versions (pacticipant_id, branch, version_id, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (version_id, branch) DO NOTHING",
        )
        .bind(version.pacticipant_id)
        .bind(branch)
        .bind(version.id)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn branches_of(&self, version_id: i64) -> Result<Vec<String>> {
        let rows =
            sqlx::query("SELECT branch FROM branch_versions WHERE version_id = $1 ORDER BY id")
                .bind(version_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| Ok(r.try_get("branch")?)).collect()
    }

    /// The branches of `pacticipant`, each with its newest version.
    pub async fn branches(&self, pacticipant: &str) -> Result<Vec<(String, String)>> {
        Ok(self
            .branches_made(pacticipant)
            .await?
            .into_iter()
            .map(|(branch, latest, _)| (branch, latest))
            .collect())
    }

    /// The branches of `pacticipant`: each with its newest version and when
    /// it was first used.
    pub async fn branches_made(&self, pacticipant: &str) -> Result<Vec<(String, String, String)>> {
        let rows = sqlx::query(
            "SELECT b.branch, v.number, (SELECT MIN(b3.created_at) FROM branch_versions b3 WHERE b3.pacticipant_id = b.pacticipant_id AND b3.branch = b.branch) AS made FROM branch_versions b JOIN versions v ON v.id = b.version_id JOIN pacticipants p ON p.id = b.pacticipant_id WHERE p.name = $1 AND b.version_id = (SELECT MAX(b2.version_id) FROM branch_versions b2 WHERE b2.pacticipant_id = b.pacticipant_id AND b2.branch = b.branch) ORDER BY b.branch",
        )
        .bind(pacticipant)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("branch")?,
                    r.try_get("number")?,
                    r.try_get("made")?,
                ))
            })
            .collect()
    }

    /// Removes `branch` of `pacticipant` (its versions stay).
    pub async fn delete_branch(&self, pacticipant: &str, branch: &str) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM branch_versions WHERE branch = $1 AND pacticipant_id IN (SELECT id FROM pacticipants WHERE name = $2)",
        )
        .bind(branch)
        .bind(pacticipant)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// When `pacticipant` first had a version on `branch` (`None`: never).
    pub async fn branch_first_used(
        &self,
        pacticipant_id: i64,
        branch: &str,
    ) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT MIN(created_at) AS at FROM branch_versions WHERE pacticipant_id = $1 AND branch = $2",
        )
        .bind(pacticipant_id)
        .bind(branch)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("at")?)
    }

    /// When a version of `pacticipant` was first tagged `tag` (`None`: never).
    pub async fn tag_first_used(&self, pacticipant_id: i64, tag: &str) -> Result<Option<String>> {
        let row = sqlx::query(
            "SELECT MIN(t.created_at) AS at FROM tags t JOIN versions v ON v.id = t.version_id WHERE v.pacticipant_id = $1 AND t.name = $2",
        )
        .bind(pacticipant_id)
        .bind(tag)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("at")?)
    }

    /// Tags `version` (no-op when tagged); whether the tag is new.
    pub async fn add_tag(&self, version: &Version, tag: &str) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO tags (version_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (version_id, name) DO NOTHING",
        )
        .bind(version.id)
        .bind(tag)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn tag_created_at(&self, version_id: i64, tag: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT created_at FROM tags WHERE version_id = $1 AND name = $2")
            .bind(version_id)
            .bind(tag)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(r.try_get("created_at")?)).transpose()
    }

    pub async fn delete_tag(&self, version_id: i64, tag: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM tags WHERE version_id = $1 AND name = $2")
            .bind(version_id)
            .bind(tag)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn tags_of(&self, version_id: i64) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT name FROM tags WHERE version_id = $1 ORDER BY id")
            .bind(version_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("name")?)).collect()
    }

    // ---- pacts ----

    /// Publishes `content` as the pact between the consumer version and
    /// `provider`: the same bytes as any earlier pact of the pair share its
    /// pact version (and so its verifications).
    pub async fn publish_pact(
        &self,
        consumer_version: &Version,
        provider: &str,
        content: &str,
    ) -> Result<(Publication, PublishKind)> {
        let provider = self.ensure_pacticipant(provider).await?;
        let sha = content_sha(content);
        let now = self.now();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (consumer_id, provider_id, sha) DO NOTHING",
        )
        .bind(consumer_version.pacticipant_id)
        .bind(provider.id)
        .bind(&sha)
        .bind(content)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        let pact_version_id: i64 = sqlx::query(
            "SELECT id FROM pact_versions WHERE consumer_id = $1 AND provider_id = $2 AND sha = $3",
        )
        .bind(consumer_version.pacticipant_id)
        .bind(provider.id)
        .bind(&sha)
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        let last = sqlx::query(
            "SELECT revision, pact_version_id FROM pact_publications WHERE consumer_version_id = $1 AND provider_id = $2 ORDER BY revision DESC LIMIT 1",
        )
        .bind(consumer_version.id)
        .bind(provider.id)
        .fetch_optional(&mut *tx)
        .await?;
        let (revision, kind) = match last {
            None => (1, PublishKind::Created),
            Some(row) => {
                let revision: i64 = row.try_get("revision")?;
                let previous: i64 = row.try_get("pact_version_id")?;
                if previous == pact_version_id {
                    tx.commit().await?;
                    let publication = self
                        .publication(
                            &consumer_version.pacticipant,
                            provider.name.as_str(),
                            &consumer_version.number,
                        )
                        .await?
                        .expect("published");
                    return Ok((publication, PublishKind::Unchanged));
                }
                (revision + 1, PublishKind::Revised)
            }
        };
        sqlx::query(
            "INSERT INTO pact_publications (consumer_version_id, provider_id, revision, pact_version_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(consumer_version.id)
        .bind(provider.id)
        .bind(revision)
        .bind(pact_version_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let publication = self
            .publication(
                &consumer_version.pacticipant,
                &provider.name,
                &consumer_version.number,
            )
            .await?
            .expect("published");
        Ok((publication, kind))
    }

    fn publication_select() -> &'static str {
        "SELECT pp.id, c.name AS consumer, pr.name AS provider, pp.provider_id, cv.number AS consumer_version, pp.consumer_version_id, pp.revision, pp.pact_version_id, pv.sha, pv.content, pp.created_at \
         FROM pact_publications pp \
         JOIN versions cv ON cv.id = pp.consumer_version_id \
         JOIN pacticipants c ON c.id = cv.pacticipant_id \
         JOIN pacticipants pr ON pr.id = pp.provider_id \
         JOIN pact_versions pv ON pv.id = pp.pact_version_id"
    }

    /// The latest revision of the pact published for the consumer version.
    pub async fn publication(
        &self,
        consumer: &str,
        provider: &str,
        consumer_version: &str,
    ) -> Result<Option<Publication>> {
        let row = sqlx::query(&format!(
            "{} WHERE c.name = $1 AND pr.name = $2 AND cv.number = $3 ORDER BY pp.revision DESC LIMIT 1",
            Self::publication_select()
        ))
        .bind(consumer)
        .bind(provider)
        .bind(consumer_version)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| publication_of(&r)).transpose()
    }

    /// The latest revision for a consumer version id and provider id.
    pub async fn publication_for(
        &self,
        consumer_version_id: i64,
        provider_id: i64,
    ) -> Result<Option<Publication>> {
        let row = sqlx::query(&format!(
            "{} WHERE pp.consumer_version_id = $1 AND pp.provider_id = $2 ORDER BY pp.revision DESC LIMIT 1",
            Self::publication_select()
        ))
        .bind(consumer_version_id)
        .bind(provider_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| publication_of(&r)).transpose()
    }

    /// Every revision of the pact for a consumer version and provider id,
    /// the latest first.
    pub async fn revisions(
        &self,
        consumer_version_id: i64,
        provider_id: i64,
    ) -> Result<Vec<Publication>> {
        let rows = sqlx::query(&format!(
            "{} WHERE pp.consumer_version_id = $1 AND pp.provider_id = $2 ORDER BY pp.revision DESC",
            Self::publication_select()
        ))
        .bind(consumer_version_id)
        .bind(provider_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(publication_of).collect()
    }

    /// The pact of the pair by content hash (the newest publication of it).
    pub async fn publication_by_sha(
        &self,
        consumer: &str,
        provider: &str,
        sha: &str,
    ) -> Result<Option<Publication>> {
        let row = sqlx::query(&format!(
            "{} WHERE c.name = $1 AND pr.name = $2 AND pv.sha = $3 ORDER BY cv.id DESC, pp.revision DESC LIMIT 1",
            Self::publication_select()
        ))
        .bind(consumer)
        .bind(provider)
        .bind(sha)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| publication_of(&r)).transpose()
    }

    /// The latest revision of every pact published by `consumer` (any
    /// consumer when `None`) for `provider` (any when `None`), newest
    /// consumer version first.
    pub async fn publications(
        &self,
        consumer: Option<&str>,
        provider: Option<&str>,
    ) -> Result<Vec<Publication>> {
        let sql = format!(
            "{} WHERE ($1 IS NULL OR c.name = $1) AND ($2 IS NULL OR pr.name = $2) AND pp.revision = (SELECT MAX(p2.revision) FROM pact_publications p2 WHERE p2.consumer_version_id = pp.consumer_version_id AND p2.provider_id = pp.provider_id) ORDER BY cv.id DESC",
            Self::publication_select()
        );
        let rows = sqlx::query(&sql)
            .bind(consumer)
            .bind(provider)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(publication_of).collect()
    }

    pub async fn delete_publications(
        &self,
        consumer: &str,
        provider: &str,
        consumer_version: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "DELETE FROM pact_publications WHERE consumer_version_id IN (SELECT v.id FROM versions v JOIN pacticipants c ON c.id = v.pacticipant_id WHERE c.name = $1 AND v.number = $3) AND provider_id IN (SELECT id FROM pacticipants WHERE name = $2)",
        )
        .bind(consumer)
        .bind(provider)
        .bind(consumer_version)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The providers a consumer version has pacts with.
    pub async fn providers_of_version(&self, version_id: i64) -> Result<Vec<Pacticipant>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM pacticipants p WHERE p.id IN (SELECT provider_id FROM pact_publications WHERE consumer_version_id = $1) ORDER BY p.name",
            PACTICIPANT_COLUMNS_P
        ))
        .bind(version_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pacticipant_of).collect()
    }

    /// The consumers that ever published a pact for the provider.
    pub async fn consumers_of(&self, provider_id: i64) -> Result<Vec<Pacticipant>> {
        let rows = sqlx::query(&format!(
            "SELECT {} FROM pacticipants p WHERE p.id IN (SELECT consumer_id FROM pact_versions WHERE provider_id = $1) ORDER BY p.name",
            PACTICIPANT_COLUMNS_P
        ))
        .bind(provider_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pacticipant_of).collect()
    }

    // ---- verifications ----

    pub async fn add_verification(
        &self,
        pact_version_id: i64,
        provider_version: &Version,
        success: bool,
        build_url: Option<&str>,
        test_results: Option<&str>,
        wip: bool,
    ) -> Result<Verification> {
        let id: i64 = sqlx::query(
            // numbered from 1 for each pact version, as the Pact Broker does
            "INSERT INTO verifications (pact_version_id, provider_version_id, success, build_url, test_results, wip, created_at, number) VALUES ($1, $2, $3, $4, $5, $6, $7, (SELECT COALESCE(MAX(number), 0) + 1 FROM verifications WHERE pact_version_id = $1)) RETURNING id",
        )
        .bind(pact_version_id)
        .bind(provider_version.id)
        .bind(success as i64)
        .bind(build_url)
        .bind(test_results)
        .bind(wip as i64)
        .bind(self.now())
        .fetch_one(&self.pool)
        .await?
        .try_get("id")?;
        Ok(self.verification(id).await?.expect("inserted"))
    }

    fn verification_select() -> &'static str {
        "SELECT vr.id, vr.number, vr.pact_version_id, vr.provider_version_id, v.number AS provider_version, vr.success, vr.build_url, vr.test_results, vr.wip, vr.created_at FROM verifications vr JOIN versions v ON v.id = vr.provider_version_id"
    }

    pub async fn verification(&self, id: i64) -> Result<Option<Verification>> {
        let row = sqlx::query(&format!("{} WHERE vr.id = $1", Self::verification_select()))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| verification_of(&r)).transpose()
    }

    // ---- labels ----

    /// Labels `pacticipant` (made when missing); false when it had it.
    pub async fn add_label(&self, pacticipant: &Pacticipant, label: &str) -> Result<bool> {
        Ok(sqlx::query(
            "INSERT INTO labels (pacticipant_id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (pacticipant_id, name) DO NOTHING",
        )
        .bind(pacticipant.id)
        .bind(label)
        .bind(self.now())
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    pub async fn delete_label(&self, pacticipant_id: i64, label: &str) -> Result<bool> {
        Ok(
            sqlx::query("DELETE FROM labels WHERE pacticipant_id = $1 AND name = $2")
                .bind(pacticipant_id)
                .bind(label)
                .execute(&self.pool)
                .await?
                .rows_affected()
                > 0,
        )
    }

    /// A pacticipant's labels, by name.
    pub async fn labels_of(&self, pacticipant: &str) -> Result<Vec<String>> {
        let rows = sqlx::query(
            "SELECT l.name FROM labels l JOIN pacticipants p ON p.id = l.pacticipant_id WHERE p.name = $1 ORDER BY l.name",
        )
        .bind(pacticipant)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("name").map_err(StoreError::from))
            .collect()
    }

    /// The pacticipants carrying `label`.
    pub async fn pacticipants_with_label(&self, label: &str) -> Result<Vec<Pacticipant>> {
        let rows = sqlx::query(&format!(
            "SELECT {PACTICIPANT_COLUMNS_P} FROM pacticipants p JOIN labels l ON l.pacticipant_id = p.id WHERE l.name = $1 ORDER BY p.name"
        ))
        .bind(label)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(pacticipant_of).collect()
    }

    /// Whether any version of the provider has published a verification.
    pub async fn provider_has_verified(&self, provider_id: i64) -> Result<bool> {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM verifications vr JOIN versions v ON v.id = vr.provider_version_id WHERE v.pacticipant_id = $1",
        )
        .bind(provider_id)
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        Ok(n > 0)
    }

    /// Every verification of a pact version, newest first.
    pub async fn verifications_of(&self, pact_version_id: i64) -> Result<Vec<Verification>> {
        let rows = sqlx::query(&format!(
            "{} WHERE vr.pact_version_id = $1 ORDER BY vr.id DESC",
            Self::verification_select()
        ))
        .bind(pact_version_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(verification_of).collect()
    }

    // ---- environments, deployments, releases ----

    fn environment_select() -> &'static str {
        "SELECT id, uuid, name, display_name, production, contacts, created_at, updated_at FROM environments"
    }

    pub async fn environments(&self) -> Result<Vec<Environment>> {
        let rows = sqlx::query(&format!("{} ORDER BY name", Self::environment_select()))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(environment_of).collect()
    }

    pub async fn environment(&self, uuid: &str) -> Result<Option<Environment>> {
        let row = sqlx::query(&format!("{} WHERE uuid = $1", Self::environment_select()))
            .bind(uuid)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| environment_of(&r)).transpose()
    }

    pub async fn environment_named(&self, name: &str) -> Result<Option<Environment>> {
        let row = sqlx::query(&format!("{} WHERE name = $1", Self::environment_select()))
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| environment_of(&r)).transpose()
    }

    pub async fn create_environment(
        &self,
        name: &str,
        display_name: Option<&str>,
        production: bool,
        contacts: Option<&str>,
    ) -> Result<Environment> {
        let now = self.now();
        let uuid = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO environments (uuid, name, display_name, production, contacts, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(&uuid)
        .bind(name)
        .bind(display_name)
        .bind(production as i64)
        .bind(contacts)
        .bind(&now)
        .execute(&self.pool)
        .await?;
        Ok(self.environment(&uuid).await?.expect("inserted"))
    }

    pub async fn update_environment(
        &self,
        uuid: &str,
        name: &str,
        display_name: Option<&str>,
        production: bool,
        contacts: Option<&str>,
    ) -> Result<Option<Environment>> {
        sqlx::query(
            "UPDATE environments SET name = $1, display_name = $2, production = $3, contacts = $4, updated_at = $5 WHERE uuid = $6",
        )
        .bind(name)
        .bind(display_name)
        .bind(production as i64)
        .bind(contacts)
        .bind(self.now())
        .bind(uuid)
        .execute(&self.pool)
        .await?;
        self.environment(uuid).await
    }

    pub async fn delete_environment(&self, uuid: &str) -> Result<bool> {
        let done = sqlx::query("DELETE FROM environments WHERE uuid = $1")
            .bind(uuid)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records `version` as deployed to `environment`: the deployment of the
    /// same pacticipant and application instance there ends.
    pub async fn record_deployment(
        &self,
        version: &Version,
        environment: &Environment,
        application_instance: Option<&str>,
    ) -> Result<Deployment> {
        let now = self.now();
        let uuid = uuid::Uuid::new_v4().to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE deployed_versions SET undeployed_at = $1 WHERE undeployed_at IS NULL AND environment_id = $2 AND COALESCE(application_instance, '') = COALESCE($3, '') AND version_id IN (SELECT id FROM versions WHERE pacticipant_id = $4)",
        )
        .bind(&now)
        .bind(environment.id)
        .bind(application_instance)
        .bind(version.pacticipant_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO deployed_versions (uuid, version_id, environment_id, application_instance, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&uuid)
        .bind(version.id)
        .bind(environment.id)
        .bind(application_instance)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(self.deployment(&uuid).await?.expect("inserted"))
    }

    fn deployment_select(table: &str, ended: &str, instance: &str) -> String {
        format!(
            "SELECT d.uuid, d.version_id, p.name AS pacticipant, v.number AS version, e.name AS environment, e.uuid AS environment_uuid, {instance} AS application_instance, d.created_at, d.{ended} AS ended_at \
             FROM {table} d JOIN versions v ON v.id = d.version_id JOIN pacticipants p ON p.id = v.pacticipant_id JOIN environments e ON e.id = d.environment_id"
        )
    }

    pub async fn deployment(&self, uuid: &str) -> Result<Option<Deployment>> {
        let sql = format!(
            "{} WHERE d.uuid = $1",
            Self::deployment_select(
                "deployed_versions",
                "undeployed_at",
                "d.application_instance"
            )
        );
        let row = sqlx::query(&sql)
            .bind(uuid)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| deployment_of(&r)).transpose()
    }

    /// The deployments (or releases) still current in `environment`, for
    /// `pacticipant` when given.
    pub async fn current(
        &self,
        kind: Placement,
        environment: &str,
        pacticipant: Option<&str>,
    ) -> Result<Vec<Deployment>> {
        let sql = format!(
            "{} WHERE d.{} IS NULL AND e.name = $1 AND ($2 IS NULL OR p.name = $2) ORDER BY d.id",
            kind.select(),
            kind.ended_column()
        );
        let rows = sqlx::query(&sql)
            .bind(environment)
            .bind(pacticipant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(deployment_of).collect()
    }

    /// What the matrix shows of each version: its branches (and whether it
    /// is the newest on each), its tags, and the environments it is deployed
    /// or released in now. Three queries for all of them.
    pub async fn version_facts(&self, ids: &[i64]) -> Result<HashMap<i64, VersionFacts>> {
        let mut facts: HashMap<i64, VersionFacts> = HashMap::new();
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            let branches = sqlx::query(&format!(
                "SELECT b.version_id, b.branch, CAST(CASE WHEN b.version_id = (SELECT MAX(b2.version_id) FROM branch_versions b2 WHERE b2.pacticipant_id = b.pacticipant_id AND b2.branch = b.branch) THEN 1 ELSE 0 END AS BIGINT) AS latest FROM branch_versions b WHERE b.version_id IN ({list}) ORDER BY b.id"
            ))
            .fetch_all(&self.pool)
            .await?;
            for r in &branches {
                facts
                    .entry(r.try_get("version_id")?)
                    .or_default()
                    .branches
                    .push((r.try_get("branch")?, flag(r, "latest")?));
            }
            let tags = sqlx::query(&format!(
                "SELECT version_id, name FROM tags WHERE version_id IN ({list}) ORDER BY id"
            ))
            .fetch_all(&self.pool)
            .await?;
            for r in &tags {
                facts
                    .entry(r.try_get("version_id")?)
                    .or_default()
                    .tags
                    .push(r.try_get("name")?);
            }
            for kind in [Placement::Deployed, Placement::Released] {
                let rows = sqlx::query(&format!(
                    "SELECT DISTINCT d.version_id, e.uuid, e.name, e.display_name, e.production FROM {} d JOIN environments e ON e.id = d.environment_id WHERE d.{} IS NULL AND d.version_id IN ({list})",
                    kind.table(),
                    kind.ended_column()
                ))
                .fetch_all(&self.pool)
                .await?;
                for r in &rows {
                    let environment = (
                        r.try_get("uuid")?,
                        r.try_get("name")?,
                        r.try_get("display_name")?,
                        flag(r, "production")?,
                    );
                    let entry = facts.entry(r.try_get("version_id")?).or_default();
                    if !entry.environments.contains(&environment) {
                        entry.environments.push(environment);
                    }
                }
            }
        }
        Ok(facts)
    }

    /// Every current deployment of `pacticipant`'s versions, in any
    /// environment.
    pub async fn deployed_now(&self, pacticipant: &str) -> Result<Vec<Deployment>> {
        let kind = Placement::Deployed;
        let sql = format!(
            "{} WHERE d.{} IS NULL AND p.name = $1 ORDER BY d.id",
            kind.select(),
            kind.ended_column()
        );
        let rows = sqlx::query(&sql)
            .bind(pacticipant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(deployment_of).collect()
    }

    /// The versions of a pacticipant currently deployed or released in
    /// `environment`, newest first, in one query.
    pub async fn versions_in_environment(
        &self,
        pacticipant_id: i64,
        environment: &str,
    ) -> Result<Vec<Version>> {
        // driven from the environment's current placements (few), not from
        // the pacticipant's versions (many)
        let select = |table: &str, ended: &str| {
            format!(
                "SELECT v.id, v.pacticipant_id, p.name AS pacticipant, v.number, v.build_url, v.created_at \
                 FROM environments e JOIN {table} d ON d.environment_id = e.id AND d.{ended} IS NULL \
                 JOIN versions v ON v.id = d.version_id JOIN pacticipants p ON p.id = v.pacticipant_id \
                 WHERE e.name = $2 AND v.pacticipant_id = $1"
            )
        };
        let sql = format!(
            "SELECT * FROM ({} UNION {}) placed ORDER BY placed.id DESC",
            select("deployed_versions", "undeployed_at"),
            select("released_versions", "support_ended_at")
        );
        let rows = sqlx::query(&sql)
            .bind(pacticipant_id)
            .bind(environment)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(version_of).collect()
    }

    /// Current deployments and releases of the version.
    pub async fn placements_of(&self, version_id: i64) -> Result<Vec<(Placement, Deployment)>> {
        let mut out = Vec::new();
        for kind in [Placement::Deployed, Placement::Released] {
            let sql = format!(
                "{} WHERE d.{} IS NULL AND d.version_id = $1 ORDER BY d.id",
                kind.select(),
                kind.ended_column()
            );
            let rows = sqlx::query(&sql)
                .bind(version_id)
                .fetch_all(&self.pool)
                .await?;
            for r in &rows {
                out.push((kind, deployment_of(r)?));
            }
        }
        Ok(out)
    }

    /// Ends a deployment or a release (`PATCH currentlyDeployed: false`).
    pub async fn end_placement(&self, kind: Placement, uuid: &str) -> Result<Option<Deployment>> {
        sqlx::query(&format!(
            "UPDATE {} SET {} = $1 WHERE uuid = $2 AND {} IS NULL",
            kind.table(),
            kind.ended_column(),
            kind.ended_column()
        ))
        .bind(self.now())
        .bind(uuid)
        .execute(&self.pool)
        .await?;
        self.placement(kind, uuid).await
    }

    pub async fn placement(&self, kind: Placement, uuid: &str) -> Result<Option<Deployment>> {
        let row = sqlx::query(&format!("{} WHERE d.uuid = $1", kind.select()))
            .bind(uuid)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| deployment_of(&r)).transpose()
    }

    /// Records a release of `version` in `environment` (once: a release
    /// already current is returned as it is).
    pub async fn record_release(
        &self,
        version: &Version,
        environment: &Environment,
    ) -> Result<(Deployment, bool)> {
        let existing = sqlx::query(
            "SELECT uuid FROM released_versions WHERE version_id = $1 AND environment_id = $2 AND support_ended_at IS NULL",
        )
        .bind(version.id)
        .bind(environment.id)
        .fetch_optional(&self.pool)
        .await?;
        if let Some(row) = existing {
            let uuid: String = row.try_get("uuid")?;
            return Ok((
                self.placement(Placement::Released, &uuid)
                    .await?
                    .expect("exists"),
                false,
            ));
        }
        let uuid = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO released_versions (uuid, version_id, environment_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&uuid)
        .bind(version.id)
        .bind(environment.id)
        .bind(self.now())
        .execute(&self.pool)
        .await?;
        Ok((
            self.placement(Placement::Released, &uuid)
                .await?
                .expect("inserted"),
            true,
        ))
    }

    /// Counts for `/metrics`: pacticipants, versions, pact publications,
    /// pact versions, verifications, environments.
    pub async fn counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let mut out = Vec::new();
        for table in [
            "pacticipants",
            "versions",
            "pact_publications",
            "pact_versions",
            "verifications",
            "environments",
            "deployed_versions",
            "released_versions",
            "webhooks",
            "webhook_deliveries",
        ] {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
                .fetch_one(&self.pool)
                .await?
                .try_get("n")?;
            out.push((table, n));
        }
        Ok(out)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").fetch_one(&self.pool).await?;
        Ok(())
    }
}

/// A version's place in an environment: deployed (one at a time per
/// application instance) or released (several supported at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    Deployed,
    Released,
}

impl Placement {
    fn table(self) -> &'static str {
        match self {
            Placement::Deployed => "deployed_versions",
            Placement::Released => "released_versions",
        }
    }

    fn ended_column(self) -> &'static str {
        match self {
            Placement::Deployed => "undeployed_at",
            Placement::Released => "support_ended_at",
        }
    }

    fn select(self) -> String {
        let instance = match self {
            Placement::Deployed => "d.application_instance",
            Placement::Released => "NULL",
        };
        Store::deployment_select(self.table(), self.ended_column(), instance)
    }
}

/// The hash that identifies a pact's content: SHA-256 of its JSON with keys
/// in a fixed order, so formatting and key order do not make a new version.
pub fn content_sha(content: &str) -> String {
    let canonical = match serde_json::from_str::<serde_json::Value>(content) {
        Ok(v) => canonical_json(&v),
        Err(_) => content.to_string(),
    };
    let digest = Sha256::digest(canonical.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn canonical_json(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let members: Vec<String> = keys
                .iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        Value::String((*k).clone()),
                        canonical_json(&map[*k])
                    )
                })
                .collect();
            format!("{{{}}}", members.join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// A database URL with its password hidden.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn flag(r: &AnyRow, column: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(column)? != 0)
}

fn pacticipant_of(r: &AnyRow) -> Result<Pacticipant> {
    Ok(Pacticipant {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        display_name: r.try_get("display_name")?,
        main_branch: r.try_get("main_branch")?,
        repository_url: r.try_get("repository_url")?,
        repository_name: r.try_get("repository_name")?,
        repository_namespace: r.try_get("repository_namespace")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn version_of(r: &AnyRow) -> Result<Version> {
    Ok(Version {
        id: r.try_get("id")?,
        pacticipant_id: r.try_get("pacticipant_id")?,
        pacticipant: r.try_get("pacticipant")?,
        number: r.try_get("number")?,
        build_url: r.try_get("build_url")?,
        created_at: r.try_get("created_at")?,
    })
}

fn publication_of(r: &AnyRow) -> Result<Publication> {
    Ok(Publication {
        id: r.try_get("id")?,
        consumer: r.try_get("consumer")?,
        provider: r.try_get("provider")?,
        provider_id: r.try_get("provider_id")?,
        consumer_version: r.try_get("consumer_version")?,
        consumer_version_id: r.try_get("consumer_version_id")?,
        revision: r.try_get("revision")?,
        pact_version_id: r.try_get("pact_version_id")?,
        sha: r.try_get("sha")?,
        content: r.try_get("content")?,
        created_at: r.try_get("created_at")?,
    })
}

fn verification_of(r: &AnyRow) -> Result<Verification> {
    Ok(Verification {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        pact_version_id: r.try_get("pact_version_id")?,
        provider_version_id: r.try_get("provider_version_id")?,
        provider_version: r.try_get("provider_version")?,
        success: flag(r, "success")?,
        build_url: r.try_get("build_url")?,
        test_results: r.try_get("test_results")?,
        wip: flag(r, "wip")?,
        created_at: r.try_get("created_at")?,
    })
}

fn environment_of(r: &AnyRow) -> Result<Environment> {
    Ok(Environment {
        id: r.try_get("id")?,
        uuid: r.try_get("uuid")?,
        name: r.try_get("name")?,
        display_name: r.try_get("display_name")?,
        production: flag(r, "production")?,
        contacts: r.try_get("contacts")?,
        created_at: r.try_get("created_at")?,
        updated_at: r.try_get("updated_at")?,
    })
}

fn deployment_of(r: &AnyRow) -> Result<Deployment> {
    Ok(Deployment {
        uuid: r.try_get("uuid")?,
        version_id: r.try_get("version_id")?,
        pacticipant: r.try_get("pacticipant")?,
        version: r.try_get("version")?,
        environment: r.try_get("environment")?,
        environment_uuid: r.try_get("environment_uuid")?,
        application_instance: r.try_get("application_instance")?,
        created_at: r.try_get("created_at")?,
        ended_at: r.try_get("ended_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_json_in_another_order_or_layout_has_the_same_sha() {
        let a = content_sha(r#"{"a": 1, "b": [1, {"y": 2, "x": 1}]}"#);
        let b = content_sha("{\"b\":[1,{\"x\":1,\"y\":2}],\n \"a\":1}");
        assert_eq!(a, b);
        assert_ne!(a, content_sha(r#"{"a": 2, "b": [1, {"y": 2, "x": 1}]}"#));
    }

    #[test]
    fn a_password_in_a_database_url_is_hidden() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/broker"),
            "postgres://app:***@db:5432/broker"
        );
        assert_eq!(redact("sqlite:///tmp/x.db"), "sqlite:///tmp/x.db");
    }

    #[tokio::test]
    async fn the_clock_never_repeats_a_stamp() {
        let clock = Clock::default();
        let stamps: Vec<_> = (0..50).map(|_| clock.now()).collect();
        assert!(stamps.windows(2).all(|w| w[0] < w[1]));
        clock.advance(86_400_000);
        assert!(clock.now() - *stamps.last().unwrap() >= chrono::Duration::hours(23));
    }
}
