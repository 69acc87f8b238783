"""The pages people use: the operator's phone page (count, admit, discharge), headquarters'
plan (propose, review with reasons, confirm), a district's progress round, the waiting list in
red past the limit; list pages in a fixed number of queries; the API's refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.beds.models import BedStock, Line, Patient, Plan
from fangkong.beds.services import take_in_waiting

from .helpers import planned


def test_the_operator_lands_on_their_facility_counts_beds_and_admits(beds, tree, people, login):
    coming = planned(tree, beds.hospital, "ward", 2)
    client = login(people.hospital)
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("beds:facility", args=["FR01"])
    body = response.content.decode()
    assert "即将入院" in body and "患*" in body
    client.post(reverse("beds:report", args=["FR01"]), {"ward-occupied": "3", "ward-blocked": "1"})
    ward = BedStock.objects.get(facility=beds.hospital, bed_type="ward")
    assert (ward.occupied, ward.blocked, ward.free) == (3, 1, 1)
    client.post(reverse("beds:admit", args=[coming[0].pk]))
    assert Patient.objects.get(pk=coming[0].pk).status == "admitted"
    response = client.post(reverse("beds:admit", args=[coming[1].pk]), follow=True)
    assert "已没有空余的普通隔离病房床位" in response.content.decode()  # the last bed went


def test_a_count_that_does_not_fit_is_shown_with_what_is_wrong(beds, people, login):
    response = login(people.hospital).post(
        reverse("beds:report", args=["FR01"]),
        {"ward-occupied": "9", "ward-blocked": "0"},
        follow=True,
    )
    assert "超过了现有的 5 张床位" in response.content.decode()


@pytest.mark.parametrize("typed", ["3.5", "-1", "", "9" * 30, "三"])
def test_a_count_that_is_not_a_whole_number_names_the_bed_type_and_what_is_allowed(
    beds, people, login, typed
):
    before = list(BedStock.objects.order_by("pk").values_list("occupied", "blocked"))
    response = login(people.hospital).post(
        reverse("beds:report", args=["FR01"]),
        {"icu-occupied": "1", "icu-blocked": "0", "ward-occupied": typed, "ward-blocked": "0"},
        follow=True,
    )
    assert "普通隔离病房：已占用和暂停使用须为 0 到 5 的整数" in response.content.decode()
    assert list(BedStock.objects.order_by("pk").values_list("occupied", "blocked")) == before


def test_headquarters_proposes_reviews_and_confirms_and_the_district_reports_a_round(
    beds, tree, people, login
):
    hq = login(people.hq)
    response = hq.post(reverse("beds:propose"), follow=True)
    plan = Plan.objects.get()
    body = response.content.decode()
    assert "芙蓉区定点医院" in body and "芙蓉宾馆隔离点" in body and "已等待" in body
    hq.post(reverse("beds:confirm", args=[plan.pk]))
    hq.post(reverse("beds:confirm", args=[plan.pk]))  # twice: nothing more
    assert Plan.objects.get().status == "confirmed"
    assert Patient.objects.filter(status="planned").count() == 2
    district = login(people.district)
    line = Line.objects.get(patient__person=tree.person_b)
    district.post(reverse("beds:progress", args=[line.pk]), {"status": "picked_up"})
    body = district.get(reverse("beds:plan", args=[plan.pk])).content.decode()
    assert "已接到" in body
    progress = district.get(reverse("api:plan_progress", args=[plan.pk])).json()
    assert progress == [
        {
            "district": "430102",
            "name": "芙蓉区",
            "planned": 2,
            "done": 0,
            "left": 2,
            "counts": {"confirmed": 1, "picked_up": 1},
        }
    ]
    tasks = district.get(reverse("beds:tasks", args=[plan.pk])).content.decode()
    assert "大巴" in tasks and "芙蓉宾馆隔离点" in tasks


def test_a_patient_waiting_past_the_limit_shows_red(beds, tree, people, login):
    take_in_waiting()
    Patient.objects.filter(person=tree.person_a).update(
        since_at=timezone.now() - dt.timedelta(hours=30)
    )
    body = login(people.hq).get(reverse("beds:waiting")).content.decode()
    assert body.count('class="over"') == 1 and "1 人超时" in body


def test_list_pages_take_a_fixed_number_of_queries(
    beds, tree, people, login, django_assert_max_num_queries
):
    planned(tree, beds.hospital, "ward", 5)
    hq = login(people.hq)
    hq.post(reverse("beds:propose"))
    plan = Plan.objects.get(status="proposed")
    for url in (
        reverse("beds:home"),
        reverse("beds:waiting"),
        reverse("beds:plan", args=[plan.pk]),
        reverse("api:list_facilities"),
    ):
        with django_assert_max_num_queries(20):
            assert hq.get(url).status_code == 200
    with django_assert_max_num_queries(20):
        assert (
            login(people.hospital).get(reverse("beds:facility", args=["FR01"])).status_code == 200
        )


def test_the_api_refuses_a_count_with_the_reason_and_a_bad_bed_type_by_its_schema(
    beds, people, login
):
    client = login(people.hospital)
    url = reverse("api:report_beds", args=["FR01"])
    bad = client.post(
        url,
        {"beds": [{"bed_type": "ward", "occupied": 3, "blocked": 3}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "超过了现有的 5 张床位" in bad.json()["detail"]["ward"]
    odd = client.post(
        url, {"beds": [{"bed_type": "gym", "occupied": 1}]}, content_type="application/json"
    )
    assert odd.status_code == 422
    good = client.post(
        url,
        {"beds": [{"bed_type": "ward", "occupied": 3, "blocked": 1, "free": 1}]},
        content_type="application/json",
    )
    assert good.status_code == 200
    ward = next(b for b in good.json()["beds"] if b["bed_type"] == "ward")
    assert ward["free"] == 1 and ward["reported_by"] == "hospital" and ward["stale"] is False


def test_admitting_twice_through_the_api_admits_once(beds, tree, people, login):
    patient = planned(tree, beds.hospital, "ward", 1)[0]
    client = login(people.hospital)
    url = reverse("api:admit_patient", args=[patient.pk])
    assert client.post(url).json()["status"] == "admitted"
    assert client.post(url).status_code == 422
    assert BedStock.objects.get(facility=beds.hospital, bed_type="ward").occupied == 1
