"""A day's health figures per region: the one count behind the daily report's health section
and the staff view (``day_values``), and the check-in counters' sums (``daily_figures``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.selectors import residents_by_path
from fangkong.regions.models import Region

from ..choices import PassageOutcome
from ..models import (
    Alert,
    Case,
    CheckIn,
    Contact,
    GridDay,
    KindDay,
    Passage,
)
from ..rules import universal_at, universal_rules, universal_under
from .access import watched_on

# Whom a region's "due to report" share counts; a region whose parts follow different rules
# counts each part by its own.
WATCHED, RESIDENTS, MIXED = "watched", "residents", "mixed"


@dataclass
class DayFigures:
    """A region's figures of a day. Each share has its numerator inside its denominator:
    ``expected_reported`` are those of the ``expected`` (due to report under the rule, see
    ``due_among``) who reported; ``reported`` and ``check_ins`` count everyone who reported,
    whoever they are, and are counts, never a share of anything."""

    expected: int = 0  # people due to report (under watch, or every resident: ``due_among``)
    expected_reported: int = 0  # of them, those who reported that day
    due_among: str = ""  # WATCHED, RESIDENTS or MIXED
    reported: int = 0  # people who reported that day, due or not
    check_ins: int = 0  # readings that day (a person may report twice)
    residents: int = 0  # people registered in the region
    alerts_open: int = 0
    alerts_closed: int = 0
    watched: dict[str, int] = field(default_factory=dict)  # persons under watch, per kind
    # persons under watch, each once (under two kinds on one day, a person is in both kinds)
    watched_total: int = 0
    cases: int = 0
    contacts: int = 0
    passages: int = 0
    turned_back: int = 0

    @property
    def coverage(self) -> float | None:
        return None if not self.expected else self.expected_reported / self.expected

    @property
    def due_share(self) -> int | None:
        """Percent of those due who reported, rounded down: 100 only when all have."""
        return None if not self.expected else 100 * self.expected_reported // self.expected

    def add(self, other: DayFigures) -> None:
        for name in _SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.watched.items():
            self.watched[kind] = self.watched.get(kind, 0) + n
        if other.due_among and other.due_among != self.due_among:
            self.due_among = other.due_among if not self.due_among else MIXED


_SUMMED = (
    "expected",
    "expected_reported",
    "reported",
    "check_ins",
    "residents",
    "alerts_open",
    "alerts_closed",
    "watched_total",
    "cases",
    "contacts",
    "passages",
    "turned_back",
)


def _among(everyone: bool) -> str:
    return RESIDENTS if everyone else WATCHED


@dataclass
class CheckInFigures:
    """A region's check-ins of a day, summed from the grids' counters (``GridDay``)."""

    check_ins: int = 0
    persons: int = 0  # distinct persons who reported (a person counts once per grid)
    fevers: int = 0  # readings at or above the region's fever threshold

    def add(self, check_ins: int, persons: int, fevers: int) -> None:
        self.check_ins += check_ins
        self.persons += persons
        self.fevers += fevers


def _grid_days(region: Region, day: dt.date):
    return (
        GridDay.objects.filter(on=day, region_path__startswith=region.path)
        .values_list("region_path", "check_ins", "persons", "fevers")
        .order_by()
    )


def daily_figures(scope: Scope, region: Region, day: dt.date) -> CheckInFigures:
    """The region's check-ins, persons who reported and fevers on ``day``: a sum over its
    grids' counters, never a scan of the check-ins."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    total = CheckInFigures()
    for _path, *figures in _grid_days(region, day):
        total.add(*figures)
    return total


def daily_figures_by_child(
    scope: Scope, region: Region, day: dt.date
) -> list[tuple[Region, CheckInFigures]]:
    """``daily_figures`` for each region one level down (those in the scope), in code order:
    the grids' counters summed by the child their path lies under."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    children = list(scope.filter(region.children.all(), field="path").order_by("code"))
    by_child = {c.path: CheckInFigures() for c in children}
    segments = region.depth + 2
    for path, *figures in _grid_days(region, day):
        child = by_child.get("/".join(path.split("/")[:segments]) + "/")
        if child is not None:
            child.add(*figures)
    return [(c, by_child[c.path]) for c in children]


# --- the day's figures per grid path: one selector for the report and the staff view --------

# A round asked for a moment this close to now is "now": the counters hold everything
# recorded so far (a check-in of the last minute included).
NOW = dt.timedelta(minutes=1)


def counted(day: dt.date, until: dt.datetime) -> bool:
    """Whether ``day``'s counters describe the figures at ``until``: the whole day, or today as
    of now. A round at an earlier hour of a day reads the raw rows (counters are per day)."""
    end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    return until >= end or until >= timezone.now() - NOW


def residents_per_path(scope: Scope, region: Region, until: dt.datetime) -> dict[str, int]:
    """Registered residents per grid path under ``region`` (in the scope), registered before
    ``until``: health's one read of them, from the registry's counts (``residents_by_path``)."""
    return {p: n for p, n in residents_by_path(region, until).items() if scope.contains(p)}


def day_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime, *, residents: bool = False
) -> dict[str, dict[str, int]]:
    """The day's health figures per region path under ``region``, as of ``until``: the one
    count behind the daily report's health section and the staff view (docs/health.md,
    "Where each figure comes from").

    - ``check_ins``, ``checked_in`` (distinct persons): the grids' counters (``GridDay``), or
      the check-ins measured before ``until`` for a round at an earlier hour (``counted``);
    - ``watched``, ``watched_<kind>``: distinct persons under watch that day;
    - ``due``, ``reported`` (of due), ``not_reported``: where the rule says every resident
      reports, ``due`` is the grid's residents (``residents_per_path``) and ``reported`` those
      who checked in there (``checked_in``, never more than ``due``); elsewhere ``due`` are
      the people under watch and ``reported`` those of them with a check-in that day in the
      grid they are watched in (``GridDay.watched_reported``; raw rows for an earlier hour);
    - ``residents``: where some path reports universally, or when asked for;
    - alerts opened, closed, open and overdue at ``until``; new cases and contacts; checkpoint
      passages and people turned back.
    """
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    values: dict[str, dict[str, int]] = defaultdict(dict)
    whole = counted(day, until)
    rules = universal_rules()
    _check_ins(scope, region, day, until, whole, values)
    # who of those watched reported matters only where not every resident is due
    watched_due = not universal_at(rules, region.path) or any(
        not v for p, v in rules.items() if p.startswith(region.path)
    )
    done = _watched(scope, region, day, until, whole, values, due=watched_due)
    if residents or universal_under(rules, region.path):
        for path, n in residents_per_path(scope, region, until).items():
            values[path]["residents"] = n
    for path, v in values.items():
        if universal_at(rules, path):  # today's check-ins are the grid's residents (docs)
            due = v.get("residents", 0)
            reported = min(v.get("checked_in", 0), due)
        else:
            due, reported = v.get("watched", 0), done.get(path, 0)
        v.update(due=due, reported=reported, not_reported=due - reported)
    _events(scope, region, day, until, values)
    return dict(values)


def _add(values: dict[str, dict[str, int]], rows, *keys: str) -> None:
    for row in rows:
        bucket = values[row["region_path"]]
        for key in keys:
            bucket[key] = bucket.get(key, 0) + row[key]


def _check_ins(scope, region, day, until, whole: bool, values) -> None:
    inside = {"region_path__startswith": region.path}
    if whole:
        rows = scope.filter(GridDay.objects.filter(on=day, **inside)).values(
            "region_path", "check_ins", "watched", "watched_reported", checked_in=F("persons")
        )
        _add(values, rows, "check_ins", "checked_in", "watched", "watched_reported")
        return
    rows = (
        scope.filter(CheckIn.objects.filter(on=day, measured_at__lt=until, **inside))
        .values("region_path")
        .annotate(check_ins=Count("id"), checked_in=Count("person", distinct=True))
        .order_by()
    )
    _add(values, rows, "check_ins", "checked_in")


def _watched(scope, region, day, until, whole: bool, values, *, due: bool) -> dict[str, int]:
    """Persons under watch per path and kind; when they are ``due``, the number per path of
    those who checked in that day where they are watched. A whole day (or today, now): the
    grids' counters (``GridDay.watched``, ``watched_reported``, read with the check-ins, and
    ``KindDay``); a round at an earlier hour: the periods and the check-ins before then."""
    if whole:
        kinds = scope.filter(
            KindDay.objects.filter(on=day, region_path__startswith=region.path, persons__gt=0)
        ).values_list("region_path", "kind", "persons")
        for path, kind, n in kinds:
            values[path][f"watched_{kind}"] = n
        done = {}
        for path, v in values.items():
            done[path] = v.pop("watched_reported", 0)
            if not v.get("watched", 1):
                del v["watched"]
        return done
    where = {"on": day, "region_path": OuterRef("region_path"), "person_id": OuterRef("person_id")}
    checked = Exists(CheckIn.objects.filter(measured_at__lt=until, **where))
    watched = watched_on(scope, region, day)
    for row in (
        watched.values("region_path", "kind").annotate(n=Count("person", distinct=True)).order_by()
    ):
        values[row["region_path"]][f"watched_{row['kind']}"] = row["n"]
    done = {}
    reported = {"done": Count("person", distinct=True, filter=Q(checked))} if due else {}
    for row in (
        watched.values("region_path")
        .annotate(watched=Count("person", distinct=True), **reported)
        .order_by()
    ):
        values[row["region_path"]]["watched"] = row["watched"]
        done[row["region_path"]] = row.get("done", 0)
    return done


def _recorded(qs, until: dt.datetime, day: dt.date):
    """A round at an hour counts what had been recorded by then; a whole day (or today, now)
    counts everything dated that day, entered late or not."""
    return qs if counted(day, until) else qs.filter(created_at__lt=until)


def _events(scope, region, day, until, values) -> None:
    """Alerts, new cases and contacts, checkpoint passages: few rows, one grouped query each."""
    inside = {"region_path__startswith": region.path}
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))

    def grouped(qs, **annotate):
        return (
            scope.filter(qs.filter(**inside)).values("region_path").annotate(**annotate).order_by()
        )

    still_open = Q(closed_at__isnull=True) | Q(closed_at__gte=until)
    alerts = Alert.objects.filter(opened_at__lt=until).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    )
    _add(
        values,
        grouped(
            alerts,
            alerts_opened=Count("id", filter=Q(opened_at__gte=start)),
            alerts_closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=until)),
            alerts_open=Count("id", filter=still_open),
            alerts_overdue=Count("id", filter=still_open & Q(deadline_at__lt=until)),
        ),
        "alerts_opened",
        "alerts_closed",
        "alerts_open",
        "alerts_overdue",
    )
    cases = _recorded(Case.objects.filter(report_on=day), until, day)
    _add(values, grouped(cases, cases_new=Count("id")), "cases_new")
    contacts = Contact.objects.filter(created_at__gte=start, created_at__lt=until)
    _add(values, grouped(contacts, contacts_new=Count("id")), "contacts_new")
    passages = Passage.objects.filter(on=day, passed_at__lt=until)
    _add(
        values,
        grouped(
            passages,
            passages=Count("id"),
            turned_back=Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)),
        ),
        "passages",
        "turned_back",
    )


def day_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The region's totals of ``day_values`` for each of several days at once (``moments``:
    ``(day, until)``, oldest first): one query per table with a filtered count per day, never
    a value per grid. Where some part of the region makes every resident report (``due`` is
    then the residents of each such grid, capped per grid), or for a round at an earlier hour
    of a day (the raw rows), each day is ``day_values`` summed."""
    scope.require(Cap.HEALTH_VIEW)
    if not scope.contains(region.path):
        raise Http404
    if universal_under(universal_rules(), region.path) or not all(
        counted(d, at) for d, at in moments
    ):
        return [_summed(day_values(scope, region, d, at)) for d, at in moments]
    out: list[dict[str, int]] = [defaultdict(int) for _m in moments]  # type: ignore[misc]
    inside = {"region_path__startswith": region.path}
    days = [d for d, _at in moments]
    index = {d: i for i, d in enumerate(days)}
    for on, check_ins, persons, watched, reported in (
        scope.filter(GridDay.objects.filter(on__in=days, **inside))
        .values("on")
        .annotate(c=Sum("check_ins"), p=Sum("persons"), w=Sum("watched"), r=Sum("watched_reported"))
        .order_by()
        .values_list("on", "c", "p", "w", "r")
    ):
        out[index[on]].update(
            check_ins=check_ins, checked_in=persons, watched=watched, reported=reported
        )
    for on, kind, n in (
        scope.filter(KindDay.objects.filter(on__in=days, **inside))
        .values("on", "kind")
        .annotate(n=Sum("persons"))
        .filter(n__gt=0)
        .order_by()
        .values_list("on", "kind", "n")
    ):
        out[index[on]][f"watched_{kind}"] += n
    for total in out:
        total["due"] = total.get("watched", 0)
        total["not_reported"] = total["due"] - total.get("reported", 0)
    _events_days(scope, region, moments, out)
    return [dict(t) for t in out]


def _summed(values: dict[str, dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for row in values.values():
        for key, n in row.items():
            total[key] += n
    return dict(total)


def _events_days(scope, region, moments, out) -> None:
    """Alerts, new cases and contacts, passages for each moment, as ``_events`` counts them.
    Every moment here is a whole day or today as of now (``day_totals``), so cases, contacts
    and passages are one count grouped by day each; alerts (a few rows) are read once and
    each moment's figures taken from them."""
    inside = {"region_path__startswith": region.path}
    days = [d for d, _at in moments]
    index = {d: i for i, d in enumerate(days)}
    starts = [timezone.make_aware(dt.datetime.combine(d, dt.time())) for d in days]
    first, last = starts[0], max(at for _d, at in moments)
    alerts = scope.filter(
        Alert.objects.filter(opened_at__lt=last, **inside).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=first)
        )
    ).values_list("opened_at", "closed_at", "deadline_at")
    spans = [
        (start, until, out[i])
        for i, (start, (_d, until)) in enumerate(zip(starts, moments, strict=True))
    ]
    for opened, closed, deadline in alerts:
        for start, until, total in spans:
            if opened >= until or (closed is not None and closed < start):
                continue  # not seen that day
            total["alerts_opened"] += opened >= start
            total["alerts_closed"] += closed is not None and closed < until
            if closed is None or closed >= until:
                total["alerts_open"] += 1
                total["alerts_overdue"] += deadline < until
    grouped = (
        (Case.objects.filter(report_on__in=days), F("report_on"), {"cases_new": Count("id")}),
        (
            Contact.objects.filter(created_at__gte=first, created_at__lt=last),
            TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
            {"contacts_new": Count("id")},
        ),
        (
            Passage.objects.filter(on__in=days),
            F("on"),
            {
                "passages": Count("id"),
                "turned_back": Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)),
            },
        ),
    )
    for qs, by, counts in grouped:
        rows = scope.filter(qs.filter(**inside)).values(day=by).annotate(**counts).order_by()
        for row in rows:
            i = index.get(row["day"])
            if i is not None:
                for key in counts:
                    out[i][key] += row[key]
