"""The funds' section of the daily report: money in whole yuan per area, and its trend."""

from __future__ import annotations

import datetime as dt
import uuid

from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.funds.choices import PayeeStatus
from fangkong.funds.models import Fund, FundPayment, Payee
from fangkong.funds.report import funds_figures, funds_totals
from fangkong.funds.services import check_add_fund, check_approve, check_record_payment
from fangkong.funds.services.rosters import import_roster
from fangkong.reports.sections import until_of

from .helpers import roster_xlsx, row


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_section_and_its_trend_count_funds_payments_and_allowances(
    policy, tree, people, tmp_path
):
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in (3, 2, 1)]
    city = check_add_fund(
        code="F1",
        name="市级防控资金",
        source="city",
        purpose="防疫物资",
        document="长财〔2020〕1号",
        amount_fen=100_000_050,
        region=tree.city,
    )
    district = check_add_fund(
        code="F2",
        name="区级防控资金",
        source="city",
        purpose="隔离点",
        document="芙财〔2020〕2号",
        amount_fen=50_000_075,
        region=tree.district,
    )
    Fund.objects.filter(pk=city.pk).update(created_at=_at(days[0]))
    Fund.objects.filter(pk=district.pk).update(created_at=_at(days[1]))
    for fund, fen, ahead, day in (
        (city, 1_000_099, True, days[1]),
        (district, 250_050, False, days[2]),
    ):
        paid = check_record_payment(
            fund=fund,
            client_id=uuid.uuid4(),
            amount_fen=fen,
            payee="市医药公司",
            purpose="口罩",
            document="付款单001",
            ahead=ahead,
        )
        FundPayment.objects.filter(pk=paid.pk).update(recorded_at=_at(day))
    import_roster(
        data=roster_xlsx([row(1), row(2, category="援鄂医疗队员", amount="5000")]),
        filename="r.xlsx",
        policy=policy,
        unit="市第一人民医院",
        rejects=tmp_path / "r.rej",
    )
    check_approve(policy=policy)
    first = Payee.objects.order_by("pk").first()
    Payee.objects.filter(pk=first.pk).update(status=PayeeStatus.PAID, paid_at=_at(days[2]))

    hq = scope_of(people.hq)
    moments = [(d, until_of(d)) for d in days]
    trend = funds_totals(hq, tree.city, moments)
    for (day, until), totals in zip(moments, trend, strict=True):
        figures = funds_figures(hq, tree.city, day, until)
        assert {f.key: f.value for f in figures.figures if f.value} == {
            k: v for k, v in totals.items() if v
        }
    assert [t.get("allocated", 0) for t in trend] == [1_000_000, 1_500_000, 1_500_000]
    assert trend[1]["paid"] == trend[1]["ahead"] == 10_000  # ¥10,000.99, whole yuan
    assert trend[2]["paid"] == 10_000 + 2_500 and trend[2]["approved"] == 7_000
    assert trend[2]["paid_allowances"] == 2_000 and "paid_allowances" not in trend[1]


def test_the_drill_down_lists_the_region_s_funds(tree, people, login):
    for code, name, region in (
        ("F1", "红星社区防控资金", tree.community_a),
        ("F2", "芷园社区防控资金", tree.community_b),
        ("F3", "天心区防控资金", tree.grid_c.parent.parent.parent),
    ):
        check_add_fund(
            code=code,
            name=name,
            source="city",
            purpose="防疫物资",
            document=f"财〔2020〕{code}号",
            amount_fen=100_000,
            region=region,
        )
    today = timezone.localdate()
    got = funds_figures(scope_of(people.district), tree.community_a, today, until_of(today))
    link = next(f.link for f in got.figures if f.key == "allocated")
    client = login(people.district)
    page = client.get(link.url).content.decode()
    assert "红星社区防控资金" in page and "芷园社区防控资金" not in page
    assert "红星社区" in page.split("</h1>")[0]  # the page says which region it lists
    whole = client.get(reverse("funds:home")).content.decode()
    assert "红星社区防控资金" in whole and "芷园社区防控资金" in whole
    assert "天心区防控资金" not in whole
    assert client.get(reverse("funds:home") + "?region=430103").status_code == 404
