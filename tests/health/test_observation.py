"""Observation periods by rule, extensions, early ends, follow-up days; cases and contacts."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import HealthRule, Observation
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_add_contact,
    check_end_observation,
    check_extend_observation,
    check_report_case,
    check_start_observation,
    follow_up,
    record_check_ins,
)

TODAY = dt.date.today


def start(people, person, **kw):
    kw.setdefault("kind", "home_observation")
    kw.setdefault("reason", "外地返乡")
    return check_start_observation(
        user=people.grid_a, scope=scope_of(people.grid_a), person=person, **kw
    )


def case_of_li_na(tree, people):
    """李娜 (grid B) reported as a confirmed case by community staff."""
    return check_report_case(
        user=people.community,
        scope=scope_of(people.community),
        person=tree.person_b,
        classification="confirmed",
    )


def test_any_person_can_be_put_under_watch_for_the_regions_days(tree, people):
    o = start(people, tree.person_a)
    assert (o.start_on, o.end_on) == (TODAY(), TODAY() + dt.timedelta(days=13))
    assert o.active_on(TODAY()) and not o.active_on(o.end_on + dt.timedelta(days=1))


def test_central_quarantine_needs_a_hotel_and_periods_do_not_overlap(tree, people):
    with pytest.raises(CheckInInvalid, match="hotel"):
        start(people, tree.person_a, kind="central_quarantine")
    start(people, tree.person_a, kind="central_quarantine", hotel="锦江之星", room="305")
    with pytest.raises(CheckInInvalid, match="already under"):
        start(people, tree.person_a)


def test_a_future_start_or_too_many_days_is_refused(tree, people):
    with pytest.raises(CheckInInvalid) as e:
        start(people, tree.person_a, start_on=TODAY() + dt.timedelta(days=2), days=90)
    assert set(e.value.errors) == {"start_on", "days"}
    assert not Observation.objects.exists()


def test_a_period_is_extended_with_a_reason_and_ended_early_with_one(tree, people):
    scope = scope_of(people.grid_a)
    o = start(people, tree.person_a, days=7)
    o = check_extend_observation(
        user=people.grid_a, scope=scope, observation=o, days=3, reason="复查未出结果"
    )
    assert o.end_on == TODAY() + dt.timedelta(days=9)
    assert o.extensions.get().previous_end_on == TODAY() + dt.timedelta(days=6)
    o = check_end_observation(user=people.grid_a, scope=scope, observation=o, reason="转医院")
    assert o.last_day == TODAY() and not o.active_on(TODAY() + dt.timedelta(days=1))
    with pytest.raises(CheckInInvalid):
        check_extend_observation(user=people.grid_a, scope=scope, observation=o, days=1, reason="x")


def test_follow_up_shows_each_day_normal_abnormal_missed_or_to_come(tree, people):
    o = start(people, tree.person_a, start_on=TODAY() - dt.timedelta(days=3), days=6)
    now = timezone.now()
    record_check_ins(
        items=[
            CheckInData(uuid.uuid4(), tree.person_a.pk, "36.5", now - dt.timedelta(days=3)),
            CheckInData(uuid.uuid4(), tree.person_a.pk, "38.2", now - dt.timedelta(days=1)),
        ],
        persons={tree.person_a.pk: tree.person_a.region_path},
    )
    statuses = [d.status for d in follow_up(o)]
    assert statuses == ["normal", "missed", "abnormal", "pending", "future", "future"]


def test_a_close_contact_is_tagged_and_watched_seven_central_then_seven_at_home(tree, people):
    scope, case = scope_of(people.community), case_of_li_na(tree, people)
    exposed = TODAY() - dt.timedelta(days=2)
    contact, periods = check_add_contact(
        user=people.community,
        scope=scope,
        case=case,
        person=tree.person_a,
        kind="close",
        last_exposure_on=exposed,
    )
    assert [(p.kind, p.start_on, p.end_on) for p in periods] == [
        ("central_quarantine", TODAY(), exposed + dt.timedelta(days=7)),
        ("home_observation", exposed + dt.timedelta(days=8), exposed + dt.timedelta(days=14)),
    ]
    assert periods[1].follows == periods[0]
    tag = tree.person_a.tags.get(kind="close_contact")
    assert tag.event_on == exposed


def test_a_secondary_contact_follows_the_regions_rule_and_needs_the_close_contact(tree, people):
    HealthRule.objects.create(region=tree.street, secondary_contact_days=10)
    scope, case = scope_of(people.community), case_of_li_na(tree, people)
    close, _ = check_add_contact(
        user=people.community,
        scope=scope,
        case=case,
        person=tree.person_a,
        kind="close",
        last_exposure_on=TODAY(),
    )
    with pytest.raises(CheckInInvalid, match="through a close contact"):
        check_add_contact(
            user=people.community,
            scope=scope,
            case=case,
            person=tree.child_a,
            kind="secondary",
            last_exposure_on=TODAY(),
        )
    _, periods = check_add_contact(
        user=people.community,
        scope=scope,
        case=case,
        person=tree.child_a,
        kind="secondary",
        last_exposure_on=TODAY(),
        via=close,
    )
    assert [(p.kind, p.end_on) for p in periods] == [
        ("home_observation", TODAY() + dt.timedelta(days=10))
    ]


def test_a_contact_whose_period_is_already_over_is_not_watched(tree, people):
    scope, case = scope_of(people.community), case_of_li_na(tree, people)
    _, periods = check_add_contact(
        user=people.community,
        scope=scope,
        case=case,
        person=tree.person_a,
        kind="close",
        last_exposure_on=TODAY() - dt.timedelta(days=30),
    )
    assert periods == []


def test_a_case_reported_in_the_future_is_refused(tree, people):
    with pytest.raises(CheckInInvalid):
        check_report_case(
            user=people.community,
            scope=scope_of(people.community),
            person=tree.person_a,
            classification="confirmed",
            report_on=TODAY() + dt.timedelta(days=1),
        )


def test_merging_two_records_carries_their_health_records(tree, people):
    from fangkong.health.models import CheckIn
    from fangkong.people.services import check_merge_persons

    from ..conftest import make_person

    twin = make_person(tree.grid_a, name="张伟", birth_on=tree.person_a.birth_on, phone="")
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), p.pk, "36.6") for p in (tree.person_a, twin)],
        persons={p.pk: p.region_path for p in (tree.person_a, twin)},
    )
    start(people, twin)
    check_merge_persons(
        user=people.grid_a, scope=scope_of(people.grid_a), keep=tree.person_a, drop=twin
    )
    assert CheckIn.objects.filter(person=tree.person_a).count() == 2
    assert Observation.objects.get().person == tree.person_a


def test_two_records_with_open_alerts_are_not_merged_silently(tree, people):
    from fangkong.health.models import Alert
    from fangkong.people.services import PersonInvalid, check_merge_persons

    from ..conftest import make_person

    twin = make_person(tree.grid_a, name="张伟", birth_on=tree.person_a.birth_on, phone="")
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), p.pk, "38.6") for p in (tree.person_a, twin)],
        persons={p.pk: p.region_path for p in (tree.person_a, twin)},
    )
    with pytest.raises(PersonInvalid, match="alerts"):
        check_merge_persons(
            user=people.grid_a, scope=scope_of(people.grid_a), keep=tree.person_a, drop=twin
        )
    assert Alert.objects.filter(person=twin).count() == 1


def test_a_contacts_rule_replaces_the_periods_the_person_was_under(tree, people):
    home = start(people, tree.person_a, start_on=TODAY() - dt.timedelta(days=3))
    scope, case = scope_of(people.community), case_of_li_na(tree, people)
    _, periods = check_add_contact(
        user=people.community,
        scope=scope,
        case=case,
        person=tree.person_a,
        kind="close",
        last_exposure_on=TODAY(),
    )
    home.refresh_from_db()
    assert home.last_day == TODAY() - dt.timedelta(days=1) and "replaced" in home.end_reason
    running = [
        o.kind for o in Observation.objects.filter(person=tree.person_a) if o.active_on(TODAY())
    ]
    assert running == ["central_quarantine"]
