"""The volunteers' section of the daily report."""

import datetime as dt
import uuid

from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.reports.sections import until_of
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.report import volunteers_figures, volunteers_totals
from fangkong.volunteers.services import (
    Profile,
    check_apply,
    check_sign_in,
    check_sign_out,
    close_forgotten,
)

from .conftest import make_post, make_volunteer


def test_the_day_counts_who_stood_duty_their_shifts_hours_and_who_is_still_on(tree, people):
    day = timezone.localdate() - dt.timedelta(days=1)
    t0 = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
    post = make_post(tree.community_a)
    a, b, c = (make_volunteer(tree.grid_a, name=n) for n in "甲乙丙")
    for v in (a, b):
        s = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=t0)
        check_sign_out(volunteer=v, shift=s, now=t0 + dt.timedelta(hours=3))
    s = check_sign_in(
        volunteer=a, post=post, client_id=uuid.uuid4(), now=t0 + dt.timedelta(hours=4)
    )
    check_sign_out(volunteer=a, shift=s, now=t0 + dt.timedelta(hours=5))
    check_sign_in(volunteer=c, post=post, client_id=uuid.uuid4(), now=t0 + dt.timedelta(hours=10))
    check_apply(
        region=tree.community_a,
        profile=Profile(name="丁", phone="13907317777", home_area=tree.grid_a),
        client_id=uuid.uuid4(),
    )
    Volunteer.objects.update(created_at=t0 - dt.timedelta(days=1))  # registered the day before
    noon = t0 + dt.timedelta(hours=11)
    got = volunteers_figures(scope_of(people.community), tree.community_a, day, noon)
    values = {f.key: f.value for f in got.figures}
    assert values == {
        "volunteers": 3,
        "stood": 3,
        "on_duty": 1,
        "shifts": 4,
        "hours": 7,
        "forgotten": 0,
        "pending": 1,
    }
    assert [i.region_name for i in got.outstanding] == ["红星第1网格"]
    close_forgotten(now=t0 + dt.timedelta(days=2))  # 丙 never signs out: closed after the day
    whole = volunteers_figures(scope_of(people.community), tree.community_a, day, until_of(day))
    values = {f.key: f.value for f in whole.figures}
    assert (values["on_duty"], values["forgotten"], values["hours"]) == (0, 1, 11)


def test_the_section_sees_nothing_outside_the_scope(tree, people):
    make_volunteer(tree.grid_b)
    got = volunteers_figures(
        scope_of(people.grid_a), tree.grid_a, timezone.localdate(), timezone.now()
    )
    assert {f.key: f.value for f in got.figures}["volunteers"] == 0


def test_the_trend_of_whole_days_says_what_each_day_s_figures_say(tree, people):
    today = timezone.localdate()
    days = [today - dt.timedelta(days=n) for n in (4, 3, 2, 1)]
    posts = [make_post(tree.grid_a, name="红星路卡口"), make_post(tree.grid_b, name="芷园卡口")]
    a, b, c = (make_volunteer(tree.grid_a, name=n) for n in "甲乙丙")
    Volunteer.objects.filter(pk=c.pk).update(created_at=timezone.now())  # registered today
    for n, day in enumerate(days):
        t0 = timezone.make_aware(dt.datetime.combine(day, dt.time(8)))
        for v, post in ((a, posts[0]), (b, posts[1])):
            s = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=t0)
            # 40 minutes at each post: one hour each, rounded per post, as the day's figures do
            check_sign_out(volunteer=v, shift=s, now=t0 + dt.timedelta(minutes=40 + 30 * n))
        if n == 1:  # a night shift never signed out, closed by the system two days on
            check_sign_in(
                volunteer=c, post=posts[0], client_id=uuid.uuid4(), now=t0 + dt.timedelta(hours=15)
            )
    Volunteer.objects.exclude(pk=c.pk).update(
        created_at=timezone.make_aware(dt.datetime.combine(days[1], dt.time(6)))
    )
    close_forgotten(now=timezone.now())
    scope = scope_of(people.district)
    moments = [(d, until_of(d)) for d in days]
    trend = volunteers_totals(scope, tree.district, moments)
    for (day, until), totals in zip(moments, trend, strict=True):
        figures = volunteers_figures(scope, tree.district, day, until)
        assert {f.key: f.value for f in figures.figures if f.value} == {
            k: v for k, v in totals.items() if v
        }
    assert trend[0]["hours"] == 2 and trend[0].get("volunteers", 0) == 0
    assert trend[1]["on_duty"] == 1 and "on_duty" not in trend[2]


def test_each_drill_down_lists_the_region_its_figure_counts(tree, people, login):
    make_volunteer(tree.grid_a, name="甲")
    make_volunteer(tree.grid_b, name="乙")
    check_apply(
        region=tree.community_b,
        profile=Profile(name="丁", phone="13907317777", home_area=tree.grid_b),
        client_id=uuid.uuid4(),
    )
    today = timezone.localdate()
    got = volunteers_figures(scope_of(people.street), tree.community_a, today, timezone.now())
    link = next(f.link for f in got.figures if f.key == "volunteers")
    page = login(people.street).get(link.url).content.decode()
    assert "甲" in page and "乙" not in page  # 红星社区's volunteers, not the whole street's
    league = next(f.link for f in got.figures if f.key == "stood")
    assert f"region={tree.community_a.code}" in league.url and f"until={today}" in league.url
    street = volunteers_figures(scope_of(people.street), tree.street, today, timezone.now())
    (waiting,) = street.outstanding
    page = login(people.street).get(waiting.link.url).content.decode()
    assert "丁" in page and "甲" not in page  # the applications waiting there
