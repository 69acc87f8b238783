"""Funds' section of the daily report: what the funds hold and paid (ahead, too), and the
allowances approved and paid. Registered from ``FundsConfig.ready()``. Money in whole yuan."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.scope import Cap, Scope
from fangkong.regions.models import Region
from fangkong.reports.sections import (
    Board,
    Figure,
    Section,
    SectionFigures,
    add_rows,
    region_link,
    register,
    totals,
    values_by_moment,
    values_by_path,
)

from .choices import PayeeStatus
from .models import Fund, FundPayment, Payee

APPROVED_OR_AFTER = (PayeeStatus.APPROVED, PayeeStatus.SENT, PayeeStatus.PAID, PayeeStatus.FAILED)


def _yuan_rows(qs):
    return [{"region_path": r["region_path"], "n": (r["n"] or 0) // 100} for r in qs]


def funds_figures(scope: Scope, region: Region, day: dt.date, until: dt.datetime) -> SectionFigures:
    scope.require(Cap.FUNDS_VIEW)
    values = values_by_path()
    under = {"region_path__startswith": region.path}
    funds = scope.filter(Fund.objects.filter(created_at__lt=until, **under))
    add_rows(
        values,
        "allocated",
        _yuan_rows(funds.values("region_path").annotate(n=Sum("amount_fen")).order_by()),
    )
    paid = scope.filter(FundPayment.objects.filter(recorded_at__lt=until, **under))
    grouped = paid.values("region_path").annotate(
        n=Sum("amount_fen"), ahead=Sum("amount_fen", filter=Q(ahead=True))
    )
    rows = list(grouped.order_by())
    add_rows(values, "paid", _yuan_rows(rows))
    add_rows(
        values,
        "ahead",
        [{"region_path": r["region_path"], "n": (r["ahead"] or 0) // 100} for r in rows],
    )
    payees = scope.filter(Payee.objects.filter(**under))
    approved = payees.filter(status__in=APPROVED_OR_AFTER).values("region_path")
    add_rows(values, "approved", _yuan_rows(approved.annotate(n=Sum("amount_fen")).order_by()))
    add_rows(
        values,
        "paid_allowances",
        _yuan_rows(
            payees.filter(status=PayeeStatus.PAID, paid_at__lt=until)
            .values("region_path")
            .annotate(n=Sum("amount_fen"))
            .order_by()
        ),
    )
    total = totals(values)
    # the drill-down lists the funds its figure counts: the region's
    link = region_link("funds:home", Cap.FUNDS_VIEW, region.code)
    yuan = _("yuan")
    figures = [
        Figure("allocated", _("Funds allocated"), yuan, total.get("allocated", 0), link=link),
        Figure("paid", _("Paid from the funds"), yuan, total.get("paid", 0), of="allocated"),
        Figure(
            "ahead",
            _("Paid ahead"),
            yuan,
            total.get("ahead", 0),
            note=_("paid before the project's money was due (提前拨付)"),
        ),
        Figure("approved", _("Allowances approved"), yuan, total.get("approved", 0)),
        Figure(
            "paid_allowances",
            _("Allowances paid"),
            yuan,
            total.get("paid_allowances", 0),
            of="approved",
            note=_("confirmed by the bank"),
        ),
    ]
    return SectionFigures(figures=figures, values=dict(values))


def funds_totals(
    scope: Scope, region: Region, moments: list[tuple[dt.date, dt.datetime]]
) -> list[dict[str, int]]:
    """The section's totals for several whole days: three queries, every day's sums as
    columns, each in whole yuan per area as ``funds_figures`` rounds them."""
    scope.require(Cap.FUNDS_VIEW)
    if not moments:
        return []
    under = {"region_path__startswith": region.path}
    tables = (
        (
            Fund.objects.filter(**under),
            lambda day, until: {"allocated": Sum("amount_fen", filter=Q(created_at__lt=until))},
        ),
        (
            FundPayment.objects.filter(**under),
            lambda day, until: {
                "paid": Sum("amount_fen", filter=Q(recorded_at__lt=until)),
                "ahead": Sum("amount_fen", filter=Q(recorded_at__lt=until, ahead=True)),
            },
        ),
        (
            Payee.objects.filter(**under),
            lambda day, until: {
                "approved": Sum("amount_fen", filter=Q(status__in=APPROVED_OR_AFTER)),
                "paid_allowances": Sum(
                    "amount_fen", filter=Q(status=PayeeStatus.PAID, paid_at__lt=until)
                ),
            },
        ),
    )
    out: list[dict[str, int]] = [{} for _m in moments]
    for qs, sums in tables:
        for i, values in enumerate(values_by_moment(scope.filter(qs), moments, sums)):
            for key, n in totals(
                {path: {k: fen // 100 for k, fen in row.items()} for path, row in values.items()}
            ).items():
                out[i][key] = n
    return out


def register_section() -> None:
    register(
        Section(
            "funds",
            gettext_lazy("Funds"),
            60,
            funds_figures,
            Cap.FUNDS_VIEW,
            Board(figures=("allocated", "paid", "approved")),
            trend=funds_totals,
        )
    )
