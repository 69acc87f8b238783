"""The headquarters dashboard: today at a glance, read from the daily report's sections."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.reports.selectors import daily_report

from .conftest import check_in, watch

TODAY = dt.date.today()


def seed_today(tree) -> None:
    watch(tree.person_a, "home_observation", TODAY - dt.timedelta(days=1))
    watch(tree.person_b, "home_observation", TODAY - dt.timedelta(days=1))
    check_in(tree.person_a, timezone.now() - dt.timedelta(seconds=1))


def board_data(page) -> dict:
    html = page.content.decode()
    found = re.search(r'<script id="board-data" type="application/json">(.*?)</script>', html)
    return json.loads(found.group(1))


def test_headquarters_lands_on_the_dashboard_and_other_roles_keep_their_first_page(
    tree, people, login
):
    assert login(people.hq).get(reverse("people:home")).url == reverse("reports:dashboard")
    district = login(people.district).get(reverse("people:home"))
    assert district.url == reverse("people:region", args=[tree.district.code])


def test_the_dashboard_shows_the_reports_figures_of_today(city, people, login):
    seed_today(city)
    page = login(people.hq).get(reverse("reports:dashboard"), {"region": city.city.code})
    assert page.status_code == 200
    text = page.content.decode()
    content = daily_report(scope_of(people.hq), city.city, TODAY)
    health = next(s for s in content["sections"] if s["key"] == "health")
    due = next(f for f in health["figures"] if f["key"] == "due")
    reported = next(f for f in health["figures"] if f["key"] == "reported")
    assert (due["today"], reported["today"]) == (2, 1)
    card = text[text.index('id="figure-health-reported"') :]
    card = card[: card.index("</li>")]
    assert ">1</a>" in card and "50.0%" in card
    assert f"昨日全天 {reported['yesterday']}" in unescape(card)
    series = {s["id"]: s for s in board_data(page)["series"]}
    assert len(series["health-reported"]["values"]) == 14
    assert series["health-reported"]["values"][-7:] == reported["trend"]
    assert series["health-due"]["values"][-1] == due["today"]


def test_each_child_region_is_a_tile_coloured_by_who_reported_linking_one_level_down(
    city, people, login
):
    seed_today(city)
    page = login(people.hq).get(reverse("reports:dashboard"), {"region": city.city.code})
    text = unescape(page.content.decode())
    tiles = re.findall(r'<li class="tile tone-(\w+)"><a href="([^"]+)"><b>([^<]+)</b>', text)
    assert ("poor", "/reports/dashboard/?region=430102", "芙蓉区") in tiles  # 1 of 2: 50 %
    assert ("none", "/reports/dashboard/?region=430103", "天心区") in tiles  # nobody due
    down = login(people.hq).get(tiles[0][1])
    assert down.status_code == 200 and "新华街道" in down.content.decode()


def test_a_district_sees_only_its_district(city, people, login):
    seed_today(city)
    client = login(people.district)
    page = client.get(reverse("reports:dashboard"))
    text = page.content.decode()
    assert page.status_code == 200 and "芙蓉区" in text
    assert "天心区" not in text and city.grid_c.name not in text
    assert client.get(reverse("reports:dashboard"), {"region": "430103"}).status_code == 404
    assert client.get(reverse("reports:dashboard_figures"), {"region": "430103"}).status_code == 404


def test_the_league_compares_grids_of_similar_size_and_says_so(city, people, login):
    seed_today(city)
    page = login(people.hq).get(reverse("reports:dashboard"), {"region": city.city.code})
    text = unescape(page.content.decode())
    league = text[text.index('class="board-league"') :]
    assert "只与规模相近的网格比较" in league
    assert "登记居民 0–99 人" in league
    ranked = re.findall(
        r'<td class="n">(\d+)</td><th scope="row"><a href="[^"]+">([^<]+)</a>', league
    )
    assert ranked[0] == ("1", city.grid_a.name)  # 1 of 1 due reported in grid A


def test_the_figures_refresh_by_themselves(city, people, login):
    seed_today(city)
    client = login(people.hq)
    page = client.get(reverse("reports:dashboard"), {"region": city.city.code})
    assert 'hx-trigger="every 60s"' in page.content.decode()
    partial = client.get(reverse("reports:dashboard_figures"), {"region": city.city.code})
    assert partial.status_code == 200
    body = partial.content.decode()
    assert "<html" not in body and 'id="board-data"' in body
    assert board_data(partial)["series"] == board_data(page)["series"]


def test_grids_equal_in_reporting_are_ranked_by_fewer_overdue_alerts(city, people, login):
    seed_today(city)
    check_in(city.person_b, timezone.now() - dt.timedelta(seconds=1))  # both grids at 100 %
    page = login(people.hq).get(reverse("reports:dashboard"), {"region": city.city.code})
    league = unescape(page.content.decode())
    league = league[league.index('class="board-league"') :]
    rows = re.findall(
        r'<td class="n">(\d+)</td><th scope="row"><a href="[^"]+">([^<]+)</a>.*?</th>'
        r'<td class="n">\d+</td><td class="n">([^<]+)</td><td class="n">([^<]+)</td>',
        league,
    )
    # grid A still has the overdue alert of three days ago; grid B has none
    assert rows[:2] == [
        ("1", city.grid_b.name, "100.0%", "0"),
        ("2", city.grid_a.name, "100.0%", "1"),
    ]


def test_the_dashboard_compares_today_so_far_with_the_whole_of_yesterday(city, people, login):
    """Unlike the daily report of today, which takes yesterday at the same hour (a progress
    round compares like with like), the dashboard's yesterday is the whole day, labelled so."""
    seed_today(city)
    now = timezone.now()
    midnight = timezone.make_aware(dt.datetime.combine(TODAY, dt.time()))
    # later in the day yesterday than the hour now, still yesterday
    check_in(city.person_a, midnight - (midnight - (now - dt.timedelta(days=1))) / 2)
    page = login(people.hq).get(reverse("reports:dashboard"), {"region": city.city.code})
    card = page.content.decode()
    card = card[card.index('id="figure-health-reported"') :]
    assert "昨日全天 1 · 0" in unescape(card[: card.index("</li>")])
    series = {s["id"]: s["values"] for s in board_data(page)["series"]}
    assert series["health-reported"][-2:] == [1, 1]
    report = daily_report(scope_of(people.hq), city.city, TODAY)
    health = next(s for s in report["sections"] if s["key"] == "health")
    reported = next(f for f in health["figures"] if f["key"] == "reported")
    assert (reported["yesterday"], reported["today"]) == (0, 1)
