"""Who acts in the outbreak: the demo accounts, plus a grid worker for every other grid and a
volunteer for every other checkpoint (accounts with no usable password: nobody logs in as
them, but each alert is closed by its own grid's worker, as it would be)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.scope import Scope, scope_of
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from ..demo import demo_plan, ensure_demo_accounts


@dataclass
class Actors:
    by_name: dict[str, User]
    grid_workers: dict[int, User]  # grid id -> its worker
    _scopes: dict[int, Scope] = field(default_factory=dict)

    def __getitem__(self, username: str) -> User:
        return self.by_name[username]

    def scope(self, user: User) -> Scope:
        if user.pk not in self._scopes:
            self._scopes[user.pk] = scope_of(user)
        return self._scopes[user.pk]

    def worker_of(self, grid_id: int) -> User:
        return self.grid_workers[grid_id]


def _username(prefix: str, region: Region) -> str:
    return f"{prefix}-{region.code}"


def ensure_actors(grids: list[Region]) -> Actors:
    """The demo accounts and a grid worker for each grid without one (created in one insert;
    an unusable password costs no hashing)."""
    ensure_demo_accounts()
    names = [name for name, _role, _region in demo_plan()]
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    workers = {
        u.scope_region_id: u
        for u in User.objects.filter(
            role=Role.GRID_WORKER, scope_region__level=Level.GRID
        ).order_by("id")
    }
    for u in by_name.values():  # the demo's grid_a and grid_b act for their own grids
        if u.role == Role.GRID_WORKER and u.scope_region_id is not None:
            workers[u.scope_region_id] = u
    missing = [
        User(
            username=_username("grid", g),
            role=Role.GRID_WORKER,
            scope_region=g,
            first_name=f"{g.name}网格员",
            password=make_password(None),
        )
        for g in grids
        if g.pk not in workers
    ]
    User.objects.bulk_create(missing)
    for u in User.objects.filter(username__in=[m.username for m in missing]):
        workers[u.scope_region_id] = u
    return Actors(by_name, workers)


def volunteer_for(region: Region) -> User:
    """A volunteer staffing a checkpoint of ``region`` (the demo's own where it has one)."""
    found = User.objects.filter(role=Role.VOLUNTEER, scope_region=region).order_by("id").first()
    if found is not None:
        return found
    return User.objects.create(
        username=_username("volunteer", region),
        role=Role.VOLUNTEER,
        scope_region=region,
        first_name=f"{region.name}志愿者",
        password=make_password(None),
    )
