"""`python -m bench` / `xinfang bench`: every scenario on a fresh PostgreSQL database, one table.

Each figure is printed with the baseline measured in the same run, their ratio and the goal
(issue 6). Rebuild, verify and the fetch+decode baseline run in child processes, so each
one's peak RSS is its own. With two sizes (`--size 100k,1m`) the growth rows compare them.
"""

from __future__ import annotations

import json
import math
import os
import random
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from bench.county import user_token
from bench.crud_compare import CASES, Comparison, compare_fresh, compare_generated
from bench.generator import DEFAULT_ANCHOR, SIZES, Generated, generate
from bench.http_load import LoadResult, percentile, run_load, service
from bench.page_session import page_cookie, page_session_check
from bench.scratch import scratch_database
from bench.write_baselines import library_saves_per_second, raw_inserts_per_second
from bench.write_inprocess import commands_per_second
from domain.application import LedgerApplication
from domain.ledger_tree import ledger_head

console = Console(stderr=True)
ADMIN_TOKEN = "bench-admin-token"
READER = user_token("sup-1")  # the county supervisor: reads every case, issues supervision
# The service as the README deploys it: one API process per core (`xinfang serve --workers N`, the
# views in its supervisor); one process keeps one core busy and leaves the rest idle
# (bench/RESULTS.md, the write path).
API_PROCESSES = os.cpu_count() or 1
# The readers' service has at least two processes, so a page session must survive a login form,
# a login and page loads answered by different ones (#19).
READ_PROCESSES = max(2, API_PROCESSES)
QUERY_LABELS = (
    "case list (filters)", "leader caseload", "caseload as of a past date", "figures", "timeline",
    "units list", "leaders list", "case list page", "timeline page",
    "receptions (a month)", "escalation list", "recommendations",
)  # fmt: skip
# The reference lists read the reference-data view; the goal for them is against the case
# list (#19: they once scanned the whole ledger by topic and grew with it).
REFERENCE_LISTS = ("units list", "leaders list")
# /healthz is one of the readers' requests, interleaved with the queries: the goal's baseline is
# its p99 under the same load (issue 6), not the p99 of a phase in which nothing else runs.
HEALTHZ = "/healthz in the mix"
MIX = (*QUERY_LABELS, HEALTHZ)
SCENARIOS = (
    "write path against the CRUD peer", "write path: commands/s", "write path in process: commands/s", "write path: p99 / p50", "view rebuild: events/s", "verify: events/s",
    "views on disk / events table", "page loads after login",
    *(f"query p99: {label}" for label in QUERY_LABELS),
    *(f"query p99: {label} / case list" for label in REFERENCE_LISTS), "/healthz p99, 16 clients on /healthz only",
    "memory: rebuild peak RSS", "memory: verify peak RSS",
    "growth: rebuild time", "growth: query p99", "growth: memory",
)  # fmt: skip


@dataclass
class Row:
    figure: str
    value: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None

    def cells(self) -> list[str]:
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}"
        met = {True: "yes", False: "NO", None: "-"}[self.met]
        return [self.figure, self.value, self.baseline, ratio, self.goal, met]


def parse_size(text: str) -> int:
    text = text.strip().lower()
    if text in SIZES:
        return SIZES[text]
    factor = {"k": 1000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def _step(name: str, url: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.steps", name, url], check=True, capture_output=True, text=True
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


@dataclass
class SizeRun:
    """What one size measured (kept for the growth rows)."""

    cases: int
    events: int
    rows: list[Row]
    rebuild_seconds: float
    query_p99: float
    peak_rss: float


def _samples(url: str) -> tuple[list[str], list[str], list[str]]:
    """Open case ids (for commands), any case ids (for timelines) and leader ids, from the views."""
    import psycopg

    with psycopg.connect(url) as conn:
        open_ids = [
            r[0]
            for r in conn.execute(
                "SELECT case_id FROM case_status WHERE status = 'in_handling' ORDER BY case_id LIMIT 2000"
            )
        ]
        any_ids = [r[0] for r in conn.execute("SELECT case_id FROM case_status ORDER BY case_id LIMIT 2000")]
        leaders = [
            r[0]
            for r in conn.execute("SELECT DISTINCT leader_id FROM case_status WHERE leader_id IS NOT NULL")
        ]
    return [str(x) for x in open_ids], [str(x) for x in any_ids], [str(x) for x in leaders]  # fmt: skip


def _query_mix(
    any_ids: list[str], leaders: list[str]
) -> Callable[[int, int], tuple[str, str, str, dict[str, Any] | None]]:
    past = (DEFAULT_ANCHOR - timedelta(days=180)).isoformat()
    year_from = (DEFAULT_ANCHOR - timedelta(days=365)).date().isoformat()
    year_to = DEFAULT_ANCHOR.date().isoformat()
    month_from = (DEFAULT_ANCHOR - timedelta(days=31)).date().isoformat()
    categories = ["land", "labour", "housing", "environment"]

    def next_request(client: int, n: int) -> tuple[str, str, str, dict[str, Any] | None]:
        rng = random.Random(client * 1_000_003 + n)
        kind = (client + n) % len(MIX)  # at any moment the 16 readers are spread over the mix
        if kind == 0:
            return QUERY_LABELS[0], "GET", "/api/v1/cases", {
                "status": "in_handling", "category": rng.choice(categories), "limit": 50}  # fmt: skip
        if kind == 1:
            return QUERY_LABELS[1], "GET", f"/api/v1/leaders/{rng.choice(leaders)}/caseload", None
        if kind == 2:
            return QUERY_LABELS[2], "GET", "/api/v1/caseloads", {"as_of": past, "limit": 100}
        if kind == 3:
            return QUERY_LABELS[3], "GET", "/api/v1/figures", {"from": year_from, "to": year_to}
        if kind == 4:
            return QUERY_LABELS[4], "GET", f"/api/v1/cases/{rng.choice(any_ids)}/timeline", None
        if kind == 5:
            return QUERY_LABELS[5], "GET", "/api/v1/units", None
        if kind == 6:
            return QUERY_LABELS[6], "GET", "/api/v1/leaders", None
        if kind == 7:  # the pages, through a page session made by the login form
            return (
                QUERY_LABELS[7],
                "GET",
                "/cases",
                {"status": "in_handling", "category": rng.choice(categories)},
            )
        if kind == 8:
            return QUERY_LABELS[8], "GET", f"/cases/{rng.choice(any_ids)}/timeline", None
        if kind == 9:  # the offices' practices (issue 21): the generator fills their views
            return QUERY_LABELS[9], "GET", "/api/v1/receptions", {"from": month_from, "to": year_to}
        if kind == 10:
            return QUERY_LABELS[10], "GET", "/api/v1/escalations", None
        if kind == 11:
            return QUERY_LABELS[11], "GET", "/api/v1/recommendations", {"limit": 50}
        return HEALTHZ, "GET", "/healthz", None

    return next_request


def _command_mix(open_ids: list[str]) -> Callable[[int, int], tuple[str, str, str, dict[str, Any] | None]]:
    reply_by = (time_today() + timedelta(days=10)).isoformat()

    def next_request(client: int, n: int) -> tuple[str, str, str, dict[str, Any] | None]:
        case = open_ids[(client * 7919 + n * 31) % len(open_ids)]
        kind = n % 5
        if kind == 0:
            return (
                "supervise",
                "POST",
                f"/api/v1/cases/{case}/supervise",
                {"reply_by": reply_by, "text": "请按期报送办理情况"},
            )
        if kind == 1:
            sha = f"{random.Random(client * 31 + n).getrandbits(256):064x}"
            return "documents", "POST", f"/api/v1/cases/{case}/documents", {
                "file_name": "材料.pdf", "media_type": "application/pdf", "sha256": sha}  # fmt: skip
        return "notes", "POST", f"/api/v1/cases/{case}/notes", {"text": f"跟进记录 {client}-{n}"}

    return next_request


def time_today() -> Any:
    from domain.context import utcnow
    from domain.policy import local_date

    return local_date(utcnow())


def _fmt_ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def query_load(url: str, seconds: float) -> tuple[list[Row], float]:
    """The read queries under 16 readers whose mix includes /healthz (the baseline), on a served
    store with views built (one API process per core, as for the writes); then /healthz alone
    under 16 clients, as information."""
    rows: list[Row] = []
    _, any_ids, leaders = _samples(url)
    with service(url, ADMIN_TOKEN, workers=READ_PROCESSES) as base:
        cookie = page_cookie(base, READER)  # one login through the form, for the check and the mix
        sessions = page_session_check(base, cookie)
        console.print(
            f"page loads after login, {READ_PROCESSES} API processes: {sessions.answered} of {sessions.loads}"
        )
        mixed = run_load(base, READER, 16, seconds, _query_mix(any_ids, leaders), cookie=cookie)
        alone = run_load(base, READER, 16, seconds, lambda c, n: ("healthz", "GET", "/healthz", None))
    rows.append(Row("page loads after login", f"{sessions.answered} of {sessions.loads} answered 200",
                    f"serve --workers {READ_PROCESSES}", None, f"{sessions.loads} of {sessions.loads}", sessions.met))  # fmt: skip
    health_p99 = percentile(mixed.latencies.get(HEALTHZ, []), 0.99)
    baseline = f"/healthz p99 {_fmt_ms(health_p99)} (same load)"
    worst = 0.0
    for label in QUERY_LABELS:
        p99 = percentile(mixed.latencies.get(label, []), 0.99)
        worst = p99 if math.isnan(p99) else max(worst, p99)  # NaN (no successful request) sticks
        rows.append(Row(f"query p99: {label}", _fmt_ms(p99), baseline,
                        _ratio(p99, health_p99), "<= 3x", p99 <= 3 * health_p99))  # fmt: skip
    case_list_p99 = percentile(mixed.latencies.get(QUERY_LABELS[0], []), 0.99)
    for label in REFERENCE_LISTS:
        p99 = percentile(mixed.latencies.get(label, []), 0.99)
        rows.append(Row(f"query p99: {label} / case list", _fmt_ms(p99), f"case list p99 {_fmt_ms(case_list_p99)}",
                        _ratio(p99, case_list_p99), "<= 3x", p99 <= 3 * case_list_p99))  # fmt: skip
    alone_p99 = percentile(alone.all_latencies(), 0.99)
    rows.append(Row("/healthz p99, 16 clients on /healthz only", _fmt_ms(alone_p99), baseline,
                    _ratio(alone_p99, health_p99), "(information)", None))  # fmt: skip
    _report_errors("queries", mixed)
    return rows, worst


def queries_only(url: str, seconds: float) -> int:
    """`--only queries --database-url URL`: the query rows on an existing, already projected store
    (made once with `xinfang generate` and `python -m bench.steps rebuild URL`)."""
    rows, _ = query_load(url, seconds)
    Console().print(render(rows, f"xinfang bench: queries on {url.rsplit('/', 1)[-1]}"))
    return 0


def _generate(ledger: LedgerApplication, cases: int) -> Generated:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    began = time.perf_counter()
    with Progress(*columns, console=console) as progress:
        task = progress.add_task(f"generate {cases} cases", total=cases)
        made = generate(ledger, cases, progress=lambda done, _: progress.update(task, completed=done))
    generated = time.perf_counter() - began
    console.print(f"generated {made.events} events in {generated:.1f} s ({made.events / generated:.0f}/s)")
    return made


def _counted(ledger: LedgerApplication, url: str) -> Generated:
    """What a ledger copied from a template holds (it must have views still to build)."""
    import psycopg
    from eventsourcing.utils import get_topic

    from domain.case_events import Registered

    head = ledger_head(ledger.recorder)
    with psycopg.connect(url) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM {ledger.store.events_table} WHERE originator_version = 1 AND topic = %s",
            (get_topic(Registered),),
        ).fetchone()
        built = conn.execute("SELECT count(*) FROM view_positions WHERE position > 0").fetchone()
    if built and built[0]:
        raise SystemExit(
            "the template's views are built already: give a ledger as `xinfang generate` left it"
        )
    cases = int(row[0]) if row else 0
    console.print(f"copied a generated ledger: {cases} cases, {head} events")
    return Generated(cases, head, head)


def run_size(
    postgres_url: str | None, seconds: float, *, cases: int | None = None, template: str | None = None
) -> SizeRun:
    """Every scenario on a fresh database: `cases` generated into it, or a copy of `template` (a
    ledger made by `xinfang generate`, whose size it counts)."""
    from api.bootstrap import open_ledger

    if (cases is None) == (template is None):
        raise ValueError("a run is of generated cases or of a template, one of the two")
    rows: list[Row] = []
    with scratch_database(postgres_url, template=template) as url:
        ledger = open_ledger(url)
        made = _generate(ledger, cases) if cases is not None else _counted(ledger, url)
        ledger.close()

        decode = _step("decode", url)
        decode_rate = decode["events"] / decode["seconds"]
        console.print(f"fetch+decode: {decode_rate:.0f} events/s")
        rebuild = _step("rebuild", url)
        rebuild_rate = rebuild["events"] / rebuild["seconds"]
        console.print(f"rebuild: {rebuild_rate:.0f} events/s in {rebuild['seconds']:.1f} s")
        disk = _step("disk", url)
        disk_ratio = disk["views_bytes"] / disk["events_bytes"]
        console.print(
            f"views on disk: {disk['views_bytes'] / 2**20:.0f} MB, {disk_ratio:.2f}x the events table"
        )
        verify = _step("verify", url)
        verify_rate = verify["events"] / verify["seconds"]
        console.print(f"verify: {verify_rate:.0f} events/s")
        rows += [
            Row("view rebuild: events/s", f"{rebuild_rate:.0f}", f"fetch+decode {decode_rate:.0f}",
                _ratio(rebuild_rate, decode_rate), ">= 0.5x", rebuild_rate >= 0.5 * decode_rate),
            Row("verify: events/s", f"{verify_rate:.0f}", f"fetch+decode {decode_rate:.0f}",
                _ratio(verify_rate, decode_rate), ">= 0.5x", verify_rate >= 0.5 * decode_rate),
            Row("views on disk / events table", f"{disk['views_bytes'] / 2**20:.0f} MB",
                f"events table {disk['events_bytes'] / 2**20:.0f} MB", _ratio(disk["views_bytes"], disk["events_bytes"]),
                "<= 1.5x", disk_ratio <= 1.5),
        ]  # fmt: skip

        open_ids, _, _ = _samples(url)
        query_rows, worst = query_load(url, seconds)
        rows += query_rows
        with service(url, ADMIN_TOKEN, workers=API_PROCESSES) as base:
            writes = (
                run_load(base, READER, 32, seconds, _command_mix(open_ids))
                if open_ids
                else LoadResult(seconds)
            )
        _report_errors("writes", writes)
        peer = compare_generated(url, ADMIN_TOKEN, seconds, workers=API_PROCESSES)
        grouped = commands_per_second(url, open_ids, min(seconds, 10), group_commit=True) if open_ids else 0.0
        single = commands_per_second(url, open_ids, min(seconds, 10), group_commit=False) if open_ids else 0.0
        rate_a = library_saves_per_second(url, min(seconds, 10))
        rate_b = raw_inserts_per_second(url, min(seconds, 10))
        rate = writes.count / seconds
        p50, p99 = percentile(writes.all_latencies(), 0.5), percentile(writes.all_latencies(), 0.99)
        rows[:0] = [
            *([] if peer is None else [crud_peer_row(peer, "generated ledger")]),
            Row("write path: commands/s", f"{rate:.0f} (32 clients, {API_PROCESSES} API processes)",
                f"(a) {rate_a:.0f} saves/s; (b) {rate_b:.0f} inserts/s", _ratio(rate, rate_a),
                ">= 2x (a), >= 0.5x (b)", rate >= 2 * rate_a and rate >= 0.5 * rate_b),
            Row("write path in process: commands/s", f"{grouped:.0f} group commit (32 threads)",
                f"{single:.0f} one transaction per command", _ratio(grouped, single), "(information)", None),
            Row("write path: p99 / p50", f"{_fmt_ms(p99)} / {_fmt_ms(p50)}", "-", _ratio(p99, p50),
                "p99 <= 10x p50", p99 <= 10 * p50),
        ]  # fmt: skip
        peak = max(rebuild["peak_rss_mb"], verify["peak_rss_mb"])
        rows += [
            Row("memory: rebuild peak RSS", f"{rebuild['peak_rss_mb']:.0f} MB", "-", None, "< 500 MB",
                rebuild["peak_rss_mb"] < 500),
            Row("memory: verify peak RSS", f"{verify['peak_rss_mb']:.0f} MB", "-", None, "< 500 MB",
                verify["peak_rss_mb"] < 500),
        ]  # fmt: skip
    return SizeRun(made.cases, made.events, rows, rebuild["seconds"], worst, peak)


def crud_peer_row(c: Comparison, ledger: str) -> Row:
    for name, measured in (("xinfang", c.ledger), ("CRUD peer", c.peer)):
        if measured.errors:
            console.print(f"[yellow]notes on {name}: failed requests[/] {measured.errors}")
    return Row(f"write path against the CRUD peer ({ledger})", c.ledger.cell(), f"peer {c.peer.cell()}",
               c.throughput_ratio, f">= 1.0x commands/s, p99 <= 1.5x (now {c.p99_ratio:.2f}x)", c.met)  # fmt: skip


def crud_peer_fresh(postgres_url: str | None, seconds: float, cases: int = CASES) -> Row:
    """The peer row on a fresh ledger: a new database, migrated, the county made over HTTP."""
    from domain.store import parse_database_url
    from migrations.runner import migrate

    with scratch_database(postgres_url) as url:
        store = parse_database_url(url)
        migrate(store.plain_url, schema=store.migration_schema)
        comparison = compare_fresh(url, ADMIN_TOKEN, seconds, cases, workers=API_PROCESSES)
    return crud_peer_row(comparison, f"fresh ledger, {cases} cases")


def crud_peer_only(postgres_url: str | None, seconds: float, results: str | None) -> int:
    """`python -m bench --only crud-peer`: that one row, on a fresh ledger."""
    rows = [crud_peer_fresh(postgres_url, seconds)]
    Console().print(render(rows, "xinfang bench: the write path against the CRUD peer"))
    if results:
        Path(results).write_text(markdown(rows), encoding="utf-8")
    return 0


def _report_errors(what: str, result: LoadResult) -> None:
    if result.errors:
        console.print(f"[yellow]{what}: failed requests[/] {dict(result.errors)}")


def _ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline > 0 else float("inf")


def growth_rows(small: SizeRun | None, large: SizeRun) -> list[Row]:
    if small is None or small.cases == large.cases:
        note = "needs two sizes (--size A,B)"
        return [Row(f"growth: {what}", "not measured", note, None, goal, None)
                for what, goal in (("rebuild time", "<= 11x for 10x"), ("query p99", "<= 1.5x"), ("memory", "<= 1.2x"))]  # fmt: skip
    scale = f"{large.cases // small.cases}x the cases"
    rebuild = _ratio(large.rebuild_seconds, small.rebuild_seconds)
    query = _ratio(large.query_p99, small.query_p99)
    memory = _ratio(large.peak_rss, small.peak_rss)
    span = f"{small.cases} -> {large.cases} cases"
    return [
        Row("growth: rebuild time", f"{large.rebuild_seconds:.1f} s", f"{small.rebuild_seconds:.1f} s ({span})",
            rebuild, f"<= {1.1 * large.cases / small.cases:.0f}x ({scale})", rebuild <= 1.1 * large.cases / small.cases),
        Row("growth: query p99", _fmt_ms(large.query_p99), f"{_fmt_ms(small.query_p99)} ({span})", query,
            "<= 1.5x", query <= 1.5),
        Row("growth: memory", f"{large.peak_rss:.0f} MB", f"{small.peak_rss:.0f} MB ({span})", memory,
            "<= 1.2x", memory <= 1.2),
    ]  # fmt: skip


HEADER = ["figure", "value", "baseline (same run)", "ratio", "goal", "met"]


def render(rows: list[Row], title: str) -> Table:
    table = Table(title=title)
    for column in HEADER:
        table.add_column(column)
    for row in rows:
        table.add_row(*row.cells())
    return table


def markdown(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines) + "\n"


# RESULTS.md holds the latest run's tables above this line and the write-ups of earlier rounds
# (and the measurements code comments cite) below it, which a run must not wipe out.
HAND_WRITTEN = (
    "<!-- python -m bench --results rewrites what is above this line and keeps what is below it -->"
)


def results_text(generated: str, existing: str | None) -> str:
    """The results file after a run: the run's tables, then whatever the file held below the
    HAND_WRITTEN line (a file without the line held only an earlier run's tables)."""
    kept = existing.split(HAND_WRITTEN, 1)[1] if existing and HAND_WRITTEN in existing else "\n"
    return f"{generated.rstrip()}\n\n{HAND_WRITTEN}{kept}"


def main(
    *,
    size: str = "tiny",
    postgres_url: str | None = None,
    results: str | None = None,
    seconds: float = 20,
    ledgers: str | None = None,
) -> int:
    """`ledgers`: databases made by `xinfang generate` on the same server, smallest first, each
    copied for its run instead of generating (a million cases take a quarter of an hour)."""
    if ledgers:
        runs = [run_size(postgres_url, seconds, template=name) for name in ledgers.split(",")]
    else:
        runs = [run_size(postgres_url, seconds, cases=parse_size(s)) for s in size.split(",")]
    largest = runs[-1]
    largest.rows.insert(0, crud_peer_fresh(postgres_url, seconds))
    rows = largest.rows + growth_rows(runs[0] if len(runs) > 1 else None, largest)
    title = f"xinfang bench: {largest.cases} cases, {largest.events} events (PostgreSQL)"
    Console().print(render(rows, title))
    if results:
        command = "python -m bench " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        machine = f"{os.cpu_count()} cores; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        earlier = "".join(
            f"\n### {r.cases} cases, {r.events} events\n\n{markdown(r.rows)}" for r in runs[:-1]
        )
        path = Path(results)
        generated = (
            f"# Benchmark results\n\nCommand: `{command}` ({machine}, {seconds:g} s per load phase)\n\n"
            f"## {title}\n\n{markdown(rows)}{earlier}"
        )
        path.write_text(results_text(generated, path.read_text(encoding="utf-8") if path.exists() else None),
                        encoding="utf-8")  # fmt: skip
    return 0


__all__ = ["SCENARIOS", "crud_peer_only", "main", "parse_size", "queries_only"]
