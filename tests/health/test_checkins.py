"""Check-ins, alerts and escalation."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn, HealthRule
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_close_alert,
    escalate_overdue_alerts,
    record_check_ins,
)


def persons(*people):
    return {p.pk: p.region_path for p in people}


def one(person, temperature="36.6", **kw):
    return CheckInData(client_id=uuid.uuid4(), person_id=person.pk, temperature=temperature, **kw)


def test_a_check_in_is_stored_once_however_often_it_is_sent(tree):
    item = one(tree.person_a)
    first = record_check_ins(items=[item], persons=persons(tree.person_a))
    again = record_check_ins(items=[item, item], persons=persons(tree.person_a))
    assert (first.created, again.created, again.duplicates) == (1, 0, 2)
    saved = CheckIn.objects.get()
    assert saved.temperature == Decimal("36.6") and saved.region_path == tree.person_a.region_path
    assert saved.on == timezone.localdate()


@pytest.mark.parametrize(
    ("temperature", "symptoms", "reason"),
    [("37.3", [], "fever"), ("39.1", ["cough"], "fever"), ("36.5", ["breath"], "red_flag")],
)
def test_a_fever_or_a_red_flag_opens_an_alert_with_a_deadline(tree, temperature, symptoms, reason):
    result = record_check_ins(
        items=[one(tree.person_a, temperature, symptoms=symptoms)], persons=persons(tree.person_a)
    )
    alert = Alert.objects.get()
    assert result.alerts == [tree.person_a.pk]
    assert (alert.reason, alert.level) == (reason, "grid")
    assert alert.deadline_at - alert.opened_at == dt.timedelta(minutes=120)


def test_a_normal_temperature_and_mild_symptoms_open_no_alert(tree):
    record_check_ins(
        items=[one(tree.person_a, "37.2", symptoms=["cough"])], persons=persons(tree.person_a)
    )
    assert not Alert.objects.exists()


def test_the_threshold_is_a_region_setting(tree):
    HealthRule.objects.create(region=tree.community_a, fever_threshold=Decimal("37.5"))
    record_check_ins(items=[one(tree.person_a, "37.4")], persons=persons(tree.person_a))
    assert not Alert.objects.exists()
    record_check_ins(items=[one(tree.person_b, "37.4")], persons=persons(tree.person_b))
    assert Alert.objects.get().person == tree.person_b  # grid B keeps the default 37.3


def test_a_second_fever_does_not_open_a_second_alert(tree):
    for t in ("38.0", "38.4"):
        record_check_ins(items=[one(tree.person_a, t)], persons=persons(tree.person_a))
    assert Alert.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"temperature": "34.9"}, "temperature"),
        ({"temperature": "42.1"}, "temperature"),
        ({"temperature": "abc"}, "temperature"),
        ({"measured_at": timezone.now() + dt.timedelta(hours=1)}, "measured_at"),
        ({"symptoms": ["headache"]}, "symptoms"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_is_stored(tree, kw, field):
    kw.setdefault("temperature", "36.6")
    item = CheckInData(client_id=uuid.uuid4(), person_id=tree.person_a.pk, **kw)
    result = record_check_ins(items=[item], persons=persons(tree.person_a))
    assert result.created == 0 and field in result.rejected[0][1]
    assert not CheckIn.objects.exists()


def test_a_person_outside_the_callers_area_is_refused(tree):
    result = record_check_ins(items=[one(tree.person_b)], persons=persons(tree.person_a))
    assert "person" in result.rejected[0][1] and not CheckIn.objects.exists()


def test_a_batch_over_the_limit_is_refused_whole(tree):
    with pytest.raises(CheckInInvalid):
        record_check_ins(items=[one(tree.person_a)] * 1001, persons=persons(tree.person_a))


def test_an_overdue_alert_escalates_to_the_community_then_the_street(tree):
    record_check_ins(items=[one(tree.person_a, "38.5")], persons=persons(tree.person_a))
    alert = Alert.objects.get()
    now = alert.deadline_at
    assert escalate_overdue_alerts(now=now) == 0  # not yet overdue
    assert escalate_overdue_alerts(now=now + dt.timedelta(minutes=1)) == 1
    alert.refresh_from_db()
    assert alert.level == "community"
    escalate_overdue_alerts(now=alert.deadline_at + dt.timedelta(minutes=1))
    alert.refresh_from_db()
    assert alert.level == "street"
    assert escalate_overdue_alerts(now=alert.deadline_at + dt.timedelta(days=1)) == 0


def test_a_named_user_closes_an_alert_with_an_outcome(tree, people):
    record_check_ins(items=[one(tree.person_a, "38.5")], persons=persons(tree.person_a))
    alert = Alert.objects.get()
    scope = scope_of(people.grid_a)
    with pytest.raises(CheckInInvalid):
        check_close_alert(user=people.grid_a, scope=scope, alert=alert, outcome="shrug")
    check_close_alert(user=people.grid_a, scope=scope, alert=alert, outcome="fever_clinic")
    alert.refresh_from_db()
    assert (alert.closed_by, alert.outcome) == (people.grid_a, "fever_clinic")
    with pytest.raises(CheckInInvalid, match="already closed"):
        check_close_alert(user=people.grid_a, scope=scope, alert=alert, outcome="normal")
    escalate_overdue_alerts(now=alert.deadline_at + dt.timedelta(hours=5))
    alert.refresh_from_db()
    assert alert.level == "grid"  # a closed alert never escalates
