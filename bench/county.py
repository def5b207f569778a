"""A county-style unit tree, its leaders and users, drawn deterministically from a seed.

One county office (信访局) and its departments, ~20 townships (镇/乡/街道) with ~15 villages
each, about ten leaders per township and a few per department, and the users who act on
cases (registrars and supervisors at the county, officers in each township).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from faker import Faker

COUNTY_CODE = "county"
REGION_CODE = "330110"
DEPARTMENTS = [
    ("dept-land", "县自然资源局"),
    ("dept-hrss", "县人力资源和社会保障局"),
    ("dept-housing", "县住房和城乡建设局"),
    ("dept-env", "县生态环境分局"),
    ("dept-health", "县卫生健康局"),
    ("dept-edu", "县教育局"),
    ("dept-civil", "县民政局"),
    ("dept-urban", "县综合行政执法局"),
]
TOWNSHIP_POSTS = [
    "党委书记",
    "镇长",
    "党委副书记",
    "副镇长",
    "副镇长",
    "副镇长",
    "纪委书记",
    "人大主席",
    "武装部长",
    "组织委员",
]
DEPARTMENT_POSTS = ["局长", "副局长", "副局长", "纪检组长"]
TOWNSHIP_SUFFIXES = ["镇", "镇", "镇", "乡", "街道"]


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class LeaderSpec:
    leader_id: str
    name: str
    unit_code: str
    post: str


@dataclass(frozen=True)
class UserSpec:
    user_id: str
    name: str
    role: str
    unit_code: str | None
    leader_id: str | None = None


@dataclass
class County:
    units: list[UnitSpec] = field(default_factory=list)
    leaders: list[LeaderSpec] = field(default_factory=list)
    users: list[UserSpec] = field(default_factory=list)
    townships: list[str] = field(default_factory=list)
    villages: dict[str, list[str]] = field(default_factory=dict)  # township → its villages
    leaders_of: dict[str, list[str]] = field(default_factory=dict)  # unit → its leader ids
    officers_of: dict[str, list[str]] = field(default_factory=dict)  # township → officer user ids
    registrars: list[str] = field(default_factory=list)
    supervisors: list[str] = field(default_factory=list)


def user_token(user_id: str) -> str:
    """Generated users' bearer tokens are derived from their ids: benchmark data, never real."""
    return f"gen-{user_id}-token"


def build_county(fake: Faker, rng: random.Random, townships: int = 20, villages_per: int = 15) -> County:
    county = County()
    county.units.append(UnitSpec(COUNTY_CODE, f"{fake.city_name()}县信访局", None))
    for code, name in DEPARTMENTS:
        county.units.append(UnitSpec(code, name, COUNTY_CODE))
    used: set[str] = set()
    for t in range(1, townships + 1):
        code = f"t{t:02d}"
        name = _unique(lambda: fake.last_name() + rng.choice(["家", "山", "河", "桥", "湖", "岭"]), used)
        county.units.append(UnitSpec(code, name + rng.choice(TOWNSHIP_SUFFIXES), COUNTY_CODE))
        county.townships.append(code)
        county.villages[code] = []
        for v in range(1, villages_per + 1):
            vcode = f"{code}-v{v:02d}"
            county.units.append(
                UnitSpec(vcode, f"{name}{fake.last_name()}{rng.choice(['村', '庄村', '社区'])}", code)
            )
            county.villages[code].append(vcode)
    for unit_code, posts in [(c, TOWNSHIP_POSTS) for c in county.townships] + [
        (c, DEPARTMENT_POSTS) for c, _ in DEPARTMENTS
    ]:
        county.leaders_of[unit_code] = []
        for i, post in enumerate(posts, start=1):
            leader_id = f"L-{unit_code}-{i:02d}"
            county.leaders.append(LeaderSpec(leader_id, fake.name(), unit_code, post))
            county.leaders_of[unit_code].append(leader_id)
    county.users.append(UserSpec("gen-admin", "系统管理员", "admin", None))
    for i in range(1, 6):
        county.users.append(UserSpec(f"reg-{i}", f"登记员 {fake.name()}", "registrar", COUNTY_CODE))
        county.registrars.append(f"reg-{i}")
    for i in range(1, 4):
        county.users.append(UserSpec(f"sup-{i}", f"督办 {fake.name()}", "supervisor", COUNTY_CODE))
        county.supervisors.append(f"sup-{i}")
    county.users.append(UserSpec("insp-1", f"纪检 {fake.name()}", "inspector", COUNTY_CODE))
    for code in county.townships:
        county.officers_of[code] = []
        for i in range(1, 4):
            user_id = f"off-{code}-{i}"
            county.users.append(UserSpec(user_id, f"承办人 {fake.name()}", "officer", code))
            county.officers_of[code].append(user_id)
    first_leader = county.leaders_of[county.townships[0]][0]
    county.users.append(UserSpec("leader-1", "包案领导", "leader", county.townships[0], first_leader))
    return county


def _unique(make: object, used: set[str]) -> str:
    assert callable(make)
    for _ in range(100):
        value = str(make())
        if value not in used:
            used.add(value)
            return value
    raise RuntimeError("could not draw a unique name")
