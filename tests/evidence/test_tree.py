"""The one-pass proofs of domain.evidence equal RFC 9162 PATH from domain.merkle."""

from __future__ import annotations

import hashlib

from domain import bundle_check, merkle
from domain.evidence import path_from_levels, tree_levels


def test_level_paths_are_rfc9162_paths_for_every_size_and_index() -> None:
    for size in range(1, 70):
        leaves = [merkle.leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(size)]
        levels = tree_levels(leaves)
        assert levels[-1][0] == merkle.root(leaves)
        for index in range(size):
            path = path_from_levels(levels, index)
            assert path == merkle.inclusion_proof(index, leaves), (size, index)
            # and the standalone checker's own RFC 9162 verification agrees
            assert bundle_check.root_from_inclusion(leaves[index], index, size, path) == levels[-1][0]
            if size > 1:  # the same path under another index leads elsewhere
                wrong = bundle_check.root_from_inclusion(leaves[index], (index + 1) % size, size, path)
                assert wrong != levels[-1][0], (size, index)


def test_checker_hash_and_message_match_the_package() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from domain.checkpoints import checkpoint_message, format_time
    from domain.integrity import hash_stored

    case_id, state = uuid4(), '{"prev_hash":"00","subject":"宅基地"}'.encode()
    assert bundle_check.event_hash(str(case_id), 3, "x:Y", state) == hash_stored(case_id, 3, "x:Y", state)
    at = datetime(2025, 1, 2, 3, 4, 5, 600, tzinfo=UTC)
    assert bundle_check.checkpoint_message(7, 5, "ab" * 32, format_time(at)) == checkpoint_message(
        7, 5, "ab" * 32, at
    )
