"""Health monitoring's section of the daily report. Registered from ``HealthConfig.ready()``.

Every figure is one grouped query over the region (GROUP BY region_path: one row per grid,
folded into child regions by the report), never a walk over raw rows in Python. These are the
selectors the report reads health through; per-grid daily counters can replace a query here
without the report noticing.

Who is *due* to report: every person under observation that day, or every registered resident
where the region's rule says everyone reports (``universal_reporting``). *Reported* counts only
those due who checked in, so the share never passes 100 %; anyone else who checked in is in
"checked in (anyone)".
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.people.models import Person
from fangkong.regions.choices import Level
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Item,
    Link,
    Section,
    SectionFigures,
    add_rows,
    day_start,
    register,
    totals,
    values_by_path,
)

from .choices import ObservationKind, PassageOutcome
from .models import Alert, Case, CheckIn, Contact, HealthRule, Passage
from .rules import DEFAULTS
from .selectors import watched_on

# The grids listed as not (fully) reported, the most missing first; the rest are counted.
MAX_OUTSTANDING = 50


def _universal_paths(region: Region) -> tuple[dict[str, bool], bool]:
    """The regions whose rule sets ``universal_reporting`` (path -> flag), and whether any
    path under ``region`` reports universally. One query: rules are few."""
    flags = dict(
        HealthRule.objects.exclude(universal_reporting=None).values_list(
            "region__path", "universal_reporting"
        )
    )
    inherited = _universal(flags, region.path)
    below = any(v for p, v in flags.items() if p.startswith(region.path))
    return flags, inherited or below


def _universal(flags: dict[str, bool], path: str) -> bool:
    """The flag in force at ``path``: the deepest region above it (or itself) that sets one."""
    codes = [c for c in path.split("/") if c]
    for depth in range(len(codes), 0, -1):
        flag = flags.get("/".join(codes[:depth]) + "/")
        if flag is not None:
            return flag
    return DEFAULTS.universal_reporting


def _grouped(qs, **annotate):
    return qs.values("region_path").annotate(**annotate).order_by()


def _reporting(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime, values: dict
) -> None:
    """``due``, ``reported`` (of due) and ``not_reported`` per path, and ``checked_in``."""
    inside = {"region_path__startswith": region.path}
    check_ins = CheckIn.objects.filter(on=day, measured_at__lt=until)
    add_rows(
        values,
        "checked_in",
        _grouped(scope.filter(check_ins.filter(**inside)), n=Count("person", distinct=True)),
    )
    checked = Exists(check_ins.filter(person_id=OuterRef("person_id")))
    watched = watched_on(scope, region, day)
    due: dict[str, dict[str, int]] = values_by_path()
    add_rows(due, "watched", _grouped(watched, n=Count("person", distinct=True)))
    add_rows(
        due,
        "watched_reported",
        _grouped(watched.filter(checked), n=Count("person", distinct=True)),
    )
    flags, any_universal = _universal_paths(region)
    if any_universal:
        residents = scope.filter(Person.objects.filter(created_at__lt=until, **inside))
        add_rows(due, "residents", _grouped(residents, n=Count("id")))
        add_rows(
            due,
            "residents_reported",
            _grouped(
                residents.filter(Exists(check_ins.filter(person_id=OuterRef("pk")))),
                n=Count("id"),
            ),
        )
    for path, counts in due.items():
        kind = "residents" if any_universal and _universal(flags, path) else "watched"
        bucket = values[path]
        bucket["due"] = counts.get(kind, 0)
        bucket["reported"] = counts.get(f"{kind}_reported", 0)
        bucket["not_reported"] = bucket["due"] - bucket["reported"]


def _recorded(qs, until: dt.datetime, day: dt.date):
    """A round at an hour counts what had been recorded by then; a whole day (or today, now)
    counts everything dated that day, entered late or not."""
    if until < day_start(day + dt.timedelta(days=1)):
        return qs.filter(created_at__lt=until)
    return qs


def health_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> dict[str, dict[str, int]]:
    """The day's health figures per region path, one grouped query each."""
    scope.require(Cap.HEALTH_VIEW)
    inside = {"region_path__startswith": region.path}
    start = day_start(day)
    values = values_by_path()
    _reporting(scope, region, day, until, values)
    alerts = scope.filter(Alert.objects.filter(opened_at__lt=until, **inside)).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=start)
    )
    still_open = Q(closed_at__isnull=True) | Q(closed_at__gte=until)
    rows = list(
        _grouped(
            alerts,
            alerts_opened=Count("id", filter=Q(opened_at__gte=start)),
            alerts_closed=Count("id", filter=Q(closed_at__gte=start, closed_at__lt=until)),
            alerts_open=Count("id", filter=still_open),
            alerts_overdue=Count("id", filter=still_open & Q(deadline_at__lt=until)),
        )
    )
    for key in ("alerts_opened", "alerts_closed", "alerts_open", "alerts_overdue"):
        add_rows(values, key, rows, n=key)
    watched = watched_on(scope, region, day)
    add_rows(values, "watched", _grouped(watched, n=Count("person", distinct=True)))
    for row in (
        watched.values("region_path", "kind").annotate(n=Count("person", distinct=True)).order_by()
    ):
        bucket = values[row["region_path"]]
        bucket[f"watched_{row['kind']}"] = row["n"]
    cases = _recorded(Case.objects.filter(report_on=day, **inside), until, day)
    add_rows(values, "cases_new", _grouped(scope.filter(cases), n=Count("id")))
    contacts = Contact.objects.filter(created_at__gte=start, created_at__lt=until, **inside)
    add_rows(values, "contacts_new", _grouped(scope.filter(contacts), n=Count("id")))
    passages = scope.filter(Passage.objects.filter(on=day, passed_at__lt=until, **inside))
    rows = list(
        _grouped(
            passages,
            passages=Count("id"),
            turned_back=Count("id", filter=Q(outcome=PassageOutcome.TURNED_BACK)),
        )
    )
    add_rows(values, "passages", rows, n="passages")
    add_rows(values, "turned_back", rows, n="turned_back")
    return dict(values)


def _link(name: str, region: Region, query: str = "") -> Link:
    return Link(f"{reverse(name)}?region={region.code}{query}", Cap.HEALTH_VIEW)


def _missing_link(region: Region, day: dt.date) -> Link:
    if region.level == Level.GRID and day == timezone.localdate():
        return Link(reverse("health:missing", args=[region.code]), Cap.HEALTH_VIEW)
    return _link("health:staff", region, f"&day={day}")


def _figures(region: Region, day: dt.date, total: dict[str, int]) -> list[Figure]:
    def f(key, label, unit, **kw):
        return Figure(key, label, unit, total.get(key, 0), **kw)

    people, times = _("people"), _("times")
    on_day = f"&day={day}"
    checked_in = _link("health:people", region, f"&what=checked_in{on_day}")
    alerts = _link("health:alerts", region)
    watched = _link("health:people", region, on_day)
    due_note = _("everyone under observation that day; every resident where all residents report")
    figures = [
        f("due", _("Due to report"), people, note=due_note, link=watched),
        f(
            "reported",
            _("Reported, of those due"),
            people,
            of="due",
            note=due_note,
            link=checked_in,
        ),
        f(
            "not_reported",
            _("Not reported"),
            people,
            note=due_note,
            link=_missing_link(region, day),
        ),
        f(
            "checked_in",
            _("Checked in (anyone)"),
            people,
            note=_("everyone who checked in, due or not"),
            link=checked_in,
            in_rows=False,
        ),
        f("alerts_opened", _("Fever alerts opened"), times, link=alerts, in_rows=False),
        f("alerts_closed", _("Fever alerts closed"), times, link=alerts, in_rows=False),
        f(
            "alerts_open",
            _("Alerts still open"),
            times,
            note=_("at the report's time"),
            link=alerts,
        ),
        f(
            "alerts_overdue",
            _("Fever alerts overdue"),
            times,
            of="alerts_open",
            note=_("open alerts past their deadline"),
            link=alerts,
        ),
        f("watched", _("Under observation"), people, link=watched),
    ]
    for kind in ObservationKind:
        figures.append(
            f(
                f"watched_{kind.value}",
                str(kind.label),
                people,
                link=_link("health:people", region, f"{on_day}&kind={kind.value}"),
                in_rows=False,
            )
        )
    cases = _link("health:cases", region)
    checkpoints = _link("health:checkpoints", region)
    figures += [
        f("cases_new", _("New cases"), people, note=_("reported that day"), link=cases),
        f("contacts_new", _("New contacts"), people, note=_("traced that day"), link=cases),
        f("passages", _("Checkpoint passages"), times, link=checkpoints),
        f("turned_back", _("Turned back"), times, of="passages", link=checkpoints),
    ]
    return figures


def _outstanding(values: dict[str, dict[str, int]], day: dt.date) -> list:
    overdue = [(p, v["alerts_overdue"]) for p, v in values.items() if v.get("alerts_overdue")]
    missing = [(p, v) for p, v in values.items() if v.get("not_reported")]
    missing.sort(key=lambda pv: (-pv[1]["not_reported"], pv[0]))
    missing = missing[:MAX_OUTSTANDING]
    places = {r.path: r for r in Region.objects.filter(path__in=[p for p, _n in overdue + missing])}
    items = []
    for path, n in sorted(overdue, key=lambda pn: (-pn[1], pn[0])):
        if (r := places.get(path)) is not None:
            items.append(
                Item(
                    "alerts_overdue",
                    _("%(n)d fever alerts past their deadline") % {"n": n},
                    r.code,
                    r.name,
                    n,
                    _link("health:alerts", r),
                )
            )
    for path, v in missing:
        if (r := places.get(path)) is not None:
            items.append(
                Item(
                    "not_reported",
                    _("%(n)d of %(due)d due have not reported")
                    % {"n": v["not_reported"], "due": v["due"]},
                    r.code,
                    r.name,
                    v["not_reported"],
                    _missing_link(r, day),
                )
            )
    return items


def health_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    values = health_values(scope, region, day, until)
    return SectionFigures(
        figures=_figures(region, day, totals(values)),
        values=values,
        outstanding=_outstanding(values, day),
    )


def register_section() -> None:
    board = Board(
        figures=(
            "due",
            "reported",
            "not_reported",
            "alerts_opened",
            "alerts_overdue",
            "watched",
            "cases_new",
            "contacts_new",
            "turned_back",
        ),
        tiles="reported",
        league=("reported", "alerts_overdue"),
    )
    register(Section("health", gettext_lazy("Health"), 20, health_figures, Cap.HEALTH_VIEW, board))
