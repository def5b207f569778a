"""All wiring in one place: settings → migrated store → application → views and their runner."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from api.settings import Settings
from domain.application import DEFAULT_AGGREGATE_CACHE_SIZE, LedgerApplication
from domain.context import command_context
from domain.errors import AlreadyExists
from domain.store import parse_database_url
from domain.values import SYSTEM_ACTOR
from domain.vocabulary import Role
from migrations.runner import migrate
from projections.engine.database import ViewDatabase
from projections.engine.runner import ViewRunner
from projections.engine.view import View
from projections.registry import VIEW_CLASSES, instantiate

ADMIN_USER_ID = "admin"


def open_ledger(
    database_url: str,
    *,
    schema: str | None = None,
    env: Mapping[str, str] | None = None,
    aggregate_cache_size: int = DEFAULT_AGGREGATE_CACHE_SIZE,
) -> LedgerApplication:
    """The one way a ledger is opened, by the service, the CLI and the bench alike: parse the
    URL, create the SQLite file's directory, bring the schema up to date, open the application."""
    store = parse_database_url(database_url, schema=schema)
    if store.kind == "sqlite":
        Path(store.sqlite_path).parent.mkdir(parents=True, exist_ok=True)
    migrate(store.plain_url, schema=store.migration_schema)
    return LedgerApplication(store, env=dict(env or {}), aggregate_cache_size=aggregate_cache_size)


def build_application(settings: Settings) -> LedgerApplication:
    """The service's ledger: `open_ledger` with the settings, plus the start-up administrator."""
    app = open_ledger(
        settings.database_url,
        schema=settings.database_schema,
        aggregate_cache_size=settings.aggregate_cache_size,
    )
    if settings.admin_token:
        ensure_admin(app, settings.admin_token)
    return app


def ensure_admin(app: LedgerApplication, token: str) -> None:
    """XINFANG_ADMIN_TOKEN: an administrator holding this token exists from first start."""
    if app.user_for_token(token) is not None:
        return
    with command_context(actor=SYSTEM_ACTOR, reason="XINFANG_ADMIN_TOKEN at start-up"):
        try:
            app.create_user(
                user_id=ADMIN_USER_ID, name="系统管理员", role=Role.ADMIN, unit_code=None, token=token
            )
        except AlreadyExists:
            app.add_token(ADMIN_USER_ID, token)


def build_views(
    ledger: LedgerApplication, classes: Sequence[type[View]] | None = None
) -> tuple[ViewDatabase, list[View]]:
    """The views database and one instance of each view (the registry's, unless given)."""
    return ViewDatabase(ledger.store), instantiate(ledger, VIEW_CLASSES if classes is None else classes)


def build_runner(ledger: LedgerApplication, classes: Sequence[type[View]] | None = None) -> ViewRunner:
    db, views = build_views(ledger, classes)
    return ViewRunner(ledger, db, views)
