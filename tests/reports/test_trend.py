"""Each section's ``trend`` (its totals for several whole days at once, what the report reads
for the earlier days of its trend) says what its ``figures()`` say, day by day."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from fangkong.accounts.scope import scope_of
from fangkong.health.models import HealthRule
from fangkong.health.rules import forget_rules
from fangkong.health.services.watch import changing
from fangkong.people.models import Person
from fangkong.people.services.counters import recount
from fangkong.reports.sections import registered, until_of
from fangkong.reports.selectors import compile_report

from .conftest import DAY, alert, at, check_in, watch

# the week before DAY and the two days after it (today is DAY + 3: whole days only)
DAYS = [DAY - dt.timedelta(days=back) for back in range(7, -3, -1)]


def with_trend():
    return [s for s in registered() if s.trend is not None]


def more_days(city) -> None:
    """Other days than DAY: a newcomer the day before, check-ins and an alert after DAY, an
    observation that ended early."""
    newcomer = Person.objects.get(pk=city.person_c.pk)
    Person.objects.filter(pk=newcomer.pk).update(created_at=at(DAY - dt.timedelta(days=1), 14))
    recount()
    check_in(city.person_a, at(DAY + dt.timedelta(days=1), 8))
    check_in(city.person_b, at(DAY + dt.timedelta(days=1), 9))
    check_in(city.person_b, at(DAY - dt.timedelta(days=2), 9))
    alert(
        city.person_a, at(DAY + dt.timedelta(days=1), 8), closed=at(DAY + dt.timedelta(days=2), 8)
    )
    ended = watch(city.child_a, "home_observation", DAY - dt.timedelta(days=5))
    with changing([city.child_a.pk]):  # as every writer of periods: the counters follow
        ended.ended_on = DAY - dt.timedelta(days=1)
        ended.save()


def stock(city, people) -> None:
    """A stock point of grid A's community with a key item received, issued and run out over
    several days (the movements dated back), and a point of the other district."""
    from fangkong.supplies.choices import Category
    from fangkong.supplies.models import Movement
    from fangkong.supplies.services import check_issue, save_item
    from tests.supplies.conftest import make_point, receive

    n95 = save_item(name="N95口罩", unit="个", category=Category.MEDICAL, key=True)
    here = make_point(city.community_a)
    make_point(city.grid_c, code="TX01", name="天心物资点")
    receive(here, n95, 100)
    receive(here, n95, 20)
    for qty in (70, 50):
        check_issue(point=here, item=n95, qty=qty, client_id=uuid.uuid4(), recipient="社区卫生站")
    for back, movement in zip((5, 3, 1, 0), Movement.objects.order_by("id"), strict=True):
        Movement.objects.filter(pk=movement.pk).update(at=at(DAY - dt.timedelta(days=back), 10))


def asks(city) -> None:
    """Help requests of grid A's household over several days: one delivered late, one on time,
    one still open past its due time, one cancelled."""
    from fangkong.assistance.models import HelpRequest
    from tests.assistance.conftest import ask

    rows = [ask(city.household_a, needed=f"药{n}") for n in range(4)]
    for r, (back, hours, status) in zip(
        rows,
        ((4, 30, "delivered"), (2, 1, "delivered"), (1, None, "open"), (3, 5, "cancelled")),
        strict=True,
    ):
        raised = at(DAY - dt.timedelta(days=back), 9)
        HelpRequest.objects.filter(pk=r.pk).update(
            raised_at=raised,
            due_at=raised + dt.timedelta(hours=8),
            deadline_at=raised + dt.timedelta(hours=8),
            status=status,
            closed_at=raised + dt.timedelta(hours=hours) if hours else None,
        )


def duty_money_and_beds(city) -> None:
    """A volunteer's shifts on two days at a post of grid A; a district's fund and a payment from it
    on different days; a hospital of the district."""
    from fangkong.beds.choices import FacilityKind
    from fangkong.beds.services import save_facility
    from fangkong.funds.models import Fund, FundPayment
    from fangkong.funds.services import check_add_fund, check_record_payment
    from fangkong.volunteers.services import check_sign_in, check_sign_out
    from tests.volunteers.conftest import make_post, make_volunteer

    post = make_post(city.grid_a)
    helper = make_volunteer(city.grid_a, name="甲")
    for back in (2, 1):
        t0 = at(DAY - dt.timedelta(days=back), 8)
        shift = check_sign_in(volunteer=helper, post=post, client_id=uuid.uuid4(), now=t0)
        check_sign_out(volunteer=helper, shift=shift, now=t0 + dt.timedelta(minutes=50))
    fund = check_add_fund(
        code="F1",
        name="市级防控资金",
        source="city",
        purpose="防疫物资",
        document="长财〔2020〕1号",
        amount_fen=1_000_050,
        region=city.district,
    )
    Fund.objects.filter(pk=fund.pk).update(created_at=at(DAY - dt.timedelta(days=3), 9))
    paid = check_record_payment(
        fund=fund,
        client_id=uuid.uuid4(),
        amount_fen=20_099,
        payee="市医药公司",
        purpose="口罩",
        document="付款单001",
        ahead=True,
    )
    FundPayment.objects.filter(pk=paid.pk).update(recorded_at=at(DAY - dt.timedelta(days=1), 9))
    save_facility(
        code="FR01",
        name="芙蓉区定点医院",
        kind=FacilityKind.DESIGNATED,
        region=city.district,
        lat=28.20,
        lon=112.98,
        capacity={"icu": 2, "ward": 5},
    )


def testing(city) -> None:
    """Mass testing over several days: 红星社区's campaign from DAY-4 to DAY+1 (张伟 swabbed on
    DAY-3 in a tube found positive; 张小明 at 23:50 on DAY-1 and again at 00:10 on DAY), the
    street's one-day campaign of the elderly living alone on DAY-1 (张伟 again), and the other
    district's campaign (王芳 on DAY-2)."""
    from fangkong.screening.labmodels import LabResult
    from fangkong.screening.models import Campaign, Sample, Tube
    from fangkong.screening.services.labs import do_register_lab

    def campaign(region, first, last, **kw):
        return Campaign.objects.create(
            name=f"{region.name}检测",
            region=region,
            region_path=region.path,
            start_on=first,
            end_on=last,
            pool_size=5,
            **kw,
        )

    def swabbed(c, barcode, person, when):
        tube = Tube.objects.create(
            campaign=c,
            barcode=barcode,
            pool_size=5,
            status="closed",
            region_path=person.region_path,
            opened_at=when - dt.timedelta(minutes=5),
            closed_at=when,
        )
        Sample.objects.create(
            client_id=uuid.uuid4(),
            campaign=c,
            tube=tube,
            person=person,
            region_path=person.region_path,
            sampled_at=when,
            source="phone",
        )
        return tube

    days = dt.timedelta(days=1)
    red_star = campaign(city.community_a, DAY - 4 * days, DAY + days)
    positive = swabbed(red_star, "TR0001", city.person_a, at(DAY - 3 * days, 10))
    swabbed(red_star, "TR0002", city.child_a, at(DAY - days, 23, 50))
    swabbed(red_star, "TR0003", city.child_a, at(DAY, 0, 10))
    lonely = campaign(city.street, DAY - days, DAY - days, target="tag", target_tag="elderly_alone")
    swabbed(lonely, "TR0004", city.person_a, at(DAY - days, 15))
    other = campaign(city.grid_c.parent, DAY - 2 * days, DAY)
    swabbed(other, "TR0005", city.person_c, at(DAY - 2 * days, 9))
    lab = do_register_lab(code="TRLAB", name="检测所", region=city.district, operators=[])
    LabResult.objects.create(
        tube=positive,
        lab=lab,
        result="positive",
        reported_at=at(DAY - 2 * days, 8),
        region_path=positive.region_path,
        created_at=at(DAY - 2 * days, 8),
    )
    from fangkong.screening.services.counters import recount

    recount()  # written around the services: the coverage counters from the raw rows


def figures_by_day(section, scope, region) -> list[dict[str, int]]:
    return [
        {f.key: f.value for f in section.figures(scope, region, d, until_of(d)).figures}
        for d in DAYS
    ]


def trend_by_day(section, scope, region) -> list[dict[str, int]]:
    found = section.trend(scope, region, [(d, until_of(d)) for d in DAYS])
    keys = figures_by_day(section, scope, region)[0]
    return [{k: totals.get(k, 0) for k in keys} for totals in found]


TRENDED = {
    "registry",
    "health",
    "screening",
    "supplies",
    "assistance",
    "beds",
    "funds",
    "volunteers",
}


def test_the_sections_answer_a_trend():
    assert {s.key for s in with_trend()} >= TRENDED


@pytest.mark.parametrize("who", ["hq", "district", "grid_a"])
def test_each_sections_trend_equals_its_figures_day_by_day(city, people, who):
    more_days(city)
    stock(city, people)
    asks(city)
    duty_money_and_beds(city)
    testing(city)
    user = getattr(people, who)
    scope = scope_of(user)
    region = user.scope_region
    checked = set()
    for section in with_trend():
        if section.cap and not scope.can(section.cap):
            continue
        expected = figures_by_day(section, scope, region)
        assert any(any(day.values()) for day in expected)
        assert trend_by_day(section, scope, region) == expected, section.key
        checked.add(section.key)
    if who == "hq":
        assert checked >= TRENDED


def test_the_testing_trend_counts_each_day_its_swabs_tubes_and_running_campaigns(
    city, people, django_assert_num_queries
):
    """The district's officer: 王芳's campaign is another district's; each campaign counts on
    the days it runs; a swab at 23:50 is its day's, 00:10 the next. The ten days in a few
    queries whatever their number: swabs, tubes, the campaigns; the tag campaign's target
    counted on its day; the residents' campaign's residents (two) and its counters' hours."""
    testing(city)
    section = next(s for s in registered() if s.key == "screening")
    scope = scope_of(people.district)
    with django_assert_num_queries(7):
        section.trend(scope, city.district, [(d, until_of(d)) for d in DAYS])
    found = trend_by_day(section, scope, city.district)
    by_day = dict(zip(DAYS, found, strict=True))
    keys = ("swabs", "tubes", "target", "tested", "untested", "positive")

    def day(back):
        return tuple(by_day[DAY - dt.timedelta(days=back)][k] for k in keys)

    assert day(5) == (0, 0, 0, 0, 0, 0)  # before the campaign
    assert day(4) == (0, 0, 2, 0, 2, 0)  # 红星社区's two residents, nobody swabbed yet
    assert day(3) == (1, 1, 2, 1, 1, 1)  # 张伟, in a tube found positive (reported later)
    assert day(1) == (2, 2, 3, 3, 0, 1)  # 张小明 at 23:50; the street's campaign: 张伟 again
    assert day(0) == (1, 1, 2, 2, 0, 1)  # 张小明 again at 00:10: counted once
    assert day(-2) == (0, 0, 0, 0, 0, 0)  # the campaign is over
    assert found == figures_by_day(section, scope, city.district)


def test_the_trend_still_agrees_where_every_resident_reports(city, people):
    more_days(city)
    HealthRule.objects.create(region=city.district, universal_reporting=True)
    forget_rules()
    scope = scope_of(people.hq)
    for section in with_trend():
        assert trend_by_day(section, scope, city.city) == figures_by_day(
            section, scope, city.city
        ), section.key


def test_a_report_reads_the_same_trend_with_and_without_the_sections_trends(city, people):
    """The report's 7 days through ``trend`` are those asked of ``figures()`` day by day."""
    more_days(city)
    scope = scope_of(people.hq)
    day = DAY + dt.timedelta(days=1)
    fast = compile_report(scope, city.city, day)
    from fangkong.reports import sections

    saved = dict(sections._sections)
    try:
        for s in with_trend():
            sections.register(sections.Section(s.key, s.title, s.order, s.figures, s.cap, s.board))
        slow = compile_report(scope, city.city, day)
    finally:
        sections._sections.clear()
        sections._sections.update(saved)
    assert fast["sections"] == slow["sections"]
