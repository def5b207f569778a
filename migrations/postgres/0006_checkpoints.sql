-- 0006: signed checkpoints (domain/checkpoints.py).
--
-- Each row is a Merkle root over the first `size` event hashes in notification order, the
-- last of them at `position`, signed with Ed25519. The private key is never stored here;
-- `public_key` is a copy for convenience only: verification trusts the configured key, not
-- this column. `frontier` (JSON list of hex subtree roots, largest first) lets the next
-- checkpoint continue the tree without re-reading old events; it is only used after it has
-- been folded back to this row's signed root. Append-only, like the ledger itself.

CREATE TABLE IF NOT EXISTS {schema}.checkpoints (
    id bigserial PRIMARY KEY,
    position bigint NOT NULL,
    size bigint NOT NULL CHECK (size >= 0),
    root text NOT NULL,
    created_at timestamptz NOT NULL,
    key_id text NOT NULL,
    signature text NOT NULL,
    public_key text NOT NULL,
    frontier text NOT NULL
);
CREATE INDEX IF NOT EXISTS checkpoints_size ON {schema}.checkpoints (size);

CREATE TRIGGER checkpoints_append_only
    BEFORE UPDATE OR DELETE ON {schema}.checkpoints
    FOR EACH ROW EXECUTE FUNCTION {schema}.xinfang_refuse_change();
CREATE TRIGGER checkpoints_no_truncate
    BEFORE TRUNCATE ON {schema}.checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.xinfang_refuse_change();

GRANT SELECT, INSERT ON {schema}.checkpoints TO xinfang_app;
GRANT USAGE ON SEQUENCE {schema}.checkpoints_id_seq TO xinfang_app;
