"""The `xinfang` command line (operating contract of API.md)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, TaskID
from rich.table import Table

from api.settings import Settings
from domain.context import command_context
from domain.values import SYSTEM_ACTOR
from domain.vocabulary import Role
from projections.engine.view import View

if TYPE_CHECKING:  # the CLI imports the service's modules only in the commands that use them
    from api.auth import Principal
    from domain.application import LedgerApplication

app = typer.Typer(
    help="xinfang-ledger: an audit-first ledger of petition case work (信访).", no_args_is_help=True
)
users = typer.Typer(help="Manage users and their bearer tokens.", no_args_is_help=True)
app.add_typer(users, name="users")
console = Console()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="load the demo data set if it is not there")] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="API processes on the port (PostgreSQL only); above 1, the views and the "
            "checkpoint schedule run once, in this supervising process",
        ),
    ] = 1,
) -> None:
    """Run the HTTP API (and, with --demo, load demo data first)."""
    import uvicorn

    from api.access_log import log_config
    from api.app import create_app
    from api.bootstrap import build_application
    from domain.store import parse_database_url

    settings = Settings()
    if workers > 1 and parse_database_url(settings.database_url).kind != "postgres":
        # SQLite takes one writer at a time, and group commit is PostgreSQL's alone.
        console.print("[red]--workers above 1 needs PostgreSQL (XINFANG_DATABASE_URL=postgresql://...)[/]")
        raise typer.Exit(2)
    ledger = build_application(settings)
    if demo:
        from api.demo import load_demo

        with console.status("loading demo data…"):
            tokens = load_demo(ledger)
        table = Table(title="demo users (bearer tokens)")
        for column in ("user", "token"):
            table.add_column(column)
        for user_id, token in tokens.items():
            table.add_row(user_id, token)
        console.print(table)
    console.print(f"[bold green]xinfang-ledger[/] on {settings.database_url}")
    console.print(f"  API docs:  http://{host}:{port}/docs   (Authorize with a token above)")
    console.print(f"  Pages:     http://{host}:{port}/login  (sign in with a token above)")
    console.print(f"  health:    http://{host}:{port}/healthz")
    if demo:
        from domain.case_events import Registered

        first = ledger.first_event(Registered)
        if first is not None:
            console.print(
                "  try:      curl -H 'Authorization: Bearer demo-inspector-token' "
                f"http://{host}:{port}/api/v1/cases/{first.originator_id}/timeline"
            )
    if workers > 1:
        from api.workers import serve_workers

        serve_workers(settings, ledger, host=host, port=port, workers=workers)
        return
    # proxy_headers off: the app decides whom to believe (XINFANG_TRUSTED_PROXIES, api/edge.py).
    uvicorn.run(
        create_app(settings, ledger), host=host, port=port, log_level="info", proxy_headers=False,
        log_config=log_config(),  # no query strings in the server log (api/access_log.py)
    )  # fmt: skip


@app.command()
def migrate() -> None:
    """Create or update every table, trigger and role in the configured database."""
    from domain.store import parse_database_url
    from migrations.runner import migrate as run

    settings = Settings()
    store = parse_database_url(settings.database_url, schema=settings.database_schema)
    applied = run(store.plain_url, schema=store.migration_schema)
    console.print(f"applied: {', '.join(applied) or 'nothing (up to date)'}")


@users.command("add")
def users_add(
    user_id: Annotated[str, typer.Argument(help="login id, e.g. zhou.min")],
    name: Annotated[str, typer.Option(help="display name")],
    role: Annotated[Role, typer.Option(help="one of the six roles")],
    unit: Annotated[str | None, typer.Option(help="unit code the user belongs to")] = None,
    leader: Annotated[str | None, typer.Option(help="for a leader's login: the leader id")] = None,
) -> None:
    """Create a user and print its bearer token (shown once; only its hash is stored)."""
    from api.bootstrap import build_application

    ledger = build_application(Settings())
    with command_context(actor=SYSTEM_ACTOR, reason="xinfang users add"):
        token = ledger.create_user(user_id=user_id, name=name, role=role, unit_code=unit, leader_id=leader)
    console.print(f"user [bold]{user_id}[/] ({role.value}) created. Token (shown once):")
    typer.echo(token)


@users.command("list")
def users_list() -> None:
    """List users with role and unit."""
    from api.bootstrap import build_application
    from domain.reference import USER_EVENTS

    ledger = build_application(Settings())
    table = Table("user", "name", "role", "unit", "active")
    for user in ledger.rebuild_all(USER_EVENTS):
        table.add_row(
            user.user_id, user.name, user.role.value, user.unit_code or "", "yes" if user.active else "no"
        )
    console.print(table)


def _progress() -> Progress:
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
    )


def _reporter(progress: Progress, task: TaskID) -> Callable[[int, int], None]:
    """Positions done / total as a progress bar."""

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    return report


def _views_by_name(names: list[str] | None) -> list[type[View]]:
    from projections.registry import VIEW_CLASSES, classes_named

    try:
        return classes_named(names) if names else list(VIEW_CLASSES)
    except LookupError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None


@app.command()
def project(
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            min=1,
            help="runner processes, each feeding a group of views (PostgreSQL; one per core "
            "catches a fresh deployment up fastest)",
        ),
    ] = 1,
) -> None:
    """Keep every view up to date until Ctrl-C or SIGTERM (the runner process; one active per view)."""
    import logging
    import signal
    import threading

    from api.bootstrap import build_application, build_runner
    from domain.store import parse_database_url
    from projections.engine.parallel import groups_of_registered, run_in_processes

    settings = Settings()
    store = parse_database_url(settings.database_url, schema=settings.database_schema)
    try:
        groups = groups_of_registered(store, jobs)  # before anything is created
    except ValueError as exc:
        console.print(f"[red]--jobs above 1 needs PostgreSQL: {exc}[/]")
        raise typer.Exit(2) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    ledger = build_application(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    if jobs > 1:
        for number, group in enumerate(groups, start=1):
            console.print(f"runner process {number}: views {', '.join(group)}")
        ledger.close()
        run_in_processes(store, jobs, stop)
        return
    runner = build_runner(ledger)
    console.print(f"views: {', '.join(v.name for v in runner.views) or 'none registered'}")
    runner.run_forever(stop)


@app.command()
def rebuild(view: Annotated[str, typer.Argument(help="the view's name")]) -> None:
    """Rebuild one view from position 0 into fresh tables while the live one serves, then switch."""
    from api.bootstrap import build_application, build_views
    from projections.engine.rebuild import RebuildError
    from projections.engine.rebuild import rebuild as run

    ledger = build_application(Settings())
    db, (instance,) = build_views(ledger, _views_by_name([view]))
    with _progress() as progress:
        task = progress.add_task(f"rebuild {view}", total=None)
        try:
            position = run(
                ledger,
                db,
                instance,
                progress=_reporter(progress, task),
            )
        except RebuildError as exc:
            console.print(f"[red]{exc}[/]; the live view is unchanged")
            raise typer.Exit(1) from None
    console.print(f"view [bold]{view}[/] rebuilt and switched at ledger position {position}")


@app.command("check-views")
def check_views(
    views: Annotated[list[str] | None, typer.Argument(help="views to check (default: all)")] = None,
) -> None:
    """Rebuild views into scratch tables and report every row that differs from the live views."""
    from api.bootstrap import build_application, build_views
    from projections.engine.rebuild import RebuildError, check_view

    ledger = build_application(Settings())
    db, instances = build_views(ledger, _views_by_name(views))
    drifted = False
    for instance in instances:
        with _progress() as progress:
            task = progress.add_task(f"check {instance.name}", total=None)
            try:
                report = check_view(
                    ledger,
                    db,
                    instance,
                    progress=_reporter(progress, task),
                )
            except RebuildError as exc:
                console.print(f"[red]{exc}[/]")
                drifted = True
                continue
        for diff in report.tables:
            if not diff.drifted:
                console.print(f"{instance.name}.{diff.table}: [green]same[/] at position {report.position}")
                continue
            drifted = True
            console.print(
                f"{instance.name}.{diff.table}: [red]drift[/] at position {report.position}: "
                f"{len(diff.missing)} missing, {len(diff.extra)} extra, {len(diff.different)} different"
            )
            for label, rows in (("missing", diff.missing), ("extra", diff.extra)):
                for row in rows[:10]:
                    console.print(f"  {label}: {dict(zip(diff.columns, row, strict=False))}")
            for live, rebuilt in diff.different[:10]:
                console.print(f"  live:    {dict(zip(diff.columns, live, strict=False))}")
                console.print(f"  rebuilt: {dict(zip(diff.columns, rebuilt, strict=False))}")
    if drifted:
        raise typer.Exit(1)


@app.command()
def checkpoint() -> None:
    """Sign a checkpoint over the whole ledger now; print its position, size, root and key id."""
    from datetime import UTC, datetime

    from api.bootstrap import build_application
    from api.signing import SigningKeys, SigningKeyUnavailable
    from domain.ledger_tree import StoredHeadsChanged, make_checkpoint

    settings = Settings()
    ledger = build_application(settings)
    keys = SigningKeys(ledger.store, settings.signing_key_file, settings.trusted_public_keys)
    try:
        key = keys.signing_key()
    except SigningKeyUnavailable as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    try:
        made = make_checkpoint(ledger.recorder, ledger.reads, key, datetime.now(UTC))
    except StoredHeadsChanged as exc:
        console.print(f"[red]{exc}[/]", soft_wrap=True)
        raise typer.Exit(1) from None
    assert made is not None
    console.print(f"position {made.position}")
    console.print(f"size     {made.size}")
    console.print(f"root     {made.root}")
    console.print(f"key id   {made.key_id}")


@app.command()
def verify() -> None:
    """Re-derive every hash chain and every checkpoint root and signature (exit 1 if tampered)."""
    from api.bootstrap import build_application
    from api.signing import SigningKeys
    from domain.ledger_tree import ledger_head
    from domain.verify import verify_stored

    settings = Settings()
    ledger = build_application(settings)
    keys = SigningKeys(ledger.store, settings.signing_key_file, settings.trusted_public_keys)
    trusted = keys.trusted()
    if not trusted:
        console.print("[yellow]no trusted public key: checkpoint signatures cannot be checked[/]")
    head = ledger_head(ledger.recorder)
    with _progress() as progress:
        task = progress.add_task("verify ledger", total=head)
        report = verify_stored(ledger.recorder, trusted, progress=_reporter(progress, task))
    console.print(f"events checked:      {report.events_checked}")
    console.print(f"checkpoints checked: {report.checkpoints_checked}")
    if report.ok:
        console.print("[bold green]ok[/]: every chain and every signed checkpoint matches the stored events")
        return
    bad = report.first_bad
    assert bad is not None
    console.print(f"[bold red]TAMPERED[/]: {report.problems} problem(s); the first:")
    console.print(f"  position:  {bad.position}")
    if bad.originator_id is not None:
        console.print(f"  case/aggregate: {bad.originator_id}  version {bad.version}")
    if bad.checkpoint_size is not None:
        console.print(f"  checkpoint size: {bad.checkpoint_size}")
    # soft_wrap: the problem stays one line, so it can be grepped from a log.
    console.print(f"  problem:   {bad.problem}", soft_wrap=True)
    if report.cases:
        console.print(f"cases whose head a signed checkpoint contradicts ({len(report.cases)}):")
        for case in report.cases:
            console.print(f"  {case.originator_id}: {case.problem}", soft_wrap=True)
    raise typer.Exit(1)


@app.command()
def export(
    case_id: Annotated[str, typer.Argument(help="the case id (UUID)")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="the inspector or supervisor exporting (user id)")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(envvar="XINFANG_EXPORT_TOKEN", help="or: the exporter's bearer token (names them)"),
    ] = None,
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="file to write (default: stdout)")
    ] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="the printable dossier (PDF) instead of the JSON bundle")
    ] = False,
    purpose: Annotated[
        str | None, typer.Option(help="why the case is exported (recorded in the case)")
    ] = None,
) -> None:
    """Export a case's evidence bundle (or, with --pdf, its dossier) as a named inspector (--as or
    --token); the export is recorded in the case under that user, who is named in the bundle."""
    from uuid import UUID

    import orjson

    from api.bootstrap import build_application
    from api.dossier import DossierFontMissing, find_font, render_dossier
    from api.errors import ProblemError
    from api.reads.evidence import check_export, export_bundle, export_purpose, signing_keys
    from domain.bundle_check import check_bundle
    from domain.errors import CaseNotFound, Forbidden
    from domain.evidence import encode
    from projections.reference_data.units import UnitPaths

    if (as_user is None) == (token is None):
        # An export unmasks personal data: the record in the case must name a person, not "system".
        console.print("[red]name the exporter: --as USER_ID or --token TOKEN (one of them)[/]")
        raise typer.Exit(2)
    try:
        case = UUID(case_id)
    except ValueError:
        console.print(f"[red]not a case id: {case_id}[/]")
        raise typer.Exit(2) from None
    settings = Settings()
    ledger = build_application(settings)
    why = export_purpose(purpose) + " (command line)"
    try:
        who = _exporter(ledger, as_user, token)
        check_export(ledger, UnitPaths(ledger), who, case)  # before anything is recorded
        if pdf:
            find_font()
        with command_context(actor=who.actor, reason=why):
            ledger.record_personal_data_view(case, why)
            bundle = export_bundle(ledger, signing_keys(ledger, settings), case)
        data = encode(bundle)
        if pdf:
            plain = orjson.loads(data)
            data = render_dossier(plain, check_bundle(plain), **_dossier_view(ledger, who, case))
    except CaseNotFound:
        console.print(f"[red]no such case: {case_id}[/]")
        raise typer.Exit(2) from None
    except (LookupError, Forbidden) as exc:
        console.print(f"[red]{getattr(exc, 'message', exc)}[/]")
        raise typer.Exit(2) from None
    except (ProblemError, DossierFontMissing) as exc:
        console.print(f"[red]{getattr(exc, 'detail', exc)}[/]")
        raise typer.Exit(1) from None
    finally:
        ledger.close()
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(output).write_bytes(data)
        console.print(f"wrote {output} as {who.user_id}: {bundle['proof_status']}", highlight=False)


def _dossier_view(ledger: Any, who: Any, case_id: Any) -> dict[str, Any]:
    """The dossier's cover as the exporter may read it (masked unless the role may unmask); the
    command line has no view database, so units and leaders show by their codes."""
    import dataclasses
    from datetime import UTC, datetime

    import orjson

    from api.permissions import UNMASK_ROLES
    from api.reads.cases import case_view
    from domain.clocks import compute_clocks
    from domain.evidence import encode

    unmasked = who.role in UNMASK_ROLES
    summary = case_view(ledger.get_case(case_id), unmasked=unmasked)
    summary["clocks"] = [
        dataclasses.asdict(c) for c in compute_clocks(ledger.case_events(case_id), at=datetime.now(UTC))
    ]
    return {"summary": orjson.loads(encode(summary)), "unmasked": unmasked}


def _exporter(ledger: LedgerApplication, as_user: str | None, token: str | None) -> Principal:
    """The user named by --as (active) or by --token; LookupError when there is none."""
    from api.auth import Principal
    from domain.errors import NotFound

    if token is not None:
        user = ledger.user_for_token(token)
        if user is None:
            raise LookupError("the token is unknown, revoked or expired")
    else:
        assert as_user is not None
        try:
            user = ledger.get_user(as_user)
        except NotFound:
            raise LookupError(f"no such user: {as_user}") from None
        if not user.active:
            raise LookupError(f"user {as_user} is deactivated")
    return Principal(user.user_id, user.name, user.role, user.unit_code, user.leader_id)


@app.command("public-key")
def public_key(
    output: Annotated[
        str | None, typer.Option("-o", "--output", help="file to write (default: stdout)")
    ] = None,
) -> None:
    """Print the checkpoint signing key's public half (hex), as `verify-bundle --public-key` takes it.

    Keep the file somewhere the exporter does not control (filed with the higher authority, on
    paper): a bundle is only as good as the key it is checked against."""
    from api.bootstrap import build_application
    from api.signing import SigningKeys
    from domain.checkpoints import key_id

    settings = Settings()
    ledger = build_application(settings)
    try:
        own = SigningKeys(ledger.store, settings.signing_key_file, settings.trusted_public_keys).public_key()
    finally:
        ledger.close()
    if own is None:
        console.print("[red]this service has no checkpoint signing key yet (XINFANG_SIGNING_KEY_FILE)[/]")
        raise typer.Exit(2)
    if output is None:
        typer.echo(own.hex())
        return
    Path(output).write_text(own.hex() + "\n", encoding="ascii")
    console.print(f"wrote {output}: Ed25519 public key, key id {key_id(own)}", highlight=False)


@app.command("verify-bundle")
def verify_bundle(
    file: Annotated[str, typer.Argument(help="the evidence bundle (JSON)")],
    public_key: Annotated[
        str | None,
        typer.Option(
            "--public-key",
            help="the ledger's public key kept outside the bundle: hex, the JSON of "
            "GET /api/v1/ledger/public-key, or a file holding either (`xinfang public-key -o FILE`)",
        ),
    ] = None,
) -> None:
    """Check an evidence bundle offline (no database, no service). Exit 0 valid, 1 invalid, 2 not checked."""
    from domain import bundle_check

    raise typer.Exit(bundle_check.main([file, *(["--public-key", public_key] if public_key else [])]))


def add_plugin_commands(cli: typer.Typer) -> None:
    """Commands other packages bring: the bench's `generate` and `bench`, found through the
    `xinfang.cli` entry point so the application never imports the bench (an import contract)."""
    for entry in entry_points(group="xinfang.cli"):
        entry.load()(cli)


add_plugin_commands(app)


def main() -> None:
    app()
