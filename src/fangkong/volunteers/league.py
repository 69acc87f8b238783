"""The league table of teams — the evening comparison — normalised by team size.

Figures per team over a period come from ``TeamDay`` (hours and shifts, kept as shifts close,
one grouped query whatever the number of shifts); a team's size is its current people
(``Team.size``, kept by the membership services). Other apps add a "done" figure per team
(help requests done, and done on time) by registering a provider with ``register_done``; the
league then shows it per member too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.db.models import Sum

from fangkong.common.scope import Scope
from fangkong.regions.models import Region

from .choices import TeamKind
from .models import Team, TeamDay

# (team ids, first day, last day) → {team id: (done, done on time)}
DoneProvider = Callable[[list[int], dt.date, dt.date], dict[int, tuple[int, int]]]
_providers: list[DoneProvider] = []


def register_done(provider: DoneProvider) -> None:
    """Add a source of "done" figures per team (e.g. assistance: requests done, on time)."""
    if provider not in _providers:
        _providers.append(provider)


def has_done() -> bool:
    return bool(_providers)


def done_figures(team_ids: list[int], since: dt.date, until: dt.date) -> dict[int, tuple[int, int]]:
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for provider in _providers:
        for team_id, (done, on_time) in provider(team_ids, since, until).items():
            totals[team_id][0] += done
            totals[team_id][1] += on_time
    return {k: (v[0], v[1]) for k, v in totals.items()}


@dataclass
class Row:
    team_id: int
    name: str
    kind: str
    region_path: str
    leader: str
    members: int = 0
    minutes: int = 0
    shifts: int = 0
    done: int | None = None  # None: no provider registered
    on_time: int | None = None
    group_ids: list[int] = field(default_factory=list)
    rank: int = 0
    branch_id: int | None = None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def _per_member(self, value: float | None) -> float | None:
        if value is None:
            return None
        return round(value / self.members, 2) if self.members else 0.0

    @property
    def hours_per_member(self) -> float:
        return self._per_member(self.minutes / 60) or 0.0

    @property
    def shifts_per_member(self) -> float:
        return self._per_member(self.shifts) or 0.0

    @property
    def done_per_member(self) -> float | None:
        return self._per_member(self.done)

    @property
    def on_time_share(self) -> float | None:
        if self.done is None or self.on_time is None:
            return None
        return round(self.on_time / self.done, 2) if self.done else None


@dataclass
class League:
    since: dt.date
    until: dt.date
    teams: list[Row]
    branches: list[Row]
    with_done: bool


def _rows(scope: Scope, region: Region) -> dict[int, Row]:
    teams = scope.filter(Team.objects.filter(active=True, region_path__startswith=region.path))
    return {
        pk: Row(
            team_id=pk,
            name=name,
            kind=kind,
            region_path=path,
            leader=leader or "",
            branch_id=branch_id,
            members=size,
        )
        for pk, name, kind, path, leader, branch_id, size in teams.values_list(
            "id", "name", "kind", "region_path", "leader__name", "branch_id", "size"
        )
    }


def _fill(rows: dict[int, Row], region: Region, since: dt.date, until: dt.date) -> None:
    """The teams' days over the period: one grouped query over the region (joined to the
    teams by id in Python: no list of ids sent to the database)."""
    days = (
        TeamDay.objects.filter(region_path__startswith=region.path, day__gte=since, day__lte=until)
        .values("team_id")
        .annotate(minutes=Sum("minutes"), shifts=Sum("shifts"))
        .order_by()
    )
    for d in days:
        if (row := rows.get(d["team_id"])) is not None:
            row.minutes = d["minutes"]
            row.shifts = d["shifts"]


def _roll_up_branches(rows: dict[int, Row]) -> list[Row]:
    """A branch's figures: its own shifts plus those of its teams (its size already counts
    everyone in it or in one of its teams, once)."""
    branches = {pk: r for pk, r in rows.items() if r.kind == TeamKind.BRANCH}
    for pk, row in rows.items():
        if row.branch_id in branches:
            branches[row.branch_id].group_ids.append(pk)
    out = []
    for branch in branches.values():
        total = replace(branch, group_ids=list(branch.group_ids))
        for team_id in branch.group_ids:
            group = rows[team_id]
            total.minutes += group.minutes
            total.shifts += group.shifts
            if total.done is not None:
                total.done += group.done or 0
                total.on_time = (total.on_time or 0) + (group.on_time or 0)
        out.append(total)
    return out


def _ranked(rows: list[Row]) -> list[Row]:
    rows.sort(key=lambda r: (-(r.done_per_member or 0), -r.hours_per_member, r.name))
    for i, row in enumerate(rows, 1):
        row.rank = i
    return rows


def league(scope: Scope, region: Region, *, since: dt.date, until: dt.date) -> League:
    """Teams and branches of ``region`` (inside the scope) over ``since``..``until``: size
    (current people), hours and shifts, and "done" where a provider gives it, each per
    member; ranked by done per member, then hours per member."""
    rows = _rows(scope, region) if scope.contains(region.path) else {}
    _fill(rows, region, since, until)
    with_done = bool(_providers)
    if with_done and rows:
        done = done_figures(list(rows), since, until)
        for pk, row in rows.items():
            row.done, row.on_time = done.get(pk, (0, 0))
    branches = _roll_up_branches(rows)
    teams = [r for r in rows.values() if r.kind == TeamKind.TEAM]
    return League(
        since=since,
        until=until,
        teams=_ranked(teams),
        branches=_ranked(branches),
        with_done=with_done,
    )
