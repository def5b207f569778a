"""Fixtures for the view machinery: the ledger's view database with the test views' tables."""

from __future__ import annotations

import pytest

from domain.application import LedgerApplication
from projections.engine.database import ViewDatabase
from tests.projections.views import CountingView, PoisonedView, create_tables


@pytest.fixture
def db(ledger: LedgerApplication) -> ViewDatabase:
    database = ViewDatabase(ledger.store)
    create_tables(database, CountingView, PoisonedView)
    return database
