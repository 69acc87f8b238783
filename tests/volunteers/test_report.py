"""The volunteers' section of the daily report."""

import datetime as dt
import uuid

from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.reports.sections import until_of
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.report import volunteers_figures
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
    close_forgotten()  # 丙 never signs out: closed after the day
    whole = volunteers_figures(scope_of(people.community), tree.community_a, day, until_of(day))
    values = {f.key: f.value for f in whole.figures}
    assert (values["on_duty"], values["forgotten"], values["hours"]) == (0, 1, 11)


def test_the_section_sees_nothing_outside_the_scope(tree, people):
    make_volunteer(tree.grid_b)
    got = volunteers_figures(
        scope_of(people.grid_a), tree.grid_a, timezone.localdate(), timezone.now()
    )
    assert {f.key: f.value for f in got.figures}["volunteers"] == 0
