"""The registry's section of the daily report: residents, households, vulnerable people by tag,
children, newcomers. Registered from ``PeopleConfig.ready()``.

Residents are counted as registered by the report's moment (``created_at``); the registry
keeps no history of moves or removals, so a past day shows today's records as they were
registered by then, in the regions they are in now. The figures are sums over per-grid
counters kept with every registry write (selectors/counts.py says when the raw rows answer).
"""

from __future__ import annotations

import datetime as dt

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
    register,
    totals,
)

from .choices import VULNERABLE, TagKind
from .selectors.counts import registry_trend, registry_values


def _region_link(code: str) -> Link:
    return Link(reverse("people:region", args=[code]), Cap.VIEW_PEOPLE)


def _tag_link(code: str, kind: str) -> Link:
    return Link(reverse("people:search") + f"?region={code}&tag={kind}", Cap.VIEW_PEOPLE)


def registry_figures(
    scope: Scope, region: Region, day: dt.date, until: dt.datetime
) -> SectionFigures:
    scope.require(Cap.VIEW_PEOPLE)
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


def registry_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days (the report's earlier trend days)."""
    scope.require(Cap.VIEW_PEOPLE)
    return registry_trend(scope, region, moments)


def register_section() -> None:
    board = Board(figures=("residents", "newcomers"), size="residents")
    register(
        Section(
            "registry",
            gettext_lazy("Registry"),
            10,
            registry_figures,
            Cap.VIEW_PEOPLE,
            board,
            trend=registry_totals,
        )
    )
