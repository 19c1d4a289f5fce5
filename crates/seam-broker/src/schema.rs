//! The broker's tables, written once for both backends: `{id}` and `{int}`
//! become SQLite's or PostgreSQL's spelling, and each numbered step runs once,
//! in a transaction, recorded in `seam_migrations`.

/// Which database the broker runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Numbered schema steps, in order. A released step is never edited: a
/// change is a new step.
const STEPS: &[(i64, &str)] = &[
    (
        1,
        r#"
CREATE TABLE pacticipants (
    id {id},
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    main_branch TEXT,
    repository_url TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE versions (
    id {id},
    pacticipant_id {int} NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    number TEXT NOT NULL,
    build_url TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (pacticipant_id, number)
);
CREATE TABLE branch_versions (
    id {id},
    pacticipant_id {int} NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    branch TEXT NOT NULL,
    version_id {int} NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    UNIQUE (version_id, branch)
);
CREATE INDEX branch_versions_by_branch ON branch_versions (pacticipant_id, branch, version_id);
CREATE TABLE tags (
    id {id},
    version_id {int} NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (version_id, name)
);
CREATE INDEX tags_by_name ON tags (name, version_id);
CREATE TABLE pact_versions (
    id {id},
    consumer_id {int} NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    provider_id {int} NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    sha TEXT NOT NULL,
    content TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (consumer_id, provider_id, sha)
);
CREATE TABLE pact_publications (
    id {id},
    consumer_version_id {int} NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    provider_id {int} NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    revision {int} NOT NULL,
    pact_version_id {int} NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    UNIQUE (consumer_version_id, provider_id, revision)
);
CREATE INDEX pact_publications_by_provider ON pact_publications (provider_id, consumer_version_id);
CREATE TABLE verifications (
    id {id},
    pact_version_id {int} NOT NULL REFERENCES pact_versions(id) ON DELETE CASCADE,
    provider_version_id {int} NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    success {int} NOT NULL,
    build_url TEXT,
    test_results TEXT,
    wip {int} NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE INDEX verifications_by_pact ON verifications (pact_version_id, provider_version_id);
CREATE TABLE environments (
    id {id},
    uuid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT,
    production {int} NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE deployed_versions (
    id {id},
    uuid TEXT NOT NULL UNIQUE,
    version_id {int} NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    environment_id {int} NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    application_instance TEXT,
    created_at TEXT NOT NULL,
    undeployed_at TEXT
);
CREATE TABLE released_versions (
    id {id},
    uuid TEXT NOT NULL UNIQUE,
    version_id {int} NOT NULL REFERENCES versions(id) ON DELETE CASCADE,
    environment_id {int} NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    support_ended_at TEXT
);
"#,
    ),
    (
        2,
        r#"
CREATE INDEX pact_versions_by_provider ON pact_versions (provider_id, consumer_id);
CREATE INDEX deployed_versions_current ON deployed_versions (environment_id, undeployed_at);
CREATE INDEX released_versions_current ON released_versions (environment_id, support_ended_at);
CREATE INDEX deployed_versions_by_version ON deployed_versions (version_id);
CREATE INDEX released_versions_by_version ON released_versions (version_id);
"#,
    ),
    (
        3,
        r#"
CREATE TABLE webhooks (
    id {id},
    uuid TEXT NOT NULL UNIQUE,
    description TEXT,
    consumer TEXT,
    provider TEXT,
    events TEXT NOT NULL,
    request TEXT NOT NULL,
    enabled {int} NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE webhook_deliveries (
    id {id},
    uuid TEXT NOT NULL UNIQUE,
    webhook_uuid TEXT NOT NULL REFERENCES webhooks(uuid) ON DELETE CASCADE,
    event TEXT NOT NULL,
    context TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts {int} NOT NULL,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    logs TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries (webhook_uuid, id)
"#,
    ),
    (
        4,
        r#"
CREATE TABLE provider_contracts (
    id {id},
    provider_version_id {int} NOT NULL UNIQUE REFERENCES versions(id) ON DELETE CASCADE,
    specification TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content TEXT NOT NULL,
    self_verified {int},
    self_verification TEXT,
    verifier TEXT,
    created_at TEXT NOT NULL
)
"#,
    ),
    (
        5,
        r#"
ALTER TABLE environments ADD COLUMN contacts TEXT
"#,
    ),
    (
        6,
        r#"
CREATE TABLE labels (
    id {id},
    pacticipant_id {int} NOT NULL REFERENCES pacticipants(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (pacticipant_id, name)
);
CREATE INDEX labels_by_name ON labels (name, pacticipant_id);
ALTER TABLE webhooks ADD COLUMN consumer_label TEXT;
ALTER TABLE webhooks ADD COLUMN provider_label TEXT
"#,
    ),
    (
        7,
        r#"
ALTER TABLE pacticipants ADD COLUMN repository_name TEXT;
ALTER TABLE pacticipants ADD COLUMN repository_namespace TEXT
"#,
    ),
    (
        8,
        r#"
ALTER TABLE verifications ADD COLUMN number {int};
UPDATE verifications SET number = (SELECT COUNT(*) FROM verifications v2 WHERE v2.pact_version_id = verifications.pact_version_id AND v2.id <= verifications.id)
"#,
    ),
];

/// The statements of every step after `applied`, for `backend`, each as
/// (step number, statements).
pub fn pending(backend: Backend, applied: i64) -> Vec<(i64, Vec<String>)> {
    let (id, int) = match backend {
        Backend::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER"),
        Backend::Postgres => ("BIGSERIAL PRIMARY KEY", "BIGINT"),
    };
    STEPS
        .iter()
        .filter(|(n, _)| *n > applied)
        .map(|(n, sql)| {
            let sql = sql.replace("{id}", id).replace("{int}", int);
            let statements = sql
                .split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (*n, statements)
        })
        .collect()
}
