-- 0001: the ledger tables (SQLite).
--
-- stored_events is exactly eventsourcing 9.5.6's SQLiteApplicationRecorder table (fixed name,
-- one database file per application). It keeps its rowid: the library uses the rowid as the
-- notification id, so this table must NOT be WITHOUT ROWID (and never VACUUM it: VACUUM may
-- renumber the rowids of a table without an INTEGER PRIMARY KEY).
--
-- The library inserts positionally ("INSERT INTO stored_events VALUES (?,?,?,?)"), so the
-- table cannot have a fifth column. The database-side recorded time therefore lives in
-- stored_event_recorded_at (notification_id = stored_events.rowid), filled by a trigger
-- (UTC, ISO 8601 with milliseconds). Every table here is append-only.

CREATE TABLE IF NOT EXISTS stored_events (
    originator_id TEXT,
    originator_version INTEGER,
    topic TEXT,
    state BLOB,
    PRIMARY KEY (originator_id, originator_version)
);

CREATE TABLE IF NOT EXISTS stored_event_recorded_at (
    notification_id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TRIGGER IF NOT EXISTS stored_events_record_time
AFTER INSERT ON stored_events
BEGIN
    INSERT INTO stored_event_recorded_at (notification_id) VALUES (NEW.rowid);
END;

CREATE TABLE IF NOT EXISTS idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    case_id TEXT,
    version INTEGER,
    response BLOB NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (scope, key)
);

CREATE TRIGGER IF NOT EXISTS stored_events_no_update
BEFORE UPDATE ON stored_events
BEGIN
    SELECT RAISE(ABORT, 'append-only: UPDATE on stored_events is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS stored_events_no_delete
BEFORE DELETE ON stored_events
BEGIN
    SELECT RAISE(ABORT, 'append-only: DELETE on stored_events is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS idempotency_keys_no_update
BEFORE UPDATE ON idempotency_keys
BEGIN
    SELECT RAISE(ABORT, 'append-only: UPDATE on idempotency_keys is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS idempotency_keys_no_delete
BEFORE DELETE ON idempotency_keys
BEGIN
    SELECT RAISE(ABORT, 'append-only: DELETE on idempotency_keys is not allowed');
END;

-- INSERT OR REPLACE deletes the old row without firing DELETE triggers (unless
-- recursive_triggers is on), so refuse an insert that would replace a row.
CREATE TRIGGER IF NOT EXISTS stored_events_no_replace
BEFORE INSERT ON stored_events
WHEN EXISTS (
    SELECT 1 FROM stored_events
    WHERE originator_id = NEW.originator_id AND originator_version = NEW.originator_version
)
BEGIN
    SELECT RAISE(ABORT, 'append-only: stored event already exists (UNIQUE constraint failed)');
END;

CREATE TRIGGER IF NOT EXISTS idempotency_keys_no_replace
BEFORE INSERT ON idempotency_keys
WHEN EXISTS (
    SELECT 1 FROM idempotency_keys WHERE scope = NEW.scope AND key = NEW.key
)
BEGIN
    SELECT RAISE(ABORT, 'append-only: idempotency key already exists (UNIQUE constraint failed)');
END;

CREATE TRIGGER IF NOT EXISTS stored_event_recorded_at_no_update
BEFORE UPDATE ON stored_event_recorded_at
BEGIN
    SELECT RAISE(ABORT, 'append-only: UPDATE on stored_event_recorded_at is not allowed');
END;

CREATE TRIGGER IF NOT EXISTS stored_event_recorded_at_no_delete
BEFORE DELETE ON stored_event_recorded_at
BEGIN
    SELECT RAISE(ABORT, 'append-only: DELETE on stored_event_recorded_at is not allowed');
END;
