"""Reads for the funds pages and the API, each taking the viewer's scope first.

Funds, rosters, payees and payment files carry the region path of whoever recorded or sent
them; a policy is read by everyone whose scope lies under it (a city's policy by a district's
hospital) or over it. A unit that only submits (a hospital) sees the rosters it sent, no one
else's.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404

from fangkong.accounts.scope import Cap, Scope

from .choices import LabourStatus, PayeeStatus
from .models import (
    Enterprise,
    Fund,
    FundPayment,
    JobOpening,
    PayBatch,
    Payee,
    Policy,
    ResumptionReport,
    Returnee,
    Roster,
)

MAX_LISTED = 200


def _ancestors(path: str) -> list[str]:
    return [path[: i + 1] for i, c in enumerate(path) if c == "/"]


def can_read(scope: Scope) -> bool:
    return scope.can(Cap.FUNDS_VIEW) or scope.can(Cap.ALLOWANCE_SUBMIT)


def require_read(scope: Scope) -> None:
    if not can_read(scope):
        scope.require(Cap.FUNDS_VIEW)


def funds(scope: Scope) -> QuerySet[Fund]:
    scope.require(Cap.FUNDS_VIEW)
    return scope.filter(Fund.objects.select_related("region")).annotate(
        paid=Sum("payments__amount_fen"),
        ahead=Sum("payments__amount_fen", filter=Q(payments__ahead=True)),
    )


def fund_or_404(scope: Scope, code: str) -> Fund:
    return scope.get_or_404(funds(scope), cap=Cap.FUNDS_VIEW, code=code)


def payments(scope: Scope, fund: Fund) -> QuerySet[FundPayment]:
    return scope.filter(fund.payments.select_related("recorded_by"))


def policies(scope: Scope) -> QuerySet[Policy]:
    require_read(scope)
    if scope.path is None:  # pragma: no cover - require_read refused it
        return Policy.objects.none()
    return Policy.objects.filter(
        Q(region_path__startswith=scope.path) | Q(region_path__in=_ancestors(scope.path))
    ).prefetch_related("rates")


def policy_or_404(scope: Scope, code: str) -> Policy:
    policy = policies(scope).filter(code=code).first()
    if policy is None:
        raise Http404
    return policy


def rosters(scope: Scope, policy: Policy | None = None) -> QuerySet[Roster]:
    require_read(scope)
    qs = scope.filter(Roster.objects.select_related("policy", "submitted_by"))
    if not scope.can(Cap.FUNDS_VIEW):
        qs = qs.filter(submitted_by_id=scope.user_id)
    return qs.filter(policy=policy) if policy is not None else qs


def roster_or_404(scope: Scope, pk: int) -> Roster:
    roster = rosters(scope).filter(pk=pk).first()
    if roster is None:
        raise Http404
    return roster


def payees(scope: Scope, roster: Roster) -> QuerySet[Payee]:
    return scope.filter(roster.payees.all())


def failed(scope: Scope, policy: Policy) -> QuerySet[Payee]:
    scope.require(Cap.PAY)
    return scope.filter(policy.payees.filter(status=PayeeStatus.FAILED))


def payee_or_404(scope: Scope, pk: int) -> Payee:
    return scope.get_or_404(Payee.objects.select_related("policy"), cap=Cap.PAY, pk=pk)


def batches(scope: Scope, policy: Policy) -> QuerySet[PayBatch]:
    scope.require(Cap.PAY)
    return scope.filter(policy.batches.all())


def batch_or_404(scope: Scope, pk: int) -> PayBatch:
    return scope.get_or_404(PayBatch.objects.select_related("policy"), cap=Cap.PAY, pk=pk)


def totals(scope: Scope, policy: Policy, roster: Roster | None = None) -> dict:
    """Persons and fen per unit and category, by status: {"rows": [(unit, category, {status:
    (n, fen)})], "status": {status: (n, fen)}} — one grouped query."""
    qs = scope.filter(Payee.objects.filter(policy=policy))
    if not scope.can(Cap.FUNDS_VIEW):
        qs = qs.filter(roster__submitted_by_id=scope.user_id)
    if roster is not None:
        qs = qs.filter(roster=roster)
    grouped = (
        qs.values("unit", "category", "status")
        .annotate(n=Count("id"), fen=Sum("amount_fen"))
        .order_by("unit", "category")
    )
    by_row: dict[tuple[str, str], dict[str, tuple[int, int]]] = defaultdict(dict)
    by_status: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for g in grouped:
        by_row[(g["unit"], g["category"])][g["status"]] = (g["n"], g["fen"] or 0)
        by_status[g["status"]][0] += g["n"]
        by_status[g["status"]][1] += g["fen"] or 0
    return {
        "rows": [(u, c, s) for (u, c), s in sorted(by_row.items())],
        "status": {k: tuple(v) for k, v in by_status.items()},
    }


# --- work resumption and labour placement ------------------------------------------------------
LABOUR_KEYS = ("returned", *LabourStatus.values)


def labour_figures(scope: Scope, region) -> tuple[dict[str, int], list[tuple]]:
    """A region's returned workers by where they stand, and the same per child region: one
    grouped query. ({key: n}, [(child region, {key: n})])."""
    scope.require(Cap.LABOUR_VIEW)
    qs = scope.filter(Returnee.objects.filter(region_path__startswith=region.path))
    children = list(region.children.order_by("path"))
    total = dict.fromkeys(LABOUR_KEYS, 0)
    per = {c.path: dict.fromkeys(LABOUR_KEYS, 0) for c in children}
    for row in qs.values("region_path", "status").annotate(n=Count("id")).order_by():
        total["returned"] += row["n"]
        total[row["status"]] += row["n"]
        for path, bucket in per.items():
            if row["region_path"].startswith(path):
                bucket["returned"] += row["n"]
                bucket[row["status"]] += row["n"]
    return total, [(c, per[c.path]) for c in children]


def returnees(scope: Scope, region) -> QuerySet[Returnee]:
    scope.require(Cap.LABOUR_VIEW)
    return scope.filter(
        Returnee.objects.filter(region_path__startswith=region.path).select_related(
            "person", "opening__enterprise"
        )
    )


def returnee_or_404(scope: Scope, pk: int) -> Returnee:
    return scope.get_or_404(Returnee.objects.select_related("person"), cap=Cap.LABOUR_RECORD, pk=pk)


def enterprises(scope: Scope, region) -> QuerySet[Enterprise]:
    scope.require(Cap.LABOUR_VIEW)
    return scope.filter(Enterprise.objects.filter(region_path__startswith=region.path))


def enterprise_or_404(scope: Scope, pk: int) -> Enterprise:
    return scope.get_or_404(Enterprise.objects.all(), cap=Cap.LABOUR_RECORD, pk=pk)


def reports_on(scope: Scope, region, day) -> dict[int, ResumptionReport]:
    qs = scope.filter(
        ResumptionReport.objects.filter(region_path__startswith=region.path, reported_on=day)
    )
    return {r.enterprise_id: r for r in qs}


def open_openings(scope: Scope, region) -> QuerySet[JobOpening]:
    """Openings with a position left, of the region and the regions above it within the
    scope's district (a worker takes a job in the next township too)."""
    scope.require(Cap.LABOUR_VIEW)
    return scope.filter(
        JobOpening.objects.filter(filled__lt=F("positions"))
        .filter(Q(region_path__startswith=region.path) | Q(region_path__in=_ancestors(region.path)))
        .select_related("enterprise")
    )
