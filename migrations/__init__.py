"""Numbered SQL migrations for every table, trigger and role, and the runner that applies them."""

from migrations.runner import MigrationError, migrate

__all__ = ["MigrationError", "migrate"]
