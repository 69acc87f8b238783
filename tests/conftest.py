"""Shared fixtures: a small region tree and the named personas who use it.

The tree (codes are real-shaped, places invented):

    湖南省 430000 › 长沙市 430100
      ├─ 芙蓉区 430102 › 新华街道 430102001000
      │    ├─ 红星社区 430102001001 › grid A 430102001001001 (building 1栋, 张伟's household)
      │    └─ 芷园社区 430102001002 › grid B 430102001002001 (building 2栋, 李娜's household)
      └─ 天心区 430103 › 城南街道 430103001000 › 枫林社区 430103001001 › grid C 430103001001001

Personas (all with password ``pw-for-tests``):
- ``hq``: headquarters officer of the city: sees everything, masked.
- ``district``: officer of 芙蓉区: grids A and B, not C.
- ``street``: officer of 新华街道.
- ``community``: staff of 红星社区 (grid A only); may unmask.
- ``grid_a`` / ``grid_b``: grid workers of grid A / grid B; may unmask in their grid.
- ``volunteer``, ``warehouse``, ``lab``, ``hospital``: roles that never see the registry.
- ``finance``: the finance officer of 芙蓉区 (funds, allowance review, payment files); never
  sees the registry.
- ``outsider``: an active account with no role and no region: sees nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping

import pytest
from hypothesis import HealthCheck, settings

from fangkong.accounts.choices import Role
from fangkong.accounts.services import create_user
from fangkong.common.idnumbers import make as make_id_number
from fangkong.people.choices import IdType
from fangkong.people.models import Person, PersonTag
from fangkong.people.services.counters import recount_grids
from fangkong.regions.models import Region
from fangkong.regions.services import (
    create_region,
    get_or_create_building,
    get_or_create_household,
)

PASSWORD = "pw-for-tests"

# Hypothesis: CI replays the same examples on every run (seeded by each test, no example
# database), so a build never fails on a random example nobody has seen; a failure prints the
# blob that reproduces it (`@reproduce_failure`). Locally each run draws new examples and
# remembers failures in .hypothesis/. `CI=1 pytest ...` runs what CI runs.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    print_blob=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def hypothesis_profile(environ: Mapping[str, str]) -> str:
    """The profile for this environment: ``ci`` when ``CI`` is set (CI runs with CI=true)."""
    return "ci" if environ.get("CI") else "default"


settings.load_profile(hypothesis_profile(os.environ))


def pytest_configure(config):
    """The suite runs in the afternoon: the clock is set to 14:00 (local) of today, ticking on.

    Many tests place events at today's hours (a swab at 9:15, a delivery at 10:00) and expect
    them to have happened; run just after midnight, 9:15 is still to come and they would fail
    for the hour CI happened to run at. Tests about midnight set their own moment (``clock_at``).
    ``FANGKONG_TEST_CLOCK=real`` keeps the real clock. The browser's clock follows
    (tests/browser/conftest.py)."""
    if os.environ.get("FANGKONG_TEST_CLOCK") == "real":
        return
    from zoneinfo import ZoneInfo

    import time_machine
    from django.conf import settings as django_settings

    zone = ZoneInfo(django_settings.TIME_ZONE)
    afternoon = dt.datetime.combine(dt.datetime.now(zone).date(), dt.time(14), tzinfo=zone)
    config._fangkong_clock = time_machine.travel(afternoon, tick=True)
    config._fangkong_clock.start()


@pytest.fixture(autouse=True, scope="session")
def _static_files_listed_once():
    """WhiteNoise lists every static file (about 200, with their headers) when its middleware is
    made, and Django's test client makes the middleware anew for each test: about 40 ms a test,
    a third of a scope-matrix row. A server makes it once; here the list is made once for each
    static configuration and every test's middleware is given it: the same files, served alike."""
    from django.conf import settings as django_settings
    from whitenoise.middleware import WhiteNoiseMiddleware

    scan = WhiteNoiseMiddleware.add_files_from_finders
    listed: dict[str, dict] = {}

    def add_files_from_finders(self):
        key = repr(
            [
                getattr(django_settings, name, None)
                for name in (
                    "DEBUG",
                    "STATIC_URL",
                    "FORCE_SCRIPT_NAME",
                    "STATICFILES_DIRS",
                    "STATICFILES_FINDERS",
                    "INSTALLED_APPS",
                    "STORAGES",
                    *(n for n in dir(django_settings) if n.startswith("WHITENOISE_")),
                )
            ]
        )
        if key not in listed:
            before = dict(self.files)
            scan(self)
            listed[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(listed[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoiseMiddleware, "add_files_from_finders", add_files_from_finders)
        yield


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    """Files the app keeps (rejects of uploaded ledgers) go to the test's own directory."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Services speak the active language; tests that call them directly read English.

    Pages still come in Chinese by default: each request picks its own language.
    """
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from fangkong.accounts.services import forget_person_views, forget_tokens
    from fangkong.health.rules import forget_rules

    cache.clear()
    forget_rules()
    forget_tokens()
    forget_person_views()


def start_watch(person, *, kind: str = "home_observation", start, end, reason: str = "返乡", **kw):
    """A period under watch written as every writer of periods writes one: inside
    ``watch.changing``, so the grids' counters count it (services/watch.py)."""
    from fangkong.health.models import Observation
    from fangkong.health.services import watch

    with watch.changing([person.pk]):
        return Observation.objects.create(
            person=person,
            region_path=person.region_path,
            kind=kind,
            reason=reason,
            start_on=start,
            end_on=end,
            **kw,
        )


def make_person(grid: Region, **overrides) -> Person:
    """A resident of ``grid`` with a valid ID number; override any field."""
    seq = Person.objects.count() * 2 + 1
    birth = overrides.pop("birth_on", dt.date(1980, 5, 17))
    number = overrides.pop("id_number", None) or make_id_number("430102", birth, seq % 1000)
    tags = overrides.pop("tags", ())
    fields = {
        "name": "测试",
        "sex": "M",
        "id_type": IdType.RESIDENT_ID,
        "id_number": number,
        "birth_on": birth,
        "phone": "13800000000",
        "grid": grid,
        "region_path": grid.path,
    }
    fields.update(overrides)
    person = Person.objects.create(**fields)
    for kind in tags:
        PersonTag.objects.create(person=person, kind=kind, region_path=grid.path)
    recount_grids([person.region_path])  # what every registry write does last
    return person


class Tree:
    def __init__(self):
        self.province = create_region(code="430000", name="湖南省", level="province")
        self.city = create_region(code="430100", name="长沙市", level="city", parent=self.province)
        self.district = create_region(
            code="430102", name="芙蓉区", level="district", parent=self.city
        )
        self.street = create_region(
            code="430102001000", name="新华街道", level="street", parent=self.district
        )
        self.community_a = create_region(
            code="430102001001", name="红星社区", level="community", parent=self.street
        )
        self.community_b = create_region(
            code="430102001002", name="芷园社区", level="community", parent=self.street
        )
        self.grid_a = create_region(
            code="430102001001001", name="红星第1网格", level="grid", parent=self.community_a
        )
        self.grid_b = create_region(
            code="430102001002001", name="芷园第1网格", level="grid", parent=self.community_b
        )
        other_district = create_region(
            code="430103", name="天心区", level="district", parent=self.city
        )
        other_street = create_region(
            code="430103001000", name="城南街道", level="street", parent=other_district
        )
        other_community = create_region(
            code="430103001001", name="枫林社区", level="community", parent=other_street
        )
        self.grid_c = create_region(
            code="430103001001001", name="枫林第1网格", level="grid", parent=other_community
        )
        self.building_a = get_or_create_building(grid=self.grid_a, name="1栋")
        self.household_a = get_or_create_household(
            grid=self.grid_a, building=self.building_a, unit="1", door="101"
        )
        self.building_b = get_or_create_building(grid=self.grid_b, name="2栋")
        self.household_b = get_or_create_household(
            grid=self.grid_b, building=self.building_b, unit="2", door="202"
        )
        self.person_a = make_person(
            self.grid_a,
            name="张伟",
            household=self.household_a,
            phone="13812345678",
            relation="户主",
            tags=["elderly_alone"],
            birth_on=dt.date(1940, 3, 8),
        )
        self.child_a = make_person(
            self.grid_a,
            name="张小明",
            household=self.household_a,
            birth_on=dt.date(2020, 6, 1),
            phone="",
        )
        self.person_b = make_person(
            self.grid_b, name="李娜", sex="F", household=self.household_b, phone="13987654321"
        )
        self.person_c = make_person(self.grid_c, name="王芳", sex="F", phone="13700001111")


@pytest.fixture
def tree(db) -> Tree:
    return Tree()


PERSONAS = {
    "hq": (Role.HEADQUARTERS, "city"),
    "district": (Role.DISTRICT, "district"),
    "street": (Role.STREET, "street"),
    "community": (Role.COMMUNITY, "community_a"),
    "grid_a": (Role.GRID_WORKER, "grid_a"),
    "grid_b": (Role.GRID_WORKER, "grid_b"),
    "volunteer": (Role.VOLUNTEER, "community_a"),
    "warehouse": (Role.WAREHOUSE, "district"),
    "lab": (Role.LAB, "district"),
    "hospital": (Role.HOSPITAL, "district"),
    "finance": (Role.FINANCE, "district"),
}


class People:
    """The personas as user objects: ``people.hq``, ``people.grid_a``, …"""

    def __init__(self, tree: Tree):
        for username, (role, region_attr) in PERSONAS.items():
            user = create_user(
                username=username,
                password=PASSWORD,
                role=role,
                scope_region=getattr(tree, region_attr),
            )
            setattr(self, username, user)
        from fangkong.accounts.models import User

        outsider = User(username="outsider", role="")
        outsider.set_password(PASSWORD)
        outsider.save()
        self.outsider = outsider

    def __getitem__(self, name: str):
        return getattr(self, name)


@pytest.fixture
def people(tree) -> People:
    return People(tree)


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in as that user and returns the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login
