"""Unit ancestry as paths: subtree checks, and codes that are not in the tree yet."""

from __future__ import annotations

from domain.errors import NotFound
from projections.reference_data.units import UnitPaths


class Tree:
    def __init__(self) -> None:
        self.parents: dict[str, str | None] = {"county": None, "town": "county", "village": "town"}
        self.lookups = 0

    def unit_path(self, code: str) -> list[str]:
        self.lookups += 1
        if code not in self.parents:
            raise NotFound(f"no such unit {code}")
        path, parent = [code], self.parents[code]
        while parent is not None:
            path.append(parent)
            parent = self.parents[parent]
        return path


def test_paths_run_from_the_root_and_subtrees_are_prefixes() -> None:
    paths = UnitPaths(Tree())
    assert paths.path("village") == "/county/town/village/"
    assert paths.within("village", "town") and paths.within("town", "town")
    assert not paths.within("town", "village")
    assert not paths.within(None, "town") and not paths.within("town", None)


def test_known_paths_are_looked_up_once() -> None:
    tree = Tree()
    paths = UnitPaths(tree)
    for _ in range(3):
        paths.path("village")
    assert tree.lookups == 1


def test_an_unknown_unit_is_outside_every_subtree_until_it_is_created() -> None:
    tree = Tree()
    paths = UnitPaths(tree)
    assert paths.path("new") == "/new/"
    assert not paths.within("new", "county") and not paths.within("new", "new")
    tree.parents["new"] = "county"  # the unit is created later: its real path is used from now on
    assert paths.path("new") == "/county/new/"
    assert paths.within("new", "county")
