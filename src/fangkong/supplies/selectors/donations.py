"""Reads of donations: the staff's list (scoped like stock), and the trace of each donated lot
over the ledger's own movements, for staff and for the public page.

The public trace never names a person: an issue to a household shows the residents of its
community; an issue's receiving unit is shown only when it is a known unit (a stock point or
a region of the tree by that name) or reads as one (letters only, ending in a unit's word such
as 医院, 社区, 卡口); anything else a keeper typed shows as "another unit".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.paging import Page, page_of
from fangkong.regions.choices import Level
from fangkong.regions.models import Region

from ..choices import MovementKind, TransferStatus
from ..models import Donation, DonationLine, Movement, StockPoint

PUBLIC_PAGE = 20
UNIT_WORDS = (
    "医院", "卫生院", "卫生室", "卫生服务中心", "疾控中心", "中心", "社区", "村", "村委会",
    "居委会", "街道", "镇", "乡", "卡口", "检查站", "采样点", "采样队", "隔离点", "酒店",
    "学校", "小学", "中学", "大学", "公司", "集团", "工厂", "局", "委员会", "办事处",
    "指挥部", "派出所", "所", "站", "队", "组", "部", "院", "馆", "处", "科", "室",
)  # fmt: skip
_UNIT_TEXT = re.compile(r"^[\u4e00-\u9fffA-Za-z（）()·]{2,60}$")
# A unit word of one character ends how people address a person by their post: 李队 (captain
# Li), 张科 (section chief Zhang), 王所, 刘局, 陈院 — or a name (李文科). Ending in one, a
# recipient is published only when four characters or more come with it (湘雅二院, 城南派出所).
_SHORT_FOR_ONE_CHAR_WORD = 4


class Where:
    """What became of a donated lot's units."""

    ISSUED = "issued"
    RESIDENTS = "residents"
    IN_STOCK = "in_stock"
    IN_TRANSIT = "in_transit"
    WRITTEN_OFF = "written_off"


ORDER = [Where.ISSUED, Where.RESIDENTS, Where.IN_TRANSIT, Where.IN_STOCK, Where.WRITTEN_OFF]


@dataclass(frozen=True)
class Destination:
    where: str
    point: str  # the stock point it left from or is held at
    unit: str  # the receiving unit (public: as published), the point it is on its way to
    qty: int


@dataclass
class TracedLine:
    line: DonationLine
    destinations: list[Destination] = field(default_factory=list)

    @property
    def passed_on(self) -> int:
        return sum(d.qty for d in self.destinations if d.where in (Where.ISSUED, Where.RESIDENTS))


@dataclass
class TracedDonation:
    donation: Donation
    lines: list[TracedLine]


def donations(scope: Scope) -> QuerySet[Donation]:
    """Donations received at the points the user reaches (403 for a role that reaches none)."""
    qs = Donation.objects.select_related("donor", "point")
    if scope.can(Cap.STOCK_VIEW):
        return scope.filter(qs)
    if scope.can(Cap.STOCK_KEEP):
        return scope.filter(qs.filter(point__keepers__user_id=scope.user_id))
    raise PermissionDenied


def donation_or_404(scope: Scope, number: str) -> Donation:
    found = donations(scope).filter(number=number).first()
    if found is None:
        raise Http404
    return found


def _published_unit(text: str, known: set[str]) -> str | None:
    text = text.strip()
    if text in known:
        return text
    if not (_UNIT_TEXT.match(text) and text.endswith(UNIT_WORDS)):
        return None
    words = [w for w in UNIT_WORDS if text.endswith(w)]
    if max(len(w) for w in words) == 1 and len(text) < _SHORT_FOR_ONE_CHAR_WORD:
        return None
    return text


def _communities(paths: set[str]) -> dict[str, str]:
    """Household path → the name of its community (one query)."""
    prefixes = {p[: i + 1] for p in paths for i, c in enumerate(p) if c == "/"}
    found = dict(
        Region.objects.filter(level=Level.COMMUNITY, path__in=prefixes).values_list("path", "name")
    )
    out = {}
    for path in paths:
        names = [name for prefix, name in found.items() if path.startswith(prefix)]
        out[path] = names[0] if names else ""
    return out


@dataclass(frozen=True)
class _Move:
    """What the trace needs of a movement (or of the one a reversal reverses)."""

    kind: str
    qty: int
    recipient: str
    household_path: str | None
    transfer_status: str | None
    transfer_to: str | None


_FIELDS = ["kind", "qty", "recipient", "household__region_path"]
_FIELDS += ["transfer__status", "transfer__to_point__name"]


def _move(row: dict, prefix: str = "") -> _Move:
    return _Move(*(row[prefix + f] for f in _FIELDS))


def _place(m: _Move, region: str, public: bool, known: set[str], communities: dict):
    """(where, unit) the units of an outgoing movement went to, or None for a movement that
    only moves stock between points (a received or cancelled transfer)."""
    if m.kind == MovementKind.ISSUE:
        if m.household_path is not None:
            # staff too: the supply trace is no place to read who lives where
            community = communities.get(m.household_path, "") or region
            return Where.RESIDENTS, _("residents of %(community)s") % {"community": community}
        unit = _published_unit(m.recipient, known) if public else m.recipient
        return Where.ISSUED, unit or _("another unit (name not published)")
    if m.kind == MovementKind.TRANSFER_OUT:
        if m.transfer_status == TransferStatus.IN_TRANSIT:
            return Where.IN_TRANSIT, m.transfer_to
        return None
    if m.kind in (MovementKind.LOSS, MovementKind.EXPIRY, MovementKind.COUNT):
        return Where.WRITTEN_OFF, ""
    return None


def _trace(lines: list[DonationLine], *, public: bool) -> list[TracedLine]:
    """Every line's destinations from its lot's movements at every point: one query for the
    movements (only the columns the trace reads), two for the known units' names, one for the
    households' communities."""
    lots = {line.lot for line in lines}
    rows = list(
        Movement.objects.filter(lot__in=lots, item_id__in={line.item_id for line in lines})
        .order_by("at", "id")
        .values(
            "item_id",
            "lot",
            "point__name",
            "point__region__name",
            *_FIELDS,
            *(f"reverses__{f}" for f in _FIELDS),
        )
    )
    recipients = {r["recipient"].strip() for r in rows if r["recipient"]}
    recipients |= {r["reverses__recipient"].strip() for r in rows if r["reverses__recipient"]}
    known = set(StockPoint.objects.filter(name__in=recipients).values_list("name", flat=True))
    known |= set(Region.objects.filter(name__in=recipients).values_list("name", flat=True))
    households = {r[k] for r in rows for k in _HOUSEHOLDS if r[k]}
    communities = _communities(households) if households else {}
    gone: dict[tuple, dict[tuple[str, str, str], int]] = defaultdict(lambda: defaultdict(int))
    held: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in rows:
        key, point = (r["item_id"], r["lot"]), r["point__name"]
        held[key][point] += r["qty"]
        reversal = r["kind"] == MovementKind.REVERSAL and r["reverses__kind"]
        source = _move(r, "reverses__") if reversal else _move(r)
        if source.kind == MovementKind.COUNT and source.qty > 0:
            continue  # more counted than booked stays in stock
        if source.kind == MovementKind.RECEIPT:
            continue
        place = _place(source, r["point__region__name"], public, known, communities)
        if place is not None:
            gone[key][(place[0], point, place[1])] -= r["qty"]
    out = []
    for line in lines:
        key = (line.item_id, line.lot)
        dests = [Destination(w, p, u, q) for (w, p, u), q in gone[key].items() if q > 0]
        dests += [Destination(Where.IN_STOCK, p, "", q) for p, q in held[key].items() if q > 0]
        dests.sort(key=lambda d: (ORDER.index(d.where), -d.qty, d.point, d.unit))
        out.append(TracedLine(line, dests))
    return out


_HOUSEHOLDS = ("household__region_path", "reverses__household__region_path")


def _traced(page_items: list[Donation], *, public: bool) -> list[TracedDonation]:
    lines = list(
        DonationLine.objects.filter(donation__in=page_items).select_related("item").order_by("id")
    )
    traced = _trace(lines, public=public)
    by_donation: dict[int, list[TracedLine]] = defaultdict(list)
    for t in traced:
        by_donation[t.line.donation_id].append(t)
    return [TracedDonation(d, by_donation[d.pk]) for d in page_items]


def public_donations(number: int) -> tuple[Page, list[TracedDonation]]:
    """A page of every donation, newest first, with where each went, as the public sees it."""
    page = page_of(
        Donation.objects.select_related("donor", "point__region").order_by("-received_at", "-id"),
        number,
        PUBLIC_PAGE,
    )
    return page, _traced(page.items, public=True)


def public_donation(number: str) -> TracedDonation:
    found = Donation.objects.select_related("donor", "point__region").filter(number=number).first()
    if found is None:
        raise Http404
    return _traced([found], public=True)[0]


def traced_donation(scope: Scope, number: str) -> TracedDonation:
    """A donation with the full trace for staff (receiving units as recorded)."""
    return _traced([donation_or_404(scope, number)], public=False)[0]


def traced_page(scope: Scope, number: int, size: int = PUBLIC_PAGE):
    page = page_of(donations(scope).order_by("-received_at", "-id"), number, size)
    return page, _traced(page.items, public=False)
