"""The supply daily report (物资保障日报) of a region for a day, as a leader prints it: per item
the balance the day before, what came in (donations apart), moved and went out, the balance at
the day's end, use a day, days of cover and what to order; points out of a key item and items
about to run out; donations received and donated stock passed on. One .xlsx: A4 across, title
and date, units, totals, the header frozen and printed on every page.

Balances at a moment are today's ``Balance`` rows less the movements since (as the report
section reads them), never a sum over the whole ledger.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone, translation

from fangkong.accounts.scope import Cap, Scope
from fangkong.common.spreadsheets import xlsx_text
from fangkong.regions.models import Region

from .choices import MovementKind, Origin
from .models import Balance, Donation, DonationLine, Item, Movement, StockPoint
from .services.cover import Cover, Place, cover

SHORT_DAYS = 7


@dataclass
class ItemDay:
    item: Item
    opening: int = 0
    received: int = 0
    donated: int = 0
    moved_in: int = 0
    moved_out: int = 0
    issued: int = 0
    adjusted: int = 0  # counts, losses, expiries, reversals
    closing: int = 0
    cover: Cover | None = None


@dataclass
class DailyReport:
    region: Region
    day: dt.date
    until: dt.datetime
    items: list[ItemDay]
    out_of_key: list[tuple[StockPoint, Item, int]]
    donations: list[tuple[Donation, list[DonationLine]]]
    passed_on: list[Movement]
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def short(self) -> list[ItemDay]:
        return [
            d
            for d in self.items
            if d.cover is not None
            and d.cover.cover_with_expected is not None
            and d.cover.cover_with_expected < SHORT_DAYS
        ]


def _moment(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return start, min(start + dt.timedelta(days=1), timezone.now())


COLUMN = {
    MovementKind.TRANSFER_IN: "moved_in",
    MovementKind.TRANSFER_OUT: "moved_out",
    MovementKind.ISSUE: "issued",
}


def _items(region: Region, start: dt.datetime, until: dt.datetime) -> dict[int, ItemDay]:
    under = Movement.objects.filter(region_path__startswith=region.path)
    now = Balance.objects.filter(region_path__startswith=region.path)
    closing: dict[int, int] = defaultdict(int)
    for r in now.values("item_id").annotate(n=Sum("qty")).order_by():
        closing[r["item_id"]] += r["n"]
    for r in under.filter(at__gte=until).values("item_id").annotate(n=Sum("qty")).order_by():
        closing[r["item_id"]] -= r["n"]
    rows = (
        under.filter(at__gte=start, at__lt=until)
        .values("item_id", "kind", "origin")
        .annotate(n=Sum("qty"))
        .order_by()
    )
    days: dict[int, ItemDay] = {}
    ids = set(closing) | {r["item_id"] for r in rows}
    items = {i.pk: i for i in Item.objects.filter(pk__in=ids)}
    for pk in ids:
        days[pk] = ItemDay(items[pk], closing=closing.get(pk, 0))
    for r in rows:
        d = days[r["item_id"]]
        if r["kind"] in (MovementKind.RECEIPT, MovementKind.OPENING):
            d.received += r["n"]
            if r["origin"] == Origin.DONATION:
                d.donated += r["n"]
        elif r["kind"] in COLUMN:
            key = COLUMN[r["kind"]]
            setattr(d, key, getattr(d, key) + abs(r["n"]))
        else:
            d.adjusted += r["n"]
    for d in days.values():
        d.opening = d.closing - d.received - d.moved_in + d.moved_out + d.issued - d.adjusted
    return {
        pk: d
        for pk, d in days.items()
        if d.opening
        or d.closing
        or d.received
        or d.issued
        or d.moved_in
        or d.moved_out
        or d.adjusted
    }


def _expired(region: Region, day: dt.date, until: dt.datetime) -> dict[int, int]:
    """Per item, what the lots expired before ``day`` held at ``until``: stock that covers no
    day of use."""
    lots = {"region_path__startswith": region.path, "expires_on__lt": day}
    held: dict[int, int] = defaultdict(int)
    for r in Balance.objects.filter(**lots).values("item_id").annotate(n=Sum("qty")).order_by():
        held[r["item_id"]] += r["n"]
    later = Movement.objects.filter(at__gte=until, **lots)
    for r in later.values("item_id").annotate(n=Sum("qty")).order_by():
        held[r["item_id"]] -= r["n"]
    return held


def _out_of_key(region: Region, until: dt.datetime) -> list[tuple[StockPoint, Item, int]]:
    under = {"region_path__startswith": region.path, "item__key": True}
    stock: dict[tuple[int, int], int] = defaultdict(int)
    for r in Balance.objects.filter(**under).values("point_id", "item_id").annotate(n=Sum("qty")):
        stock[(r["point_id"], r["item_id"])] += r["n"]
    later = Movement.objects.filter(at__gte=until, **under)
    for r in later.values("point_id", "item_id").annotate(n=Sum("qty")).order_by():
        stock[(r["point_id"], r["item_id"])] -= r["n"]
    out = [k for k, q in stock.items() if q <= 0]
    points = StockPoint.objects.select_related("region").in_bulk({p for p, _i in out})
    items = Item.objects.in_bulk({i for _p, i in out})
    rows = [(points[p], items[i], stock[(p, i)]) for p, i in out if p in points]
    return sorted(rows, key=lambda r: (r[0].region_path, r[0].code, r[1].name))


def daily_report(scope: Scope, region: Region, day: dt.date) -> DailyReport:
    """The region's supplies on ``day`` (to now, for today), for staff whose region holds it."""
    scope.require(Cap.STOCK_VIEW)
    if not scope.contains(region.path):
        from django.http import Http404

        raise Http404
    start, until = _moment(day)
    days = _items(region, start, until)
    expired = _expired(region, day, until)
    covers = cover(
        Place.of_region(region.path),
        today=day,
        stock={pk: d.closing - expired.get(pk, 0) for pk, d in days.items()},
    )
    for c in covers:
        if c.item.pk in days:
            days[c.item.pk].cover = c
    received = list(
        Donation.objects.filter(
            region_path__startswith=region.path, received_at__gte=start, received_at__lt=until
        )
        .select_related("donor", "point")
        .order_by("received_at", "id")
    )
    lines: dict[int, list[DonationLine]] = defaultdict(list)
    for line in DonationLine.objects.filter(donation__in=received).select_related("item"):
        lines[line.donation_id].append(line)
    donated = DonationLine.objects.filter(item=OuterRef("item"), lot=OuterRef("lot"))
    passed = list(
        Movement.objects.filter(
            Exists(donated),
            kind=MovementKind.ISSUE,
            region_path__startswith=region.path,
            at__gte=start,
            at__lt=until,
        )
        .select_related("point", "item", "household")
        .order_by("at", "id")
    )
    ordered = sorted(days.values(), key=lambda d: (d.item.category, d.item.name))
    return DailyReport(
        region=region,
        day=day,
        until=until,
        items=ordered,
        out_of_key=_out_of_key(region, until),
        donations=[(d, lines[d.pk]) for d in received],
        passed_on=passed,
    )


ITEM_TITLES = [
    "序号", "物资名称", "单位", "类别", "昨日结存", "本日入库", "其中捐赠", "调入", "调出",
    "发放", "盘点损耗", "本日结存", "日均消耗", "可保障天数", "预计断货", "建议采购", "备注",
]  # fmt: skip
ITEM_WIDTHS = [5, 16, 5, 9, 9, 9, 9, 8, 8, 8, 8, 9, 8, 9, 10, 9, 16]
SHORT_TITLES = ["序号", "物资点", "所在区域", "物资名称", "结存", "情况"]
SHORT_WIDTHS = [5, 22, 16, 16, 10, 40]
GIFT_TITLES = ["序号", "捐赠编号", "捐赠方", "接收物资点", "物资名称", "数量", "单位"]
GIFT_WIDTHS = [5, 12, 26, 20, 16, 10, 6]
PASSED_TITLES = ["序号", "时间", "发放物资点", "接收单位", "物资名称", "数量", "捐赠批次"]
PASSED_WIDTHS = [5, 12, 20, 26, 16, 10, 16]


def _cover_text(c: Cover | None) -> tuple[object, object, object]:
    if c is None:
        return "", "", ""
    days: object = "30天以上" if c.cover_with_expected is None else c.cover_with_expected
    out = c.stockout_on.strftime("%m-%d") if c.stockout_on and c.cover_with_expected else ""
    return days, out, c.order_qty or ""


def item_rows(report: DailyReport) -> list[list[object]]:
    rows: list[list[object]] = []
    for n, d in enumerate(report.items, 1):
        c = d.cover
        days, out, order = _cover_text(c)
        note = []
        if d.closing <= 0:
            note.append("已断货")
        elif c is not None and c.cover_with_expected is not None and c.cover_with_expected < 7:
            note.append("7天内断货")
        if c is not None and c.planned:
            note.append(f"含计划用量{c.planned:g}")
        if c is not None and c.expected:
            note.append(f"预计到货{c.expected}")
        rows.append(
            [
                n,
                d.item.name,
                d.item.unit,
                str(d.item.get_category_display()),
                d.opening,
                d.received,
                d.donated,
                d.moved_in,
                d.moved_out,
                d.issued,
                d.adjusted,
                d.closing,
                c.daily_use if c is not None else "",
                days,
                out,
                order,
                "；".join(note),
            ]
        )
    return rows


def _sheet(book, title: str, heading: str, report: DailyReport, titles, widths, rows, total):
    """One printed sheet: title, date line, header (frozen, printed on every page), rows with
    borders, a totals line; A4 across, fitted to the page's width."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    ws = book.create_sheet(title=title)
    last = get_column_letter(len(titles))
    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = heading
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    moment = timezone.localtime(report.until)
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = (
        f"填报单位：{report.region.name}    统计日期：{report.day:%Y年%m月%d日}"
        f"（截至{moment:%m月%d日%H:%M}）    数量单位：见“单位”列"
    )
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for i, (t, w) in enumerate(zip(titles, widths, strict=True), 1):
        cell = ws.cell(row=3, column=i, value=t)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
        cell.border = box
        ws.column_dimensions[get_column_letter(i)].width = w
    for r, row in enumerate([*rows, total], 4):
        for i, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=i)
            cell.value = value = xlsx_text(value)
            if isinstance(value, str):
                cell.data_type = "s"  # a name starting with = stays text
            elif isinstance(value, int):
                cell.number_format = "#,##0"
            cell.border = box
            if r == len(rows) + 4:
                cell.font = Font(bold=True)
    ws.freeze_panes = "C4"
    ws.print_title_rows = "1:3"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.right.text = f"{report.region.name}物资保障日报 {report.day:%Y-%m-%d}"
    return ws


def _where_to(m: Movement, communities: dict[str, str]) -> str:
    if m.household_id is not None and m.household is not None:
        return f"{communities.get(m.household.region_path) or m.point.name}居民"
    return m.recipient


def write_daily(report: DailyReport, out: io.BytesIO | str) -> None:
    """Write the report as an .xlsx workbook of four printed sheets, in Chinese (the sheet a
    leader prints) whatever the language of the page or command."""
    with translation.override("zh-hans"):
        _write_daily(report, out)


def _write_daily(report: DailyReport, out: io.BytesIO | str) -> None:
    from fangkong.common.spreadsheets import printed_book

    from .selectors.donations import _communities

    book = printed_book()
    name = report.region.name
    rows = item_rows(report)
    soon, gone = len(report.short), len(report.out_of_key)
    total = [
        "合计",
        f"{len(rows)}种",
        *[""] * 12,
        f"{soon}种7天内断货",
        "",
        f"{gone}处重点物资断货",
    ]
    _sheet(
        book, "物资保障", f"{name}防疫物资保障日报", report, ITEM_TITLES, ITEM_WIDTHS, rows, total
    )
    short_rows: list[list[object]] = []
    for point, item, qty in report.out_of_key:
        short_rows.append([0, point.name, point.region.name, item.name, qty, "重点物资已断货"])
    for d in report.short:
        c = d.cover
        assert c is not None
        short_rows.append(
            [
                0,
                f"{name}（全区域）",
                name,
                d.item.name,
                d.closing,
                f"可保障{c.cover_with_expected}天，建议采购{c.order_qty}{d.item.unit}",
            ]  # fmt: skip
        )
    for n, row in enumerate(short_rows, 1):
        row[0] = n
    _sheet(
        book, "缺货预警", f"{name}物资缺货预警", report, SHORT_TITLES, SHORT_WIDTHS, short_rows,
        ["合计", f"{len(short_rows)}条", "", "", "", ""],
    )  # fmt: skip
    gifts: list[list[object]] = []
    for donation, lines in report.donations:
        for line in lines:
            gifts.append(
                [
                    len(gifts) + 1,
                    donation.number,
                    donation.donor.name,
                    donation.point.name,
                    line.item.name,
                    line.qty,
                    line.item.unit,
                ]  # fmt: skip
            )
    _sheet(
        book, "接收捐赠", f"{name}本日接收捐赠物资", report, GIFT_TITLES, GIFT_WIDTHS, gifts,
        ["合计", f"{len(report.donations)}笔", "", "", f"{len(gifts)}项", "", ""],
    )  # fmt: skip
    communities = _communities(
        {m.household.region_path for m in report.passed_on if m.household is not None}
    )
    passed = [
        [
            n,
            timezone.localtime(m.at).strftime("%m-%d %H:%M"),
            m.point.name,
            _where_to(m, communities),
            m.item.name,
            -m.qty,
            m.batch.split("/")[0],
        ]  # fmt: skip
        for n, m in enumerate(report.passed_on, 1)
    ]
    _sheet(
        book, "捐赠去向", f"{name}本日发出捐赠物资", report, PASSED_TITLES, PASSED_WIDTHS,
        passed, ["合计", f"{len(passed)}次", "", "", "", "", ""],
    )  # fmt: skip
    book.save(out)
