"""Tampering as an attacker with database access, on both stores: each kind is detected.

Edits inside one case break its chain; a case rewritten with a consistent chain, or events
moved between cases' positions, are caught only by the signed checkpoint root.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from nacl.signing import SigningKey

from domain.application import LedgerApplication
from domain.checkpoint_store import CheckpointStore
from domain.checkpoints import key_id, sign_checkpoint
from domain.ledger_tree import make_checkpoint
from tests.integrity.support import Attacker, all_rows, edited_state, populate, rechained, verify

KEY = SigningKey(bytes(range(32)))
PUBLIC = bytes(KEY.verify_key)
TRUSTED = {key_id(PUBLIC): PUBLIC}
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture
def signed(ledger: LedgerApplication) -> LedgerApplication:
    """Three cases of four events each, under a signed checkpoint."""
    populate(ledger)
    make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    return ledger


def case_rows(ledger: LedgerApplication, index: int) -> list:  # type: ignore[type-arg]
    case_ids = [
        r.originator_id for r in all_rows(ledger) if r.version == 1 and r.topic.endswith("Registered")
    ]
    return ledger.reads.aggregate_rows(case_ids[index])


def test_an_untouched_ledger_verifies(signed: LedgerApplication) -> None:
    report = verify(signed, TRUSTED)
    assert report.ok and report.first_bad is None
    assert report.events_checked == len(all_rows(signed)) == 13  # a unit, 3 cases x 4
    assert report.checkpoints_checked == 1


def test_a_changed_field_names_the_event_or_its_next_link(signed: LedgerApplication, store_url: str) -> None:
    rows = case_rows(signed, 1)
    Attacker(store_url).set_state(
        rows[1].originator_id, 2, edited_state(rows[1].state, text="nothing to see")
    )
    report = verify(signed, TRUSTED)
    assert not report.ok
    bad = report.first_bad
    assert bad is not None
    assert (bad.originator_id, bad.version, bad.position) == (str(rows[2].originator_id), 3, rows[2].position)
    assert "prev_hash" in bad.problem and "event 2" in bad.problem


def test_a_deleted_event_is_a_version_gap(signed: LedgerApplication, store_url: str) -> None:
    rows = case_rows(signed, 0)
    Attacker(store_url).delete(rows[0].originator_id, 2)
    bad = verify(signed, TRUSTED).first_bad
    assert bad is not None
    assert (bad.originator_id, bad.version) == (str(rows[0].originator_id), 3)
    assert "version 3 follows version 1" in bad.problem


def test_a_deleted_newest_event_is_caught_by_the_checkpoint(
    signed: LedgerApplication, store_url: str
) -> None:
    last = all_rows(signed)[-1]
    Attacker(store_url).delete(last.originator_id, last.version)
    report = verify(signed, TRUSTED)
    assert report.problems == 2  # the case's signed head, and the checkpoint's size
    [cut] = report.cases
    assert (cut.originator_id, cut.version, cut.checkpoint_size) == (str(last.originator_id), 3, 13)
    assert "signed its head at version 4; the ledger now ends at version 3" in cut.problem


def test_two_events_of_one_case_swapped_in_order_are_detected(
    signed: LedgerApplication, store_url: str
) -> None:
    rows = case_rows(signed, 2)
    Attacker(store_url).swap_positions(rows[1].position, rows[2].position)
    bad = verify(signed, TRUSTED).first_bad
    assert bad is not None
    assert bad.originator_id == str(rows[0].originator_id)
    assert bad.position == rows[1].position and bad.version == 3


def test_events_of_two_cases_swapped_are_caught_by_the_checkpoint(
    signed: LedgerApplication, store_url: str
) -> None:
    # Case 1's last event and case 2's first are neighbours: swapped, each case keeps its own
    # order, so every chain is intact.
    a, b = case_rows(signed, 1)[-1], case_rows(signed, 2)[0]
    assert b.position == a.position + 1
    Attacker(store_url).swap_positions(a.position, b.position)
    bad = verify(signed, TRUSTED).first_bad
    assert bad is not None and bad.originator_id is None
    assert "signed checkpoint root" in bad.problem


def test_a_consistently_rechained_case_is_caught_only_by_the_signed_checkpoint(
    signed: LedgerApplication, store_url: str
) -> None:
    rows = case_rows(signed, 0)
    Attacker(store_url).set_states(rows[0].originator_id, rechained(rows, 1, subject="无关事项"))
    report = verify(signed, TRUSTED)
    assert not report.ok and report.problems == 2  # the events root, and the case's head
    bad = report.first_bad
    assert bad is not None and bad.checkpoint_size == 13 and bad.originator_id is None
    assert "no longer match the signed checkpoint root" in bad.problem
    assert [c.originator_id for c in report.cases] == [str(rows[0].originator_id)]
    assert "the case was rewritten" in report.cases[0].problem
    # Without the checkpoint the rewrite would pass: every chain is valid on its own.
    assert verify_without_checkpoints(signed).ok


def verify_without_checkpoints(ledger: LedgerApplication):  # type: ignore[no-untyped-def]
    from domain.verify import verify_ledger

    return verify_ledger(ledger.reads, ledger.recorder.max_notification_id() or 0, [], TRUSTED)


def test_a_checkpoint_signed_by_another_key_is_reported(signed: LedgerApplication) -> None:
    intruder = SigningKey(bytes(range(1, 33)))
    rows = all_rows(signed)
    forged = sign_checkpoint(intruder, rows[-1].position, len(rows), "00" * 32, NOW)
    CheckpointStore(signed.recorder).add(forged, bytes(intruder.verify_key), [])
    report = verify(signed, TRUSTED)
    assert report.checkpoints_checked == 2
    bad = report.first_bad
    assert bad is not None and "not a trusted key" in bad.problem


def test_a_checkpoint_with_a_forged_signature_under_our_key_id_is_reported(signed: LedgerApplication) -> None:
    intruder = SigningKey(bytes(range(1, 33)))
    rows = all_rows(signed)
    forged = sign_checkpoint(intruder, rows[-1].position, len(rows), "00" * 32, NOW)
    from dataclasses import replace

    CheckpointStore(signed.recorder).add(replace(forged, key_id=key_id(PUBLIC)), PUBLIC, [])
    bad = verify(signed, TRUSTED).first_bad
    assert bad is not None and "does not verify" in bad.problem


def test_a_checkpoint_extends_the_previous_tree_and_both_verify(signed: LedgerApplication) -> None:
    from tests.integrity.support import register

    register(signed, notes=1)
    second = make_checkpoint(signed.recorder, signed.reads, KEY, NOW)
    assert second is not None and second.size == 15
    assert make_checkpoint(signed.recorder, signed.reads, KEY, NOW, only_if_grown=True) is None
    report = verify(signed, TRUSTED)
    assert report.ok and report.checkpoints_checked == 2


def test_a_checkpoint_of_the_empty_ledger_is_checked_first(ledger: LedgerApplication) -> None:
    empty = make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    assert empty is not None and (empty.size, empty.position) == (0, 0)
    populate(ledger, cases=1)
    make_checkpoint(ledger.recorder, ledger.reads, KEY, NOW)
    report = verify(ledger, TRUSTED)
    assert report.ok and report.checkpoints_checked == 2 and report.events_checked == 5
