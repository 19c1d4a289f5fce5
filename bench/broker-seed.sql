-- A generated history for bench/broker-can-i-deploy.sh, in SQL both SQLite
-- and PostgreSQL read: one consumer with :versions versions, each with a pact
-- (content of its own) for each of 10 providers, each pact verified by 20
-- provider versions; the newest provider versions deployed to production,
-- and the consumer's newest version too. `:versions` is replaced by the
-- script.
INSERT INTO pacticipants (name, created_at, updated_at) VALUES ('consumer', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
INSERT INTO pacticipants (name, created_at, updated_at)
  WITH RECURSIVE p(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM p WHERE n < 10)
  SELECT 'provider-' || n, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z' FROM p;
INSERT INTO versions (pacticipant_id, number, created_at)
  WITH RECURSIVE v(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n < :versions)
  SELECT (SELECT id FROM pacticipants WHERE name = 'consumer'), 'c' || n, '2026-01-01T00:00:00.000Z' FROM v;
-- provider versions: :versions + 20 per provider
INSERT INTO versions (pacticipant_id, number, created_at)
  WITH RECURSIVE v(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM v WHERE n < :versions + 20)
  SELECT p.id, 'p' || v.n, '2026-01-01T00:00:00.000Z' FROM v CROSS JOIN pacticipants p WHERE p.name LIKE 'provider-%';
INSERT INTO pact_versions (consumer_id, provider_id, sha, content, created_at)
  SELECT c.pacticipant_id, p.id, 'sha-' || c.number || '-' || p.name,
         '{"consumer":{"name":"consumer"},"provider":{"name":"' || p.name || '"},"interactions":[{"description":"' || c.number || '"}]}',
         '2026-01-01T00:00:00.000Z'
  FROM versions c JOIN pacticipants cp ON cp.id = c.pacticipant_id AND cp.name = 'consumer'
  CROSS JOIN pacticipants p WHERE p.name LIKE 'provider-%';
INSERT INTO pact_publications (consumer_version_id, provider_id, revision, pact_version_id, created_at)
  SELECT c.id, p.id, 1,
         (SELECT pv.id FROM pact_versions pv WHERE pv.consumer_id = c.pacticipant_id AND pv.provider_id = p.id
            AND pv.sha = 'sha-' || c.number || '-' || p.name),
         '2026-01-01T00:00:00.000Z'
  FROM versions c JOIN pacticipants cp ON cp.id = c.pacticipant_id AND cp.name = 'consumer'
  CROSS JOIN pacticipants p WHERE p.name LIKE 'provider-%';
-- verification j of consumer version cN's pact by provider version p(N + j)
INSERT INTO verifications (pact_version_id, provider_version_id, success, wip, created_at, number)
  WITH RECURSIVE j(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM j WHERE k < 19)
  SELECT pp.pact_version_id, pv.id, 1, 0, '2026-01-02T00:00:00.000Z', j.k + 1
  FROM pact_publications pp
  JOIN versions c ON c.id = pp.consumer_version_id
  CROSS JOIN j
  JOIN versions pv ON pv.pacticipant_id = pp.provider_id AND pv.number = 'p' || (CAST(SUBSTR(c.number, 2) AS INTEGER) + j.k);
INSERT INTO environments (uuid, name, display_name, production, created_at, updated_at)
  VALUES ('00000000-0000-0000-0000-000000000001', 'production', 'Production', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
INSERT INTO deployed_versions (uuid, version_id, environment_id, application_instance, created_at)
  SELECT 'd-' || v.id, v.id, (SELECT id FROM environments WHERE name = 'production'), NULL, '2026-01-03T00:00:00.000Z'
  FROM versions v JOIN pacticipants p ON p.id = v.pacticipant_id
  WHERE (p.name LIKE 'provider-%' AND v.number = 'p' || (:versions + 5))
     OR (p.name = 'consumer' AND v.number = 'c' || :versions);
