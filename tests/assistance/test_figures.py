"""The daily report's help-requests section and the league's "done, on time" per team."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.assistance.models import HelpRequest
from fangkong.assistance.report import assistance_figures, assistance_totals
from fangkong.assistance.selectors import team_done
from fangkong.assistance.services import check_answer, check_progress, do_offer
from fangkong.reports.sections import registered, until_of
from fangkong.volunteers.models import Membership, Team

from .conftest import ask


def _late(r, minutes):
    """Raised a while ago and due ``minutes`` ago (still today, past midnight's first hour)."""
    now = timezone.now()
    earlier = max(now - dt.timedelta(minutes=30), timezone.localtime(now).replace(hour=0, minute=0))
    HelpRequest.objects.filter(pk=r.pk).update(
        raised_at=earlier,
        due_at=max(earlier + dt.timedelta(seconds=1), now - dt.timedelta(minutes=minutes)),
    )


def _deliver(r, helper):
    task = do_offer(request=r, volunteer=helper, user=None, km=None, explain={})
    check_answer(user=helper.user, task=task, accept=True)
    return check_progress(user=helper.user, task=task, step="delivered")


def test_the_section_counts_open_overdue_done_and_on_time(tree, people, helper):
    on_time = ask(tree.household_a, kind="medicine", urgency="urgent")
    late = ask(tree.household_a, kind="food")
    _late(late, 1)
    waiting = ask(tree.household_b, kind="gas", needed="液化气")
    _late(waiting, 5)
    _deliver(on_time, helper)
    _deliver(late, helper)
    scope = scope_of(people.street)
    today = timezone.localdate()
    got = assistance_figures(scope, tree.street, today, until_of(today))
    values = {f.key: f.value for f in got.figures}
    assert values == {"raised": 3, "open": 1, "overdue": 1, "done": 2, "on_time": 1}
    assert got.values[tree.grid_b.path]["overdue"] == 1
    assert [(i.region_code, i.count) for i in got.outstanding] == [(tree.grid_b.code, 1)]
    grid_b_only = assistance_figures(scope_of(people.grid_b), tree.grid_b, today, until_of(today))
    assert {f.key: f.value for f in grid_b_only.figures}["done"] == 0
    assert "assistance" in {s.key for s in registered()}


def test_the_trend_says_what_the_figures_say(tree, people, helper):
    _deliver(ask(tree.household_a), helper)
    ask(tree.household_b)
    scope = scope_of(people.district)
    today = timezone.localdate()
    days = [today - dt.timedelta(days=1), today]
    moments = [(d, until_of(d)) for d in days]
    trend = assistance_totals(scope, tree.district, moments)
    for (day, until), totals in zip(moments, trend, strict=True):
        figures = assistance_figures(scope, tree.district, day, until)
        assert {f.key: f.value for f in figures.figures if f.value} == {
            k: v for k, v in totals.items() if v
        }


def test_a_delivery_counts_once_for_the_team_its_volunteer_served(tree, helper):
    team = Team.objects.create(
        name="红星配送组", kind="team", region=tree.community_a, region_path=tree.community_a.path
    )
    other = Team.objects.create(
        name="芷园组", kind="team", region=tree.community_b, region_path=tree.community_b.path
    )
    today = timezone.localdate()
    Membership.objects.create(
        team=team, volunteer=helper, region_path=team.region_path, joined_on=today
    )
    Membership.objects.create(
        team=other, volunteer=helper, region_path=other.region_path, joined_on=today
    )  # two teams at once: the first joined takes the delivery
    on_time = ask(tree.household_a, kind="medicine", urgency="urgent")
    late = ask(tree.household_a, kind="food")
    _late(late, 1)
    _deliver(on_time, helper)
    _deliver(late, helper)
    assert team_done([team.pk, other.pk], today, today) == {team.pk: (2, 1), other.pk: (0, 0)}
    assert team_done([team.pk], today - dt.timedelta(days=3), today - dt.timedelta(days=1)) == {
        team.pk: (0, 0)
    }


def test_each_drill_down_lists_the_region_its_figure_counts(tree, people, login):
    ask(tree.household_a, kind="food")
    _late(ask(tree.household_a, kind="gas", needed="液化气"), 5)
    _late(ask(tree.household_b, kind="gas", needed="液化气"), 5)
    today = timezone.localdate()
    got = assistance_figures(scope_of(people.street), tree.community_a, today, until_of(today))
    links = {f.key: f.link for f in got.figures if f.link}
    client = login(people.street)
    page = client.get(links["open"].url).content.decode()
    assert "1栋" in page and "2栋" not in page  # 红星社区's requests, not the whole street's
    assert "红星社区" in page
    overdue = client.get(links["overdue"].url).content.decode()
    assert overdue.count('class="alert-card overdue"') == 1
    street = assistance_figures(scope_of(people.district), tree.street, today, until_of(today))
    by_grid = {i.region_code: i.link.url for i in street.outstanding}
    page = login(people.district).get(by_grid[tree.grid_b.code]).content.decode()
    assert "2栋" in page and "1栋" not in page  # that grid's overdue requests
    whole = login(people.district).get(reverse("assistance:home")).content.decode()
    assert "1栋" in whole and "2栋" in whole
    gone = login(people.district).get(reverse("assistance:home") + "?region=430103001000")
    assert gone.status_code == 404  # 城南街道 is another district's
