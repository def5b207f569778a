"""The query benchmark's baseline is /healthz under the same load: every reader's requests
interleave /healthz with the queries (API reads, reference lists and pages) (no timings here: speed lives in bench/)."""

from __future__ import annotations

from pathlib import Path

from bench.run import HAND_WRITTEN, HEALTHZ, MIX, QUERY_LABELS, _query_mix, results_text


def test_every_reader_interleaves_healthz_with_every_query() -> None:
    next_request = _query_mix(["case-1"], ["leader-1"])
    for client in range(16):
        labels = [next_request(client, n)[0] for n in range(2 * len(MIX))]
        assert set(labels) == {*QUERY_LABELS, HEALTHZ}
        # /healthz comes between queries, not in a phase of its own
        first = labels.index(HEALTHZ)
        assert labels[first + 1] in QUERY_LABELS and labels[first + len(MIX)] == HEALTHZ


def test_at_any_request_number_the_readers_are_spread_over_the_mix() -> None:
    next_request = _query_mix(["case-1"], ["leader-1"])
    for n in range(len(MIX)):
        labels = [next_request(client, n)[0] for client in range(16)]
        assert labels.count(HEALTHZ) in (1, 2)  # 16 readers over thirteen kinds


def test_the_mix_reads_the_reference_lists_and_the_pages() -> None:
    next_request = _query_mix(["case-1"], ["leader-1"])
    paths = {next_request(0, n)[2] for n in range(len(MIX))}
    assert {"/api/v1/units", "/api/v1/leaders", "/cases", "/cases/case-1/timeline", "/api/v1/receptions",
            "/api/v1/escalations", "/api/v1/recommendations"} <= paths  # fmt: skip


def test_a_results_file_keeps_its_hand_written_sections_across_runs() -> None:
    earlier = results_text("# Benchmark results\n\nold table\n", None)
    written = earlier + "\n## A round's write-up\n\n### Measurements cited from the code\n"
    again = results_text("# Benchmark results\n\nnew table\n", written)
    assert "new table" in again and "old table" not in again
    assert again.endswith("\n## A round's write-up\n\n### Measurements cited from the code\n")
    assert again.count(HAND_WRITTEN) == 1
    # the checked-in file has the line, so a run with --results bench/RESULTS.md keeps its sections
    assert HAND_WRITTEN in (Path(__file__).parents[2] / "bench" / "RESULTS.md").read_text(encoding="utf-8")
