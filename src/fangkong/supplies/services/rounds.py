"""Allocation rounds: a point's stock over the open approved requisitions, through the solvers'
``allocation`` model (strict tiers, max-min fair fill ratios within a tier, substitutes).

``propose_round`` loads the point's balances and every requisition the point serves, solves,
and stores the proposal with each line's explanation (an earlier proposal at the point is
superseded). A person may change the quantities (``check_adjust``); ``check_confirm`` writes
the issues to the ledger first expiring first out, adds them to the requisitions' ``filled``
and closes the filled ones, in one transaction under the round's row lock: a second confirm
(a double tap, a second phone, the command run twice) finds the round confirmed and issues
nothing. The requisitions are locked too and their remaining need checked, so two rounds that
serve the same requisition never fill it twice over.

A point serves the requisitions of units in its region, and those registered above it
(headquarters' list names units it cannot place below the city); never its own.
"""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.common.db import BulkWriter
from fangkong.regions.models import PATH_SEP
from fangkong.solvers import allocation as solver

from ..choices import OPEN_REQUISITIONS, MovementKind, RequisitionStatus, RoundStatus
from ..models import AllocationRound, Balance, Item, Movement, Requisition, RoundLine, StockPoint
from ..models import Substitute as SubstituteRow
from .ledger import StockInvalid, StockShort, _take, fefo, short_message

BATCH = 1000
MAX_EXPLAIN = 300


@dataclass(frozen=True)
class _Req:
    """What a round needs of a requisition (read as plain rows: thousands per round)."""

    pk: int
    number: str
    unit: str
    item_id: int
    remaining: int
    tier: int


def _open_rows(point: StockPoint) -> list[_Req]:
    rows = (
        open_requisitions(point)
        .order_by("tier", "needed_on", "number")
        .values_list("pk", "number", "unit", "item_id", "qty", "filled", "tier")
    )
    return [_Req(pk, n, u, i, qty - filled, t) for pk, n, u, i, qty, filled, t in rows]


def _ancestors(path: str) -> list[str]:
    parts = [p for p in path.split(PATH_SEP) if p]
    return [PATH_SEP.join(parts[:n]) + PATH_SEP for n in range(1, len(parts))]


def served_by(point: StockPoint) -> Q:
    """The requisitions a round at ``point`` may fill."""
    here = Q(region_path__startswith=point.region_path) | Q(
        region_path__in=_ancestors(point.region_path)
    )
    return here & ~Q(unit_point=point)


def open_requisitions(point: StockPoint) -> QuerySet[Requisition]:
    return Requisition.objects.filter(served_by(point), status__in=OPEN_REQUISITIONS)


def point_stock(point: StockPoint) -> dict[int, int]:
    """Item id → what the point holds of it (all lots)."""
    rows = (
        Balance.objects.filter(point=point, qty__gt=0)
        .values("item_id")
        .annotate(n=Sum("qty"))
        .order_by()
    )
    return {r["item_id"]: r["n"] for r in rows}


def _problem(
    reqs: list[_Req], stock: dict[int, int]
) -> tuple[solver.Problem, dict[int, Item], dict[tuple[int, int], Decimal]]:
    wanted = {r.item_id for r in reqs}
    subs = list(
        SubstituteRow.objects.filter(item_id__in=wanted, substitute_id__in=list(stock)).order_by(
            "item_id", "substitute_id"
        )
    )
    ids = wanted | set(stock) | {s.substitute_id for s in subs}
    items = {i.pk: i for i in Item.objects.filter(pk__in=ids)}
    ratio = {(s.item_id, s.substitute_id): s.per_unit for s in subs}
    problem = solver.Problem(
        items=[
            solver.Item(id=items[i].name, stock=float(stock.get(i, 0)), pack=1) for i in sorted(ids)
        ],
        requests=[
            solver.Request(
                id=r.number,
                unit=r.unit,
                item=items[r.item_id].name,
                qty=float(r.remaining),
                tier=int(r.tier),
            )
            for r in reqs
        ],
        substitutes=[
            solver.Substitute(
                requested=items[s.item_id].name,
                may_receive=items[s.substitute_id].name,
                per_unit=float(s.per_unit),
            )
            for s in subs
        ],
    )
    return problem, items, ratio


def _explain(
    req: _Req, fill: solver.RequestFill | None, tier: solver.TierFill | None
) -> tuple[str, str]:
    ratio = fill.fill_ratio if fill is not None else 0.0
    if ratio >= 1 - 1e-6:
        return (f"全部满足（第{req.tier}级）", f"filled completely (tier {req.tier})")
    why_zh, why_en = (tier.explain.zh, tier.explain.en) if tier is not None else ("", "")
    if ratio > 0:
        pct = f"{ratio * 100:.0f} %"
        return (f"本单位满足{pct}。{why_zh}", f"this unit filled to {pct}. {why_en}")
    return (f"本轮未分到。{why_zh}", f"nothing this round. {why_en}")


LINE_FIELDS = [
    "round",
    "requisition",
    "item",
    "per_unit",
    "asked",
    "proposed",
    "qty",
    "explain_zh",
    "explain_en",
]


def _lines(
    rnd: AllocationRound,
    reqs: list[_Req],
    solution: solver.Solution,
    items: dict[int, Item],
    ratio: dict[tuple[int, int], Decimal],
) -> list[tuple]:
    """The proposal's lines as rows of ``LINE_FIELDS`` (written by COPY)."""
    by_name = {i.name: i for i in items.values()}
    given: dict[str, list[solver.Allocation]] = defaultdict(list)
    for a in solution.allocations:
        given[a.request].append(a)
    fills = {f.id: f for f in solution.requests}
    tiers = {t.tier: t for t in solution.tiers}
    lines = []
    for req in reqs:
        zh, en = _explain(req, fills.get(req.number), tiers.get(req.tier))
        got = [(by_name[a.item], round(a.qty)) for a in given[req.number] if round(a.qty) > 0]
        for item, qty in got or [(items[req.item_id], 0)]:
            per = ratio.get((req.item_id, item.pk), Decimal(1))
            line_zh, line_en = zh, en
            if item.pk != req.item_id:
                line_zh = f"以{item.name}代替{items[req.item_id].name}（每个折{per:g}个）；{zh}"
                line_en = f"{item.name} instead of {items[req.item_id].name} ({per:g} each); {en}"
            lines.append(
                (
                    rnd.pk,
                    req.pk,
                    item.pk,
                    per,
                    req.remaining,
                    qty,
                    qty,
                    line_zh[:MAX_EXPLAIN],
                    line_en[:MAX_EXPLAIN],
                )
            )
    return lines


def propose_round(
    *, point: StockPoint, user: User | None = None, client_id: uuid.UUID | None = None
) -> AllocationRound:
    """Solve one round at ``point`` and store its proposal (nothing is issued); ``client_id``
    names the round (the issues' client ids derive from it), a fresh one by default."""
    with transaction.atomic():
        reqs = _open_rows(point)
        stock = point_stock(point)
        AllocationRound.objects.filter(point=point, status=RoundStatus.PROPOSED).update(
            status=RoundStatus.SUPERSEDED
        )
        rnd = AllocationRound.objects.create(
            point=point,
            region_path=point.region_path,
            created_by=user,
            client_id=client_id or uuid.uuid4(),
        )
        if not reqs:
            return rnd
        problem, items, ratio = _problem(reqs, stock)
        solution = solver.solve(problem)
        rnd.tiers = [
            {
                "tier": t.tier,
                "requested": t.requested,
                "filled": t.filled,
                "zh": t.explain.zh,
                "en": t.explain.en,
            }
            for t in solution.tiers
        ]
        rnd.save(update_fields=["tiers"])
        writer = BulkWriter(RoundLine, LINE_FIELDS)
        writer.rows = _lines(rnd, reqs, solution, items, ratio)
        writer.flush()
    return rnd


def _units_asked(line: RoundLine) -> float:
    """A line's quantity in the units of the item asked for."""
    return line.qty / float(line.per_unit)


def _check_lines(lines: list[RoundLine], stock: dict[int, int], errors: dict[str, str]) -> None:
    by_req: dict[int, list[RoundLine]] = defaultdict(list)
    by_item: dict[int, int] = defaultdict(int)
    for line in lines:
        by_req[line.requisition_id].append(line)
        by_item[line.item_id] += line.qty
    for group in by_req.values():
        req = group[0].requisition
        if sum(_units_asked(g) for g in group) > req.remaining + 1e-9:
            errors[f"line-{group[0].pk}"] = _("%(n)s needs only %(left)s %(unit)s more") % {
                "n": req.number,
                "left": f"{req.remaining:,}",
                "unit": req.item.unit,
            }
    for item_id, qty in by_item.items():
        if qty > stock.get(item_id, 0):
            item = next(g.item for g in lines if g.item_id == item_id)
            errors[f"item-{item_id}"] = _(
                "the round gives %(qty)s %(unit)s of %(item)s; the point holds %(held)s"
            ) % {
                "qty": f"{qty:,}",
                "unit": item.unit,
                "item": item.name,
                "held": f"{stock.get(item_id, 0):,}",
            }


def _locked_proposal(rnd: AllocationRound) -> AllocationRound:
    locked = AllocationRound.objects.select_for_update().select_related("point").get(pk=rnd.pk)
    if locked.status == RoundStatus.SUPERSEDED:
        raise StockInvalid(
            {"round": _("a newer round replaced this proposal; open the newest round")}
        )
    return locked


def check_adjust(
    *, round: AllocationRound, quantities: dict[int, int], user: User | None = None
) -> AllocationRound:
    """A person's quantities for some lines of a proposal (line id → qty): no requisition
    gets more than it still needs, no item more than the point holds; all or nothing."""
    errors: dict[str, str] = {}
    with transaction.atomic():
        rnd = _locked_proposal(round)
        if rnd.status != RoundStatus.PROPOSED:
            raise StockInvalid({"round": _("this round is confirmed; it can no longer change")})
        lines = list(rnd.lines.select_related("requisition__item", "item"))
        known = {line.pk: line for line in lines}
        for pk, qty in quantities.items():
            if pk not in known:
                errors[f"line-{pk}"] = _("this line is not part of the round")
            elif not isinstance(qty, int) or isinstance(qty, bool) or not 0 <= qty < 10**12:
                errors[f"line-{pk}"] = _("the quantity must be a whole number, 0 or more")
            else:
                known[pk].qty = qty
        if not errors:
            _check_lines(lines, point_stock(rnd.point), errors)
        if errors:
            raise StockInvalid(errors)
        RoundLine.objects.bulk_update([known[pk] for pk in quantities], ["qty"], batch_size=BATCH)
    return rnd


@dataclass
class Confirmed:
    round: AllocationRound
    created: bool  # False: the round had been confirmed before; nothing issued now
    movements: int


# an issue's columns, written by COPY (the ledger's other columns blank, as _line leaves them)
ISSUE_FIELDS = [
    "client_id",
    "line",
    "kind",
    "point",
    "item",
    "lot",
    "batch",
    "expires_on",
    "region_path",
    "qty",
    "at",
    "recipient",
    "reference",
    "reason",
    "recorded_by",
    "origin",
    "supplier",
    "funding",
    "recorded_at",
]
BLANK = ("", "", "")  # origin, supplier, funding


def _issue(rnd: AllocationRound, lines: list[RoundLine], user: User | None) -> int:
    """Every line as issue movements, first expiring first out; StockShort (nothing written)
    if the point holds less of an item than the round gives."""
    point, now = rnd.point, timezone.now()
    by_item: dict[int, list[RoundLine]] = defaultdict(list)
    for line in lines:
        by_item[line.item_id].append(line)
    movements: list[tuple] = []
    reason = (_("allocation round #%(n)d") % {"n": rnd.pk})[:200]
    for item_id in sorted(by_item):
        group = by_item[item_id]
        item = group[0].item
        lots = fefo(point, item, lock=True)
        need, held = sum(g.qty for g in group), sum(b.qty for b in lots)
        if held < need:
            raise StockShort(short_message(item, point, held), left=held)
        taken: dict[int, int] = defaultdict(int)
        k = 0
        for line in group:
            rest, n = line.qty, 0
            cid = uuid.uuid5(rnd.client_id, f"{line.requisition.number}|{item.name}")
            while rest > 0:
                lot = lots[k]
                take = min(rest, lot.qty - taken[lot.pk])
                if take <= 0:
                    k += 1
                    continue
                movements.append(
                    (
                        cid,
                        n,
                        MovementKind.ISSUE.value,
                        point.pk,
                        item.pk,
                        lot.lot,
                        lot.batch,
                        lot.expires_on,
                        point.region_path,
                        -take,
                        now,
                        line.requisition.unit[:100],
                        line.requisition.number[:64],
                        reason,
                        user.pk if user is not None else None,
                    )
                )
                taken[lot.pk] += take
                rest -= take
                n += 1
        for lot in lots:
            if taken[lot.pk]:
                _take(lot, taken[lot.pk])
    rows = [(*m, *BLANK, now) for m in movements]
    if connection.vendor != "postgresql":  # COPY is PostgreSQL's; elsewhere the ORM's inserts
        fields = [
            f if f not in ("point", "item", "recorded_by") else f"{f}_id" for f in ISSUE_FIELDS
        ]
        Movement.objects.bulk_create(
            [Movement(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH
        )
        return len(rows)
    writer = BulkWriter(Movement, ISSUE_FIELDS)
    writer.rows = rows
    return writer.flush()


def _fill(lines: list[RoundLine]) -> list[Requisition]:
    """The requisitions' new filled quantities and statuses (in the units asked for)."""
    given: dict[int, float] = defaultdict(float)
    reqs: dict[int, Requisition] = {}
    for line in lines:
        given[line.requisition_id] += _units_asked(line)
        reqs[line.requisition_id] = line.requisition
    changed = []
    for pk, units in given.items():
        req = reqs[pk]
        add = min(req.remaining, math.floor(units + 1e-9))
        if add <= 0:
            continue
        req.filled += add
        req.status = RequisitionStatus.FILLED if req.filled >= req.qty else RequisitionStatus.PARTLY
        changed.append(req)
    return changed


def _save_fills(reqs: list[Requisition]) -> None:
    """The requisitions' new filled quantities in one statement (their rows are locked by the
    confirm; the CHECKs hold filled within qty)."""
    if not reqs:
        return
    table = connection.ops.quote_name(Requisition._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {table} AS r SET filled = v.filled, status = v.status FROM "
                "(SELECT unnest(%s::bigint[]) AS id, unnest(%s::bigint[]) AS filled, "
                "unnest(%s::varchar[]) AS status) AS v WHERE r.id = v.id",
                [[r.pk for r in reqs], [r.filled for r in reqs], [str(r.status) for r in reqs]],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET filled = %s, status = %s WHERE id = %s",
                [(r.filled, str(r.status), r.pk) for r in reqs],
            )


def check_confirm(*, round: AllocationRound, user: User | None = None) -> Confirmed:
    """Write the round's issues and fill its requisitions, once."""
    errors: dict[str, str] = {}
    with transaction.atomic():
        rnd = _locked_proposal(round)
        if rnd.status == RoundStatus.CONFIRMED:
            return Confirmed(rnd, created=False, movements=0)
        lines = [
            line
            for line in rnd.lines.select_related("item").order_by("requisition_id", "item_id")
            if line.qty > 0
        ]
        reqs = {
            r.pk: r
            for r in Requisition.objects.select_for_update()
            .select_related("item")
            .filter(pk__in=sorted({line.requisition_id for line in lines}))
            .order_by("pk")
        }
        for line in lines:
            line.requisition = reqs[line.requisition_id]
            if line.requisition.status not in OPEN_REQUISITIONS:
                errors[f"line-{line.pk}"] = _("%(n)s is no longer open: %(s)s") % {
                    "n": line.requisition.number,
                    "s": line.requisition.get_status_display(),
                }
        if not errors:
            _check_lines(lines, point_stock(rnd.point), errors)
        if errors:
            raise StockInvalid(errors)
        count = _issue(rnd, lines, user)
        _save_fills(_fill(lines))
        rnd.status, rnd.confirmed_by, rnd.confirmed_at = RoundStatus.CONFIRMED, user, timezone.now()
        rnd.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return Confirmed(rnd, created=True, movements=count)
