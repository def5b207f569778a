"""The identity of a petitioner for the repeat look-up (重信重访, DOMAIN.md R10).

Views keep a SHA-256 of the normalised id number, never the number: the look-up needs equality
only. The hash is domain-separated but not keyed: the space of id numbers is small enough to be
searched, so the hash table is as confidential as the ledger itself and is never returned.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from domain.values import Petitioner

_DOMAIN = b"xinfang/petitioner-id-number/v1\n"


def normalised_id_number(id_number: str) -> str:
    """Spaces dropped and the check character upper-cased (x and X are the same number)."""
    return "".join(id_number.split()).upper()


def id_number_hash(id_number: str) -> str:
    return hashlib.sha256(_DOMAIN + normalised_id_number(id_number).encode()).hexdigest()


def identity_hashes(petitioners: Iterable[Petitioner]) -> list[str]:
    """The distinct hashes of the petitioners that gave an id number, sorted."""
    return sorted({id_number_hash(p.id_number) for p in petitioners if p.id_number})
