"""The API a sampling phone and other systems use: campaigns, a tube by barcode, swabs in
batches with client ids."""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils import timezone

from fangkong.screening.models import Sample, Tube

from ..conftest import make_person
from .conftest import open_tube


def _post(client, name, body):
    return client.post(reverse(name), body, content_type="application/json")


def test_a_street_officer_plans_a_campaign_through_the_api(tree, people, login):
    answer = _post(
        login(people.street),
        "api:create_campaign",
        {"region": tree.street.code, "start_on": timezone.localdate().isoformat(), "pool_size": 20},
    )
    assert answer.status_code == 200 and answer.json()["pool_size"] == 20
    bad = _post(
        login(people.street),
        "api:create_campaign",
        {"region": tree.street.code, "start_on": timezone.localdate().isoformat(), "pool_size": 3},
    )
    assert bad.status_code == 422 and "pool_size" in bad.json()["detail"]


def test_a_phone_opens_a_tube_and_sends_its_queue_of_swabs_twice(tree, people, login, campaign):
    client = login(people.grid_a)
    tube = _post(client, "api:open_tube", {"campaign": campaign.pk, "barcode": "hx-0001"}).json()
    assert (tube["barcode"], tube["created"], tube["status"]) == ("HX0001", True, "open")
    others = [make_person(tree.grid_a) for _ in range(5)]
    records = [
        {"client_id": str(uuid.uuid4()), "person_id": p.pk} for p in [tree.person_a, *others]
    ]
    first = _post(client, "api:add_swabs", {"tube": tube["id"], "records": records}).json()
    assert (first["created"], first["tube_status"], first["swabs"]) == (5, "closed", 5)
    assert first["rejected"] == [{"index": 5, "reason": "试管 HX0001 已满（5 人）；请开一支新管"}]
    again = _post(client, "api:add_swabs", {"tube": tube["id"], "records": records[:5]}).json()
    assert (again["created"], again["duplicates"]) == (0, 5)
    assert Sample.objects.count() == 5


def test_a_reused_barcode_is_a_422_with_the_reason(tree, people, login, campaign):
    from .conftest import make_campaign

    open_tube(people.grid_a, campaign, barcode="HX0001")
    other = make_campaign(tree, name="第2轮")
    answer = _post(
        login(people.grid_a), "api:open_tube", {"campaign": other.pk, "barcode": "HX0001"}
    )
    assert answer.status_code == 422 and "另一批次" in answer.json()["detail"]["barcode"]
    assert Tube.objects.count() == 1


def test_a_person_of_another_grid_is_a_refused_record(tree, people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    answer = _post(
        login(people.grid_a),
        "api:add_swabs",
        {
            "tube": tube.pk,
            "records": [{"client_id": str(uuid.uuid4()), "person_id": tree.person_b.pk}],
        },
    ).json()
    assert answer["created"] == 0 and "辖区内没有" in answer["rejected"][0]["reason"]


def test_a_bad_batch_is_refused_whole(people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    client = login(people.grid_a)
    answer = _post(client, "api:add_swabs", {"tube": tube.pk, "records": [{"person_id": 1}]})
    assert answer.status_code == 422
    too_many = [{"client_id": str(uuid.uuid4()), "person_id": 1} for _ in range(201)]
    answer = _post(client, "api:add_swabs", {"tube": tube.pk, "records": too_many})
    assert answer.status_code == 422


def test_coverage_through_the_api(tree, people, login, campaign):
    answer = login(people.community).get(reverse("api:campaign_coverage", args=[campaign.pk]))
    assert answer.json() == {"target": 2, "sampled": 0, "resulted": 0, "positive": 0, "untested": 2}


def test_a_phone_sends_what_it_scanned_and_a_code_naming_nobody_is_refused_with_its_place(
    tree, people, login, campaign
):
    from fangkong.people.codes import person_code

    tube = open_tube(people.grid_a, campaign)
    records = [
        {"client_id": str(uuid.uuid4()), "code": person_code(tree.person_a.pk)},  # their QR
        {"client_id": str(uuid.uuid4()), "code": "FK1.MTIzNA:forged"},
        {"client_id": str(uuid.uuid4()), "code": f"P{tree.child_a.pk}"},
        {"client_id": str(uuid.uuid4())},
        {"client_id": str(uuid.uuid4()), "code": f"P{tree.person_b.pk}"},  # another grid
    ]
    answer = _post(login(people.grid_a), "api:add_swabs", {"tube": tube.pk, "records": records})
    body = answer.json()
    assert answer.status_code == 200 and body["created"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 3, 4]
    assert "不是居民码" in body["rejected"][0]["reason"]
    assert "居民页面" in body["rejected"][1]["reason"]
    assert set(Sample.objects.values_list("person_id", flat=True)) == {
        tree.person_a.pk,
        tree.child_a.pk,
    }


def test_a_person_outside_the_campaigns_region_is_a_refused_record(tree, people, login):
    from fangkong.regions.services import create_region

    from .conftest import make_campaign

    grid_campaign = make_campaign(tree, region=tree.grid_a)
    next_grid = create_region(
        code="430102001001002", name="红星第2网格", level="grid", parent=tree.community_a
    )
    neighbour = make_person(next_grid)
    tube = open_tube(people.community, grid_campaign)
    answer = _post(
        login(people.community),
        "api:add_swabs",
        {
            "tube": tube.pk,
            "records": [{"client_id": str(uuid.uuid4()), "person_id": neighbour.pk}],
        },
    ).json()
    assert answer["created"] == 0
    assert answer["rejected"] == [
        {"index": 0, "reason": "此人不在本批次的检测范围（红星第1网格）内"}
    ]
