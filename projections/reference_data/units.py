"""Unit paths ("/county/town/village/") so a subtree is a prefix match in SQL.

Units never move (there is no move event), so a path computed once stays true and is cached.
A code not (yet) in the tree is not cached: once the unit is created, its real path is used.
"""

from __future__ import annotations

from typing import Protocol

from domain.errors import NotFound


class UnitSource(Protocol):
    def unit_path(self, code: str) -> list[str]: ...


class UnitPaths:
    """Cached unit ancestry, for view rows and for every read's scope check."""

    def __init__(self, source: UnitSource) -> None:
        self._source = source
        self._known: dict[str, str] = {}

    def _lookup(self, code: str) -> str | None:
        path = self._known.get(code)
        if path is None:
            try:
                ancestry = self._source.unit_path(code)  # nearest first
            except NotFound:
                return None
            path = self._known[code] = "/" + "/".join(reversed(ancestry)) + "/"
        return path

    def path(self, code: str | None) -> str | None:
        """The unit's path; a code not in the tree stands as its own root."""
        if not code:
            return None
        return self._lookup(code) or f"/{code}/"

    def ancestry(self, code: str | None) -> list[str]:
        """The unit and every unit above it, root first (a code not in the tree stands alone)."""
        path = self.path(code)
        return path.strip("/").split("/") if path else []

    def within(self, unit: str | None, ancestor: str | None) -> bool:
        """True when `unit` is `ancestor` or below it; an unknown unit is outside every subtree."""
        if not unit or not ancestor:
            return False
        unit_path, ancestor_path = self._lookup(unit), self._lookup(ancestor)
        return unit_path is not None and ancestor_path is not None and unit_path.startswith(ancestor_path)
