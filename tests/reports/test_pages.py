"""The daily report page as its readers meet it, and the lists its figures open."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.reports.selectors import daily_report

from .conftest import DAY, at, check_in

READERS = {"hq": "city", "district": "district", "street": "street", "community": "community_a"}


def links(page: bytes) -> list[str]:
    """The drill-down links inside the report's tables and outstanding list."""
    html = page.decode()
    body = html[html.index('class="report-section"') :]
    return sorted({unescape(u) for u in re.findall(r'href="(/[^"]+)"', body)})


def test_the_page_shows_the_figures_against_their_denominators(city, people, login):
    page = login(people.hq).get(reverse("reports:daily"), {"region": "430100", "day": str(DAY)})
    text = page.content.decode()
    assert page.status_code == 200
    assert "长沙市" in text and "应报" in text and "50.0%" in text  # 1 of 2 due reported
    assert "芙蓉区" in text and "天心区" in text  # a row per district
    assert "红星第1网格" in text and "1 条发热预警超时未处置" in text  # outstanding
    assert "全天数据" in text


@pytest.mark.parametrize("persona", sorted(READERS))
def test_every_drill_down_opens_for_the_reader_who_sees_it(persona, city, people, login):
    client = login(people[persona])
    region = getattr(city, READERS[persona])
    page = client.get(reverse("reports:daily"), {"region": region.code, "day": str(DAY)})
    found = links(page.content)
    assert found, "a report with figures has links to follow"
    for url in found:
        assert client.get(url).status_code == 200, url


def test_the_missing_figure_of_a_grid_today_opens_its_call_list(city, people, login):
    today = dt.date.today()
    content = daily_report(scope_of(people.community), city.grid_a, today)
    health = next(s for s in content["sections"] if s["key"] == "health")
    missing = next(f for f in health["figures"] if f["key"] == "not_reported")
    assert missing["link"]["url"] == reverse("health:missing", args=[city.grid_a.code])
    assert login(people.community).get(missing["link"]["url"]).status_code == 200


def test_a_progress_round_is_compiled_at_the_hour_asked(city, people, login):
    page = login(people.hq).get(
        reverse("reports:daily"), {"region": "430100", "day": str(DAY), "at": "09:30"}
    )
    assert "数据截至 09:30" in page.content.decode()


def test_a_bad_day_or_hour_gives_a_page_not_an_error(city, people, login):
    client = login(people.hq)
    for query in ({"day": "2024-13-01"}, {"day": "9999-01-01"}, {"at": "25:61"}, {"version": "x"}):
        assert (
            client.get(reverse("reports:daily"), {"region": "430100", **query}).status_code == 200
        )
    assert (
        client.get(reverse("reports:daily"), {"region": "430100", "version": "7"}).status_code
        == 404
    )


def test_the_page_shows_what_changed_since_the_last_issue(city, people, login):
    client = login(people.hq)
    client.post(reverse("reports:issue"), {"region": "430100", "day": str(DAY)})
    check_in(city.person_b, at(DAY, 20))
    text = client.get(reverse("reports:daily"), {"region": "430100", "day": str(DAY)}).content
    assert "第 1 版签发以来的变化".encode() in text


def test_issuing_nothing_new_says_so_on_the_page(city, people, login):
    client = login(people.street)
    query = {"region": city.street.code, "day": str(DAY)}
    client.post(reverse("reports:issue"), query)
    answer = client.post(reverse("reports:issue"), query)
    assert "version=" not in answer["Location"]
    assert "以来数据没有变化".encode() in client.get(answer["Location"]).content


def test_the_menu_offers_the_report_to_its_readers_only(city, people, login):
    url = reverse("reports:daily").encode()
    assert url in login(people.community).get(reverse("people:home"), follow=True).content
    assert url not in login(people.grid_a).get(reverse("people:home"), follow=True).content


def test_the_page_does_not_count_the_rows_of_each_region_one_by_one(
    city, people, login, django_assert_max_num_queries
):
    client = login(people.hq)
    # a budget that grows with the sections (each asks a few grouped queries a trend day), not
    # with the regions (test_more_regions_below_cost_no_more_queries)
    # supplies' requisitions and donations, help requests, beds, funds and volunteers: 149
    with django_assert_max_num_queries(150):
        client.get(reverse("reports:daily"), {"region": "430100", "day": str(DAY)})


def test_more_regions_below_cost_no_more_queries(city, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangkong.regions.services import create_region
    from tests.conftest import make_person

    def count():
        with CaptureQueriesContext(connection) as queries:
            daily_report(scope_of(people.hq), city.city, DAY)
        return len(queries)

    before = count()
    district = create_region(code="430104", name="岳麓区", level="district", parent=city.city)
    street = create_region(code="430104001000", name="街道", level="street", parent=district)
    community = create_region(code="430104001001", name="社区", level="community", parent=street)
    grid = create_region(code="430104001001001", name="网格", level="grid", parent=community)
    for _ in range(3):
        make_person(grid)
    assert count() == before
