"""The health pages as their users meet them."""

import datetime as dt
import uuid

from django.urls import reverse

from fangkong.accounts.models import AuditEntry
from fangkong.accounts.scope import scope_of
from fangkong.health.models import Alert, CheckIn, Contact, HealthRule, Observation, Passage
from fangkong.health.services import (
    CheckInData,
    check_start_observation,
    record_check_ins,
)

TODAY = dt.date.today


def fever(person, t="38.6"):
    record_check_ins(
        items=[CheckInData(uuid.uuid4(), person.pk, t)], persons={person.pk: person.region_path}
    )


def watch(people, person, **kw):
    return check_start_observation(
        user=people.grid_a,
        scope=scope_of(people.grid_a),
        person=person,
        kind=kw.pop("kind", "home_observation"),
        reason="返乡",
        **kw,
    )


def test_the_grid_worker_prints_the_qr_code_and_can_withdraw_it(tree, people, login):
    client = login(people.grid_a)
    url = reverse("health:building_qr", args=[tree.building_a.pk])
    assert b"<svg" not in client.get(url).content  # none until issued
    page = client.post(url)
    assert b"<svg" in page.content
    client.post(reverse("health:building_qr", args=[tree.building_a.pk]), {"action": "revoke"})
    page = client.get(reverse("health:building_qr", args=[tree.building_a.pk]))
    assert b"<svg" not in page.content


def test_quick_entry_saves_a_units_temperatures_at_once(tree, people, login):
    client = login(people.grid_a)
    url = reverse("health:quick_entry", args=[tree.building_a.pk]) + "?unit=1"
    page = client.get(url)
    assert "张伟".encode() in page.content and "张小明".encode() in page.content
    client.post(url, {f"t{tree.person_a.pk}": "36.4", f"t{tree.child_a.pk}": "37.8"})
    assert CheckIn.objects.filter(source="grid_worker", recorded_by=people.grid_a).count() == 2
    assert Alert.objects.get().person == tree.child_a


def test_a_grid_worker_closes_a_fever_alert_with_an_outcome(tree, people, login):
    fever(tree.person_a)
    client = login(people.grid_a)
    queue = client.get(reverse("health:alerts") + f"?region={tree.grid_a.code}")
    assert "张伟".encode() in queue.content and b"38.6" in queue.content
    alert = Alert.objects.get()
    client.post(reverse("health:alert_close", args=[alert.pk]), {"outcome": "fever_clinic"})
    alert.refresh_from_db()
    assert (alert.outcome, alert.closed_by) == ("fever_clinic", people.grid_a)
    queue = client.get(reverse("health:alerts") + f"?region={tree.grid_a.code}")
    assert "张伟".encode() not in queue.content


def test_the_missing_list_holds_those_under_watch_who_have_not_reported(tree, people, login):
    watch(people, tree.person_a)
    watch(people, tree.child_a)
    fever(tree.child_a, "36.5")
    client = login(people.grid_a)
    page = client.get(reverse("health:missing", args=[tree.grid_a.code]))
    assert f'href="tel:{tree.person_a.phone}"'.encode() in page.content
    assert "张小明".encode() not in page.content
    assert AuditEntry.objects.filter(object_type="missing_list").count() == 1


def test_with_universal_reporting_every_resident_is_expected(tree, people, login):
    HealthRule.objects.create(region=tree.community_a, universal_reporting=True)
    page = login(people.grid_a).get(reverse("health:missing", args=[tree.grid_a.code]))
    assert "张伟".encode() in page.content and "张小明".encode() in page.content


def test_street_staff_see_the_list_with_masked_numbers(tree, people, login):
    watch(people, tree.person_a)
    page = login(people.street).get(reverse("health:missing", args=[tree.grid_a.code]))
    assert tree.person_a.phone_masked.encode() in page.content
    assert b"tel:" not in page.content


def test_the_staff_view_counts_the_day_per_region_and_drills_down(tree, people, login):
    watch(people, tree.person_a)
    watch(people, tree.person_b, kind="health_monitoring")
    fever(tree.person_a)
    client = login(people.street)
    response = client.get(reverse("api:summary") + f"?region={tree.street.code}")
    data = response.json()
    assert data["total"]["reported"] == 1 and data["total"]["expected"] == 2
    assert data["total"]["alerts_open"] == 1
    assert data["total"]["watched"] == {"home_observation": 1, "health_monitoring": 1}
    a = next(c for c in data["children"] if c["code"] == tree.community_a.code)
    assert (a["reported"], a["expected"]) == (1, 1)
    page = client.get(reverse("health:staff") + f"?region={tree.street.code}")
    assert tree.community_a.name.encode() in page.content
    people_page = client.get(
        reverse("health:people") + f"?region={tree.community_a.code}&kind=home_observation"
    )
    assert "张伟".encode() in people_page.content and "李娜".encode() not in people_page.content


def test_a_person_is_put_under_watch_extended_and_released_from_their_page(tree, people, login):
    client = login(people.grid_a)
    client.post(
        reverse("health:observe", args=[tree.person_a.pk]),
        {"kind": "home_observation", "reason": "外地返乡", "days": "7"},
    )
    o = Observation.objects.get()
    assert o.end_on == TODAY() + dt.timedelta(days=6)
    client.post(
        reverse("health:observation", args=[o.pk]),
        {"action": "extend", "days": "3", "reason": "复查"},
    )
    client.post(reverse("health:observation", args=[o.pk]), {"action": "end", "reason": "解除"})
    o.refresh_from_db()
    assert (o.end_on, o.ended_on) == (TODAY() + dt.timedelta(days=9), TODAY())
    page = client.get(reverse("health:person", args=[tree.person_a.pk]))
    assert b'class="day pending"' in page.content


def test_a_bad_observation_shows_its_message_on_the_persons_page(tree, people, login):
    client = login(people.grid_a)
    client.post(reverse("health:observe", args=[tree.person_a.pk]), {"kind": "central_quarantine"})
    page = client.get(reverse("health:person", args=[tree.person_a.pk]))
    assert b'role="alert"' in page.content and not Observation.objects.exists()


def test_community_staff_report_a_case_and_its_close_contact_goes_under_watch(tree, people, login):
    client = login(people.community)
    client.post(
        reverse("health:case_new"), {"person": tree.child_a.pk, "classification": "confirmed"}
    )
    case_url = reverse("health:case", args=[tree.child_a.cases.get().pk])
    client.post(
        case_url + "contacts/",
        {"person": tree.person_a.pk, "kind": "close", "last_exposure_on": TODAY().isoformat()},
    )
    contact = Contact.objects.get()
    assert contact.observations.count() == 2  # 7 central + 7 at home
    chains = client.get(reverse("health:cases") + f"?region={tree.grid_a.code}")
    assert "张小明".encode() in chains.content and "张伟".encode() in chains.content


def test_a_checkpoint_logs_passages_once_and_turn_backs_need_a_reason(tree, people, login):
    client = login(people.volunteer)
    client.post(
        reverse("health:checkpoints"),
        {"region": tree.grid_a.code, "name": "东门", "opens_at": "07:00", "closes_at": "22:00"},
    )
    url = reverse("health:checkpoint", args=[tree.grid_a.checkpoints.get().pk])
    client_id = str(uuid.uuid4())
    body = {"client_id": client_id, "direction": "in", "temperature": "36.4", "outcome": "allowed"}
    client.post(url, body)
    client.post(url, body)
    refused = client.post(
        url, {"client_id": str(uuid.uuid4()), "direction": "in", "outcome": "turned_back"}
    )
    assert refused.status_code == 200 and b'role="alert"' in refused.content
    client.post(
        url,
        {
            "client_id": str(uuid.uuid4()),
            "direction": "in",
            "outcome": "turned_back",
            "reason": "非本小区人员",
            "plate": "湘a12345",
        },
    )
    assert Passage.objects.count() == 2
    assert Passage.objects.get(outcome="turned_back").plate == "湘A12345"
    page = client.get(url)
    assert "非本小区人员".encode() in page.content


def test_a_case_for_nobody_is_not_found_not_a_crash(tree, people, login):
    client = login(people.community)
    response = client.post(reverse("health:case_new"), {"person": "abc", "classification": "x"})
    assert response.status_code == 404
