"""Signing in and out of shifts, forgotten sign-outs, and the hours they count."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import IntegrityError, connection
from django.utils import timezone

from fangkong.volunteers.choices import ShiftClose
from fangkong.volunteers.models import Shift, Team, TeamDay, Volunteer
from fangkong.volunteers.services import (
    VolunteerInvalid,
    check_add_member,
    check_correct,
    check_plan,
    check_sign_in,
    check_sign_out,
    close_forgotten,
)

from .conftest import make_post, make_team, make_volunteer

T0 = timezone.make_aware(dt.datetime(2026, 11, 30, 8, 0))


def hours(n):
    return dt.timedelta(hours=n)


def test_a_volunteer_signs_in_at_a_post_and_out_and_the_hours_count(tree, post):
    v = make_volunteer(tree.grid_a)
    team = make_team(tree.community_a)
    check_add_member(team=team, volunteer=v)
    shift = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0)
    assert shift.is_open and shift.team == team
    done = check_sign_out(volunteer=v, shift=shift, now=T0 + dt.timedelta(hours=3, minutes=20))
    assert (done.minutes, done.closed_how) == (200, ShiftClose.SELF)
    v.refresh_from_db()
    assert (v.minutes_total, v.shifts_total) == (200, 1)
    day = TeamDay.objects.get(team=team, day=T0.date())
    assert (day.minutes, day.shifts) == (200, 1)


def test_a_double_tap_signs_in_once_and_a_second_sign_out_changes_nothing(tree, post):
    v = make_volunteer(tree.grid_a)
    key = uuid.uuid4()
    first = check_sign_in(volunteer=v, post=post, client_id=key, now=T0)
    again = check_sign_in(volunteer=v, post=post, client_id=key, now=T0 + hours(0.01))
    assert again.pk == first.pk
    check_sign_out(volunteer=v, shift=first, now=T0 + hours(2))
    check_sign_out(volunteer=v, shift=first, now=T0 + hours(5))
    v.refresh_from_db()
    assert (v.minutes_total, v.shifts_total) == (120, 1)
    assert Shift.objects.get().minutes == 120


def test_a_second_open_sign_in_is_refused_with_where_one_is_signed_in(tree, post):
    v = make_volunteer(tree.grid_a)
    other = make_post(tree.community_a, name="核酸采样点", kind="sampling")
    check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0)
    with pytest.raises(VolunteerInvalid) as e:
        check_sign_in(volunteer=v, post=other, client_id=uuid.uuid4(), now=T0 + hours(1))
    assert post.name in e.value.errors["shift"]


def test_the_database_holds_one_open_sign_in_per_volunteer(tree, post):
    v = make_volunteer(tree.grid_a)
    check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0)
    with pytest.raises(IntegrityError):
        Shift.objects.create(
            volunteer=v,
            post=post,
            region_path=post.region_path,
            day=T0.date(),
            signed_in_at=T0 + hours(1),
        )


def test_a_rostered_shift_is_signed_in_and_a_forgotten_sign_out_closes_at_its_end(
    tree, post, people
):
    v = make_volunteer(tree.grid_a)
    shift = check_plan(
        post=post, volunteer=v, start_at=T0, end_at=T0 + hours(4), by=people.community
    )
    check_sign_in(volunteer=v, shift=shift, client_id=uuid.uuid4(), now=T0 + hours(0.25))
    assert close_forgotten(now=T0 + hours(5)) == 0  # within the grace after the planned end
    assert close_forgotten(now=T0 + hours(7)) == 1
    shift.refresh_from_db()
    assert shift.closed_how == ShiftClose.AUTO
    assert shift.signed_out_at == T0 + hours(4)
    assert shift.minutes == 225
    assert close_forgotten(now=T0 + hours(8)) == 0


def test_signing_in_again_closes_a_forgotten_sign_in_first(tree, post):
    v = make_volunteer(tree.grid_a)
    old = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0)
    new = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0 + hours(24))
    old.refresh_from_db()
    assert (old.closed_how, old.minutes) == (ShiftClose.AUTO, 240)
    assert new.is_open


def test_a_supervisor_corrects_a_forgotten_sign_out_and_the_totals_follow(tree, post, people):
    v = make_volunteer(tree.grid_a)
    team = make_team(tree.community_a)
    check_add_member(team=team, volunteer=v)
    shift = check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0)
    close_forgotten(now=T0 + hours(13))
    check_correct(shift=shift, signed_out_at=T0 + hours(6), by=people.community)
    v.refresh_from_db()
    assert (v.minutes_total, v.shifts_total) == (360, 1)
    assert TeamDay.objects.get(team=team).minutes == 360
    with pytest.raises(VolunteerInvalid):
        check_correct(shift=shift, signed_out_at=T0 - hours(1), by=people.community)


def test_a_roster_refuses_an_overlap_and_a_backwards_shift(tree, post, people):
    v = make_volunteer(tree.grid_a)
    check_plan(post=post, volunteer=v, start_at=T0, end_at=T0 + hours(4), by=people.community)
    with pytest.raises(VolunteerInvalid) as e:
        check_plan(
            post=post,
            volunteer=v,
            start_at=T0 + hours(2),
            end_at=T0 + hours(6),
            by=people.community,
        )
    assert "start_at" in e.value.errors
    with pytest.raises(VolunteerInvalid) as e:
        check_plan(post=post, volunteer=v, start_at=T0, end_at=T0 - hours(1), by=people.community)
    assert "end_at" in e.value.errors


def test_one_cannot_sign_in_to_someone_elses_shift(tree, post, people):
    v, w = make_volunteer(tree.grid_a), make_volunteer(tree.grid_a)
    shift = check_plan(
        post=post, volunteer=v, start_at=T0, end_at=T0 + hours(4), by=people.community
    )
    with pytest.raises(VolunteerInvalid):
        check_sign_in(volunteer=w, shift=shift, client_id=uuid.uuid4(), now=T0)


@pytest.mark.django_db(transaction=True)
def test_two_phones_signing_in_at_once_open_one_shift(tree):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    post = make_post(tree.community_a)
    v = make_volunteer(tree.grid_a)
    barrier = threading.Barrier(2)
    outcomes = []

    def tap():
        barrier.wait()
        try:
            check_sign_in(
                volunteer=Volunteer.objects.get(pk=v.pk), post=post, client_id=uuid.uuid4(), now=T0
            )
            outcomes.append("in")
        except VolunteerInvalid:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=tap) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["in", "refused"]
    assert Shift.objects.filter(volunteer=v, signed_out_at__isnull=True).count() == 1


def test_recount_rebuilds_the_counters_the_services_keep(tree, post):
    from fangkong.volunteers.services import recount

    v, w = make_volunteer(tree.grid_a), make_volunteer(tree.grid_a)
    team = make_team(tree.community_a)
    check_add_member(team=team, volunteer=v)
    for who, h in ((v, 2), (v, 3), (w, 1)):
        s = check_sign_in(volunteer=who, post=post, client_id=uuid.uuid4(), now=T0)
        check_sign_out(volunteer=who, shift=s, now=T0 + hours(h))
    kept = sorted(Volunteer.objects.values_list("minutes_total", "shifts_total"))
    team.refresh_from_db()
    assert team.size == 1
    Team.objects.update(size=0)
    days = list(TeamDay.objects.values_list("team_id", "day", "minutes", "shifts"))
    Volunteer.objects.update(minutes_total=0, shifts_total=0)
    TeamDay.objects.all().delete()
    recount()
    assert sorted(Volunteer.objects.values_list("minutes_total", "shifts_total")) == kept
    assert list(TeamDay.objects.values_list("team_id", "day", "minutes", "shifts")) == days
    assert kept == [(60, 1), (300, 2)]
    team.refresh_from_db()
    assert team.size == 1


def test_the_command_closes_forgotten_sign_ins_and_says_how_many(tree, post, capsys):
    import json

    from django.core.management import call_command

    v = make_volunteer(tree.grid_a)
    check_sign_in(volunteer=v, post=post, client_id=uuid.uuid4(), now=T0 - hours(30))
    call_command("volunteers", "close-forgotten", "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"closed": 1}
    call_command("volunteers", "recount", "--json")
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1]) == {"team_days": 0}
    v.refresh_from_db()
    assert v.minutes_total == 240
