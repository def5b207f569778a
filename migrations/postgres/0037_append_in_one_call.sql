-- 0037: the group commit's transaction as one server-side call (issue 23).
--
-- The group commit (domain/group_commit.py) took the events table's EXCLUSIVE lock and then
-- sent NOTIFY, two key checks, two INSERTs and COMMIT, each a round trip: the lock was held
-- across the client's network waits and its Python, while the other API process's group waited
-- for it. This function does the same in one statement, so the lock is held only for the
-- server's own work and the commit's WAL flush (the service's connections are in autocommit: one
-- statement, one transaction).
--
-- Exactly what the client-side steps did, in the same order: the lock (with the service's
-- lock_timeout), NOTIFY, then a write is refused if one of its keys, an event's
-- (originator_id, originator_version) or its idempotency (scope, key), is already stored or is
-- claimed by a write ahead of it in the group (whether or not that one was refused itself);
-- the others' events go in with one INSERT, their idempotency records with another.
--
-- Answer: one row (write_index, NULL, NULL, NULL) per refused write (0-based), then one row
-- (NULL, notification_id, originator_id, originator_version) per inserted event. A statement
-- that fails (a value a column refuses, a key broken inside one write) fails whole and stores
-- nothing; the client then goes through the group step by step, each write in a savepoint.

CREATE OR REPLACE FUNCTION {schema}.xinfang_append(
    p_lock_timeout text,
    p_event_writes integer[], p_ids uuid[], p_versions bigint[], p_topics text[], p_states bytea[],
    p_key_writes integer[], p_scopes text[], p_keys text[], p_hashes text[],
    p_case_ids uuid[], p_key_versions bigint[], p_responses bytea[]
) RETURNS TABLE (write_index integer, notification bigint, event_id uuid, event_version bigint)
LANGUAGE plpgsql AS $$
DECLARE
    refused integer[];
BEGIN
    PERFORM set_config('lock_timeout', p_lock_timeout, true);
    LOCK TABLE {schema}."xinfang_events" IN EXCLUSIVE MODE;
    NOTIFY xinfang_events;
    refused := ARRAY(
        SELECT c.w FROM (
            SELECT t.w, t.id, t.v, min(t.w) OVER (PARTITION BY t.id, t.v) AS first_w
            FROM unnest(p_event_writes, p_ids, p_versions) AS t(w, id, v)
        ) AS c
        WHERE c.first_w < c.w
           OR EXISTS (SELECT 1 FROM {schema}."xinfang_events" AS e
                      WHERE e.originator_id = c.id AND e.originator_version = c.v)
        UNION
        SELECT c.w FROM (
            SELECT t.w, t.s, t.k, min(t.w) OVER (PARTITION BY t.s, t.k) AS first_w
            FROM unnest(p_key_writes, p_scopes, p_keys) AS t(w, s, k)
        ) AS c
        WHERE c.first_w < c.w
           OR EXISTS (SELECT 1 FROM {schema}.idempotency_keys AS i WHERE i.scope = c.s AND i.key = c.k)
    );
    RETURN QUERY SELECT r, NULL::bigint, NULL::uuid, NULL::bigint FROM unnest(refused) AS r;
    RETURN QUERY
        INSERT INTO {schema}."xinfang_events" AS x (originator_id, originator_version, topic, state)
        SELECT t.id, t.v, t.topic, t.state
        FROM unnest(p_event_writes, p_ids, p_versions, p_topics, p_states) AS t(w, id, v, topic, state)
        WHERE t.w <> ALL (refused)
        RETURNING NULL::integer, x.notification_id, x.originator_id, x.originator_version;
    INSERT INTO {schema}.idempotency_keys AS y (scope, key, request_hash, case_id, version, response)
    SELECT t.s, t.k, t.h, t.c, t.v, t.r
    FROM unnest(p_key_writes, p_scopes, p_keys, p_hashes, p_case_ids, p_key_versions, p_responses)
        AS t(w, s, k, h, c, v, r)
    WHERE t.w <> ALL (refused);
END
$$;

GRANT EXECUTE ON FUNCTION {schema}.xinfang_append(
    text, integer[], uuid[], bigint[], text[], bytea[], integer[], text[], text[], text[], uuid[], bigint[], bytea[]
) TO xinfang_app;
