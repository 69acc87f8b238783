"""The report's "not reported" opens the people behind it, for any region in scope and any day:
those due that day (under watch, or every resident where the rule says so) with no check-in
that day, masked as the people list masks, a page at a time, never another district's."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.health.models import HealthRule
from fangkong.health.rules import forget_rules
from fangkong.people.models import Person
from fangkong.people.services.counters import recount
from fangkong.reports.selectors import daily_report

from ..conftest import make_person
from .conftest import DAY, at, check_in, watch

NEXT_DAY = DAY + dt.timedelta(days=1)
LATER = DAY + dt.timedelta(days=2)


def _not_reported(user, region, day) -> dict:
    content = daily_report(scope_of(user), region, day)
    health = next(s for s in content["sections"] if s["key"] == "health")
    return next(f for f in health["figures"] if f["key"] == "not_reported")


def _listed(client, url) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return re.findall(r'<a href="/health/persons/\d+/">([^<]+)</a>', page.content.decode())


def _around_midnight(city) -> None:
    """李娜 (under watch from DAY) checks in a minute after DAY's midnight, on DAY+1; 张伟 a
    minute before DAY+1's midnight; nobody on DAY+2."""
    check_in(city.person_b, at(NEXT_DAY, 0, 1))
    check_in(city.person_a, at(NEXT_DAY, 23, 59))


def test_not_reported_of_a_past_day_opens_the_people_behind_it_masked(city, people, login):
    figure = _not_reported(people.district, city.district, DAY)
    assert figure["today"] == 1  # 李娜, in central quarantine from DAY, never checked in
    url = figure["link"]["url"]
    assert url.startswith(reverse("health:people")) and "what=not_reported" in url
    page = login(people.district).get(url).content.decode()
    assert _listed(login(people.district), url) == ["李娜"]
    assert "芷园第1网格" in page  # whose grid
    assert city.person_b.phone not in page  # 13987654321
    assert city.person_b.phone_masked in page


def test_the_list_follows_the_day_across_midnight(city, people, login):
    _around_midnight(city)
    client = login(people.district)
    for day, expected in ((DAY, ["李娜"]), (NEXT_DAY, []), (LATER, ["张伟", "李娜"])):
        figure = _not_reported(people.district, city.district, day)
        assert sorted(_listed(client, figure["link"]["url"])) == sorted(expected), day
        assert figure["today"] == len(expected), day


def test_a_region_outside_the_officers_district_is_not_found(city, people, login):
    watch(city.person_c, "home_observation", DAY)  # 王芳 of 天心区, due from DAY
    client = login(people.district)
    for code in ("430103", city.grid_c.code):  # 天心区 and its grid
        query = {"what": "not_reported", "region": code, "day": str(LATER)}
        assert client.get(reverse("health:people"), query).status_code == 404
    own = _listed(client, _not_reported(people.district, city.district, LATER)["link"]["url"])
    assert "王芳" not in own and "李娜" in own
    # headquarters, whose area holds both districts, sees her
    city_wide = _not_reported(people.hq, city.city, LATER)["link"]["url"]
    assert "王芳" in _listed(login(people.hq), city_wide)


def test_where_every_resident_reports_the_residents_of_that_day_are_due(city, people, login):
    """The district's rule: every resident reports; grid B's own rule: only those watched. A
    resident registered on DAY+1 is due from that day on, not before."""
    HealthRule.objects.create(region=city.district, universal_reporting=True)
    HealthRule.objects.create(region=city.grid_b, universal_reporting=False)
    forget_rules()
    newcomer = make_person(city.grid_a, name="孙八", birth_on=dt.date(1990, 1, 1))
    Person.objects.filter(pk=newcomer.pk).update(created_at=at(NEXT_DAY, 10))
    make_person(city.grid_b, name="钱七", birth_on=dt.date(1991, 1, 1))  # grid B, not watched
    recount()
    client = login(people.district)
    on_day = _not_reported(people.district, city.district, DAY)
    assert _listed(client, on_day["link"]["url"]) == ["李娜"]  # 张伟, 张小明 checked in on DAY
    later = _not_reported(people.district, city.district, LATER)
    listed = _listed(client, later["link"]["url"])
    assert sorted(listed) == sorted(["张伟", "张小明", "孙八", "李娜"])
    assert later["today"] == len(listed)


def test_the_list_comes_a_page_at_a_time(city, people, login, monkeypatch):
    from fangkong.health.views import staff

    monkeypatch.setattr(staff, "NOT_REPORTED_PAGE", 1)
    client = login(people.district)
    url = _not_reported(people.district, city.district, LATER)["link"]["url"]
    first = client.get(url).content.decode()
    assert len(_listed(client, url)) == 1 and "page=2" in first
    second = _listed(client, url + "&page=2")
    assert len(second) == 1 and second != _listed(client, url)
    assert "page=3" not in client.get(url + "&page=2").content.decode()


@pytest.mark.parametrize("persona", ["street", "community"])
def test_the_figure_of_a_region_above_the_grid_today_opens_the_list(city, people, login, persona):
    user = people[persona]
    figure = _not_reported(user, user.scope_region, dt.date.today())
    assert "what=not_reported" in figure["link"]["url"]
    assert login(user).get(figure["link"]["url"]).status_code == 200
