"""The pages: planning a campaign, sampling on a phone (scan a tube, add people), coverage and
the untested list."""

from __future__ import annotations

import uuid

from django.urls import reverse
from django.utils import timezone

from fangkong.screening.models import Campaign, Sample, Tube, Untested

from ..conftest import make_person
from .conftest import open_tube, swab


def test_a_street_officer_plans_a_campaign_and_lands_on_its_page(tree, people, login):
    client = login(people.street)
    cid = str(uuid.uuid4())
    body = {
        "region": tree.community_a.code,
        "name": "红星第1轮",
        "start_on": timezone.localdate().isoformat(),
        "pool_size": "10",
        "target": "residents",
        "client_id": cid,
    }
    answer = client.post(reverse("screening:campaigns"), body)
    campaign = Campaign.objects.get()
    assert answer["Location"] == reverse("screening:campaign", args=[campaign.pk])
    client.post(reverse("screening:campaigns"), body)  # sent twice
    assert Campaign.objects.count() == 1
    page = client.get(answer["Location"]).content.decode()
    assert "红星第1轮" in page and tree.grid_a.name in page


def test_a_bad_plan_is_shown_on_the_page(tree, people, login):
    answer = login(people.street).post(
        reverse("screening:campaigns"),
        {"region": tree.community_a.code, "pool_size": "7", "start_on": "2026-01-02"},
    )
    assert answer.status_code == 200 and "1、5、10 或 20" in answer.content.decode()
    assert not Campaign.objects.exists()


def test_a_grid_worker_scans_a_tube_and_adds_people_until_it_is_full(tree, people, login):
    from .conftest import make_campaign

    campaign = make_campaign(tree, pool_size=1)
    client = login(people.grid_a)
    page = client.get(reverse("screening:sample", args=[campaign.pk])).content.decode()
    assert 'name="barcode"' in page and "autofocus" in page
    opened = client.post(
        reverse("screening:sample", args=[campaign.pk]),
        {"barcode": "HX000777", "client_id": str(uuid.uuid4())},
    )
    tube = Tube.objects.get()
    assert opened["Location"] == reverse("screening:tube", args=[tube.pk])
    client.post(
        opened["Location"], {"code": f"P{tree.person_a.pk}", "client_id": str(uuid.uuid4())}
    )
    page = client.get(opened["Location"]).content.decode()
    assert "张伟" in page and 'name="code"' not in page  # full: nobody more goes in
    tube.refresh_from_db()
    assert tube.status == "closed" and Sample.objects.get().person == tree.person_a


def test_a_person_chosen_in_the_picker_is_added(tree, people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    login(people.grid_a).post(
        reverse("screening:tube", args=[tube.pk]),
        {"person": str(tree.child_a.pk), "client_id": str(uuid.uuid4())},
    )
    assert Sample.objects.get().person == tree.child_a


def test_a_form_sent_twice_adds_one_swab(tree, people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    body = {"code": str(tree.person_a.pk), "client_id": str(uuid.uuid4())}
    client = login(people.grid_a)
    client.post(reverse("screening:tube", args=[tube.pk]), body)
    client.post(reverse("screening:tube", args=[tube.pk]), body)
    assert Sample.objects.count() == 1


def test_a_code_that_names_nobody_is_told(people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    client = login(people.grid_a)
    answer = client.post(reverse("screening:tube", args=[tube.pk]), {"code": "某某"}, follow=True)
    assert "某某" in answer.content.decode()  # told what was not understood
    assert not Sample.objects.exists()


def test_a_reused_barcode_is_refused_on_the_page(tree, people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a)
    Tube.objects.filter(pk=tube.pk).update(status="sent")
    answer = login(people.grid_a).post(
        reverse("screening:sample", args=[campaign.pk]), {"barcode": tube.barcode}
    )
    assert answer.status_code == 200 and tube.barcode in answer.content.decode()
    assert Tube.objects.count() == 1


def test_a_volunteer_sees_the_swabs_but_no_names(tree, people, login, campaign):
    tube = open_tube(people.volunteer, campaign)
    swab(people.volunteer, tube, tree.person_a)
    page = login(people.volunteer).get(reverse("screening:tube", args=[tube.pk])).content.decode()
    assert "1/5" in page and "张" not in page


def test_closing_early_and_removing_a_wrong_swab(tree, people, login, campaign):
    tube = open_tube(people.grid_a, campaign)
    swab(people.grid_a, tube, tree.person_a, tree.child_a)
    client = login(people.grid_a)
    wrong = Sample.objects.get(person=tree.child_a)
    client.post(reverse("screening:swab_remove", args=[wrong.pk]), {"reason": "扫错人"})
    assert list(Sample.objects.values_list("person", flat=True)) == [tree.person_a.pk]
    client.post(reverse("screening:tube_close", args=[tube.pk]))
    tube.refresh_from_db()
    assert tube.status == "closed"


def test_the_grid_worker_records_a_reason_on_the_untested_list(tree, people, login, campaign):
    make_person(tree.grid_a, name="王五", household=tree.household_a)
    client = login(people.grid_a)
    url = reverse("screening:untested", args=[campaign.pk, tree.grid_a.code])
    page = client.get(url).content.decode()
    assert "张伟" in page and "王五" in page
    client.post(url, {"person": tree.person_a.pk, "reason": "refused", "note": "敲门未应"})
    assert Untested.objects.get().reason == "refused"
    assert "敲门未应" in client.get(url).content.decode()


def test_the_campaign_list_takes_a_fixed_number_of_queries(
    tree, people, login, django_assert_max_num_queries
):
    from .conftest import make_campaign

    for n in range(5):
        make_campaign(tree, name=f"第{n}轮")
    client = login(people.grid_a)
    with django_assert_max_num_queries(12):
        answer = client.get(reverse("screening:campaigns"))
    assert answer.content.decode().count("第") >= 5


def test_a_person_outside_the_campaigns_region_is_refused_on_the_page(tree, people, login):
    from fangkong.regions.services import create_region

    from .conftest import make_campaign

    grid_campaign = make_campaign(tree, region=tree.grid_a)
    next_grid = create_region(
        code="430102001001002", name="红星第2网格", level="grid", parent=tree.community_a
    )
    neighbour = make_person(next_grid)
    tube = open_tube(people.community, grid_campaign)
    answer = login(people.community).post(
        reverse("screening:tube", args=[tube.pk]),
        {"code": f"P{neighbour.pk}", "client_id": str(uuid.uuid4())},
        follow=True,
    )
    assert "此人不在本批次的检测范围（红星第1网格）内" in answer.content.decode()
    assert not Sample.objects.exists()
