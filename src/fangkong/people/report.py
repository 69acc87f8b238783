"""The registry's section of the daily report: residents, households, vulnerable people by tag,
children, newcomers. Registered from ``PeopleConfig.ready()``.

Residents are counted as registered by the report's moment (``created_at``); the registry
keeps no history of moves or removals, so a past day shows today's records as they were
registered by then, in the regions they are in now.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Link,
    Section,
    SectionFigures,
    add_rows,
    day_start,
    register,
    totals,
    values_by_path,
)

from .choices import VULNERABLE, TagKind
from .models import Person, child_cutoff


def _region_link(code: str) -> Link:
    return Link(reverse("people:region", args=[code]), Cap.VIEW_PEOPLE)


def _tag_link(code: str, kind: str) -> Link:
    return Link(reverse("people:search") + f"?region={code}&tag={kind}", Cap.VIEW_PEOPLE)


def registry_values(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> dict[str, dict[str, int]]:
    """The registry's figures per region path, one grouped query each."""
    scope.require(Cap.VIEW_PEOPLE)
    registered = scope.filter(
        Person.objects.filter(region_path__startswith=region.path, created_at__lt=until)
    )
    values = values_by_path()
    rows = list(
        registered.values("region_path")
        .annotate(
            residents=Count("id"),
            households=Count("household", distinct=True),
            children=Count("id", filter=Q(birth_on__gt=child_cutoff(day))),
            newcomers=Count("id", filter=Q(created_at__gte=day_start(day))),
        )
        .order_by()
    )
    for key in ("residents", "households", "children", "newcomers"):
        add_rows(values, key, rows, n=key)
    add_rows(
        values,
        "vulnerable",
        registered.filter(tags__kind__in=VULNERABLE)
        .values("region_path")
        .annotate(n=Count("id", distinct=True))
        .order_by(),
    )
    for row in (
        registered.filter(tags__kind__in=VULNERABLE)
        .values("region_path", "tags__kind")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    ):
        bucket = values[row["region_path"]]
        key = f"tag_{row['tags__kind']}"
        bucket[key] = bucket.get(key, 0) + row["n"]
    return dict(values)


def registry_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    values = registry_values(scope, region, day, until)
    total = totals(values)
    code = region.code
    residents_note = _("residents registered by then")
    figures = [
        Figure(
            "residents",
            _("Residents"),
            _("people"),
            total.get("residents", 0),
            note=residents_note,
            link=_region_link(code),
        ),
        Figure(
            "households",
            _("Households"),
            _("households"),
            total.get("households", 0),
            note=_("households with at least one registered resident"),
            link=_region_link(code),
        ),
        Figure(
            "children",
            _("Children under 14"),
            _("people"),
            total.get("children", 0),
            of="residents",
            note=residents_note,
            link=_region_link(code),
        ),
        Figure(
            "vulnerable",
            _("Vulnerable people"),
            _("people"),
            total.get("vulnerable", 0),
            of="residents",
            note=_("residents with at least one vulnerable tag, each counted once"),
            link=_region_link(code),
        ),
    ]
    for kind in VULNERABLE:
        figures.append(
            Figure(
                f"tag_{kind}",
                str(TagKind(kind).label),
                _("people"),
                total.get(f"tag_{kind}", 0),
                of="residents",
                note=residents_note,
                link=_tag_link(code, kind),
                in_rows=False,
            )
        )
    figures.append(
        Figure(
            "newcomers",
            _("Newly registered"),
            _("people"),
            total.get("newcomers", 0),
            note=_("residents registered that day"),
        )
    )
    return SectionFigures(figures=figures, values=values)


def register_section() -> None:
    board = Board(figures=("residents", "newcomers"), size="residents")
    register(
        Section("registry", gettext_lazy("Registry"), 10, registry_figures, Cap.VIEW_PEOPLE, board)
    )
