"""Hostile roles: a hospital operator reaches their own facility and the patients sent to it,
nothing else (another facility's patient is 404, by page and by API); a district reaches
neither another district's patients nor their plan lines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from fangkong.accounts.scope import scope_of
from fangkong.beds import selectors
from fangkong.beds.services import (
    BedsInvalid,
    assign_operator,
    check_propose_plan,
    save_facility,
    take_in_waiting,
)

from .helpers import planned


def test_an_operator_gets_404_for_a_patient_sent_to_another_facility(beds, tree, people, login):
    mine = planned(tree, beds.hospital, "ward", 1)[0]
    theirs = planned(tree, beds.fangcang, "fangcang", 1)[0]
    client = login(people.hospital)
    assert client.get(reverse("beds:patient", args=[mine.pk])).status_code == 200
    assert client.get(reverse("beds:patient", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("beds:admit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("beds:discharge", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api:admit_patient", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("beds:facility", args=["FC01"])).status_code == 404


def test_an_operator_cannot_report_another_facilitys_beds(beds, people, login):
    client = login(people.hospital)
    response = client.post(
        reverse("api:report_beds", args=["FC01"]),
        {"beds": [{"bed_type": "fangcang", "occupied": 1}]},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_an_operator_lists_only_their_own_facility(beds, people, login):
    found = login(people.hospital).get(reverse("api:list_facilities")).json()
    assert [f["code"] for f in found] == ["FR01"]


def test_an_operator_of_a_facility_outside_their_region_reaches_nothing(beds, tree, people, login):
    assign_operator(facility=beds.other, user=people.hospital)  # 天心区: outside 芙蓉区
    client = login(people.hospital)
    assert client.get(reverse("api:list_facilities")).json() == []
    assert client.get(reverse("beds:facility", args=["TX01"])).status_code == 404


def test_a_patient_discharged_elsewhere_is_gone_from_the_operator(beds, tree, people, login):
    patient = planned(tree, beds.hospital, "ward", 1)[0]
    patient.lines.update(status="refused")
    patient.status = "waiting"
    patient.save()
    assert login(people.hospital).get(reverse("beds:patient", args=[patient.pk])).status_code == 404


def test_a_district_gets_404_for_a_patient_of_another_district(beds, tree, people, login):
    patient = planned(tree, beds.other, "ward", 1, grid=tree.grid_c)[0]
    line = patient.lines.get()
    client = login(people.district)
    assert client.get(reverse("beds:patient", args=[patient.pk])).status_code == 404
    assert (
        client.post(reverse("beds:progress", args=[line.pk]), {"status": "picked_up"}).status_code
        == 404
    )
    assert (
        client.post(reverse("beds:triage", args=[patient.pk]), {"severity": "mild"}).status_code
        == 404
    )


def test_the_waiting_list_masks_names(beds, tree, people, login):
    take_in_waiting()
    body = login(people.district).get(reverse("beds:waiting")).content.decode()
    assert "张*" in body and "张伟" not in body


def test_a_facility_in_another_region_is_not_offered_to_a_street(beds, tree, people):
    save_facility(
        code="XH01",
        name="新华街道隔离点",
        kind="quarantine",
        region=tree.street,
        lat=28.2,
        lon=112.97,
        capacity={"quarantine": 3},
    )
    codes = [f.code for f in selectors.facilities(scope_of(people.street))]
    assert codes == ["XH01"]


def test_a_role_without_the_plan_cannot_propose_and_nobody_plans_above_their_region(
    beds, tree, people
):
    with pytest.raises(PermissionDenied):
        check_propose_plan(
            scope=scope_of(people.district), user=people.district, region=tree.district
        )
    with pytest.raises(BedsInvalid, match="outside your region"):
        check_propose_plan(scope=scope_of(people.hq), user=people.hq, region=tree.province)


def test_an_operator_cannot_admit_a_patient_sent_elsewhere_even_through_the_service(
    beds, tree, people
):
    from fangkong.beds.services import check_admit

    theirs = planned(tree, beds.fangcang, "fangcang", 1)[0]
    with pytest.raises(BedsInvalid, match="does not send this patient to your facility"):
        check_admit(scope=scope_of(people.hospital), user=people.hospital, patient=theirs)


def test_the_most_severe_wait_first_whenever_they_came(beds, tree, people):
    from fangkong.beds.models import Patient

    take_in_waiting()
    long_ago = Patient.objects.get(person=tree.person_a).since_at - dt.timedelta(days=2)
    Patient.objects.filter(person=tree.person_b).update(since_at=long_ago)  # waited longest
    Patient.objects.filter(person=tree.person_a).update(severity="critical")
    rows, total, _over = selectors.waiting(scope_of(people.hq), limit=1)
    assert total == 2 and rows[0].patient.person == tree.person_a


def test_nobody_confirms_a_plan_of_a_region_above_their_own(beds, tree, people, login):
    """A district's command (a planner whose region is the district) reads the city's plan,
    as every district does, but confirming it would move another district's patients."""
    from fangkong.accounts.choices import Role
    from fangkong.accounts.services import create_user
    from fangkong.beds.choices import PlanStatus
    from fangkong.beds.services import check_confirm_plan

    plan = check_propose_plan(scope=scope_of(people.hq), user=people.hq, region=tree.city)
    command = create_user(
        username="district_hq",
        password="x-pw-long-enough",
        role=Role.HEADQUARTERS,
        scope_region=tree.district,
    )
    with pytest.raises(BedsInvalid, match="outside your region"):
        check_confirm_plan(scope=scope_of(command), user=command, plan=plan)
    client = login(command)
    page = client.get(reverse("beds:plan", args=[plan.pk]))
    assert page.status_code == 200
    assert reverse("beds:confirm", args=[plan.pk]) not in page.content.decode()
    client.post(reverse("beds:confirm", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED
    check_confirm_plan(scope=scope_of(people.hq), user=people.hq, plan=plan)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.CONFIRMED
