"""Records that must not go wrong: reused report ids, doubled cases, contacts without an
exposure date, impossible dates and checkpoint hours (issue 11 items 7–9, issue 10 bounds)."""

import datetime as dt
import uuid

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from fangkong.accounts.scope import scope_of
from fangkong.health.models import Case, CheckIn, Contact, Observation
from fangkong.health.services import (
    CheckInData,
    CheckInInvalid,
    check_add_contact,
    check_close_case,
    check_create_checkpoint,
    check_report_case,
    check_start_observation,
    record_check_ins,
)
from fangkong.health.services.days import EARLIEST, date_problem

TODAY = timezone.localdate


def persons(*people):
    return {p.pk: p.region_path for p in people}


# Check-ins: a report id is unique with its person; a clash is refused, never swallowed


def test_a_report_id_used_for_someone_else_is_refused_not_counted_as_sent(tree):
    client_id = uuid.uuid4()
    record_check_ins(
        items=[CheckInData(client_id, tree.person_a.pk, "36.6")],
        persons=persons(tree.person_a, tree.child_a),
    )
    result = record_check_ins(
        items=[CheckInData(client_id, tree.child_a.pk, "38.9")],
        persons=persons(tree.person_a, tree.child_a),
    )
    assert (result.created, result.duplicates) == (0, 0)
    assert [i for i, _e in result.rejected] == [0]
    assert "report again" in result.rejected[0][1]["client_id"]
    assert list(CheckIn.objects.values_list("person_id", flat=True)) == [tree.person_a.pk]


def test_a_report_id_sent_again_with_another_reading_is_refused(tree):
    client_id = uuid.uuid4()
    at = timezone.now() - dt.timedelta(hours=1)
    first = CheckInData(client_id, tree.person_a.pk, "36.6", measured_at=at)
    record_check_ins(items=[first], persons=persons(tree.person_a))
    retry = record_check_ins(items=[first], persons=persons(tree.person_a))
    changed = record_check_ins(
        items=[CheckInData(client_id, tree.person_a.pk, "38.2", measured_at=at)],
        persons=persons(tree.person_a),
    )
    assert (retry.duplicates, retry.rejected) == (1, [])
    assert changed.duplicates == 0 and changed.rejected[0][0] == 0
    assert str(CheckIn.objects.get().temperature) == "36.6"


def test_one_id_for_two_people_in_one_batch_stores_the_first_and_refuses_the_second(tree):
    client_id = uuid.uuid4()
    result = record_check_ins(
        items=[
            CheckInData(client_id, tree.person_a.pk, "36.6"),
            CheckInData(uuid.uuid4(), tree.person_a.pk, "36.7"),
            CheckInData(client_id, tree.child_a.pk, "36.8"),
        ],
        persons=persons(tree.person_a, tree.child_a),
    )
    assert (result.created, result.duplicates) == (2, 0)
    assert [i for i, _e in result.rejected] == [2]


def test_a_large_batch_reusing_stored_ids_sorts_retries_from_clashes(tree, people, login):
    """The staged path (COPY on PostgreSQL) behaves as the short one."""
    ids = [uuid.uuid4() for _ in range(60)]
    items = [CheckInData(i, tree.person_a.pk, "36.6") for i in ids]
    first = record_check_ins(items=items, persons=persons(tree.person_a, tree.child_a))
    again = record_check_ins(
        items=items[:30] + [CheckInData(i, tree.child_a.pk, "36.6") for i in ids[30:]],
        persons=persons(tree.person_a, tree.child_a),
    )
    assert first.created == 60
    assert (again.created, again.duplicates, len(again.rejected)) == (0, 30, 30)
    assert [i for i, _e in again.rejected] == list(range(30, 60))


def test_the_database_holds_one_check_in_per_person_and_report_id(tree):
    client_id = uuid.uuid4()
    fields = {
        "client_id": client_id,
        "region_path": tree.person_a.region_path,
        "measured_at": timezone.now(),
        "on": TODAY(),
        "temperature": "36.6",
        "source": "self",
    }
    CheckIn.objects.create(person=tree.person_a, **fields)
    with pytest.raises(IntegrityError):
        CheckIn.objects.create(person=tree.person_a, **fields)


def test_the_batch_api_lists_a_reused_id_as_refused(tree, people, login):
    client = login(people.grid_a)
    client_id = str(uuid.uuid4())

    def send(person):
        return client.post(
            reverse("api:post_check_ins"),
            {"records": [{"client_id": client_id, "person_id": person.pk, "temperature": "37.9"}]},
            content_type="application/json",
        ).json()

    send(tree.person_a)
    answer = send(tree.child_a)
    assert (answer["created"], answer["duplicates"]) == (0, 0)
    assert answer["rejected"][0]["index"] == 0 and "client_id" in answer["rejected"][0]["errors"]


# Cases: the form's client id, and one open case per person


def report(people, tree, person=None, **kw):
    return check_report_case(
        user=people.community,
        scope=scope_of(people.community),
        person=person or tree.child_a,
        classification=kw.pop("classification", "confirmed"),
        **kw,
    )


def test_the_same_case_form_posted_again_returns_the_case_it_made(tree, people, login):
    client = login(people.community)
    body = {
        "person": tree.child_a.pk,
        "classification": "confirmed",
        "client_id": str(uuid.uuid4()),
    }
    first = client.post(reverse("health:case_new"), body)
    for _ in range(5):
        again = client.post(reverse("health:case_new"), body)
    case = Case.objects.get()
    assert first["Location"] == again["Location"] == reverse("health:case", args=[case.pk])


def test_the_case_form_carries_its_own_client_id(tree, people, login):
    page = login(people.community).get(reverse("health:cases") + "?q=张小明")
    assert b'name="client_id"' in page.content


def test_a_person_with_an_open_case_cannot_get_a_second_one(tree, people):
    report(people, tree, classification="suspected")
    with pytest.raises(CheckInInvalid) as e:
        report(people, tree, client_id=uuid.uuid4())
    assert "already has an open case" in e.value.errors["person"]
    assert Case.objects.count() == 1


def test_the_database_holds_one_open_case_per_person(tree):
    fields = {"region_path": tree.child_a.region_path, "classification": "confirmed"}
    Case.objects.create(person=tree.child_a, report_on=TODAY(), **fields)
    with pytest.raises(IntegrityError):
        Case.objects.create(person=tree.child_a, report_on=TODAY(), **fields)


def test_a_closed_case_makes_room_for_a_new_one(tree, people):
    case = report(people, tree, classification="suspected")
    with pytest.raises(CheckInInvalid):
        check_close_case(
            user=people.community, scope=scope_of(people.community), case=case, reason=" "
        )
    check_close_case(
        user=people.community, scope=scope_of(people.community), case=case, reason="排除"
    )
    report(people, tree)
    assert Case.objects.filter(closed_on__isnull=True).count() == 1


def test_a_form_reused_for_another_person_is_refused(tree, people):
    client_id = uuid.uuid4()
    report(people, tree, client_id=client_id)
    with pytest.raises(CheckInInvalid) as e:
        report(people, tree, person=tree.person_a, client_id=client_id)
    assert "client_id" in e.value.errors


# Contacts: no exposure date means today, and the person is watched


def test_a_contact_without_an_exposure_date_is_exposed_today_and_watched(tree, people, login):
    case = report(people, tree)
    client = login(people.community)
    client.post(
        reverse("health:contact_new", args=[case.pk]), {"person": tree.person_a.pk, "kind": "close"}
    )
    contact = Contact.objects.get()
    assert contact.last_exposure_on == TODAY()
    assert contact.observations.count() == 2
    page = client.get(reverse("health:case", args=[case.pk]) + "?q=张伟")
    assert "留空为今天".encode() in page.content


# Dates: from 2000-01-01 to today


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"onset_on": dt.date(1, 1, 1)}, "onset_on"),
        ({"report_on": dt.date(1, 1, 1)}, "report_on"),
        ({"report_on": dt.date(1999, 12, 31)}, "report_on"),
        ({"onset_on": TODAY() + dt.timedelta(days=1)}, "onset_on"),
        ({"report_on": TODAY() + dt.timedelta(days=1)}, "report_on"),
    ],
)
def test_a_case_date_outside_2000_to_today_is_refused_with_the_window(tree, people, kw, field):
    with pytest.raises(CheckInInvalid) as e:
        report(people, tree, **kw)
    assert "2000-01-01" in e.value.errors[field] and TODAY().isoformat() in e.value.errors[field]
    assert not Case.objects.exists()


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1999, 1, 1), dt.date(2999, 1, 1)])
def test_an_exposure_outside_the_window_is_refused(tree, people, day):
    case = report(people, tree)
    with pytest.raises(CheckInInvalid) as e:
        check_add_contact(
            user=people.community,
            scope=scope_of(people.community),
            case=case,
            person=tree.person_a,
            kind="close",
            last_exposure_on=day,
        )
    assert "2000-01-01" in e.value.errors["last_exposure_on"]
    assert not Contact.objects.exists() and not tree.person_a.tags.filter(kind="close_contact")


@pytest.mark.parametrize("day", [dt.date(1, 1, 1), dt.date(1999, 12, 31)])
def test_an_observation_starting_before_2000_is_refused(tree, people, day):
    with pytest.raises(CheckInInvalid) as e:
        check_start_observation(
            user=people.grid_a,
            scope=scope_of(people.grid_a),
            person=tree.person_a,
            kind="home_observation",
            reason="返乡",
            start_on=day,
        )
    assert "2000-01-01" in e.value.errors["start_on"]
    assert not Observation.objects.exists()


@given(st.dates())
def test_a_date_is_accepted_exactly_inside_2000_to_today(day):
    today = dt.date(2026, 3, 1)
    assert (date_problem(day, today) is None) == (EARLIEST <= day <= today)


# Checkpoints: hours across midnight only when the checkpoint says so


def checkpoint(tree, people, opens, closes, overnight=False):
    return check_create_checkpoint(
        scope=scope_of(people.volunteer),
        region=tree.grid_a,
        name="东门",
        opens_at=dt.time.fromisoformat(opens),
        closes_at=dt.time.fromisoformat(closes),
        overnight=overnight,
    )


@pytest.mark.parametrize(
    ("opens", "closes", "overnight"),
    [("23:00", "01:00", False), ("07:00", "07:00", False), ("07:00", "22:00", True)],
)
def test_hours_that_do_not_match_spanning_midnight_are_refused(
    tree, people, opens, closes, overnight
):
    with pytest.raises(CheckInInvalid) as e:
        checkpoint(tree, people, opens, closes, overnight)
    assert opens in e.value.errors["closes_at"] and closes in e.value.errors["closes_at"]


def test_a_checkpoint_that_says_it_spans_midnight_is_kept_and_shown_so(tree, people, login):
    client = login(people.volunteer)
    client.post(
        reverse("health:checkpoints"),
        {
            "region": tree.grid_a.code,
            "name": "夜班卡口",
            "opens_at": "23:00",
            "closes_at": "01:00",
            "overnight": "1",
        },
    )
    made = tree.grid_a.checkpoints.get()
    assert made.overnight and made.closes_at == dt.time(1)
    page = client.get(reverse("health:checkpoints") + f"?region={tree.grid_a.code}")
    assert "23:00–01:00 （次日）".encode() in page.content
    refused = client.post(
        reverse("health:checkpoints"),
        {"region": tree.grid_a.code, "name": "西门", "opens_at": "23:00", "closes_at": "01:00"},
    )
    assert refused.status_code == 200 and b'role="alert"' in refused.content
    assert tree.grid_a.checkpoints.count() == 1


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_the_staff_view_of_an_impossible_day_answers_without_a_crash(tree, people, login, day):
    page = login(people.street).get(reverse("health:staff") + f"?day={day}")
    assert page.status_code == 200
