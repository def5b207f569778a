-- 0015: case heads under signed checkpoints (domain/case_heads.py, payload version 2).
--
-- `heads_root` and `heads_size` are signed with the rest of the checkpoint; NULL on the
-- version 1 checkpoints made before this migration, which stay verifiable as they were.
-- `checkpoint_heads` holds, per checkpoint, the heads that changed since the checkpoint
-- named by `heads_since` (NULL: every head is stored). Like `frontier` it is not signed: a
-- reader trusts it only after folding the full set back to the signed `heads_root`.
-- Append-only, like the checkpoints themselves.

ALTER TABLE {schema}.checkpoints ADD COLUMN IF NOT EXISTS heads_root text;
ALTER TABLE {schema}.checkpoints ADD COLUMN IF NOT EXISTS heads_size bigint;
ALTER TABLE {schema}.checkpoints ADD COLUMN IF NOT EXISTS heads_since bigint;

CREATE TABLE IF NOT EXISTS {schema}.checkpoint_heads (
    checkpoint_id bigint NOT NULL,
    originator_id uuid NOT NULL,
    version bigint NOT NULL,
    head_hash text NOT NULL,
    PRIMARY KEY (checkpoint_id, originator_id)
);
-- One case's newest signed head (the timeline's check) is one index probe.
CREATE INDEX IF NOT EXISTS checkpoint_heads_case ON {schema}.checkpoint_heads (originator_id, checkpoint_id);

CREATE TRIGGER checkpoint_heads_append_only
    BEFORE UPDATE OR DELETE ON {schema}.checkpoint_heads
    FOR EACH ROW EXECUTE FUNCTION {schema}.xinfang_refuse_change();
CREATE TRIGGER checkpoint_heads_no_truncate
    BEFORE TRUNCATE ON {schema}.checkpoint_heads
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.xinfang_refuse_change();

GRANT SELECT, INSERT ON {schema}.checkpoint_heads TO xinfang_app;
