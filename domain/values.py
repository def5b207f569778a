"""Value objects carried inside events."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """Who did it: filled from the authenticated request, never from a body."""

    user_id: str
    role: str
    unit_code: str | None


@dataclass(frozen=True)
class Petitioner:
    name: str
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None


SYSTEM_ACTOR = Actor(user_id="system", role="admin", unit_code=None)
# The petitioner rating an answer on the public look-up page: no login, no unit (第二十一条).
PUBLIC_ACTOR = Actor(user_id="public-self-service", role="petitioner", unit_code=None)
