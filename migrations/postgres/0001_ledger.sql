-- 0001: the ledger tables.
--
-- {schema} is replaced by the runner with the quoted schema name.
--
-- The events table, its composite type and its notification-id index replicate, statement
-- for statement, what eventsourcing 9.5.6's PostgresApplicationRecorder creates for an
-- application named "xinfang" (events table "xinfang_events", originator_id_type "uuid"),
-- so the application runs with CREATE_TABLE=n. Added on top: recorded_at (the database's
-- clock at insert), append-only triggers and the least-privilege role's grants.

CREATE TYPE {schema}."stored_event_uuid" AS (
    originator_id "uuid",
    originator_version bigint,
    topic text,
    state bytea
);

CREATE TABLE IF NOT EXISTS {schema}."xinfang_events" (
    originator_id "uuid" NOT NULL,
    originator_version bigint NOT NULL,
    topic text,
    state bytea,
    notification_id bigserial,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (originator_id, originator_version)
) WITH (
    autovacuum_enabled = true,
    autovacuum_vacuum_threshold = 100000000,
    autovacuum_vacuum_scale_factor = 0.5,
    autovacuum_analyze_threshold = 1000,
    autovacuum_analyze_scale_factor = 0.01
);

CREATE UNIQUE INDEX IF NOT EXISTS "xinfang_events_notification_id_idx"
    ON {schema}."xinfang_events" (notification_id ASC);

CREATE TABLE IF NOT EXISTS {schema}.idempotency_keys (
    scope text NOT NULL,
    key text NOT NULL,
    request_hash text NOT NULL,
    case_id uuid,
    version bigint,
    response bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (scope, key)
);

-- Append-only: rows are never updated, deleted or truncated.
CREATE OR REPLACE FUNCTION {schema}.xinfang_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'append-only: % on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'raise_exception';
END;
$$;

CREATE TRIGGER xinfang_events_append_only
    BEFORE UPDATE OR DELETE ON {schema}."xinfang_events"
    FOR EACH ROW EXECUTE FUNCTION {schema}.xinfang_refuse_change();
CREATE TRIGGER xinfang_events_no_truncate
    BEFORE TRUNCATE ON {schema}."xinfang_events"
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.xinfang_refuse_change();

CREATE TRIGGER idempotency_keys_append_only
    BEFORE UPDATE OR DELETE ON {schema}.idempotency_keys
    FOR EACH ROW EXECUTE FUNCTION {schema}.xinfang_refuse_change();
CREATE TRIGGER idempotency_keys_no_truncate
    BEFORE TRUNCATE ON {schema}.idempotency_keys
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.xinfang_refuse_change();

-- The service's role: read and append, nothing else. Roles are cluster-wide, so another
-- database may be creating it at this very moment: tolerate losing that race.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'xinfang_app') THEN
        CREATE ROLE xinfang_app NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

GRANT USAGE ON SCHEMA {schema} TO xinfang_app;
GRANT SELECT, INSERT ON {schema}."xinfang_events", {schema}.idempotency_keys TO xinfang_app;
-- eventsourcing serialises writers with LOCK TABLE ... IN EXCLUSIVE MODE, which PostgreSQL
-- grants only to holders of UPDATE, DELETE or TRUNCATE. TRUNCATE is the one we can give:
-- the BEFORE TRUNCATE trigger above still refuses every actual TRUNCATE.
GRANT TRUNCATE ON {schema}."xinfang_events", {schema}.idempotency_keys TO xinfang_app;
GRANT USAGE ON SEQUENCE {schema}."xinfang_events_notification_id_seq" TO xinfang_app;
