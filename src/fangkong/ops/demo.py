"""The demo city's accounts: one per role, scoped as people would be in a real response."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import create_user
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

DEMO_PASSWORD = "fangkong-demo"  # noqa: S105 - printed for the demo, never for production


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    region: Region


def _first(level: str, index: int = 0) -> Region:
    return Region.objects.filter(level=level).order_by("path")[index]


def demo_plan() -> list[tuple[str, str, Region]]:
    grid_a = _first(Level.GRID)
    grids = Region.objects.filter(level=Level.GRID).order_by("path")
    # another community's grid; in a city too small for one, the next grid, or the same
    grid_b = (
        grids.exclude(parent=grid_a.parent).first() or grids.exclude(pk=grid_a.pk).first() or grid_a
    )
    district = _first(Level.DISTRICT)
    return [
        ("hq", Role.HEADQUARTERS, _first(Level.CITY)),
        ("district", Role.DISTRICT, district),
        ("street", Role.STREET, _first(Level.STREET)),
        ("community", Role.COMMUNITY, grid_a.parent),
        ("grid_a", Role.GRID_WORKER, grid_a),
        ("grid_b", Role.GRID_WORKER, grid_b),
        ("warehouse", Role.WAREHOUSE, district),
        ("lab", Role.LAB, district),
        ("hospital", Role.HOSPITAL, district),
        ("volunteer", Role.VOLUNTEER, grid_a.parent),
        ("finance", Role.FINANCE, district),
    ]


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Create the demo accounts that do not exist yet; return all of them."""
    accounts = []
    hashed = ""  # the shared password is hashed once: each hash takes most of a second
    for username, role, region in demo_plan():
        user = User.objects.filter(username=username).first()
        if user is None and not hashed:
            user = create_user(
                username=username, password=DEMO_PASSWORD, role=role, scope_region=region
            )
            hashed = user.password
        elif user is None:
            user = User.objects.create(
                username=username, role=role, scope_region=region, password=hashed
            )
        accounts.append(DemoAccount(username, user.role, user.scope_region))
    return accounts


def demo_lab() -> None:
    """The lab account's lab, with the running campaigns' closed tubes sent and reported."""
    from fangkong.screening.demo import demo_lab_results, ensure_demo_lab

    operator = User.objects.get(username="lab")
    lab = ensure_demo_lab(operator)
    demo_lab_results(lab, operator, User.objects.get(username="grid_a").scope_region.path)


def accounts_table(accounts: list[DemoAccount]) -> str:
    lines = [_("Demo accounts (password: %(p)s)") % {"p": DEMO_PASSWORD}]
    for a in accounts:
        lines.append(
            f"  {a.username:<10} {Role(a.role).label!s:<12} {a.region.name} ({a.region.code})"
        )
    return "\n".join(lines)
